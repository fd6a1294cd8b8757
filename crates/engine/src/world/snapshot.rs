//! Snapshots: detached copies of what the UI shows, so views never hold the world itself.

use super::World;
use crate::diagnostic::Diagnostic;
use crate::time::{SimDuration, SimTime};
use serde::Serialize;

pub use crate::tool::EventLevel;

/// One line of the world's event log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct EventLogEntry {
    pub at: SimTime,
    pub level: EventLevel,
    pub text: String,
}

/// A file with its diagnostics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileSnapshot {
    pub path: String,
    pub language: super::FileLanguage,
    pub content: String,
    pub diagnostics: Vec<Diagnostic>,
}

/// Everything the UI reads from a world at one instant.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WorldSnapshot {
    pub now: SimTime,
    pub elapsed: SimDuration,
    pub files: Vec<FileSnapshot>,
    /// The most recent event-log lines, oldest first.
    pub events: Vec<EventLogEntry>,
    /// Changes to the platform (scaling), oldest first.
    pub change_markers: Vec<super::ChangeMarker>,
    /// What each tool shows: `pull_request` (the open pull request, if the scenario has one),
    /// `infra` (each environment's Terraform plan, cost, apply and compliance), `cluster`
    /// (each environment's deployments, pods and autoscalers, and what the chart renders
    /// there) and `monitoring` (rules and their alerts, Alertmanager, the chat channels).
    pub tools: super::ToolSnapshots,
}

/// How many event-log lines a snapshot carries.
const SNAPSHOT_EVENTS: usize = 200;

impl WorldSnapshot {
    pub(super) fn of(world: &World) -> Self {
        let log = world.event_log();
        WorldSnapshot {
            now: world.now(),
            elapsed: world.elapsed(),
            files: world
                .files()
                .iter()
                .map(|(path, file)| FileSnapshot {
                    path: path.clone(),
                    language: super::WorldFile::language(path),
                    content: file.content.clone(),
                    diagnostics: file
                        .diagnostics
                        .iter()
                        .map(|d| d.clone().or_in_file(path))
                        .collect(),
                })
                .collect(),
            events: log[log.len().saturating_sub(SNAPSHOT_EVENTS)..].to_vec(),
            change_markers: world.changes().to_vec(),
            tools: world.tools.snapshot(world),
        }
    }
}
