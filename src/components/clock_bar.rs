//! The clock bar: play, pause, speed, step, reset, and the simulated time, with keyboard
//! shortcuts (Space, `.`, `R`) that work anywhere but in a text field or the editor.

use crate::i18n::tr;
use crate::session::{Sim, SPEEDS};
use leptos::prelude::*;
use opsdojo_engine::time::SimDuration;
use std::time::Duration;
use wasm_bindgen::JsCast;

/// How often the clock moves the world while playing, in real milliseconds.
const FRAME_MS: u64 = 100;

/// The real time a frame may spend simulating; the rest of a frame is the page's, to draw
/// and to answer the learner. At speeds the machine cannot keep, the clock runs slower.
const SIMULATION_BUDGET_MS: f64 = 30.0;

/// Simulated time a frame may carry over to the next when its budget ran out, in frames.
const MAX_OWED_FRAMES: i64 = 2;

#[component]
pub fn ClockBar() -> impl IntoView {
    let sim = expect_context::<Sim>();

    Effect::new(move |previous: Option<Option<IntervalHandle>>| {
        if let Some(Some(handle)) = previous {
            handle.clear();
        }
        if !sim.playing.get() {
            // The last frame's refresh, if still queued, shows where the clock stopped.
            sim.settle();
            return None;
        }
        let owed = StoredValue::new(0i64);
        set_interval_with_handle(
            move || {
                let frame = i64::from(sim.speed.get_untracked()) * FRAME_MS as i64;
                let wanted = (owed.get_value() + frame).min(frame * MAX_OWED_FRAMES);
                let moved = sim.play_for(SimDuration(wanted), SIMULATION_BUDGET_MS);
                owed.set_value(wanted - moved.0);
            },
            Duration::from_millis(FRAME_MS),
        )
        .ok()
    });

    let keys = window_event_listener(leptos::ev::keydown, move |event| {
        if event.ctrl_key() || event.meta_key() || event.alt_key() || typing_in_a_field(&event) {
            return;
        }
        match event.key().as_str() {
            " " => {
                event.prevent_default();
                sim.playing.update(|playing| *playing = !*playing);
            }
            "." => sim.step(),
            "r" | "R" => sim.reset(),
            _ => {}
        }
    });
    on_cleanup(move || keys.remove());

    let play_label = tr!("clock.play");
    let pause_label = tr!("clock.pause");
    let play_title = move || {
        if sim.playing.get() {
            pause_label()
        } else {
            play_label()
        }
    };
    let day = tr!("clock.day");
    let now = move || {
        let text = sim.snapshot.with(|s| s.now.to_string());
        match text.strip_prefix("day ") {
            Some(rest) => format!("{} {rest}", day()),
            None => text,
        }
    };
    let elapsed = move || sim.snapshot.with(|s| s.elapsed.to_string());
    view! {
        <footer class="clock-bar" data-testid="clock-bar">
            <div class="clock-controls">
                <button
                    class="clock-button clock-play"
                    data-testid="clock-play"
                    class:playing=move || sim.playing.get()
                    title=play_title
                    aria-label=play_title
                    on:click=move |_| sim.playing.update(|playing| *playing = !*playing)
                >
                    {move || if sim.playing.get() { icon(PAUSE_ICON) } else { icon(PLAY_ICON) }}
                </button>
                <button
                    class="clock-button"
                    data-testid="clock-step"
                    title=tr!("clock.step")
                    aria-label=tr!("clock.step")
                    on:click=move |_| sim.step()
                >
                    {icon(STEP_ICON)}
                </button>
                <button
                    class="clock-button"
                    data-testid="clock-reset"
                    title=tr!("clock.reset")
                    aria-label=tr!("clock.reset")
                    on:click=move |_| sim.reset()
                >
                    {icon(RESET_ICON)}
                </button>
            </div>
            <label class="clock-speed">
                <span>{tr!("clock.speed")}</span>
                <select
                    data-testid="clock-speed"
                    on:change=move |event| {
                        if let Ok(speed) = event_target_value(&event).parse::<u32>() {
                            if SPEEDS.contains(&speed) {
                                sim.speed.set(speed);
                            }
                        }
                    }
                >
                    {SPEEDS
                        .iter()
                        .map(|speed| {
                            let speed = *speed;
                            view! {
                                <option
                                    value=speed.to_string()
                                    selected=move || sim.speed.get() == speed
                                >
                                    {format!("{speed}×")}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </label>
            <div class="clock-time">
                <span class="clock-now" data-testid="clock-now">
                    {now}
                </span>
                <span class="clock-elapsed">"+" {elapsed} " " {tr!("clock.elapsed")}</span>
            </div>
            <crate::components::share::ShareButton />
            {use_context::<crate::components::presenter::Presenter>()
                .map(|presenter| {
                    view! {
                        <button
                            class="button button-small button-ghost clock-present"
                            data-testid="present"
                            aria-pressed=move || presenter.on.get().to_string()
                            on:click=move |_| presenter.toggle()
                        >
                            {move || {
                                if presenter.on.get() {
                                    tr!("stage.leave_short")()
                                } else {
                                    tr!("stage.enter")()
                                }
                            }}
                        </button>
                    }
                })}
            {use_context::<crate::components::facilitator::Facilitation>()
                .map(|facilitation| {
                    view! {
                        <button
                            class="button button-small button-ghost"
                            data-testid="facilitate"
                            aria-pressed=move || facilitation.open.get().to_string()
                            on:click=move |_| facilitation.toggle()
                        >
                            {tr!("fac.button")}
                        </button>
                    }
                })}
            <div class="clock-keys" aria-hidden="true">
                <kbd>{tr!("clock.key_space")}</kbd>
                " "
                {tr!("clock.keys_play")}
                " · "
                <kbd>"."</kbd>
                " "
                {tr!("clock.keys_step")}
                " · "
                <kbd>"R"</kbd>
                " "
                {tr!("clock.keys_reset")}
                {use_context::<crate::components::presenter::Presenter>()
                    .map(|_| {
                        view! {
                            " · "
                            <kbd>"P"</kbd>
                            " "
                            {tr!("clock.keys_present")}
                        }
                    })}
            </div>
        </footer>
    }
}

pub fn typing_in_a_field(event: &web_sys::KeyboardEvent) -> bool {
    let Some(element) = event
        .target()
        .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
    else {
        return false;
    };
    matches!(element.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
        || element.closest(".cm-editor").ok().flatten().is_some()
}

const PLAY_ICON: &str = "M8 5v14l11-7z";
const PAUSE_ICON: &str = "M7 5h4v14H7zM13 5h4v14h-4z";
const STEP_ICON: &str = "M6 5v14l9-7zM16 5h3v14h-3z";
const RESET_ICON: &str = "M12 5V2L7 6l5 4V7a5 5 0 1 1-5 5H5a7 7 0 1 0 7-7z";

/// A 24-pixel icon drawn from one SVG path.
fn icon(path: &'static str) -> impl IntoView {
    view! {
        <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" fill="currentColor">
            <path d=path></path>
        </svg>
    }
}
