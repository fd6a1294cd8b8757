//! The alert list, as Prometheus's Alerts page shows it: each alerting rule with its state and
//! alerts, then the recording rules, then what Alertmanager does with the firing alerts.

use crate::components::chart::short_value;
use crate::components::routes::RoutingTree;
use crate::i18n::tr;
use crate::session::Sim;
use leptos::prelude::*;
use opsdojo_engine::alerting::{AlertState, RuleStatus};
use opsdojo_engine::time::SimTime;
use std::collections::BTreeMap;

fn labels_view(labels: &BTreeMap<String, String>) -> impl IntoView {
    labels
        .iter()
        .filter(|(name, _)| name.as_str() != "alertname")
        .map(|(name, value)| {
            view! { <span class="label-chip mono">{format!("{name}={value}")}</span> }
        })
        .collect_view()
}

fn rule_state(rule: &RuleStatus) -> (AlertState, usize) {
    let highest = rule
        .alerts
        .iter()
        .map(|a| a.state)
        .max()
        .unwrap_or(AlertState::Inactive);
    let count = rule.alerts.iter().filter(|a| a.state == highest).count();
    (highest, count)
}

#[component]
pub fn AlertList() -> impl IntoView {
    let sim = expect_context::<Sim>();
    let rules = Memo::new(move |_| sim.snapshot.with(|s| s.tools.monitoring.rules.clone()));
    let routed = Memo::new(move |_| {
        sim.snapshot
            .with(|s| s.tools.monitoring.routed_alerts.clone())
    });
    view! {
        <div class="alert-list" data-testid="alert-list">
            {move || {
                let rules = rules.get();
                if rules.is_empty() {
                    return view! { <p class="empty">{tr!("alerts.no_rules")}</p> }.into_any();
                }
                rules
                    .into_iter()
                    .filter(|rule| rule.is_alert)
                    .map(|rule| {
                        let (state, count) = rule_state(&rule);
                        let badge = match state {
                            AlertState::Inactive => "inactive".to_string(),
                            other => format!("{} ({count})", other.as_str()),
                        };
                        view! {
                            <details
                                class=format!("rule rule-{}", state.as_str())
                                open=state != AlertState::Inactive
                            >
                                <summary>
                                    <span class=format!(
                                        "state-badge state-{}",
                                        state.as_str(),
                                    )>{badge}</span>
                                    <span class="rule-name">{rule.name.clone()}</span>
                                    <span class="rule-group muted">{rule.group.clone()}</span>
                                </summary>
                                <pre class="rule-query mono">
                                    {format!("{}\nfor: {}", rule.query, rule.hold)}
                                </pre>
                                {rule
                                    .last_error
                                    .clone()
                                    .map(|e| view! { <p class="problem problem-error">{e}</p> })}
                                <table class="data-table">
                                    <tbody>
                                        {rule
                                            .alerts
                                            .iter()
                                            .map(|alert| {
                                                view! {
                                                    <tr>
                                                        <td>
                                                            <span class=format!(
                                                                "state-badge state-{}",
                                                                alert.state.as_str(),
                                                            )>{alert.state.as_str()}</span>
                                                        </td>
                                                        <td>{labels_view(&alert.labels)}</td>
                                                        <td class="mono">
                                                            {SimTime(alert.active_at_ms).to_string()}
                                                        </td>
                                                        <td class="num mono">{short_value(alert.value)}</td>
                                                    </tr>
                                                }
                                            })
                                            .collect_view()}
                                    </tbody>
                                </table>
                            </details>
                        }
                    })
                    .collect_view()
                    .into_any()
            }}
            <h3 class="section-title">{tr!("alerts.recording")}</h3>
            <ul class="recording-rules">
                {move || {
                    rules
                        .get()
                        .into_iter()
                        .filter(|rule| !rule.is_alert)
                        .map(|rule| {
                            view! {
                                <li class="mono">
                                    <strong>{rule.name.clone()}</strong>
                                    " = "
                                    {rule.query.clone()}
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
            <h3 class="section-title">{tr!("alerts.alertmanager")}</h3>
            <RoutingTree />
            <table class="data-table" data-testid="routed-alerts">
                <tbody>
                    {move || {
                        routed
                            .get()
                            .into_iter()
                            .map(|alert| {
                                view! {
                                    <tr>
                                        <td class="mono">
                                            {alert.labels.get("alertname").cloned().unwrap_or_default()}
                                        </td>
                                        <td>{labels_view(&alert.labels)}</td>
                                        <td class="mono">{alert.receivers.join(", ")}</td>
                                        <td>{alert.state.as_str()}</td>
                                    </tr>
                                }
                            })
                            .collect_view()
                    }}
                </tbody>
            </table>
        </div>
    }
}
