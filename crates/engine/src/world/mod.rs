//! The simulated world: one deterministic state that every tool views or changes.
//!
//! A [`World`] is built from a [`Scenario`] (seed, start time, files, scheduled events) and
//! changes only through [`Action`]s, which it records so that a session can be replayed,
//! saved and checked. One simulated step ([`Scenario::tick`], 15 s by default) runs, in order:
//! scheduled events, then controllers (deployments reconcile toward their desired replicas),
//! then the metrics the world exposes are read from the new state.
//!
//! This first model holds environments, deployments and pods with start-up time, and the
//! per-environment values files that set replicas. Traffic, latency, alerting, Terraform and
//! delivery plug into the same world later.

mod action;
pub mod alerting;
mod chart;
mod checkpoint;
mod cluster;
pub mod database;
mod files;
pub mod infra;
pub mod injection;
mod metrics;
pub mod scenario;
mod snapshot;
pub mod traffic;

#[cfg(test)]
mod capstone_tests;
#[cfg(test)]
mod chart_tests;
#[cfg(test)]
mod checkpoint_tests;
#[cfg(test)]
mod kube_tests;
#[cfg(test)]
mod platform_tests;
#[cfg(test)]
mod pull_request_tests;
#[cfg(test)]
mod tests;

use crate::kube::deployment;
pub use crate::kube::deployment::{
    node_of, Deployment, Hpa, Pod, PodStatus, METRIC as HPA_METRIC, PODS_PER_NODE,
};
pub use action::Action;
pub use alerting::AlertMarker;
pub use checkpoint::{sealed_checkpoint, Resumed};
pub use files::{values_file_path, FileLanguage, WorldFile};
pub use scenario::{Burst, Crash, Drift, Fault, Release, Scenario, ScheduledEvent, FAULT_STATUSES};
pub use snapshot::{
    DeploymentSnapshot, EnvironmentSnapshot, EventLevel, EventLogEntry, FileSnapshot, HpaSnapshot,
    InfraSnapshot, ManifestsSnapshot, PullRequestSnapshot, WorldSnapshot,
};

use crate::diagnostic::Diagnostic;
use crate::platform::Platform;
use crate::promql::{Labels, Sample, SeriesStore};
use crate::rng::SimRng;
use crate::time::{SimDuration, SimTime};
use metrics::PlatformMetrics;
use std::collections::BTreeMap;

pub use crate::platform::MAX_REPLICAS;

/// How much traffic history a world has when its scenario starts.
const WARM_UP: SimDuration = SimDuration::from_minutes(60);

/// How many event-log entries a world keeps; older ones are dropped.
const EVENT_LOG_CAPACITY: usize = 500;

/// The longest a single `Advance` may move the clock, so a bad saved action cannot freeze a tab.
pub const MAX_ADVANCE: SimDuration = SimDuration(7 * 86_400_000);

/// One environment and the deployments running in it.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Environment {
    pub name: String,
    pub deployments: Vec<Deployment>,
    pub database: database::Database,
    /// How many php-fpm pods the cluster has room for, over all its deployments: pods past
    /// that wait in `Pending`. From the platform, not saved.
    #[serde(skip)]
    pub capacity: usize,
}

/// The whole simulated platform at one instant, plus the actions that led there.
#[derive(Debug, Clone)]
pub struct World {
    scenario: Scenario,
    now: SimTime,
    /// Simulated time advanced but not yet stepped (less than one tick).
    carry: SimDuration,
    rng: SimRng,
    environments: Vec<Environment>,
    files: BTreeMap<String, WorldFile>,
    next_event: usize,
    actions: Vec<Action>,
    /// The content a file had before the last recorded action, when that action is its edit.
    edit_base: Option<String>,
    event_log: Vec<EventLogEntry>,
    metrics: PlatformMetrics,
    store: SeriesStore,
    /// Gauge label sets written by the last scrape, to mark the vanished ones stale.
    last_gauges: rustc_hash::FxHashSet<Labels>,
    monitoring: alerting::Monitoring,
    /// Changes to the running platform (scaling so far), drawn as markers on dashboards.
    changes: Vec<ChangeMarker>,
    /// The Terraform project's states, plans and applies.
    infra: infra::Infrastructure,
    /// What the cluster's controllers did, as `kubectl get events` lists it.
    kube_events: Vec<crate::kube::KubeEvent>,
    /// The pod template each fired release rolled out, by the index of its scheduled event: a
    /// fault that comes with a release hits the requests its pods serve.
    release_templates: BTreeMap<usize, String>,
    /// What `helm template` gives for each environment, by environment.
    rendered: BTreeMap<String, chart::Rendered>,
    /// False while the world writes its first files: the chart is rendered once they are all in.
    chart_loaded: bool,
    /// The pull request open on the application's repository, if the scenario has one.
    pull_request: Option<crate::delivery::PullRequest>,
    /// Faults injected by a facilitator, with when, and the events they became: these come
    /// after the scenario's own events in the events' numbering.
    injected: Vec<injection::PlannedFault>,
    injected_events: Vec<ScheduledEvent>,
    /// The gauges' label sets, built once rather than at every scrape.
    label_cache: crate::promql::LabelCache,
}

/// What rendering the chart for every environment gives.
struct ChartRender<'p> {
    rendered: BTreeMap<String, chart::Rendered>,
    /// Errors by environment, to put on the chart's files.
    errors: Vec<(&'p str, crate::helm::ChartError)>,
    /// What each environment that rendered asks for.
    wanted: Vec<(&'p str, files::DeployValues)>,
}

/// How long before the scenario starts its pull request was opened.
const PULL_REQUEST_AGE: SimDuration = SimDuration::from_minutes(-12);

/// The deployment of `service` in the environment `env`.
fn deployment_mut<'a>(
    environments: &'a mut [Environment],
    env: &str,
    service: &str,
) -> Option<&'a mut Deployment> {
    environments
        .iter_mut()
        .filter(|e| e.name == env)
        .flat_map(|e| e.deployments.iter_mut())
        .find(|d| d.service == service)
}

/// A change to the running platform, as a dashboard marks it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ChangeMarker {
    pub at: SimTime,
    /// `change` for scaling, `deploy` for a release.
    #[serde(with = "crate::serde_util::static_str")]
    pub kind: crate::serde_util::Name,
    pub env: String,
    pub service: String,
    pub text: String,
}

