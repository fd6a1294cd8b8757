//! A game day as a participant plays it: a game link (`#game=…`) opens the game's world, the
//! clock follows the room's (no pause, no running ahead), the faults strike at hidden times,
//! and at the end the participant's timeline is shown and exported for the facilitator.

use crate::app::Notices;
use crate::components::workbench::Workbench;
use crate::i18n::{key, tr};
use crate::session::{Sim, WorkbenchNav};
use leptos::prelude::*;
use opsdojo_engine::game::{Game, GameProgress, Opened, MAX_OPENED};
use opsdojo_engine::lesson::Tab;
use opsdojo_engine::time::SimDuration;
use opsdojo_engine::world::Scenario;
use std::time::Duration;

/// The fragment's prefix before a game's code.
pub const PREFIX: &str = "#game=";

/// How often the room's clock moves the world, in real milliseconds.
const FRAME_MS: u64 = 200;

/// How often the room's clock saves the participant's progress while it runs (their changes
/// with it), in real milliseconds; a panel opened, the end of the game and leaving the page
/// save at once.
const SAVE_EVERY_MS: f64 = 1000.0;

/// The most simulated time one frame catches up, so that a participant who joins late or
/// reloads catches the room up over a few frames rather than in one long one.
const CATCH_UP: SimDuration = SimDuration::from_minutes(20);

/// The code in this page's fragment, if it is a game link.
pub fn code_in_location() -> Option<String> {
    let hash = web_sys::window()?.location().hash().ok()?;
    hash.strip_prefix(PREFIX).map(str::to_string)
}

/// The game of a link code, read and checked against the page's world: `at` and `seed`.
pub async fn read(code: &str, at: &str, seed: u64) -> Result<Game, String> {
    let game = Game::from_text(&crate::share::decode(code).await?)?;
    if game.at != at {
        return Err(crate::share::OTHER_PLACE.to_string());
    }
    if game.seed != seed {
        return Err(crate::share::CHANGED.to_string());
    }
    Ok(game)
}

/// Tells why a game link did not open, and takes it out of the address: the page opens as
/// it would without it.
pub fn refused(game: Option<Result<Game, String>>) {
    if let Some(Err(reason)) = game {
        if let Some(notices) = use_context::<Notices>() {
            notices.push(true, key!("game.bad_link"), reason, None);
        }
        crate::share::leave_link();
    }
}

fn storage_key(game: &Game) -> String {
    format!("opsdojo.game.{}", game.id())
}

/// The participant's saved progress in `game`, if there is some that can be used.
fn saved(game: &Game) -> Option<GameProgress> {
    let text = crate::storage::read(&storage_key(game))?;
    match GameProgress::from_text(&text) {
        Ok(progress) => Some(progress),
        Err(why) => {
            if let Some(notices) = use_context::<Notices>() {
                notices.push(
                    true,
                    key!("game.bad_save"),
                    why,
                    Some(("game.json".into(), text)),
                );
            }
            None
        }
    }
}

/// `d h m s` of a simulated duration, for people: `1h05m`, `12m30s`.
fn short(duration: SimDuration) -> String {
    let seconds = duration.0 / 1000;
    let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    match (h, m) {
        (0, 0) => format!("{s}s"),
        (0, _) => format!("{m}m{s:02}s"),
        _ => format!("{h}h{m:02}m"),
    }
}

