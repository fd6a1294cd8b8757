//! The chat channels Alertmanager posts to, drawn like a team chat: a channel list, then the
//! messages of the selected channel with their status colour, title, text and alert fields.

use crate::i18n::tr;
use crate::session::{Sim, WorkbenchNav};
use leptos::prelude::*;
use opsdojo_engine::alertmanager::ChatMessage;

/// The labels shown as fields under a message, in this order.
const FIELDS: [&str; 5] = ["env", "project", "route", "severity", "app"];

#[component]
pub fn Channel(
    /// The channel to show first; the one with the latest message otherwise.
    #[prop(optional, into)]
    channel: Option<String>,
) -> impl IntoView {
    let sim = expect_context::<Sim>();
    let nav = use_context::<WorkbenchNav>();
    let messages = Memo::new(move |_| sim.snapshot.with(|s| s.tools.monitoring.messages.clone()));
    let channels = Memo::new(move |_| {
        let mut names: Vec<String> = sim.snapshot.with(|s| s.tools.monitoring.channels.clone());
        for message in messages.get() {
            if !names.contains(&message.channel) {
                names.push(message.channel);
            }
        }
        names
    });
    let chosen = RwSignal::new(channel);
    let selected = Memo::new(move |_| {
        chosen.get().unwrap_or_else(|| {
            messages
                .with(|all| all.last().map(|m| m.channel.clone()))
                .unwrap_or_else(|| "#alerts".into())
        })
    });
    view! {
        <div class="chat" data-testid="channel">
            <nav class="chat-channels" aria-label="channels">
                {move || {
                    channels
                        .get()
                        .into_iter()
                        .map(|name| {
                            let count = messages
                                .with(|all| all.iter().filter(|m| m.channel == name).count());
                            let active_name = name.clone();
                            let click_name = name.clone();
                            view! {
                                <button
                                    class="chat-channel"
                                    class:active=move || selected.get() == active_name
                                    on:click=move |_| chosen.set(Some(click_name.clone()))
                                >
                                    <span>{name.clone()}</span>
                                    {(count > 0)
                                        .then(|| {
                                            view! {
                                                <span class="chat-count">{count.to_string()}</span>
                                            }
                                        })}
                                </button>
                            }
                        })
                        .collect_view()
                }}
            </nav>
            <div class="chat-messages" aria-live="polite" tabindex="0">
                {move || {
                    let channel = selected.get();
                    let shown: Vec<ChatMessage> = messages
                        .get()
                        .into_iter()
                        .filter(|m| m.channel == channel)
                        .collect();
                    if shown.is_empty() {
                        return view! { <p class="empty">{tr!("channel.empty")}</p> }.into_any();
                    }
                    shown
                        .into_iter()
                        .rev()
                        .map(|message| message_view(message, nav))
                        .collect_view()
                        .into_any()
                }}
            </div>
        </div>
    }
}

fn message_view(message: ChatMessage, nav: Option<WorkbenchNav>) -> impl IntoView {
    let first = message
        .alerts
        .first()
        .map(|a| a.labels.clone())
        .unwrap_or_default();
    let env = first.get("env").cloned().unwrap_or_default();
    let project = first
        .get("project")
        .or(first.get("app"))
        .cloned()
        .unwrap_or_default();
    let fields: Vec<(String, String)> = FIELDS
        .iter()
        .filter_map(|name| first.get(*name).map(|v| (name.to_string(), v.clone())))
        .collect();
    let time = message.at.to_string();
    // Compliance findings are posted by AWS Config, everything else by Alertmanager.
    let (avatar, sender) = if message.receiver == "aws-config" {
        ("AC", "AWS Config")
    } else {
        ("AM", "Alertmanager")
    };
    view! {
        <article class=format!("chat-message status-{}", message.status) data-testid="chat-message">
            <div class="chat-avatar" aria-hidden="true">
                {avatar}
            </div>
            <div class="chat-body">
                <header>
                    <strong>{sender}</strong>
                    <span class="chat-app">"APP"</span>
                    <time class="muted">{time}</time>
                </header>
                <div class="chat-attachment">
                    <p class="chat-title">{message.title.clone()}</p>
                    {(!message.text.is_empty())
                        .then(|| view! { <p class="chat-text">{message.text.clone()}</p> })}
                    <dl class="chat-fields">
                        {fields
                            .into_iter()
                            .map(|(name, value)| {
                                view! {
                                    <div>
                                        <dt>{name}</dt>
                                        <dd class="mono">{value}</dd>
                                    </div>
                                }
                            })
                            .collect_view()}
                    </dl>
                    {nav
                        .filter(|_| !env.is_empty())
                        .map(|nav| {
                            view! {
                                <button
                                    class="chat-link"
                                    on:click=move |_| nav.open_dashboard(&env, &project)
                                >
                                    {tr!("channel.open_dashboard")}
                                </button>
                            }
                        })}
                </div>
            </div>
        </article>
    }
}
