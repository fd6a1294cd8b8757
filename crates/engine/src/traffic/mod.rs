//! Traffic as a tool of the world: each step, every environment's arrivals meet its ready
//! pods, its database and what disturbs them (bursts, faults scheduled, injected or released,
//! a revoked key), and the request counters the dashboards read grow (`metrics.rs`). The
//! service model itself is `model.rs`.
//!
//! Traffic takes no command: it follows the platform's daily curve, the cluster's pods and
//! the infrastructure's databases, which it reads through [`Surroundings`], and draws its noise
//! from the world's random stream it is lent.

pub mod metrics;
pub mod model;

use crate::fault::{Disturbance, FaultyPods};
use crate::promql::{Sample, SeriesStore};
use crate::time::SimTime;
use crate::tool::{Effect, Lent, NoCommand, Surroundings, Tool};
use metrics::{MetricsState, PlatformMetrics};

/// The platform's traffic: its request counters and the last step's loads.
#[derive(Debug, Clone, Default)]
pub struct Traffic {
    metrics: PlatformMetrics,
}

impl Traffic {
    /// No request served yet, with a counter for every route of every service in every
    /// environment of `platform`.
    pub fn new(platform: &crate::platform::Platform) -> Self {
        Traffic {
            metrics: PlatformMetrics::new(platform),
        }
    }

    /// The share of the php-fpm workers of the service numbered `service` busy in the
    /// environment numbered `env` (in the platform's order) during the last step, from 0 to 1.
    pub fn php_fpm_busy(&self, env: usize, service: usize) -> Option<f64> {
        self.metrics.utilization.get(env)?.get(service).copied()
    }

    /// One step of arrivals against ready capacity, into the counters.
    fn serve(&mut self, world: &dyn Surroundings, rng: &mut crate::rng::SimRng) {
        let now = world.now();
        let step_seconds = world.tick().as_seconds_f64();
        let platform = world.platform();
        let disturbances = world.disturbances();
        let namespaces = world.namespaces();
        let mut loads = Vec::with_capacity(namespaces.len());
        let mut database_loads = Vec::with_capacity(namespaces.len());
        for (namespace, environment_spec) in namespaces.iter().zip(&platform.environments) {
            let env = namespace.name;
            let mut arrivals = Vec::with_capacity(namespace.deployments.len());
            for deployment in namespace.deployments {
                let mut rate = model::arrival_rate(environment_spec, &platform.daily, now, rng);
                for disturbance in &disturbances {
                    if let Disturbance::Burst {
                        env: burst_env,
                        service,
                        factor,
                    } = disturbance
                    {
                        if burst_env == env
                            && service.as_ref().is_none_or(|s| *s == deployment.service)
                        {
                            rate *= factor;
                        }
                    }
                }
                arrivals.push((rate, deployment.ready_pods(now)));
            }
            // The database sees the queries of every service that has a pod to send them.
            let demand = platform
                .services
                .iter()
                .zip(&arrivals)
                .filter(|(_, (_, ready))| *ready > 0)
                .map(|(service, (rate, _))| model::database_demand(service, *rate))
                .sum();
            // Every environment has its infrastructure once the world is built.
            let database = world
                .database(env)
                .map(|database| database.load(demand))
                .unwrap_or_default();
            let mut services = Vec::with_capacity(namespace.deployments.len());
            let services_of = namespace.deployments.iter().zip(&platform.services);
            for ((deployment, service), (rate, ready)) in services_of.zip(arrivals) {
                let mut load = model::serve(service, rate, ready, step_seconds, &database);
                for disturbance in &disturbances {
                    let Disturbance::Fault { fault, pods } = disturbance else {
                        continue;
                    };
                    if fault.env != env || fault.service != deployment.service {
                        continue;
                    }
                    // A fault in some pods hits the share of requests they serve.
                    match pods {
                        FaultyPods::All => model::inject(&mut load, service, fault),
                        FaultyPods::Template(hash) => {
                            let mut scaled = fault.clone();
                            scaled.share *= deployment.ready_share_of(hash, now);
                            model::inject(&mut load, service, &scaled);
                        }
                        FaultyPods::Version(version) => {
                            let mut scaled = fault.clone();
                            scaled.share *= deployment.ready_share_running(version, now);
                            if scaled.share > 0.0 {
                                model::inject(&mut load, service, &scaled);
                            }
                        }
                    }
                }
                services.push(load);
            }
            loads.push(services);
            database_loads.push(database);
        }
        self.metrics.record(&loads);
        self.metrics.databases = database_loads;
    }
}

impl Tool for Traffic {
    const NAME: &'static str = "traffic";
    type Command = NoCommand;
    type Saved = MetricsState;
    type Snapshot = ();

    fn parse(line: &str) -> Result<NoCommand, String> {
        Err(format!(
            "`{line}`: traffic takes no commands; it follows the platform's daily curve, the pods and the databases"
        ))
    }

    fn command(
        &mut self,
        command: NoCommand,
        _world: &dyn Surroundings,
        _lent: &mut Lent,
    ) -> Result<Vec<Effect>, String> {
        match command {}
    }

    fn step(&mut self, world: &dyn Surroundings, lent: &mut Lent) -> Vec<Effect> {
        self.serve(world, lent.rng);
        Vec::new()
    }

    /// What CloudWatch's exporter gives of each environment's database under this load.
    fn expose(&self, world: &dyn Surroundings, samples: &mut Vec<Sample>) {
        let environments = world.platform().environment_names();
        for (environment, load) in environments.zip(&self.metrics.databases) {
            let Some(database) = world.database(environment) else {
                continue;
            };
            let labels = |name: &str| {
                world.labels().get(&[
                    ("__name__", name),
                    ("env", environment),
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
                world.labels().get(&[
                    ("__name__", "aws_rds_instance_info"),
                    ("env", environment),
                    ("dbinstance_identifier", &database.identifier),
                    ("instance_class", database.class.name),
                ]),
                1.0,
            ));
        }
    }

    /// The request histograms, each written to its series once it has counted a request.
    fn write_series(&mut self, series: &mut SeriesStore, now: SimTime) {
        self.metrics.scrape_into(series, now);
    }

    fn save(&self) -> MetricsState {
        self.metrics.state()
    }

    fn restore(saved: MetricsState, world: &dyn Surroundings) -> Result<Self, String> {
        let mut metrics = PlatformMetrics::new(world.platform());
        metrics.restore(saved)?;
        Ok(Traffic { metrics })
    }

    fn snapshot(&self, _world: &dyn Surroundings) {}
}
