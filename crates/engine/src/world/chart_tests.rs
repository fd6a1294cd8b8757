//! The platform's Helm chart in the world: environments run what it renders.

use super::*;

const TEMPLATES: &str = "deploy/templates/";

fn edit(world: &mut World, path: &str, content: String) {
    world.apply(Action::EditFile {
        path: path.to_string(),
        content,
    });
}

fn chart_file(world: &World, path: &str) -> String {
    world.file(path).expect("chart file").content.clone()
}

fn desired(world: &World, env: usize, service: &str) -> u32 {
    world.environments()[env]
        .deployments
        .iter()
        .find(|d| d.service == service)
        .map(|d| d.desired)
        .expect("service")
}

const PROD: usize = 2;

#[test]
fn the_world_starts_with_the_chart_rendered_for_each_environment() {
    let world = World::new(Scenario::default());
    for env in crate::platform::Platform::standard().environment_names() {
        let text = &world.rendered(env).expect("rendered").text;
        assert!(
            text.starts_with("---\n# Source: opsdojo/templates/service.yaml"),
            "{text}"
        );
        assert!(text.contains(&format!("namespace: {env}")));
    }
    let snapshot = world.snapshot();
    let prod = &snapshot.tools.cluster.manifests[PROD];
    assert!(prod.ok);
    assert_eq!(
        prod.kinds,
        vec![("Service".to_string(), 4), ("Deployment".to_string(), 4)]
    );
    assert!(prod.text.contains("replicas: 3"));
    assert!(world
        .files()
        .iter()
        .filter(|(path, _)| path.starts_with("deploy/"))
        .all(
            |(path, file)| file.diagnostics.is_empty() || panic!("{path}: {:?}", file.diagnostics)
        ));
}

#[test]
fn the_chart_defaults_apply_where_an_environment_says_nothing() {
    let mut world = World::new(Scenario::default());
    let values =
        chart_file(&world, "deploy/values.yaml").replace("replicaCount: 1", "replicaCount: 2");
    edit(&mut world, "deploy/values.yaml", values);
    edit(
        &mut world,
        &values_file_path("prod"),
        "replicas:\n  users: 5\n".into(),
    );
    assert_eq!(desired(&world, PROD, "users"), 5);
    assert_eq!(
        desired(&world, PROD, "stores"),
        2,
        "values.yaml's replicaCount"
    );
    // Dev's own values still name every service.
    assert_eq!(desired(&world, 0, "stores"), 1);
}

#[test]
fn a_template_change_reaches_every_environment() {
    let mut world = World::new(Scenario::default());
    edit(
        &mut world,
        &values_file_path("prod"),
        "autoscaling:\n  users:\n    minReplicas: 3\n    maxReplicas: 10\n".into(),
    );
    let hpa = |world: &World| {
        world.environments()[PROD].deployments[0]
            .hpa
            .as_ref()
            .map(|h| h.spec.target)
    };
    assert_eq!(hpa(&world), Some(60.0));
    let template =
        chart_file(&world, "deploy/templates/hpa.yaml").replace("default 60", "default 45");
    edit(&mut world, &format!("{TEMPLATES}hpa.yaml"), template);
    assert_eq!(hpa(&world), Some(45.0));
    assert!(world
        .rendered("prod")
        .unwrap()
        .text
        .contains("averageValue: \"45\""));
}

