//! Reusable pieces of the interface. They read engine snapshots and call engine actions; none
//! holds simulation logic.

pub mod alerts;
pub mod channel;
pub mod chart;
pub mod clock_bar;
pub mod dashboard;
pub mod deployments;
pub mod download;
pub mod editor;
pub mod events;
pub mod explain;
pub mod explorer;
pub mod facilitator;
pub mod game;
pub mod helm;
pub mod kubectl;
pub mod lesson_body;
pub mod objectives;
pub mod presenter;
pub mod pull_request;
pub mod routes;
pub mod rule_tests;
pub mod share;
pub mod terraform;
pub mod top_bar;
pub mod visible;
pub mod workbench;

/// Keeps `name` on the page's root element while `value` gives one (the stylesheet reads the
/// page's mode from it), and takes it off when the owner goes away.
pub fn root_attribute(name: &'static str, value: impl Fn() -> Option<&'static str> + 'static) {
    use leptos::prelude::*;
    Effect::new(move |_| {
        if let Some(root) = document().document_element() {
            let _ = match value() {
                Some(value) => root.set_attribute(name, value),
                None => root.remove_attribute(name),
            };
        }
    });
    on_cleanup(move || {
        if let Some(root) = document().document_element() {
            let _ = root.remove_attribute(name);
        }
    });
}
