//! The world's infrastructure: the Terraform project under `terraform/`, one state per
//! environment, applies that take simulated time and change the running platform, the monthly
//! cost of each environment, and compliance rules in the style of AWS Config.
//!
//! Every edit of a project file plans every environment again, so plans, costs and
//! diagnostics follow the learner's typing. An apply runs its changes side by side; each takes
//! the time AWS takes for it (an RDS class change minutes, a Multi-AZ conversion longer), and
//! writes its resource into the state when it completes. The database of an environment follows
//! its `aws_db_instance` in the state: class, Multi-AZ, availability while it reboots or is
//! replaced.

use crate::database::Database;
use crate::diagnostic::Diagnostic;
use crate::platform::{Platform, Stage};
use crate::terraform::{self, plan::Action as TfAction, Change, Files, PlanOutcome, State};
use crate::time::{format_rfc3339, parse_rfc3339, SimDuration, SimTime};
use crate::tool::{ChangeMarker, Effect, EventLevel, Surroundings, Tool};
use hcl::Value;
use std::collections::BTreeMap;

mod tool;
pub use tool::{finding_effects, project_files, InfraCommand, InfraSnapshot};

/// Where the project lives among the world's files.
pub const TERRAFORM_DIR: &str = "terraform/";

/// The world path of a file of the project (`vars/prod.tfvars` → `terraform/vars/prod.tfvars`).
pub fn terraform_path(path_in_project: &str) -> String {
    format!("{TERRAFORM_DIR}{path_in_project}")
}

/// The region the project deploys to.
pub const REGION: &str = "eu-west-3";

/// How long before the world starts its infrastructure was applied, as the access keys' age
/// shows.
const APPLIED_BEFORE_START: SimDuration = SimDuration(30 * 86_400_000);

/// Keys older than this are non-compliant with `access-keys-rotated`.
const KEY_MAX_AGE: SimDuration = SimDuration(90 * 86_400_000);

/// One change of a running apply.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ApplyStep {
    pub change: Change,
    /// The resource's id before the change, as Terraform prints it.
    pub id: Option<String>,
    pub duration: SimDuration,
    /// How long before it completes the database is unavailable (a reboot, a failover).
    pub outage: SimDuration,
    pub done: bool,
}

/// An apply in progress in one environment; the state is locked until it ends.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RunningApply {
    pub started: SimTime,
    pub steps: Vec<ApplyStep>,
    /// The state once every step has completed.
    pub target: State,
    /// Outputs whose value the apply's output hides.
    pub sensitive_outputs: Vec<String>,
    pub counts: (usize, usize, usize),
}

/// One resource checked by one compliance rule.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Finding {
    #[serde(with = "crate::serde_util::static_str")]
    pub rule: crate::serde_util::Name,
    pub resource_id: String,
    pub compliant: bool,
}

/// What one environment's infrastructure is and is about to become.
#[derive(Debug, Clone)]
pub struct EnvInfra {
    pub env: String,
    /// Its place in the promotion order, which scopes the compliance rules.
    pub stage: Stage,
    pub state: State,
    /// The plan of the current files against the state.
    pub outcome: PlanOutcome,
    /// What `terraform plan` prints for it, rendered once per plan rather than per view.
    pub plan_text: String,
    pub running: Option<RunningApply>,
    /// What the last apply printed, or why it could not start.
    pub output: Vec<String>,
    pub applies: u64,
    /// Resources destroyed by applies (a replacement destroys one).
    pub destroyed: u64,
    pub findings: Vec<Finding>,
    /// The access key external-signin was deployed with, and whether it has been deleted.
    service_key: Option<String>,
    pub key_revoked: bool,
    /// Whether the state had a database when the world started.
    had_database: bool,
    /// The running database, as the state and any running apply make it (the platform's
    /// default until the project deploys one).
    pub database: Database,
}

/// The environments' infrastructure.
#[derive(Debug, Clone, Default)]
pub struct Infrastructure {
    pub envs: Vec<EnvInfra>,
}

