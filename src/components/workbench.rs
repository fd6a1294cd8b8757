//! The workbench: the tools on the world, one tab each.

use crate::components::alerts::AlertList;
use crate::components::channel::Channel;
use crate::components::dashboard::Dashboard;
use crate::components::deployments::Deployments;
use crate::components::editor::WorldFileEditor;
use crate::components::events::EventLog;
use crate::components::explorer::Explorer;
use crate::components::helm::HelmStrip;
use crate::components::kubectl::KubectlConsole;
use crate::components::pull_request::PullRequest;
use crate::components::terraform::{PlanStrip, Terraform};
use crate::i18n::{key, text, Key};
use crate::session::{Sim, WorkbenchNav};
use leptos::prelude::*;
use opsdojo_engine::alerting::AlertState;
use opsdojo_engine::lesson::Tab;
use opsdojo_engine::world::infra::TERRAFORM_DIR;
use opsdojo_engine::Severity;

/// The translation key of a panel's name, on its tab and in the speaker's window.
pub fn tab_label(panel: Tab) -> Key {
    match panel {
        Tab::Text => key!("stage.text"),
        Tab::Files => key!("tab.files"),
        Tab::Terraform => key!("tab.terraform"),
        Tab::Dashboard => key!("tab.dashboard"),
        Tab::Alerts => key!("tab.alerts"),
        Tab::Channel => key!("tab.channel"),
        Tab::Explore => key!("tab.explore"),
        Tab::Kubernetes => key!("tab.kubernetes"),
        Tab::PullRequest => key!("tab.pull_request"),
        Tab::Events => key!("tab.events"),
    }
}

