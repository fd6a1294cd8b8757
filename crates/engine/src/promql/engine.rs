//! PromQL evaluation with Prometheus 3 semantics over a [`SeriesStore`].
//!
//! Instant queries evaluate an expression at one time; range queries evaluate it at every step
//! and join the results per series. Selectors look back 5 minutes over a left-open window
//! `(t - 5m, t]`, range selectors and subqueries take `(t - range, t]`, a staleness marker ends
//! a series. Native histograms and experimental functions are out of scope.

use super::functions::{call_function, FunctionArg, RangeKernel};
use super::sample::{GroupKeys, Labels, Matching, Sample};
use super::signature::{Signatures, Without};
use super::store::{is_stale_marker, SeriesStore};
use crate::limits::{short_count, Budget, PROMQL_MAX_POINTS, PROMQL_NODE_POINTS};
use promql_parser::parser::{
    AggregateExpr, AtModifier, BinaryExpr, Call, Expr, LabelModifier, Offset, SubqueryExpr,
    VectorMatchCardinality, VectorSelector,
};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};
use thiserror::Error;

/// How far an instant selector looks back for the latest sample.
pub const LOOKBACK_MS: i64 = 5 * 60 * 1000;

/// Points collected step by step per series, with whether the series drops its metric name.
type StepSeries = BTreeMap<Labels, (bool, Vec<(i64, f64)>)>;

/// A series with its points, as a range vector or a range query returns it.
#[derive(Debug, Clone, PartialEq)]
pub struct RangeSeries {
    pub labels: Labels,
    pub points: Vec<(i64, f64)>,
    /// The metric name goes when the query is evaluated (see [`Sample::drop_name`]).
    pub drop_name: bool,
}

/// A PromQL value at one instant.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Scalar(f64),
    String(String),
    Vector(Vec<Sample>),
    Matrix(Vec<RangeSeries>),
}

impl Value {
    fn type_name(&self) -> &'static str {
        match self {
            Value::Scalar(_) => "scalar",
            Value::String(_) => "string",
            Value::Vector(_) => "instant vector",
            Value::Matrix(_) => "range vector",
        }
    }
}

/// Why an expression could not be evaluated.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EvalError {
    /// A part of PromQL this evaluator does not handle.
    #[error("`{0}` is not supported")]
    Unsupported(String),
    /// A well-formed expression whose evaluation fails, with Prometheus's message.
    #[error("{0}")]
    Invalid(String),
}

type Result<T> = std::result::Result<T, EvalError>;

/// Evaluation settings: the query's own start and end (for `@ start()` and `@ end()`).
#[derive(Debug, Clone, Copy)]
pub struct QueryWindow {
    pub start_ms: i64,
    pub end_ms: i64,
}

/// Evaluates `expr` at `time_ms`.
pub fn instant_query(store: &SeriesStore, expr: &Expr, time_ms: i64) -> Result<Value> {
    instant_query_annotated(store, expr, time_ms).0
}

/// [`instant_query`], with the warnings and infos Prometheus would attach to the result.
pub fn instant_query_annotated(
    store: &SeriesStore,
    expr: &Expr,
    time_ms: i64,
) -> (Result<Value>, Vec<Annotation>) {
    let (value, annotations, _) = instant_evaluation(store, expr, time_ms, 0);
    (value, annotations)
}

/// [`instant_query`] for one of several queries that share one points budget: `spent` points
/// are already used; returns the result and the points used in all.
pub(crate) fn instant_query_spending(
    store: &SeriesStore,
    expr: &Expr,
    time_ms: i64,
    spent: u64,
) -> (Result<Value>, u64) {
    let (value, _, spent) = instant_evaluation(store, expr, time_ms, spent);
    (value, spent)
}

