//! Label sets and samples, the values PromQL computes with.

use promql_parser::parser::LabelModifier;
use rustc_hash::FxHashMap;
use serde::Serialize;
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

/// A label set, sorted by name; the metric name is the `__name__` label.
///
/// The set is shared: cloning it (every selected sample carries its series' labels) copies a
/// pointer, and a set is copied only when it changes. Its hash is computed once, the first
/// time a map or a set of label sets asks for it.
#[derive(Clone, Default)]
pub struct Labels(Arc<LabelSet>);

#[derive(Clone, Default)]
struct LabelSet {
    map: BTreeMap<String, String>,
    hash: OnceLock<u64>,
    /// Per label, in name order: the hash of its name and of the whole pair.
    label_hashes: OnceLock<Box<[LabelHash]>>,
}

/// The hashes of one label, computed once per label set, so that grouping and matching
/// compare numbers instead of strings. They are SipHash's 64 bits: as in Prometheus, whose
/// groups and matches are keyed by a 64-bit hash of their labels, equal hashes are taken for
/// equal labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LabelHash {
    pub name: u64,
    pub pair: u64,
}

/// The hash of a label name, as [`Labels::label_hashes`] computes it.
pub(crate) fn name_hash(name: &str) -> u64 {
    let mut hasher = std::hash::DefaultHasher::new();
    name.hash(&mut hasher);
    hasher.finish()
}

impl LabelSet {
    fn hash(&self) -> u64 {
        *self.hash.get_or_init(|| {
            let mut hasher = rustc_hash::FxHasher::default();
            self.map.hash(&mut hasher);
            hasher.finish()
        })
    }

    fn forget_hashes(&mut self) {
        self.hash = OnceLock::new();
        self.label_hashes = OnceLock::new();
    }
}

impl fmt::Debug for Labels {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Labels").field(&self.0.map).finish()
    }
}

impl Hash for Labels {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.0.hash());
    }
}

impl PartialEq for Labels {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || self.0.map == other.0.map
    }
}

impl Eq for Labels {}

impl PartialOrd for Labels {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Labels {
    fn cmp(&self, other: &Self) -> Ordering {
        if Arc::ptr_eq(&self.0, &other.0) {
            Ordering::Equal
        } else {
            self.0.map.cmp(&other.0.map)
        }
    }
}

impl From<BTreeMap<String, String>> for Labels {
    fn from(map: BTreeMap<String, String>) -> Self {
        Labels(Arc::new(LabelSet {
            map,
            ..LabelSet::default()
        }))
    }
}

impl Serialize for Labels {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.map.serialize(serializer)
    }
}

impl<'de> serde::Deserialize<'de> for Labels {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        BTreeMap::deserialize(deserializer).map(Labels::from)
    }
}

impl Labels {
    /// Whether both are the very same shared set (not only equal ones).
    pub fn is(&self, other: &Labels) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }

    /// A label set of name and value pairs (a later pair replaces an earlier one of the
    /// same name).
    pub fn from_pairs(pairs: &[(&str, &str)]) -> Self {
        Labels::from(
            pairs
                .iter()
                .map(|(name, value)| (name.to_string(), value.to_string()))
                .collect::<BTreeMap<_, _>>(),
        )
    }

    /// A label set holding only a metric name.
    pub fn named(name: &str) -> Self {
        Labels::from(BTreeMap::from([("__name__".to_string(), name.to_string())]))
    }

    /// The same set with one more label.
    pub fn with(mut self, name: &str, value: &str) -> Self {
        self.insert(name.to_string(), value.to_string());
        self
    }

    /// The value of a label, empty when absent, as PromQL treats a missing label.
    pub fn get(&self, name: &str) -> &str {
        self.0.map.get(name).map_or("", String::as_str)
    }

    /// The metric name, empty when dropped.
    pub fn metric_name(&self) -> &str {
        self.get("__name__")
    }

    /// The same set without the metric name.
    pub fn without_name(mut self) -> Self {
        self.remove("__name__");
        self
    }

    /// The labels as a map from name to value.
    pub fn map(&self) -> &BTreeMap<String, String> {
        &self.0.map
    }

    /// The labels as a map the caller owns (copied only if the set is shared).
    pub fn into_map(self) -> BTreeMap<String, String> {
        Arc::unwrap_or_clone(self.0).map
    }

    /// The labels, name and value, in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &String)> {
        self.0.map.iter()
    }

    /// The hashes of each label, in name order, computed the first time they are asked for.
    pub(crate) fn label_hashes(&self) -> &[LabelHash] {
        self.0.label_hashes.get_or_init(|| {
            self.0
                .map
                .iter()
                .map(|(name, value)| {
                    let mut hasher = std::hash::DefaultHasher::new();
                    (name, value).hash(&mut hasher);
                    LabelHash {
                        name: name_hash(name),
                        pair: hasher.finish(),
                    }
                })
                .collect()
        })
    }

    /// True for the empty set.
    pub fn is_empty(&self) -> bool {
        self.0.map.is_empty()
    }

    /// The number of labels.
    pub fn len(&self) -> usize {
        self.0.map.len()
    }

    /// Sets a label, copying the set first if it is shared.
    pub fn insert(&mut self, name: String, value: String) {
        let set = Arc::make_mut(&mut self.0);
        set.map.insert(name, value);
        set.forget_hashes();
    }

    /// Removes a label (copying the set first only if it is shared and holds the label).
    pub fn remove(&mut self, name: &str) {
        if self.0.map.contains_key(name) {
            let set = Arc::make_mut(&mut self.0);
            set.map.remove(name);
            set.forget_hashes();
        }
    }
}

