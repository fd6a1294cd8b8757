//! The chart's values files, and what the cluster reads from them.
//!
//! `deploy/` is the platform's Helm chart (see `chart.rs`); each environment has a values file,
//! `deploy/values-<env>.yaml`, given after the chart's `values.yaml`: its `replicas` map sets each
//! service's desired replicas, its `autoscaling` map gives services a HorizontalPodAutoscaler
//! (bounds and target php-fpm active process percentage) that sets their replicas instead.
//! Values files are checked here key by key, as a chart's values schema would; a file with
//! errors keeps its text and its diagnostics, and the platform keeps running on what the last
//! good values rendered.

use crate::diagnostic::{closest, Diagnostic};
use crate::platform::Platform;
use crate::platform::MAX_REPLICAS;
use crate::yaml::place;
use serde_yaml_ng::Value;
use std::collections::BTreeMap;

/// The values file of an environment.
pub fn values_file_path(environment: &str) -> String {
    format!("deploy/values-{environment}.yaml")
}

/// The chart's default values, which every environment's values file is given after.
pub const CHART_VALUES_PATH: &str = "deploy/values.yaml";

/// The environment a values-file path belongs to, if it is one of the platform's.
pub fn values_file_env<'p>(path: &str, platform: &'p Platform) -> Option<&'p str> {
    platform
        .environment_names()
        .find(|env| values_file_path(env) == path)
}

/// What the rendered manifests ask of an environment: replicas, autoscalers.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DeployValues {
    /// Desired replicas by service, for the services the file names.
    pub replicas: BTreeMap<String, u32>,
    /// The autoscaled services and their autoscaler's settings.
    pub autoscaling: BTreeMap<String, Autoscaling>,
}

/// A service's HorizontalPodAutoscaler as a values file sets it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Autoscaling {
    pub min_replicas: u32,
    pub max_replicas: u32,
    /// The average php-fpm active process percentage the autoscaler aims for, from 1 to 100.
    pub target: u32,
    /// How long the replica count waits before going down, in seconds (300 by default).
    pub scale_down_window: u32,
}

/// The autoscaler spec a values file's settings describe, with Kubernetes' default behavior
/// but for the scale-down window.
pub(crate) fn hpa_spec(values: &Autoscaling) -> crate::kube::hpa::HpaSpec {
    let mut scale_down = crate::kube::hpa::ScalingRules::default_down();
    scale_down.stabilization_window =
        crate::time::SimDuration::from_seconds(i64::from(values.scale_down_window));
    crate::kube::hpa::HpaSpec {
        min_replicas: values.min_replicas,
        max_replicas: values.max_replicas,
        target: f64::from(values.target),
        scale_up: crate::kube::hpa::ScalingRules::default_up(),
        scale_down,
    }
}

/// The keys of a service's `autoscaling` entry.
const AUTOSCALING_KEYS: [&str; 4] = [
    "minReplicas",
    "maxReplicas",
    "targetActiveProcessPercentage",
    "scaleDownStabilizationSeconds",
];

/// What reading a values file alone finds wrong with it, placed in its text; `None` when
/// `path` is not one of the chart's values files.
pub fn diagnostics_of(path: &str, content: &str, platform: &Platform) -> Option<Vec<Diagnostic>> {
    if values_file_env(path, platform).is_none() && path != CHART_VALUES_PATH {
        return None;
    }
    let (_, diagnostics) = parse_values(content, platform);
    Some(
        diagnostics
            .into_iter()
            .map(|d| d.with_span_in(content))
            .collect(),
    )
}