impl World {
    /// A world at the start of `scenario`, before any action.
    pub fn new(scenario: Scenario) -> Self {
        let platform = scenario.platform.clone();
        let environments: Vec<Environment> = platform
            .environments
            .iter()
            .map(|spec| Environment {
                name: spec.name.clone(),
                deployments: platform.service_names().map(Deployment::new).collect(),
                database: database::Database::default_for(spec),
                capacity: spec.cluster,
            })
            .collect();
        let mut store = SeriesStore::with_retention(metrics::RETENTION_MS);
        let mut world = World {
            now: scenario.start_time(),
            carry: SimDuration::default(),
            rng: SimRng::seeded(scenario.seed),
            metrics: PlatformMetrics::new(&environments, &platform, &mut store),
            store,
            last_gauges: Default::default(),
            monitoring: alerting::Monitoring::default(),
            changes: Vec::new(),
            infra: infra::Infrastructure::default(),
            kube_events: Vec::new(),
            release_templates: BTreeMap::new(),
            rendered: BTreeMap::new(),
            chart_loaded: false,
            pull_request: None,
            injected: Vec::new(),
            injected_events: Vec::new(),
            label_cache: Default::default(),
            environments,
            files: BTreeMap::new(),
            next_event: 0,
            actions: Vec::new(),
            edit_base: None,
            event_log: Vec::new(),
            scenario,
        };
        for (path, content) in world.scenario.initial_files() {
            world.write_file(&path, content);
        }
        world.chart_loaded = true;
        world.refresh_chart();
        // What the files describe was applied before the scenario starts; the scenario's pending
        // changes were written after.
        let (infrastructure, problems) =
            infra::Infrastructure::new(&platform, &world.project_files(), world.now);
        world.infra = infrastructure;
        for problem in problems {
            world.log(EventLevel::Warning, problem);
        }
        for (path, content) in world.scenario.pending.clone() {
            world.write_file(&path, content);
        }
        world.refresh_infra();
        for (env, finding) in world.infra.initial_violations() {
            world.post_finding(&env, &finding);
        }
        // Pods that the initial files ask for were running before the scenario starts.
        let running_since = world.now.plus(SimDuration(-WARM_UP.0));
        for environment in &mut world.environments {
            let mut room = environment.capacity;
            for deployment in &mut environment.deployments {
                if let Some(hpa) = &mut deployment.hpa {
                    // An autoscaler that was there before runs within its bounds.
                    hpa.created_at = running_since.plus(SimDuration(-WARM_UP.0));
                    deployment.desired = hpa.spec.min_replicas;
                }
                deployment.start_ready(running_since, &mut room, &mut world.rng);
            }
        }
        // The pull request was opened a little before the scenario starts: its first checks ran.
        if let Some(spec) = world.scenario.pull_request.clone() {
            world.pull_request = Some(crate::delivery::PullRequest::open(
                spec,
                &world.file_contents(),
                world.now.plus(PULL_REQUEST_AGE),
                (
                    platform.pre_production().to_string(),
                    platform.production().to_string(),
                ),
            ));
        }
        // The starting state is not news: the log begins with the first step.
        world.event_log.clear();
        world.kube_events.clear();
        world.changes.clear();
        world.warm_up();
        world
    }

    /// A world built from `scenario` with `actions` replayed, as saved progress restores it.
    pub fn replay(scenario: Scenario, actions: &[Action]) -> Self {
        let mut world = World::new(scenario);
        for action in actions {
            world.apply(action.clone());
        }
        world
    }

    /// Applies one action and records it. Consecutive clock advances and consecutive edits of
    /// the same file are merged in the record, so the log stays short at any speed.
    pub fn apply(&mut self, action: Action) {
        let mut action = action.sanitized();
        // An edit is recorded as the patch from the content before it.
        let edit_before = match &action {
            Action::EditFile { path, .. } | Action::PatchFile { path, .. } => {
                self.files.get(path).map(|file| file.content.clone())
            }
            _ => None,
        };
        if let Action::PatchFile {
            path,
            at,
            delete,
            insert,
        } = &action
        {
            let patched = edit_before
                .as_deref()
                .and_then(|before| action::apply_patch(before, *at, *delete, insert));
            match patched {
                Some(content) => {
                    action = Action::EditFile {
                        path: path.clone(),
                        content,
                    }
                }
                None => {
                    self.log(
                        EventLevel::Warning,
                        format!("ignored a change of `{path}` that does not fit the file"),
                    );
                    return;
                }
            }
        }
        match &action {
            // Turned into an edit above.
            Action::PatchFile { .. } => return,
            Action::Advance { by } => self.advance(*by),
            Action::Apply { env } => {
                let lines = self.infra.start_apply(env, &self.project_files(), self.now);
                for line in lines {
                    self.log(EventLevel::Info, line);
                }
                if self.infra.env(env).is_some_and(|e| e.running.is_some()) {
                    self.mark_change(ChangeMarker {
                        at: self.now,
                        kind: "change",
                        env: env.clone(),
                        service: String::new(),
                        text: "terraform apply".into(),
                    });
                }
            }
            Action::Inject { fault } => {
                if let Err(refused) = fault.check(&self.scenario.platform) {
                    self.log(
                        EventLevel::Warning,
                        format!("fault not injected: {refused}"),
                    );
                    return;
                }
                self.inject(fault.clone());
            }
            Action::PullRequest { command } => {
                if let Err(refused) = self.pull_request_command(command) {
                    self.log(EventLevel::Warning, format!("pull request: {refused}"));
                    return;
                }
            }
            Action::Kubectl { namespace, command } => {
                match crate::kube::kubectl::change_of(self, command, namespace) {
                    Some(change) => self.change_cluster(change),
                    None => {
                        self.log(
                            EventLevel::Warning,
                            format!("ignored `kubectl {command}`: the cluster refuses it"),
                        );
                        return;
                    }
                }
            }
            Action::EditFile { path, content } => {
                if self.files.contains_key(path) {
                    self.write_file(path, content.clone());
                } else {
                    self.log(
                        EventLevel::Warning,
                        format!("ignored an edit of `{path}`: no such file in this world"),
                    );
                    return;
                }
            }
        }
        if let (Action::EditFile { path, content }, Some(before)) = (&action, edit_before) {
            self.record_edit(path, before, content);
            return;
        }
        match (self.actions.last_mut(), &action) {
            (Some(Action::Advance { by: previous }), Action::Advance { by })
                if previous.0 + by.0 <= MAX_ADVANCE.0 =>
            {
                previous.0 += by.0;
            }
            _ => self.actions.push(action),
        }
    }

