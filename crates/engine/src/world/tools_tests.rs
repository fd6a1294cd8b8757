//! The world's tools: one way in for every command, effects instead of changes, and the
//! checkpoint's shape kept.

use super::*;
use crate::delivery::PullCommand;
use crate::infra::InfraCommand;
use crate::tool::{Effect, Lent, Tool};

/// What the world lends a tool, for a tool run outside it: a store and a stream of its own.
macro_rules! lent {
    () => {
        Lent {
            series: &mut SeriesStore::default(),
            rng: &mut SimRng::seeded(1),
        }
    };
}

fn prod_tfvars_with_a_bigger_database() -> String {
    crate::terraform::project::FILES
        .iter()
        .find(|(path, _)| *path == "vars/prod.tfvars")
        .map(|(_, text)| text.replace("db.r5.2xlarge", "db.r5.4xlarge"))
        .expect("prod has a variables file")
}

fn resized(by: Action) -> World {
    let mut world = World::new(Scenario::default());
    world.apply(Action::EditFile {
        path: "terraform/vars/prod.tfvars".into(),
        content: prod_tfvars_with_a_bigger_database(),
    });
    world.apply(by);
    world.apply(Action::Advance {
        by: SimDuration::from_minutes(15),
    });
    world
}

#[test]
fn a_command_by_the_tools_name_does_what_the_tools_own_action_does() {
    let by_action = resized(Action::Apply { env: "prod".into() });
    let by_name = resized(Action::Tool {
        tool: "terraform".into(),
        command: "apply prod".into(),
    });
    assert_eq!(
        by_name.database("prod").expect("a database").class.name,
        "db.r5.4xlarge"
    );
    let (a, b) = (by_action.snapshot(), by_name.snapshot());
    assert_eq!(a.tools, b.tools);
    assert_eq!(a.events, b.events);
    assert_eq!(a.change_markers, b.change_markers);
    // Recorded as given, so that a replay runs it again.
    assert!(matches!(by_name.actions()[1], Action::Tool { .. }));
    let replayed = World::replay(Scenario::default(), by_name.actions());
    assert_eq!(replayed.snapshot().tools, b.tools);
}

#[test]
fn a_command_for_no_tool_or_that_a_tool_cannot_read_is_refused_in_the_log() {
    let mut world = World::new(Scenario::default());
    for (tool, command, refusal) in [
        (
            "terraform",
            "destroy everything",
            "terraform: `destroy everything` is not a command",
        ),
        (
            "terrafrom",
            "apply prod",
            "terrafrom: this world has no tool named `terrafrom`",
        ),
        (
            "pull request",
            "merge",
            "pull request: this world has no pull request",
        ),
    ] {
        world.apply(Action::Tool {
            tool: tool.into(),
            command: command.into(),
        });
        let last = world.event_log().last().expect("a line");
        assert_eq!(last.level, EventLevel::Warning);
        assert!(last.text.starts_with(refusal), "{}", last.text);
    }
    assert!(world.actions().is_empty(), "{:?}", world.actions());
}

#[test]
fn a_tool_asks_for_changes_and_the_world_makes_them() {
    let mut world = World::new(Scenario::default());
    world.apply(Action::EditFile {
        path: "terraform/vars/prod.tfvars".into(),
        content: prod_tfvars_with_a_bigger_database(),
    });
    // Taken out of the world, the project starts its apply and only says what should follow.
    let mut infra = world.tools.infra.clone();
    let before = world.snapshot();
    let effects = infra
        .command(
            InfraCommand::parse("apply prod").expect("reads"),
            &world,
            &mut lent!(),
        )
        .expect("accepted");
    assert_eq!(world.snapshot(), before, "the world is untouched");
    assert!(
        matches!(&effects[0], Effect::Log(EventLevel::Info, line) if line.contains("terraform apply started"))
    );
    assert!(
        matches!(&effects[1], Effect::Mark(marker) if marker.env == "prod" && marker.text == "terraform apply")
    );
    assert_eq!(effects.len(), 2);
    // Fifteen minutes later its step says the database changed class.
    let mut later = world.clone();
    later.now = later.now.plus(SimDuration::from_minutes(15));
    let effects = infra.step(&later, &mut lent!());
    assert!(effects.iter().any(|effect| matches!(
        effect,
        Effect::Mark(marker) if marker.env == "prod" && marker.text == "database db.r5.2xlarge → db.r5.4xlarge"
    )));
    assert_eq!(
        infra.env("prod").expect("prod").database.class.name,
        "db.r5.4xlarge"
    );
    assert!(effects
        .iter()
        .any(|effect| matches!(effect, Effect::Diagnose { .. })));
}

#[test]
fn the_pipeline_hands_back_the_deployments_a_promotion_starts() {
    let parsed = crate::lesson::parse_lesson(include_str!(
        "../../../../lessons/en/delivery/first-deploy.md"
    ));
    let world = World::new(parsed.lesson.expect("parses").scenario);
    let mut pipeline = world.tools.pull_request.clone();
    // Nothing merged yet: the pipeline refuses, and keeps what it said.
    let refused = pipeline.command(PullCommand::Promote, &world, &mut lent!());
    assert!(refused.is_err());
    assert_eq!(
        pipeline.0.as_ref().and_then(|p| p.last_outcome.clone()),
        Some(Err(refused.unwrap_err()))
    );
    // A line it cannot read is answered on the pull request too.
    assert!(pipeline
        .run_line("deploy it all", &world, &mut lent!())
        .is_err());
    assert!(matches!(
        pipeline.0.as_ref().and_then(|p| p.last_outcome.clone()),
        Some(Err(why)) if why.contains("deploy")
    ));
}

