//! The pull request page: conversation, checks with their Jenkins logs, the files it changes,
//! labels, the merge box, and the delivery from staging to prod.

use crate::i18n::{key, text, tr, Key};
use crate::session::Sim;
use leptos::prelude::*;
use opsdojo_engine::delivery::{CheckStatus, Delivery, TimelineKind, LABELS};
use opsdojo_engine::world::{Action, PullRequestSnapshot};

fn run(sim: Sim, command: String) {
    sim.apply(Action::PullRequest { command });
}

/// A button that runs `command` on the pull request; its test id is `pr-<command>`.
fn command_button(
    sim: Sim,
    class: &'static str,
    command: &'static str,
    label: Key,
    disabled: bool,
) -> impl IntoView {
    view! {
        <button
            class=class
            data-testid=format!("pr-{command}")
            disabled=disabled
            on:click=move |_| run(sim, command.into())
        >
            {move || text(label)().replace("{env}", sim.platform().production())}
        </button>
    }
}

/// Text with its `backquoted` parts as code, lines joined as Markdown joins them.
fn inline_code(text: &str) -> impl IntoView {
    let joined = text.split_whitespace().collect::<Vec<_>>().join(" ");
    joined
        .split('`')
        .enumerate()
        .map(|(index, part)| {
            let part = part.to_string();
            if index % 2 == 1 {
                view! { <code>{part}</code> }.into_any()
            } else {
                view! { <span>{part}</span> }.into_any()
            }
        })
        .collect_view()
}

fn initials(name: &str) -> String {
    name.chars().take(2).collect::<String>().to_uppercase()
}

fn check_icon(status: CheckStatus) -> (&'static str, &'static str) {
    match status {
        CheckStatus::Success => ("✓", "pr-check-ok"),
        CheckStatus::Failure => ("✗", "pr-check-failed"),
        CheckStatus::Pending => ("●", "pr-check-pending"),
    }
}

/// The pull request of the scenario, or a note that there is none.
#[component]
pub fn PullRequest() -> impl IntoView {
    let sim = expect_context::<Sim>();
    let pull = Memo::new(move |_| sim.snapshot.with(|s| s.tools.pull_request.clone()));
    move || match pull.get() {
        None => view! { <p class="muted">{tr!("pr.none")}</p> }.into_any(),
        Some(pull) => view! { <PullRequestPage pull=pull /> }.into_any(),
    }
}

#[component]
fn PullRequestPage(pull: PullRequestSnapshot) -> impl IntoView {
    let sim = expect_context::<Sim>();
    let state = if pull.merged {
        ("pr-state pr-merged", key!("pr.merged"))
    } else {
        ("pr-state pr-open", key!("pr.open"))
    };
    let outcome = pull.last_outcome.clone().map(|outcome| match outcome {
        Ok(text) => view! {
            <div class="notice pr-outcome" data-testid="pr-outcome">
                {text}
            </div>
        }
        .into_any(),
        Err(text) => view! {
            <div class="notice notice-error pr-outcome" data-testid="pr-outcome">
                {text}
            </div>
        }
        .into_any(),
    });
    view! {
        <article class="pr" data-testid="pull-request">
            <header class="pr-header">
                <h3 class="pr-title">
                    {pull.title.clone()} " " <span class="muted">"#" {pull.number}</span>
                </h3>
                <div class="pr-meta">
                    <span class=state.0>{text(state.1)}</span>
                    <span>
                        <strong>{pull.author.clone()}</strong>
                        " · "
                        {pull.commits.len()}
                        " commit(s) · "
                        <code>{pull.branch.clone()}</code>
                        " → "
                        <code>"main"</code>
                    </span>
                    <Labels labels=pull.labels.clone() merged=pull.merged />
                </div>
            </header>
            {outcome}
            <div class="pr-body">
                <div class="pr-main">
                    <Timeline pull=pull.clone() />
                    <FilesChanged pull=pull.clone() />
                </div>
                <aside class="pr-side">
                    <Checks pull=pull.clone() />
                    <MergeBox pull=pull.clone() />
                    <DeliveryBox pull=pull.clone() />
                </aside>
            </div>
            {pull
                .unpushed
                .then(|| {
                    view! {
                        <div class="pr-push">
                            <span>{tr!("pr.unpushed")}</span>
                            {command_button(
                                sim,
                                "button button-small",
                                "push",
                                key!("pr.push"),
                                false,
                            )}
                        </div>
                    }
                })}
        </article>
    }
}

