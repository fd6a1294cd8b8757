//! Alerting: Prometheus rule files, their evaluation on the simulated clock, promtool's rule
//! unit tests, and the Go templates that alert labels and annotations are written in.
//!
//! [`parse_rule_file`] reads a rule file with diagnostics; [`RuleEngine`] evaluates its groups
//! against a [`crate::promql::SeriesStore`] with the pending/firing/inactive state machine and
//! writes `ALERTS` and recording-rule series back; [`unit_test`] runs `promtool test rules`
//! files.

mod evaluate;
mod rules;
pub mod template;
pub mod unit_test;

pub(crate) use evaluate::RuleEngineState;
pub use evaluate::{Alert, AlertState, RuleEngine, RuleError, RuleStatus};
pub use rules::{parse_duration, parse_rule_file, Rule, RuleFile, RuleGroup, RuleKind};
