//! Files of the world that a learner edits, and what the engine reads from them.
//!
//! For now the world has one values file per environment, `deploy/values-<env>.yaml`, whose
//! `replicas` map sets each service's desired replicas. A file that does not parse keeps its
//! text and its diagnostics; the platform keeps running on the last values that did parse.

use super::{ENVIRONMENTS, MAX_REPLICAS, SERVICES};
use crate::diagnostic::Diagnostic;
use serde_yaml_ng::Value;
use std::collections::BTreeMap;

/// The values file of an environment.
pub fn values_file_path(environment: &str) -> String {
    format!("deploy/values-{environment}.yaml")
}

/// The environment a values-file path belongs to, if it is one.
pub(super) fn values_file_env(path: &str) -> Option<&'static str> {
    ENVIRONMENTS
        .iter()
        .copied()
        .find(|env| values_file_path(env) == path)
}

/// What the engine understood from a values file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DeployValues {
    /// Desired replicas by service, for the services the file names.
    pub replicas: BTreeMap<String, u32>,
}

/// A file of the world: its text, what the engine read from it, and what is wrong with it.
#[derive(Debug, Clone, PartialEq)]
pub struct WorldFile {
    pub content: String,
    pub diagnostics: Vec<Diagnostic>,
    /// The values read from a values file, `None` when it has errors or is another kind.
    pub values: Option<DeployValues>,
}

impl WorldFile {
    /// Reads `content` as the file at `path` would be read.
    pub fn parse(path: &str, content: String) -> Self {
        if values_file_env(path).is_none() {
            return WorldFile {
                diagnostics: super::alerting::diagnostics_of(path, &content),
                content,
                values: None,
            };
        }
        let (values, diagnostics) = parse_values(&content);
        let has_errors = diagnostics.iter().any(Diagnostic::is_error);
        WorldFile {
            values: (!has_errors).then_some(values),
            diagnostics: diagnostics
                .into_iter()
                .map(|d| d.with_span_in(&content))
                .collect(),
            content,
        }
    }

    /// The language an editor should highlight this file with.
    pub fn language(path: &str) -> &'static str {
        match path.rsplit('.').next() {
            Some("yaml" | "yml") => "yaml",
            Some("tf" | "tfvars" | "hcl") => "hcl",
            Some("promql") => "promql",
            _ => "text",
        }
    }
}

fn parse_values(content: &str) -> (DeployValues, Vec<Diagnostic>) {
    let mut values = DeployValues::default();
    let mut diagnostics = Vec::new();
    let document: Value = match serde_yaml_ng::from_str(content) {
        Ok(document) => document,
        Err(error) => {
            diagnostics.push(Diagnostic::from_yaml_error(&error).with_hint(
                "check the indentation: nested keys need two more spaces than their parent",
            ));
            return (values, diagnostics);
        }
    };
    let root = match document {
        Value::Mapping(mapping) => mapping,
        Value::Null => return (values, diagnostics),
        _ => {
            diagnostics.push(
                Diagnostic::error(1, 1, "a values file must be a mapping of keys to values")
                    .with_hint("start with `replicas:` on its own line"),
            );
            return (values, diagnostics);
        }
    };
    for (key, value) in root {
        let key_text = key.as_str().unwrap_or_default().to_string();
        let line = line_of_key(content, &key_text, 0);
        match key_text.as_str() {
            "replicas" => read_replicas(content, value, &mut values, &mut diagnostics),
            _ => diagnostics.push(
                Diagnostic::warning(line, 1, format!("unknown key `{key_text}` is ignored"))
                    .with_hint("this file understands `replicas`"),
            ),
        }
    }
    (values, diagnostics)
}

fn read_replicas(
    content: &str,
    value: Value,
    values: &mut DeployValues,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let replicas_line = line_of_key(content, "replicas", 0);
    let Value::Mapping(services) = value else {
        diagnostics.push(
            Diagnostic::error(
                replicas_line,
                1,
                "`replicas` must map each service to a number",
            )
            .with_hint("write one service per line below it, like `  users: 2`"),
        );
        return;
    };
    for (service, count) in services {
        let service = match service {
            Value::String(name) => name,
            other => format!("{other:?}"),
        };
        let line = line_of_key(content, &service, replicas_line);
        if !SERVICES.contains(&service.as_str()) {
            let mut diagnostic =
                Diagnostic::warning(line, 3, format!("unknown service `{service}` is ignored"));
            diagnostic = match closest(&service, &SERVICES) {
                Some(guess) => diagnostic.with_hint(format!("did you mean `{guess}`?")),
                None => diagnostic.with_hint(format!("the services are {}", SERVICES.join(", "))),
            };
            diagnostics.push(diagnostic);
            continue;
        }
        match count.as_u64() {
            Some(n) if n <= u64::from(MAX_REPLICAS) => {
                values.replicas.insert(service, n as u32);
            }
            Some(n) => diagnostics.push(
                Diagnostic::error(
                    line,
                    3,
                    format!("`{service}` asks for {n} replicas, more than the cluster can run"),
                )
                .with_hint(format!("use a number from 0 to {MAX_REPLICAS}")),
            ),
            None => diagnostics.push(
                Diagnostic::error(
                    line,
                    3,
                    format!("replicas of `{service}` must be a whole number"),
                )
                .with_hint(format!(
                    "use a number from 0 to {MAX_REPLICAS}, without quotes"
                )),
            ),
        }
    }
}

/// The 1-based line where `key:` first appears after line `after`; the parsed YAML value keeps
/// no positions, and this is enough to point at a key in a small values file.
fn line_of_key(content: &str, key: &str, after: usize) -> usize {
    content
        .lines()
        .enumerate()
        .skip(after)
        .find(|(_, line)| {
            let trimmed = line.trim_start();
            trimmed
                .strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with(':'))
        })
        .map_or(after.max(1), |(index, _)| index + 1)
}

/// The candidate within two edits of `word`, if any.
fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|candidate| {
            (
                crate::diagnostic::edit_distance(word, candidate),
                *candidate,
            )
        })
        .filter(|(distance, _)| *distance <= 2)
        .min()
        .map(|(_, candidate)| candidate)
}