#[component]
fn Labels(labels: Vec<String>, merged: bool) -> impl IntoView {
    let sim = expect_context::<Sim>();
    let missing: Vec<&'static str> = LABELS
        .iter()
        .copied()
        .filter(|label| !labels.iter().any(|l| l == label))
        .collect();
    view! {
        <span class="pr-labels">
            {labels
                .into_iter()
                .map(|label| {
                    let remove = format!("unlabel {label}");
                    view! {
                        <span class="pr-label" data-testid=format!("pr-label-{label}")>
                            {label.clone()}
                            <button
                                class="pr-label-remove"
                                aria-label="remove"
                                disabled=merged
                                on:click=move |_| run(sim, remove.clone())
                            >
                                "×"
                            </button>
                        </span>
                    }
                })
                .collect_view()}
            {(!merged && !missing.is_empty())
                .then(|| {
                    view! {
                        <select
                            class="pr-add-label"
                            data-testid="pr-add-label"
                            aria-label="add a label"
                            on:change=move |event| {
                                let value = event_target_value(&event);
                                if !value.is_empty() {
                                    run(sim, format!("label {value}"));
                                }
                            }
                        >
                            <option value="" selected=true>
                                {tr!("pr.add_label")}
                            </option>
                            {missing
                                .into_iter()
                                .map(|label| view! { <option value=label>{label}</option> })
                                .collect_view()}
                        </select>
                    }
                })}
        </span>
    }
}

#[component]
fn Timeline(pull: PullRequestSnapshot) -> impl IntoView {
    let sim = expect_context::<Sim>();
    let comment = RwSignal::new(String::new());
    view! {
        <section class="pr-timeline" aria-label="conversation">
            <div class="pr-comment">
                <span class="pr-avatar">{initials(&pull.author)}</span>
                <div class="pr-bubble">
                    <div class="pr-bubble-head">
                        <strong>{pull.author.clone()}</strong>
                        " "
                        <span class="muted">{tr!("pr.opened")}</span>
                    </div>
                    <p>{inline_code(&pull.description)}</p>
                </div>
            </div>
            {pull
                .timeline
                .iter()
                .map(|item| {
                    let time = item.at.to_string();
                    match item.kind {
                        TimelineKind::Comment => {
                            view! {
                                <div class="pr-comment" data-testid="pr-comment">
                                    <span class="pr-avatar">{initials(&item.author)}</span>
                                    <div class="pr-bubble">
                                        <div class="pr-bubble-head">
                                            <strong>{item.author.clone()}</strong>
                                            " "
                                            <span class="muted">{time}</span>
                                        </div>
                                        <p>{item.text.clone()}</p>
                                    </div>
                                </div>
                            }
                                .into_any()
                        }
                        kind => {
                            let icon = match kind {
                                TimelineKind::Approved => "✓",
                                TimelineKind::Merged => "⇄",
                                TimelineKind::Deployed => "🚀",
                                TimelineKind::Label => "🏷",
                                TimelineKind::Dismissed => "↺",
                                TimelineKind::Comment | TimelineKind::Commit => "•",
                            };
                            let kind = kind.as_str();
                            let class = format!("pr-event pr-event-{kind}");
                            view! {
                                <div class=class data-testid=format!("pr-event-{kind}")>
                                    <span class="pr-event-icon">{icon}</span>
                                    <strong>{item.author.clone()}</strong>
                                    " "
                                    {item.text.clone()}
                                    " "
                                    <span class="muted">{time}</span>
                                </div>
                            }
                                .into_any()
                        }
                    }
                })
                .collect_view()}
            <form
                class="pr-new-comment"
                on:submit=move |event| {
                    event.prevent_default();
                    let text = comment.get_untracked();
                    if !text.trim().is_empty() {
                        run(sim, format!("comment {}", text.trim()));
                        comment.set(String::new());
                    }
                }
            >
                <input
                    class="input"
                    placeholder=tr!("pr.comment_placeholder")
                    prop:value=move || comment.get()
                    on:input=move |event| comment.set(event_target_value(&event))
                />
                <button class="button button-small button-ghost" type="submit">
                    {tr!("pr.comment")}
                </button>
            </form>
        </section>
    }
}

#[component]
fn FilesChanged(pull: PullRequestSnapshot) -> impl IntoView {
    view! {
        <section class="pr-files" aria-label="files changed">
            <h4>{tr!("pr.files")} " (" {pull.diffs.len()} ")"</h4>
            {pull
                .diffs
                .into_iter()
                .map(|(path, lines)| {
                    let added = lines.iter().filter(|(m, _)| *m == '+').count();
                    let removed = lines.iter().filter(|(m, _)| *m == '-').count();
                    view! {
                        <details class="pr-diff">
                            <summary>
                                <code>{path}</code>
                                " "
                                <span class="pr-added">"+" {added}</span>
                                " "
                                <span class="pr-removed">"−" {removed}</span>
                            </summary>
                            <pre class="pr-diff-lines" tabindex="0">
                                {lines
                                    .into_iter()
                                    .map(|(mark, text)| {
                                        let class = match mark {
                                            '+' => "diff-add",
                                            '-' => "diff-del",
                                            '@' => "diff-hunk",
                                            _ => "diff-ctx",
                                        };
                                        let prefix = if mark == '@' {
                                            String::new()
                                        } else {
                                            format!("{mark} ")
                                        };
                                        view! { <span class=class>{prefix} {text} "\n"</span> }
                                    })
                                    .collect_view()}
                            </pre>
                        </details>
                    }
                })
                .collect_view()}
        </section>
    }
}

