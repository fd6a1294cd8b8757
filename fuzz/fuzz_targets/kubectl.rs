//! A kubectl line typed in the console of a running world.
#![no_main]
use libfuzzer_sys::fuzz_target;
use opsdojo_engine::kube::kubectl;
use opsdojo_engine::time::SimDuration;
use opsdojo_engine::world::{Action, Scenario, World};

thread_local! {
    static WORLD: World = {
        let mut world = World::new(Scenario::default());
        world.apply(Action::Advance { by: SimDuration::from_minutes(5) });
        world
    };
}

fuzz_target!(|data: &[u8]| {
    if let Ok(line) = std::str::from_utf8(data) {
        WORLD.with(|world| {
            let _ = kubectl::run(world, line, "prod");
        });
    }
});