#[test]
fn monitoring_runs_after_the_scrape_on_the_samples_it_wrote() {
    // A rule reading this step's elapsed time sees the value the scrape just wrote.
    let mut world = World::new(Scenario::default());
    world.apply(Action::EditFile {
        path: crate::world::alerting::RULES_PATH.into(),
        content: "groups:\n  - name: t\n    rules:\n      - record: elapsed:copy\n        expr: opsdojo_sim_elapsed_seconds\n".into(),
    });
    world.apply(Action::Advance {
        by: SimDuration::from_seconds(45),
    });
    let query = crate::promql::parse_query("elapsed:copy").expect("parses");
    let value = crate::promql::instant_query(world.store(), &query.expr, world.now().epoch_ms());
    let Ok(crate::promql::Value::Vector(samples)) = value else {
        panic!("{value:?}")
    };
    assert_eq!(samples[0].value, world.elapsed().as_seconds_f64());
}

#[test]
fn a_checkpoint_keeps_each_tool_under_its_name_in_the_list() {
    let parsed = crate::lesson::parse_lesson(include_str!(
        "../../../../lessons/en/delivery/first-deploy.md"
    ));
    let world = World::new(parsed.lesson.expect("parses").scenario);
    let text = world.checkpoint(SimDuration::default());
    assert!(text.starts_with("opsdojo-checkpoint 5 "));
    let json = text.lines().nth(1).expect("a body");
    let body: serde_json::Value = serde_json::from_str(json).expect("JSON");
    let tools = &body["tools"];
    assert!(tools["pull_request"]["spec"]["number"].is_u64());
    assert!(tools["infra"]
        .as_array()
        .is_some_and(|envs| envs.len() == 3));
    assert!(tools["monitoring"]["messages"].is_array());
    // A checkpoint without a tool's part is refused: the page replays the actions instead.
    // (Renamed in the text: a JSON value would not keep the random stream's 128-bit state.)
    let at = json.rfind("\"monitoring\":{").expect("monitoring's part");
    let missing = format!("{}\"monitoring_gone\":{}", &json[..at], &json[at + 13..]);
    let series = text.lines().nth(2).expect("series");
    let body = format!("{missing}\n{series}");
    let resealed = sealed_checkpoint(world.scenario(), &body);
    let (_, resumed) = World::resume(world.scenario().clone(), Some(&resealed), &[]);
    assert!(
        matches!(&resumed, Resumed::Refused(why) if why.contains("monitoring")),
        "{resumed:?}"
    );
}

#[test]
fn the_cluster_taken_out_of_the_world_hands_back_what_a_restart_asks_for() {
    let world = World::new(Scenario::default());
    let mut cluster = world.tools.cluster.clone();
    let before = world.snapshot();
    let change = crate::cluster::Kubernetes::parse("-n prod rollout restart deployment/users")
        .expect("reads");
    let effects = cluster
        .command(change, &world, &mut lent!())
        .expect("accepted");
    assert_eq!(world.snapshot(), before, "the world is untouched");
    assert!(matches!(
        &effects[0],
        Effect::Log(EventLevel::Info, line) if line.starts_with("prod: deployment/users: Restarted to revision")
    ));
    assert!(matches!(
        &effects[1],
        Effect::Mark(marker) if marker.env == "prod" && marker.text == "users restarted"
    ));
    assert_eq!(effects.len(), 2);
    assert_eq!(cluster.events().len(), world.kube_events().len() + 1);
    // What kubectl would not find is refused with kubectl's own words; a change must say
    // where it is.
    let missing =
        crate::cluster::Kubernetes::parse("-n prod rollout restart deploy/nginx").expect("reads");
    assert_eq!(
        cluster.command(missing, &world, &mut lent!()),
        Err("Error from server (NotFound): deployments.apps \"nginx\" not found".into())
    );
    assert!(
        crate::cluster::Kubernetes::parse("rollout restart deploy/users")
            .is_err_and(|why| why.contains("-n NAMESPACE"))
    );
    assert!(crate::cluster::Kubernetes::parse("-n prod get pods")
        .is_err_and(|why| why.contains("not a change")));
}

#[test]
fn kubectl_as_a_tool_step_is_the_kubectl_action() {
    let run = |action: Action| {
        let mut world = World::new(Scenario::default());
        world.apply(Action::Advance {
            by: SimDuration::from_minutes(2),
        });
        world.apply(action);
        world.apply(Action::Advance {
            by: SimDuration::from_minutes(3),
        });
        world
    };
    let by_action = run(Action::Kubectl {
        namespace: "staging".into(),
        command: "kubectl rollout restart deploy/stores".into(),
    });
    let by_tool = run(Action::Tool {
        tool: "kubectl".into(),
        command: "-n staging rollout restart deploy/stores".into(),
    });
    assert_eq!(by_action.snapshot().tools, by_tool.snapshot().tools);
    assert!(by_tool
        .kube_events()
        .iter()
        .any(|e| e.reason == "DeploymentRestart" && e.namespace == "staging"));
    // The command's own namespace wins over the action's, as kubectl's last `-n` does.
    let elsewhere = run(Action::Kubectl {
        namespace: "prod".into(),
        command: "rollout restart deploy/stores -n dev".into(),
    });
    assert!(elsewhere
        .kube_events()
        .iter()
        .any(|e| e.reason == "DeploymentRestart" && e.namespace == "dev"));
    // A refused command is not recorded, and the log says why in kubectl's words.
    let refused = run(Action::Kubectl {
        namespace: "prod".into(),
        command: "delete pod users-nope".into(),
    });
    assert!(refused
        .actions()
        .iter()
        .all(|a| !matches!(a, Action::Kubectl { .. })));
    assert!(refused
        .event_log()
        .iter()
        .any(|e| e.text == "kubectl: Error from server (NotFound): pods \"users-nope\" not found"));
}