fn parse_values(content: &str, platform: &Platform) -> (DeployValues, Vec<Diagnostic>) {
    let mut values = DeployValues::default();
    let mut diagnostics = Vec::new();
    let document: Value = match crate::yaml::from_str(content) {
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
        match key_text.as_str() {
            "replicas" => read_replicas(content, platform, value, &mut values, &mut diagnostics),
            "autoscaling" => {
                read_autoscaling(content, platform, value, &mut values, &mut diagnostics)
            }
            known if chart_value_keys().iter().any(|key| key == known) => {}
            _ => {
                let keys = chart_value_keys();
                let names: Vec<&str> = keys.iter().map(String::as_str).collect();
                let hint = match closest(&key_text, &names) {
                    Some(guess) => format!("did you mean `{guess}`?"),
                    None => format!("the chart's values are {}", names.join(", ")),
                };
                let (line, column) = place(content, &[&key_text], true);
                diagnostics.push(
                    Diagnostic::warning(
                        line,
                        column,
                        format!("`{key_text}` is not a value of the chart: it is ignored"),
                    )
                    .with_hint(hint),
                )
            }
        }
    }
    for service in values.autoscaling.keys() {
        if values.replicas.contains_key(service) {
            let (line, column) = place(content, &["replicas", service], true);
            diagnostics.push(
                Diagnostic::warning(
                    line,
                    column,
                    format!("`replicas` of `{service}` is ignored: its autoscaler sets them"),
                )
                .with_hint("remove this line, or remove the service from `autoscaling`"),
            );
        }
    }
    (values, diagnostics)
}

/// The top-level keys of the platform chart's default values.
fn chart_value_keys() -> &'static [String] {
    static KEYS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    KEYS.get_or_init(|| {
        let text = crate::helm::PLATFORM_CHART
            .iter()
            .find(|(path, _)| *path == "values.yaml")
            .map_or("", |(_, text)| text);
        match crate::yaml::from_str::<Value>(text) {
            Ok(Value::Mapping(mapping)) => mapping
                .keys()
                .filter_map(|key| key.as_str().map(str::to_string))
                .collect(),
            _ => Vec::new(),
        }
    })
}