fn instant_evaluation(
    store: &SeriesStore,
    expr: &Expr,
    time_ms: i64,
    spent: u64,
) -> (Result<Value>, Vec<Annotation>, u64) {
    let evaluator = Evaluator {
        store,
        window: QueryWindow {
            start_ms: time_ms,
            end_ms: time_ms,
        },
        annotations: Default::default(),
        is_range: false,
        points: Budget::new(PROMQL_MAX_POINTS),
    };
    evaluator.points.spend(spent);
    let value = evaluator.spend(0).and_then(|()| {
        evaluator.eval(expr, time_ms).and_then(|value| match value {
            Value::Vector(samples) => finish_vector(samples).map(Value::Vector),
            Value::Matrix(series) => finish_series(series).map(Value::Matrix),
            other => Ok(other),
        })
    });
    let spent = evaluator.points.spent();
    (value, evaluator.annotations.into_inner(), spent)
}

/// Evaluates `expr` at every step from `start_ms` to `end_ms` and joins the points per series.
/// A scalar result becomes one series without labels.
pub fn range_query(
    store: &SeriesStore,
    expr: &Expr,
    start_ms: i64,
    end_ms: i64,
    step_ms: i64,
) -> Result<Vec<RangeSeries>> {
    range_query_annotated(store, expr, start_ms, end_ms, step_ms).0
}

/// [`range_query`], with the warnings and infos Prometheus would attach to the result.
pub fn range_query_annotated(
    store: &SeriesStore,
    expr: &Expr,
    start_ms: i64,
    end_ms: i64,
    step_ms: i64,
) -> (Result<Vec<RangeSeries>>, Vec<Annotation>) {
    if step_ms <= 0 {
        return (
            Err(EvalError::Invalid(
                "zero or negative query resolution step widths are not accepted".into(),
            )),
            Vec::new(),
        );
    }
    let evaluator = Evaluator {
        store,
        window: QueryWindow { start_ms, end_ms },
        annotations: Default::default(),
        is_range: true,
        points: Budget::new(PROMQL_MAX_POINTS),
    };
    let result = evaluator
        .range(expr, start_ms, end_ms, step_ms)
        .and_then(finish_series);
    (result, evaluator.annotations.into_inner())
}

/// Drops the metric names operations marked, then fails like Prometheus if two samples now
/// share their labels.
fn finish_vector(mut samples: Vec<Sample>) -> Result<Vec<Sample>> {
    for sample in &mut samples {
        super::sample::finish_labels(&mut sample.labels, sample.drop_name);
        sample.drop_name = false;
    }
    check_unique(samples)
}

/// [`finish_vector`] for series: series that now share their labels merge when their points
/// do not overlap in time, as a range query's steps would have seen them.
fn finish_series(series: Vec<RangeSeries>) -> Result<Vec<RangeSeries>> {
    let mut merged: Vec<RangeSeries> = Vec::with_capacity(series.len());
    let mut index: rustc_hash::FxHashMap<Labels, usize> = Default::default();
    for mut one in series {
        super::sample::finish_labels(&mut one.labels, one.drop_name);
        one.drop_name = false;
        match index.get(&one.labels) {
            None => {
                index.insert(one.labels.clone(), merged.len());
                merged.push(one);
            }
            Some(&at) => {
                let points = &mut merged[at].points;
                points.extend(one.points);
                points.sort_by_key(|(t, _)| *t);
                if points.windows(2).any(|pair| pair[0].0 == pair[1].0) {
                    return Err(EvalError::Invalid(
                        "vector cannot contain metrics with the same labelset".into(),
                    ));
                }
            }
        }
    }
    merged.sort_by(|a, b| a.labels.cmp(&b.labels));
    Ok(merged)
}

impl Evaluator<'_> {
    fn range(
        &self,
        expr: &Expr,
        start_ms: i64,
        end_ms: i64,
        step_ms: i64,
    ) -> Result<Vec<RangeSeries>> {
        let evaluator = self;
        let mut series: StepSeries = BTreeMap::new();
        let steps = (i128::from(end_ms) - i128::from(start_ms)) / i128::from(step_ms) + 1;
        if steps > i128::from(PROMQL_MAX_POINTS) {
            return Err(too_many_points("this range query", steps as f64));
        }
        let mut t = start_ms;
        while t <= end_ms {
            self.spend(1)?;
            collect_step(
                evaluator.eval(expr, t)?,
                t,
                &mut series,
                "a range query's expression",
            )?;
            let Some(next) = t.checked_add(step_ms) else {
                break;
            };
            t = next;
        }
        Ok(into_range_series(series))
    }
}

