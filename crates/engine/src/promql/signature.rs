//! Signatures: the part of a label set that groups samples (`by`, `without`) or matches them
//! across an operator (`on`, `ignoring`), found without copying labels. Each distinct
//! signature is built once, when first met.

use super::sample::{name_hash, GroupKeys, LabelHash, Labels};
use promql_parser::parser::LabelModifier;
use rustc_hash::FxHashMap;
use std::collections::BTreeMap;
use std::hash::Hasher;

/// What labels a missing modifier keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Without {
    /// An aggregation without `by` or `without` groups everything together.
    Modifier,
    /// A binary operator without `on` or `ignoring` matches on every label but the name.
    Name,
}

/// How a signature picks its labels from a set, decided once from the modifier. Labels are
/// told apart by their hashes (see [`LabelHash`]).
enum Pick {
    /// `by`/`on`: the hashes of these names.
    Only(Vec<u64>),
    /// `without`/`ignoring` (the name always among them) or, with no modifier on an
    /// operator, every label but the name: all labels except these.
    AllBut(Vec<u64>),
    /// An aggregation without modifier: one signature for everything.
    Nothing,
}

/// The distinct signatures met so far, numbered in the order they were first met.
pub(crate) struct Signatures<'c> {
    pick: Pick,
    /// Where the label sets of signatures met in earlier evaluations are kept.
    cache: Option<&'c GroupKeys>,
    /// The first signature of each hash; signatures whose hashes are the same are chained
    /// through `same_hash`.
    by_hash: FxHashMap<u64, usize>,
    same_hash: Vec<Option<usize>>,
    keys: Vec<Labels>,
}

fn hashed<'m>(names: impl Iterator<Item = &'m str>) -> Vec<u64> {
    names.map(name_hash).collect()
}

impl<'c> Signatures<'c> {
    pub(crate) fn new(modifier: Option<&LabelModifier>, without: Without) -> Self {
        let pick = match modifier {
            Some(LabelModifier::Include(names)) => {
                Pick::Only(hashed(names.labels.iter().map(String::as_str)))
            }
            Some(LabelModifier::Exclude(names)) => Pick::AllBut(hashed(
                names.labels.iter().map(String::as_str).chain(["__name__"]),
            )),
            None if without == Without::Name => Pick::AllBut(hashed(["__name__"].into_iter())),
            None => Pick::Nothing,
        };
        Signatures::picking(pick)
    }

    /// Signatures of every label but `names` (the metric name kept).
    pub(crate) fn all_but(names: &[&str]) -> Self {
        Signatures::picking(Pick::AllBut(hashed(names.iter().copied())))
    }

    fn picking(pick: Pick) -> Self {
        Signatures {
            pick,
            cache: None,
            by_hash: FxHashMap::default(),
            same_hash: Vec::new(),
            keys: Vec::new(),
        }
    }

    /// The same, taking the label sets of the signatures it meets from `cache`.
    pub(crate) fn cached_in(mut self, cache: &'c GroupKeys) -> Self {
        self.cache = Some(cache);
        self
    }

    /// Which labels of `labels` the signature keeps, by their hashes alone.
    fn keeps(&self, hashes: &LabelHash) -> bool {
        match &self.pick {
            Pick::Only(names) => names.contains(&hashes.name),
            Pick::AllBut(names) => !names.contains(&hashes.name),
            Pick::Nothing => false,
        }
    }

    /// The pair hashes of the labels the signature keeps, in name order.
    fn kept<'a>(&'a self, labels: &'a Labels) -> impl Iterator<Item = u64> + 'a {
        labels
            .label_hashes()
            .iter()
            .filter(|hashes| self.keeps(hashes))
            .map(|hashes| hashes.pair)
    }

    fn hash(&self, labels: &Labels) -> u64 {
        let mut hasher = rustc_hash::FxHasher::default();
        for pair in self.kept(labels) {
            hasher.write_u64(pair);
        }
        hasher.finish()
    }

    /// The number of the signature of `labels`, if it was met before.
    pub(crate) fn find(&self, labels: &Labels) -> Option<usize> {
        if matches!(self.pick, Pick::Nothing) {
            return (!self.keys.is_empty()).then_some(0);
        }
        self.find_hashed(labels, self.hash(labels))
    }

    fn find_hashed(&self, labels: &Labels, hash: u64) -> Option<usize> {
        let mut next = self.by_hash.get(&hash).copied();
        while let Some(index) = next {
            let key = self.keys[index].label_hashes().iter();
            if self.kept(labels).eq(key.map(|hashes| hashes.pair)) {
                return Some(index);
            }
            next = self.same_hash[index];
        }
        None
    }

    /// The number of the signature of `labels`, which is `len()` before the call when new.
    pub(crate) fn number(&mut self, labels: &Labels) -> usize {
        if matches!(self.pick, Pick::Nothing) {
            if self.keys.is_empty() {
                self.keys.push(Labels::default());
            }
            return 0;
        }
        let hash = self.hash(labels);
        if let Some(index) = self.find_hashed(labels, hash) {
            return index;
        }
        let build = || {
            let key: BTreeMap<String, String> = labels
                .label_hashes()
                .iter()
                .zip(labels.iter())
                .filter(|(hashes, _)| self.keeps(hashes))
                .map(|(_, (name, value))| (name.clone(), value.clone()))
                .collect();
            Labels::from(key)
        };
        let key = match self.cache {
            Some(cache) => cache.get_or_build(hash, self.kept(labels), build),
            None => build(),
        };
        let index = self.keys.len();
        self.keys.push(key);
        self.same_hash.push(self.by_hash.insert(hash, index));
        index
    }

    /// The signature numbered `index`.
    pub(crate) fn key(&self, index: usize) -> &Labels {
        &self.keys[index]
    }

    /// The signatures' numbers, in label order.
    pub(crate) fn sorted(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.keys.len()).collect();
        order.sort_by(|a, b| self.keys[*a].cmp(&self.keys[*b]));
        order
    }

    /// The signatures, numbered in the order they were first met.
    pub(crate) fn into_keys(self) -> Vec<Labels> {
        self.keys
    }
}
