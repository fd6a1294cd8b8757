//! The facilitator's console of a game day (`?facilitate`, or **Facilitate** in the clock
//! bar): faults injected into the page's world while its clock runs, a game prepared ahead and
//! handed out as a link, and the participants' timelines read back. <kbd>F</kbd> hides it from
//! a projected screen.

use crate::i18n::{key, text, tr, Key};
use crate::session::Sim;
use leptos::prelude::*;
use opsdojo_engine::game::{
    Game, Injection, PlannedFault, FINDING_RULES, GAME_FORMAT, GAME_SPEEDS, MAX_FAULTS,
};
use opsdojo_engine::platform::Platform;
use opsdojo_engine::time::SimDuration;
use opsdojo_engine::world::database::INSTANCE_CLASSES;
use opsdojo_engine::world::{Action, FAULT_STATUSES};
use wasm_bindgen::JsCast;

/// The query parameter that opens the console.
pub const PARAM: &str = "facilitate";

/// Whether the console is open on the page, shared through context with the clock bar.
#[derive(Clone, Copy)]
pub struct Facilitation {
    pub open: RwSignal<bool>,
    /// Hidden from the room with F, still open.
    pub hidden: RwSignal<bool>,
}

impl Facilitation {
    /// Open when the page's address asks for it; a console in its own window reaches `sim`
    /// over a `BroadcastChannel`.
    pub fn install(sim: Sim) -> Self {
        let asked = web_sys::window()
            .and_then(|w| w.location().search().ok())
            .and_then(|search| web_sys::UrlSearchParams::new_with_str(&search).ok())
            .is_some_and(|params| params.has(PARAM));
        let facilitation = Facilitation {
            open: RwSignal::new(asked),
            hidden: RwSignal::new(false),
        };
        provide_context(facilitation);
        let keys = window_event_listener(leptos::ev::keydown, move |event| {
            if event.ctrl_key()
                || event.meta_key()
                || event.alt_key()
                || crate::components::clock_bar::typing_in_a_field(&event)
            {
                return;
            }
            if matches!(event.key().as_str(), "f" | "F") && facilitation.open.get_untracked() {
                facilitation.hidden.update(|hidden| *hidden = !*hidden);
            }
        });
        on_cleanup(move || keys.remove());
        serve_console_window(sim, facilitation.open);
        // The page makes room for the console, unless it is hidden from the room.
        crate::components::root_attribute("data-facilitate", move || {
            (facilitation.open.get() && !facilitation.hidden.get()).then_some("")
        });
        facilitation
    }

    pub fn toggle(&self) {
        self.open.update(|open| *open = !*open);
        self.hidden.set(false);
    }
}

/// What the console's choices are made of: the platform's environments (production last),
/// and its services with their routes.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
struct Names {
    environments: Vec<String>,
    services: Vec<(String, Vec<String>)>,
}

impl Names {
    fn of(platform: &Platform) -> Self {
        Names {
            environments: platform.environment_names().map(String::from).collect(),
            services: platform
                .services
                .iter()
                .map(|s| {
                    let routes = s.routes.iter().map(|r| r.name.clone()).collect();
                    (s.name.clone(), routes)
                })
                .collect(),
        }
    }
}

/// The channel between the world's page and a console in its own window.
const CHANNEL: &str = "opsdojo-facilitate";

/// The largest message read from the channel.
const MESSAGE_MAX_BYTES: usize = 64 * 1024;

/// What the world's page and the console's window say to each other.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Message {
    /// The console asks for the world's state.
    Hello,
    /// The world's place, its page's address, the faults injected so far, and the names of
    /// its platform.
    State {
        at: String,
        seed: u64,
        address: String,
        injected: Vec<(String, String)>,
        #[serde(default)]
        names: Names,
    },
    /// The console injects a fault.
    Inject { fault: Injection },
}

