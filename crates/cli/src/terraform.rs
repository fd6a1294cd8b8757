//! `opsdojo plan --dir DIR --var-file FILE [--state FILE]` and
//! `opsdojo apply --dir DIR --var-file FILE --state FILE`: the engine's Terraform on the
//! command line, printing what `terraform plan` and `terraform apply` print.

use opsdojo_engine::terraform::{apply_files, plan_files, Action, Files, State};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "usage: opsdojo plan --dir DIR --var-file FILE... [--state FILE]
       opsdojo apply --dir DIR --var-file FILE... --state FILE";

struct Options {
    dir: PathBuf,
    var_files: Vec<String>,
    state: Option<PathBuf>,
}

fn options(args: &[&str]) -> Result<Options, String> {
    let mut dir = None;
    let mut var_files = Vec::new();
    let mut state = None;
    crate::flags::each_flag(args, crate::flags::Style::Go, |flag, value| {
        match flag {
            "--dir" | "--chdir" => dir = Some(PathBuf::from(value()?)),
            "--var-file" => var_files.push(value()?),
            "--state" => state = Some(PathBuf::from(value()?)),
            other => return Err(format!("unknown option `{other}`")),
        }
        Ok(())
    })?;
    Ok(Options {
        dir: dir.ok_or("`--dir` is required")?,
        var_files,
        state,
    })
}

/// The `.tf` files of `dir` and every `.tfvars` below it, by relative path; the variable
/// files given outside `dir` are added under their own path.
fn read_files(options: &Options) -> Result<(Files, Vec<String>), String> {
    let mut files = Files::new();
    collect(&options.dir, &options.dir, &mut files)?;
    let mut var_files = Vec::new();
    for given in &options.var_files {
        let path = Path::new(given);
        let relative = path
            .strip_prefix(&options.dir)
            .ok()
            .or_else(|| Some(path).filter(|p| options.dir.join(p).is_file()))
            .map(|p| p.to_string_lossy().replace('\\', "/"));
        match relative.filter(|r| files.contains_key(r)) {
            Some(relative) => var_files.push(relative),
            None => {
                let text = std::fs::read_to_string(path)
                    .map_err(|error| format!("cannot read {given}: {error}"))?;
                files.insert(given.clone(), text);
                var_files.push(given.clone());
            }
        }
    }
    Ok((files, var_files))
}

fn collect(root: &Path, dir: &Path, files: &mut Files) -> Result<(), String> {
    let entries = std::fs::read_dir(dir)
        .map_err(|error| format!("cannot read {}: {error}", dir.display()))?;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if !path
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
            {
                collect(root, &path, files)?;
            }
            continue;
        }
        let name = path.to_string_lossy();
        if name.ends_with(".tf") || name.ends_with(".tfvars") {
            let relative = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            let text = std::fs::read_to_string(&path)
                .map_err(|error| format!("cannot read {}: {error}", path.display()))?;
            files.insert(relative, text);
        }
    }
    Ok(())
}

fn read_state(path: Option<&Path>) -> Result<State, String> {
    match path {
        Some(path) if path.exists() => {
            let text = std::fs::read_to_string(path)
                .map_err(|error| format!("cannot read {}: {error}", path.display()))?;
            State::from_json(&text).map_err(|why| format!("{}: {why}", path.display()))
        }
        _ => Ok(State::empty()),
    }
}

fn prepare(args: &[&str]) -> Result<(Options, Files, Vec<String>, State), ExitCode> {
    let options = options(args).map_err(|why| {
        eprintln!("error: {why}\n{USAGE}");
        ExitCode::from(2)
    })?;
    let (files, var_files) = read_files(&options).map_err(|why| {
        eprintln!("error: {why}");
        ExitCode::FAILURE
    })?;
    let state = read_state(options.state.as_deref()).map_err(|why| {
        eprintln!("error: {why}");
        ExitCode::FAILURE
    })?;
    Ok((options, files, var_files, state))
}

pub fn plan(args: &[&str]) -> ExitCode {
    let (_, files, var_files, state) = match prepare(args) {
        Ok(prepared) => prepared,
        Err(code) => return code,
    };
    let var_files: Vec<&str> = var_files.iter().map(String::as_str).collect();
    let outcome = plan_files(&files, &var_files, &state);
    out!("{}", outcome.text());
    if outcome.has_errors() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

pub fn apply(args: &[&str]) -> ExitCode {
    let (options, files, var_files, state) = match prepare(args) {
        Ok(prepared) => prepared,
        Err(code) => return code,
    };
    let Some(state_path) = options.state.clone() else {
        eprintln!("error: `--state` is required for apply\n{USAGE}");
        return ExitCode::from(2);
    };
    let var_files: Vec<&str> = var_files.iter().map(String::as_str).collect();
    let outcome = plan_files(&files, &var_files, &state);
    out!("{}", outcome.text());
    let sensitive = outcome.sensitive_outputs();
    let Some(plan) = outcome
        .plan
        .filter(|_| !outcome.diagnostics.iter().any(|d| d.is_error()))
    else {
        return ExitCode::FAILURE;
    };
    let next = match apply_files(&files, &var_files, &state) {
        Ok(next) => next,
        Err(outcome) => {
            out!("{}", outcome.text());
            return ExitCode::FAILURE;
        }
    };
    for change in plan.changes.iter().filter(|c| c.action != Action::NoOp) {
        let id = next
            .resources
            .get(&change.address)
            .and_then(|r| r.attributes.get("id"))
            .and_then(|id| id.as_str().map(str::to_string));
        let (doing, done) = match change.action {
            Action::Create => ("Creating...", "Creation complete"),
            Action::Update => ("Modifying...", "Modifications complete"),
            Action::Delete => ("Destroying...", "Destruction complete"),
            _ => ("Replacing...", "Replacement complete"),
        };
        let before_id = change
            .before
            .as_ref()
            .and_then(|b| b.get("id"))
            .and_then(|id| id.as_str().map(str::to_string));
        match &before_id {
            Some(id) if change.action != Action::Create => {
                outln!("{}: {doing} [id={id}]", change.address)
            }
            _ => outln!("{}: {doing}", change.address),
        }
        match id.or(before_id) {
            Some(id) => outln!("{}: {done} after 0s [id={id}]", change.address),
            None => outln!("{}: {done} after 0s", change.address),
        }
    }
    if let Err(error) = std::fs::write(&state_path, next.to_json()) {
        eprintln!("error: cannot write {}: {error}", state_path.display());
        return ExitCode::FAILURE;
    }
    let (add, change, destroy) = plan.counts();
    outln!("\nApply complete! Resources: {add} added, {change} changed, {destroy} destroyed.");
    let outputs = opsdojo_engine::terraform::outputs_text(&next, &sensitive);
    if !outputs.is_empty() {
        out!("\n{outputs}");
    }
    ExitCode::SUCCESS
}
