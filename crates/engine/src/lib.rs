//! The opsdojo engine: a deterministic simulated platform and the lessons that teach it.
//!
//! Everything here is pure: time and seeds are inputs, nothing reads a clock, touches the
//! network or the file system. The browser app and the command line both drive this crate.
//!
//! The pipeline for a lesson reads `parse → check → evaluate → render`:
//! [`lesson::parse_lesson`] turns Markdown with front matter into a [`lesson::Lesson`] plus
//! diagnostics, [`world::World`] replays the learner's actions, [`objective`] evaluates the
//! lesson's objectives against the world, and [`lesson::render_markdown`] produces sanitized
//! HTML segments and widget placements for the UI.

pub mod alerting;
pub mod alertmanager;
pub mod bench;
pub mod cluster;
pub mod dashboard;
pub mod database;
pub mod delivery;
pub mod diagnostic;
pub mod fault;
pub mod game;
pub mod gotemplate;
pub mod helm;
pub mod infra;
pub mod kube;
pub mod lesson;
pub mod limits;
pub mod monitoring;
pub mod objective;
pub mod platform;
pub mod progress;
pub mod promql;
pub mod rng;
pub(crate) mod serde_util;
pub mod share;
pub mod terraform;
pub mod time;
pub mod tool;
pub mod traffic;
pub mod world;
pub mod yaml;

pub use diagnostic::{Diagnostic, Severity};
