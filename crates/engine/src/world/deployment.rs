//! Deployments and their pods: desired replicas, pods that wait for room in the cluster and
//! take time to become ready, and the HorizontalPodAutoscaler that may set the replicas.

use crate::kube::hpa::{self, Autoscaler, HpaSpec, PodSample};
use crate::kube::KubeEvent;
use crate::rng::SimRng;
use crate::time::{SimDuration, SimTime};

/// The fastest and slowest a php-fpm pod takes from creation to ready, in seconds.
const POD_STARTUP_SECONDS: (u64, u64) = (20, 45);

/// One pod of a deployment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pod {
    pub name: String,
    pub created_at: SimTime,
    /// When the pod becomes ready; `None` while it waits for a node (`Pending`).
    pub ready_at: Option<SimTime>,
}

impl Pod {
    pub fn is_ready(&self, now: SimTime) -> bool {
        self.ready_at.is_some_and(|at| at <= now)
    }

    /// Whether the pod waits for room on a node.
    pub fn is_pending(&self) -> bool {
        self.ready_at.is_none()
    }
}

/// A deployment's HorizontalPodAutoscaler: what it is asked and what it remembers.
#[derive(Debug, Clone, PartialEq)]
pub struct Hpa {
    pub spec: HpaSpec,
    pub state: Autoscaler,
    /// The average metric at the last sync, in percent, when the pods reported one.
    pub current_value: Option<f64>,
    pub last_scale: Option<SimTime>,
    pub created_at: SimTime,
}

/// A service's deployment in one environment.
#[derive(Debug, Clone, PartialEq)]
pub struct Deployment {
    pub service: String,
    /// Replicas asked for by the environment's values file.
    pub desired: u32,
    pub pods: Vec<Pod>,
    /// The pod-template hash in pod names, fixed until a rollout changes it.
    template_hash: String,
    /// The autoscaler that sets `desired`, if the values file gives the service one.
    pub hpa: Option<Hpa>,
}

impl Deployment {
    /// A deployment with one desired replica and no pods yet.
    pub fn new(service: &str) -> Self {
        Deployment {
            service: service.to_string(),
            desired: 1,
            pods: Vec::new(),
            template_hash: String::new(),
            hpa: None,
        }
    }

    /// Gives the deployment an autoscaler with `spec`, or changes the spec of the one it has
    /// (keeping its memory, as editing an HPA object does); `None` removes it.
    pub(super) fn set_autoscaler(&mut self, spec: Option<HpaSpec>, now: SimTime) {
        match (spec, &mut self.hpa) {
            (None, _) => self.hpa = None,
            (Some(spec), Some(hpa)) => hpa.spec = spec,
            (Some(spec), None) => {
                self.hpa = Some(Hpa {
                    spec,
                    state: Autoscaler::default(),
                    current_value: None,
                    last_scale: None,
                    created_at: now,
                })
            }
        }
    }

    /// One autoscaler sync: reads each ready pod's php-fpm active process percentage and sets
    /// the desired replicas. Returns the event Kubernetes records when the count changes.
    pub(super) fn autoscale(&mut self, now: SimTime, busy_percent: f64) -> Option<String> {
        let current = self.desired;
        let hpa = self.hpa.as_mut()?;
        // Pods that are not ready export no php-fpm metric.
        let samples: Vec<PodSample> = self
            .pods
            .iter()
            .map(|pod| {
                let ready = pod.is_ready(now);
                PodSample {
                    ready,
                    value: ready.then_some(busy_percent),
                }
            })
            .collect();
        let ready = samples.iter().filter(|s| s.ready).count();
        hpa.current_value = (ready > 0).then_some(busy_percent);
        let desired = hpa.state.sync(&hpa.spec, now, current, &samples);
        if desired == current {
            return None;
        }
        hpa.last_scale = Some(now);
        self.desired = desired;
        let reason = if current > hpa.spec.max_replicas {
            "Current number of replicas above Spec.MaxReplicas".to_string()
        } else if current < hpa.spec.min_replicas {
            "Current number of replicas below Spec.MinReplicas".to_string()
        } else {
            format!(
                "pods metric {METRIC} {} target",
                if desired > current { "above" } else { "below" }
            )
        };
        Some(format!("New size: {desired}; reason: {reason}"))
    }

    /// Pods ready at `now`.
    pub fn ready_pods(&self, now: SimTime) -> usize {
        self.pods.iter().filter(|pod| pod.is_ready(now)).count()
    }

    /// Creates the desired pods as already ready, as far as the cluster has `room`: the state a
    /// scenario starts in.
    pub(super) fn start_ready(&mut self, now: SimTime, room: &mut usize, rng: &mut SimRng) {
        self.template_hash = random_suffix(rng, 9);
        while self.pods.len() < self.desired as usize {
            let name = self.pod_name(rng);
            let fits = *room > 0;
            *room = room.saturating_sub(1);
            self.pods.push(Pod {
                name,
                created_at: now,
                ready_at: fits.then_some(now),
            });
        }
    }

