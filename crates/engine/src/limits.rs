//! Every budget that user text can spend, in one place.
//!
//! Work that a learner's text drives (a query, a template, a Terraform expression, a YAML file,
//! a lesson's solution) is counted while it runs and stops with a diagnostic when it asks for
//! more than these. They are far above what a real file needs: the platform's own rules,
//! charts and Terraform project use a small fraction of each, so a user meets a limit only when
//! a typo or an experiment asks for something no tool would finish.

use std::cell::Cell;

/// PromQL: the longest query text read.
pub const PROMQL_MAX_TEXT: usize = 16 * 1024;
/// PromQL: how deep brackets, calls and operators may nest in one query.
pub const PROMQL_MAX_DEPTH: usize = 128;
/// PromQL: the longest range, subquery step or offset, in milliseconds (about 292 years, the
/// largest duration Prometheus itself reads).
pub const PROMQL_MAX_DURATION_MS: i64 = 9_223_372_036_854;
/// PromQL: the points one query may compute (steps of range queries and subqueries, samples
/// read by selectors), summed over the whole evaluation: about a second of work natively and
/// two in the browser. The busiest dashboard panel computes about 250 000.
#[cfg(not(fuzzing))]
pub const PROMQL_MAX_POINTS: u64 = 10_000_000;
/// Under the fuzzer, a hundredth: the same checks stop the same queries, sooner. A fuzzer
/// soon learns to write queries that spend the whole budget, and a second each (three times
/// that with coverage instrumentation) would leave it a few executions a second.
#[cfg(fuzzing)]
pub const PROMQL_MAX_POINTS: u64 = 100_000;
/// PromQL: the points each part of a query (an operator, a function, a selector, a number)
/// costs every time it is evaluated, besides the samples it reads: the fixed cost of one
/// evaluation (about 0.2 µs natively) is that of a few samples. A query of hundreds of
/// operators inside a long subquery reaches the limit this way instead of running for seconds.
pub const PROMQL_NODE_POINTS: u64 = 5;
/// PromQL: the steps of one range query.
pub const PROMQL_MAX_RANGE_STEPS: i64 = 11_000;

/// Explain: the parts of one query evaluated on their own, each with its result; past this,
/// parts are listed without results. All of them share [`PROMQL_MAX_POINTS`].
pub const EXPLAIN_MAX_PARTS: usize = 64;

/// Test files (PromQL test scripts, rule unit tests): points one series expansion such as
/// `0+1x1000` may produce, and steps of one range evaluation.
#[cfg(not(fuzzing))]
pub const TEST_MAX_SAMPLES: usize = 1_000_000;
/// Under the fuzzer, a hundredth, as for [`PROMQL_MAX_POINTS`]: a test file that evaluates a
/// rule a million times is a minute of one execution.
#[cfg(fuzzing)]
pub const TEST_MAX_SAMPLES: usize = 10_000;

/// Go templates (alert messages, Helm charts): function calls and template invocations in one
/// render.
pub const TEMPLATE_MAX_CALLS: u64 = 200_000;
/// Go templates: bytes produced by functions and written out in one render.
pub const TEMPLATE_MAX_BYTES: u64 = 16 * 1024 * 1024;
/// Go templates: iterations of `range` in one execution.
pub const TEMPLATE_MAX_RANGE_ITERATIONS: u64 = 10_000;
/// Helm: how deep `include` may call itself, as Helm stops runaway recursion.
pub const TEMPLATE_MAX_INCLUDE_DEPTH: usize = 40;

/// Terraform: resource instances in one configuration, summed over every `count` and
/// `for_each`.
pub const TERRAFORM_MAX_INSTANCES: usize = 2_000;
/// Terraform: values one expression may build (elements of `for` expressions and template
/// `for` directives, estimated before it runs).
pub const TERRAFORM_MAX_VALUES: u64 = 1_000_000;
/// Terraform: the largest string or collection a function may return, in bytes or elements.
pub const TERRAFORM_MAX_VALUE_SIZE: usize = 1024 * 1024;
/// Terraform: the widest field or precision of a `format` verb.
pub const TERRAFORM_MAX_FORMAT_WIDTH: usize = 4096;

