//! A running simulation shown by a page: the world, its latest snapshot, the clock's state and,
//! in a lesson, the objectives. Shared through context as a small `Copy` handle.
//!
//! Every change goes through [`Sim::apply`], which calls the engine's recorded actions; the
//! views only read [`Sim::snapshot`]. What a learner types in a file is the exception: it is
//! held as the file's pending edit ([`Sim::edit`]) and reaches the world once typing pauses,
//! so that a key is painted without waiting for the plans, renders and rules it sets off.

use crate::app::{Notices, OpenLesson, ProgressStore, SaveState};
use crate::i18n::key;
use leptos::prelude::*;
use opsdojo_engine::dashboard::{dashboard, Panel};
use opsdojo_engine::lesson::{Lesson, ObjectiveTracker, Tab};
use opsdojo_engine::platform::Platform;
use opsdojo_engine::progress::{LessonProgress, Progress};
use opsdojo_engine::promql::{explain, explore, Explanation, Exploration};
use opsdojo_engine::share::{SharedSession, SHARE_FORMAT};
use opsdojo_engine::time::SimDuration;
use opsdojo_engine::world::{Action, CheckpointWriter, Resumed, Scenario, World, WorldSnapshot};
use std::collections::BTreeSet;
use std::sync::Arc;

/// The speeds the clock bar offers, in simulated seconds per real second.
pub const SPEEDS: [u32; 6] = [1, 10, 60, 300, 900, 3600];

/// Where the workbench is looking: its tab and the dashboard's variables. Shared through
/// context so that a chat message can open the dashboard on its environment and project.
#[derive(Clone, Copy)]
pub struct WorkbenchNav {
    pub tab: RwSignal<Tab>,
    pub env: RwSignal<String>,
    pub project: RwSignal<String>,
}

impl WorkbenchNav {
    pub fn new() -> Self {
        WorkbenchNav {
            tab: RwSignal::new(Tab::Files),
            // Empty: the dashboard starts on the platform's production and first service.
            env: RwSignal::new(String::new()),
            project: RwSignal::new(String::new()),
        }
    }

    /// Shows the dashboard for `env` and `project`.
    pub fn open_dashboard(&self, env: &str, project: &str) {
        if !env.is_empty() {
            self.env.set(env.to_string());
        }
        if !project.is_empty() {
            self.project.set(project.to_string());
        }
        self.tab.set(Tab::Dashboard);
    }
}

/// A counter for views that compute queries (dashboards, the explorer): it ticks once a real
/// second while the clock plays, so that they refresh on that beat rather than at every frame,
/// and while the clock is paused, whenever its time or its rules change (a step, a reset, a
/// rule edited), and when it is paused. Such a view tracks the beat and reads the snapshot untracked.
pub fn refresh_beat(sim: Sim) -> RwSignal<u64> {
    let beat = RwSignal::new(0u64);
    if let Ok(handle) = set_interval_with_handle(
        move || {
            if sim.playing.get_untracked() {
                beat.update(|b| *b += 1);
            }
        },
        std::time::Duration::from_millis(1000),
    ) {
        on_cleanup(move || handle.clear());
    }
    // While paused, what moves a query's result: the clock (a step, a reset) and the rules
    // (their thresholds are drawn); not the edit of a file at every keystroke.
    let moment = Memo::new(move |_| {
        sim.snapshot
            .with(|s| (s.now, s.tools.monitoring.rules.clone()))
    });
    Effect::new(move |first: Option<()>| {
        moment.track();
        if !sim.playing.get() && first.is_some() {
            beat.update(|b| *b += 1);
        }
    });
    beat
}

/// `memo`'s value, handed to the views in the task after the one that computed it: a view's
/// queries and its drawing are then two tasks, each within the browser's 50 ms for a long
/// task, instead of one over it.
pub fn published<T>(memo: Memo<T>) -> Signal<T>
where
    T: Clone + PartialEq + Send + Sync + 'static,
{
    let value = RwSignal::new(memo.get_untracked());
    Effect::new(move |first: Option<()>| {
        let next = memo.get();
        if first.is_some() {
            set_timeout(
                move || {
                    value.try_set(next);
                },
                std::time::Duration::ZERO,
            );
        }
    });
    value.into()
}

