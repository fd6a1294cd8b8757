//! The text of a game link, once unpacked: read, checked, written back to the same game, and
//! its faults scheduled on the sandbox's world, which runs to the first of them; or a
//! participant's saved progress in a game, read and checked.
#![no_main]
use libfuzzer_sys::fuzz_target;
use opsdojo_engine::game::{Game, GameProgress};
use opsdojo_engine::time::SimDuration;
use opsdojo_engine::world::{Action, Scenario, World};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(progress) = GameProgress::from_text(text) {
        let text = progress.to_text();
        assert_eq!(GameProgress::from_text(&text), Ok(progress));
    }
    let Ok(game) = Game::from_text(text) else {
        return;
    };
    assert_eq!(Game::from_text(&game.to_text()).as_ref(), Ok(&game));
    let first = game.faults.iter().map(|f| f.after).min().unwrap_or_default();
    let mut world = World::new(game.scenario(Scenario::default()));
    world.apply(Action::Advance {
        by: SimDuration(first.0.min(SimDuration::from_minutes(30).0) + 60_000),
    });
});
