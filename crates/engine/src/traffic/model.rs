//! Traffic and the service model: requests per route, and the latency, status codes and
//! php-fpm load that follow from capacity.
//!
//! Arrival rate per route follows a daily curve (quiet nights, busy days) and the peaks the
//! platform gives an environment (in the standard platform, prod's TV prime time around 21:00,
//! which quadruples traffic). Each service answers with php-fpm workers: ready pods × workers
//! per pod, each request taking its route's base service time. Utilization
//! drives latency (a queue that lengthens as it fills) and, past saturation, 504 errors; no
//! ready pod means 503s. The shared database adds its wait to each request's service time (so a
//! saturated database saturates php-fpm too) and, past its capacity, fails a share of requests
//! with 500s. Scenario faults (a bad release, a revoked token) turn a share of a route's
//! successful requests into an error status.

use crate::database::DatabaseLoad;
use crate::platform::{DailyCurve, EnvironmentSpec, RouteSpec, ServiceSpec};
use crate::rng::SimRng;
use crate::time::SimTime;

/// The histogram buckets of `http_request_seconds`, in seconds (`+Inf` is added).
pub const LATENCY_BUCKETS: [f64; 8] = [0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// The share of the daily maximum at `hour` (fractional hours since midnight).
fn daily_shape(daily: &DailyCurve, hour: f64) -> f64 {
    // Lowest twelve hours before the busiest hour: a shifted cosine between `quietest` and 1.
    let phase = (hour - daily.busiest) / 24.0 * std::f64::consts::TAU;
    daily.quietest + (1.0 - daily.quietest) * (0.5 + 0.5 * phase.cos())
}

/// The multiplier of an environment's peaks at `hour`: each a bell around its time of day.
fn peaks(environment: &EnvironmentSpec, hour: f64) -> f64 {
    let mut factor = 1.0;
    for peak in &environment.peaks {
        // The distance to the peak across midnight, from -12 to 12 hours.
        let distance = (hour - peak.at + 12.0).rem_euclid(24.0) - 12.0;
        factor *= 1.0
            + (peak.factor - 1.0)
                * (-(distance * distance) / (2.0 * peak.width * peak.width)).exp();
    }
    factor
}

/// Requests per second a service receives now.
pub fn arrival_rate(
    environment: &EnvironmentSpec,
    daily: &DailyCurve,
    now: SimTime,
    rng: &mut SimRng,
) -> f64 {
    let seconds_of_day = (now.epoch_ms() / 1000).rem_euclid(86_400) as f64;
    let hour = seconds_of_day / 3600.0;
    let rate = environment.traffic * daily_shape(daily, hour) * peaks(environment, hour);
    // A few percent of noise, drawn from the world's stream.
    rate * (0.95 + 0.1 * rng.unit())
}

/// What one route served during one step.
#[derive(Debug, Clone, PartialEq)]
pub struct RouteLoad {
    /// Requests by status code.
    pub by_status: Vec<(&'static str, f64)>,
    /// Mean time to answer a request that was served, in seconds.
    pub mean_latency: f64,
    /// The fastest answer, in seconds.
    pub fastest: f64,
}

/// The state of a service's php-fpm pool during one step.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceLoad {
    /// Busy workers over all workers, from 0 to 1.
    pub utilization: f64,
    /// In the order of the service's routes.
    pub routes: Vec<RouteLoad>,
}

/// How long a request that fails on saturation or with no pod waits before its error.
pub const TIMEOUT_SECONDS: f64 = 10.0;

/// Queries per second a service sends its database when it gets `rate` requests per second.
pub fn database_demand(service: &ServiceSpec, rate: f64) -> f64 {
    service
        .routes
        .iter()
        .map(|route| rate * route.share * route.queries)
        .sum()
}

/// Serves one step of `step_seconds` for a service with `ready_pods` at `rate` requests/s,
/// against a database in the state `database`.
pub fn serve(
    service: &ServiceSpec,
    rate: f64,
    ready_pods: usize,
    step_seconds: f64,
    database: &DatabaseLoad,
) -> ServiceLoad {
    // A worker waiting on the database is a busy worker.
    let busy_seconds =
        |route: &RouteSpec| route.seconds + route.queries * database.extra_seconds_per_query;
    let service_seconds: f64 = service
        .routes
        .iter()
        .map(|route| route.share * busy_seconds(route))
        .sum();
    let capacity = ready_pods as f64 * f64::from(service.workers) / service_seconds;
    let utilization = if capacity > 0.0 {
        rate / capacity
    } else {
        f64::INFINITY
    };
    let busy = utilization.min(1.0);
    // Mean latency of a queue filling up, bounded where the proxy gives up.
    let queueing = 1.0 / (1.0 - busy.min(0.98));
    let overflow = if ready_pods == 0 {
        1.0
    } else if utilization > 1.0 {
        (utilization - 1.0) / utilization
    } else {
        0.0
    };
    let server_error_status = if ready_pods == 0 { "503" } else { "504" };
    let routes = service
        .routes
        .iter()
        .map(|route| {
            let requests = rate * route.share * step_seconds;
            let failed = requests * overflow;
            let answered = requests - failed;
            let refused = answered * database.failing_share;
            let not_found = (answered - refused) * 0.02;
            let ok = answered - refused - not_found;
            let mean_latency = (busy_seconds(route) * queueing).min(TIMEOUT_SECONDS);
            RouteLoad {
                by_status: vec![
                    ("200", ok),
                    ("404", not_found),
                    ("500", refused),
                    (server_error_status, failed),
                ],
                mean_latency,
                fastest: route.seconds * 0.25,
            }
        })
        .collect();
    ServiceLoad {
        utilization: if utilization.is_finite() { busy } else { 1.0 },
        routes,
    }
}

/// Turns a fault's share of the successful requests of `service` into its error status.
pub fn inject(load: &mut ServiceLoad, service: &ServiceSpec, fault: &crate::fault::Fault) {
    for (route, route_load) in service.routes.iter().zip(&mut load.routes) {
        if fault
            .route
            .as_deref()
            .is_some_and(|only| only != route.name)
        {
            continue;
        }
        let Some(ok) = route_load.by_status.iter_mut().find(|(s, _)| *s == "200") else {
            continue;
        };
        let failed = ok.1 * fault.share;
        ok.1 -= failed;
        match route_load
            .by_status
            .iter_mut()
            .find(|(s, _)| *s == fault.status)
        {
            Some(entry) => entry.1 += failed,
            None => route_load.by_status.push((fault.status, failed)),
        }
    }
}

/// Cumulative bucket counts for `count` requests of `status` (one per bound of
/// [`LATENCY_BUCKETS`], then `+Inf`), and the seconds they took.
pub fn observe(status: &str, count: f64, route: &RouteLoad) -> (Vec<f64>, f64) {
    let mean_latency = route.mean_latency;
    // Saturation and missing pods time out; application errors answer quickly.
    let timed_out = status == "503" || status == "504";
    let mut buckets: Vec<f64> = LATENCY_BUCKETS
        .iter()
        .map(|bound| {
            if timed_out {
                if *bound >= TIMEOUT_SECONDS {
                    count
                } else {
                    0.0
                }
            } else {
                count * latency_cdf(*bound, mean_latency, route.fastest)
            }
        })
        .collect();
    buckets.push(count);
    let seconds = count
        * if timed_out {
            TIMEOUT_SECONDS
        } else {
            mean_latency
        };
    (buckets, seconds)
}

/// The share of requests answered within `bound` seconds: a fixed minimum, then exponential.
fn latency_cdf(bound: f64, mean: f64, minimum: f64) -> f64 {
    if bound <= minimum {
        0.0
    } else {
        1.0 - (-(bound - minimum) / (mean - minimum).max(1e-3)).exp()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::Platform;
    use crate::time::SimDuration;

    fn service(name: &str) -> ServiceSpec {
        Platform::standard().service(name).unwrap().clone()
    }

    #[test]
    fn prod_peaks_at_prime_time_and_sleeps_at_night() {
        // Guards the traffic curve the lessons rely on: 21:00 is the busiest time in prod.
        let mut rng = SimRng::seeded(1);
        let at = |hh: i64| SimTime::day_one_at(SimDuration::from_minutes(hh * 60));
        let platform = Platform::standard();
        let prod = platform.environment("prod").unwrap();
        let night = arrival_rate(prod, &platform.daily, at(4), &mut rng);
        let afternoon = arrival_rate(prod, &platform.daily, at(14), &mut rng);
        let peak = arrival_rate(prod, &platform.daily, at(21), &mut rng);
        assert!(night < afternoon / 3.0, "{night} {afternoon}");
        assert!(peak > afternoon * 1.5, "{peak} {afternoon}");
        let dev = platform.environment("dev").unwrap();
        let dev_evening = arrival_rate(dev, &platform.daily, at(21), &mut rng);
        assert!(
            dev_evening < 3.0,
            "no prime-time peak in dev: {dev_evening}"
        );
    }

    #[test]
    fn saturation_brings_latency_then_errors() {
        // Guards the capacity model: more load than workers gives 504s; no pod gives 503s.
        let idle = DatabaseLoad::default();
        let calm = serve(&service("users"), 10.0, 3, 15.0, &idle);
        let saturated = serve(&service("users"), 1000.0, 3, 15.0, &idle);
        let down = serve(&service("users"), 10.0, 0, 15.0, &idle);
        let errors = |load: &ServiceLoad, status: &str| -> f64 {
            load.routes
                .iter()
                .flat_map(|r| &r.by_status)
                .filter(|(s, _)| *s == status)
                .map(|(_, n)| n)
                .sum()
        };
        assert_eq!(errors(&calm, "504"), 0.0);
        assert!(errors(&saturated, "504") > 0.5 * 1000.0 * 15.0);
        assert!(errors(&down, "503") > 149.0);
        let (buckets, _) = observe("200", 100.0, &calm.routes[0]);
        assert!(
            buckets[1] > 50.0,
            "most calm requests answer under 100 ms: {buckets:?}"
        );
        let timed_out = RouteLoad {
            by_status: Vec::new(),
            mean_latency: 0.1,
            fastest: 0.02,
        };
        let (slow, seconds) = observe("504", 10.0, &timed_out);
        assert_eq!(
            (slow[6], slow[7], slow[8], seconds),
            (0.0, 10.0, 10.0, 100.0)
        );
        assert!(calm.utilization < 0.1 && saturated.utilization == 1.0);
    }

    #[test]
    fn a_saturated_database_slows_requests_and_fails_some() {
        // Guards the database's place in the service model: its wait is the workers' wait.
        let calm = serve(&service("stores"), 20.0, 3, 15.0, &DatabaseLoad::default());
        let slow_database = DatabaseLoad {
            utilization: 1.0,
            extra_seconds_per_query: 0.03,
            failing_share: 0.25,
            connections: 40.0,
        };
        let slowed = serve(&service("stores"), 20.0, 3, 15.0, &slow_database);
        let stores = service("stores");
        let latency = |load: &ServiceLoad, route: &str| {
            let index = stores.routes.iter().position(|r| r.name == route).unwrap();
            load.routes[index].mean_latency
        };
        assert!(latency(&slowed, "list_stores") > 3.0 * latency(&calm, "list_stores"));
        assert!(
            latency(&slowed, "list_stores") > latency(&slowed, "get_store"),
            "routes with more queries wait more"
        );
        assert!(slowed.utilization > 2.0 * calm.utilization);
        let refused: f64 = slowed
            .routes
            .iter()
            .flat_map(|r| &r.by_status)
            .filter(|(s, _)| *s == "500")
            .map(|(_, n)| n)
            .sum();
        assert!((refused - 0.25 * 20.0 * 15.0).abs() < 1.0, "{refused}");
        assert!(
            database_demand(&service("stores"), 10.0) > database_demand(&service("coupons"), 10.0)
        );
    }
}
