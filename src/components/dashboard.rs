//! The platform dashboard: environment and project variables, a time range, and a grid of
//! panels with alert thresholds and alert markers, computed by the engine.

use crate::components::chart::TimeSeriesChart;
use crate::components::explorer::RangePicker;
use crate::components::visible::published_on_screen;
use crate::i18n::tr;
use crate::session::{refresh_beat, Sim, WorkbenchNav};
use leptos::prelude::*;
use opsdojo_engine::dashboard::{markers, Marker, Panel};

#[component]
pub fn Dashboard(
    /// Panel ids to show (`p99`, `average`, `codes`, `errors`, `phpfpm`, `replicas`,
    /// `database`); all when
    /// empty.
    #[prop(optional, into)]
    panels: Vec<String>,
    /// Starting environment, for a lesson widget; the workbench's otherwise.
    #[prop(optional_no_strip)]
    env: Option<String>,
    /// Starting project, for a lesson widget.
    #[prop(optional_no_strip)]
    project: Option<String>,
) -> impl IntoView {
    let sim = expect_context::<Sim>();
    let platform = sim.platform();
    let nav = use_context::<WorkbenchNav>().unwrap_or_else(WorkbenchNav::new);
    // A lesson widget keeps its own variables; the workbench's follow chat links.
    let (env_signal, project_signal) = if env.is_some() || project.is_some() {
        (
            RwSignal::new(env.unwrap_or_else(|| platform.production().into())),
            RwSignal::new(project.unwrap_or_else(|| first_service(&platform))),
        )
    } else {
        (nav.env, nav.project)
    };
    // Variables that name nothing of this platform (a link, another lesson) start on its own.
    if !platform.has_environment(&env_signal.get_untracked()) {
        env_signal.set(platform.production().into());
    }
    if !platform.has_service(&project_signal.get_untracked()) {
        project_signal.set(first_service(&platform));
    }
    let environments: Vec<String> = platform.environment_names().map(String::from).collect();
    let services: Vec<String> = platform.service_names().map(String::from).collect();
    let range_ms = RwSignal::new(3_600_000i64);
    let beat = refresh_beat(sim);
    let wanted = StoredValue::new(panels);
    let root = NodeRef::<leptos::html::Div>::new();
    // Only the panels shown are queried, once a second while the clock plays, and only while
    // the dashboard is on screen (off screen, what was shown last stays).
    let computed = published_on_screen(root, beat, move || {
        let now = sim.snapshot.with_untracked(|s| s.now.epoch_ms());
        let all = wanted.with_value(|only| {
            sim.dashboard(
                &env_signal.get(),
                &project_signal.get(),
                range_ms.get(),
                only,
            )
        });
        (now, all)
    });
    let ids = Memo::new(move |_| {
        computed.with(|(_, all)| all.iter().map(|panel| panel.id).collect::<Vec<_>>())
    });
    let alert_markers = Memo::new(move |_| {
        sim.snapshot.with(|s| {
            markers(
                &s.tools.monitoring.alert_markers,
                &s.change_markers,
                &env_signal.get(),
                &project_signal.get(),
            )
        })
    });
    let choice = move |signal: RwSignal<String>, options: Vec<String>, label: &'static str| {
        view! {
            <div class="segmented" role="group" aria-label=label>
                {options
                    .into_iter()
                    .map(|option| {
                        let value = option.clone();
                        let chosen = option.clone();
                        view! {
                            <button
                                class:active=move || signal.with(|s| *s == value)
                                on:click=move |_| signal.set(chosen.clone())
                            >
                                {option}
                            </button>
                        }
                    })
                    .collect_view()}
            </div>
        }
    };
    view! {
        <div class="dashboard" data-testid="dashboard" node_ref=root>
            <div class="dashboard-bar">
                <label class="variable">
                    <span>"env"</span>
                    {choice(env_signal, environments, "environment")}
                </label>
                <label class="variable">
                    <span>"project"</span>
                    {choice(project_signal, services, "project")}
                </label>
                <RangePicker range_ms=range_ms />
            </div>
            <div class="panel-grid">
                // Each panel stays on the page and redraws its own lines as new points come.
                <For
                    each=move || ids.get()
                    key=|id| *id
                    children=move |id| dashboard_panel(id, computed, range_ms, alert_markers)
                />
            </div>
        </div>
    }
}

/// One panel of the grid, read from the dashboard's latest computation by its id (a plain
/// function: a component's props would only add code).
fn dashboard_panel(
    id: &'static str,
    computed: Signal<(i64, Vec<Panel>)>,
    range_ms: RwSignal<i64>,
    alert_markers: Memo<Vec<Marker>>,
) -> impl IntoView {
    let panel = Memo::new(move |_| {
        computed.with(|(_, all)| all.iter().find(|panel| panel.id == id).cloned())
    });
    // A panel's title and unit are those of its id: read once.
    let (title, unit) = panel.with_untracked(|panel| {
        panel
            .as_ref()
            .map(|panel| (panel.title, panel.unit))
            .unzip()
    });
    let end = Signal::derive(move || computed.with(|(end, _)| *end));
    view! {
        <section class="panel" data-panel=id>
            <h3 class="panel-title">{title.unwrap_or_default()}</h3>
            {move || {
                panel
                    .with(|panel| panel.as_ref().and_then(|panel| panel.error.clone()))
                    .map(|error| view! { <p class="problem problem-error">{error}</p> })
            }}
            {move || {
                panel
                    .with(|panel| panel.as_ref().is_some_and(|panel| panel.series.is_empty()))
                    .then(|| view! { <p class="panel-empty">{tr!("dashboard.no_data")}</p> })
            }}
            <TimeSeriesChart
                series=Signal::derive(move || {
                    panel
                        .with(|panel| panel.as_ref().map(|panel| panel.series.clone()))
                        .unwrap_or_default()
                })
                start_ms=Signal::derive(move || end.get() - range_ms.get())
                end_ms=end
                unit=unit
                thresholds=Signal::derive(move || {
                    panel.with(|panel| panel.as_ref().map(|panel| panel.thresholds.clone()))
                })
                markers=Signal::derive(move || Some(alert_markers.get()))
                compact=true
            />
        </section>
    }
}

/// The service a dashboard shows first.
fn first_service(platform: &opsdojo_engine::platform::Platform) -> String {
    platform
        .service_names()
        .next()
        .unwrap_or_default()
        .to_string()
}
