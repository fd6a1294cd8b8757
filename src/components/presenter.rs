//! Presenter mode: the stage a speaker projects (one panel at a time, large text in high
//! contrast, the chrome hidden), the lesson's demo script stepped with the keys, and the
//! speaker window kept in step through a `BroadcastChannel`.
//!
//! Stepping forward plays the next step's action on the world as it is; stepping back
//! rebuilds the world from the scenario's start with the steps before, so that it is exactly
//! what it was.

use crate::components::clock_bar::typing_in_a_field;
use crate::i18n::{self, tr};
use crate::session::{Sim, WorkbenchNav};
use leptos::prelude::*;
use opsdojo_engine::lesson::{DemoStep, Tab};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// The channel the stage and the speaker window talk on.
const CHANNEL: &str = "opsdojo-stage";

/// The largest message either window reads, in bytes.
const MESSAGE_MAX_BYTES: usize = 256 * 1024;

/// What the stage tells the speaker window.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StageState {
    pub title: String,
    /// Steps played, from 0 to `notes.len()`.
    pub played: usize,
    /// Each step's note and checkpoint name.
    pub notes: Vec<(String, Option<String>)>,
    pub clock: String,
    pub playing: bool,
    pub panel: String,
}

/// What goes over the channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Message {
    /// A speaker window asks for the stage's state.
    Hello,
    State(StageState),
    Next,
    Back,
    Go {
        step: usize,
    },
    Play,
}

impl Message {
    /// Reads a message from the other window, refusing anything too large or malformed.
    fn read(data: &JsValue) -> Option<Message> {
        let text = data.as_string()?;
        if text.len() > MESSAGE_MAX_BYTES {
            return None;
        }
        serde_json::from_str(&text).ok()
    }
}

/// The page's presenter state, shared through context.
#[derive(Clone, Copy)]
pub struct Presenter {
    pub on: RwSignal<bool>,
    /// The panel the stage shows: `text` or a workbench tab.
    pub panel: RwSignal<Tab>,
    /// Demo steps played so far.
    pub played: RwSignal<usize>,
    demo: StoredValue<Vec<DemoStep>>,
    title: StoredValue<String>,
    channel: StoredValue<Option<web_sys::BroadcastChannel>>,
}

/// Whether the page's address asks for presenter mode (`?present`).
fn asked_in_location() -> bool {
    window().location().search().ok().is_some_and(|search| {
        search
            .trim_start_matches('?')
            .split('&')
            .any(|pair| pair == "present" || pair.starts_with("present="))
    })
}

/// Puts `?present` in the address, or takes it out, keeping the rest of the query and the
/// fragment.
fn write_location(on: bool) {
    let location = window().location();
    let (Ok(path), Ok(search), Ok(hash)) =
        (location.pathname(), location.search(), location.hash())
    else {
        return;
    };
    let kept: Vec<&str> = search
        .trim_start_matches('?')
        .split('&')
        .filter(|pair| !pair.is_empty() && *pair != "present" && !pair.starts_with("present="))
        .collect();
    let mut query = kept.join("&");
    if on {
        query = if query.is_empty() {
            "present".to_string()
        } else {
            format!("{query}&present")
        };
    }
    let url = if query.is_empty() {
        format!("{path}{hash}")
    } else {
        format!("{path}?{query}{hash}")
    };
    if let Ok(history) = window().history() {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&url));
    }
}

