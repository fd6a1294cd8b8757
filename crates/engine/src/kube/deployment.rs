//! Deployments and their pods: desired replicas, pods that wait for room in the cluster and
//! take time to become ready, php-fpm containers that crash and restart with a growing back-off
//! (CrashLoopBackOff), rolling updates within maxSurge and maxUnavailable, and the
//! HorizontalPodAutoscaler that may set the replicas.

use super::hpa::{Autoscaler, HpaSpec, PodSample};
use super::KubeEvent;
use crate::rng::SimRng;
use crate::time::{SimDuration, SimTime};

/// php-fpm pods one node of the cluster runs.
pub const PODS_PER_NODE: usize = 4;

/// The fastest and slowest a php-fpm pod takes from creation to ready, in seconds.
const POD_STARTUP_SECONDS: (u64, u64) = (20, 45);

/// One pod of a deployment.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Pod {
    pub name: String,
    /// The pod-template hash of the ReplicaSet the pod belongs to.
    pub hash: String,
    pub created_at: SimTime,
    /// When the pod becomes ready; `None` while it waits for a node (`Pending`).
    pub ready_at: Option<SimTime>,
    /// php-fpm crashes on every start in this pod (until the pod is replaced).
    pub broken: bool,
    /// How many times the kubelet restarted php-fpm.
    pub restarts: u32,
    /// The end of the current back-off, while php-fpm waits to be started again.
    pub back_off_until: Option<SimTime>,
}

/// The version every service runs when a scenario starts.
pub const INITIAL_VERSION: &str = "2.3.0";

/// The longest back-off between two restarts of a crashing container.
const MAX_BACK_OFF: SimDuration = SimDuration::from_seconds(300);

impl Pod {
    fn new(name: String, hash: &str, created_at: SimTime, ready_at: Option<SimTime>) -> Self {
        Pod {
            name,
            hash: hash.to_string(),
            created_at,
            ready_at,
            broken: false,
            restarts: 0,
            back_off_until: None,
        }
    }

    /// Running with both containers ready: php-fpm answers and nginx sends it traffic.
    pub fn is_ready(&self, now: SimTime) -> bool {
        !self.broken && self.ready_at.is_some_and(|at| at <= now)
    }

    /// Whether php-fpm is down in a running pod (its exporter reports `phpfpm_up 0`).
    pub fn php_fpm_down(&self, now: SimTime) -> bool {
        self.broken && self.ready_at.is_some_and(|at| at <= now)
    }

    /// `STATUS` as `kubectl get pods` prints it.
    pub fn status(&self, now: SimTime) -> PodStatus {
        if self.is_pending() {
            PodStatus::Pending
        } else if self.php_fpm_down(now) {
            if self.restarts == 0 {
                PodStatus::Error
            } else {
                PodStatus::CrashLoopBackOff
            }
        } else {
            PodStatus::Running
        }
    }

    /// Whether the pod waits for room on a node.
    pub fn is_pending(&self) -> bool {
        self.ready_at.is_none()
    }
}

/// A pod's `STATUS` column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum PodStatus {
    Running,
    /// Waiting for room on a node.
    Pending,
    /// php-fpm exited and the pod has not restarted yet.
    Error,
    /// php-fpm keeps exiting; the kubelet restarts it with a growing back-off.
    CrashLoopBackOff,
}

impl PodStatus {
    /// As kubectl prints it.
    pub fn as_str(self) -> &'static str {
        match self {
            PodStatus::Running => "Running",
            PodStatus::Pending => "Pending",
            PodStatus::Error => "Error",
            PodStatus::CrashLoopBackOff => "CrashLoopBackOff",
        }
    }
}

impl std::fmt::Display for PodStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A deployment's HorizontalPodAutoscaler: what it is asked and what it remembers.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Hpa {
    pub spec: HpaSpec,
    pub state: Autoscaler,
    /// The average metric at the last sync, in percent, when the pods reported one.
    pub current_value: Option<f64>,
    pub created_at: SimTime,
}

