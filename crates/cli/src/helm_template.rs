//! `opsdojo helm-template --chart DIR [-f VALUES]...`: renders a chart with the engine's Helm and
//! prints the manifests as `helm template` does.

use opsdojo_engine::helm::{print, render, Release};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;

const USAGE: &str = "usage: opsdojo helm-template [NAME] CHART [-f VALUES]... [--set K=V]... [--set-string K=V]... [-n NS] [--show-only TEMPLATE]...";

struct Options {
    chart: String,
    values: Vec<String>,
    /// `--set` and `--set-string` layers, in order, each as a YAML document.
    sets: Vec<String>,
    namespace: String,
    name: String,
    show_only: Vec<String>,
}

fn options(args: &[&str]) -> Result<Options, String> {
    let mut chart = None;
    let mut positional = Vec::new();
    let mut values = Vec::new();
    let mut sets = Vec::new();
    let mut namespace = "default".to_string();
    let mut name = None;
    let mut show_only = Vec::new();
    crate::flags::each_flag(args, crate::flags::Style::Posix, |flag, value| {
        match flag {
            "--chart" => chart = Some(value()?),
            "-f" | "--values" => values.push(value()?),
            "--set" => sets.push(set_layer(&value()?, false)?),
            "--set-string" => sets.push(set_layer(&value()?, true)?),
            "-n" | "--namespace" => namespace = value()?,
            "--name" | "--name-template" => name = Some(value()?),
            "-s" | "--show-only" => show_only.push(value()?),
            other if !other.starts_with('-') => positional.push(other.to_string()),
            other => return Err(format!("unknown option `{other}`")),
        }
        Ok(())
    })?;
    // `helm template [NAME] [CHART]`: one argument is the chart, two are the name then the chart.
    match (positional.len(), &chart) {
        (0, _) => {}
        (1, None) => chart = positional.pop(),
        (1, Some(_)) => name = name.or(positional.pop()),
        (2, None) => {
            chart = positional.pop();
            name = name.or(positional.pop());
        }
        _ => return Err(format!("unexpected arguments: {}", positional.join(" "))),
    }
    Ok(Options {
        chart: chart.ok_or("a chart is required")?,
        values,
        sets,
        namespace,
        name: name.unwrap_or_else(|| "release-name".to_string()),
        show_only,
    })
}

/// One `--set` (or `--set-string`) argument as a values layer: `a.b=1,c[0]=x` becomes
/// `{a: {b: 1}, c: [x]}`; with `strings`, every value stays a string.
fn set_layer(text: &str, strings: bool) -> Result<String, String> {
    use serde_yaml_ng::{Mapping, Value as Yaml};
    fn place(
        target: &mut Yaml,
        keys: &[(String, Option<usize>)],
        value: Yaml,
    ) -> Result<(), String> {
        let Some(((key, index), rest)) = keys.split_first() else {
            *target = value;
            return Ok(());
        };
        if !target.is_mapping() {
            *target = Yaml::Mapping(Mapping::new());
        }
        let Yaml::Mapping(map) = target else {
            return Err("unreachable".into());
        };
        let slot = map.entry(Yaml::String(key.clone())).or_insert(Yaml::Null);
        match index {
            None => place(slot, rest, value),
            Some(index) => {
                if *index > 1024 {
                    return Err(format!("index {index} of `{key}` is too large"));
                }
                if !slot.is_sequence() {
                    *slot = Yaml::Sequence(Vec::new());
                }
                let Yaml::Sequence(items) = slot else {
                    return Err("unreachable".into());
                };
                if items.len() <= *index {
                    items.resize(index + 1, Yaml::Null);
                }
                place(&mut items[*index], rest, value)
            }
        }
    }
    let mut layer = Yaml::Mapping(Mapping::new());
    for assignment in text.split(',').filter(|a| !a.is_empty()) {
        let (path, raw) = assignment
            .split_once('=')
            .ok_or_else(|| format!("key \"{assignment}\" has no value"))?;
        let mut keys = Vec::new();
        for part in path.split('.') {
            match part.split_once('[') {
                Some((key, index)) => {
                    let index = index
                        .strip_suffix(']')
                        .and_then(|i| i.parse::<usize>().ok())
                        .ok_or_else(|| format!("bad index in `{part}`"))?;
                    keys.push((key.to_string(), Some(index)));
                }
                None => keys.push((part.to_string(), None)),
            }
        }
        let value = if strings {
            Yaml::String(raw.to_string())
        } else {
            match raw {
                "true" => Yaml::Bool(true),
                "false" => Yaml::Bool(false),
                "null" => Yaml::Null,
                // Helm types a `--set` integer as int64, unlike numbers in values files.
                number if number.parse::<i64>().is_ok() => {
                    Yaml::Tagged(Box::new(serde_yaml_ng::value::TaggedValue {
                        tag: serde_yaml_ng::value::Tag::new("int64"),
                        value: Yaml::Number(number.parse::<i64>().unwrap_or(0).into()),
                    }))
                }
                other => Yaml::String(other.to_string()),
            }
        };
        place(&mut layer, &keys, value)?;
    }
    serde_yaml_ng::to_string(&layer).map_err(|error| error.to_string())
}

