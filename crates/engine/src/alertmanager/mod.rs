//! Alertmanager: its configuration, routing tree, grouping and timing, inhibition, silences,
//! and the chat messages it sends.
//!
//! [`parse_config`] reads `alertmanager.yml` with diagnostics; [`Alertmanager`] receives the
//! alerts a [`crate::alerting::RuleEngine`] sends and, on the simulated clock, flushes its
//! groups into [`ChatMessage`]s; [`receivers_for`] answers what `amtool config routes test`
//! answers.

mod config;
mod dispatch;
mod matcher;
mod routes;
mod silence;

#[cfg(test)]
mod tests;

pub use config::{parse_config, Config, InhibitRule, Receiver, Route, SlackConfig};
pub(crate) use dispatch::AlertmanagerState;
pub use dispatch::{
    receivers_for, Alertmanager, AlertmanagerAlert, ChatMessage, MessageAlert, Muting, Status,
};
pub use matcher::{parse_label_set, parse_matchers, MatchType, Matcher};
pub use routes::{
    matching_routes, matching_tree, route_label, route_nodes, routing_tree, RouteNode,
};
pub use silence::{parse_silences, Silence};
