//! YAML read within a budget.
//!
//! Anchors and aliases let a short file stand for a huge one: an anchor of a thousand entries
//! aliased a thousand times is a million nodes once expanded, and the parser builds all of
//! them. [`from_str`] first walks the document as the deserializer expands it, counting nodes
//! without keeping them, and stops at [`YAML_MAX_EVENTS`]; only then is the value built.

use crate::limits::{short_count, YAML_MAX_BYTES, YAML_MAX_EVENTS};
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor,
};
use std::cell::Cell;
use std::fmt;

/// `serde_yaml_ng::from_str`, refusing texts over [`YAML_MAX_BYTES`] or documents that expand
/// past [`YAML_MAX_EVENTS`] nodes.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, serde_yaml_ng::Error> {
    check(text)?;
    serde_yaml_ng::from_str(text)
}

/// Fails when `text` is too large or expands too far; syntax errors are left to the parse
/// that follows, which reports them with their position.
pub fn check(text: &str) -> Result<(), serde_yaml_ng::Error> {
    if text.len() > YAML_MAX_BYTES {
        return Err(de::Error::custom(format!(
            "the file is larger than {} KiB, the limit",
            YAML_MAX_BYTES / 1024
        )));
    }
    if !text.contains('*') {
        // No alias: the nodes are bounded by the text itself.
        return Ok(());
    }
    let count = Cell::new(0usize);
    for document in serde_yaml_ng::Deserializer::from_str(text) {
        if let Err(error) = (Counter { count: &count }).deserialize(document) {
            if count.get() > YAML_MAX_EVENTS {
                return Err(error);
            }
            // The parser's own guard against aliases: the same cause, said the same way.
            if error.to_string().starts_with("repetition limit exceeded") {
                return Err(de::Error::custom(too_many()));
            }
            return Ok(());
        }
    }
    Ok(())
}

fn too_many() -> String {
    format!(
        "the document expands to too many nodes once its aliases are followed; the limit is {}",
        short_count(YAML_MAX_EVENTS as f64)
    )
}

#[derive(Clone, Copy)]
struct Counter<'c> {
    count: &'c Cell<usize>,
}

impl Counter<'_> {
    fn tick<E: de::Error>(&self) -> Result<(), E> {
        self.count.set(self.count.get() + 1);
        if self.count.get() > YAML_MAX_EVENTS {
            return Err(E::custom(too_many()));
        }
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for Counter<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Counter<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML node")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        self.tick()
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        self.tick()
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        self.tick()
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        self.tick()
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        self.tick()
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.tick()
    }
    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.tick()
    }
    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        self.tick()?;
        deserializer.deserialize_any(self)
    }
    fn visit_newtype_struct<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        self.tick()?;
        deserializer.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.tick()?;
        while seq.next_element_seed(self)?.is_some() {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        self.tick()?;
        while map.next_key_seed(self)?.is_some() {
            map.next_value_seed(self)?;
        }
        Ok(())
    }
    fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<(), A::Error> {
        self.tick()?;
        let ((), variant) = data.variant_seed(self)?;
        de::VariantAccess::newtype_variant_seed(variant, self)
    }
}

/// Where a node of a YAML document starts, as the parser marked it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    /// 1-based line and column (in characters).
    pub line: usize,
    pub column: usize,
    /// Byte offset in the text.
    pub offset: usize,
}

/// What the locating visitor says when it reaches the node it looks for: the parser then puts
/// that node's position on the error.
const FOUND: &str = "\u{0}found";

/// Where the node at `path` starts in the first document of `text`: each part of the path is a
/// mapping's key, or a sequence's index written in digits (`["services", "2", "routes", "0",
/// "share"]`). The position is the parser's own, not a search of the text, so a name written
/// twice or a key in a comment cannot mislead it. `None` when there is no such node (or the
/// text does not read).
pub fn position_of(text: &str, path: &[&str]) -> Option<Position> {
    locate(
        text,
        Locate {
            path,
            key: false,
            comparing: None,
        },
    )
}

/// Where the key that ends `path` is written in its mapping, rather than its value (which may
/// start on the next line): a problem with the whole value, such as a list too long, is shown
/// at its key.
pub fn key_position_of(text: &str, path: &[&str]) -> Option<Position> {
    locate(
        text,
        Locate {
            path,
            key: true,
            comparing: None,
        },
    )
}

