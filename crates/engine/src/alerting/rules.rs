//! Prometheus rule files: groups of recording and alerting rules, read with their diagnostics.
//!
//! The format is Prometheus's own (`groups:` → `name`, `interval`, `rules:` → `record` or
//! `alert`, `expr`, `for`, `keep_firing_for`, `labels`, `annotations`). A rule with an error is
//! left out of the parsed file and reported at its line; the other rules still load.

use super::template::check_alert_template;
use crate::diagnostic::Diagnostic;
use crate::promql::{is_label_name, is_metric_name, parse_query, Query};
use crate::time::SimDuration;
use serde::Deserialize;
use serde_yaml_ng::Value as Yaml;
use std::collections::BTreeMap;

/// A parsed rule file.
#[derive(Debug, Clone, Default)]
pub struct RuleFile {
    pub groups: Vec<RuleGroup>,
}

/// A group of rules evaluated together, in order, at one interval.
#[derive(Debug, Clone)]
pub struct RuleGroup {
    pub name: String,
    /// The group's own interval; `None` uses the global evaluation interval.
    pub interval: Option<SimDuration>,
    pub rules: Vec<Rule>,
}

/// One recording or alerting rule.
#[derive(Debug, Clone)]
pub struct Rule {
    pub kind: RuleKind,
    pub expr: Query,
    /// Labels added to every result; templates for alerting rules.
    pub labels: BTreeMap<String, String>,
}

/// What a rule produces.
#[derive(Debug, Clone, PartialEq)]
pub enum RuleKind {
    /// Writes the expression's result as a new series named `record`.
    Recording { record: String },
    /// Turns each result into an alert, pending for `hold` before it fires.
    Alerting {
        alert: String,
        hold: SimDuration,
        keep_firing_for: SimDuration,
        annotations: BTreeMap<String, String>,
    },
}

impl Rule {
    /// The record or alert name.
    pub fn name(&self) -> &str {
        match &self.kind {
            RuleKind::Recording { record } => record,
            RuleKind::Alerting { alert, .. } => alert,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    groups: Vec<RawGroup>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGroup {
    #[serde(default)]
    name: String,
    interval: Option<String>,
    #[allow(dead_code)]
    query_offset: Option<String>,
    #[allow(dead_code)]
    limit: Option<u64>,
    #[allow(dead_code)]
    labels: Option<BTreeMap<String, Yaml>>,
    #[serde(default)]
    rules: Vec<RawRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    record: Option<String>,
    alert: Option<String>,
    expr: Option<Yaml>,
    #[serde(rename = "for")]
    hold: Option<String>,
    keep_firing_for: Option<String>,
    #[serde(default)]
    labels: BTreeMap<String, Yaml>,
    #[serde(default)]
    annotations: BTreeMap<String, Yaml>,
}

/// Where a group's or a rule's parts are in the text, read from the YAML parser's own
/// positions when a problem needs one (each one read is a walk of the text).
#[derive(Clone, Copy)]
struct Place<'a> {
    text: &'a str,
    group: usize,
    /// The rule's index in its group, when the place is inside a rule.
    rule: Option<usize>,
}

impl Place<'_> {
    fn path<'p>(&self, group: &'p str, rule: &'p str, inner: &[&'p str]) -> Vec<&'p str> {
        let mut path = vec!["groups", group];
        if self.rule.is_some() {
            path.extend(["rules", rule]);
        }
        path.extend(inner);
        path
    }

    /// The key that ends `inner` (a key of the group or rule, or of one of its maps), else the
    /// nearest node holding it.
    fn key(&self, inner: &[&str]) -> (usize, usize) {
        let (group, rule) = (self.group.to_string(), self.rule.unwrap_or(0).to_string());
        crate::yaml::place(self.text, &self.path(&group, &rule, inner), true)
    }

    /// The value at `inner`, else the nearest node holding it.
    fn value(&self, inner: &[&str]) -> (usize, usize) {
        let (group, rule) = (self.group.to_string(), self.rule.unwrap_or(0).to_string());
        crate::yaml::place(self.text, &self.path(&group, &rule, inner), false)
    }

    /// The group or rule itself.
    fn start(&self) -> (usize, usize) {
        self.value(&[])
    }

    /// Where `error`, at its line and column inside the expression `expr`, is in the file:
    /// counted from where the `expr` value starts when the expression is written on one line
    /// (plain or quoted) or as a literal block (`|`), and the text there is the expression's
    /// own; else where the value starts.
    fn in_expression(&self, expr: &str, error: &Diagnostic) -> (usize, usize) {
        let (group, rule) = (self.group.to_string(), self.rule.unwrap_or(0).to_string());
        let path = self.path(&group, &rule, &["expr"]);
        let Some(start) = crate::yaml::position_of(self.text, &path) else {
            return self.key(&["expr"]);
        };
        let fallback = (start.line, start.column);
        let line = error.line.max(1);
        let Some(wanted) = expr.lines().nth(line - 1) else {
            return fallback;
        };
        let before: String = wanted
            .chars()
            .take(error.column.saturating_sub(1))
            .collect();
        let file_line = |number: usize| self.text.lines().nth(number.checked_sub(1)?);
        let value = self.text.get(start.offset..).unwrap_or_default();
        // Where the expression's line `line` starts in the file: its line and 1-based column.
        let found = match value.chars().next() {
            Some('|') => {
                // A literal block keeps its lines; the block's indentation is its first
                // written line's.
                let indent = self
                    .text
                    .lines()
                    .skip(start.line)
                    .find(|body| !body.trim().is_empty())
                    .map(|body| body.len() - body.trim_start_matches(' ').len());
                indent.map(|indent| (start.line + line, indent + 1))
            }
            Some('>') => None,
            Some('"' | '\'') if line == 1 => Some((start.line, start.column + 1)),
            Some(_) if line == 1 => Some((start.line, start.column)),
            _ => None,
        };
        let Some((at_line, at_column)) = found else {
            return fallback;
        };
        let written = file_line(at_line).is_some_and(|body| {
            let mut chars = body.chars().skip(at_column - 1);
            before.chars().all(|c| chars.next() == Some(c))
        });
        if written {
            (at_line, at_column + before.chars().count())
        } else {
            fallback
        }
    }
}