/// A service's deployment in one environment.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Deployment {
    pub service: String,
    /// Replicas asked for by the environment's values file.
    pub desired: u32,
    pub pods: Vec<Pod>,
    /// The pod-template hash of the current ReplicaSet, in its pods' names; a rollout
    /// changes it.
    template_hash: String,
    /// The hash the previous rollout replaced, for `kubectl rollout undo`.
    pub previous_hash: Option<String>,
    /// The deployment's revision, one more at each rollout.
    pub revision: u32,
    /// `rollout history`: each revision, its template hash and its change cause, oldest first.
    pub history: Vec<(u32, String, String)>,
    /// The version each pod template runs, by template hash; the first one is unnamed.
    pub versions: std::collections::BTreeMap<String, String>,
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
            previous_hash: None,
            revision: 1,
            history: Vec::new(),
            versions: std::collections::BTreeMap::new(),
            hpa: None,
        }
    }

    /// Starts a rollout to a new pod template: new pods replace the old ones within maxSurge and
    /// maxUnavailable. Returns the new ReplicaSet's name.
    pub(crate) fn restart(&mut self, rng: &mut SimRng) -> String {
        let new_hash = random_suffix(rng, 9);
        // A restart keeps the version: only the template's annotation changes.
        let version = self.version_of(&self.template_hash).to_string();
        let replica_set = self.roll_to(new_hash, "kubectl rollout restart".into());
        self.versions.insert(self.template_hash.clone(), version);
        replica_set
    }

    /// Starts the rollout of a new version; returns the new template's hash.
    pub(crate) fn release(&mut self, version: &str, rng: &mut SimRng) -> String {
        let new_hash = random_suffix(rng, 9);
        self.roll_to(new_hash, format!("release {version}"));
        self.versions
            .insert(self.template_hash.clone(), version.to_string());
        self.template_hash.clone()
    }

    /// The version the current pod template runs.
    pub fn current_version(&self) -> &str {
        self.version_of(&self.template_hash)
    }

    /// The version a pod template runs: its release's, or the one running before any.
    pub fn version_of(&self, hash: &str) -> &str {
        self.versions
            .get(hash)
            .map_or(INITIAL_VERSION, String::as_str)
    }

    /// The php-fpm image of a pod template.
    pub fn image_of(&self, hash: &str) -> String {
        format!(
            "registry.opsdojo.local/{}:{}",
            self.service,
            self.version_of(hash)
        )
    }

    /// The share of ready pods that run the template `hash`, from 0 to 1.
    pub fn ready_share_of(&self, hash: &str, now: SimTime) -> f64 {
        self.ready_share(now, |pod| pod.hash == hash)
    }

    /// The share of ready pods that run `version`, from 0 to 1.
    pub fn ready_share_running(&self, version: &str, now: SimTime) -> f64 {
        self.ready_share(now, |pod| self.version_of(&pod.hash) == version)
    }

    /// The share of ready pods that `matches`, from 0 to 1.
    fn ready_share(&self, now: SimTime, matches: impl Fn(&Pod) -> bool) -> f64 {
        let ready = self.ready_pods(now);
        if ready == 0 {
            return 0.0;
        }
        let matching = self
            .pods
            .iter()
            .filter(|pod| pod.is_ready(now) && matches(pod))
            .count();
        matching as f64 / ready as f64
    }

    /// Rolls back to the previous pod template, if there was one.
    pub(crate) fn undo(&mut self) -> Option<String> {
        let previous = self.previous_hash.clone()?;
        // The revision rolled back to becomes the newest, with its change cause.
        let cause = self
            .history
            .iter()
            .find(|(_, hash, _)| *hash == previous)
            .map_or_else(|| "<none>".to_string(), |(_, _, cause)| cause.clone());
        Some(self.roll_to(previous, cause))
    }

    fn roll_to(&mut self, hash: String, cause: String) -> String {
        self.history.retain(|(_, kept, _)| *kept != hash);
        let old = std::mem::replace(&mut self.template_hash, hash);
        self.previous_hash = Some(old);
        self.revision += 1;
        self.history
            .push((self.revision, self.template_hash.clone(), cause));
        self.replica_set()
    }

    /// Whether pods of an older template are still running.
    pub fn rolling_out(&self) -> bool {
        self.pods.iter().any(|pod| pod.hash != self.template_hash)
    }

    /// Pods of the current template.
    pub fn updated_pods(&self) -> usize {
        self.pods
            .iter()
            .filter(|pod| pod.hash == self.template_hash)
            .count()
    }

    /// The surge and unavailability a rollout allows: 25 % of the replicas each, rounded up
    /// and down as Kubernetes rounds them, never both zero.
    pub fn rollout_limits(&self) -> (usize, usize) {
        let desired = self.desired as usize;
        let surge = desired.div_ceil(4);
        let unavailable = desired / 4;
        if surge == 0 && unavailable == 0 {
            (0, 1)
        } else {
            (surge, unavailable)
        }
    }

    /// php-fpm starts crashing in the first running pod; returns its name.
    pub(crate) fn break_php_fpm(&mut self, now: SimTime) -> Option<String> {
        let pod = self
            .pods
            .iter_mut()
            .filter(|pod| pod.is_ready(now))
            .min_by_key(|pod| pod.created_at)?;
        pod.broken = true;
        pod.back_off_until = Some(now);
        Some(pod.name.clone())
    }

    /// Gives the deployment an autoscaler with `spec`, or changes the spec of the one it has
    /// (keeping its memory, as editing an HPA object does); `None` removes it.
    pub(crate) fn set_autoscaler(&mut self, spec: Option<HpaSpec>, now: SimTime) {
        match (spec, &mut self.hpa) {
            (None, _) => self.hpa = None,
            (Some(spec), Some(hpa)) => hpa.spec = spec,
            (Some(spec), None) => {
                self.hpa = Some(Hpa {
                    spec,
                    state: Autoscaler::default(),
                    current_value: None,
                    created_at: now,
                })
            }
        }
    }

    /// One autoscaler sync: reads each ready pod's php-fpm active process percentage and sets
    /// the desired replicas. Returns the event Kubernetes records when the count changes.
    pub(crate) fn autoscale(&mut self, now: SimTime, busy_percent: f64) -> Option<String> {
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
    pub(crate) fn start_ready(&mut self, now: SimTime, room: &mut usize, rng: &mut SimRng) {
        self.template_hash = random_suffix(rng, 9);
        self.history = vec![(self.revision, self.template_hash.clone(), "<none>".into())];
        while self.pods.len() < self.desired as usize {
            let name = self.pod_name(rng);
            let fits = *room > 0;
            *room = room.saturating_sub(1);
            self.pods.push(Pod::new(
                name,
                &self.template_hash,
                now,
                fits.then_some(now),
            ));
        }
    }

    /// Moves the pods one step toward the desired count and records what changed as events of
    /// `namespace`. `room` is how many more pods the cluster can schedule; it shrinks as this
    /// deployment's pods take it.
    pub(crate) fn reconcile(
        &mut self,
        now: SimTime,
        step: SimDuration,
        namespace: &str,
        capacity: usize,
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
        events.extend(self.crash_loops(now, namespace));
        let desired = self.desired as usize;
        let (surge, max_unavailable) = self.rollout_limits();
        // Scale the current ReplicaSet: to the desired count, or during a rollout as far as
        // the surge allows.
        let updated = self.updated_pods();
        let target = if self.rolling_out() {
            let room_for = (desired + surge).saturating_sub(self.pods.len());
            (updated + room_for).min(desired).max(updated)
        } else {
            desired
        };
        if target != updated {
            events.push(event(
                "ScalingReplicaSet",
                format!("deployment/{}", self.service),
                format!(
                    "Scaled {} replica set {} to {target}",
                    if target > updated { "up" } else { "down" },
                    self.replica_set(),
                ),
            ));
        }
        let hash = self.template_hash.clone();
        while self.pods.iter().filter(|p| p.hash == hash).count() > target {
            // Kubernetes removes pods that are pending first, then not ready, then the youngest.
            let victim = self
                .pods
                .iter()
                .enumerate()
                .filter(|(_, pod)| pod.hash == hash)
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
        while self.pods.iter().filter(|p| p.hash == hash).count() < target {
            let name = self.pod_name(rng);
            events.push(event(
                "SuccessfulCreate",
                replica_set.clone(),
                format!("Created pod: {name}"),
            ));
            self.pods.push(Pod::new(name, &hash, now, None));
        }
        // Old pods go as far as availability allows: unready ones at once, ready ones while
        // enough pods stay available.
        if self.rolling_out() {
            let min_available = desired.saturating_sub(max_unavailable);
            let mut available = self.ready_pods(now);
            let mut removed: Vec<String> = Vec::new();
            let mut old: Vec<usize> = (0..self.pods.len())
                .filter(|i| self.pods[*i].hash != hash)
                .collect();
            old.sort_by_key(|i| (self.pods[*i].is_ready(now), self.pods[*i].created_at));
            let mut remove = Vec::new();
            for index in old {
                let ready = self.pods[index].is_ready(now);
                if ready {
                    if available <= min_available {
                        continue;
                    }
                    available -= 1;
                }
                remove.push(index);
            }
            remove.sort_unstable();
            for index in remove.into_iter().rev() {
                let pod = self.pods.remove(index);
                if !pod.is_pending() {
                    *room += 1;
                }
                removed.push(pod.name);
            }
            if !removed.is_empty() {
                let old_set = format!(
                    "{}-{}",
                    self.service,
                    self.previous_hash.clone().unwrap_or_default()
                );
                let left = self.pods.iter().filter(|p| p.hash != hash).count();
                events.push(event(
                    "ScalingReplicaSet",
                    format!("deployment/{}", self.service),
                    format!("Scaled down replica set {old_set} to {left}"),
                ));
                for name in removed {
                    events.push(event(
                        "SuccessfulDelete",
                        format!("replicaset/{old_set}"),
                        format!("Deleted pod: {name}"),
                    ));
                }
            }
        }
        let nodes = capacity / PODS_PER_NODE;
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

    /// Crashing php-fpm containers are restarted when their back-off ends, and crash again.
    fn crash_loops(&mut self, now: SimTime, namespace: &str) -> Vec<KubeEvent> {
        let mut events = Vec::new();
        for pod in self.pods.iter_mut().filter(|pod| pod.php_fpm_down(now)) {
            let Some(until) = pod.back_off_until else {
                continue;
            };
            if until > now {
                continue;
            }
            let object = format!("pod/{}", pod.name);
            if pod.restarts == 0 {
                events.push(
                    KubeEvent::new(
                        now,
                        namespace,
                        "Unhealthy",
                        object.clone(),
                        "Readiness probe failed: php-fpm-healthcheck: connect() to unix:/run/php-fpm.sock failed (111: Connection refused)".into(),
                    )
                    .warn(),
                );
            }
            pod.restarts += 1;
            // 10 s, doubled at each restart, at most 5 minutes.
            let back_off = SimDuration::from_seconds(10)
                .as_ms()
                .saturating_mul(1 << (pod.restarts - 1).min(10))
                .min(MAX_BACK_OFF.as_ms());
            pod.back_off_until = Some(now.plus(SimDuration(back_off)));
            events.push(
                KubeEvent::new(
                    now,
                    namespace,
                    "BackOff",
                    object,
                    format!(
                        "Back-off restarting failed container php-fpm in pod {}_{namespace}",
                        pod.name
                    ),
                )
                .warn(),
            );
        }
        events
    }

    /// The current pod template's hash.
    pub fn replica_set_hash(&self) -> &str {
        &self.template_hash
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

/// Lowercase letters and digits as Kubernetes uses in generated names.
fn random_suffix(rng: &mut SimRng, length: usize) -> String {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    (0..length)
        .map(|_| ALPHABET[rng.range_inclusive(0, ALPHABET.len() as u64 - 1) as usize] as char)
        .collect()
}
