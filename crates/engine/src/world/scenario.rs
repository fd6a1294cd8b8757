//! Scenarios: where a world starts (seed, time of day, files) and what happens on schedule.

use crate::cluster::values::values_file_path;
use crate::fault::is_active;
pub use crate::fault::{Fault, FAULT_STATUSES};
use crate::platform::{EnvironmentSpec, Platform};
use crate::time::{SimDuration, SimTime};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Something the scenario makes happen at a set time.
#[derive(Debug, Clone, PartialEq)]
pub struct ScheduledEvent {
    /// When, as time since the scenario started.
    pub at: SimDuration,
    /// What the event log says when it happens.
    pub note: String,
    /// A fault that starts with the event, if any.
    pub fault: Option<Fault>,
    /// A traffic burst that starts with the event, if any.
    pub burst: Option<Burst>,
    /// A release the event deploys, marked on the dashboards, if any.
    pub release: Option<Release>,
    /// A pod whose php-fpm starts crashing, if any.
    pub crash: Option<Crash>,
    /// A change made to the infrastructure by hand, outside Terraform, if any.
    pub drift: Option<Drift>,
}

/// An attribute of an environment's database changed by hand, outside Terraform: the next plan
/// shows the change back, and the database and the compliance rules follow it at once.
#[derive(Debug, Clone, PartialEq)]
pub struct Drift {
    pub env: String,
    pub attribute: String,
    pub value: hcl::Value,
}

/// php-fpm crashing in one running pod of a service, on every start, until the pod is replaced.
#[derive(Debug, Clone, PartialEq)]
pub struct Crash {
    pub env: String,
    pub service: String,
}

/// A new version of a service reaching an environment.
#[derive(Debug, Clone, PartialEq)]
pub struct Release {
    pub env: String,
    pub service: String,
    pub version: String,
}

/// A burst of traffic: an environment's (or one service's) arrival rate multiplied for a while,
/// as a marketing push or a bot brings.
#[derive(Debug, Clone, PartialEq)]
pub struct Burst {
    pub env: String,
    /// One service, or all of them.
    pub service: Option<String>,
    /// How much the arrival rate is multiplied by.
    pub factor: f64,
    pub lasts: Option<SimDuration>,
    pub every: Option<SimDuration>,
}

impl Burst {
    /// Whether the burst, started at `started`, is active at `now`.
    pub fn is_active(&self, started: SimTime, now: SimTime) -> bool {
        is_active(self.lasts, self.every, started, now)
    }
}

/// The starting point of a world.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    pub seed: u64,
    /// Time of day on day 1 when the scenario starts.
    pub start: SimDuration,
    /// Length of one simulated step.
    pub tick: SimDuration,
    /// Files that replace the default ones, by path; the Terraform project as they describe it
    /// is already applied.
    pub files: BTreeMap<String, String>,
    /// Files changed after the last apply, by path: written once the world exists, so their
    /// Terraform changes are pending.
    pub pending: BTreeMap<String, String>,
    /// Scheduled events, sorted by time.
    pub events: Vec<ScheduledEvent>,
    /// A pull request open on the application's repository, its files under `app/`.
    pub pull_request: Option<crate::delivery::PullRequestSpec>,
    /// The environments, services and routes the world simulates.
    pub platform: Arc<Platform>,
}

impl Default for Scenario {
    fn default() -> Self {
        Scenario {
            seed: 1,
            start: SimDuration::from_minutes(8 * 60),
            tick: SimDuration::from_seconds(15),
            files: BTreeMap::new(),
            pending: BTreeMap::new(),
            events: Vec::new(),
            pull_request: None,
            platform: Platform::standard(),
        }
    }
}

impl Scenario {
    /// The first instant of the scenario.
    pub fn start_time(&self) -> SimTime {
        SimTime::day_one_at(self.start)
    }

    /// Every file the world starts with: the defaults, replaced by the scenario's own.
    pub fn initial_files(&self) -> BTreeMap<String, String> {
        let platform = &self.platform;
        let mut files: BTreeMap<String, String> = platform
            .environments
            .iter()
            .map(|env| (values_file_path(&env.name), default_values(platform, env)))
            .collect();
        let alertmanager = super::alerting::DEFAULT_ALERTMANAGER
            .replace("'#alerts'", &format!("'{}'", platform.chat.alerts));
        for (path, content) in [
            (super::alerting::RULES_PATH, super::alerting::DEFAULT_RULES),
            (super::alerting::ALERTMANAGER_PATH, alertmanager.as_str()),
            (
                super::alerting::SILENCES_PATH,
                super::alerting::DEFAULT_SILENCES,
            ),
        ] {
            files.insert(path.to_string(), content.to_string());
        }
        for (path, content) in crate::helm::PLATFORM_CHART {
            let content = match path {
                "values.yaml" => chart_values(content, platform),
                _ => content.to_string(),
            };
            files.insert(format!("deploy/{path}"), content);
        }
        for (path, content) in crate::terraform::project::files_for(platform) {
            files.insert(super::infra::terraform_path(&path), content);
        }
        files.extend(self.files.clone());
        files
    }
}

/// The values file an environment starts with: its replicas for every service, or an
/// autoscaler for every service when the platform gives the environment one.
fn default_values(platform: &Platform, environment: &EnvironmentSpec) -> String {
    if let Some(autoscaling) = &environment.autoscaling {
        let mut text = format!(
            "# Values of the {name} environment, given after the chart's values.yaml:\n\
             # helm template deploy -f deploy/values-{name}.yaml\n\
             # A HorizontalPodAutoscaler per service, on php-fpm's active process percentage.\nautoscaling:\n",
            name = environment.name
        );
        for service in platform.service_names() {
            text.push_str(&format!(
                "  {service}:\n    minReplicas: {}\n    maxReplicas: {}\n    targetActiveProcessPercentage: {}\n",
                autoscaling.min_replicas, autoscaling.max_replicas, autoscaling.target
            ));
        }
        return text;
    }
    let (environment, replicas) = (&environment.name, environment.replicas);
    let mut text = format!(
        "# Values of the {environment} environment, given after the chart's values.yaml:\n\
         # helm template deploy -f deploy/values-{environment}.yaml\n\
         # Desired number of php-fpm pods per service.\nreplicas:\n"
    );
    for service in platform.service_names() {
        text.push_str(&format!("  {service}: {replicas}\n"));
    }
    text
}

/// The chart's `values.yaml` with the platform's services in its `services:` list.
fn chart_values(standard: &str, platform: &Platform) -> String {
    let Some(start) = standard.find("services:\n") else {
        return standard.to_string();
    };
    let list_start = start + "services:\n".len();
    let list_len: usize = standard[list_start..]
        .split_inclusive('\n')
        .take_while(|line| line.trim_start().starts_with("- "))
        .map(str::len)
        .sum();
    let list_end = list_start + list_len;
    let mut text = standard[..list_start].to_string();
    for service in platform.service_names() {
        text.push_str(&format!("  - {service}\n"));
    }
    text.push_str(&standard[list_end..]);
    text
}
