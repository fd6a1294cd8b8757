use super::*;

fn series() -> Vec<Sample> {
    let replicas = |env: &str, deployment: &str, value: f64| {
        Sample::new(
            Labels::named("kube_deployment_status_replicas_ready")
                .with("env", env)
                .with("deployment", deployment),
            value,
        )
    };
    vec![
        replicas("dev", "users", 1.0),
        replicas("dev", "stores", 2.0),
        replicas("prod", "users", 3.0),
        Sample::new(Labels::named("up").with("env", "dev"), 1.0),
        Sample::new(Labels::named("up").with("env", "prod"), 0.0),
    ]
}

fn eval(query: &str) -> Result<Value, EvalError> {
    let query = parse_query(query).expect("query parses");
    evaluate_instant(&query.expr, &series(), 1000.0)
}

fn values(query: &str) -> Vec<(String, f64)> {
    match eval(query).unwrap() {
        Value::Vector(samples) => samples
            .into_iter()
            .map(|s| (s.labels.to_string(), s.value))
            .collect(),
        other => panic!("expected a vector, got {other:?}"),
    }
}

#[test]
fn selectors_filter_by_name_and_matchers() {
    // Guards the selector semantics objectives are written with.
    assert_eq!(
        values(r#"kube_deployment_status_replicas_ready{env="dev"}"#).len(),
        2
    );
    assert_eq!(
        values(r#"kube_deployment_status_replicas_ready{env!="dev"}"#).len(),
        1
    );
    assert_eq!(
        values(r#"kube_deployment_status_replicas_ready{deployment=~"use.*"}"#).len(),
        2
    );
    assert_eq!(
        values(r#"kube_deployment_status_replicas_ready{deployment=~"use"}"#).len(),
        0,
        "regexes are anchored"
    );
    assert_eq!(values(r#"{env="prod"}"#).len(), 2);
}

#[test]
fn comparisons_filter_or_return_bool() {
    // Guards filtering versus `bool`, and that filtering keeps the metric name.
    assert_eq!(
        values("kube_deployment_status_replicas_ready >= 2"),
        vec![
            (
                r#"kube_deployment_status_replicas_ready{deployment="stores", env="dev"}"#
                    .to_string(),
                2.0
            ),
            (
                r#"kube_deployment_status_replicas_ready{deployment="users", env="prod"}"#
                    .to_string(),
                3.0
            ),
        ]
    );
    let mut booleans: Vec<(String, f64)> = values("kube_deployment_status_replicas_ready > bool 1");
    booleans.sort_by(|a, b| a.0.cmp(&b.0));
    let booleans: Vec<f64> = booleans.into_iter().map(|(_, v)| v).collect();
    assert_eq!(
        booleans,
        vec![1.0, 0.0, 1.0],
        "stores/dev, users/dev, users/prod"
    );
    assert_eq!(eval("2 > bool 1").unwrap(), Value::Scalar(1.0));
}

#[test]
fn arithmetic_and_vector_matching() {
    // Guards one-to-one matching, `on`, and that arithmetic drops the metric name.
    assert_eq!(
        values(r#"up{env="dev"} * 10"#),
        vec![(r#"{env="dev"}"#.to_string(), 10.0)]
    );
    let matched = values(r#"sum by (env) (kube_deployment_status_replicas_ready) + on(env) up"#);
    assert_eq!(
        matched,
        vec![
            (r#"{env="dev"}"#.to_string(), 4.0),
            (r#"{env="prod"}"#.to_string(), 3.0)
        ]
    );
    assert_eq!(
        values("up and on(env) kube_deployment_status_replicas_ready > 2").len(),
        1
    );
    assert_eq!(
        values("up unless on(env) kube_deployment_status_replicas_ready > 2").len(),
        1
    );
}

#[test]
fn aggregations_group_by_and_without() {
    // Guards the aggregations a lesson can use in objectives.
    assert_eq!(
        values("sum(kube_deployment_status_replicas_ready)"),
        vec![("{}".to_string(), 6.0)]
    );
    assert_eq!(
        values("count without (deployment) (kube_deployment_status_replicas_ready)").len(),
        2
    );
    assert_eq!(
        values("max by (deployment) (kube_deployment_status_replicas_ready)")[1].1,
        3.0
    );
    assert_eq!(values("avg(up)"), vec![("{}".to_string(), 0.5)]);
}

#[test]
fn functions_and_unsupported_parts() {
    // Guards time(), absent(), and the clear refusal of what is not evaluated yet.
    assert_eq!(eval("time()").unwrap(), Value::Scalar(1000.0));
    assert_eq!(
        values(r#"absent(nope{env="dev"})"#),
        vec![(r#"{env="dev"}"#.to_string(), 1.0)]
    );
    assert!(values("absent(up)").is_empty());
    assert_eq!(
        eval(r#"sort_by_label(up, "env")"#),
        Err(EvalError::Unsupported(
            "the experimental function `sort_by_label`".into()
        ))
    );
    assert!(
        values("rate(up[5m])").is_empty(),
        "one sample gives no rate"
    );
    assert!(
        values("up offset 5m").is_empty(),
        "no sample five minutes earlier"
    );
}

#[test]
fn parse_errors_are_diagnostics() {
    // Guards the message an author sees for a broken objective query.
    let error = parse_query("sum(up").unwrap_err();
    assert!(error.is_error());
    assert!(!error.message.is_empty());
    assert!(parse_query("   ").unwrap_err().message.contains("empty"));
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_text_parses_or_fails_without_panic(text in "\\PC{0,60}") {
            // Guards the parser path against panics on arbitrary input.
            let _ = parse_query(&text);
        }

        #[test]
        fn promql_shaped_text_evaluates_without_panic(
            parts in proptest::collection::vec(
                "(up|kube_deployment_status_replicas_ready|sum|by|\\(|\\)|\\{|\\}|env=\"dev\"|[0-9]|\\+|/|>|bool|and|or|unless|on|\\[5m\\]|time\\(\\)|absent|,| )",
                0..12,
            )
        ) {
            // Guards the evaluator: whatever parses evaluates to a value or an error.
            let text = parts.concat();
            if let Ok(query) = parse_query(&text) {
                let _ = evaluate_instant(&query.expr, &series(), 0.0);
            }
        }
    }
}

mod scripts {
    use crate::promql::test_script::{run_script, CaseOutcome, Tally};

    const SCRIPT: &str = r#"
load 1m
    http_requests_total{job="api"} 0+10x10
    http_requests_total{job="web"} 0+20x10

eval instant at 10m rate(http_requests_total[5m])
    {job="api"} 0.16666666666666666
    {job="web"} 0.3333333333333333

eval range from 0 to 2m step 1m sum(http_requests_total)
    {} 0 30 60

eval instant at 10m http_requests_total{job="api"}
    http_requests_total{job="api"} 999

eval instant at 10m foo +
    expect fail

eval instant at 10m histogram_count(x)
    {} 1
"#;

    #[test]
    fn the_test_script_runner_passes_fails_and_skips() {
        // Guards the conformance runner itself: a wrong expectation must fail, a native
        // histogram case is skipped with its reason.
        let results = run_script(SCRIPT);
        assert_eq!(
            Tally::of(&results),
            Tally {
                passed: 3,
                failed: 1,
                skipped: 1
            },
            "{results:#?}"
        );
        assert!(
            matches!(&results[2].outcome, CaseOutcome::Failed(reason) if reason.contains("999"))
        );
        assert!(
            matches!(&results[4].outcome, CaseOutcome::Skipped(reason) if reason.contains("native histograms"))
        );
        assert_eq!(results[0].line, 6);
    }
}

#[test]
fn metric_names_go_at_the_end_of_the_query() {
    // Guards delayed name removal: an operation marks the name, label_replace can keep it,
    // and samples whose labels only differed by name collide once it is gone.
    assert_eq!(
        values(r#"-kube_deployment_status_replicas_ready{env="prod"}"#),
        vec![(r#"{deployment="users", env="prod"}"#.to_string(), -3.0)]
    );
    assert_eq!(
        values(r#"label_replace(-up{env="dev"}, "was", "$1", "__name__", "(.*)")"#),
        vec![(r#"{env="dev", was="up"}"#.to_string(), -1.0)]
    );
    assert_eq!(
        values(r#"label_replace(-up{env="dev"}, "__name__", "not_$1", "__name__", "(.*)")"#),
        vec![(r#"not_up{env="dev"}"#.to_string(), -1.0)]
    );
    assert_eq!(
        values(r#"sum by (__name__) (-up)"#),
        vec![("{}".to_string(), -1.0)]
    );
    assert_eq!(
        eval(r#"label_replace(-{env="dev", deployment=~"users|"}, "deployment", "", "", "")"#)
            .unwrap_err()
            .to_string(),
        "vector cannot contain metrics with the same labelset"
    );
}