impl Presenter {
    /// The presenter of a page with a demo script (empty in the sandbox); on when the address
    /// says `?present`. Listens to the keys and to the speaker window.
    pub fn install(demo: Vec<DemoStep>, title: String, sim: Sim, nav: WorkbenchNav) -> Self {
        let presenter = Presenter {
            on: RwSignal::new(asked_in_location()),
            panel: RwSignal::new(Tab::Text),
            played: RwSignal::new(0),
            demo: StoredValue::new(demo),
            title: StoredValue::new(title),
            channel: StoredValue::new(web_sys::BroadcastChannel::new(CHANNEL).ok()),
        };
        provide_context(presenter);

        // The root element carries the mode, so that the stylesheet hides the chrome.
        crate::components::root_attribute("data-present", move || {
            presenter.on.get().then_some("stage")
        });

        let keys = window_event_listener(leptos::ev::keydown, move |event| {
            if event.ctrl_key() || event.meta_key() || event.alt_key() || typing_in_a_field(&event)
            {
                return;
            }
            let key = event.key();
            if matches!(key.as_str(), "p" | "P") {
                presenter.toggle();
                return;
            }
            if !presenter.on.get_untracked() {
                return;
            }
            match key.as_str() {
                "Escape" => presenter.toggle(),
                "ArrowRight" | "PageDown" => {
                    event.prevent_default();
                    presenter.next(sim, nav);
                }
                "ArrowLeft" | "PageUp" => {
                    event.prevent_default();
                    presenter.back(sim, nav);
                }
                "s" | "S" => open_speaker_window(),
                digit if digit.len() == 1 && digit.as_bytes()[0].is_ascii_digit() => {
                    let index = (usize::from(digit.as_bytes()[0] - b'0') + 9) % 10;
                    if let Some(panel) = Tab::ALL.get(index) {
                        presenter.show(*panel, nav);
                    }
                }
                _ => {}
            }
        });
        on_cleanup(move || keys.remove());

        // The speaker window asks for the state and steps the stage.
        if let Some(channel) = presenter.channel.get_value() {
            let on_message = Closure::<dyn Fn(web_sys::MessageEvent)>::new(
                move |event: web_sys::MessageEvent| match Message::read(&event.data()) {
                    Some(Message::Hello) => presenter.post(sim),
                    Some(Message::Next) => presenter.next(sim, nav),
                    Some(Message::Back) => presenter.back(sim, nav),
                    Some(Message::Go { step }) => presenter.go(step, sim, nav),
                    Some(Message::Play) => sim.playing.update(|playing| *playing = !*playing),
                    _ => {}
                },
            );
            channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
            let held = send_wrapper::SendWrapper::new((channel, on_message));
            on_cleanup(move || {
                let (channel, on_message) = held.take();
                channel.set_onmessage(None);
                channel.close();
                drop(on_message);
            });
        }
        // Every change the speaker window shows is posted: the step, the panel, the clock.
        Effect::new(move |_| {
            presenter.played.track();
            presenter.panel.track();
            sim.playing.track();
            sim.snapshot.with(|s| s.now);
            presenter.post(sim);
        });
        presenter
    }

    pub fn toggle(&self) {
        let on = !self.on.get_untracked();
        self.on.set(on);
        write_location(on);
    }

    /// Shows `panel` on the stage (and in the workbench, when it is one of its tabs).
    pub fn show(&self, panel: Tab, nav: WorkbenchNav) {
        if panel != Tab::Text {
            nav.tab.set(panel);
        }
        self.panel.set(panel);
    }

    pub fn steps(&self) -> usize {
        self.demo.with_value(Vec::len)
    }

    /// Plays the next step on the world as it is.
    pub fn next(&self, sim: Sim, nav: WorkbenchNav) {
        let played = self.played.get_untracked();
        let Some(step) = self.demo.with_value(|demo| demo.get(played).cloned()) else {
            return;
        };
        if let Some(action) = step.action {
            sim.apply(action);
        }
        if let Some(panel) = step.panel {
            self.show(panel, nav);
        }
        self.played.set(played + 1);
    }

    /// Goes back one step, exactly.
    pub fn back(&self, sim: Sim, nav: WorkbenchNav) {
        let played = self.played.get_untracked();
        if played > 0 {
            self.go(played - 1, sim, nav);
        }
    }

    /// The world as it is after the first `step` steps, replayed from the start.
    pub fn go(&self, step: usize, sim: Sim, nav: WorkbenchNav) {
        let Some((actions, panel)) = self.demo.with_value(|demo| {
            let before = demo.get(..step)?;
            let actions: Vec<_> = before.iter().filter_map(|s| s.action.clone()).collect();
            let panel = before
                .iter()
                .rev()
                .find_map(|s| s.panel)
                .unwrap_or(Tab::Text);
            Some((actions, panel))
        }) else {
            return;
        };
        sim.rebuild(&actions);
        self.show(panel, nav);
        self.played.set(step);
    }

