//! Instant evaluation of a PromQL expression over the series a world exposes now.

use super::sample::{Labels, Sample};
use promql_parser::label::Matchers;
use promql_parser::parser::{AggregateExpr, BinaryExpr, Call, Expr, LabelModifier, VectorSelector};
use std::collections::BTreeMap;
use thiserror::Error;

/// What an expression evaluates to.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Scalar(f64),
    Vector(Vec<Sample>),
    String(String),
}

/// Why an expression could not be evaluated.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EvalError {
    /// A part of PromQL this evaluator does not handle yet.
    #[error("`{0}` is not supported yet in lesson checks")]
    Unsupported(String),
    /// A well-formed expression whose operands do not fit together.
    #[error("{0}")]
    Invalid(String),
}

/// Evaluates `expr` at `eval_time_seconds` over `series`, the world's current samples.
pub fn evaluate_instant(
    expr: &Expr,
    series: &[Sample],
    eval_time_seconds: f64,
) -> Result<Value, EvalError> {
    Evaluator {
        series,
        eval_time_seconds,
    }
    .eval(expr)
}

struct Evaluator<'a> {
    series: &'a [Sample],
    eval_time_seconds: f64,
}

impl Evaluator<'_> {
    fn eval(&self, expr: &Expr) -> Result<Value, EvalError> {
        match expr {
            Expr::NumberLiteral(number) => Ok(Value::Scalar(number.val)),
            Expr::StringLiteral(string) => Ok(Value::String(string.val.clone())),
            Expr::Paren(paren) => self.eval(&paren.expr),
            Expr::Unary(unary) => match self.eval(&unary.expr)? {
                Value::Scalar(value) => Ok(Value::Scalar(-value)),
                Value::Vector(samples) => Ok(Value::Vector(
                    samples
                        .into_iter()
                        .map(|s| Sample::new(s.labels.without_name(), -s.value))
                        .collect(),
                )),
                Value::String(_) => Err(EvalError::Invalid(
                    "unary minus cannot apply to a string".into(),
                )),
            },
            Expr::VectorSelector(selector) => self.select(selector),
            Expr::Binary(binary) => self.binary(binary),
            Expr::Aggregate(aggregate) => self.aggregate(aggregate),
            Expr::Call(call) => self.call(call),
            Expr::MatrixSelector(_) => Err(EvalError::Unsupported("range vectors".into())),
            Expr::Subquery(_) => Err(EvalError::Unsupported("subqueries".into())),
            Expr::Extension(_) => Err(EvalError::Unsupported("extensions".into())),
        }
    }

    fn select(&self, selector: &VectorSelector) -> Result<Value, EvalError> {
        if selector.offset.is_some() || selector.at.is_some() {
            return Err(EvalError::Unsupported("offset and @ modifiers".into()));
        }
        let samples = self
            .series
            .iter()
            .filter(|sample| {
                selector
                    .name
                    .as_deref()
                    .is_none_or(|name| sample.labels.metric_name() == name)
                    && matches_all(&selector.matchers, &sample.labels)
            })
            .cloned()
            .collect();
        Ok(Value::Vector(samples))
    }

    fn binary(&self, binary: &BinaryExpr) -> Result<Value, EvalError> {
        let op = binary.op.to_string().to_lowercase();
        let lhs = self.eval(&binary.lhs)?;
        let rhs = self.eval(&binary.rhs)?;
        let return_bool = binary.return_bool();
        let comparison = binary.op.is_comparison_operator();
        match (lhs, rhs) {
            (Value::Scalar(a), Value::Scalar(b)) => {
                let value = apply_operator(&op, a, b)?;
                Ok(Value::Scalar(if comparison {
                    f64::from(u8::from(value.is_some()))
                } else {
                    value.unwrap_or(f64::NAN)
                }))
            }
            (Value::Vector(samples), Value::Scalar(scalar)) => {
                vector_scalar(&op, samples, scalar, false, comparison, return_bool)
            }
            (Value::Scalar(scalar), Value::Vector(samples)) => {
                vector_scalar(&op, samples, scalar, true, comparison, return_bool)
            }
            (Value::Vector(left), Value::Vector(right)) => {
                let matching = binary.modifier.as_ref().and_then(|m| m.matching.as_ref());
                if binary.op.is_set_operator() {
                    return Ok(Value::Vector(set_operation(&op, left, right, matching)));
                }
                if binary.modifier.as_ref().is_some_and(|m| {
                    !matches!(
                        m.card,
                        promql_parser::parser::VectorMatchCardinality::OneToOne
                    )
                }) {
                    return Err(EvalError::Unsupported("group_left and group_right".into()));
                }
                vector_vector(&op, left, right, matching, comparison, return_bool)
            }
            _ => Err(EvalError::Invalid(format!(
                "operator `{op}` cannot combine a string with another value"
            ))),
        }
    }

    fn aggregate(&self, aggregate: &AggregateExpr) -> Result<Value, EvalError> {
        let op = aggregate.op.to_string().to_lowercase();
        if aggregate.param.is_some() {
            return Err(EvalError::Unsupported(format!("{op} with a parameter")));
        }
        let Value::Vector(samples) = self.eval(&aggregate.expr)? else {
            return Err(EvalError::Invalid(format!(
                "`{op}` expects an instant vector"
            )));
        };
        let mut groups: BTreeMap<Labels, Vec<f64>> = BTreeMap::new();
        for sample in samples {
            let key = grouping_labels(&sample.labels, aggregate.modifier.as_ref());
            groups.entry(key).or_default().push(sample.value);
        }
        let mut result = Vec::new();
        for (labels, values) in groups {
            let count = values.len() as f64;
            let value = match op.as_str() {
                "sum" => values.iter().sum(),
                "avg" => values.iter().sum::<f64>() / count,
                "count" => count,
                "min" => values.iter().copied().fold(f64::INFINITY, f64::min),
                "max" => values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                "group" => 1.0,
                other => return Err(EvalError::Unsupported(format!("the `{other}` aggregation"))),
            };
            result.push(Sample::new(labels, value));
        }
        Ok(Value::Vector(result))
    }

    fn call(&self, call: &Call) -> Result<Value, EvalError> {
        let args: Vec<&Expr> = call.args.args.iter().map(AsRef::as_ref).collect();
        match (call.func.name, args.as_slice()) {
            ("time", []) => Ok(Value::Scalar(self.eval_time_seconds)),
            ("vector", [arg]) => match self.eval(arg)? {
                Value::Scalar(value) => {
                    Ok(Value::Vector(vec![Sample::new(Labels::default(), value)]))
                }
                _ => Err(EvalError::Invalid("`vector` expects a scalar".into())),
            },
            ("scalar", [arg]) => match self.eval(arg)? {
                Value::Vector(samples) if samples.len() == 1 => Ok(Value::Scalar(samples[0].value)),
                Value::Vector(_) => Ok(Value::Scalar(f64::NAN)),
                _ => Err(EvalError::Invalid(
                    "`scalar` expects an instant vector".into(),
                )),
            },
            ("abs", [arg]) => match self.eval(arg)? {
                Value::Vector(samples) => Ok(Value::Vector(
                    samples
                        .into_iter()
                        .map(|s| Sample::new(s.labels.without_name(), s.value.abs()))
                        .collect(),
                )),
                _ => Err(EvalError::Invalid("`abs` expects an instant vector".into())),
            },
            ("absent", [arg]) => match self.eval(arg)? {
                Value::Vector(samples) if samples.is_empty() => {
                    Ok(Value::Vector(vec![Sample::new(absent_labels(arg), 1.0)]))
                }
                Value::Vector(_) => Ok(Value::Vector(Vec::new())),
                _ => Err(EvalError::Invalid(
                    "`absent` expects an instant vector".into(),
                )),
            },
            (name, _) => Err(EvalError::Unsupported(format!("the `{name}` function"))),
        }
    }
}

