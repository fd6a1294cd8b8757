//! The in-memory time-series store: samples by label set, with a retention window.
//!
//! Left out: native histograms, exemplars, out-of-order ingestion (a sample older than the last
//! one of its series is dropped), and compression; memory stays bounded by the retention.

use super::codec::{BlockCache, Reader, Writer, Written, BLOCK_MS, RUN};
use super::sample::{GroupKeys, Labels};
use promql_parser::label::Matchers;
use rustc_hash::FxHashMap;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

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

impl SeriesId {
    /// No series: [`SeriesStore::is_series_of`] is false for it.
    pub const NONE: SeriesId = SeriesId(usize::MAX);
}

/// Series by label set.
#[derive(Debug, Clone, Default)]
pub struct SeriesStore {
    /// The series of each label set.
    index: FxHashMap<Labels, SeriesId>,
    /// Series ids in label order, so selections come out sorted.
    ordered: Vec<SeriesId>,
    /// The series of each metric name, in label order: a selector that names its metric
    /// reads only these.
    by_name: HashMap<String, Vec<SeriesId>>,
    /// The labels of each series, by id.
    labels: Vec<Labels>,
    samples: Vec<Vec<(i64, f64)>>,
    /// Per series, where the last window read ended (see [`SeriesView::window`]).
    cursors: Vec<Cursor>,
    /// Samples older than the newest sample minus this many milliseconds are dropped.
    retention_ms: Option<i64>,
    newest_ms: i64,
    last_trim_ms: i64,
    /// The series each recently used selector with label matchers picked.
    selections: SelectionCache,
    /// The label sets of the aggregation groups evaluations over this store met.
    group_keys: GroupKeys,
    /// The labels and blocks of samples already written for a checkpoint.
    written: BlockCache,
}

/// Selections by selector: a rule evaluated every 15 s, or a dashboard panel every frame,
/// asks for the same series each time, and the series only change when one is added.
/// Emptied when a series is added; a copy of the store starts with it empty.
#[derive(Debug, Default)]
struct SelectionCache(Mutex<Vec<CachedSelection>>);

#[derive(Debug)]
struct CachedSelection {
    hash: u64,
    name: Option<String>,
    matchers: Matchers,
    ids: Arc<[SeriesId]>,
}

/// Selectors kept at most; the oldest goes first.
const SELECTIONS_KEPT: usize = 64;

impl Clone for SelectionCache {
    fn clone(&self) -> Self {
        SelectionCache::default()
    }
}

impl SelectionCache {
    fn entries(&self) -> MutexGuard<'_, Vec<CachedSelection>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn clear(&self) {
        self.entries().clear();
    }
}

fn selector_hash(name: Option<&str>, matchers: &Matchers) -> u64 {
    let mut hasher = rustc_hash::FxHasher::default();
    name.hash(&mut hasher);
    matchers.matchers.hash(&mut hasher);
    matchers.or_matchers.hash(&mut hasher);
    hasher.finish()
}

/// Where the last window read in a series started and ended, kept between evaluations. Only
/// hints: any values give the same windows, so readers on several threads may overwrite each
/// other's.
#[derive(Debug)]
struct Cursor {
    start: AtomicUsize,
    end: AtomicUsize,
}

impl Cursor {
    fn new() -> Self {
        Cursor {
            start: AtomicUsize::new(usize::MAX),
            end: AtomicUsize::new(usize::MAX),
        }
    }
}

impl Clone for Cursor {
    fn clone(&self) -> Self {
        Cursor {
            start: AtomicUsize::new(self.start.load(Ordering::Relaxed)),
            end: AtomicUsize::new(self.end.load(Ordering::Relaxed)),
        }
    }
}

/// A series as a selection reads it: its labels and its samples in time order.
#[derive(Debug, Clone, Copy)]
pub struct SeriesView<'a> {
    pub labels: &'a Labels,
    pub samples: &'a [(i64, f64)],
    /// Where the last window of this series ended: evaluations that move forward in time (a
    /// rule group step after step, a range query) start their search there.
    cursor: &'a Cursor,
}

