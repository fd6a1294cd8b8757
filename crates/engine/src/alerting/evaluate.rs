//! Rule evaluation with Prometheus's alert state machine.
//!
//! Each evaluation of an alerting rule turns the expression's result into alerts keyed by their
//! labels. A new alert is *pending*; once it has been active for the rule's `for` it *fires*; when
//! the expression stops returning it, it becomes *inactive* (resolved), unless
//! `keep_firing_for` holds a firing alert a little longer. Resolved alerts stay listed for
//! fifteen minutes so a notifier hears that they resolved. Every evaluation writes `ALERTS`
//! and `ALERTS_FOR_STATE` series, and recording rules write their own series, into the store
//! the next rules read from; series that a rule no longer produces get staleness markers.

use super::rules::{Rule, RuleFile, RuleGroup, RuleKind};
use super::template::{expand_alert_template, AlertData};
use crate::promql::{instant_query, stale_marker, Labels, Sample, SeriesStore, Value};
use crate::time::SimDuration;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// How long a resolved alert stays listed, as Prometheus keeps it for re-sending.
const RESOLVED_RETENTION_MS: i64 = 15 * 60 * 1000;

/// Where an alert is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AlertState {
    Inactive,
    Pending,
    Firing,
}

impl AlertState {
    pub fn as_str(self) -> &'static str {
        match self {
            AlertState::Inactive => "inactive",
            AlertState::Pending => "pending",
            AlertState::Firing => "firing",
        }
    }
}

/// One alert of an alerting rule.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Alert {
    /// The alert's labels: the sample's (without its name), the rule's, and `alertname`.
    pub labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
    pub state: AlertState,
    /// The value of the sample at the last evaluation that returned it.
    #[serde(with = "crate::serde_util::float")]
    pub value: f64,
    pub active_at_ms: i64,
    pub fired_at_ms: Option<i64>,
    pub resolved_at_ms: Option<i64>,
    /// When the expression stopped returning a firing alert kept by `keep_firing_for`.
    pub(crate) keep_firing_since_ms: Option<i64>,
}

impl Alert {
    /// A pending alert with no labels, for tests that build alerts by hand.
    #[cfg(test)]
    pub(crate) fn pending_for_tests() -> Self {
        Alert {
            labels: BTreeMap::new(),
            annotations: BTreeMap::new(),
            state: AlertState::Pending,
            value: 0.0,
            active_at_ms: 0,
            fired_at_ms: None,
            resolved_at_ms: None,
            keep_firing_since_ms: None,
        }
    }
}

/// An evaluation problem, as Prometheus logs it against the rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleError {
    pub group: String,
    pub rule: String,
    pub at_ms: i64,
    pub message: String,
}

/// A rule's evaluation state.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
pub(crate) struct RuleState {
    /// Alerts by their label set.
    #[serde(with = "crate::serde_util::pairs")]
    active: BTreeMap<BTreeMap<String, String>, Alert>,
    /// The series written at the last evaluation, in the order written, to mark the vanished
    /// ones stale.
    written: Vec<Labels>,
    last_error: Option<String>,
    /// A recording rule's output label set for each label set its expression gave, kept from
    /// one evaluation to the next (expressions give the same sets every time).
    #[serde(skip)]
    recorded: FxHashMap<Labels, Labels>,
}

/// Output label sets a recording rule keeps at most; it forgets them all past this.
const RECORDED_KEPT: usize = 4096;

/// The rules of a rule file and their state, evaluated against a series store.
#[derive(Debug, Clone, Default)]
pub struct RuleEngine {
    groups: Vec<RuleGroup>,
    states: Vec<Vec<RuleState>>,
    external_labels: BTreeMap<String, String>,
    external_url: String,
    /// The last time each group was evaluated.
    last_evaluated: Vec<Option<i64>>,
}

/// A rule and its current alerts, as the alert list shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleStatus {
    pub group: String,
    pub name: String,
    pub query: String,
    pub is_alert: bool,
    pub hold: SimDuration,
    pub alerts: Vec<Alert>,
    pub last_error: Option<String>,
}

/// What a rule engine remembers between evaluations, for a checkpoint; the rules themselves
/// are read again from their file.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub(crate) struct RuleEngineState {
    states: Vec<Vec<RuleState>>,
    last_evaluated: Vec<Option<i64>>,
}

impl RuleEngine {
    /// How far back the rules read samples, in milliseconds.
    pub(crate) fn lookback_ms(&self) -> i64 {
        self.groups
            .iter()
            .flat_map(|group| &group.rules)
            .map(|rule| crate::promql::lookback_ms(&rule.expr.expr))
            .max()
            .unwrap_or(0)
    }

