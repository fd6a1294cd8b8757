//! PromQL functions over floats: math, time, labels, sorting, `*_over_time`, rates and
//! `histogram_quantile` over classic buckets.

use super::arith::{
    ensure_monotonic, go_max, go_min, kahan_sum, linear_regression, mean, variance_compensated,
};
use super::engine::{AnnotationLevel, EvalError, RangeSeries, Value};
use super::sample::{Labels, Sample};
use super::signature::Signatures;
use promql_parser::parser::Expr;

type Result<T> = std::result::Result<T, EvalError>;

/// An evaluated argument and the expression it came from.
pub(crate) struct FunctionArg<'e> {
    pub value: Value,
    pub expr: &'e Expr,
}

fn vector_arg(args: &mut [FunctionArg<'_>], index: usize, name: &str) -> Result<Vec<Sample>> {
    match args
        .get_mut(index)
        .map(|arg| std::mem::replace(&mut arg.value, Value::Scalar(0.0)))
    {
        Some(Value::Vector(samples)) => Ok(samples),
        _ => Err(EvalError::Invalid(format!(
            "expected instant vector argument {} of `{name}`",
            index + 1
        ))),
    }
}

fn matrix_arg(args: &mut [FunctionArg<'_>], index: usize, name: &str) -> Result<Vec<RangeSeries>> {
    match args
        .get_mut(index)
        .map(|arg| std::mem::replace(&mut arg.value, Value::Scalar(0.0)))
    {
        Some(Value::Matrix(series)) => Ok(series),
        _ => Err(EvalError::Invalid(format!(
            "expected range vector argument {} of `{name}`",
            index + 1
        ))),
    }
}

fn scalar_arg(args: &[FunctionArg<'_>], index: usize, name: &str) -> Result<f64> {
    match args.get(index).map(|arg| &arg.value) {
        Some(Value::Scalar(value)) => Ok(*value),
        _ => Err(EvalError::Invalid(format!(
            "expected scalar argument {} of `{name}`",
            index + 1
        ))),
    }
}

fn string_arg(args: &[FunctionArg<'_>], index: usize, name: &str) -> Result<String> {
    match args.get(index).map(|arg| &arg.value) {
        Some(Value::String(value)) => Ok(value.clone()),
        _ => Err(EvalError::Invalid(format!(
            "expected string argument {} of `{name}`",
            index + 1
        ))),
    }
}

/// Applies `f` to every sample's value, dropping the metric name.
fn map_values(samples: Vec<Sample>, f: impl Fn(f64) -> f64) -> Value {
    Value::Vector(
        samples
            .into_iter()
            .map(|s| {
                let value = f(s.value);
                s.computed(value)
            })
            .collect(),
    )
}

/// Applies `f` to every series of a range vector that has points, dropping the metric name.
fn map_ranges(
    series: Vec<RangeSeries>,
    keep_name: bool,
    f: impl Fn(&[(i64, f64)]) -> Option<f64>,
) -> Value {
    Value::Vector(
        series
            .into_iter()
            .filter_map(|s| {
                let value = f(&s.points)?;
                Some(Sample {
                    labels: s.labels,
                    value,
                    drop_name: !keep_name || s.drop_name,
                })
            })
            .collect(),
    )
}

/// The range functions of one argument that compute a value from each series' points alone:
/// evaluated on points copied from a selection, or straight on the store's windows when their
/// argument is a range selector (see `Evaluator::range_function`).
#[derive(Debug, Clone, Copy)]
pub(crate) enum RangeKernel {
    /// `rate`, `increase`, `delta`, extrapolated over the range `(start, end]`.
    Extrapolated {
        start: i64,
        end: i64,
        is_counter: bool,
        is_rate: bool,
    },
    /// `irate` (true) and `idelta` (false): the last two points.
    Instant {
        is_rate: bool,
    },
    Count,
    Sum,
    Min,
    Max,
    Last,
    Present,
    Changes,
    Resets,
    Deriv,
}

impl RangeKernel {
    /// The kernel of the function `name`, for a range of `range` ms ending at `end`.
    pub(crate) fn of(name: &str, range: i64, end: i64) -> Option<Self> {
        Some(match name {
            "rate" | "increase" | "delta" => RangeKernel::Extrapolated {
                start: end - range,
                end,
                is_counter: name != "delta",
                is_rate: name == "rate",
            },
            "irate" => RangeKernel::Instant { is_rate: true },
            "idelta" => RangeKernel::Instant { is_rate: false },
            "count_over_time" => RangeKernel::Count,
            "sum_over_time" => RangeKernel::Sum,
            "min_over_time" => RangeKernel::Min,
            "max_over_time" => RangeKernel::Max,
            "last_over_time" => RangeKernel::Last,
            "present_over_time" => RangeKernel::Present,
            "changes" => RangeKernel::Changes,
            "resets" => RangeKernel::Resets,
            "deriv" => RangeKernel::Deriv,
            _ => return None,
        })
    }

    /// Whether the result keeps the metric name (only `last_over_time` does).
    pub(crate) fn keeps_name(self) -> bool {
        matches!(self, RangeKernel::Last)
    }

    /// The value of one series' points (staleness markers left out), if it has one.
    pub(crate) fn apply(self, p: &[(i64, f64)]) -> Option<f64> {
        let values = || p.iter().map(|(_, v)| *v);
        match self {
            RangeKernel::Extrapolated {
                start,
                end,
                is_counter,
                is_rate,
            } => extrapolated_rate(p, start, end, is_counter, is_rate),
            RangeKernel::Instant { is_rate } => {
                if p.len() < 2 {
                    return None;
                }
                let (previous, last) = (p[p.len() - 2], p[p.len() - 1]);
                let interval = last.0 - previous.0;
                if interval == 0 {
                    return None;
                }
                let mut result = last.1 - previous.1;
                if is_rate && last.1 < previous.1 {
                    result = last.1;
                }
                if is_rate {
                    result /= interval as f64 / 1000.0;
                }
                Some(result)
            }
            RangeKernel::Count => Some(p.len() as f64),
            RangeKernel::Sum => Some(kahan_sum(values())),
            RangeKernel::Min => {
                Some(values().fold(
                    f64::NAN,
                    |acc, v| {
                        if acc.is_nan() || v < acc {
                            v
                        } else {
                            acc
                        }
                    },
                ))
            }
            RangeKernel::Max => {
                Some(values().fold(
                    f64::NAN,
                    |acc, v| {
                        if acc.is_nan() || v > acc {
                            v
                        } else {
                            acc
                        }
                    },
                ))
            }
            RangeKernel::Last => p.last().map(|(_, v)| *v),
            RangeKernel::Present => Some(1.0),
            RangeKernel::Changes => Some(
                p.windows(2)
                    .filter(|w| w[0].1 != w[1].1 && !(w[0].1.is_nan() && w[1].1.is_nan()))
                    .count() as f64,
            ),
            RangeKernel::Resets => Some(p.windows(2).filter(|w| w[1].1 < w[0].1).count() as f64),
            RangeKernel::Deriv => {
                if p.len() < 2 {
                    return None;
                }
                Some(linear_regression(p, p[0].0).0)
            }
        }
    }
}

/// The range and the `@`- and offset-adjusted end of a range-vector argument, for extrapolation.
fn range_bounds(mut expr: &Expr, t: i64, evaluator: &super::engine::Evaluator<'_>) -> (i64, i64) {
    while let Expr::Paren(paren) = expr {
        expr = &paren.expr;
    }
    match expr {
        Expr::MatrixSelector(matrix) => (
            matrix.range.as_millis() as i64,
            evaluator.reference_time(&matrix.vs.at, &matrix.vs.offset, t),
        ),
        Expr::Subquery(subquery) => (
            subquery.range.as_millis() as i64,
            evaluator.reference_time(&subquery.at, &subquery.offset, t),
        ),
        _ => (0, t),
    }
}

pub(crate) fn call_function(
    name: &str,
    mut args: Vec<FunctionArg<'_>>,
    t: i64,
    evaluator: &super::engine::Evaluator<'_>,
) -> Result<Value> {
    let time_seconds = t as f64 / 1000.0;
    if args.len() == 1 {
        let (range, end) = range_bounds(args[0].expr, t, evaluator);
        if let Some(kernel) = RangeKernel::of(name, range, end) {
            return Ok(map_ranges(
                matrix_arg(&mut args, 0, name)?,
                kernel.keeps_name(),
                |points| kernel.apply(points),
            ));
        }
    }
    match name {
        "time" => Ok(Value::Scalar(time_seconds)),
        "pi" => Ok(Value::Scalar(std::f64::consts::PI)),
        "vector" => Ok(Value::Vector(vec![Sample::new(
            Labels::default(),
            scalar_arg(&args, 0, name)?,
        )])),
        "scalar" => {
            let samples = vector_arg(&mut args, 0, name)?;
            Ok(Value::Scalar(if samples.len() == 1 {
                samples[0].value
            } else {
                f64::NAN
            }))
        }
        "abs" | "ceil" | "floor" | "exp" | "sqrt" | "ln" | "log2" | "log10" | "sgn" | "acos"
        | "acosh" | "asin" | "asinh" | "atan" | "atanh" | "cos" | "cosh" | "sin" | "sinh"
        | "tan" | "tanh" | "deg" | "rad" => {
            let f: fn(f64) -> f64 = match name {
                "abs" => f64::abs,
                "ceil" => f64::ceil,
                "floor" => f64::floor,
                "exp" => f64::exp,
                "sqrt" => f64::sqrt,
                "ln" => f64::ln,
                "log2" => f64::log2,
                "log10" => f64::log10,
                "sgn" => |v| {
                    if v > 0.0 {
                        1.0
                    } else if v < 0.0 {
                        -1.0
                    } else {
                        v
                    }
                },
                "acos" => f64::acos,
                "acosh" => f64::acosh,
                "asin" => f64::asin,
                "asinh" => f64::asinh,
                "atan" => f64::atan,
                "atanh" => f64::atanh,
                "cos" => f64::cos,
                "cosh" => f64::cosh,
                "sin" => f64::sin,
                "sinh" => f64::sinh,
                "tan" => f64::tan,
                "tanh" => f64::tanh,
                "deg" => |v| v * 180.0 / std::f64::consts::PI,
                _ => |v| v * std::f64::consts::PI / 180.0,
            };
            Ok(map_values(vector_arg(&mut args, 0, name)?, f))
        }
        "round" => {
            let to_nearest = if args.len() > 1 {
                scalar_arg(&args, 1, name)?
            } else {
                1.0
            };
            let inverse = 1.0 / to_nearest;
            // Rounds half up, as Prometheus does: floor(v * inverse + 0.5) / inverse.
            Ok(map_values(vector_arg(&mut args, 0, name)?, |v| {
                (v * inverse + 0.5).floor() / inverse
            }))
        }
        "clamp" => {
            let (low, high) = (scalar_arg(&args, 1, name)?, scalar_arg(&args, 2, name)?);
            let samples = vector_arg(&mut args, 0, name)?;
            if high < low {
                return Ok(Value::Vector(Vec::new()));
            }
            Ok(map_values(samples, |v| go_max(low, go_min(high, v))))
        }
        "clamp_min" => {
            let low = scalar_arg(&args, 1, name)?;
            Ok(map_values(vector_arg(&mut args, 0, name)?, |v| {
                go_max(v, low)
            }))
        }
        "clamp_max" => {
            let high = scalar_arg(&args, 1, name)?;
            Ok(map_values(vector_arg(&mut args, 0, name)?, |v| {
                go_min(v, high)
            }))
        }
        "timestamp" => {
            let mut inner = args[0].expr;
            while let Expr::Paren(paren) = inner {
                inner = &paren.expr;
            }
            if let Expr::VectorSelector(selector) = inner {
                return Ok(Value::Vector(evaluator.sample_timestamps(selector, t)));
            }
            // A computed vector's samples are all at the evaluation time.
            let samples = vector_arg(&mut args, 0, name)?;
            Ok(map_values(samples, |_| time_seconds))
        }
        "day_of_month" | "day_of_week" | "day_of_year" | "days_in_month" | "hour" | "minute"
        | "month" | "year" => {
            let samples = if args.is_empty() {
                vec![Sample::new(Labels::default(), time_seconds)]
            } else {
                vector_arg(&mut args, 0, name)?
            };
            Ok(map_values(samples, |seconds| date_part(name, seconds)))
        }
        "absent" => {
            let samples = vector_arg(&mut args, 0, name)?;
            if samples.is_empty() {
                Ok(Value::Vector(vec![Sample::new(
                    absent_labels(args[0].expr),
                    1.0,
                )]))
            } else {
                Ok(Value::Vector(Vec::new()))
            }
        }
        "absent_over_time" => {
            let series = matrix_arg(&mut args, 0, name)?;
            if series.is_empty() {
                Ok(Value::Vector(vec![Sample::new(
                    absent_labels(args[0].expr),
                    1.0,
                )]))
            } else {
                Ok(Value::Vector(Vec::new()))
            }
        }
        "avg_over_time" => Ok(map_ranges(matrix_arg(&mut args, 0, name)?, false, |p| {
            Some(mean(&p.iter().map(|(_, v)| *v).collect::<Vec<_>>()))
        })),
        "stddev_over_time" => Ok(map_ranges(matrix_arg(&mut args, 0, name)?, false, |p| {
            Some(variance_compensated(&p.iter().map(|(_, v)| *v).collect::<Vec<_>>()).sqrt())
        })),
        "stdvar_over_time" => Ok(map_ranges(matrix_arg(&mut args, 0, name)?, false, |p| {
            Some(variance_compensated(
                &p.iter().map(|(_, v)| *v).collect::<Vec<_>>(),
            ))
        })),
        "quantile_over_time" => {
            let q = scalar_arg(&args, 0, name)?;
            evaluator.check_quantile("quantile_over_time", q);
            Ok(map_ranges(matrix_arg(&mut args, 1, name)?, false, |p| {
                Some(quantile(q, p.iter().map(|(_, v)| *v).collect()))
            }))
        }
        "predict_linear" => {
            let duration = scalar_arg(&args, 1, name)?;
            Ok(map_ranges(matrix_arg(&mut args, 0, name)?, false, |p| {
                if p.len() < 2 {
                    return None;
                }
                let (slope, intercept) = linear_regression(p, t);
                Some(slope * duration + intercept)
            }))
        }
        "sort" | "sort_desc" => {
            if evaluator.is_range {
                evaluator.annotate(
                    AnnotationLevel::Warning,
                    if name == "sort" { "sort" } else { "sort_desc" },
                    "sort is ineffective for range queries since results are always ordered by labels".into(),
                );
            }
            let mut samples = vector_arg(&mut args, 0, name)?;
            samples.sort_by(|a, b| match (a.value.is_nan(), b.value.is_nan()) {
                (true, true) => std::cmp::Ordering::Equal,
                (true, false) => std::cmp::Ordering::Greater,
                (false, true) => std::cmp::Ordering::Less,
                _ if name == "sort" => a
                    .value
                    .partial_cmp(&b.value)
                    .unwrap_or(std::cmp::Ordering::Equal),
                _ => b
                    .value
                    .partial_cmp(&a.value)
                    .unwrap_or(std::cmp::Ordering::Equal),
            });
            Ok(Value::Vector(samples))
        }
        "label_replace" => {
            let destination = string_arg(&args, 1, name)?;
            let replacement = string_arg(&args, 2, name)?;
            let source = string_arg(&args, 3, name)?;
            let pattern = string_arg(&args, 4, name)?;
            let regex = regex::Regex::new(&format!("^(?s:{pattern})$")).map_err(|error| {
                EvalError::Invalid(format!(
                    "invalid regular expression in label_replace(): {pattern}: {error}"
                ))
            })?;
            if destination.is_empty() || !is_label_name(&destination) {
                return Err(EvalError::Invalid(format!(
                    "invalid destination label name in label_replace(): {destination}"
                )));
            }
            let samples = vector_arg(&mut args, 0, name)?;
            let mut result = Vec::with_capacity(samples.len());
            for sample in samples {
                let value = sample.labels.get(&source).to_string();
                let mut labels = sample.labels;
                if let Some(captures) = regex.captures(&value) {
                    let mut expanded = String::new();
                    captures.expand(&replacement, &mut expanded);
                    if expanded.is_empty() {
                        labels.remove(&destination);
                    } else {
                        labels.insert(destination.clone(), expanded);
                    }
                }
                // Writing the metric name keeps it.
                result.push(Sample {
                    labels,
                    value: sample.value,
                    drop_name: sample.drop_name && destination != "__name__",
                });
            }
            Ok(Value::Vector(result))
        }
        "label_join" => {
            let destination = string_arg(&args, 1, name)?;
            let separator = string_arg(&args, 2, name)?;
            let mut sources = Vec::new();
            for index in 3..args.len() {
                sources.push(string_arg(&args, index, name)?);
            }
            if !is_label_name(&destination) {
                return Err(EvalError::Invalid(format!(
                    "invalid destination label name in label_join(): {destination}"
                )));
            }
            let samples = vector_arg(&mut args, 0, name)?;
            Ok(Value::Vector(
                samples
                    .into_iter()
                    .map(|sample| {
                        let joined = sources
                            .iter()
                            .map(|s| sample.labels.get(s))
                            .collect::<Vec<_>>()
                            .join(&separator);
                        let mut labels = sample.labels;
                        if joined.is_empty() {
                            labels.remove(&destination);
                        } else {
                            labels.insert(destination.clone(), joined);
                        }
                        Sample {
                            labels,
                            value: sample.value,
                            drop_name: sample.drop_name && destination != "__name__",
                        }
                    })
                    .collect(),
            ))
        }
        "histogram_quantile" => {
            let q = scalar_arg(&args, 0, name)?;
            evaluator.check_quantile("histogram_quantile", q);
            let samples = vector_arg(&mut args, 1, name)?;
            Ok(Value::Vector(histogram_quantile(q, samples, evaluator)))
        }
        other => Err(EvalError::Unsupported(format!("the `{other}` function"))),
    }
}

/// A classic Prometheus label name: letters, digits and `_`, not starting with a digit.
pub fn is_label_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A classic Prometheus metric name: a label name that may also hold `:`.
pub fn is_metric_name(name: &str) -> bool {
    !name.is_empty() && is_label_name(&name.replace(':', "_"))
}

/// The labels `absent` gives its result: the equality matchers of the selector.
fn absent_labels(expr: &Expr) -> Labels {
    let selector = match expr {
        Expr::VectorSelector(selector) => Some(selector),
        Expr::MatrixSelector(matrix) => Some(&matrix.vs),
        _ => None,
    };
    let mut labels = Labels::default();
    let Some(selector) = selector else {
        return labels;
    };
    // A label set twice, or matched other than by equality, is left out.
    let mut seen = std::collections::HashSet::new();
    for matcher in &selector.matchers.matchers {
        if matcher.name == "__name__" {
            continue;
        }
        let first = seen.insert(matcher.name.clone());
        if first && matches!(matcher.op, promql_parser::label::MatchOp::Equal) {
            labels = labels.with(&matcher.name, &matcher.value);
        } else {
            labels.remove(&matcher.name);
        }
    }
    labels
}

/// `rate`, `increase` and `delta` with Prometheus's extrapolation to the window's edges.
fn extrapolated_rate(
    points: &[(i64, f64)],
    range_start: i64,
    range_end: i64,
    is_counter: bool,
    is_rate: bool,
) -> Option<f64> {
    if points.len() < 2 {
        return None;
    }
    let (first_t, first_v) = points[0];
    let (last_t, last_v) = points[points.len() - 1];
    let mut result = last_v - first_v;
    if is_counter {
        for pair in points.windows(2) {
            if pair[1].1 < pair[0].1 {
                result += pair[0].1;
            }
        }
    }
    let mut duration_to_start = (first_t - range_start) as f64 / 1000.0;
    let mut duration_to_end = (range_end - last_t) as f64 / 1000.0;
    let sampled_interval = (last_t - first_t) as f64 / 1000.0;
    let average_between_samples = sampled_interval / (points.len() - 1) as f64;
    let threshold = average_between_samples * 1.1;
    if duration_to_start >= threshold {
        duration_to_start = average_between_samples / 2.0;
    }
    if is_counter && result > 0.0 && first_v >= 0.0 {
        let duration_to_zero = sampled_interval * (first_v / result);
        if duration_to_zero < duration_to_start {
            duration_to_start = duration_to_zero;
        }
    }
    if duration_to_end >= threshold {
        duration_to_end = average_between_samples / 2.0;
    }
    let mut factor = (sampled_interval + duration_to_start + duration_to_end) / sampled_interval;
    if is_rate {
        factor /= (range_end - range_start) as f64 / 1000.0;
    }
    Some(result * factor)
}

/// The q-quantile of `values` with linear interpolation, as PromQL's `quantile` computes it.
pub(crate) fn quantile(q: f64, mut values: Vec<f64>) -> f64 {
    if values.is_empty() || q.is_nan() {
        return f64::NAN;
    }
    if q < 0.0 {
        return f64::NEG_INFINITY;
    }
    if q > 1.0 {
        return f64::INFINITY;
    }
    // NaN sorts first, as Go's sort.Float64s orders it.
    values.sort_by(|a, b| match (a.is_nan(), b.is_nan()) {
        (true, true) => std::cmp::Ordering::Equal,
        (true, false) => std::cmp::Ordering::Less,
        (false, true) => std::cmp::Ordering::Greater,
        _ => a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal),
    });
    let n = values.len() as f64;
    let rank = q * (n - 1.0);
    let lower = rank.floor().max(0.0) as usize;
    let upper = (lower + 1).min(values.len() - 1);
    let weight = rank - rank.floor();
    values[lower] * (1.0 - weight) + values[upper] * weight
}

/// `histogram_quantile` over classic `le` buckets, grouped by the other labels.
fn histogram_quantile(
    q: f64,
    samples: Vec<Sample>,
    evaluator: &super::engine::Evaluator<'_>,
) -> Vec<Sample> {
    // Buckets group by every label but `le`, in label order.
    let mut signatures = Signatures::all_but(&["le"]).cached_in(evaluator.group_keys());
    let mut groups: Vec<Vec<(f64, f64)>> = Vec::new();
    let metric_name = samples
        .first()
        .map(|sample| sample.labels.metric_name().to_string());
    for sample in samples {
        let le = sample.labels.get("le");
        let Ok(upper) = parse_le(le) else {
            evaluator.push_annotation(super::engine::Annotation {
                level: AnnotationLevel::Warning,
                message: format!(
                    "bucket label \"le\" is missing or has a malformed value of {le:?} for metric name {:?}",
                    sample.labels.metric_name()
                ),
                about: "histogram_quantile",
                argument: Some(1),
            });
            continue;
        };
        let group = signatures.number(&sample.labels);
        if group == groups.len() {
            groups.push(Vec::new());
        }
        groups[group].push((upper, sample.value));
    }
    let order = signatures.sorted();
    let mut keys = signatures.into_keys();
    order
        .into_iter()
        .map(|group| {
            let (value, fixed) = bucket_quantile(q, std::mem::take(&mut groups[group]));
            if fixed {
                evaluator.annotate(
                    AnnotationLevel::Info,
                    "histogram_quantile",
                    format!(
                        "input to histogram_quantile needed to be fixed for monotonicity (see https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile) for metric name {:?}",
                        metric_name.as_deref().unwrap_or("")
                    ),
                );
            }
            Sample::new(std::mem::take(&mut keys[group]), 0.0).computed(value)
        })
        .collect()
}

fn parse_le(text: &str) -> std::result::Result<f64, ()> {
    match text.trim() {
        "+Inf" | "Inf" | "+inf" | "inf" => Ok(f64::INFINITY),
        "-Inf" | "-inf" => Ok(f64::NEG_INFINITY),
        other => other.parse().map_err(|_| ()),
    }
}

/// The quantile, and whether the bucket counts had to be made monotonic first.
fn bucket_quantile(q: f64, buckets: Vec<(f64, f64)>) -> (f64, bool) {
    let fixed = std::cell::Cell::new(false);
    let value = bucket_quantile_value(q, buckets, &fixed);
    (value, fixed.get())
}

fn bucket_quantile_value(
    q: f64,
    mut buckets: Vec<(f64, f64)>,
    fixed: &std::cell::Cell<bool>,
) -> f64 {
    if q.is_nan() {
        return f64::NAN;
    }
    if q < 0.0 {
        return f64::NEG_INFINITY;
    }
    if q > 1.0 {
        return f64::INFINITY;
    }
    buckets.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap_or(std::cmp::Ordering::Equal));
    if buckets
        .last()
        .is_none_or(|(upper, _)| *upper != f64::INFINITY)
    {
        return f64::NAN;
    }
    let mut merged: Vec<(f64, f64)> = Vec::with_capacity(buckets.len());
    for (upper, count) in buckets {
        match merged.last_mut() {
            Some(last) if last.0 == upper => last.1 += count,
            _ => merged.push((upper, count)),
        }
    }
    let mut counts: Vec<f64> = merged.iter().map(|(_, count)| *count).collect();
    if ensure_monotonic(&mut counts) {
        fixed.set(true);
    }
    for (bucket, count) in merged.iter_mut().zip(counts) {
        bucket.1 = count;
    }
    if merged.len() < 2 {
        return f64::NAN;
    }
    let observations = merged[merged.len() - 1].1;
    if observations == 0.0 {
        return f64::NAN;
    }
    let mut rank = q * observations;
    // Go's `sort.Search` over all but the +Inf bucket, probe for probe: counts that are NaN
    // make the order partial, and the same probes give the same bucket.
    let (mut low, mut high) = (0, merged.len() - 1);
    while low < high {
        let middle = (low + high) / 2;
        if merged[middle].1 >= rank {
            high = middle;
        } else {
            low = middle + 1;
        }
    }
    let b = low;
    if b == merged.len() - 1 {
        return merged[merged.len() - 2].0;
    }
    if b == 0 && merged[0].0 <= 0.0 {
        return merged[0].0;
    }
    let mut bucket_start = 0.0;
    let bucket_end = merged[b].0;
    let mut count = merged[b].1;
    if b > 0 {
        bucket_start = merged[b - 1].0;
        count -= merged[b - 1].1;
        rank -= merged[b - 1].1;
    }
    bucket_start + (bucket_end - bucket_start) * (rank / count)
}

/// A calendar field of a Unix time in seconds, in UTC.
fn date_part(name: &str, seconds: f64) -> f64 {
    if !seconds.is_finite() {
        return f64::NAN;
    }
    let total = seconds.floor() as i64;
    let days = total.div_euclid(86_400);
    let second_of_day = total.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    match name {
        "day_of_month" => day as f64,
        "day_of_week" => (days + 4).rem_euclid(7) as f64,
        "day_of_year" => (days - days_from_civil(year, 1, 1) + 1) as f64,
        "days_in_month" => {
            let (next_year, next_month) = if month == 12 {
                (year + 1, 1)
            } else {
                (year, month + 1)
            };
            (days_from_civil(next_year, next_month, 1) - days_from_civil(year, month, 1)) as f64
        }
        "hour" => (second_of_day / 3600) as f64,
        "minute" => (second_of_day / 60 % 60) as f64,
        "month" => month as f64,
        _ => year as f64,
    }
}

/// Year, month, day of a day count since 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year.rem_euclid(400);
    let mp = if month > 2 { month - 3 } else { month + 9 };
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::bucket_quantile;

    #[test]
    fn bucket_counts_apart_by_rounding_interpolate_as_equal() {
        let total = 0.6_f64;
        let noisy = f64::from_bits(total.to_bits() + 3);
        // The +Inf bucket is a few units in the last place above the `le="1"` one: the
        // observations above 1 are rounding, not requests, and the median sits at 0.625.
        let buckets = vec![(0.5, 0.2), (1.0, total), (f64::INFINITY, noisy)];
        let (value, forced) = bucket_quantile(0.5, buckets);
        assert_eq!(value, 0.5 + 0.5 * ((0.5 * total - 0.2) / (total - 0.2)));
        assert!(!forced);
        let without_tolerance = 0.5 + 0.5 * ((0.5 * noisy - 0.2) / (total - 0.2));
        assert_ne!(value, without_tolerance);
    }

    #[test]
    fn a_real_decrease_is_forced_monotonic_and_reported() {
        let (value, forced) =
            bucket_quantile(0.5, vec![(0.5, 3.0), (1.0, 2.0), (f64::INFINITY, 4.0)]);
        assert!(forced);
        assert_eq!(value, 0.5 * (2.0 / 3.0));
    }
}
