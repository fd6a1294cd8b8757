//! Saved progress: what the browser keeps in local storage, exports and imports.
//!
//! The format is JSON with a schema version. Loading validates everything: a text that is not
//! JSON, has an unknown version, or holds values out of range is rejected as a whole with a
//! reason, so the caller can keep it aside and tell the learner, never drop it silently.

use crate::world::Action;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use thiserror::Error;

/// The version of the progress format this build writes and reads.
pub const PROGRESS_SCHEMA: u32 = 1;

/// The most lessons and actions a progress file may hold; more means it is not ours.
const MAX_LESSONS: usize = 1000;
const MAX_ACTIONS_PER_LESSON: usize = 10_000;

/// A learner's progress across every lesson.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Progress {
    pub schema: u32,
    /// By lesson key, `<pack>/<lesson id>`.
    pub lessons: BTreeMap<String, LessonProgress>,
}

/// Where a learner is in one lesson.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LessonProgress {
    /// Ids of the objectives met.
    pub met: BTreeSet<String>,
    /// True once every objective was met.
    pub completed: bool,
    /// The actions taken, replayed to restore the world.
    pub actions: Vec<Action>,
}

/// Why a saved progress text was not loaded.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ProgressError {
    #[error("saved progress is not valid JSON: {0}")]
    NotJson(String),
    #[error("saved progress has format version {found}, this version of opsdojo reads version {PROGRESS_SCHEMA}")]
    UnknownSchema { found: u64 },
    #[error("saved progress is not in the expected shape: {0}")]
    Shape(String),
    #[error("saved progress holds an invalid value: {0}")]
    Invalid(String),
}

impl Progress {
    /// Empty progress in the current format.
    pub fn new() -> Self {
        Progress {
            schema: PROGRESS_SCHEMA,
            lessons: BTreeMap::new(),
        }
    }

    /// The key a lesson's progress is saved under.
    pub fn lesson_key(pack: &str, lesson_id: &str) -> String {
        format!("{pack}/{lesson_id}")
    }

    /// Reads and validates a saved or imported progress text.
    pub fn from_json(text: &str) -> Result<Progress, ProgressError> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|error| ProgressError::NotJson(error.to_string()))?;
        let schema = value
            .get("schema")
            .and_then(serde_json::Value::as_u64)
            .ok_or_else(|| ProgressError::Shape("the `schema` number is missing".into()))?;
        if schema != u64::from(PROGRESS_SCHEMA) {
            return Err(ProgressError::UnknownSchema { found: schema });
        }
        let progress: Progress =
            serde_json::from_value(value).map_err(|error| ProgressError::Shape(error.to_string()))?;
        progress.validate()?;
        Ok(progress)
    }

    /// The text saved to storage or exported to a file.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|_| String::from("{}"))
    }

    fn validate(&self) -> Result<(), ProgressError> {
        if self.lessons.len() > MAX_LESSONS {
            return Err(ProgressError::Invalid(format!(
                "{} lessons, more than the {MAX_LESSONS} a progress file may hold",
                self.lessons.len()
            )));
        }
        for (key, lesson) in &self.lessons {
            let well_formed = key.split('/').count() == 2
                && key.len() <= 200
                && key
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'));
            if !well_formed {
                return Err(ProgressError::Invalid(format!("lesson key `{key}` is not `pack/lesson`")));
            }
            if lesson.actions.len() > MAX_ACTIONS_PER_LESSON {
                return Err(ProgressError::Invalid(format!(
                    "lesson `{key}` has {} actions, more than {MAX_ACTIONS_PER_LESSON}",
                    lesson.actions.len()
                )));
            }
            for action in &lesson.actions {
                if action.clone().sanitized() != *action {
                    return Err(ProgressError::Invalid(format!(
                        "lesson `{key}` has an action out of range"
                    )));
                }
            }
        }
        Ok(())
    }
}