/// YAML: events a document may produce once its aliases are expanded.
pub const YAML_MAX_EVENTS: usize = 200_000;
/// YAML: the largest file read.
pub const YAML_MAX_BYTES: usize = 1024 * 1024;

/// "Did you mean": names longer than this are not compared.
pub const SUGGESTION_MAX_CHARS: usize = 64;

/// Charts: ticks on one axis.
pub const CHART_MAX_TICKS: usize = 20;

/// A lesson's solution: simulated time its steps may advance in all, in milliseconds (30 days).
pub const SOLUTION_MAX_ADVANCE_MS: i64 = 30 * 86_400_000;

/// A world's checkpoint read from storage: its text, the series and the samples it may hold.
/// A checkpoint of the largest world is a few hundred kilobytes.
pub const CHECKPOINT_MAX_BYTES: usize = 16 * 1024 * 1024;
pub const CHECKPOINT_MAX_SERIES: usize = 100_000;
pub const CHECKPOINT_MAX_SAMPLES: usize = 5_000_000;

/// A counter of work done, checked while the work runs.
#[derive(Debug)]
pub struct Budget {
    spent: Cell<u64>,
    limit: u64,
}

impl Budget {
    pub fn new(limit: u64) -> Self {
        Budget {
            spent: Cell::new(0),
            limit,
        }
    }

    /// Spends `amount`; false once the total is over the limit.
    pub fn spend(&self, amount: u64) -> bool {
        let spent = self.spent.get().saturating_add(amount);
        self.spent.set(spent);
        spent <= self.limit
    }

    pub fn spent(&self) -> u64 {
        self.spent.get()
    }

    pub fn limit(&self) -> u64 {
        self.limit
    }
}

/// The longest prefix of `text` of at most `max` bytes that ends on a character boundary.
pub fn truncate_at_char(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// `text` followed by spaces up to `width` characters, as `{:<width$}` pads it. The standard
/// formatter aborts on widths over 65535, which a user's key or value can reach.
pub fn pad_end(text: &str, width: usize) -> String {
    let length = text.chars().count();
    let mut out = String::with_capacity(text.len() + width.saturating_sub(length));
    out.push_str(text);
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(length)));
    out
}

/// A count in the short scientific form the diagnostics use: `3.2e10`, `5e7`, or the number
/// itself below a million.
pub fn short_count(n: f64) -> String {
    if !n.is_finite() {
        return "more than can be counted".into();
    }
    if n.abs() < 1e6 {
        return format!("{}", n.round() as i64);
    }
    let exponent = n.abs().log10().floor() as i32;
    let mantissa = n / 10f64.powi(exponent);
    let mantissa = (mantissa * 10.0).round() / 10.0;
    if mantissa.fract() == 0.0 {
        format!("{}e{exponent}", mantissa as i64)
    } else {
        format!("{mantissa}e{exponent}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_read_short() {
        assert_eq!(short_count(3.2e10), "3.2e10");
        assert_eq!(short_count(5e7), "5e7");
        assert_eq!(short_count(12345.0), "12345");
        assert_eq!(short_count(f64::INFINITY), "more than can be counted");
    }

    #[test]
    fn truncation_keeps_whole_characters() {
        let euros = "€".repeat(25);
        assert_eq!(truncate_at_char(&euros, 64), "€".repeat(21));
        assert_eq!(truncate_at_char("abc", 64), "abc");
        assert_eq!(truncate_at_char("é", 1), "");
    }

    #[test]
    fn padding_takes_any_width() {
        assert_eq!(pad_end("ab", 4), "ab  ");
        assert_eq!(pad_end("abc", 1), "abc");
        assert_eq!(pad_end("", 70_000).len(), 70_000);
    }

    #[test]
    fn a_budget_says_when_it_is_spent() {
        let budget = Budget::new(10);
        assert!(budget.spend(10));
        assert!(!budget.spend(1));
        assert!(!budget.spend(u64::MAX));
        assert_eq!(budget.spent(), u64::MAX);
    }
}
