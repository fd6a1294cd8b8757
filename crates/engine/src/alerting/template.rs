//! Go text/template expansion as Prometheus and Alertmanager use it.
//!
//! Templates are parsed and run by `gotmpl`, a port of Go's `text/template`. This module adds
//! the functions Prometheus gives alert templates (`humanize`, `humanizeDuration`, `title`,
//! `reReplaceAll`, ...) and the `$labels`, `$value` and `$externalLabels` variables that
//! Prometheus defines before every annotation.

use crate::gotemplate::Metered;
use gotmpl::{Template, Value};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The largest text a template may produce, so a runaway `range` cannot fill a tab's memory.
const MAX_OUTPUT: usize = 64 * 1024;

/// Why a template could not be parsed or run, with the 1-based line and column when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl std::fmt::Display for TemplateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// The data an alert's labels and annotations are expanded with.
#[derive(Debug, Clone, Copy)]
pub struct AlertData<'a> {
    pub labels: &'a BTreeMap<String, String>,
    pub external_labels: &'a BTreeMap<String, String>,
    pub external_url: &'a str,
    pub value: f64,
}

/// The variables Prometheus declares in front of every alert template.
const ALERT_PREAMBLE: &str = "{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}\
{{$externalURL := .ExternalURL}}{{$value := .Value}}";

/// Checks that `text` parses as an alert template; the position is in `text` itself.
pub fn check_alert_template(text: &str) -> Result<(), TemplateError> {
    parse(text).map(|_| ())
}

/// Expands an alert label or annotation template, as Prometheus does for each alert.
pub fn expand_alert_template(text: &str, data: AlertData<'_>) -> Result<String, TemplateError> {
    if !text.contains("{{") {
        return Ok(text.to_string());
    }
    let mut fields = BTreeMap::new();
    fields.insert(Arc::from("Labels"), string_map(data.labels));
    fields.insert(
        Arc::from("ExternalLabels"),
        string_map(data.external_labels),
    );
    fields.insert(
        Arc::from("ExternalURL"),
        Value::String(Arc::from(data.external_url)),
    );
    fields.insert(Arc::from("Value"), Value::Float(data.value));
    let template = parse_with_preamble(text, ALERT_PREAMBLE)?;
    execute(&template, &Value::Map(Arc::new(fields)))
}

/// Expands a notification template (Alertmanager's `title` or `text`) over `data`.
pub fn expand_template(text: &str, data: &Value) -> Result<String, TemplateError> {
    if !text.contains("{{") {
        return Ok(text.to_string());
    }
    execute(&parse(text)?, data)
}

/// A map of strings as template data.
pub fn string_map(map: &BTreeMap<String, String>) -> Value {
    Value::Map(Arc::new(
        map.iter()
            .map(|(key, value)| {
                (
                    Arc::from(key.as_str()),
                    Value::String(Arc::from(value.as_str())),
                )
            })
            .collect(),
    ))
}

fn parse(text: &str) -> Result<Template, TemplateError> {
    parse_with_preamble(text, "")
}

/// Parses `preamble` followed by `text`; positions in errors are moved back into `text`.
fn parse_with_preamble(text: &str, preamble: &str) -> Result<Template, TemplateError> {
    let source = format!("{preamble}{text}");
    with_functions(Template::new("template"))
        .parse(&source)
        .map_err(|error| {
            let (line, column, message) = match &error {
                gotmpl::TemplateError::Parse {
                    line, col, message, ..
                }
                | gotmpl::TemplateError::Lex {
                    line, col, message, ..
                } => (*line, *col, message.clone()),
                other => (1, 1, other.to_string()),
            };
            // The preamble is one line, so only first-line columns move.
            let column = if line == 1 {
                column.saturating_sub(preamble.chars().count()).max(1)
            } else {
                column
            };
            TemplateError {
                line,
                column,
                message,
            }
        })
        .and_then(|template| {
            crate::gotemplate::check_recursion(&template).map_err(|message| TemplateError {
                line: 1,
                column: 1,
                message,
            })?;
            Ok(template)
        })
}

fn execute(template: &Template, data: &Value) -> Result<String, TemplateError> {
    crate::gotemplate::execute(template, data, MAX_OUTPUT).map_err(|message| TemplateError {
        line: 0,
        column: 0,
        message,
    })
}

type TemplateResult = gotmpl::Result<Value>;