/// An environment's infrastructure as a checkpoint keeps it: everything but the plan, which
/// is made again from the files and the state.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct EnvInfraState {
    env: String,
    state: State,
    running: Option<RunningApply>,
    output: Vec<String>,
    applies: u64,
    destroyed: u64,
    findings: Vec<Finding>,
    service_key: Option<String>,
    key_revoked: bool,
    had_database: bool,
    database: Database,
}

impl Infrastructure {
    pub fn state(&self) -> Vec<EnvInfraState> {
        self.envs
            .iter()
            .map(|env| EnvInfraState {
                env: env.env.clone(),
                state: env.state.clone(),
                running: env.running.clone(),
                output: env.output.clone(),
                applies: env.applies,
                destroyed: env.destroyed,
                findings: env.findings.clone(),
                service_key: env.service_key.clone(),
                key_revoked: env.key_revoked,
                had_database: env.had_database,
                database: env.database.clone(),
            })
            .collect()
    }

    /// The infrastructure [`Infrastructure::state`] took, planned again against `files`.
    pub fn restore(
        saved: Vec<EnvInfraState>,
        platform: &Platform,
        files: &Files,
    ) -> Result<Self, String> {
        if !saved
            .iter()
            .map(|e| e.env.as_str())
            .eq(platform.environment_names())
        {
            return Err("the Terraform environments do not fit this world".into());
        }
        let mut infrastructure = Infrastructure {
            envs: saved
                .into_iter()
                .map(|env| EnvInfra {
                    stage: platform.stage(&env.env).unwrap_or(Stage::Last),
                    env: env.env,
                    state: env.state,
                    outcome: PlanOutcome::default(),
                    plan_text: String::new(),
                    running: env.running,
                    output: env.output,
                    applies: env.applies,
                    destroyed: env.destroyed,
                    findings: env.findings,
                    service_key: env.service_key,
                    key_revoked: env.key_revoked,
                    had_database: env.had_database,
                    database: env.database,
                })
                .collect(),
        };
        infrastructure.replan(files);
        Ok(infrastructure)
    }

    /// The infrastructure of `environments` with `files` applied before `now`, not planned
    /// yet ([`Infrastructure::replan`]); lines for the event log when a configuration could not
    /// be applied.
    pub fn new(platform: &Platform, files: &Files, now: SimTime) -> (Self, Vec<String>) {
        let mut log = Vec::new();
        let applied_at = now.plus(SimDuration(-APPLIED_BEFORE_START.0));
        let envs = platform
            .environments
            .iter()
            .map(|spec| {
                let env = spec.name.as_str();
                let var_file = terraform::project::var_file(env);
                let state = match terraform::apply_files(files, &[&var_file], &State::empty()) {
                    Ok(mut state) => {
                        date_keys(&mut state, applied_at);
                        state
                    }
                    Err(outcome) => {
                        let errors = outcome.diagnostics.iter().filter(|d| d.is_error()).count();
                        log.push(format!(
                            "{env}: the Terraform project does not plan ({errors} error(s)); \
                             nothing of it is deployed"
                        ));
                        State::empty()
                    }
                };
                let service_key = access_key_id(&state);
                let had_database = database_of(&state).is_some();
                let mut infra = EnvInfra {
                    env: env.to_string(),
                    stage: platform.stage(env).unwrap_or(Stage::Last),
                    state,
                    outcome: PlanOutcome::default(),
                    plan_text: String::new(),
                    running: None,
                    output: Vec::new(),
                    applies: 0,
                    destroyed: 0,
                    findings: Vec::new(),
                    service_key,
                    key_revoked: false,
                    had_database,
                    database: Database::default_for(spec),
                };
                infra.findings = evaluate_rules(infra.stage, &infra.state, now);
                infra
            })
            .collect();
        // Not planned yet: the world plans once the scenario's pending files are written.
        (Infrastructure { envs }, log)
    }

    pub fn env(&self, env: &str) -> Option<&EnvInfra> {
        self.envs.iter().find(|e| e.env == env)
    }

    /// Plans every environment again, after an edit or a state change.
    pub fn replan(&mut self, files: &Files) {
        for env in &mut self.envs {
            let var_file = terraform::project::var_file(&env.env);
            env.outcome = terraform::plan_files(files, &[&var_file], &env.state);
            env.plan_text = env.outcome.text();
        }
    }