    pub(crate) fn state(&self) -> RuleEngineState {
        RuleEngineState {
            states: self.states.clone(),
            last_evaluated: self.last_evaluated.clone(),
        }
    }

    /// Puts back what [`RuleEngine::state`] took, onto the same rules.
    pub(crate) fn restore(&mut self, state: RuleEngineState) -> Result<(), String> {
        let shape: Vec<usize> = self.groups.iter().map(|g| g.rules.len()).collect();
        let saved: Vec<usize> = state.states.iter().map(Vec::len).collect();
        if shape != saved || state.last_evaluated.len() != shape.len() {
            return Err("the rule groups changed".into());
        }
        self.states = state.states;
        self.last_evaluated = state.last_evaluated;
        Ok(())
    }

    /// An engine for `file`, with no alert active yet.
    pub fn new(file: RuleFile) -> Self {
        let mut engine = RuleEngine::default();
        engine.load(file);
        engine
    }

    /// Labels and URL that templates read as `$externalLabels` and `$externalURL`.
    pub fn with_external(mut self, labels: BTreeMap<String, String>, url: &str) -> Self {
        self.external_labels = labels;
        self.external_url = url.to_string();
        self
    }

    /// Replaces the rules, keeping the state of rules that keep their group, name and labels, as
    /// a Prometheus reload does.
    pub fn load(&mut self, file: RuleFile) {
        let mut old: BTreeMap<(String, String, BTreeMap<String, String>), RuleState> =
            BTreeMap::new();
        for (group, states) in self.groups.iter().zip(std::mem::take(&mut self.states)) {
            for (rule, state) in group.rules.iter().zip(states) {
                old.insert(
                    (
                        group.name.clone(),
                        rule.name().to_string(),
                        rule.labels.clone(),
                    ),
                    state,
                );
            }
        }
        let old_times: BTreeMap<String, Option<i64>> = self
            .groups
            .iter()
            .map(|group| group.name.clone())
            .zip(self.last_evaluated.iter().copied())
            .collect();
        self.states = file
            .groups
            .iter()
            .map(|group| {
                group
                    .rules
                    .iter()
                    .map(|rule| {
                        old.remove(&(
                            group.name.clone(),
                            rule.name().to_string(),
                            rule.labels.clone(),
                        ))
                        .unwrap_or_default()
                    })
                    .collect()
            })
            .collect();
        self.last_evaluated = file
            .groups
            .iter()
            .map(|group| old_times.get(&group.name).copied().flatten())
            .collect();
        self.groups = file.groups;
    }

    /// The loaded groups.
    pub fn groups(&self) -> &[RuleGroup] {
        &self.groups
    }

    /// Evaluates every group whose interval has come due in `(after_ms, up_to_ms]`, at the
    /// multiples of its interval, oldest first.
    pub fn evaluate_due(
        &mut self,
        store: &mut SeriesStore,
        after_ms: i64,
        up_to_ms: i64,
        default_interval: SimDuration,
    ) -> Vec<RuleError> {
        let mut errors = Vec::new();
        let mut due: Vec<(i64, usize)> = Vec::new();
        for (index, group) in self.groups.iter().enumerate() {
            let interval = group.interval.unwrap_or(default_interval).as_ms().max(1000);
            let mut at = after_ms.div_euclid(interval) * interval + interval;
            while at <= up_to_ms {
                due.push((at, index));
                at += interval;
            }
        }
        due.sort_unstable();
        for (at, index) in due {
            errors.extend(self.evaluate_group(index, store, at));
        }
        errors
    }

    /// Evaluates every group at `at_ms`, in file order.
    pub fn evaluate_all(&mut self, store: &mut SeriesStore, at_ms: i64) -> Vec<RuleError> {
        (0..self.groups.len())
            .flat_map(|index| self.evaluate_group(index, store, at_ms))
            .collect()
    }