    /// Moves the pods one step toward the desired count and records what changed as events of
    /// `namespace`. `room` is how many more pods the cluster can schedule; it shrinks as this
    /// deployment's pods take it.
    pub(super) fn reconcile(
        &mut self,
        now: SimTime,
        step: SimDuration,
        namespace: &str,
        room: &mut usize,
        rng: &mut SimRng,
    ) -> Vec<KubeEvent> {
        let event = |reason, object: String, message: String| {
            KubeEvent::new(now, namespace, reason, object, message)
        };
        let replica_set = format!("replicaset/{}", self.replica_set());
        let mut events = Vec::new();
        for pod in &self.pods {
            // A pod whose ready time fell inside the last step became ready in it.
            if pod
                .ready_at
                .is_some_and(|at| at <= now && at > now.plus(SimDuration(-step.0)))
            {
                events.push(event(
                    "Ready",
                    format!("pod/{}", pod.name),
                    "Readiness probe passed: php-fpm answers on /ping".into(),
                ));
            }
        }
        let before = self.pods.len();
        if before != self.desired as usize {
            events.push(event(
                "ScalingReplicaSet",
                format!("deployment/{}", self.service),
                format!(
                    "Scaled {} replica set {} to {}",
                    if self.desired as usize > before {
                        "up"
                    } else {
                        "down"
                    },
                    self.replica_set(),
                    self.desired
                ),
            ));
        }
        while self.pods.len() > self.desired as usize {
            // Kubernetes removes pods that are pending first, then not ready, then the youngest.
            let victim = self
                .pods
                .iter()
                .enumerate()
                .max_by_key(|(_, pod)| (pod.is_pending(), !pod.is_ready(now), pod.created_at))
                .map(|(index, _)| index)
                .unwrap_or(0);
            let pod = self.pods.remove(victim);
            if !pod.is_pending() {
                *room += 1;
            }
            events.push(event(
                "SuccessfulDelete",
                replica_set.clone(),
                format!("Deleted pod: {}", pod.name),
            ));
        }
        while self.pods.len() < self.desired as usize {
            let name = self.pod_name(rng);
            events.push(event(
                "SuccessfulCreate",
                replica_set.clone(),
                format!("Created pod: {name}"),
            ));
            self.pods.push(Pod {
                name,
                created_at: now,
                ready_at: None,
            });
        }
        let nodes = super::cluster_capacity(namespace) / super::PODS_PER_NODE;
        for pod in self.pods.iter_mut().filter(|pod| pod.is_pending()) {
            if *room == 0 {
                if pod.created_at == now {
                    events.push(
                        event(
                            "FailedScheduling",
                            format!("pod/{}", pod.name),
                            format!("0/{nodes} nodes are available: {nodes} Insufficient cpu."),
                        )
                        .warn(),
                    );
                }
                continue;
            }
            *room -= 1;
            let startup = rng.range_inclusive(POD_STARTUP_SECONDS.0, POD_STARTUP_SECONDS.1);
            pod.ready_at = Some(now.plus(SimDuration::from_seconds(startup as i64)));
            events.push(event(
                "Scheduled",
                format!("pod/{}", pod.name),
                format!(
                    "Successfully assigned {namespace}/{} to {}",
                    pod.name,
                    node_of(&pod.name, nodes)
                ),
            ));
        }
        events
    }

    /// The name of the deployment's current ReplicaSet.
    pub fn replica_set(&self) -> String {
        format!("{}-{}", self.service, self.template_hash)
    }

    /// Pods waiting for room on a node.
    pub fn pending_pods(&self) -> usize {
        self.pods.iter().filter(|pod| pod.is_pending()).count()
    }

    fn pod_name(&self, rng: &mut SimRng) -> String {
        format!(
            "{}-{}-{}",
            self.service,
            self.template_hash,
            random_suffix(rng, 5)
        )
    }
}

/// The node a pod runs on, one of `nodes`, from its name.
pub fn node_of(pod: &str, nodes: usize) -> String {
    let hash = pod
        .bytes()
        .fold(7u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
    let index = hash as usize % nodes.max(1);
    format!(
        "ip-10-0-{}-{}.eu-west-3.compute.internal",
        16 + index % 3 * 16,
        21 + index * 7
    )
}

/// The metric every autoscaler of the world reads.
pub const METRIC: &str = "phpfpm_active_process_percentage";

/// The autoscaler spec a values file's settings describe, with Kubernetes' default behavior
/// but for the scale-down window.
pub fn hpa_spec(values: &super::files::Autoscaling) -> HpaSpec {
    let mut scale_down = hpa::ScalingRules::default_down();
    scale_down.stabilization_window =
        SimDuration::from_seconds(i64::from(values.scale_down_window));
    HpaSpec {
        min_replicas: values.min_replicas,
        max_replicas: values.max_replicas,
        target: f64::from(values.target),
        scale_up: hpa::ScalingRules::default_up(),
        scale_down,
    }
}

/// Lowercase letters and digits as Kubernetes uses in generated names.
fn random_suffix(rng: &mut SimRng, length: usize) -> String {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    (0..length)
        .map(|_| ALPHABET[rng.range_inclusive(0, ALPHABET.len() as u64 - 1) as usize] as char)
        .collect()
}
