//! A checkpoint read back from the browser's storage, sealed so that its body is what is
//! checked, then the world it gives running on.
#![no_main]
use libfuzzer_sys::fuzz_target;
use opsdojo_engine::time::SimDuration;
use opsdojo_engine::world::{sealed_checkpoint, Action, Scenario, World};

fuzz_target!(|data: &[u8]| {
    if let Ok(body) = std::str::from_utf8(data) {
        let scenario = Scenario::default();
        let text = sealed_checkpoint(&scenario, body);
        let Ok((mut world, _)) = World::from_checkpoint(scenario, &text, &[]) else {
            return;
        };
        world.apply(Action::Advance {
            by: SimDuration::from_minutes(2),
        });
        let _ = world.snapshot();
        let _ = world.checkpoint(SimDuration::default());
    }
});
