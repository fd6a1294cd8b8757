//! The Terraform project as a tool of the world: its commands, its step, the series it
//! exposes, its checkpoint and its page.

use super::*;
use crate::promql::Sample;
use crate::tool::Lent;
use serde::Serialize;

/// What the learner asks of the project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InfraCommand {
    /// `terraform apply` in an environment, with the plan the files give now.
    Apply { env: String },
}

impl InfraCommand {
    /// Reads `apply ENV`.
    pub fn parse(line: &str) -> Result<InfraCommand, String> {
        match line.trim().strip_prefix("apply ") {
            Some(env) if !env.trim().is_empty() => Ok(InfraCommand::Apply {
                env: env.trim().to_string(),
            }),
            _ => Err(format!(
                "`{line}` is not a command of the project: try `apply ENV`"
            )),
        }
    }
}

impl Tool for Infrastructure {
    const NAME: &'static str = "terraform";
    type Command = InfraCommand;
    type Saved = Vec<EnvInfraState>;
    type Snapshot = Vec<InfraSnapshot>;

    fn parse(line: &str) -> Result<InfraCommand, String> {
        InfraCommand::parse(line)
    }

    fn command(
        &mut self,
        command: InfraCommand,
        world: &dyn Surroundings,
        _lent: &mut Lent,
    ) -> Result<Vec<Effect>, String> {
        let InfraCommand::Apply { env } = command;
        let now = world.now();
        let files = project_files(world);
        let mut effects: Vec<Effect> = self
            .start_apply(&env, &files, now)
            .into_iter()
            .map(|line| Effect::Log(EventLevel::Info, line))
            .collect();
        if self.env(&env).is_some_and(|e| e.running.is_some()) {
            effects.push(Effect::Mark(ChangeMarker {
                at: now,
                kind: crate::tool::ChangeKind::Change,
                env,
                service: String::new(),
                text: "terraform apply".into(),
            }));
        }
        Ok(effects)
    }

    fn reads(&self, path: &str) -> bool {
        path.starts_with(TERRAFORM_DIR)
    }

    fn file_written(&mut self, _path: &str, world: &dyn Surroundings) -> Vec<Effect> {
        // Until the world has built its project, there is nothing to plan again.
        if self.envs.is_empty() {
            return Vec::new();
        }
        self.refresh(world)
    }

    /// Running applies move on; what completed reaches the platform and the compliance rules.
    fn step(&mut self, world: &dyn Surroundings, _lent: &mut Lent) -> Vec<Effect> {
        let now = world.now();
        let (lines, changed) = self.advance_applies(now);
        let mut effects: Vec<Effect> = lines
            .into_iter()
            .map(|(level, line)| Effect::Log(level, line))
            .collect();
        if changed {
            effects.extend(self.refresh(world));
            for (env, finding) in self.evaluate_compliance(now) {
                effects.extend(finding_effects(&env, &finding, world));
            }
        } else {
            effects.extend(self.follow_databases(now).into_iter().map(Effect::Mark));
        }
        effects
    }

    /// What Terraform and AWS Config say of each environment: the pending plan, applies, the
    /// monthly cost, non-compliant resources per rule.
    fn expose(&self, world: &dyn Surroundings, samples: &mut Vec<Sample>) {
        for infra in &self.envs {
            // From the world's cache: the same sets at every scrape, found by pointer.
            let labels_with = |name: &str, key: &str, value: &str| {
                world
                    .labels()
                    .get(&[("__name__", name), ("env", &infra.env), (key, value)])
            };
            let labels = |name: &str| {
                world
                    .labels()
                    .get(&[("__name__", name), ("env", &infra.env)])
            };
            let counts = infra.outcome.plan.as_ref().map(|p| p.counts());
            for (action, count) in [
                ("add", counts.map(|c| c.0)),
                ("change", counts.map(|c| c.1)),
                ("destroy", counts.map(|c| c.2)),
            ] {
                if let Some(count) = count {
                    samples.push(Sample::new(
                        labels_with("opsdojo_terraform_plan_changes", "action", action),
                        count as f64,
                    ));
                }
            }
            let errors = infra
                .outcome
                .diagnostics
                .iter()
                .filter(|d| d.is_error())
                .count();
            samples.push(Sample::new(
                labels("opsdojo_terraform_plan_errors"),
                errors as f64,
            ));
            samples.push(Sample::new(
                labels("opsdojo_terraform_applies_total"),
                infra.applies as f64,
            ));
            samples.push(Sample::new(
                labels("opsdojo_terraform_apply_running"),
                f64::from(u8::from(infra.running.is_some())),
            ));
            samples.push(Sample::new(
                labels("opsdojo_terraform_resources_destroyed_total"),
                infra.destroyed as f64,
            ));
            let mut by_type: BTreeMap<&str, usize> = BTreeMap::new();
            for resource in infra.state.resources.values() {
                *by_type.entry(resource.type_name.as_str()).or_default() += 1;
            }
            for (type_name, count) in by_type {
                samples.push(Sample::new(
                    labels_with("opsdojo_terraform_state_resources", "type", type_name),
                    count as f64,
                ));
            }
            samples.push(Sample::new(
                labels("opsdojo_infra_monthly_cost_dollars"),
                state_cost(&infra.state),
            ));
            for rule in CONFIG_RULES.iter().filter(|r| r.applies_to(infra.stage)) {
                let failing = infra
                    .findings
                    .iter()
                    .filter(|f| f.rule == rule.name && !f.compliant)
                    .count();
                samples.push(Sample::new(
                    labels_with(
                        "aws_config_noncompliant_resources",
                        "config_rule_name",
                        rule.name,
                    ),
                    failing as f64,
                ));
            }
        }
    }

