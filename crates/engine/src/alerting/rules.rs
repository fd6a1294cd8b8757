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
    /// 1-based line of the rule in its file.
    pub line: usize,
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

/// Where the rules and their keys sit in the text, found by scanning lines.
struct Lines<'a> {
    lines: Vec<&'a str>,
    rule_lines: Vec<usize>,
    group_lines: Vec<usize>,
}

impl<'a> Lines<'a> {
    fn of(text: &'a str) -> Self {
        let lines: Vec<&str> = text.lines().collect();
        let starts_with_key = |line: &str, keys: &[&str]| {
            let trimmed = line.trim_start().trim_start_matches("- ").trim_start();
            keys.iter().any(|key| {
                trimmed
                    .strip_prefix(key)
                    .is_some_and(|rest| rest.trim_start().starts_with(':'))
            })
        };
        let rule_lines = (0..lines.len())
            .filter(|&i| starts_with_key(lines[i], &["alert", "record"]))
            .map(|i| i + 1)
            .collect();
        let group_lines = (0..lines.len())
            .filter(|&i| {
                let line = lines[i];
                line.trim_start().starts_with("- ") && starts_with_key(line, &["name"])
            })
            .map(|i| i + 1)
            .collect();
        Lines {
            lines,
            rule_lines,
            group_lines,
        }
    }

    fn rule(&self, index: usize) -> usize {
        self.rule_lines.get(index).copied().unwrap_or(1)
    }

    fn group(&self, index: usize) -> usize {
        self.group_lines.get(index).copied().unwrap_or(1)
    }

    /// The line and column of `key:` in the rule starting at `rule_line`, or the rule's line.
    fn key(&self, rule_line: usize, key: &str) -> (usize, usize) {
        for (offset, line) in self
            .lines
            .iter()
            .enumerate()
            .skip(rule_line.saturating_sub(1))
        {
            let trimmed = line.trim_start().trim_start_matches("- ").trim_start();
            if offset + 1 > rule_line && self.rule_lines.contains(&(offset + 1)) {
                break;
            }
            if let Some(rest) = trimmed.strip_prefix(key) {
                if rest.trim_start().starts_with(':') {
                    let column = line.len() - trimmed.len() + 1;
                    return (offset + 1, column);
                }
            }
        }
        (rule_line, 1)
    }

    /// The position of the value after `key:`, where an expression's own text starts.
    fn value_of(&self, rule_line: usize, key: &str) -> (usize, usize) {
        let (line, column) = self.key(rule_line, key);
        let Some(text) = self.lines.get(line - 1) else {
            return (line, column);
        };
        let after_key = column - 1 + key.len();
        let rest = &text[after_key.min(text.len())..];
        let skipped = rest.len() - rest.trim_start_matches([':', ' ', '"', '\'']).len();
        (line, after_key + skipped + 1)
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
    let lines = Lines::of(text);
    let mut file = RuleFile::default();
    let mut seen_groups = Vec::new();
    let mut rule_index = 0;
    for (group_index, raw_group) in raw.groups.into_iter().enumerate() {
        let group_line = lines.group(group_index);
        if raw_group.name.trim().is_empty() {
            diagnostics.push(
                Diagnostic::error(group_line, 1, "a group needs a `name`")
                    .with_hint("start the group with `- name: my-alerts`"),
            );
        } else if seen_groups.contains(&raw_group.name) {
            diagnostics.push(Diagnostic::error(
                group_line,
                1,
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
                    diagnostics.push(
                        Diagnostic::error(group_line, 1, format!("invalid interval `{text}`"))
                            .with_hint("write a duration such as `15s`, `1m` or `5m`"),
                    );
                    None
                }
            });
        let mut rules = Vec::new();
        for raw_rule in raw_group.rules {
            let line = lines.rule(rule_index);
            rule_index += 1;
            let before = diagnostics.len();
            let rule = read_rule(raw_rule, line, &lines, &mut diagnostics);
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

fn read_rule(
    raw: RawRule,
    line: usize,
    lines: &Lines<'_>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Rule> {
    let error_at = |key: &str, message: String| {
        let (line, column) = lines.key(line, key);
        Diagnostic::error(line, column, message)
    };
    let expr_text = match raw.expr {
        Some(Yaml::String(text)) => text,
        Some(Yaml::Number(number)) => number.to_string(),
        Some(Yaml::Bool(value)) => value.to_string(),
        _ => {
            diagnostics.push(
                Diagnostic::error(line, 1, "the rule has no `expr`")
                    .with_hint("add `expr:` with the PromQL expression to evaluate"),
            );
            return None;
        }
    };
    let expr = match parse_query(&expr_text) {
        Ok(query) => Some(query),
        Err(error) => {
            let (expr_line, column) = lines.value_of(line, "expr");
            diagnostics.push(Diagnostic {
                line: expr_line,
                column,
                span: None,
                ..error
            });
            None
        }
    };
    let labels = read_strings(raw.labels, "labels", line, lines, diagnostics);
    for name in labels.keys() {
        if !is_label_name(name) {
            diagnostics.push(
                error_at("labels", format!("invalid label name `{name}`")).with_hint(
                    "label names are letters, digits and `_`, not starting with a digit",
                ),
            );
        }
    }
    let kind = match (raw.record, raw.alert) {
        (Some(_), Some(_)) => {
            diagnostics.push(Diagnostic::error(
                line,
                1,
                "a rule is either a `record` or an `alert`, not both",
            ));
            return None;
        }
        (None, None) => {
            diagnostics.push(Diagnostic::error(
                line,
                1,
                "a rule needs `record:` or `alert:`",
            ));
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
                diagnostics.push(Diagnostic::error(line, 1, "the alert name is empty"));
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
            let annotations =
                read_strings(raw.annotations, "annotations", line, lines, diagnostics);
            for (name, text) in labels.iter().chain(annotations.iter()) {
                if let Err(error) = check_alert_template(text) {
                    let (key_line, column) = lines.key(line, name);
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
        line,
    })
}

/// Scalars as strings; anything else is an error at the map's key.
fn read_strings(
    map: BTreeMap<String, Yaml>,
    key: &str,
    line: usize,
    lines: &Lines<'_>,
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
                let (key_line, column) = lines.key(line, &name);
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
        assert_eq!(group.rules[0].line, 5);
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
