//! Explain a query: the tree of its parts, each evaluated on its own at the same instant, with
//! what it is, how many results it gives and a few of them. For an operator between two
//! vectors, which series found no partner on the other side and the labels they were matched
//! on: the usual reason a query gives nothing.

use super::engine::{instant_query_spending, Value};
use super::parse_query;
use super::sample::{Labels, Sample};
use super::signature::{Signatures, Without};
use super::store::SeriesStore;
use crate::diagnostic::Diagnostic;
use crate::limits::{short_count, EXPLAIN_MAX_PARTS, PROMQL_MAX_POINTS};
use promql_parser::label::MatchOp;
use promql_parser::parser::{
    AtModifier, BinaryExpr, Expr, LabelModifier, Offset, VectorMatchCardinality, VectorSelector,
};
use promql_parser::util::display_duration;

/// How many results of each part are shown.
pub const EXPLAIN_SAMPLE: usize = 3;

/// A query explained: its diagnostics when it does not parse, or the tree of its parts.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Explanation {
    pub diagnostics: Vec<Diagnostic>,
    pub root: Option<ExplainNode>,
    /// Parts past [`EXPLAIN_MAX_PARTS`] are listed but not evaluated.
    pub parts_not_evaluated: usize,
}

/// One part of a query.
#[derive(Debug, Clone, PartialEq)]
pub struct ExplainNode {
    /// The part as PromQL.
    pub text: String,
    pub part: Part,
    pub outcome: Outcome,
    pub children: Vec<ExplainNode>,
}

/// What a part of a query is.
#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    Number(f64),
    String,
    Parentheses,
    Negation,
    /// An instant vector selector: the latest sample of each matching series.
    Selector(Selection),
    /// A range vector selector: every sample of each matching series over `range`.
    Range {
        selection: Selection,
        range: String,
    },
    /// A subquery: its inner expression evaluated every `step` over `range`.
    Subquery {
        range: String,
        step: Option<String>,
        shift: Shift,
    },
    Function {
        name: String,
    },
    Aggregation {
        op: String,
        grouping: Grouping,
    },
    Binary {
        op: String,
        class: OperatorClass,
        /// Between two vectors: how their series were paired.
        matching: Option<Matching>,
    },
}

/// The series a selector asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct Selection {
    pub metric: Option<String>,
    pub matchers: Vec<LabelCondition>,
    pub shift: Shift,
}

/// A selector's `offset` and `@`, as written.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Shift {
    pub offset: Option<String>,
    pub at: Option<String>,
}

/// A label matcher of a selector.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelCondition {
    pub label: String,
    pub test: LabelTest,
    pub value: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabelTest {
    Equal,
    NotEqual,
    Matches,
    NotMatches,
}

