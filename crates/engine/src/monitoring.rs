//! The world's monitoring stack, as a tool of the world: Prometheus rules evaluated on the
//! simulated clock after each scrape, an Alertmanager, and the chat channels its notifications
//! (and the other tools' messages) land in.
//!
//! The rules live in `prometheus/rules.yml`, the Alertmanager configuration in
//! `alertmanager/alertmanager.yml` and silences in `alertmanager/silences.yml`. A file that
//! does not parse keeps its diagnostics and the stack keeps running on the last version that
//! did, as Prometheus and Alertmanager refuse a bad reload.

use crate::alerting::{parse_rule_file, AlertState, RuleEngine, RuleStatus};
use crate::alertmanager::{
    parse_config, parse_silences, Alertmanager, AlertmanagerAlert, ChatMessage,
};
use crate::diagnostic::Diagnostic;
use crate::promql::{Labels, SeriesStore};
use crate::time::{SimDuration, SimTime};
use crate::tool::{Effect, EventLevel, Lent, Phase, Surroundings, Tool};
use serde::Serialize;
use std::collections::BTreeMap;

pub const RULES_PATH: &str = "prometheus/rules.yml";
pub const ALERTMANAGER_PATH: &str = "alertmanager/alertmanager.yml";
pub const SILENCES_PATH: &str = "alertmanager/silences.yml";

/// How often rule groups without their own interval are evaluated.
pub const EVALUATION_INTERVAL: SimDuration = SimDuration::from_seconds(15);

/// Where templates link to: the app's dashboard.
const EXTERNAL_URL: &str = "https://opsdojo.local";

/// How many chat messages and alert markers a world keeps.
const HISTORY: usize = 300;

pub const DEFAULT_RULES: &str = r#"# Prometheus rules, evaluated every 15 s on the simulated clock.
groups:
  - name: platform
    rules:
      - alert: PhpFpmSaturated
        expr: avg by (env, app) (phpfpm_active_process_percentage) > 90
        for: 5m
        labels:
          severity: warning
        annotations:
          summary: "php-fpm of {{ $labels.app }} in {{ $labels.env }} is {{ $value | humanize }}% busy"
"#;

pub const DEFAULT_ALERTMANAGER: &str = r#"# Alertmanager: where alerts go, grouped and timed.
route:
  receiver: alerts
  group_by: [alertname, env]
  group_wait: 30s
  group_interval: 5m
  repeat_interval: 4h
receivers:
  - name: alerts
    slack_configs:
      - channel: '#alerts'
        send_resolved: true
"#;

pub const DEFAULT_SILENCES: &str =
    "# Silences: matchers and a time range (HH:MM on day 1, or RFC 3339).\nsilences: []\n";

/// Diagnostics of a monitoring file, or none for another path.
pub(crate) fn diagnostics_of(path: &str, content: &str) -> Vec<Diagnostic> {
    match path {
        RULES_PATH => parse_rule_file(content).1,
        ALERTMANAGER_PATH => parse_config(content).1,
        SILENCES_PATH => parse_silences(content).1,
        _ => Vec::new(),
    }
}

/// The state an alert moved to, as a dashboard marks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MarkedState {
    Pending,
    Firing,
    /// Inactive again.
    Resolved,
}

impl MarkedState {
    /// Its name, as the dashboards' markers are classed and labelled.
    pub fn as_str(self) -> &'static str {
        match self {
            MarkedState::Pending => "pending",
            MarkedState::Firing => "firing",
            MarkedState::Resolved => "resolved",
        }
    }
}

/// An alert changing state, drawn as a marker on dashboards.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct AlertMarker {
    pub at: SimTime,
    pub alertname: String,
    pub state: MarkedState,
    pub labels: BTreeMap<String, String>,
}

/// Rules, Alertmanager and channels.
#[derive(Debug, Clone)]
pub struct Monitoring {
    rules: RuleEngine,
    alertmanager: Alertmanager,
    messages: Vec<ChatMessage>,
    markers: Vec<AlertMarker>,
    /// `opsdojo_alert_notifications_total` by label set.
    notifications: BTreeMap<Labels, f64>,
    /// Alert states at the last evaluation, to spot transitions.
    last_states: BTreeMap<BTreeMap<String, String>, AlertState>,
    /// The rule errors last reported, so a broken rule is logged once, not every 15 s.
    reported_errors: Vec<String>,
}

/// What monitoring holds besides what its files configure, for a checkpoint.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct MonitoringState {
    rules: crate::alerting::RuleEngineState,
    alertmanager: crate::alertmanager::AlertmanagerState,
    messages: Vec<ChatMessage>,
    markers: Vec<AlertMarker>,
    #[serde(with = "crate::serde_util::pairs")]
    notifications: BTreeMap<Labels, f64>,
    #[serde(with = "crate::serde_util::pairs")]
    last_states: BTreeMap<BTreeMap<String, String>, AlertState>,
    reported_errors: Vec<String>,
}

