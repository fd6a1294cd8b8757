//! Prometheus's PromQL test-script format (`load`, `clear`, `eval instant`, `eval range`, and
//! `expect` lines), parsed and run against this engine.
//!
//! Cases that need native histograms or experimental syntax are skipped with a reason; every
//! other case passes or fails. Annotations are checked as Prometheus's runner checks them
//! (`expect warn`, `expect info` with `msg:` or `regex:`, `expect no_warn`, `expect no_info`), the
//! position appended to the message as the API shows it. A case whose selectors also match
//! native-histogram series runs on its float series, and is put down to the histograms only
//! when that fails.

use super::engine::{
    instant_query_annotated, range_query_annotated, Annotation, AnnotationLevel, EvalError, Value,
};
use super::sample::Labels;
use super::store::{stale_marker, SeriesStore};
use crate::time::SimDuration;
use std::collections::HashSet;

/// The outcome of one `eval` command.
#[derive(Debug, Clone, PartialEq)]
pub enum CaseOutcome {
    Passed,
    Failed(String),
    Skipped(String),
}

/// One `eval` command and its outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseResult {
    /// 1-based line of the `eval` command.
    pub line: usize,
    pub query: String,
    pub outcome: CaseOutcome,
}

/// Counts of outcomes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
}

impl Tally {
    pub fn of(results: &[CaseResult]) -> Tally {
        let mut tally = Tally::default();
        for result in results {
            match result.outcome {
                CaseOutcome::Passed => tally.passed += 1,
                CaseOutcome::Failed(_) => tally.failed += 1,
                CaseOutcome::Skipped(_) => tally.skipped += 1,
            }
        }
        tally
    }

    pub fn add(&mut self, other: Tally) {
        self.passed += other.passed;
        self.failed += other.failed;
        self.skipped += other.skipped;
    }
}

enum Expectation {
    Fail {
        message: Option<String>,
        regex: Option<String>,
    },
    /// `warn` or `info`, with an optional exact message or regular expression.
    Annotation {
        level: AnnotationLevel,
        message: Option<String>,
        regex: Option<String>,
    },
    /// `no_warn` or `no_info`.
    NoAnnotation(AnnotationLevel),
    Ordered,
    String(String),
    RangeVector {
        from: i64,
        to: i64,
        step: i64,
    },
}

struct EvalCommand {
    line: usize,
    query: String,
    /// Instant time, or range start, end and step, in milliseconds.
    instant: Option<i64>,
    range: Option<(i64, i64, i64)>,
    expectations: Vec<Expectation>,
    /// Expected series in order, with the descriptor's labels.
    series: Vec<(Labels, Vec<Option<f64>>)>,
    /// A scalar result line.
    scalar: Option<f64>,
    skip: Option<String>,
    /// A selector of the query matches native-histogram series, which are not loaded.
    selects_histograms: bool,
}

/// Runs a test script; returns one result per `eval` command.
pub fn run_script(text: &str) -> Vec<CaseResult> {
    let lines: Vec<&str> = text.lines().collect();
    let mut store = SeriesStore::new();
    let mut histogram_metrics = Histograms::default();
    let mut results = Vec::new();
    let mut index = 0;
    while index < lines.len() {
        let line = lines[index].trim_end();
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            index += 1;
            continue;
        }
        let body_start = index + 1;
        let mut body_end = body_start;
        while body_end < lines.len() {
            let next = lines[body_end];
            if next.trim().is_empty() || !next.starts_with([' ', '\t']) {
                break;
            }
            body_end += 1;
        }
        let body: Vec<(usize, &str)> = (body_start..body_end)
            .map(|i| (i + 1, lines[i].trim()))
            .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
            .collect();
        let word = trimmed.split_whitespace().next().unwrap_or("");
        match word {
            "clear" => {
                store.clear();
                histogram_metrics = Histograms::default();
            }
            "load" | "load_with_nhcb" => {
                let interval = trimmed.split_whitespace().nth(1).unwrap_or("1m");
                let interval = SimDuration::parse(interval)
                    .map(|d| d.as_ms())
                    .unwrap_or(60_000);
                for (_, series_line) in &body {
                    load_series(&mut store, &mut histogram_metrics, series_line, interval);
                    if word == "load_with_nhcb" {
                        // The classic series also exist as a native histogram under the base name.
                        let labels =
                            split_descriptor(series_line).and_then(|(d, _)| parse_labels(d));
                        if let Some(labels) = labels {
                            for suffix in ["_bucket", "_count", "_sum"] {
                                if let Some(base) = labels.metric_name().strip_suffix(suffix) {
                                    histogram_metrics.names.insert(base.to_string());
                                }
                            }
                        }
                    }
                }
            }
            w if w.starts_with("eval") => {
                let command = parse_eval(index + 1, trimmed, &body, &histogram_metrics);
                results.push(run_eval(&store, command));
            }
            _ => {}
        }
        index = body_end.max(index + 1);
    }
    results
}

