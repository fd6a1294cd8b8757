use super::*;
use crate::alerting::AlertState;
use crate::time::SimDuration;
use crate::Diagnostic;

fn values(users: &str) -> String {
    format!("replicas:\n  users: {users}\n  stores: 1\n")
}

fn ready_users(world: &World, env: &str) -> usize {
    world
        .snapshot()
        .tools
        .cluster
        .environments
        .iter()
        .find(|e| e.name == env)
        .unwrap()
        .deployments[0]
        .ready
}

#[test]
fn a_new_world_runs_the_default_replicas() {
    // Guards the starting state lessons rely on: 1 pod per service in dev, 2 in staging, 3 in prod.
    let world = World::new(Scenario::default());
    let snapshot = world.snapshot();
    let ready: Vec<usize> = snapshot
        .tools
        .cluster
        .environments
        .iter()
        .map(|e| e.deployments[0].ready)
        .collect();
    assert_eq!(ready, vec![1, 2, 3]);
    assert_eq!(snapshot.now.to_string(), "day 1 08:00:00");
    assert_eq!(
        snapshot.files.len(),
        6 + crate::terraform::project::FILES.len() + crate::helm::PLATFORM_CHART.len()
    );
}

#[test]
fn editing_values_scales_after_pods_start() {
    // Guards the intro lesson's mechanism: new pods are not ready at once, then they are.
    let mut world = World::new(Scenario::default());
    world.apply(Action::EditFile {
        path: values_file_path("dev"),
        content: values("3"),
    });
    assert_eq!(ready_users(&world, "dev"), 1);
    world.apply(Action::Advance {
        by: SimDuration::from_seconds(15),
    });
    assert_eq!(
        world.snapshot().tools.cluster.environments[0].deployments[0].current,
        3
    );
    assert!(ready_users(&world, "dev") < 3);
    world.apply(Action::Advance {
        by: SimDuration::from_minutes(1),
    });
    assert_eq!(ready_users(&world, "dev"), 3);
    world.apply(Action::EditFile {
        path: values_file_path("dev"),
        content: values("0"),
    });
    world.apply(Action::Advance {
        by: SimDuration::from_seconds(15),
    });
    assert_eq!(
        world.snapshot().tools.cluster.environments[0].deployments[0].current,
        0
    );
}

#[test]
fn a_broken_file_keeps_the_last_good_values() {
    // Guards "nothing typed is lost": a typo shows diagnostics and leaves the platform running.
    let mut world = World::new(Scenario::default());
    world.apply(Action::EditFile {
        path: values_file_path("dev"),
        content: "replicas:\n  users: [\n".into(),
    });
    let file = world.file(&values_file_path("dev")).unwrap();
    assert!(file.diagnostics.iter().any(Diagnostic::is_error));
    assert!(file.content.contains("users: ["));
    world.apply(Action::Advance {
        by: SimDuration::from_minutes(1),
    });
    assert_eq!(ready_users(&world, "dev"), 1);
}

#[test]
fn values_diagnostics_point_at_the_line_and_suggest_a_fix() {
    // Guards the messages a learner reads under the editor.
    let mut world = World::new(Scenario::default());
    world.apply(Action::EditFile {
        path: values_file_path("dev"),
        content: "replicas:\n  user: 2\n  stores: 99\n  coupons: two\n".into(),
    });
    let diagnostics = &world.file(&values_file_path("dev")).unwrap().diagnostics;
    let messages: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
    assert!(
        messages[0].starts_with("2:3: warning: unknown service `user`"),
        "{messages:?}"
    );
    assert_eq!(
        diagnostics[0].hint.as_deref(),
        Some("did you mean `users`?")
    );
    assert!(
        messages[1].starts_with("3:3: error: `stores` asks for 99 replicas"),
        "{messages:?}"
    );
    assert!(
        messages[2].starts_with("4:3: error: replicas of `coupons` must be a whole number"),
        "{messages:?}"
    );
    assert!(diagnostics.iter().all(|d| d.span.is_some()));
}

#[test]
fn same_seed_and_actions_give_the_same_history() {
    // Guards determinism: replaying recorded actions rebuilds the same world, pod names included.
    let mut world = World::new(Scenario {
        seed: 9,
        ..Scenario::default()
    });
    world.apply(Action::EditFile {
        path: values_file_path("prod"),
        content: values("5"),
    });
    for _ in 0..7 {
        world.apply(Action::Advance {
            by: SimDuration(3_700),
        });
    }
    let replayed = World::replay(world.scenario().clone(), world.actions());
    assert_eq!(replayed.snapshot(), world.snapshot());
    let other_seed = World::replay(
        Scenario {
            seed: 10,
            ..Scenario::default()
        },
        world.actions(),
    );
    assert_ne!(
        other_seed.snapshot().tools.cluster.environments,
        world.snapshot().tools.cluster.environments
    );
}