    fn save(&self) -> Vec<EnvInfraState> {
        self.state()
    }

    fn restore(saved: Vec<EnvInfraState>, world: &dyn Surroundings) -> Result<Self, String> {
        Infrastructure::restore(saved, world.platform(), &project_files(world))
    }

    fn snapshot(&self, world: &dyn Surroundings) -> Vec<InfraSnapshot> {
        let now = world.now();
        self.envs
            .iter()
            .map(|infra| InfraSnapshot::of(infra, now))
            .collect()
    }
}

impl Infrastructure {
    /// Plans every environment again: the plans' diagnostics go on the project's files, and the
    /// databases follow their states (their class changes marked).
    pub fn refresh(&mut self, world: &dyn Surroundings) -> Vec<Effect> {
        let files = project_files(world);
        self.replan(&files);
        let mut effects = vec![Effect::Diagnose {
            dir: TERRAFORM_DIR,
            by_file: self.diagnostics(&files),
        }];
        effects.extend(
            self.follow_databases(world.now())
                .into_iter()
                .map(Effect::Mark),
        );
        effects
    }
}

/// The project's files among the world's, by path inside `terraform/`.
pub fn project_files(world: &dyn Surroundings) -> Files {
    world
        .files()
        .into_iter()
        .filter_map(|(path, text)| {
            path.strip_prefix(TERRAFORM_DIR)
                .map(|inside| (inside.to_string(), text.to_string()))
        })
        .collect()
}

/// A compliance change, posted to the environment's infrastructure channel and logged.
pub fn finding_effects(env: &str, finding: &Finding, world: &dyn Surroundings) -> [Effect; 2] {
    let text = finding_text(finding, REGION);
    let verdict = if finding.compliant {
        "COMPLIANT"
    } else {
        "NON_COMPLIANT"
    };
    [
        Effect::Post(crate::alertmanager::ChatMessage {
            at: world.now(),
            channel: format!("{}{env}", world.platform().chat.infra),
            receiver: "aws-config".into(),
            status: crate::alertmanager::Status::of(!finding.compliant),
            title: format!("{env} - {} - {verdict}", finding.rule),
            text: text.clone(),
            group_labels: BTreeMap::new(),
            alerts: Vec::new(),
        }),
        Effect::Log(
            if finding.compliant {
                EventLevel::Info
            } else {
                EventLevel::Warning
            },
            format!("{env}: AWS Config: {text}"),
        ),
    ]
}

/// One environment as the Terraform view shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InfraSnapshot {
    pub env: String,
    /// What `terraform plan` prints: diagnostics, then the plan.
    pub plan_text: String,
    /// `(to add, to change, to destroy)`, when the configuration plans.
    pub counts: Option<(usize, usize, usize)>,
    pub errors: usize,
    /// Resources the plan would replace or destroy, by address.
    pub dangerous: Vec<String>,
    /// Monthly cost of what is deployed, and of what the configuration asks for.
    pub cost_now: f64,
    pub cost_planned: Option<f64>,
    /// Variable values as the environment's plan reads them (sensitive ones hidden).
    pub variables: Vec<(String, String)>,
    /// The database as deployed: `db.r5.2xlarge, Multi-AZ`.
    pub database: String,
    /// The running apply's current line and progress, from 0 to 1.
    pub running: Option<(String, f64)>,
    /// What the last apply printed.
    pub output: Vec<String>,
    pub findings: Vec<super::Finding>,
}

impl InfraSnapshot {
    pub(super) fn of(infra: &super::EnvInfra, now: SimTime) -> Self {
        let evaluated = infra.outcome.evaluated.as_ref();
        let variables = evaluated.map_or_else(Vec::new, |e| {
            e.variables
                .iter()
                .map(|(name, value)| {
                    let shown = if e.sensitive_variables.contains(name) {
                        "(sensitive value)".to_string()
                    } else {
                        crate::terraform::value::render_value(value)
                    };
                    (name.clone(), shown)
                })
                .collect()
        });
        let plan = infra.outcome.plan.as_ref();
        let database = super::database_of(&infra.state).map_or_else(
            || "none".to_string(),
            |db| {
                let class = db
                    .attributes
                    .get("instance_class")
                    .and_then(hcl::Value::as_str)
                    .unwrap_or("?");
                let multi_az = db.attributes.get("multi_az") == Some(&hcl::Value::Bool(true));
                format!("{class}{}", if multi_az { ", Multi-AZ" } else { "" })
            },
        );
        InfraSnapshot {
            env: infra.env.clone(),
            plan_text: infra.plan_text.clone(),
            counts: plan.map(crate::terraform::Plan::counts),
            errors: infra
                .outcome
                .diagnostics
                .iter()
                .filter(|d| d.is_error())
                .count(),
            dangerous: plan.map_or_else(Vec::new, |p| {
                p.changes
                    .iter()
                    .filter(|c| {
                        matches!(
                            c.action,
                            crate::terraform::Action::Delete
                                | crate::terraform::Action::Replace { .. }
                        )
                    })
                    .map(|c| c.address.clone())
                    .collect()
            }),
            cost_now: super::state_cost(&infra.state),
            cost_planned: super::planned_cost(&infra.outcome),
            variables,
            database,
            running: infra.still_running(now).zip(infra.progress(now)),
            output: infra.output.clone(),
            findings: infra.findings.clone(),
        }
    }
}