/// The native-histogram series a script loaded: not stored, but remembered so that a case
/// selecting them is skipped rather than judged on float samples alone.
#[derive(Default)]
struct Histograms {
    names: HashSet<String>,
    series: Vec<Labels>,
}

fn load_series(store: &mut SeriesStore, histograms: &mut Histograms, line: &str, interval: i64) {
    let Some((labels, values_text)) = split_descriptor(line) else {
        return;
    };
    let Some(labels) = parse_labels(labels) else {
        return;
    };
    if values_text.contains("{{") {
        histograms.names.insert(labels.metric_name().to_string());
        histograms.series.push(labels);
        return;
    }
    let Some(values) = expand_values(values_text) else {
        return;
    };
    for (step, value) in values.into_iter().enumerate() {
        let Some(time) = (step as i64).checked_mul(interval) else {
            break;
        };
        if let Some(value) = value {
            store.append(&labels, time, value);
        }
    }
}

/// Splits `metric{a="b"} 1 2 3` into the descriptor and the values text.
fn split_descriptor(line: &str) -> Option<(&str, &str)> {
    let mut in_quotes = false;
    let mut escaped = false;
    let mut seen_brace = false;
    for (position, character) in line.char_indices() {
        if in_quotes {
            if escaped {
                escaped = false;
            } else if character == '\\' {
                escaped = true;
            } else if character == '"' {
                in_quotes = false;
            }
            continue;
        }
        match character {
            '"' => in_quotes = true,
            '{' => seen_brace = true,
            '}' if seen_brace => return Some((&line[..=position], line[position + 1..].trim())),
            c if c.is_whitespace() && !seen_brace => {
                return Some((&line[..position], line[position..].trim()))
            }
            _ => {}
        }
    }
    Some((line, ""))
}

/// Reads a series descriptor with the PromQL parser: `name{label="value"}`, `{label="value"}`.
pub(crate) fn parse_labels(descriptor: &str) -> Option<Labels> {
    if descriptor.trim() == "{}" {
        return Some(Labels::default());
    }
    let expr = super::parse_expr(descriptor).ok()?;
    let promql_parser::parser::Expr::VectorSelector(selector) = expr else {
        return None;
    };
    let mut labels = Labels::default();
    if let Some(name) = selector.name {
        labels = labels.with("__name__", &name);
    }
    for matcher in selector.matchers.matchers {
        labels = labels.with(&matcher.name, &matcher.value);
    }
    Some(labels)
}