/// Where a problem with the node at `path` is shown: the node (its key, when `key`), else the
/// nearest node that holds it (at its key's place only for the node asked for); `None` when
/// none is found. Each try is one more read of the text: ask only when there is a problem.
pub fn place_of(text: &str, path: &[&str], key: bool) -> Option<Position> {
    (1..=path.len()).rev().find_map(|depth| {
        let held = &path[..depth];
        if key && depth == path.len() {
            key_position_of(text, held)
        } else {
            position_of(text, held)
        }
    })
}

/// [`place_of`] as a diagnostic's 1-based line and column, the top of the file when nothing
/// is found.
pub fn place(text: &str, path: &[&str], key: bool) -> (usize, usize) {
    place_of(text, path, key).map_or((1, 1), |position| (position.line, position.column))
}

fn locate(text: &str, walk: Locate<'_>) -> Option<Position> {
    check(text).ok()?;
    let document = serde_yaml_ng::Deserializer::from_str(text).next()?;
    let error = walk.deserialize(document).err()?;
    // The parser puts the node's path before the message.
    if !error.to_string().contains(FOUND) {
        return None;
    }
    let location = error.location()?;
    Some(Position {
        line: location.line(),
        column: location.column(),
        offset: location.index(),
    })
}

/// Walks down a document to the node at `path`, skipping everything else. One visitor type
/// for the nodes and the keys it compares, since each type a YAML reader visits with is a copy
/// of the reader in the page's code.
#[derive(Clone, Copy)]
struct Locate<'p> {
    path: &'p [&'p str],
    /// The last part names a key, and the key itself is what is located.
    key: bool,
    /// Reading a mapping's key: whether it is this one (and, when `key` is set and the path
    /// ends here, found).
    comparing: Option<&'p str>,
}

impl Locate<'_> {
    /// At a scalar node: found when the path ends here, else there is no such node.
    fn leaf<E: de::Error>(self) -> Result<bool, E> {
        match self.comparing {
            Some(_) => Ok(false),
            None if self.path.is_empty() => Err(E::custom(FOUND)),
            None => Ok(false),
        }
    }

    /// At a scalar that may be a key: compared inside its own visit, so that a match found is
    /// marked at the key.
    fn scalar<E: de::Error>(self, text: &str) -> Result<bool, E> {
        let Some(wanted) = self.comparing else {
            return self.leaf();
        };
        let matches = text == wanted;
        if matches && self.key && self.path.is_empty() {
            return Err(E::custom(FOUND));
        }
        Ok(matches)
    }
}

