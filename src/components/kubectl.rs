//! A kubectl console: the learner types a command, the engine answers as kubectl would.
//!
//! Answers are computed once, when the command is entered, against the world at that instant,
//! as a terminal keeps what a command printed; a command that changes the cluster is then
//! applied as an action. Up and down recall earlier commands.

use crate::i18n::tr;
use crate::session::Sim;
use leptos::prelude::*;
use opsdojo_engine::world::Action;

/// How many answers the console keeps.
const HISTORY: usize = 40;

/// One command and what it printed.
#[derive(Clone)]
struct Entry {
    id: usize,
    namespace: String,
    line: String,
    text: String,
    failed: bool,
}

/// The console, with its namespace selector and history.
#[component]
pub fn KubectlConsole(
    /// The namespace commands run in unless they name one: production when not given.
    #[prop(optional_no_strip)]
    namespace: Option<String>,
    /// A command waiting in the prompt, for the learner to run with Enter.
    #[prop(into, optional)]
    command: String,
) -> impl IntoView {
    let sim = expect_context::<Sim>();
    let platform = sim.platform();
    let namespace = RwSignal::new(
        namespace
            .filter(|name| platform.has_environment(name))
            .unwrap_or_else(|| platform.production().to_string()),
    );
    let environments: Vec<String> = platform.environment_names().map(String::from).collect();
    let entries = RwSignal::new(Vec::<Entry>::new());
    let input = RwSignal::new(command);
    let typed = StoredValue::new(Vec::<String>::new());
    let recall = StoredValue::new(None::<usize>);
    let output_ref = NodeRef::<leptos::html::Div>::new();
    let next_id = StoredValue::new(0usize);

    let submit = move || {
        let line = input.get_untracked().trim().to_string();
        if line.is_empty() {
            return;
        }
        if line == "clear" {
            entries.set(Vec::new());
        } else {
            let ns = namespace.get_untracked();
            let output = sim.kubectl(&line, &ns);
            if output.change {
                // Recorded like an edit, so that progress and replays keep it.
                sim.apply(Action::Kubectl {
                    namespace: ns.clone(),
                    command: line.clone(),
                });
            }
            let id = next_id.get_value();
            next_id.set_value(id + 1);
            entries.update(|list| {
                if list.len() == HISTORY {
                    list.remove(0);
                }
                list.push(Entry {
                    id,
                    namespace: ns,
                    line: line.clone(),
                    text: output.text,
                    failed: output.failed,
                });
            });
        }
        typed.update_value(|list| {
            if list.last() != Some(&line) {
                list.push(line);
            }
        });
        recall.set_value(None);
        input.set(String::new());
        // Show the newest answer once it is drawn.
        request_animation_frame(move || {
            if let Some(element) = output_ref.get_untracked() {
                element.set_scroll_top(element.scroll_height());
            }
        });
    };

    let on_key = move |event: web_sys::KeyboardEvent| match event.key().as_str() {
        "Enter" => {
            event.prevent_default();
            submit();
        }
        "ArrowUp" | "ArrowDown" => {
            event.prevent_default();
            let history = typed.get_value();
            if history.is_empty() {
                return;
            }
            let up = event.key() == "ArrowUp";
            let position = match (recall.get_value(), up) {
                (None, true) => Some(history.len() - 1),
                (None, false) => None,
                (Some(0), true) => Some(0),
                (Some(i), true) => Some(i - 1),
                (Some(i), false) if i + 1 < history.len() => Some(i + 1),
                (Some(_), false) => None,
            };
            recall.set_value(position);
            input.set(position.map_or_else(String::new, |i| history[i].clone()));
        }
        _ => {}
    };

    view! {
        <section class="console" data-testid="kubectl-console" aria-label=tr!("k8s.console")>
            <div class="console-output" node_ref=output_ref aria-live="polite" tabindex="0">
                <p class="console-hint" class:hidden=move || !entries.with(Vec::is_empty)>
                    {tr!("k8s.console-hint")}
                </p>
                <For each=move || entries.get() key=|entry| entry.id let:entry>
                    <div class="console-entry">
                        <div class="console-command">
                            <span class="console-ns">{format!("{} $ ", entry.namespace)}</span>
                            {format!(
                                "kubectl {}",
                                entry.line.trim_start_matches("kubectl ").trim_start(),
                            )}
                        </div>
                        <pre
                            class="console-text"
                            class:failed=entry.failed
                            data-testid="kubectl-output"
                            tabindex="0"
                        >
                            {entry.text}
                        </pre>
                    </div>
                </For>
            </div>
            <div class="console-prompt">
                <select
                    aria-label=tr!("k8s.namespace")
                    data-testid="kubectl-namespace"
                    on:change=move |event| namespace.set(event_target_value(&event))
                    prop:value=move || namespace.get()
                >
                    {environments
                        .into_iter()
                        .map(|env| view! { <option value=env.clone()>{env.clone()}</option> })
                        .collect_view()}
                </select>
                <span class="console-command">"$ kubectl"</span>
                <input
                    type="text"
                    spellcheck="false"
                    autocomplete="off"
                    aria-label=tr!("k8s.console")
                    data-testid="kubectl-input"
                    placeholder="get hpa"
                    prop:value=move || input.get()
                    on:input=move |event| input.set(event_target_value(&event))
                    on:keydown=on_key
                />
            </div>
        </section>
    }
}
