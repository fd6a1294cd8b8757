//! Alertmanager's configuration file: the route tree, receivers and inhibition rules.
//!
//! The YAML is Alertmanager's own. Children inherit `receiver`, `group_by` and the three timers
//! from their parent, as Alertmanager resolves them at load time. Matchers accept both the
//! current `matchers:` list and the older `match:` / `match_re:` maps.

use super::matcher::{parse_matchers, Matcher};
use crate::diagnostic::Diagnostic;
use crate::time::SimDuration;
use crate::yaml::place;
use serde::Deserialize;
use serde_yaml_ng::Value as Yaml;
use std::collections::BTreeMap;

/// A loaded Alertmanager configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub route: Route,
    pub receivers: Vec<Receiver>,
    pub inhibit_rules: Vec<InhibitRule>,
}

/// One node of the routing tree, with its inherited settings resolved.
#[derive(Debug, Clone)]
pub struct Route {
    pub receiver: String,
    /// Labels alerts are grouped by; `None` means every label (`...`).
    pub group_by: Option<Vec<String>>,
    pub group_wait: SimDuration,
    pub group_interval: SimDuration,
    pub repeat_interval: SimDuration,
    pub matchers: Vec<Matcher>,
    pub continue_matching: bool,
    pub routes: Vec<Route>,
}

/// Where notifications go.
#[derive(Debug, Clone)]
pub struct Receiver {
    pub name: String,
    pub slack: Vec<SlackConfig>,
}

/// A Slack notification: its channel and templates.
#[derive(Debug, Clone)]
pub struct SlackConfig {
    pub channel: String,
    pub title: Option<String>,
    pub text: Option<String>,
    pub send_resolved: bool,
}

