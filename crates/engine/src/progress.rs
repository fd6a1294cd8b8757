//! Saved progress: what the browser keeps in local storage, exports and imports.
//!
//! The format is JSON with a schema version. Loading validates everything: a text that is not
//! JSON, has an unknown version, or holds values out of range is rejected as a whole with a
//! reason, so the caller can keep it aside and tell the learner, never drop it silently.

use crate::world::Action;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use thiserror::Error;

/// The version of the progress format this build writes. Version 1 (before edits were saved
/// as patches and lessons carried the time they were saved) is read and migrated.
pub const PROGRESS_SCHEMA: u32 = 2;

/// The most lessons and actions a progress file may hold; more means it is not ours.
const MAX_LESSONS: usize = 1000;
const MAX_ACTIONS_PER_LESSON: usize = 100_000;

/// A learner's progress across every lesson.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Progress {
    pub schema: u32,
    /// By lesson key, `<pack>/<lesson id>`.
    pub lessons: BTreeMap<String, LessonProgress>,
    /// Lessons of the loaded text that could not be used, set aside rather than loaded; never
    /// saved back.
    #[serde(skip)]
    pub refused: Vec<RefusedLesson>,
}

/// A lesson's saved progress that failed validation: the others still load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefusedLesson {
    pub key: String,
    pub reason: String,
    /// The lesson's entry as it was saved, to offer as a download.
    pub raw: String,
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
    /// When this lesson was last saved, in Unix milliseconds of the browser's clock: of two
    /// tabs, the later save of a lesson wins. 0 when unknown (version 1).
    #[serde(default)]
    pub saved_at: u64,
}

/// Why a saved progress text was not loaded.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ProgressError {
    #[error("saved progress is not valid JSON: {0}")]
    NotJson(String),
    #[error("saved progress has format version {found}, made by a newer opsdojo; this version reads versions 1 to {PROGRESS_SCHEMA}")]
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
            refused: Vec::new(),
        }
    }

    /// The key a lesson's progress is saved under.
    pub fn lesson_key(pack: &str, lesson_id: &str) -> String {
        format!("{pack}/{lesson_id}")
    }

    /// Reads and validates a saved or imported progress text, migrating older versions.
    /// A lesson whose entry is invalid is set aside in [`Progress::refused`]; the others load.
    pub fn from_json(text: &str) -> Result<Progress, ProgressError> {
        let mut value: serde_json::Value = serde_json::from_str(text)
            .map_err(|error| ProgressError::NotJson(error.to_string()))?;
        let schema = value
            .get("schema")
            .and_then(serde_json::Value::as_u64)
            .ok_or_else(|| ProgressError::Shape("the `schema` number is missing".into()))?;
        if schema == 0 || schema > u64::from(PROGRESS_SCHEMA) {
            return Err(ProgressError::UnknownSchema { found: schema });
        }
        // Version 1 to 2: the same lessons; `saved_at` defaults to 0.
        value["schema"] = serde_json::Value::from(PROGRESS_SCHEMA);
        let lessons = match value.get_mut("lessons").map(serde_json::Value::take) {
            Some(serde_json::Value::Object(lessons)) => lessons,
            Some(_) => return Err(ProgressError::Shape("`lessons` is not a map".into())),
            None => return Err(ProgressError::Shape("the `lessons` map is missing".into())),
        };
        if lessons.len() > MAX_LESSONS {
            return Err(ProgressError::Invalid(format!(
                "{} lessons, more than the {MAX_LESSONS} a progress file may hold",
                lessons.len()
            )));
        }
        value["lessons"] = serde_json::Value::Object(Default::default());
        let mut progress: Progress = serde_json::from_value(value)
            .map_err(|error| ProgressError::Shape(error.to_string()))?;
        for (key, entry) in lessons {
            let raw = entry.to_string();
            let checked = serde_json::from_value::<LessonProgress>(entry)
                .map_err(|error| error.to_string())
                .and_then(|lesson| validate_lesson(&key, &lesson).map(|()| lesson));
            match checked {
                Ok(lesson) => {
                    progress.lessons.insert(key, lesson);
                }
                Err(reason) => progress.refused.push(RefusedLesson { key, reason, raw }),
            }
        }
        Ok(progress)
    }

    /// The text saved to storage or exported to a file.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| String::from("{}"))
    }

    /// Takes the lessons `other` saved later than this progress did, except `keep` (the
    /// lesson open here, whose live state wins); true if any lesson changed.
    pub fn merge_newer(&mut self, other: &Progress, keep: Option<&str>) -> bool {
        let mut changed = false;
        for (key, theirs) in &other.lessons {
            if Some(key.as_str()) == keep {
                continue;
            }
            let newer = self
                .lessons
                .get(key)
                .is_none_or(|ours| theirs.saved_at > ours.saved_at);
            if newer && self.lessons.get(key) != Some(theirs) {
                self.lessons.insert(key.clone(), theirs.clone());
                changed = true;
            }
        }
        changed
    }
}

fn validate_lesson(key: &str, lesson: &LessonProgress) -> Result<(), String> {
    validate_key(key)?;
    validate_actions(key, &lesson.actions)
}

/// Checks that `key` is a lesson key, `pack/lesson`.
pub(crate) fn validate_key(key: &str) -> Result<(), String> {
    let well_formed = key.split('/').count() == 2
        && key
            .split('/')
            .all(|part| !part.is_empty() && !part.starts_with('.'))
        && key.len() <= 200
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'));
    if !well_formed {
        return Err(format!("lesson key `{key}` is not `pack/lesson`"));
    }
    Ok(())
}