impl<'a> SeriesView<'a> {
    /// The samples in the window `(after, until]`.
    pub fn window(&self, after: i64, until: i64) -> &'a [(i64, f64)] {
        let end = at_or_before_from(self.samples, until, self.cursor.end.load(Ordering::Relaxed));
        self.cursor.end.store(end, Ordering::Relaxed);
        let head = &self.samples[..end];
        let start = at_or_before_from(head, after, self.cursor.start.load(Ordering::Relaxed));
        self.cursor.start.store(start, Ordering::Relaxed);
        &head[start..]
    }
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

    /// Where aggregations over this store keep their groups' label sets.
    pub(crate) fn group_keys(&self) -> &GroupKeys {
        &self.group_keys
    }

    /// The id of the series with `labels`, created empty if new.
    pub fn series_id(&mut self, labels: &Labels) -> SeriesId {
        if let Some(id) = self.index.get(labels) {
            return *id;
        }
        self.insert_series(labels.clone(), Vec::new())
    }

    /// Whether `id` is the series of this very label set (see [`Labels::is`]): a writer that
    /// kept an id beside the set it came from checks it in one comparison.
    pub fn is_series_of(&self, id: SeriesId, labels: &Labels) -> bool {
        self.labels.get(id.0).is_some_and(|kept| kept.is(labels))
    }

    /// Adds a series that is not in the store yet.
    fn insert_series(&mut self, labels: Labels, samples: Vec<(i64, f64)>) -> SeriesId {
        let id = SeriesId(self.samples.len());
        let same_name = self
            .by_name
            .entry(labels.metric_name().to_string())
            .or_default();
        let at = same_name.partition_point(|other| self.labels[other.0] < labels);
        same_name.insert(at, id);
        let at = self
            .ordered
            .partition_point(|other| self.labels[other.0] < labels);
        self.ordered.insert(at, id);
        self.samples.push(samples);
        self.cursors.push(Cursor::new());
        self.labels.push(labels.clone());
        self.index.insert(labels, id);
        self.selections.clear();
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
        self.ordered.clear();
        self.by_name.clear();
        self.labels.clear();
        self.samples.clear();
        self.cursors.clear();
        self.selections.clear();
        *self.written.written() = Written::default();
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
    ) -> Box<dyn Iterator<Item = SeriesView<'a>> + 'a> {
        let view = move |id: &SeriesId| {
            let samples = self.samples[id.0].as_slice();
            (!samples.is_empty()).then(|| SeriesView {
                labels: &self.labels[id.0],
                samples,
                cursor: &self.cursors[id.0],
            })
        };
        let named = || match name {
            Some(name) => self.by_name.get(name).map_or(&[][..], Vec::as_slice),
            None => self.ordered.as_slice(),
        };
        if matchers.matchers.is_empty() && matchers.or_matchers.is_empty() {
            return Box::new(named().iter().filter_map(view));
        }
        let ids = self.matching_ids(name, matchers, named());
        Box::new((0..ids.len()).filter_map(move |at| view(&ids[at])))
    }

    /// The series of `candidates` whose labels satisfy `matchers`, remembered by selector.
    fn matching_ids(
        &self,
        name: Option<&str>,
        matchers: &Matchers,
        candidates: &[SeriesId],
    ) -> Arc<[SeriesId]> {
        let hash = selector_hash(name, matchers);
        let mut entries = self.selections.entries();
        let found = entries.iter().find(|entry| {
            entry.hash == hash && entry.name.as_deref() == name && entry.matchers == *matchers
        });
        if let Some(entry) = found {
            return entry.ids.clone();
        }
        let ids: Arc<[SeriesId]> = candidates
            .iter()
            .copied()
            .filter(|id| matches_labels(matchers, &self.labels[id.0]))
            .collect();
        if entries.len() == SELECTIONS_KEPT {
            entries.remove(0);
        }
        entries.push(CachedSelection {
            hash,
            name: name.map(str::to_string),
            matchers: matchers.clone(),
            ids: ids.clone(),
        });
        ids
    }

    /// The labels and samples of a series that holds samples.
    fn series(&self, id: SeriesId) -> Option<(&Labels, &[(i64, f64)])> {
        let samples = self.samples[id.0].as_slice();
        (!samples.is_empty()).then(|| (&self.labels[id.0], samples))
    }

    /// Every series that holds samples, in label order.
    pub fn all(&self) -> impl Iterator<Item = (&Labels, &[(i64, f64)])> {
        self.ordered.iter().filter_map(|id| self.series(*id))
    }
}