/// A lesson's world is checkpointed while it changes at least this often in real time, and
/// whenever its clock has run this long since the last one, so that a reload never simulates
/// more than about what opening the lesson does (its hour of warm-up). Pausing the clock,
/// hiding or leaving the page checkpoint it too.
const CHECKPOINT_EVERY_MS: f64 = 15_000.0;
const CHECKPOINT_EVERY_SIMULATED: SimDuration = SimDuration::from_minutes(60);

/// How long typing must pause before a file's pending edit reaches the world.
const EDIT_QUIET_MS: f64 = 150.0;

/// The longest an edit waits while typing goes on: the world sees it at least this often.
const EDIT_MAX_WAIT_MS: f64 = 1_000.0;

/// Where a lesson's checkpoints go and what was last written.
#[derive(Clone, Copy)]
struct Checkpoints {
    key: StoredValue<String>,
    save: SaveState,
    open: OpenLesson,
    notices: Notices,
    /// The series history the lesson's objectives read.
    history: SimDuration,
    /// The world's clock and action count at the last checkpoint, and when it was written.
    last: StoredValue<(i64, usize, f64)>,
    failing: StoredValue<bool>,
    /// A checkpoint is due or being written, in tasks of its own.
    pending: StoredValue<bool>,
    /// Counts the checkpoints started: one being written in slices is dropped once a newer
    /// one starts.
    generation: StoredValue<u64>,
    /// The world's clock and action count when progress was last written for a checkpoint.
    flushed: StoredValue<(i64, usize)>,
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// The page's monotonic clock in milliseconds, for time budgets.
fn precise_now_ms() -> f64 {
    web_sys::window()
        .and_then(|window| window.performance())
        .map_or_else(js_sys::Date::now, |performance| performance.now())
}

/// The series' bytes a checkpoint writes into its text per task: about 2 ms of work.
const CHECKPOINT_SLICE_BYTES: usize = 512 * 1024;

/// Writes a slice of `writer`'s series, then the next in a task of its own, then stores the
/// checkpoint in one more; gives up when a newer checkpoint was started meanwhile.
fn write_slices(checkpoints: Checkpoints, generation: u64, mut writer: CheckpointWriter) {
    if checkpoints.generation.try_get_value() != Some(generation) {
        checkpoints.pending.try_set_value(false);
        return;
    }
    let done = measured("opsdojo:checkpoint", || {
        writer.write(CHECKPOINT_SLICE_BYTES)
    });
    set_timeout(
        move || {
            if !done {
                return write_slices(checkpoints, generation, writer);
            }
            checkpoints.pending.try_set_value(false);
            if checkpoints.generation.try_get_value() == Some(generation) {
                let text = measured("opsdojo:checkpoint", || writer.finish());
                store_checkpoint(checkpoints, text);
            }
        },
        std::time::Duration::ZERO,
    );
}

/// Stores a checkpoint's text in IndexedDB; a refused write is told once.
fn store_checkpoint(checkpoints: Checkpoints, text: String) {
    let Some(key) = checkpoints.key.try_get_value() else {
        return;
    };
    leptos::task::spawn_local(async move {
        match crate::checkpoints::save_checkpoint(&key, &text).await {
            Ok(()) => {
                checkpoints.failing.try_set_value(false);
            }
            Err(_) if checkpoints.failing.try_get_value().unwrap_or(true) => {}
            Err(reason) => {
                checkpoints.failing.try_set_value(true);
                checkpoints
                    .notices
                    .push(false, key!("progress.checkpoint_failed"), reason, None);
            }
        }
    });
}

/// Runs `work` as a measure named `name` on the page's performance timeline, so that a
/// profiler, or the frames benchmark, can tell what a long task was made of. The entries are
/// cleared at once: an observer has them, and the timeline does not grow while the clock plays.
pub(crate) fn measured<T>(name: &str, work: impl FnOnce() -> T) -> T {
    let performance = web_sys::window().and_then(|window| window.performance());
    if let Some(performance) = &performance {
        let _ = performance.mark(name);
    }
    let value = work();
    if let Some(performance) = &performance {
        let _ = performance.measure_with_start_mark(name, name);
        performance.clear_marks_with_mark_name(name);
        performance.clear_measures_with_measure_name(name);
    }
    value
}

/// A handle on the page's simulation.
#[derive(Clone, Copy)]
pub struct Sim {
    world: StoredValue<World>,
    tracker: StoredValue<Option<ObjectiveTracker>>,
    lesson_key: StoredValue<Option<String>>,
    store: Option<ProgressStore>,
    /// What the views read; replaced after every action.
    pub snapshot: RwSignal<WorldSnapshot>,
    pub playing: RwSignal<bool>,
    /// Simulated seconds per real second.
    pub speed: RwSignal<u32>,
    /// Objectives met so far, by id.
    pub met: RwSignal<BTreeSet<String>>,
    pub completed: RwSignal<bool>,
    /// Objective queries that failed to evaluate, for the lesson's author.
    pub objective_errors: RwSignal<Vec<String>>,
    /// How the world was built: `start`, `checkpoint` or `replay` (on the page as
    /// `data-restored`).
    pub restored: &'static str,
    /// A session opened from a share link: shown, not saved.
    pub shared: bool,
    checkpoints: Option<Checkpoints>,
    /// A refresh of the views is queued in a task of its own.
    refresh_queued: StoredValue<bool>,
    /// The text of a file typed but not yet applied to the world, by path: editors show it.
    pending_edit: RwSignal<Option<(String, String)>>,
    /// The timer that applies the pending edit, and when the edit first waited.
    edit_timer: StoredValue<Option<(leptos::leptos_dom::helpers::TimeoutHandle, f64)>>,
}

impl Sim {
    /// A free simulation with no lesson, or the sandbox session of a share link (not saved).
    pub fn sandbox(shared: Option<&SharedSession>) -> Self {
        let scenario = Scenario::default();
        let mut sim = match shared {
            Some(session) => {
                let mut sim =
                    Sim::build(World::replay(scenario, &session.actions), None, None, None);
                sim.shared = true;
                sim
            }
            None => Sim::build(World::new(scenario), None, None, None),
        };
        sim.restored = if shared.is_some() { "share" } else { "start" };
        sim
    }

