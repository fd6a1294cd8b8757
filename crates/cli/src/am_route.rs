//! `opsdojo am-route`: Alertmanager's routing tree and the routes an alert takes, printed as
//! `amtool config routes` prints them.
//!
//! - `--show`: the whole tree (`amtool config routes show`);
//! - `label=value...`: the receivers, comma-separated in tree order (`amtool config routes test`);
//! - `--tree label=value...`: the matching routes first (`... test --tree`);
//! - `--verify-receivers R1,R2 label=value...`: exits 1 with amtool's warning when the
//!   receivers differ (`... test --verify.receivers`).

use opsdojo_engine::alertmanager::{
    matching_tree, parse_config, parse_matchers, receivers_for, routing_tree, MatchType,
};
use std::collections::BTreeMap;
use std::process::ExitCode;

const USAGE: &str = "usage: opsdojo am-route --config FILE [--show | [--tree] [--verify-receivers R1,R2] label=value...]";

#[derive(Default)]
struct Options {
    config: Option<String>,
    show: bool,
    tree: bool,
    verify: Option<String>,
    labels: BTreeMap<String, String>,
}

fn options(args: &[&str]) -> Result<Options, String> {
    let mut options = Options::default();
    crate::flags::each_flag(args, crate::flags::Style::Posix, |flag, value| {
        match flag {
            "--config" | "--config.file" => options.config = Some(value()?),
            "--show" | "show" => options.show = true,
            "--tree" => options.tree = true,
            "--verify-receivers" | "--verify.receivers" => options.verify = Some(value()?),
            "test" => {}
            label if !label.starts_with('-') => {
                // amtool reads each argument as a matcher and accepts only `name=value`.
                let matchers = parse_matchers(label)
                    .map_err(|error| format!("Failed to parse labels: {error}"))?;
                for matcher in matchers {
                    if matcher.kind != MatchType::Equal {
                        return Err("Labels must be specified as key=value pairs".to_string());
                    }
                    options.labels.insert(matcher.name, matcher.value);
                }
            }
            other => return Err(format!("unknown option `{other}`")),
        }
        Ok(())
    })?;
    Ok(options)
}

pub fn run(args: &[&str]) -> ExitCode {
    let options = match options(args) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("error: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let Some(path) = options.config.as_deref() else {
        eprintln!("error: `--config` is required\n{USAGE}");
        return ExitCode::from(2);
    };
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) => {
            eprintln!("error: cannot read {path}: {error}");
            return ExitCode::FAILURE;
        }
    };
    let (config, diagnostics) = parse_config(&text);
    for diagnostic in &diagnostics {
        eprintln!("{path}:{diagnostic}");
    }
    let Some(config) = config else {
        return ExitCode::FAILURE;
    };
    if options.show {
        outln!("Routing tree:\n{}", routing_tree(&config.route));
        return ExitCode::SUCCESS;
    }
    if options.tree {
        outln!(
            "Matching routes:\n{}\n",
            matching_tree(&config.route, &options.labels)
        );
    }
    let receivers = receivers_for(&config, &options.labels).join(",");
    outln!("{receivers}");
    if options
        .verify
        .as_deref()
        .is_some_and(|expected| !expected.is_empty() && expected != receivers)
    {
        outln!("WARNING: Expected receivers did not match resolved receivers.");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