impl Message {
    fn read(data: &wasm_bindgen::JsValue) -> Option<Message> {
        let text = data.as_string()?;
        if text.len() > MESSAGE_MAX_BYTES {
            return None;
        }
        serde_json::from_str(&text).ok()
    }

    fn post(&self, channel: &web_sys::BroadcastChannel) {
        if let Ok(text) = serde_json::to_string(self) {
            let _ = channel.post_message(&wasm_bindgen::JsValue::from_str(&text));
        }
    }
}

/// Opens the console in its own window, for the facilitator's screen.
fn open_console_window() {
    let _ = window().open_with_url_and_target_and_features(
        "/facilitate",
        "opsdojo-facilitate",
        "popup,width=440,height=900",
    );
}

/// Listens, on the world's page, for a console in its own window: while the page facilitates,
/// answers its hello with the world's state, applies the faults it injects (checked first),
/// and tells it each new one. A page that does not facilitate ignores it.
fn serve_console_window(sim: Sim, open: RwSignal<bool>) {
    use wasm_bindgen::closure::Closure;
    let Ok(channel) = web_sys::BroadcastChannel::new(CHANNEL) else {
        return;
    };
    let listening = RwSignal::new(false);
    let state = move || {
        let (at, seed) = sim.place();
        Message::State {
            at,
            seed,
            address: crate::share::page_address(),
            injected: sim.injected(),
            names: Names::of(&sim.platform()),
        }
    };
    let replies = channel.clone();
    let on_message =
        Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
            match Message::read(&event.data()) {
                _ if !open.get_untracked() => {}
                Some(Message::Hello) => {
                    listening.set(true);
                    state().post(&replies);
                }
                Some(Message::Inject { fault }) if fault.check(&sim.platform()).is_ok() => {
                    sim.apply(Action::Inject { fault });
                }
                _ => {}
            }
        });
    channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // Once a console listens, each change of the faults injected is posted to it.
    let updates = send_wrapper::SendWrapper::new(channel.clone());
    Effect::new(move |last: Option<usize>| {
        if !listening.get() {
            return 0;
        }
        sim.snapshot.track();
        let count = sim.injected().len();
        if last != Some(count) {
            state().post(&updates);
        }
        count
    });
    let held = send_wrapper::SendWrapper::new((channel, on_message));
    on_cleanup(move || {
        let (channel, on_message) = held.take();
        channel.set_onmessage(None);
        channel.close();
        drop(on_message);
    });
}