    /// Diagnostics of every project file, by world path, from the plans of all environments
    /// (an error in a `.tf` file shows once, not once per environment).
    pub fn diagnostics(&self, files: &Files) -> BTreeMap<String, Vec<Diagnostic>> {
        let mut by_file: BTreeMap<String, Vec<Diagnostic>> = BTreeMap::new();
        for env in &self.envs {
            for tf in &env.outcome.diagnostics {
                let (path, diagnostic) = match &tf.location {
                    Some(location) => {
                        let mut diagnostic = tf.to_diagnostic();
                        if let Some(text) = files.get(&location.file) {
                            diagnostic = diagnostic.with_span_in(text);
                        }
                        (location.file.clone(), diagnostic)
                    }
                    // Errors without a place (a missing required variable) belong to the
                    // environment's variables file.
                    None => (
                        terraform::project::var_file(&env.env),
                        Diagnostic {
                            line: 1,
                            column: 1,
                            ..tf.to_diagnostic()
                        },
                    ),
                };
                let list = by_file.entry(terraform_path(&path)).or_default();
                if !list.contains(&diagnostic) {
                    list.push(diagnostic);
                }
            }
        }
        by_file
    }

    /// Starts `terraform apply` in `env`; the lines say what happened.
    pub fn start_apply(&mut self, env: &str, files: &Files, now: SimTime) -> Vec<String> {
        let Some(infra) = self.envs.iter_mut().find(|e| e.env == env) else {
            return vec![format!("no environment `{env}` to apply to")];
        };
        if let Some(running) = &infra.running {
            let message = format!(
                "Error: Error acquiring the state lock: an apply started at {} is still running",
                clock(running.started)
            );
            infra.output.push(message.clone());
            return vec![format!(
                "{env}: terraform apply refused: the state is locked"
            )];
        }
        let var_file = terraform::project::var_file(env);
        let outcome = terraform::plan_files(files, &[&var_file], &infra.state);
        let plan = match (&outcome.plan, outcome.has_errors()) {
            (Some(plan), false) => plan.clone(),
            _ => {
                infra.output = outcome
                    .diagnostics
                    .iter()
                    .filter(|d| d.is_error())
                    .map(|d| d.to_string())
                    .collect();
                return vec![format!(
                    "{env}: terraform apply failed: the configuration has errors"
                )];
            }
        };
        if !plan.has_changes() && plan.outputs.is_empty() {
            infra.output = vec![
                "No changes. Your infrastructure matches the configuration.".into(),
                String::new(),
                "Apply complete! Resources: 0 added, 0 changed, 0 destroyed.".into(),
            ];
            return vec![format!("{env}: terraform apply: no changes")];
        }
        let target = match terraform::apply_files(files, &[&var_file], &infra.state) {
            Ok(mut target) => {
                date_new_keys(&infra.state, &mut target, now);
                target
            }
            Err(_) => return vec![format!("{env}: terraform apply failed")],
        };
        let counts = plan.counts();
        let mut output = Vec::new();
        let steps: Vec<ApplyStep> = plan
            .changes
            .into_iter()
            .filter(|c| c.action != TfAction::NoOp)
            .map(|change| {
                let id = change
                    .before
                    .as_ref()
                    .and_then(|b| b.get("id"))
                    .and_then(Value::as_str)
                    .map(str::to_string);
                output.push(format!(
                    "{}: {}...{}",
                    change.address,
                    verb(change.action).0,
                    id.as_ref()
                        .map_or(String::new(), |id| format!(" [id={id}]"))
                ));
                let (duration, outage) = timing(&change);
                ApplyStep {
                    change,
                    id,
                    duration,
                    outage,
                    done: false,
                }
            })
            .collect();
        infra.output = output;
        let sensitive_outputs = outcome.sensitive_outputs();
        infra.running = Some(RunningApply {
            started: now,
            steps,
            target,
            counts,
            sensitive_outputs,
        });
        vec![format!(
            "{env}: terraform apply started: {} to add, {} to change, {} to destroy",
            counts.0, counts.1, counts.2
        )]
    }