pub(crate) struct Evaluator<'a> {
    store: &'a SeriesStore,
    window: QueryWindow,
    /// Warnings and infos met while evaluating, as Prometheus returns them beside a result.
    annotations: std::cell::RefCell<Vec<Annotation>>,
    /// True for a range query, where `sort` has no effect.
    pub(crate) is_range: bool,
    /// Points computed so far (steps, and samples read), against [`PROMQL_MAX_POINTS`].
    points: Budget,
}

/// The error of a query that asks for more points than [`PROMQL_MAX_POINTS`].
fn too_many_points(what: &str, points: f64) -> EvalError {
    EvalError::Invalid(format!(
        "{what} would evaluate {} points; the limit is {}",
        short_count(points),
        short_count(PROMQL_MAX_POINTS as f64)
    ))
}

impl Evaluator<'_> {
    /// Where aggregations keep their groups' label sets between evaluations.
    pub(crate) fn group_keys(&self) -> &super::sample::GroupKeys {
        self.store.group_keys()
    }

    /// Counts `points` computed; an error once the query is over its budget.
    pub(crate) fn spend(&self, points: u64) -> Result<()> {
        if self.points.spend(points) {
            Ok(())
        } else {
            Err(EvalError::Invalid(format!(
                "the query evaluated more than {} points before finishing, the limit; shorten its ranges or widen its steps",
                short_count(PROMQL_MAX_POINTS as f64)
            )))
        }
    }
}

/// How serious an annotation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnnotationLevel {
    Warning,
    Info,
}

/// A warning or info about a query that still returned a result, in Prometheus's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotation {
    pub level: AnnotationLevel,
    /// The message after `PromQL warning: ` or `PromQL info: `.
    pub message: String,
    /// The function or aggregation the annotation is about, to place it in the query text.
    pub about: &'static str,
    /// Which argument of that call it points at, when not the call itself.
    pub argument: Option<usize>,
}

impl Annotation {
    /// The text Prometheus's API shows, without the position.
    pub fn text(&self) -> String {
        match self.level {
            AnnotationLevel::Warning => format!("PromQL warning: {}", self.message),
            AnnotationLevel::Info => format!("PromQL info: {}", self.message),
        }
    }
}

impl Evaluator<'_> {
    /// Records an annotation once.
    pub(crate) fn annotate(&self, level: AnnotationLevel, about: &'static str, message: String) {
        self.push_annotation(Annotation {
            level,
            message,
            about,
            argument: None,
        });
    }

    /// Records an annotation once.
    pub(crate) fn push_annotation(&self, annotation: Annotation) {
        let mut annotations = self.annotations.borrow_mut();
        if !annotations.contains(&annotation) {
            annotations.push(annotation);
        }
    }

    /// Warns when a quantile parameter is outside `[0, 1]`.
    pub(crate) fn check_quantile(&self, about: &'static str, q: f64) {
        if !(0.0..=1.0).contains(&q) {
            self.annotate(
                AnnotationLevel::Warning,
                about,
                format!(
                    "quantile value should be between 0 and 1, got {}",
                    super::aggregate::format_value(q)
                ),
            );
        }
    }
}