/// Checks the actions of the lesson `key`: how many, each in range, and how much clock they
/// run in all.
pub(crate) fn validate_actions(key: &str, actions: &[Action]) -> Result<(), String> {
    if actions.len() > MAX_ACTIONS_PER_LESSON {
        return Err(format!(
            "lesson `{key}` has {} actions, more than {MAX_ACTIONS_PER_LESSON}",
            actions.len()
        ));
    }
    for action in actions {
        if action.clone().sanitized() != *action {
            return Err(format!("lesson `{key}` has an action out of range"));
        }
        if let Action::Inject { fault } = action {
            fault
                .check_shape()
                .map_err(|why| format!("lesson `{key}` has a fault that cannot be: {why}"))?;
        }
    }
    let advanced = actions
        .iter()
        .map(|action| match action {
            Action::Advance { by } => by.0,
            _ => 0,
        })
        .fold(0i64, i64::saturating_add);
    if advanced > MAX_SIMULATED_MS {
        return Err(format!(
            "lesson `{key}` runs its clock {} in all, more than the {} a saved lesson may replay",
            crate::time::SimDuration(advanced),
            crate::time::SimDuration(MAX_SIMULATED_MS)
        ));
    }
    Ok(())
}

/// The most simulated time one lesson's saved actions may replay (a year).
const MAX_SIMULATED_MS: i64 = 366 * 86_400_000;

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
                saved_at: 1_700_000_000_000,
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
            Progress::from_json(r#"{"schema": 2, "lessons": []}"#),
            Err(ProgressError::Shape(_))
        ));
        assert!(matches!(
            Progress::from_json(r#"{"lessons": {}}"#),
            Err(ProgressError::Shape(_))
        ));
        // A bad lesson is set aside; the others load.
        for bad in [
            r#""a/b": {"met": [], "completed": true, "actions": [{"kind": "explode"}]}"#,
            r#""../x": {"met": [], "completed": true, "actions": []}"#,
            r#""a/b": {"met": [], "completed": true, "actions": [{"kind": "advance", "by": -5}]}"#,
        ] {
            let text = format!(
                r#"{{"schema": 2, "lessons": {{{bad}, "good/one": {{"met": ["x"], "completed": false, "actions": []}}}}}}"#
            );
            let progress = Progress::from_json(&text).unwrap();
            assert_eq!(progress.refused.len(), 1, "{bad}");
            assert!(progress.lessons.contains_key("good/one"), "{bad}");
            assert!(progress.refused[0].raw.contains("completed"));
        }
    }

    #[test]
    fn an_imported_file_with_multibyte_names_is_rejected_not_fatal() {
        // A progress file whose environment name is 25 euro signs aborted the page while its
        // actions were checked.
        let env = "€".repeat(25);
        let text = format!(
            r#"{{"schema": 1, "lessons": {{"a/b": {{"met": [], "completed": false, "actions": [{{"kind": "apply", "env": "{env}"}}]}}}}}}"#
        );
        let progress = Progress::from_json(&text).unwrap();
        assert_eq!(progress.refused.len(), 1);
        assert!(progress.refused[0].reason.contains("out of range"));
    }

    #[test]
    fn a_lesson_that_would_replay_for_centuries_is_set_aside() {
        let week = r#"{"kind": "advance", "by": 604800000}"#;
        let actions = vec![week; 10_000].join(", ");
        let text = format!(
            r#"{{"schema": 2, "lessons": {{"a/b": {{"met": [], "completed": false, "actions": [{actions}]}}}}}}"#
        );
        let progress = Progress::from_json(&text).unwrap();
        assert!(progress.lessons.is_empty());
        assert!(
            progress.refused[0].reason.contains("runs its clock"),
            "{}",
            progress.refused[0].reason
        );
        // Near miss: a month of clock is fine.
        let actions = [week; 4].join(", ");
        let text = format!(
            r#"{{"schema": 2, "lessons": {{"a/b": {{"met": [], "completed": false, "actions": [{actions}]}}}}}}"#
        );
        assert!(Progress::from_json(&text).unwrap().refused.is_empty());
    }

    #[test]
    fn version_one_is_migrated_not_set_aside() {
        let text = r#"{"schema": 1, "lessons": {"basics/playground": {"met": ["run-clock"], "completed": true, "actions": [{"kind": "edit_file", "path": "deploy/values-dev.yaml", "content": "replicas: {}"}]}}}"#;
        let progress = Progress::from_json(text).unwrap();
        assert_eq!(progress.schema, PROGRESS_SCHEMA);
        let lesson = &progress.lessons["basics/playground"];
        assert!(lesson.completed);
        assert_eq!(lesson.saved_at, 0);
        assert_eq!(Progress::from_json(&progress.to_json()), Ok(progress));
    }

    #[test]
    fn the_later_save_of_a_lesson_wins_except_the_one_open_here() {
        let mut ours = sample();
        let mut theirs = sample();
        let key = Progress::lesson_key("basics", "playground");
        theirs.lessons.get_mut(&key).unwrap().saved_at += 1;
        theirs.lessons.get_mut(&key).unwrap().completed = true;
        theirs
            .lessons
            .insert("other/lesson".into(), LessonProgress::default());
        assert!(ours.merge_newer(&theirs, Some(&key)));
        assert!(
            !ours.lessons[&key].completed,
            "the open lesson keeps its live state"
        );
        assert!(ours.lessons.contains_key("other/lesson"));
        assert!(ours.merge_newer(&theirs, None));
        assert!(ours.lessons[&key].completed);
        assert!(!ours.merge_newer(&theirs, None), "nothing left to take");
    }

    proptest::proptest! {
        #[test]
        fn any_text_loads_or_is_rejected_without_panic(text in "\\PC{0,200}") {
            // Guards the storage path: whatever sits in local storage, the page loads.
            let _ = Progress::from_json(&text);
        }
    }
}