    /// Evaluates one group's rules in order at `at_ms`.
    pub fn evaluate_group(
        &mut self,
        index: usize,
        store: &mut SeriesStore,
        at_ms: i64,
    ) -> Vec<RuleError> {
        let (Some(group), Some(states)) = (self.groups.get(index), self.states.get_mut(index))
        else {
            return Vec::new();
        };
        if let Some(last) = self.last_evaluated.get_mut(index) {
            *last = Some(at_ms);
        }
        let mut errors = Vec::new();
        for (rule, state) in group.rules.iter().zip(states.iter_mut()) {
            let context = Context {
                external_labels: &self.external_labels,
                external_url: &self.external_url,
            };
            let outcome = evaluate_rule(rule, state, store, at_ms, context);
            state.last_error = outcome.as_ref().err().cloned();
            let written = match outcome {
                Ok(samples) => samples,
                Err(message) => {
                    errors.push(RuleError {
                        group: group.name.clone(),
                        rule: rule.name().to_string(),
                        at_ms,
                        message,
                    });
                    Vec::new()
                }
            };
            let now_written: Vec<Labels> =
                written.iter().map(|sample| sample.labels.clone()).collect();
            for sample in written {
                store.append(&sample.labels, at_ms, sample.value);
            }
            if !state.written.is_empty() {
                let still: FxHashSet<&Labels> = now_written.iter().collect();
                for gone in state
                    .written
                    .iter()
                    .filter(|labels| !still.contains(labels))
                {
                    store.append(gone, at_ms, stale_marker());
                }
            }
            state.written = now_written;
        }
        errors
    }

    /// Every rule with its alerts, in file order.
    pub fn statuses(&self) -> Vec<RuleStatus> {
        self.groups
            .iter()
            .zip(&self.states)
            .flat_map(|(group, states)| {
                group
                    .rules
                    .iter()
                    .zip(states)
                    .map(|(rule, state)| RuleStatus {
                        group: group.name.clone(),
                        name: rule.name().to_string(),
                        query: rule.expr.text.clone(),
                        is_alert: matches!(rule.kind, RuleKind::Alerting { .. }),
                        hold: match &rule.kind {
                            RuleKind::Alerting { hold, .. } => *hold,
                            RuleKind::Recording { .. } => SimDuration::default(),
                        },
                        alerts: state.active.values().cloned().collect(),
                        last_error: state.last_error.clone(),
                    })
            })
            .collect()
    }

    /// Alerts to send to Alertmanager: firing ones and recently resolved ones.
    pub fn alerts_to_send(&self) -> Vec<Alert> {
        self.states
            .iter()
            .flatten()
            .flat_map(|state| state.active.values())
            .filter(|alert| alert.state != AlertState::Pending)
            .cloned()
            .collect()
    }

    /// The alerts of the rules named `name` in a given state, as promtool compares them.
    pub fn alerts_named(&self, name: &str, state: AlertState) -> Vec<&Alert> {
        self.groups
            .iter()
            .zip(&self.states)
            .flat_map(|(group, states)| group.rules.iter().zip(states))
            .filter(|(rule, _)| {
                rule.name() == name && matches!(rule.kind, RuleKind::Alerting { .. })
            })
            .flat_map(|(_, state)| state.active.values())
            .filter(|alert| alert.state == state)
            .collect()
    }
}

#[derive(Clone, Copy)]
struct Context<'a> {
    external_labels: &'a BTreeMap<String, String>,
    external_url: &'a str,
}

/// The expression's result as a vector; a scalar becomes one sample without labels.
fn query_vector(rule: &Rule, store: &SeriesStore, at_ms: i64) -> Result<Vec<Sample>, String> {
    match instant_query(store, &rule.expr.expr, at_ms).map_err(|error| error.to_string())? {
        Value::Vector(samples) => Ok(samples),
        Value::Scalar(value) => Ok(vec![Sample::new(Labels::default(), value)]),
        other => Err(format!(
            "rule result is not a vector or scalar: {}",
            match other {
                Value::String(_) => "string",
                _ => "range vector",
            }
        )),
    }
}

/// Evaluates one rule; returns the samples to write.
fn evaluate_rule(
    rule: &Rule,
    state: &mut RuleState,
    store: &SeriesStore,
    at_ms: i64,
    context: Context<'_>,
) -> Result<Vec<Sample>, String> {
    let samples = query_vector(rule, store, at_ms)?;
    match &rule.kind {
        RuleKind::Recording { record } => {
            record_samples(record, &rule.labels, samples, &mut state.recorded)
        }
        RuleKind::Alerting {
            alert,
            hold,
            keep_firing_for,
            annotations,
        } => {
            let rule = AlertingRule {
                name: alert,
                labels: &rule.labels,
                annotations,
                hold: hold.as_ms(),
                keep_firing_for: keep_firing_for.as_ms(),
            };
            rule.evaluate(state, samples, at_ms, context)
        }
    }
}