impl Monitoring {
    /// How far back the rules read samples, in milliseconds.
    pub(crate) fn lookback_ms(&self) -> i64 {
        self.rules.lookback_ms()
    }

    pub(crate) fn state(&self) -> MonitoringState {
        MonitoringState {
            rules: self.rules.state(),
            alertmanager: self.alertmanager.state(),
            messages: self.messages.clone(),
            markers: self.markers.clone(),
            notifications: self.notifications.clone(),
            last_states: self.last_states.clone(),
            reported_errors: self.reported_errors.clone(),
        }
    }

    /// Puts back what [`Monitoring::state`] took, once the files have configured the rules and
    /// Alertmanager again.
    pub(crate) fn restore(&mut self, state: MonitoringState) -> Result<(), String> {
        self.rules.restore(state.rules)?;
        self.alertmanager.restore(state.alertmanager)?;
        self.messages = state.messages;
        self.markers = state.markers;
        self.notifications = state.notifications;
        self.last_states = state.last_states;
        self.reported_errors = state.reported_errors;
        Ok(())
    }
}

impl Default for Monitoring {
    fn default() -> Self {
        Monitoring {
            rules: RuleEngine::default(),
            alertmanager: Alertmanager::new(EXTERNAL_URL),
            messages: Vec::new(),
            markers: Vec::new(),
            notifications: BTreeMap::new(),
            last_states: BTreeMap::new(),
            reported_errors: Vec::new(),
        }
    }
}

impl Monitoring {
    /// Loads a monitoring file that parsed without errors; other paths are ignored.
    pub fn load(&mut self, path: &str, content: &str, now: SimTime) {
        match path {
            RULES_PATH => {
                let (file, diagnostics) = parse_rule_file(content);
                if !diagnostics.iter().any(Diagnostic::is_error) {
                    self.rules.load(file);
                }
            }
            ALERTMANAGER_PATH => {
                if let (Some(config), _) = parse_config(content) {
                    self.alertmanager.set_config(Some(config), now.epoch_ms());
                }
            }
            SILENCES_PATH => {
                let (silences, diagnostics) = parse_silences(content);
                if !diagnostics.iter().any(Diagnostic::is_error) {
                    self.alertmanager.set_silences(silences);
                }
            }
            _ => {}
        }
    }

    /// Evaluates the rules due in `(previous, now]`, hands alerts to Alertmanager and
    /// delivers what it sends. Returns lines for the event log.
    pub fn evaluate(
        &mut self,
        store: &mut SeriesStore,
        previous: SimTime,
        now: SimTime,
    ) -> Vec<String> {
        let mut log = Vec::new();
        let errors = self.rules.evaluate_due(
            store,
            previous.epoch_ms(),
            now.epoch_ms(),
            EVALUATION_INTERVAL,
        );
        let messages: Vec<String> = errors
            .iter()
            .map(|e| {
                format!(
                    "rule `{}` in group `{}` failed: {}",
                    e.rule, e.group, e.message
                )
            })
            .collect();
        for message in &messages {
            if !self.reported_errors.contains(message) {
                log.push(message.clone());
            }
        }
        self.reported_errors = messages;
        self.record_transitions(now);
        self.alertmanager
            .receive(&self.rules.alerts_to_send(), now.epoch_ms());
        for message in self.alertmanager.flush(now) {
            for alert in &message.alerts {
                let labels = Labels::named("opsdojo_alert_notifications_total")
                    .with("channel", &message.channel)
                    .with("receiver", &message.receiver)
                    .with("status", alert.status.as_str())
                    .with(
                        "alertname",
                        alert.labels.get("alertname").map_or("", String::as_str),
                    )
                    .with("env", alert.labels.get("env").map_or("", String::as_str))
                    .with(
                        "severity",
                        alert.labels.get("severity").map_or("", String::as_str),
                    );
                *self.notifications.entry(labels).or_insert(0.0) += 1.0;
            }
            log.push(format!("{}: {}", message.channel, message.title));
            push_capped(&mut self.messages, message);
        }
        let at = now.epoch_ms();
        for (labels, count) in &self.notifications {
            store.append(labels, at, *count);
        }
        log
    }

    fn record_transitions(&mut self, now: SimTime) {
        let mut states = BTreeMap::new();
        for status in self.rules.statuses() {
            for alert in status.alerts {
                states.insert(alert.labels.clone(), alert.state);
                let before = self.last_states.get(&alert.labels).copied();
                if before != Some(alert.state)
                    && !(before.is_none() && alert.state == AlertState::Inactive)
                {
                    push_capped(
                        &mut self.markers,
                        AlertMarker {
                            at: now,
                            alertname: status.name.clone(),
                            state: match alert.state {
                                AlertState::Inactive => MarkedState::Resolved,
                                AlertState::Pending => MarkedState::Pending,
                                AlertState::Firing => MarkedState::Firing,
                            },
                            labels: alert.labels,
                        },
                    );
                }
            }
        }
        self.last_states = states;
    }

    pub fn rule_statuses(&self) -> Vec<RuleStatus> {
        self.rules.statuses()
    }