    /// Moves running applies on to `now`: completed changes reach the state. Returns event-log
    /// lines with their level and whether any state changed (so plans and the platform follow).
    pub fn advance_applies(&mut self, now: SimTime) -> (Vec<(EventLevel, String)>, bool) {
        let mut log = Vec::new();
        let mut changed = false;
        for infra in &mut self.envs {
            let Some(running) = &mut infra.running else {
                continue;
            };
            for step in running.steps.iter_mut().filter(|s| !s.done) {
                if running.started.plus(step.duration) > now {
                    continue;
                }
                step.done = true;
                changed = true;
                let address = &step.change.address;
                match running.target.resources.get(address) {
                    Some(resource) => {
                        infra
                            .state
                            .resources
                            .insert(address.clone(), resource.clone());
                    }
                    None => {
                        infra.state.resources.remove(address);
                    }
                }
                if matches!(
                    step.change.action,
                    TfAction::Delete | TfAction::Replace { .. }
                ) {
                    infra.destroyed += 1;
                }
                let new_id = running
                    .target
                    .resources
                    .get(address)
                    .and_then(|r| r.attributes.get("id"))
                    .and_then(Value::as_str)
                    .map(str::to_string);
                let with_id = new_id
                    .as_ref()
                    .map_or(String::new(), |id| format!(" [id={id}]"));
                if let TfAction::Replace { .. } = step.change.action {
                    // Printed as Terraform does: the old one goes, then the new one comes.
                    let half = SimDuration(step.duration.as_ms() / 3);
                    infra.output.push(format!(
                        "{address}: Destruction complete after {}",
                        duration_text(half)
                    ));
                    infra.output.push(format!(
                        "{address}: Creation complete after {}{with_id}",
                        duration_text(SimDuration(step.duration.as_ms() - half.as_ms()))
                    ));
                } else {
                    let (_, done) = verb(step.change.action);
                    infra.output.push(format!(
                        "{address}: {done} after {}{with_id}",
                        duration_text(step.duration)
                    ));
                }
                if step.change.type_name == "aws_db_instance"
                    && matches!(step.change.action, TfAction::Replace { .. })
                {
                    log.push((
                        EventLevel::Warning,
                        format!(
                            "{}: database {} was replaced: the new instance is empty, every row \
                             written before is gone",
                            infra.env,
                            step.id.as_deref().unwrap_or("?")
                        ),
                    ));
                }
            }
            if running.steps.iter().all(|s| s.done) {
                let (add, change, destroy) = running.counts;
                infra.state.serial = running.target.serial;
                infra.state.outputs = running.target.outputs.clone();
                infra.output.push(String::new());
                infra.output.push(format!(
                    "Apply complete! Resources: {add} added, {change} changed, {destroy} destroyed."
                ));
                let outputs = terraform::outputs_text(&infra.state, &running.sensitive_outputs);
                if !outputs.is_empty() {
                    infra.output.push(String::new());
                    infra.output.extend(outputs.lines().map(str::to_string));
                }
                log.push((
                    EventLevel::Info,
                    format!(
                        "{}: terraform apply complete: {add} added, {change} changed, {destroy} destroyed",
                        infra.env
                    ),
                ));
                infra.running = None;
                infra.applies += 1;
            }
            if !infra.key_revoked {
                if let Some(key) = &infra.service_key {
                    if access_key_id(&infra.state).as_ref() != Some(key) {
                        infra.key_revoked = true;
                        log.push((
                            EventLevel::Warning,
                            format!(
                                "{}: external-signin: the partner API rejects access key {key}: \
                                 it was deleted",
                                infra.env
                            ),
                        ));
                    }
                }
            }
        }
        (log, changed)
    }

    /// Changes `attribute` of the database of `env` in its state, as a change made by hand in
    /// the console does; whether anything changed. The plan is made again by the caller.
    pub fn drift(&mut self, env: &str, attribute: &str, value: Value) -> bool {
        let Some(infra) = self.envs.iter_mut().find(|infra| infra.env == env) else {
            return false;
        };
        let Some(resource) = infra
            .state
            .resources
            .values_mut()
            .find(|r| r.type_name == "aws_db_instance")
        else {
            return false;
        };
        resource
            .attributes
            .insert(attribute.to_string(), value)
            .is_none_or(|before| before != resource.attributes[attribute])
    }

