//! The query explorer: a PromQL editor, a time range, a graph and a table of the current values.

use crate::components::chart::{short_value, TimeSeriesChart};
use crate::components::editor::CodeEditor;
use crate::components::explain::ExplainTree;
use crate::components::visible::published_on_screen;
use crate::i18n::tr;
use crate::session::{refresh_beat, Sim};
use leptos::prelude::*;
use opsdojo_engine::lesson::{ExploreRange, ExploreView};

/// Buttons that choose one of the ranges a lesson may open an explorer with.
#[component]
pub fn RangePicker(range_ms: RwSignal<i64>) -> impl IntoView {
    view! {
        <div class="segmented" role="group" aria-label="time range">
            {ExploreRange::ALL
                .into_iter()
                .map(|range| {
                    let (label, ms) = (range.label(), range.millis());
                    view! {
                        <button
                            class:active=move || range_ms.get() == ms
                            on:click=move |_| range_ms.set(ms)
                        >
                            {label}
                        </button>
                    }
                })
                .collect_view()}
        </div>
    }
}

#[component]
pub fn Explorer(
    /// The query the explorer starts with.
    #[prop(into)]
    query: String,
    /// The starting range; an hour when unset.
    #[prop(optional)]
    range: ExploreRange,
    /// Whether the explorer opens on the graph or on the query explained.
    #[prop(optional)]
    view: ExploreView,
) -> impl IntoView {
    let sim = expect_context::<Sim>();
    let text = RwSignal::new(query);
    let range_ms = RwSignal::new(range.millis());
    let explaining = RwSignal::new(view == ExploreView::Explain);
    let beat = refresh_beat(sim);
    let root = NodeRef::<leptos::html::Div>::new();
    // Off screen, the query waits: what was shown last stays.
    let result = published_on_screen(root, beat, move || {
        if explaining.get() {
            // The graph is hidden: only the diagnostics are needed.
            let diagnostics = opsdojo_engine::promql::parse_query(&text.get())
                .err()
                .into_iter()
                .collect();
            return opsdojo_engine::promql::Exploration {
                diagnostics,
                ..Default::default()
            };
        }
        sim.explore(&text.get(), range_ms.get())
    });
    let results = move || {
        if explaining.get() {
            return view! { <ExplainTree query=text /> }.into_any();
        }
        view! {
            <TimeSeriesChart
                series=Signal::derive(move || result.with(|r| r.graph.clone()))
                start_ms=Signal::derive(move || result.with(|r| r.end_ms - range_ms.get()))
                end_ms=Signal::derive(move || result.with(|r| r.end_ms))
            />
            {move || {
                result
                    .with(|r| r.scalar.clone())
                    .map(|value| view! { <p class="scalar mono">{value}</p> })
            }}
            <table class="data-table" data-testid="explorer-table">
                <tbody>
                    {move || {
                        result
                            .with(|r| r.table.clone())
                            .into_iter()
                            .map(|sample| {
                                view! {
                                    <tr>
                                        <td class="mono">{sample.labels.to_string()}</td>
                                        <td class="num mono">{short_value(sample.value)}</td>
                                    </tr>
                                }
                            })
                            .collect_view()
                    }}
                </tbody>
            </table>
        }
        .into_any()
    };
    view! {
        <div class="explorer" data-testid="explorer" node_ref=root>
            <div class="explorer-bar">
                <div class="segmented" role="group" aria-label=tr!("explore.view")>
                    <button
                        class:active=move || !explaining.get()
                        aria-pressed=move || (!explaining.get()).to_string()
                        on:click=move |_| explaining.set(false)
                    >
                        {tr!("explore.graph")}
                    </button>
                    <button
                        class:active=move || explaining.get()
                        aria-pressed=move || explaining.get().to_string()
                        data-testid="explain-button"
                        on:click=move |_| explaining.set(true)
                    >
                        {tr!("explore.explain")}
                    </button>
                </div>
                <Show when=move || !explaining.get()>
                    <RangePicker range_ms=range_ms />
                </Show>
            </div>
            <CodeEditor
                value=text
                on_change=Callback::new(move |new_text: String| text.set(new_text))
                language="promql"
                diagnostics=Signal::derive(move || result.with(|r| r.diagnostics.clone()))
            />
            {move || {
                result
                    .with(|r| r.annotations.clone())
                    .into_iter()
                    .map(|text| view! { <p class="problem problem-warning">{text}</p> })
                    .collect_view()
            }}
            {move || {
                result
                    .with(|r| r.error.clone())
                    .map(|error| {
                        view! {
                            <p class="problem problem-error" role="alert">
                                {error}
                            </p>
                        }
                    })
            }}
            {results}
        </div>
    }
}