/// Reads a rule file; errors in one rule leave that rule out and are reported at its line.
pub fn parse_rule_file(text: &str) -> (RuleFile, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let raw: RawFile = match crate::yaml::from_str::<Option<RawFile>>(text) {
        Ok(Some(raw)) => raw,
        Ok(None) => return (RuleFile::default(), diagnostics),
        Err(error) => {
            let diagnostic = Diagnostic::from_yaml_error(&error);
            let message = author_words(&diagnostic.message);
            diagnostics.push(
                Diagnostic {
                    message,
                    ..diagnostic
                }
                .with_hint(
                    "a rule file is `groups:`, each group a `name` and `rules`, each rule an \
                     `alert` or `record` with an `expr`",
                ),
            );
            return (RuleFile::default(), finish(diagnostics, text));
        }
    };
    let mut file = RuleFile::default();
    let mut seen_groups = Vec::new();
    for (group_index, raw_group) in raw.groups.into_iter().enumerate() {
        let place = Place {
            text,
            group: group_index,
            rule: None,
        };
        if raw_group.name.trim().is_empty() {
            let (line, column) = place.start();
            diagnostics.push(
                Diagnostic::error(line, column, "a group needs a `name`")
                    .with_hint("start the group with `- name: my-alerts`"),
            );
        } else if seen_groups.contains(&raw_group.name) {
            let (line, column) = place.value(&["name"]);
            diagnostics.push(Diagnostic::error(
                line,
                column,
                format!("group `{}` is repeated in the same file", raw_group.name),
            ));
        }
        seen_groups.push(raw_group.name.clone());
        let interval = raw_group
            .interval
            .as_deref()
            .and_then(|text| match parse_duration(text) {
                Ok(duration) if duration.as_ms() > 0 => Some(duration),
                _ => {
                    let (line, column) = place.value(&["interval"]);
                    diagnostics.push(
                        Diagnostic::error(line, column, format!("invalid interval `{text}`"))
                            .with_hint("write a duration such as `15s`, `1m` or `5m`"),
                    );
                    None
                }
            });
        let mut rules = Vec::new();
        for (rule_index, raw_rule) in raw_group.rules.into_iter().enumerate() {
            let place = Place {
                rule: Some(rule_index),
                ..place
            };
            let before = diagnostics.len();
            let rule = read_rule(raw_rule, place, &mut diagnostics);
            if let Some(rule) = rule.filter(|_| diagnostics[before..].iter().all(|d| !d.is_error()))
            {
                rules.push(rule);
            }
        }
        file.groups.push(RuleGroup {
            name: raw_group.name,
            interval,
            rules,
        });
    }
    (file, finish(diagnostics, text))
}

fn finish(diagnostics: Vec<Diagnostic>, text: &str) -> Vec<Diagnostic> {
    diagnostics
        .into_iter()
        .map(|diagnostic| diagnostic.with_span_in(text))
        .collect()
}

