//! Traffic and the service model: requests per route, and the latency, status codes and
//! php-fpm load that follow from capacity.
//!
//! Arrival rate per route follows a daily curve (quiet nights, busy days) and, in prod, a TV
//! prime-time peak around 21:00 that quadruples traffic. Each service answers with php-fpm
//! workers: ready pods × workers per pod, each request taking a base service time. Utilization
//! drives latency (a queue that lengthens as it fills) and, past saturation, 504 errors; no
//! ready pod means 503s. The shared database adds its wait to each request's service time (so a
//! saturated database saturates php-fpm too) and, past its capacity, fails a share of requests
//! with 500s. Scenario faults (a bad release, a revoked token) turn a share of a route's
//! successful requests into an error status.

use super::database::{queries_per_request, DatabaseLoad};
use crate::rng::SimRng;
use crate::time::SimTime;

/// php-fpm workers per pod.
pub const WORKERS_PER_POD: f64 = 8.0;

/// How long one request keeps a worker busy when nothing queues, in seconds.
pub const SERVICE_SECONDS: f64 = 0.08;

/// The histogram buckets of `http_request_seconds`, in seconds (`+Inf` is added).
pub const LATENCY_BUCKETS: [f64; 8] = [0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// The routes of a service and the share of its traffic each gets.
pub fn routes(service: &str) -> &'static [(&'static str, f64)] {
    match service {
        "users" => &[("get_user", 0.7), ("list_users", 0.3)],
        "stores" => &[("get_store", 0.6), ("list_stores", 0.4)],
        "coupons" => &[("get_coupon", 0.8), ("apply_coupon", 0.2)],
        _ => &[("signin", 0.6), ("callback", 0.4)],
    }
}

/// Requests per second a service gets in an environment at the busiest ordinary hour.
fn base_rate(environment: &str) -> f64 {
    match environment {
        "dev" => 2.0,
        "staging" => 6.0,
        _ => 60.0,
    }
}

/// The share of the daily maximum at `hour` (fractional hours since midnight).
fn daily_shape(hour: f64) -> f64 {
    // Lowest around 04:00, highest around 14:00: a shifted cosine between 0.15 and 1.
    let phase = (hour - 14.0) / 24.0 * std::f64::consts::TAU;
    0.15 + 0.85 * (0.5 + 0.5 * phase.cos())
}

/// The prime-time multiplier in prod: up to 4× around 21:00, gone an hour either side.
fn prime_time(hour: f64) -> f64 {
    let distance = hour - 21.0;
    1.0 + 3.0 * (-(distance * distance) / (2.0 * 0.5 * 0.5)).exp()
}

/// Requests per second a service receives now.
pub fn arrival_rate(environment: &str, now: SimTime, rng: &mut SimRng) -> f64 {
    let seconds_of_day = (now.epoch_ms() / 1000).rem_euclid(86_400) as f64;
    let hour = seconds_of_day / 3600.0;
    let mut rate = base_rate(environment) * daily_shape(hour);
    if environment == "prod" {
        rate *= prime_time(hour);
    }
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
}

/// The state of a service's php-fpm pool during one step.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceLoad {
    /// Busy workers over all workers, from 0 to 1.
    pub utilization: f64,
    pub routes: Vec<(&'static str, RouteLoad)>,
}

/// How long a request that fails on saturation or with no pod waits before its error.
pub const TIMEOUT_SECONDS: f64 = 10.0;

/// Queries per second a service sends its database when it gets `rate` requests per second.
pub fn database_demand(service: &str, rate: f64) -> f64 {
    routes(service)
        .iter()
        .map(|(route, share)| rate * share * queries_per_request(route))
        .sum()
}

/// Serves one step of `step_seconds` for a service with `ready_pods` at `rate` requests/s,
/// against a database in the state `database`.
pub fn serve(
    service: &str,
    rate: f64,
    ready_pods: usize,
    step_seconds: f64,
    database: &DatabaseLoad,
) -> ServiceLoad {
    // A worker waiting on the database is a busy worker.
    let database_wait = |route: &str| queries_per_request(route) * database.extra_seconds_per_query;
    let service_seconds = SERVICE_SECONDS
        + routes(service)
            .iter()
            .map(|(route, share)| share * database_wait(route))
            .sum::<f64>();
    let capacity = ready_pods as f64 * WORKERS_PER_POD / service_seconds;
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
    let routes = routes(service)
        .iter()
        .map(|(route, share)| {
            let requests = rate * share * step_seconds;
            let failed = requests * overflow;
            let answered = requests - failed;
            let refused = answered * database.failing_share;
            let not_found = (answered - refused) * 0.02;
            let ok = answered - refused - not_found;
            let mean_latency =
                ((SERVICE_SECONDS + database_wait(route)) * queueing).min(TIMEOUT_SECONDS);
            (
                *route,
                RouteLoad {
                    by_status: vec![
                        ("200", ok),
                        ("404", not_found),
                        ("500", refused),
                        (server_error_status, failed),
                    ],
                    mean_latency,
                },
            )
        })
        .collect();
    ServiceLoad {
        utilization: if utilization.is_finite() { busy } else { 1.0 },
        routes,
    }
}

