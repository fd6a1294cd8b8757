//! PromQL: parsing with `promql-parser`, evaluation over the world's series.
//!
//! This first evaluator reads instant vectors at the world's current instant: selectors with
//! matchers, number literals, arithmetic and comparison operators (with `bool` and one-to-one
//! vector matching, `on` and `ignoring`), the set operators `and`, `or`, `unless`, the
//! aggregations `sum`, `min`, `max`, `avg`, `count` with `by` and `without`, and the functions
//! `time`, `vector`, `scalar`, `abs` and `absent`. Range vectors, offsets and the rest of
//! the language answer with a clear "not supported yet" error rather than a wrong value.

mod eval;
mod sample;

#[cfg(test)]
mod tests;

pub use eval::{evaluate_instant, EvalError, Value};
pub use sample::{Labels, Sample};

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
    // Deeply nested input grows the parser's stack; no real query comes near this size.
    if text.len() > 16 * 1024 {
        return Err(Diagnostic::error(1, 1, "the query is longer than 16 KiB"));
    }
    match promql_parser::parser::parse(text) {
        Ok(expr) => Ok(Query {
            text: text.to_string(),
            expr,
        }),
        Err(message) => Err(Diagnostic::error(1, 1, message.trim().to_string())
            .with_hint("check the brackets, quotes and operators of the query")),
    }
}