    /// Records an edit of `path` as a patch; consecutive edits of the same file make one patch
    /// from the content before the first.
    fn record_edit(&mut self, path: &str, before: String, after: &str) {
        let merges = matches!(
            self.actions.last(),
            Some(Action::PatchFile { path: last, .. } | Action::EditFile { path: last, .. })
                if last == path
        );
        let base = match (merges, self.edit_base.take()) {
            (true, Some(base)) => {
                self.actions.pop();
                base
            }
            _ => before,
        };
        self.actions.push(action::patch_between(path, &base, after));
        self.edit_base = Some(base);
    }

    /// The actions applied so far, merged as [`World::apply`] describes.
    pub fn actions(&self) -> &[Action] {
        &self.actions
    }

    /// The scenario this world started from.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// The current simulated instant.
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// Time elapsed since the scenario started.
    pub fn elapsed(&self) -> SimDuration {
        self.now.since(self.scenario.start_time())
    }

    /// A file of the world, by path.
    pub fn file(&self, path: &str) -> Option<&WorldFile> {
        self.files.get(path)
    }

    /// What `helm template` prints for an environment: its manifests, or the chart's errors.
    pub(crate) fn rendered(&self, environment: &str) -> Option<&chart::Rendered> {
        self.rendered.get(environment)
    }

    /// The environments, services and routes this world simulates.
    pub fn platform(&self) -> &Platform {
        &self.scenario.platform
    }

    /// The environments, in promotion order.
    pub fn environments(&self) -> &[Environment] {
        &self.environments
    }

    /// The series the world exposes at this instant, as a Prometheus scrape would see them.
    pub fn series(&self) -> Vec<Sample> {
        let cached = |pairs: &[(&str, &str)]| self.label_cache.get(pairs);
        let mut samples = vec![Sample::new(
            cached(&[("__name__", "opsdojo_sim_elapsed_seconds")]),
            self.elapsed().as_seconds_f64(),
        )];
        for environment in &self.environments {
            for deployment in &environment.deployments {
                let labels = |name: &str| {
                    cached(&[
                        ("__name__", name),
                        ("env", &environment.name),
                        ("namespace", &environment.name),
                        ("deployment", &deployment.service),
                    ])
                };
                let ready = deployment.ready_pods(self.now) as f64;
                samples.push(Sample::new(
                    labels("kube_deployment_spec_replicas"),
                    f64::from(deployment.desired),
                ));
                samples.push(Sample::new(
                    labels("kube_deployment_status_replicas"),
                    deployment.pods.len() as f64,
                ));
                samples.push(Sample::new(
                    labels("kube_deployment_status_replicas_ready"),
                    ready,
                ));
                if let Some(hpa) = &deployment.hpa {
                    self.hpa_series(&mut samples, &environment.name, deployment, hpa);
                }
                for pod in &deployment.pods {
                    let phase = if pod.is_pending() {
                        "Pending"
                    } else {
                        "Running"
                    };
                    let pod_of = |name: &str, last: (&str, &str)| {
                        let (key, value) = last;
                        cached(&[
                            ("__name__", name),
                            ("env", &environment.name),
                            ("namespace", &environment.name),
                            ("deployment", &deployment.service),
                            ("pod", &pod.name),
                            (key, value),
                        ])
                    };
                    let image = deployment.image_of(&pod.hash);
                    samples.push(Sample::new(
                        cached(&[
                            ("__name__", "kube_pod_container_info"),
                            ("env", &environment.name),
                            ("namespace", &environment.name),
                            ("deployment", &deployment.service),
                            ("pod", &pod.name),
                            ("container", "php-fpm"),
                            ("image", &image),
                        ]),
                        1.0,
                    ));
                    if !pod.is_pending() {
                        samples.push(Sample::new(
                            pod_of(
                                "kube_pod_container_status_restarts_total",
                                ("container", "php-fpm"),
                            ),
                            f64::from(pod.restarts),
                        ));
                    }
                    samples.push(Sample::new(
                        pod_of("kube_pod_status_phase", ("phase", phase)),
                        1.0,
                    ));
                }
            }
            samples.push(Sample::new(
                cached(&[
                    ("__name__", "opsdojo_cluster_pod_capacity"),
                    ("env", &environment.name),
                ]),
                environment.capacity as f64,
            ));
        }
        for (environment_index, environment) in self.environments.iter().enumerate() {
            for (service_index, deployment) in environment.deployments.iter().enumerate() {
                let busy = self.metrics.utilization[environment_index][service_index] * 100.0;
                for pod in &deployment.pods {
                    let pod_labels = |name: &str| {
                        cached(&[
                            ("__name__", name),
                            ("env", &environment.name),
                            ("app", &deployment.service),
                            ("pod", &pod.name),
                        ])
                    };
                    // The exporter beside php-fpm reports it down; a pod not started yet
                    // reports nothing.
                    if pod.php_fpm_down(self.now) {
                        samples.push(Sample::new(pod_labels("phpfpm_up"), 0.0));
                        continue;
                    }
                    if !pod.is_ready(self.now) {
                        continue;
                    }
                    samples.push(Sample::new(pod_labels("phpfpm_up"), 1.0));
                    samples.push(Sample::new(
                        pod_labels("phpfpm_active_process_percentage"),
                        busy,
                    ));
                }
            }
        }
        for (environment, load) in self.environments.iter().zip(&self.metrics.databases) {
            let database = &environment.database;
            let labels = |name: &str| {
                cached(&[
                    ("__name__", name),
                    ("env", &environment.name),
                    ("dbinstance_identifier", &database.identifier),
                ])
            };
            samples.push(Sample::new(
                labels("aws_rds_cpuutilization_average"),
                // An idle instance still runs its own housekeeping.
                (3.0 + 97.0 * load.utilization).min(100.0),
            ));
            samples.push(Sample::new(
                labels("aws_rds_database_connections_average"),
                load.connections,
            ));
            samples.push(Sample::new(
                labels("aws_rds_multi_az"),
                f64::from(u8::from(database.multi_az)),
            ));
            samples.push(Sample::new(
                cached(&[
                    ("__name__", "aws_rds_instance_info"),
                    ("env", &environment.name),
                    ("dbinstance_identifier", &database.identifier),
                    ("instance_class", database.class.name),
                ]),
                1.0,
            ));
        }
        self.infra_series(&mut samples);
        self.pull_request_series(&mut samples);
        samples
    }

