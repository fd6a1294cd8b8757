//! Aggregation operators: `sum`, `avg`, `min`, `max`, `count`, `group`, `stddev`, `stdvar`,
//! `topk`, `bottomk`, `quantile`, `count_values`, with `by` and `without`.

use super::arith::{kahan_sum, mean, variance};
use super::engine::{EvalError, Value};
use super::functions::quantile;
use super::sample::{GroupKeys, Grouping, Labels, Sample};
use super::signature::{Signatures, Without};
use promql_parser::parser::LabelModifier;
use std::collections::BTreeMap;
use std::sync::Arc;

type Result<T> = std::result::Result<T, EvalError>;

pub(crate) fn aggregate(
    op: &str,
    param: Option<Value>,
    samples: Vec<Sample>,
    modifier: Option<&LabelModifier>,
    group_keys: &GroupKeys,
) -> Result<Value> {
    match op {
        "topk" | "bottomk" => {
            let Some(Value::Scalar(k)) = param else {
                return Err(EvalError::Invalid(format!(
                    "expected scalar parameter in `{op}`"
                )));
            };
            if k.is_nan() {
                return Err(EvalError::Invalid("Parameter value is NaN".to_string()));
            }
            let k = if k >= 9.223_372_036_854_776e18 {
                usize::MAX
            } else {
                k.max(0.0) as usize
            };
            let mut signatures = Signatures::new(modifier, Without::Modifier);
            let mut groups: Vec<Vec<Sample>> = Vec::new();
            for sample in samples {
                let group = signatures.number(&sample.labels);
                if group == groups.len() {
                    groups.push(Vec::new());
                }
                groups[group].push(sample);
            }
            let mut result = Vec::new();
            for group in signatures.sorted() {
                let mut members = std::mem::take(&mut groups[group]);
                members.sort_by(|a, b| {
                    if op == "topk" {
                        compare_nan_last_desc(a.value, b.value)
                    } else {
                        compare_nan_last_asc(a.value, b.value)
                    }
                });
                result.extend(members.into_iter().take(k));
            }
            Ok(Value::Vector(result))
        }
        "count_values" => {
            let Some(Value::String(label)) = param else {
                return Err(EvalError::Invalid(
                    "expected string parameter in `count_values`".into(),
                ));
            };
            if label.is_empty() || !is_valid_label_name(&label) {
                return Err(EvalError::Invalid(format!("invalid label name {label:?}")));
            }
            let mut signatures = Signatures::new(modifier, Without::Modifier);
            let mut counts: BTreeMap<Labels, f64> = BTreeMap::new();
            for sample in samples {
                let group = signatures.number(&sample.labels);
                let labels = signatures
                    .key(group)
                    .clone()
                    .with(&label, &format_value(sample.value));
                *counts.entry(labels).or_default() += 1.0;
            }
            Ok(Value::Vector(
                counts
                    .into_iter()
                    .map(|(labels, count)| Sample::new(labels, count))
                    .collect(),
            ))
        }
        _ => {
            let q = match (op, &param) {
                ("quantile", Some(Value::Scalar(q))) => Some(*q),
                ("quantile", _) => {
                    return Err(EvalError::Invalid(
                        "expected scalar parameter in `quantile`".into(),
                    ))
                }
                _ => None,
            };
            // Each sample's group is found first (or taken from the last evaluation that met
            // the same label sets); the values are then laid out group after group in one
            // array (a counting sort, stable), rather than in a growing vector per group. A
            // group drops its metric name when any of its samples would.
            let grouping = match group_keys.grouping(modifier, &samples) {
                Some(grouping) => grouping,
                None => {
                    let grouping = Arc::new(grouping_of(&samples, modifier, group_keys));
                    group_keys.remember(Arc::clone(&grouping));
                    grouping
                }
            };
            let groups = grouping.keys.len();
            let mut drop_names = vec![false; groups];
            let mut starts = vec![0usize; groups + 1];
            for (sample, group) in samples.iter().zip(&grouping.groups) {
                drop_names[*group] |= sample.drop_name;
                starts[group + 1] += 1;
            }
            for group in 0..groups {
                starts[group + 1] += starts[group];
            }
            let mut next = starts.clone();
            let mut laid_out = vec![0.0; samples.len()];
            for (sample, group) in samples.iter().zip(&grouping.groups) {
                laid_out[next[*group]] = sample.value;
                next[*group] += 1;
            }
            let order = &grouping.order;
            let keys = &grouping.keys;
            let mut result = Vec::with_capacity(drop_names.len());
            for &group in order {
                let labels = keys[group].clone();
                let drop_name = drop_names[group];
                let values = &laid_out[starts[group]..starts[group + 1]];
                let count = values.len() as f64;
                let value = match op {
                    "sum" => kahan_sum(values.iter().copied()),
                    "avg" => mean(values),
                    "count" => count,
                    "group" => 1.0,
                    "min" => values.iter().copied().fold(f64::NAN, |acc, v| {
                        if acc.is_nan() || v < acc {
                            v
                        } else {
                            acc
                        }
                    }),
                    "max" => values.iter().copied().fold(f64::NAN, |acc, v| {
                        if acc.is_nan() || v > acc {
                            v
                        } else {
                            acc
                        }
                    }),
                    "stddev" => variance(values).sqrt(),
                    "stdvar" => variance(values),
                    "quantile" => quantile(q.unwrap_or(f64::NAN), values.to_vec()),
                    other => {
                        return Err(EvalError::Unsupported(format!("the `{other}` aggregation")))
                    }
                };
                result.push(Sample {
                    labels,
                    value,
                    drop_name,
                });
            }
            Ok(Value::Vector(result))
        }
    }
}

/// How `samples` group under `modifier`: each one's group, the groups' label sets and their
/// order.
fn grouping_of(
    samples: &[Sample],
    modifier: Option<&LabelModifier>,
    group_keys: &GroupKeys,
) -> Grouping {
    let mut signatures = Signatures::new(modifier, Without::Modifier).cached_in(group_keys);
    let groups = samples
        .iter()
        .map(|sample| signatures.number(&sample.labels))
        .collect();
    let order = signatures.sorted();
    Grouping {
        modifier: modifier.cloned(),
        inputs: samples.iter().map(|sample| sample.labels.clone()).collect(),
        groups,
        keys: signatures.into_keys(),
        order,
    }
}

fn compare_nan_last_desc(a: f64, b: f64) -> std::cmp::Ordering {
    match (a.is_nan(), b.is_nan()) {
        (true, true) => std::cmp::Ordering::Equal,
        (true, false) => std::cmp::Ordering::Greater,
        (false, true) => std::cmp::Ordering::Less,
        _ => b.partial_cmp(&a).unwrap_or(std::cmp::Ordering::Equal),
    }
}

fn compare_nan_last_asc(a: f64, b: f64) -> std::cmp::Ordering {
    match (a.is_nan(), b.is_nan()) {
        (true, true) => std::cmp::Ordering::Equal,
        (true, false) => std::cmp::Ordering::Greater,
        (false, true) => std::cmp::Ordering::Less,
        _ => a.partial_cmp(&b).unwrap_or(std::cmp::Ordering::Equal),
    }
}

pub(crate) fn is_valid_label_name(name: &str) -> bool {
    !name.is_empty() && std::str::from_utf8(name.as_bytes()).is_ok()
}

/// A float as Go's `strconv.FormatFloat(v, 'f', -1, 64)` prints it.
pub(crate) fn format_value(value: f64) -> String {
    if value.is_nan() {
        "NaN".into()
    } else if value.is_infinite() {
        if value > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        }
    } else {
        format!("{value}")
    }
}
