//! What the platform exposes to Prometheus, scraped once per step into the world's store.
//!
//! Label sets are built once per world; each step only adds to counters and writes values.

use super::model::{self as traffic, LATENCY_BUCKETS};
use crate::platform::Platform;
use crate::promql::{Labels, SeriesId, SeriesStore};
use crate::time::SimTime;

/// One `http_request_seconds` histogram: its counters for a route and status, and its bucket,
/// sum and count series once it has been scraped.
#[derive(Debug, Clone)]
struct HistogramSeries {
    environment: usize,
    service: usize,
    route: usize,
    status: &'static str,
    /// The labels its series share but the name and `le`: `env`, `project`, `route`, `status`.
    labels: Labels,
    /// Its series in the store, made at its first scrape: as a client library exposes a
    /// labelled histogram only once it has observed something, a status a route never answers
    /// with has no series.
    series: Option<Box<Series>>,
    buckets: Vec<f64>,
    sum: f64,
    count: f64,
}

/// The series of one histogram.
#[derive(Debug, Clone)]
struct Series {
    /// `_bucket` series, one per bound then `+Inf`.
    buckets: Vec<SeriesId>,
    sum: SeriesId,
    count: SeriesId,
}

impl Series {
    /// The series of the histogram with `labels` (see [`HistogramSeries::labels`]), made the
    /// first time.
    fn of<'a>(
        slot: &'a mut Option<Box<Series>>,
        labels: &Labels,
        store: &mut SeriesStore,
    ) -> &'a Series {
        slot.get_or_insert_with(|| {
            let named = |name: &str| labels.clone().with("__name__", name);
            let buckets = LATENCY_BUCKETS
                .iter()
                .map(|bound| format_bound(*bound))
                .chain(std::iter::once("+Inf".to_string()))
                .map(|le| store.series_id(&named("http_request_seconds_bucket").with("le", &le)))
                .collect();
            Box::new(Series {
                buckets,
                sum: store.series_id(&named("http_request_seconds_sum")),
                count: store.series_id(&named("http_request_seconds_count")),
            })
        })
    }
}

/// The counters and label sets of the platform's request metrics.
#[derive(Debug, Clone, Default)]
pub struct PlatformMetrics {
    histograms: Vec<HistogramSeries>,
    /// php-fpm utilization per environment and service during the last step.
    pub utilization: Vec<Vec<f64>>,
    /// Each environment's database during the last step.
    pub databases: Vec<crate::database::DatabaseLoad>,
}

/// The status codes a route can answer with.
const STATUSES: [&str; 8] = ["200", "404", "498", "499", "500", "502", "503", "504"];

impl PlatformMetrics {
    /// The counters of every route of every service in every environment of `platform`.
    pub fn new(platform: &Platform) -> Self {
        let mut histograms = Vec::new();
        for (environment_index, environment) in platform.environment_names().enumerate() {
            for (service_index, service) in platform.services.iter().enumerate() {
                for (route_index, route) in service.routes.iter().enumerate() {
                    let route_labels = Labels::default()
                        .with("env", environment)
                        .with("project", &service.name)
                        .with("route", &route.name);
                    for status in STATUSES {
                        histograms.push(HistogramSeries {
                            environment: environment_index,
                            service: service_index,
                            route: route_index,
                            status,
                            labels: route_labels.clone().with("status", status),
                            series: None,
                            buckets: vec![0.0; LATENCY_BUCKETS.len() + 1],
                            sum: 0.0,
                            count: 0.0,
                        });
                    }
                }
            }
        }
        PlatformMetrics {
            histograms,
            utilization: vec![vec![0.0; platform.services.len()]; platform.environments.len()],
            databases: vec![Default::default(); platform.environments.len()],
        }
    }

    /// Adds one step's traffic, given each service's load, to the counters.
    pub fn record(&mut self, loads: &[Vec<traffic::ServiceLoad>]) {
        for (environment, services) in loads.iter().enumerate() {
            for (service, load) in services.iter().enumerate() {
                self.utilization[environment][service] = load.utilization;
            }
        }
        for histogram in &mut self.histograms {
            let load = &loads[histogram.environment][histogram.service];
            let route = &load.routes[histogram.route];
            let Some((_, count)) = route
                .by_status
                .iter()
                .find(|(status, _)| *status == histogram.status)
            else {
                continue;
            };
            if *count <= 0.0 {
                continue;
            }
            let (buckets, seconds) = traffic::observe(histogram.status, *count, route);
            for (total, added) in histogram.buckets.iter_mut().zip(buckets) {
                *total += added;
            }
            histogram.sum += seconds;
            histogram.count += count;
        }
    }

    /// Writes every request series that has seen a request into `store` at `now`.
    pub fn scrape_into(&mut self, store: &mut SeriesStore, now: SimTime) {
        let t = now.epoch_ms();
        for histogram in &mut self.histograms {
            if histogram.count == 0.0 {
                continue;
            }
            let series = Series::of(&mut histogram.series, &histogram.labels, store);
            for (id, value) in series.buckets.iter().zip(&histogram.buckets) {
                store.append_to(*id, t, *value);
            }
            store.append_to(series.sum, t, histogram.sum);
            store.append_to(series.count, t, histogram.count);
        }
    }
}

/// The counters of [`PlatformMetrics`], for a checkpoint: each histogram's buckets, sum and
/// count, in the order the metrics list them, and the last step's loads.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct MetricsState {
    histograms: Vec<(Vec<f64>, f64, f64)>,
    utilization: Vec<Vec<f64>>,
    databases: Vec<crate::database::DatabaseLoad>,
}

impl PlatformMetrics {
    pub fn state(&self) -> MetricsState {
        MetricsState {
            histograms: self
                .histograms
                .iter()
                .map(|h| (h.buckets.clone(), h.sum, h.count))
                .collect(),
            utilization: self.utilization.clone(),
            databases: self.databases.clone(),
        }
    }

    /// Puts back what [`PlatformMetrics::state`] took, onto metrics made for the same
    /// environments.
    pub fn restore(&mut self, state: MetricsState) -> Result<(), String> {
        let fits = state.histograms.len() == self.histograms.len()
            && state
                .histograms
                .iter()
                .zip(&self.histograms)
                .all(|((buckets, _, _), h)| buckets.len() == h.buckets.len())
            && state
                .utilization
                .iter()
                .map(Vec::len)
                .eq(self.utilization.iter().map(Vec::len))
            && state.databases.len() == self.databases.len();
        if !fits {
            return Err("the request metrics do not fit this world".into());
        }
        for (histogram, (buckets, sum, count)) in self.histograms.iter_mut().zip(state.histograms) {
            (histogram.buckets, histogram.sum, histogram.count) = (buckets, sum, count);
        }
        self.utilization = state.utilization;
        self.databases = state.databases;
        Ok(())
    }
}

/// A bucket bound as Prometheus client libraries print it: `0.05`, `1`, `2.5`.
fn format_bound(bound: f64) -> String {
    format!("{bound}")
}