fn read_rule(raw: RawRule, place: Place<'_>, diagnostics: &mut Vec<Diagnostic>) -> Option<Rule> {
    let error_at = |key: &str, message: String| {
        let (line, column) = place.key(&[key]);
        Diagnostic::error(line, column, message)
    };
    let at_rule = |message: &str| {
        let (line, column) = place.start();
        Diagnostic::error(line, column, message)
    };
    let expr_text = match raw.expr {
        Some(Yaml::String(text)) => text,
        Some(Yaml::Number(number)) => number.to_string(),
        Some(Yaml::Bool(value)) => value.to_string(),
        _ => {
            diagnostics.push(
                at_rule("the rule has no `expr`")
                    .with_hint("add `expr:` with the PromQL expression to evaluate"),
            );
            return None;
        }
    };
    let expr = match parse_query(&expr_text) {
        Ok(query) => Some(query),
        Err(error) => {
            let (line, column) = place.in_expression(&expr_text, &error);
            diagnostics.push(Diagnostic {
                line,
                column,
                span: None,
                ..error
            });
            None
        }
    };
    let labels = read_strings(raw.labels, "labels", place, diagnostics);
    for name in labels.keys() {
        if !is_label_name(name) {
            let (line, column) = place.key(&["labels", name]);
            diagnostics.push(
                Diagnostic::error(line, column, format!("invalid label name `{name}`")).with_hint(
                    "label names are letters, digits and `_`, not starting with a digit",
                ),
            );
        }
    }
    let kind = match (raw.record, raw.alert) {
        (Some(_), Some(_)) => {
            diagnostics.push(at_rule(
                "a rule is either a `record` or an `alert`, not both",
            ));
            return None;
        }
        (None, None) => {
            diagnostics.push(at_rule("a rule needs `record:` or `alert:`"));
            return None;
        }
        (Some(record), None) => {
            if !is_metric_name(&record) {
                diagnostics.push(
                    error_at("record", format!("invalid recording rule name `{record}`"))
                        .with_hint("use a metric name such as `route:http_errors:rate5m`"),
                );
            }
            for (key, present) in [
                ("for", raw.hold.is_some()),
                ("keep_firing_for", raw.keep_firing_for.is_some()),
                ("annotations", !raw.annotations.is_empty()),
            ] {
                if present {
                    diagnostics.push(
                        error_at(key, format!("a recording rule cannot have `{key}`")).with_hint(
                            "only alerting rules wait, keep firing or carry annotations",
                        ),
                    );
                }
            }
            if labels.contains_key("__name__") {
                diagnostics.push(error_at(
                    "labels",
                    "a recording rule cannot set `__name__`".to_string(),
                ));
            }
            RuleKind::Recording { record }
        }
        (None, Some(alert)) => {
            if alert.trim().is_empty() {
                let (line, column) = place.value(&["alert"]);
                diagnostics.push(Diagnostic::error(line, column, "the alert name is empty"));
            }
            let mut duration = |key: &str, text: Option<String>| match text {
                None => SimDuration::default(),
                Some(text) => parse_duration(&text).unwrap_or_else(|message| {
                    diagnostics.push(
                        error_at(key, format!("invalid `{key}` duration `{text}`: {message}"))
                            .with_hint("write a duration such as `30s`, `5m` or `1h30m`"),
                    );
                    SimDuration::default()
                }),
            };
            let hold = duration("for", raw.hold);
            let keep_firing_for = duration("keep_firing_for", raw.keep_firing_for);
            let annotations = read_strings(raw.annotations, "annotations", place, diagnostics);
            let templates = (labels.iter().map(|entry| ("labels", entry)))
                .chain(annotations.iter().map(|entry| ("annotations", entry)));
            for (map, (name, text)) in templates {
                if let Err(error) = check_alert_template(text) {
                    let (key_line, column) = place.key(&[map, name]);
                    diagnostics.push(
                        Diagnostic::error(
                            key_line,
                            column,
                            format!("template of `{name}` does not parse: {}", error.message),
                        )
                        .with_hint("write `{{ $labels.route }}` or `{{ $value | humanize }}`"),
                    );
                }
            }
            RuleKind::Alerting {
                alert,
                hold,
                keep_firing_for,
                annotations,
            }
        }
    };
    Some(Rule {
        kind,
        expr: expr?,
        labels,
    })
}

