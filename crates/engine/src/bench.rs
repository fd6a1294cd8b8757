//! The benchmark the command line and the browser both run: a simulated day of the whole
//! platform with alerting rules every 15 s and Alertmanager, then PromQL and rule evaluation
//! speed over what it stored. The engine reads no clock: the caller passes one.

use crate::alerting::{parse_rule_file, RuleEngine};
use crate::promql::{instant_query, parse_query};
use crate::time::SimDuration;
use crate::world::alerting::{ALERTMANAGER_PATH, RULES_PATH};
use crate::world::{
    values_file_path, Action, Burst, Crash, Fault, Scenario, ScheduledEvent, World,
};
use serde::Serialize;

/// Rules of the benchmark: recording rules for every route, the 5xx alert, php-fpm saturation.
pub const RULES: &str = r#"groups:
  - name: recording
    rules:
      - record: route:http_requests:rate5m
        expr: sum by (env, project, route) (rate(http_request_seconds_count[5m]))
      - record: route:http_errors:rate5m
        expr: sum by (env, project, route) (rate(http_request_seconds_count{status=~"5.."}[5m]))
      - record: route:http_request_seconds:p99
        expr: histogram_quantile(0.99, sum by (env, project, route, le) (rate(http_request_seconds_bucket[5m])))
  - name: alerts
    rules:
      - alert: Route5xx
        expr: route:http_errors:rate5m / route:http_requests:rate5m > 0.05
        for: 5m
        labels:
          severity: '{{ if eq $labels.env "prod" }}critical{{ else }}warning{{ end }}'
        annotations:
          summary: "{{ $labels.route }} answers {{ $value | humanizePercentage }} with a 5xx"
      - alert: SlowRoute
        expr: route:http_request_seconds:p99 > 2
        for: 10m
        labels:
          severity: warning
      - alert: PhpFpmSaturated
        expr: avg by (env, app) (phpfpm_active_process_percentage) > 90
        for: 5m
        labels:
          severity: warning
"#;

const ALERTMANAGER: &str = r#"route:
  receiver: alerts
  group_by: [alertname, env, route]
  routes:
    - matchers: ['env="prod"', 'severity="critical"']
      receiver: alert-prod
    - matchers: ['env="staging"']
      receiver: alert-staging
receivers:
  - name: alerts
    slack_configs:
      - channel: '#alerts'
  - name: alert-prod
    slack_configs:
      - channel: '#alert-prod'
        send_resolved: true
  - name: alert-staging
    slack_configs:
      - channel: '#alert-staging'
inhibit_rules:
  - source_matchers: ['severity="critical"']
    target_matchers: ['severity="warning"']
    equal: [env, route]
"#;

/// Queries a dashboard of the talk would run.
pub const DASHBOARD_QUERIES: [&str; 4] = [
    r#"histogram_quantile(0.99, sum by (le, route) (rate(http_request_seconds_bucket{env="prod"}[5m])))"#,
    r#"sum by (status) (rate(http_request_seconds_count{env="prod"}[5m]))"#,
    r#"avg by (app) (phpfpm_active_process_percentage{env="prod"})"#,
    r#"sum by (route) (increase(http_request_seconds_count{status=~"5.."}[15m])) > 10"#,
];

/// What the benchmark measured.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BenchReport {
    pub hours: i64,
    pub wall_seconds: f64,
    pub simulated_seconds_per_second: f64,
    pub series: usize,
    pub samples: usize,
    pub rules: usize,
    pub rule_evaluations_per_second: f64,
    pub promql_evaluations_per_second: f64,
    pub messages: usize,
    /// Times an autoscaler changed a replica count.
    pub rescales: usize,
    /// The most users pods prod ran at once.
    pub peak_users_pods: usize,
    /// Rollouts started (restarts and undos).
    pub rollouts: usize,
    /// php-fpm restarts over all pods.
    pub restarts: usize,
    /// Checkpoints of the day's world: keeping an hour of series, then the whole day.
    pub checkpoints: [CheckpointCost; 2],
}

