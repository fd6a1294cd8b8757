//! `opsdojo am-route --config FILE label=value...`: the receivers an alert with those labels is
//! routed to, comma-separated in tree order, as `amtool config routes test` prints them.

use opsdojo_engine::alertmanager::{parse_config, receivers_for};
use std::collections::BTreeMap;
use std::process::ExitCode;

const USAGE: &str = "usage: opsdojo am-route --config FILE label=value...";

pub fn run(args: &[&str]) -> ExitCode {
    let mut config_path = None;
    let mut labels = BTreeMap::new();
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        if *arg == "--config" || *arg == "--config.file" {
            config_path = rest.next().copied();
        } else if let Some(path) = arg
            .strip_prefix("--config=")
            .or(arg.strip_prefix("--config.file="))
        {
            config_path = Some(path);
        } else if let Some((name, value)) = arg.split_once('=') {
            labels.insert(name.to_string(), value.trim_matches('"').to_string());
        } else {
            eprintln!("error: `{arg}` is not label=value\n{USAGE}");
            return ExitCode::from(2);
        }
    }
    let Some(path) = config_path else {
        eprintln!("{USAGE}");
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
    outln!("{}", receivers_for(&config, &labels).join(","));
    ExitCode::SUCCESS
}
