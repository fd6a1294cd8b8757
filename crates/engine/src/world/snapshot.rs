//! Snapshots: detached copies of what the UI shows, so views never hold the world itself.

use super::World;
use crate::diagnostic::Diagnostic;
use crate::time::{SimDuration, SimTime};
use serde::Serialize;

pub use crate::tool::EventLevel;

/// One line of the world's event log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct EventLogEntry {
    pub at: SimTime,
    pub level: EventLevel,
    pub text: String,
}

/// A deployment as the Kubernetes view lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeploymentSnapshot {
    pub name: String,
    pub desired: u32,
    pub current: usize,
    pub ready: usize,
    pub pods: Vec<PodSnapshot>,
    /// The autoscaler that sets the replicas, if any.
    pub hpa: Option<HpaSnapshot>,
}

/// An autoscaler as `kubectl get hpa` sums it up.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HpaSnapshot {
    pub min: u32,
    pub max: u32,
    /// Target average php-fpm active process percentage.
    pub target: f64,
    /// The pods' average at the last sync.
    pub current: Option<f64>,
    /// `TooManyReplicas` or `TooFewReplicas` while the bounds hold the count back.
    pub limited: Option<&'static str>,
}

/// A pod as `kubectl get pods` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PodSnapshot {
    pub name: String,
    pub ready: bool,
    /// Waiting for room on a node.
    pub pending: bool,
    /// `STATUS` as kubectl prints it: `Running`, `Pending`, `CrashLoopBackOff`, ...
    pub status: super::PodStatus,
    pub restarts: u32,
    pub age: SimDuration,
}

/// An environment and its deployments.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EnvironmentSnapshot {
    pub name: String,
    pub deployments: Vec<DeploymentSnapshot>,
}

/// A file with its diagnostics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileSnapshot {
    pub path: String,
    pub language: super::FileLanguage,
    pub content: String,
    pub diagnostics: Vec<Diagnostic>,
}

/// Everything the UI reads from a world at one instant.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WorldSnapshot {
    pub now: SimTime,
    pub elapsed: SimDuration,
    pub environments: Vec<EnvironmentSnapshot>,
    pub files: Vec<FileSnapshot>,
    /// The most recent event-log lines, oldest first.
    pub events: Vec<EventLogEntry>,
    /// Changes to the platform (scaling), oldest first.
    pub change_markers: Vec<super::ChangeMarker>,
    /// What `helm template` renders for each environment.
    pub manifests: Vec<ManifestsSnapshot>,
    /// What each tool shows: `pull_request` (the open pull request, if the scenario has one),
    /// `infra` (each environment's Terraform plan, cost, apply and compliance) and `monitoring`
    /// (rules and their alerts, Alertmanager, the chat channels).
    pub tools: super::ToolSnapshots,
}

/// One environment's rendered chart.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ManifestsSnapshot {
    pub env: String,
    /// What `helm template` prints: the manifests, or the errors.
    pub text: String,
    pub ok: bool,
    /// How many objects of each kind it renders, in install order.
    pub kinds: Vec<(String, usize)>,
}

/// How many event-log lines a snapshot carries.
const SNAPSHOT_EVENTS: usize = 200;

impl WorldSnapshot {
    pub(super) fn of(world: &World) -> Self {
        let now = world.now();
        let log = world.event_log();
        WorldSnapshot {
            now,
            elapsed: world.elapsed(),
            environments: world
                .environments()
                .iter()
                .map(|environment| EnvironmentSnapshot {
                    name: environment.name.clone(),
                    deployments: environment
                        .deployments
                        .iter()
                        .map(|deployment| DeploymentSnapshot {
                            name: deployment.service.clone(),
                            desired: deployment.desired,
                            current: deployment.pods.len(),
                            ready: deployment.ready_pods(now),
                            pods: deployment
                                .pods
                                .iter()
                                .map(|pod| PodSnapshot {
                                    name: pod.name.clone(),
                                    ready: pod.is_ready(now),
                                    pending: pod.is_pending(),
                                    status: pod.status(now),
                                    restarts: pod.restarts,
                                    age: now.since(pod.created_at),
                                })
                                .collect(),
                            hpa: deployment.hpa.as_ref().map(|hpa| HpaSnapshot {
                                min: hpa.spec.min_replicas,
                                max: hpa.spec.max_replicas,
                                target: hpa.spec.target,
                                current: hpa.current_value,
                                limited: hpa
                                    .state
                                    .conditions
                                    .iter()
                                    .find(|c| c.kind == "ScalingLimited" && c.status)
                                    .map(|c| c.reason),
                            }),
                        })
                        .collect(),
                })
                .collect(),
            files: world
                .files()
                .iter()
                .map(|(path, file)| FileSnapshot {
                    path: path.clone(),
                    language: super::WorldFile::language(path),
                    content: file.content.clone(),
                    diagnostics: file
                        .diagnostics
                        .iter()
                        .map(|d| d.clone().or_in_file(path))
                        .collect(),
                })
                .collect(),
            events: log[log.len().saturating_sub(SNAPSHOT_EVENTS)..].to_vec(),
            change_markers: world.changes().to_vec(),
            tools: world.tools.snapshot(world),
            manifests: world
                .platform()
                .environment_names()
                .filter_map(|env| world.rendered(env).map(|rendered| (env, rendered)))
                .map(|(env, rendered)| ManifestsSnapshot::of(env, rendered))
                .collect(),
        }
    }
}

impl ManifestsSnapshot {
    fn of(env: &str, rendered: &super::chart::Rendered) -> Self {
        let mut kinds: Vec<(String, usize)> = Vec::new();
        for manifest in rendered.manifests.as_deref().unwrap_or_default() {
            match kinds.iter_mut().find(|(kind, _)| *kind == manifest.kind) {
                Some((_, count)) => *count += 1,
                None => kinds.push((manifest.kind.clone(), 1)),
            }
        }
        ManifestsSnapshot {
            env: env.to_string(),
            text: rendered.text.clone(),
            ok: !rendered.text.starts_with("Error:"),
            kinds,
        }
    }
}
