use super::*;
use crate::alerting::{Alert, AlertState};
use crate::time::SimTime;
use std::collections::BTreeMap;

const CONFIG: &str = r##"route:
  receiver: default
  group_by: [alertname, env]
  group_wait: 30s
  group_interval: 5m
  repeat_interval: 1h
  routes:
    - matchers: ['env="prod"']
      receiver: prod
      routes:
        - matchers: ['severity="critical"']
          receiver: prod-critical
          continue: true
        - matchers: ['project="users"']
          receiver: team-users
    - matchers: ['env=~"staging|dev"']
      receiver: staging
receivers:
  - name: default
    slack_configs:
      - channel: '#alerts'
  - name: prod
    slack_configs:
      - channel: '#alert-prod'
        send_resolved: true
        title: '{{ .CommonLabels.env }} - {{ .CommonLabels.project }} - {{ range .Alerts.Firing }}{{ .Labels.route }} {{ end }}'
        text: '{{ range .Alerts }}{{ .Annotations.summary }}{{ end }}'
  - name: prod-critical
    slack_configs:
      - channel: '#alert-prod-critical'
  - name: team-users
    slack_configs:
      - channel: '#team-users'
  - name: staging
    slack_configs:
      - channel: '#alert-staging'
inhibit_rules:
  - source_matchers: ['severity="critical"']
    target_matchers: ['severity="warning"']
    equal: [env, route]
"##;

fn config() -> Config {
    let (config, diagnostics) = parse_config(CONFIG);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    config.unwrap()
}

fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn routes_resolve_like_amtool() {
    let config = config();
    let cases = [
        (
            vec![
                ("env", "prod"),
                ("severity", "critical"),
                ("project", "users"),
            ],
            "prod-critical,team-users",
        ),
        (
            vec![("env", "prod"), ("severity", "critical")],
            "prod-critical",
        ),
        (vec![("env", "prod"), ("project", "coupons")], "prod"),
        (vec![("env", "staging")], "staging"),
        (vec![("env", "preview-12")], "default"),
    ];
    for (pairs, expected) in cases {
        assert_eq!(
            receivers_for(&config, &labels(&pairs)).join(","),
            expected,
            "{pairs:?}"
        );
    }
}

