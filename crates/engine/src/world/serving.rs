//! Traffic in the world: each step, every environment's arrivals meet its ready pods, its
//! database and the faults in effect (scheduled, injected, released, a revoked key), and the
//! counters the dashboards read grow.

use super::*;

impl World {
    /// The traffic model for one step: arrivals against ready capacity, into the counters.
    pub(super) fn serve_traffic(&mut self, tick: SimDuration) {
        let step_seconds = tick.as_seconds_f64();
        let platform = self.scenario.platform.clone();
        let environments = self.tools.cluster.environments();
        let mut loads = Vec::with_capacity(environments.len());
        let mut database_loads = Vec::with_capacity(environments.len());
        for (environment, environment_spec) in environments.iter().zip(&platform.environments) {
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
            // Every environment has its infrastructure once the world is built.
            let database = self
                .database(&environment.name)
                .map(|database| database.load(demand))
                .unwrap_or_default();
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
                let released_fault = self.pull_request().and_then(|pull| {
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
                        .tools
                        .infra
                        .env(&environment.name)
                        .is_some_and(|infra| infra.key_revoked)
                {
                    traffic::inject(&mut load, service, &revoked_key_fault(&environment.name));
                }
                services.push(load);
            }
            loads.push(services);
        }
        self.metrics.record(&loads);
        self.metrics.databases = database_loads;
    }
}

/// The fault a deleted access key causes: the partner API rejects every sign-in token.
pub fn revoked_key_fault(env: &str) -> Fault {
    Fault {
        env: env.to_string(),
        service: "external-signin".into(),
        route: None,
        status: "498",
        share: 1.0,
        lasts: None,
        every: None,
    }
}
