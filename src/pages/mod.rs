//! One page per route.

pub mod bench;
pub mod catalog;
pub mod lesson;
pub mod not_found;
pub mod sandbox;
