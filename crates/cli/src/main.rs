//! `opsdojo`: the engine on the command line.
//!
//! `opsdojo lessons check [DIR]` validates every lesson pack under DIR (default `lessons`) and
//! reports each problem as `file:line:column: error: message` with a hint.
//! `opsdojo promql-test FILE...` runs Prometheus's PromQL test scripts against the engine.
//! `opsdojo rules-test FILE...` runs promtool's rule unit tests.
//! `opsdojo am-route --config FILE label=value...` prints the receivers an alert routes to.
//! `opsdojo helm-template --chart DIR -f VALUES` prints a chart's manifests as `helm template`.
//! `opsdojo plan` and `opsdojo apply` run a Terraform configuration against a state file.

/// `println!` that ends the program quietly when stdout is closed (`opsdojo ... | head`)
/// instead of panicking.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if writeln!(std::io::stdout(), $($arg)*).is_err() {
            std::process::exit(0);
        }
    }};
}

/// `print!` with the same care as [`outln!`].
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if write!(std::io::stdout(), $($arg)*).is_err() {
            std::process::exit(0);
        }
    }};
}

mod am_route;
mod flags;
mod helm_template;
mod lessons_check;
mod promql_test;
mod rules_test;
mod simulate;
mod terraform;

use std::process::ExitCode;

const USAGE: &str = "usage: opsdojo <command>

commands:
  lessons check [DIR]   validate the lesson packs under DIR (default: lessons)
  promql-test [-v] FILE...
                        run PromQL test scripts; -v lists skipped cases with reasons
  am-route --config FILE label=value...
                        print the receivers an alert goes to, as amtool config routes test
  rules-test [-v] FILE...
                        run promtool rule unit tests; exit 1 when one fails
  plan --dir DIR --var-file FILE [--state FILE]
                        print the Terraform plan of a configuration, as terraform plan
  apply --dir DIR --var-file FILE --state FILE
                        apply it to a state file (created if absent), as terraform apply
  helm-template --chart DIR [-f VALUES]... [--namespace NS] [--name RELEASE]
                        render a Helm chart and print its manifests, as helm template
  simulate [--hours N] [--seed S]
                        run the world headless and print simulation and query speed
  help                  show this message";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["lessons", "check"] => lessons_check::run("lessons"),
        ["lessons", "check", dir] => lessons_check::run(dir),
        ["promql-test", rest @ ..] => promql_test::run(rest),
        ["am-route", rest @ ..] => am_route::run(rest),
        ["rules-test", rest @ ..] => rules_test::run(rest),
        ["simulate", rest @ ..] => simulate::run(rest),
        ["helm-template", rest @ ..] => helm_template::run(rest),
        ["plan", rest @ ..] => terraform::plan(rest),
        ["apply", rest @ ..] => terraform::apply(rest),
        ["help" | "--help" | "-h"] => {
            outln!("{USAGE}");
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("error: unknown command `{}`\n\n{USAGE}", args.join(" "));
            ExitCode::from(2)
        }
    }
}
