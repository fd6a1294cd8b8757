//! PromQL: parsing with `promql-parser`, evaluation over the world's series.
//!
//! [`SeriesStore`] holds series; [`instant_query`] and [`range_query`] evaluate with Prometheus
//! 3 semantics (see `engine.rs`); [`test_script`] runs Prometheus's own PromQL test scripts.
//! Native histograms and experimental functions are out of scope and say so.

mod aggregate;
mod arith;
mod codec;
mod engine;
mod explain;
mod explore;
mod functions;
mod guard;
mod sample;
mod signature;
mod store;
pub mod test_script;

#[cfg(test)]
mod tests;

pub(crate) use arith::within_one_ulp;
pub use engine::{
    instant_query, instant_query_annotated, range_query, range_query_annotated, Annotation,
    AnnotationLevel, RangeSeries, LOOKBACK_MS,
};
pub use engine::{EvalError, Value};
pub use explain::{
    explain, Cardinality, ExplainNode, Explanation, Grouping, LabelCondition, LabelTest, MatchOn,
    Matching, OperatorClass, Outcome, Part, Selection, Shift, EXPLAIN_SAMPLE,
};
pub use explore::{explore, Exploration};
pub use functions::{is_label_name, is_metric_name};
pub use guard::lookback_ms;
pub use sample::{LabelCache, Labels, Sample};
pub use store::{is_stale_marker, stale_marker, SeriesId, SeriesStore};

use crate::diagnostic::Diagnostic;
use promql_parser::parser::Expr;

/// A parsed PromQL expression.
#[derive(Debug, Clone)]
pub struct Query {
    pub text: String,
    pub expr: Expr,
}

/// Parses `text`, or says why it is not PromQL.
pub fn parse_query(text: &str) -> Result<Query, Diagnostic> {
    if text.trim().is_empty() {
        return Err(Diagnostic::error(1, 1, "the query is empty")
            .with_hint("write a selector such as `up` or a comparison such as `up == 0`"));
    }
    let expr = parse_expr(text).map_err(|(offset, message, hint)| {
        let (line, column) = crate::diagnostic::line_column(text, offset);
        Diagnostic::error(line, column, message).with_hint(hint)
    })?;
    Ok(Query {
        text: text.to_string(),
        expr,
    })
}

/// Parses `text` with `promql-parser` once [`guard`] has ruled out what the parser cannot
/// take (durations no clock holds, nesting that would exhaust the stack), and checks the
/// result's durations. Errors carry a byte offset (0 when the parser gives none), a message
/// and a hint.
pub(crate) fn parse_expr(text: &str) -> Result<Expr, (usize, String, String)> {
    guard::scan(text).map_err(|error| (error.offset, error.message, error.hint))?;
    let expr = promql_parser::parser::parse(text).map_err(|message| {
        (
            0,
            message.trim().to_string(),
            "check the brackets, quotes and operators of the query".to_string(),
        )
    })?;
    guard::check_expr(&expr).map_err(|message| {
        (
            0,
            message,
            "shorten the range, step or offset; the longest duration is 292y".to_string(),
        )
    })?;
    Ok(expr)
}

/// Evaluates `expr` at `eval_time_seconds` over `series`, samples taken at that same instant.
pub fn evaluate_instant(
    expr: &Expr,
    series: &[Sample],
    eval_time_seconds: f64,
) -> Result<Value, EvalError> {
    let time_ms = (eval_time_seconds * 1000.0).round() as i64;
    let mut store = SeriesStore::new();
    for sample in series {
        store.append(&sample.labels, time_ms, sample.value);
    }
    instant_query(&store, expr, time_ms)
}