/// Label sets kept by a hash, behind a lock so that readers holding the store or the world
/// by shared reference can fill it. A copy starts empty; it forgets everything once it holds
/// [`LabelCache::KEPT`] sets. What a hash stands for is the caller's: `same` confirms that
/// a kept set is the one asked for, and `build` makes it when none is (a set whose hash is
/// taken by another is built and not kept).
#[derive(Debug, Default)]
struct KeptSets(Mutex<FxHashMap<u64, Labels>>);

impl Clone for KeptSets {
    fn clone(&self) -> Self {
        KeptSets::default()
    }
}

impl KeptSets {
    fn get_or_build(
        &self,
        hash: u64,
        same: impl FnOnce(&Labels) -> bool,
        build: impl FnOnce() -> Labels,
    ) -> Labels {
        let mut sets = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(labels) = sets.get(&hash) {
            return if same(labels) {
                labels.clone()
            } else {
                build()
            };
        }
        if sets.len() >= LabelCache::KEPT {
            sets.clear();
        }
        let labels = build();
        sets.insert(hash, labels.clone());
        labels
    }
}

/// Label sets built again and again from the same names and values (every gauge at every
/// scrape), kept so that building one again costs a hash and a comparison, and gives the very
/// set the store already holds (so that finding its series compares pointers).
#[derive(Debug, Default, Clone)]
pub struct LabelCache(KeptSets);

impl LabelCache {
    /// Label sets kept at most.
    pub const KEPT: usize = 8192;

    /// The label set of these pairs (names all different; the metric name is `__name__`).
    pub fn get(&self, pairs: &[(&str, &str)]) -> Labels {
        let mut sorted = [("", ""); 8];
        let Some(sorted) = sorted.get_mut(..pairs.len()) else {
            return Labels::from_pairs(pairs);
        };
        sorted.copy_from_slice(pairs);
        sorted.sort_unstable_by(|a, b| a.0.cmp(b.0));
        let mut hasher = rustc_hash::FxHasher::default();
        sorted.hash(&mut hasher);
        let same = |labels: &Labels| {
            labels.len() == sorted.len()
                && labels
                    .iter()
                    .zip(sorted.iter())
                    .all(|((name, value), (n, v))| name == n && value == v)
        };
        self.0
            .get_or_build(hasher.finish(), same, || Labels::from_pairs(pairs))
    }
}

/// The label sets of aggregation groups, kept across evaluations: a rule that sums 300 bucket
/// series by `le` every 15 s builds its groups' label sets once. A set is found by the hashes
/// of its pairs (see [`LabelHash`]). Beside them, how the latest aggregations grouped their
/// samples (see [`Grouping`]).
#[derive(Debug, Default, Clone)]
pub(crate) struct GroupKeys {
    sets: KeptSets,
    groupings: Remembered<Grouping>,
    matchings: Remembered<Matching>,
}

impl GroupKeys {
    /// The set whose pairs hash to `pairs` (`hash` combining them), built by `build` if new.
    pub(crate) fn get_or_build(
        &self,
        hash: u64,
        pairs: impl Iterator<Item = u64>,
        build: impl FnOnce() -> Labels,
    ) -> Labels {
        let same = |labels: &Labels| labels.label_hashes().iter().map(|h| h.pair).eq(pairs);
        self.sets.get_or_build(hash, same, build)
    }

    /// How an aggregation whose modifier is `modifier` grouped `samples` when it last met the
    /// very same label sets in the same order (the same shared sets, compared by pointer).
    pub(crate) fn grouping(
        &self,
        modifier: Option<&LabelModifier>,
        samples: &[Sample],
    ) -> Option<Arc<Grouping>> {
        self.groupings.find(|grouping| {
            grouping.modifier.as_ref() == modifier && same_sets(&grouping.inputs, samples)
        })
    }

    /// Keeps `grouping` for the next evaluations.
    pub(crate) fn remember(&self, grouping: Arc<Grouping>) {
        self.groupings.keep(grouping);
    }