    /// Each environment's database follows its state at `now`: class, identifier, Multi-AZ,
    /// availability while it reboots or is replaced. A class change is marked on the
    /// dashboards.
    pub fn follow_databases(&mut self, now: SimTime) -> Vec<ChangeMarker> {
        let mut markers = Vec::new();
        for infra in &mut self.envs {
            let Some(view) = deployed_database(infra, now) else {
                continue;
            };
            let database = &mut infra.database;
            if let Some(class) = crate::database::instance_class(&view.class) {
                if class.name != database.class.name {
                    markers.push(ChangeMarker {
                        at: now,
                        kind: crate::tool::ChangeKind::Change,
                        env: infra.env.clone(),
                        service: String::new(),
                        text: format!("database {} → {}", database.class.name, class.name),
                    });
                }
                database.class = class;
            }
            if !view.identifier.is_empty() {
                database.identifier = view.identifier;
            }
            database.multi_az = view.multi_az;
            database.available = view.available;
        }
        markers
    }

    /// Evaluates the compliance rules again; returns the findings whose compliance changed (or
    /// that are new and non-compliant), with their environment.
    pub fn evaluate_compliance(&mut self, now: SimTime) -> Vec<(String, Finding)> {
        let mut news = Vec::new();
        for infra in &mut self.envs {
            let findings = evaluate_rules(infra.stage, &infra.state, now);
            for finding in &findings {
                let before = infra
                    .findings
                    .iter()
                    .find(|f| f.rule == finding.rule && f.resource_id == finding.resource_id);
                let news_worthy = match before {
                    Some(before) => before.compliant != finding.compliant,
                    None => !finding.compliant,
                };
                if news_worthy {
                    news.push((infra.env.clone(), finding.clone()));
                }
            }
            infra.findings = findings;
        }
        news
    }

    /// The non-compliant findings every environment starts with.
    pub fn initial_violations(&self) -> Vec<(String, Finding)> {
        self.envs
            .iter()
            .flat_map(|infra| {
                infra
                    .findings
                    .iter()
                    .filter(|f| !f.compliant)
                    .map(|f| (infra.env.clone(), f.clone()))
            })
            .collect()
    }
}

impl EnvInfra {
    /// The line Terraform shows while the apply runs: the slowest change still in progress.
    pub fn still_running(&self, now: SimTime) -> Option<String> {
        let running = self.running.as_ref()?;
        let elapsed = now.since(running.started);
        let step = running
            .steps
            .iter()
            .filter(|s| !s.done)
            .max_by_key(|s| s.duration)?;
        let (doing, _) = verb(step.change.action);
        Some(format!(
            "{}: Still {}... [{}{} elapsed]",
            step.change.address,
            doing.to_lowercase(),
            step.id
                .as_ref()
                .map_or(String::new(), |id| format!("id={id}, ")),
            duration_text(elapsed)
        ))
    }

    /// How far the running apply is, from 0 to 1.
    pub fn progress(&self, now: SimTime) -> Option<f64> {
        let running = self.running.as_ref()?;
        let total = running
            .steps
            .iter()
            .map(|s| s.duration.as_ms())
            .max()
            .unwrap_or(1)
            .max(1);
        Some((now.since(running.started).as_ms() as f64 / total as f64).clamp(0.0, 1.0))
    }
}

/// What Terraform prints when a change starts and when it completes.
fn verb(action: TfAction) -> (&'static str, &'static str) {
    match action {
        TfAction::Create => ("Creating", "Creation complete"),
        TfAction::Update => ("Modifying", "Modifications complete"),
        TfAction::Replace { .. } => ("Destroying", "Creation complete"),
        TfAction::Delete => ("Destroying", "Destruction complete"),
        TfAction::NoOp => ("Reading", "Read complete"),
    }
}