/// A duration in milliseconds; the parser's checks keep it within [`PROMQL_MAX_DURATION_MS`].
fn duration_ms(duration: &Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

fn offset_ms(offset: &Option<Offset>) -> i64 {
    match offset {
        Some(Offset::Pos(duration)) => duration_ms(duration),
        Some(Offset::Neg(duration)) => -duration_ms(duration),
        None => 0,
    }
}

impl Evaluator<'_> {
    /// The time a selector or subquery reads at: its `@` time (or `t`), minus its offset.
    pub(crate) fn reference_time(
        &self,
        at: &Option<AtModifier>,
        offset: &Option<Offset>,
        t: i64,
    ) -> i64 {
        self.at_time(at, t).saturating_sub(offset_ms(offset))
    }

    fn at_time(&self, at: &Option<AtModifier>, t: i64) -> i64 {
        match at {
            None => t,
            Some(AtModifier::Start) => self.window.start_ms,
            Some(AtModifier::End) => self.window.end_ms,
            Some(AtModifier::At(time)) => match time.duration_since(UNIX_EPOCH) {
                Ok(after) => duration_ms(&after),
                Err(before) => -duration_ms(&before.duration()),
            },
        }
    }

    pub(crate) fn eval(&self, expr: &Expr, t: i64) -> Result<Value> {
        // Each part evaluated at each step has a cost of its own, whatever it reads.
        self.spend(PROMQL_NODE_POINTS)?;
        match expr {
            Expr::NumberLiteral(number) => Ok(Value::Scalar(number.val)),
            Expr::StringLiteral(string) => Ok(Value::String(string.val.clone())),
            Expr::Paren(paren) => self.eval(&paren.expr, t),
            Expr::Unary(unary) => match self.eval(&unary.expr, t)? {
                Value::Scalar(value) => Ok(Value::Scalar(-value)),
                Value::Vector(samples) => Ok(Value::Vector(check_unique(
                    samples
                        .into_iter()
                        .map(|s| {
                            let value = -s.value;
                            s.computed(value)
                        })
                        .collect(),
                )?)),
                other => Err(EvalError::Invalid(format!(
                    "unary expression only allowed on expressions of type scalar or instant vector, got \"{}\"",
                    other.type_name()
                ))),
            },
            Expr::VectorSelector(selector) => Ok(Value::Vector(self.select_instant(selector, t)?)),
            Expr::MatrixSelector(matrix) => Ok(Value::Matrix(self.select_range(
                &matrix.vs,
                duration_ms(&matrix.range),
                t,
            )?)),
            Expr::Subquery(subquery) => self.subquery(subquery, t),
            Expr::Binary(binary) => self.binary(binary, t),
            Expr::Aggregate(aggregate) => self.aggregate(aggregate, t),
            Expr::Call(call) => {
                if call.func.experimental {
                    return Err(EvalError::Unsupported(format!(
                        "the experimental function `{}`",
                        call.func.name
                    )));
                }
                // Its samples come from distinct series of the store: no two are the same.
                if let Some(samples) = self.range_function(call, t)? {
                    return Ok(Value::Vector(samples));
                }
                let mut args = Vec::with_capacity(call.args.args.len());
                for arg in &call.args.args {
                    args.push(FunctionArg {
                        value: self.eval(arg, t)?,
                        expr: arg.as_ref(),
                    });
                }
                let value = call_function(call.func.name, args, t, self)?;
                match value {
                    Value::Vector(samples) => Ok(Value::Vector(check_unique(samples)?)),
                    other => Ok(other),
                }
            }
            Expr::Extension(_) => Err(EvalError::Unsupported("extensions".into())),
        }
    }

    /// The latest sample of each matching series in `(t - 5m, t]`: labels, time and value.
    fn latest<'s>(
        &'s self,
        selector: &'s VectorSelector,
        t: i64,
    ) -> impl Iterator<Item = (&'s Labels, i64, f64)> + 's {
        let reference = self.reference_time(&selector.at, &selector.offset, t);
        self.store
            .select(selector.name.as_deref(), &selector.matchers)
            .filter_map(move |series| {
                let recent = series.window(reference.saturating_sub(LOOKBACK_MS), reference);
                let (ts, value) = *recent.last()?;
                (!is_stale_marker(value)).then_some((series.labels, ts, value))
            })
    }

    /// An instant selector's result at time `t`.
    fn select_instant(&self, selector: &VectorSelector, t: i64) -> Result<Vec<Sample>> {
        let samples: Vec<Sample> = self
            .latest(selector, t)
            .map(|(labels, _, value)| Sample::new(labels.clone(), value))
            .collect();
        self.spend(samples.len() as u64)?;
        Ok(samples)
    }

    /// `timestamp(selector)`: the time of each selected sample, in seconds.
    pub(crate) fn sample_timestamps(&self, selector: &VectorSelector, t: i64) -> Vec<Sample> {
        self.latest(selector, t)
            .map(|(labels, ts, _)| Sample::new(labels.clone(), 0.0).computed(ts as f64 / 1000.0))
            .collect()
    }

    /// The samples of each matching series in `(t - range, t]`, staleness markers left out.
    fn select_range(
        &self,
        selector: &VectorSelector,
        range_ms: i64,
        t: i64,
    ) -> Result<Vec<RangeSeries>> {
        let reference = self.reference_time(&selector.at, &selector.offset, t);
        let window_start = reference.saturating_sub(range_ms);
        let mut result = Vec::new();
        for series in self
            .store
            .select(selector.name.as_deref(), &selector.matchers)
        {
            let in_range = series.window(window_start, reference);
            if in_range.is_empty() {
                continue;
            }
            self.spend(in_range.len() as u64)?;
            // One allocation of the window's size; staleness markers are rare.
            let mut points = Vec::with_capacity(in_range.len());
            points.extend(
                in_range
                    .iter()
                    .copied()
                    .filter(|(_, value)| !is_stale_marker(*value)),
            );
            if !points.is_empty() {
                result.push(RangeSeries {
                    labels: series.labels.clone(),
                    points,
                    drop_name: false,
                });
            }
        }
        Ok(result)
    }

    /// A range function of one range selector (`rate(x[5m])`, `max_over_time(x[1h])`...)
    /// computed on the store's windows without copying their points, as the general path
    /// would compute it from a selection.
    fn range_function(&self, call: &Call, t: i64) -> Result<Option<Vec<Sample>>> {
        let [arg] = call.args.args.as_slice() else {
            return Ok(None);
        };
        let mut arg = arg.as_ref();
        while let Expr::Paren(paren) = arg {
            arg = &paren.expr;
        }
        let Expr::MatrixSelector(matrix) = arg else {
            return Ok(None);
        };
        let selector = &matrix.vs;
        let range_ms = duration_ms(&matrix.range);
        let reference = self.reference_time(&selector.at, &selector.offset, t);
        let Some(kernel) = RangeKernel::of(call.func.name, range_ms, reference) else {
            return Ok(None);
        };
        let window_start = reference.saturating_sub(range_ms);
        let selection = self
            .store
            .select(selector.name.as_deref(), &selector.matchers);
        let mut result = Vec::with_capacity(selection.size_hint().1.unwrap_or(0));
        let mut without_markers = Vec::new();
        for series in selection {
            let in_range = series.window(window_start, reference);
            if in_range.is_empty() {
                continue;
            }
            self.spend(in_range.len() as u64)?;
            let points = if in_range.iter().any(|(_, value)| is_stale_marker(*value)) {
                without_markers.clear();
                without_markers.extend(
                    in_range
                        .iter()
                        .copied()
                        .filter(|(_, value)| !is_stale_marker(*value)),
                );
                if without_markers.is_empty() {
                    continue;
                }
                without_markers.as_slice()
            } else {
                in_range
            };
            if let Some(value) = kernel.apply(points) {
                result.push(Sample {
                    labels: series.labels.clone(),
                    value,
                    drop_name: !kernel.keeps_name(),
                });
            }
        }
        Ok(Some(result))
    }

    fn subquery(&self, subquery: &SubqueryExpr, t: i64) -> Result<Value> {
        let range = duration_ms(&subquery.range);
        let step = subquery.step.as_ref().map_or(60_000, duration_ms).max(1);
        let reference = self.reference_time(&subquery.at, &subquery.offset, t);
        let start = reference.saturating_sub(range);
        let steps = range / step;
        if steps as u64 > PROMQL_MAX_POINTS {
            return Err(too_many_points("this subquery", steps as f64));
        }
        // Steps are aligned to multiples of the step, strictly after the range's start.
        let mut ts = start.div_euclid(step).saturating_mul(step);
        if ts <= start {
            ts = ts.saturating_add(step);
        }
        let mut series: StepSeries = BTreeMap::new();
        while ts <= reference {
            self.spend(1)?;
            collect_step(
                self.eval(&subquery.expr, ts)?,
                ts,
                &mut series,
                "a subquery's expression",
            )?;
            let Some(next) = ts.checked_add(step) else {
                break;
            };
            ts = next;
        }
        Ok(Value::Matrix(into_range_series(series)))
    }

    fn binary(&self, binary: &BinaryExpr, t: i64) -> Result<Value> {
        let op = binary.op.to_string().to_lowercase();
        let lhs = self.eval(&binary.lhs, t)?;
        let rhs = self.eval(&binary.rhs, t)?;
        let return_bool = binary.return_bool();
        let comparison = binary.op.is_comparison_operator();
        match (lhs, rhs) {
            (Value::Scalar(a), Value::Scalar(b)) => {
                let (value, keep) = apply_operator(&op, a, b)?;
                Ok(Value::Scalar(if comparison {
                    f64::from(u8::from(keep))
                } else {
                    value
                }))
            }
            (Value::Vector(samples), Value::Scalar(scalar)) => {
                vector_scalar(&op, samples, scalar, false, comparison, return_bool)
            }
            (Value::Scalar(scalar), Value::Vector(samples)) => {
                vector_scalar(&op, samples, scalar, true, comparison, return_bool)
            }
            (Value::Vector(left), Value::Vector(right)) => {
                let modifier = binary.modifier.as_ref();
                let matching = modifier.and_then(|m| m.matching.as_ref());
                if binary.op.is_set_operator() {
                    return Ok(Value::Vector(set_operation(&op, left, right, matching)));
                }
                let card = modifier.map_or(&VectorMatchCardinality::OneToOne, |m| &m.card);
                let operands = Operands {
                    left,
                    right,
                    matching,
                    card,
                };
                vector_vector(&op, operands, comparison, return_bool, self.group_keys())
            }
            (lhs, rhs) => Err(EvalError::Invalid(format!(
                "binary expression must contain only scalar and instant vector types, got {} and {}",
                lhs.type_name(),
                rhs.type_name()
            ))),
        }
    }

    fn aggregate(&self, aggregate: &AggregateExpr, t: i64) -> Result<Value> {
        let op = aggregate.op.to_string().to_lowercase();
        let param = match &aggregate.param {
            Some(param) => Some(self.eval(param, t)?),
            None => None,
        };
        let Value::Vector(samples) = self.eval(&aggregate.expr, t)? else {
            return Err(EvalError::Invalid(format!(
                "expected instant vector in aggregation `{op}`"
            )));
        };
        if let (true, Some(Value::Scalar(q))) = (op == "quantile", &param) {
            self.check_quantile("quantile", *q);
        }
        super::aggregate::aggregate(
            &op,
            param,
            samples,
            aggregate.modifier.as_ref(),
            self.group_keys(),
        )
    }
}

