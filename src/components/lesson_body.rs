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
use leptos::prelude::*;
use opsdojo_engine::lesson::{RenderedLesson, Segment};
use opsdojo_engine::objective::Objective;

#[component]
pub fn LessonBody(
    /// The body rendered by the engine.
    rendered: RenderedLesson,
    /// The lesson's objectives, for the `objectives` widget.
    objectives: Vec<Objective>,
) -> impl IntoView {
    let production = expect_context::<crate::session::Sim>()
        .platform()
        .production()
        .to_string();
    rendered
        .segments
        .into_iter()
        .map(|segment| match segment {
            Segment::Html(html) => view! { <div class="prose" inner_html=html></div> }.into_any(),
            Segment::Widget(widget) => {
                let inner = match widget.kind.as_str() {
                    "editor" => {
                        let path = widget.params.get("file").cloned().unwrap_or_default();
                        view! { <WorldFileEditor path=path /> }.into_any()
                    }
                    "explore" => {
                        let query = widget.params.get("query").cloned().unwrap_or_default();
                        let range = widget.params.get("range").cloned();
                        let explain = widget.params.get("view").is_some_and(|v| v == "explain");
                        view! { <Explorer query=query range=range.unwrap_or_default() explain=explain /> }
                            .into_any()
                    }
                    "dashboard" => {
                        let panels: Vec<String> = widget
                            .params
                            .get("panels")
                            .map(|list| list.split(',').map(|p| p.trim().to_string()).collect())
                            .unwrap_or_default();
                        // Unset, the dashboard starts on production and the first service.
                        let env = widget.params.get("env").cloned();
                        let project = widget.params.get("project").cloned();
                        view! { <Dashboard panels=panels env=env project=project /> }.into_any()
                    }
                    "alerts" => view! { <AlertList /> }.into_any(),
                    "terraform" => {
                        let env = widget.params.get("env").cloned();
                        view! { <Terraform env=env.unwrap_or_default() /> }.into_any()
                    }
                    "channel" => {
                        let channel = widget.params.get("channel").cloned();
                        view! { <Channel channel=channel.unwrap_or_else(|| "#alerts".into()) /> }
                            .into_any()
                    }
                    "objectives" => {
                        view! { <Objectives objectives=objectives.clone() /> }.into_any()
                    }
                    "pull-request" => view! { <PullRequest /> }.into_any(),
                    "helm" => {
                        let env = widget
                            .params
                            .get("env")
                            .cloned()
                            .unwrap_or_else(|| production.clone());
                        view! { <HelmStrip env=env /> }.into_any()
                    }
                    "kubectl" => {
                        let namespace = widget.params.get("namespace").cloned();
                        let command = widget.params.get("command").cloned().unwrap_or_default();
                        view! { <KubectlConsole namespace=namespace command=command /> }.into_any()
                    }
                    "deployments" => {
                        let env = widget.params.get("env").cloned();
                        view! { <Deployments env=env.unwrap_or_default() /> }.into_any()
                    }
                    _ => view! { <EventLog /> }.into_any(),
                };
                view! {
                    <div class="widget" data-widget=widget.kind.clone()>
                        {inner}
                    </div>
                }
                .into_any()
            }
        })
        .collect_view()
}