/// How long a change takes on AWS, and how long before its end the database is unavailable.
fn timing(change: &Change) -> (SimDuration, SimDuration) {
    let minutes = SimDuration::from_minutes;
    let seconds = SimDuration::from_seconds;
    let changed = |name: &str| {
        change.before.as_ref().and_then(|b| b.get(name))
            != change.after.as_ref().and_then(|a| a.get(name))
    };
    let was_multi_az = change
        .before
        .as_ref()
        .and_then(|b| b.get("multi_az"))
        .is_some_and(|v| *v == Value::Bool(true));
    let none = SimDuration::default();
    match (change.type_name.as_str(), change.action) {
        ("aws_db_instance", TfAction::Create) => (minutes(12), none),
        ("aws_db_instance", TfAction::Delete) => (minutes(6), minutes(6)),
        // With create_before_destroy the new (empty) instance serves before the old one goes.
        (
            "aws_db_instance",
            TfAction::Replace {
                create_before_destroy,
            },
        ) => {
            let outage = if create_before_destroy {
                none
            } else {
                minutes(18)
            };
            (minutes(18), outage)
        }
        ("aws_db_instance", _) if changed("instance_class") => {
            // A single-AZ instance reboots on the new class; a Multi-AZ one fails over to its
            // standby, already resized.
            let outage = if was_multi_az { minutes(1) } else { minutes(4) };
            (minutes(12), outage)
        }
        ("aws_db_instance", _) if changed("multi_az") => (minutes(25), none),
        ("aws_db_instance", _) if changed("allocated_storage") => (minutes(8), none),
        ("aws_db_instance", _) => (seconds(30), none),
        ("aws_elasticache_cluster", TfAction::Update) => (minutes(10), none),
        ("aws_elasticache_cluster", TfAction::Replace { .. }) => (minutes(13), none),
        ("aws_elasticache_cluster", _) => (minutes(7), none),
        ("aws_cloudfront_distribution", TfAction::Delete) => (minutes(12), none),
        ("aws_cloudfront_distribution", _) => (minutes(4), none),
        ("aws_dynamodb_table", _) => (seconds(30), none),
        ("aws_wafv2_web_acl", _) => (seconds(5), none),
        _ => (seconds(2), none),
    }
}

/// `12m0s`, `30s`, as Terraform prints durations.
fn duration_text(duration: SimDuration) -> String {
    let seconds = duration.as_ms() / 1000;
    if seconds >= 60 {
        format!("{}m{}s", seconds / 60, seconds % 60)
    } else {
        format!("{seconds}s")
    }
}

fn clock(at: SimTime) -> String {
    format_rfc3339(at.epoch_ms())
}

/// The environment's database in `state`, if it has one.
/// What an environment's state says its database is.
struct DatabaseView {
    identifier: String,
    class: String,
    multi_az: bool,
    available: bool,
}

