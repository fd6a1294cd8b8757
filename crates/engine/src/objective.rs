//! Objectives: what a lesson asks for, checked against the world and never against the text a
//! learner typed.
//!
//! An objective is a PromQL expression over the world's time-series store (everything scraped
//! since the scenario started), evaluated at the world's current instant. It is met when the result holds at least one sample (or is a scalar) whose
//! value is neither zero nor NaN: an empty result or a zero means not met.

use crate::diagnostic::Diagnostic;
use crate::promql::{instant_query, parse_query, Query, Value};
use crate::world::World;
use serde::{Deserialize, Serialize};

/// One thing a lesson asks the learner to achieve.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Objective {
    /// Stable identifier, saved in progress.
    pub id: String,
    /// What the learner reads, Markdown inline.
    pub title: String,
    /// The PromQL expression that is non-empty and non-zero once the objective is met.
    pub query: String,
}

/// An objective whose query parsed.
#[derive(Debug, Clone)]
pub struct CompiledObjective {
    pub objective: Objective,
    query: Query,
}

impl CompiledObjective {
    /// How far back the objective's query reads samples, in milliseconds.
    pub fn lookback_ms(&self) -> i64 {
        crate::promql::lookback_ms(&self.query.expr)
    }

    /// Parses the objective's query.
    pub fn compile(objective: Objective) -> Result<Self, Diagnostic> {
        let query = parse_query(&objective.query)?;
        Ok(CompiledObjective { objective, query })
    }

    /// Whether the world meets the objective now; an evaluation error reads as not met and is
    /// returned so an author can see it.
    pub fn check(&self, world: &World) -> Result<bool, String> {
        let value = instant_query(world.store(), &self.query.expr, world.now().epoch_ms())
            .map_err(|error| format!("objective `{}`: {error}", self.objective.id))?;
        Ok(match value {
            Value::Scalar(value) => is_truthy(value),
            Value::Vector(samples) => samples.iter().any(|sample| is_truthy(sample.value)),
            Value::String(_) | Value::Matrix(_) => false,
        })
    }
}

fn is_truthy(value: f64) -> bool {
    value != 0.0 && !value.is_nan()
}
