//! The pull request in the world: what the lesson "your first deploy" runs on.

use super::*;

fn lesson_world() -> World {
    let parsed = crate::lesson::parse_lesson(include_str!(
        "../../../../lessons/en/delivery/first-deploy.md"
    ));
    let lesson = parsed.lesson.expect("the lesson parses");
    World::new(lesson.scenario)
}

fn pr(world: &mut World, command: &str) {
    world.apply(Action::PullRequest {
        command: command.into(),
    });
}

fn minutes(world: &mut World, minutes: i64) {
    world.apply(Action::Advance {
        by: SimDuration::from_minutes(minutes),
    });
}

fn value(world: &World, text: &str) -> Option<f64> {
    let query = crate::promql::parse_query(text).expect("query parses");
    match crate::promql::instant_query(world.store(), &query.expr, world.now().epoch_ms()) {
        Ok(crate::promql::Value::Vector(samples)) => samples.first().map(|s| s.value),
        other => panic!("{text}: {other:?}"),
    }
}

fn outcome(world: &World) -> Result<String, String> {
    world
        .pull_request()
        .and_then(|p| p.last_outcome.clone())
        .expect("an outcome")
}

const TEST_FILE: &str = "app/tests/Coupon/CouponTest.php";

fn add_test(world: &mut World) {
    let text = world.file(TEST_FILE).unwrap().content.replace(
        "$this->assertSame('SPRING24', $coupon->code());",
        "$this->assertSame('SPRING24', $coupon->code());\n        $this->assertTrue($coupon->isExpired(new \\DateTimeImmutable('2031-01-01')));",
    );
    world.apply(Action::EditFile {
        path: TEST_FILE.into(),
        content: text,
    });
}

#[test]
fn the_pull_request_opens_with_a_failing_coverage_gate_and_cannot_merge() {
    let mut world = lesson_world();
    let coverage = r#"opsdojo_pull_request_check_success{check="jenkins/coverage"}"#;
    assert_eq!(value(&world, coverage), Some(0.0));
    let snapshot = world.snapshot();
    let pull = snapshot.tools.pull_request.expect("a pull request");
    assert_eq!(pull.timeline[0].text, "Is this tested?");
    assert_eq!(
        pull.diffs.len(),
        1,
        "only the source file differs from main"
    );
    pr(&mut world, "push");
    assert!(outcome(&world)
        .unwrap_err()
        .contains("Everything up-to-date"));
    pr(&mut world, "merge");
    let refused = outcome(&world).unwrap_err();
    assert!(
        refused.contains("required checks failed: jenkins/coverage"),
        "{refused}"
    );
    assert!(refused.contains("0 of 3 required approvals"), "{refused}");
    assert!(
        world.actions().is_empty(),
        "refused commands are not recorded"
    );
    // Waiting changes nothing: nobody approves a red pull request.
    minutes(&mut world, 30);
    assert_eq!(value(&world, "opsdojo_pull_request_approvals"), Some(0.0));
}

#[test]
fn a_test_then_a_push_turns_the_gate_green_and_brings_approvals() {
    let mut world = lesson_world();
    add_test(&mut world);
    assert!(world.snapshot().tools.pull_request.unwrap().unpushed);
    pr(&mut world, "push");
    assert!(outcome(&world).unwrap().starts_with("pushed "));
    minutes(&mut world, 4);
    let coverage = r#"opsdojo_pull_request_check_success{check="jenkins/coverage"}"#;
    assert_eq!(value(&world, coverage), Some(1.0));
    minutes(&mut world, 5);
    assert_eq!(value(&world, "opsdojo_pull_request_approvals"), Some(3.0));
    // The preview has its own metrics while the label is on.
    pr(&mut world, "label cd/preview");
    minutes(&mut world, 2);
    assert_eq!(
        value(&world, r#"probe_success{namespace="pr-142"}"#),
        Some(1.0)
    );
    pr(&mut world, "unlabel cd/preview");
    minutes(&mut world, 1);
    assert_eq!(value(&world, r#"probe_success{namespace="pr-142"}"#), None);
}

#[test]
fn merged_it_reaches_staging_waits_for_promotion_and_can_roll_back() {
    let mut world = lesson_world();
    add_test(&mut world);
    pr(&mut world, "push");
    minutes(&mut world, 9);
    pr(&mut world, "merge");
    assert!(outcome(&world).is_ok(), "{:?}", outcome(&world));
    minutes(&mut world, 2);
    // Staging has started rolling 2.4.0 out: a promotion waits for it.
    pr(&mut world, "promote");
    let early = outcome(&world);
    minutes(&mut world, 5);
    let staging = |world: &World| {
        world.environments()[1]
            .deployments
            .iter()
            .find(|d| d.service == "coupons")
            .map(|d| d.current_version().to_string())
    };
    assert_eq!(staging(&world).as_deref(), Some("2.4.0"));
    if let Err(refused) = early {
        assert!(refused.contains("staging is still rolling coupons out"));
        pr(&mut world, "promote");
    }
    assert!(outcome(&world).is_ok(), "{:?}", outcome(&world));
    minutes(&mut world, 5);
    let prod_image = r#"count(kube_pod_container_info{env="prod", deployment="coupons", image="registry.opsdojo.local/coupons:2.4.0"})"#;
    assert_eq!(value(&world, prod_image), Some(3.0));
    assert!(world
        .changes()
        .iter()
        .any(|m| m.kind == crate::tool::ChangeKind::Deploy
            && m.env == "prod"
            && m.text == "coupons 2.4.0 deployed"));
    assert!(world
        .monitoring()
        .messages()
        .iter()
        .any(|m| m.channel == "#deploys" && m.text.contains("promoted to prod")));
    pr(&mut world, "rollback");
    minutes(&mut world, 5);
    assert_eq!(value(&world, prod_image), None);
    // Replaying the recorded actions gives the same world.
    let replayed = World::replay(world.scenario().clone(), world.actions());
    assert_eq!(
        replayed.snapshot().tools.pull_request,
        world.snapshot().tools.pull_request
    );
}

#[test]
fn diffs_of_huge_files_do_not_build_a_huge_table() {
    // 65 536 lines on each side: the product of the line counts wrapped to 0 on 32-bit
    // WebAssembly, and the table asked for 17 GB.
    let base = "a\n".repeat(65_536);
    let now = "b\n".repeat(65_536);
    let changed = crate::delivery::changed_lines(&base, &now);
    assert_eq!(
        changed.len(),
        65_536,
        "every line counts as changed past the table's size"
    );
}
