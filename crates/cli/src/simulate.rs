//! `opsdojo simulate [--hours N] [--seed S]`: runs the world headless and prints how fast it
//! simulates and how fast PromQL evaluates over what it stored. A benchmark, not a test.

use opsdojo_engine::promql::{instant_query, parse_query};
use opsdojo_engine::time::SimDuration;
use opsdojo_engine::world::{Action, Scenario, World};
use std::process::ExitCode;
use std::time::Instant;

/// Queries a dashboard of the talk would run.
const DASHBOARD_QUERIES: [&str; 4] = [
    r#"histogram_quantile(0.99, sum by (le, route) (rate(http_request_seconds_bucket{env="prod"}[5m])))"#,
    r#"sum by (status) (rate(http_request_seconds_count{env="prod"}[5m]))"#,
    r#"avg by (app) (phpfpm_active_process_percentage{env="prod"})"#,
    r#"sum by (route) (increase(http_request_seconds_count{status=~"5.."}[15m])) > 10"#,
];

pub fn run(args: &[&str]) -> ExitCode {
    let mut hours = 24i64;
    let mut seed = 1u64;
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        let value = iter.next().and_then(|v| v.parse::<u64>().ok());
        match (*arg, value) {
            ("--hours", Some(v)) if (1..=24 * 7).contains(&v) => hours = v as i64,
            ("--seed", Some(v)) => seed = v,
            _ => {
                eprintln!("usage: opsdojo simulate [--hours 1..168] [--seed N]");
                return ExitCode::from(2);
            }
        }
    }
    let mut world = World::new(Scenario {
        seed,
        ..Scenario::default()
    });
    let started = Instant::now();
    for _ in 0..hours * 4 {
        world.apply(Action::Advance {
            by: SimDuration::from_minutes(15),
        });
    }
    let simulate_seconds = started.elapsed().as_secs_f64();
    let simulated_seconds = (hours * 3600) as f64;
    println!("simulated {hours} h of 3 environments in {simulate_seconds:.2} s wall time");
    println!(
        "  {:.0} simulated seconds per second ({:.1} simulated days per second)",
        simulated_seconds / simulate_seconds,
        simulated_seconds / simulate_seconds / 86_400.0
    );
    println!(
        "  store: {} series, {} samples",
        world.store().series_count(),
        world.store().sample_count()
    );
    let queries: Vec<_> = DASHBOARD_QUERIES
        .iter()
        .filter_map(|q| parse_query(q).ok())
        .collect();
    let now = world.now().epoch_ms();
    let rounds = 50;
    let started = Instant::now();
    for round in 0..rounds {
        for query in &queries {
            let _ = instant_query(world.store(), &query.expr, now - round * 15_000);
        }
    }
    let evaluations = (rounds as usize * queries.len()) as f64;
    println!(
        "  promql: {:.0} dashboard query evaluations per second",
        evaluations / started.elapsed().as_secs_f64()
    );
    ExitCode::SUCCESS
}