#[test]
fn the_action_log_merges_advances_and_edits() {
    // Guards the size of saved progress at 3600x: one entry per run of the clock.
    let mut world = World::new(Scenario::default());
    for _ in 0..100 {
        world.apply(Action::Advance {
            by: SimDuration::from_seconds(1),
        });
    }
    world.apply(Action::EditFile {
        path: values_file_path("dev"),
        content: values("2"),
    });
    world.apply(Action::EditFile {
        path: values_file_path("dev"),
        content: values("3"),
    });
    world.apply(Action::EditFile {
        path: "nope.yaml".into(),
        content: String::new(),
    });
    assert_eq!(world.actions().len(), 2, "{:?}", world.actions());
    assert_eq!(
        world.actions()[0],
        Action::Advance {
            by: SimDuration::from_seconds(100)
        }
    );
    assert!(
        matches!(&world.actions()[1], Action::PatchFile { path, .. } if *path == values_file_path("dev")),
        "{:?}",
        world.actions()[1]
    );
    let replayed = World::replay(Scenario::default(), world.actions());
    assert_eq!(
        replayed.file(&values_file_path("dev")).unwrap().content,
        values("3")
    );
    assert_eq!(
        world.elapsed(),
        SimDuration::from_seconds(90),
        "time moves in whole ticks"
    );
}

#[test]
fn scheduled_events_reach_the_event_log_on_time() {
    // Guards the scenario's schedule: an event fires on the first tick at or after its time.
    let scenario = Scenario {
        events: vec![ScheduledEvent {
            drift: None,
            at: SimDuration::from_minutes(2),
            note: "peak starts".into(),
            fault: None,
            burst: None,
            release: None,
            crash: None,
        }],
        ..Scenario::default()
    };
    let mut world = World::new(scenario);
    world.apply(Action::Advance {
        by: SimDuration::from_seconds(105),
    });
    assert!(!world
        .snapshot()
        .events
        .iter()
        .any(|e| e.text == "peak starts"));
    world.apply(Action::Advance {
        by: SimDuration::from_seconds(15),
    });
    let events = world.snapshot().events;
    let event = events.iter().find(|e| e.text == "peak starts").unwrap();
    assert_eq!(event.at.to_string(), "day 1 08:02:00");
}

#[test]
fn out_of_range_actions_are_clamped() {
    // Guards against a saved action that would freeze the tab or go back in time.
    let mut world = World::new(Scenario::default());
    world.apply(Action::Advance {
        by: SimDuration(-5_000),
    });
    assert_eq!(world.elapsed(), SimDuration(0));
    let huge = "x".repeat(action::MAX_FILE_BYTES + 10);
    world.apply(Action::EditFile {
        path: values_file_path("dev"),
        content: huge,
    });
    assert_eq!(
        world.file(&values_file_path("dev")).unwrap().content.len(),
        action::MAX_FILE_BYTES
    );
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        #[test]
        fn any_values_text_is_read_without_panic(text in "\\PC{0,200}") {
            // Guards the editor path: whatever a learner types, the world keeps running.
            let mut world = World::new(Scenario::default());
            world.apply(Action::EditFile { path: values_file_path("dev"), content: text.clone() });
            world.apply(Action::Advance { by: SimDuration::from_minutes(1) });
            prop_assert_eq!(&world.file(&values_file_path("dev")).unwrap().content, &text);
        }

        #[test]
        fn yaml_shaped_values_never_panic(
            lines in proptest::collection::vec("( {0,4})(replicas|users|stores|x|-)?(:)?( )?([0-9]{1,3}|\\[|\\{|'|\"|[a-z]{1,4})?", 0..8)
        ) {
            // Guards the values reader on near-valid YAML, where most typos land.
            let text = lines.join("\n");
            let file = WorldFile::parse(
                &values_file_path("dev"),
                text,
                &crate::platform::Platform::standard(),
            );
            for diagnostic in &file.diagnostics {
                prop_assert!(diagnostic.line >= 1);
            }
        }

        #[test]
        fn any_terraform_edit_plans_applies_or_explains(
            path in proptest::sample::select(vec![
                "terraform/vars/prod.tfvars",
                "terraform/rds.tf",
                "terraform/iam.tf",
            ]),
            lines in proptest::collection::vec(
                "( {0,2})(resource|variable|identifier|instance_class|db_multi_az|multi_az|lifecycle|prevent_destroy|aws_db_instance|\\}|\\{|=|\"main\"|\"db\\.r5\\.large\"|var\\.env|\\$\\{|#)( )?(=)?( )?(\"[a-z.-]{0,8}\"?|[0-9]{1,3}|true|false|\\{|\\})?",
                0..10,
            )
        ) {
            // Guards the Terraform editor path: whatever is typed in a project file, the world
            // plans or explains at a line, an apply starts or is refused, and time runs on.
            let mut world = base_world().clone();
            let text = lines.join("\n");
            world.apply(Action::EditFile { path: path.to_string(), content: text.clone() });
            world.apply(Action::Apply { env: "prod".into() });
            world.apply(Action::Advance { by: SimDuration::from_minutes(30) });
            prop_assert_eq!(&world.file(path).unwrap().content, &text);
            for file in world.snapshot().files.iter().filter(|f| f.path.starts_with("terraform/")) {
                for diagnostic in &file.diagnostics {
                    prop_assert!(diagnostic.line >= 1, "{}: {:?}", file.path, diagnostic);
                }
            }
        }
    }

    /// One default world, built once: cloning it is much cheaper than its hour of warm-up.
    fn base_world() -> &'static World {
        static WORLD: std::sync::OnceLock<World> = std::sync::OnceLock::new();
        WORLD.get_or_init(|| World::new(Scenario::default()))
    }
}