#[component]
fn Checks(pull: PullRequestSnapshot) -> impl IntoView {
    view! {
        <section class="pr-box" aria-label="checks">
            <h4>{tr!("pr.checks")}</h4>
            {pull
                .checks
                .into_iter()
                .map(|(check, status)| {
                    let (icon, class) = check_icon(status);
                    let summary = if status == CheckStatus::Pending {
                        tr!("pr.running")().to_string()
                    } else {
                        check.summary.clone()
                    };
                    let log = if status == CheckStatus::Pending {
                        check.log.iter().take(3).cloned().collect::<Vec<_>>().join("\n")
                    } else {
                        check.log.join("\n")
                    };
                    view! {
                        <details class="pr-check" data-testid=format!("pr-check-{}", check.name)>
                            <summary>
                                <span class=format!("pr-check-icon {class}")>{icon}</span>
                                <span class="pr-check-name mono">{check.name.clone()}</span>
                                <span class="pr-check-summary muted">{summary}</span>
                            </summary>
                            <pre class="tf-plan pr-check-log" tabindex="0">
                                {log}
                            </pre>
                        </details>
                    }
                })
                .collect_view()}
        </section>
    }
}

#[component]
fn MergeBox(pull: PullRequestSnapshot) -> impl IntoView {
    let sim = expect_context::<Sim>();
    let blocked = !pull.blockers.is_empty();
    view! {
        <section class="pr-box" aria-label="merge">
            <h4>
                {tr!("pr.approvals")} " " {pull.approvals.len()} " / " {pull.required_approvals}
            </h4>
            <div class="pr-reviewers">
                {pull
                    .reviewers
                    .iter()
                    .map(|reviewer| {
                        let approved = pull.approvals.contains(reviewer);
                        view! {
                            <span class="pr-reviewer" class:approved=approved>
                                <span class="pr-avatar pr-avatar-small">{initials(reviewer)}</span>
                                {reviewer.clone()}
                                {approved.then_some(" ✓")}
                            </span>
                        }
                    })
                    .collect_view()}
            </div>
            {(!pull.merged)
                .then(|| {
                    view! {
                        <ul class="pr-blockers">
                            {pull
                                .blockers
                                .iter()
                                .map(|b| view! { <li>{b.clone()}</li> })
                                .collect_view()}
                        </ul>
                        {command_button(sim, "button pr-merge", "merge", key!("pr.merge"), blocked)}
                    }
                })}
        </section>
    }
}

#[component]
fn DeliveryBox(pull: PullRequestSnapshot) -> impl IntoView {
    let sim = expect_context::<Sim>();
    let stage = pull.delivery;
    let platform = sim.platform();
    let (first, production) = (platform.pre_production(), platform.production());
    view! {
        <section class="pr-box" aria-label="delivery">
            <h4>{tr!("pr.delivery")}</h4>
            {pull
                .preview
                .clone()
                .map(|(url, ready)| {
                    view! {
                        <div class="pr-preview" data-testid="pr-preview">
                            <span class="env-badge">"preview"</span>
                            <code>{url}</code>
                            <span class=if ready {
                                "pr-check-ok"
                            } else {
                                "pr-check-pending"
                            }>{if ready { " ● up" } else { " ● deploying" }}</span>
                        </div>
                    }
                })}
            <ol class="pr-stages">
                {pull
                    .running
                    .iter()
                    .map(|(env, version)| {
                        let current = *version == pull.version;
                        view! {
                            <li class="pr-stage" class:done=current>
                                <span class=format!("env-badge env-{env}")>{env.clone()}</span>
                                <code>{format!("{}:{version}", pull.service)}</code>
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
            <div class="pr-delivery-actions">
                <span class="muted" data-testid="pr-delivery">
                    {match stage {
                        Delivery::Building { .. } => tr!("pr.building")().to_string(),
                        Delivery::Staging => tr!("pr.on_staging")().replace("{env}", first),
                        Delivery::Prod => tr!("pr.on_prod")().replace("{env}", production),
                        Delivery::RolledBack => tr!("pr.rolled_back")().replace("{env}", production),
                        Delivery::None => {
                            tr!("pr.not_merged")()
                                .replace("{first}", first)
                                .replace("{env}", production)
                        }
                    }}
                </span>
                {(stage == Delivery::Staging)
                    .then(|| {
                        command_button(
                            sim,
                            "button button-small",
                            "promote",
                            key!("pr.promote"),
                            false,
                        )
                    })}
                {(stage == Delivery::Prod)
                    .then(|| {
                        command_button(
                            sim,
                            "button button-small button-ghost",
                            "rollback",
                            key!("pr.rollback"),
                            false,
                        )
                    })}
            </div>
        </section>
    }
}