    /// Posts a message that does not come from Alertmanager (a compliance rule's finding).
    pub(crate) fn post(&mut self, message: ChatMessage) {
        push_capped(&mut self.messages, message);
    }

    pub fn messages(&self) -> &[ChatMessage] {
        &self.messages
    }

    pub fn markers(&self) -> &[AlertMarker] {
        &self.markers
    }

    /// The chat channels the Alertmanager configuration names, in receiver order.
    pub fn channels(&self) -> Vec<String> {
        let mut channels: Vec<String> = Vec::new();
        for receiver in self
            .alertmanager
            .config()
            .map_or(&[][..], |c| &c.receivers[..])
        {
            for slack in &receiver.slack {
                if !channels.contains(&slack.channel) {
                    channels.push(slack.channel.clone());
                }
            }
        }
        channels
    }

    pub fn routed_alerts(&self, now: SimTime) -> Vec<AlertmanagerAlert> {
        self.alertmanager.alerts(now.epoch_ms())
    }

    /// The loaded routing tree, for drawing.
    pub fn routing(&self) -> Option<crate::alertmanager::RouteNode> {
        self.alertmanager
            .config()
            .map(|config| crate::alertmanager::route_nodes(&config.route))
    }

    /// The routes an alert with `labels` would be delivered through, with their receivers, as
    /// `amtool config routes test` answers; `None` without a loaded configuration.
    pub fn route_test(
        &self,
        labels: &BTreeMap<String, String>,
    ) -> Option<Vec<(Vec<usize>, String)>> {
        let config = self.alertmanager.config()?;
        Some(
            crate::alertmanager::matching_routes(&config.route, labels)
                .into_iter()
                .map(|(path, route)| (path, route.receiver.clone()))
                .collect(),
        )
    }
}

fn push_capped<T>(items: &mut Vec<T>, item: T) {
    if items.len() == HISTORY {
        items.remove(0);
    }
    items.push(item);
}

/// What the page shows of the monitoring stack.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonitoringSnapshot {
    /// Every rule with its alerts.
    pub rules: Vec<RuleStatus>,
    /// Firing alerts as Alertmanager routes them.
    pub routed_alerts: Vec<AlertmanagerAlert>,
    /// Alertmanager's routing tree, when a configuration is loaded.
    pub routing: Option<crate::alertmanager::RouteNode>,
    /// Chat messages, oldest first.
    pub messages: Vec<ChatMessage>,
    /// The channels Alertmanager posts to.
    pub channels: Vec<String>,
    /// Alert state changes, oldest first.
    pub alert_markers: Vec<AlertMarker>,
}

pub use crate::tool::NoCommand;

impl Tool for Monitoring {
    const NAME: &'static str = "monitoring";
    const PHASE: Phase = Phase::AfterScrape;
    type Command = NoCommand;
    type Saved = MonitoringState;
    type Snapshot = MonitoringSnapshot;

    fn parse(line: &str) -> Result<NoCommand, String> {
        Err(format!(
            "`{line}`: monitoring takes no commands; it follows `{RULES_PATH}`, `{ALERTMANAGER_PATH}` and `{SILENCES_PATH}`"
        ))
    }

    fn command(
        &mut self,
        command: NoCommand,
        _world: &dyn Surroundings,
        _lent: &mut Lent,
    ) -> Result<Vec<Effect>, String> {
        match command {}
    }

    fn reads(&self, path: &str) -> bool {
        matches!(path, RULES_PATH | ALERTMANAGER_PATH | SILENCES_PATH)
    }

    fn file_written(&mut self, path: &str, world: &dyn Surroundings) -> Vec<Effect> {
        if let Some(content) = world.file(path) {
            self.load(path, content, world.now());
        }
        Vec::new()
    }

    /// The rules on the samples the scrape just wrote, then Alertmanager.
    fn step(&mut self, world: &dyn Surroundings, lent: &mut Lent) -> Vec<Effect> {
        let now = world.now();
        let previous = now.plus(SimDuration(-world.tick().0));
        self.evaluate(lent.series, previous, now)
            .into_iter()
            .map(|line| Effect::Log(EventLevel::Info, line))
            .collect()
    }

    fn save(&self) -> MonitoringState {
        self.state()
    }

    /// The stack configured by the world's files again, then given back its memory.
    fn restore(state: MonitoringState, world: &dyn Surroundings) -> Result<Self, String> {
        let mut monitoring = Monitoring::default();
        for (path, content) in world.files() {
            monitoring.load(path, content, world.now());
        }
        monitoring.restore(state)?;
        Ok(monitoring)
    }

    fn snapshot(&self, world: &dyn Surroundings) -> MonitoringSnapshot {
        MonitoringSnapshot {
            rules: self.rule_statuses(),
            routed_alerts: self.routed_alerts(world.now()),
            routing: self.routing(),
            messages: self.messages().to_vec(),
            channels: self.channels(),
            alert_markers: self.markers().to_vec(),
        }
    }
}
