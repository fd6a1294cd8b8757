//! Game day: faults injected live and prepared ahead, and what a participant's timeline says.

use super::*;
use crate::world::{EventLevel, Scenario};
use std::collections::BTreeMap;

const RULES: &str = r#"groups:
  - name: http
    rules:
      - alert: Route5xx
        expr: sum by (env, project, route) (rate(http_request_seconds_count{status=~"5.."}[5m])) / sum by (env, project, route) (rate(http_request_seconds_count[5m])) > 0.02
        for: 2m
"#;

const ALERTMANAGER: &str = r#"route:
  receiver: alerts
  group_by: [alertname, env, route]
  group_wait: 30s
  group_interval: 1m
receivers:
  - name: alerts
    slack_configs:
      - channel: '#alerts'
        send_resolved: true
"#;

fn scenario() -> Scenario {
    Scenario {
        files: BTreeMap::from([
            ("prometheus/rules.yml".to_string(), RULES.to_string()),
            (
                "alertmanager/alertmanager.yml".to_string(),
                ALERTMANAGER.to_string(),
            ),
        ]),
        ..Scenario::default()
    }
}

fn minutes(world: &mut World, minutes: i64) {
    world.apply(Action::Advance {
        by: SimDuration::from_minutes(minutes),
    });
}

fn value(world: &World, text: &str) -> f64 {
    let query = crate::promql::parse_query(text).expect("query parses");
    match crate::promql::instant_query(world.store(), &query.expr, world.now().epoch_ms()) {
        Ok(crate::promql::Value::Vector(samples)) => samples.first().map_or(0.0, |s| s.value),
        other => panic!("{text}: {other:?}"),
    }
}

const GET_USER_5XX: &str = r#"sum(rate(http_request_seconds_count{env="prod", route="get_user", status=~"5.."}[2m])) / sum(rate(http_request_seconds_count{env="prod", route="get_user"}[2m]))"#;

fn errors(percent: u32) -> Injection {
    Injection::Errors {
        env: "prod".into(),
        service: "users".into(),
        route: Some("get_user".into()),
        status: "500".into(),
        percent,
        lasts: Some(SimDuration::from_minutes(20)),
    }
}

#[test]
fn errors_injected_live_reach_the_dashboard_and_the_chat_and_say_nothing_in_the_log() {
    let mut world = World::new(scenario());
    minutes(&mut world, 5);
    assert_eq!(value(&world, GET_USER_5XX), 0.0);
    world.apply(Action::Inject { fault: errors(30) });
    minutes(&mut world, 6);
    let share = value(&world, GET_USER_5XX);
    assert!((0.2..0.4).contains(&share), "{share}");
    let alerts: Vec<_> = world
        .monitoring()
        .messages()
        .iter()
        .filter(|m| m.status == crate::alertmanager::Status::Firing)
        .collect();
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert_eq!(alerts[0].group_labels["route"], "get_user");
    // The participants' event log does not give the fault away.
    let snapshot = world.snapshot();
    assert!(
        snapshot
            .events
            .iter()
            .all(|e| e.text.starts_with("#alerts: ") && e.level != EventLevel::Warning),
        "{:?}",
        snapshot.events
    );
    // The fault lasts 20 minutes, then the route heals and the alert resolves.
    minutes(&mut world, 30);
    assert_eq!(value(&world, GET_USER_5XX), 0.0);
    assert!(world
        .monitoring()
        .messages()
        .iter()
        .any(|m| m.status == crate::alertmanager::Status::Resolved));
}

