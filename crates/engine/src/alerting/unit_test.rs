//! `promtool test rules`: unit tests for rule files, in promtool's file format and wording.
//!
//! A test file names rule files and lists test groups; each group loads input series written
//! in the expanding notation (`1+1x10`, `_`, `stale`), evaluates every rule group at each
//! evaluation interval from time zero, compares the firing alerts at each `alert_rule_test`'s
//! time, then runs each `promql_expr_test` against the series and the rules' output. Cases
//! over native histograms are skipped with their reason; they are outside this engine.

use super::evaluate::{AlertState, RuleEngine};
use super::rules::{parse_rule_file, RuleFile};
use crate::limits::{short_count, PROMQL_MAX_DURATION_MS, TEST_MAX_SAMPLES};
use crate::promql::test_script::{expand_values, parse_labels};
use crate::promql::within_one_ulp;
use crate::promql::{instant_query, parse_query, Labels, SeriesStore, Value};
use crate::time::SimDuration;
use serde::Deserialize;
use serde_yaml_ng::Value as Yaml;
use std::collections::{BTreeMap, HashSet};

/// The result of one test file, as promtool prints it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitTestReport {
    /// One entry per failure, in promtool's wording; empty when the file passed.
    pub failures: Vec<String>,
    /// Cases not run, with the reason.
    pub skipped: Vec<String>,
    /// How many alert and expression cases were compared.
    pub cases_run: usize,
}

