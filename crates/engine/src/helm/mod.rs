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
    let templates: Vec<(String, String)> = files
        .iter()
        .filter(|(path, _)| path.starts_with("templates/"))
        .map(|(path, text)| (path.clone(), files::rewrite(text).into_owned()))
        .collect();
    let set = chart_templates(&chart_name, &templates, &chart_files)?;
    let data = TemplateData::new(&merged, &chart, release, &chart_name, &chart_files);
    let mut manifests = Vec::new();
    let mut errors = Vec::new();
    for (path, text) in &templates {
        if is_helper(path) || !(path.ends_with(".yaml") || path.ends_with(".yml")) {
            continue;
        }
        let source = format!("{chart_name}/{path}");
        let data = data.of(&source);
        // Each template draws from its own seed, so editing one leaves the others' values alone.
        set.reset(release.seed ^ fnv1a(path.as_bytes()), release.now_ms);
        let output = set.execute(&source, &data).map_err(|message| {
            let others: Vec<(&String, &String)> = (templates.iter())
                .filter(|(other, _)| other != path)
                .map(|(path, text)| (path, text))
                .collect();
            let (file, line, column) = functions::locate(&message, path, text, &others);
            chart_error(&file, line, column, message)
        });
        let found = output.and_then(|output| {
            // Helm prints a missing value as nothing rather than Go's `<no value>`.
            split_manifests(&source, &output.replace("<no value>", ""))
                .map_err(|error| error.in_file(path.as_str()))
        });
        match found {
            Ok(found) => manifests.extend(found),
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

/// The Kubernetes version `helm template` assumes without a cluster (helm 3.17's).
const KUBE_VERSION: &str = "v1.32.0";

/// The API versions `helm template` assumes without a cluster (helm 3.17's, in its order):
/// `.Capabilities.APIVersions`, and what `.Capabilities.APIVersions.Has` finds.
pub(super) const API_VERSIONS: [&str; 56] = [
    "v1",
    "admissionregistration.k8s.io/v1",
    "admissionregistration.k8s.io/v1alpha1",
    "admissionregistration.k8s.io/v1beta1",
    "internal.apiserver.k8s.io/v1alpha1",
    "apps/v1",
    "apps/v1beta1",
    "apps/v1beta2",
    "authentication.k8s.io/v1",
    "authentication.k8s.io/v1alpha1",
    "authentication.k8s.io/v1beta1",
    "authorization.k8s.io/v1",
    "authorization.k8s.io/v1beta1",
    "autoscaling/v1",
    "autoscaling/v2",
    "autoscaling/v2beta1",
    "autoscaling/v2beta2",
    "batch/v1",
    "batch/v1beta1",
    "certificates.k8s.io/v1",
    "certificates.k8s.io/v1beta1",
    "certificates.k8s.io/v1alpha1",
    "coordination.k8s.io/v1alpha2",
    "coordination.k8s.io/v1beta1",
    "coordination.k8s.io/v1",
    "discovery.k8s.io/v1",
    "discovery.k8s.io/v1beta1",
    "events.k8s.io/v1",
    "events.k8s.io/v1beta1",
    "extensions/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1",
    "flowcontrol.apiserver.k8s.io/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1beta2",
    "flowcontrol.apiserver.k8s.io/v1beta3",
    "networking.k8s.io/v1",
    "networking.k8s.io/v1alpha1",
    "networking.k8s.io/v1beta1",
    "node.k8s.io/v1",
    "node.k8s.io/v1alpha1",
    "node.k8s.io/v1beta1",
    "policy/v1",
    "policy/v1beta1",
    "rbac.authorization.k8s.io/v1",
    "rbac.authorization.k8s.io/v1beta1",
    "rbac.authorization.k8s.io/v1alpha1",
    "resource.k8s.io/v1beta1",
    "resource.k8s.io/v1alpha3",
    "scheduling.k8s.io/v1alpha1",
    "scheduling.k8s.io/v1beta1",
    "scheduling.k8s.io/v1",
    "storage.k8s.io/v1beta1",
    "storage.k8s.io/v1",
    "storage.k8s.io/v1alpha1",
    "storagemigration.k8s.io/v1alpha1",
    "apiextensions.k8s.io/v1beta1",
    "apiextensions.k8s.io/v1",
];

/// `.Capabilities`, the same for every template: built once.
fn capabilities() -> Value {
    static CAPABILITIES: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    CAPABILITIES
        .get_or_init(|| {
            map([
                (
                    "KubeVersion",
                    map([
                        ("Version", string(KUBE_VERSION)),
                        ("Major", string("1")),
                        ("Minor", string("32")),
                    ]),
                ),
                (
                    "APIVersions",
                    Value::List(API_VERSIONS.iter().map(|version| string(version)).collect()),
                ),
                (
                    "HelmVersion",
                    map([
                        ("Version", string("v3.17.1")),
                        ("GitCommit", string("")),
                        ("GitTreeState", string("clean")),
                        ("GoVersion", string("go1.23.5")),
                    ]),
                ),
            ])
        })
        .clone()
}

/// What the templates of one render see as `.`, built once for all of them: only
/// `.Template` differs from one template to the next.
struct TemplateData {
    /// Every field but `Template`, by name.
    fields: BTreeMap<Arc<str>, Value>,
    base_path: Value,
}

impl TemplateData {
    fn new(
        values: &Yaml,
        chart: &serde_yaml_ng::Mapping,
        release: &Release<'_>,
        chart_name: &str,
        chart_files: &BTreeMap<String, String>,
    ) -> Self {
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
        let fields = [
            ("Values", functions::from_yaml(values)),
            ("Chart", Value::Map(Arc::new(chart_fields))),
            ("Release", release),
            ("Capabilities", capabilities()),
            ("Files", files::files_value(chart_files)),
        ];
        TemplateData {
            fields: fields
                .into_iter()
                .map(|(name, value)| (Arc::from(name), value))
                .collect(),
            base_path: string(&format!("{chart_name}/templates")),
        }
    }

    /// What the template `source` sees as `.`.
    fn of(&self, source: &str) -> Value {
        let mut fields = self.fields.clone();
        fields.insert(
            Arc::from("Template"),
            map([
                ("Name", string(source)),
                ("BasePath", self.base_path.clone()),
            ]),
        );
        Value::Map(Arc::new(fields))
    }
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

/// The chart's templates parsed into one set, as Helm parses them: each file's text is a template
/// named `<chart>/templates/<file>` (which `include` can run, for a checksum), beside every
/// `define` of every file, the helpers' first so that a template's own definition wins. A
/// file that does not parse is a mistake in that file, and nothing renders.
fn chart_templates(
    chart_name: &str,
    templates: &[(String, String)],
    chart_files: &Arc<BTreeMap<String, String>>,
) -> Result<functions::TemplateSet, Vec<Diagnostic>> {
    if let Some(set) = kept_set(chart_name, templates, chart_files) {
        return Ok(set);
    }
    let ordered = (templates.iter().filter(|(path, _)| is_helper(path)))
        .chain(templates.iter().filter(|(path, _)| !is_helper(path)));
    let mut parsed = Vec::new();
    let mut errors = Vec::new();
    for (path, text) in ordered {
        match parse_file(&format!("{chart_name}/{path}"), path, text) {
            Ok(trees) => parsed.push((path, trees)),
            Err(error) => errors.push(error),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let trees: Vec<_> = (parsed.iter())
        .flat_map(|(_, trees)| trees.iter().cloned())
        .collect();
    let set = functions::TemplateSet::new(Arc::clone(chart_files), 0, 0);
    let template = functions::with_trees(
        functions::with_helm_functions(Template::new(chart_name), &set),
        &trees,
    );
    crate::gotemplate::check_recursion(&template).map_err(|message| {
        // The last file to define the template the message names.
        let named = message.split('"').nth(1).unwrap_or_default();
        let file = (parsed.iter().rev())
            .find(|(_, trees)| trees.iter().any(|(name, _)| name == named))
            .map_or("templates", |(path, _)| path.as_str());
        vec![chart_error(file, 1, 1, message)]
    })?;
    set.install(template, Arc::new(trees));
    keep_set(chart_name, templates, chart_files, &set);
    Ok(set)
}

/// One template file parsed: its named templates, its own text among them under `name`.
fn parse_file(
    name: &str,
    path: &str,
    text: &str,
) -> Result<Arc<Vec<(String, gotmpl::parse::ListNode)>>, Diagnostic> {
    let found = PARSED_FILES.with(|kept| {
        (kept.borrow().iter())
            .find(|file| file.name == name && file.text == text)
            .map(|file| file.trees.clone())
    });
    if let Some(trees) = found {
        return trees;
    }
    let trees = Template::new(name)
        .parse(text)
        .map(|template| {
            Arc::new(
                (template.templates().into_iter())
                    .filter_map(|other| Some((other.to_string(), template.lookup(other)?.clone())))
                    .collect(),
            )
        })
        .map_err(|error| parse_error(path, text, &error));
    if text.len() <= PARSED_MAX_BYTES {
        PARSED_FILES.with(|kept| {
            keep_newest(
                &mut kept.borrow_mut(),
                PARSED_FILES_KEPT,
                ParsedFile {
                    name: name.to_string(),
                    text: text.to_string(),
                    trees: trees.clone(),
                },
            );
        });
    }
    trees
}

/// A template file parsed for an earlier render: a chart renders for each environment, and an
/// edit of one file leaves the others as they were.
struct ParsedFile {
    name: String,
    text: String,
    trees: Result<Arc<Vec<(String, gotmpl::parse::ListNode)>>, Diagnostic>,
}

/// A chart's templates as one set, kept from an earlier render with what it was made from.
struct KeptSet {
    chart_name: String,
    templates: Vec<(String, String)>,
    files: Arc<BTreeMap<String, String>>,
    set: functions::TemplateSet,
}

/// Parsed files and chart sets kept at most (the newest), and the largest text kept.
const PARSED_FILES_KEPT: usize = 64;
const SETS_KEPT: usize = 4;
const PARSED_MAX_BYTES: usize = 256 * 1024;

thread_local! {
    static PARSED_FILES: std::cell::RefCell<Vec<ParsedFile>> = const { std::cell::RefCell::new(Vec::new()) };
    static SETS: std::cell::RefCell<Vec<KeptSet>> = const { std::cell::RefCell::new(Vec::new()) };
}

fn kept_set(
    chart_name: &str,
    templates: &[(String, String)],
    files: &Arc<BTreeMap<String, String>>,
) -> Option<functions::TemplateSet> {
    SETS.with(|sets| {
        (sets.borrow().iter())
            .find(|kept| {
                kept.chart_name == chart_name
                    && kept.templates == templates
                    && (Arc::ptr_eq(&kept.files, files) || kept.files == *files)
            })
            .map(|kept| kept.set.clone())
    })
}

fn keep_set(
    chart_name: &str,
    templates: &[(String, String)],
    files: &Arc<BTreeMap<String, String>>,
    set: &functions::TemplateSet,
) {
    let size: usize = templates.iter().map(|(_, text)| text.len()).sum();
    if size > PARSED_MAX_BYTES {
        return;
    }
    SETS.with(|sets| {
        keep_newest(
            &mut sets.borrow_mut(),
            SETS_KEPT,
            KeptSet {
                chart_name: chart_name.to_string(),
                templates: templates.to_vec(),
                files: Arc::clone(files),
                set: set.clone(),
            },
        );
    });
}

/// Adds `item` to `kept`, dropping the oldest when `most` are kept already.
fn keep_newest<T>(kept: &mut Vec<T>, most: usize, item: T) {
    if kept.len() >= most {
        kept.remove(0);
    }
    kept.push(item);
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

/// A rendered document read as YAML. The documents read lately are kept: an edit of one
/// environment's values leaves the other environments' documents, and most of its own, as
/// they were.
fn read_document(content: &str) -> Result<Yaml, serde_yaml_ng::Error> {
    let hash = fnv1a(content.as_bytes());
    let found = DOCUMENTS.with(|kept| {
        (kept.borrow().iter())
            .find(|(kept_hash, text, _)| *kept_hash == hash && text == content)
            .map(|(_, _, document)| document.clone())
    });
    if let Some(document) = found {
        return Ok(document);
    }
    let document: Yaml = crate::yaml::from_str(content)?;
    if content.len() <= DOCUMENT_MAX_BYTES {
        DOCUMENTS.with(|kept| {
            let mut kept = kept.borrow_mut();
            if kept.len() >= DOCUMENTS_KEPT {
                kept.clear();
            }
            kept.push((hash, content.to_string(), document.clone()));
        });
    }
    Ok(document)
}

/// Documents kept at most (a chart's documents for a few environments), and the largest kept.
const DOCUMENTS_KEPT: usize = 256;
const DOCUMENT_MAX_BYTES: usize = 16 * 1024;

thread_local! {
    /// Each with its text's hash, compared first.
    static DOCUMENTS: std::cell::RefCell<Vec<(u64, String, Yaml)>> =
        const { std::cell::RefCell::new(Vec::new()) };
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
        let document: Yaml = read_document(&content).map_err(|error| {
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
