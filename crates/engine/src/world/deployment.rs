//! Deployments and their pods: desired replicas, pods that take time to become ready.
//!
//! Left out for now: rolling updates, readiness probes failing, restarts; the delivery and
//! Kubernetes work adds them to this same type.

use crate::rng::SimRng;
use crate::time::{SimDuration, SimTime};

/// The fastest and slowest a php-fpm pod takes from creation to ready, in seconds.
const POD_STARTUP_SECONDS: (u64, u64) = (20, 45);

/// One pod of a deployment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pod {
    pub name: String,
    pub created_at: SimTime,
    pub ready_at: SimTime,
}

impl Pod {
    pub fn is_ready(&self, now: SimTime) -> bool {
        self.ready_at <= now
    }
}

/// A service's deployment in one environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deployment {
    pub service: String,
    /// Replicas asked for by the environment's values file.
    pub desired: u32,
    pub pods: Vec<Pod>,
    /// The pod-template hash in pod names, fixed until a rollout changes it.
    template_hash: String,
}

impl Deployment {
    /// A deployment with one desired replica and no pods yet.
    pub fn new(service: &str) -> Self {
        Deployment {
            service: service.to_string(),
            desired: 1,
            pods: Vec::new(),
            template_hash: String::new(),
        }
    }

    /// Pods ready at `now`.
    pub fn ready_pods(&self, now: SimTime) -> usize {
        self.pods.iter().filter(|pod| pod.is_ready(now)).count()
    }

    /// Creates the desired pods as already ready: the state a scenario starts in.
    pub(super) fn start_ready(&mut self, now: SimTime, rng: &mut SimRng) {
        self.template_hash = random_suffix(rng, 9);
        while self.pods.len() < self.desired as usize {
            let name = self.pod_name(rng);
            self.pods.push(Pod {
                name,
                created_at: now,
                ready_at: now,
            });
        }
    }

    /// Moves the pods one step toward the desired count and says what changed.
    pub(super) fn reconcile(
        &mut self,
        now: SimTime,
        step: SimDuration,
        rng: &mut SimRng,
    ) -> Vec<String> {
        let mut messages = Vec::new();
        for pod in &self.pods {
            // A pod whose ready time fell inside the last step became ready in it.
            if pod.ready_at <= now && pod.ready_at > now.plus(SimDuration(-step.0)) {
                messages.push(format!("pod `{}` is ready", pod.name));
            }
        }
        while self.pods.len() < self.desired as usize {
            let startup = rng.range_inclusive(POD_STARTUP_SECONDS.0, POD_STARTUP_SECONDS.1);
            let name = self.pod_name(rng);
            messages.push(format!("created pod `{name}`"));
            self.pods.push(Pod {
                name,
                created_at: now,
                ready_at: now.plus(SimDuration::from_seconds(startup as i64)),
            });
        }
        while self.pods.len() > self.desired as usize {
            // Kubernetes removes pods that are not ready first, then the youngest.
            let victim = self
                .pods
                .iter()
                .enumerate()
                .max_by_key(|(_, pod)| (!pod.is_ready(now), pod.created_at))
                .map(|(index, _)| index)
                .unwrap_or(0);
            let pod = self.pods.remove(victim);
            messages.push(format!("terminated pod `{}`", pod.name));
        }
        messages
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

/// Lowercase letters and digits as Kubernetes uses in generated names.
fn random_suffix(rng: &mut SimRng, length: usize) -> String {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    (0..length)
        .map(|_| ALPHABET[rng.range_inclusive(0, ALPHABET.len() as u64 - 1) as usize] as char)
        .collect()
}
