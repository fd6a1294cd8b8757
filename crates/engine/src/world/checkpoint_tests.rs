//! Checkpoints give back the world they were taken from, in every shipped lesson, and are
//! refused when they do not fit.

use super::*;
use crate::promql::{Labels, SeriesStore};
use std::path::Path;

fn lessons() -> Vec<(String, crate::lesson::Lesson)> {
    let mut found = Vec::new();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../lessons/en");
    let mut dirs = vec![root];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("the lessons directory reads") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "md") {
                let text = std::fs::read_to_string(&path).expect("the lesson reads");
                if let Some(lesson) = crate::lesson::parse_lesson(&text).lesson {
                    found.push((path.display().to_string(), lesson));
                }
            }
        }
    }
    found.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(found.len() >= 10, "found {} lessons", found.len());
    found
}

/// The parts in which two checkpoints differ, by name.
fn differences(a: &str, b: &str) -> Vec<String> {
    let body = |text: &str| -> serde_json::Map<String, serde_json::Value> {
        let (_, body) = text.split_once('\n').expect("a header");
        let (body, series) = body.rsplit_once('\n').expect("the series");
        let mut body: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(body).expect("a body");
        body.insert("series".into(), series.into());
        body
    };
    let (mut a, mut b) = (body(a), body(b));
    // The gauges written last are a set, listed in no particular order.
    for body in [&mut a, &mut b] {
        if let Some(serde_json::Value::Array(gauges)) = body.get_mut("last_gauges") {
            gauges.sort_by_key(|gauge| gauge.to_string());
        }
    }
    a.keys()
        .filter(|key| a.get(*key) != b.get(*key))
        .cloned()
        .collect()
}

fn advance(world: &mut World, minutes: i64) {
    world.apply(Action::Advance {
        by: SimDuration::from_minutes(minutes),
    });
}

#[test]
fn every_lesson_resumes_from_a_checkpoint_into_the_world_it_would_have_been() {
    for (path, lesson) in lessons() {
        let half = lesson.solution.len() / 2;
        let mut world = World::new(lesson.scenario.clone());
        for action in &lesson.solution[..half] {
            world.apply(action.clone());
        }
        advance(&mut world, 20);
        let (tracker, _) = crate::lesson::ObjectiveTracker::new(&lesson);
        let checkpoint = world.checkpoint(tracker.lookback());
        // After the checkpoint: the clock goes on (merging into its last advance), then the
        // rest of the solution, then long enough for every kept series to be rewritten.
        advance(&mut world, 10);
        for action in &lesson.solution[half..] {
            world.apply(action.clone());
        }
        advance(&mut world, 90);
        // The objectives give the same answers in both worlds, and so do the rules.
        let (mut resumed_tracker, mut replayed_tracker) = (tracker.clone(), tracker.clone());

        let (resumed, how) =
            World::resume(lesson.scenario.clone(), Some(&checkpoint), world.actions());
        assert!(matches!(how, Resumed::Checkpoint { .. }), "{path}: {how:?}");
        assert_eq!(resumed.actions(), world.actions(), "{path}");
        assert!(
            resumed.snapshot() == world.snapshot(),
            "{path}: the snapshots differ"
        );
        assert_eq!(
            resumed_tracker.update(&resumed),
            replayed_tracker.update(&world),
            "{path}"
        );
        let history = tracker.lookback();
        let differ = differences(&resumed.checkpoint(history), &world.checkpoint(history));
        assert!(differ.is_empty(), "{path}: the worlds differ in {differ:?}");
    }
}

#[test]
fn a_checkpoint_resumes_within_a_merged_edit() {
    let scenario = Scenario::default();
    let path = values_file_path("dev");
    let mut world = World::new(scenario.clone());
    let content = world.file(&path).expect("the values file").content.clone();
    world.apply(Action::EditFile {
        path: path.clone(),
        content: format!("{content}# one\n"),
    });
    let checkpoint = world.checkpoint(SimDuration::default());
    // The next keystroke merges into the same recorded patch.
    world.apply(Action::EditFile {
        path: path.clone(),
        content: format!("{content}# one two\n"),
    });
    assert_eq!(world.actions().len(), 1);
    advance(&mut world, 5);
    let (resumed, how) = World::resume(scenario, Some(&checkpoint), world.actions());
    assert_eq!(how, Resumed::Checkpoint { actions_after: 2 });
    assert_eq!(
        differences(
            &resumed.checkpoint(SimDuration::default()),
            &world.checkpoint(SimDuration::default())
        ),
        Vec::<String>::new()
    );
}

