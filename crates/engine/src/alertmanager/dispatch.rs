//! Alertmanager at run time: alerts in, routed into groups, timed, deduplicated, muted by
//! silences and inhibition, and rendered as chat messages.
//!
//! Timing follows Alertmanager: a new group waits `group_wait` before its first notification,
//! then is looked at every `group_interval`; a notification goes out when the group has alerts
//! the receiver has not heard about, when resolved alerts are to be reported (`send_resolved`),
//! or when `repeat_interval` has passed since the last one.

use super::config::{Config, Route, SlackConfig};
use super::routes::matching_routes;
use super::silence::Silence;
use crate::alerting::template::{expand_template, string_map};
use crate::alerting::{Alert, AlertState};
use crate::time::SimTime;
use gotmpl::Value;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

type LabelSet = BTreeMap<String, String>;

/// An alert as Alertmanager holds it.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
struct ReceivedAlert {
    labels: LabelSet,
    annotations: LabelSet,
    starts_at_ms: i64,
    /// When it resolved; `None` while firing.
    ends_at_ms: Option<i64>,
}

impl ReceivedAlert {
    fn is_firing(&self) -> bool {
        self.ends_at_ms.is_none()
    }
}

/// Whether a notification, or an alert in it, is firing or resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Firing,
    Resolved,
}

impl Status {
    /// `firing` while anything fires, else `resolved`.
    pub fn of(firing: bool) -> Status {
        if firing {
            Status::Firing
        } else {
            Status::Resolved
        }
    }

    /// As Alertmanager writes it: `firing` or `resolved`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Firing => "firing",
            Status::Resolved => "resolved",
        }
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One alert in a chat message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct MessageAlert {
    pub status: Status,
    pub labels: LabelSet,
    pub annotations: LabelSet,
}

/// A notification delivered to a chat channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ChatMessage {
    pub at: SimTime,
    pub channel: String,
    pub receiver: String,
    pub status: Status,
    pub title: String,
    pub text: String,
    pub group_labels: LabelSet,
    pub alerts: Vec<MessageAlert>,
}

/// What the last notification of a group told the receiver.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
struct Notified {
    at_ms: i64,
    firing: BTreeSet<LabelSet>,
    resolved: BTreeSet<LabelSet>,
}

#[derive(Debug, Clone)]
struct AggregationGroup {
    route: Route,
    group_labels: LabelSet,
    alerts: BTreeMap<LabelSet, ReceivedAlert>,
    next_flush_ms: i64,
    last: Option<Notified>,
}

/// The Alertmanager of a world.
#[derive(Debug, Clone, Default)]
pub struct Alertmanager {
    config: Option<Config>,
    silences: Vec<Silence>,
    alerts: BTreeMap<LabelSet, ReceivedAlert>,
    /// Groups keyed by the route's position in the tree and the group's label values.
    groups: BTreeMap<(Vec<usize>, LabelSet), AggregationGroup>,
    external_url: String,
}

/// An alert as the alert list shows it on Alertmanager's side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AlertmanagerAlert {
    pub labels: LabelSet,
    pub receivers: Vec<String>,
    /// Where each receiver's route sits in the tree (see [`super::RouteNode::path`]).
    pub paths: Vec<Vec<usize>>,
    pub state: Muting,
}

/// Whether Alertmanager sends an alert on, as its alert list says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Muting {
    /// Not muted: it reaches its receivers.
    #[serde(rename = "active")]
    Active,
    /// A silence matches it.
    #[serde(rename = "suppressed (silenced)")]
    Silenced,
    /// An inhibition rule mutes it while a matching source alert fires.
    #[serde(rename = "suppressed (inhibited)")]
    Inhibited,
}

impl Muting {
    /// As Alertmanager's alert list writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Muting::Active => "active",
            Muting::Silenced => "suppressed (silenced)",
            Muting::Inhibited => "suppressed (inhibited)",
        }
    }
}

