//! What `helm template` renders from the chart in `deploy/`, environment by environment, shown
//! under the editor of a chart file and as a lesson widget.

use crate::i18n::tr;
use crate::session::Sim;
use leptos::prelude::*;

/// One line per environment (what the chart renders there, or that it fails), and the
/// rendered manifests of the chosen environment.
#[component]
pub fn HelmStrip(
    /// The environment shown first.
    #[prop(into)]
    env: String,
) -> impl IntoView {
    let sim = expect_context::<Sim>();
    let shown = RwSignal::new(env);
    let open = RwSignal::new(false);
    let rows = Memo::new(move |_| {
        sim.snapshot.with(|s| {
            s.tools
                .cluster
                .manifests
                .iter()
                .map(|m| {
                    let summary = if m.ok {
                        m.kinds
                            .iter()
                            .map(|(kind, count)| {
                                let plural = if *count == 1 { "" } else { "s" };
                                format!("{count} {kind}{plural}")
                            })
                            .collect::<Vec<_>>()
                            .join(", ")
                    } else {
                        tr!("helm.failed")().to_string()
                    };
                    (m.env.clone(), m.ok, summary)
                })
                .collect::<Vec<_>>()
        })
    });
    let text = Memo::new(move |_| {
        let env = shown.get();
        sim.snapshot.with(|s| {
            s.tools
                .cluster
                .manifests
                .iter()
                .find(|m| m.env == env)
                .map(|m| (m.ok, m.text.clone()))
                .unwrap_or_default()
        })
    });
    view! {
        <div class="helm-strip" data-testid="helm-strip">
            <div class="helm-rows">
                {move || {
                    rows.get()
                        .into_iter()
                        .map(|(env, ok, summary)| {
                            let choose = env.clone();
                            let is_shown = env.clone();
                            view! {
                                <button
                                    class="helm-row"
                                    class:active=move || open.get() && shown.get() == is_shown
                                    data-testid=format!("helm-env-{env}")
                                    on:click=move |_| {
                                        if shown.get_untracked() == choose {
                                            open.update(|o| *o = !*o);
                                        } else {
                                            shown.set(choose.clone());
                                            open.set(true);
                                        }
                                    }
                                >
                                    <span class=format!("env-badge env-{env}")>{env.clone()}</span>
                                    <span class=if ok {
                                        "helm-summary"
                                    } else {
                                        "helm-summary helm-failed"
                                    }>{summary}</span>
                                </button>
                            }
                        })
                        .collect_view()
                }}
                <button
                    class="button button-small button-ghost"
                    data-testid="helm-toggle"
                    on:click=move |_| open.update(|o| *o = !*o)
                >
                    {move || if open.get() { tr!("helm.hide")() } else { tr!("helm.show")() }}
                </button>
            </div>
            <Show when=move || open.get()>
                <div class="helm-output">
                    <div class="helm-command mono">
                        {move || {
                            format!("$ helm template deploy -f deploy/values-{}.yaml", shown.get())
                        }}
                    </div>
                    <pre
                        class="tf-plan"
                        class:helm-error=move || !text.get().0
                        data-testid="helm-output"
                        tabindex="0"
                    >
                        {move || text.get().1}
                    </pre>
                </div>
            </Show>
        </div>
    }
}