/// The chart's files by path inside it, as Helm loads a chart directory: every file but those
/// `.helmignore` names and hidden files under `templates/`. Subcharts (`charts/`) are not read.
fn read_chart(dir: &Path) -> Result<BTreeMap<String, String>, String> {
    if !dir.join("Chart.yaml").is_file() {
        return Err(format!(
            "{}: no Chart.yaml here; give the chart's directory",
            dir.display()
        ));
    }
    let ignore = std::fs::read_to_string(dir.join(".helmignore")).unwrap_or_default();
    let rules = IgnoreRules::read(&ignore);
    let mut files = BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        let entries =
            std::fs::read_dir(&folder).map_err(|e| format!("{}: {e}", folder.display()))?;
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(relative) = path.strip_prefix(dir) else {
                continue;
            };
            let relative = relative.to_string_lossy().replace('\\', "/");
            let is_dir = path.is_dir();
            if rules.ignores(&relative, is_dir) {
                continue;
            }
            if is_dir {
                if relative != "charts" {
                    pending.push(path);
                }
            } else if files.len() >= MAX_CHART_FILES {
                return Err(format!(
                    "{}: the chart has more than {MAX_CHART_FILES} files",
                    dir.display()
                ));
            } else {
                let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
                files.insert(relative, String::from_utf8_lossy(&bytes).into_owned());
            }
        }
    }
    Ok(files)
}

/// The most files a chart directory may hold.
const MAX_CHART_FILES: usize = 10_000;

/// `.helmignore`: one pattern per line, `#` comments, a trailing `/` for directories only, a
/// leading `!` to keep what an earlier line ignored. A pattern with a `/` is matched against
/// the path inside the chart, one without against the file's or directory's own name.
struct IgnoreRules {
    rules: Vec<(String, bool, bool)>,
}

impl IgnoreRules {
    fn read(text: &str) -> Self {
        let rules = text
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .map(|line| {
                let (negated, line) = match line.strip_prefix('!') {
                    Some(rest) => (true, rest),
                    None => (false, line),
                };
                let dir_only = line.ends_with('/');
                let pattern = line.trim_end_matches('/').trim_start_matches("./");
                (pattern.to_string(), dir_only, negated)
            })
            .collect();
        IgnoreRules { rules }
    }

    fn ignores(&self, relative: &str, is_dir: bool) -> bool {
        // Hidden files under `templates/` are always left out, as Helm does.
        if !is_dir
            && relative.starts_with("templates/")
            && relative
                .rsplit('/')
                .next()
                .is_some_and(|name| name.starts_with('.'))
        {
            return true;
        }
        let name = relative.rsplit('/').next().unwrap_or(relative);
        let mut ignored = false;
        for (pattern, dir_only, negated) in &self.rules {
            if *dir_only && !is_dir {
                continue;
            }
            let subject = if pattern.contains('/') {
                relative
            } else {
                name
            };
            if opsdojo_engine::helm::glob_matches(pattern, subject) {
                ignored = !negated;
            }
        }
        ignored
    }
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
    let mut values: Vec<(&str, &str)> = values
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    values.extend(options.sets.iter().map(|layer| ("--set", layer.as_str())));
    // Random functions draw from seed 0, so a render is the same on every run; `now` is now.
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_millis() as i64);
    let release = Release {
        name: &options.name,
        namespace: &options.namespace,
        seed: 0,
        now_ms,
    };
    match render(&files, &values, &release) {
        Ok(manifests) => {
            let wanted = |source: &str| {
                options.show_only.is_empty()
                    || options.show_only.iter().any(|only| {
                        source == only || source.split_once('/').is_some_and(|(_, p)| p == only)
                    })
            };
            if let Some(missing) = options.show_only.iter().find(|only| {
                !manifests.iter().any(|m| {
                    m.source == **only
                        || m.source
                            .split_once('/')
                            .is_some_and(|(_, p)| p == only.as_str())
                })
            }) {
                eprintln!("Error: could not find template {missing} in chart");
                return ExitCode::FAILURE;
            }
            let shown: Vec<_> = manifests
                .into_iter()
                .filter(|manifest| wanted(&manifest.source))
                .collect();
            out!("{}", print(&shown));
            ExitCode::SUCCESS
        }
        Err(errors) => {
            for error in errors {
                let name = error.file.clone().unwrap_or_default();
                let file = if options.values.contains(&name) {
                    name
                } else {
                    format!("{}/{name}", options.chart.trim_end_matches('/'))
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