/// What the Explore tab shows first: request rate per service in production.
fn default_query(production: &str) -> String {
    format!(r#"sum by (project) (rate(http_request_seconds_count{{env="{production}"}}[5m]))"#)
}

#[component]
pub fn Workbench() -> impl IntoView {
    let sim = expect_context::<Sim>();
    let nav = use_context::<WorkbenchNav>().unwrap_or_else(WorkbenchNav::new);
    let tab = nav.tab;
    let tab_button = move |which: Tab, label: Key| {
        view! {
            <button
                role="tab"
                class="tab"
                data-testid=format!("tab-{}", which.id())
                class:active=move || tab.get() == which
                aria-selected=move || (tab.get() == which).to_string()
                on:click=move |_| tab.set(which)
            >
                {text(label)}
            </button>
        }
    };
    let event_count = move || sim.snapshot.with(|s| s.events.len());
    let firing = move || {
        sim.snapshot.with(|s| {
            s.tools
                .monitoring
                .rules
                .iter()
                .flat_map(|r| &r.alerts)
                .filter(|a| a.state == AlertState::Firing)
                .count()
        })
    };
    let message_count = move || sim.snapshot.with(|s| s.tools.monitoring.messages.len());
    let has_pull_request =
        Memo::new(move |_| sim.snapshot.with(|s| s.tools.pull_request.is_some()));
    // Environments whose plan has changes or errors.
    let pending = move || {
        sim.snapshot.with(|s| {
            s.tools
                .infra
                .iter()
                .filter(|i| i.errors > 0 || i.counts.is_some_and(|(a, c, d)| a + c + d > 0))
                .count()
        })
    };
    // The count beside a tab, if it has one; the events' count shows at zero too.
    let count = move |which: Tab| match which {
        Tab::Terraform => Some(pending()),
        Tab::Alerts => Some(firing()),
        Tab::Channel => Some(message_count()),
        Tab::Events => Some(event_count()),
        _ => None,
    };
    let button = move |which: Tab| {
        let quiet = which == Tab::Events;
        // Known without reading the counts, so that drawing a tab subscribes to nothing.
        let badged = matches!(
            which,
            Tab::Terraform | Tab::Alerts | Tab::Channel | Tab::Events
        );
        view! {
            {tab_button(which, tab_label(which))}
            {badged
                .then(|| {
                    view! {
                        <span
                            class="tab-badge"
                            class:tab-badge-alert=which == Tab::Alerts
                            class:hidden=move || !quiet && count(which) == Some(0)
                            aria-hidden=quiet.then_some("true")
                        >
                            {move || count(which).unwrap_or_default().to_string()}
                        </span>
                    }
                })}
        }
    };
    view! {
        <section class="workbench" aria-label="workbench">
            <div class="tabs" role="tablist">
                {Tab::ALL
                    .into_iter()
                    .filter(|which| *which != Tab::Text)
                    .map(|which| {
                        move || {
                            (which != Tab::PullRequest || has_pull_request.get())
                                .then(|| button(which))
                        }
                    })
                    .collect_view()}
            </div>
            <div class="tab-panel" role="tabpanel">
                {move || match tab.get() {
                    Tab::Dashboard => view! { <Dashboard /> }.into_any(),
                    Tab::Terraform => view! { <Terraform /> }.into_any(),
                    Tab::Alerts => view! { <AlertList /> }.into_any(),
                    Tab::Channel => view! { <Channel /> }.into_any(),
                    Tab::Explore => {
                        let query = default_query(sim.platform().production());
                        view! { <Explorer query=query /> }.into_any()
                    }
                    Tab::Kubernetes => {
                        view! {
                            <div class="kube-view">
                                <Deployments />
                                <KubectlConsole />
                            </div>
                        }
                            .into_any()
                    }
                    Tab::Events => view! { <EventLog /> }.into_any(),
                    Tab::PullRequest => view! { <PullRequest /> }.into_any(),
                    Tab::Files | Tab::Text => view! { <FilesTab /> }.into_any(),
                }}
            </div>
        </section>
    }
}

/// A file tree beside an editor on the selected file.
#[component]
fn FilesTab() -> impl IntoView {
    let sim = expect_context::<Sim>();
    let files = Memo::new(move |_| {
        sim.snapshot.with(|s| {
            s.files
                .iter()
                .map(|f| {
                    let errors = f
                        .diagnostics
                        .iter()
                        .filter(|d| d.severity == Severity::Error)
                        .count();
                    (f.path.clone(), errors, f.diagnostics.len())
                })
                .collect::<Vec<_>>()
        })
    });
    let selected = RwSignal::new(
        sim.snapshot
            .with_untracked(|s| s.files.first().map(|f| f.path.clone()))
            .unwrap_or_default(),
    );
    view! {
        <div class="files-tab">
            <nav class="file-tree" aria-label="files">
                {move || {
                    tree_rows(&files.get())
                        .into_iter()
                        .map(|row| match row {
                            TreeRow::Folder { name, depth } => {
                                view! {
                                    <div class="file-folder" style=indent(depth)>
                                        <span aria-hidden="true">"▾ "</span>
                                        {name}
                                    </div>
                                }
                                    .into_any()
                            }
                            TreeRow::File { path, name, depth, errors, problems } => {
                                let select_path = path.clone();
                                let is_selected_path = path.clone();
                                view! {
                                    <button
                                        class="file-entry"
                                        style=indent(depth)
                                        title=path.clone()
                                        class:active=move || selected.get() == is_selected_path
                                        on:click=move |_| selected.set(select_path.clone())
                                    >
                                        <span class="mono">{name}</span>
                                        {(problems > 0)
                                            .then(|| {
                                                view! {
                                                    <span class=problems_class(
                                                        errors,
                                                    )>{problems.to_string()}</span>
                                                }
                                            })}
                                    </button>
                                }
                                    .into_any()
                            }
                        })
                        .collect_view()
                }}
            </nav>
            <div class="file-editor">
                {move || {
                    let path = selected.get();
                    let terraform = path.starts_with(TERRAFORM_DIR);
                    let chart_env = path
                        .strip_prefix("deploy/")
                        .map(|name| {
                            name.strip_prefix("values-")
                                .and_then(|rest| rest.strip_suffix(".yaml"))
                                .unwrap_or("prod")
                                .to_string()
                        });
                    // The chart's files show what they render; a values file its environment.
                    view! {
                        <WorldFileEditor path=path />
                        {terraform.then(|| view! { <PlanStrip /> })}
                        {chart_env.map(|env| view! { <HelmStrip env=env /> })}
                    }
                }}
            </div>
        </div>
    }
}

/// A row of the file tree: a folder heading or a file under it.
enum TreeRow {
    Folder {
        name: String,
        depth: usize,
    },
    File {
        path: String,
        name: String,
        depth: usize,
        errors: usize,
        problems: usize,
    },
}

/// The rows of a tree of `files`, a folder heading before its first file.
fn tree_rows(files: &[(String, usize, usize)]) -> Vec<TreeRow> {
    // Folders before files at each level, as file explorers list them.
    let mut sorted: Vec<&(String, usize, usize)> = files.iter().collect();
    sorted.sort_by_key(|(path, _, _)| {
        let mut parts: Vec<(u8, &str)> = path.split('/').map(|part| (0, part)).collect();
        if let Some(last) = parts.last_mut() {
            last.0 = 1;
        }
        parts
    });
    let mut rows = Vec::new();
    let mut open: Vec<&str> = Vec::new();
    for (path, errors, problems) in sorted {
        let mut parts: Vec<&str> = path.split('/').collect();
        let name = parts.pop().unwrap_or_default();
        let shared = open.iter().zip(&parts).take_while(|(a, b)| a == b).count();
        open.truncate(shared);
        for (depth, folder) in parts.iter().enumerate().skip(shared) {
            rows.push(TreeRow::Folder {
                name: format!("{folder}/"),
                depth,
            });
            open.push(folder);
        }
        rows.push(TreeRow::File {
            path: path.clone(),
            name: name.to_string(),
            depth: parts.len(),
            errors: *errors,
            problems: *problems,
        });
    }
    rows
}

fn indent(depth: usize) -> String {
    format!("padding-left: {}px", 10 + depth * 14)
}

fn problems_class(errors: usize) -> &'static str {
    if errors > 0 {
        "file-problems has-errors"
    } else {
        "file-problems"
    }
}