/// Adds one step's result to per-series points, as range queries and subqueries collect them.
fn collect_step(value: Value, t: i64, series: &mut StepSeries, what: &str) -> Result<()> {
    match value {
        Value::Scalar(value) => series
            .entry(Labels::default())
            .or_default()
            .1
            .push((t, value)),
        Value::Vector(samples) => {
            for sample in samples {
                let (drop_name, points) = series.entry(sample.labels).or_default();
                *drop_name |= sample.drop_name;
                points.push((t, sample.value));
            }
        }
        other => {
            return Err(EvalError::Invalid(format!(
                "{what} must be a scalar or an instant vector, got {}",
                other.type_name()
            )))
        }
    }
    Ok(())
}

fn into_range_series(series: StepSeries) -> Vec<RangeSeries> {
    series
        .into_iter()
        .map(|(labels, (drop_name, points))| RangeSeries {
            labels,
            points,
            drop_name,
        })
        .collect()
}

/// Fails like Prometheus when a computed vector holds two samples with the same labels.
pub(crate) fn check_unique(samples: Vec<Sample>) -> Result<Vec<Sample>> {
    let mut seen = rustc_hash::FxHashSet::default();
    seen.reserve(samples.len());
    for sample in &samples {
        if !seen.insert(&sample.labels) {
            return Err(EvalError::Invalid(
                "vector cannot contain metrics with the same labelset".into(),
            ));
        }
    }
    Ok(samples)
}