    /// How a binary operator matching with `modifier` paired the samples of its "many" side
    /// with those of its "one" side when it last met the very same label sets on both.
    pub(crate) fn matching(
        &self,
        modifier: Option<&LabelModifier>,
        one: &[Sample],
        many: &[Sample],
    ) -> Option<Arc<Matching>> {
        self.matchings.find(|matching| {
            matching.modifier.as_ref() == modifier
                && same_sets(&matching.one, one)
                && same_sets(&matching.many, many)
        })
    }

    /// Keeps `matching` for the next evaluations.
    pub(crate) fn remember_matching(&self, matching: Arc<Matching>) {
        self.matchings.keep(matching);
    }
}

/// Whether `samples` carry the very label sets `kept`, in the same order.
fn same_sets(kept: &[Labels], samples: &[Sample]) -> bool {
    kept.len() == samples.len()
        && kept
            .iter()
            .zip(samples)
            .all(|(kept, sample)| kept.is(&sample.labels))
}

/// How one aggregation grouped its samples: a rule evaluated every 15 s meets the same series
/// in the same order each time, so the groups, their label sets and their order are found by
/// comparing pointers instead of hashing each sample's labels and sorting the groups again.
/// It holds the label sets it was made for, so none of them can be freed and its address
/// taken by another set while it is kept.
#[derive(Debug)]
pub(crate) struct Grouping {
    /// `by` or `without` and its names.
    pub modifier: Option<LabelModifier>,
    pub inputs: Vec<Labels>,
    /// The group of each input, numbered in the order first met.
    pub groups: Vec<usize>,
    /// The label set of each group.
    pub keys: Vec<Labels>,
    /// The groups' numbers in label order, the order of the result.
    pub order: Vec<usize>,
}

/// How one binary operator between two vectors paired its samples (see [`Grouping`]): for
/// each sample of the "many" side (the left one unless `group_right`), the index of the
/// sample of the "one" side it matches. Only matchings without two samples of the same
/// signature on the "one" side are kept, so that side's samples are in their own order.
#[derive(Debug)]
pub(crate) struct Matching {
    /// `on` or `ignoring` and its names.
    pub modifier: Option<LabelModifier>,
    pub one: Vec<Labels>,
    pub many: Vec<Labels>,
    pub matches: Vec<Option<usize>>,
}

/// The latest groupings or matchings; a copy of the store starts with none.
#[derive(Debug)]
struct Remembered<T>(Mutex<Vec<Arc<T>>>);

impl<T> Remembered<T> {
    /// Kept at most: more than the aggregations or operators a lesson's rules and one view
    /// evaluate in a step.
    const KEPT: usize = 64;

    fn find(&self, found: impl Fn(&T) -> bool) -> Option<Arc<T>> {
        let kept = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        kept.iter().find(|kept| found(kept)).cloned()
    }

    /// Keeps `value`, forgetting the oldest beyond [`Self::KEPT`].
    fn keep(&self, value: Arc<T>) {
        let mut kept = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if kept.len() >= Self::KEPT {
            kept.remove(0);
        }
        kept.push(value);
    }
}

impl<T> Default for Remembered<T> {
    fn default() -> Self {
        Remembered(Mutex::new(Vec::new()))
    }
}

impl<T> Clone for Remembered<T> {
    fn clone(&self) -> Self {
        Remembered::default()
    }
}

impl fmt::Display for Labels {
    /// `name{label="value", ...}`, as Prometheus prints a series.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.metric_name())?;
        let labels: Vec<String> = self
            .iter()
            .filter(|(name, _)| name.as_str() != "__name__")
            .map(|(name, value)| format!("{name}={value:?}"))
            .collect();
        if !labels.is_empty() || self.metric_name().is_empty() {
            write!(f, "{{{}}}", labels.join(", "))?;
        }
        Ok(())
    }
}

/// One series' value at one instant.
///
/// Operations that change what a value means (arithmetic, most functions) do not remove the
/// metric name at once: they set `drop_name`, and the name goes when the whole query is
/// evaluated, as Prometheus 3 does with delayed name removal. Until then `label_replace` can
/// read it or keep it, and aggregations `by (__name__)` still see it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sample {
    pub labels: Labels,
    pub value: f64,
    #[serde(skip)]
    pub drop_name: bool,
}

impl Sample {
    pub fn new(labels: Labels, value: f64) -> Self {
        Sample {
            labels,
            value,
            drop_name: false,
        }
    }

    /// A computed value: the series keeps its labels, and its name is dropped at the end.
    pub fn computed(self, value: f64) -> Self {
        Sample {
            value,
            drop_name: true,
            ..self
        }
    }
}

/// Removes the metric name where an operation asked for it, once a query is evaluated.
pub(crate) fn finish_labels(labels: &mut Labels, drop_name: bool) {
    if drop_name {
        labels.remove("__name__");
    }
}
