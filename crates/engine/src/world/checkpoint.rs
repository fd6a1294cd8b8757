//! Checkpoints: the whole world at one instant, written as text, so that saved progress
//! reloads without simulating again every hour since the lesson began.
//!
//! A checkpoint holds what the world's actions made: the clock, the random stream, the files,
//! the cluster, the Terraform states, the pull request, the rules' and Alertmanager's memory,
//! the chat and alert history, and the last hour of series (as much history as a world has
//! when its scenario starts). What the files describe (parsed rules, Alertmanager's routes,
//! rendered manifests, Terraform plans) is read from the files again. It also holds the actions
//! that led there, so [`World::resume`] knows which of the saved actions it still has to apply.
//!
//! A checkpoint read from storage is not trusted: its text is checked against its digest and
//! the scenario it was taken from, every part is checked to fit the world, and anything wrong
//! makes [`World::resume`] replay the actions from the start instead.

use super::*;
use crate::limits;
use base64::Engine as _;
use serde::{Deserialize, Serialize};

/// The first word of a checkpoint, then its format; a change to the simulation that makes
/// old checkpoints wrong bumps the format.
const MAGIC: &str = "opsdojo-checkpoint";
const FORMAT: u32 = 5;

/// How much series history a checkpoint keeps at least: what a world has when its scenario
/// starts. It keeps more when the rules, or the queries the caller names, read further back.
const SERIES_KEPT: SimDuration = WARM_UP;

/// Everything a checkpoint holds.
#[derive(Serialize, Deserialize)]
struct Body {
    now: SimTime,
    carry: SimDuration,
    rng: SimRng,
    next_event: usize,
    actions: Vec<Action>,
    edit_base: Option<String>,
    files: BTreeMap<String, WorldFile>,
    event_log: Vec<EventLogEntry>,
    last_gauges: Vec<Labels>,
    changes: Vec<ChangeMarker>,
    release_templates: BTreeMap<usize, String>,
    /// Each tool's part, under its field's name in the world's list (nested rather than
    /// flattened: serde's flattening reads each part twice over and doubled the code).
    tools: super::tools::Saved,
    /// Faults a facilitator injected, with when.
    #[serde(default)]
    injected: Vec<super::injection::PlannedFault>,
}

/// A checkpoint being written: the series' bytes go into the text as base64 a slice at a
/// time, so that a page writes megabytes without one long task.
#[derive(Debug)]
pub struct CheckpointWriter {
    fingerprint: u64,
    text: String,
    header_len: usize,
    series: Vec<u8>,
    /// How many of the series' bytes are in the text.
    written: usize,
}

impl CheckpointWriter {
    /// Writes about `bytes` more of the series (whole groups of three, which base64 writes as
    /// four characters with no padding, so that the slices join into the text of the whole);
    /// whether all of them are written.
    pub fn write(&mut self, bytes: usize) -> bool {
        let left = self.series.len() - self.written;
        let slice = if left <= bytes {
            left
        } else {
            ((bytes / 3).max(1) * 3).min(left)
        };
        let end = self.written + slice;
        base64::engine::general_purpose::STANDARD
            .encode_string(&self.series[self.written..end], &mut self.text);
        self.written = end;
        self.written == self.series.len()
    }

    /// The checkpoint, sealed: the rest of the series written, and the digest in its header.
    pub fn finish(mut self) -> String {
        self.write(usize::MAX);
        let sealed = header(
            self.fingerprint,
            digest(&self.text.as_bytes()[self.header_len..]),
        );
        self.text.replace_range(..self.header_len, &sealed);
        self.text
    }
}

/// How [`World::resume`] built the world.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resumed {
    /// From the checkpoint, then the actions saved after it.
    Checkpoint { actions_after: usize },
    /// By replaying every action: there was no checkpoint.
    Replayed,
    /// By replaying every action, because the checkpoint could not be used; why.
    Refused(String),
}

/// A digest that notices a truncated or altered checkpoint: eight bytes at a time, each word
/// mixed in by a rotation and a multiplication by an odd constant, then the length.
fn digest(bytes: &[u8]) -> u64 {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    let mix = |hash: u64, word: u64| (hash.rotate_left(26) ^ word).wrapping_mul(K);
    let mut chunks = bytes.chunks_exact(8);
    let mut hash = 0xcbf2_9ce4_8422_2325;
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        hash = mix(hash, u64::from_le_bytes(word));
    }
    let mut tail = [0u8; 8];
    tail[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
    hash = mix(hash, u64::from_le_bytes(tail));
    mix(hash, bytes.len() as u64)
}

