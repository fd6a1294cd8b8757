//! `opsdojo helm-template --chart DIR [-f VALUES]...`: renders a chart with the engine's Helm and
//! prints the manifests as `helm template` does.

use opsdojo_engine::helm::{print, render, Release};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;

const USAGE: &str =
    "usage: opsdojo helm-template --chart DIR [-f VALUES]... [--namespace NS] [--name RELEASE]";

struct Options {
    chart: String,
    values: Vec<String>,
    namespace: String,
    name: String,
}

fn options(args: &[&str]) -> Result<Options, String> {
    let mut chart = None;
    let mut values = Vec::new();
    let mut namespace = "default".to_string();
    let mut name = "release-name".to_string();
    crate::flags::each_flag(args, |flag, value| {
        match flag {
            "--chart" => chart = Some(value()?),
            "-f" | "--values" => values.push(value()?),
            "-n" | "--namespace" => namespace = value()?,
            "--name" | "--name-template" => name = value()?,
            other if !other.starts_with('-') && chart.is_none() => chart = Some(other.to_string()),
            other => return Err(format!("unknown option `{other}`")),
        }
        Ok(())
    })?;
    Ok(Options {
        chart: chart.ok_or("`--chart` is required")?,
        values,
        namespace,
        name,
    })
}

/// The chart's files by path inside it: `Chart.yaml`, `values.yaml` and what is under `templates/`.
fn read_chart(dir: &Path) -> Result<BTreeMap<String, String>, String> {
    let mut files = BTreeMap::new();
    for name in ["Chart.yaml", "values.yaml"] {
        let path = dir.join(name);
        if path.is_file() {
            files.insert(name.to_string(), read(&path)?);
        }
    }
    let templates = dir.join("templates");
    let mut pending = vec![templates.clone()];
    while let Some(folder) = pending.pop() {
        let entries =
            std::fs::read_dir(&folder).map_err(|e| format!("{}: {e}", folder.display()))?;
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if let Ok(relative) = path.strip_prefix(dir) {
                files.insert(relative.to_string_lossy().replace('\\', "/"), read(&path)?);
            }
        }
    }
    Ok(files)
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

pub fn run(args: &[&str]) -> ExitCode {
    let options = match options(args) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("error: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let loaded = read_chart(Path::new(&options.chart)).and_then(|files| {
        let values = options
            .values
            .iter()
            .map(|path| read(Path::new(path)).map(|text| (path.clone(), text)))
            .collect::<Result<Vec<_>, _>>()?;
        Ok((files, values))
    });
    let (files, values) = match loaded {
        Ok(loaded) => loaded,
        Err(message) => {
            eprintln!("Error: {message}");
            return ExitCode::FAILURE;
        }
    };
    let values: Vec<(&str, &str)> = values
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let release = Release {
        name: &options.name,
        namespace: &options.namespace,
    };
    match render(&files, &values, &release) {
        Ok(manifests) => {
            out!("{}", print(&manifests));
            ExitCode::SUCCESS
        }
        Err(errors) => {
            for error in errors {
                let in_chart = options.values.contains(&error.file);
                let file = if in_chart {
                    error.file.clone()
                } else {
                    format!("{}/{}", options.chart.trim_end_matches('/'), error.file)
                };
                match error.line {
                    0 => eprintln!("Error: {file}: {}", error.message),
                    line => eprintln!("Error: {file}:{line}:{}: {}", error.column, error.message),
                }
            }
            ExitCode::FAILURE
        }
    }
}
