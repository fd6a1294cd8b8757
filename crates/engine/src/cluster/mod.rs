//! The cluster as a tool of the world: every environment's namespace with its deployments,
//! pods and autoscalers, the chart each one runs (`chart.rs`, read from the values files of
//! `values.rs`), the Kubernetes events its controllers record, and the changes kubectl makes.
//!
//! Each step, the autoscalers read their pods' php-fpm load of the last step and set the
//! replicas, then the deployments move their pods toward them within the room the nodes have.
//! A rollout, a restart or a crash comes from the world's other tools and events; what
//! follows elsewhere (a line in the event log, a marker on the dashboards, the chart's errors
//! on its files) comes back as effects.

pub mod chart;
mod series;
mod snapshot;
mod tool;
pub mod values;

pub use snapshot::{
    ClusterSnapshot, DeploymentSnapshot, EnvironmentSnapshot, HpaSnapshot, ManifestsSnapshot,
    PodSnapshot, ScalingLimit,
};

use crate::diagnostic::Diagnostic;
use crate::helm::Manifest;
use crate::kube::deployment::Deployment;
use crate::kube::kubectl::{self, Change};
use crate::kube::{Cluster, KubeEvent, Namespace};
use crate::platform::Platform;
use crate::promql::Sample;
use crate::rng::SimRng;
use crate::time::{SimDuration, SimTime};
use crate::tool::{ChangeKind, ChangeMarker, Effect, EventLevel, Lent, Surroundings, Tool};
use chart::{Rendered, CHART_DIR};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use values::DeployValues;

/// How many Kubernetes events the cluster keeps; older ones are dropped.
const EVENTS_KEPT: usize = 500;

/// One environment and the deployments running in it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Environment {
    pub name: String,
    pub deployments: Vec<Deployment>,
    /// How many php-fpm pods the cluster has room for, over all its deployments: pods past
    /// that wait in `Pending`. From the platform, not saved.
    #[serde(skip)]
    pub capacity: usize,
}

/// The cluster: its namespaces, what the chart renders for each, and its events.
#[derive(Debug, Clone, Default)]
pub struct Kubernetes {
    environments: Vec<Environment>,
    /// What the cluster's controllers did, as `kubectl get events` lists it.
    events: Vec<KubeEvent>,
    /// What `helm template` gives for each environment, by environment.
    rendered: BTreeMap<String, Rendered>,
    /// False while the world writes its first files: the chart is rendered once they are all
    /// in ([`Kubernetes::load`]).
    loaded: bool,
}

/// What a checkpoint keeps of the cluster: the rendered manifests are rendered again.
#[derive(Serialize, Deserialize)]
pub struct ClusterState {
    environments: Vec<Environment>,
    events: Vec<KubeEvent>,
}

impl Kubernetes {
    /// The platform's namespaces, each with a deployment of every service and no pod yet.
    pub fn new(platform: &Platform) -> Self {
        Kubernetes {
            environments: platform
                .environments
                .iter()
                .map(|spec| Environment {
                    name: spec.name.clone(),
                    deployments: platform.service_names().map(Deployment::new).collect(),
                    capacity: spec.cluster,
                })
                .collect(),
            ..Kubernetes::default()
        }
    }

    /// The environments, in promotion order.
    pub fn environments(&self) -> &[Environment] {
        &self.environments
    }

    /// Kubernetes events, oldest first.
    pub fn events(&self) -> &[KubeEvent] {
        &self.events
    }

    /// What `helm template` prints for an environment: its manifests, or the chart's errors.
    pub fn rendered(&self, environment: &str) -> Option<&Rendered> {
        self.rendered.get(environment)
    }

    /// Forgets what the controllers did so far: the state a world starts in is not news.
    pub fn forget_events(&mut self) {
        self.events.clear();
    }

    /// Renders the chart from the files as they are, once the world has written them all, and
    /// follows the chart's files from now on.
    pub fn load(&mut self, world: &dyn Surroundings) -> Vec<Effect> {
        self.loaded = true;
        self.refresh(world)
    }

