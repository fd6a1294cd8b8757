//! A kubectl line typed in the console of a running world, and, when it changes the cluster,
//! applied to a copy of that world through the cluster tool, as the console does.
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
            let output = kubectl::run(world, line, "prod");
            let _ = kubectl::parse_change(&kubectl::in_namespace(line, "prod"));
            if output.change {
                let mut changed = world.clone();
                let before = changed.actions().len();
                changed.apply(Action::Kubectl {
                    namespace: "prod".into(),
                    command: line.to_string(),
                });
                // What the console accepts, the world accepts and records.
                assert_eq!(changed.actions().len(), before + 1, "{line:?}");
            }
        });
    }
});
