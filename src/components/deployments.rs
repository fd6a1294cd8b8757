//! Deployments, their autoscalers and pods as `kubectl get` shows them, for one environment or
//! all.

use crate::i18n::tr;
use crate::session::Sim;
use leptos::prelude::*;
use opsdojo_engine::world::{HpaSnapshot, PodStatus, ScalingLimit};

/// The deployments of `env`, or of every environment when `env` is `None`.
#[component]
pub fn Deployments(
    /// The environment to show; all of them when absent.
    #[prop(optional)]
    env: Option<String>,
) -> impl IntoView {
    let sim = expect_context::<Sim>();
    let environments = move || {
        sim.snapshot.with(|snapshot| {
            snapshot
                .tools
                .cluster
                .environments
                .iter()
                .filter(|e| {
                    env.as_deref()
                        .filter(|wanted| !wanted.is_empty())
                        .is_none_or(|wanted| wanted == e.name)
                })
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    let starting = tr!("k8s.starting");
    let running = tr!("k8s.running");
    let pending = tr!("k8s.pending");
    view! {
        <div class="deployments" data-testid="deployments">
            {move || {
                environments()
                    .into_iter()
                    .map(|environment| {
                        view! {
                            <section class="env-block">
                                <h4 class="env-name">
                                    <span class=format!(
                                        "env-badge env-{}",
                                        environment.name,
                                    )>{environment.name.clone()}</span>
                                </h4>
                                <table class="data-table">
                                    <thead>
                                        <tr>
                                            <th>{tr!("k8s.deployment")}</th>
                                            <th class="num">{tr!("k8s.ready")}</th>
                                            <th class="num">{tr!("k8s.desired")}</th>
                                            <th>{tr!("k8s.autoscaler")}</th>
                                            <th>{tr!("k8s.pods")}</th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {environment
                                            .deployments
                                            .into_iter()
                                            .map(|deployment| {
                                                let healthy = deployment.ready
                                                    == deployment.desired as usize;
                                                view! {
                                                    <tr
                                                        data-deployment=deployment.name.clone()
                                                        data-env=environment.name.clone()
                                                    >
                                                        <td class="mono">{deployment.name.clone()}</td>
                                                        <td
                                                            class="num mono"
                                                            class:ok=healthy
                                                            class:warn=!healthy
                                                            data-testid="ready-count"
                                                        >
                                                            {format!("{}/{}", deployment.ready, deployment.desired)}
                                                        </td>
                                                        <td class="num mono">{deployment.desired}</td>
                                                        {autoscaler_cell(deployment.hpa.as_ref())}
                                                        <td>
                                                            <div class="pods">
                                                                {deployment
                                                                    .pods
                                                                    .into_iter()
                                                                    .map(|pod| {
                                                                        let crashing = matches!(
                                                                            pod.status,
                                                                            PodStatus::Error | PodStatus::CrashLoopBackOff
                                                                        );
                                                                        let state = if crashing {
                                                                            format!("{} ({} restarts)", pod.status, pod.restarts)
                                                                        } else if pod.pending {
                                                                            pending().to_string()
                                                                        } else if pod.ready {
                                                                            running().to_string()
                                                                        } else {
                                                                            starting().to_string()
                                                                        };
                                                                        let title = format!(
                                                                            "{} · {} · {}",
                                                                            pod.name,
                                                                            state,
                                                                            pod.age,
                                                                        );
                                                                        view! {
                                                                            <span
                                                                                class="pod"
                                                                                class:pod-ready=pod.ready
                                                                                class:pod-pending=pod.pending
                                                                                class:pod-crashing=crashing
                                                                                title=title
                                                                            ></span>
                                                                        }
                                                                    })
                                                                    .collect_view()}
                                                            </div>
                                                        </td>
                                                    </tr>
                                                }
                                            })
                                            .collect_view()}
                                    </tbody>
                                </table>
                            </section>
                        }
                    })
                    .collect_view()
            }}
        </div>
    }
}

/// The autoscaler's metric against its target and its bounds, or a dash without one.
fn autoscaler_cell(hpa: Option<&HpaSnapshot>) -> impl IntoView {
    let Some(hpa) = hpa else {
        return view! { <td class="muted">"—"</td> }.into_any();
    };
    let current = hpa
        .current
        .map_or_else(|| "?".to_string(), |v| format!("{v:.0}"));
    let at_max = hpa.limited == Some(ScalingLimit::TooManyReplicas);
    let title = match hpa.limited {
        Some(limit) => format!("ScalingLimited: {}", limit.reason()),
        None => String::new(),
    };
    view! {
        <td class="mono hpa-cell" class:warn=at_max title=title data-testid="hpa-cell">
            <span class="hpa-metric">{format!("{current}% / {:.0}%", hpa.target)}</span>
            <span class="hpa-bounds">{format!("{}–{}", hpa.min, hpa.max)}</span>
        </td>
    }
    .into_any()
}
