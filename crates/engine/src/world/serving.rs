//! What disturbs traffic in the world, for the traffic tool to apply: the scenario's and the
//! facilitator's events in effect (a burst, a fault, a fault that came with a release and sits
//! in its pods), the bug the pull request's version carries, and a revoked key.

use super::*;
use crate::fault::{revoked_key_fault, Disturbance, FaultyPods};

impl World {
    /// Everything that disturbs traffic at this instant, in the order traffic applies it.
    pub(super) fn disturbances_now(&self) -> Vec<Disturbance> {
        let mut disturbances = Vec::new();
        let events = self.scenario.events.iter().chain(&self.injected_events);
        for (index, event) in events.enumerate() {
            let started = self.scenario.start_time().plus(event.at);
            if let Some(burst) = &event.burst {
                if burst.is_active(started, self.now) {
                    disturbances.push(Disturbance::Burst {
                        env: burst.env.clone(),
                        service: burst.service.clone(),
                        factor: burst.factor,
                    });
                }
            }
            let Some(fault) = &event.fault else { continue };
            if !fault.is_active(started, self.now) {
                continue;
            }
            // A release's fault is in its pods.
            let in_release = event
                .release
                .as_ref()
                .is_some_and(|r| r.env == fault.env && r.service == fault.service);
            let pods = match self.release_templates.get(&index) {
                Some(hash) if in_release => FaultyPods::Template(hash.clone()),
                _ => FaultyPods::All,
            };
            disturbances.push(Disturbance::Fault {
                fault: fault.clone(),
                pods,
            });
        }
        // A bug the pull request's version carries follows that version's pods.
        if let Some(pull) = self.pull_request() {
            if let Some(fault) = &pull.spec.fault {
                disturbances.push(Disturbance::Fault {
                    fault: fault.clone(),
                    pods: FaultyPods::Version(pull.spec.version.clone()),
                });
            }
        }
        for env in self.scenario.platform.environment_names() {
            if self
                .tools
                .infra
                .env(env)
                .is_some_and(|infra| infra.key_revoked)
            {
                disturbances.push(Disturbance::Fault {
                    fault: revoked_key_fault(env),
                    pods: FaultyPods::All,
                });
            }
        }
        disturbances
    }
}
