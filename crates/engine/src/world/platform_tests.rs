//! A world on a platform of its own: the shop pack's two environments and three services.

use super::*;
use crate::platform::parse_platform;
use std::sync::Arc;

fn shop() -> Arc<Platform> {
    Arc::new(
        parse_platform(include_str!("../../../../lessons/en/shop/platform.yaml"))
            .expect("the shop's platform reads"),
    )
}

fn lesson() -> crate::lesson::Lesson {
    let parsed = crate::lesson::parse_lesson_on(
        include_str!("../../../../lessons/en/shop/evening-rush.md"),
        shop(),
    );
    assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
    parsed.lesson.expect("the lesson parses")
}

fn value(world: &World, text: &str) -> f64 {
    let query = crate::promql::parse_query(text).expect("query parses");
    match crate::promql::instant_query(world.store(), &query.expr, world.now().epoch_ms()) {
        Ok(crate::promql::Value::Vector(samples)) => samples.iter().map(|s| s.value).sum(),
        other => panic!("{text}: {other:?}"),
    }
}

#[test]
fn the_world_has_the_platform_s_environments_services_routes_and_files() {
    let world = World::new(lesson().scenario);
    let names: Vec<&str> = world
        .environments()
        .iter()
        .map(|e| e.name.as_str())
        .collect();
    assert_eq!(names, ["staging", "production"]);
    let services: Vec<&str> = world.environments()[1]
        .deployments
        .iter()
        .map(|d| d.service.as_str())
        .collect();
    assert_eq!(services, ["catalog", "cart", "checkout"]);
    // One values file and one variables file per environment, the chart listing the services.
    for path in [
        "deploy/values-staging.yaml",
        "deploy/values-production.yaml",
        "terraform/vars/staging.tfvars",
        "terraform/vars/production.tfvars",
    ] {
        let file = world.file(path).unwrap_or_else(|| panic!("{path} exists"));
        assert!(
            file.diagnostics.is_empty(),
            "{path}: {:?}",
            file.diagnostics
        );
    }
    assert!(world.file("deploy/values-prod.yaml").is_none());
    let chart = &world.file("deploy/values.yaml").unwrap().content;
    assert!(
        chart.contains("  - checkout\n") && !chart.contains("  - users\n"),
        "{chart}"
    );
    let production_vars = &world
        .file("terraform/vars/production.tfvars")
        .unwrap()
        .content;
    assert!(
        production_vars.contains("\"production\"") && production_vars.contains("db.m5.2xlarge")
    );
    // Both environments plan and apply cleanly: their databases follow the platform.
    for env in ["staging", "production"] {
        let infra = world.infrastructure().env(env).expect("planned");
        assert!(
            !infra.outcome.diagnostics.iter().any(|d| d.is_error()),
            "{env}: {:?}",
            infra.outcome.diagnostics
        );
    }
    assert_eq!(
        world.database("production").expect("a database").class.name,
        "db.m5.2xlarge"
    );
    // Series carry the platform's labels; the standard platform's are nowhere.
    assert!(
        value(
            &world,
            r#"count(http_request_seconds_count{env="production", project="checkout", route="place_order"})"#
        ) > 0.0
    );
    assert_eq!(
        value(&world, r#"count(http_request_seconds_count{env="prod"})"#),
        0.0
    );
    // kubectl's namespaces are the environments.
    let namespaces = crate::kube::kubectl::run(&world, "get ns", "production").text;
    assert!(
        namespaces.contains("production") && !namespaces.contains("prod "),
        "{namespaces}"
    );
}

#[test]
fn the_rush_saturates_checkout_without_an_autoscaler_and_not_with_one() {
    let lesson = lesson();
    let timeouts = r#"sum(increase(http_request_seconds_count{env="production", project="checkout", status="504"}[30m])) / sum(increase(http_request_seconds_count{env="production", project="checkout"}[30m]))"#;
    let mut waiting = World::new(lesson.scenario.clone());
    waiting.apply(Action::Advance {
        by: SimDuration::from_minutes(165),
    });
    let without = value(&waiting, timeouts);
    assert!(
        without > 0.1,
        "two pods time out through the rush: {without}"
    );
    let mut solved = World::new(lesson.scenario.clone());
    for action in &lesson.solution {
        solved.apply(action.clone());
    }
    let with = value(&solved, timeouts);
    assert!(with < 0.01, "the autoscaler carries the rush: {with}");
    let checkout = &solved.environments()[1].deployments[2];
    assert!(checkout.desired >= 4, "it scaled out: {}", checkout.desired);
}

#[test]
fn an_environment_can_start_autoscaled_and_the_chat_channels_are_the_platform_s() {
    let platform = parse_platform(
        "environments:\n  - qa\n  - name: live\n    autoscaling: {minReplicas: 2, maxReplicas: 6}\n\
         services: [users, stores]\n\
         chat:\n  alerts: '#shop-alerts'\n  deploys: '#shop-deploys'\n  infra: '#shop-infra-'\n",
    )
    .expect("reads");
    let world = World::new(Scenario {
        platform: Arc::new(platform),
        ..Scenario::default()
    });
    let values = &world.file("deploy/values-live.yaml").unwrap();
    assert!(values.diagnostics.is_empty(), "{:?}", values.diagnostics);
    assert!(values
        .content
        .contains("  stores:\n    minReplicas: 2\n    maxReplicas: 6\n"));
    let live = &world.environments()[1];
    assert!(live.deployments.iter().all(|d| d.hpa.is_some()));
    assert!(world.environments()[0]
        .deployments
        .iter()
        .all(|d| d.hpa.is_none()));
    let alertmanager = &world.file("alertmanager/alertmanager.yml").unwrap().content;
    assert!(alertmanager.contains("'#shop-alerts'"), "{alertmanager}");
    assert!(world
        .snapshot()
        .tools
        .monitoring
        .channels
        .contains(&"#shop-alerts".to_string()));

    let refused = parse_platform(
        "environments:\n  - name: live\n    autoscaling: {minReplicas: 8, maxReplicas: 6}\nservices: [users]\nchat:\n  alerts: alerts\n",
    )
    .expect_err("both are refused");
    assert_eq!(refused.len(), 2, "{refused:?}");
    assert_eq!(refused[1].line, 6, "{refused:?}");
}
