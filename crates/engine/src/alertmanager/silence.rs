//! Silences: matchers and a time range during which matching alerts send nothing.
//!
//! The world keeps them in `alertmanager/silences.yaml`, one entry per silence, with times in
//! RFC 3339 or as `HH:MM` on the scenario's first day:
//!
//! ```yaml
//! silences:
//!   - matchers: ['env="staging"']
//!     starts_at: "20:00"
//!     ends_at: "23:00"
//!     comment: load test on staging
//!     created_by: alice
//! ```

use super::matcher::{parse_matchers, Matcher};
use crate::diagnostic::Diagnostic;
use crate::time::{parse_rfc3339, SimDuration, SimTime};
use serde::Deserialize;
use std::collections::BTreeMap;

/// One silence.
#[derive(Debug, Clone)]
pub struct Silence {
    pub matchers: Vec<Matcher>,
    pub starts_at_ms: i64,
    pub ends_at_ms: i64,
    pub comment: String,
    pub created_by: String,
}

impl Silence {
    pub fn is_active(&self, now_ms: i64) -> bool {
        self.starts_at_ms <= now_ms && now_ms < self.ends_at_ms
    }

    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.matchers.iter().all(|m| m.matches(labels))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    silences: Vec<RawSilence>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSilence {
    #[serde(default)]
    matchers: Vec<String>,
    starts_at: String,
    ends_at: String,
    #[serde(default)]
    comment: String,
    #[serde(default)]
    created_by: String,
}

/// An instant written as RFC 3339 or as `HH:MM` on day 1.
fn instant(text: &str) -> Option<i64> {
    parse_rfc3339(text).or_else(|| {
        SimDuration::parse_time_of_day(text.trim())
            .ok()
            .map(|time| SimTime::day_one_at(time).epoch_ms())
    })
}

/// Reads a silences file.
pub fn parse_silences(text: &str) -> (Vec<Silence>, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let raw: RawFile = match crate::yaml::from_str::<Option<RawFile>>(text) {
        Ok(raw) => raw.unwrap_or(RawFile {
            silences: Vec::new(),
        }),
        Err(error) => {
            diagnostics.push(
                Diagnostic::from_yaml_error(&error)
                    .with_hint("each silence has `matchers`, `starts_at` and `ends_at`"),
            );
            return (Vec::new(), finish(diagnostics, text));
        }
    };
    let mut silences = Vec::new();
    let entry_lines: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, line)| line.trim_start().starts_with("- ") && line.contains("matchers"))
        .map(|(index, _)| index + 1)
        .collect();
    for (index, raw) in raw.silences.into_iter().enumerate() {
        let line = entry_lines.get(index).copied().unwrap_or(1);
        let mut matchers = Vec::new();
        for text in &raw.matchers {
            match parse_matchers(text) {
                Ok(parsed) => matchers.extend(parsed),
                Err(message) => diagnostics.push(Diagnostic::error(line, 1, message)),
            }
        }
        if matchers.is_empty() {
            diagnostics.push(
                Diagnostic::error(line, 1, "a silence needs at least one matcher")
                    .with_hint("for example `matchers: ['env=\"staging\"']`"),
            );
            continue;
        }
        let (Some(starts_at_ms), Some(ends_at_ms)) =
            (instant(&raw.starts_at), instant(&raw.ends_at))
        else {
            diagnostics.push(
                Diagnostic::error(
                    line,
                    1,
                    format!(
                        "cannot read the time range `{}` to `{}`",
                        raw.starts_at, raw.ends_at
                    ),
                )
                .with_hint(
                    "write `HH:MM` on day 1 or an RFC 3339 time such as `2026-01-05T21:00:00Z`",
                ),
            );
            continue;
        };
        if ends_at_ms <= starts_at_ms {
            diagnostics.push(Diagnostic::error(
                line,
                1,
                "the silence ends before it starts",
            ));
            continue;
        }
        silences.push(Silence {
            matchers,
            starts_at_ms,
            ends_at_ms,
            comment: raw.comment,
            created_by: raw.created_by,
        });
    }
    (silences, finish(diagnostics, text))
}

fn finish(diagnostics: Vec<Diagnostic>, text: &str) -> Vec<Diagnostic> {
    diagnostics
        .into_iter()
        .map(|diagnostic| diagnostic.with_span_in(text))
        .collect()
}
