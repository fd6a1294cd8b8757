//! `opsdojo rules-test [-v] FILE...`: promtool's rule unit tests, with promtool's output.
//!
//! Rule files named in a test file are read relative to that file's directory. The exit status
//! is 0 when every file passes and 1 when any fails, as `promtool test rules` does.

use opsdojo_engine::alerting::unit_test::run_unit_tests;
use std::path::Path;
use std::process::ExitCode;

pub fn run(args: &[&str]) -> ExitCode {
    let (verbose, files) = match crate::flags::verbose_and_files(args) {
        Ok(read) => read,
        Err(message) => {
            eprintln!("error: {message}\nusage: opsdojo rules-test [-v] FILE...");
            return ExitCode::from(2);
        }
    };
    let mut failed = false;
    for file in &files {
        outln!("Unit Testing:  {file}");
        let report = match std::fs::read_to_string(file) {
            Ok(text) => {
                let dir = Path::new(file).parent().unwrap_or(Path::new("."));
                let load = |name: &str| {
                    std::fs::read_to_string(dir.join(name))
                        .map_err(|error| format!("cannot read rule file: {error}"))
                };
                run_unit_tests(&text, &load)
            }
            Err(error) => {
                eprintln!("  FAILED:\n  cannot read {file}: {error}\n");
                failed = true;
                continue;
            }
        };
        if report.passed() {
            outln!("  SUCCESS");
        } else {
            eprintln!("  FAILED:");
            for failure in &report.failures {
                eprintln!("{failure}");
                outln!();
            }
            failed = true;
        }
        if !report.skipped.is_empty() {
            outln!("  ({} skipped)", report.skipped.len());
            if verbose {
                for skipped in &report.skipped {
                    outln!("    skipped {skipped}");
                }
            }
        }
        outln!();
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