/// What identifies a scenario: a checkpoint only fits the scenario it was taken from.
fn fingerprint(scenario: &Scenario) -> u64 {
    digest(format!("{}{scenario:?}", env!("CARGO_PKG_VERSION")).as_bytes())
}

/// A checkpoint's first line: what it is, the scenario it fits and its body's digest.
fn header(fingerprint: u64, digest: u64) -> String {
    format!("{MAGIC} {FORMAT} {fingerprint:016x} {digest:016x}\n")
}

/// A checkpoint of `scenario` with `body`, sealed as [`World::checkpoint`] seals its own: for
/// tools that check how a damaged body is handled (the fuzzer).
pub fn sealed_checkpoint(scenario: &Scenario, body: &str) -> String {
    header(fingerprint(scenario), digest(body.as_bytes())) + body
}

impl World {
    /// The world as a checkpoint, for [`World::resume`]. `history` is how far back the
    /// caller's own queries read (a lesson's objectives), so that they give the same answers
    /// after a resume; the series the rules read are always kept.
    pub fn checkpoint(&self, history: SimDuration) -> String {
        let mut writer = self.start_checkpoint(history);
        writer.write(usize::MAX);
        writer.finish()
    }

    /// A checkpoint as [`World::checkpoint`] writes it, to be finished a slice at a time with
    /// [`CheckpointWriter::write`]: what it needs of the world is taken now, and the world may
    /// change before it is finished.
    pub fn start_checkpoint(&self, history: SimDuration) -> CheckpointWriter {
        let series = self.store.encode_since(self.series_kept_since(history));
        let body = Body {
            now: self.now,
            carry: self.carry,
            rng: self.rng.clone(),
            next_event: self.next_event,
            actions: self.actions.clone(),
            edit_base: self.edit_base.clone(),
            files: self.files.clone(),
            event_log: self.event_log.clone(),
            last_gauges: self
                .last_scrape
                .iter()
                .map(|(labels, _)| labels.clone())
                .collect(),
            changes: self.changes.clone(),
            release_templates: self.release_templates.clone(),
            tools: self.tools.save(),
            injected: self.injected.clone(),
        };
        // Every part serializes: floats that may not be finite are written as bits.
        let json = serde_json::to_string(&body).unwrap_or_default();
        // Written in place, sized up front (a checkpoint is megabytes, and growing or copying
        // it costs more than writing it): a header whose digest is filled in at the end, the
        // JSON, then the series on a line of their own (the JSON writer would scan megabytes
        // of base64 for characters to escape).
        let fingerprint = fingerprint(&self.scenario);
        let mut text = header(fingerprint, 0);
        let header_len = text.len();
        text.reserve(json.len() + 1 + series.len().div_ceil(3) * 4);
        text.push_str(&json);
        text.push('\n');
        CheckpointWriter {
            fingerprint,
            text,
            header_len,
            series,
            written: 0,
        }
    }

    /// Where the series a checkpoint keeps start: as far back as the lesson's warm-up,
    /// `history` and the rules read.
    fn series_kept_since(&self, history: SimDuration) -> i64 {
        let kept = SERIES_KEPT
            .0
            .max(history.0)
            .max(self.tools.monitoring.lookback_ms())
            .min(RETENTION_MS);
        self.now.epoch_ms().saturating_sub(kept)
    }

    /// Writes ahead what the next [`World::checkpoint`] keeping `history` would write of the
    /// series and can no longer change: a little work after each frame, instead of the whole
    /// hour at once when a checkpoint falls due.
    pub fn prepare_checkpoint(&self, history: SimDuration) {
        self.store.encode_ahead(self.series_kept_since(history));
    }

    /// The world of `scenario` after `actions`: from `checkpoint` when it fits them, then the
    /// actions saved after it, otherwise by replaying every action.
    pub fn resume(
        scenario: Scenario,
        checkpoint: Option<&str>,
        actions: &[Action],
    ) -> (Self, Resumed) {
        let Some(text) = checkpoint else {
            return (World::replay(scenario, actions), Resumed::Replayed);
        };
        match World::from_checkpoint(scenario.clone(), text, actions) {
            Ok((world, actions_after)) => (world, Resumed::Checkpoint { actions_after }),
            Err(why) => (World::replay(scenario, actions), Resumed::Refused(why)),
        }
    }