/// What one checkpoint of a world costs: its text, the time to write it and to read it back.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize)]
pub struct CheckpointCost {
    pub history_hours: i64,
    pub bytes: usize,
    /// Writing it from nothing.
    pub write_ms: f64,
    /// Writing it after [`World::prepare_checkpoint`], as the page does while its clock plays.
    pub prepared_write_ms: f64,
    /// `None` when the world refuses it (over the checkpoint size limit).
    pub read_ms: Option<f64>,
}

/// Writes and reads back a checkpoint of `world` keeping `history` of series, a few times.
fn checkpoint_cost(
    world: &World,
    history: SimDuration,
    now_ms: &dyn Fn() -> f64,
) -> CheckpointCost {
    let rounds = 3;
    let mut write_ms = 0.0;
    let mut prepared_write_ms = 0.0;
    let mut text = String::new();
    for _ in 0..rounds {
        // A copy starts with nothing written ahead.
        let copy = world.clone();
        let started = now_ms();
        text = copy.checkpoint(history);
        write_ms += now_ms() - started;
        copy.prepare_checkpoint(history);
        let started = now_ms();
        let prepared = copy.checkpoint(history);
        prepared_write_ms += now_ms() - started;
        debug_assert_eq!(
            prepared, text,
            "writing ahead does not change the checkpoint"
        );
    }
    let write_ms = write_ms / f64::from(rounds);
    let prepared_write_ms = prepared_write_ms / f64::from(rounds);
    let started = now_ms();
    let mut read = true;
    for _ in 0..rounds {
        read &= World::from_checkpoint(world.scenario().clone(), &text, world.actions()).is_ok();
    }
    CheckpointCost {
        history_hours: history.0 / 3_600_000,
        bytes: text.len(),
        write_ms,
        prepared_write_ms,
        read_ms: read.then(|| (now_ms() - started) / f64::from(rounds)),
    }
}

/// Prod's values in the benchmark: every service autoscaled between 3 and 12 pods.
const PROD_VALUES: &str = "autoscaling:
  users: {minReplicas: 3, maxReplicas: 12, targetActiveProcessPercentage: 60}
  stores: {minReplicas: 3, maxReplicas: 12, targetActiveProcessPercentage: 60}
  coupons: {minReplicas: 3, maxReplicas: 12, targetActiveProcessPercentage: 60}
  external-signin: {minReplicas: 3, maxReplicas: 12, targetActiveProcessPercentage: 60}
";

/// Rollouts the benchmark runs, as hours after the start and a kubectl command in prod.
const ROLLOUTS: [(i64, &str); 3] = [
    (6, "rollout restart deploy/coupons"),
    (10, "rollout restart deploy/users"),
    (14, "rollout undo deploy/users"),
];

/// A day (or `hours`) of the platform with the benchmark's rules, faults and routes.
pub fn scenario(seed: u64) -> Scenario {
    let fault = |at_hours: i64, env: &str, service: &str, route: &str| ScheduledEvent {
        drift: None,
        at: SimDuration::from_minutes(at_hours * 60),
        note: format!("{env}: a bad release of {service}"),
        fault: Some(Fault {
            env: env.into(),
            service: service.into(),
            route: Some(route.into()),
            status: "500",
            share: 0.2,
            lasts: Some(SimDuration::from_minutes(45)),
            every: Some(SimDuration::from_minutes(6 * 60)),
        }),
        burst: None,
        release: None,
        crash: None,
    };
    // The scenario starts at 08:00: the TV show at 20:30, php-fpm crashing at 13:00.
    let show = tv_show(SimDuration::from_minutes(12 * 60 + 30));
    let crash = coupons_crash(SimDuration::from_minutes(5 * 60));
    Scenario {
        seed,
        files: [
            (RULES_PATH.to_string(), RULES.to_string()),
            (ALERTMANAGER_PATH.to_string(), ALERTMANAGER.to_string()),
            (values_file_path("prod"), PROD_VALUES.to_string()),
        ]
        .into(),
        events: vec![
            fault(1, "staging", "users", "get_user"),
            fault(3, "prod", "coupons", "apply_coupon"),
            crash,
            show,
        ],
        ..Scenario::default()
    }
}

