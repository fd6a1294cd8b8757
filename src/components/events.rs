//! The world's event log, newest first.

use crate::i18n::tr;
use crate::session::Sim;
use leptos::prelude::*;
use opsdojo_engine::world::EventLevel;

#[component]
pub fn EventLog() -> impl IntoView {
    let sim = expect_context::<Sim>();
    let events = move || {
        sim.snapshot
            .with(|s| s.events.iter().rev().cloned().collect::<Vec<_>>())
    };
    view! {
        <div class="event-log" data-testid="event-log">
            <Show when=move || sim.snapshot.with(|s| s.events.is_empty())>
                <p class="empty">{tr!("events.empty")}</p>
            </Show>
            <ol>
                {move || {
                    events()
                        .into_iter()
                        .map(|event| {
                            view! {
                                <li
                                    class="event"
                                    class:event-warning=event.level == EventLevel::Warning
                                >
                                    <time class="mono">{event.at.to_string()}</time>
                                    <span>{event.text}</span>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ol>
        </div>
    }
}
