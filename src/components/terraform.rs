//! Terraform, one column per environment: the plan of each variables file, its monthly cost
//! (deployed and planned), an apply button with the apply's progress, compliance, and a table
//! of the variables that differ between environments.

use crate::i18n::tr;
use crate::session::Sim;
use leptos::prelude::*;
use opsdojo_engine::lesson::Tab;
use opsdojo_engine::world::{Action, InfraSnapshot};

/// The whole Terraform view, or one environment's plan when `env` is set.
#[component]
pub fn Terraform(
    /// Show only this environment's card and plan.
    #[prop(optional, into)]
    env: Option<String>,
) -> impl IntoView {
    let sim = expect_context::<Sim>();
    let only = env.filter(|e| !e.is_empty());
    let only_for_infra = only.clone();
    let infra = Memo::new(move |_| {
        sim.snapshot.with(|s| {
            s.tools
                .infra
                .iter()
                .filter(|i| only_for_infra.as_ref().is_none_or(|e| *e == i.env))
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    let selected = RwSignal::new(
        only.clone()
            .unwrap_or_else(|| sim.platform().production().to_string()),
    );
    let plan_text = Memo::new(move |_| {
        let env = selected.get();
        infra.with(|all| {
            all.iter()
                .find(|i| i.env == env)
                .map(|i| (i.plan_text.clone(), i.output.clone()))
                .unwrap_or_default()
        })
    });
    view! {
        <div class="terraform" data-testid="terraform">
            <div class="tf-envs">
                {move || {
                    infra
                        .get()
                        .into_iter()
                        .map(|i| view! { <EnvCard infra=i selected=selected /> })
                        .collect_view()
                }}
            </div>
            {only.is_none().then(|| view! { <Differences infra=infra /> })}
            <section class="tf-plan-section">
                <div class="tf-plan-head">
                    <h4>
                        <code>
                            {move || {
                                format!("terraform plan -var-file=vars/{}.tfvars", selected.get())
                            }}
                        </code>
                    </h4>
                </div>
                <PlanText text=Signal::derive(move || plan_text.get().0) />
                {move || {
                    let output = plan_text.get().1;
                    (!output.is_empty())
                        .then(|| {
                            view! {
                                <h4 class="tf-output-title">
                                    <code>
                                        {format!(
                                            "terraform apply -var-file=vars/{}.tfvars",
                                            selected.get(),
                                        )}
                                    </code>
                                </h4>
                                <pre class="tf-plan tf-output" data-testid="apply-output">
                                    {output.join("\n")}
                                </pre>
                            }
                        })
                }}
            </section>
        </div>
    }
}

/// One environment: database, cost, plan summary, apply, compliance.
#[component]
fn EnvCard(infra: InfraSnapshot, selected: RwSignal<String>) -> impl IntoView {
    let sim = expect_context::<Sim>();
    let env = infra.env.clone();
    let env_for_active = env.clone();
    let env_for_select = env.clone();
    let env_for_apply = env.clone();
    let (summary, summary_class) = summary(&infra);
    let can_apply = infra.errors == 0
        && infra.running.is_none()
        && infra.counts.is_some_and(|(a, c, d)| a + c + d > 0);
    let cost_change = infra
        .cost_planned
        .filter(|planned| (planned - infra.cost_now).abs() >= 0.5)
        .map(|planned| {
            let delta = planned - infra.cost_now;
            let class = if delta > 0.0 {
                "tf-cost-delta up"
            } else {
                "tf-cost-delta down"
            };
            view! {
                <span class=class>
                    {format!(
                        "→ {} ({}{})",
                        dollars(planned),
                        if delta > 0.0 { "+" } else { "−" },
                        dollars(delta.abs()),
                    )}
                </span>
            }
        });
    let failing: Vec<_> = infra
        .findings
        .iter()
        .filter(|f| !f.compliant)
        .cloned()
        .collect();
    let rules_total = infra.findings.len();
    view! {
        <article
            class="tf-env"
            class:active=move || selected.get() == env_for_active
            data-testid=format!("tf-env-{env}")
            on:click=move |_| selected.set(env_for_select.clone())
        >
            <header class="tf-env-head">
                <span class=format!("env-badge env-{env}")>{env.clone()}</span>
                <span class="tf-db mono" title=move || tr!("tf.database")()>
                    {infra.database.clone()}
                </span>
            </header>
            <div class="tf-cost" data-testid=format!("tf-cost-{env}")>
                <span class="tf-cost-now">{dollars(infra.cost_now)}</span>
                <span class="tf-cost-unit">{tr!("tf.per_month")}</span>
                {cost_change}
            </div>
            <div class=summary_class data-testid=format!("tf-summary-{env}")>
                {summary}
            </div>
            {(!infra.dangerous.is_empty())
                .then(|| {
                    view! {
                        <ul class="tf-danger">
                            {infra
                                .dangerous
                                .iter()
                                .map(|address| {
                                    view! {
                                        <li>
                                            <span aria-hidden="true">"⚠ "</span>
                                            <code>{address.clone()}</code>
                                            " "
                                            {tr!("tf.will_be_destroyed")}
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    }
                })}
            {match infra.running.clone() {
                Some((line, progress)) => {
                    view! {
                        <div class="tf-running">
                            <div class="tf-progress">
                                <div
                                    class="tf-progress-bar"
                                    style=format!("width: {:.0}%", progress * 100.0)
                                ></div>
                            </div>
                            <p class="tf-running-line mono">{line}</p>
                        </div>
                    }
                        .into_any()
                }
                None => {
                    view! {
                        <button
                            class="button button-small tf-apply"
                            data-testid=format!("tf-apply-{env}")
                            disabled=!can_apply
                            on:click=move |event| {
                                event.stop_propagation();
                                sim.apply(Action::Apply {
                                    env: env_for_apply.clone(),
                                });
                            }
                        >
                            {tr!("tf.apply")}
                        </button>
                    }
                        .into_any()
                }
            }}
            <div class="tf-compliance" data-testid=format!("tf-compliance-{env}")>
                {if failing.is_empty() {
                    view! {
                        <span class="tf-compliant">
                            "✓ " {move || tr!("tf.compliant")()} " "
                            <span class="muted">{format!("({rules_total})")}</span>
                        </span>
                    }
                        .into_any()
                } else {
                    failing
                        .into_iter()
                        .map(|finding| {
                            view! {
                                <span class="tf-noncompliant" title=finding.resource_id.clone()>
                                    "✗ "
                                    <code>{finding.rule}</code>
                                </span>
                            }
                        })
                        .collect_view()
                        .into_any()
                }}
            </div>
        </article>
    }
}

/// The plan's one-line summary and its CSS class.
fn summary(infra: &InfraSnapshot) -> (String, &'static str) {
    if infra.errors > 0 {
        return (
            format!(
                "{} {}",
                infra.errors,
                if infra.errors == 1 { "error" } else { "errors" }
            ),
            "tf-summary tf-summary-error",
        );
    }
    match infra.counts {
        Some((0, 0, 0)) => ("No changes".into(), "tf-summary tf-summary-clean"),
        Some((add, change, destroy)) => (
            format!("Plan: {add} to add, {change} to change, {destroy} to destroy."),
            if destroy > 0 {
                "tf-summary tf-summary-danger"
            } else {
                "tf-summary tf-summary-pending"
            },
        ),
        None => (String::new(), "tf-summary"),
    }
}

/// The variables of each environment side by side, those that differ marked.
#[component]
fn Differences(infra: Memo<Vec<InfraSnapshot>>) -> impl IntoView {
    let rows = Memo::new(move |_| {
        infra.with(|all| {
            let mut names: Vec<String> = all
                .iter()
                .flat_map(|i| i.variables.iter().map(|(name, _)| name.clone()))
                .collect();
            names.sort();
            names.dedup();
            names
                .into_iter()
                .map(|name| {
                    let values: Vec<String> = all
                        .iter()
                        .map(|i| {
                            i.variables
                                .iter()
                                .find(|(n, _)| *n == name)
                                .map_or_else(|| "—".to_string(), |(_, v)| v.clone())
                        })
                        .collect();
                    (name, values)
                })
                .collect::<Vec<_>>()
        })
    });
    let envs =
        Memo::new(move |_| infra.with(|all| all.iter().map(|i| i.env.clone()).collect::<Vec<_>>()));
    view! {
        <details class="tf-differences" open=true>
            <summary>{tr!("tf.differences")}</summary>
            <table class="data-table tf-vars" data-testid="tf-differences">
                <thead>
                    <tr>
                        <th>{tr!("tf.variable")}</th>
                        {move || {
                            envs.get()
                                .into_iter()
                                .map(|env| view! { <th>{env}</th> })
                                .collect_view()
                        }}
                    </tr>
                </thead>
                <tbody>
                    {move || {
                        rows.get()
                            .into_iter()
                            .map(|(name, values)| {
                                let differs = values.iter().any(|v| *v != values[0]);
                                view! {
                                    <tr class:differs=differs>
                                        <td class="mono">{name}</td>
                                        {values
                                            .into_iter()
                                            .map(|v| view! { <td class="mono">{v}</td> })
                                            .collect_view()}
                                    </tr>
                                }
                            })
                            .collect_view()
                    }}
                </tbody>
            </table>
        </details>
    }
}

/// A plan's text, each line coloured by what it says.
#[component]
pub fn PlanText(#[prop(into)] text: Signal<String>) -> impl IntoView {
    view! {
        <pre class="tf-plan" data-testid="plan-text" tabindex="0">
            {move || {
                text.get()
                    .lines()
                    .map(|line| {
                        let class = line_class(line);
                        view! { <span class=class>{format!("{line}\n")}</span> }
                    })
                    .collect_view()
            }}
        </pre>
    }
}

fn line_class(line: &str) -> &'static str {
    let trimmed = line.trim_start();
    if trimmed.starts_with("-/+") || trimmed.starts_with("+/-") {
        "tf-replace"
    } else if trimmed.starts_with('+') {
        "tf-add"
    } else if trimmed.starts_with('-') {
        "tf-destroy"
    } else if trimmed.starts_with('~') {
        "tf-update"
    } else if trimmed.starts_with('#') {
        if trimmed.contains("must be replaced") || trimmed.contains("destroyed") {
            "tf-comment tf-danger-line"
        } else {
            "tf-comment"
        }
    } else if trimmed.starts_with('│') || trimmed.starts_with('╷') || trimmed.starts_with('╵')
    {
        "tf-diagnostic"
    } else if trimmed.starts_with("Plan:") || trimmed.starts_with("No changes") {
        "tf-total"
    } else {
        ""
    }
}

/// `$1,234` for a monthly amount.
pub fn dollars(amount: f64) -> String {
    let whole = amount.round() as i64;
    let digits = whole.abs().to_string();
    let mut grouped = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    format!("{}${grouped}", if whole < 0 { "−" } else { "" })
}

/// The three environments' plan summaries and costs on one line, under a project file's editor.
#[component]
pub fn PlanStrip() -> impl IntoView {
    let sim = expect_context::<Sim>();
    let nav = use_context::<crate::session::WorkbenchNav>();
    let rows = Memo::new(move |_| {
        sim.snapshot.with(|s| {
            s.tools
                .infra
                .iter()
                .map(|i| {
                    let (summary, class) = summary(i);
                    (i.env.clone(), summary, class, i.cost_now, i.cost_planned)
                })
                .collect::<Vec<_>>()
        })
    });
    view! {
        <div class="tf-strip" data-testid="plan-strip">
            {move || {
                rows.get()
                    .into_iter()
                    .map(|(env, summary, class, now, planned)| {
                        let cost = match planned {
                            Some(planned) if (planned - now).abs() >= 0.5 => {
                                format!("{} → {}", dollars(now), dollars(planned))
                            }
                            _ => dollars(now),
                        };
                        view! {
                            <div class="tf-strip-env">
                                <span class=format!("env-badge env-{env}")>{env.clone()}</span>
                                <span class=class>{summary}</span>
                                <span class="tf-strip-cost">{cost} " " {tr!("tf.per_month")}</span>
                            </div>
                        }
                    })
                    .collect_view()
            }}
            {nav
                .map(|nav| {
                    view! {
                        <button
                            class="button button-small button-ghost"
                            on:click=move |_| nav.tab.set(Tab::Terraform)
                        >
                            {tr!("tf.open")}
                        </button>
                    }
                })}
        </div>
    }
}