/// How many samples are at or before `time`, searched from `hint` (a count found before):
/// forward when time moved on, back when it went back, galloping either way.
pub(crate) fn at_or_before_from(samples: &[(i64, f64)], time: i64, hint: usize) -> usize {
    let len = samples.len();
    let hint = hint.min(len);
    if hint > 0 && samples[hint - 1].0 > time {
        return newest_at_or_before(&samples[..hint], time);
    }
    // Every sample before `low` is at or before `time`.
    let mut low = hint;
    let mut step = 1;
    loop {
        let probe = low + step - 1;
        if probe >= len {
            return low + samples[low..].partition_point(|(t, _)| *t <= time);
        }
        if samples[probe].0 > time {
            return low + samples[low..probe].partition_point(|(t, _)| *t <= time);
        }
        low = probe + 1;
        step *= 2;
    }
}

/// The index of the first sample at or after `time`, searched from the newest.
fn first_at_or_after(samples: &[(i64, f64)], time: i64) -> usize {
    match time.checked_sub(1) {
        Some(before) => newest_at_or_before(samples, before),
        None => 0,
    }
}

/// How many samples are at or before `time`: the index of the first sample after it.
fn newest_at_or_before(samples: &[(i64, f64)], time: i64) -> usize {
    let len = samples.len();
    let mut step = 1;
    let mut low = len;
    // Widen the span `[len - step, len)` until it starts at or before `time`.
    while low > 0 && samples[low - 1].0 > time {
        let next = len.saturating_sub(step);
        if samples[next].0 <= time {
            return next + samples[next..low].partition_point(|(t, _)| *t <= time);
        }
        low = next;
        step *= 2;
    }
    low
}

/// The format of [`SeriesStore::encode_since`], written first.
const CODEC_VERSION: u64 = 1;

impl SeriesStore {
    /// The store with only the samples at or after `since_ms`, in a compact binary form that
    /// [`SeriesStore::decode`] reads back. Every series is kept, empty or not, so series ids
    /// stay the same.
    pub fn encode_since(&self, since_ms: i64) -> Vec<u8> {
        let mut out = Writer::default();
        // Where each series' kept samples start, found from its newest end, which is what
        // is read next.
        let firsts: Vec<usize> = self
            .samples
            .iter()
            .map(|samples| first_at_or_after(samples, since_ms))
            .collect();
        // About four bytes a sample: a changed value and a regular gap.
        let kept_samples: usize = self
            .samples
            .iter()
            .zip(&firsts)
            .map(|(samples, first)| samples.len() - first)
            .sum();
        out.bytes.reserve(kept_samples * 4 + 4096);
        out.uint(CODEC_VERSION);
        out.int(self.retention_ms.unwrap_or(-1));
        out.int(self.newest_ms);
        out.int(self.last_trim_ms);
        // Each label string once, numbered in the order first met, then each series' labels
        // and samples.
        let mut written = self.written.written();
        let Written { labels, blocks, .. } = &mut *written;
        labels.extend(&self.labels);
        out.uint(labels.count() as u64);
        out.bytes.extend_from_slice(&labels.strings);
        out.uint(self.samples.len() as u64);
        blocks.resize_with(self.samples.len(), Vec::new);
        for (id, samples) in self.samples.iter().enumerate() {
            out.bytes.extend_from_slice(labels.series(id));
            out.series(samples, firsts[id], &mut blocks[id]);
        }
        out.bytes
    }