/// Expands `1 2+3x2 _ stale 5x2` into points; `None` for `_`. `None` overall when the text is
/// unreadable or expands past [`TEST_MAX_SAMPLES`](crate::limits::TEST_MAX_SAMPLES).
pub(crate) fn expand_values(text: &str) -> Option<Vec<Option<f64>>> {
    let mut values = Vec::new();
    for token in text.split_whitespace() {
        if let Some((start, count)) = token
            .rsplit_once('x')
            .filter(|(_, n)| n.parse::<usize>().is_ok())
        {
            let count: usize = count.parse().ok()?;
            if values.len().saturating_add(count) >= crate::limits::TEST_MAX_SAMPLES {
                return None;
            }
            if start == "_" {
                values.extend(std::iter::repeat_n(None, count));
                continue;
            }
            if start == "stale" {
                values.extend(std::iter::repeat_n(Some(stale_marker()), count));
                continue;
            }
            let (mut value, increment) = split_increment(start)?;
            // Repeated addition, as Prometheus expands `a+bxN`: with a fractional increment the
            // rounding accumulates, and the results depend on it to the last digit.
            for _ in 0..=count {
                values.push(Some(value));
                value += increment;
            }
        } else {
            values.push(match token {
                "_" => None,
                "stale" => Some(stale_marker()),
                number => Some(parse_number(number)?),
            });
        }
    }
    Some(values)
}

/// Splits `a+b` or `a-b` (the sign of `a` allowed) into base and increment; `a` alone is `a+0`.
fn split_increment(text: &str) -> Option<(f64, f64)> {
    let bytes = text.as_bytes();
    for position in (1..bytes.len()).rev() {
        let c = bytes[position] as char;
        if (c == '+' || c == '-') && !matches!(bytes[position - 1] as char, 'e' | 'E') {
            let base = parse_number(&text[..position])?;
            let increment = parse_number(&text[position + 1..])?;
            return Some((base, if c == '-' { -increment } else { increment }));
        }
    }
    Some((parse_number(text)?, 0.0))
}

fn parse_number(text: &str) -> Option<f64> {
    let lowered = text.to_ascii_lowercase();
    match lowered.trim_start_matches(['+']) {
        "inf" => Some(f64::INFINITY),
        "-inf" => Some(f64::NEG_INFINITY),
        "nan" | "-nan" => Some(f64::NAN),
        other if other.starts_with("0x") => {
            i64::from_str_radix(&other[2..], 16).ok().map(|v| v as f64)
        }
        other => other.parse().ok(),
    }
}

fn parse_time(text: &str) -> Option<i64> {
    if let Ok(seconds) = text.parse::<f64>() {
        return Some((seconds * 1000.0).round() as i64);
    }
    SimDuration::parse(text).ok().map(|d| d.as_ms())
}