    /// The world of `scenario` after `actions`, from `checkpoint` only: why not when it does
    /// not fit. Returns how many actions were applied after the checkpoint.
    pub fn from_checkpoint(
        scenario: Scenario,
        text: &str,
        actions: &[Action],
    ) -> Result<(Self, usize), String> {
        if text.len() > limits::CHECKPOINT_MAX_BYTES {
            return Err(format!(
                "the checkpoint is {} bytes, over {}",
                text.len(),
                limits::CHECKPOINT_MAX_BYTES
            ));
        }
        let (first_line, body) = text
            .split_once('\n')
            .ok_or("the checkpoint has no header")?;
        if format!("{first_line}\n") != header(fingerprint(&scenario), digest(body.as_bytes())) {
            return Err(if first_line.starts_with(&format!("{MAGIC} {FORMAT} ")) {
                "the checkpoint is of another lesson or was altered".into()
            } else {
                "the checkpoint is of another version".into()
            });
        }
        let (body, store) = body
            .rsplit_once('\n')
            .ok_or("the checkpoint has no series")?;
        let body: Body =
            serde_json::from_str(body).map_err(|e| format!("the checkpoint is unreadable: {e}"))?;
        let after = actions_after(&body.actions, body.edit_base.as_deref(), actions)
            .ok_or("the saved actions do not continue the checkpoint")?;
        let mut world = World::restore(scenario, body, store)?;
        let count = after.len();
        for action in after {
            world.apply(action);
        }
        if world.actions != actions {
            return Err("the actions after the checkpoint did not give the saved ones".into());
        }
        Ok((world, count))
    }

    /// The world a checkpoint's body describes, once every part is checked to fit `scenario`.
    fn restore(scenario: Scenario, body: Body, store: &str) -> Result<Self, String> {
        let platform = scenario.platform.clone();
        let mut expected_files = scenario.initial_files();
        expected_files.extend(scenario.pending.clone());
        if !body.files.keys().eq(expected_files.keys()) {
            return Err("the files do not fit this world".into());
        }
        if body.next_event > scenario.events.len() {
            return Err("the scheduled events do not fit this world".into());
        }
        if body.injected.len() > super::injection::MAX_FAULTS * 20
            || body
                .injected
                .iter()
                .any(|planned| planned.fault.check(&platform).is_err())
        {
            return Err("the injected faults do not fit this world".into());
        }
        if body.tools.pull_request.as_ref().map(|p| &p.spec) != scenario.pull_request.as_ref() {
            return Err("the pull request does not fit this world".into());
        }
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(store)
            .map_err(|_| "the series are not base64")?;
        let store = SeriesStore::decode(
            &bytes,
            limits::CHECKPOINT_MAX_SERIES,
            limits::CHECKPOINT_MAX_SAMPLES,
        )?;
        let mut world = World {
            scenario,
            now: body.now,
            carry: body.carry,
            rng: body.rng,
            files: body.files,
            next_event: body.next_event,
            actions: body.actions,
            edit_base: body.edit_base,
            event_log: body.event_log,
            store,
            // Found again by the first scrape.
            last_scrape: body
                .last_gauges
                .into_iter()
                .map(|labels| (labels, crate::promql::SeriesId::NONE))
                .collect(),
            changes: body.changes,
            release_templates: body.release_templates,
            tools: Tools::default(),
            injected_events: body
                .injected
                .iter()
                .map(|planned| planned.fault.event(planned.after))
                .collect(),
            injected: body.injected,
            label_cache: Default::default(),
        };
        world.tools = Tools::restore(body.tools, &world)?;
        Ok(world)
    }
}

/// The actions still to apply to a world whose record is `saved` to get the record `all`, or
/// `None` when `all` does not continue `saved`. The last saved action may have grown since the
/// checkpoint: a clock advance that went on, or an edit merged with the next ones (turned
/// here into the file's content, from the content before that edit).
fn actions_after(saved: &[Action], edit_base: Option<&str>, all: &[Action]) -> Option<Vec<Action>> {
    let Some((last, before)) = saved.split_last() else {
        return Some(all.to_vec());
    };
    if all.len() < saved.len() || all[..before.len()] != *before {
        return None;
    }
    let mut after = Vec::new();
    match (last, &all[before.len()]) {
        (saved, now) if saved == now => {}
        (Action::Advance { by: saved }, Action::Advance { by: now }) if now.0 > saved.0 => {
            after.push(Action::Advance {
                by: SimDuration(now.0 - saved.0),
            });
        }
        (
            Action::PatchFile { path: saved, .. },
            Action::PatchFile {
                path,
                at,
                delete,
                insert,
            },
        ) if saved == path => {
            let content = action::apply_patch(edit_base?, *at, *delete, insert)?;
            after.push(Action::EditFile {
                path: path.clone(),
                content,
            });
        }
        _ => return None,
    }
    after.extend(all[saved.len()..].iter().cloned());
    Some(after)
}