/// Registers the functions Prometheus and Alertmanager templates can call.
fn with_functions(template: Template) -> Template {
    template
        .max_range_iters(crate::limits::TEMPLATE_MAX_RANGE_ITERATIONS)
        .metered_printing()
        .metered("humanize", |args| number_fn(args, humanize))
        .metered("humanize1024", |args| number_fn(args, humanize_1024))
        .metered("humanizeDuration", |args| {
            number_fn(args, humanize_duration)
        })
        .metered("humanizePercentage", |args| {
            number_fn(args, |v| format!("{}%", format_g(v * 100.0, 4)))
        })
        .metered("title", |args| string_fn(args, title_case))
        .metered("toUpper", |args| string_fn(args, str::to_uppercase))
        .metered("toLower", |args| string_fn(args, str::to_lowercase))
        .metered("stripPort", |args| string_fn(args, strip_port))
        .metered("stripDomain", |args| string_fn(args, strip_domain))
        .metered("safeHtml", |args| string_fn(args, str::to_string))
        .metered("join", join)
        .metered("match", regex_match)
        .metered("reReplaceAll", regex_replace_all)
        .metered("parseDuration", |args| {
            let text = string_arg(args, 0)?;
            crate::time::SimDuration::parse(&text)
                .map(|duration| Value::Float(duration.as_ms() as f64 / 1000.0))
                .map_err(|error| gotmpl::TemplateError::Exec(error.to_string()))
        })
}

fn number_fn(args: &[Value], format: impl Fn(f64) -> String) -> TemplateResult {
    let value = match args.first() {
        Some(Value::Float(v)) => *v,
        Some(Value::Int(v)) => *v as f64,
        Some(Value::Uint(v)) => *v as f64,
        Some(Value::String(text)) => text.trim().parse::<f64>().map_err(|_| {
            gotmpl::TemplateError::Exec(format!("cannot read `{text}` as a number"))
        })?,
        Some(other) => {
            return Err(gotmpl::TemplateError::Exec(format!(
                "expected a number, got {}",
                other.type_name()
            )))
        }
        None => return Err(gotmpl::TemplateError::Exec("missing argument".into())),
    };
    Ok(Value::String(Arc::from(format(value))))
}

fn string_arg(args: &[Value], index: usize) -> gotmpl::Result<String> {
    match args.get(index) {
        Some(Value::String(text)) => Ok(text.to_string()),
        Some(other) => Ok(other.to_string()),
        None => Err(gotmpl::TemplateError::Exec(format!(
            "missing argument {}",
            index + 1
        ))),
    }
}

fn string_fn(args: &[Value], transform: impl Fn(&str) -> String) -> TemplateResult {
    Ok(Value::String(Arc::from(transform(&string_arg(args, 0)?))))
}

fn join(args: &[Value]) -> TemplateResult {
    let separator = string_arg(args, 0)?;
    let items: Vec<String> = match args.get(1) {
        Some(Value::List(items)) => items.iter().map(ToString::to_string).collect(),
        Some(other) => vec![other.to_string()],
        None => Vec::new(),
    };
    Ok(Value::String(Arc::from(items.join(&separator))))
}

fn compile(pattern: &str) -> gotmpl::Result<regex::Regex> {
    regex::Regex::new(&format!("^(?:{pattern})$"))
        .map_err(|error| gotmpl::TemplateError::Exec(format!("bad regular expression: {error}")))
}

fn regex_match(args: &[Value]) -> TemplateResult {
    let pattern = string_arg(args, 0)?;
    let text = string_arg(args, 1)?;
    // `match` is unanchored, as Go's regexp.MatchString.
    let regex = regex::Regex::new(&pattern)
        .map_err(|error| gotmpl::TemplateError::Exec(format!("bad regular expression: {error}")))?;
    Ok(Value::Bool(regex.is_match(&text)))
}

fn regex_replace_all(args: &[Value]) -> TemplateResult {
    let regex = compile(&string_arg(args, 0)?).or_else(|_| {
        regex::Regex::new(&string_arg(args, 0)?).map_err(|error| {
            gotmpl::TemplateError::Exec(format!("bad regular expression: {error}"))
        })
    })?;
    let replacement = string_arg(args, 1)?;
    let text = string_arg(args, 2)?;
    // Each match adds the replacement, and each `$` reference at most the whole text.
    let matches = regex.find_iter(&text).count() as u64;
    let references = replacement.matches('$').count() as u64;
    crate::gotemplate::ensure_room(
        matches
            .saturating_mul(replacement.len() as u64)
            .saturating_add(
                references
                    .saturating_add(1)
                    .saturating_mul(text.len() as u64),
            ),
    )?;
    Ok(Value::String(Arc::from(
        regex.replace_all(&text, replacement.as_str()).as_ref(),
    )))
}

fn title_case(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at_word_start = true;
    for character in text.chars() {
        if at_word_start {
            out.extend(character.to_uppercase());
        } else {
            out.push(character);
        }
        at_word_start = !character.is_alphanumeric() && character != '\'';
    }
    out
}