fn parse_eval(
    line: usize,
    header: &str,
    body: &[(usize, &str)],
    histograms: &Histograms,
) -> EvalCommand {
    let mut command = EvalCommand {
        line,
        query: String::new(),
        instant: None,
        range: None,
        expectations: Vec::new(),
        series: Vec::new(),
        scalar: None,
        skip: None,
        selects_histograms: false,
    };
    let mut words = header.splitn(2, char::is_whitespace);
    let keyword = words.next().unwrap_or("");
    let rest = words.next().unwrap_or("").trim();
    match keyword {
        "eval_fail" => command.expectations.push(Expectation::Fail {
            message: None,
            regex: None,
        }),
        "eval_ordered" => command.expectations.push(Expectation::Ordered),
        "eval_warn" => command.expectations.push(Expectation::Annotation {
            level: AnnotationLevel::Warning,
            message: None,
            regex: None,
        }),
        "eval_info" => command.expectations.push(Expectation::Annotation {
            level: AnnotationLevel::Info,
            message: None,
            regex: None,
        }),
        _ => {}
    }
    if let Some(after) = rest.strip_prefix("instant at ") {
        let (time, query) = after.split_once(char::is_whitespace).unwrap_or((after, ""));
        command.instant = parse_time(time);
        command.query = query.trim().to_string();
    } else if let Some(after) = rest.strip_prefix("range from ") {
        let parts: Vec<&str> = after.splitn(6, char::is_whitespace).collect();
        if parts.len() == 6 && parts[1] == "to" && parts[3] == "step" {
            if let (Some(start), Some(end), Some(step)) = (
                parse_time(parts[0]),
                parse_time(parts[2]),
                parse_time(parts[4]),
            ) {
                command.range = Some((start, end, step));
            }
            command.query = parts[5].trim().to_string();
        }
    }
    if command.instant.is_none() && command.range.is_none() {
        command.skip = Some(format!("unreadable eval command `{header}`"));
    }
    for (_, text) in body {
        if let Some(expect) = text.strip_prefix("expect ") {
            let expect = expect.trim();
            let (kind, detail) = expect
                .split_once(char::is_whitespace)
                .unwrap_or((expect, ""));
            let detail = detail.trim();
            match kind {
                "fail" => {
                    let message = detail.strip_prefix("msg:").map(|m| unquote(m.trim()));
                    let regex = detail.strip_prefix("regex:").map(|m| unquote(m.trim()));
                    command
                        .expectations
                        .push(Expectation::Fail { message, regex });
                }
                "warn" | "info" => command.expectations.push(Expectation::Annotation {
                    level: if kind == "warn" {
                        AnnotationLevel::Warning
                    } else {
                        AnnotationLevel::Info
                    },
                    message: detail.strip_prefix("msg:").map(|m| m.trim().to_string()),
                    regex: detail.strip_prefix("regex:").map(|m| m.trim().to_string()),
                }),
                "no_warn" => command
                    .expectations
                    .push(Expectation::NoAnnotation(AnnotationLevel::Warning)),
                "no_info" => command
                    .expectations
                    .push(Expectation::NoAnnotation(AnnotationLevel::Info)),
                "ordered" => command.expectations.push(Expectation::Ordered),
                "string" => command
                    .expectations
                    .push(Expectation::String(unquote(detail))),
                "range" => {
                    let parts: Vec<&str> = detail.split_whitespace().collect();
                    // `range vector from A to B step S`
                    if let [_, "from", from, "to", to, "step", step] = parts.as_slice() {
                        if let (Some(from), Some(to), Some(step)) =
                            (parse_time(from), parse_time(to), parse_time(step))
                        {
                            command
                                .expectations
                                .push(Expectation::RangeVector { from, to, step });
                        }
                    }
                }
                _ => {}
            }
            continue;
        }
        if text.contains("{{") {
            command.skip = Some("native histograms".into());
            continue;
        }
        if let Some(value) = parse_number(text) {
            command.scalar = Some(value);
            continue;
        }
        match split_descriptor(text).and_then(|(d, v)| Some((parse_labels(d)?, expand_values(v)?)))
        {
            Some((labels, values)) => command.series.push((labels, values)),
            None => {
                command.skip = command
                    .skip
                    .take()
                    .or(Some(format!("unreadable expected line `{text}`")))
            }
        }
    }
    if command.skip.is_none() {
        command.skip = skip_reason(&command.query, histograms);
    }
    // A case that selects native histograms beside floats is still run on its floats; only if
    // that fails is it put down to the histograms.
    if command.skip.as_deref() == Some(HISTOGRAM_SELECTED) {
        command.skip = None;
        command.selects_histograms = true;
    }
    command
}

fn unquote(text: &str) -> String {
    let text = text.trim();
    if text.len() >= 2
        && (text.starts_with('"') && text.ends_with('"')
            || text.starts_with('`') && text.ends_with('`'))
    {
        text[1..text.len() - 1].to_string()
    } else {
        text.to_string()
    }
}