    fn post(&self, sim: Sim) {
        let Some(channel) = self.channel.get_value() else {
            return;
        };
        let state = StageState {
            title: self.title.get_value(),
            played: self.played.get_untracked(),
            notes: self.demo.with_value(|demo| {
                demo.iter()
                    .map(|s| (s.note.clone(), s.checkpoint.clone()))
                    .collect()
            }),
            clock: sim.snapshot.with_untracked(|s| s.now.to_string()),
            playing: sim.playing.get_untracked(),
            panel: self.panel.get_untracked().id().to_string(),
        };
        if let Ok(text) = serde_json::to_string(&Message::State(state)) {
            let _ = channel.post_message(&JsValue::from_str(&text));
        }
    }
}

fn open_speaker_window() {
    let _ = window().open_with_url_and_target_and_features(
        "/speaker",
        "opsdojo-speaker",
        "popup,width=960,height=720",
    );
}

/// The stage: a bar with the panels and the demo's position, then one panel.
#[component]
pub fn Stage(text: ViewFn) -> impl IntoView {
    let presenter = expect_context::<Presenter>();
    let sim = expect_context::<Sim>();
    let nav = expect_context::<WorkbenchNav>();
    let steps = presenter.steps();
    // The workbench stays mounted while the speaker moves between its panels.
    let showing_text = Memo::new(move |_| presenter.panel.get() == Tab::Text);
    let options = move || {
        Tab::ALL
            .into_iter()
            .enumerate()
            .map(|(index, panel)| {
                let label = i18n::text(crate::components::workbench::tab_label(panel));
                let key = (index + 1) % 10;
                view! {
                    <option value=panel.id() selected=move || presenter.panel.get() == panel>
                        {move || format!("{key} · {}", label())}
                    </option>
                }
            })
            .collect_view()
    };
    view! {
        <div class="presenter" data-testid="presenter">
            <nav class="stage-bar" aria-label=move || tr!("stage.panels")()>
                <select
                    class="stage-select"
                    data-testid="stage-select"
                    aria-label=move || tr!("stage.panels")()
                    on:change=move |event| {
                        let chosen = event_target_value(&event);
                        if let Some(panel) = Tab::parse(&chosen) {
                            presenter.show(panel, nav);
                        }
                    }
                >
                    {options}
                </select>
                <span class="stage-spacer"></span>
                {(steps > 0)
                    .then(|| {
                        view! {
                            <button
                                class="stage-step-button"
                                aria-label=move || tr!("stage.back")()
                                data-testid="stage-back"
                                disabled=move || presenter.played.get() == 0
                                on:click=move |_| presenter.back(sim, nav)
                            >
                                "←"
                            </button>
                            <span class="stage-step" data-testid="stage-step">
                                {move || format!("{} / {steps}", presenter.played.get())}
                            </span>
                            <button
                                class="stage-step-button"
                                aria-label=move || tr!("stage.next")()
                                data-testid="stage-next"
                                disabled=move || { presenter.played.get() >= steps }
                                on:click=move |_| presenter.next(sim, nav)
                            >
                                "→"
                            </button>
                        }
                    })}
                <button
                    class="stage-step-button"
                    title=move || tr!("stage.speaker")()
                    on:click=move |_| open_speaker_window()
                >
                    {tr!("stage.speaker_short")}
                </button>
                <button
                    class="stage-step-button"
                    title=move || tr!("stage.leave")()
                    data-testid="stage-leave"
                    on:click=move |_| presenter.toggle()
                >
                    {tr!("stage.leave_short")}
                </button>
            </nav>
            <div
                class="stage-panel"
                data-testid="stage-panel"
                data-panel=move || presenter.panel.get().id()
            >
                {move || {
                    if showing_text.get() {
                        view! { <article class="stage-text">{text.run()}</article> }.into_any()
                    } else {
                        view! { <crate::components::workbench::Workbench /> }.into_any()
                    }
                }}
            </div>
        </div>
    }
}

