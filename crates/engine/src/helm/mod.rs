//! Helm charts: values with Helm's precedence, Go templates with Helm's functions, manifests.
//!
//! A chart is a set of files by path inside the chart: `Chart.yaml`, `values.yaml` and
//! `templates/*`. Templates whose name starts with `_` hold named templates (`define`) for the
//! others and render nothing themselves. [`render`] merges `values.yaml` with each extra values
//! file in order (later files win, maps merge key by key, `null` removes a key), runs every
//! template through `gotmpl` with `.Values`, `.Chart`, `.Release`, `.Capabilities` and
//! `.Template`, splits the output into YAML documents and orders them as `helm install` does.
//! Every mistake comes back as a [`Diagnostic`] naming the file and, when it can be known, the
//! line.

mod files;
mod functions;
mod seeded;
mod sprig;
mod sprig_more;
#[cfg(test)]
mod tests;
mod toml;

use crate::diagnostic::Diagnostic;
pub use files::glob_matches;
use gotmpl::{Template, Value};
use serde_yaml_ng::Value as Yaml;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The platform's chart, by path inside the chart; the world puts it under `deploy/`.
pub const PLATFORM_CHART: [(&str, &str); 6] = [
    ("Chart.yaml", include_str!("../../chart/Chart.yaml")),
    ("values.yaml", include_str!("../../chart/values.yaml")),
    (
        "templates/_helpers.tpl",
        include_str!("../../chart/templates/_helpers.tpl"),
    ),
    (
        "templates/deployment.yaml",
        include_str!("../../chart/templates/deployment.yaml"),
    ),
    (
        "templates/hpa.yaml",
        include_str!("../../chart/templates/hpa.yaml"),
    ),
    (
        "templates/service.yaml",
        include_str!("../../chart/templates/service.yaml"),
    ),
];

/// Where a chart's manifests go, as `helm template --namespace` and `--name-template` give it,
/// and what makes its run repeatable: the seed random functions draw from and the time `now`
/// gives (see `seeded.rs`).
#[derive(Debug, Clone)]
pub struct Release<'a> {
    pub name: &'a str,
    pub namespace: &'a str,
    pub seed: u64,
    /// Milliseconds since 1970.
    pub now_ms: i64,
}

/// One rendered Kubernetes object: the template it came from and its YAML text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    /// `<chart>/templates/<file>`, as Helm's `# Source:` comment names it.
    pub source: String,
    pub kind: String,
    pub name: String,
    pub content: String,
    /// The parsed document.
    pub document: Yaml,
}

/// A mistake in a chart, as a [`Diagnostic`] whose file is the chart file it is in (its path
/// inside the chart) and whose line is 0 when the template engine does not know.
fn chart_error(file: &str, line: usize, column: usize, message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(line, column, message).in_file(file)
}

/// The largest text one template may produce.
const MAX_OUTPUT: usize = 256 * 1024;

/// The order in which Helm installs kinds; others come after, in template order.
const INSTALL_ORDER: [&str; 16] = [
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "ConfigMap",
    "PersistentVolumeClaim",
    "Role",
    "RoleBinding",
    "Service",
    "Pod",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
];