    /// The world of a game day's participant: the game's scenario with their own actions,
    /// saved by the game rather than as a lesson's progress.
    pub fn for_game(scenario: Scenario, actions: &[Action]) -> Self {
        let mut sim = Sim::build(World::replay(scenario, actions), None, None, None);
        sim.restored = if actions.is_empty() {
            "start"
        } else {
            "replay"
        };
        sim
    }

    /// Where the page's world comes from, as a share link or a game names it, and its seed.
    pub fn place(&self) -> (String, u64) {
        let at = self
            .lesson_key
            .get_value()
            .unwrap_or_else(|| opsdojo_engine::share::SANDBOX.to_string());
        (at, self.world.with_value(|world| world.scenario().seed))
    }

    /// Simulated time since the scenario started.
    pub fn elapsed(&self) -> SimDuration {
        self.world.with_value(World::elapsed)
    }

    /// The faults injected into the world: its clock when each struck, and what it does.
    pub fn injected(&self) -> Vec<(String, String)> {
        self.world.with_value(|world| {
            let start = world.scenario().start_time();
            world
                .injected()
                .iter()
                .map(|planned| {
                    (
                        start.plus(planned.after).to_string(),
                        planned.fault.describe(),
                    )
                })
                .collect()
        })
    }

    /// The actions that made the world.
    pub fn actions(&self) -> Vec<Action> {
        self.flush_edit();
        self.world.with_value(|world| world.actions().to_vec())
    }

    /// The game day timeline of the world, with the game's `faults` and the panels `opened`.
    pub fn timeline(
        &self,
        faults: &[opsdojo_engine::game::PlannedFault],
        opened: &[opsdojo_engine::game::Opened],
    ) -> (
        opsdojo_engine::game::Timeline,
        opsdojo_engine::time::SimTime,
    ) {
        self.world.with_value(|world| {
            (
                opsdojo_engine::game::timeline(world, faults, opened),
                world.scenario().start_time(),
            )
        })
    }

