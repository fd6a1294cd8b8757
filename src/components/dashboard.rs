//! The platform dashboard: environment and project variables, a time range, and a grid of
//! panels with alert thresholds and alert markers, computed by the engine.

use crate::components::chart::TimeSeriesChart;
use crate::components::explorer::RangePicker;
use crate::i18n::tr;
use crate::session::{refresh_beat, Sim, WorkbenchNav};
use leptos::prelude::*;
use opsdojo_engine::dashboard::markers;
use opsdojo_engine::world::{ENVIRONMENTS, SERVICES};

#[component]
pub fn Dashboard(
    /// Panel ids to show (`p99`, `average`, `codes`, `errors`, `phpfpm`, `replicas`,
    /// `database`); all when
    /// empty.
    #[prop(optional, into)]
    panels: Vec<String>,
    /// Starting environment, for a lesson widget; the workbench's otherwise.
    #[prop(optional, into)]
    env: Option<String>,
    /// Starting project, for a lesson widget.
    #[prop(optional, into)]
    project: Option<String>,
) -> impl IntoView {
    let sim = expect_context::<Sim>();
    let nav = use_context::<WorkbenchNav>().unwrap_or_else(WorkbenchNav::new);
    // A lesson widget keeps its own variables; the workbench's follow chat links.
    let (env_signal, project_signal) = if env.is_some() || project.is_some() {
        (
            RwSignal::new(env.unwrap_or_else(|| "prod".into())),
            RwSignal::new(project.unwrap_or_else(|| "users".into())),
        )
    } else {
        (nav.env, nav.project)
    };
    let range_ms = RwSignal::new(3_600_000i64);
    let beat = refresh_beat(sim);
    let computed = Memo::new(move |_| {
        beat.track();
        let now = sim.snapshot.with(|s| s.now.epoch_ms());
        let all = sim.dashboard(&env_signal.get(), &project_signal.get(), range_ms.get());
        (now, all)
    });
    let alert_markers = Memo::new(move |_| {
        sim.snapshot.with(|s| {
            markers(
                &s.alert_markers,
                &s.change_markers,
                &env_signal.get(),
                &project_signal.get(),
            )
        })
    });
    let choice =
        move |signal: RwSignal<String>, options: &'static [&'static str], label: &'static str| {
            view! {
                <div class="segmented" role="group" aria-label=label>
                    {options
                        .iter()
                        .map(|option| {
                            let option = *option;
                            view! {
                                <button
                                    class:active=move || signal.get() == option
                                    on:click=move |_| signal.set(option.to_string())
                                >
                                    {option}
                                </button>
                            }
                        })
                        .collect_view()}
                </div>
            }
        };
    let wanted = panels;
    view! {
        <div class="dashboard" data-testid="dashboard">
            <div class="dashboard-bar">
                <label class="variable">
                    <span>"env"</span>
                    {choice(env_signal, &ENVIRONMENTS, "environment")}
                </label>
                <label class="variable">
                    <span>"project"</span>
                    {choice(project_signal, &SERVICES, "project")}
                </label>
                <RangePicker range_ms=range_ms />
            </div>
            <div class="panel-grid">
                {move || {
                    let (end, all) = computed.get();
                    let start = end - range_ms.get();
                    all.into_iter()
                        .filter(|panel| wanted.is_empty() || wanted.iter().any(|w| w == panel.id))
                        .map(|panel| {
                            let title = panel.title;
                            let empty = panel.series.is_empty();
                            view! {
                                <section class="panel" data-panel=panel.id>
                                    <h3 class="panel-title">{title}</h3>
                                    {panel
                                        .error
                                        .clone()
                                        .map(|error| {
                                            view! { <p class="problem problem-error">{error}</p> }
                                        })}
                                    {empty
                                        .then(|| {
                                            view! {
                                                <p class="panel-empty">{tr("dashboard.no_data")}</p>
                                            }
                                        })}
                                    <TimeSeriesChart
                                        series=Signal::stored(panel.series)
                                        start_ms=Signal::stored(start)
                                        end_ms=Signal::stored(end)
                                        unit=panel.unit
                                        thresholds=panel.thresholds
                                        markers=Signal::derive(move || alert_markers.get())
                                        compact=true
                                    />
                                </section>
                            }
                        })
                        .collect_view()
                }}
            </div>
        </div>
    }
}