/// Renders a chart: `files` by path inside the chart, `values` the extra values files in the
/// order `-f` gives them (name for messages, text).
pub fn render(
    files: &BTreeMap<String, String>,
    values: &[(&str, &str)],
    release: &Release<'_>,
) -> Result<Vec<Manifest>, Vec<Diagnostic>> {
    let chart = read_chart_yaml(files).map_err(|error| vec![error])?;
    let chart_name = chart
        .get("name")
        .and_then(Yaml::as_str)
        .unwrap_or("chart")
        .to_string();
    let mut merged = match files.get("values.yaml") {
        Some(text) => read_values("values.yaml", text).map_err(|error| vec![error])?,
        None => Yaml::Mapping(Default::default()),
    };
    for (name, text) in values {
        let layer = read_values(name, text).map_err(|error| vec![error])?;
        merge_values(&mut merged, layer);
    }
    let chart_files: Arc<BTreeMap<String, String>> = Arc::new(
        files
            .iter()
            .filter(|(path, _)| files::is_chart_file(path))
            .map(|(path, text)| (path.clone(), text.clone()))
            .collect(),
    );
    // `.Files` methods become functions before anything is parsed (see `files.rs`).
    let rewritten: Vec<(String, String)> = files
        .iter()
        .filter(|(path, _)| path.starts_with("templates/"))
        .map(|(path, text)| (path.clone(), files::rewrite(text).into_owned()))
        .collect();
    let templates: Vec<(&String, &String)> = rewritten.iter().map(|(p, t)| (p, t)).collect();
    let helpers: Vec<(&String, &String)> = templates
        .iter()
        .copied()
        .filter(|(path, _)| is_helper(path))
        .collect();
    // Every other template can be included by its path, as Helm names them:
    // `include (print $.Template.BasePath "/configmap.yaml") .`.
    let by_path: Vec<(String, String)> = templates
        .iter()
        .filter(|(path, text)| !is_helper(path) && !text.contains("define"))
        .map(|(path, text)| {
            (
                path.to_string(),
                format!("{{{{define \"{chart_name}/{path}\"}}}}{text}{{{{end}}}}"),
            )
        })
        // A file that does not parse says so once, in its own render.
        .filter(|(path, text)| Template::new(path).parse(text).is_ok())
        .collect();
    let helpers: Vec<(&String, &String)> = helpers
        .into_iter()
        .chain(by_path.iter().map(|(path, text)| (path, text)))
        .collect();
    let mut manifests = Vec::new();
    let mut errors = Vec::new();
    for (path, text) in &templates {
        if is_helper(path) || !(path.ends_with(".yaml") || path.ends_with(".yml")) {
            continue;
        }
        let source = format!("{chart_name}/{path}");
        let data = template_data(&merged, &chart, release, &source, &chart_name, &chart_files);
        // Each template draws from its own seed, so editing one leaves the others' values alone.
        let seed = release.seed ^ fnv1a(path.as_bytes());
        match render_one(
            path,
            text,
            &helpers,
            &data,
            &chart_files,
            seed,
            release.now_ms,
        ) {
            Ok(output) => match split_manifests(&source, &output) {
                Ok(found) => manifests.extend(found),
                Err(error) => errors.push(error.in_file(path.as_str())),
            },
            Err(error) => errors.push(error),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    // Hooks (`helm.sh/hook`, such as `helm create`'s test Pod) come after the release's own
    // manifests, each group in install order.
    manifests.sort_by_key(|manifest| {
        let order = INSTALL_ORDER
            .iter()
            .position(|kind| *kind == manifest.kind)
            .unwrap_or(INSTALL_ORDER.len());
        (is_hook(manifest), order)
    });
    Ok(manifests)
}

/// The manifests as `helm template` prints them.
pub fn print(manifests: &[Manifest]) -> String {
    let mut out = String::new();
    for manifest in manifests {
        out.push_str("---\n# Source: ");
        out.push_str(&manifest.source);
        out.push('\n');
        // Helm trims each document of surrounding whitespace, a template's leading newline too.
        out.push_str(manifest.content.trim());
        out.push('\n');
    }
    out
}

/// FNV-1a, the same on every platform.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn is_hook(manifest: &Manifest) -> bool {
    manifest
        .document
        .get("metadata")
        .and_then(|metadata| metadata.get("annotations"))
        .and_then(|annotations| annotations.get("helm.sh/hook"))
        .is_some()
}

fn is_helper(path: &str) -> bool {
    path.rsplit('/')
        .next()
        .is_some_and(|name| name.starts_with('_'))
}

fn read_chart_yaml(files: &BTreeMap<String, String>) -> Result<serde_yaml_ng::Mapping, Diagnostic> {
    let Some(text) = files.get("Chart.yaml") else {
        return Err(chart_error(
            "Chart.yaml",
            0,
            0,
            "the chart has no Chart.yaml: it needs at least `apiVersion`, `name` and `version`",
        ));
    };
    let document: Yaml =
        crate::yaml::from_str(text).map_err(|error| yaml_error("Chart.yaml", &error))?;
    let Yaml::Mapping(mapping) = document else {
        return Err(chart_error(
            "Chart.yaml",
            1,
            1,
            "Chart.yaml must be a mapping",
        ));
    };
    for key in ["apiVersion", "name", "version"] {
        if mapping.get(key).is_none_or(Yaml::is_null) {
            return Err(chart_error(
                "Chart.yaml",
                1,
                1,
                format!("validation: chart.metadata.{key} is required"),
            ));
        }
    }
    Ok(mapping)
}

fn yaml_error(file: &str, error: &serde_yaml_ng::Error) -> Diagnostic {
    Diagnostic::from_yaml_error(error).in_file(file)
}

/// Reads a values file: a mapping, or nothing.
pub fn read_values(file: &str, text: &str) -> Result<Yaml, Diagnostic> {
    match crate::yaml::from_str::<Yaml>(text) {
        Ok(Yaml::Null) => Ok(Yaml::Mapping(Default::default())),
        Ok(value @ Yaml::Mapping(_)) => Ok(value),
        Ok(_) => Err(chart_error(
            file,
            1,
            1,
            "a values file must be a mapping of keys to values",
        )),
        Err(error) => Err(yaml_error(file, &error)),
    }
}

/// Puts `layer` over `base` as Helm does with `-f`: maps merge key by key, anything else is
/// replaced, and a `null` removes the key.
pub fn merge_values(base: &mut Yaml, layer: Yaml) {
    match (base, layer) {
        (Yaml::Mapping(base), Yaml::Mapping(layer)) => {
            for (key, value) in layer {
                if value.is_null() {
                    base.remove(&key);
                } else if let Some(existing) = base.get_mut(&key) {
                    merge_values(existing, value);
                } else {
                    base.insert(key, value);
                }
            }
        }
        (base, layer) => *base = layer,
    }
}

/// What a template sees as `.`.
fn template_data(
    values: &Yaml,
    chart: &serde_yaml_ng::Mapping,
    release: &Release<'_>,
    source: &str,
    chart_name: &str,
    chart_files: &BTreeMap<String, String>,
) -> Value {
    let mut chart_fields = BTreeMap::new();
    for (key, value) in chart {
        if let Some(key) = key.as_str() {
            // Helm exposes Chart.yaml's fields with their first letter in upper case.
            let mut name: String = key.chars().take(1).flat_map(char::to_uppercase).collect();
            name.push_str(&key[key.chars().next().map_or(0, char::len_utf8)..]);
            chart_fields.insert(Arc::from(name.as_str()), functions::from_yaml(value));
        }
    }
    let release = map([
        ("Name", string(release.name)),
        ("Namespace", string(release.namespace)),
        ("Service", string("Helm")),
        ("Revision", Value::Int(1)),
        ("IsInstall", Value::Bool(true)),
        ("IsUpgrade", Value::Bool(false)),
    ]);
    let capabilities = map([(
        "KubeVersion",
        map([
            ("Version", string("v1.31.0")),
            ("GitVersion", string("v1.31.0")),
            ("Major", string("1")),
            ("Minor", string("31")),
        ]),
    )]);
    map([
        ("Values", functions::from_yaml(values)),
        ("Chart", Value::Map(Arc::new(chart_fields))),
        ("Release", release),
        ("Capabilities", capabilities),
        ("Files", files::files_value(chart_files)),
        (
            "Template",
            map([
                ("Name", string(source)),
                ("BasePath", string(&format!("{chart_name}/templates"))),
            ]),
        ),
    ])
}

fn string(text: &str) -> Value {
    Value::String(Arc::from(text))
}

fn map<const N: usize>(entries: [(&str, Value); N]) -> Value {
    Value::Map(Arc::new(
        entries
            .into_iter()
            .map(|(key, value)| (Arc::from(key), value))
            .collect(),
    ))
}

/// Parses the helpers then `text`, and runs `text` over `data`.
fn render_one(
    path: &str,
    text: &str,
    helpers: &[(&String, &String)],
    data: &Value,
    chart_files: &Arc<BTreeMap<String, String>>,
    seed: u64,
    now_ms: i64,
) -> Result<String, Diagnostic> {
    let set = match parsed_before(path, text, helpers, chart_files) {
        Some(set) => {
            set.reset(seed, now_ms);
            set
        }
        None => {
            let set = functions::TemplateSet::new(Arc::clone(chart_files), seed, now_ms);
            let mut template = functions::with_helm_functions(Template::new(path), &set);
            for (helper, helper_text) in helpers {
                template = template
                    .parse(helper_text)
                    .map_err(|error| parse_error(helper, helper_text, &error))?;
            }
            let template = template
                .parse(text)
                .map_err(|error| parse_error(path, text, &error))?;
            crate::gotemplate::check_recursion(&template)
                .map_err(|message| chart_error(path, 1, 1, message))?;
            set.install(
                template,
                helpers.iter().map(|(_, text)| text.to_string()).collect(),
            );
            keep_parsed(path, text, helpers, chart_files, &set);
            set
        }
    };
    let output = set.execute(data).map_err(|message| {
        let (file, line, column) = functions::locate(&message, path, text, helpers);
        chart_error(&file, line, column, message)
    })?;
    if output.len() > MAX_OUTPUT {
        return Err(chart_error(
            path,
            0,
            0,
            format!("the template produced more than {} KiB", MAX_OUTPUT / 1024),
        ));
    }
    // Helm prints a missing value as nothing rather than Go's `<no value>`.
    Ok(output.replace("<no value>", ""))
}

/// A template parsed with its helpers for an earlier render, and what it was parsed from:
/// each environment renders the same chart, and an edit of a values file renders it again.
struct Parsed {
    path: String,
    text: String,
    helpers: Vec<(String, String)>,
    files: Arc<BTreeMap<String, String>>,
    set: functions::TemplateSet,
}

/// Parsed templates kept at most (the newest), and the largest text of helpers and template
/// kept.
const PARSED_KEPT: usize = 16;
const PARSED_MAX_BYTES: usize = 256 * 1024;

thread_local! {
    static PARSED: std::cell::RefCell<Vec<Parsed>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The template set parsed before from exactly these texts and chart files, if it is kept.
fn parsed_before(
    path: &str,
    text: &str,
    helpers: &[(&String, &String)],
    files: &Arc<BTreeMap<String, String>>,
) -> Option<functions::TemplateSet> {
    PARSED.with(|parsed| {
        let parsed = parsed.borrow();
        let found = parsed.iter().find(|kept| {
            kept.path == path
                && kept.text == text
                && kept.helpers.len() == helpers.len()
                && (kept.helpers.iter())
                    .zip(helpers)
                    .all(|((path, text), (p, t))| path == *p && text == *t)
                && (Arc::ptr_eq(&kept.files, files) || kept.files == *files)
        });
        found.map(|kept| kept.set.clone())
    })
}

fn keep_parsed(
    path: &str,
    text: &str,
    helpers: &[(&String, &String)],
    files: &Arc<BTreeMap<String, String>>,
    set: &functions::TemplateSet,
) {
    let size = text.len() + helpers.iter().map(|(_, t)| t.len()).sum::<usize>();
    if size > PARSED_MAX_BYTES {
        return;
    }
    PARSED.with(|parsed| {
        let mut parsed = parsed.borrow_mut();
        if parsed.len() >= PARSED_KEPT {
            parsed.remove(0);
        }
        parsed.push(Parsed {
            path: path.to_string(),
            text: text.to_string(),
            helpers: (helpers.iter())
                .map(|(p, t)| (p.to_string(), t.to_string()))
                .collect(),
            files: Arc::clone(files),
            set: set.clone(),
        });
    });
}

fn parse_error(path: &str, text: &str, error: &gotmpl::TemplateError) -> Diagnostic {
    match error {
        gotmpl::TemplateError::Parse {
            line, col, message, ..
        }
        | gotmpl::TemplateError::Lex {
            line, col, message, ..
        } => match unclosed_action(text, *line) {
            // The parser stops where the runaway action stops making sense; the mistake is
            // the `{{` left open above it.
            Some((open_line, open_column)) if open_line < *line => chart_error(
                path,
                open_line,
                open_column,
                format!("parse error: unclosed action: this `{{{{` has no `}}}}` ({message})"),
            ),
            _ => chart_error(path, *line, *col, format!("parse error: {message}")),
        },
        other => chart_error(path, 0, 0, other.to_string()),
    }
}

/// The line and column of the last `{{` before the end of line `line` left open on its own
/// line, when the action goes on to another line (charts keep an action on one line).
fn unclosed_action(text: &str, line: usize) -> Option<(usize, usize)> {
    let mut found = None;
    for (index, content) in text.lines().enumerate().take(line) {
        let mut rest = content;
        let mut offset = 0;
        while let Some(start) = rest.find("{{") {
            let after = &rest[start + 2..];
            match after.find("}}") {
                Some(end) => {
                    offset += start + 2 + end + 2;
                    rest = &after[end + 2..];
                }
                None => {
                    // A comment may span lines; anything else is taken as left open.
                    if !after.trim_start_matches('-').trim_start().starts_with("/*") {
                        found = Some((index + 1, offset + start + 1));
                    }
                    break;
                }
            }
        }
    }
    found
}

/// Splits a template's output into its YAML documents, skipping empty ones.
fn split_manifests(source: &str, output: &str) -> Result<Vec<Manifest>, Diagnostic> {
    let mut documents = vec![String::new()];
    let mut starts = vec![1usize];
    for (index, line) in output.lines().enumerate() {
        if line.trim_end() == "---" || line.starts_with("--- ") {
            documents.push(String::new());
            starts.push(index + 2);
            continue;
        }
        if let Some(last) = documents.last_mut() {
            last.push_str(line);
            last.push('\n');
        }
    }
    let mut manifests = Vec::new();
    for (content, start) in documents.into_iter().zip(starts) {
        let meaningful = content
            .lines()
            .any(|line| !line.trim().is_empty() && !line.trim_start().starts_with('#'));
        if !meaningful {
            continue;
        }
        let document: Yaml = crate::yaml::from_str(&content).map_err(|error| {
            let inner = yaml_error(source, &error);
            chart_error(
                source,
                0,
                0,
                format!(
                    "YAML parse error on {source}: line {} of the rendered output: {}",
                    inner.line + start - 1,
                    inner.message
                ),
            )
        })?;
        let kind = document
            .get("kind")
            .and_then(Yaml::as_str)
            .unwrap_or_default()
            .to_string();
        let name = document
            .get("metadata")
            .and_then(|metadata| metadata.get("name"))
            .and_then(Yaml::as_str)
            .unwrap_or_default()
            .to_string();
        if kind.is_empty() || document.get("apiVersion").is_none() {
            return Err(chart_error(
                source,
                0,
                0,
                format!("a rendered document of {source} has no `apiVersion` or `kind`"),
            ));
        }
        manifests.push(Manifest {
            source: source.to_string(),
            kind,
            name,
            content,
            document,
        });
    }
    Ok(manifests)
}
