//! The cluster in the world: autoscalers, capacity, pods.

use super::*;

fn hpa_values(min: u32, max: u32, target: u32) -> String {
    let mut text = String::from("autoscaling:\n");
    for service in crate::platform::Platform::standard().service_names() {
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
        events: vec![crate::bench::tv_show(SimDuration::from_minutes(30))],
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
    // The Kubernetes view says which bound holds it back.
    let snapshot = world.snapshot();
    let prod = &snapshot.tools.cluster.environments[2];
    assert_eq!(
        prod.deployments[0].hpa.as_ref().and_then(|hpa| hpa.limited),
        Some(ScalingLimit::TooManyReplicas)
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
fn a_values_problem_is_placed_by_the_parser_not_by_searching_the_text() {
    // Guards the values file's positions: a key written twice at different depths, or a
    // service named in a section above, is not mistaken for the one at fault.
    let mut world = World::new(Scenario::default());
    let text = "autoscaling:\n  users:\n    minReplicas: 1\n    maxReplicas: 4\n    replicas: 3\n  coupons:\n    minReplicas: 1\n    maxReplicas: 2\nreplicas: 5\n";
    world.apply(Action::EditFile {
        path: values_file_path("dev"),
        content: text.into(),
    });
    let file = world.file(&values_file_path("dev")).unwrap();
    let at = |words: &str| {
        file.diagnostics
            .iter()
            .find(|d| d.message.contains(words))
            .map(|d| (d.line, d.column))
            .unwrap_or_else(|| panic!("no `{words}`: {:?}", file.diagnostics))
    };
    // The searched text found the nested `replicas:` of line 5 first.
    assert_eq!(at("`replicas` must map each service"), (9, 1));
    assert_eq!(at("unknown setting `replicas`"), (5, 5));
    world.apply(Action::EditFile {
        path: values_file_path("dev"),
        content: "replicas: {users: 2, user: 3}\n".into(),
    });
    let file = world.file(&values_file_path("dev")).unwrap();
    // The search put it on the section's line at the third column.
    assert_eq!(
        file.diagnostics
            .iter()
            .map(|d| (d.line, d.column, d.message.as_str()))
            .collect::<Vec<_>>(),
        [(1, 22, "unknown service `user` is ignored")]
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
    assert!(
        world.environments()[0].deployments[0].hpa.is_none(),
        "a values file with errors keeps what the environment runs"
    );
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

/// Prod where php-fpm starts crashing in one coupons pod after 5 minutes.
fn crashing_world() -> World {
    World::new(Scenario {
        events: vec![crate::bench::coupons_crash(SimDuration::from_minutes(5))],
        ..Scenario::default()
    })
}

fn coupons(world: &World) -> &Deployment {
    &world.environments()[2].deployments[2]
}

#[test]
fn a_crashing_php_fpm_loops_with_a_growing_back_off() {
    // Guards the php-fpm-down lesson's signal: phpfpm_up 0, restarts, CrashLoopBackOff.
    let mut world = crashing_world();
    advance(&mut world, 20);
    let broken = coupons(&world).pods.iter().find(|p| p.broken).unwrap();
    assert_eq!(
        broken.status(world.now()),
        crate::world::PodStatus::CrashLoopBackOff
    );
    // Back-offs of 10, 20, 40, 80, 160 s, then 300 s: 6 restarts in 15 minutes.
    assert!((5..=7).contains(&broken.restarts), "{}", broken.restarts);
    assert_eq!(coupons(&world).ready_pods(world.now()), 2);
    assert_eq!(
        query(&world, "min(phpfpm_up{env=\"prod\", app=\"coupons\"})"),
        0.0
    );
    assert_eq!(
        query(&world, "count(phpfpm_up{env=\"prod\", app=\"coupons\"})"),
        3.0
    );
    let pods = crate::kube::kubectl::run(&world, "get pods", "prod").text;
    assert!(
        pods.lines()
            .any(|l| l.contains("1/2") && l.contains("CrashLoopBackOff")),
        "{pods}"
    );
    assert!(world
        .kube_events()
        .iter()
        .any(|e| e.reason == "BackOff" && e.warning));
    // The broken pod's php-fpm says why it exits; a healthy one only that it runs.
    let name = broken.name.clone();
    let logs = crate::kube::kubectl::run(&world, &format!("logs {name}"), "prod");
    assert!(!logs.failed);
    assert!(logs.text.contains("exited with code 255"), "{}", logs.text);
    let healthy = coupons(&world).pods.iter().find(|p| !p.broken).unwrap();
    let logs = crate::kube::kubectl::run(&world, &format!("logs pod/{}", healthy.name), "prod");
    assert!(
        logs.text.ends_with("NOTICE: ready to handle connections"),
        "{}",
        logs.text
    );
    let missing = crate::kube::kubectl::run(&world, "logs nope", "prod");
    assert!(
        missing.failed && missing.text.contains("pods \"nope\" not found"),
        "{}",
        missing.text
    );
}

#[test]
fn a_rollout_restart_replaces_pods_without_losing_availability() {
    // Guards rolling updates: maxSurge 1 and maxUnavailable 0 for 3 pods; the broken pod goes.
    let mut world = crashing_world();
    advance(&mut world, 10);
    let old: Vec<String> = coupons(&world)
        .pods
        .iter()
        .map(|p| p.name.clone())
        .collect();
    world.apply(Action::Kubectl {
        namespace: "prod".into(),
        command: "rollout restart deploy/coupons".into(),
    });
    let mut fewest_ready = usize::MAX;
    let mut most_pods = 0;
    for _ in 0..20 {
        world.apply(Action::Advance {
            by: SimDuration::from_seconds(15),
        });
        // The broken pod was never available: the others keep the two that were.
        fewest_ready = fewest_ready.min(coupons(&world).ready_pods(world.now()));
        most_pods = most_pods.max(coupons(&world).pods.len());
    }
    assert!(fewest_ready >= 2, "{fewest_ready}");
    assert!(most_pods <= 4, "{most_pods}");
    let now = coupons(&world)
        .pods
        .iter()
        .map(|p| p.name.clone())
        .collect::<Vec<_>>();
    assert_eq!(now.len(), 3);
    assert!(
        now.iter().all(|name| !old.contains(name)),
        "{old:?} {now:?}"
    );
    assert_eq!(coupons(&world).ready_pods(world.now()), 3);
    assert_eq!(
        query(&world, "min(phpfpm_up{env=\"prod\", app=\"coupons\"})"),
        1.0
    );
    assert!(
        crate::kube::kubectl::run(&world, "rollout status deploy/coupons", "prod")
            .text
            .contains("successfully rolled out")
    );
    assert!(world
        .changes()
        .iter()
        .any(|c| c.text == "coupons restarted"));
    // Undo goes back to the first template's name.
    let first_hash = old[0].rsplit_once('-').unwrap().0.to_string();
    world.apply(Action::Kubectl {
        namespace: "prod".into(),
        command: "rollout undo deployment coupons".into(),
    });
    advance(&mut world, 5);
    assert!(coupons(&world)
        .pods
        .iter()
        .all(|p| p.name.starts_with(&first_hash)));
}

#[test]
fn deleting_the_broken_pod_brings_a_healthy_one() {
    // Guards `kubectl delete pod`: the ReplicaSet replaces it; refused commands change nothing.
    let mut world = crashing_world();
    advance(&mut world, 10);
    let broken = coupons(&world)
        .pods
        .iter()
        .find(|p| p.broken)
        .unwrap()
        .name
        .clone();
    let output = crate::kube::kubectl::run(&world, &format!("delete pod {broken}"), "prod");
    assert!(output.change && output.text == format!("pod \"{broken}\" deleted"));
    world.apply(Action::Kubectl {
        namespace: "staging".into(),
        command: format!("delete pod {broken}"),
    });
    assert!(
        coupons(&world).pods.iter().any(|p| p.name == broken),
        "wrong namespace"
    );
    world.apply(Action::Kubectl {
        namespace: "staging".into(),
        command: format!("delete pod {broken} -n prod"),
    });
    advance(&mut world, 2);
    assert!(coupons(&world).pods.iter().all(|p| !p.broken));
    assert_eq!(coupons(&world).ready_pods(world.now()), 3);
}

#[test]
fn a_bad_release_rolls_out_and_rolling_back_removes_its_errors() {
    // Guards the rollback lesson: the release's pods carry its fault; undo brings the old ones.
    let mut world = World::new(Scenario {
        events: vec![ScheduledEvent {
            drift: None,
            at: SimDuration::from_minutes(5),
            note: "users 2.4.0".into(),
            fault: Some(Fault {
                env: "prod".into(),
                service: "users".into(),
                route: Some("get_user".into()),
                status: "500",
                share: 0.4,
                lasts: None,
                every: None,
            }),
            burst: None,
            release: Some(Release {
                env: "prod".into(),
                service: "users".into(),
                version: "2.4.0".into(),
            }),
            crash: None,
        }],
        ..Scenario::default()
    });
    let errors = "sum(rate(http_request_seconds_count{env=\"prod\", route=\"get_user\", status=\"500\"}[1m])) / sum(rate(http_request_seconds_count{env=\"prod\", route=\"get_user\"}[1m]))";
    advance(&mut world, 5);
    assert!(users(&world).rolling_out(), "the release starts a rollout");
    assert_eq!(query(&world, errors), 0.0, "no new pod serves yet");
    advance(&mut world, 10);
    assert!(!users(&world).rolling_out());
    let full = query(&world, errors);
    assert!((full - 0.4).abs() < 0.05, "{full}");
    let replica_sets = crate::kube::kubectl::run(&world, "get rs", "prod").text;
    let users_sets: Vec<&str> = replica_sets
        .lines()
        .filter(|l| l.starts_with("users-"))
        .collect();
    assert_eq!(
        users_sets.len(),
        2,
        "the old ReplicaSet is kept: {replica_sets}"
    );
    assert_eq!(
        users_sets[1].split_whitespace().collect::<Vec<_>>()[1..4],
        ["0", "0", "0"]
    );
    let described = crate::kube::kubectl::run(&world, "describe deploy users", "prod").text;
    assert!(
        described.contains("registry.opsdojo.local/users:2.4.0"),
        "{described}"
    );
    world.apply(Action::Kubectl {
        namespace: "prod".into(),
        command: "rollout undo deploy/users".into(),
    });
    advance(&mut world, 10);
    assert_eq!(query(&world, errors), 0.0);
    let pod = users(&world).pods[0].clone();
    assert_eq!(users(&world).version_of(&pod.hash), "2.3.0");
    assert!(world
        .changes()
        .iter()
        .any(|c| c.text == "users rolled back"));
}