impl<'de> DeserializeSeed<'de> for Locate<'_> {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Locate<'_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML node")
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<bool, E> {
        self.scalar(&value.to_string())
    }
    fn visit_i64<E: de::Error>(self, value: i64) -> Result<bool, E> {
        self.scalar(&value.to_string())
    }
    fn visit_u64<E: de::Error>(self, value: u64) -> Result<bool, E> {
        self.scalar(&value.to_string())
    }
    fn visit_f64<E: de::Error>(self, value: f64) -> Result<bool, E> {
        self.scalar(&value.to_string())
    }
    fn visit_str<E: de::Error>(self, value: &str) -> Result<bool, E> {
        self.scalar(value)
    }
    fn visit_unit<E: de::Error>(self) -> Result<bool, E> {
        self.leaf()
    }
    fn visit_none<E: de::Error>(self) -> Result<bool, E> {
        self.leaf()
    }
    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_any(self)
    }
    fn visit_newtype_struct<D: Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<bool, A::Error> {
        let wanted = match (self.comparing, self.path.split_first()) {
            (None, None) => return Err(de::Error::custom(FOUND)),
            (None, Some((first, rest))) => first.parse::<usize>().ok().map(|index| (index, rest)),
            // A key that is a sequence, or no such index: skipped.
            (Some(_), _) => None,
        };
        let Some((wanted, rest)) = wanted else {
            while seq.next_element::<de::IgnoredAny>()?.is_some() {}
            return Ok(false);
        };
        for _ in 0..wanted {
            if seq.next_element::<de::IgnoredAny>()?.is_none() {
                return Ok(false);
            }
        }
        seq.next_element_seed(Locate { path: rest, ..self })?;
        Ok(false)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        let found = match (self.comparing, self.path.split_first()) {
            (None, None) => return Err(de::Error::custom(FOUND)),
            (None, Some(found)) => Some(found),
            (Some(_), _) => None,
        };
        let Some((first, rest)) = found else {
            while map
                .next_entry::<de::IgnoredAny, de::IgnoredAny>()?
                .is_some()
            {}
            return Ok(false);
        };
        let key = Locate {
            path: rest,
            comparing: Some(first),
            ..self
        };
        while let Some(matches) = map.next_key_seed(key)? {
            if matches {
                map.next_value_seed(Locate {
                    path: rest,
                    comparing: None,
                    ..self
                })?;
                return Ok(false);
            }
            map.next_value::<de::IgnoredAny>()?;
        }
        Ok(false)
    }
    fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<bool, A::Error> {
        // A tagged node (`!tag value`): the value is what is located.
        let (de::IgnoredAny, variant) = data.variant()?;
        de::VariantAccess::newtype_variant_seed(variant, self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_the_parsers_own() {
        let text = "# services: in a comment\nenvironments: [dev, prod]\nservices:\n  - name: shop\n    routes:\n      - checkout\n      - name: pay\n        share: 2\n  - cart\n";
        let at = |path: &[&str]| position_of(text, path).map(|p| (p.line, p.column));
        assert_eq!(at(&["environments", "1"]), Some((2, 21)));
        assert_eq!(at(&["services"]), Some((4, 3)));
        assert_eq!(at(&["services", "0", "name"]), Some((4, 11)));
        assert_eq!(at(&["services", "0", "routes", "0"]), Some((6, 9)));
        assert_eq!(
            at(&["services", "0", "routes", "1", "share"]),
            Some((8, 16))
        );
        assert_eq!(at(&["services", "1"]), Some((9, 5)));
        // A key, rather than its value on the next line.
        let key = key_position_of(text, &["services"]).map(|p| (p.line, p.column));
        assert_eq!(key, Some((3, 1)));
        let key = key_position_of(text, &["services", "0", "routes", "1", "share"]);
        assert_eq!(key.map(|p| (p.line, p.column)), Some((8, 9)));
        // No such node, or a text that does not read.
        assert_eq!(at(&["services", "2"]), None);
        assert_eq!(at(&["services", "0", "replicas"]), None);
        assert_eq!(at(&["environments", "dev"]), None);
        assert_eq!(position_of("a: [\n", &["a", "0"]), None);
        let offset = position_of(text, &["services", "1"]).unwrap().offset;
        assert!(text[offset..].starts_with("cart"));
    }

    /// Nine entries, each level aliasing the one below nine times: 9^levels nodes.
    fn laughs(levels: usize) -> String {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
        for level in 1..levels {
            let previous = format!("*a{}", level - 1);
            let items = [previous.as_str(); 9].join(", ");
            text.push_str(&format!("a{level}: &a{level} [{items}]\n"));
        }
        text
    }

    #[test]
    fn aliases_that_multiply_a_document_are_refused() {
        let error = from_str::<serde_yaml_ng::Value>(&laughs(9)).unwrap_err();
        assert!(
            error.to_string().contains("once its aliases are followed"),
            "{error}"
        );
        // A wide anchor aliased many times, under the parser's own repetition limit.
        let wide = format!(
            "big: &big [{}]\nuses: [{}]\n",
            vec!["x"; 2000].join(", "),
            vec!["*big"; 2000].join(", ")
        );
        let error = from_str::<serde_yaml_ng::Value>(&wide).unwrap_err();
        assert!(error.to_string().contains("the limit is 200000"), "{error}");
    }

    #[test]
    fn ordinary_aliases_still_read() {
        let value: serde_yaml_ng::Value = from_str(&laughs(3)).unwrap();
        assert_eq!(value["a2"][0][0][0], serde_yaml_ng::Value::from("x"));
        let merged: serde_yaml_ng::Value =
            from_str("base: &base {a: 1}\nprod: {<<: *base, b: 2}\nnote: \"*not an alias\"\n")
                .unwrap();
        assert_eq!(merged["note"], serde_yaml_ng::Value::from("*not an alias"));
        // Syntax errors keep the parser's own message and position.
        let error = from_str::<serde_yaml_ng::Value>("a: *missing\n").unwrap_err();
        assert!(error.location().is_some(), "{error}");
    }
}