/// Turns a fault's share of the successful requests into its error status.
pub fn inject(load: &mut ServiceLoad, fault: &super::Fault) {
    for (route, route_load) in &mut load.routes {
        if fault.route.as_deref().is_some_and(|only| only != *route) {
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
pub fn observe(status: &str, count: f64, mean_latency: f64) -> (Vec<f64>, f64) {
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
                count * latency_cdf(*bound, mean_latency)
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
fn latency_cdf(bound: f64, mean: f64) -> f64 {
    let minimum = SERVICE_SECONDS * 0.25;
    if bound <= minimum {
        0.0
    } else {
        1.0 - (-(bound - minimum) / (mean - minimum).max(1e-3)).exp()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::SimDuration;

    #[test]
    fn prod_peaks_at_prime_time_and_sleeps_at_night() {
        // Guards the traffic curve the lessons rely on: 21:00 is the busiest time in prod.
        let mut rng = SimRng::seeded(1);
        let at = |hh: i64| SimTime::day_one_at(SimDuration::from_minutes(hh * 60));
        let night = arrival_rate("prod", at(4), &mut rng);
        let afternoon = arrival_rate("prod", at(14), &mut rng);
        let peak = arrival_rate("prod", at(21), &mut rng);
        assert!(night < afternoon / 3.0, "{night} {afternoon}");
        assert!(peak > afternoon * 1.5, "{peak} {afternoon}");
        let dev_evening = arrival_rate("dev", at(21), &mut rng);
        assert!(
            dev_evening < 3.0,
            "no prime-time peak in dev: {dev_evening}"
        );
    }

    #[test]
    fn saturation_brings_latency_then_errors() {
        // Guards the capacity model: more load than workers gives 504s; no pod gives 503s.
        let idle = DatabaseLoad::default();
        let calm = serve("users", 10.0, 3, 15.0, &idle);
        let saturated = serve("users", 1000.0, 3, 15.0, &idle);
        let down = serve("users", 10.0, 0, 15.0, &idle);
        let errors = |load: &ServiceLoad, status: &str| -> f64 {
            load.routes
                .iter()
                .flat_map(|(_, r)| &r.by_status)
                .filter(|(s, _)| *s == status)
                .map(|(_, n)| n)
                .sum()
        };
        assert_eq!(errors(&calm, "504"), 0.0);
        assert!(errors(&saturated, "504") > 0.5 * 1000.0 * 15.0);
        assert!(errors(&down, "503") > 149.0);
        let (buckets, _) = observe("200", 100.0, calm.routes[0].1.mean_latency);
        assert!(
            buckets[1] > 50.0,
            "most calm requests answer under 100 ms: {buckets:?}"
        );
        let (slow, seconds) = observe("504", 10.0, 0.1);
        assert_eq!(
            (slow[6], slow[7], slow[8], seconds),
            (0.0, 10.0, 10.0, 100.0)
        );
        assert!(calm.utilization < 0.1 && saturated.utilization == 1.0);
    }

    #[test]
    fn a_saturated_database_slows_requests_and_fails_some() {
        // Guards the database's place in the service model: its wait is the workers' wait.
        let calm = serve("stores", 20.0, 3, 15.0, &DatabaseLoad::default());
        let slow_database = DatabaseLoad {
            utilization: 1.0,
            extra_seconds_per_query: 0.03,
            failing_share: 0.25,
            connections: 40.0,
        };
        let slowed = serve("stores", 20.0, 3, 15.0, &slow_database);
        let latency = |load: &ServiceLoad, route: &str| {
            load.routes
                .iter()
                .find(|(r, _)| *r == route)
                .unwrap()
                .1
                .mean_latency
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
            .flat_map(|(_, r)| &r.by_status)
            .filter(|(s, _)| *s == "500")
            .map(|(_, n)| n)
            .sum();
        assert!((refused - 0.25 * 20.0 * 15.0).abs() < 1.0, "{refused}");
        assert!(database_demand("stores", 10.0) > database_demand("coupons", 10.0));
    }
}