/// Native histograms and experimental syntax are out of scope.
fn skip_reason(query: &str, histograms: &Histograms) -> Option<String> {
    const HISTOGRAM_FUNCTIONS: [&str; 7] = [
        "histogram_count",
        "histogram_sum",
        "histogram_avg",
        "histogram_fraction",
        "histogram_stddev",
        "histogram_stdvar",
        "histogram_quantiles",
    ];
    const EXPERIMENTAL: [&str; 16] = [
        "limitk",
        "limit_ratio",
        "sort_by_label",
        "sort_by_label_desc",
        "mad_over_time",
        "double_exponential_smoothing",
        "holt_winters",
        "ts_of_",
        "first_over_time",
        "info(",
        "fill(",
        "fill_left",
        "fill_right",
        "anchored",
        "smoothed",
        "step()",
    ];
    if let Some(function) = HISTOGRAM_FUNCTIONS.iter().find(|f| query.contains(*f)) {
        return Some(format!("native histograms (`{function}`)"));
    }
    let identifiers: HashSet<&str> = query
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
        .collect();
    if let Some(metric) = histograms
        .names
        .iter()
        .find(|m| identifiers.contains(m.as_str()))
    {
        return Some(format!("native histograms (series `{metric}`)"));
    }
    if let Ok(expr) = super::parse_expr(query) {
        let mut selectors = Vec::new();
        collect_selectors(&expr, &mut selectors);
        let selects_histogram = selectors.iter().any(|selector| {
            histograms.series.iter().any(|labels| {
                selector
                    .name
                    .as_deref()
                    .is_none_or(|name| labels.metric_name() == name)
                    && super::store::matches_labels(&selector.matchers, labels)
            })
        });
        if selects_histogram {
            return Some(HISTOGRAM_SELECTED.into());
        }
    }
    if let Some(feature) = EXPERIMENTAL.iter().find(|f| query.contains(*f)) {
        return Some(format!("experimental syntax (`{feature}`)"));
    }
    match super::parse_expr(query).map_err(|(_, message, _)| message) {
        Ok(_) => None,
        Err(message) if message.contains("experimental") => {
            Some(format!("experimental syntax ({message})"))
        }
        Err(_) => None,
    }
}

/// Why a case over float and native-histogram series is not judged when its float part
/// alone does not give the expected outcome.
const HISTOGRAM_SELECTED: &str = "native histograms (a selector matches native histogram series)";

/// Every vector selector of an expression, matrix selectors' included.
fn collect_selectors<'e>(
    expr: &'e promql_parser::parser::Expr,
    out: &mut Vec<&'e promql_parser::parser::VectorSelector>,
) {
    use promql_parser::parser::Expr;
    match expr {
        Expr::VectorSelector(selector) => out.push(selector),
        Expr::MatrixSelector(matrix) => out.push(&matrix.vs),
        Expr::Aggregate(aggregate) => {
            collect_selectors(&aggregate.expr, out);
            if let Some(param) = &aggregate.param {
                collect_selectors(param, out);
            }
        }
        Expr::Unary(unary) => collect_selectors(&unary.expr, out),
        Expr::Binary(binary) => {
            collect_selectors(&binary.lhs, out);
            collect_selectors(&binary.rhs, out);
        }
        Expr::Paren(paren) => collect_selectors(&paren.expr, out),
        Expr::Subquery(subquery) => collect_selectors(&subquery.expr, out),
        Expr::Call(call) => {
            for arg in &call.args.args {
                collect_selectors(arg, out);
            }
        }
        Expr::NumberLiteral(_) | Expr::StringLiteral(_) | Expr::Extension(_) => {}
    }
}

fn run_eval(store: &SeriesStore, command: EvalCommand) -> CaseResult {
    let mut case = judge(store, &command);
    if command.selects_histograms && matches!(case.outcome, CaseOutcome::Failed(_)) {
        case.outcome = CaseOutcome::Skipped(HISTOGRAM_SELECTED.into());
    }
    case
}