/// The database of an environment at `now`, as its state and any running apply make it.
fn deployed_database(infra: &EnvInfra, now: SimTime) -> Option<DatabaseView> {
    let env = &infra.env;
    let Some(resource) = database_of(&infra.state) else {
        // A world whose project never planned keeps its default database.
        return infra.had_database.then(|| DatabaseView {
            identifier: format!("opsdojo-{env}"),
            class: String::new(),
            multi_az: false,
            available: false,
        });
    };
    let text = |name: &str| {
        resource
            .attributes
            .get(name)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let mut available = true;
    if let Some(running) = &infra.running {
        for step in running.steps.iter().filter(|s| !s.done) {
            if step.change.type_name != "aws_db_instance" {
                continue;
            }
            let ends = running.started.plus(step.duration);
            if now >= ends.plus(SimDuration(-step.outage.0)) {
                available = false;
            }
        }
    }
    Some(DatabaseView {
        identifier: text("identifier"),
        class: text("instance_class"),
        multi_az: resource.attributes.get("multi_az") == Some(&Value::Bool(true)),
        available,
    })
}

pub(super) fn database_of(state: &State) -> Option<&terraform::ResourceState> {
    state
        .resources
        .values()
        .find(|r| r.type_name == "aws_db_instance")
}

fn access_key_id(state: &State) -> Option<String> {
    state
        .resources
        .values()
        .find(|r| r.type_name == "aws_iam_access_key")
        .and_then(|r| r.attributes.get("id"))
        .and_then(Value::as_str)
        .map(str::to_string)
}

/// Gives every access key of `state` the creation date `at`.
fn date_keys(state: &mut State, at: SimTime) {
    for resource in state.resources.values_mut() {
        if resource.type_name == "aws_iam_access_key" {
            resource.attributes.insert(
                "create_date".into(),
                Value::from(format_rfc3339(at.epoch_ms())),
            );
        }
    }
}

/// Dates the keys an apply creates at `now`, keeping the dates of the keys it keeps.
fn date_new_keys(before: &State, after: &mut State, now: SimTime) {
    for (address, resource) in &mut after.resources {
        if resource.type_name != "aws_iam_access_key" {
            continue;
        }
        let kept = before
            .resources
            .get(address)
            .filter(|old| old.attributes.get("id") == resource.attributes.get("id"))
            .and_then(|old| old.attributes.get("create_date").cloned());
        resource.attributes.insert(
            "create_date".into(),
            kept.unwrap_or_else(|| Value::from(format_rfc3339(now.epoch_ms()))),
        );
    }
}

/// A compliance rule in the style of an AWS Config managed rule.
pub struct ConfigRule {
    pub name: &'static str,
    pub resource_type: &'static str,
    /// The stages of the promotion order the rule is scoped to.
    pub stages: &'static [Stage],
    /// What a compliant resource is, for people.
    pub description: &'static str,
    check: fn(&BTreeMap<String, Value>, SimTime) -> bool,
}

const ALL: &[Stage] = &[Stage::First, Stage::Middle, Stage::Last];

impl ConfigRule {
    /// Whether the rule is scoped to environments at `stage`.
    pub fn applies_to(&self, stage: Stage) -> bool {
        self.stages.contains(&stage)
    }
}

/// The rules, with the environments each one is scoped to.
pub const CONFIG_RULES: [ConfigRule; 6] = [
    ConfigRule {
        name: "rds-multi-az-support",
        resource_type: "aws_db_instance",
        stages: &[Stage::Last],
        description: "RDS instances run Multi-AZ",
        check: |a, _| a.get("multi_az") == Some(&Value::Bool(true)),
    },
    ConfigRule {
        name: "rds-storage-encrypted",
        resource_type: "aws_db_instance",
        stages: ALL,
        description: "RDS storage is encrypted",
        check: |a, _| a.get("storage_encrypted") == Some(&Value::Bool(true)),
    },
    ConfigRule {
        name: "db-instance-backup-enabled",
        resource_type: "aws_db_instance",
        stages: &[Stage::Middle, Stage::Last],
        description: "RDS automated backups are kept",
        check: |a, _| {
            a.get("backup_retention_period")
                .and_then(Value::as_f64)
                .is_some_and(|days| days > 0.0)
        },
    },
    ConfigRule {
        name: "dynamodb-pitr-enabled",
        resource_type: "aws_dynamodb_table",
        stages: &[Stage::Last],
        description: "DynamoDB tables have point-in-time recovery",
        check: |a, _| {
            let Some(Value::Array(blocks)) = a.get("point_in_time_recovery") else {
                return false;
            };
            blocks.iter().any(|block| {
                block.as_object().and_then(|o| o.get("enabled")) == Some(&Value::Bool(true))
            })
        },
    },
    ConfigRule {
        name: "access-keys-rotated",
        resource_type: "aws_iam_access_key",
        stages: ALL,
        description: "IAM access keys are younger than 90 days",
        check: |a, now| {
            a.get("create_date")
                .and_then(Value::as_str)
                .and_then(parse_rfc3339)
                .is_none_or(|created| now.epoch_ms() - created <= KEY_MAX_AGE.as_ms())
        },
    },
    ConfigRule {
        name: "s3-bucket-public-read-prohibited",
        resource_type: "aws_s3_bucket",
        stages: ALL,
        description: "S3 buckets do not allow public read",
        check: |a, _| {
            !matches!(
                a.get("acl").and_then(Value::as_str),
                Some("public-read" | "public-read-write")
            )
        },
    },
];

/// The AWS Config resource id of a resource: an RDS `DbiResourceId`, a key id, a name.
fn config_resource_id(resource: &terraform::ResourceState) -> String {
    let text = |name: &str| {
        resource
            .attributes
            .get(name)
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    match resource.type_name.as_str() {
        "aws_db_instance" => text("resource_id"),
        _ => text("id"),
    }
    .unwrap_or_default()
}

/// Every rule scoped to `env` against every resource of its type in `state`.
fn evaluate_rules(stage: Stage, state: &State, now: SimTime) -> Vec<Finding> {
    let mut findings = Vec::new();
    for rule in CONFIG_RULES.iter().filter(|r| r.applies_to(stage)) {
        for resource in state
            .resources
            .values()
            .filter(|r| r.type_name == rule.resource_type)
        {
            findings.push(Finding {
                rule: rule.name,
                resource_id: config_resource_id(resource),
                compliant: (rule.check)(&resource.attributes, now),
            });
        }
    }
    findings
}

/// The fixed part of a month's bill (730 hours) for resources of the given types and
/// attributes: instances by the hour, storage by the GB-month, web ACLs. Usage-based charges
/// (requests, transfer) are left out.
pub fn monthly_cost<'a>(
    resources: impl IntoIterator<Item = (&'a str, &'a BTreeMap<String, Value>)>,
) -> f64 {
    const HOURS: f64 = 730.0;
    let number = |a: &BTreeMap<String, Value>, name: &str| a.get(name).and_then(Value::as_f64);
    let text = |a: &'a BTreeMap<String, Value>, name: &str| -> Option<&'a str> {
        a.get(name).and_then(Value::as_str)
    };
    let mut total = 0.0;
    for (type_name, attributes) in resources {
        total += match type_name {
            "aws_db_instance" => {
                let copies = if attributes.get("multi_az") == Some(&Value::Bool(true)) {
                    2.0
                } else {
                    1.0
                };
                let instance = text(attributes, "instance_class")
                    .and_then(crate::database::instance_class)
                    .map_or(0.0, |class| class.hourly_usd * HOURS);
                // gp2 storage in eu-west-3, per GB-month.
                let storage = number(attributes, "allocated_storage").unwrap_or(20.0) * 0.133;
                copies * (instance + storage)
            }
            "aws_elasticache_cluster" => {
                let nodes = number(attributes, "num_cache_nodes").unwrap_or(1.0);
                let hourly = text(attributes, "node_type").map_or(0.0, cache_node_hourly_usd);
                nodes * hourly * HOURS
            }
            // A web ACL is billed by the month, plus each of its rules.
            "aws_wafv2_web_acl" => {
                let rules = match attributes.get("rule") {
                    Some(Value::Array(rules)) => rules.len() as f64,
                    _ => 0.0,
                };
                5.0 + rules
            }
            _ => 0.0,
        };
    }
    total
}

/// On-demand price of an ElastiCache node in eu-west-3, in dollars per hour.
pub fn cache_node_hourly_usd(node_type: &str) -> f64 {
    match node_type {
        "cache.t3.micro" => 0.018,
        "cache.t3.small" => 0.036,
        "cache.t3.medium" => 0.072,
        "cache.m5.large" => 0.164,
        "cache.m5.xlarge" => 0.328,
        "cache.r5.large" => 0.228,
        "cache.r5.xlarge" => 0.456,
        _ => 0.0,
    }
}

/// The cost of what is deployed in `state`.
pub fn state_cost(state: &State) -> f64 {
    monthly_cost(
        state
            .resources
            .values()
            .map(|r| (r.type_name.as_str(), &r.attributes)),
    )
}

/// The cost of what the configuration asks for, when it plans.
pub fn planned_cost(outcome: &PlanOutcome) -> Option<f64> {
    let evaluated = outcome.evaluated.as_ref()?;
    if outcome.has_errors() {
        return None;
    }
    Some(monthly_cost(
        evaluated
            .instances
            .iter()
            .map(|i| (i.type_name.as_str(), &i.config)),
    ))
}

/// The text of the message a compliance change posts.
pub fn finding_text(finding: &Finding, region: &str) -> String {
    let state = if finding.compliant {
        "compliant"
    } else {
        "non-compliant"
    };
    format!(
        "Rule `{}` is {state} for resource `{}` in region `{region}`.",
        finding.rule, finding.resource_id
    )
}