#[test]
fn a_bad_release_is_cured_by_a_rollback() {
    let mut world = World::new(scenario());
    minutes(&mut world, 2);
    world.apply(Action::Inject {
        fault: Injection::BadRelease {
            env: "prod".into(),
            service: "users".into(),
            version: "2.5.0".into(),
            percent: 40,
        },
    });
    minutes(&mut world, 10);
    let broken = value(
        &world,
        r#"sum(rate(http_request_seconds_count{env="prod", project="users", status="500"}[2m]))"#,
    );
    assert!(broken > 0.0);
    assert!(world
        .changes()
        .iter()
        .any(|c| c.text == "users 2.5.0 deployed"));
    world.apply(Action::Kubectl {
        namespace: "prod".into(),
        command: "rollout undo deploy/users".into(),
    });
    minutes(&mut world, 15);
    let after = value(
        &world,
        r#"sum(rate(http_request_seconds_count{env="prod", project="users", status="500"}[2m])) or vector(0)"#,
    );
    assert_eq!(after, 0.0);
}

#[test]
fn a_crashing_pod_shows_in_the_cluster_events() {
    let mut world = World::new(scenario());
    world.apply(Action::Inject {
        fault: Injection::Crash {
            env: "prod".into(),
            service: "coupons".into(),
        },
    });
    minutes(&mut world, 5);
    assert!(world
        .kube_events()
        .iter()
        .any(|e| e.reason == "Unhealthy" && e.namespace == "prod"));
}

#[test]
fn a_burst_multiplies_the_traffic() {
    let mut world = World::new(scenario());
    minutes(&mut world, 10);
    let rate = r#"sum(rate(http_request_seconds_count{env="staging", project="stores"}[2m]))"#;
    let before = value(&world, rate);
    world.apply(Action::Inject {
        fault: Injection::Burst {
            env: "staging".into(),
            service: Some("stores".into()),
            factor: 5,
            lasts: None,
        },
    });
    minutes(&mut world, 5);
    let during = value(&world, rate);
    assert!(during > before * 3.0, "{before} → {during}");
}

