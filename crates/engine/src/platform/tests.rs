use super::*;

fn errors(text: &str) -> Vec<Diagnostic> {
    parse_platform(text).expect_err("the file has a problem")
}

#[test]
fn the_standard_file_reads_without_a_problem_and_matches_the_built_in_platform() {
    let read = parse_platform(STANDARD).expect("platform.yaml reads");
    assert_eq!(read, fallback());
    assert_eq!(*Platform::standard(), read);
    let names: Vec<&str> = read.environment_names().collect();
    assert_eq!(names, ["dev", "staging", "prod"]);
    assert_eq!(read.pre_production(), "staging");
    assert_eq!(read.production(), "prod");
    for service in &read.services {
        let total: f64 = service.routes.iter().map(|r| r.share).sum();
        assert!((total - 1.0).abs() < 1e-9, "{}: {total}", service.name);
    }
}

#[test]
fn bare_names_take_the_defaults_of_their_place() {
    let platform = parse_platform(
        "environments: [preview, production]\n\
         services:\n  - name: cart\n    routes: [add_item, view_cart]\n  - users\n",
    )
    .expect("reads");
    let preview = &platform.environments[0];
    let production = &platform.environments[1];
    assert_eq!((preview.traffic, preview.replicas), (2.0, 1));
    assert_eq!((production.traffic, production.replicas), (60.0, 3));
    assert!(production.multi_az && production.peaks.len() == 1);
    assert_eq!(platform.stage("preview"), Some(Stage::First));
    assert_eq!(platform.stage("production"), Some(Stage::Last));
    assert_eq!(platform.pre_production(), "preview");
    let cart = platform.service("cart").unwrap();
    assert_eq!(cart.routes[0].share, 0.5);
    assert_eq!(cart.routes[1].path, "/cart");
    // A standard service named alone keeps its routes.
    let users = platform.service("users").unwrap();
    assert_eq!(users.routes[0].name, "get_user");
}

#[test]
fn a_single_environment_is_production() {
    let platform = parse_platform("environments: [live]\nservices: [users]\n").unwrap();
    assert_eq!(platform.stage("live"), Some(Stage::Last));
    assert_eq!(platform.pre_production(), "live");
    assert_eq!(platform.production(), "live");
}

#[test]
fn a_misspelt_key_is_pointed_at_with_a_guess() {
    let found = errors("environments: [dev]\nservces: [users]\n");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].line, 2, "{found:?}");
    assert!(found[0].message.contains("servces"), "{found:?}");
    assert_eq!(found[0].hint.as_deref(), Some("did you mean `services`?"));

    let nested = errors("environments:\n  - name: dev\n    trafic: 3\nservices: [users]\n");
    assert_eq!(nested[0].line, 3, "{nested:?}");
    assert_eq!(nested[0].hint.as_deref(), Some("did you mean `traffic`?"));
}

#[test]
fn checks_point_at_the_entry_they_are_about() {
    let text = "environments:\n  - dev\n  - name: prod\n    database: db.r5.2xlarg\n\
                services:\n  - name: cart\n    routes:\n      - name: add_item\n        share: 0.8\n      - name: view\n        share: 0.4\n";
    let found = errors(text);
    let class = found
        .iter()
        .find(|d| d.message.contains("instance class"))
        .expect("the class is refused");
    // At the value that is wrong, as the YAML parser placed it.
    assert_eq!((class.line, class.column), (4, 15));
    assert_eq!(class.hint.as_deref(), Some("did you mean `db.r5.2xlarge`?"));
    let shares = found
        .iter()
        .find(|d| d.message.contains("add up to"))
        .expect("the shares are refused");
    // The sum is the routes' as a whole: at their key.
    assert_eq!((shares.line, shares.column), (7, 5));
}

#[test]
fn a_problem_is_placed_by_the_parser_not_by_searching_the_text() {
    // The route `cart` has the name of a service; the duplicate is the second `checkout` entry,
    // and the share out of range is the second route's, though the first says the same number
    // in a comment.
    let text = "environments: [dev, prod]\nservices:\n  - name: cart\n    routes:\n      - name: cart # share: 7\n      - name: pay\n        share: 7\n  - name: checkout\n    routes: [view]\n  - name: checkout\n    routes: [view]\n";
    let found = errors(text);
    let at = |part: &str| {
        let d = found
            .iter()
            .find(|d| d.message.contains(part))
            .unwrap_or_else(|| panic!("no `{part}` in {found:?}"));
        (d.line, d.column)
    };
    assert_eq!(at("share is 7"), (7, 16));
    assert_eq!(at("listed twice"), (10, 11));
    // Each environment of a flow list at its own column.
    let found = errors("environments: [dev, Prod]\nservices: [users]\n");
    assert_eq!((found[0].line, found[0].column), (1, 21), "{found:?}");
}

#[test]
fn a_daily_setting_out_of_range_points_at_its_key() {
    let found = errors(
        "environments: [dev]\nservices: [users]\ndaily:\n  busiest: \"19:00\"\n  quietest: 2\n",
    );
    assert_eq!(found[0].line, 5, "{found:?}");
    assert_eq!(
        found[0].message,
        "platform: quietest is 2; it goes from 0 to 1"
    );
}