    /// The session as a share link carries it: where, the scenario's seed, the actions.
    pub fn share_session(&self) -> SharedSession {
        self.flush_edit();
        let at = self
            .lesson_key
            .get_value()
            .unwrap_or_else(|| opsdojo_engine::share::SANDBOX.to_string());
        self.world.with_value(|world| SharedSession {
            share: SHARE_FORMAT,
            at,
            seed: world.scenario().seed,
            actions: world.actions().to_vec(),
        })
    }

    /// The simulation of a lesson, restored from saved progress when there is some.
    pub fn for_lesson(
        lesson: &Lesson,
        pack: &str,
        store: ProgressStore,
        checkpoint: Option<String>,
        shared: Option<&SharedSession>,
    ) -> Self {
        let key = Progress::lesson_key(pack, &lesson.meta.id);
        if let Some(session) = shared {
            // A shared session is shown as it was made and saves nothing.
            let world = World::replay(lesson.scenario.clone(), &session.actions);
            let (tracker, _) = ObjectiveTracker::new(lesson);
            let mut sim = Sim::build(world, Some(tracker), Some(key), None);
            sim.restored = "share";
            sim.shared = true;
            sim.refresh(false);
            return sim;
        }
        let saved: Option<LessonProgress> = store
            .0
            .with_untracked(|progress| progress.lessons.get(&key).cloned());
        let saved = saved.as_ref();
        let (world, restored) = measured("opsdojo:world", || match saved {
            Some(progress) => {
                let (world, how) = World::resume(
                    lesson.scenario.clone(),
                    checkpoint.as_deref(),
                    &progress.actions,
                );
                let restored = match how {
                    Resumed::Checkpoint { .. } => "checkpoint",
                    Resumed::Replayed => "replay",
                    Resumed::Refused(why) => {
                        leptos::logging::warn!("checkpoint of {key} not used: {why}");
                        "replay"
                    }
                };
                (world, restored)
            }
            None => (World::new(lesson.scenario.clone()), "start"),
        });
        let (mut tracker, _) = ObjectiveTracker::new(lesson);
        if let Some(progress) = saved {
            tracker.restore(progress.met.iter().cloned());
        }
        let open = use_context::<OpenLesson>();
        if let Some(open) = open {
            open.0.set(Some(key.clone()));
            on_cleanup(move || open.0.set(None));
        }
        let checkpoints = match (open, use_context::<SaveState>(), use_context::<Notices>()) {
            (Some(open), Some(save), Some(notices)) => Some(Checkpoints {
                key: StoredValue::new(key.clone()),
                save,
                open,
                notices,
                history: tracker.lookback(),
                last: StoredValue::new((world.now().epoch_ms(), world.actions().len(), now_ms())),
                failing: StoredValue::new(false),
                pending: StoredValue::new(false),
                generation: StoredValue::new(0),
                flushed: StoredValue::new((i64::MIN, 0)),
            }),
            _ => None,
        };
        let mut sim = Sim::build(world, Some(tracker), Some(key), Some(store));
        sim.restored = restored;
        sim.checkpoints = checkpoints;
        sim.refresh(false);
        // A world that had to be replayed (no checkpoint yet, or one that did not fit) gets one
        // now, so that the next reload is fast.
        if restored == "replay" {
            if let Some(checkpoints) = sim.checkpoints {
                checkpoints.last.set_value((i64::MIN, 0, 0.0));
            }
            sim.checkpoint();
        }
        // If the page panics, what was typed and not yet applied is saved with the rest.
        crate::crash::watch_pending_edit(move || {
            let key = sim.lesson_key.try_get_value().flatten()?;
            let (path, content) = sim.pending_edit.try_get_untracked().flatten()?;
            Some((key, Action::EditFile { path, content }))
        });
        // Pausing the clock, hiding or leaving the page keep a checkpoint of where the learner is.
        Effect::new(move |_| {
            if !sim.playing.get() {
                sim.checkpoint();
            }
        });
        let on_hide = window_event_listener(leptos::ev::pagehide, move |_| sim.checkpoint());
        let on_visibility = window_event_listener(leptos::ev::visibilitychange, move |_| {
            if document().visibility_state() == web_sys::VisibilityState::Hidden {
                sim.checkpoint();
            }
        });
        on_cleanup(move || {
            on_hide.remove();
            on_visibility.remove();
            sim.checkpoint();
        });
        sim
    }