/// Which labels an aggregation keeps.
#[derive(Debug, Clone, PartialEq)]
pub enum Grouping {
    /// No `by` or `without`: one result for everything.
    Everything,
    By(Vec<String>),
    Without(Vec<String>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OperatorClass {
    Arithmetic,
    /// A comparison that keeps the series for which it holds.
    Filter,
    /// A comparison with `bool`: 1 or 0 for every pair.
    Bool,
    /// `and`, `or`, `unless`.
    Set,
}

/// How an operator between two vectors paired their series.
#[derive(Debug, Clone, PartialEq)]
pub struct Matching {
    /// The labels series are matched on: `on(...)` lists them, `ignoring(...)` lists what
    /// is left out, neither matches on every label but the metric name.
    pub on: MatchOn,
    pub cardinality: Cardinality,
    /// Left series that have a partner on the right, and the total on each side.
    pub left_matched: usize,
    pub left_total: usize,
    pub right_matched: usize,
    pub right_total: usize,
    /// The matching labels of a left series without a partner, and of a right one.
    pub left_unmatched_example: Option<Labels>,
    pub right_unmatched_example: Option<Labels>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum MatchOn {
    AllLabels,
    On(Vec<String>),
    Ignoring(Vec<String>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Cardinality {
    OneToOne,
    /// `group_left(...)`: many on the left for one on the right.
    ManyToOne(Vec<String>),
    OneToMany(Vec<String>),
    ManyToMany,
}

/// What a part gives when evaluated on its own.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Scalar(f64),
    String(String),
    /// An instant vector: how many series, and the first few.
    Vector {
        count: usize,
        sample: Vec<Sample>,
    },
    /// A range vector: how many series and points, and the first few series with their
    /// number of points and latest value.
    Matrix {
        count: usize,
        points: usize,
        sample: Vec<(Labels, usize, f64)>,
    },
    Error(String),
    /// Past [`EXPLAIN_MAX_PARTS`] or the points budget.
    NotEvaluated,
}

/// Explains `text` at `time_ms` over `store`.
pub fn explain(store: &SeriesStore, text: &str, time_ms: i64) -> Explanation {
    let query = match parse_query(text) {
        Ok(query) => query,
        Err(diagnostic) => {
            return Explanation {
                diagnostics: vec![diagnostic],
                ..Explanation::default()
            }
        }
    };
    let mut explainer = Explainer {
        store,
        time_ms,
        parts: 0,
        spent: 0,
        not_evaluated: 0,
    };
    let (root, _) = explainer.node(&query.expr);
    Explanation {
        diagnostics: Vec::new(),
        root: Some(root),
        parts_not_evaluated: explainer.not_evaluated,
    }
}

struct Explainer<'s> {
    store: &'s SeriesStore,
    time_ms: i64,
    /// Parts evaluated so far, against [`EXPLAIN_MAX_PARTS`].
    parts: usize,
    /// Points all parts evaluated so far, against [`PROMQL_MAX_POINTS`].
    spent: u64,
    not_evaluated: usize,
}

impl Explainer<'_> {
    /// The part `expr` and its value, which its parent keeps when it pairs series.
    fn node(&mut self, expr: &Expr) -> (ExplainNode, Option<Value>) {
        // Parents first: a long query shows its outer parts evaluated and its innermost listed.
        let (value, outcome) = self.evaluate(expr);
        let children: Vec<&Expr> = match expr {
            Expr::Paren(paren) => vec![&paren.expr],
            Expr::Unary(unary) => vec![&unary.expr],
            Expr::Subquery(subquery) => vec![&subquery.expr],
            Expr::Call(call) => call.args.args.iter().map(|arg| arg.as_ref()).collect(),
            Expr::Aggregate(aggregate) => aggregate
                .param
                .iter()
                .map(|param| param.as_ref())
                .chain(std::iter::once(aggregate.expr.as_ref()))
                .collect(),
            Expr::Binary(binary) => vec![&binary.lhs, &binary.rhs],
            _ => Vec::new(),
        };
        let mut nodes: Vec<ExplainNode> = Vec::with_capacity(children.len());
        let mut values: Vec<Option<Value>> = Vec::new();
        for child in children {
            let (node, child_value) = self.node(child);
            nodes.push(node);
            if matches!(expr, Expr::Binary(_)) {
                values.push(child_value);
            }
        }
        let part = match expr {
            Expr::Binary(binary) => binary_part(binary, &values),
            other => part_of(other),
        };
        let node = ExplainNode {
            text: expr.to_string(),
            part,
            outcome,
            children: nodes,
        };
        (node, value)
    }

    fn evaluate(&mut self, expr: &Expr) -> (Option<Value>, Outcome) {
        if self.parts >= EXPLAIN_MAX_PARTS || self.spent > PROMQL_MAX_POINTS {
            self.not_evaluated += 1;
            return (None, Outcome::NotEvaluated);
        }
        self.parts += 1;
        let (value, spent) = instant_query_spending(self.store, expr, self.time_ms, self.spent);
        self.spent = spent;
        match value {
            Ok(value) => {
                let outcome = outcome_of(&value);
                (Some(value), outcome)
            }
            Err(error) if self.spent > PROMQL_MAX_POINTS => (
                None,
                Outcome::Error(format!(
                    "{error} (the parts of this query evaluated more than {} points in all)",
                    short_count(PROMQL_MAX_POINTS as f64)
                )),
            ),
            Err(error) => (None, Outcome::Error(error.to_string())),
        }
    }
}

fn outcome_of(value: &Value) -> Outcome {
    match value {
        Value::Scalar(v) => Outcome::Scalar(*v),
        Value::String(s) => Outcome::String(s.clone()),
        Value::Vector(samples) => Outcome::Vector {
            count: samples.len(),
            sample: samples.iter().take(EXPLAIN_SAMPLE).cloned().collect(),
        },
        Value::Matrix(series) => Outcome::Matrix {
            count: series.len(),
            points: series.iter().map(|s| s.points.len()).sum(),
            sample: series
                .iter()
                .take(EXPLAIN_SAMPLE)
                .map(|s| {
                    let last = s.points.last().map_or(f64::NAN, |(_, v)| *v);
                    (s.labels.clone(), s.points.len(), last)
                })
                .collect(),
        },
    }
}

fn shift(offset: &Option<Offset>, at: &Option<AtModifier>) -> Shift {
    Shift {
        offset: offset.as_ref().map(|o| o.to_string()),
        at: at.as_ref().map(|a| a.to_string()),
    }
}

fn selection(selector: &VectorSelector) -> Selection {
    let matchers = selector
        .matchers
        .matchers
        .iter()
        .chain(selector.matchers.or_matchers.iter().flatten())
        .filter(|m| !(m.name == "__name__" && selector.name.is_some()))
        .map(|m| LabelCondition {
            label: m.name.clone(),
            test: match m.op {
                MatchOp::Equal => LabelTest::Equal,
                MatchOp::NotEqual => LabelTest::NotEqual,
                MatchOp::Re(_) => LabelTest::Matches,
                MatchOp::NotRe(_) => LabelTest::NotMatches,
            },
            value: m.value.clone(),
        })
        .collect();
    Selection {
        metric: selector.name.clone(),
        matchers,
        shift: shift(&selector.offset, &selector.at),
    }
}

fn names(modifier: &LabelModifier) -> Vec<String> {
    modifier.labels().labels.clone()
}

fn part_of(expr: &Expr) -> Part {
    match expr {
        Expr::NumberLiteral(number) => Part::Number(number.val),
        Expr::StringLiteral(_) => Part::String,
        Expr::Paren(_) => Part::Parentheses,
        Expr::Unary(_) => Part::Negation,
        Expr::VectorSelector(selector) => Part::Selector(selection(selector)),
        Expr::MatrixSelector(matrix) => Part::Range {
            selection: selection(&matrix.vs),
            range: display_duration(&matrix.range),
        },
        Expr::Subquery(subquery) => Part::Subquery {
            range: display_duration(&subquery.range),
            step: subquery.step.as_ref().map(display_duration),
            shift: shift(&subquery.offset, &subquery.at),
        },
        Expr::Call(call) => Part::Function {
            name: call.func.name.to_string(),
        },
        Expr::Aggregate(aggregate) => Part::Aggregation {
            op: aggregate.op.to_string().to_lowercase(),
            grouping: match &aggregate.modifier {
                None => Grouping::Everything,
                Some(LabelModifier::Include(labels)) if labels.labels.is_empty() => {
                    Grouping::Everything
                }
                Some(modifier @ LabelModifier::Include(_)) => Grouping::By(names(modifier)),
                Some(modifier) => Grouping::Without(names(modifier)),
            },
        },
        Expr::Binary(binary) => binary_part(binary, &[]),
        Expr::Extension(_) => Part::Parentheses,
    }
}

fn binary_part(binary: &BinaryExpr, values: &[Option<Value>]) -> Part {
    let class = if binary.op.is_set_operator() {
        OperatorClass::Set
    } else if binary.op.is_comparison_operator() {
        if binary.return_bool() {
            OperatorClass::Bool
        } else {
            OperatorClass::Filter
        }
    } else {
        OperatorClass::Arithmetic
    };
    let matching = match values {
        [Some(Value::Vector(left)), Some(Value::Vector(right))] => {
            Some(matching(binary, class, left, right))
        }
        _ => None,
    };
    Part::Binary {
        op: binary.op.to_string().to_lowercase(),
        class,
        matching,
    }
}

fn matching(
    binary: &BinaryExpr,
    class: OperatorClass,
    left: &[Sample],
    right: &[Sample],
) -> Matching {
    let modifier = binary.modifier.as_ref();
    let label_modifier = modifier.and_then(|m| m.matching.as_ref());
    let on = match label_modifier {
        Some(m @ LabelModifier::Include(_)) => MatchOn::On(names(m)),
        Some(m @ LabelModifier::Exclude(_)) if !m.labels().labels.is_empty() => {
            MatchOn::Ignoring(names(m))
        }
        _ => MatchOn::AllLabels,
    };
    let cardinality = match modifier.map(|m| &m.card) {
        _ if class == OperatorClass::Set => Cardinality::ManyToMany,
        Some(VectorMatchCardinality::ManyToOne(labels)) => {
            Cardinality::ManyToOne(labels.labels.clone())
        }
        Some(VectorMatchCardinality::OneToMany(labels)) => {
            Cardinality::OneToMany(labels.labels.clone())
        }
        _ => Cardinality::OneToOne,
    };
    // Each side's signatures, numbered, then each side looked up in the other's.
    let side = |samples: &[Sample]| {
        let mut signatures = Signatures::new(label_modifier, Without::Name);
        for sample in samples {
            signatures.number(&sample.labels);
        }
        signatures
    };
    let (mut left_keys, mut right_keys) = (side(left), side(right));
    let unmatched = |samples: &[Sample], own: &mut Signatures, other: &Signatures| {
        let mut matched = 0;
        let mut example = None;
        for sample in samples {
            if other.find(&sample.labels).is_some() {
                matched += 1;
            } else if example.is_none() {
                let number = own.number(&sample.labels);
                example = Some(own.key(number).clone());
            }
        }
        (matched, example)
    };
    let (left_matched, left_unmatched_example) = unmatched(left, &mut left_keys, &right_keys);
    let (right_matched, right_unmatched_example) = unmatched(right, &mut right_keys, &left_keys);
    Matching {
        on,
        cardinality,
        left_matched,
        left_total: left.len(),
        right_matched,
        right_total: right.len(),
        left_unmatched_example,
        right_unmatched_example,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> SeriesStore {
        let mut store = SeriesStore::new();
        for pod in ["users-a", "users-b", "stores-a"] {
            let project = pod.split('-').next().unwrap();
            let busy = Labels::named("phpfpm_active_processes")
                .with("env", "prod")
                .with("project", project)
                .with("pod", pod);
            let total = Labels::named("phpfpm_total_processes")
                .with("env", "prod")
                .with("project", project)
                .with("pod", pod);
            for minute in 0..=10 {
                store.append(&busy, minute * 60_000, 4.0);
                store.append(&total, minute * 60_000, 5.0);
            }
        }
        store
    }

    #[test]
    fn a_join_on_different_labels_shows_which_side_found_no_partner() {
        // Guards the reason a ratio gives nothing: the left side is summed by project, the
        // right by pod, so no signature meets; each side's unmatched labels are shown.
        let text = "sum by (env, project) (phpfpm_active_processes) / sum by (env, pod) (phpfpm_total_processes)";
        let explanation = explain(&store(), text, 600_000);
        let root = explanation.root.unwrap();
        assert_eq!(
            root.outcome,
            Outcome::Vector {
                count: 0,
                sample: vec![]
            }
        );
        let Part::Binary {
            matching: Some(matching),
            class: OperatorClass::Arithmetic,
            ..
        } = &root.part
        else {
            panic!("a binary part with matching, got {:?}", root.part);
        };
        assert_eq!((matching.left_matched, matching.left_total), (0, 2));
        assert_eq!((matching.right_matched, matching.right_total), (0, 3));
        assert_eq!(
            matching
                .left_unmatched_example
                .as_ref()
                .unwrap()
                .to_string(),
            r#"{env="prod", project="stores"}"#
        );
        assert_eq!(
            matching
                .right_unmatched_example
                .as_ref()
                .unwrap()
                .to_string(),
            r#"{env="prod", pod="stores-a"}"#
        );
        let left = &root.children[0];
        assert!(matches!(&left.outcome, Outcome::Vector { count: 2, .. }));
        assert_eq!(
            left.part,
            Part::Aggregation {
                op: "sum".into(),
                grouping: Grouping::By(vec!["env".into(), "project".into()])
            }
        );
        let selector = &left.children[0];
        assert!(matches!(
            &selector.outcome,
            Outcome::Vector { count: 3, .. }
        ));
        assert_eq!(selector.text, "phpfpm_active_processes");

        // Matched on the same labels, every series finds its partner.
        let fixed = "sum by (env, project) (phpfpm_active_processes) / sum by (env, project) (phpfpm_total_processes)";
        let root = explain(&store(), fixed, 600_000).root.unwrap();
        let Part::Binary {
            matching: Some(matching),
            ..
        } = &root.part
        else {
            panic!("a binary part with matching");
        };
        assert_eq!((matching.left_matched, matching.right_matched), (2, 2));
        assert_eq!(matching.left_unmatched_example, None);
        let Outcome::Vector { count: 2, sample } = &root.outcome else {
            panic!("two results, got {:?}", root.outcome);
        };
        assert_eq!(sample[0].value, 0.8);
    }

    #[test]
    fn every_kind_of_part_is_named_and_evaluated_on_its_own() {
        let text = r#"-(rate(phpfpm_active_processes{project=~"u.*", pod!="x"}[5m] offset 1m)) > bool 0 or max_over_time(phpfpm_total_processes[5m:1m]) * 2"#;
        let root = explain(&store(), text, 600_000).root.unwrap();
        let Part::Binary { op, class, .. } = &root.part else {
            panic!("or at the top");
        };
        assert_eq!((op.as_str(), *class), ("or", OperatorClass::Set));
        let comparison = &root.children[0];
        assert!(matches!(
            comparison.part,
            Part::Binary {
                class: OperatorClass::Bool,
                ..
            }
        ));
        let negation = &comparison.children[0];
        assert_eq!(negation.part, Part::Negation);
        let rate = &negation.children[0].children[0];
        assert_eq!(
            rate.part,
            Part::Function {
                name: "rate".into()
            }
        );
        let range = &rate.children[0];
        let Part::Range {
            selection, range, ..
        } = &range.part
        else {
            panic!("a range selector");
        };
        assert_eq!(range, "5m");
        assert_eq!(selection.metric.as_deref(), Some("phpfpm_active_processes"));
        assert_eq!(selection.shift.offset.as_deref(), Some("1m"));
        assert_eq!(
            selection.matchers,
            vec![
                LabelCondition {
                    label: "project".into(),
                    test: LabelTest::Matches,
                    value: "u.*".into()
                },
                LabelCondition {
                    label: "pod".into(),
                    test: LabelTest::NotEqual,
                    value: "x".into()
                }
            ]
        );
        assert!(matches!(
            rate.children[0].outcome,
            Outcome::Matrix {
                count: 2,
                points: 10,
                ..
            }
        ));
        let times_two = &root.children[1];
        let subquery = &times_two.children[0].children[0];
        assert!(matches!(subquery.part, Part::Subquery { .. }));
        assert_eq!(times_two.children[1].outcome, Outcome::Scalar(2.0));
    }

    #[test]
    fn a_query_that_does_not_parse_gives_its_diagnostic_and_a_huge_one_stops_at_the_budget() {
        assert!(explain(&store(), "sum(", 0).diagnostics[0].is_error());
        let long = vec!["phpfpm_active_processes"; 100].join(" + ");
        let explanation = explain(&store(), &long, 600_000);
        assert!(explanation.parts_not_evaluated > 0);
        assert!(explanation.root.is_some());
        // A part over the points budget says so and the explanation still comes back.
        let heavy = "sum_over_time(phpfpm_active_processes[1d:1ms])";
        let root = explain(&store(), heavy, 600_000).root.unwrap();
        let Outcome::Error(message) = &root.outcome else {
            panic!("an error, got {:?}", root.outcome);
        };
        assert!(message.contains("limit"), "{message}");
    }
}
