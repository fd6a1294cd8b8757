//! Snapshots: detached copies of what the UI shows, so views never hold the world itself.

use super::alerting::AlertMarker;
use super::World;
use crate::alerting::RuleStatus;
use crate::alertmanager::{AlertmanagerAlert, ChatMessage};
use crate::diagnostic::Diagnostic;
use crate::time::{SimDuration, SimTime};
use serde::Serialize;

/// How much an event-log line matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EventLevel {
    Info,
    Warning,
}

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
    /// Changes to the platform (scaling), oldest first.
    pub change_markers: Vec<super::ChangeMarker>,
    /// Each environment's Terraform plan, cost, apply and compliance.
    pub infra: Vec<InfraSnapshot>,
    /// What `helm template` renders for each environment.
    pub manifests: Vec<ManifestsSnapshot>,
    /// The open pull request, if the scenario has one.
    pub pull_request: Option<PullRequestSnapshot>,
}

/// A pull request as its page shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PullRequestSnapshot {
    pub number: u32,
    pub title: String,
    pub author: String,
    pub branch: String,
    pub description: String,
    pub labels: Vec<String>,
    pub timeline: Vec<crate::delivery::TimelineItem>,
    pub commits: Vec<String>,
    /// Each check with what it shows now.
    pub checks: Vec<(crate::delivery::Check, crate::delivery::CheckStatus)>,
    pub approvals: Vec<String>,
    pub reviewers: Vec<String>,
    pub required_approvals: usize,
    /// Why it cannot be merged now; empty when it can.
    pub blockers: Vec<String>,
    pub merged: bool,
    /// Where the merged release stands.
    pub delivery: crate::delivery::Delivery,
    /// The preview's URL and whether it answers.
    pub preview: Option<(String, bool)>,
    /// The head's changed files: path, then the unified diff's lines (mark, text).
    pub diffs: Vec<(String, Vec<(char, String)>)>,
    /// Whether the application's files have changes the head does not.
    pub unpushed: bool,
    /// What the last command said: `Ok` text or `Err` reason.
    pub last_outcome: Option<Result<String, String>>,
    pub service: String,
    pub version: String,
    /// The version each environment runs of the service.
    pub running: Vec<(String, String)>,
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

/// One environment as the Terraform view shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InfraSnapshot {
    pub env: String,
    /// What `terraform plan` prints: diagnostics, then the plan.
    pub plan_text: String,
    /// `(to add, to change, to destroy)`, when the configuration plans.
    pub counts: Option<(usize, usize, usize)>,
    pub errors: usize,
    /// Resources the plan would replace or destroy, by address.
    pub dangerous: Vec<String>,
    /// Monthly cost of what is deployed, and of what the configuration asks for.
    pub cost_now: f64,
    pub cost_planned: Option<f64>,
    /// Variable values as the environment's plan reads them (sensitive ones hidden).
    pub variables: Vec<(String, String)>,
    /// The database as deployed: `db.r5.2xlarge, Multi-AZ`.
    pub database: String,
    /// The running apply's current line and progress, from 0 to 1.
    pub running: Option<(String, f64)>,
    /// What the last apply printed.
    pub output: Vec<String>,
    pub findings: Vec<super::infra::Finding>,
}

impl InfraSnapshot {
    fn of(infra: &super::infra::EnvInfra, now: SimTime) -> Self {
        let evaluated = infra.outcome.evaluated.as_ref();
        let variables = evaluated.map_or_else(Vec::new, |e| {
            e.variables
                .iter()
                .map(|(name, value)| {
                    let shown = if e.sensitive_variables.contains(name) {
                        "(sensitive value)".to_string()
                    } else {
                        crate::terraform::value::render_value(value)
                    };
                    (name.clone(), shown)
                })
                .collect()
        });
        let plan = infra.outcome.plan.as_ref();
        let database = super::infra::database_of(&infra.state).map_or_else(
            || "none".to_string(),
            |db| {
                let class = db
                    .attributes
                    .get("instance_class")
                    .and_then(hcl::Value::as_str)
                    .unwrap_or("?");
                let multi_az = db.attributes.get("multi_az") == Some(&hcl::Value::Bool(true));
                format!("{class}{}", if multi_az { ", Multi-AZ" } else { "" })
            },
        );
        InfraSnapshot {
            env: infra.env.clone(),
            plan_text: infra.plan_text.clone(),
            counts: plan.map(crate::terraform::Plan::counts),
            errors: infra
                .outcome
                .diagnostics
                .iter()
                .filter(|d| d.is_error())
                .count(),
            dangerous: plan.map_or_else(Vec::new, |p| {
                p.changes
                    .iter()
                    .filter(|c| {
                        matches!(
                            c.action,
                            crate::terraform::Action::Delete
                                | crate::terraform::Action::Replace { .. }
                        )
                    })
                    .map(|c| c.address.clone())
                    .collect()
            }),
            cost_now: super::infra::state_cost(&infra.state),
            cost_planned: super::infra::planned_cost(&infra.outcome),
            variables,
            database,
            running: infra.still_running(now).zip(infra.progress(now)),
            output: infra.output.clone(),
            findings: infra.findings.clone(),
        }
    }
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
            rules: world.monitoring().rule_statuses(),
            routed_alerts: world.monitoring().routed_alerts(now),
            routing: world.monitoring().routing(),
            messages: world.monitoring().messages().to_vec(),
            channels: world.monitoring().channels(),
            alert_markers: world.monitoring().markers().to_vec(),
            change_markers: world.changes().to_vec(),
            infra: world
                .infrastructure()
                .envs
                .iter()
                .map(|infra| InfraSnapshot::of(infra, now))
                .collect(),
            pull_request: world
                .pull_request()
                .map(|pull| PullRequestSnapshot::of(world, pull)),
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

impl PullRequestSnapshot {
    fn of(world: &super::World, pull: &crate::delivery::PullRequest) -> Self {
        let now = world.now();
        PullRequestSnapshot {
            number: pull.spec.number,
            title: pull.spec.title.clone(),
            author: pull.spec.author.clone(),
            branch: pull.spec.branch.clone(),
            description: pull.spec.description.clone(),
            labels: pull.labels.clone(),
            timeline: pull
                .timeline
                .iter()
                .filter(|t| t.at <= now)
                .cloned()
                .collect(),
            commits: pull.commits.clone(),
            checks: pull
                .checks
                .iter()
                .map(|check| (check.clone(), check.status_at(now)))
                .collect(),
            approvals: pull.approvals.clone(),
            reviewers: pull.spec.reviewers.clone(),
            required_approvals: pull.spec.required_approvals,
            blockers: pull.merge_blockers(now),
            merged: pull.merged_at.is_some(),
            delivery: pull.delivery,
            preview: pull
                .preview
                .as_ref()
                .map(|p| (p.url.clone(), p.ready_at <= now)),
            diffs: pull.diffs.clone(),
            unpushed: pull.unpushed(
                world
                    .files()
                    .iter()
                    .map(|(path, file)| (path, &file.content)),
            ),
            last_outcome: pull.last_outcome.clone(),
            service: pull.spec.service.clone(),
            version: pull.spec.version.clone(),
            running: world
                .environments()
                .iter()
                .filter_map(|env| {
                    let deployment = env
                        .deployments
                        .iter()
                        .find(|d| d.service == pull.spec.service)?;
                    Some((env.name.clone(), deployment.current_version().to_string()))
                })
                .collect(),
        }
    }
}