/// A TV show at `at`: three times the users traffic in prod for an hour.
pub(crate) fn tv_show(at: SimDuration) -> ScheduledEvent {
    ScheduledEvent {
        drift: None,
        at,
        note: "prod: prime-time TV show".into(),
        fault: None,
        burst: Some(Burst {
            env: "prod".into(),
            service: Some("users".into()),
            factor: 3.0,
            lasts: Some(SimDuration::from_minutes(60)),
            every: None,
        }),
        release: None,
        crash: None,
    }
}

/// php-fpm starting to crash at `at` in a prod coupons pod.
pub(crate) fn coupons_crash(at: SimDuration) -> ScheduledEvent {
    ScheduledEvent {
        drift: None,
        at,
        note: "prod: php-fpm crashes in a coupons pod".into(),
        fault: None,
        burst: None,
        release: None,
        crash: Some(Crash {
            env: "prod".into(),
            service: "coupons".into(),
        }),
    }
}

/// Runs the benchmark; `now_ms` is the caller's monotonic clock in milliseconds.
pub fn run(hours: i64, seed: u64, now_ms: &dyn Fn() -> f64) -> BenchReport {
    let hours = hours.clamp(1, 24 * 7);
    let mut world = World::new(scenario(seed));
    let started = now_ms();
    let mut peak_users_pods = 0;
    let mut rollouts = 0;
    // The world keeps its latest Kubernetes events only: count them as they come.
    let mut counts: std::collections::BTreeMap<&'static str, usize> = Default::default();
    let mut seen_until = world.now();
    for quarter in 0..hours * 4 {
        for (hour, command) in ROLLOUTS {
            if quarter == hour * 4 {
                rollouts +=
                    usize::from(crate::kube::kubectl::change_of(&world, command, "prod").is_some());
                world.apply(Action::Kubectl {
                    namespace: "prod".into(),
                    command: command.into(),
                });
            }
        }
        world.apply(Action::Advance {
            by: SimDuration::from_minutes(15),
        });
        peak_users_pods = peak_users_pods.max(world.environments()[2].deployments[0].pods.len());
        for event in world.kube_events().iter().filter(|e| e.at > seen_until) {
            *counts.entry(event.reason).or_default() += 1;
        }
        seen_until = world.now();
    }
    let wall_seconds = ((now_ms() - started) / 1000.0).max(1e-9);
    let count = |reason: &str| counts.get(reason).copied().unwrap_or(0);

    let queries: Vec<_> = DASHBOARD_QUERIES
        .iter()
        .filter_map(|q| parse_query(q).ok())
        .collect();
    let now = world.now().epoch_ms();
    let rounds = 50;
    let started = now_ms();
    for round in 0..rounds {
        for query in &queries {
            let _ = instant_query(world.store(), &query.expr, now - round * 15_000);
        }
    }
    let promql_seconds = ((now_ms() - started) / 1000.0).max(1e-9);

    // Rule evaluation speed: every rule, over the day's store, at the last 40 intervals.
    let (file, _) = parse_rule_file(RULES);
    let rules: usize = file.groups.iter().map(|g| g.rules.len()).sum();
    let mut engine = RuleEngine::new(file);
    let mut store = world.store().clone();
    let evaluations = 40;
    let started = now_ms();
    for step in (0..evaluations).rev() {
        let _ = engine.evaluate_all(&mut store, now - step * 15_000);
    }
    let rule_seconds = ((now_ms() - started) / 1000.0).max(1e-9);

    let checkpoints = [
        checkpoint_cost(&world, SimDuration::from_minutes(60), now_ms),
        checkpoint_cost(&world, SimDuration::from_minutes(60 * hours), now_ms),
    ];

    BenchReport {
        hours,
        wall_seconds,
        simulated_seconds_per_second: (hours * 3600) as f64 / wall_seconds,
        series: world.store().series_count(),
        samples: world.store().sample_count(),
        rules,
        rule_evaluations_per_second: (rules as i64 * evaluations) as f64 / rule_seconds,
        promql_evaluations_per_second: (rounds as usize * queries.len()) as f64 / promql_seconds,
        messages: world.monitoring().messages().len(),
        rescales: count("SuccessfulRescale"),
        peak_users_pods,
        rollouts,
        restarts: count("BackOff"),
        checkpoints,
    }
}

