//! The lesson's objectives as a checklist the engine ticks.

use crate::i18n::tr;
use crate::session::Sim;
use leptos::prelude::*;
use opsdojo_engine::lesson::render_inline;
use opsdojo_engine::objective::Objective;

#[component]
pub fn Objectives(
    /// The lesson's objectives, in order.
    objectives: Vec<Objective>,
) -> impl IntoView {
    let sim = expect_context::<Sim>();
    let met_label = tr!("lesson.met");
    let not_met_label = tr!("lesson.not_met");
    view! {
        <div class="objectives" data-testid="objectives">
            <h3>{tr!("lesson.objectives")}</h3>
            <ul>
                {objectives
                    .into_iter()
                    .map(|objective| {
                        let id = objective.id.clone();
                        let is_met = {
                            let id = id.clone();
                            move || sim.met.with(|met| met.contains(&id))
                        };
                        let is_met_label = is_met.clone();
                        let is_met_class = is_met.clone();
                        view! {
                            <li
                                class="objective"
                                class:met=is_met_class
                                data-objective=id.clone()
                                data-met=move || is_met().to_string()
                            >
                                <span class="check" aria-hidden="true">
                                    {move || if is_met_label() { "✓" } else { "" }}
                                </span>
                                <span
                                    class="objective-title"
                                    inner_html=render_inline(&objective.title)
                                ></span>
                                <span class="sr-only">
                                    {
                                        let is_met = is_met.clone();
                                        move || if is_met() { met_label() } else { not_met_label() }
                                    }
                                </span>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            <For each=move || sim.objective_errors.get() key=|e| e.clone() let:error>
                <p class="problem problem-error">{error}</p>
            </For>
        </div>
    }
}