/// The speaker window: the current step's note, the next one, the clock, and the buttons that
/// step the stage. It holds no world: everything comes from the stage over the channel.
#[component]
pub fn SpeakerPage() -> impl IntoView {
    let state = RwSignal::new(None::<StageState>);
    let channel = StoredValue::new(web_sys::BroadcastChannel::new(CHANNEL).ok());
    let send = move |message: Message| {
        if let (Some(channel), Ok(text)) = (channel.get_value(), serde_json::to_string(&message)) {
            let _ = channel.post_message(&JsValue::from_str(&text));
        }
    };
    crate::components::root_attribute("data-present", || Some("speaker"));
    if let Some(channel) = channel.get_value() {
        let on_message =
            Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
                if let Some(Message::State(stage)) = Message::read(&event.data()) {
                    if stage.played <= stage.notes.len() {
                        state.set(Some(stage));
                    }
                }
            });
        channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        let held = send_wrapper::SendWrapper::new((channel, on_message));
        on_cleanup(move || {
            let (channel, on_message) = held.take();
            channel.set_onmessage(None);
            channel.close();
            drop(on_message);
        });
    }
    send(Message::Hello);
    let keys = window_event_listener(leptos::ev::keydown, move |event| {
        match event.key().as_str() {
            "ArrowRight" | "PageDown" => send(Message::Next),
            "ArrowLeft" | "PageUp" => send(Message::Back),
            " " => {
                event.prevent_default();
                send(Message::Play);
            }
            _ => {}
        }
    });
    on_cleanup(move || keys.remove());
    let note = move |offset: usize| {
        state.with(|state| {
            state.as_ref().and_then(|s| {
                (s.played + offset)
                    .checked_sub(1)
                    .and_then(|index| s.notes.get(index))
                    .map(|(note, _)| note.clone())
            })
        })
    };
    view! {
        <div class="speaker" data-testid="speaker">
            <Show
                when=move || state.with(Option::is_some)
                fallback=move || {
                    view! {
                        <div class="speaker-waiting" role="status">
                            <h1>{tr!("speaker.waiting")}</h1>
                            <p>{tr!("speaker.how")}</p>
                        </div>
                    }
                }
            >
                <header class="speaker-head">
                    <h1>{move || state.with(|s| s.as_ref().map(|s| s.title.clone()))}</h1>
                    <span class="speaker-clock" data-testid="speaker-clock">
                        {move || state.with(|s| s.as_ref().map(|s| s.clock.clone()))}
                    </span>
                    <span class="speaker-step" data-testid="speaker-step">
                        {move || {
                            state
                                .with(|s| {
                                    s.as_ref().map(|s| format!("{} / {}", s.played, s.notes.len()))
                                })
                        }}
                    </span>
                </header>
                <section class="speaker-now">
                    <h2>{tr!("speaker.now")}</h2>
                    <p data-testid="speaker-note">
                        {move || note(0).unwrap_or_else(|| tr!("speaker.before")().to_string())}
                    </p>
                </section>
                <section class="speaker-next">
                    <h2>{tr!("speaker.next")}</h2>
                    <p data-testid="speaker-next">
                        {move || note(1).unwrap_or_else(|| tr!("speaker.end")().to_string())}
                    </p>
                </section>
                <div class="speaker-buttons">
                    <button
                        class="button"
                        data-testid="speaker-back"
                        on:click=move |_| send(Message::Back)
                    >
                        {tr!("stage.back")}
                    </button>
                    <button class="button button-ghost" on:click=move |_| send(Message::Play)>
                        {move || {
                            if state.with(|s| s.as_ref().is_some_and(|s| s.playing)) {
                                tr!("clock.pause")()
                            } else {
                                tr!("clock.play")()
                            }
                        }}
                    </button>
                    <button
                        class="button"
                        data-testid="speaker-forward"
                        on:click=move |_| send(Message::Next)
                    >
                        {tr!("stage.next")}
                    </button>
                </div>
                <p class="speaker-keys">{tr!("speaker.keys")}</p>
                <ol class="speaker-steps">
                    {move || {
                        state
                            .with(|s| s.as_ref().map(|s| (s.notes.clone(), s.played)))
                            .map(|(notes, played)| {
                                notes
                                    .into_iter()
                                    .enumerate()
                                    .map(|(index, (note, name))| {
                                        view! {
                                            <li
                                                class:current=index + 1 == played
                                                class:done=index < played
                                            >
                                                <button
                                                    class="speaker-step-link"
                                                    on:click=move |_| send(Message::Go { step: index + 1 })
                                                >
                                                    {name
                                                        .map(|n| {
                                                            view! { <span class="speaker-checkpoint">{n}</span> }
                                                        })}
                                                    {note}
                                                </button>
                                            </li>
                                        }
                                    })
                                    .collect_view()
                            })
                    }}
                </ol>
            </Show>
        </div>
    }
}