/// Mutes target alerts while a source alert fires with the same `equal` labels.
#[derive(Debug, Clone)]
pub struct InhibitRule {
    pub source: Vec<Matcher>,
    pub target: Vec<Matcher>,
    pub equal: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[allow(dead_code)]
    global: Option<Yaml>,
    route: Option<RawRoute>,
    #[serde(default)]
    receivers: Vec<RawReceiver>,
    #[serde(default)]
    inhibit_rules: Vec<RawInhibit>,
    #[allow(dead_code)]
    templates: Option<Yaml>,
    #[allow(dead_code)]
    time_intervals: Option<Yaml>,
    #[allow(dead_code)]
    mute_time_intervals: Option<Yaml>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawRoute {
    receiver: Option<String>,
    group_by: Option<Vec<String>>,
    group_wait: Option<String>,
    group_interval: Option<String>,
    repeat_interval: Option<String>,
    #[serde(default)]
    matchers: Vec<String>,
    #[serde(rename = "match", default)]
    match_equal: BTreeMap<String, String>,
    #[serde(default)]
    match_re: BTreeMap<String, String>,
    #[serde(rename = "continue", default)]
    continue_matching: bool,
    #[serde(default)]
    routes: Vec<RawRoute>,
    #[allow(dead_code)]
    mute_time_intervals: Option<Yaml>,
    #[allow(dead_code)]
    active_time_intervals: Option<Yaml>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReceiver {
    name: String,
    #[serde(default)]
    slack_configs: Vec<RawSlack>,
    email_configs: Option<Yaml>,
    webhook_configs: Option<Yaml>,
    pagerduty_configs: Option<Yaml>,
    opsgenie_configs: Option<Yaml>,
    msteams_configs: Option<Yaml>,
}

#[derive(Deserialize)]
struct RawSlack {
    channel: Option<String>,
    title: Option<String>,
    text: Option<String>,
    #[serde(default)]
    send_resolved: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInhibit {
    #[serde(default)]
    source_matchers: Vec<String>,
    #[serde(default)]
    target_matchers: Vec<String>,
    #[serde(default)]
    source_match: BTreeMap<String, String>,
    #[serde(default)]
    target_match: BTreeMap<String, String>,
    #[serde(default)]
    equal: Vec<String>,
}

/// Alertmanager's defaults for a root route that leaves the timers out.
const GROUP_WAIT: SimDuration = SimDuration::from_seconds(30);
const GROUP_INTERVAL: SimDuration = SimDuration::from_minutes(5);
const REPEAT_INTERVAL: SimDuration = SimDuration::from_minutes(240);

/// Reads an Alertmanager configuration; `None` when it cannot be used, with the reasons.
pub fn parse_config(text: &str) -> (Option<Config>, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let raw: RawConfig = match crate::yaml::from_str(text) {
        Ok(raw) => raw,
        Err(error) => {
            let diagnostic = Diagnostic::from_yaml_error(&error);
            let message = diagnostic.message.replace("unknown field", "unknown key");
            diagnostics.push(
                Diagnostic { message, ..diagnostic }
                    .with_hint("check the key names and their indentation; the top level has `route`, `receivers` and `inhibit_rules`"),
            );
            return (None, finish(diagnostics, text));
        }
    };
    let Some(raw_route) = raw.route else {
        diagnostics.push(
            Diagnostic::error(1, 1, "no `route`: alerts would have nowhere to go")
                .with_hint("add `route:` with a `receiver:` naming one of the receivers"),
        );
        return (None, finish(diagnostics, text));
    };
    let mut receivers = Vec::new();
    for (index, raw) in raw.receivers.into_iter().enumerate() {
        let index = index.to_string();
        let at_name = || place(text, &["receivers", &index, "name"], true);
        if receivers.iter().any(|r: &Receiver| r.name == raw.name) {
            let (line, column) = at_name();
            diagnostics.push(Diagnostic::error(
                line,
                column,
                format!("receiver `{}` is defined twice", raw.name),
            ));
        }
        let others = [
            raw.email_configs.is_some(),
            raw.webhook_configs.is_some(),
            raw.pagerduty_configs.is_some(),
            raw.opsgenie_configs.is_some(),
            raw.msteams_configs.is_some(),
        ];
        if others.iter().any(|present| *present) {
            let (line, column) = at_name();
            diagnostics.push(
                Diagnostic::warning(
                    line,
                    column,
                    format!(
                        "receiver `{}`: only `slack_configs` deliver messages here",
                        raw.name
                    ),
                )
                .with_hint("the simulated platform has chat channels, not mail or pagers"),
            );
        }
        let mut slack = Vec::new();
        for (number, config) in raw.slack_configs.into_iter().enumerate() {
            let number = number.to_string();
            let config_path = ["receivers", index.as_str(), "slack_configs", &number];
            let Some(channel) = config.channel.filter(|c| !c.trim().is_empty()) else {
                let (line, column) = place(text, &config_path, false);
                diagnostics.push(
                    Diagnostic::error(
                        line,
                        column,
                        format!("receiver `{}`: a slack config needs a `channel`", raw.name),
                    )
                    .with_hint("write `channel: '#alert-prod'`"),
                );
                continue;
            };
            for (key, template) in [("title", &config.title), ("text", &config.text)] {
                let Some(template) = template else { continue };
                if let Err(error) = crate::alerting::template::check_alert_template(template) {
                    let [receivers, index, configs, number] = config_path;
                    let (line, column) =
                        place(text, &[receivers, index, configs, number, key], false);
                    diagnostics.push(Diagnostic::error(
                        line,
                        column,
                        format!("template does not parse: {}", error.message),
                    ));
                }
            }
            slack.push(SlackConfig {
                channel,
                title: config.title,
                text: config.text,
                send_resolved: config.send_resolved,
            });
        }
        receivers.push(Receiver {
            name: raw.name,
            slack,
        });
    }
    let defaults = Route {
        receiver: String::new(),
        group_by: Some(Vec::new()),
        group_wait: GROUP_WAIT,
        group_interval: GROUP_INTERVAL,
        repeat_interval: REPEAT_INTERVAL,
        matchers: Vec::new(),
        continue_matching: false,
        routes: Vec::new(),
    };
    let route = resolve_route(raw_route, &defaults, text, &["route"], &mut diagnostics);
    if route.receiver.is_empty() {
        diagnostics.push(
            Diagnostic::error(
                place(text, &["route"], true).0,
                1,
                "the root route needs a `receiver`",
            )
            .with_hint("every alert that no child route takes goes to the root's receiver"),
        );
    }
    check_receivers(&route, None, &receivers, text, &["route"], &mut diagnostics);
    let mut inhibit_rules = Vec::new();
    for (index, raw) in raw.inhibit_rules.into_iter().enumerate() {
        let index = index.to_string();
        let mut read = |key: &str, list: &[String], map: &BTreeMap<String, String>| {
            let mut matchers = Vec::new();
            for (number, matcher) in list.iter().enumerate() {
                match parse_matchers(matcher) {
                    Ok(parsed) => matchers.extend(parsed),
                    Err(message) => {
                        let number = number.to_string();
                        let (line, column) =
                            place(text, &["inhibit_rules", &index, key, &number], false);
                        diagnostics.push(Diagnostic::error(line, column, message))
                    }
                }
            }
            matchers.extend(map.iter().map(|(name, value)| Matcher::equal(name, value)));
            matchers
        };
        let source = read("source_matchers", &raw.source_matchers, &raw.source_match);
        let target = read("target_matchers", &raw.target_matchers, &raw.target_match);
        inhibit_rules.push(InhibitRule {
            source,
            target,
            equal: raw.equal,
        });
    }
    let has_errors = diagnostics.iter().any(Diagnostic::is_error);
    let config = Config {
        route,
        receivers,
        inhibit_rules,
    };
    ((!has_errors).then_some(config), finish(diagnostics, text))
}

fn finish(diagnostics: Vec<Diagnostic>, text: &str) -> Vec<Diagnostic> {
    diagnostics
        .into_iter()
        .map(|diagnostic| diagnostic.with_span_in(text))
        .collect()
}

/// A route of the tree, read below its `parent`; `path` is where it is in the file
/// (`["route", "routes", "0"]`).
fn resolve_route(
    raw: RawRoute,
    parent: &Route,
    text: &str,
    path: &[&str],
    diagnostics: &mut Vec<Diagnostic>,
) -> Route {
    let at = |more: &[&str], key: bool| {
        let full: Vec<&str> = path.iter().chain(more).copied().collect();
        place(text, &full, key)
    };
    let mut duration = |value: Option<String>, inherited: SimDuration, key: &str| match value {
        None => inherited,
        Some(value) => match SimDuration::parse(value.trim()) {
            Ok(duration) if duration.as_ms() > 0 || key == "group_wait" => duration,
            _ => {
                let (line, column) = at(&[key], false);
                diagnostics.push(
                    Diagnostic::error(line, column, format!("invalid `{key}` `{value}`"))
                        .with_hint("write a duration such as `30s`, `5m` or `4h`"),
                );
                inherited
            }
        },
    };
    let group_wait = duration(raw.group_wait, parent.group_wait, "group_wait");
    let group_interval = duration(raw.group_interval, parent.group_interval, "group_interval");
    let repeat_interval = duration(
        raw.repeat_interval,
        parent.repeat_interval,
        "repeat_interval",
    );
    let mut matchers = Vec::new();
    for (number, matcher_text) in raw.matchers.iter().enumerate() {
        match parse_matchers(matcher_text) {
            Ok(parsed) => matchers.extend(parsed),
            Err(message) => {
                let (line, column) = at(&["matchers", &number.to_string()], false);
                diagnostics.push(
                    Diagnostic::error(line, column, message)
                        .with_hint("write a matcher as `env=\"prod\"`, `severity=~\"warning|critical\"` or `route!=\"health\"`"),
                );
            }
        }
    }
    matchers.extend(
        raw.match_equal
            .iter()
            .map(|(name, value)| Matcher::equal(name, value)),
    );
    for (name, pattern) in &raw.match_re {
        // Alertmanager keeps the older `match_re` anchored, and shows it so.
        match Matcher::regex(name, &format!("^(?:{pattern})$"), false) {
            Ok(matcher) => matchers.push(matcher),
            Err(message) => {
                let (line, column) = at(&["match_re", name], false);
                diagnostics.push(Diagnostic::error(line, column, message));
            }
        }
    }
    let group_by = match raw.group_by {
        None => parent.group_by.clone(),
        Some(labels) if labels.iter().any(|l| l == "...") => None,
        Some(labels) => Some(labels),
    };
    let mut route = Route {
        receiver: raw.receiver.unwrap_or_else(|| parent.receiver.clone()),
        group_by,
        group_wait,
        group_interval,
        repeat_interval,
        matchers,
        continue_matching: raw.continue_matching,
        routes: Vec::new(),
    };
    route.routes = raw
        .routes
        .into_iter()
        .enumerate()
        .map(|(number, child)| {
            let number = number.to_string();
            let child_path: Vec<&str> = path.iter().copied().chain(["routes", &number]).collect();
            resolve_route(child, &route, text, &child_path, diagnostics)
        })
        .collect();
    route
}

/// Reports a route whose receiver is not defined, once: a child that inherits its parent's
/// receiver is not reported again.
fn check_receivers(
    route: &Route,
    parent: Option<&Route>,
    receivers: &[Receiver],
    text: &str,
    path: &[&str],
    diagnostics: &mut Vec<Diagnostic>,
) {
    let inherited = parent.is_some_and(|parent| parent.receiver == route.receiver);
    if !route.receiver.is_empty()
        && !inherited
        && !receivers.iter().any(|r| r.name == route.receiver)
    {
        let mut at_receiver = path.to_vec();
        at_receiver.push("receiver");
        let (line, column) = place(text, &at_receiver, false);
        let names: Vec<&str> = receivers.iter().map(|r| r.name.as_str()).collect();
        diagnostics.push(
            Diagnostic::error(
                line,
                column,
                format!("undefined receiver `{}` used in route", route.receiver),
            )
            .with_hint(if names.is_empty() {
                "define it under `receivers:`".to_string()
            } else {
                format!("the receivers are {}", names.join(", "))
            }),
        );
    }
    for (number, child) in route.routes.iter().enumerate() {
        let number = number.to_string();
        let child_path: Vec<&str> = path.iter().copied().chain(["routes", &number]).collect();
        check_receivers(
            child,
            Some(route),
            receivers,
            text,
            &child_path,
            diagnostics,
        );
    }
}

impl Route {
    /// The routes an alert with `labels` is delivered through, in tree order, as
    /// `amtool config routes test` resolves them.
    pub fn matching<'a>(&'a self, labels: &BTreeMap<String, String>) -> Vec<&'a Route> {
        super::routes::matching_routes(self, labels)
            .into_iter()
            .map(|(_, route)| route)
            .collect()
    }
}

impl Config {
    /// The receiver named `name`.
    pub fn receiver(&self, name: &str) -> Option<&Receiver> {
        self.receivers.iter().find(|r| r.name == name)
    }
}