/// An arithmetic or comparison operator on two floats: the value, and for a comparison
/// whether the pair is kept (the value is then the left one).
type Operator = fn(f64, f64) -> (f64, bool);

/// The operator named `op`, looked up once per binary expression rather than per sample.
fn operator(op: &str) -> Result<Operator> {
    Ok(match op {
        "+" => |a, b| (a + b, true),
        "-" => |a, b| (a - b, true),
        "*" => |a, b| (a * b, true),
        "/" => |a, b| (a / b, true),
        "%" => |a, b| (a % b, true),
        "^" => |a: f64, b| (a.powf(b), true),
        "atan2" => |a: f64, b| (a.atan2(b), true),
        "==" => |a, b| (a, a == b),
        "!=" => |a, b| (a, a != b),
        ">" => |a, b| (a, a > b),
        "<" => |a, b| (a, a < b),
        ">=" => |a, b| (a, a >= b),
        "<=" => |a, b| (a, a <= b),
        other => return Err(EvalError::Unsupported(format!("the `{other}` operator"))),
    })
}

/// Applies an operator; comparisons return the left value and whether the pair is kept.
pub(crate) fn apply_operator(op: &str, a: f64, b: f64) -> Result<(f64, bool)> {
    Ok(operator(op)?(a, b))
}