/// One aggregation group as a checkpoint keeps it: its route by position in the tree.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub(crate) struct GroupState {
    path: Vec<usize>,
    key: LabelSet,
    group_labels: LabelSet,
    #[serde(with = "crate::serde_util::pairs")]
    alerts: BTreeMap<LabelSet, ReceivedAlert>,
    next_flush_ms: i64,
    last: Option<Notified>,
}

/// What an Alertmanager holds besides its configuration and silences, for a checkpoint.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub(crate) struct AlertmanagerState {
    #[serde(with = "crate::serde_util::pairs")]
    alerts: BTreeMap<LabelSet, ReceivedAlert>,
    groups: Vec<GroupState>,
}

/// The route at `path` under `route`: child indices from the root.
fn route_at<'a>(route: &'a Route, path: &[usize]) -> Option<&'a Route> {
    path.iter()
        .try_fold(route, |route, index| route.routes.get(*index))
}

impl Alertmanager {
    pub(crate) fn state(&self) -> AlertmanagerState {
        AlertmanagerState {
            alerts: self.alerts.clone(),
            groups: self
                .groups
                .iter()
                .map(|((path, key), group)| GroupState {
                    path: path.clone(),
                    key: key.clone(),
                    group_labels: group.group_labels.clone(),
                    alerts: group.alerts.clone(),
                    next_flush_ms: group.next_flush_ms,
                    last: group.last.clone(),
                })
                .collect(),
        }
    }

    /// Puts back what [`Alertmanager::state`] took, under the same configuration.
    pub(crate) fn restore(&mut self, state: AlertmanagerState) -> Result<(), String> {
        let mut groups = BTreeMap::new();
        for group in state.groups {
            let route = self
                .config
                .as_ref()
                .and_then(|config| route_at(&config.route, &group.path))
                .ok_or("a group's route is not in the configuration")?;
            groups.insert(
                (group.path, group.key),
                AggregationGroup {
                    route: route.clone(),
                    group_labels: group.group_labels,
                    alerts: group.alerts,
                    next_flush_ms: group.next_flush_ms,
                    last: group.last,
                },
            );
        }
        self.alerts = state.alerts;
        self.groups = groups;
        Ok(())
    }

    pub fn new(external_url: &str) -> Self {
        Alertmanager {
            external_url: external_url.to_string(),
            ..Alertmanager::default()
        }
    }

    /// Loads a configuration; groups are rebuilt and wait again, as after a reload.
    pub fn set_config(&mut self, config: Option<Config>, now_ms: i64) {
        self.config = config;
        self.groups.clear();
        let labels: Vec<LabelSet> = self.alerts.keys().cloned().collect();
        for labels in labels {
            self.route(&labels, now_ms);
        }
    }

    pub fn config(&self) -> Option<&Config> {
        self.config.as_ref()
    }

    pub fn set_silences(&mut self, silences: Vec<Silence>) {
        self.silences = silences;
    }

    /// Takes the firing and resolved alerts Prometheus sends after an evaluation. Alerts it
    /// no longer sends are resolved, as when their end time passes without a resend.
    pub fn receive(&mut self, alerts: &[Alert], now_ms: i64) {
        let mut sent = BTreeSet::new();
        for alert in alerts {
            let received = ReceivedAlert {
                labels: alert.labels.clone(),
                annotations: alert.annotations.clone(),
                starts_at_ms: alert.fired_at_ms.unwrap_or(alert.active_at_ms),
                ends_at_ms: match alert.state {
                    AlertState::Firing => None,
                    _ => Some(alert.resolved_at_ms.unwrap_or(now_ms)),
                },
            };
            sent.insert(received.labels.clone());
            let changed = self.alerts.get(&received.labels) != Some(&received);
            let is_new = !self.alerts.contains_key(&received.labels);
            if is_new && !received.is_firing() {
                continue;
            }
            if changed {
                self.alerts
                    .insert(received.labels.clone(), received.clone());
                self.route(&received.labels, now_ms);
            }
        }
        let vanished: Vec<LabelSet> = self
            .alerts
            .iter()
            .filter(|(labels, alert)| alert.is_firing() && !sent.contains(*labels))
            .map(|(labels, _)| labels.clone())
            .collect();
        for labels in vanished {
            if let Some(alert) = self.alerts.get_mut(&labels) {
                alert.ends_at_ms = Some(now_ms);
            }
            self.route(&labels, now_ms);
        }
    }

