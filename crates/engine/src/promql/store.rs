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

/// A handle on one series of a store, for writers that append to it every scrape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SeriesId(usize);

/// Series by label set.
#[derive(Debug, Clone, Default)]
pub struct SeriesStore {
    /// Series ids in label order, so selections come out sorted.
    index: BTreeMap<Labels, SeriesId>,
    samples: Vec<Vec<(i64, f64)>>,
    /// Samples older than the newest sample minus this many milliseconds are dropped.
    retention_ms: Option<i64>,
    newest_ms: i64,
    last_trim_ms: i64,
}

/// Retention is enforced at most this often, so trimming costs little per sample.
const TRIM_EVERY_MS: i64 = 3600 * 1000;

impl SeriesStore {
    /// A store that keeps everything.
    pub fn new() -> Self {
        SeriesStore::default()
    }

    /// A store that keeps at least `retention_ms` milliseconds of history behind its newest
    /// sample (and at most an hour more).
    pub fn with_retention(retention_ms: i64) -> Self {
        SeriesStore {
            retention_ms: Some(retention_ms),
            ..SeriesStore::default()
        }
    }

    /// The id of the series with `labels`, created empty if new.
    pub fn series_id(&mut self, labels: &Labels) -> SeriesId {
        if let Some(id) = self.index.get(labels) {
            return *id;
        }
        let id = SeriesId(self.samples.len());
        self.samples.push(Vec::new());
        self.index.insert(labels.clone(), id);
        id
    }

    /// Adds a sample; samples must arrive in time order per series (older ones are dropped,
    /// one at the same time replaces the previous).
    pub fn append(&mut self, labels: &Labels, timestamp_ms: i64, value: f64) {
        let id = self.series_id(labels);
        self.append_to(id, timestamp_ms, value);
    }

    /// Adds a sample to a series by id.
    pub fn append_to(&mut self, id: SeriesId, timestamp_ms: i64, value: f64) {
        let Some(samples) = self.samples.get_mut(id.0) else {
            return;
        };
        match samples.last_mut() {
            Some((last, value_at_last)) if *last == timestamp_ms => {
                *value_at_last = value;
                return;
            }
            Some((last, _)) if *last > timestamp_ms => return,
            _ => {}
        }
        samples.push((timestamp_ms, value));
        self.newest_ms = self.newest_ms.max(timestamp_ms);
    }

    /// Drops samples older than the retention window, at most once an hour of data.
    pub fn enforce_retention(&mut self) {
        let Some(retention) = self.retention_ms else {
            return;
        };
        if self.newest_ms - self.last_trim_ms < TRIM_EVERY_MS {
            return;
        }
        self.last_trim_ms = self.newest_ms;
        let oldest_kept = self.newest_ms - retention;
        for samples in &mut self.samples {
            let cut = samples.partition_point(|(t, _)| *t < oldest_kept);
            samples.drain(..cut);
        }
    }

    /// Removes everything.
    pub fn clear(&mut self) {
        self.index.clear();
        self.samples.clear();
    }

    /// The number of series that hold samples.
    pub fn series_count(&self) -> usize {
        self.samples.iter().filter(|s| !s.is_empty()).count()
    }

    /// The number of samples held.
    pub fn sample_count(&self) -> usize {
        self.samples.iter().map(Vec::len).sum()
    }

    /// Series whose labels satisfy `matchers` (and the metric name, when given), in label order.
    pub fn select<'a>(
        &'a self,
        name: Option<&'a str>,
        matchers: &'a Matchers,
    ) -> impl Iterator<Item = (&'a Labels, &'a [(i64, f64)])> + 'a {
        self.all().filter(move |(labels, _)| {
            name.is_none_or(|name| labels.metric_name() == name) && matches_labels(matchers, labels)
        })
    }

    /// Every series that holds samples, in label order.
    pub fn all(&self) -> impl Iterator<Item = (&Labels, &[(i64, f64)])> {
        self.index.iter().filter_map(|(labels, id)| {
            let samples = self.samples[id.0].as_slice();
            (!samples.is_empty()).then_some((labels, samples))
        })
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
