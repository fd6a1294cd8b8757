//! Label sets and samples, the values PromQL computes with.

use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;

/// A label set, sorted by name; the metric name is the `__name__` label.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, serde::Deserialize,
)]
pub struct Labels(pub BTreeMap<String, String>);

impl Labels {
    /// A label set holding only a metric name.
    pub fn named(name: &str) -> Self {
        Labels(BTreeMap::from([("__name__".to_string(), name.to_string())]))
    }

    /// The same set with one more label.
    pub fn with(mut self, name: &str, value: &str) -> Self {
        self.0.insert(name.to_string(), value.to_string());
        self
    }

    /// The value of a label, empty when absent, as PromQL treats a missing label.
    pub fn get(&self, name: &str) -> &str {
        self.0.get(name).map_or("", String::as_str)
    }

    /// The metric name, empty when dropped.
    pub fn metric_name(&self) -> &str {
        self.get("__name__")
    }

    /// The same set without the metric name.
    pub fn without_name(mut self) -> Self {
        self.0.remove("__name__");
        self
    }
}

impl fmt::Display for Labels {
    /// `name{label="value", ...}`, as Prometheus prints a series.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.metric_name())?;
        let labels: Vec<String> = self
            .0
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
        labels.0.remove("__name__");
    }
}
