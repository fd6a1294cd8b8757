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

#[cfg(test)]
mod tests {
    use super::*;

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
