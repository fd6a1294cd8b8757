//! The query explorer's pipeline: a PromQL text in, diagnostics or a graph and a table out.

use super::engine::{instant_query_annotated, range_query, RangeSeries, Value};
use super::parse_query;
use super::sample::Sample;
use super::store::SeriesStore;
use crate::diagnostic::Diagnostic;

/// How many points a graph gets across its range.
const GRAPH_POINTS: i64 = 120;

/// What the explorer shows for a query.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Exploration {
    /// Problems with the query text, shown in the editor.
    pub diagnostics: Vec<Diagnostic>,
    /// An evaluation error, shown above the results.
    pub error: Option<String>,
    /// The graph: one series per label set over the range.
    pub graph: Vec<RangeSeries>,
    /// The table: the instant result at the end of the range.
    pub table: Vec<Sample>,
    /// A scalar or string result, as text.
    pub scalar: Option<String>,
    /// Prometheus's warnings and infos about the query, such as a quantile outside `[0, 1]`.
    pub annotations: Vec<String>,
    pub start_ms: i64,
    pub end_ms: i64,
    pub step_ms: i64,
}

/// Evaluates `text` over the `range_ms` before `now_ms`: a range query for the graph and an
/// instant query for the table.
pub fn explore(store: &SeriesStore, text: &str, now_ms: i64, range_ms: i64) -> Exploration {
    let step_ms = (range_ms / GRAPH_POINTS).max(1000);
    let start_ms = now_ms - range_ms;
    let mut exploration = Exploration {
        start_ms,
        end_ms: now_ms,
        step_ms,
        ..Exploration::default()
    };
    let query = match parse_query(text) {
        Ok(query) => query,
        Err(diagnostic) => {
            exploration.diagnostics.push(diagnostic);
            return exploration;
        }
    };
    let (value, annotations) = instant_query_annotated(store, &query.expr, now_ms);
    exploration.annotations = annotations.iter().map(|a| a.text()).collect();
    match value {
        Ok(Value::Vector(samples)) => exploration.table = samples,
        Ok(Value::Scalar(value)) => exploration.scalar = Some(value.to_string()),
        Ok(Value::String(text)) => exploration.scalar = Some(text),
        Ok(Value::Matrix(_)) => {
            exploration.error = Some(
                "a range vector cannot be graphed; wrap it in a function such as `rate(...)`"
                    .into(),
            );
            return exploration;
        }
        Err(error) => {
            exploration.error = Some(error.to_string());
            return exploration;
        }
    }
    // Align steps to the step size so the graph does not shimmer as time moves.
    let aligned_end = now_ms - now_ms.rem_euclid(step_ms);
    match range_query(
        store,
        &query.expr,
        aligned_end - range_ms,
        aligned_end,
        step_ms,
    ) {
        Ok(series) => exploration.graph = series,
        Err(error) => exploration.error = Some(error.to_string()),
    }
    exploration
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::promql::Labels;

    #[test]
    fn explore_gives_a_graph_a_table_or_a_message() {
        // Guards the explorer's three outcomes: results, a parse diagnostic, an evaluation error.
        let mut store = SeriesStore::new();
        let labels = Labels::named("up").with("env", "prod");
        for minute in 0..=60 {
            store.append(&labels, minute * 60_000, minute as f64);
        }
        let result = explore(&store, "up * 2", 3_600_000, 3_600_000);
        assert_eq!(result.table.len(), 1);
        assert_eq!(result.table[0].value, 120.0);
        assert_eq!(result.graph.len(), 1);
        assert!(result.graph[0].points.len() >= 100);
        assert!(explore(&store, "sum(up", 0, 60_000).diagnostics[0].is_error());
        assert!(explore(&store, "up[5m]", 0, 60_000)
            .error
            .unwrap()
            .contains("range vector"));
        assert_eq!(
            explore(&store, "1 + 1", 0, 60_000).scalar.as_deref(),
            Some("2")
        );
        assert_eq!(
            explore(&store, "quantile(2, up)", 3_600_000, 60_000).annotations,
            vec!["PromQL warning: quantile value should be between 0 and 1, got 2"]
        );
    }
}