fn judge(store: &SeriesStore, command: &EvalCommand) -> CaseResult {
    let result = |outcome| CaseResult {
        line: command.line,
        query: command.query.clone(),
        outcome,
    };
    if let Some(reason) = &command.skip {
        return result(CaseOutcome::Skipped(reason.clone()));
    }
    let expects_fail = command.expectations.iter().find_map(|e| match e {
        Expectation::Fail { message, regex } => Some((message.clone(), regex.clone())),
        _ => None,
    });
    if let Some((start, end, step)) = command.range {
        let steps = (i128::from(end) - i128::from(start)) / i128::from(step.max(1)) + 1;
        if steps > crate::limits::TEST_MAX_SAMPLES as i128 {
            return result(CaseOutcome::Failed(format!(
                "the range has {} steps of {step} ms; the limit is {}",
                crate::limits::short_count(steps as f64),
                crate::limits::short_count(crate::limits::TEST_MAX_SAMPLES as f64)
            )));
        }
    }
    let mut annotations = Vec::new();
    let evaluated = super::parse_expr(&command.query)
        .map_err(|(_, message, _)| message)
        .map_err(|message| EvalError::Invalid(format!("parse error: {message}")))
        .and_then(|expr| match (command.instant, command.range) {
            (Some(time), _) => {
                let (value, found) = instant_query_annotated(store, &expr, time);
                annotations = found;
                value.map(Some).map(|v| (v, None))
            }
            (_, Some((start, end, step))) => {
                let (series, found) = range_query_annotated(store, &expr, start, end, step);
                annotations = found;
                series.map(|series| (None, Some(series)))
            }
            _ => unreachable_case(),
        });
    let (value, range) = match (evaluated, expects_fail) {
        (Err(EvalError::Unsupported(what)), _) if what.starts_with("the experimental") => {
            return result(CaseOutcome::Skipped(format!(
                "experimental syntax ({what})"
            )));
        }
        (Err(EvalError::Unsupported(what)), _) => {
            return result(CaseOutcome::Failed(format!("not supported: {what}")))
        }
        (Err(error), Some((message, regex))) => {
            let text = error.to_string();
            if let Some(message) = message {
                if text != message {
                    return result(CaseOutcome::Failed(format!(
                        "expected error `{message}`, got `{text}`"
                    )));
                }
            }
            if let Some(pattern) = regex {
                if !regex::Regex::new(&pattern).is_ok_and(|r| r.is_match(&text)) {
                    return result(CaseOutcome::Failed(format!(
                        "expected error matching `{pattern}`, got `{text}`"
                    )));
                }
            }
            return result(CaseOutcome::Passed);
        }
        (Err(error), None) => {
            return result(CaseOutcome::Failed(format!("unexpected error: {error}")))
        }
        (Ok(_), Some(_)) => {
            return result(CaseOutcome::Failed(
                "expected the query to fail, it succeeded".into(),
            ))
        }
        (Ok(values), None) => values,
    };
    if let Some(problem) = check_annotations(command, &annotations) {
        return result(CaseOutcome::Failed(problem));
    }
    let ordered = command
        .expectations
        .iter()
        .any(|e| matches!(e, Expectation::Ordered));
    let outcome = match (value, range) {
        (Some(Value::Scalar(actual)), _) => match command.scalar {
            Some(expected) if almost_equal(expected, actual) => CaseOutcome::Passed,
            Some(expected) => {
                CaseOutcome::Failed(format!("expected scalar {expected}, got {actual}"))
            }
            None => CaseOutcome::Failed(format!("got scalar {actual}, expected a vector")),
        },
        (Some(Value::String(actual)), _) => {
            match command.expectations.iter().find_map(|e| match e {
                Expectation::String(s) => Some(s),
                _ => None,
            }) {
                Some(expected) if *expected == actual => CaseOutcome::Passed,
                expected => {
                    CaseOutcome::Failed(format!("expected string {expected:?}, got {actual:?}"))
                }
            }
        }
        (Some(Value::Vector(samples)), _) => {
            let actual: Vec<(Labels, Vec<Option<f64>>)> = samples
                .into_iter()
                .map(|s| (s.labels, vec![Some(s.value)]))
                .collect();
            let expected: Vec<(Labels, Vec<Option<f64>>)> = command
                .series
                .iter()
                .map(|(l, v)| (l.clone(), v.iter().take(1).copied().collect()))
                .collect();
            compare_series(&expected, &actual, ordered)
        }
        (Some(Value::Matrix(series)), _) => {
            let Some((from, to, step)) = command.expectations.iter().find_map(|e| match e {
                Expectation::RangeVector { from, to, step } => Some((*from, *to, *step)),
                _ => None,
            }) else {
                return result(CaseOutcome::Failed(
                    "got a range vector, expected no range vector".into(),
                ));
            };
            let actual: Vec<(Labels, Vec<Option<f64>>)> = series
                .into_iter()
                .map(|s| (s.labels, align(&s.points, from, to, step)))
                .collect();
            compare_series(&padded(&command.series, from, to, step), &actual, false)
        }
        (None, Some(series)) => {
            let (start, end, step) = command.range.unwrap_or((0, 0, 1));
            let actual: Vec<(Labels, Vec<Option<f64>>)> = series
                .into_iter()
                .map(|s| (s.labels, align(&s.points, start, end, step)))
                .collect();
            compare_series(&padded(&command.series, start, end, step), &actual, false)
        }
        (None, None) => CaseOutcome::Failed("no result".into()),
    };
    result(outcome)
}