/// A game opened from its link, on `scenario` (the lesson's or the sandbox's).
#[component]
pub fn GamePlay(game: Game, scenario: Scenario) -> impl IntoView {
    let notices = use_context::<Notices>();
    let progress = saved(&game).unwrap_or_default();
    let scenario = game.scenario(scenario);
    let sim = Sim::for_game(scenario, &progress.actions);
    provide_context(sim);
    let nav = WorkbenchNav::new();
    nav.tab.set(Tab::Channel);
    provide_context(nav);
    let game = StoredValue::new(game);
    let participant = RwSignal::new(progress.participant.clone());
    let started = RwSignal::new(progress.started);
    let opened = StoredValue::new(progress.opened.clone());
    let joined = RwSignal::new(!progress.participant.is_empty());
    let over = RwSignal::new(false);
    let show_timeline = RwSignal::new(false);
    let failing = StoredValue::new(false);
    let last_save = StoredValue::new(0.0f64);

    let save = move || {
        let progress = GameProgress {
            participant: participant.get_untracked(),
            started: started.get_untracked(),
            actions: sim.actions(),
            opened: opened.get_value(),
        };
        let text = progress.to_text();
        match crate::storage::write(&storage_key(&game.get_value()), &text) {
            Ok(()) => failing.set_value(false),
            Err(reason) if !failing.get_value() => {
                failing.set_value(true);
                if let Some(notices) = notices {
                    notices.push(
                        true,
                        key!("game.save_failed"),
                        reason,
                        Some(("game.json".into(), text)),
                    );
                }
            }
            Err(_) => {}
        }
    };

    // The room's clock: the world follows the wall clock from the game's start.
    if let Ok(handle) = set_interval_with_handle(
        move || {
            if !joined.get_untracked() {
                return;
            }
            let Some(target) =
                game.with_value(|g| g.room_elapsed(js_sys::Date::now(), started.get_untracked()))
            else {
                return;
            };
            let behind = target.0 - sim.elapsed().0;
            if behind >= 1000 {
                sim.advance(SimDuration(behind.min(CATCH_UP.0)));
                // The clock's own moves are saved every few seconds, not at every frame.
                let now = js_sys::Date::now();
                if now - last_save.get_value() >= SAVE_EVERY_MS {
                    last_save.set_value(now);
                    save();
                }
            }
            let length = game.with_value(|g| g.length);
            if !over.get_untracked() && sim.elapsed() >= length {
                over.set(true);
                show_timeline.set(true);
                save();
            }
        },
        Duration::from_millis(FRAME_MS),
    ) {
        on_cleanup(move || handle.clear());
    }
    // What the participant looks at, for the timeline.
    Effect::new(move |previous: Option<Tab>| {
        let tab = nav.tab.get();
        if previous.is_some_and(|p| p != tab) && joined.get_untracked() {
            opened.update_value(|list| {
                if list.len() < MAX_OPENED {
                    list.push(Opened {
                        at: sim.elapsed(),
                        panel: tab.id().to_string(),
                    });
                }
            });
            save();
        }
        tab
    });
    let on_hide = window_event_listener(leptos::ev::pagehide, move |_| save());
    on_cleanup(move || on_hide.remove());

    let join = move || {
        let name = participant
            .get_untracked()
            .trim()
            .chars()
            .take(80)
            .collect::<String>();
        if name.is_empty() {
            return;
        }
        participant.set(name);
        if game.with_value(|g| g.starts.is_none()) && started.get_untracked().is_none() {
            started.set(Some(js_sys::Date::now() as u64));
        }
        joined.set(true);
        save();
    };
    let now_ms = RwSignal::new(js_sys::Date::now());
    if let Ok(handle) = set_interval_with_handle(
        move || now_ms.set(js_sys::Date::now()),
        Duration::from_millis(500),
    ) {
        on_cleanup(move || handle.clear());
    }
    let status = move || {
        let now = now_ms.get();
        let (starts, length, speed) =
            game.with_value(|g| (g.starts.or(started.get()), g.length, g.speed));
        let elapsed = sim.snapshot.with(|s| s.elapsed);
        match starts {
            Some(starts) if (starts as f64) > now => {
                let wait = ((starts as f64 - now) / 1000.0).ceil() as i64;
                format!("{} {}:{:02}", tr!("game.starts_in")(), wait / 60, wait % 60)
            }
            _ if elapsed >= length => tr!("game.over")().to_string(),
            _ => format!(
                "{} {} / {} · {speed}×",
                tr!("game.on")(),
                short(elapsed),
                short(length)
            ),
        }
    };
    let title = game.with_value(|g| g.title.clone());
    let clock = move || sim.snapshot.with(|s| s.now.to_string());
    view! {
        <div class="game-layout" data-testid="game" data-restored=sim.restored>
            <div class="game-intro">
                <h1>{title.clone()}</h1>
                <p>{tr!("game.lead")}</p>
            </div>
            <Workbench />
        </div>
        <footer class="clock-bar game-bar" data-testid="game-bar">
            <strong class="game-title">{title}</strong>
            <span class="game-status" data-testid="game-status" role="status">
                {status}
            </span>
            <span class="clock-now" data-testid="clock-now">
                {clock}
            </span>
            <span class="game-who">{move || participant.get()}</span>
            <button
                class="button button-small"
                data-testid="game-show-timeline"
                on:click=move |_| show_timeline.set(true)
            >
                {tr!("game.timeline")}
            </button>
        </footer>
        <Show when=move || !joined.get()>
            <div class="game-join-backdrop">
                <form
                    class="game-join"
                    data-testid="game-join"
                    on:submit=move |event| {
                        event.prevent_default();
                        join();
                    }
                >
                    <h2>{tr!("game.join_title")}</h2>
                    <p>{tr!("game.join_lead")}</p>
                    <label>
                        <span>{tr!("game.your_name")}</span>
                        <input
                            data-testid="game-name"
                            maxlength="80"
                            required
                            autofocus
                            prop:value=move || participant.get()
                            on:input=move |event| participant.set(event_target_value(&event))
                        />
                    </label>
                    <button class="button" type="submit" data-testid="game-start">
                        {tr!("game.join")}
                    </button>
                </form>
            </div>
        </Show>
        <Show when=move || show_timeline.get()>
            <TimelineDialog
                game=game
                participant=participant
                opened=opened
                over=over
                close=Callback::new(move |_| show_timeline.set(false))
            />
        </Show>
    }
}

