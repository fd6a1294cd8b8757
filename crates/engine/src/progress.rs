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
        let value: serde_json::Value = serde_json::from_str(text)
            .map_err(|error| ProgressError::NotJson(error.to_string()))?;
        let schema = value
            .get("schema")
            .and_then(serde_json::Value::as_u64)
            .ok_or_else(|| ProgressError::Shape("the `schema` number is missing".into()))?;
        if schema != u64::from(PROGRESS_SCHEMA) {
            return Err(ProgressError::UnknownSchema { found: schema });
        }
        let progress: Progress = serde_json::from_value(value)
            .map_err(|error| ProgressError::Shape(error.to_string()))?;
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
                && key
                    .split('/')
                    .all(|part| !part.is_empty() && !part.starts_with('.'))
                && key.len() <= 200
                && key
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'));
            if !well_formed {
                return Err(ProgressError::Invalid(format!(
                    "lesson key `{key}` is not `pack/lesson`"
                )));
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::SimDuration;

    fn sample() -> Progress {
        let mut progress = Progress::new();
        progress.lessons.insert(
            Progress::lesson_key("basics", "playground"),
            LessonProgress {
                met: BTreeSet::from(["run-clock".to_string()]),
                completed: false,
                actions: vec![Action::Advance {
                    by: SimDuration::from_minutes(2),
                }],
            },
        );
        progress
    }

    #[test]
    fn progress_round_trips_through_json() {
        // Guards reload and export/import: what is saved is read back identically.
        let progress = sample();
        assert_eq!(Progress::from_json(&progress.to_json()), Ok(progress));
    }

    #[test]
    fn corrupt_or_foreign_progress_is_rejected_with_a_reason() {
        // Guards the notice shown for bad saved data, instead of a silent reset.
        assert!(matches!(
            Progress::from_json("{not json"),
            Err(ProgressError::NotJson(_))
        ));
        assert_eq!(
            Progress::from_json(r#"{"schema": 7, "lessons": {}}"#),
            Err(ProgressError::UnknownSchema { found: 7 })
        );
        assert!(matches!(
            Progress::from_json(r#"{"lessons": {}}"#),
            Err(ProgressError::Shape(_))
        ));
        assert!(matches!(
            Progress::from_json(
                r#"{"schema": 1, "lessons": {"a/b": {"met": [], "completed": true, "actions": [{"kind": "explode"}]}}}"#
            ),
            Err(ProgressError::Shape(_))
        ));
        assert!(matches!(
            Progress::from_json(
                r#"{"schema": 1, "lessons": {"../x": {"met": [], "completed": true, "actions": []}}}"#
            ),
            Err(ProgressError::Invalid(_))
        ));
        assert!(matches!(
            Progress::from_json(
                r#"{"schema": 1, "lessons": {"a/b": {"met": [], "completed": true, "actions": [{"kind": "advance", "by": -5}]}}}"#
            ),
            Err(ProgressError::Invalid(_))
        ));
    }

    #[test]
    fn an_imported_file_with_multibyte_names_is_rejected_not_fatal() {
        // A progress file whose environment name is 25 euro signs aborted the page while its
        // actions were checked.
        let env = "€".repeat(25);
        let text = format!(
            r#"{{"schema": 1, "lessons": {{"a/b": {{"met": [], "completed": false, "actions": [{{"kind": "apply", "env": "{env}"}}]}}}}}}"#
        );
        assert!(matches!(
            Progress::from_json(&text),
            Err(ProgressError::Invalid(_))
        ));
    }

    proptest::proptest! {
        #[test]
        fn any_text_loads_or_is_rejected_without_panic(text in "\\PC{0,200}") {
            // Guards the storage path: whatever sits in local storage, the page loads.
            let _ = Progress::from_json(&text);
        }
    }
}
