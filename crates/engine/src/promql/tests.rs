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

/// A store with one series sampled every 15 s for an hour.
fn hour_store() -> SeriesStore {
    let mut store = SeriesStore::new();
    for i in 0..240 {
        store.append(&Labels::named("up").with("env", "dev"), i * 15_000, 1.0);
    }
    store
}

#[test]
fn durations_no_clock_holds_are_diagnostics() {
    // Each of these used to abort the page inside the parser or the evaluator.
    for text in [
        "up[1e30]",
        "up[1e400]",
        "up[Inf]",
        "up[NaN]",
        "up offset 1e30",
        "up offset -1e30",
        // A sign before the number: the fuzzer found `offset +inf`.
        "up offset +inf",
        "up offset +1e30",
        "up offset -Inf",
        "up[+1e30]",
        "up[5m:+1e30]",
        "up[5m:1e30]",
        "up[1e30:1m]",
        "rate(up[0x7fffffffffffffffff])",
        "count_over_time(up[9300000000000000])",
        "up[4294967295y]",
        "up offset 4294967295y",
        "up @ 1e300",
        "up @ 9e15",
    ] {
        let diagnostic = parse_query(text).expect_err(text);
        assert!(
            diagnostic.message.contains("out of range")
                || diagnostic.message.contains("not a duration")
                || diagnostic.message.contains("timestamp"),
            "{text}: {}",
            diagnostic.message
        );
    }
    let diagnostic = parse_query("sum(\n  rate(up[1e30]))").unwrap_err();
    assert_eq!((diagnostic.line, diagnostic.column), (2, 11));
    assert!(diagnostic.hint.unwrap().contains("292y"));
}

#[test]
fn the_longest_real_durations_still_parse() {
    // Near misses: large but valid durations, numbers elsewhere, strings with brackets.
    for text in [
        "up[292y]",
        "up[9000000000]",
        "up offset 100y",
        "up[1y:1d]",
        "vector(1e308)",
        "up{env=\"[1e30]\"}",
        "up @ 1700000000",
        "up @ -1e9",
        "- up offset 1h",
        "1e30 * up",
    ] {
        assert!(parse_query(text).is_ok(), "{text}");
    }
}

#[test]
fn deep_nesting_is_refused_before_it_exhausts_the_stack() {
    let parens = format!("{}up{}", "(".repeat(5000), ")".repeat(5000));
    assert!(parse_query(&parens)
        .unwrap_err()
        .message
        .contains("nests deeper"));
    let chain = vec!["1"; 4000].join("+");
    assert!(parse_query(&chain)
        .unwrap_err()
        .message
        .contains("nests deeper"));
    // The parser folds a chain of signs into the number.
    let unary = format!("{}1", "-".repeat(4000));
    if let Ok(query) = parse_query(&unary) {
        assert!(instant_query(&hour_store(), &query.expr, 0).is_ok());
    }
    let fine = format!("{}up{}", "(".repeat(100), ")".repeat(100));
    assert!(parse_query(&fine).is_ok());
}

#[test]
fn huge_subqueries_and_ranges_stop_with_a_count() {
    let store = hour_store();
    let query = parse_query("max_over_time(up[1y:1ms])").unwrap();
    let error = instant_query(&store, &query.expr, 3_600_000).unwrap_err();
    assert_eq!(
        error.to_string(),
        "this subquery would evaluate 3.2e10 points; the limit is 1e7"
    );
    // Nested subqueries each under the limit stop on the running count.
    let query = parse_query("max_over_time(max_over_time(up[1d:1s])[1d:1s])").unwrap();
    let error = instant_query(&store, &query.expr, 3_600_000).unwrap_err();
    assert!(
        error.to_string().contains("more than 1e7 points"),
        "{error}"
    );
    // A range query over an extreme range.
    let query = parse_query("up").unwrap();
    let error = range_query(&store, &query.expr, i64::MIN, i64::MAX, 1).unwrap_err();
    assert!(error
        .to_string()
        .contains("this range query would evaluate"));
    let ok = range_query(&store, &query.expr, i64::MAX - 10, i64::MAX, 5).unwrap();
    assert!(ok.is_empty());
    // A range no store holds reads what there is.
    let query = parse_query("count_over_time(up[9000000000])").unwrap();
    let value = instant_query(&store, &query.expr, 3_600_000).unwrap();
    assert_eq!(
        value,
        Value::Vector(vec![Sample::new(
            Labels::default().with("env", "dev"),
            240.0
        )])
    );
    let query = parse_query("count_over_time(up[9000000000] offset 9000000000)").unwrap();
    assert!(instant_query(&store, &query.expr, i64::MIN).is_ok());
    assert!(instant_query(&store, &query.expr, i64::MAX).is_ok());
}