#[test]
fn configuration_mistakes_are_reported_at_their_line() {
    let cases = [
        (
            CONFIG.replace("receiver: staging", "receiver: stagin"),
            "undefined receiver `stagin`",
            17,
        ),
        (
            CONFIG.replace("group_wait: 30s", "group_wait: soon"),
            "invalid `group_wait`",
            4,
        ),
        (
            CONFIG.replace("repeat_interval", "repeat_intervall"),
            "unknown key `repeat_intervall`",
            6,
        ),
        (
            CONFIG.replace(r#"'env="prod"'"#, r#"'env="prod'"#),
            "unclosed quote",
            8,
        ),
        (
            CONFIG.replace("  receiver: default\n", ""),
            "the root route needs a `receiver`",
            1,
        ),
    ];
    for (text, expected, line) in cases {
        let (config, diagnostics) = parse_config(&text);
        assert!(config.is_none(), "{expected}");
        let found = diagnostics.iter().find(|d| d.message.contains(expected));
        let Some(found) = found else {
            panic!("no `{expected}` in {diagnostics:?}");
        };
        assert_eq!(found.line, line, "{found:?}");
    }
}

#[test]
fn a_configuration_mistake_is_placed_by_the_parser_not_by_searching_the_text() {
    // Guards positions: a mistake written the same way as a correct line above it is shown
    // where it is, not at the first text that looks like it.
    let at = |text: &str, expected: &str| {
        let (_, diagnostics) = parse_config(text);
        diagnostics
            .iter()
            .find(|d| d.message.contains(expected))
            .map(|d| (d.line, d.column))
            .unwrap_or_else(|| panic!("no `{expected}` in {diagnostics:?}"))
    };
    // The second receiver named `staging` (a search found the first, line 34).
    let twice = format!("{CONFIG}\n").replace(
        "inhibit_rules:",
        "  - name: staging\n    slack_configs:\n      - channel: '#other'\ninhibit_rules:",
    );
    assert_eq!(at(&twice, "receiver `staging` is defined twice"), (37, 5));
    // A child route's `group_interval` written as the root's (a search found the root's for both).
    let child = CONFIG
        .replace("group_wait: 30s", "group_wait: 0s")
        .replace(
            "      receiver: staging\n",
            "      receiver: staging\n      group_interval: 0s\n",
        )
        .replace("group_interval: 5m", "group_interval: 0s");
    let (_, diagnostics) = parse_config(&child);
    let places: Vec<(usize, usize)> = diagnostics
        .iter()
        .filter(|d| d.message.contains("invalid `group_interval`"))
        .map(|d| (d.line, d.column))
        .collect();
    assert_eq!(places, [(5, 19), (18, 23)], "{diagnostics:?}");
    // A bad matcher in the inhibition rules, at its own entry (a search gave `inhibit_rules:`).
    let inhibit = CONFIG.replace(
        r#"target_matchers: ['severity="warning"']"#,
        r#"target_matchers: ['severity="warning']"#,
    );
    assert_eq!(at(&inhibit, "unclosed quote"), (39, 23));
}

fn alert(pairs: &[(&str, &str)], state: AlertState, at_ms: i64) -> Alert {
    let mut labels = labels(pairs);
    labels
        .entry("alertname".into())
        .or_insert("RouteErrors".into());
    Alert {
        labels,
        annotations: labels_with_summary(pairs),
        state,
        value: 1.0,
        active_at_ms: at_ms,
        fired_at_ms: Some(at_ms),
        resolved_at_ms: (state == AlertState::Inactive).then_some(at_ms),
        ..Alert::pending_for_tests()
    }
}

fn labels_with_summary(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    let route = pairs
        .iter()
        .find(|(k, _)| *k == "route")
        .map_or("", |(_, v)| v);
    labels(&[("summary", &format!("5xx on {route}"))])
}

/// Runs the manager second by second from 0 to `until_s`, sending `alerts_at(t)` every 15 s.
fn run(
    manager: &mut Alertmanager,
    until_s: i64,
    alerts_at: impl Fn(i64) -> Vec<Alert>,
) -> Vec<(i64, ChatMessage)> {
    let mut messages = Vec::new();
    for second in (0..=until_s).step_by(15) {
        let now = second * 1000;
        manager.receive(&alerts_at(now), now);
        for message in manager.flush(SimTime(now)) {
            messages.push((second, message));
        }
    }
    messages
}

#[test]
fn group_wait_group_interval_and_repeat_interval() {
    let mut manager = Alertmanager::new("http://opsdojo");
    manager.set_config(Some(config()), 0);
    let get_user = [
        ("env", "prod"),
        ("project", "users-api"),
        ("route", "get_user"),
    ];
    let list_users = [
        ("env", "prod"),
        ("project", "users-api"),
        ("route", "list_users"),
    ];
    let messages = run(&mut manager, 2 * 3600, |now| {
        let mut alerts = vec![alert(&get_user, AlertState::Firing, 0)];
        if now >= 60_000 {
            alerts.push(alert(&list_users, AlertState::Firing, 60_000));
        }
        if now >= 4_000_000 {
            alerts = vec![alert(&get_user, AlertState::Inactive, 4_000_000)];
        }
        alerts
    });
    let prod: Vec<(i64, &ChatMessage)> = messages
        .iter()
        .filter(|(_, m)| m.channel == "#alert-prod")
        .map(|(t, m)| (*t, m))
        .collect();
    let times: Vec<i64> = prod.iter().map(|(t, _)| *t).collect();
    // First after group_wait; the second alert joins at the next group_interval (330 s); an
    // hour later the unchanged group is repeated (3930 s); resolved at the first flush after
    // 4000 s (4230 s).
    assert_eq!(times, vec![30, 330, 3930, 4230]);
    assert_eq!(prod[0].1.title, "prod - users-api - get_user");
    assert_eq!(prod[0].1.text, "5xx on get_user");
    assert_eq!(prod[1].1.title, "prod - users-api - get_user list_users");
    assert_eq!(prod[3].1.status, Status::Resolved);
    assert_eq!(prod[3].1.alerts.len(), 2);
    // The default receiver gets the default title, with no send_resolved.
    let staging_free: Vec<&ChatMessage> = messages
        .iter()
        .filter(|(_, m)| m.channel == "#alerts")
        .map(|(_, m)| m)
        .collect();
    assert!(staging_free.is_empty());
}

#[test]
fn repeat_interval_resends_an_unchanged_group() {
    let mut manager = Alertmanager::new("");
    manager.set_config(Some(config()), 0);
    let staging = [("env", "staging"), ("route", "get_user")];
    let messages = run(&mut manager, 7200, |_| {
        vec![alert(&staging, AlertState::Firing, 0)]
    });
    let times: Vec<i64> = messages.iter().map(|(t, _)| *t).collect();
    // group_wait 30 s, then the first group_interval tick at or after an hour: 30 + 12 × 300.
    assert_eq!(
        times,
        vec![30, 3630, 7230]
            .into_iter()
            .filter(|t| *t <= 7200)
            .collect::<Vec<_>>()
    );
    assert_eq!(
        messages[0].1.title,
        "[FIRING:1] RouteErrors staging (get_user)"
    );
}

#[test]
fn inhibition_and_silences_mute() {
    let mut manager = Alertmanager::new("");
    manager.set_config(Some(config()), 0);
    let critical = [
        ("env", "staging"),
        ("route", "get_user"),
        ("severity", "critical"),
        ("alertname", "Critical"),
    ];
    let warning = [
        ("env", "staging"),
        ("route", "get_user"),
        ("severity", "warning"),
        ("alertname", "Warning"),
    ];
    let messages = run(&mut manager, 60, |_| {
        vec![
            alert(&critical, AlertState::Firing, 0),
            alert(&warning, AlertState::Firing, 0),
        ]
    });
    let titles: Vec<&str> = messages.iter().map(|(_, m)| m.title.as_str()).collect();
    assert_eq!(
        titles,
        vec!["[FIRING:1] Critical staging (get_user critical)"]
    );
    let states: Vec<&str> = manager
        .alerts(60_000)
        .iter()
        .map(|a| a.state.as_str())
        .collect();
    assert_eq!(states, vec!["active", "suppressed (inhibited)"]);

    let (silences, diagnostics) = parse_silences(
        "silences:\n  - matchers: ['env=\"staging\"']\n    starts_at: '1970-01-01T00:00:00Z'\n    ends_at: '1970-01-01T01:00:00Z'\n    comment: load test\n",
    );
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let mut manager = Alertmanager::new("");
    manager.set_config(Some(config()), 0);
    manager.set_silences(silences);
    let messages = run(&mut manager, 3900, |_| {
        vec![alert(&critical, AlertState::Firing, 0)]
    });
    let times: Vec<i64> = messages.iter().map(|(t, _)| *t).collect();
    // Silenced for the first hour; the next flush after it ends sends.
    assert_eq!(times, vec![3630]);
}

#[test]
fn bad_silences_are_reported() {
    for text in [
        "silences:\n  - matchers: []\n    starts_at: '20:00'\n    ends_at: '21:00'\n",
        "silences:\n  - matchers: ['env=prod']\n    starts_at: '22:00'\n    ends_at: '21:00'\n",
        "silences:\n  - matchers: ['env=prod']\n    starts_at: 'tonight'\n    ends_at: '21:00'\n",
        "silences: [",
    ] {
        let (silences, diagnostics) = parse_silences(text);
        assert!(silences.is_empty() && !diagnostics.is_empty(), "{text}");
    }
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_text_is_read_without_panic(text in "\\PC{0,300}") {
            let _ = parse_config(&text);
            let _ = parse_silences(&text);
            let _ = parse_matchers(&text);
        }

        #[test]
        fn any_edit_of_the_config_is_read_without_panic(position in 0usize..1200, insert in "[ :\\-{}\\[\\]'\"a-z=~!#\\n]{0,12}") {
            let mut text = CONFIG.to_string();
            let mut cut = position.min(text.len());
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            text.insert_str(cut, &insert);
            let (config, diagnostics) = parse_config(&text);
            for diagnostic in &diagnostics {
                prop_assert!(diagnostic.line >= 1 && diagnostic.line <= text.lines().count().max(1), "{diagnostic:?}");
            }
            if let Some(config) = config {
                let mut manager = Alertmanager::new("");
                manager.set_config(Some(config), 0);
                manager.receive(&[alert(&[("env", "prod")], AlertState::Firing, 0)], 0);
                let _ = manager.flush(SimTime(60_000));
            }
        }
    }
}