/// Scalars as strings; anything else is an error at the map's key.
fn read_strings(
    map: BTreeMap<String, Yaml>,
    key: &str,
    place: Place<'_>,
    diagnostics: &mut Vec<Diagnostic>,
) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (name, value) in map {
        let text = match value {
            Yaml::String(text) => text,
            Yaml::Number(number) => number.to_string(),
            Yaml::Bool(value) => value.to_string(),
            Yaml::Null => String::new(),
            _ => {
                let (key_line, column) = place.key(&[key, &name]);
                diagnostics.push(Diagnostic::error(
                    key_line,
                    column,
                    format!("`{name}` in `{key}` must be a single value, not a list or map"),
                ));
                continue;
            }
        };
        out.insert(name, text);
    }
    out
}

/// A Prometheus duration: `5m`, `1h30m`, `0s`.
pub fn parse_duration(text: &str) -> Result<SimDuration, String> {
    SimDuration::parse(text.trim())
}

/// serde's messages name Rust types; say what a rule file author would.
fn author_words(message: &str) -> String {
    let message = message
        .replace("groups[", "group ")
        .replace("].rules[", ", rule ");
    let message = message.replace("unknown field", "unknown key");
    message.replace("invalid type: ", "").trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"groups:
  - name: http
    interval: 30s
    rules:
      - record: route:errors:rate5m
        expr: sum by (route) (rate(http_request_seconds_count{status=~"5.."}[5m]))
      - alert: RouteErrors
        expr: route:errors:rate5m > 1
        for: 5m
        labels:
          severity: critical
        annotations:
          summary: "{{ $labels.route }} returns 5xx"
"#;

    #[test]
    fn reads_groups_and_rules() {
        let (file, diagnostics) = parse_rule_file(GOOD);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let group = &file.groups[0];
        assert_eq!(group.name, "http");
        assert_eq!(group.interval, Some(SimDuration::from_seconds(30)));
        assert_eq!(group.rules.len(), 2);
        assert_eq!(group.rules[1].name(), "RouteErrors");
        let RuleKind::Alerting { hold, .. } = &group.rules[1].kind else {
            panic!("not an alerting rule");
        };
        assert_eq!(*hold, SimDuration::from_minutes(5));
    }

    #[test]
    fn a_bad_expression_is_reported_at_its_line_and_the_rule_left_out() {
        let text = GOOD.replace("route:errors:rate5m > 1", "route:errors:rate5m > > 1");
        let (file, diagnostics) = parse_rule_file(&text);
        assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
        assert_eq!(diagnostics[0].line, 8);
        assert_eq!(diagnostics[0].column, 15);
        assert_eq!(file.groups[0].rules.len(), 1);
    }

    /// The text of `line` from `column` on, as a diagnostic points at it.
    fn at(text: &str, line: usize, column: usize) -> String {
        let body = text.lines().nth(line - 1).unwrap_or_default();
        body.chars().skip(column - 1).collect()
    }

    #[test]
    fn a_mistake_inside_an_expression_is_placed_however_the_expression_is_written() {
        // Each way YAML writes a string, with the duration no clock holds (a mistake whose
        // place inside the expression is known) in the second rule.
        let cases = [
            ("plain", "expr: rate(up[1e30]) > 1"),
            ("double quotes", "expr: \"rate(up[1e30]) > 1\""),
            ("single quotes", "expr: 'rate(up[1e30]) > 1'"),
            ("a flow mapping's key", "expr:   rate(up[1e30]) > 1"),
            (
                "a literal block",
                "expr: |\n          sum by (route) (\n            rate(up[1e30])\n          ) > 1",
            ),
        ];
        for (style, expr) in cases {
            let text = GOOD.replace("expr: route:errors:rate5m > 1", expr);
            let (_, diagnostics) = parse_rule_file(&text);
            assert_eq!(diagnostics.len(), 1, "{style}: {diagnostics:?}");
            let found = &diagnostics[0];
            assert!(
                at(&text, found.line, found.column).starts_with("1e30"),
                "{style}: {found:?} points at `{}`",
                at(&text, found.line, found.column)
            );
        }
        // Where the text does not hold the expression as written (an escape before the
        // mistake, a folded block), the mistake is shown where the expression starts.
        let cases = [
            (
                "an escape",
                "expr: \"rate(up{a=\\\"x\\\"}[1e30]) > 1\"",
                "\"rate",
            ),
            (
                "a folded block",
                "expr: >\n          rate(up[1e30])\n          > 1",
                ">",
            ),
        ];
        for (style, expr, start) in cases {
            let text = GOOD.replace("expr: route:errors:rate5m > 1", expr);
            let (_, diagnostics) = parse_rule_file(&text);
            assert_eq!(diagnostics.len(), 1, "{style}: {diagnostics:?}");
            let found = &diagnostics[0];
            assert!(
                at(&text, found.line, found.column).starts_with(start),
                "{style}: {found:?} points at `{}`",
                at(&text, found.line, found.column)
            );
        }
    }

    #[test]
    fn a_problem_is_placed_by_the_parser_not_by_searching_the_text() {
        // Words that a line scan would take for rules and keys: an annotation written as a
        // block whose lines read like keys, a comment, and rules written as flow mappings.
        let text = r#"groups:
  - name: http
    rules:
      # - alert: Commented
      #   for: soon
      - alert: Documented
        expr: up == 0
        annotations:
          runbook: |
            alert: this line is text
            for: neither is this
        for: five
      - {record: "job:up:sum", expr: sum(up)}
      - {alert: Flow, expr: up == 0, for: later}
"#;
        let (file, diagnostics) = parse_rule_file(text);
        let messages: Vec<(usize, usize, &str)> = diagnostics
            .iter()
            .map(|d| (d.line, d.column, d.message.as_str()))
            .collect();
        assert_eq!(messages.len(), 2, "{messages:?}");
        assert_eq!((messages[0].0, messages[0].1), (12, 9), "{messages:?}");
        assert!(messages[0].2.contains("`five`"), "{messages:?}");
        assert_eq!((messages[1].0, messages[1].1), (14, 38), "{messages:?}");
        assert!(messages[1].2.contains("`later`"), "{messages:?}");
        assert_eq!(file.groups[0].rules.len(), 1, "the record still loads");
    }

    #[test]
    fn structural_mistakes_have_messages() {
        let cases = [
            (GOOD.replace("for: 5m", "for: five"), "invalid `for`", 9),
            (
                GOOD.replace("    rules:", "    rulez:"),
                "unknown key `rulez`",
                4,
            ),
            (
                GOOD.replace("record:", "alert: X\n        record:"),
                "not both",
                5,
            ),
            (
                GOOD.replace("{{ $labels.route }}", "{{ $labels.route "),
                "does not parse",
                13,
            ),
        ];
        for (text, expected, line) in cases {
            let (_, diagnostics) = parse_rule_file(&text);
            let found = diagnostics.iter().find(|d| d.message.contains(expected));
            let Some(found) = found else {
                panic!("no `{expected}` in {diagnostics:?}");
            };
            assert_eq!(found.line, line, "{found:?}");
        }
    }

    #[test]
    fn an_empty_file_has_no_rules_and_no_errors() {
        let (file, diagnostics) = parse_rule_file("");
        assert!(file.groups.is_empty());
        assert!(diagnostics.is_empty());
    }
}