fn vector_scalar(
    op: &str,
    samples: Vec<Sample>,
    scalar: f64,
    scalar_on_left: bool,
    comparison: bool,
    return_bool: bool,
) -> Result<Value> {
    let apply = operator(op);
    let mut result = Vec::with_capacity(samples.len());
    for sample in samples {
        let (a, b) = if scalar_on_left {
            (scalar, sample.value)
        } else {
            (sample.value, scalar)
        };
        let (value, keep) = apply.as_ref().map_err(EvalError::clone)?(a, b);
        if comparison {
            if return_bool {
                result.push(sample.computed(f64::from(u8::from(keep))));
            } else if keep {
                result.push(sample);
            }
        } else {
            result.push(sample.computed(value));
        }
    }
    Ok(Value::Vector(check_unique(result)?))
}

/// Indexes the "one" side by signature (an error when two of its samples share one) and finds,
/// for each sample of the "many" side, the one it matches.
fn match_sides(
    one: Vec<Sample>,
    many: &[Sample],
    matching: Option<&LabelModifier>,
    one_to_many: bool,
) -> Result<(Vec<Sample>, Vec<Option<usize>>)> {
    let mut signatures = Signatures::new(matching, Without::Name);
    let mut one_by_signature: Vec<Sample> = Vec::with_capacity(one.len());
    for sample in one {
        let number = signatures.number(&sample.labels);
        if number == one_by_signature.len() {
            one_by_signature.push(sample);
        } else {
            let (first, duplicate) = (&one_by_signature[number], &sample.labels);
            let key = signatures.key(number);
            let side = if one_to_many { "left" } else { "right" };
            let braces = |labels: &Labels| {
                let pairs: Vec<String> = labels
                    .iter()
                    .map(|(name, value)| format!("{name}={value:?}"))
                    .collect();
                format!("{{{}}}", pairs.join(", "))
            };
            return Err(EvalError::Invalid(format!(
                "found duplicate series for the match group {key} on the {side} hand-side of the operation: [{}, {}];many-to-many matching not allowed: matching labels must be unique on one side",
                braces(&first.labels),
                braces(duplicate)
            )));
        }
    }
    let matches = many
        .iter()
        .map(|sample| signatures.find(&sample.labels))
        .collect();
    Ok((one_by_signature, matches))
}

/// The two vectors of a binary operator, and how they match.
struct Operands<'a> {
    left: Vec<Sample>,
    right: Vec<Sample>,
    matching: Option<&'a LabelModifier>,
    card: &'a VectorMatchCardinality,
}