    /// The pull request's state as the delivery exporter gives it (checks, approvals, merge),
    /// and its preview environment once it answers: its deployment and the blackbox probe of
    /// its URL.
    fn pull_request_series(&self, samples: &mut Vec<Sample>) {
        let Some(pull) = &self.pull_request else {
            return;
        };
        let number = pull.spec.number.to_string();
        let pr = |name: &str| Labels::named(name).with("pull_request", &number);
        for check in &pull.checks {
            let success = check.status_at(self.now) == crate::delivery::CheckStatus::Success;
            samples.push(Sample::new(
                pr("opsdojo_pull_request_check_success").with("check", &check.name),
                f64::from(u8::from(success)),
            ));
        }
        samples.push(Sample::new(
            pr("opsdojo_pull_request_approvals"),
            pull.approvals.len() as f64,
        ));
        samples.push(Sample::new(
            pr("opsdojo_pull_request_merged"),
            f64::from(u8::from(pull.merged_at.is_some())),
        ));
        let Some(preview) = pull.preview_ready(self.now) else {
            return;
        };
        let labels = |name: &str| {
            Labels::named(name)
                .with("env", &preview.namespace)
                .with("namespace", &preview.namespace)
        };
        samples.push(Sample::new(
            labels("kube_deployment_status_replicas_ready").with("deployment", &pull.spec.service),
            1.0,
        ));
        samples.push(Sample::new(
            labels("probe_success").with("instance", &preview.url),
            1.0,
        ));
        // A small, steady probe time: the preview serves only its smoke tests.
        let wobble = (self.now.epoch_ms() / 15_000 % 7) as f64 * 0.004;
        samples.push(Sample::new(
            labels("probe_duration_seconds").with("instance", &preview.url),
            0.081 + wobble,
        ));
        samples.push(Sample::new(
            labels("opsdojo_preview_info")
                .with("url", &preview.url)
                .with("commit", &preview.commit)
                .with("pull_request", &pull.spec.number.to_string()),
            1.0,
        ));
    }

    /// A HorizontalPodAutoscaler's series, named as kube-state-metrics names them.
    fn hpa_series(
        &self,
        samples: &mut Vec<Sample>,
        env: &str,
        deployment: &Deployment,
        hpa: &deployment::Hpa,
    ) {
        let with = |name: &str, more: &[(&str, &str)]| {
            let mut pairs = vec![
                ("__name__", name),
                ("env", env),
                ("namespace", env),
                ("horizontalpodautoscaler", deployment.service.as_str()),
            ];
            pairs.extend_from_slice(more);
            self.label_cache.get(&pairs)
        };
        let labels = |name: &str| with(name, &[]);
        for (name, value) in [
            (
                "kube_horizontalpodautoscaler_spec_min_replicas",
                hpa.spec.min_replicas,
            ),
            (
                "kube_horizontalpodautoscaler_spec_max_replicas",
                hpa.spec.max_replicas,
            ),
            (
                "kube_horizontalpodautoscaler_status_current_replicas",
                deployment.pods.len() as u32,
            ),
            (
                "kube_horizontalpodautoscaler_status_desired_replicas",
                deployment.desired,
            ),
        ] {
            samples.push(Sample::new(labels(name), f64::from(value)));
        }
        samples.push(Sample::new(
            with(
                "kube_horizontalpodautoscaler_spec_target_metric",
                &[
                    ("metric_name", deployment::METRIC),
                    ("metric_target_type", "average"),
                ],
            ),
            hpa.spec.target,
        ));
        for condition in &hpa.state.conditions {
            for status in ["true", "false"] {
                samples.push(Sample::new(
                    with(
                        "kube_horizontalpodautoscaler_status_condition",
                        &[("condition", condition.kind), ("status", status)],
                    ),
                    f64::from(u8::from(condition.status == (status == "true"))),
                ));
            }
        }
    }

    /// What Terraform and AWS Config say of each environment: the pending plan, applies, the
    /// monthly cost, non-compliant resources per rule.
    fn infra_series(&self, samples: &mut Vec<Sample>) {
        for infra in &self.infra.envs {
            let labels = |name: &str| Labels::named(name).with("env", &infra.env);
            let counts = infra.outcome.plan.as_ref().map(|p| p.counts());
            for (action, count) in [
                ("add", counts.map(|c| c.0)),
                ("change", counts.map(|c| c.1)),
                ("destroy", counts.map(|c| c.2)),
            ] {
                if let Some(count) = count {
                    samples.push(Sample::new(
                        labels("opsdojo_terraform_plan_changes").with("action", action),
                        count as f64,
                    ));
                }
            }
            let errors = infra
                .outcome
                .diagnostics
                .iter()
                .filter(|d| d.is_error())
                .count();
            samples.push(Sample::new(
                labels("opsdojo_terraform_plan_errors"),
                errors as f64,
            ));
            samples.push(Sample::new(
                labels("opsdojo_terraform_applies_total"),
                infra.applies as f64,
            ));
            samples.push(Sample::new(
                labels("opsdojo_terraform_apply_running"),
                f64::from(u8::from(infra.running.is_some())),
            ));
            samples.push(Sample::new(
                labels("opsdojo_terraform_resources_destroyed_total"),
                infra.destroyed as f64,
            ));
            let mut by_type: BTreeMap<&str, usize> = BTreeMap::new();
            for resource in infra.state.resources.values() {
                *by_type.entry(resource.type_name.as_str()).or_default() += 1;
            }
            for (type_name, count) in by_type {
                samples.push(Sample::new(
                    labels("opsdojo_terraform_state_resources").with("type", type_name),
                    count as f64,
                ));
            }
            samples.push(Sample::new(
                labels("opsdojo_infra_monthly_cost_dollars"),
                infra::state_cost(&infra.state),
            ));
            for rule in infra::CONFIG_RULES
                .iter()
                .filter(|r| r.applies_to(infra.stage))
            {
                let failing = infra
                    .findings
                    .iter()
                    .filter(|f| f.rule == rule.name && !f.compliant)
                    .count();
                samples.push(Sample::new(
                    labels("aws_config_noncompliant_resources").with("config_rule_name", rule.name),
                    failing as f64,
                ));
            }
        }
    }

    /// A copy of what the UI shows, detached from the world.
    pub fn snapshot(&self) -> WorldSnapshot {
        WorldSnapshot::of(self)
    }

    pub(crate) fn event_log(&self) -> &[EventLogEntry] {
        &self.event_log
    }

    pub(crate) fn files(&self) -> &BTreeMap<String, WorldFile> {
        &self.files
    }

    fn advance(&mut self, by: SimDuration) {
        self.carry = SimDuration(self.carry.0.saturating_add(by.0));
        let tick = self.scenario.tick;
        while self.carry >= tick {
            self.carry = SimDuration(self.carry.0 - tick.0);
            self.step(tick);
        }
    }

