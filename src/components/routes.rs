//! Alertmanager's routing tree, drawn: every route with its matchers and receiver, the path
//! each active alert took, and a box to test a label set against the tree as
//! `amtool config routes test` does.

use crate::i18n::tr;
use crate::session::Sim;
use leptos::prelude::*;
use opsdojo_engine::alertmanager::{parse_label_set, Muting, RouteNode};
use std::collections::{BTreeMap, BTreeSet};

/// Every route on the way to one of `paths`, by path: the routes themselves and their ancestors.
fn on_the_way(paths: impl IntoIterator<Item = Vec<usize>>) -> BTreeSet<Vec<usize>> {
    let mut all = BTreeSet::new();
    for path in paths {
        for length in 0..=path.len() {
            all.insert(path[..length].to_vec());
        }
    }
    all
}

fn node_view(
    node: RouteNode,
    alert_way: Memo<BTreeSet<Vec<usize>>>,
    delivered: Memo<BTreeMap<Vec<usize>, usize>>,
    test_way: Memo<Option<BTreeSet<Vec<usize>>>>,
    test_final: Memo<BTreeSet<Vec<usize>>>,
) -> AnyView {
    let path = node.path.clone();
    let (p1, p2, p3, p4) = (path.clone(), path.clone(), path.clone(), path.clone());
    let children = node
        .children
        .into_iter()
        .map(|child| node_view(child, alert_way, delivered, test_way, test_final))
        .collect_view();
    view! {
        <li
            class="route-node"
            class:route-alerted=move || alert_way.with(|way| way.contains(&p1))
            class:route-tested=move || {
                test_way.with(|way| way.as_ref().is_some_and(|w| w.contains(&p2)))
            }
            class:route-final=move || test_final.with(|f| f.contains(&p3))
            data-path=format!("{path:?}")
        >
            <div class="route-row">
                <span class="route-match mono">{node.label}</span>
                {node
                    .continue_matching
                    .then(|| view! { <span class="route-continue">"continue"</span> })}
                <span class="route-receiver">
                    <span class="muted">"→ "</span>
                    <span class="mono">{node.receiver}</span>
                </span>
                {move || {
                    delivered
                        .with(|d| d.get(&p4).copied())
                        .map(|count| {
                            view! {
                                <span class="route-count" title=tr!("routes.alerts_here")>
                                    {count.to_string()}
                                </span>
                            }
                        })
                }}
            </div>
            <ul class="route-children">{children}</ul>
        </li>
    }
    .into_any()
}

#[component]
pub fn RoutingTree() -> impl IntoView {
    let sim = expect_context::<Sim>();
    let tree = Memo::new(move |_| sim.snapshot.with(|s| s.tools.monitoring.routing.clone()));
    let routed = Memo::new(move |_| {
        sim.snapshot
            .with(|s| s.tools.monitoring.routed_alerts.clone())
    });
    let alert_way = Memo::new(move |_| {
        routed.with(|alerts| {
            on_the_way(
                alerts
                    .iter()
                    .filter(|a| a.state == Muting::Active)
                    .flat_map(|a| a.paths.clone()),
            )
        })
    });
    let delivered = Memo::new(move |_| {
        let mut counts = BTreeMap::new();
        routed.with(|alerts| {
            for alert in alerts.iter().filter(|a| a.state == Muting::Active) {
                for path in &alert.paths {
                    *counts.entry(path.clone()).or_insert(0) += 1;
                }
            }
        });
        counts
    });
    let test_text = RwSignal::new(String::new());
    let test = Memo::new(move |_| {
        let text = test_text.get();
        if text.trim().is_empty() {
            return None;
        }
        // Re-run when the configuration changes.
        tree.track();
        Some(parse_label_set(&text).map(|labels| sim.route_test(&labels).unwrap_or_default()))
    });
    let test_way = Memo::new(move |_| {
        test.with(|t| match t {
            Some(Ok(routes)) => Some(on_the_way(routes.iter().map(|(p, _)| p.clone()))),
            _ => None,
        })
    });
    let test_final = Memo::new(move |_| {
        test.with(|t| match t {
            Some(Ok(routes)) => routes.iter().map(|(p, _)| p.clone()).collect(),
            _ => BTreeSet::new(),
        })
    });
    view! {
        <div class="routing" data-testid="routing-tree">
            {move || match tree.get() {
                None => view! { <p class="empty">{tr!("routes.no_config")}</p> }.into_any(),
                Some(root) => {
                    view! {
                        <ul class="route-tree">
                            {node_view(root, alert_way, delivered, test_way, test_final)}
                        </ul>
                    }
                        .into_any()
                }
            }}
            <label class="route-test">
                <span class="muted">{tr!("routes.test")}</span>
                <input
                    class="mono"
                    data-testid="route-test-input"
                    spellcheck="false"
                    placeholder="severity=critical service=mysql"
                    prop:value=move || test_text.get()
                    on:input=move |event| test_text.set(event_target_value(&event))
                />
            </label>
            {move || {
                test.get()
                    .map(|outcome| match outcome {
                        Ok(routes) => {
                            let receivers: Vec<String> = routes
                                .into_iter()
                                .map(|(_, receiver)| receiver)
                                .collect();
                            view! {
                                <p class="route-test-result" data-testid="route-test-result">
                                    <span class="muted">{tr!("routes.receivers")}</span>
                                    " "
                                    <span class="mono">{receivers.join(",")}</span>
                                </p>
                            }
                                .into_any()
                        }
                        Err(message) => {
                            view! {
                                <p class="problem problem-error" data-testid="route-test-result">
                                    {message}
                                </p>
                            }
                                .into_any()
                        }
                    })
            }}
        </div>
    }
}