    /// The pods every deployment asks for, running since `since`; an autoscaler that was there
    /// before runs within its bounds.
    pub fn start_running(&mut self, since: SimTime, created: SimTime, rng: &mut SimRng) {
        for environment in &mut self.environments {
            let mut room = environment.capacity;
            for deployment in &mut environment.deployments {
                if let Some(hpa) = &mut deployment.hpa {
                    hpa.created_at = created;
                    deployment.desired = hpa.spec.min_replicas;
                }
                deployment.start_ready(since, &mut room, rng);
            }
        }
    }

    fn deployment_mut(&mut self, env: &str, service: &str) -> Option<&mut Deployment> {
        self.environments
            .iter_mut()
            .filter(|e| e.name == env)
            .flat_map(|e| e.deployments.iter_mut())
            .find(|d| d.service == service)
    }

    /// Records a Kubernetes event, with its line for the world's log.
    fn record(&mut self, event: KubeEvent, effects: &mut Vec<Effect>) {
        let level = if event.warning {
            EventLevel::Warning
        } else {
            EventLevel::Info
        };
        effects.push(Effect::Log(level, event.log_line()));
        if self.events.len() == EVENTS_KEPT {
            self.events.remove(0);
        }
        self.events.push(event);
    }

    /// Rolls a new version of a service out in an environment, marked on its dashboards;
    /// returns the new pod template's hash, if the service runs there.
    pub fn roll_out(
        &mut self,
        (env, service, version): (&str, &str, &str),
        now: SimTime,
        rng: &mut SimRng,
    ) -> (Option<String>, Vec<Effect>) {
        let mut effects = Vec::new();
        let Some(deployment) = self.deployment_mut(env, service) else {
            return (None, effects);
        };
        let hash = deployment.release(version, rng);
        let message = format!(
            "Rolling out {service}:{version} to revision {}: replica set {}",
            deployment.revision,
            deployment.replica_set()
        );
        self.record(
            KubeEvent::new(
                now,
                env,
                "DeploymentRollout",
                format!("deployment/{service}"),
                message,
            ),
            &mut effects,
        );
        effects.push(Effect::Mark(ChangeMarker {
            at: now,
            kind: ChangeKind::Deploy,
            text: format!("{service} {version} deployed"),
            env: env.to_string(),
            service: service.to_string(),
        }));
        (Some(hash), effects)
    }

    /// php-fpm stops answering in one pod of `service` in `env`.
    pub fn crash(&mut self, env: &str, service: &str, now: SimTime) -> Vec<Effect> {
        let mut effects = Vec::new();
        let broken = self
            .deployment_mut(env, service)
            .and_then(|d| d.break_php_fpm(now));
        if let Some(pod) = broken {
            self.record(
                KubeEvent::new(
                    now,
                    env,
                    "Unhealthy",
                    format!("pod/{pod}"),
                    "Liveness probe failed: php-fpm exited with code 255".into(),
                )
                .warn(),
                &mut effects,
            );
        }
        effects
    }