    /// One simulated step, in the documented tick order.
    fn step(&mut self, tick: SimDuration) {
        self.now = self.now.plus(tick);
        self.fire_scheduled_events();
        self.step_pull_request();
        self.step_infra();
        self.autoscale();
        self.reconcile_deployments(tick);
        self.serve_traffic(tick);
        self.scrape();
        let previous = self.now.plus(SimDuration(-tick.0));
        for line in self.monitoring.step(&mut self.store, previous, self.now) {
            self.log(EventLevel::Info, line);
        }
    }

    /// Rules, Alertmanager and chat channels.
    pub fn monitoring(&self) -> &alerting::Monitoring {
        &self.monitoring
    }

    /// Changes made to the running platform, oldest first.
    pub fn changes(&self) -> &[ChangeMarker] {
        &self.changes
    }

    /// The traffic model for one step: arrivals against ready capacity, into the counters.
    fn serve_traffic(&mut self, tick: SimDuration) {
        let step_seconds = tick.as_seconds_f64();
        let mut loads = Vec::with_capacity(self.environments.len());
        let mut database_loads = Vec::with_capacity(self.environments.len());
        let platform = self.scenario.platform.clone();
        for (environment, environment_spec) in self.environments.iter().zip(&platform.environments)
        {
            let mut arrivals = Vec::with_capacity(environment.deployments.len());
            for deployment in &environment.deployments {
                let mut rate = traffic::arrival_rate(
                    environment_spec,
                    &platform.daily,
                    self.now,
                    &mut self.rng,
                );
                for event in self.scenario.events.iter().chain(&self.injected_events) {
                    let Some(burst) = &event.burst else { continue };
                    let started = self.scenario.start_time().plus(event.at);
                    if burst.env == environment.name
                        && burst
                            .service
                            .as_ref()
                            .is_none_or(|s| *s == deployment.service)
                        && burst.is_active(started, self.now)
                    {
                        rate *= burst.factor;
                    }
                }
                arrivals.push((rate, deployment.ready_pods(self.now)));
            }
            // The database sees the queries of every service that has a pod to send them.
            let demand = environment
                .deployments
                .iter()
                .zip(&platform.services)
                .zip(&arrivals)
                .filter(|(_, (_, ready))| *ready > 0)
                .map(|((_, service), (rate, _))| traffic::database_demand(service, *rate))
                .sum();
            let database = environment.database.load(demand);
            database_loads.push(database);
            let mut services = Vec::with_capacity(environment.deployments.len());
            let services_of = environment.deployments.iter().zip(&platform.services);
            for ((deployment, service), (rate, ready)) in services_of.zip(arrivals) {
                let mut load = traffic::serve(service, rate, ready, step_seconds, &database);
                let events = self.scenario.events.iter().chain(&self.injected_events);
                for (index, event) in events.enumerate() {
                    let Some(fault) = &event.fault else { continue };
                    let started = self.scenario.start_time().plus(event.at);
                    if fault.env == environment.name
                        && fault.service == deployment.service
                        && fault.is_active(started, self.now)
                    {
                        // A release's fault is in its pods: it hits the share they serve.
                        match self.release_templates.get(&index) {
                            Some(hash)
                                if event.release.as_ref().is_some_and(|r| {
                                    r.env == fault.env && r.service == fault.service
                                }) =>
                            {
                                let mut scaled = fault.clone();
                                scaled.share *= deployment.ready_share_of(hash, self.now);
                                traffic::inject(&mut load, service, &scaled);
                            }
                            _ => traffic::inject(&mut load, service, fault),
                        }
                    }
                }
                // A bug the pull request's version carries follows that version's pods.
                let released_fault = self.pull_request.as_ref().and_then(|pull| {
                    let fault = pull.spec.fault.as_ref()?;
                    (fault.env == environment.name && fault.service == deployment.service)
                        .then_some((fault, pull.spec.version.as_str()))
                });
                if let Some((fault, version)) = released_fault {
                    let mut scaled = fault.clone();
                    scaled.share *= deployment.ready_share_running(version, self.now);
                    if scaled.share > 0.0 {
                        traffic::inject(&mut load, service, &scaled);
                    }
                }
                if deployment.service == "external-signin"
                    && self
                        .infra
                        .env(&environment.name)
                        .is_some_and(|infra| infra.key_revoked)
                {
                    traffic::inject(
                        &mut load,
                        service,
                        &infra::revoked_key_fault(&environment.name),
                    );
                }
                services.push(load);
            }
            loads.push(services);
        }
        self.metrics.record(&loads);
        self.metrics.databases = database_loads;
    }

    /// Writes every exposed series into the store at the current instant, as a scrape does.
    fn scrape(&mut self) {
        let t = self.now.epoch_ms();
        let mut written = rustc_hash::FxHashSet::default();
        written.reserve(self.last_gauges.len());
        for sample in self.series() {
            self.store.append(&sample.labels, t, sample.value);
            written.insert(sample.labels);
        }
        // A series that is no longer exposed (a terminated pod) ends with a staleness marker.
        for vanished in self.last_gauges.difference(&written) {
            self.store
                .append(vanished, t, crate::promql::stale_marker());
        }
        self.last_gauges = written;
        self.metrics.scrape_into(&mut self.store, self.now);
        self.store.enforce_retention();
    }

    /// Fills the store with the hour of traffic before the scenario starts, so dashboards and
    /// rates have history from the first instant.
    fn warm_up(&mut self) {
        let start = self.now;
        let tick = self.scenario.tick;
        self.now = start.plus(SimDuration(-WARM_UP.0));
        self.scrape();
        while self.now < start {
            self.now = self.now.plus(tick);
            self.serve_traffic(tick);
            self.scrape();
        }
    }

    /// The world's time-series store, as Prometheus would hold it.
    pub fn store(&self) -> &SeriesStore {
        &self.store
    }

    fn fire_scheduled_events(&mut self) {
        while let Some(event) = self.scenario.events.get(self.next_event) {
            if self.scenario.start_time().plus(event.at) > self.now {
                break;
            }
            let index = self.next_event;
            self.next_event += 1;
            self.fire_event(index);
        }
    }

    /// A fault a facilitator injects now: it acts as a scheduled event at this instant.
    fn inject(&mut self, fault: injection::Injection) {
        let at = self.elapsed();
        self.injected_events.push(fault.event(at));
        self.injected
            .push(injection::PlannedFault { after: at, fault });
        self.fire_event(self.scenario.events.len() + self.injected_events.len() - 1);
    }