    /// Writes ahead the blocks of samples at or after `since_ms` that can no longer change, so
    /// that the next [`SeriesStore::encode_since`] copies them: a page calls this while its
    /// clock plays, a little work at a time, instead of paying for a whole checkpoint at once.
    pub fn encode_ahead(&self, since_ms: i64) {
        let mut written = self.written.written();
        written.labels.extend(&self.labels);
        let Written { blocks, open, .. } = &mut *written;
        blocks.resize_with(self.samples.len(), Vec::new);
        open.resize(self.samples.len(), i64::MIN);
        for ((samples, cache), open) in self.samples.iter().zip(blocks).zip(open) {
            let Some((newest, _)) = samples.last() else {
                continue;
            };
            let block = newest.div_euclid(BLOCK_MS);
            if *open == block {
                continue;
            }
            *open = block;
            Writer::ahead(samples, first_at_or_after(samples, since_ms), cache);
        }
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
                labels.insert(name, string(input.count(table.len())?)?);
            }
            let count = input.count(left)?;
            left -= count;
            let mut samples: Vec<(i64, f64)> = Vec::with_capacity(count);
            let (mut time, mut gap, mut value) = (0i64, 0i64, 0f64);
            while samples.len() < count {
                let repeats = match input.peek() {
                    Some(header) if header > RUN => {
                        input.byte()?;
                        usize::from(header - RUN)
                    }
                    _ => {
                        value = input.float_after(value)?;
                        gap = gap.wrapping_add(input.int()?);
                        1
                    }
                };
                if samples.len() + repeats > count {
                    return Err("a series has more samples than it says".into());
                }
                for _ in 0..repeats {
                    let t = time.wrapping_add(gap);
                    if samples.last().is_some_and(|(last, _)| *last >= t) {
                        return Err("the samples of a series are out of order".into());
                    }
                    samples.push((t, value));
                    time = t;
                }
            }
            if store.index.contains_key(&labels) {
                return Err("two series have the same labels".into());
            }
            store.insert_series(labels, samples);
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

#[cfg(test)]
mod codec_tests {
    use super::*;

    fn series(store: &SeriesStore) -> Vec<(Labels, Vec<(i64, u64)>)> {
        store
            .all()
            .map(|(labels, samples)| {
                let bits = samples.iter().map(|(t, v)| (*t, v.to_bits())).collect();
                (labels.clone(), bits)
            })
            .collect()
    }

    #[test]
    fn a_store_reads_back_from_its_binary_form_with_the_same_ids() {
        let mut store = SeriesStore::with_retention(3_600_000);
        let gauge = Labels::named("up").with("env", "prod");
        let counter = Labels::named("requests_total").with("env", "prod");
        let odd = Labels::named("odd");
        for step in 0..1_000i64 {
            let t = 1_700_000_000_000 + step * 15_000;
            store.append(&gauge, t, 1.0);
            store.append(&counter, t, step as f64 * 0.37 + 1e-9);
            // Irregular times and values that JSON could not hold.
            if step % 7 == 0 {
                let value = [f64::NAN, f64::INFINITY, -0.0, stale_marker()][(step % 4) as usize];
                store.append(&odd, t + step % 5, value);
            }
        }
        store.series_id(&Labels::named("never_written"));
        let since = 1_700_000_000_000 + 200 * 15_000;
        let bytes = store.encode_since(since);
        let read = SeriesStore::decode(&bytes, 10, 10_000).expect("it reads back");
        let mut expected = series(&store);
        for (_, samples) in &mut expected {
            samples.retain(|(t, _)| *t >= since);
        }
        assert_eq!(series(&read), expected);
        assert_eq!(read.index, store.index);
        assert_eq!(read.newest_ms, store.newest_ms);
        // A gauge that does not move costs about two bytes per block (five minutes, 20 samples).
        let gauge_only = {
            let mut only = SeriesStore::new();
            for step in 0..800i64 {
                only.append(&gauge, step * 15_000, 1.0);
            }
            only.encode_since(0).len()
        };
        assert!(gauge_only < 3 * 40, "{gauge_only} bytes");
        // Limits and damage are refused, never a panic.
        assert!(SeriesStore::decode(&bytes, 2, 10_000).is_err());
        assert!(SeriesStore::decode(&bytes, 10, 100).is_err());
        for end in (0..bytes.len()).step_by(97) {
            assert!(SeriesStore::decode(&bytes[..end], 10, 10_000).is_err());
        }
        let mut flipped = bytes.clone();
        for index in (0..flipped.len()).step_by(13) {
            flipped[index] ^= 0x5a;
            let _ = SeriesStore::decode(&flipped, 10, 10_000);
        }
    }
}

#[cfg(test)]
mod written_ahead_tests {
    use super::*;
    use proptest::prelude::*;

