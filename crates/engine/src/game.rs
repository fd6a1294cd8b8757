//! Game day: a facilitator breaks production and the team finds and fixes it.
//!
//! A fault is an [`Injection`]. Injected live, it is an action of the facilitator's own world
//! ([`crate::world::Action::Inject`]); prepared ahead, it is a [`PlannedFault`] of a [`Game`],
//! handed out as a link: each participant's world gets the game's faults as scheduled events,
//! at the same simulated times for everyone, with no note in the event log (participants see
//! only the symptoms). At the end, [`timeline`] tells what happened in a participant's world:
//! when the alerts fired, what they opened and changed, and when it was fixed.

use crate::platform::Platform;
use crate::progress::validate_actions;
use crate::time::{SimDuration, SimTime};
pub use crate::world::injection::{
    Injection, PlannedFault, FINDING_RULES, MAX_BURST_FACTOR, MAX_FAULTS,
};
use crate::world::{Action, World};
use serde::{Deserialize, Serialize};

/// The format of a game's text, first in it.
pub const GAME_FORMAT: u32 = 1;

/// The most characters of a game's title.
const MAX_TITLE: usize = 120;

/// The longest a game may last, in simulated time.
pub const MAX_GAME_LENGTH: SimDuration = SimDuration(7 * 86_400_000);

/// A game prepared ahead, as its link carries it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Game {
    /// [`GAME_FORMAT`].
    pub game: u32,
    pub title: String,
    /// The lesson, as `pack/lesson`, or [`crate::share::SANDBOX`].
    pub at: String,
    /// The scenario's seed: a game made before the lesson's scenario changed is told apart.
    pub seed: u64,
    /// Simulated seconds per real second, the same for the whole room.
    pub speed: u32,
    /// When the game starts, in milliseconds since the Unix epoch: every participant's clock
    /// follows the room's from then. Without it, each participant starts their own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starts: Option<u64>,
    /// How long the game lasts, in simulated time.
    pub length: SimDuration,
    pub faults: Vec<PlannedFault>,
}

/// The clock speeds a game may run at.
pub const GAME_SPEEDS: [u32; 5] = [10, 60, 300, 900, 3600];

impl Game {
    /// The text of the game, for a link.
    pub fn to_text(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads and checks the text of a game link; why not, in words for the page.
    pub fn from_text(text: &str) -> Result<Self, String> {
        if text.len() > crate::share::SHARE_MAX_BYTES {
            return Err(format!(
                "it holds {} bytes, more than a game may",
                text.len()
            ));
        }
        let game: Game = serde_json::from_str(text)
            .map_err(|error| format!("it is not a game this app wrote ({error})"))?;
        game.check()?;
        Ok(game)
    }

    /// Why the game cannot be played, if it cannot.
    pub fn check(&self) -> Result<(), String> {
        if self.game != GAME_FORMAT {
            return Err(format!(
                "it was made by another version of opsdojo (format {})",
                self.game
            ));
        }
        if self.title.chars().count() > MAX_TITLE {
            return Err(format!("its title is longer than {MAX_TITLE} characters"));
        }
        if self.at != crate::share::SANDBOX {
            crate::progress::validate_key(&self.at)?;
        }
        if !GAME_SPEEDS.contains(&self.speed) {
            return Err(format!(
                "its clock runs at {}x; a game runs at one of {}",
                self.speed,
                GAME_SPEEDS.map(|s| format!("{s}x")).join(", ")
            ));
        }
        if self.length.0 <= 0 || self.length > MAX_GAME_LENGTH {
            return Err(format!(
                "it lasts {}; a game lasts more than nothing and at most {MAX_GAME_LENGTH}",
                self.length
            ));
        }
        if self.faults.len() > MAX_FAULTS {
            return Err(format!(
                "it plans {} faults, more than {MAX_FAULTS}",
                self.faults.len()
            ));
        }
        // The sandbox's platform is the standard one; a lesson's is known once it is loaded,
        // and its world refuses a fault that names what it does not have.
        let standard = Platform::standard();
        let platform = (self.at == crate::share::SANDBOX).then_some(&*standard);
        for (index, planned) in self.faults.iter().enumerate() {
            if planned.after.0 < 0 || planned.after > self.length {
                return Err(format!(
                    "fault {} comes after the end of the game",
                    index + 1
                ));
            }
            planned
                .fault
                .checked(platform)
                .map_err(|why| format!("fault {}: {why}", index + 1))?;
        }
        Ok(())
    }

    /// `scenario` with the game's faults scheduled, hidden, among its own events.
    pub fn scenario(&self, mut scenario: crate::world::Scenario) -> crate::world::Scenario {
        scenario.events.extend(
            self.faults
                .iter()
                .map(|planned| planned.fault.event(planned.after)),
        );
        scenario.events.sort_by_key(|event| event.at);
        scenario
    }

    /// A short name of the game, the same for every participant: where a participant's
    /// progress in it is kept.
    pub fn id(&self) -> String {
        let digest = self
            .to_text()
            .bytes()
            .fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
                (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
            });
        format!("{digest:016x}")
    }