    /// Makes the event numbered `index` happen (the scenario's first, then the injected ones).
    fn fire_event(&mut self, index: usize) {
        let count = self.scenario.events.len();
        let event = match index.checked_sub(count) {
            None => self.scenario.events.get(index),
            Some(injected) => self.injected_events.get(injected),
        };
        let Some(event) = event else { return };
        let text = event.note.clone();
        let release = event.release.clone();
        let crash = event.crash.clone();
        let drift = event.drift.clone();
        // A game's faults say nothing: participants see only their symptoms.
        if !text.is_empty() {
            self.log(EventLevel::Info, text);
        }
        if let Some(drift) = drift {
            if self.infra.drift(&drift.env, &drift.attribute, drift.value) {
                self.refresh_infra();
                for (env, finding) in self.infra.evaluate_compliance(self.now) {
                    self.post_finding(&env, &finding);
                }
            }
        }
        if let Some(crash) = crash {
            let now = self.now;
            let broken = deployment_mut(&mut self.environments, &crash.env, &crash.service)
                .and_then(|d| d.break_php_fpm(now));
            if let Some(pod) = broken {
                self.record(
                    crate::kube::KubeEvent::new(
                        now,
                        &crash.env,
                        "Unhealthy",
                        format!("pod/{pod}"),
                        "Liveness probe failed: php-fpm exited with code 255".into(),
                    )
                    .warn(),
                );
            }
        }
        if let Some(release) = release {
            if let Some(hash) = self.roll_out(&release.env, &release.service, &release.version) {
                self.release_templates.insert(index, hash);
            }
        }
    }

    /// Rolls a new version of a service out in an environment, marked on its dashboards;
    /// returns the new pod template's hash.
    fn roll_out(&mut self, env: &str, service: &str, version: &str) -> Option<String> {
        let now = self.now;
        let rolled = deployment_mut(&mut self.environments, env, service).map(|d| {
            let hash = d.release(version, &mut self.rng);
            (hash, d.revision, d.replica_set())
        });
        let (hash, revision, replica_set) = rolled?;
        self.record(crate::kube::KubeEvent::new(
            now,
            env,
            "DeploymentRollout",
            format!("deployment/{service}"),
            format!(
                "Rolling out {service}:{version} to revision {revision}: replica set {replica_set}"
            ),
        ));
        self.mark_change(ChangeMarker {
            at: now,
            kind: "deploy",
            text: format!("{service} {version} deployed"),
            env: env.to_string(),
            service: service.to_string(),
        });
        Some(hash)
    }

    /// The contents of the world's files, by path.
    fn file_contents(&self) -> BTreeMap<String, String> {
        self.files
            .iter()
            .map(|(path, file)| (path.clone(), file.content.clone()))
            .collect()
    }

    /// The share of a service's php-fpm workers busy in an environment, from 0 to 1.
    pub fn php_fpm_busy(&self, env: &str, service: &str) -> Option<f64> {
        let env_index = self.environments.iter().position(|e| e.name == env)?;
        let service_index = self.environments[env_index]
            .deployments
            .iter()
            .position(|d| d.service == service)?;
        self.metrics
            .utilization
            .get(env_index)?
            .get(service_index)
            .copied()
    }

    /// The faults a facilitator injected, with when, oldest first.
    pub fn injected(&self) -> &[injection::PlannedFault] {
        &self.injected
    }

    /// The open pull request, if the scenario has one.
    pub fn pull_request(&self) -> Option<&crate::delivery::PullRequest> {
        self.pull_request.as_ref()
    }

    /// Runs a command on the pull request; what it says is kept on the pull request. The
    /// world adds what the pull request cannot see (a promotion waits for the environment
    /// before production to be ready) and carries out what a command starts (deployments,
    /// messages in the deploys channel).
    fn pull_request_command(&mut self, line: &str) -> Result<(), String> {
        use crate::delivery::{Delivery, PullCommand};
        let files = self.file_contents();
        let now = self.now;
        let platform = self.scenario.platform.clone();
        let Some(pull) = self.pull_request.as_mut() else {
            return Err("this world has no pull request".into());
        };
        let command = PullCommand::parse(line);
        let outcome = command.clone().and_then(|command| {
            let service = &pull.spec.service;
            let first = platform.pre_production();
            let mut staged = || {
                deployment_mut(&mut self.environments, first, service)
                    .is_some_and(|d| !d.rolling_out() && d.ready_pods(now) >= d.desired as usize)
            };
            if command == PullCommand::Promote && pull.delivery == Delivery::Staging && !staged() {
                return Err(format!(
                    "{first} is still rolling {service} out: wait for it to be ready"
                ));
            }
            pull.run(&command, &files, now)
        });
        pull.last_outcome = Some(outcome.clone());
        let message = outcome?;
        let (service, version, number) = (
            pull.spec.service.clone(),
            pull.spec.version.clone(),
            pull.spec.number,
        );
        self.log(
            EventLevel::Info,
            format!("pull request #{number}: {message}"),
        );
        match command? {
            PullCommand::Promote => {
                let production = platform.production();
                self.roll_out(production, &service, &version);
                self.post_deploy(format!("{service} {version} promoted to {production}"));
            }
            PullCommand::Rollback => self.change_cluster(crate::kube::kubectl::Change::Undo {
                namespace: platform.production().into(),
                deployment: service,
            }),
            PullCommand::Merge => self.post_deploy(format!(
                "#{number} merged: building {service}:{version} on main"
            )),
            _ => {}
        }
        Ok(())
    }

    /// A step of the pull request: checks finish, reviewers approve, a merged build deploys.
    fn step_pull_request(&mut self) {
        let now = self.now;
        let Some(pull) = self.pull_request.as_mut() else {
            return;
        };
        let service = pull.spec.service.clone();
        for (env, version) in pull.step(now) {
            self.roll_out(&env, &service, &version);
            self.post_deploy(format!("{service} {version} deploying to {env}"));
        }
    }

    /// A message from the delivery pipeline in the platform's deploys channel.
    fn post_deploy(&mut self, text: String) {
        self.monitoring.post(crate::alertmanager::ChatMessage {
            at: self.now,
            channel: self.scenario.platform.chat.deploys.clone(),
            receiver: "jenkins".into(),
            status: "resolved",
            title: "Jenkins".into(),
            text,
            group_labels: BTreeMap::new(),
            alerts: Vec::new(),
        });
    }

    /// Records a change to the platform for the dashboards, forgetting the oldest past a bound.
    fn mark_change(&mut self, marker: ChangeMarker) {
        if self.changes.len() == EVENT_LOG_CAPACITY {
            self.changes.remove(0);
        }
        self.changes.push(marker);
    }

