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
    /// Replace `delete` bytes at byte `at` of a file with `insert`: an edit recorded as what
    /// changed, so that saving a long typing session does not copy the file at every key.
    PatchFile {
        path: String,
        at: usize,
        delete: usize,
        insert: String,
    },
    /// Run `terraform apply` with an environment's variables file.
    Apply { env: String },
    /// Run a kubectl command that changes the cluster, in `namespace` unless it names one.
    Kubectl { namespace: String, command: String },
    /// A command on the open pull request: `push`, `label NAME`, `unlabel NAME`,
    /// `comment TEXT`, `merge`, `promote`, `rollback`.
    PullRequest { command: String },
    /// A fault a game day's facilitator injects into the running platform.
    Inject { fault: super::injection::Injection },
    /// A command on one of the world's tools, by its name (`terraform`, `pull request`):
    /// what a tool added to the world reads, with no action of its own.
    Tool { tool: String, command: String },
}

impl Action {
    /// The same action with values brought into their allowed range: a negative advance does
    /// nothing, an advance longer than a week is cut to a week, a huge edit is cut.
    pub fn sanitized(self) -> Action {
        match self {
            Action::Advance { by } => Action::Advance {
                by: SimDuration(by.0.clamp(0, MAX_ADVANCE.0)),
            },
            Action::EditFile { path, content } => Action::EditFile {
                path: cut(path, 1024),
                content: cut(content, MAX_FILE_BYTES),
            },
            Action::PatchFile {
                path,
                at,
                delete,
                insert,
            } => Action::PatchFile {
                path: cut(path, 1024),
                at: at.min(MAX_FILE_BYTES),
                delete: delete.min(MAX_FILE_BYTES),
                insert: cut(insert, MAX_FILE_BYTES),
            },
            Action::Apply { env } => Action::Apply { env: cut(env, 64) },
            Action::Kubectl { namespace, command } => Action::Kubectl {
                namespace: cut(namespace, 64),
                command: cut(command, crate::kube::kubectl::MAX_LINE_BYTES),
            },
            Action::PullRequest { command } => Action::PullRequest {
                command: cut(command, 2048),
            },
            Action::Tool { tool, command } => Action::Tool {
                tool: cut(tool, 64),
                command: cut(command, 2048),
            },
            // Checked whole when applied: a fault that does not fit the world is refused.
            Action::Inject { fault } => Action::Inject { fault },
        }
    }
}

/// The patch that turns `before` into `after`: the bytes between their common prefix and
/// suffix (both on character boundaries).
pub fn patch_between(path: &str, before: &str, after: &str) -> Action {
    let mut prefix = before
        .bytes()
        .zip(after.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    while !before.is_char_boundary(prefix) || !after.is_char_boundary(prefix) {
        prefix -= 1;
    }
    let room = before.len().min(after.len()) - prefix;
    let mut suffix = before
        .bytes()
        .rev()
        .zip(after.bytes().rev())
        .take(room)
        .take_while(|(a, b)| a == b)
        .count();
    while !before.is_char_boundary(before.len() - suffix)
        || !after.is_char_boundary(after.len() - suffix)
    {
        suffix -= 1;
    }
    Action::PatchFile {
        path: path.to_string(),
        at: prefix,
        delete: before.len() - prefix - suffix,
        insert: after[prefix..after.len() - suffix].to_string(),
    }
}

/// `before` with the patch applied, when it fits the text and the size limit.
pub fn apply_patch(before: &str, at: usize, delete: usize, insert: &str) -> Option<String> {
    let end = at.checked_add(delete)?;
    if end > before.len() || !before.is_char_boundary(at) || !before.is_char_boundary(end) {
        return None;
    }
    let length = before.len() - delete + insert.len();
    if length > MAX_FILE_BYTES {
        return None;
    }
    let mut after = String::with_capacity(length);
    after.push_str(&before[..at]);
    after.push_str(insert);
    after.push_str(&before[end..]);
    Some(after)
}

/// `text` cut to at most `max` bytes on a character boundary.
fn cut(mut text: String, max: usize) -> String {
    let keep = crate::limits::truncate_at_char(&text, max).len();
    text.truncate(keep);
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_patch_rebuilds_the_edit() {
        for (before, after) in [
            ("replicas:\n  users: 2\n", "replicas:\n  users: 12\n"),
            ("", "abc"),
            ("abc", ""),
            ("aaaa", "aa"),
            ("€€", "€a€"),
            ("é", "è"),
            ("same", "same"),
        ] {
            let Action::PatchFile {
                at, delete, insert, ..
            } = patch_between("f", before, after)
            else {
                unreachable!()
            };
            assert_eq!(
                apply_patch(before, at, delete, &insert).as_deref(),
                Some(after)
            );
        }
        assert_eq!(apply_patch("abc", 2, 5, ""), None);
        assert_eq!(apply_patch("é", 1, 0, "x"), None);
        assert_eq!(apply_patch("abc", usize::MAX, 1, ""), None);
    }

    #[test]
    fn cutting_keeps_whole_characters() {
        // An environment of 25 euro signs (75 bytes) used to be cut inside a character.
        let env = "€".repeat(25);
        let Action::Apply { env } = (Action::Apply { env }).sanitized() else {
            unreachable!()
        };
        assert_eq!(env, "€".repeat(21));
        let namespace = "é".repeat(40);
        let Action::Kubectl { namespace, .. } = (Action::Kubectl {
            namespace,
            command: "ü".repeat(600),
        })
        .sanitized() else {
            unreachable!()
        };
        assert_eq!(namespace, "é".repeat(32));
        let path = "ß".repeat(1000);
        let Action::EditFile { path, .. } = (Action::EditFile {
            path,
            content: String::new(),
        })
        .sanitized() else {
            unreachable!()
        };
        assert_eq!(path.len(), 1024);
    }
}