    /// What a store does between two checkpoints.
    #[derive(Debug, Clone)]
    enum Step {
        /// A sample in series `series`, `gap` after the newest (zero replaces it), of a value
        /// from a small set so that runs happen.
        Append {
            series: usize,
            gap: i64,
            value: u8,
        },
        /// Writing ahead for a checkpoint keeping `kept` of history.
        Ahead {
            kept: i64,
        },
        Checkpoint {
            kept: i64,
        },
        Trim,
        NewSeries,
    }

    fn step() -> impl Strategy<Value = Step> {
        let minute = 60_000i64;
        prop_oneof![
            8 => (0usize..4, prop_oneof![Just(0), Just(15_000), 1i64..20 * minute], 0u8..3)
                .prop_map(|(series, gap, value)| Step::Append { series, gap, value }),
            2 => (0i64..90 * minute).prop_map(|kept| Step::Ahead { kept }),
            2 => (0i64..90 * minute).prop_map(|kept| Step::Checkpoint { kept }),
            1 => Just(Step::Trim),
            1 => Just(Step::NewSeries),
        ]
    }

    proptest! {
        /// Blocks written ahead and kept from one checkpoint to the next give the bytes a
        /// store with nothing written ahead gives, whatever happened in between.
        #[test]
        fn a_checkpoint_written_ahead_is_the_one_written_from_nothing(
            steps in proptest::collection::vec(step(), 1..120),
        ) {
            let mut store = SeriesStore::with_retention(2 * 3_600_000);
            let mut names = vec![Labels::named("a"), Labels::named("b").with("env", "prod")];
            let mut newest = [1_700_000_000_000i64; 8];
            for step in steps {
                match step {
                    Step::Append { series, gap, value } => {
                        let series = series % names.len();
                        newest[series] += gap;
                        let value = [0.0, 1.5, f64::NAN][usize::from(value)];
                        store.append(&names[series], newest[series], value);
                    }
                    Step::Ahead { kept } => store.encode_ahead(store.newest_ms - kept),
                    Step::Checkpoint { kept } => {
                        let since = store.newest_ms - kept;
                        let written = store.encode_since(since);
                        prop_assert_eq!(&written, &store.clone().encode_since(since));
                        let read = SeriesStore::decode(&written, 10, 100_000).expect("reads back");
                        for (labels, samples) in store.all() {
                            let kept: Vec<_> =
                                samples.iter().filter(|(t, _)| *t >= since).collect();
                            let id = store.index[labels];
                            prop_assert_eq!(&read.labels[id.0], labels);
                            let back = &read.samples[id.0];
                            prop_assert_eq!(back.len(), kept.len());
                            for ((t, v), (bt, bv)) in kept.iter().zip(back) {
                                prop_assert_eq!((*t, v.to_bits()), (*bt, bv.to_bits()));
                            }
                        }
                    }
                    Step::Trim => {
                        store.last_trim_ms = i64::MIN / 2;
                        store.enforce_retention();
                    }
                    Step::NewSeries if names.len() < 8 => {
                        let name = format!("s{}", names.len());
                        names.push(Labels::named(&name).with("env", "prod"));
                    }
                    Step::NewSeries => {}
                }
            }
        }
    }
}

#[cfg(test)]
mod window_tests {
    use super::{at_or_before_from, newest_at_or_before};

    /// The window `(after, until]` found from the end, as a selection of the newest samples does.
    fn window(samples: &[(i64, f64)], after: i64, until: i64) -> &[(i64, f64)] {
        let head = &samples[..newest_at_or_before(samples, until)];
        &head[newest_at_or_before(head, after)..]
    }
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn the_window_found_from_the_end_is_the_one_a_binary_search_finds(
            mut times in proptest::collection::vec(-50i64..50, 0..40),
            after in -60i64..60,
            width in 0i64..120,
        ) {
            times.sort_unstable();
            times.dedup();
            let samples: Vec<(i64, f64)> = times.iter().map(|t| (*t, *t as f64)).collect();
            let until = after + width;
            let start = samples.partition_point(|(t, _)| *t <= after);
            let end = samples.partition_point(|(t, _)| *t <= until).max(start);
            prop_assert_eq!(window(&samples, after, until), &samples[start..end]);
            for hint in [0, 1, samples.len() / 2, samples.len(), usize::MAX] {
                prop_assert_eq!(
                    at_or_before_from(&samples, until, hint),
                    samples.partition_point(|(t, _)| *t <= until)
                );
            }
        }
    }
}