fn record_samples(
    record: &str,
    labels: &BTreeMap<String, String>,
    samples: Vec<Sample>,
    recorded: &mut FxHashMap<Labels, Labels>,
) -> Result<Vec<Sample>, String> {
    let mut seen = FxHashSet::default();
    let mut out = Vec::with_capacity(samples.len());
    if recorded.len() > RECORDED_KEPT {
        recorded.clear();
    }
    for mut sample in samples {
        sample.labels = match recorded.get(&sample.labels) {
            Some(output) => output.clone(),
            None => {
                let mut output = sample.labels.clone();
                output.insert("__name__".into(), record.to_string());
                for (name, value) in labels {
                    if value.is_empty() {
                        output.remove(name);
                    } else {
                        output.insert(name.clone(), value.clone());
                    }
                }
                recorded.insert(sample.labels, output.clone());
                output
            }
        };
        if !seen.insert(sample.labels.clone()) {
            return Err(
                "vector contains metrics with the same labelset after applying rule labels".into(),
            );
        }
        out.push(sample);
    }
    Ok(out)
}

struct AlertingRule<'a> {
    name: &'a str,
    labels: &'a BTreeMap<String, String>,
    annotations: &'a BTreeMap<String, String>,
    hold: i64,
    keep_firing_for: i64,
}