    /// The simulated time the room's clock shows at `wall_ms`, from the game's start (or the
    /// participant's own `started`, for a game without one): from zero before it, to the
    /// game's length after its end.
    pub fn room_elapsed(&self, wall_ms: f64, started: Option<u64>) -> Option<SimDuration> {
        let starts = self.starts.or(started)? as f64;
        let real = (wall_ms - starts).max(0.0);
        let simulated = (real * f64::from(self.speed)).min(self.length.0 as f64);
        Some(SimDuration(simulated as i64))
    }
}

/// A participant's progress in a game: their actions, and the panels they opened.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GameProgress {
    pub participant: String,
    /// When this participant started, in milliseconds since the Unix epoch, for a game
    /// without a start of its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started: Option<u64>,
    pub actions: Vec<Action>,
    pub opened: Vec<Opened>,
}

/// The most panel openings a participant's progress keeps.
pub const MAX_OPENED: usize = 2000;

impl GameProgress {
    /// The text saved in the browser.
    pub fn to_text(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads saved progress in a game; why not, when it cannot be used.
    pub fn from_text(text: &str) -> Result<Self, String> {
        if text.len() > crate::share::SHARE_MAX_BYTES {
            return Err("the saved game is too large".into());
        }
        let progress: GameProgress = serde_json::from_str(text)
            .map_err(|error| format!("the saved game is unreadable ({error})"))?;
        if progress.participant.chars().count() > 80 {
            return Err("the participant's name is longer than 80 characters".into());
        }
        if progress.opened.len() > MAX_OPENED {
            return Err(format!("it records more than {MAX_OPENED} panels opened"));
        }
        validate_actions("game", &progress.actions)?;
        Ok(progress)
    }
}

/// A panel a participant opened, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Opened {
    pub at: SimDuration,
    pub panel: String,
}

/// One line of a participant's timeline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimelineEntry {
    /// Simulated time since the game started.
    pub at: SimDuration,
    /// The simulated clock, `day 1 09:42:00`.
    pub clock: String,
    pub kind: EntryKind,
    pub text: String,
}

/// What an entry of a game's timeline tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntryKind {
    /// A fault the game planned, or the facilitator injected.
    Fault,
    /// An alert or finding that fired after the first fault.
    Alert,
    /// That alert or finding resolved.
    Resolved,
    /// The participant opened a panel.
    Opened,
    /// The participant changed something: an edit, an apply, a command.
    Change,
    /// Nothing fires any more after the last fault.
    Fixed,
}

impl EntryKind {
    /// Its name, as the page classes and labels the entry.
    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Fault => "fault",
            EntryKind::Alert => "alert",
            EntryKind::Resolved => "resolved",
            EntryKind::Opened => "opened",
            EntryKind::Change => "change",
            EntryKind::Fixed => "fixed",
        }
    }
}

/// What happened in a participant's world during a game.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Timeline {
    pub entries: Vec<TimelineEntry>,
    /// From the first fault to the first alert after it.
    pub detected_after: Option<SimDuration>,
    /// From the first alert to the first panel opened or change made after it.
    pub responded_after: Option<SimDuration>,
    /// From the first fault to when nothing fired any more after the last one.
    pub fixed_after: Option<SimDuration>,
}