#[test]
fn test_scripts_bound_what_the_file_chooses() {
    // Expansions, load intervals and eval ranges taken from the file: no overflow, no
    // unbounded allocation, a failed case that says why.
    let results = test_script::run_script(
        "load 5m\n  up 0+1x99999999999999\n  down 1x3\n\nload 300y\n  far 1 2 3\n\neval instant at 1e300 down\n\neval range from -1e300 to 1e300 step 1ms down\n\neval range from 0 to 1e15 step 1 down\n",
    );
    assert_eq!(results.len(), 3);
    for result in &results[1..] {
        match &result.outcome {
            test_script::CaseOutcome::Failed(message) => {
                assert!(message.contains("the limit is 1e6"), "{message}")
            }
            other => panic!("{other:?}"),
        }
    }
}

/// Range functions of a range selector read the store's windows without copying them: the
/// staleness markers in a window are still left out, and a window of markers alone gives
/// no sample.
#[test]
fn range_functions_on_selectors_leave_staleness_markers_out() {
    let mut store = SeriesStore::new();
    let x = |s: &str| Labels::named("x").with("s", s);
    for (i, value) in [1.0, 2.0, 3.0, 4.0, 5.0].into_iter().enumerate() {
        store.append(&x("a"), i as i64 * 15_000, value);
    }
    store.append(&x("b"), 0, 1.0);
    store.append(&x("b"), 50_000, stale_marker());
    store.append(&x("b"), 55_000, 7.0);
    store.append(&x("c"), 0, 1.0);
    store.append(&x("c"), 50_000, stale_marker());
    let at = |query: &str| -> Vec<(String, f64)> {
        let query = parse_query(query).expect("query parses");
        match instant_query(&store, &query.expr, 60_000).expect("evaluates") {
            Value::Vector(samples) => samples
                .into_iter()
                .map(|s| (s.labels.to_string(), s.value))
                .collect(),
            other => panic!("expected a vector, got {other:?}"),
        }
    };
    let pairs = |expected: &[(&str, f64)]| -> Vec<(String, f64)> {
        expected.iter().map(|(l, v)| (l.to_string(), *v)).collect()
    };
    assert_eq!(
        at("count_over_time(x[30s])"),
        pairs(&[(r#"{s="a"}"#, 2.0), (r#"{s="b"}"#, 1.0)])
    );
    assert_eq!(
        at("last_over_time((x[30s]))"),
        pairs(&[(r#"x{s="a"}"#, 5.0), (r#"x{s="b"}"#, 7.0)])
    );
    assert_eq!(
        at("max_over_time(x[1m])"),
        pairs(&[(r#"{s="a"}"#, 5.0), (r#"{s="b"}"#, 7.0)]),
        "a window is open on the left: c's sample at 0 s is out"
    );
    assert_eq!(
        at("max_over_time(x[61s])"),
        pairs(&[
            (r#"{s="a"}"#, 5.0),
            (r#"{s="b"}"#, 7.0),
            (r#"{s="c"}"#, 1.0)
        ])
    );
}

/// Selections are remembered by selector; a series added afterwards is still found, and a
/// copy of the store answers the same.
#[test]
fn a_remembered_selection_sees_series_added_after_it() {
    let mut store = SeriesStore::new();
    let up = |env: &str| Labels::named("up").with("env", env);
    store.append(&up("dev"), 0, 1.0);
    store.append(&up("prod"), 0, 1.0);
    let query = parse_query(r#"up{env=~"prod|staging"}"#).expect("query parses");
    let count = |store: &SeriesStore| match instant_query(store, &query.expr, 0).expect("evaluates")
    {
        Value::Vector(samples) => samples.len(),
        other => panic!("expected a vector, got {other:?}"),
    };
    assert_eq!(count(&store), 1);
    assert_eq!(count(&store), 1, "the remembered selection");
    store.append(&up("staging"), 0, 1.0);
    assert_eq!(count(&store), 2, "a series added since");
    assert_eq!(count(&store.clone()), 2);
    store.clear();
    assert_eq!(count(&store), 0);
}

#[test]
fn a_remembered_grouping_gives_what_grouping_again_would() {
    let mut store = SeriesStore::new();
    let up = |env: &str, pod: &str| Labels::named("up").with("env", env).with("pod", pod);
    store.append(&up("dev", "a"), 0, 1.0);
    store.append(&up("prod", "a"), 0, 2.0);
    store.append(&up("prod", "b"), 0, 4.0);
    let result = |store: &SeriesStore, query: &str, at: i64| {
        let query = parse_query(query).expect("query parses");
        match instant_query(store, &query.expr, at).expect("evaluates") {
            Value::Vector(samples) => samples
                .into_iter()
                .map(|s| format!("{} {}", s.labels, s.value))
                .collect::<Vec<_>>(),
            other => panic!("expected a vector, got {other:?}"),
        }
    };
    let by_env = "sum by (env) (up)";
    assert_eq!(
        result(&store, by_env, 0),
        ["{env=\"dev\"} 1", "{env=\"prod\"} 6"]
    );
    // The same series again: the grouping is remembered, and the new values summed.
    let query = parse_query(by_env).unwrap();
    let selected = match instant_query(&store, &parse_query("up").unwrap().expr, 0) {
        Ok(Value::Vector(samples)) => samples,
        other => panic!("expected a vector, got {other:?}"),
    };
    let Expr::Aggregate(aggregate) = &query.expr else {
        panic!("an aggregation");
    };
    assert!(store
        .group_keys()
        .grouping(aggregate.modifier.as_ref(), &selected)
        .is_some());
    // The three series again, later (the scrape's order need not be the store's).
    let scrape = |store: &mut SeriesStore, t: i64, prod_b: f64| {
        store.append(&up("prod", "b"), t, prod_b);
        store.append(&up("dev", "a"), t, 1.0);
        store.append(&up("prod", "a"), t, 2.0);
    };
    scrape(&mut store, 15_000, 10.0);
    assert_eq!(
        result(&store, by_env, 15_000),
        ["{env=\"dev\"} 1", "{env=\"prod\"} 12"]
    );
    // Another modifier over the very same series groups them its own way.
    assert_eq!(
        result(&store, "sum without (env) (up)", 15_000),
        ["{pod=\"a\"} 3", "{pod=\"b\"} 10"]
    );
    assert_eq!(result(&store, "sum by (pod, env) (up)", 15_000).len(), 3);
    assert_eq!(result(&store, "sum(up)", 15_000), ["{} 13"]);
    // A series added since: grouped anew.
    store.append(&up("dev", "b"), 15_000, 100.0);
    assert_eq!(
        result(&store, by_env, 15_000),
        ["{env=\"dev\"} 101", "{env=\"prod\"} 12"]
    );
    // A series that went away (stale): grouped anew without it.
    store.append(
        &up("dev", "b"),
        30_000,
        crate::promql::store::stale_marker(),
    );
    scrape(&mut store, 30_000, 10.0);
    assert_eq!(
        result(&store, by_env, 30_000),
        ["{env=\"dev\"} 1", "{env=\"prod\"} 12"]
    );
}

#[test]
fn a_remembered_matching_gives_what_matching_again_would() {
    let mut store = SeriesStore::new();
    let errors = |route: &str, code: &str| {
        Labels::named("errors")
            .with("route", route)
            .with("code", code)
    };
    let requests = |route: &str| Labels::named("requests").with("route", route);
    let scrape = |store: &mut SeriesStore, t: i64, scale: f64| {
        store.append(&errors("a", "500"), t, 1.0 * scale);
        store.append(&errors("b", "500"), t, 2.0 * scale);
        store.append(&errors("b", "503"), t, 3.0 * scale);
        store.append(&requests("a"), t, 10.0);
        store.append(&requests("b"), t, 20.0);
    };
    let result = |store: &SeriesStore, query: &str, at: i64| {
        let query = parse_query(query).expect("query parses");
        match instant_query(store, &query.expr, at) {
            Ok(Value::Vector(samples)) => samples
                .into_iter()
                .map(|s| format!("{} {}", s.labels, s.value))
                .collect::<Vec<_>>(),
            Ok(other) => panic!("expected a vector, got {other:?}"),
            Err(error) => vec![error.to_string()],
        }
    };
    let ratio = "errors / on (route) group_left requests";
    scrape(&mut store, 0, 1.0);
    let first = result(&store, ratio, 0);
    assert_eq!(
        first,
        [
            "{code=\"500\", route=\"a\"} 0.1",
            "{code=\"500\", route=\"b\"} 0.1",
            "{code=\"503\", route=\"b\"} 0.15"
        ]
    );
    // The same series later: the pairs are remembered, the values new.
    scrape(&mut store, 15_000, 2.0);
    assert_eq!(
        result(&store, ratio, 15_000),
        [
            "{code=\"500\", route=\"a\"} 0.2",
            "{code=\"500\", route=\"b\"} 0.2",
            "{code=\"503\", route=\"b\"} 0.3"
        ]
    );
    // Another matching over the very same series pairs them its own way.
    assert_eq!(
        result(
            &store,
            "errors / ignoring (code) group_left requests",
            15_000
        )
        .len(),
        3
    );
    assert!(result(&store, "errors / requests", 15_000).is_empty());
    // A second `requests` series for route `b` on the "one" side: no longer one to many.
    store.append(&requests("b").with("instance", "2"), 15_000, 5.0);
    let duplicate = result(&store, ratio, 15_000);
    assert!(
        duplicate[0].contains("found duplicate series"),
        "{duplicate:?}"
    );
}

/// The scrape's label cache gives the same set for the same pairs in any order, and never
/// mixes up sets that differ.
#[test]
fn the_label_cache_builds_a_set_once_and_tells_sets_apart() {
    let cache = LabelCache::default();
    let first = cache.get(&[("__name__", "up"), ("env", "dev"), ("pod", "a")]);
    let again = cache.get(&[("pod", "a"), ("__name__", "up"), ("env", "dev")]);
    assert!(first == again);
    assert_eq!(first.to_string(), r#"up{env="dev", pod="a"}"#);
    let other = cache.get(&[("__name__", "up"), ("env", "dev"), ("pod", "b")]);
    assert_eq!(other.get("pod"), "b");
    // The same name twice: the last value wins, as with `with`.
    let twice = cache.get(&[("__name__", "up"), ("env", "dev"), ("env", "prod")]);
    assert_eq!(twice.get("env"), "prod");
    assert_eq!(
        cache
            .get(&[("__name__", "up"), ("env", "dev"), ("env", "prod")])
            .get("env"),
        "prod"
    );
    // More pairs than the cache sorts in place are built as they come.
    let names: Vec<String> = (0..12).map(|i| format!("l{i}")).collect();
    let many: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), "v")).collect();
    assert_eq!(cache.get(&many).len(), 12);
}

#[test]
fn hundreds_of_operators_inside_subqueries_stop_at_the_points_budget() {
    // Found by fuzzing: the samples it reads are few, but its three 2-hour subqueries evaluate
    // some 400 operators at every minute; it used to run for seconds before the limit.
    let text = include_str!("../../../../fuzz/seeds/promql/operator-chains");
    let query = parse_query(text).expect("parses");
    let error = instant_query(&hour_store(), &query.expr, 3_600_000).unwrap_err();
    assert!(error.to_string().contains("points"), "{error}");
    // An ordinary subquery of the same length stays far below it.
    let query = parse_query("max_over_time((sum(up) + 1 > 0)[2h:1m])").unwrap();
    assert!(instant_query(&hour_store(), &query.expr, 3_600_000).is_ok());
}