impl AlertingRule<'_> {
    fn evaluate(
        &self,
        state: &mut RuleState,
        samples: Vec<Sample>,
        at_ms: i64,
        context: Context<'_>,
    ) -> Result<Vec<Sample>, String> {
        let mut current: BTreeMap<BTreeMap<String, String>, Alert> = BTreeMap::new();
        for sample in samples {
            let alert = self.alert_for(&sample, at_ms, context);
            if current.contains_key(&alert.labels) {
                return Err(
                    "vector contains metrics with the same labelset after applying alert labels"
                        .into(),
                );
            }
            current.insert(alert.labels.clone(), alert);
        }
        let seen: BTreeSet<BTreeMap<String, String>> = current.keys().cloned().collect();
        for (labels, alert) in current {
            match state.active.get_mut(&labels) {
                Some(existing) if existing.state != AlertState::Inactive => {
                    existing.value = alert.value;
                    existing.annotations = alert.annotations;
                }
                _ => {
                    state.active.insert(labels, alert);
                }
            }
        }
        let mut written = Vec::new();
        let mut forget = Vec::new();
        for (labels, alert) in &mut state.active {
            if seen.contains(labels) {
                alert.keep_firing_since_ms = None;
            } else {
                let mut keep_firing = false;
                if alert.state == AlertState::Firing && self.keep_firing_for > 0 {
                    let since = *alert.keep_firing_since_ms.get_or_insert(at_ms);
                    keep_firing = at_ms - since < self.keep_firing_for;
                }
                let expired = alert
                    .resolved_at_ms
                    .is_some_and(|resolved| at_ms - resolved > RESOLVED_RETENTION_MS);
                if alert.state == AlertState::Pending || expired {
                    forget.push(labels.clone());
                }
                if alert.state != AlertState::Inactive && !keep_firing {
                    alert.state = AlertState::Inactive;
                    alert.resolved_at_ms = Some(at_ms);
                }
                if !keep_firing {
                    continue;
                }
            }
            if alert.state == AlertState::Pending && at_ms - alert.active_at_ms >= self.hold {
                alert.state = AlertState::Firing;
                alert.fired_at_ms = Some(at_ms);
            }
            let mut series = Labels::from(alert.labels.clone());
            series.insert("__name__".into(), "ALERTS".into());
            series.insert("alertstate".into(), alert.state.as_str().into());
            written.push(Sample::new(series, 1.0));
            let mut for_state = Labels::from(alert.labels.clone());
            for_state.insert("__name__".into(), "ALERTS_FOR_STATE".into());
            written.push(Sample::new(
                for_state,
                alert.active_at_ms.div_euclid(1000) as f64,
            ));
        }
        for labels in forget {
            state.active.remove(&labels);
        }
        Ok(written)
    }

    fn alert_for(&self, sample: &Sample, at_ms: i64, context: Context<'_>) -> Alert {
        let data = AlertData {
            labels: sample.labels.map(),
            external_labels: context.external_labels,
            external_url: context.external_url,
            value: sample.value,
        };
        let expand = |text: &str| {
            expand_alert_template(text, data)
                .unwrap_or_else(|error| format!("<error expanding template: {error}>"))
        };
        let mut labels = sample.labels.map().clone();
        labels.remove("__name__");
        for (name, template) in self.labels {
            let value = expand(template);
            if value.is_empty() {
                labels.remove(name);
            } else {
                labels.insert(name.clone(), value);
            }
        }
        labels.insert("alertname".into(), self.name.to_string());
        let annotations = self
            .annotations
            .iter()
            .map(|(name, template)| (name.clone(), expand(template)))
            .collect();
        Alert {
            labels,
            annotations,
            state: AlertState::Pending,
            value: sample.value,
            active_at_ms: at_ms,
            fired_at_ms: None,
            resolved_at_ms: None,
            keep_firing_since_ms: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::rules::parse_rule_file;
    use super::*;

    fn engine(text: &str) -> RuleEngine {
        let (file, diagnostics) = parse_rule_file(text);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        RuleEngine::new(file)
    }

    const RULES: &str = r#"groups:
  - name: g
    rules:
      - alert: Down
        expr: up == 0
        for: 2m
        keep_firing_for: 1m
        labels:
          severity: "{{ if eq $labels.job \"db\" }}critical{{ else }}warning{{ end }}"
        annotations:
          summary: "{{ $labels.job }} down, value {{ $value }}"
"#;

    fn states(engine: &RuleEngine) -> Vec<AlertState> {
        engine.statuses()[0]
            .alerts
            .iter()
            .map(|a| a.state)
            .collect()
    }

    #[test]
    fn pending_then_firing_then_kept_then_resolved() {
        let mut engine = engine(RULES);
        let mut store = SeriesStore::new();
        let up = Labels::named("up").with("job", "db");
        let minute = 60_000;
        // Down from minute 0 to minute 4, up again from minute 5.
        for m in 0..=10 {
            store.append(&up, m * minute, if m <= 4 { 0.0 } else { 1.0 });
        }
        let mut seen = Vec::new();
        for m in 0..=10 {
            engine.evaluate_all(&mut store, m * minute);
            seen.push(states(&engine));
        }
        use AlertState::*;
        assert_eq!(seen[0], vec![Pending]);
        assert_eq!(seen[1], vec![Pending]);
        assert_eq!(seen[2], vec![Firing]);
        assert_eq!(seen[4], vec![Firing]);
        // keep_firing_for 1m holds it through minute 5, and it resolves at minute 6.
        assert_eq!(seen[5], vec![Firing]);
        assert_eq!(seen[6], vec![Inactive]);
        let alert = &engine.statuses()[0].alerts[0];
        assert_eq!(alert.labels["severity"], "critical");
        assert_eq!(alert.annotations["summary"], "db down, value 0");
        // ALERTS went stale when the alert resolved.
        let query = crate::promql::parse_query("ALERTS").unwrap();
        let at_six = instant_query(&store, &query.expr, 6 * minute).unwrap();
        assert_eq!(at_six, Value::Vector(vec![]));
        let at_three = instant_query(&store, &query.expr, 3 * minute).unwrap();
        let Value::Vector(samples) = at_three else {
            panic!("not a vector")
        };
        assert_eq!(samples[0].labels.get("alertstate"), "firing");
    }

    #[test]
    fn a_pending_alert_that_clears_is_forgotten() {
        let mut engine = engine(RULES);
        let mut store = SeriesStore::new();
        let up = Labels::named("up").with("job", "web");
        store.append(&up, 0, 0.0);
        store.append(&up, 60_000, 1.0);
        engine.evaluate_all(&mut store, 0);
        assert_eq!(states(&engine), vec![AlertState::Pending]);
        engine.evaluate_all(&mut store, 60_000);
        assert!(states(&engine).is_empty());
    }

    #[test]
    fn reloading_keeps_the_state_of_unchanged_rules() {
        let mut engine = engine(RULES);
        let mut store = SeriesStore::new();
        let up = Labels::named("up").with("job", "db");
        for m in 0..=3 {
            store.append(&up, m * 60_000, 0.0);
        }
        engine.evaluate_all(&mut store, 0);
        engine.load(parse_rule_file(&RULES.replace("2m", "3m")).0);
        engine.evaluate_all(&mut store, 3 * 60_000);
        assert_eq!(states(&engine), vec![AlertState::Firing]);
    }

    #[test]
    fn groups_run_at_multiples_of_their_interval() {
        let mut engine = engine(
            "groups:\n  - name: r\n    interval: 30s\n    rules:\n      - record: one\n        expr: 1\n",
        );
        let mut store = SeriesStore::new();
        engine.evaluate_due(&mut store, 0, 95_000, SimDuration::from_minutes(1));
        let query = crate::promql::parse_query("count_over_time(one[2m])").unwrap();
        let value = instant_query(&store, &query.expr, 95_000).unwrap();
        // Evaluations at 30 s, 60 s and 90 s.
        assert_eq!(
            value,
            Value::Vector(vec![Sample::new(Labels::default(), 3.0)])
        );
    }
}