#[test]
fn names_that_cannot_be_labels_or_namespaces_are_refused() {
    for (text, word) in [
        ("environments: [Prod]\nservices: [users]\n", "Prod"),
        ("environments: [dev, dev]\nservices: [users]\n", "twice"),
        ("environments: [kube-system]\nservices: [users]\n", "namespace"),
        ("environments: [dev]\nservices: [\"a b\"]\n", "a b"),
        ("environments: [dev]\nservices: [cart]\n", "no routes"),
        ("environments: []\nservices: [users]\n", "0 environments"),
        (
            "environments: [dev]\nservices:\n  - name: cart\n    routes:\n      - name: get-item\n",
            "get-item",
        ),
        (
            "environments: [dev]\nservices:\n  - name: cart\n    routes:\n      - name: add\n        method: FETCH\n",
            "HTTP method",
        ),
    ] {
        let found = errors(text);
        assert!(
            found.iter().any(|d| d.message.contains(word)),
            "{text}: {found:?}"
        );
    }
}

#[test]
fn numbers_out_of_range_are_refused_not_clamped_silently() {
    for text in [
        "environments:\n  - name: dev\n    traffic: .nan\nservices: [users]\n",
        "environments:\n  - name: dev\n    traffic: 1e300\nservices: [users]\n",
        "environments:\n  - name: dev\n    replicas: 99\nservices: [users]\n",
        "environments:\n  - name: dev\n    cluster: 0\nservices: [users]\n",
        "environments:\n  - name: dev\n    peaks: [{at: '25:00', factor: 2}]\nservices: [users]\n",
        "environments:\n  - name: dev\n    peaks: [{at: '10:00', factor: 2, width: 7h}]\nservices: [users]\n",
        "environments: [dev]\nservices:\n  - name: cart\n    workers: 0\n    routes: [a]\n",
        "environments: [dev]\nservices:\n  - name: cart\n    routes:\n      - name: a\n        latency: 30s\n",
        "environments: [dev]\nservices: [users]\ndaily:\n  quietest: 2\n",
    ] {
        assert!(parse_platform(text).is_err(), "{text}");
    }
}

#[test]
fn a_platform_too_large_to_simulate_is_refused() {
    let environments: Vec<String> = (0..6).map(|i| format!("e{i}")).collect();
    let text = format!(
        "environments: [{}]\nservices: [users]\n",
        environments.join(", ")
    );
    assert!(errors(&text)[0].message.contains("6 environments"));
    let routes: Vec<String> = (0..25).map(|i| format!("r{i}")).collect();
    let text = format!(
        "environments: [dev]\nservices:\n  - name: cart\n    routes: [{}]\n",
        routes.join(", ")
    );
    assert!(errors(&text)
        .iter()
        .any(|d| d.message.contains("25 routes")));
}

#[test]
fn a_peak_across_midnight_is_a_bell_on_both_sides() {
    let platform = parse_platform(
        "environments:\n  - name: live\n    peaks: [{at: '23:30', factor: 3, width: 1h}]\nservices: [users]\n",
    )
    .unwrap();
    let live = &platform.environments[0];
    assert_eq!(live.peaks[0].at, 23.5);
    assert_eq!(live.peaks[0].width, 1.0);
}

mod properties {
    use super::*;
    use crate::time::SimDuration;
    use crate::world::{Action, Scenario, World};
    use proptest::prelude::*;