    /// Carries out a kubectl change: a rollout (restart or undo) or a deleted pod.
    pub fn change(&mut self, change: Change, now: SimTime, rng: &mut SimRng) -> Vec<Effect> {
        let mut effects = Vec::new();
        match change {
            Change::Restart {
                namespace,
                deployment: name,
            } => {
                if let Some(deployment) = self.deployment_mut(&namespace, &name) {
                    let replica_set = deployment.restart(rng);
                    let revision = deployment.revision;
                    self.rolled_back_or_restarted(
                        (&namespace, &name, false),
                        revision,
                        replica_set,
                        now,
                        &mut effects,
                    );
                }
            }
            Change::Undo {
                namespace,
                deployment: name,
            } => {
                let undone = self
                    .deployment_mut(&namespace, &name)
                    .and_then(|deployment| {
                        let replica_set = deployment.undo()?;
                        Some((deployment.revision, replica_set))
                    });
                if let Some((revision, replica_set)) = undone {
                    self.rolled_back_or_restarted(
                        (&namespace, &name, true),
                        revision,
                        replica_set,
                        now,
                        &mut effects,
                    );
                }
            }
            Change::DeletePod { namespace, pod } => {
                let Some(environment) = self.environments.iter_mut().find(|e| e.name == namespace)
                else {
                    return effects;
                };
                let mut deleted = 0;
                for deployment in &mut environment.deployments {
                    if let Some(index) = deployment.pods.iter().position(|p| p.name == pod) {
                        deployment.pods.remove(index);
                        deleted += 1;
                    }
                }
                for _ in 0..deleted {
                    self.record(
                        KubeEvent::new(
                            now,
                            &namespace,
                            "Killing",
                            format!("pod/{pod}"),
                            "Stopping container php-fpm".into(),
                        ),
                        &mut effects,
                    );
                }
            }
        }
        effects
    }

    /// The event and the marker of a deployment restarted or rolled back.
    fn rolled_back_or_restarted(
        &mut self,
        (namespace, name, undo): (&str, &str, bool),
        revision: u32,
        replica_set: String,
        now: SimTime,
        effects: &mut Vec<Effect>,
    ) {
        self.record(
            KubeEvent::new(
                now,
                namespace,
                if undo {
                    "DeploymentRollback"
                } else {
                    "DeploymentRestart"
                },
                format!("deployment/{name}"),
                format!(
                    "{} to revision {revision}: replica set {replica_set}",
                    if undo { "Rolled back" } else { "Restarted" },
                ),
            ),
            effects,
        );
        effects.push(Effect::Mark(ChangeMarker {
            at: now,
            kind: ChangeKind::Deploy,
            env: namespace.to_string(),
            service: name.to_string(),
            text: format!("{name} {}", if undo { "rolled back" } else { "restarted" }),
        }));
    }

    /// Each autoscaler reads its pods' php-fpm load of the last step and sets the replicas.
    fn autoscale(&mut self, world: &dyn Surroundings) -> Vec<Effect> {
        let now = world.now();
        let mut events = Vec::new();
        let mut effects = Vec::new();
        for environment in &mut self.environments {
            for deployment in &mut environment.deployments {
                let busy = world
                    .php_fpm_busy(&environment.name, &deployment.service)
                    .unwrap_or_default()
                    * 100.0;
                let before = deployment.desired;
                if let Some(message) = deployment.autoscale(now, busy) {
                    events.push(KubeEvent::new(
                        now,
                        &environment.name,
                        "SuccessfulRescale",
                        format!("horizontalpodautoscaler/{}", deployment.service),
                        message,
                    ));
                    effects.push(Effect::Mark(ChangeMarker {
                        at: now,
                        kind: ChangeKind::Change,
                        env: environment.name.clone(),
                        service: deployment.service.clone(),
                        text: format!(
                            "HPA scaled {} from {before} to {}",
                            deployment.service, deployment.desired
                        ),
                    }));
                }
            }
        }
        let mut recorded = Vec::with_capacity(events.len() + effects.len());
        for event in events {
            self.record(event, &mut recorded);
        }
        recorded.extend(effects);
        recorded
    }