fn unreachable_case<T>() -> Result<T, EvalError> {
    Err(EvalError::Invalid("eval command without time".into()))
}

/// Expected points extended with "no point" to the grid's length.
fn padded(
    series: &[(Labels, Vec<Option<f64>>)],
    from: i64,
    to: i64,
    step: i64,
) -> Vec<(Labels, Vec<Option<f64>>)> {
    let slots = grid_slots(from, to, step);
    series
        .iter()
        .map(|(labels, values)| {
            let mut values = values.clone();
            values.resize(slots.max(values.len()), None);
            (labels.clone(), values)
        })
        .collect()
}

/// Points placed on the grid `from, from + step, ..., to`.
fn align(points: &[(i64, f64)], from: i64, to: i64, step: i64) -> Vec<Option<f64>> {
    let slots = grid_slots(from, to, step);
    let step = i128::from(step.max(1));
    let mut values = vec![None; slots];
    for (ts, value) in points {
        let since = i128::from(*ts) - i128::from(from);
        if since % step == 0 && *ts >= from && *ts <= to {
            if let Some(slot) = values.get_mut((since / step) as usize) {
                *slot = Some(*value);
            }
        }
    }
    values
}

/// The points of the grid `from, from + step, ..., to` (a range query's steps, at most
/// [`TEST_MAX_SAMPLES`](crate::limits::TEST_MAX_SAMPLES): the evaluation refuses more).
fn grid_slots(from: i64, to: i64, step: i64) -> usize {
    let slots = (i128::from(to) - i128::from(from)) / i128::from(step.max(1)) + 1;
    slots.clamp(0, crate::limits::TEST_MAX_SAMPLES as i128) as usize
}

fn compare_series(
    expected: &[(Labels, Vec<Option<f64>>)],
    actual: &[(Labels, Vec<Option<f64>>)],
    ordered: bool,
) -> CaseOutcome {
    let actual: Vec<&(Labels, Vec<Option<f64>>)> = actual
        .iter()
        .filter(|(_, v)| v.iter().any(Option::is_some))
        .collect();
    if expected.len() != actual.len() {
        return CaseOutcome::Failed(format!(
            "expected {} series, got {}: {}",
            expected.len(),
            actual.len(),
            actual
                .iter()
                .map(|(l, v)| format!("{l} {v:?}"))
                .collect::<Vec<_>>()
                .join("; ")
        ));
    }
    for (position, (labels, values)) in expected.iter().enumerate() {
        let found = if ordered {
            actual.get(position).filter(|(l, _)| l == labels)
        } else {
            actual.iter().find(|(l, _)| l == labels)
        };
        let Some((_, actual_values)) = found else {
            return CaseOutcome::Failed(format!(
                "expected series {labels} not found{}",
                if ordered { " at its position" } else { "" }
            ));
        };
        let same = values.len() == actual_values.len()
            && values
                .iter()
                .zip(actual_values.iter())
                .all(|(e, a)| match (e, a) {
                    (None, None) => true,
                    (Some(e), Some(a)) => almost_equal(*e, *a),
                    _ => false,
                });
        if !same {
            return CaseOutcome::Failed(format!(
                "series {labels}: expected {values:?}, got {actual_values:?}"
            ));
        }
    }
    CaseOutcome::Passed
}