    /// Lines a platform file is made of, some valid, some near misses.
    fn line() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("environments:".to_string()),
            Just("services:".to_string()),
            Just("daily:".to_string()),
            Just("  - dev".to_string()),
            Just("  - name: live".to_string()),
            Just("    traffic: 5".to_string()),
            Just("    traffic: -1".to_string()),
            Just("    replicas: 4".to_string()),
            Just("    cluster: 3".to_string()),
            Just("    database: db.t3.micro".to_string()),
            Just("    peaks: [{at: '23:59', factor: 20, width: 1m}]".to_string()),
            Just("  - name: shop".to_string()),
            Just("  - users".to_string()),
            Just("    workers: 1".to_string()),
            Just("    routes: [a, b_c]".to_string()),
            Just("    routes:".to_string()),
            Just("      - name: r".to_string()),
            Just("        share: 0.5".to_string()),
            Just("        queries: 100".to_string()),
            Just("        latency: 10s".to_string()),
            Just("  busiest: '00:00'".to_string()),
            Just("  quietest: 0".to_string()),
            "[ -~]{0,20}".prop_map(String::from),
        ]
    }

    /// A platform file built entry by entry, valid more often than not.
    fn platform_file() -> impl Strategy<Value = String> {
        // Mostly good values, now and then one out of range or a name that cannot be.
        let environment = |name: &'static str| {
            (
                prop::option::of(0.0f64..200.0),
                prop::option::of(prop_oneof![9 => 0u32..=20, 1 => 21u32..30]),
                prop::option::of(prop_oneof![9 => 1u32..60, 1 => Just(0u32)]),
            )
                .prop_map(move |(traffic, replicas, cluster)| (name, traffic, replicas, cluster))
        };
        let environments =
            prop::sample::subsequence(vec!["dev", "qa", "staging", "live", "prod"], 1..4)
                .prop_flat_map(move |names| names.into_iter().map(environment).collect::<Vec<_>>())
                .prop_map(|entries| {
                    entries
                        .into_iter()
                        .map(|(name, traffic, replicas, cluster)| {
                            let mut entry = format!("  - name: {name}\n");
                            if let Some(traffic) = traffic {
                                entry.push_str(&format!("    traffic: {traffic}\n"));
                            }
                            if let Some(replicas) = replicas {
                                entry.push_str(&format!("    replicas: {replicas}\n"));
                            }
                            if let Some(cluster) = cluster {
                                entry.push_str(&format!("    cluster: {cluster}\n"));
                            }
                            entry
                        })
                        .collect::<String>()
                });
        let routes = prop::sample::subsequence(vec!["get_item", "list", "pay"], 1..4)
            .prop_flat_map(|names| {
                names
                    .into_iter()
                    .map(|name| {
                        prop_oneof![2 => Just(None), 1 => (0.0f64..0.33).prop_map(Some)]
                            .prop_map(move |share| (name, share))
                    })
                    .collect::<Vec<_>>()
            })
            .prop_map(|routes| {
                routes
                    .into_iter()
                    .map(|(name, share)| match share {
                        Some(share) => format!("      - name: {name}\n        share: {share}\n"),
                        None => format!("      - {name}\n"),
                    })
                    .collect::<Vec<_>>()
            });
        let service = move |name: &'static str| {
            (
                prop::option::of(prop_oneof![9 => 1u32..=64, 1 => 65u32..70]),
                routes.clone(),
            )
                .prop_map(move |(workers, routes)| (name, workers, routes))
        };
        let services = prop::sample::subsequence(vec!["cart", "users", "checkout", "search"], 1..4)
            .prop_flat_map(move |names| names.into_iter().map(&service).collect::<Vec<_>>())
            .prop_map(|entries| {
                entries
                    .into_iter()
                    .map(|(name, workers, routes)| {
                        let mut entry = format!("  - name: {name}\n");
                        if let Some(workers) = workers {
                            entry.push_str(&format!("    workers: {workers}\n"));
                        }
                        if !routes.is_empty() {
                            entry.push_str("    routes:\n");
                            entry.push_str(&routes.concat());
                        }
                        entry
                    })
                    .collect::<String>()
            });
        (environments, services).prop_map(|(environments, services)| {
            format!("environments:\n{environments}services:\n{services}")
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn platforms_built_entry_by_entry_read_or_say_why_and_what_reads_runs(
            text in platform_file()
        ) {
            match parse_platform(&text) {
                Err(found) => prop_assert!(found.iter().all(|d| d.line >= 1 && !d.message.is_empty())),
                Ok(platform) => {
                    let mut world = World::new(Scenario {
                        platform: Arc::new(platform.clone()),
                        ..Scenario::default()
                    });
                    world.apply(Action::Advance { by: SimDuration::from_minutes(1) });
                    let snapshot = world.snapshot();
                    prop_assert_eq!(snapshot.tools.cluster.environments.len(), platform.environments.len());
                    prop_assert!(snapshot.files.iter().all(|f| f.diagnostics.iter().all(|d| !d.is_error())),
                        "{:?}", snapshot.files.iter().filter(|f| !f.diagnostics.is_empty()).collect::<Vec<_>>());
                }
            }
        }

        #[test]
        fn any_text_reads_or_says_why_with_a_position(text in "\\PC{0,200}") {
            if let Err(found) = parse_platform(&text) {
                prop_assert!(!found.is_empty());
                prop_assert!(found.iter().all(|d| d.line >= 1 && !d.message.is_empty()));
            }
        }

        #[test]
        fn near_valid_files_read_or_say_why_and_what_reads_runs(
            lines in proptest::collection::vec(line(), 0..24)
        ) {
            let text = lines.join("\n");
            match parse_platform(&text) {
                Err(found) => prop_assert!(found.iter().all(|d| d.line >= 1)),
                Ok(platform) => {
                    prop_assert!(!platform.environments.is_empty());
                    let mut world = World::new(Scenario {
                        platform: Arc::new(platform),
                        ..Scenario::default()
                    });
                    world.apply(Action::Advance { by: SimDuration::from_minutes(1) });
                    prop_assert!(world.snapshot().tools.cluster.environments.len() <= MAX_ENVIRONMENTS);
                }
            }
        }

        #[test]
        fn the_standard_file_with_one_line_damaged_never_panics(
            index in 0usize..80,
            replacement in line(),
        ) {
            let mut lines: Vec<String> = STANDARD.lines().map(String::from).collect();
            let index = index % lines.len();
            lines[index] = replacement;
            let text = lines.join("\n");
            let _ = parse_platform(&text);
        }
    }
}