/// The console in its own window (`/facilitate`): it holds no world and acts on the room's
/// page over the channel.
#[component]
pub fn FacilitatorWindow() -> impl IntoView {
    use wasm_bindgen::closure::Closure;
    let state = RwSignal::new(None::<(String, u64, String, Vec<(String, String)>)>);
    let names = RwSignal::new(Names::of(&Platform::standard()));
    let channel = StoredValue::new(web_sys::BroadcastChannel::new(CHANNEL).ok());
    if let Some(channel) = channel.get_value() {
        let on_message =
            Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
                if let Some(Message::State {
                    at,
                    seed,
                    address,
                    injected,
                    names: named,
                }) = Message::read(&event.data())
                {
                    state.set(Some((at, seed, address, injected)));
                    if !named.environments.is_empty() && named != names.get_untracked() {
                        names.set(named);
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
    let send = move |message: Message| {
        if let Some(channel) = channel.get_value() {
            message.post(&channel);
        }
    };
    // A window of its own, beside the room's page: no top bar.
    crate::components::root_attribute("data-window", || Some("facilitate"));
    // The room's page may open after this window: ask until it answers.
    send(Message::Hello);
    if let Ok(handle) = set_interval_with_handle(
        move || {
            if state.with_untracked(Option::is_none) {
                send(Message::Hello);
            }
        },
        std::time::Duration::from_millis(1000),
    ) {
        on_cleanup(move || handle.clear());
    }
    let target = Target {
        injected: Signal::derive(move || {
            state.with(|s| s.as_ref().map(|s| s.3.clone()).unwrap_or_default())
        }),
        place: Signal::derive(move || {
            state.with(|s| {
                s.as_ref()
                    .map(|(at, seed, address, _)| (at.clone(), *seed, address.clone()))
            })
        }),
        inject: Callback::new(move |fault| send(Message::Inject { fault })),
        names: names.into(),
        docked: false,
    };
    view! {
        <div class="facilitator-page" data-testid="facilitator-window">
            <p class="fac-connection" role="status">
                {move || {
                    match state.get() {
                        Some((at, ..)) => format!("{} {at}", tr!("fac.connected")()),
                        None => tr!("fac.waiting")().to_string(),
                    }
                }}
            </p>
            <Console target=target />
        </div>
    }
}

/// The kinds of fault, as the console names them.
const KINDS: [(&str, Key); 6] = [
    ("errors", key!("fac.kind_errors")),
    ("crash", key!("fac.kind_crash")),
    ("burst", key!("fac.kind_burst")),
    ("bad_release", key!("fac.kind_bad_release")),
    ("database_class", key!("fac.kind_database")),
    ("finding", key!("fac.kind_finding")),
];

/// The fault the form describes.
#[derive(Clone, Copy)]
struct FaultForm {
    kind: RwSignal<String>,
    env: RwSignal<String>,
    service: RwSignal<String>,
    route: RwSignal<String>,
    status: RwSignal<String>,
    percent: RwSignal<String>,
    factor: RwSignal<String>,
    minutes: RwSignal<String>,
    version: RwSignal<String>,
    class: RwSignal<String>,
    rule: RwSignal<String>,
}

impl FaultForm {
    fn new(names: &Names) -> Self {
        FaultForm {
            kind: RwSignal::new("errors".into()),
            env: RwSignal::new(names.environments.last().cloned().unwrap_or_default()),
            service: RwSignal::new(
                names
                    .services
                    .first()
                    .map(|s| s.0.clone())
                    .unwrap_or_default(),
            ),
            route: RwSignal::new(String::new()),
            status: RwSignal::new("500".into()),
            percent: RwSignal::new("30".into()),
            factor: RwSignal::new("4".into()),
            minutes: RwSignal::new("30".into()),
            version: RwSignal::new("9.9.9".into()),
            class: RwSignal::new("db.t3.medium".into()),
            rule: RwSignal::new(FINDING_RULES[0].0.into()),
        }
    }

    /// The fault, or why the form does not describe one.
    fn injection(&self) -> Result<Injection, String> {
        let number = |signal: RwSignal<String>, what: &str| {
            signal
                .get()
                .trim()
                .parse::<u32>()
                .map_err(|_| format!("{what} is not a whole number"))
        };
        let lasts = || -> Result<Option<SimDuration>, String> {
            let minutes = number(self.minutes, "minutes")?;
            Ok((minutes > 0).then(|| SimDuration::from_minutes(i64::from(minutes))))
        };
        let env = self.env.get();
        let service = self.service.get();
        let fault = match self.kind.get().as_str() {
            "errors" => Injection::Errors {
                env,
                route: Some(self.route.get()).filter(|r| !r.is_empty()),
                service,
                status: self.status.get(),
                percent: number(self.percent, "percent")?,
                lasts: lasts()?,
            },
            "crash" => Injection::Crash { env, service },
            "burst" => Injection::Burst {
                env,
                service: Some(service).filter(|s| s != "*"),
                factor: number(self.factor, "factor")?,
                lasts: lasts()?,
            },
            "bad_release" => Injection::BadRelease {
                env,
                service,
                version: self.version.get().trim().to_string(),
                percent: number(self.percent, "percent")?,
            },
            "database_class" => Injection::DatabaseClass {
                env,
                class: self.class.get(),
            },
            _ => Injection::Finding {
                env,
                rule: self.rule.get(),
            },
        };
        // The world's page checks it against its platform when it comes.
        fault.check_shape()?;
        Ok(fault)
    }
}

/// A `<select>` over `options` (value, label) bound to `value`.
fn select(
    label: Key,
    test_id: &'static str,
    value: RwSignal<String>,
    options: Vec<(String, String)>,
) -> impl IntoView {
    view! {
        <label class="fac-field">
            <span>{text(label)}</span>
            <select
                data-testid=test_id
                on:change=move |event| value.set(event_target_value(&event))
            >
                {options
                    .into_iter()
                    .map(|(option, text)| {
                        let selected = option.clone();
                        view! {
                            <option value=option selected=move || value.get() == selected>
                                {text}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </label>
    }
}

fn field(label: Key, test_id: &'static str, value: RwSignal<String>) -> impl IntoView {
    view! {
        <label class="fac-field">
            <span>{text(label)}</span>
            <input
                data-testid=test_id
                prop:value=move || value.get()
                on:input=move |event| value.set(event_target_value(&event))
            />
        </label>
    }
}

fn owned_pairs<'a>(items: impl IntoIterator<Item = &'a String>) -> Vec<(String, String)> {
    items
        .into_iter()
        .map(|item| (item.clone(), item.clone()))
        .collect()
}

fn pairs(items: impl IntoIterator<Item = &'static str>) -> Vec<(String, String)> {
    items
        .into_iter()
        .map(|item| (item.to_string(), item.to_string()))
        .collect()
}

/// The world the console acts on: the page's own, or the room's page seen from the console's
/// own window.
#[derive(Clone, Copy)]
struct Target {
    /// The faults injected so far: when, and what.
    injected: Signal<Vec<(String, String)>>,
    /// Where the world comes from (lesson or sandbox), its seed, and the page's address.
    place: Signal<Option<(String, u64, String)>>,
    inject: Callback<Injection>,
    /// The platform's environments, services and routes.
    names: Signal<Names>,
    /// Whether this console is docked on the world's page (it can pop out).
    docked: bool,
}

/// The console docked on the world's page.
#[component]
pub fn FacilitatorConsole() -> impl IntoView {
    let sim = expect_context::<Sim>();
    let injected = Memo::new(move |_| {
        sim.snapshot.track();
        sim.injected()
    });
    let target = Target {
        injected: injected.into(),
        place: Signal::derive(move || {
            let (at, seed) = sim.place();
            Some((at, seed, crate::share::page_address()))
        }),
        inject: Callback::new(move |fault| sim.apply(Action::Inject { fault })),
        names: Signal::stored(Names::of(&sim.platform())),
        docked: true,
    };
    view! { <Console target=target /> }
}

#[component]
fn Console(target: Target) -> impl IntoView {
    let facilitation = use_context::<Facilitation>();
    let injected = target.injected;
    let form = FaultForm::new(&target.names.get_untracked());
    // The room's page may name its platform after the form was made.
    Effect::new(move |_| {
        let names = target.names.get();
        if !names.environments.contains(&form.env.get_untracked()) {
            form.env
                .set(names.environments.last().cloned().unwrap_or_default());
        }
        if !names
            .services
            .iter()
            .any(|(s, _)| *s == form.service.get_untracked())
        {
            form.service.set(
                names
                    .services
                    .first()
                    .map(|s| s.0.clone())
                    .unwrap_or_default(),
            );
        }
    });
    let planned = RwSignal::new(Vec::<PlannedFault>::new());
    let at_minute = RwSignal::new("10".to_string());
    let title = RwSignal::new(tr!("fac.default_title")().to_string());
    let speed = RwSignal::new("60".to_string());
    let length = RwSignal::new("120".to_string());
    let starts_in = RwSignal::new("3".to_string());
    let link = RwSignal::new(String::new());
    let problem = move || form.injection().err();

    let inject = move |_| {
        if let Ok(fault) = form.injection() {
            target.inject.run(fault);
        }
    };
    let add = move |_| {
        let Ok(fault) = form.injection() else { return };
        let Ok(minute) = at_minute.get_untracked().trim().parse::<i64>() else {
            return;
        };
        planned.update(|list| {
            if list.len() < MAX_FAULTS {
                list.push(PlannedFault {
                    after: SimDuration::from_minutes(minute.clamp(0, 7 * 24 * 60)),
                    fault,
                });
                list.sort_by_key(|p| p.after);
            }
        });
        link.set(String::new());
    };
    let game = move || -> Result<Game, String> {
        let (at, seed, _) = target
            .place
            .get()
            .ok_or("the room's page has not answered yet")?;
        let minutes = |signal: RwSignal<String>| signal.get().trim().parse::<u64>().ok();
        let starts = minutes(starts_in)
            .filter(|m| *m > 0)
            .map(|m| js_sys::Date::now() as u64 + m * 60_000);
        let game = Game {
            game: GAME_FORMAT,
            title: title.get().trim().to_string(),
            at,
            seed,
            speed: speed.get().parse().unwrap_or(60),
            starts,
            length: SimDuration::from_minutes(minutes(length).unwrap_or(0) as i64),
            faults: planned.get(),
        };
        game.check()?;
        Ok(game)
    };
    let make_link = move |_| match game() {
        Ok(game) => {
            let page = target
                .place
                .get()
                .map(|(_, _, page)| page)
                .unwrap_or_default();
            leptos::task::spawn_local(async move {
                match crate::share::encode(&game.to_text()).await {
                    Ok(code) => {
                        let address = format!("{page}{}{code}", crate::components::game::PREFIX);
                        link.set(address.clone());
                        let _ = crate::share::copy(&address).await;
                    }
                    Err(reason) => link.set(reason),
                }
            });
        }
        Err(reason) => link.set(reason),
    };

    let kind_is =
        move |kinds: &'static [&'static str]| move || kinds.contains(&form.kind.get().as_str());
    let routes = move || {
        let service = form.service.get();
        let mut options = vec![(String::new(), tr!("fac.all_routes")().to_string())];
        target.names.with(|names| {
            let routes = names.services.iter().find(|(s, _)| *s == service);
            options.extend(owned_pairs(routes.into_iter().flat_map(|(_, r)| r.iter())));
        });
        options
    };
    let services = move || {
        target
            .names
            .with(|n| owned_pairs(n.services.iter().map(|s| &s.0)))
    };
    let environments = move || target.names.with(|n| owned_pairs(n.environments.iter()));
    view! {
        <aside
            class="facilitator"
            data-testid="facilitator"
            class:facilitator-window=!target.docked
            class:hidden=move || facilitation.is_some_and(|f| f.hidden.get())
            aria-label=tr!("fac.title")
        >
            <header class="fac-header">
                <h2>{tr!("fac.title")}</h2>
                {facilitation
                    .map(|facilitation| {
                        view! {
                            <span class="fac-keys">
                                <kbd>"F"</kbd>
                                " "
                                {tr!("fac.hide")}
                            </span>
                            <button
                                class="button button-small button-ghost"
                                data-testid="fac-pop-out"
                                title=tr!("fac.pop_out_title")
                                on:click=move |_| {
                                    open_console_window();
                                    facilitation.hidden.set(true);
                                }
                            >
                                {tr!("fac.pop_out")}
                            </button>
                            <button
                                class="button button-small button-ghost"
                                on:click=move |_| facilitation.toggle()
                            >
                                {tr!("fac.close")}
                            </button>
                        }
                    })}
            </header>
            <section class="fac-section">
                <h3>{tr!("fac.fault")}</h3>
                {select(
                    key!("fac.kind"),
                    "fac-kind",
                    form.kind,
                    KINDS
                        .iter()
                        .map(|(k, label)| (k.to_string(), text(*label)().to_string()))
                        .collect(),
                )}
                {move || select(key!("fac.env"), "fac-env", form.env, environments())}
                <Show when=kind_is(
                    &["errors", "crash", "burst", "bad_release"],
                )>
                    {move || select(key!("fac.service"), "fac-service", form.service, services())}
                </Show>
                <Show when=kind_is(
                    &["errors"],
                )>
                    {move || select(key!("fac.route"), "fac-route", form.route, routes())}
                    {select(key!("fac.status"), "fac-status", form.status, pairs(FAULT_STATUSES))}
                </Show>
                <Show when=kind_is(
                    &["errors", "bad_release"],
                )>{field(key!("fac.percent"), "fac-percent", form.percent)}</Show>
                <Show when=kind_is(
                    &["burst"],
                )>{field(key!("fac.factor"), "fac-factor", form.factor)}</Show>
                <Show when=kind_is(
                    &["errors", "burst"],
                )>{field(key!("fac.minutes"), "fac-minutes", form.minutes)}</Show>
                <Show when=kind_is(
                    &["bad_release"],
                )>{field(key!("fac.version"), "fac-version", form.version)}</Show>
                <Show when=kind_is(
                    &["database_class"],
                )>
                    {select(
                        key!("fac.class"),
                        "fac-class",
                        form.class,
                        pairs(INSTANCE_CLASSES.iter().map(|c| c.name)),
                    )}
                </Show>
                <Show when=kind_is(
                    &["finding"],
                )>
                    {select(
                        key!("fac.rule"),
                        "fac-rule",
                        form.rule,
                        pairs(FINDING_RULES.iter().map(|(r, _)| *r)),
                    )}
                </Show>
                <p class="fac-problem" role="alert" data-testid="fac-problem">
                    {problem}
                </p>
                <div class="fac-buttons">
                    <button
                        class="button"
                        data-testid="inject-now"
                        disabled=move || problem().is_some()
                        on:click=inject
                    >
                        {tr!("fac.inject")}
                    </button>
                </div>
                <ol class="fac-log" data-testid="fac-log">
                    {move || {
                        injected
                            .get()
                            .into_iter()
                            .map(|(clock, text)| {
                                view! {
                                    <li>
                                        <time>{clock}</time>
                                        " "
                                        {text}
                                    </li>
                                }
                            })
                            .collect_view()
                    }}
                </ol>
            </section>
            <section class="fac-section">
                <h3>{tr!("fac.game")}</h3>
                <div class="fac-row">
                    {field(key!("fac.at_minute"), "fac-at-minute", at_minute)}
                    <button
                        class="button button-small"
                        data-testid="add-to-game"
                        disabled=move || problem().is_some()
                        on:click=add
                    >
                        {tr!("fac.add")}
                    </button>
                </div>
                <ol class="fac-log" data-testid="fac-planned">
                    {move || {
                        planned
                            .get()
                            .into_iter()
                            .enumerate()
                            .map(|(index, p)| {
                                view! {
                                    <li>
                                        <time>{format!("+{}", p.after)}</time>
                                        " "
                                        {p.fault.describe()}
                                        <button
                                            class="fac-remove"
                                            aria-label=tr!("fac.remove")
                                            on:click=move |_| {
                                                planned
                                                    .update(|list| {
                                                        if index < list.len() {
                                                            list.remove(index);
                                                        }
                                                    })
                                            }
                                        >
                                            "×"
                                        </button>
                                    </li>
                                }
                            })
                            .collect_view()
                    }}
                </ol>
                {field(key!("fac.game_title"), "fac-game-title", title)}
                <div class="fac-row">
                    {select(
                        key!("fac.speed"),
                        "fac-speed",
                        speed,
                        GAME_SPEEDS.iter().map(|s| (s.to_string(), format!("{s}×"))).collect(),
                    )} {field(key!("fac.length"), "fac-length", length)}
                    {field(key!("fac.starts_in"), "fac-starts-in", starts_in)}
                </div>
                <p class="fac-help">{tr!("fac.starts_help")}</p>
                <button class="button" data-testid="fac-make-link" on:click=make_link>
                    {tr!("fac.make_link")}
                </button>
                <Show when=move || !link.get().is_empty()>
                    <input
                        class="fac-link"
                        data-testid="fac-link"
                        readonly
                        aria-label=tr!("fac.link")
                        prop:value=move || link.get()
                    />
                </Show>
            </section>
            <Timelines />
        </aside>
    }
}

/// One participant's timeline file, as the console reads it back.
#[derive(Clone, serde::Deserialize)]
struct TimelineFile {
    opsdojo_timeline: u32,
    participant: String,
    detected_after: Option<SimDuration>,
    responded_after: Option<SimDuration>,
    fixed_after: Option<SimDuration>,
}

/// The participants' timeline files, side by side.
#[component]
fn Timelines() -> impl IntoView {
    let rows = RwSignal::new(Vec::<Result<TimelineFile, String>>::new());
    let on_files = move |event: leptos::ev::Event| {
        let Some(input) = event
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(files) = input.files() else { return };
        rows.set(Vec::new());
        for index in 0..files.length().min(200) {
            let Some(file) = files.get(index) else {
                continue;
            };
            let name = file.name();
            leptos::task::spawn_local(async move {
                let read = if file.size() > 1_048_576.0 {
                    Err(format!("{name}: larger than 1 MB"))
                } else {
                    match wasm_bindgen_futures::JsFuture::from(file.text()).await {
                        Ok(text) => serde_json::from_str::<TimelineFile>(
                            &text.as_string().unwrap_or_default(),
                        )
                        .map_err(|e| format!("{name}: not a timeline ({e})"))
                        .and_then(|t| {
                            if t.opsdojo_timeline == 1 {
                                Ok(t)
                            } else {
                                Err(format!("{name}: another version of the timeline"))
                            }
                        }),
                        Err(e) => Err(format!("{name}: {}", crate::storage::browser_reason(e))),
                    }
                };
                rows.update(|rows| rows.push(read));
            });
        }
    };
    let figure =
        |value: Option<SimDuration>| value.map_or_else(|| "—".to_string(), |d| d.to_string());
    view! {
        <section class="fac-section">
            <h3>{tr!("fac.timelines")}</h3>
            <label class="button button-small button-ghost fac-file">
                {tr!("fac.open_timelines")}
                <input
                    type="file"
                    accept=".json,application/json"
                    multiple
                    data-testid="fac-timelines"
                    on:change=on_files
                />
            </label>
            <Show when=move || rows.with(|r| !r.is_empty())>
                <table class="fac-table" data-testid="fac-timeline-table">
                    <thead>
                        <tr>
                            <th>{tr!("fac.participant")}</th>
                            <th>{tr!("game.detected")}</th>
                            <th>{tr!("game.responded")}</th>
                            <th>{tr!("game.fixed")}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {move || {
                            rows.get()
                                .into_iter()
                                .map(|row| match row {
                                    Ok(t) => {
                                        view! {
                                            <tr>
                                                <td>{t.participant}</td>
                                                <td>{figure(t.detected_after)}</td>
                                                <td>{figure(t.responded_after)}</td>
                                                <td>{figure(t.fixed_after)}</td>
                                            </tr>
                                        }
                                            .into_any()
                                    }
                                    Err(why) => {
                                        view! {
                                            <tr class="fac-bad">
                                                <td colspan="4">{why}</td>
                                            </tr>
                                        }
                                            .into_any()
                                    }
                                })
                                .collect_view()
                        }}
                    </tbody>
                </table>
            </Show>
        </section>
    }
}