/// The service named by a key of `section` (`replicas` or `autoscaling`), or a warning if it
/// is none.
fn service_key(
    key: Value,
    content: &str,
    platform: &Platform,
    section: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<String> {
    let service = match key {
        Value::String(name) => name,
        other => format!("{other:?}"),
    };
    if platform.has_service(&service) {
        return Some(service);
    }
    let (line, column) = place(content, &[section, &service], true);
    diagnostics.push(
        Diagnostic::warning(
            line,
            column,
            format!("unknown service `{service}` is ignored"),
        )
        .with_hint(platform.services_hint(&service)),
    );
    None
}

fn read_autoscaling(
    content: &str,
    platform: &Platform,
    value: Value,
    values: &mut DeployValues,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let Value::Mapping(services) = value else {
        if !value.is_null() {
            let (line, column) = place(content, &["autoscaling"], true);
            diagnostics.push(
                Diagnostic::error(line, column, "`autoscaling` must map services to settings")
                    .with_hint("write `  users:` below it, then its `minReplicas`, `maxReplicas` and `targetActiveProcessPercentage`"),
            );
        }
        return;
    };
    for (key, settings) in services {
        let Some(service) = service_key(key, content, platform, "autoscaling", diagnostics) else {
            continue;
        };
        let at_service = || place(content, &["autoscaling", &service], true);
        let Value::Mapping(settings) = settings else {
            let (line, column) = at_service();
            diagnostics.push(
                Diagnostic::error(line, column, format!("the autoscaling of `{service}` must be a mapping"))
                    .with_hint("indent `minReplicas: 2`, `maxReplicas: 10` and `targetActiveProcessPercentage: 60` below it"),
            );
            continue;
        };
        let mut read: BTreeMap<&str, u64> = BTreeMap::new();
        let mut failed = false;
        for (name, number) in settings {
            let name = name.as_str().unwrap_or_default().to_string();
            let at_name = || place(content, &["autoscaling", &service, &name], true);
            let Some(known) = AUTOSCALING_KEYS.iter().find(|k| **k == name) else {
                let hint = match closest(&name, &AUTOSCALING_KEYS) {
                    Some(guess) => format!("did you mean `{guess}`?"),
                    None => format!("the settings are {}", AUTOSCALING_KEYS.join(", ")),
                };
                let (line, column) = at_name();
                diagnostics.push(
                    Diagnostic::warning(
                        line,
                        column,
                        format!("unknown setting `{name}` is ignored"),
                    )
                    .with_hint(hint),
                );
                continue;
            };
            match number.as_u64() {
                Some(n) => {
                    read.insert(known, n);
                }
                None => {
                    failed = true;
                    let (line, column) = at_name();
                    diagnostics.push(
                        Diagnostic::error(line, column, format!("`{name}` must be a whole number"))
                            .with_hint("write the number without quotes"),
                    );
                }
            }
        }
        if failed {
            continue;
        }
        let mut problem = |message: String, hint: &str| {
            let (line, column) = at_service();
            diagnostics.push(Diagnostic::error(line, column, message).with_hint(hint));
        };
        let (Some(&min), Some(&max)) = (read.get("minReplicas"), read.get("maxReplicas")) else {
            problem(
                format!("the autoscaling of `{service}` needs `minReplicas` and `maxReplicas`"),
                "add both below it, for example `minReplicas: 2` and `maxReplicas: 10`",
            );
            continue;
        };
        let target = read
            .get("targetActiveProcessPercentage")
            .copied()
            .unwrap_or(60);
        let window = read
            .get("scaleDownStabilizationSeconds")
            .copied()
            .unwrap_or(300);
        if min < 1 || min > max {
            problem(
                format!("`{service}`: minReplicas ({min}) must be at least 1 and at most maxReplicas ({max})"),
                "a HorizontalPodAutoscaler keeps between minReplicas and maxReplicas pods",
            );
        } else if max > u64::from(MAX_REPLICAS) {
            problem(
                format!("`{service}`: maxReplicas {max} is more than one deployment may run"),
                &format!("use a number up to {MAX_REPLICAS}"),
            );
        } else if !(1..=100).contains(&target) {
            problem(
                format!("`{service}`: targetActiveProcessPercentage {target} is not a percentage"),
                "use a number from 1 to 100; 60 leaves room for bursts",
            );
        } else if window > 3600 {
            problem(
                format!(
                    "`{service}`: scaleDownStabilizationSeconds {window} is longer than an hour"
                ),
                "use a number of seconds from 0 to 3600",
            );
        } else {
            values.autoscaling.insert(
                service,
                Autoscaling {
                    min_replicas: min as u32,
                    max_replicas: max as u32,
                    target: target as u32,
                    scale_down_window: window as u32,
                },
            );
        }
    }
}

fn read_replicas(
    content: &str,
    platform: &Platform,
    value: Value,
    values: &mut DeployValues,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let Value::Mapping(services) = value else {
        let (line, column) = place(content, &["replicas"], true);
        diagnostics.push(
            Diagnostic::error(line, column, "`replicas` must map each service to a number")
                .with_hint("write one service per line below it, like `  users: 2`"),
        );
        return;
    };
    for (service, count) in services {
        let Some(service) = service_key(service, content, platform, "replicas", diagnostics) else {
            continue;
        };
        let (message, hint) = match count.as_u64() {
            Some(n) if n <= u64::from(MAX_REPLICAS) => {
                values.replicas.insert(service, n as u32);
                continue;
            }
            Some(n) => (
                format!("`{service}` asks for {n} replicas, more than the cluster can run"),
                format!("use a number from 0 to {MAX_REPLICAS}"),
            ),
            None => (
                format!("replicas of `{service}` must be a whole number"),
                format!("use a number from 0 to {MAX_REPLICAS}, without quotes"),
            ),
        };
        let (line, column) = place(content, &["replicas", &service], true);
        diagnostics.push(Diagnostic::error(line, column, message).with_hint(hint));
    }
}