#[test]
fn label_sets_are_read_as_amtool_reads_them() {
    use super::parse_label_set;
    let labels = parse_label_set("severity=critical service=\"my sql\"").unwrap();
    assert_eq!(labels["service"], "my sql");
    assert_eq!(labels["severity"], "critical");
    let braces = parse_label_set("{env=\"prod\", team=web}").unwrap();
    assert_eq!(braces.len(), 2);
    assert_eq!(braces["team"], "web");
    assert!(parse_label_set("env=~prod").is_err());
    assert!(parse_label_set("{env=prod").is_err());
    assert!(parse_label_set("  ").unwrap().is_empty());
}

#[test]
fn the_routing_tree_prints_nested_branches_as_amtool() {
    use super::{parse_config, routing_tree};
    let (config, _) = parse_config(
        "route:\n  receiver: r\n  routes:\n    - matchers: ['a=\"1\"']\n      receiver: x\n      routes:\n        - matchers: ['b=\"2\"']\n          receiver: y\n    - matchers: ['c=\"3\"']\n      receiver: z\nreceivers: [{name: r}, {name: x}, {name: y}, {name: z}]\n",
    );
    let tree = routing_tree(&config.unwrap().route);
    assert_eq!(
        tree,
        ".\n└── default-route  receiver: r\n    ├── {a=\"1\"}  receiver: x\n    │\u{a0}\u{a0} └── {b=\"2\"}  receiver: y\n    └── {c=\"3\"}  receiver: z\n"
    );
}