#[test]
fn a_database_resized_by_hand_shows_in_the_plan_and_an_apply_sets_it_back() {
    let mut world = World::new(scenario());
    minutes(&mut world, 2);
    world.apply(Action::Inject {
        fault: Injection::DatabaseClass {
            env: "prod".into(),
            class: "db.t3.medium".into(),
        },
    });
    let prod = |world: &World| {
        world
            .environments()
            .iter()
            .find(|e| e.name == "prod")
            .and_then(|e| world.database(&e.name))
            .map(|database| database.class.name)
    };
    assert_eq!(prod(&world), Some("db.t3.medium"));
    let plan = &world.infrastructure().env("prod").expect("prod").plan_text;
    assert!(
        plan.contains(r#"instance_class"#) && plan.contains("db.t3.medium"),
        "{plan}"
    );
    world.apply(Action::Apply { env: "prod".into() });
    minutes(&mut world, 40);
    assert_eq!(prod(&world), Some("db.r5.2xlarge"));
}

#[test]
fn a_setting_changed_by_hand_raises_a_compliance_finding() {
    let mut world = World::new(scenario());
    minutes(&mut world, 1);
    world.apply(Action::Inject {
        fault: Injection::Finding {
            env: "prod".into(),
            rule: "db-instance-backup-enabled".into(),
        },
    });
    let finding = world.monitoring().messages().iter().find(|m| {
        m.channel == "#alert-infra-prod" && m.status == crate::alertmanager::Status::Firing
    });
    assert!(
        finding.is_some_and(|m| m.title.contains("db-instance-backup-enabled")),
        "{:?}",
        world.monitoring().messages()
    );
    // The plan shows the change made by hand, back to what the variables say; an apply
    // closes the finding.
    let plan = &world.infrastructure().env("prod").expect("prod").plan_text;
    assert!(
        plan.contains("backup_retention_period    = 0 -> 7"),
        "{plan}"
    );
    let noncompliant = r#"aws_config_noncompliant_resources{env="prod", config_rule_name="db-instance-backup-enabled"}"#;
    minutes(&mut world, 1);
    assert_eq!(value(&world, noncompliant), 1.0);
    world.apply(Action::Apply { env: "prod".into() });
    minutes(&mut world, 5);
    assert_eq!(value(&world, noncompliant), 0.0);
}

#[test]
fn a_fault_that_does_not_fit_the_world_is_refused_with_a_reason() {
    let cases = [
        (
            Injection::Crash {
                env: "qa".into(),
                service: "users".into(),
            },
            "unknown environment `qa`",
        ),
        (
            Injection::Errors {
                env: "prod".into(),
                service: "users".into(),
                route: Some("get_store".into()),
                status: "500".into(),
                percent: 10,
                lasts: None,
            },
            "no route `get_store`",
        ),
        (errors(0), "not between 1 and 100"),
        (
            Injection::Errors {
                env: "prod".into(),
                service: "users".into(),
                route: None,
                status: "418".into(),
                percent: 10,
                lasts: None,
            },
            "status `418`",
        ),
        (
            Injection::Burst {
                env: "prod".into(),
                service: None,
                factor: 1,
                lasts: None,
            },
            "2 to 50",
        ),
        (
            Injection::DatabaseClass {
                env: "prod".into(),
                class: "db.x9.huge".into(),
            },
            "not an instance class",
        ),
        (
            Injection::Finding {
                env: "dev".into(),
                rule: "rds-multi-az-support".into(),
            },
            "does not apply to dev",
        ),
        (
            Injection::BadRelease {
                env: "prod".into(),
                service: "users".into(),
                version: "2.5.0; rm".into(),
                percent: 10,
            },
            "short version",
        ),
    ];
    for (fault, why) in cases {
        let refused = fault
            .check(&crate::platform::Platform::standard())
            .unwrap_err();
        assert!(refused.contains(why), "{why}: {refused}");
        // The world says so and records nothing.
        let mut world = World::new(scenario());
        world.apply(Action::Inject { fault });
        assert!(world.actions().is_empty());
        assert!(world
            .snapshot()
            .events
            .iter()
            .any(|e| e.text.contains("fault not injected")));
    }
}

#[test]
fn injected_faults_survive_a_checkpoint() {
    let mut world = World::new(scenario());
    minutes(&mut world, 3);
    world.apply(Action::Inject { fault: errors(50) });
    minutes(&mut world, 2);
    let text = world.checkpoint(SimDuration(0));
    let (mut resumed, _) =
        World::from_checkpoint(scenario(), &text, world.actions()).expect("resumes");
    minutes(&mut world, 5);
    minutes(&mut resumed, 5);
    assert_eq!(value(&resumed, GET_USER_5XX), value(&world, GET_USER_5XX));
    assert!(value(&resumed, GET_USER_5XX) > 0.3);
}

fn game() -> Game {
    Game {
        game: GAME_FORMAT,
        title: "Thursday's drill".into(),
        at: crate::share::SANDBOX.into(),
        seed: 1,
        speed: 60,
        starts: Some(1_800_000_000_000),
        length: SimDuration::from_minutes(60),
        faults: vec![PlannedFault {
            after: SimDuration::from_minutes(10),
            fault: errors(30),
        }],
    }
}

#[test]
fn a_game_reads_back_from_its_text_and_a_damaged_one_is_refused() {
    let text = game().to_text();
    assert_eq!(Game::from_text(&text), Ok(game()));
    let cases = [
        (text.replace("\"game\":1", "\"game\":2"), "another version"),
        (text.replace("\"speed\":60", "\"speed\":7"), "runs at 7x"),
        (text.replace("3600000", "0"), "more than nothing"),
        (
            text.replace("\"after\":600000", "\"after\":99600000"),
            "after the end",
        ),
        (
            text.replace("get_user", "signin"),
            "fault 1: `users` has no route",
        ),
        (text.replace("sandbox", "../x"), "pack/lesson"),
        (text[..text.len() - 3].to_string(), "not a game"),
    ];
    for (text, why) in cases {
        let refused = Game::from_text(&text).unwrap_err();
        assert!(refused.contains(why), "{why}: {refused}");
    }
    let crowded = Game {
        faults: vec![game().faults[0].clone(); MAX_FAULTS + 1],
        ..game()
    };
    assert!(crowded.check().unwrap_err().contains("more than"));
}

#[test]
fn the_room_clock_follows_the_wall_clock_from_the_start_to_the_end() {
    let game = game();
    let starts = 1_800_000_000_000.0;
    assert_eq!(
        game.room_elapsed(starts - 5000.0, None),
        Some(SimDuration(0))
    );
    assert_eq!(
        game.room_elapsed(starts + 2000.0, Some(1)),
        Some(SimDuration::from_seconds(120))
    );
    assert_eq!(game.room_elapsed(starts + 1e9, None), Some(game.length));
    assert_eq!(
        Game {
            starts: None,
            ..game.clone()
        }
        .room_elapsed(starts, None),
        None
    );
    // Without a start of its own, the game follows the participant's.
    assert_eq!(
        Game {
            starts: None,
            ..game
        }
        .room_elapsed(starts, Some(1_800_000_000_000 - 1000)),
        Some(SimDuration::from_seconds(60))
    );
}

#[test]
fn a_participant_plays_the_game_and_the_timeline_tells_when_they_detected_and_fixed_it() {
    let game = game();
    let mut world = World::new(game.scenario(scenario()));
    minutes(&mut world, 9);
    assert_eq!(value(&world, GET_USER_5XX), 0.0);
    minutes(&mut world, 6);
    assert!(value(&world, GET_USER_5XX) > 0.2);
    let opened = [Opened {
        at: SimDuration::from_minutes(14),
        panel: "dashboard".into(),
    }];
    world.apply(Action::Kubectl {
        namespace: "prod".into(),
        command: "rollout restart deploy/users".into(),
    });
    minutes(&mut world, 45);
    let timeline = timeline(&world, &game.faults, &opened);
    let kinds: Vec<&str> = timeline.entries.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        ["fault", "alert", "opened", "change", "resolved", "fixed"],
        "{:#?}",
        timeline.entries
    );
    let detected = timeline.detected_after.expect("detected");
    assert!(
        detected > SimDuration::from_minutes(2) && detected < SimDuration::from_minutes(6),
        "{detected}"
    );
    let fixed = timeline.fixed_after.expect("fixed");
    assert!(fixed > SimDuration::from_minutes(20), "{fixed}");
    assert!(timeline.entries[0].clock.starts_with("day 1 08:10"));
    let file = timeline.to_file(&game, "Ada", world.scenario().start_time());
    let read: serde_json::Value = serde_json::from_str(&file).expect("json");
    assert_eq!(read["participant"], "Ada");
    assert_eq!(read["entries"][1]["kind"], "alert");
    let alert = read["entries"][1]["text"].as_str().unwrap_or_default();
    assert!(alert.contains("route=get_user"), "{alert}");
}

#[test]
fn a_game_that_is_not_over_is_not_fixed() {
    let game = game();
    let mut world = World::new(game.scenario(scenario()));
    minutes(&mut world, 16);
    let timeline = timeline(&world, &game.faults, &[]);
    assert!(timeline.detected_after.is_some());
    assert_eq!(timeline.fixed_after, None);
    assert!(timeline
        .entries
        .iter()
        .all(|e| e.kind != crate::game::EntryKind::Fixed));
}

#[test]
fn saved_game_progress_is_checked_before_use() {
    let progress = GameProgress {
        participant: "Ada".into(),
        started: None,
        actions: vec![Action::Inject { fault: errors(10) }],
        opened: vec![],
    };
    let text = serde_json::to_string(&progress).expect("json");
    assert_eq!(GameProgress::from_text(&text), Ok(progress));
    let bad = text.replace("\"percent\":10", "\"percent\":1000");
    assert!(GameProgress::from_text(&bad)
        .unwrap_err()
        .contains("not between 1 and 100"));
    assert!(GameProgress::from_text("{").is_err());
}
