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
pub mod explorer;
pub mod facilitator;
pub mod game;
pub mod helm;
pub mod kubectl;
pub mod lesson_body;
pub mod objectives;
pub mod presenter;
pub mod pull_request;
pub mod share;
pub mod terraform;
pub mod top_bar;
pub mod workbench;
