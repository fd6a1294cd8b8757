//! The platform's Helm chart in the world: `deploy/` holds the chart and one values file per
//! environment; each environment runs what `helm template deploy -f deploy/values-<env>.yaml`
//! renders. The world reads the rendered Deployments' replicas and HorizontalPodAutoscalers'
//! bounds, target and scale-down window.

use super::values::{Autoscaling, DeployValues};
use crate::diagnostic::Diagnostic;
use crate::helm::{self, Manifest, Release};
use crate::kube::deployment::METRIC;
use crate::platform::Platform;
use crate::platform::MAX_REPLICAS;
use serde_yaml_ng::Value as Yaml;
use std::collections::BTreeMap;

/// The folder of the chart among the world's files.
pub const CHART_DIR: &str = "deploy/";

/// The release name the environments install the chart under.
pub const RELEASE: &str = "opsdojo";

/// What one environment's rendering gave.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    /// The manifests, or why there are none.
    pub manifests: Result<Vec<Manifest>, Vec<Diagnostic>>,
    /// What `helm template` prints: the manifests, or the errors.
    pub text: String,
}

fn text_of(manifests: &Result<Vec<Manifest>, Vec<Diagnostic>>) -> String {
    match manifests {
        Ok(manifests) => helm::print(manifests),
        Err(errors) => errors
            .iter()
            .map(|error| format!("Error: {CHART_DIR}{}: {}\n", error.place(), error.message))
            .collect(),
    }
}

/// The chart's files with paths inside the chart, leaving out the environments' values files.
pub fn chart_files<'a>(
    files: impl Iterator<Item = (&'a str, &'a str)>,
) -> BTreeMap<String, String> {
    files
        .filter_map(|(path, content)| {
            let inside = path.strip_prefix(CHART_DIR)?;
            let is_env_values = inside.starts_with("values-");
            (!is_env_values).then(|| (inside.to_string(), content.to_string()))
        })
        .collect()
}

/// Renders the chart for `environment` with its values file; random functions draw from
/// `seed` and `now` is `now_ms`.
pub fn render(
    chart: &BTreeMap<String, String>,
    environment: &str,
    values: &str,
    seed: u64,
    now_ms: i64,
) -> Rendered {
    let name = format!("values-{environment}.yaml");
    let manifests = helm::render(
        chart,
        &[(name.as_str(), values)],
        &Release {
            name: RELEASE,
            namespace: environment,
            seed,
            now_ms,
        },
    );
    Rendered {
        text: text_of(&manifests),
        manifests,
    }
}

/// What the rendered manifests ask of the world, or what in them it cannot run.
pub fn desired(
    manifests: &[Manifest],
    platform: &Platform,
) -> Result<DeployValues, Vec<Diagnostic>> {
    let mut values = DeployValues::default();
    let mut errors = Vec::new();
    let mut deployments = Vec::new();
    let mut autoscaler_files = BTreeMap::new();
    for manifest in manifests {
        let file = manifest
            .source
            .split_once('/')
            .map_or(manifest.source.clone(), |(_, path)| path.to_string());
        let problem = |message: String| {
            Diagnostic::error(
                0,
                0,
                format!("{} `{}`: {message}", manifest.kind, manifest.name),
            )
            .in_file(file.as_str())
        };
        match manifest.kind.as_str() {
            "Deployment" => {
                if !platform.has_service(&manifest.name) {
                    errors.push(problem(format!(
                        "no service of the platform has this name (they are {})",
                        platform.service_names().collect::<Vec<_>>().join(", ")
                    )));
                    continue;
                }
                deployments.push(manifest.name.clone());
                match manifest
                    .document
                    .get("spec")
                    .and_then(|spec| spec.get("replicas"))
                {
                    None | Some(Yaml::Null) => {}
                    Some(count) => match count.as_u64() {
                        Some(n) if n <= u64::from(MAX_REPLICAS) => {
                            values.replicas.insert(manifest.name.clone(), n as u32);
                        }
                        _ => errors.push(problem(format!(
                            "spec.replicas must be a whole number from 0 to {MAX_REPLICAS}"
                        ))),
                    },
                }
            }
            "HorizontalPodAutoscaler" => match autoscaler(&manifest.document) {
                Ok((target, settings)) => {
                    autoscaler_files.insert(target.clone(), file.clone());
                    values.autoscaling.insert(target, settings);
                }
                Err(message) => errors.push(problem(message)),
            },
            _ => {}
        }
    }
    for service in values.autoscaling.keys() {
        if !deployments.contains(service) {
            errors.push(
                Diagnostic::error(
                    0,
                    0,
                    format!(
                        "HorizontalPodAutoscaler `{service}` scales a Deployment the chart does not render"
                    ),
                )
                .in_file(autoscaler_files.get(service).cloned().unwrap_or_default()),
            );
        }
    }
    if errors.is_empty() {
        Ok(values)
    } else {
        Err(errors)
    }
}

