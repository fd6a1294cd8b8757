//! `opsdojo promql-test [-v] FILE...`: runs Prometheus's PromQL test scripts against the engine
//! and prints, per file and in total, `N passed, M failed, K skipped`. Exits 1 on any failure.

use opsdojo_engine::promql::test_script::{run_script, CaseOutcome, Tally};
use std::process::ExitCode;

pub fn run(args: &[&str]) -> ExitCode {
    let (verbose, files) = match crate::flags::verbose_and_files(args) {
        Ok(read) => read,
        Err(message) => {
            eprintln!("error: {message}\nusage: opsdojo promql-test [-v] FILE...");
            return ExitCode::from(2);
        }
    };
    let mut total = Tally::default();
    let mut unreadable = false;
    for file in &files {
        let text = match std::fs::read_to_string(file) {
            Ok(text) => text,
            Err(error) => {
                eprintln!("{file}: cannot read the file: {error}");
                unreadable = true;
                continue;
            }
        };
        let results = run_script(&text);
        for result in &results {
            match &result.outcome {
                CaseOutcome::Failed(reason) => outln!(
                    "{file}:{}: FAIL {}\n    {reason}",
                    result.line,
                    result.query
                ),
                CaseOutcome::Skipped(reason) if verbose => {
                    outln!("{file}:{}: SKIP {} ({reason})", result.line, result.query)
                }
                _ => {}
            }
        }
        let tally = Tally::of(&results);
        outln!(
            "{file}: {} passed, {} failed, {} skipped",
            tally.passed,
            tally.failed,
            tally.skipped
        );
        total.add(tally);
    }
    outln!(
        "{} passed, {} failed, {} skipped",
        total.passed,
        total.failed,
        total.skipped
    );
    if total.failed == 0 && !unreadable {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
