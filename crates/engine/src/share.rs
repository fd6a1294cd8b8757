//! Share links: a session (a lesson or the sandbox, and the actions that made its world) as
//! the text a link carries. The app compresses the text (deflate) and puts it in the URL's
//! fragment in base64url; the engine writes and reads the text, and checks it like saved
//! progress: nothing in a link is used before it is validated.

use crate::progress::validate_actions;
use crate::world::Action;
use serde::{Deserialize, Serialize};

/// The format of the text, first in it.
pub const SHARE_FORMAT: u32 = 1;

/// The longest text a link may unpack to: a link is read whole before it is checked.
pub const SHARE_MAX_BYTES: usize = 4 * 1024 * 1024;

/// Where a shared session happens.
pub const SANDBOX: &str = "sandbox";

/// A shared session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SharedSession {
    /// [`SHARE_FORMAT`].
    pub share: u32,
    /// The lesson, as `pack/lesson`, or [`SANDBOX`].
    pub at: String,
    /// The scenario's seed: a link made before the lesson's scenario changed is told apart.
    pub seed: u64,
    pub actions: Vec<Action>,
}

impl SharedSession {
    /// The text of the session, for a link.
    pub fn to_text(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads and checks the text of a link; why not, in words for the page, when it is not a
    /// session this app can open.
    pub fn from_text(text: &str) -> Result<Self, String> {
        if text.len() > SHARE_MAX_BYTES {
            return Err(format!(
                "it holds {} bytes, more than the {SHARE_MAX_BYTES} a link may",
                text.len()
            ));
        }
        let session: SharedSession = serde_json::from_str(text)
            .map_err(|error| format!("it is not a session this app wrote ({error})"))?;
        if session.share != SHARE_FORMAT {
            return Err(format!(
                "it was made by another version of opsdojo (format {})",
                session.share
            ));
        }
        if session.at != SANDBOX {
            crate::progress::validate_key(&session.at)?;
        }
        validate_actions(&session.at, &session.actions)?;
        Ok(session)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::SimDuration;

    fn session() -> SharedSession {
        SharedSession {
            share: SHARE_FORMAT,
            at: "alerting/tuning-alerts".into(),
            seed: 7,
            actions: vec![
                Action::PatchFile {
                    path: "prometheus/rules.yml".into(),
                    at: 10,
                    delete: 2,
                    insert: "0.1".into(),
                },
                Action::Advance {
                    by: SimDuration::from_minutes(90),
                },
            ],
        }
    }

    #[test]
    fn a_session_reads_back_from_its_text() {
        let text = session().to_text();
        assert_eq!(SharedSession::from_text(&text), Ok(session()));
        let sandbox = SharedSession {
            at: SANDBOX.into(),
            ..session()
        };
        assert_eq!(SharedSession::from_text(&sandbox.to_text()), Ok(sandbox));
    }

    #[test]
    fn a_truncated_altered_or_foreign_text_is_refused_with_a_reason() {
        let text = session().to_text();
        for end in [0, 1, text.len() / 2, text.len() - 1] {
            let refused = SharedSession::from_text(&text[..end]).unwrap_err();
            assert!(refused.contains("not a session"), "{refused}");
        }
        let cases = [
            (
                text.replace("\"share\":1", "\"share\":9"),
                "another version",
            ),
            (
                text.replace("alerting/tuning-alerts", "../etc"),
                "pack/lesson",
            ),
            (text.replace("5400000", "99999999999999"), "out of range"),
            (
                text.replace("\"seed\":7", "\"seed\":7,\"extra\":1"),
                "not a session",
            ),
            ("x".repeat(SHARE_MAX_BYTES + 1), "more than"),
        ];
        for (text, why) in cases {
            let refused = SharedSession::from_text(&text).unwrap_err();
            assert!(refused.contains(why), "{why}: {refused}");
        }
    }
}