/// The Deployment an autoscaler scales and its settings.
fn autoscaler(document: &Yaml) -> Result<(String, Autoscaling), String> {
    let spec = document.get("spec").ok_or("it has no spec")?;
    let target = spec
        .get("scaleTargetRef")
        .and_then(|target| target.get("name"))
        .and_then(Yaml::as_str)
        .ok_or("spec.scaleTargetRef.name is required")?
        .to_string();
    let number = |value: Option<&Yaml>| -> Option<u64> {
        match value? {
            Yaml::String(text) => text.trim().parse().ok(),
            other => other.as_u64(),
        }
    };
    let min = match spec.get("minReplicas") {
        None => 1,
        some => number(some).ok_or("spec.minReplicas must be a whole number")?,
    };
    let max = number(spec.get("maxReplicas")).ok_or("spec.maxReplicas is required")?;
    if min < 1 || min > max {
        return Err(format!(
            "minReplicas ({min}) must be at least 1 and at most maxReplicas ({max})"
        ));
    }
    if max > u64::from(MAX_REPLICAS) {
        return Err(format!(
            "maxReplicas {max} is more than one deployment may run ({MAX_REPLICAS})"
        ));
    }
    let metric = spec
        .get("metrics")
        .and_then(Yaml::as_sequence)
        .and_then(|metrics| metrics.first())
        .ok_or("spec.metrics needs the php-fpm metric")?;
    let pods = metric
        .get("pods")
        .ok_or("the metric must be of type Pods")?;
    let name = pods
        .get("metric")
        .and_then(|m| m.get("name"))
        .and_then(Yaml::as_str)
        .unwrap_or_default();
    if name != METRIC {
        return Err(format!(
            "the pods only export `{METRIC}`; `{name}` has no values"
        ));
    }
    let value = pods
        .get("target")
        .and_then(|t| t.get("averageValue"))
        .ok_or("the metric needs target.averageValue")?;
    let percentage = number(Some(value))
        .filter(|n| (1..=100).contains(n))
        .ok_or("target.averageValue must be a percentage from 1 to 100")?;
    let window = match spec
        .get("behavior")
        .and_then(|b| b.get("scaleDown"))
        .and_then(|d| d.get("stabilizationWindowSeconds"))
    {
        None => 300,
        some => number(some)
            .filter(|n| *n <= 3600)
            .ok_or("stabilizationWindowSeconds must be a number of seconds up to 3600")?,
    };
    Ok((
        target,
        Autoscaling {
            min_replicas: min as u32,
            max_replicas: max as u32,
            target: percentage as u32,
            scale_down_window: window as u32,
        },
    ))
}

/// Chart errors as diagnostics, by world file path; errors every environment shares are given
/// once, others say which environments they are in.
pub fn diagnostics(
    errors: &[(&str, Diagnostic)],
    environment_count: usize,
) -> BTreeMap<String, Vec<Diagnostic>> {
    let mut grouped: BTreeMap<(String, usize, usize, String), Vec<&str>> = BTreeMap::new();
    for (environment, error) in errors {
        grouped
            .entry((
                error.file.clone().unwrap_or_default(),
                error.line,
                error.column,
                error.message.clone(),
            ))
            .or_default()
            .push(environment);
    }
    let mut by_file: BTreeMap<String, Vec<Diagnostic>> = BTreeMap::new();
    for ((file, line, column, message), environments) in grouped {
        let message = if environments.len() == environment_count || file.starts_with("values-") {
            message
        } else {
            format!("{message} (rendering {})", environments.join(", "))
        };
        by_file
            .entry(format!("{CHART_DIR}{file}"))
            .or_default()
            .push(
                Diagnostic::error(line.max(1), column.max(1), message)
                    .with_hint("helm template fails, so the environment keeps what it runs"),
            );
    }
    by_file
}