impl std::fmt::Display for BenchReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "simulated {} h of 3 environments, {} rules every 15 s and Alertmanager in {:.2} s wall time",
            self.hours, self.rules, self.wall_seconds
        )?;
        writeln!(
            f,
            "  {:.0} simulated seconds per second ({:.2} simulated days per second)",
            self.simulated_seconds_per_second,
            self.simulated_seconds_per_second / 86_400.0
        )?;
        writeln!(
            f,
            "  store: {} series, {} samples",
            self.series, self.samples
        )?;
        writeln!(f, "  chat messages sent: {}", self.messages)?;
        writeln!(
            f,
            "  kubernetes: {} autoscaler rescales (prod users peaked at {} pods), {} rollouts, {} php-fpm restarts",
            self.rescales, self.peak_users_pods, self.rollouts, self.restarts
        )?;
        writeln!(
            f,
            "  rules: {:.0} rule evaluations per second",
            self.rule_evaluations_per_second
        )?;
        writeln!(
            f,
            "  promql: {:.0} dashboard query evaluations per second",
            self.promql_evaluations_per_second
        )?;
        let lines: Vec<String> = self
            .checkpoints
            .iter()
            .map(|c| {
                let read = match c.read_ms {
                    Some(ms) => format!("read back in {ms:.1} ms"),
                    None => format!(
                        "refused when read back (over the {} MB limit)",
                        crate::limits::CHECKPOINT_MAX_BYTES / (1024 * 1024)
                    ),
                };
                format!(
                    "  checkpoint keeping {} h of series: {:.2} MB written in {:.1} ms \
                     ({:.1} ms with its series written ahead), {read}",
                    c.history_hours,
                    c.bytes as f64 / 1e6,
                    c.write_ms,
                    c.prepared_write_ms,
                )
            })
            .collect();
        write!(f, "{}", lines.join("\n"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_benchmark_fires_alerts_and_reports_its_counts() {
        let clock = std::cell::Cell::new(0.0);
        let tick = || {
            clock.set(clock.get() + 1.0);
            clock.get()
        };
        // Guards the benchmark's scenario: the crash, the TV show and two rollouts happen.
        let report = run(14, 1, &tick);
        assert_eq!(report.rules, 6);
        assert!(report.rescales >= 4, "{report:?}");
        assert!(report.peak_users_pods > 5, "{report:?}");
        assert_eq!(report.rollouts, 2);
        assert!(report.restarts >= 3, "{report:?}");
        assert!(report.series >= 200, "{}", report.series);
        assert!(report.messages >= 1, "the staging fault pages: {report:?}");
        assert!(report.wall_seconds > 0.0 && report.promql_evaluations_per_second > 0.0);
        let [hour, day] = report.checkpoints;
        assert_eq!((hour.history_hours, day.history_hours), (1, 14));
        assert!(hour.bytes > 10_000 && day.bytes > hour.bytes, "{report:?}");
        assert!(
            hour.read_ms.is_some(),
            "an hour's checkpoint reads back: {report:?}"
        );
    }
}

/// How long planning a configuration of `resources` resources takes.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanBenchReport {
    pub resources: usize,
    pub rounds: usize,
    /// Mean milliseconds to evaluate and plan against an empty state, rendering included.
    pub create_ms: f64,
    /// Mean milliseconds to plan against the applied state (no changes left).
    pub no_change_ms: f64,
    /// Lines of the creation plan's text.
    pub plan_lines: usize,
    /// Mean milliseconds from an edit of a world's `prod.tfvars` to the three environments'
    /// plans, costs and diagnostics (what each keystroke costs in the editor).
    pub keystroke_ms: f64,
    /// Mean milliseconds from an edit of a world's `deploy/values-prod.yaml` to the chart
    /// rendered for the three environments, read and checked (each keystroke in a chart file).
    pub chart_ms: f64,
}