    /// Each autoscaler reads its pods' php-fpm load of the last step and sets the replicas.
    fn autoscale(&mut self) {
        let mut events = Vec::new();
        let mut markers = Vec::new();
        for (environment_index, environment) in self.environments.iter_mut().enumerate() {
            for (service_index, deployment) in environment.deployments.iter_mut().enumerate() {
                let busy = self.metrics.utilization[environment_index][service_index] * 100.0;
                let before = deployment.desired;
                if let Some(message) = deployment.autoscale(self.now, busy) {
                    events.push(crate::kube::KubeEvent::new(
                        self.now,
                        &environment.name,
                        "SuccessfulRescale",
                        format!("horizontalpodautoscaler/{}", deployment.service),
                        message,
                    ));
                    markers.push(ChangeMarker {
                        at: self.now,
                        kind: "change",
                        env: environment.name.clone(),
                        service: deployment.service.clone(),
                        text: format!(
                            "HPA scaled {} from {before} to {}",
                            deployment.service, deployment.desired
                        ),
                    });
                }
            }
        }
        for event in events {
            self.record(event);
        }
        for marker in markers {
            self.mark_change(marker);
        }
    }

    fn reconcile_deployments(&mut self, step: SimDuration) {
        let mut events = Vec::new();
        for environment in &mut self.environments {
            let scheduled: usize = environment
                .deployments
                .iter()
                .map(|d| d.pods.len() - d.pending_pods())
                .sum();
            let mut room = environment.capacity.saturating_sub(scheduled);
            for deployment in &mut environment.deployments {
                events.extend(deployment.reconcile(
                    self.now,
                    step,
                    &environment.name,
                    environment.capacity,
                    &mut room,
                    &mut self.rng,
                ));
            }
        }
        for event in events {
            self.record(event);
        }
    }

    /// Applies a kubectl change: a rollout (restart or undo) or a deleted pod.
    fn change_cluster(&mut self, change: crate::kube::kubectl::Change) {
        use crate::kube::kubectl::Change;
        let now = self.now;
        let (namespace, name) = match &change {
            Change::Restart {
                namespace,
                deployment,
            }
            | Change::Undo {
                namespace,
                deployment,
            } => (namespace.clone(), deployment.clone()),
            Change::DeletePod { namespace, pod } => (namespace.clone(), pod.clone()),
        };
        let Some(environment) = self.environments.iter_mut().find(|e| e.name == namespace) else {
            return;
        };
        let mut events = Vec::new();
        let mut marker = None;
        match change {
            Change::Restart { .. } | Change::Undo { .. } => {
                let Some(deployment) = environment
                    .deployments
                    .iter_mut()
                    .find(|d| d.service == name)
                else {
                    return;
                };
                let undo = matches!(change, Change::Undo { .. });
                let replica_set = if undo {
                    deployment.undo()
                } else {
                    Some(deployment.restart(&mut self.rng))
                };
                let Some(replica_set) = replica_set else {
                    return;
                };
                events.push(crate::kube::KubeEvent::new(
                    now,
                    &namespace,
                    if undo {
                        "DeploymentRollback"
                    } else {
                        "DeploymentRestart"
                    },
                    format!("deployment/{name}"),
                    format!(
                        "{} to revision {}: replica set {replica_set}",
                        if undo { "Rolled back" } else { "Restarted" },
                        deployment.revision
                    ),
                ));
                marker = Some(ChangeMarker {
                    at: now,
                    kind: "deploy",
                    env: namespace.clone(),
                    service: name.clone(),
                    text: format!("{name} {}", if undo { "rolled back" } else { "restarted" }),
                });
            }
            Change::DeletePod { .. } => {
                for deployment in &mut environment.deployments {
                    if let Some(index) = deployment.pods.iter().position(|p| p.name == name) {
                        deployment.pods.remove(index);
                        events.push(crate::kube::KubeEvent::new(
                            now,
                            &namespace,
                            "Killing",
                            format!("pod/{name}"),
                            "Stopping container php-fpm".into(),
                        ));
                    }
                }
            }
        }
        for event in events {
            self.record(event);
        }
        if let Some(marker) = marker {
            self.mark_change(marker);
        }
    }

    /// Records a Kubernetes event and its line in the world's log.
    fn record(&mut self, event: crate::kube::KubeEvent) {
        let level = if event.warning {
            EventLevel::Warning
        } else {
            EventLevel::Info
        };
        self.log(level, event.log_line());
        if self.kube_events.len() == EVENT_LOG_CAPACITY {
            self.kube_events.remove(0);
        }
        self.kube_events.push(event);
    }

    /// Kubernetes events, oldest first.
    pub fn kube_events(&self) -> &[crate::kube::KubeEvent] {
        &self.kube_events
    }

    /// The Terraform project's files, by path inside `terraform/`.
    fn project_files(&self) -> crate::terraform::Files {
        infra::project_files(self.files.iter().map(|(path, file)| (path, &file.content)))
    }

    /// The Terraform project as the infrastructure views it.
    pub fn infrastructure(&self) -> &infra::Infrastructure {
        &self.infra
    }

    /// Plans every environment again and puts the plans' diagnostics on the project's files.
    fn refresh_infra(&mut self) {
        let files = self.project_files();
        self.infra.replan(&files);
        let mut diagnostics = self.infra.diagnostics(&files);
        for (path, file) in self.files.iter_mut() {
            if path.starts_with(infra::TERRAFORM_DIR) {
                file.diagnostics = diagnostics.remove(path).unwrap_or_default();
            }
        }
        self.sync_databases();
    }

    /// Running applies move on; what completed reaches the platform and the compliance rules.
    fn step_infra(&mut self) {
        let (lines, changed) = self.infra.step(self.now);
        for (level, line) in lines {
            self.log(level, line);
        }
        if changed {
            self.refresh_infra();
            for (env, finding) in self.infra.evaluate_compliance(self.now) {
                self.post_finding(&env, &finding);
            }
        } else {
            self.sync_databases();
        }
    }

    /// Each environment's database follows its state: class, Multi-AZ, availability.
    fn sync_databases(&mut self) {
        let now = self.now;
        let mut markers = Vec::new();
        for environment in &mut self.environments {
            let Some(view) = self.infra.database(&environment.name, now) else {
                continue;
            };
            let database = &mut environment.database;
            if let Some(class) = database::instance_class(&view.class) {
                if class.name != database.class.name {
                    markers.push(ChangeMarker {
                        at: now,
                        kind: "change",
                        env: environment.name.clone(),
                        service: String::new(),
                        text: format!("database {} → {}", database.class.name, class.name),
                    });
                }
                database.class = class;
            }
            if !view.identifier.is_empty() {
                database.identifier = view.identifier;
            }
            database.multi_az = view.multi_az;
            database.available = view.available;
        }
        for marker in markers {
            self.mark_change(marker);
        }
    }