    /// Puts the current version of an alert into every group its routes lead to.
    fn route(&mut self, labels: &LabelSet, now_ms: i64) {
        let (Some(config), Some(alert)) = (&self.config, self.alerts.get(labels)) else {
            return;
        };
        for (path, route) in matching_routes(&config.route, labels) {
            let group_labels: LabelSet = match &route.group_by {
                None => labels.clone(),
                Some(names) => names
                    .iter()
                    .filter_map(|name| labels.get(name).map(|v| (name.clone(), v.clone())))
                    .collect(),
            };
            let group = self
                .groups
                .entry((path, group_labels.clone()))
                .or_insert_with(|| AggregationGroup {
                    route: route.clone(),
                    group_labels,
                    alerts: BTreeMap::new(),
                    next_flush_ms: now_ms + route.group_wait.as_ms(),
                    last: None,
                });
            group.alerts.insert(labels.clone(), alert.clone());
        }
    }

    /// Flushes every group that is due at `now`, returning the messages sent.
    pub fn flush(&mut self, now: SimTime) -> Vec<ChatMessage> {
        let now_ms = now.epoch_ms();
        let Some(config) = self.config.clone() else {
            return Vec::new();
        };
        let mut messages = Vec::new();
        let keys: Vec<_> = self.groups.keys().cloned().collect();
        for key in keys {
            let Some(group) = self.groups.get(&key) else {
                continue;
            };
            if group.next_flush_ms > now_ms {
                continue;
            }
            let muted: BTreeSet<LabelSet> = group
                .alerts
                .keys()
                .filter(|labels| self.is_muted(&config, labels, now_ms).is_some())
                .cloned()
                .collect();
            let Some(group) = self.groups.get_mut(&key) else {
                continue;
            };
            let visible: Vec<&ReceivedAlert> = group
                .alerts
                .values()
                .filter(|alert| !muted.contains(&alert.labels))
                .collect();
            let firing: BTreeSet<LabelSet> = visible
                .iter()
                .filter(|a| a.is_firing())
                .map(|a| a.labels.clone())
                .collect();
            let resolved: BTreeSet<LabelSet> = visible
                .iter()
                .filter(|a| !a.is_firing())
                .map(|a| a.labels.clone())
                .collect();
            if let Some(receiver) = config.receiver(&group.route.receiver) {
                let send_resolved = receiver.slack.iter().any(|slack| slack.send_resolved);
                if needs_update(group, &firing, &resolved, send_resolved, now_ms) {
                    for slack in &receiver.slack {
                        if !firing.is_empty() || slack.send_resolved {
                            messages.push(render(group, &visible, slack, now, &self.external_url));
                        }
                    }
                    group.last = Some(Notified {
                        at_ms: now_ms,
                        firing,
                        resolved,
                    });
                }
            }
            group.alerts.retain(|_, alert| alert.is_firing());
            group.next_flush_ms = now_ms + group.route.group_interval.as_ms();
            if group.alerts.is_empty() {
                self.groups.remove(&key);
            }
        }
        // Alerts no group holds any more and that have resolved are forgotten.
        let held: BTreeSet<&LabelSet> =
            self.groups.values().flat_map(|g| g.alerts.keys()).collect();
        let forget: Vec<LabelSet> = self
            .alerts
            .iter()
            .filter(|(labels, alert)| !alert.is_firing() && !held.contains(labels))
            .map(|(labels, _)| labels.clone())
            .collect();
        for labels in forget {
            self.alerts.remove(&labels);
        }
        messages
    }