#[test]
fn a_checkpoint_that_does_not_fit_is_refused_and_the_actions_are_replayed() {
    let scenario = Scenario::default();
    let mut world = World::new(scenario.clone());
    advance(&mut world, 30);
    let checkpoint = world.checkpoint(SimDuration::default());
    advance(&mut world, 30);
    let expected = world.checkpoint(SimDuration::default());
    let refused = |text: &str, actions: &[Action], why: &str| {
        let (resumed, how) = World::resume(scenario.clone(), Some(text), actions);
        match how {
            Resumed::Refused(reason) => assert!(reason.contains(why), "{reason}"),
            other => panic!("{why}: {other:?}"),
        }
        resumed
    };
    // Altered, truncated, of another version, or not a checkpoint at all.
    let altered = checkpoint.replacen("\"now\":", "\"now\": ", 1);
    let replayed = refused(&altered, world.actions(), "altered");
    assert_eq!(
        differences(&replayed.checkpoint(SimDuration::default()), &expected),
        Vec::<String>::new()
    );
    refused(
        &checkpoint[..checkpoint.len() / 2],
        world.actions(),
        "altered",
    );
    refused(
        &checkpoint.replacen("opsdojo-checkpoint 5 ", "opsdojo-checkpoint 4 ", 1),
        world.actions(),
        "another version",
    );
    refused("", world.actions(), "no header");
    refused(
        &"x".repeat(crate::limits::CHECKPOINT_MAX_BYTES + 1),
        world.actions(),
        "over",
    );
    // Of another scenario.
    let other = Scenario {
        seed: scenario.seed + 1,
        ..scenario.clone()
    };
    let (_, how) = World::resume(other, Some(&checkpoint), world.actions());
    assert!(matches!(how, Resumed::Refused(_)), "{how:?}");
    // Actions that do not continue it: fewer than it has, or others.
    refused(&checkpoint, &[], "do not continue");
    let edit = [Action::EditFile {
        path: values_file_path("dev"),
        content: String::new(),
    }];
    refused(&checkpoint, &edit, "do not continue");
}

#[test]
fn a_checkpoint_with_a_resealed_body_that_does_not_fit_the_world_is_refused() {
    // A body changed and sealed again with a matching digest still has to fit the world.
    let scenario = Scenario::default();
    let mut world = World::new(scenario.clone());
    advance(&mut world, 15);
    let checkpoint = world.checkpoint(SimDuration::default());
    let (header, body) = checkpoint.split_once('\n').expect("a header");
    assert!(checkpoint.starts_with(&format!("{header}\n")));
    let reseal = |body: &str| sealed_checkpoint(&scenario, body);
    for (from, to, why) in [
        ("\"name\":\"prod\"", "\"name\":\"qa\"", "environments"),
        (
            "\"service\":\"users\"",
            "\"service\":\"orders\"",
            "environments",
        ),
        ("\"next_event\":0", "\"next_event\":99", "scheduled events"),
        ("}\n", "}\n!", "base64"),
        (
            "\"class\":\"db.t3.medium\"",
            "\"class\":\"db.x9\"",
            "unreadable",
        ),
    ] {
        assert!(body.contains(from), "{from}");
        let (_, how) = World::resume(
            scenario.clone(),
            Some(&reseal(&body.replacen(from, to, 1))),
            world.actions(),
        );
        match how {
            Resumed::Refused(reason) => assert!(reason.contains(why), "{from}: {reason}"),
            other => panic!("{from}: {other:?}"),
        }
    }
    let (_, how) = World::resume(scenario.clone(), Some(&reseal(body)), world.actions());
    assert_eq!(how, Resumed::Checkpoint { actions_after: 0 });
}

#[test]
fn a_checkpoint_keeps_the_history_the_rules_and_the_objectives_read() {
    let mut world = World::new(Scenario::default());
    advance(&mut world, 4 * 60);
    let series_bytes = |world: &World, history: i64| {
        let checkpoint = world.checkpoint(SimDuration::from_minutes(history));
        let (_, series) = checkpoint.rsplit_once('\n').expect("a header");
        series.len()
    };
    // An hour at least; two when the caller's queries read two.
    assert_eq!(series_bytes(&world, 0), series_bytes(&world, 60));
    let two_hours = series_bytes(&world, 120);
    assert!(two_hours > series_bytes(&world, 60) * 3 / 2);
    // A rule that reads three hours back keeps three hours.
    let rules = world
        .file(alerting::RULES_PATH)
        .expect("a rule file")
        .content
        .clone();
    world.apply(Action::EditFile {
        path: alerting::RULES_PATH.into(),
        content: rules.replacen(
            "avg by (env, app) (phpfpm_active_process_percentage)",
            "avg by (env, app) (avg_over_time(phpfpm_active_process_percentage[3h]))",
            1,
        ),
    });
    assert!(series_bytes(&world, 0) > two_hours);
}