    /// Posts a compliance change to the environment's infrastructure channel.
    fn post_finding(&mut self, env: &str, finding: &infra::Finding) {
        let text = infra::finding_text(finding, infra::REGION);
        self.monitoring.post(crate::alertmanager::ChatMessage {
            at: self.now,
            channel: format!("{}{env}", self.scenario.platform.chat.infra),
            receiver: "aws-config".into(),
            status: if finding.compliant {
                "resolved"
            } else {
                "firing"
            },
            title: format!(
                "{env} - {} - {}",
                finding.rule,
                if finding.compliant {
                    "COMPLIANT"
                } else {
                    "NON_COMPLIANT"
                }
            ),
            text: text.clone(),
            group_labels: BTreeMap::new(),
            alerts: Vec::new(),
        });
        self.log(
            if finding.compliant {
                EventLevel::Info
            } else {
                EventLevel::Warning
            },
            format!("{env}: AWS Config: {text}"),
        );
    }

    fn write_file(&mut self, path: &str, content: String) {
        let file = WorldFile::parse(path, content, &self.scenario.platform);
        self.monitoring.load(path, &file.content, self.now);
        self.files.insert(path.to_string(), file);
        if path.starts_with(infra::TERRAFORM_DIR) && !self.infra.envs.is_empty() {
            self.refresh_infra();
        }
        if path.starts_with(chart::CHART_DIR) && self.chart_loaded {
            self.refresh_chart();
        }
    }

    /// Renders the chart for every environment, puts its errors on the chart's files, and has
    /// each environment run what it rendered, unless a values file of it has errors.
    fn refresh_chart(&mut self) {
        // Each chart file starts again from what reading it alone finds.
        let platform = self.scenario.platform.clone();
        let mut blocked: Vec<&str> = Vec::new();
        for (path, file) in self.files.iter_mut() {
            if !path.starts_with(chart::CHART_DIR) {
                continue;
            }
            file.diagnostics = WorldFile::parse(path, file.content.clone(), &platform).diagnostics;
            if file.diagnostics.iter().any(Diagnostic::is_error) {
                match files::values_file_env(path, &platform) {
                    Some(env) => blocked.push(env),
                    None => blocked.extend(platform.environment_names()),
                }
            }
        }
        let ChartRender {
            rendered,
            errors,
            wanted,
        } = self.render_chart(&platform);
        self.rendered = rendered;
        for (path, diagnostics) in chart::diagnostics(&errors, platform.environments.len()) {
            if let Some(file) = self.files.get_mut(&path) {
                let content = file.content.clone();
                file.diagnostics
                    .extend(diagnostics.into_iter().map(|d| d.with_span_in(&content)));
            }
        }
        for (environment, values) in wanted {
            if !blocked.contains(&environment) {
                self.run_values(environment, &values);
            }
        }
    }

    /// `helm template` for every environment, from the files as they are.
    fn render_chart<'p>(&self, platform: &'p Platform) -> ChartRender<'p> {
        let chart_files =
            chart::chart_files(self.files.iter().map(|(path, file)| (path, &file.content)));
        let mut rendered_by_env = BTreeMap::new();
        let mut errors = Vec::new();
        let mut wanted = Vec::new();
        for environment in platform.environment_names() {
            let values = self
                .files
                .get(&values_file_path(environment))
                .map_or("", |file| file.content.as_str());
            let mut rendered = chart::render(
                &chart_files,
                environment,
                values,
                self.scenario.seed,
                self.now.epoch_ms(),
            );
            let desired = match &rendered.manifests {
                Ok(manifests) => chart::desired(manifests, platform),
                Err(found) => Err(found.clone()),
            };
            match desired {
                Ok(values) => wanted.push((environment, values)),
                Err(found) => {
                    if rendered.manifests.is_ok() {
                        rendered.text = found
                            .iter()
                            .map(|error| format!("Error: {}{error}\n", chart::CHART_DIR))
                            .collect();
                    }
                    errors.extend(found.into_iter().map(|error| (environment, error)));
                }
            }
            rendered_by_env.insert(environment.to_string(), rendered);
        }
        ChartRender {
            rendered: rendered_by_env,
            errors,
            wanted,
        }
    }

    /// Has an environment's deployments run as `values` asks: autoscalers created or removed,
    /// replicas of the others scaled.
    fn run_values(&mut self, environment: &str, values: &files::DeployValues) {
        let mut messages = Vec::new();
        let mut changes = Vec::new();
        if let Some(env) = self.environments.iter_mut().find(|e| e.name == environment) {
            for deployment in &mut env.deployments {
                let autoscaling = values.autoscaling.get(&deployment.service);
                let had_autoscaler = deployment.hpa.is_some();
                deployment.set_autoscaler(autoscaling.map(files::hpa_spec), self.now);
                if autoscaling.is_some() != had_autoscaler {
                    messages.push(format!(
                        "{environment}: horizontalpodautoscaler `{}` {}",
                        deployment.service,
                        if had_autoscaler { "deleted" } else { "created" }
                    ));
                }
                // An autoscaler owns the count (its next sync brings it within its bounds);
                // without one, the Deployment's replicas set it.
                if autoscaling.is_some() {
                    continue;
                }
                let Some(&wanted) = values.replicas.get(&deployment.service) else {
                    continue;
                };
                if wanted != deployment.desired {
                    messages.push(format!(
                        "{environment}: deployment `{}` scaled from {} to {wanted} replicas",
                        deployment.service, deployment.desired
                    ));
                    changes.push(ChangeMarker {
                        at: self.now,
                        kind: "change",
                        env: environment.to_string(),
                        service: deployment.service.clone(),
                        text: format!(
                            "{} scaled from {} to {wanted}",
                            deployment.service, deployment.desired
                        ),
                    });
                    deployment.desired = wanted;
                }
            }
        }
        for message in messages {
            self.log(EventLevel::Info, message);
        }
        for change in changes {
            self.mark_change(change);
        }
    }

    fn log(&mut self, level: EventLevel, text: String) {
        if self.event_log.len() == EVENT_LOG_CAPACITY {
            self.event_log.remove(0);
        }
        self.event_log.push(EventLogEntry {
            at: self.now,
            level,
            text,
        });
    }
}
