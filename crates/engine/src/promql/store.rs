//! The in-memory time-series store: samples by label set, with a retention window.
//!
//! Left out: native histograms, exemplars, out-of-order ingestion (a sample older than the last
//! one of its series is dropped), and compression; memory stays bounded by the retention.

use super::sample::Labels;
use promql_parser::label::Matchers;
use std::collections::BTreeMap;

/// The bit pattern Prometheus uses to mark a series as stale.
pub const STALE_NAN_BITS: u64 = 0x7ff0_0000_0000_0002;

/// True for the staleness marker, which ends a series until its next sample.
pub fn is_stale_marker(value: f64) -> bool {
    value.to_bits() == STALE_NAN_BITS
}

/// The staleness marker value.
pub fn stale_marker() -> f64 {
    f64::from_bits(STALE_NAN_BITS)
}

/// One series: its labels and its samples in time order, timestamps in milliseconds.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StoredSeries {
    pub labels: Labels,
    pub samples: Vec<(i64, f64)>,
}

/// Series by label set.
#[derive(Debug, Clone, Default)]
pub struct SeriesStore {
    series: BTreeMap<Labels, Vec<(i64, f64)>>,
    /// Samples older than the newest sample minus this many milliseconds are dropped.
    retention_ms: Option<i64>,
    newest_ms: i64,
}

impl SeriesStore {
    /// A store that keeps everything.
    pub fn new() -> Self {
        SeriesStore::default()
    }

    /// A store that keeps `retention_ms` milliseconds of history behind its newest sample.
    pub fn with_retention(retention_ms: i64) -> Self {
        SeriesStore {
            retention_ms: Some(retention_ms),
            ..SeriesStore::default()
        }
    }

    /// Adds a sample; samples must arrive in time order per series.
    pub fn append(&mut self, labels: &Labels, timestamp_ms: i64, value: f64) {
        let samples = match self.series.get_mut(labels) {
            Some(samples) => samples,
            None => self.series.entry(labels.clone()).or_default(),
        };
        if samples
            .last()
            .is_some_and(|(last, _)| *last >= timestamp_ms)
        {
            return;
        }
        samples.push((timestamp_ms, value));
        self.newest_ms = self.newest_ms.max(timestamp_ms);
    }

    /// Drops samples older than the retention window, and series left empty.
    pub fn enforce_retention(&mut self) {
        let Some(retention) = self.retention_ms else {
            return;
        };
        let oldest_kept = self.newest_ms - retention;
        self.series.retain(|_, samples| {
            let cut = samples.partition_point(|(t, _)| *t < oldest_kept);
            samples.drain(..cut);
            !samples.is_empty()
        });
    }

    /// Removes everything.
    pub fn clear(&mut self) {
        self.series.clear();
    }

    /// The number of series held.
    pub fn series_count(&self) -> usize {
        self.series.len()
    }

    /// The number of samples held.
    pub fn sample_count(&self) -> usize {
        self.series.values().map(Vec::len).sum()
    }

    /// Series whose labels satisfy `matchers` (and the metric name, when given).
    pub fn select<'a>(
        &'a self,
        name: Option<&'a str>,
        matchers: &'a Matchers,
    ) -> impl Iterator<Item = (&'a Labels, &'a [(i64, f64)])> + 'a {
        self.series.iter().filter_map(move |(labels, samples)| {
            let name_ok = name.is_none_or(|name| labels.metric_name() == name);
            (name_ok && matches_labels(matchers, labels)).then_some((labels, samples.as_slice()))
        })
    }

    /// Every series, for listings.
    pub fn all(&self) -> impl Iterator<Item = (&Labels, &[(i64, f64)])> {
        self.series
            .iter()
            .map(|(labels, samples)| (labels, samples.as_slice()))
    }
}

/// Whether `labels` satisfy every matcher (or one of the `or` groups).
pub fn matches_labels(matchers: &Matchers, labels: &Labels) -> bool {
    let all = |group: &[promql_parser::label::Matcher]| {
        group
            .iter()
            .all(|matcher| matcher.is_match(labels.get(&matcher.name)))
    };
    if matchers.or_matchers.is_empty() {
        all(&matchers.matchers)
    } else {
        matchers.or_matchers.iter().any(|group| all(group))
    }
}