/// An annotation as the API shows it: its text, then where it points in the query.
fn annotation_text(query: &str, annotation: &Annotation) -> String {
    let call = query.match_indices(annotation.about).find(|(at, _)| {
        query[at + annotation.about.len()..]
            .trim_start()
            .starts_with('(')
    });
    let mut at = call.map_or(0, |(at, _)| at);
    if let (Some(index), Some(_)) = (annotation.argument, call) {
        at = argument_start(query, at + annotation.about.len(), index).unwrap_or(at);
    }
    let (line, column) = crate::diagnostic::line_column(query, at);
    format!("{} ({line}:{column})", annotation.text())
}

/// Where the `index`-th argument of the call whose name ends at `from` starts in `query`.
fn argument_start(query: &str, from: usize, index: usize) -> Option<usize> {
    let open = from + query[from..].find('(')?;
    let mut depth = 0;
    let mut argument = 0;
    let mut in_quotes = false;
    for (offset, character) in query[open + 1..].char_indices() {
        let at = open + 1 + offset;
        match character {
            '"' => in_quotes = !in_quotes,
            '(' | '[' | '{' if !in_quotes => depth += 1,
            ')' | ']' | '}' if !in_quotes => {
                if depth == 0 {
                    return None;
                }
                depth -= 1;
            }
            ',' if !in_quotes && depth == 0 => {
                argument += 1;
                if argument == index {
                    let rest = &query[at + 1..];
                    return Some(at + 1 + (rest.len() - rest.trim_start().len()));
                }
            }
            _ => {}
        }
    }
    None
}

/// Checks the `expect warn`, `expect info`, `expect no_warn` and `expect no_info` lines.
fn check_annotations(command: &EvalCommand, annotations: &[Annotation]) -> Option<String> {
    for level in [AnnotationLevel::Warning, AnnotationLevel::Info] {
        let name = match level {
            AnnotationLevel::Warning => "warn",
            AnnotationLevel::Info => "info",
        };
        let found: Vec<String> = annotations
            .iter()
            .filter(|a| a.level == level)
            .map(|a| annotation_text(&command.query, a))
            .collect();
        let expected: Vec<(&Option<String>, &Option<String>)> = command
            .expectations
            .iter()
            .filter_map(|e| match e {
                Expectation::Annotation {
                    level: l,
                    message,
                    regex,
                } if *l == level => Some((message, regex)),
                _ => None,
            })
            .collect();
        let matches = |(message, regex): &(&Option<String>, &Option<String>), text: &str| match (
            message, regex,
        ) {
            (Some(message), _) => text == message.as_str(),
            (_, Some(pattern)) => regex::Regex::new(pattern).is_ok_and(|r| r.is_match(text)),
            _ => true,
        };
        for expectation in &expected {
            if !found.iter().any(|text| matches(expectation, text)) {
                return Some(format!(
                    "expected a {name} annotation{}, got {found:?}",
                    match expectation {
                        (Some(message), _) => format!(" `{message}`"),
                        (_, Some(pattern)) => format!(" matching `{pattern}`"),
                        _ => String::new(),
                    }
                ));
            }
        }
        if !expected.is_empty() {
            if let Some(extra) = found
                .iter()
                .find(|text| !expected.iter().any(|e| matches(e, text)))
            {
                return Some(format!("unexpected {name} annotation `{extra}`"));
            }
        }
        let forbidden = command
            .expectations
            .iter()
            .any(|e| matches!(e, Expectation::NoAnnotation(l) if *l == level));
        if forbidden && !found.is_empty() {
            return Some(format!("expected no {name} annotation, got {found:?}"));
        }
    }
    None
}

/// Equality within a relative 1e-6, NaN equal to NaN, as Prometheus's test runner compares.
pub(crate) fn almost_equal(expected: f64, actual: f64) -> bool {
    if expected.is_nan() || actual.is_nan() {
        return expected.is_nan() && actual.is_nan();
    }
    if expected == actual {
        return true;
    }
    let difference = (expected - actual).abs();
    let epsilon = 1e-6;
    if expected == 0.0 || actual == 0.0 || difference < f64::MIN_POSITIVE {
        return difference < epsilon * f64::MIN_POSITIVE;
    }
    difference / (expected.abs() + actual.abs()).min(f64::MAX) < epsilon
}
