//! The capstone lesson's day, step by step: what each tool shows when the learner gets there.

use super::*;

fn lesson() -> crate::lesson::Lesson {
    let parsed = crate::lesson::parse_lesson(include_str!(
        "../../../../lessons/en/capstone/a-day-on-call.md"
    ));
    parsed.lesson.expect("the capstone parses")
}

fn minutes(world: &mut World, minutes: i64) {
    world.apply(Action::Advance {
        by: SimDuration::from_minutes(minutes),
    });
}

fn pr(world: &mut World, command: &str) {
    world.apply(Action::PullRequest {
        command: command.into(),
    });
    let outcome = world.pull_request().and_then(|p| p.last_outcome.clone());
    assert!(
        matches!(outcome, Some(Ok(_))),
        "`{command}` should succeed: {outcome:?}"
    );
}

fn value(world: &World, text: &str) -> f64 {
    let query = crate::promql::parse_query(text).expect("query parses");
    match crate::promql::instant_query(world.store(), &query.expr, world.now().epoch_ms()) {
        Ok(crate::promql::Value::Vector(samples)) => samples.first().map_or(0.0, |s| s.value),
        other => panic!("{text}: {other:?}"),
    }
}

fn titles(world: &World, channel: &str, status: &str) -> Vec<String> {
    world
        .monitoring()
        .messages()
        .iter()
        .filter(|m| m.channel == channel && m.status.as_str() == status)
        .map(|m| m.title.clone())
        .collect()
}

/// Merges, promotes and lets the release reach prod's pods.
fn shipped() -> World {
    let mut world = World::new(lesson().scenario);
    minutes(&mut world, 8);
    pr(&mut world, "merge");
    minutes(&mut world, 6);
    pr(&mut world, "promote");
    minutes(&mut world, 12);
    world
}

#[test]
fn the_release_breaks_get_user_in_prod_only_and_the_alert_says_where() {
    let mut world = shipped();
    assert_eq!(
        titles(&world, "#alert-prod", "firing"),
        ["prod - [Back] users - 500 / Alert: Route : get_user - Logs 5xx à 15min - critical"]
    );
    let staging_500 = r#"sum(increase(http_request_seconds_count{env="staging", status="500"}[30m])) or vector(0)"#;
    assert_eq!(
        value(&world, staging_500),
        0.0,
        "staging's users have a locale"
    );
    let other_routes = r#"sum(increase(http_request_seconds_count{env="prod", route!="get_user", status="500"}[30m])) or vector(0)"#;
    assert_eq!(value(&world, other_routes), 0.0, "only get_user is broken");
    // Rolling back takes the fault away with the pods that carried it.
    world.apply(Action::Kubectl {
        namespace: "prod".into(),
        command: "rollout undo deploy/users".into(),
    });
    minutes(&mut world, 20);
    let now_500 = r#"sum(rate(http_request_seconds_count{env="prod", route="get_user", status="500"}[2m])) or vector(0)"#;
    assert_eq!(value(&world, now_500), 0.0);
    assert_eq!(
        titles(&world, "#alert-prod", "resolved"),
        ["prod - [Back] users - 500 / Alert: Route : get_user - Logs 5xx à 15min - critical"]
    );
}

#[test]
fn without_a_higher_limit_the_peak_pins_prods_autoscaler_and_answers_504() {
    let mut world = shipped();
    world.apply(Action::PullRequest {
        command: "rollback".into(),
    });
    // 18:56 to 20:56, the newsletter on top of prime time.
    minutes(&mut world, 120);
    let limited = r#"kube_horizontalpodautoscaler_status_condition{env="prod", horizontalpodautoscaler="users", condition="ScalingLimited", status="true"}"#;
    assert_eq!(value(&world, limited), 1.0);
    let replicas = r#"kube_deployment_status_replicas_ready{env="prod", deployment="users"}"#;
    assert_eq!(value(&world, replicas), 4.0);
    let timeouts = r#"sum(rate(http_request_seconds_count{env="prod", project="users", status="504"}[5m])) / sum(rate(http_request_seconds_count{env="prod", project="users"}[5m]))"#;
    assert!(value(&world, timeouts) > 0.01);
}

#[test]
fn the_morning_finding_waits_in_the_infrastructure_channel() {
    let world = World::new(lesson().scenario);
    let posted: Vec<_> = world
        .monitoring()
        .messages()
        .iter()
        .filter(|m| m.channel == "#alert-infra-prod")
        .map(|m| format!("{} {}", m.title, m.text))
        .collect();
    assert!(
        posted.iter().any(|m| m.contains("rds-multi-az-support")),
        "{posted:?}"
    );
}

#[test]
fn the_demo_script_plays_the_whole_day_and_meets_every_objective() {
    let lesson = lesson();
    assert_eq!(lesson.demo.len(), 14);
    let mut world = World::new(lesson.scenario.clone());
    let (mut tracker, _) = crate::lesson::ObjectiveTracker::new(&lesson);
    for step in &lesson.demo {
        if let Some(action) = &step.action {
            world.apply(action.clone());
        }
        tracker.update(&world);
    }
    assert!(tracker.all_met(), "met: {:?}", tracker.met());
}
