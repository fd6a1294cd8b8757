//! Signatures: the part of a label set that groups samples (`by`, `without`) or matches them
//! across an operator (`on`, `ignoring`), found without copying labels. Each distinct
//! signature is built once, when first met.

use super::sample::Labels;
use promql_parser::parser::LabelModifier;
use rustc_hash::FxHashMap;
use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};

/// What labels a missing modifier keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Without {
    /// An aggregation without `by` or `without` groups everything together.
    Modifier,
    /// A binary operator without `on` or `ignoring` matches on every label but the name.
    Name,
}

/// The distinct signatures met so far, numbered in the order they were first met.
pub(crate) struct Signatures<'m> {
    modifier: Option<&'m LabelModifier>,
    without: Without,
    by_hash: FxHashMap<u64, Vec<usize>>,
    keys: Vec<Labels>,
}

impl<'m> Signatures<'m> {
    pub(crate) fn new(modifier: Option<&'m LabelModifier>, without: Without) -> Self {
        Signatures {
            modifier,
            without,
            by_hash: FxHashMap::default(),
            keys: Vec::new(),
        }
    }

    /// Whether the signature keeps the label `name`.
    fn keeps(&self, name: &str) -> bool {
        match self.modifier {
            Some(LabelModifier::Include(names)) => names.labels.iter().any(|n| n == name),
            Some(LabelModifier::Exclude(names)) => {
                name != "__name__" && !names.labels.iter().any(|n| n == name)
            }
            None => self.without == Without::Name && name != "__name__",
        }
    }

    fn kept<'a>(&'a self, labels: &'a Labels) -> impl Iterator<Item = (&'a String, &'a String)> {
        labels.iter().filter(|(name, _)| self.keeps(name))
    }

    fn hash(&self, labels: &Labels) -> u64 {
        let mut hasher = rustc_hash::FxHasher::default();
        for pair in self.kept(labels) {
            pair.hash(&mut hasher);
        }
        hasher.finish()
    }

    /// The number of the signature of `labels`, if it was met before.
    pub(crate) fn find(&self, labels: &Labels) -> Option<usize> {
        self.find_hashed(labels, self.hash(labels))
    }

    fn find_hashed(&self, labels: &Labels, hash: u64) -> Option<usize> {
        self.by_hash
            .get(&hash)?
            .iter()
            .copied()
            .find(|index| self.kept(labels).eq(self.keys[*index].iter()))
    }

    /// The number of the signature of `labels`, which is `len()` before the call when new.
    pub(crate) fn number(&mut self, labels: &Labels) -> usize {
        let hash = self.hash(labels);
        if let Some(index) = self.find_hashed(labels, hash) {
            return index;
        }
        let key: BTreeMap<String, String> = self
            .kept(labels)
            .map(|(name, value)| (name.clone(), value.clone()))
            .collect();
        let index = self.keys.len();
        self.keys.push(Labels::from(key));
        self.by_hash.entry(hash).or_default().push(index);
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