    /// Why an alert is muted at `now_ms`: silenced or inhibited.
    fn is_muted(&self, config: &Config, labels: &LabelSet, now_ms: i64) -> Option<Muting> {
        if self
            .silences
            .iter()
            .any(|silence| silence.is_active(now_ms) && silence.matches(labels))
        {
            return Some(Muting::Silenced);
        }
        let inhibited = config.inhibit_rules.iter().any(|rule| {
            rule.target.iter().all(|m| m.matches(labels))
                && self.alerts.values().any(|source| {
                    source.is_firing()
                        && &source.labels != labels
                        && rule.source.iter().all(|m| m.matches(&source.labels))
                        && rule
                            .equal
                            .iter()
                            .all(|name| source.labels.get(name) == labels.get(name))
                })
        });
        inhibited.then_some(Muting::Inhibited)
    }

    /// The firing alerts Alertmanager holds, with where they go and whether they are muted.
    pub fn alerts(&self, now_ms: i64) -> Vec<AlertmanagerAlert> {
        let Some(config) = &self.config else {
            return Vec::new();
        };
        self.alerts
            .values()
            .filter(|alert| alert.is_firing())
            .map(|alert| {
                let (paths, receivers) = matching_routes(&config.route, &alert.labels)
                    .into_iter()
                    .map(|(path, route)| (path, route.receiver.clone()))
                    .unzip();
                AlertmanagerAlert {
                    labels: alert.labels.clone(),
                    receivers,
                    paths,
                    state: self
                        .is_muted(config, &alert.labels, now_ms)
                        .unwrap_or(Muting::Active),
                }
            })
            .collect()
    }
}

/// The receivers an alert with `labels` goes to, in tree order, as `amtool config routes test`.
pub fn receivers_for(config: &Config, labels: &LabelSet) -> Vec<String> {
    config
        .route
        .matching(labels)
        .into_iter()
        .map(|route| route.receiver.clone())
        .collect()
}

/// Alertmanager's deduplication: whether this flush tells the receiver something new.
fn needs_update(
    group: &AggregationGroup,
    firing: &BTreeSet<LabelSet>,
    resolved: &BTreeSet<LabelSet>,
    send_resolved: bool,
    now_ms: i64,
) -> bool {
    let Some(last) = &group.last else {
        return !firing.is_empty();
    };
    if !firing.is_subset(&last.firing) {
        return true;
    }
    if firing.is_empty() {
        return !last.firing.is_empty();
    }
    if send_resolved && !resolved.is_subset(&last.resolved) {
        return true;
    }
    now_ms - last.at_ms >= group.route.repeat_interval.as_ms()
}

fn render(
    group: &AggregationGroup,
    alerts: &[&ReceivedAlert],
    slack: &SlackConfig,
    now: SimTime,
    external_url: &str,
) -> ChatMessage {
    let alerts: Vec<&ReceivedAlert> = alerts
        .iter()
        .copied()
        .filter(|alert| alert.is_firing() || slack.send_resolved)
        .collect();
    let firing_count = alerts.iter().filter(|a| a.is_firing()).count();
    let status = if firing_count > 0 {
        "firing"
    } else {
        "resolved"
    };
    let common_labels = common(alerts.iter().map(|a| &a.labels));
    let common_annotations = common(alerts.iter().map(|a| &a.annotations));
    let data = template_data(TemplateInput {
        status,
        receiver: &group.route.receiver,
        group_labels: &group.group_labels,
        common_labels: &common_labels,
        common_annotations: &common_annotations,
        alerts: &alerts,
        external_url,
    });
    let expand = |template: &Option<String>, default: String| match template {
        None => default,
        Some(text) => expand_template(&rewrite_methods(text), &data)
            .unwrap_or_else(|error| format!("<error expanding template: {error}>")),
    };
    let title = expand(
        &slack.title,
        default_title(status, firing_count, &group.group_labels, &common_labels),
    );
    let text = expand(&slack.text, String::new());
    ChatMessage {
        at: now,
        channel: slack.channel.clone(),
        receiver: group.route.receiver.clone(),
        status: Status::of(firing_count > 0),
        title: title.trim().to_string(),
        text: text.trim().to_string(),
        group_labels: group.group_labels.clone(),
        alerts: alerts
            .iter()
            .map(|alert| MessageAlert {
                status: Status::of(alert.is_firing()),
                labels: alert.labels.clone(),
                annotations: alert.annotations.clone(),
            })
            .collect(),
    }
}