fn matches_all(matchers: &Matchers, labels: &Labels) -> bool {
    let all = |group: &[promql_parser::label::Matcher]| {
        group
            .iter()
            .all(|matcher| matcher.is_match(labels.get(&matcher.name)))
    };
    all(&matchers.matchers)
        && (matchers.or_matchers.is_empty() || matchers.or_matchers.iter().any(|g| all(g)))
}

/// The labels `absent` gives its result: the equality matchers of the selector.
fn absent_labels(arg: &Expr) -> Labels {
    let mut labels = Labels::default();
    if let Expr::VectorSelector(selector) = arg {
        for matcher in &selector.matchers.matchers {
            if matches!(matcher.op, promql_parser::label::MatchOp::Equal)
                && matcher.name != "__name__"
            {
                labels = labels.with(&matcher.name, &matcher.value);
            }
        }
    }
    labels
}

/// Applies an arithmetic or comparison operator. Comparisons give `Some(a)` when true.
fn apply_operator(op: &str, a: f64, b: f64) -> Result<Option<f64>, EvalError> {
    Ok(match op {
        "+" => Some(a + b),
        "-" => Some(a - b),
        "*" => Some(a * b),
        "/" => Some(a / b),
        "%" => Some(a % b),
        "^" => Some(a.powf(b)),
        "==" => (a == b).then_some(a),
        "!=" => (a != b).then_some(a),
        ">" => (a > b).then_some(a),
        "<" => (a < b).then_some(a),
        ">=" => (a >= b).then_some(a),
        "<=" => (a <= b).then_some(a),
        other => return Err(EvalError::Unsupported(format!("the `{other}` operator"))),
    })
}