fn vector_vector(
    op: &str,
    operands: Operands<'_>,
    comparison: bool,
    return_bool: bool,
    group_keys: &GroupKeys,
) -> Result<Value> {
    let Operands {
        left,
        right,
        matching,
        card,
    } = operands;
    // The "many" side is iterated; the "one" side is indexed by signature, or the pairs are
    // taken from the last evaluation that met the same label sets.
    let one_to_many = matches!(card, VectorMatchCardinality::OneToMany(_));
    let (many, one) = if one_to_many {
        (right, left)
    } else {
        (left, right)
    };
    let (one_by_signature, matched) = match group_keys.matching(matching, &one, &many) {
        Some(matched) => (one, matched),
        None => {
            let (one_by_signature, matches) = match_sides(one, &many, matching, one_to_many)?;
            let matched = Arc::new(Matching {
                modifier: matching.cloned(),
                one: one_by_signature.iter().map(|s| s.labels.clone()).collect(),
                many: many.iter().map(|s| s.labels.clone()).collect(),
                matches,
            });
            group_keys.remember_matching(Arc::clone(&matched));
            (one_by_signature, matched)
        }
    };
    let include: Vec<String> = card.labels().map(|l| l.labels.clone()).unwrap_or_default();
    let apply = operator(op);
    let mut seen_one_to_one = vec![false; one_by_signature.len()];
    let mut result = Vec::new();
    for (sample, number) in many.into_iter().zip(&matched.matches) {
        let Some(number) = *number else {
            continue;
        };
        let other = &one_by_signature[number];
        let (left_value, right_value) = if one_to_many {
            (other.value, sample.value)
        } else {
            (sample.value, other.value)
        };
        if matches!(card, VectorMatchCardinality::OneToOne)
            && std::mem::replace(&mut seen_one_to_one[number], true)
        {
            return Err(EvalError::Invalid(
                "multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)".into(),
            ));
        }
        let (value, keep) = apply.as_ref().map_err(EvalError::clone)?(left_value, right_value);
        if comparison && !return_bool && !keep {
            continue;
        }
        let drop_name = !comparison || return_bool || sample.drop_name;
        let mut labels = sample.labels.clone();
        match card {
            VectorMatchCardinality::OneToOne => {
                if let Some(LabelModifier::Include(names)) = matching {
                    labels = Labels::from(
                        labels
                            .into_map()
                            .into_iter()
                            .filter(|(name, _)| names.labels.contains(name))
                            .collect::<BTreeMap<_, _>>(),
                    );
                } else if let Some(LabelModifier::Exclude(names)) = matching {
                    labels = Labels::from(
                        labels
                            .into_map()
                            .into_iter()
                            .filter(|(name, _)| !names.labels.contains(name))
                            .collect::<BTreeMap<_, _>>(),
                    );
                }
            }
            _ => {
                for name in &include {
                    let value = other.labels.get(name);
                    if value.is_empty() {
                        labels.remove(name);
                    } else {
                        labels.insert(name.clone(), value.to_string());
                    }
                }
            }
        }
        let value = if comparison {
            if return_bool {
                f64::from(u8::from(keep))
            } else {
                left_value
            }
        } else {
            value
        };
        result.push(Sample {
            labels,
            value,
            drop_name,
        });
    }
    Ok(Value::Vector(check_unique(result).map_err(|_| {
        EvalError::Invalid(
            "multiple matches for labels: grouping labels must ensure unique matches".into(),
        )
    })?))
}

fn set_operation(
    op: &str,
    left: Vec<Sample>,
    right: Vec<Sample>,
    matching: Option<&LabelModifier>,
) -> Vec<Sample> {
    let mut right_keys = Signatures::new(matching, Without::Name);
    for sample in &right {
        right_keys.number(&sample.labels);
    }
    match op {
        "and" => left
            .into_iter()
            .filter(|s| right_keys.find(&s.labels).is_some())
            .collect(),
        "unless" => left
            .into_iter()
            .filter(|s| right_keys.find(&s.labels).is_none())
            .collect(),
        _ => {
            let mut left_keys = Signatures::new(matching, Without::Name);
            for sample in &left {
                left_keys.number(&sample.labels);
            }
            let mut result = left;
            result.extend(
                right
                    .into_iter()
                    .filter(|s| left_keys.find(&s.labels).is_none()),
            );
            result
        }
    }
}
