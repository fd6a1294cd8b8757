//! The in-memory time-series store: samples by label set, with a retention window.
//!
//! Left out: native histograms, exemplars, out-of-order ingestion (a sample older than the last
//! one of its series is dropped), and compression; memory stays bounded by the retention.

use super::codec::{Reader, Writer};
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

/// The format of [`SeriesStore::encode_since`], written first.
const CODEC_VERSION: u64 = 1;

impl SeriesStore {
    /// The store with only the samples at or after `since_ms`, in a compact binary form that
    /// [`SeriesStore::decode`] reads back. Every series is kept, empty or not, so series ids
    /// stay the same.
    pub fn encode_since(&self, since_ms: i64) -> Vec<u8> {
        let mut strings: BTreeMap<&str, usize> = BTreeMap::new();
        for labels in self.index.keys() {
            for (name, value) in &labels.0 {
                for text in [name.as_str(), value.as_str()] {
                    let next = strings.len();
                    strings.entry(text).or_insert(next);
                }
            }
        }
        let mut table: Vec<(&str, usize)> = strings.iter().map(|(t, i)| (*t, *i)).collect();
        table.sort_by_key(|(_, index)| *index);
        let mut by_id: Vec<Option<&Labels>> = vec![None; self.samples.len()];
        for (labels, id) in &self.index {
            by_id[id.0] = Some(labels);
        }
        let mut out = Writer::default();
        out.uint(CODEC_VERSION);
        out.int(self.retention_ms.unwrap_or(-1));
        out.int(self.newest_ms);
        out.int(self.last_trim_ms);
        out.uint(table.len() as u64);
        for (text, _) in &table {
            out.text(text);
        }
        out.uint(self.samples.len() as u64);
        for (labels, samples) in by_id.iter().zip(&self.samples) {
            let labels = labels.map(|l| &l.0);
            out.uint(labels.map_or(0, |l| l.len()) as u64);
            for (name, value) in labels.into_iter().flatten() {
                out.uint(strings[name.as_str()] as u64);
                out.uint(strings[value.as_str()] as u64);
            }
            let kept = &samples[samples.partition_point(|(t, _)| *t < since_ms)..];
            out.uint(kept.len() as u64);
            let (mut time, mut gap, mut value) = (0i64, 0i64, 0f64);
            for (t, v) in kept {
                let next_gap = t.wrapping_sub(time);
                out.int(next_gap.wrapping_sub(gap));
                out.float_after(value, *v);
                (time, gap, value) = (*t, next_gap, *v);
            }
        }
        out.bytes
    }

    /// Reads what [`SeriesStore::encode_since`] wrote, refusing more than `max_series` series
    /// or `max_samples` samples, and anything malformed.
    pub fn decode(bytes: &[u8], max_series: usize, max_samples: usize) -> Result<Self, String> {
        let mut input = Reader::new(bytes);
        if input.uint()? != CODEC_VERSION {
            return Err("the series were saved in another format".into());
        }
        let retention = input.int()?;
        let mut store = SeriesStore {
            retention_ms: (retention >= 0).then_some(retention),
            newest_ms: input.int()?,
            last_trim_ms: input.int()?,
            ..SeriesStore::default()
        };
        let table: Vec<&str> = (0..input.count(2 * max_series * 16)?)
            .map(|_| input.text())
            .collect::<Result<_, _>>()?;
        let string = |index: usize| {
            table
                .get(index)
                .map(|text| text.to_string())
                .ok_or_else(|| "a label refers to no string".to_string())
        };
        let mut left = max_samples;
        for _ in 0..input.count(max_series)? {
            let mut labels = Labels::default();
            for _ in 0..input.count(64)? {
                let name = string(input.count(table.len())?)?;
                labels.0.insert(name, string(input.count(table.len())?)?);
            }
            let count = input.count(left)?;
            left -= count;
            let mut samples = Vec::with_capacity(count);
            let (mut time, mut gap, mut value) = (0i64, 0i64, 0f64);
            for _ in 0..count {
                gap = gap.wrapping_add(input.int()?);
                let t = time.wrapping_add(gap);
                value = input.float_after(value)?;
                if samples.last().is_some_and(|(last, _)| *last >= t) {
                    return Err("the samples of a series are out of order".into());
                }
                samples.push((t, value));
                time = t;
            }
            let id = SeriesId(store.samples.len());
            if store.index.insert(labels, id).is_some() {
                return Err("two series have the same labels".into());
            }
            store.samples.push(samples);
        }
        if !input.is_done() {
            return Err("the series have trailing data".into());
        }
        Ok(store)
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