fn vector_scalar(
    op: &str,
    samples: Vec<Sample>,
    scalar: f64,
    scalar_on_left: bool,
    comparison: bool,
    return_bool: bool,
) -> Result<Value, EvalError> {
    let mut result = Vec::new();
    for sample in samples {
        let (a, b) = if scalar_on_left {
            (scalar, sample.value)
        } else {
            (sample.value, scalar)
        };
        let outcome = apply_operator(op, a, b)?;
        if comparison && !return_bool {
            if outcome.is_some() {
                result.push(sample);
            }
        } else {
            let value = if comparison {
                f64::from(u8::from(outcome.is_some()))
            } else {
                outcome.unwrap_or(f64::NAN)
            };
            result.push(Sample::new(sample.labels.without_name(), value));
        }
    }
    Ok(Value::Vector(result))
}

/// The labels two samples are matched on.
fn match_key(labels: &Labels, matching: Option<&LabelModifier>) -> Labels {
    match matching {
        Some(LabelModifier::Include(names)) => Labels(
            labels
                .0
                .iter()
                .filter(|(name, _)| names.labels.contains(name))
                .map(|(n, v)| (n.clone(), v.clone()))
                .collect(),
        ),
        Some(LabelModifier::Exclude(names)) => Labels(
            labels
                .0
                .iter()
                .filter(|(name, _)| !names.labels.contains(name) && name.as_str() != "__name__")
                .map(|(n, v)| (n.clone(), v.clone()))
                .collect(),
        ),
        None => labels.clone().without_name(),
    }
}

fn vector_vector(
    op: &str,
    left: Vec<Sample>,
    right: Vec<Sample>,
    matching: Option<&LabelModifier>,
    comparison: bool,
    return_bool: bool,
) -> Result<Value, EvalError> {
    let mut right_by_key: BTreeMap<Labels, Sample> = BTreeMap::new();
    for sample in right {
        let key = match_key(&sample.labels, matching);
        if right_by_key.insert(key.clone(), sample).is_some() {
            return Err(EvalError::Invalid(format!(
                "many-to-many matching not allowed: found duplicate series on the right-hand side for {key}"
            )));
        }
    }
    let mut result = Vec::new();
    for sample in left {
        let key = match_key(&sample.labels, matching);
        let Some(other) = right_by_key.get(&key) else {
            continue;
        };
        let outcome = apply_operator(op, sample.value, other.value)?;
        let labels = match matching {
            Some(LabelModifier::Include(_)) => key.clone(),
            _ => sample.labels.clone().without_name(),
        };
        if comparison && !return_bool {
            if outcome.is_some() {
                result.push(sample);
            }
        } else {
            let value = if comparison {
                f64::from(u8::from(outcome.is_some()))
            } else {
                outcome.unwrap_or(f64::NAN)
            };
            result.push(Sample::new(labels, value));
        }
    }
    Ok(Value::Vector(result))
}

fn set_operation(
    op: &str,
    left: Vec<Sample>,
    right: Vec<Sample>,
    matching: Option<&LabelModifier>,
) -> Vec<Sample> {
    let right_keys: Vec<Labels> = right
        .iter()
        .map(|s| match_key(&s.labels, matching))
        .collect();
    match op {
        "and" => left
            .into_iter()
            .filter(|s| right_keys.contains(&match_key(&s.labels, matching)))
            .collect(),
        "unless" => left
            .into_iter()
            .filter(|s| !right_keys.contains(&match_key(&s.labels, matching)))
            .collect(),
        _ => {
            let left_keys: Vec<Labels> = left
                .iter()
                .map(|s| match_key(&s.labels, matching))
                .collect();
            let mut result = left;
            result.extend(
                right
                    .into_iter()
                    .filter(|s| !left_keys.contains(&match_key(&s.labels, matching))),
            );
            result
        }
    }
}

fn grouping_labels(labels: &Labels, modifier: Option<&LabelModifier>) -> Labels {
    match modifier {
        Some(modifier) => match_key(labels, Some(modifier)),
        None => Labels::default(),
    }
}