#[test]
fn a_checkpoint_stays_small_whatever_the_simulated_time() {
    let mut world = World::new(Scenario::default());
    let mut sizes = Vec::new();
    for hours in [2, 24] {
        advance(&mut world, hours * 60);
        sizes.push(world.checkpoint(SimDuration::default()).len());
    }
    // The series kept are the last hour's: a day later the checkpoint has not grown with it.
    assert!(sizes[1] < sizes[0] * 3 / 2, "{sizes:?}");
    assert!(sizes[1] < 2_000_000, "{sizes:?}");
}

#[test]
fn a_small_checkpoint_with_empty_files_and_one_series_resumes() {
    // The fuzzer's seed (`fuzz/seeds/checkpoint/`, written again when OPSDOJO_CHECKPOINT_SEED
    // names a file): a real body with empty files and a store of one series, small enough for
    // libFuzzer's inputs.
    let mut world = World::new(Scenario::default());
    advance(&mut world, 1);
    for (path, file) in world.files.iter_mut() {
        if !path.starts_with("prometheus/") && !path.starts_with("alertmanager/") {
            file.content.clear();
        }
    }
    let mut store = SeriesStore::new();
    store.append(&Labels::named("up"), world.now().epoch_ms(), 1.0);
    world.store = store;
    world.actions.clear();
    let checkpoint = world.checkpoint(SimDuration::default());
    let (_, body) = checkpoint.split_once('\n').expect("a header");
    assert!(body.len() < 131_072, "{} bytes", body.len());
    let scenario = Scenario::default();
    let (mut resumed, how) = World::resume(
        scenario.clone(),
        Some(&sealed_checkpoint(&scenario, body)),
        &[],
    );
    assert_eq!(how, Resumed::Checkpoint { actions_after: 0 });
    advance(&mut resumed, 5);
    assert_eq!(resumed.elapsed(), SimDuration::from_minutes(6));
    if let Ok(path) = std::env::var("OPSDOJO_CHECKPOINT_SEED") {
        std::fs::write(path, body).expect("the seed is written");
    }
}

#[test]
fn a_checkpoint_written_in_slices_is_the_one_written_at_once() {
    let mut world = World::new(Scenario::default());
    advance(&mut world, 20);
    let history = SimDuration::from_minutes(60);
    let whole = world.checkpoint(history);
    for slice in [0, 1, 2, 3, 4, 1000, 65_536] {
        let mut writer = world.start_checkpoint(history);
        let mut slices = 1;
        while !writer.write(slice) {
            slices += 1;
        }
        assert!(
            slice == 0 || slice > 100_000 || slices > 10,
            "{slice}: {slices}"
        );
        assert!(writer.finish() == whole, "slices of {slice} bytes");
    }
    // The world moves on before the text is finished: the checkpoint is of when it started.
    let mut writer = world.start_checkpoint(history);
    writer.write(1000);
    advance(&mut world, 1);
    assert!(writer.finish() == whole);
    assert!(world.checkpoint(history) != whole);
}

#[test]
fn the_fuzzers_checkpoint_seed_is_of_the_current_format() {
    // The checkpoint target seals this body and resumes from it: a seed of an older format
    // would stop every execution at the first field it no longer has.
    let body = include_str!("../../../../fuzz/seeds/checkpoint/default-scenario");
    let scenario = Scenario::default();
    // A change of format writes it again: the default world's body, with the seed's store of
    // one series.
    if let Ok(path) = std::env::var("OPSDOJO_WRITE_CHECKPOINT_SEED") {
        let text = World::new(scenario.clone()).checkpoint(SimDuration::default());
        let json = text.lines().nth(1).expect("a body");
        let series = body.lines().last().expect("a store");
        std::fs::write(path, format!("{json}\n{series}")).expect("the seed is written");
        return;
    }
    let text = sealed_checkpoint(&scenario, body);
    let (world, resumed) = World::resume(scenario.clone(), Some(&text), &[]);
    assert_eq!(resumed, Resumed::Checkpoint { actions_after: 0 });
    assert_eq!(world.snapshot(), World::new(scenario).snapshot());
}