/// The timeline of `world`: the game's `faults` (told now that the game is over), the alerts
/// and findings its chat received, the panels `opened`, and the changes its actions made.
pub fn timeline(world: &World, faults: &[PlannedFault], opened: &[Opened]) -> Timeline {
    let start = world.scenario().start_time();
    let mut entries = Vec::new();
    let mut push = |at: SimDuration, kind: EntryKind, text: String| {
        entries.push(TimelineEntry {
            at,
            clock: start.plus(at).to_string(),
            kind,
            text,
        })
    };
    for planned in faults {
        push(planned.after, EntryKind::Fault, planned.fault.describe());
    }
    // The facilitator's own world: faults injected live are actions.
    let mut elapsed = SimDuration(0);
    let mut injected = Vec::new();
    for action in world.actions() {
        let change = match action {
            Action::Advance { by } => {
                elapsed = SimDuration(elapsed.0.saturating_add(by.0));
                None
            }
            Action::EditFile { path, .. } | Action::PatchFile { path, .. } => {
                Some(format!("edited {path}"))
            }
            Action::Apply { env } => Some(format!("terraform apply in {env}")),
            Action::Kubectl { namespace, command } => {
                Some(format!("kubectl {command} (in {namespace})"))
            }
            Action::PullRequest { command } => Some(format!("pull request: {command}")),
            Action::Tool { tool, command } => Some(format!("{tool}: {command}")),
            Action::Inject { fault } => {
                injected.push(elapsed);
                push(elapsed, EntryKind::Fault, fault.describe());
                None
            }
        };
        if let Some(change) = change {
            push(elapsed.min(world.elapsed()), EntryKind::Change, change);
        }
    }
    for open in opened {
        push(
            open.at,
            EntryKind::Opened,
            format!("opened the {}", open.panel),
        );
    }
    let first_fault = faults
        .iter()
        .map(|f| f.after)
        .chain(injected.iter().copied())
        .min();
    let last_fault = faults
        .iter()
        .map(|f| f.after)
        .chain(injected.iter().copied())
        .max();
    // Alerts and findings that fire after the first fault, until they resolve.
    let mut firing: Vec<String> = Vec::new();
    let mut detected = None;
    let mut fixed = None;
    for message in world.monitoring().messages() {
        let at = message.at.since(start);
        // An alert group is known by its labels; a finding by its title without its status.
        let key = if message.group_labels.is_empty() {
            let head = message.title.rsplit_once(" - ");
            format!(
                "{}|{}",
                message.channel,
                head.map_or(message.title.as_str(), |(head, _)| head)
            )
        } else {
            format!(
                "{}|{}|{:?}",
                message.channel, message.receiver, message.group_labels
            )
        };
        let after_fault = first_fault.is_some_and(|first| at >= first);
        // What the alert is about, for a reader of the timeline whose title may not say it.
        let labels: Vec<String> = message
            .group_labels
            .iter()
            .filter(|(name, _)| *name != "alertname")
            .map(|(name, value)| format!("{name}={value}"))
            .collect();
        let what = if labels.is_empty() {
            format!("{} in {}", message.title, message.channel)
        } else {
            format!(
                "{} in {} ({})",
                message.title,
                message.channel,
                labels.join(", ")
            )
        };
        if message.status == crate::alertmanager::Status::Firing {
            if after_fault && !firing.contains(&key) {
                firing.push(key);
                detected = detected.or(Some(at));
                fixed = None;
                push(at, EntryKind::Alert, what);
            }
        } else if let Some(index) = firing.iter().position(|k| *k == key) {
            firing.remove(index);
            push(at, EntryKind::Resolved, what);
            if firing.is_empty() && last_fault.is_some_and(|last| at >= last) {
                fixed = Some(at);
            }
        }
    }
    if let Some(at) = fixed.filter(|_| firing.is_empty()) {
        push(at, EntryKind::Fixed, "nothing fires any more".into());
    }
    entries.sort_by_key(|entry| entry.at);
    let responded = detected.and_then(|detected| {
        entries
            .iter()
            .find(|e| e.at >= detected && matches!(e.kind, EntryKind::Opened | EntryKind::Change))
            .map(|e| SimDuration(e.at.0 - detected.0))
    });
    let since_first = |at: Option<SimDuration>| {
        at.zip(first_fault)
            .map(|(at, first)| SimDuration((at.0 - first.0).max(0)))
    };
    Timeline {
        detected_after: since_first(detected),
        responded_after: responded,
        fixed_after: since_first(fixed.filter(|_| firing.is_empty())),
        entries,
    }
}

/// A participant's timeline as the file they hand to the facilitator.
#[derive(Debug, Serialize)]
pub struct TimelineFile<'a> {
    pub opsdojo_timeline: u32,
    pub game: &'a str,
    pub participant: &'a str,
    pub started: String,
    #[serde(flatten)]
    pub timeline: &'a Timeline,
}

impl Timeline {
    /// The file a participant exports.
    pub fn to_file(&self, game: &Game, participant: &str, start: SimTime) -> String {
        serde_json::to_string_pretty(&TimelineFile {
            opsdojo_timeline: 1,
            game: &game.title,
            participant,
            started: start.to_string(),
            timeline: self,
        })
        .unwrap_or_default()
    }
}

#[cfg(test)]
#[path = "game_tests.rs"]
mod tests;
