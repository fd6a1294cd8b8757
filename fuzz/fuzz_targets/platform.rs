//! A pack's `platform.yaml`: read and checked; a platform that reads builds a world that runs
//! a few minutes, plans its environments and renders its chart.
#![no_main]
use libfuzzer_sys::fuzz_target;
use opsdojo_engine::time::SimDuration;
use opsdojo_engine::world::{Action, Scenario, World};
use std::sync::Arc;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(platform) = opsdojo_engine::platform::parse_platform(text) else {
        return;
    };
    let mut world = World::new(Scenario {
        platform: Arc::new(platform),
        ..Scenario::default()
    });
    world.apply(Action::Advance {
        by: SimDuration::from_minutes(2),
    });
    let _ = world.snapshot();
});