    /// Writes a checkpoint of the lesson's world if it changed since the last one: progress is
    /// written first, so that the saved actions always continue the checkpoint. A refused write
    /// is told once; progress is safe in local storage and the next reload replays it.
    fn checkpoint(&self) {
        self.flush_edit();
        self.settle();
        if let Some((checkpoints, writer)) = self.start_checkpoint() {
            store_checkpoint(checkpoints, writer.finish());
        }
    }

    /// The same, with the series written into the text a slice per task (a checkpoint is
    /// megabytes), and stored in a task of its own: while the clock plays, no task is long.
    fn checkpoint_in_slices(&self) {
        let Some((checkpoints, writer)) = self.start_checkpoint() else {
            return;
        };
        checkpoints.pending.set_value(true);
        let generation = checkpoints.generation.get_value();
        write_slices(checkpoints, generation, writer);
    }

    /// Writes the lesson's progress as the world has it now, unless `only_if_changed` and
    /// this very world's progress is written already; notes of which world it wrote.
    fn flush_progress(&self, only_if_changed: bool) -> Option<()> {
        let checkpoints = self.checkpoints?;
        let store = self.store?;
        let world_state = self
            .world
            .try_with_value(|world| (world.now().epoch_ms(), world.actions().len()))?;
        // The saved actions are the world's own (a replayed world may have merged them
        // differently from the file it was loaded from).
        let met = self.met.try_get_untracked()?;
        let completed = self.completed.try_get_untracked()?;
        measured("opsdojo:progress", || {
            let changed = self.save(met, completed);
            let written = checkpoints.flushed.try_get_value() == Some(world_state)
                && !checkpoints.save.is_scheduled();
            if !(only_if_changed && written && !changed) {
                checkpoints
                    .save
                    .flush(store.0, checkpoints.open, checkpoints.notices);
            }
        });
        checkpoints.flushed.try_set_value(world_state);
        Some(())
    }

    /// Saves progress and takes what a checkpoint needs of the world, when it changed since
    /// the last one.
    fn start_checkpoint(&self) -> Option<(Checkpoints, CheckpointWriter)> {
        let checkpoints = self.checkpoints?;
        let world_state = self
            .world
            .try_with_value(|world| (world.now().epoch_ms(), world.actions().len()))?;
        let (now, count, _) = checkpoints.last.try_get_value()?;
        if (now, count) == world_state {
            return None;
        }
        // Progress written in the task before, of this very world, is not written again.
        self.flush_progress(true)?;
        let writer = measured("opsdojo:checkpoint", || {
            self.world
                .try_with_value(|world| world.start_checkpoint(checkpoints.history))
        })?;
        checkpoints
            .last
            .try_set_value((world_state.0, world_state.1, now_ms()));
        // A checkpoint still being written in slices is of an older world: it is dropped.
        checkpoints.generation.try_update_value(|g| *g += 1);
        Some((checkpoints, writer))
    }

    /// A checkpoint when the last one is older than [`CHECKPOINT_EVERY_MS`].
    fn checkpoint_if_due(&self) {
        let world_now = self.world.try_with_value(|world| world.now().epoch_ms());
        let due = self.checkpoints.is_some_and(|c| {
            c.last.try_get_value().is_some_and(|(simulated, _, at)| {
                now_ms() - at >= CHECKPOINT_EVERY_MS
                    || world_now.unwrap_or(simulated) - simulated >= CHECKPOINT_EVERY_SIMULATED.0
            })
        });
        if !due {
            return;
        }
        // Written after the frame that made it due, so that a frame's work and a checkpoint's
        // never add up to one long task while the clock plays.
        let Some(checkpoints) = self.checkpoints else {
            return;
        };
        if checkpoints.pending.try_get_value() != Some(false) {
            return;
        }
        checkpoints.pending.set_value(true);
        let sim = *self;
        // Progress first, then the world's part in a task of its own: each is a few
        // milliseconds, together they would make one long task.
        set_timeout(
            move || {
                if sim.flush_progress(false).is_none() {
                    checkpoints.pending.try_set_value(false);
                    return;
                }
                set_timeout(
                    move || {
                        checkpoints.pending.try_set_value(false);
                        sim.checkpoint_in_slices();
                    },
                    std::time::Duration::ZERO,
                );
            },
            std::time::Duration::ZERO,
        );
    }