/// The world's Terraform project grown to about `resources` resources with `for_each`
/// (S3 buckets and DynamoDB tables that refer to them), planned `rounds` times from scratch
/// and against its applied state.
pub fn plan_bench(resources: usize, rounds: usize, now_ms: &dyn Fn() -> f64) -> PlanBenchReport {
    use crate::terraform::{apply_files, plan_anew, project, State};
    let mut files = project::files();
    let shards = resources.saturating_sub(8) / 2;
    let names: Vec<String> = (0..shards).map(|i| format!("\"shard-{i:03}\"")).collect();
    files.insert(
        "shards.tf".into(),
        format!(
            "resource \"aws_s3_bucket\" \"shard\" {{\n  for_each = toset([{}])\n  bucket   = \"opsdojo-${{each.key}}-${{var.env}}\"\n  tags     = local.tags\n}}\n\nresource \"aws_dynamodb_table\" \"shard\" {{\n  for_each     = aws_s3_bucket.shard\n  name         = \"${{each.key}}-${{var.env}}\"\n  billing_mode = \"PAY_PER_REQUEST\"\n  hash_key     = \"id\"\n  tags         = each.value.tags\n\n  attribute {{\n    name = \"id\"\n    type = \"S\"\n  }}\n}}\n",
            names.join(", ")
        ),
    );
    let var_files = ["vars/prod.tfvars"];
    let rounds = rounds.max(1);
    let started = now_ms();
    let mut plan_lines = 0;
    let mut planned = 0;
    for _ in 0..rounds {
        let outcome = plan_anew(&files, &var_files, &State::empty());
        plan_lines = outcome.text().lines().count();
        planned = outcome.plan.map_or(0, |p| p.changes.len());
    }
    let create_ms = (now_ms() - started) / rounds as f64;
    let state = apply_files(&files, &var_files, &State::empty()).unwrap_or_default();
    let started = now_ms();
    for _ in 0..rounds {
        let _ = plan_anew(&files, &var_files, &state).text();
    }
    let no_change_ms = (now_ms() - started) / rounds as f64;
    let mut world = World::new(Scenario::default());
    let path = "terraform/vars/prod.tfvars";
    let text = world
        .file(path)
        .map(|f| f.content.clone())
        .unwrap_or_default();
    let started = now_ms();
    for round in 0..rounds {
        world.apply(Action::EditFile {
            path: path.into(),
            content: format!("{text}# edit {round}\n"),
        });
    }
    let keystroke_ms = (now_ms() - started) / rounds as f64;
    let path = crate::world::values_file_path("prod");
    let text = world
        .file(&path)
        .map(|f| f.content.clone())
        .unwrap_or_default();
    let started = now_ms();
    for round in 0..rounds {
        world.apply(Action::EditFile {
            path: path.clone(),
            content: format!("{text}# edit {round}\n"),
        });
    }
    let chart_ms = (now_ms() - started) / rounds as f64;
    PlanBenchReport {
        chart_ms,
        resources: planned,
        rounds,
        create_ms,
        no_change_ms,
        plan_lines,
        keystroke_ms,
    }
}

impl std::fmt::Display for PlanBenchReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "planned {} resources ({} rounds): {:.1} ms from an empty state ({} lines of plan), {:.1} ms with nothing to change\n\
             edit of prod.tfvars to three plans, costs and diagnostics in a world: {:.1} ms\n\
             edit of values-prod.yaml to the chart rendered and read for three environments: {:.1} ms",
            self.resources,
            self.rounds,
            self.create_ms,
            self.plan_lines,
            self.no_change_ms,
            self.keystroke_ms,
            self.chart_ms
        )
    }
}

#[cfg(test)]
mod plan_tests {
    #[test]
    fn the_plan_benchmark_plans_a_hundred_resources() {
        let report = super::plan_bench(100, 1, &|| 0.0);
        assert_eq!(report.resources, 100);
        assert!(report.plan_lines > 2000, "{report:?}");
    }
}
