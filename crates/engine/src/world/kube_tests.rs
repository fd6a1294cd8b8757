//! The cluster in the world: autoscalers, capacity, pods.

use super::*;

fn hpa_values(min: u32, max: u32, target: u32) -> String {
    let mut text = String::from("autoscaling:\n");
    for service in SERVICES {
        text.push_str(&format!(
            "  {service}:\n    minReplicas: {min}\n    maxReplicas: {max}\n    targetActiveProcessPercentage: {target}\n"
        ));
    }
    text
}

/// Prod at 20:00 with `values`, and a TV show that triples the users' traffic from 20:30 to 21:30.
fn evening_world(values: String) -> World {
    World::new(Scenario {
        start: SimDuration::from_minutes(20 * 60),
        files: [(values_file_path("prod"), values)].into_iter().collect(),
        events: vec![ScheduledEvent {
            at: SimDuration::from_minutes(30),
            note: "prime time".into(),
            fault: None,
            release: None,
            burst: Some(Burst {
                env: "prod".into(),
                service: Some("users".into()),
                factor: 3.0,
                lasts: Some(SimDuration::from_minutes(60)),
                every: None,
            }),
        }],
        ..Scenario::default()
    })
}

fn advance(world: &mut World, minutes: i64) {
    world.apply(Action::Advance {
        by: SimDuration::from_minutes(minutes),
    });
}

fn query(world: &World, text: &str) -> f64 {
    let query = crate::promql::parse_query(text).expect("query parses");
    match crate::promql::instant_query(world.store(), &query.expr, world.now().epoch_ms()) {
        Ok(crate::promql::Value::Vector(samples)) => samples.iter().map(|s| s.value).sum(),
        Ok(crate::promql::Value::Scalar(v)) => v,
        other => panic!("{text}: {other:?}"),
    }
}

fn users(world: &World) -> &Deployment {
    &world.environments()[2].deployments[0]
}

const PROD_504: &str = "sum(rate(http_request_seconds_count{env=\"prod\",status=\"504\"}[1m]))";

#[test]
fn the_autoscaler_follows_the_prime_time_peak() {
    // Guards the HPA lesson's solution: enough maxReplicas carry the peak, and the pods go after.
    let mut world = evening_world(hpa_values(3, 12, 60));
    advance(&mut world, 60);
    assert!(users(&world).desired >= 6, "{}", users(&world).desired);
    assert!(users(&world).ready_pods(world.now()) >= 6);
    assert!(
        query(&world, PROD_504) < 0.01,
        "{}",
        query(&world, PROD_504)
    );
    assert_eq!(
        query(&world, "kube_horizontalpodautoscaler_status_desired_replicas{env=\"prod\",horizontalpodautoscaler=\"users\"}"),
        f64::from(users(&world).desired)
    );
    advance(&mut world, 100);
    assert_eq!(
        users(&world).desired,
        3,
        "back to minReplicas after the peak"
    );
    let log: Vec<&str> = world.event_log().iter().map(|e| e.text.as_str()).collect();
    assert!(
        log.iter().any(
            |l| l.starts_with("prod: horizontalpodautoscaler/users: New size: ")
                && l.ends_with(
                    "; reason: pods metric phpfpm_active_process_percentage above target"
                )
        ),
        "{log:?}"
    );
    assert!(log.iter().any(|l| l.contains("below target")), "{log:?}");
    assert!(world
        .changes()
        .iter()
        .any(|c| c.text.starts_with("HPA scaled users from 3 to")));
}

#[test]
fn a_low_max_replicas_saturates_php_fpm_at_the_peak() {
    // Guards the HPA lesson's problem: at maxReplicas the autoscaler says so, and requests time out.
    let mut world = evening_world(hpa_values(3, 4, 60));
    advance(&mut world, 60);
    assert_eq!(users(&world).desired, 4);
    assert_eq!(
        query(&world, "kube_horizontalpodautoscaler_status_condition{env=\"prod\",horizontalpodautoscaler=\"users\",condition=\"ScalingLimited\",status=\"true\"}"),
        1.0
    );
    assert!(query(&world, PROD_504) > 1.0, "{}", query(&world, PROD_504));
}

#[test]
fn pods_past_the_cluster_capacity_wait_pending() {
    // Guards the capacity limit: prod's nodes run 40 pods; the rest wait until room frees up.
    let mut world = World::new(Scenario::default());
    let crowded = "replicas:\n  users: 20\n  stores: 20\n  coupons: 3\n  external-signin: 3\n";
    world.apply(Action::EditFile {
        path: values_file_path("prod"),
        content: crowded.into(),
    });
    advance(&mut world, 2);
    let pending = || "sum(kube_pod_status_phase{env=\"prod\",phase=\"Pending\"})";
    assert_eq!(query(&world, pending()), 6.0);
    assert_eq!(
        query(
            &world,
            "sum(kube_deployment_status_replicas_ready{env=\"prod\"})"
        ),
        40.0
    );
    assert!(world.event_log().iter().any(|e| e
        .text
        .contains(": 0/10 nodes are available: 10 Insufficient cpu.")));
    world.apply(Action::EditFile {
        path: values_file_path("prod"),
        content: crowded.replace("users: 20", "users: 14"),
    });
    advance(&mut world, 2);
    assert_eq!(query(&world, pending()), 0.0);
    assert_eq!(
        query(
            &world,
            "sum(kube_deployment_status_replicas_ready{env=\"prod\"})"
        ),
        40.0
    );
}

#[test]
fn autoscaling_settings_are_checked_where_they_are_written() {
    // Guards the values file's messages: each mistake is reported on its own line.
    let mut world = World::new(Scenario::default());
    let text = "replicas:\n  users: 2\nautoscaling:\n  users:\n    minReplicas: 5\n    maxReplicas: 2\n  stores:\n    minReplica: 1\n    maxReplicas: 3\n  coupons:\n    minReplicas: 1\n    maxReplicas: \"ten\"\n";
    world.apply(Action::EditFile {
        path: values_file_path("dev"),
        content: text.into(),
    });
    let file = world.file(&values_file_path("dev")).unwrap();
    let found: Vec<(usize, String)> = file
        .diagnostics
        .iter()
        .map(|d| (d.line, d.message.clone()))
        .collect();
    let expect = |line: usize, words: &str| {
        assert!(
            found.iter().any(|(l, m)| *l == line && m.contains(words)),
            "no `{words}` on line {line}: {found:?}"
        );
    };
    expect(
        4,
        "minReplicas (5) must be at least 1 and at most maxReplicas (2)",
    );
    expect(8, "unknown setting `minReplica`");
    expect(7, "needs `minReplicas` and `maxReplicas`");
    expect(12, "`maxReplicas` must be a whole number");
    assert!(file.values.is_none(), "errors keep the last good values");
    world.apply(Action::EditFile {
        path: values_file_path("dev"),
        content: "replicas:\n  users: 2\nautoscaling:\n  users:\n    minReplicas: 1\n    maxReplicas: 4\n".into(),
    });
    let file = world.file(&values_file_path("dev")).unwrap();
    assert_eq!(file.diagnostics.len(), 1, "{:?}", file.diagnostics);
    assert!(file.diagnostics[0]
        .message
        .contains("`replicas` of `users` is ignored"));
    assert_eq!(file.diagnostics[0].line, 2);
    assert!(world.environments()[0].deployments[0].hpa.is_some());
}