    fn build(
        world: World,
        tracker: Option<ObjectiveTracker>,
        lesson_key: Option<String>,
        store: Option<ProgressStore>,
    ) -> Self {
        let met = tracker
            .as_ref()
            .map(|t| t.met().clone())
            .unwrap_or_default();
        let completed = tracker.as_ref().is_some_and(ObjectiveTracker::all_met);
        Sim {
            snapshot: RwSignal::new(world.snapshot()),
            world: StoredValue::new(world),
            tracker: StoredValue::new(tracker),
            lesson_key: StoredValue::new(lesson_key),
            store,
            playing: RwSignal::new(false),
            speed: RwSignal::new(60),
            met: RwSignal::new(met),
            completed: RwSignal::new(completed),
            objective_errors: RwSignal::new(Vec::new()),
            restored: "start",
            shared: false,
            checkpoints: None,
            refresh_queued: StoredValue::new(false),
            pending_edit: RwSignal::new(None),
            edit_timer: StoredValue::new(None),
        }
    }

    /// Applies an action to the world, then refreshes what the views read and saves progress.
    /// An edit still pending goes first: the world gets the learner's actions in their order.
    pub fn apply(&self, action: Action) {
        self.flush_edit();
        self.apply_now(action);
    }

    fn apply_now(&self, action: Action) {
        measured("opsdojo:apply", || {
            self.world.update_value(|world| world.apply(action))
        });
        self.refresh(true);
    }

    /// The learner typed `content` into the file at `path`: editors show it at once, and the
    /// world gets it as an edit once typing pauses for [`EDIT_QUIET_MS`] (at least every
    /// [`EDIT_MAX_WAIT_MS`]), or sooner when anything else acts on it, saves or leaves.
    pub fn edit(&self, path: String, content: String) {
        let other_file = self
            .pending_edit
            .with_untracked(|pending| pending.as_ref().is_some_and(|(at, _)| *at != path));
        if other_file {
            self.flush_edit();
        }
        self.pending_edit.set(Some((path, content)));
        let now = now_ms();
        let first = match self.edit_timer.get_value() {
            Some((timer, first)) => {
                timer.clear();
                first
            }
            None => now,
        };
        let wait = EDIT_QUIET_MS.min(first + EDIT_MAX_WAIT_MS - now).max(0.0);
        let sim = *self;
        let timer = set_timeout_with_handle(
            move || sim.flush_edit(),
            std::time::Duration::from_millis(wait as u64),
        );
        match timer {
            Ok(timer) => self.edit_timer.set_value(Some((timer, first))),
            // No timer: the edit cannot wait.
            Err(_) => self.flush_edit(),
        }
    }

    /// The text typed into the file at `path` that the world does not have yet (tracked).
    pub fn pending_text(&self, path: &str) -> Option<String> {
        self.pending_edit.with(|pending| {
            pending
                .as_ref()
                .filter(|(at, _)| at == path)
                .map(|(_, content)| content.clone())
        })
    }

    /// Applies the pending edit now, if there is one (and the page still has its world).
    pub fn flush_edit(&self) {
        if let Some(Some((timer, _))) = self.edit_timer.try_get_value() {
            timer.clear();
        }
        self.edit_timer.try_set_value(None);
        let Some(Some((path, content))) = self.pending_edit.try_get_untracked() else {
            return;
        };
        if self.world.try_with_value(|_| ()).is_none() {
            return;
        }
        self.apply_now(Action::EditFile { path, content });
        // Cleared after the snapshot has the text, so an editor never shows the text before it.
        self.pending_edit.try_set(None);
    }