#[cfg(test)]
mod properties {
    use super::tests_support::GOOD;
    use super::*;
    use crate::alerting::RuleEngine;
    use crate::promql::{Labels, SeriesStore};
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_text_parses_without_panic(text in "\\PC{0,400}") {
            let _ = parse_rule_file(&text);
        }

        #[test]
        fn any_edit_of_a_rule_file_parses_and_evaluates_without_panic(
            position in 0usize..600,
            insert in "[ :\\-{}\\[\\]()'\"$|.a-z0-9=~!#>\\n]{0,16}",
        ) {
            let mut text = GOOD.to_string();
            let mut cut = position.min(text.len());
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            text.insert_str(cut, &insert);
            let (file, diagnostics) = parse_rule_file(&text);
            for diagnostic in &diagnostics {
                prop_assert!(diagnostic.line >= 1 && diagnostic.line <= text.lines().count().max(1));
            }
            let mut engine = RuleEngine::new(file);
            let mut store = SeriesStore::new();
            let series = Labels::named("http_request_seconds_count").with("route", "r").with("status", "500");
            for minute in 0..4 {
                store.append(&series, minute * 60_000, minute as f64 * 100.0);
                let _ = engine.evaluate_all(&mut store, minute * 60_000);
            }
        }
    }
}

#[cfg(test)]
mod tests_support {
    pub const GOOD: &str = r#"groups:
  - name: http
    rules:
      - record: route:errors:rate1m
        expr: sum by (route) (rate(http_request_seconds_count{status=~"5.."}[1m]))
      - alert: RouteErrors
        expr: route:errors:rate1m > 1
        for: 1m
        labels:
          severity: "{{ if gt $value 2.0 }}critical{{ else }}warning{{ end }}"
        annotations:
          summary: "{{ $labels.route }}: {{ $value | humanize }} errors/s"
"#;
}