impl UnitTestReport {
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }

    pub(crate) fn failed(message: String) -> Self {
        UnitTestReport {
            failures: vec![message],
            skipped: Vec::new(),
            cases_run: 0,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TestFile {
    #[serde(default)]
    rule_files: Vec<String>,
    evaluation_interval: Option<Yaml>,
    #[serde(default)]
    group_eval_order: Vec<String>,
    #[serde(default)]
    fuzzy_compare: bool,
    #[serde(default)]
    tests: Vec<TestGroup>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TestGroup {
    interval: Option<Yaml>,
    #[serde(default)]
    input_series: Vec<InputSeries>,
    #[serde(default)]
    name: String,
    #[serde(default)]
    alert_rule_test: Vec<AlertCase>,
    #[serde(default)]
    promql_expr_test: Vec<ExprCase>,
    #[serde(default)]
    external_labels: BTreeMap<String, String>,
    #[serde(default)]
    external_url: String,
    start_timestamp: Option<Yaml>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InputSeries {
    series: String,
    values: Yaml,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AlertCase {
    eval_time: Yaml,
    alertname: String,
    #[serde(default)]
    exp_alerts: Vec<ExpectedAlert>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ExpectedAlert {
    #[serde(default)]
    exp_labels: BTreeMap<String, String>,
    #[serde(default)]
    exp_annotations: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExprCase {
    expr: String,
    eval_time: Yaml,
    #[serde(default)]
    exp_samples: Vec<ExpectedSample>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectedSample {
    #[serde(default)]
    labels: String,
    #[serde(default)]
    value: Option<Yaml>,
    histogram: Option<String>,
}

/// Runs the test file `text`; `load` returns the text of a rule file named in it.
pub fn run_unit_tests(text: &str, load: &dyn Fn(&str) -> Result<String, String>) -> UnitTestReport {
    let file: TestFile = match crate::yaml::from_str(text) {
        Ok(file) => file,
        Err(error) => return UnitTestReport::failed(format!("  {error}")),
    };
    let evaluation_interval = match duration_of(file.evaluation_interval.as_ref()) {
        Ok(Some(interval)) if interval.as_ms() > 0 => interval,
        Ok(_) => SimDuration::from_minutes(1),
        Err(message) => return UnitTestReport::failed(format!("  evaluation_interval: {message}")),
    };
    let mut rules = RuleFile::default();
    for name in &file.rule_files {
        let source = match load(name) {
            Ok(source) => source,
            Err(message) => return UnitTestReport::failed(format!("  {name}: {message}")),
        };
        let (parsed, diagnostics) = parse_rule_file(&source);
        let errors: Vec<String> = diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| format!("  {name}:{}:{}: {}", d.line, d.column, d.message))
            .collect();
        if !errors.is_empty() {
            return UnitTestReport {
                failures: errors,
                skipped: Vec::new(),
                cases_run: 0,
            };
        }
        rules.groups.extend(parsed.groups);
    }
    // Groups named in `group_eval_order` run first, in that order; the rest keep file order.
    let position = |name: &str| {
        file.group_eval_order
            .iter()
            .position(|ordered| ordered == name)
            .unwrap_or(usize::MAX)
    };
    rules.groups.sort_by_key(|group| position(&group.name));
    let mut report = UnitTestReport {
        failures: Vec::new(),
        skipped: Vec::new(),
        cases_run: 0,
    };
    let settings = Settings {
        evaluation_interval,
        fuzzy_compare: file.fuzzy_compare,
    };
    for group in &file.tests {
        run_group(group, &rules, settings, &mut report);
    }
    report
}

#[derive(Clone, Copy)]
struct Settings {
    evaluation_interval: SimDuration,
    fuzzy_compare: bool,
}

fn run_group(group: &TestGroup, rules: &RuleFile, settings: Settings, report: &mut UnitTestReport) {
    let test_name = if group.name.is_empty() {
        String::new()
    } else {
        format!("    name: {},\n", group.name)
    };
    let fail = |report: &mut UnitTestReport, message: String| {
        report.failures.push(format!("{test_name}{message}"));
    };
    let start_ms = match start_of(group.start_timestamp.as_ref()) {
        Ok(start) => start,
        Err(message) => return fail(report, format!("    start_timestamp: {message}")),
    };
    let interval = match duration_of(group.interval.as_ref()) {
        Ok(Some(interval)) if interval.as_ms() > 0 => interval,
        Ok(_) => settings.evaluation_interval,
        Err(message) => return fail(report, format!("    interval: {message}")),
    };
    let mut store = SeriesStore::new();
    let mut histograms = HashSet::new();
    for input in &group.input_series {
        let values = match &input.values {
            Yaml::String(text) => text.clone(),
            Yaml::Number(number) => number.to_string(),
            other => format!("{other:?}"),
        };
        let Some(labels) = parse_labels(&input.series) else {
            return fail(
                report,
                format!("    series {:?}: not a series descriptor", input.series),
            );
        };
        if values.contains("{{") {
            histograms.insert(labels.metric_name().to_string());
            continue;
        }
        let Some(points) = expand_values(&values) else {
            return fail(
                report,
                format!(
                    "    series {:?}: cannot read values {values:?}",
                    input.series
                ),
            );
        };
        for (step, value) in points.into_iter().enumerate() {
            let time = (step as i64)
                .checked_mul(interval.as_ms())
                .and_then(|since| since.checked_add(start_ms));
            let Some(time) = time else {
                break;
            };
            if let Some(value) = value {
                store.append(&labels, time, value);
            }
        }
    }

    let mut alert_cases: Vec<(i64, &AlertCase)> = Vec::new();
    for case in &group.alert_rule_test {
        match duration_of(Some(&case.eval_time)) {
            Ok(time) => alert_cases.push((time.unwrap_or_default().as_ms(), case)),
            Err(message) => fail(
                report,
                format!("    alertname: {}, eval_time: {message}", case.alertname),
            ),
        }
    }
    alert_cases.sort_by_key(|(time, _)| *time);
    let mut expr_cases: Vec<(i64, &ExprCase)> = Vec::new();
    for case in &group.promql_expr_test {
        match duration_of(Some(&case.eval_time)) {
            Ok(time) => expr_cases.push((time.unwrap_or_default().as_ms(), case)),
            Err(message) => fail(
                report,
                format!("    expr: {:?}, eval_time: {message}", case.expr),
            ),
        }
    }
    let max_time = alert_cases
        .iter()
        .map(|(time, _)| *time)
        .chain(expr_cases.iter().map(|(time, _)| *time))
        .max()
        .unwrap_or(0);

    let mut engine = RuleEngine::new(rules.clone())
        .with_external(group.external_labels.clone(), &group.external_url);
    let step = settings.evaluation_interval.as_ms();
    let evaluations = max_time / step.max(1) + 1;
    if evaluations > TEST_MAX_SAMPLES as i64 {
        return fail(
            report,
            format!(
                "    the tests run {} evaluations (last eval_time {} every {}); the limit is {}",
                short_count(evaluations as f64),
                SimDuration(max_time),
                SimDuration(step),
                short_count(TEST_MAX_SAMPLES as f64)
            ),
        );
    }
    let mut next_case = 0;
    let mut offset = 0;
    while offset <= max_time {
        for error in engine.evaluate_all(&mut store, start_ms + offset) {
            fail(
                report,
                format!(
                    "    rule: {}, time: {}, err: {}",
                    error.rule,
                    SimDuration(offset),
                    error.message
                ),
            );
        }
        // Alert cases whose time falls in [offset, offset + step) compare with this evaluation.
        while let Some((time, case)) = alert_cases.get(next_case) {
            if !(offset <= *time && *time < offset + step) {
                break;
            }
            report.cases_run += 1;
            if let Some(message) = compare_alerts(&engine, case, *time) {
                fail(report, message);
            }
            next_case += 1;
        }
        offset += step;
    }

    for (time, case) in expr_cases {
        let mentions_histogram = histograms
            .iter()
            .any(|name| case.expr.contains(name.as_str()));
        if mentions_histogram || case.exp_samples.iter().any(|s| s.histogram.is_some()) {
            report.skipped.push(format!(
                "expr: {:?}, time: {}: native histograms are not simulated",
                case.expr,
                SimDuration(time)
            ));
            continue;
        }
        report.cases_run += 1;
        if let Some(message) =
            compare_samples(&store, case, start_ms + time, time, settings.fuzzy_compare)
        {
            fail(report, message);
        }
    }
}

/// A duration field: a Prometheus duration string, or a number of seconds.
fn duration_of(value: Option<&Yaml>) -> Result<Option<SimDuration>, String> {
    match value {
        None | Some(Yaml::Null) => Ok(None),
        Some(Yaml::Number(number)) => number
            .as_f64()
            .and_then(within_range)
            .map(|ms| Some(SimDuration(ms)))
            .ok_or_else(|| format!("`{number}` is not a duration up to 292y")),
        Some(Yaml::String(text)) if text.trim() == "0" => Ok(Some(SimDuration::default())),
        Some(Yaml::String(text)) => {
            let duration = SimDuration::parse(text)?;
            if duration.as_ms().abs() > PROMQL_MAX_DURATION_MS {
                return Err(format!("`{text}` is longer than 292y"));
            }
            Ok(Some(duration))
        }
        Some(other) => Err(format!("`{other:?}` is not a duration")),
    }
}

/// Seconds as milliseconds, when finite and within 292 years either way.
fn within_range(seconds: f64) -> Option<i64> {
    let ms = (seconds * 1000.0).round();
    (ms.is_finite() && ms.abs() <= PROMQL_MAX_DURATION_MS as f64).then_some(ms as i64)
}

/// `start_timestamp`: Unix seconds or an RFC 3339 UTC time.
fn start_of(value: Option<&Yaml>) -> Result<i64, String> {
    match value {
        None | Some(Yaml::Null) => Ok(0),
        Some(Yaml::Number(number)) => number
            .as_f64()
            .and_then(within_range)
            .ok_or_else(|| format!("`{number}` is not a time within 292 years of 1970")),
        Some(Yaml::String(text)) => {
            if let Ok(seconds) = text.trim().parse::<f64>() {
                return within_range(seconds)
                    .ok_or_else(|| format!("`{text}` is not a time within 292 years of 1970"));
            }
            crate::time::parse_rfc3339(text)
                .filter(|ms| ms.abs() <= PROMQL_MAX_DURATION_MS)
                .ok_or_else(|| format!("`{text}` is not an RFC 3339 time"))
        }
        Some(other) => Err(format!("`{other:?}` is not a time")),
    }
}

type LabelPairs = BTreeMap<String, String>;

fn compare_alerts(engine: &RuleEngine, case: &AlertCase, time: i64) -> Option<String> {
    let mut got: Vec<(LabelPairs, LabelPairs)> = engine
        .alerts_named(&case.alertname, AlertState::Firing)
        .into_iter()
        .map(|alert| (alert.labels.clone(), alert.annotations.clone()))
        .collect();
    let mut expected: Vec<(LabelPairs, LabelPairs)> = case
        .exp_alerts
        .iter()
        .map(|alert| {
            let mut labels = alert.exp_labels.clone();
            labels.insert("alertname".into(), case.alertname.clone());
            (labels, alert.exp_annotations.clone())
        })
        .collect();
    got.sort();
    expected.sort();
    if got == expected {
        return None;
    }
    let indent = "            ";
    Some(format!(
        "    alertname: {}, time: {}, \n        exp:{}, \n        got:{}",
        case.alertname,
        SimDuration(time),
        indent_lines(&alerts_string(&expected), indent),
        indent_lines(&alerts_string(&got), indent)
    ))
}

fn compare_samples(
    store: &SeriesStore,
    case: &ExprCase,
    at_ms: i64,
    time: i64,
    fuzzy: bool,
) -> Option<String> {
    let header = format!("    expr: {:?}, time: {}", case.expr, SimDuration(time));
    let query = match parse_query(&case.expr) {
        Ok(query) => query,
        Err(error) => return Some(format!("{header}, err: {}", error.message)),
    };
    let got = match instant_query(store, &query.expr, at_ms) {
        Ok(Value::Vector(samples)) => samples
            .into_iter()
            .map(|sample| (sample.labels, sample.value))
            .collect::<Vec<_>>(),
        Ok(Value::Scalar(value)) => vec![(Labels::default(), value)],
        Ok(_) => {
            return Some(format!(
                "{header}, err: rule result is not a vector or scalar"
            ))
        }
        Err(error) => return Some(format!("{header}, err: {error}")),
    };
    let mut expected = Vec::new();
    for sample in &case.exp_samples {
        let labels = if sample.labels.trim().is_empty() {
            Some(Labels::default())
        } else {
            parse_labels(&sample.labels)
        };
        let Some(labels) = labels else {
            return Some(format!(
                "{header}, err: labels {:?}: not a series descriptor",
                sample.labels
            ));
        };
        let value = match &sample.value {
            None | Some(Yaml::Null) => 0.0,
            Some(Yaml::Number(number)) => number.as_f64().unwrap_or(f64::NAN),
            Some(Yaml::String(text)) => text.parse().unwrap_or(f64::NAN),
            Some(_) => f64::NAN,
        };
        expected.push((labels, value));
    }
    let mut got = got;
    got.sort_by(|a, b| a.0.cmp(&b.0));
    expected.sort_by(|a, b| a.0.cmp(&b.0));
    let equal = got.len() == expected.len()
        && got.iter().zip(&expected).all(|((gl, gv), (el, ev))| {
            gl == el
                // promtool compares floats with `==` (so NaN never equals NaN), or within
                // one unit in the last place under `fuzzy_compare`.
                && if fuzzy {
                    within_one_ulp(*ev, *gv)
                } else {
                    gv == ev
                }
        });
    if equal {
        return None;
    }
    Some(format!(
        "{header},\n        exp: {}\n        got: {}",
        samples_string(&expected),
        samples_string(&got)
    ))
}

/// Labels as Prometheus prints a label set: `{a="b", c="d"}`, the name as `__name__`.
fn labels_string(labels: &BTreeMap<String, String>) -> String {
    let pairs: Vec<String> = labels
        .iter()
        .map(|(name, value)| format!("{name}={value:?}"))
        .collect();
    format!("{{{}}}", pairs.join(", "))
}

fn alerts_string(alerts: &[(LabelPairs, LabelPairs)]) -> String {
    if alerts.is_empty() {
        return "[]".into();
    }
    let mut out = String::from("[");
    for (index, (labels, annotations)) in alerts.iter().enumerate() {
        if index > 0 {
            out.push(',');
        }
        let body = format!(
            "\nLabels:{}\nAnnotations:{}",
            labels_string(labels),
            labels_string(annotations)
        );
        out.push_str(&format!("\n{index}:{}", indent_lines(&body, "  ")));
    }
    out.push_str("\n]");
    out
}

fn samples_string(samples: &[(Labels, f64)]) -> String {
    if samples.is_empty() {
        return "nil".into();
    }
    samples
        .iter()
        .map(|(labels, value)| {
            format!("{} {}", labels_string(labels.map()), format_float_e(*value))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Go's `strconv.FormatFloat(v, 'E', -1, 64)`: `5E+01`, `1.5E-03`.
fn format_float_e(value: f64) -> String {
    if value.is_nan() {
        return "NaN".into();
    }
    if value.is_infinite() {
        return if value > 0.0 { "+Inf" } else { "-Inf" }.into();
    }
    let text = format!("{value:E}");
    let (mantissa, exponent) = text.split_once('E').unwrap_or((&text, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let sign = if exponent < 0 { '-' } else { '+' };
    format!("{mantissa}E{sign}{:02}", exponent.abs())
}

fn indent_lines(text: &str, indentation: &str) -> String {
    text.split('\n')
        .enumerate()
        .map(|(index, line)| {
            if index == 0 {
                line.to_string()
            } else {
                format!("{indentation}{line}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULES: &str = r#"groups:
  - name: example
    rules:
      - alert: InstanceDown
        expr: up == 0
        for: 5m
        labels:
          severity: page
        annotations:
          summary: "Instance {{ $labels.instance }} down"
"#;

    fn run(test: &str) -> UnitTestReport {
        run_unit_tests(test, &|name| {
            if name == "alerts.yml" {
                Ok(RULES.to_string())
            } else {
                Err("no such file".to_string())
            }
        })
    }

    const TEST: &str = r#"rule_files: [alerts.yml]
tests:
  - interval: 1m
    input_series:
      - series: 'up{job="prometheus", instance="localhost:9090"}'
        values: '0x14'
    alert_rule_test:
      - eval_time: 10m
        alertname: InstanceDown
        exp_alerts:
          - exp_labels: {severity: page, instance: "localhost:9090", job: prometheus}
            exp_annotations: {summary: "Instance localhost:9090 down"}
    promql_expr_test:
      - expr: up
        eval_time: 4m
        exp_samples:
          - labels: 'up{job="prometheus", instance="localhost:9090"}'
            value: 0
"#;

    #[test]
    fn numbers_chosen_by_the_file_are_bounded() {
        // Each of these overflowed, looped without end or allocated without bound.
        for (from, to, expected) in [
            (
                "values: '0x14'",
                "values: '0+1x99999999999999'",
                "cannot read values",
            ),
            ("interval: 1m", "interval: 1e300", "not a duration"),
            ("interval: 1m", "interval: 4000000y", "longer than 292y"),
            ("eval_time: 10m", "eval_time: 100y", "evaluations"),
            ("eval_time: 4m", "eval_time: 1e300", "not a duration"),
            (
                "tests:",
                "tests:\n  - start_timestamp: 1e300\n    input_series: []",
                "start_timestamp",
            ),
        ] {
            let text = TEST.replacen(from, to, 1);
            let report = run(&text);
            assert!(!report.passed(), "{to}");
            assert!(
                report.failures.iter().any(|f| f.contains(expected)),
                "{to}: {:#?}",
                report.failures
            );
        }
        // A long but reasonable test still runs.
        let long = TEST.replacen("eval_time: 10m", "eval_time: 30d", 1);
        assert!(!run(&long)
            .failures
            .iter()
            .any(|f| f.contains("evaluations")));
    }

    #[test]
    fn the_documented_example_passes() {
        let report = run(TEST);
        assert!(report.passed(), "{:#?}", report.failures);
        assert_eq!(report.cases_run, 2);
    }

    #[test]
    fn a_wrong_expectation_fails_in_promtool_words() {
        let report = run(&TEST.replace("eval_time: 10m", "eval_time: 3m"));
        assert_eq!(report.failures.len(), 1);
        let failure = &report.failures[0];
        assert!(
            failure.starts_with("    alertname: InstanceDown, time: 3m, \n        exp:[\n"),
            "{failure}"
        );
        assert!(failure.contains("got:[]"), "{failure}");

        let report = run(&TEST.replace("value: 0", "value: 50"));
        assert_eq!(
            report.failures,
            vec![
                "    expr: \"up\", time: 4m,\n        exp: {__name__=\"up\", instance=\"localhost:9090\", job=\"prometheus\"} 5E+01\n        got: {__name__=\"up\", instance=\"localhost:9090\", job=\"prometheus\"} 0E+00"
                    .to_string()
            ]
        );
    }

    #[test]
    fn a_missing_rule_file_or_bad_yaml_fails() {
        assert!(!run(&TEST.replace("alerts.yml", "other.yml")).passed());
        assert!(!run("tests: [").passed());
    }

    #[test]
    fn go_e_format() {
        assert_eq!(format_float_e(50.0), "5E+01");
        assert_eq!(format_float_e(0.0015), "1.5E-03");
        assert_eq!(format_float_e(0.0), "0E+00");
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_test_file_runs_without_panic(text in "\\PC{0,300}") {
            let _ = run_unit_tests(&text, &|_| Ok(String::new()));
        }
    }
}

/// The report as promtool prints it for one file: `Unit Testing:  NAME`, then `SUCCESS` or
/// `FAILED:` with each failure, then how many cases were skipped.
pub fn promtool_text(name: &str, report: &UnitTestReport) -> String {
    let mut out = format!("Unit Testing:  {name}\n");
    if report.passed() {
        out.push_str("  SUCCESS\n");
    } else {
        out.push_str("  FAILED:\n");
        for failure in &report.failures {
            out.push_str(failure);
            out.push_str("\n\n");
        }
    }
    if !report.skipped.is_empty() {
        out.push_str(&format!("  ({} skipped)\n", report.skipped.len()));
    }
    out
}

/// Runs the test file at `path` of a set of files (a world's or a folder's), loading the rule
/// files it names from the same folder.
pub fn run_unit_tests_in(path: &str, files: &dyn Fn(&str) -> Option<String>) -> UnitTestReport {
    let Some(text) = files(path) else {
        return UnitTestReport::failed(format!("  cannot read {path}: no such file"));
    };
    let dir = path.rsplit_once('/').map_or("", |(dir, _)| dir);
    let load = |name: &str| {
        let full = if dir.is_empty() {
            name.to_string()
        } else {
            format!("{dir}/{name}")
        };
        files(&full).ok_or_else(|| format!("cannot read rule file {full}: no such file"))
    };
    run_unit_tests(&text, &load)
}

/// Whether a file is a rule unit-test file that can be run: YAML with a `tests:` key.
pub fn is_unit_test_file(path: &str, content: &str) -> bool {
    (path.ends_with(".yml") || path.ends_with(".yaml"))
        && content.lines().any(|line| line.starts_with("tests:"))
}

#[cfg(test)]
mod world_file_tests {
    use super::*;

    const RULES: &str =
        "groups:\n  - name: g\n    rules:\n      - record: doubled\n        expr: x * 2\n";
    const TEST: &str = "rule_files: [rules.yml]\ntests:\n  - interval: 1m\n    input_series:\n      - series: 'x'\n        values: '1x5'\n    promql_expr_test:\n      - expr: doubled\n        eval_time: 2m\n        exp_samples:\n          - labels: 'doubled'\n            value: 2\n";

    fn files<'a>(rules: &'a str) -> impl Fn(&str) -> Option<String> + 'a {
        move |path: &str| match path {
            "prometheus/rules_test.yml" => Some(TEST.to_string()),
            "prometheus/rules.yml" => Some(rules.to_string()),
            _ => None,
        }
    }

    #[test]
    fn a_world_test_file_loads_its_rules_beside_it_and_prints_as_promtool() {
        let report = run_unit_tests_in("prometheus/rules_test.yml", &files(RULES));
        assert_eq!(
            promtool_text("rules_test.yml", &report),
            "Unit Testing:  rules_test.yml\n  SUCCESS\n"
        );
        let wrong = RULES.replace("x * 2", "x * 3");
        let report = run_unit_tests_in("prometheus/rules_test.yml", &files(&wrong));
        let text = promtool_text("rules_test.yml", &report);
        assert!(
            text.starts_with("Unit Testing:  rules_test.yml\n  FAILED:\n"),
            "{text}"
        );
        assert!(text.contains("got: {__name__=\"doubled\"} 3E+00"), "{text}");
        let missing = run_unit_tests_in("prometheus/nope.yml", &files(RULES));
        assert!(!missing.passed());
    }

    #[test]
    fn only_yaml_files_with_tests_are_test_files() {
        assert!(is_unit_test_file("prometheus/rules_test.yml", TEST));
        assert!(!is_unit_test_file("prometheus/rules.yml", RULES));
        assert!(!is_unit_test_file("notes.md", TEST));
    }
}