    /// Runs a console line of kubectl against the world, in `namespace` unless it names one.
    pub fn kubectl(&self, line: &str, namespace: &str) -> opsdojo_engine::kube::kubectl::Output {
        // The cluster as the files just typed make it.
        self.flush_edit();
        self.world
            .with_value(|world| opsdojo_engine::kube::kubectl::run(world, line, namespace))
    }

    /// Runs a PromQL query over the world's store: a graph of the last `range_ms` and a table
    /// at the current instant.
    pub fn explore(&self, text: &str, range_ms: i64) -> Exploration {
        measured("opsdojo:explore", || {
            self.world
                .with_value(|world| explore(world.store(), text, world.now().epoch_ms(), range_ms))
        })
    }

    /// The parts of a PromQL query, each evaluated on its own at the current instant.
    pub fn explain(&self, text: &str) -> Explanation {
        measured("opsdojo:explain", || {
            self.world
                .with_value(|world| explain(world.store(), text, world.now().epoch_ms()))
        })
    }

    /// The routes an alert with `labels` would take through Alertmanager, with receivers.
    pub fn route_test(
        &self,
        labels: &std::collections::BTreeMap<String, String>,
    ) -> Option<Vec<(Vec<usize>, String)>> {
        self.world
            .with_value(|world| world.monitoring().route_test(labels))
    }

    /// The dashboard's panels for `env` and `project` over the `range_ms` before now.
    /// The environments, services and routes this simulation's world has.
    pub fn platform(&self) -> Arc<Platform> {
        self.world
            .with_value(|world| world.scenario().platform.clone())
    }

    /// The panels named in `only` (all when empty) for `env` and `project` over the
    /// `range_ms` before now.
    pub fn dashboard(
        &self,
        env: &str,
        project: &str,
        range_ms: i64,
        only: &[String],
    ) -> Vec<Panel> {
        measured("opsdojo:dashboard", || {
            self.world.with_value(|world| {
                dashboard(
                    world.store(),
                    &world.monitoring().rule_statuses(),
                    env,
                    project,
                    world.now().epoch_ms(),
                    range_ms,
                    only,
                )
            })
        })
    }

    /// Lets the clock run for `by`.
    pub fn advance(&self, by: SimDuration) {
        self.apply(Action::Advance { by });
    }

    /// Lets the clock run for up to `by`, a tick at a time, until `budget_ms` of real time is
    /// spent, then refreshes the page once; returns the simulated time that passed. At the
    /// fastest speeds this keeps a frame short: the clock runs as fast as the machine allows
    /// and the page stays responsive.
    pub fn play_for(&self, by: SimDuration, budget_ms: f64) -> SimDuration {
        let started = precise_now_ms();
        let mut moved = SimDuration(0);
        let history = self.checkpoints.map(|checkpoints| checkpoints.history);
        measured("opsdojo:simulate", || {
            self.world.update_value(|world| {
                let tick = world.scenario().tick;
                while moved < by {
                    let step = SimDuration(tick.0.min(by.0 - moved.0));
                    world.apply(Action::Advance { by: step });
                    moved = SimDuration(moved.0 + step.0);
                    // The series that can no longer change are written for the next
                    // checkpoint as they close, inside the frame's budget, so that writing
                    // the checkpoint does not take one long task.
                    if let Some(history) = history {
                        world.prepare_checkpoint(history);
                    }
                    if precise_now_ms() - started >= budget_ms {
                        break;
                    }
                }
            })
        });
        self.refresh_soon();
        moved
    }

    /// Runs a refresh still queued by the last frame now: the clock was paused, or the page
    /// is left, and what it shows and saves must be the world's last state.
    pub fn settle(&self) {
        if self.refresh_queued.try_get_value() == Some(true) {
            self.refresh_queued.set_value(false);
            self.refresh(true);
        }
    }

