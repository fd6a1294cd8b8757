//! Serde helpers for the world's checkpoint: names the engine keeps as `&'static str`, maps
//! whose keys are not strings, and floats that may be NaN or infinite.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

/// How many distinct names a process interns at most, and how long each may be: a checkpoint
/// read from storage cannot make the interner grow without bound.
const MAX_INTERNED: usize = 4096;
const MAX_INTERNED_LEN: usize = 256;

/// A name the engine keeps as a `&'static str`; spelled through this alias where a field is
/// (de)serialized with [`static_str`], so serde does not take it for a borrowed string.
pub type Name = &'static str;

/// Names interned so far, in a global so that they stay reachable.
static INTERNED: Mutex<BTreeSet<&'static str>> = Mutex::new(BTreeSet::new());

/// The `&'static str` equal to `text`, leaked once per distinct name.
fn intern(text: &str) -> Result<&'static str, String> {
    let mut set = INTERNED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(found) = set.get(text) {
        return Ok(*found);
    }
    if set.len() >= MAX_INTERNED || text.len() > MAX_INTERNED_LEN {
        return Err(format!(
            "unexpected name `{}`",
            crate::limits::truncate_at_char(text, 40)
        ));
    }
    let leaked: &'static str = Box::leak(text.to_string().into_boxed_str());
    set.insert(leaked);
    Ok(leaked)
}

/// `#[serde(with = "static_str")]` for a `&'static str` field.
pub mod static_str {
    use super::*;

    pub fn serialize<S: Serializer>(
        value: &&'static str,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(value)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<&'static str, D::Error> {
        let text = String::deserialize(deserializer)?;
        intern(&text).map_err(serde::de::Error::custom)
    }
}

/// `#[serde(with = "pairs")]` for a map whose keys JSON cannot hold as object keys: written as
/// a list of `[key, value]` pairs.
pub mod pairs {
    use super::*;

    pub fn serialize<K: Serialize, V: Serialize, S: Serializer>(
        map: &BTreeMap<K, V>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(map.iter())
    }

    pub fn deserialize<'de, K, V, D>(deserializer: D) -> Result<BTreeMap<K, V>, D::Error>
    where
        K: Deserialize<'de> + Ord,
        V: Deserialize<'de>,
        D: Deserializer<'de>,
    {
        let pairs = Vec::<(K, V)>::deserialize(deserializer)?;
        Ok(pairs.into_iter().collect())
    }
}

/// `#[serde(with = "float")]` for an `f64` that may be NaN or infinite, which JSON numbers
/// cannot hold: written as its bits.
pub mod float {
    use super::*;

    pub fn serialize<S: Serializer>(value: &f64, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u64(value.to_bits())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
        u64::deserialize(deserializer).map(f64::from_bits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interned_names_are_shared_and_bounded() {
        let first = intern("CrashLoopBackOff").unwrap();
        let second = intern(&"CrashLoop".to_string().replace("Loop", "LoopBackOff")).unwrap();
        assert!(std::ptr::eq(first, second));
        assert!(intern(&"x".repeat(MAX_INTERNED_LEN + 1)).is_err());
    }
}