    /// Each deployment moves its pods toward its desired replicas within the room its
    /// environment's nodes have left, and records what its controllers did.
    fn reconcile(&mut self, now: SimTime, step: SimDuration, rng: &mut SimRng) -> Vec<Effect> {
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
                    now,
                    step,
                    &environment.name,
                    environment.capacity,
                    &mut room,
                    rng,
                ));
            }
        }
        let mut effects = Vec::new();
        for event in events {
            self.record(event, &mut effects);
        }
        effects
    }

    /// Renders the chart for every environment, puts its errors on the chart's files, and has
    /// each environment run what it rendered, unless a values file of it has errors.
    fn refresh(&mut self, world: &dyn Surroundings) -> Vec<Effect> {
        let platform = world.platform();
        // Each chart file starts again from what reading it alone finds.
        let mut by_file: BTreeMap<String, Vec<Diagnostic>> = BTreeMap::new();
        let mut blocked: Vec<&str> = Vec::new();
        for (path, content) in world.files() {
            if !path.starts_with(CHART_DIR) {
                continue;
            }
            let read = values::diagnostics_of(path, content, platform).unwrap_or_default();
            if read.iter().any(Diagnostic::is_error) {
                match values::values_file_env(path, platform) {
                    Some(env) => blocked.push(env),
                    None => blocked.extend(platform.environment_names()),
                }
            }
            by_file.insert(path.to_string(), read);
        }
        let ChartRender {
            rendered,
            errors,
            wanted,
        } = render_chart(world, platform);
        self.rendered = rendered;
        for (path, diagnostics) in chart::diagnostics(&errors, platform.environments.len()) {
            if let (Some(content), Some(file)) = (world.file(&path), by_file.get_mut(&path)) {
                file.extend(diagnostics.into_iter().map(|d| d.with_span_in(content)));
            }
        }
        let mut effects = vec![Effect::Diagnose {
            dir: CHART_DIR,
            by_file,
        }];
        for (environment, values) in wanted {
            if !blocked.contains(&environment) {
                effects.extend(self.run_values(environment, &values, world.now()));
            }
        }
        effects
    }

    /// Has an environment's deployments run as `values` asks: autoscalers created or removed,
    /// replicas of the others scaled.
    fn run_values(
        &mut self,
        environment: &str,
        values: &DeployValues,
        now: SimTime,
    ) -> Vec<Effect> {
        let mut messages = Vec::new();
        let mut changes = Vec::new();
        let Some(env) = self.environments.iter_mut().find(|e| e.name == environment) else {
            return Vec::new();
        };
        for deployment in &mut env.deployments {
            let autoscaling = values.autoscaling.get(&deployment.service);
            let had_autoscaler = deployment.hpa.is_some();
            deployment.set_autoscaler(autoscaling.map(values::hpa_spec), now);
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
                    at: now,
                    kind: ChangeKind::Change,
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
        let logged = messages
            .into_iter()
            .map(|message| Effect::Log(EventLevel::Info, message));
        logged
            .chain(changes.into_iter().map(Effect::Mark))
            .collect()
    }

    /// Every environment's namespace, in promotion order.
    pub fn namespaces(&self) -> Vec<Namespace<'_>> {
        self.environments
            .iter()
            .map(|environment| Namespace {
                name: &environment.name,
                deployments: &environment.deployments,
                capacity: environment.capacity,
            })
            .collect()
    }

    /// What the chart renders for the namespace: empty when it renders nothing.
    pub fn manifests(&self, namespace: &str) -> &[Manifest] {
        self.rendered(namespace)
            .and_then(|rendered| rendered.manifests.as_deref().ok())
            .unwrap_or_default()
    }
}

/// What rendering the chart for every environment gives.
struct ChartRender<'p> {
    rendered: BTreeMap<String, Rendered>,
    /// Errors by environment, to put on the chart's files.
    errors: Vec<(&'p str, Diagnostic)>,
    /// What each environment that rendered asks for.
    wanted: Vec<(&'p str, DeployValues)>,
}

/// `helm template` for every environment, from the files as they are.
fn render_chart<'p>(world: &dyn Surroundings, platform: &'p Platform) -> ChartRender<'p> {
    let chart_files = chart::chart_files(world.files().into_iter());
    let mut rendered_by_env = BTreeMap::new();
    let mut errors = Vec::new();
    let mut wanted = Vec::new();
    for environment in platform.environment_names() {
        let values = world
            .file(&values::values_file_path(environment))
            .unwrap_or("");
        let mut rendered = chart::render(
            &chart_files,
            environment,
            values,
            world.seed(),
            world.now().epoch_ms(),
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
                        .map(|error| format!("Error: {CHART_DIR}{error}\n"))
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