fn strip_port(text: &str) -> String {
    if let Some(rest) = text.strip_prefix('[') {
        return rest.split(']').next().unwrap_or_default().to_string();
    }
    match text.rsplit_once(':') {
        Some((host, _)) if !host.contains(':') => host.to_string(),
        _ => text.to_string(),
    }
}

fn strip_domain(text: &str) -> String {
    let (host, port) = match text.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') => (host, Some(port)),
        _ => (text, None),
    };
    let short = host.split('.').next().unwrap_or(host);
    match port {
        Some(port) => format!("{short}:{port}"),
        None => short.to_string(),
    }
}

/// Go's `%.<precision>g`: shortest form with `precision` significant digits.
pub fn format_g(value: f64, precision: usize) -> String {
    if value.is_nan() {
        return "NaN".to_string();
    }
    if value.is_infinite() {
        return if value > 0.0 { "+Inf" } else { "-Inf" }.to_string();
    }
    if value == 0.0 {
        return if value.is_sign_negative() { "-0" } else { "0" }.to_string();
    }
    let precision = precision.max(1);
    let scientific = format!("{:.*e}", precision - 1, value);
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    if exponent < -4 || exponent >= precision as i32 {
        let mantissa = trim_fraction(mantissa);
        let sign = if exponent < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exponent.abs())
    } else {
        let decimals = (precision as i32 - 1 - exponent).max(0) as usize;
        trim_fraction(&format!("{value:.decimals$}")).to_string()
    }
}

/// Go's `%v` for a float64: the shortest digits that read back the same value.
pub fn format_shortest(value: f64) -> String {
    if !value.is_finite() || value == 0.0 {
        return format_g(value, 1);
    }
    let scientific = format!("{value:e}");
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    if !(-4..6).contains(&exponent) {
        let sign = if exponent < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exponent.abs())
    } else {
        format!("{value}")
    }
}

fn trim_fraction(text: &str) -> &str {
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.')
    } else {
        text
    }
}

fn scaled(value: f64, base: f64, prefixes: &[&str]) -> String {
    let mut value = value;
    let mut prefix = "";
    for candidate in prefixes {
        if value.abs() < base {
            break;
        }
        prefix = candidate;
        value /= base;
    }
    format!("{}{prefix}", format_g(value, 4))
}

/// Prometheus's `humanize`: SI prefixes, four significant digits.
pub fn humanize(value: f64) -> String {
    if value == 0.0 || !value.is_finite() {
        return format_g(value, 4);
    }
    if value.abs() >= 1.0 {
        return scaled(value, 1000.0, &["k", "M", "G", "T", "P", "E", "Z", "Y"]);
    }
    let (value, prefix) = scaled_up(value);
    format!("{}{prefix}", format_g(value, 4))
}

/// A value below one, multiplied by a thousand until it is not, with the SI prefix it took.
fn scaled_up(mut value: f64) -> (f64, &'static str) {
    let mut prefix = "";
    for candidate in ["m", "u", "n", "p", "f", "a", "z", "y"] {
        if value.abs() >= 1.0 {
            break;
        }
        prefix = candidate;
        value *= 1000.0;
    }
    (value, prefix)
}

fn humanize_1024(value: f64) -> String {
    if value.abs() <= 1.0 || !value.is_finite() {
        return format_g(value, 4);
    }
    scaled(
        value,
        1024.0,
        &["ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"],
    )
}

