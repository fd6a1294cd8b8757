//! A lesson's rendered text with its widgets in place.

use crate::components::alerts::AlertList;
use crate::components::channel::Channel;
use crate::components::dashboard::Dashboard;
use crate::components::deployments::Deployments;
use crate::components::editor::WorldFileEditor;
use crate::components::events::EventLog;
use crate::components::explorer::Explorer;
use crate::components::helm::HelmStrip;
use crate::components::kubectl::KubectlConsole;
use crate::components::objectives::Objectives;
use crate::components::pull_request::PullRequest;
use crate::components::terraform::Terraform;
use crate::i18n::tr;
use leptos::prelude::*;
use opsdojo_engine::lesson::{RenderedLesson, Segment, WidgetKind};
use opsdojo_engine::objective::Objective;

#[component]
pub fn LessonBody(
    /// The body rendered by the engine.
    rendered: RenderedLesson,
    /// The lesson's objectives, for the `objectives` widget.
    objectives: Vec<Objective>,
) -> impl IntoView {
    let platform = expect_context::<crate::session::Sim>().platform();
    let production = platform.production().to_string();
    let alerts_channel = platform.chat.alerts.clone();
    // What the author got wrong in the text (a widget's unknown setting, a near-miss name):
    // `lessons check` says it too, and a lesson opened from a folder or an address shows it here.
    let has_error = rendered
        .diagnostics
        .iter()
        .any(|d| d.severity == opsdojo_engine::Severity::Error);
    let problems = (!rendered.diagnostics.is_empty()).then(|| {
        let items = rendered
            .diagnostics
            .iter()
            .map(|d| {
                let hint = d
                    .hint
                    .clone()
                    .map(|h| format!(" ({h})"))
                    .unwrap_or_default();
                view! {
                    <li>
                        <code>{format!("{}:{}", d.line, d.column)}</code>
                        {format!(" {}{hint}", d.message)}
                    </li>
                }
            })
            .collect_view();
        view! {
            <div
                class=if has_error {
                    "notice notice-error lesson-problems"
                } else {
                    "notice notice-warn lesson-problems"
                }
                data-testid="lesson-problems"
                role="alert"
            >
                <strong>{tr!("lesson.problems")}</strong>
                <ul>{items}</ul>
            </div>
        }
    });
    let segments = rendered
        .segments
        .into_iter()
        .map(|segment| match segment {
            Segment::Html(html) => view! { <div class="prose" inner_html=html></div> }.into_any(),
            Segment::Widget(widget) => {
                let inner = match widget.kind.clone() {
                    WidgetKind::Editor { file } => {
                        view! { <WorldFileEditor path=file /> }.into_any()
                    }
                    WidgetKind::Explore { query, range, view } => {
                        view! { <Explorer query=query range=range view=view /> }.into_any()
                    }
                    WidgetKind::Dashboard {
                        panels,
                        env,
                        project,
                    } => {
                        // Unset, the dashboard starts on production and the first service.
                        view! { <Dashboard panels=panels env=env project=project /> }.into_any()
                    }
                    WidgetKind::Alerts => view! { <AlertList /> }.into_any(),
                    WidgetKind::Terraform { env } => {
                        view! { <Terraform env=env.unwrap_or_default() /> }.into_any()
                    }
                    WidgetKind::Channel { channel } => {
                        let channel = channel.unwrap_or_else(|| alerts_channel.clone());
                        view! { <Channel channel=channel /> }.into_any()
                    }
                    WidgetKind::Objectives => {
                        view! { <Objectives objectives=objectives.clone() /> }.into_any()
                    }
                    WidgetKind::PullRequest => view! { <PullRequest /> }.into_any(),
                    WidgetKind::Helm { env } => {
                        let env = env.unwrap_or_else(|| production.clone());
                        view! { <HelmStrip env=env /> }.into_any()
                    }
                    WidgetKind::Kubectl { namespace, command } => {
                        let command = command.unwrap_or_default();
                        view! { <KubectlConsole namespace=namespace command=command /> }.into_any()
                    }
                    WidgetKind::Deployments { env } => {
                        view! { <Deployments env=env.unwrap_or_default() /> }.into_any()
                    }
                    WidgetKind::Events => view! { <EventLog /> }.into_any(),
                };
                view! {
                    <div class="widget" data-widget=widget.kind.name()>
                        {inner}
                    </div>
                }
                .into_any()
            }
        })
        .collect_view();
    view! {
        {problems}
        {segments}
    }
}
