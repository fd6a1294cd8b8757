//! `opsdojo simulate [--hours N] [--seed S]`: runs the benchmark world headless (the platform,
//! alerting rules every 15 s, Alertmanager) and prints how fast it simulates, evaluates rules
//! and PromQL, and the process's peak memory. A benchmark, not a test.

use opsdojo_engine::bench;
use std::process::ExitCode;
use std::time::Instant;

pub fn run(args: &[&str]) -> ExitCode {
    let mut hours = 24i64;
    let mut seed = 1u64;
    let read = crate::flags::each_flag(args, crate::flags::Style::Posix, |flag, value| {
        let number = |text: String| {
            text.parse::<u64>()
                .map_err(|_| format!("`{flag}` takes a whole number, not `{text}`"))
        };
        match flag {
            "--hours" => match number(value()?)? {
                v @ 1..=168 => hours = v as i64,
                v => return Err(format!("`--hours` is between 1 and 168, not {v}")),
            },
            "--seed" => seed = number(value()?)?,
            other => return Err(format!("unknown option `{other}`")),
        }
        Ok(())
    });
    if let Err(message) = read {
        eprintln!("error: {message}\nusage: opsdojo simulate [--hours 1..168] [--seed N]");
        return ExitCode::from(2);
    }
    let origin = Instant::now();
    let clock = || origin.elapsed().as_secs_f64() * 1000.0;
    let report = bench::run(hours, seed, &clock);
    outln!("{report}");
    outln!(
        "{}",
        bench::plan_bench(100, 20, &clock).to_string().trim_end()
    );
    if let Some(peak) = peak_memory_kib() {
        outln!("  peak memory (VmHWM): {:.1} MiB", peak as f64 / 1024.0);
    }
    ExitCode::SUCCESS
}

/// The process's peak resident memory, from Linux's `/proc/self/status`.
fn peak_memory_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}
