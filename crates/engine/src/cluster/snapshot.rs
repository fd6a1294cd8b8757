//! What the page shows of the cluster: each environment's deployments, pods and autoscalers,
//! and what the chart renders there.

use super::chart::Rendered;
use crate::kube::deployment::{Deployment, PodStatus};
use crate::time::{SimDuration, SimTime};
use serde::Serialize;

/// What the page shows of the cluster.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClusterSnapshot {
    pub environments: Vec<EnvironmentSnapshot>,
    /// What `helm template` renders for each environment.
    pub manifests: Vec<ManifestsSnapshot>,
}

/// An environment and its deployments.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EnvironmentSnapshot {
    pub name: String,
    pub deployments: Vec<DeploymentSnapshot>,
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
    /// Which bound holds the count back, if one does.
    pub limited: Option<ScalingLimit>,
}

/// The bound that holds an autoscaler's count back, as its `ScalingLimited` condition says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ScalingLimit {
    /// It wants more pods than its `maxReplicas`.
    TooManyReplicas,
    /// It wants fewer pods than its `minReplicas`.
    TooFewReplicas,
}

impl ScalingLimit {
    /// The condition's reason, as `kubectl describe hpa` prints it.
    pub fn reason(self) -> &'static str {
        match self {
            ScalingLimit::TooManyReplicas => "TooManyReplicas",
            ScalingLimit::TooFewReplicas => "TooFewReplicas",
        }
    }

    pub(super) fn of(reason: &str) -> Option<ScalingLimit> {
        [ScalingLimit::TooManyReplicas, ScalingLimit::TooFewReplicas]
            .into_iter()
            .find(|limit| limit.reason() == reason)
    }
}

/// A pod as `kubectl get pods` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PodSnapshot {
    pub name: String,
    pub ready: bool,
    /// Waiting for room on a node.
    pub pending: bool,
    /// `STATUS` as kubectl prints it: `Running`, `Pending`, `CrashLoopBackOff`, ...
    pub status: PodStatus,
    pub restarts: u32,
    pub age: SimDuration,
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

impl DeploymentSnapshot {
    pub(super) fn of(deployment: &Deployment, now: SimTime) -> Self {
        DeploymentSnapshot {
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
                    .and_then(|c| ScalingLimit::of(c.reason)),
            }),
        }
    }
}

impl ManifestsSnapshot {
    pub(super) fn of(env: &str, rendered: &Rendered) -> Self {
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