#[test]
fn a_broken_template_is_shown_at_its_line_and_changes_nothing() {
    let mut world = World::new(Scenario::default());
    let path = format!("{TEMPLATES}deployment.yaml");
    let original = chart_file(&world, &path);
    let broken = original.replacen(
        "replicas: {{ index $.Values.replicas $service }}",
        "replicas: {{ index $.Values.replicas $service }",
        1,
    );
    assert_ne!(broken, original);
    edit(&mut world, &path, broken.clone());
    edit(
        &mut world,
        &values_file_path("prod"),
        "replicas:\n  users: 6\n  stores: 3\n  coupons: 3\n  external-signin: 3\n".into(),
    );
    assert_eq!(
        desired(&world, PROD, "users"),
        3,
        "the environment keeps what it runs"
    );
    let file = world.file(&path).unwrap();
    let line = broken
        .lines()
        .position(|l| l.contains("$service }\n") || l.ends_with("$service }"))
        .unwrap()
        + 1;
    assert_eq!(file.diagnostics.len(), 1, "{:?}", file.diagnostics);
    assert_eq!(file.diagnostics[0].line, line);
    assert!(
        file.diagnostics[0].message.starts_with("parse error"),
        "{:?}",
        file.diagnostics
    );
    assert!(world
        .snapshot()
        .tools
        .cluster
        .manifests
        .iter()
        .all(|m| !m.ok
            && m.text
                .starts_with(&format!("Error: deploy/templates/deployment.yaml:{line}:"))));
    // The page's diagnostics name their file, as the command line does.
    let snapshot = world.snapshot();
    let shown = snapshot.files.iter().find(|f| f.path == path).unwrap();
    assert_eq!(shown.diagnostics[0].file.as_deref(), Some(path.as_str()));
    assert!(shown.diagnostics[0]
        .to_string()
        .starts_with(&format!("{path}:{line}:")));
    // Fixed, the waiting change goes through.
    edit(&mut world, &path, original);
    assert!(world.file(&path).unwrap().diagnostics.is_empty());
    assert_eq!(desired(&world, PROD, "users"), 6);
}

#[test]
fn an_error_in_one_environment_names_it() {
    let mut world = World::new(Scenario::default());
    // A service the platform does not have, rendered only in prod.
    let values = "services:\n  - users\n  - stores\n  - coupons\n  - external-signin\n  - billing\nreplicas:\n  users: 4\n";
    edit(&mut world, &values_file_path("prod"), values.into());
    let file = world.file(&format!("{TEMPLATES}deployment.yaml")).unwrap();
    assert_eq!(file.diagnostics.len(), 1, "{:?}", file.diagnostics);
    let message = &file.diagnostics[0].message;
    assert!(message.contains("Deployment `billing`"), "{message}");
    assert!(message.ends_with("(rendering prod)"), "{message}");
    assert_eq!(desired(&world, PROD, "users"), 3);
    assert!(world.snapshot().tools.cluster.manifests[0].ok);
}

#[test]
fn kubectl_prints_what_the_chart_rendered_with_the_live_status() {
    let mut world = World::new(Scenario::default());
    let yaml = |world: &World, line: &str| crate::kube::kubectl::run(world, line, "prod");
    let users = yaml(&world, "get deploy users -o yaml");
    assert!(!users.failed, "{}", users.text);
    assert!(
        users
            .text
            .starts_with("apiVersion: apps/v1\nkind: Deployment\n"),
        "{}",
        users.text
    );
    assert!(users.text.contains("  namespace: prod\n"));
    assert!(
        users
            .text
            .contains("status:\n  replicas: 3\n  updatedReplicas: 3\n  readyReplicas: 3\n"),
        "{}",
        users.text
    );
    assert!(
        yaml(&world, "get hpa users -o yaml").failed,
        "no autoscaler rendered yet"
    );
    assert!(yaml(&world, "get deploy -o yaml")
        .text
        .contains("prints one object"));
    edit(
        &mut world,
        &values_file_path("prod"),
        "autoscaling:\n  users:\n    minReplicas: 3\n    maxReplicas: 10\n".into(),
    );
    let hpa = yaml(&world, "get hpa/users -o=yaml");
    assert!(
        hpa.text.contains("kind: HorizontalPodAutoscaler"),
        "{}",
        hpa.text
    );
    assert!(hpa.text.contains("  maxReplicas: 10\n"));
    assert!(hpa.text.contains("desiredReplicas: 3"));
}
