//! Actions: the only way anything outside the engine changes a world.

use super::MAX_ADVANCE;
use crate::time::SimDuration;
use serde::{Deserialize, Serialize};

/// The largest file content an edit may carry (256 KiB); longer content is cut.
pub const MAX_FILE_BYTES: usize = 256 * 1024;

/// One recorded change to a world. Saved progress and lesson solutions are lists of these.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    /// Let simulated time run.
    Advance {
        /// How long, in milliseconds.
        by: SimDuration,
    },
    /// Replace the content of a file of the world, as an editor does.
    EditFile { path: String, content: String },
    /// Run `terraform apply` with an environment's variables file.
    Apply { env: String },
    /// Run a kubectl command that changes the cluster, in `namespace` unless it names one.
    Kubectl { namespace: String, command: String },
    /// A command on the open pull request: `push`, `label NAME`, `unlabel NAME`,
    /// `comment TEXT`, `merge`, `promote`, `rollback`.
    PullRequest { command: String },
}

impl Action {
    /// The same action with values brought into their allowed range: a negative advance does
    /// nothing, an advance longer than a week is cut to a week, a huge edit is cut.
    pub fn sanitized(self) -> Action {
        match self {
            Action::Advance { by } => Action::Advance {
                by: SimDuration(by.0.clamp(0, MAX_ADVANCE.0)),
            },
            Action::EditFile { path, mut content } => {
                if content.len() > MAX_FILE_BYTES {
                    let mut cut = MAX_FILE_BYTES;
                    while !content.is_char_boundary(cut) {
                        cut -= 1;
                    }
                    content.truncate(cut);
                }
                Action::EditFile { path, content }
            }
            Action::Apply { mut env } => {
                env.truncate(64);
                Action::Apply { env }
            }
            Action::Kubectl {
                mut namespace,
                mut command,
            } => {
                namespace.truncate(64);
                let mut cut = command.len().min(512);
                while !command.is_char_boundary(cut) {
                    cut -= 1;
                }
                command.truncate(cut);
                Action::Kubectl { namespace, command }
            }
            Action::PullRequest { mut command } => {
                let mut cut = command.len().min(2048);
                while !command.is_char_boundary(cut) {
                    cut -= 1;
                }
                command.truncate(cut);
                Action::PullRequest { command }
            }
        }
    }
}