/// Prometheus's `humanizeDuration`: `1d 2h 3m 4s`, or seconds with SI prefixes below one.
pub fn humanize_duration(value: f64) -> String {
    if !value.is_finite() {
        return format_g(value, 4);
    }
    if value == 0.0 {
        return format!("{}s", format_g(value, 4));
    }
    if value.abs() >= 1.0 {
        let sign = if value < 0.0 { "-" } else { "" };
        let magnitude = value.abs();
        let whole = magnitude as i64;
        let seconds = whole % 60;
        let minutes = (whole / 60) % 60;
        let hours = (whole / 3600) % 24;
        let days = whole / 86_400;
        return if days != 0 {
            format!("{sign}{days}d {hours}h {minutes}m {seconds}s")
        } else if hours != 0 {
            format!("{sign}{hours}h {minutes}m {seconds}s")
        } else if minutes != 0 {
            format!("{sign}{minutes}m {seconds}s")
        } else {
            format!("{sign}{}s", format_g(magnitude, 4))
        };
    }
    let (value, prefix) = scaled_up(value);
    format!("{}{prefix}s", format_g(value, 4))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn expand(text: &str, value: f64) -> Result<String, TemplateError> {
        let labels = labels(&[("instance", "localhost:9090"), ("route", "get_user")]);
        let external = labels_empty();
        expand_alert_template(
            text,
            AlertData {
                labels: &labels,
                external_labels: &external,
                external_url: "http://opsdojo",
                value,
            },
        )
    }

    fn labels_empty() -> BTreeMap<String, String> {
        BTreeMap::new()
    }

    #[test]
    fn labels_and_value_are_in_scope() {
        assert_eq!(
            expand("Instance {{ $labels.instance }} down", 0.0).unwrap(),
            "Instance localhost:9090 down"
        );
        assert_eq!(
            expand(
                "{{ $value | humanizePercentage }} of {{ .Labels.route }}",
                0.1234
            )
            .unwrap(),
            "12.34% of get_user"
        );
        assert_eq!(
            expand(r#"{{ printf "%.2f" $value }}"#, 2.0 / 3.0).unwrap(),
            "0.67"
        );
    }

    #[test]
    fn humanize_matches_prometheus() {
        assert_eq!(humanize(0.0), "0");
        assert_eq!(humanize(1234567.0), "1.235M");
        assert_eq!(humanize(12.5), "12.5");
        assert_eq!(humanize(0.0012), "1.2m");
        assert_eq!(humanize(f64::INFINITY), "+Inf");
        assert_eq!(humanize_duration(0.5), "500ms");
        assert_eq!(humanize_duration(90.0), "1m 30s");
        assert_eq!(humanize_duration(93_784.0), "1d 2h 3m 4s");
        assert_eq!(humanize_duration(1.5), "1.5s");
        assert_eq!(humanize_1024(2048.0), "2ki");
    }

    #[test]
    fn go_float_formats() {
        assert_eq!(format_g(12345.0, 4), "1.234e+04");
        assert_eq!(format_g(0.0001234, 4), "0.0001234");
        assert_eq!(format_g(100.0, 4), "100");
        assert_eq!(format_shortest(1e21), "1e+21");
        assert_eq!(format_shortest(1e6), "1e+06");
        assert_eq!(format_shortest(123456.0), "123456");
        assert_eq!(format_shortest(0.5), "0.5");
    }

    #[test]
    fn errors_point_into_the_text_not_the_preamble() {
        let error = expand("ok {{ $labels.route ", 1.0).unwrap_err();
        assert_eq!(error.line, 1);
        assert!(error.column <= 21, "{error:?}");
        assert!(expand("{{ nosuchfunction 1 }}", 1.0).is_err());
    }

    #[test]
    fn string_functions() {
        assert_eq!(
            expand(r#"{{ "hello world" | title }}"#, 0.0).unwrap(),
            "Hello World"
        );
        assert_eq!(
            expand(r#"{{ reReplaceAll "(.*):.*" "$1" $labels.instance }}"#, 0.0).unwrap(),
            "localhost"
        );
        assert_eq!(
            expand(r#"{{ $labels.instance | stripPort }}"#, 0.0).unwrap(),
            "localhost"
        );
    }
}

#[cfg(test)]
mod budgets {
    use super::*;

    #[test]
    fn alert_templates_cannot_build_without_end() {
        let doubling = format!(
            "{{{{ $s := \"aaaaaaaa\" }}}}{}{{{{ len $s }}}}",
            "{{ $s = printf \"%s%s\" $s $s }}".repeat(40)
        );
        let error = check_and_expand(&doubling).unwrap_err();
        assert!(error.message.contains("MiB of text"), "{}", error.message);
        let fan = "{{ define \"f\" }}{{ if . }}{{ template \"f\" (slice . 1) }}{{ template \"f\" (slice . 1) }}{{ end }}{{ end }}{{ template \"f\" \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\" }}";
        let error = check_and_expand(fan).unwrap_err();
        assert!(
            error.message.contains("calls itself more than once"),
            "{}",
            error.message
        );
        // Near misses: printf with a wide field, a few doublings.
        let fine = format!(
            "{{{{ $s := \"ab\" }}}}{}{{{{ len $s }}}} {{{{ printf \"%5d|%-4s|\" 42 \"x\" }}}}",
            "{{ $s = printf \"%s%s\" $s $s }}".repeat(10)
        );
        assert_eq!(check_and_expand(&fine).unwrap(), "2048    42|x   |");
    }

    fn check_and_expand(text: &str) -> Result<String, TemplateError> {
        expand_template(text, &string_map(&BTreeMap::new()))
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_template_expands_or_fails_without_panic(text in "(\\{\\{|\\}\\}|\\$labels|\\$value|\\.| |\\||humanize|printf|\"%d\"|range|end|if|else|[a-z]|-){0,24}", value in proptest::num::f64::ANY) {
            let labels = BTreeMap::from([("route".to_string(), "get_user".to_string())]);
            let _ = expand_alert_template(&text, AlertData { labels: &labels, external_labels: &BTreeMap::new(), external_url: "", value });
            let _ = humanize(value);
            let _ = humanize_duration(value);
            let _ = format_g(value, 4);
        }
    }
}