/// Alertmanager's default title: `[FIRING:2] GroupValues (OtherCommonValues)`.
fn default_title(
    status: &str,
    firing_count: usize,
    group_labels: &LabelSet,
    common_labels: &LabelSet,
) -> String {
    let mut title = format!("[{}", status.to_uppercase());
    if status == "firing" {
        title.push_str(&format!(":{firing_count}"));
    }
    title.push_str("] ");
    title.push_str(&group_labels.values().cloned().collect::<Vec<_>>().join(" "));
    if common_labels.len() > group_labels.len() {
        let others: Vec<&str> = common_labels
            .iter()
            .filter(|(name, _)| !group_labels.contains_key(*name))
            .map(|(_, value)| value.as_str())
            .collect();
        title.push_str(&format!(" ({})", others.join(" ")));
    }
    title
}

/// Labels every map shares with the same value.
fn common<'a>(mut maps: impl Iterator<Item = &'a LabelSet>) -> LabelSet {
    let Some(first) = maps.next() else {
        return LabelSet::new();
    };
    let mut shared = first.clone();
    for map in maps {
        shared.retain(|name, value| map.get(name) == Some(value));
    }
    shared
}

/// `.Alerts.Firing` and `.Alerts.Resolved` are methods in Alertmanager's Go data; here the
/// data carries them as fields of their own.
fn rewrite_methods(template: &str) -> String {
    template
        .replace(".Alerts.Firing", ".FiringAlerts")
        .replace(".Alerts.Resolved", ".ResolvedAlerts")
}

struct TemplateInput<'a> {
    status: &'a str,
    receiver: &'a str,
    group_labels: &'a LabelSet,
    common_labels: &'a LabelSet,
    common_annotations: &'a LabelSet,
    alerts: &'a [&'a ReceivedAlert],
    external_url: &'a str,
}

fn text(value: &str) -> Value {
    Value::String(Arc::from(value))
}

fn template_data(input: TemplateInput<'_>) -> Value {
    let alert_value = |alert: &ReceivedAlert| {
        let mut fields = BTreeMap::new();
        let status = if alert.is_firing() {
            "firing"
        } else {
            "resolved"
        };
        fields.insert(Arc::from("Status"), text(status));
        fields.insert(Arc::from("Labels"), string_map(&alert.labels));
        fields.insert(Arc::from("Annotations"), string_map(&alert.annotations));
        fields.insert(
            Arc::from("StartsAt"),
            text(&SimTime(alert.starts_at_ms).to_string()),
        );
        fields.insert(
            Arc::from("EndsAt"),
            text(
                &alert
                    .ends_at_ms
                    .map(|t| SimTime(t).to_string())
                    .unwrap_or_default(),
            ),
        );
        fields.insert(Arc::from("GeneratorURL"), text(input.external_url));
        Value::Map(Arc::new(fields))
    };
    let list = |filter: &dyn Fn(&ReceivedAlert) -> bool| {
        Value::List(
            input
                .alerts
                .iter()
                .filter(|a| filter(a))
                .map(|a| alert_value(a))
                .collect::<Vec<_>>()
                .into(),
        )
    };
    let mut fields = BTreeMap::new();
    fields.insert(Arc::from("Status"), text(input.status));
    fields.insert(Arc::from("Receiver"), text(input.receiver));
    fields.insert(Arc::from("GroupLabels"), string_map(input.group_labels));
    fields.insert(Arc::from("CommonLabels"), string_map(input.common_labels));
    fields.insert(
        Arc::from("CommonAnnotations"),
        string_map(input.common_annotations),
    );
    fields.insert(Arc::from("ExternalURL"), text(input.external_url));
    fields.insert(Arc::from("Alerts"), list(&|_| true));
    fields.insert(Arc::from("FiringAlerts"), list(&ReceivedAlert::is_firing));
    fields.insert(Arc::from("ResolvedAlerts"), list(&|a| !a.is_firing()));
    Value::Map(Arc::new(fields))
}