/// The participant's timeline: what happened and when, with the file to hand in.
#[component]
fn TimelineDialog(
    game: StoredValue<Game>,
    participant: RwSignal<String>,
    opened: StoredValue<Vec<Opened>>,
    over: RwSignal<bool>,
    close: Callback<()>,
) -> impl IntoView {
    let sim = expect_context::<Sim>();
    // The faults are told only once the game is over.
    let computed = move || {
        sim.snapshot.track();
        let faults = if over.get() {
            game.with_value(|g| g.faults.clone())
        } else {
            Vec::new()
        };
        sim.timeline(&faults, &opened.get_value())
    };
    let export = move |_| {
        let (timeline, start) = computed();
        let name = participant.get_untracked();
        let file = game.with_value(|g| timeline.to_file(g, &name, start));
        let safe: String = name
            .chars()
            .map(|c| if c.is_alphanumeric() { c } else { '-' })
            .collect();
        crate::components::download::download_text(&format!("opsdojo-timeline-{safe}.json"), &file);
    };
    let figure = |value: Option<SimDuration>| value.map_or_else(|| "—".to_string(), short);
    view! {
        <div class="game-join-backdrop">
            <section
                class="game-timeline"
                data-testid="game-timeline"
                role="dialog"
                aria-label=tr!("game.timeline")
            >
                <h2>{tr!("game.timeline")}</h2>
                {move || {
                    let (timeline, _) = computed();
                    view! {
                        <dl class="game-figures">
                            <div>
                                <dt>{tr!("game.detected")}</dt>
                                <dd data-testid="game-detected">
                                    {figure(timeline.detected_after)}
                                </dd>
                            </div>
                            <div>
                                <dt>{tr!("game.responded")}</dt>
                                <dd>{figure(timeline.responded_after)}</dd>
                            </div>
                            <div>
                                <dt>{tr!("game.fixed")}</dt>
                                <dd data-testid="game-fixed">{figure(timeline.fixed_after)}</dd>
                            </div>
                        </dl>
                        <ol class="game-entries">
                            {timeline
                                .entries
                                .into_iter()
                                .map(|entry| {
                                    view! {
                                        <li class=format!(
                                            "game-entry game-entry-{}",
                                            entry.kind.as_str(),
                                        )>
                                            <time>{entry.clock.clone()}</time>
                                            <span class="game-kind">{entry.kind.as_str()}</span>
                                            <span>{entry.text}</span>
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ol>
                    }
                }}
                <div class="game-actions">
                    <button class="button" data-testid="game-export" on:click=export>
                        {tr!("game.export")}
                    </button>
                    <button class="button button-ghost" on:click=move |_| close.run(())>
                        {tr!("game.close")}
                    </button>
                </div>
            </section>
        </div>
    }
}