    /// Refreshes what the views read in a task of its own, once however many frames ask
    /// before it runs: a frame's simulation and its drawing are then two tasks, each well
    /// within the browser's 50 ms for a long task, instead of one over it.
    fn refresh_soon(&self) {
        if self.refresh_queued.get_value() {
            return;
        }
        self.refresh_queued.set_value(true);
        let sim = *self;
        set_timeout(
            // Unless a pause ran it already, or the lesson was left meanwhile (its world is
            // gone, nothing to draw).
            move || sim.settle(),
            std::time::Duration::ZERO,
        );
    }

    /// Moves the clock one tick.
    pub fn step(&self) {
        let tick = self.world.with_value(|world| world.scenario().tick);
        self.advance(tick);
    }

    /// Back to the start of the scenario; objectives already met stay met.
    pub fn reset(&self) {
        self.flush_edit();
        self.playing.set(false);
        self.world
            .update_value(|world| *world = World::new(world.scenario().clone()));
        self.refresh(true);
        // The lesson's checkpoint no longer fits its progress.
        if let Some(key) = self.checkpoints.and_then(|c| c.key.try_get_value()) {
            leptos::task::spawn_local(async move {
                if let Err(reason) = crate::checkpoints::forget(&key).await {
                    leptos::logging::warn!("checkpoint of {key} not removed: {reason}");
                }
            });
        }
    }

    /// The world rebuilt from the scenario's start with `actions`, exactly as if they had
    /// been played one after the other (a demo stepped back); objectives already met stay met.
    pub fn rebuild(&self, actions: &[Action]) {
        self.flush_edit();
        self.playing.set(false);
        self.world
            .update_value(|world| *world = World::replay(world.scenario().clone(), actions));
        self.refresh(true);
        // The stored checkpoint is of a world that no longer is: write one of this one.
        if let Some(checkpoints) = self.checkpoints {
            checkpoints.last.try_set_value((i64::MIN, 0, 0.0));
        }
        self.checkpoint();
    }

    /// Back to the start, objectives cleared too.
    pub fn start_over(&self) {
        self.tracker.update_value(|tracker| {
            if let Some(tracker) = tracker {
                *tracker = tracker.cleared();
            }
        });
        self.reset();
    }

    fn refresh(&self, save: bool) {
        let snapshot = measured("opsdojo:snapshot", || {
            self.world.with_value(World::snapshot)
        });
        self.snapshot.set(snapshot);
        let mut evaluated = None;
        measured("opsdojo:objectives", || {
            self.world.with_value(|world| {
                self.tracker.update_value(|tracker| {
                    if let Some(tracker) = tracker {
                        let (_, errors) = tracker.update(world);
                        evaluated = Some((tracker.met().clone(), tracker.all_met(), errors));
                    }
                });
            })
        });
        let Some((met, completed, errors)) = evaluated else {
            return;
        };
        if self.met.with_untracked(|current| *current != met) {
            self.met.set(met.clone());
        }
        if self.completed.get_untracked() != completed {
            self.completed.set(completed);
            if completed {
                self.playing.set(false);
            }
        }
        if self
            .objective_errors
            .with_untracked(|current| *current != errors)
        {
            self.objective_errors.set(errors);
        }
        if save {
            self.save(met, completed);
            self.checkpoint_if_due();
        }
    }

    /// Puts the world's actions and the objectives met in the learner's progress; tells
    /// whether that changed it.
    fn save(&self, met: BTreeSet<String>, completed: bool) -> bool {
        let Some(key) = self.lesson_key.get_value() else {
            return false;
        };
        let Some(store) = self.store else {
            return false;
        };
        let actions = self.world.with_value(|world| world.actions().to_vec());
        // Nothing changed, nothing written: `saved_at` tells other tabs when the lesson last
        // changed, not when it was last opened.
        let unchanged = store.0.with_untracked(|progress| {
            progress.lessons.get(&key).is_some_and(|entry| {
                entry.met == met && entry.actions == actions && (entry.completed || !completed)
            })
        });
        if unchanged {
            return false;
        }
        store.0.update(|progress| {
            let entry = progress.lessons.entry(key).or_default();
            entry.met = met;
            // Completion is kept once earned, even after a reset of the world.
            entry.completed = entry.completed || completed;
            entry.actions = actions;
            entry.saved_at = js_sys::Date::now() as u64;
        });
        true
    }
}