fn query(world: &World, text: &str) -> Vec<(String, f64)> {
    let query = crate::promql::parse_query(text).expect("query parses");
    match crate::promql::instant_query(world.store(), &query.expr, world.now().epoch_ms()) {
        Ok(crate::promql::Value::Vector(samples)) => samples
            .into_iter()
            .map(|s| (s.labels.to_string(), s.value))
            .collect(),
        other => panic!("expected a vector, got {other:?}"),
    }
}

#[test]
fn traffic_reaches_the_store_as_prometheus_series() {
    // Guards the metrics lessons query: request rate, latency histogram, php-fpm gauges.
    let mut world = World::new(Scenario::default());
    world.apply(Action::Advance {
        by: SimDuration::from_minutes(10),
    });
    let rate = query(
        &world,
        r#"sum(rate(http_request_seconds_count{env="prod", project="users"}[5m]))"#,
    );
    assert!(
        (20.0..80.0).contains(&rate[0].1),
        "prod users at 08:10: {rate:?}"
    );
    let p99 = query(
        &world,
        r#"histogram_quantile(0.99, sum by (le) (rate(http_request_seconds_bucket{env="prod", project="users"}[5m])))"#,
    );
    assert!(p99[0].1 > 0.05 && p99[0].1 < 1.0, "{p99:?}");
    let up = query(&world, r#"count(phpfpm_up{env="prod", app="users"})"#);
    assert_eq!(up[0].1, 3.0);
    assert!(query(&world, r#"http_request_seconds_count{status=~"5.."}"#).is_empty());
}

#[test]
fn no_ready_pod_means_503s_and_stale_pods() {
    // Guards the failure a lesson can cause: scaling a service to zero breaks it.
    let mut world = World::new(Scenario::default());
    world.apply(Action::EditFile {
        path: values_file_path("dev"),
        content: "replicas:\n  users: 0\n".into(),
    });
    world.apply(Action::Advance {
        by: SimDuration::from_minutes(5),
    });
    let errors = query(
        &world,
        r#"sum(increase(http_request_seconds_count{env="dev", project="users", status="503"}[5m]))"#,
    );
    assert!(errors[0].1 > 100.0, "{errors:?}");
    assert!(
        query(&world, r#"phpfpm_up{env="dev", app="users"}"#).is_empty(),
        "terminated pods go stale"
    );
}

const ROUTE_ALERT: &str = r#"groups:
  - name: http
    rules:
      - alert: Route5xx
        expr: |
          sum by (env, project, route) (rate(http_request_seconds_count{status=~"5.."}[1m]))
            / sum by (env, project, route) (rate(http_request_seconds_count[1m])) > 0.05
        for: 2m
        labels:
          severity: critical
        annotations:
          summary: "{{ $labels.route }} answers {{ $value | humanizePercentage }} 5xx"
"#;

fn bad_release_scenario() -> Scenario {
    Scenario {
        start: SimDuration::from_minutes(10 * 60),
        files: [(alerting::RULES_PATH.to_string(), ROUTE_ALERT.to_string())].into(),
        events: vec![ScheduledEvent {
            drift: None,
            at: SimDuration::from_minutes(10),
            note: "users 2.4.0 released to prod".into(),
            fault: Some(Fault {
                env: "prod".into(),
                service: "users".into(),
                route: Some("get_user".into()),
                status: "500",
                share: 0.2,
                lasts: None,
                every: None,
            }),
            burst: None,
            release: None,
            crash: None,
        }],
        ..Scenario::default()
    }
}

#[test]
fn a_bad_release_fires_the_route_alert_and_lands_in_the_channel() {
    // Guards the alerting lessons end to end: fault → 5xx → pending → firing → chat message.
    let mut world = World::new(bad_release_scenario());
    world.apply(Action::Advance {
        by: SimDuration::from_minutes(11),
    });
    let snapshot = world.snapshot();
    let states: Vec<AlertState> = snapshot.tools.monitoring.rules[0]
        .alerts
        .iter()
        .map(|a| a.state)
        .collect();
    assert_eq!(states, vec![AlertState::Pending]);
    assert!(snapshot.tools.monitoring.messages.is_empty());

    world.apply(Action::Advance {
        by: SimDuration::from_minutes(3),
    });
    let snapshot = world.snapshot();
    let alert = &snapshot.tools.monitoring.rules[0].alerts[0];
    assert_eq!(alert.state, AlertState::Firing);
    assert_eq!(alert.labels["route"], "get_user");
    assert!(
        alert.annotations["summary"].starts_with("get_user answers 19."),
        "{:?}",
        alert.annotations
    );
    let message = snapshot
        .tools
        .monitoring
        .messages
        .last()
        .expect("a message in the channel");
    assert_eq!(message.channel, "#alerts");
    assert_eq!(
        message.title,
        "[FIRING:1] Route5xx prod (users get_user critical)"
    );
    let markers: Vec<&str> = snapshot
        .tools
        .monitoring
        .alert_markers
        .iter()
        .map(|m| m.state.as_str())
        .collect();
    assert_eq!(markers, vec!["pending", "firing"]);
    let firing = crate::promql::parse_query(
        r##"ALERTS{alertstate="firing", route="get_user"} and on() opsdojo_alert_notifications_total{channel="#alerts"} == 1"##,
    )
    .unwrap();
    let value =
        crate::promql::instant_query(world.store(), &firing.expr, world.now().epoch_ms()).unwrap();
    assert!(matches!(value, crate::promql::Value::Vector(samples) if samples.len() == 1));
}

#[test]
fn a_broken_rule_file_keeps_the_last_good_rules_and_says_why() {
    let mut world = World::new(bad_release_scenario());
    world.apply(Action::EditFile {
        path: alerting::RULES_PATH.into(),
        content: ROUTE_ALERT.replace("for: 2m", "for: 2 minutes"),
    });
    let file = world.file(alerting::RULES_PATH).unwrap();
    assert_eq!(file.diagnostics[0].line, 8);
    world.apply(Action::Advance {
        by: SimDuration::from_minutes(14),
    });
    assert_eq!(
        world.snapshot().tools.monitoring.rules[0].alerts[0].state,
        AlertState::Firing
    );
}

#[test]
fn a_burst_multiplies_the_traffic_while_it_lasts() {
    // Guards scenario bursts: a marketing push triples `users` traffic in prod for ten minutes.
    let scenario = |factor: f64| Scenario {
        start: SimDuration::from_minutes(14 * 60),
        events: vec![ScheduledEvent {
            drift: None,
            at: SimDuration::from_minutes(5),
            note: "prod: a newsletter goes out".into(),
            fault: None,
            burst: Some(Burst {
                env: "prod".into(),
                service: Some("users".into()),
                factor,
                lasts: Some(SimDuration::from_minutes(10)),
                every: None,
            }),
            release: None,
            crash: None,
        }],
        ..Scenario::default()
    };
    let rate_at = |world: &World, query: &str| -> f64 {
        let query = crate::promql::parse_query(query).unwrap();
        match crate::promql::instant_query(world.store(), &query.expr, world.now().epoch_ms()) {
            Ok(crate::promql::Value::Vector(samples)) => samples.iter().map(|s| s.value).sum(),
            other => panic!("{other:?}"),
        }
    };
    let users = r#"sum(rate(http_request_seconds_count{env="prod", project="users"}[2m]))"#;
    let stores = r#"sum(rate(http_request_seconds_count{env="prod", project="stores"}[2m]))"#;
    let mut calm = World::new(scenario(1.0));
    let mut pushed = World::new(scenario(3.0));
    for world in [&mut calm, &mut pushed] {
        world.apply(Action::Advance {
            by: SimDuration::from_minutes(12),
        });
    }
    let ratio = rate_at(&pushed, users) / rate_at(&calm, users);
    assert!((2.5..3.5).contains(&ratio), "users traffic ×{ratio}");
    assert!((rate_at(&pushed, stores) / rate_at(&calm, stores) - 1.0).abs() < 0.1);
    for world in [&mut calm, &mut pushed] {
        world.apply(Action::Advance {
            by: SimDuration::from_minutes(15),
        });
    }
    let after = rate_at(&pushed, users) / rate_at(&calm, users);
    assert!(
        (after - 1.0).abs() < 0.1,
        "over after ten minutes: ×{after}"
    );
}

#[test]
fn the_database_saturates_under_a_prime_time_burst() {
    // Guards the database in the service model: at 21:00 prod's database copes with its usual
    // peak, and a tripled peak saturates it into slow requests and 500s.
    let scenario = |factor: f64| Scenario {
        start: SimDuration::from_minutes(20 * 60 + 50),
        events: vec![ScheduledEvent {
            drift: None,
            at: SimDuration::from_minutes(1),
            note: "prod: a TV spot airs".into(),
            fault: None,
            burst: Some(Burst {
                env: "prod".into(),
                service: None,
                factor,
                lasts: None,
                every: None,
            }),
            release: None,
            crash: None,
        }],
        ..Scenario::default()
    };
    let mut calm = World::new(scenario(1.0));
    let mut pushed = World::new(scenario(3.0));
    for world in [&mut calm, &mut pushed] {
        world.apply(Action::Advance {
            by: SimDuration::from_minutes(10),
        });
    }
    let cpu = r#"aws_rds_cpuutilization_average{env="prod"}"#;
    let refused = r#"sum(rate(http_request_seconds_count{env="prod", status="500"}[2m]))"#;
    let (calm_cpu, pushed_cpu) = (query(&calm, cpu)[0].1, query(&pushed, cpu)[0].1);
    assert!((20.0..70.0).contains(&calm_cpu), "{calm_cpu}");
    assert_eq!(pushed_cpu, 100.0);
    assert!(query(&calm, refused).is_empty() || query(&calm, refused)[0].1 == 0.0);
    assert!(
        query(&pushed, refused)[0].1 > 10.0,
        "{:?}",
        query(&pushed, refused)
    );
    assert_eq!(
        query(&calm, r#"aws_rds_instance_info{env="prod"}"#)[0].0,
        r#"aws_rds_instance_info{dbinstance_identifier="opsdojo-prod", env="prod", instance_class="db.r5.2xlarge"}"#
    );
}

/// The prod variables file with `from` replaced by `to`.
fn prod_tfvars(edits: &[(&str, &str)]) -> String {
    let mut text = crate::terraform::project::FILES
        .iter()
        .find(|(path, _)| *path == "vars/prod.tfvars")
        .unwrap()
        .1
        .to_string();
    for (from, to) in edits {
        assert!(text.contains(from), "prod.tfvars has no {from:?}");
        text = text.replace(from, to);
    }
    text
}

const PROD_TFVARS: &str = "terraform/vars/prod.tfvars";

fn edit(world: &mut World, path: &str, content: String) {
    world.apply(Action::EditFile {
        path: path.into(),
        content,
    });
}

fn advance(world: &mut World, minutes: i64) {
    world.apply(Action::Advance {
        by: SimDuration::from_minutes(minutes),
    });
}

fn infra_of<'a>(snapshot: &'a WorldSnapshot, env: &str) -> &'a InfraSnapshot {
    snapshot.tools.infra.iter().find(|i| i.env == env).unwrap()
}

#[test]
fn the_world_starts_with_its_terraform_project_applied() {
    // Guards the starting point of the Terraform lessons: nothing pending, databases as the
    // variables files size them, every compliance rule satisfied, nothing posted.
    let world = World::new(Scenario::default());
    let snapshot = world.snapshot();
    for env in crate::platform::Platform::standard().environment_names() {
        let infra = infra_of(&snapshot, env);
        assert_eq!(infra.counts, Some((0, 0, 0)), "{env}: {}", infra.plan_text);
        assert!(infra.findings.iter().all(|f| f.compliant), "{env}");
        assert!(infra.cost_now > 0.0 && infra.cost_planned == Some(infra.cost_now));
    }
    let classes: Vec<&str> = world
        .environments()
        .iter()
        .map(|e| world.database(&e.name).expect("a database").class.name)
        .collect();
    assert_eq!(classes, ["db.t3.medium", "db.t3.large", "db.r5.2xlarge"]);
    assert!(world.database("prod").expect("a database").multi_az);
    assert!(snapshot.tools.monitoring.messages.is_empty());
    assert!(snapshot
        .files
        .iter()
        .any(|f| f.path == "terraform/rds.tf" && f.language == crate::world::FileLanguage::Hcl));
}

#[test]
fn an_apply_takes_time_then_resizes_the_database() {
    // Guards issue 4's promise: edit prod.tfvars, see the plan and cost change, apply, and the
    // platform changes only when AWS is done.
    let mut world = World::new(Scenario::default());
    let before = infra_of(&world.snapshot(), "prod").cost_now;
    edit(
        &mut world,
        PROD_TFVARS,
        prod_tfvars(&[("db.r5.2xlarge", "db.r5.4xlarge")]),
    );
    let planned = world.snapshot();
    let prod = infra_of(&planned, "prod");
    assert_eq!(prod.counts, Some((0, 1, 0)), "{}", prod.plan_text);
    assert!(prod
        .plan_text
        .contains("~ instance_class             = \"db.r5.2xlarge\" -> \"db.r5.4xlarge\""));
    assert!(prod.cost_planned.unwrap() > before + 1500.0, "{prod:?}");
    world.apply(Action::Apply { env: "prod".into() });
    advance(&mut world, 5);
    let running = world.snapshot();
    let prod = infra_of(&running, "prod");
    assert!(prod.running.as_ref().unwrap().0.contains("Still modifying"));
    assert_eq!(
        world.database("prod").expect("a database").class.name,
        "db.r5.2xlarge"
    );
    // A second apply waits for the lock.
    world.apply(Action::Apply { env: "prod".into() });
    assert!(infra_of(&world.snapshot(), "prod")
        .output
        .iter()
        .any(|line| line.contains("Error acquiring the state lock")));
    advance(&mut world, 8);
    let done = world.snapshot();
    let prod = infra_of(&done, "prod");
    assert!(prod.running.is_none());
    assert_eq!(prod.counts, Some((0, 0, 0)), "{}", prod.plan_text);
    assert!(prod
        .output
        .iter()
        .any(|l| l == "Apply complete! Resources: 0 added, 1 changed, 0 destroyed."));
    assert_eq!(
        world.database("prod").expect("a database").class.name,
        "db.r5.4xlarge"
    );
    assert_eq!(
        query(&world, r#"opsdojo_terraform_applies_total{env="prod"}"#)[0].1,
        1.0
    );
    assert!(done
        .change_markers
        .iter()
        .any(|m| m.text == "database db.r5.2xlarge → db.r5.4xlarge"));
    // Every project's dashboard in prod marks the resize, and no dashboard elsewhere does.
    let marked = |env: &str, project: &str| {
        crate::dashboard::markers(&[], &done.change_markers, env, project)
            .iter()
            .any(|m| m.text.starts_with("database"))
    };
    assert!(marked("prod", "users") && marked("prod", "coupons"));
    assert!(!marked("staging", "users"));
}

#[test]
fn resizing_a_single_az_database_reboots_it() {
    // Guards the outage a single-AZ resize costs: 500s near the end of the modification.
    let mut world = World::new(Scenario::default());
    edit(
        &mut world,
        "terraform/vars/dev.tfvars",
        "env = \"dev\"\ndb_instance_class = \"db.t3.large\"\n".into(),
    );
    world.apply(Action::Apply { env: "dev".into() });
    advance(&mut world, 6);
    assert!(world.database("dev").expect("a database").available);
    advance(&mut world, 4);
    assert!(!world.database("dev").expect("a database").available);
    let errors = query(
        &world,
        r#"sum(rate(http_request_seconds_count{env="dev", status="500"}[1m]))"#,
    );
    assert!(errors[0].1 > 0.0, "{errors:?}");
    advance(&mut world, 3);
    assert!(world.database("dev").expect("a database").available);
    assert_eq!(
        world.database("dev").expect("a database").class.name,
        "db.t3.large"
    );
}

#[test]
fn multi_az_compliance_posts_then_clears() {
    // Guards the talk's compliance alert: single-AZ prod is reported in #alert-infra-prod with
    // the rule, the resource and the region, and the report clears once Multi-AZ is applied.
    let scenario = Scenario {
        files: [(
            PROD_TFVARS.to_string(),
            prod_tfvars(&[("db_multi_az              = true", "db_multi_az = false")]),
        )]
        .into(),
        ..Scenario::default()
    };
    let mut world = World::new(scenario);
    let first = world.snapshot();
    let message = &first.tools.monitoring.messages[0];
    assert_eq!(message.channel, "#alert-infra-prod");
    assert!(
        message
            .text
            .starts_with("Rule `rds-multi-az-support` is non-compliant for resource `db-")
            && message.text.ends_with("` in region `eu-west-3`."),
        "{}",
        message.text
    );
    let noncompliant =
        r#"aws_config_noncompliant_resources{env="prod", config_rule_name="rds-multi-az-support"}"#;
    advance(&mut world, 1);
    assert_eq!(query(&world, noncompliant)[0].1, 1.0);
    edit(&mut world, PROD_TFVARS, prod_tfvars(&[]));
    world.apply(Action::Apply { env: "prod".into() });
    advance(&mut world, 20);
    assert_eq!(query(&world, noncompliant)[0].1, 1.0);
    advance(&mut world, 6);
    assert_eq!(query(&world, noncompliant)[0].1, 0.0);
    let last = world.snapshot();
    let resolved = last.tools.monitoring.messages.last().unwrap();
    assert_eq!(resolved.status, crate::alertmanager::Status::Resolved);
    assert!(resolved.text.contains("is compliant for resource `db-"));
    assert_eq!(query(&world, r#"aws_rds_multi_az{env="prod"}"#)[0].1, 1.0);
}

#[test]
fn deleting_the_partner_key_breaks_external_signin() {
    // Guards the dangerous plan's second trap: a destroyed access key gives 498s.
    let mut world = World::new(Scenario::default());
    let iam = world.file("terraform/iam.tf").unwrap().content.clone();
    let without_key = iam.replace(
        "resource \"aws_iam_access_key\" \"external_signin\" {\n  user = aws_iam_user.external_signin.name\n}",
        "",
    );
    assert_ne!(iam, without_key);
    edit(&mut world, "terraform/iam.tf", without_key);
    let staging = world.snapshot();
    assert_eq!(
        infra_of(&staging, "staging").dangerous,
        ["aws_iam_access_key.external_signin"]
    );
    world.apply(Action::Apply {
        env: "staging".into(),
    });
    advance(&mut world, 3);
    let rejected = query(
        &world,
        r#"sum(rate(http_request_seconds_count{env="staging", project="external-signin", status="498"}[1m]))"#,
    );
    assert!(rejected[0].1 > 0.0, "{rejected:?}");
    assert_eq!(
        query(
            &world,
            r#"opsdojo_terraform_resources_destroyed_total{env="staging"}"#
        )[0]
        .1,
        1.0
    );
}

#[test]
fn a_bad_tfvars_shows_terraform_diagnostics_and_cannot_apply() {
    // Guards bad input: the validation's message lands on the variables file, the last good
    // state keeps running, an apply is refused with the error.
    let mut world = World::new(Scenario::default());
    edit(
        &mut world,
        PROD_TFVARS,
        prod_tfvars(&[("\"db.r5.2xlarge\"", "\"r5.2xlarge\"")]),
    );
    let snapshot = world.snapshot();
    let file = snapshot
        .files
        .iter()
        .find(|f| f.path == PROD_TFVARS)
        .unwrap();
    assert_eq!(file.diagnostics.len(), 1, "{:?}", file.diagnostics);
    assert_eq!(file.diagnostics[0].line, 2);
    assert!(file.diagnostics[0]
        .message
        .contains("The instance class must be an RDS class"));
    assert_eq!(infra_of(&snapshot, "prod").counts, None);
    world.apply(Action::Apply { env: "prod".into() });
    let after = world.snapshot();
    let output = &infra_of(&after, "prod").output;
    assert!(
        output[0].contains("Invalid value for variable"),
        "{output:?}"
    );
    assert_eq!(
        world.database("prod").expect("a database").class.name,
        "db.r5.2xlarge"
    );
}

#[test]
fn replacing_the_database_means_downtime() {
    // Guards the first trap of the dangerous plan: a renamed database is destroyed and created
    // again, down the whole time, once prevent_destroy is gone.
    let mut world = World::new(Scenario::default());
    let rds = world.file("terraform/rds.tf").unwrap().content.clone();
    let renamed = rds.replace("\"opsdojo-${var.env}\"", "\"opsdojo-${var.env}-main\"");
    edit(&mut world, "terraform/rds.tf", renamed.clone());
    let blocked = world.snapshot();
    assert!(infra_of(&blocked, "dev")
        .plan_text
        .contains("Instance cannot be destroyed"));
    edit(
        &mut world,
        "terraform/rds.tf",
        renamed.replace("prevent_destroy = true", "prevent_destroy = false"),
    );
    let plan = world.snapshot();
    let dev = infra_of(&plan, "dev");
    assert_eq!(dev.counts, Some((1, 0, 1)), "{}", dev.plan_text);
    assert!(dev.plan_text.contains("# forces replacement"));
    world.apply(Action::Apply { env: "dev".into() });
    advance(&mut world, 2);
    assert!(!world.database("dev").expect("a database").available);
    advance(&mut world, 17);
    assert!(world.database("dev").expect("a database").available);
    assert_eq!(
        world.database("dev").expect("a database").identifier,
        "opsdojo-dev-main"
    );
    assert!(world
        .event_log()
        .iter()
        .any(|e| e.text.contains("every row written before is gone")));
}

#[test]
fn create_before_destroy_keeps_the_database_up_while_it_is_replaced() {
    // Guards lifecycle create_before_destroy in the world: `+/-`, no downtime, still a new
    // empty instance at the end.
    let mut world = World::new(Scenario::default());
    let rds = world.file("terraform/rds.tf").unwrap().content.clone();
    let replaced = rds
        .replace("\"opsdojo-${var.env}\"", "\"opsdojo-${var.env}-main\"")
        .replace(
            "prevent_destroy = true",
            "prevent_destroy       = false\n    create_before_destroy = true",
        );
    edit(&mut world, "terraform/rds.tf", replaced);
    let plan = world.snapshot();
    assert!(infra_of(&plan, "dev")
        .plan_text
        .contains("+/- resource \"aws_db_instance\" \"main\""));
    world.apply(Action::Apply { env: "dev".into() });
    for _ in 0..18 {
        advance(&mut world, 1);
        assert!(world.database("dev").expect("a database").available);
    }
    assert_eq!(
        world.database("dev").expect("a database").identifier,
        "opsdojo-dev-main"
    );
}

#[test]
fn a_long_typing_session_saves_what_changed_not_the_file() {
    // Typing with the clock running: an edit between every two ticks. Each edit used to be
    // saved with a copy of the whole file.
    let mut world = World::new(Scenario::default());
    let path = super::alerting::RULES_PATH.to_string();
    let original = world.file(&path).unwrap().content.clone();
    let mut typed = original.clone();
    let comment = "# a note typed one key at a time, with the clock running at full speed\n";
    for (i, key) in comment.chars().cycle().take(2000).enumerate() {
        typed.insert(original.len().min(typed.len()), key);
        world.apply(Action::EditFile {
            path: path.clone(),
            content: typed.clone(),
        });
        if i % 2 == 0 {
            world.apply(Action::Advance {
                by: SimDuration::from_seconds(15),
            });
        }
    }
    let saved = serde_json::to_string(world.actions()).unwrap();
    assert!(
        saved.len() < 200 * 1024,
        "{} bytes saved for 2000 keys into a {}-byte file",
        saved.len(),
        original.len()
    );
    let replayed = World::replay(Scenario::default(), world.actions());
    assert_eq!(replayed.file(&path).unwrap().content, typed);
    assert_eq!(replayed.now(), world.now());
    assert_eq!(replayed.snapshot(), world.snapshot());
    assert_eq!(
        replayed.actions(),
        world.actions(),
        "a replay records the same log"
    );
}

#[test]
fn patches_that_do_not_fit_are_ignored_with_a_warning() {
    let mut world = World::new(Scenario::default());
    let path = values_file_path("dev");
    let before = world.file(&path).unwrap().content.clone();
    world.apply(Action::PatchFile {
        path: path.clone(),
        at: before.len() + 10,
        delete: 1,
        insert: "x".into(),
    });
    assert_eq!(world.file(&path).unwrap().content, before);
    assert!(world.actions().is_empty());
    assert!(world
        .snapshot()
        .events
        .iter()
        .any(|e| e.text.contains("does not fit")));
}
