//! The infrastructure in the world: applies that complete, the databases that follow their
//! state, compliance findings posted to the channel, and the series the project exposes.

use super::*;

impl World {
    /// Running applies move on; what completed reaches the platform and the compliance rules.
    pub(super) fn step_infra(&mut self) {
        let (lines, changed) = self.infra.step(self.now);
        for (level, line) in lines {
            self.log(level, line);
        }
        if changed {
            self.refresh_infra();
            for (env, finding) in self.infra.evaluate_compliance(self.now) {
                self.post_finding(&env, &finding);
            }
        } else {
            self.sync_databases();
        }
    }

    /// Each environment's database follows its state: class, Multi-AZ, availability.
    pub(super) fn sync_databases(&mut self) {
        let now = self.now;
        let mut markers = Vec::new();
        for environment in &mut self.environments {
            let Some(view) = self.infra.database(&environment.name, now) else {
                continue;
            };
            let database = &mut environment.database;
            if let Some(class) = database::instance_class(&view.class) {
                if class.name != database.class.name {
                    markers.push(ChangeMarker {
                        at: now,
                        kind: "change",
                        env: environment.name.clone(),
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
        for marker in markers {
            self.mark_change(marker);
        }
    }

    /// Plans every environment again and puts the plans' diagnostics on the project's files.
    pub(super) fn refresh_infra(&mut self) {
        let files = self.project_files();
        self.infra.replan(&files);
        let mut diagnostics = self.infra.diagnostics(&files);
        for (path, file) in self.files.iter_mut() {
            if path.starts_with(infra::TERRAFORM_DIR) {
                file.diagnostics = diagnostics.remove(path).unwrap_or_default();
            }
        }
        self.sync_databases();
    }

    /// Posts a compliance change to the environment's infrastructure channel.
    pub(super) fn post_finding(&mut self, env: &str, finding: &infra::Finding) {
        let text = infra::finding_text(finding, infra::REGION);
        self.monitoring.post(crate::alertmanager::ChatMessage {
            at: self.now,
            channel: format!("{}{env}", self.scenario.platform.chat.infra),
            receiver: "aws-config".into(),
            status: if finding.compliant {
                "resolved"
            } else {
                "firing"
            },
            title: format!(
                "{env} - {} - {}",
                finding.rule,
                if finding.compliant {
                    "COMPLIANT"
                } else {
                    "NON_COMPLIANT"
                }
            ),
            text: text.clone(),
            group_labels: BTreeMap::new(),
            alerts: Vec::new(),
        });
        self.log(
            if finding.compliant {
                EventLevel::Info
            } else {
                EventLevel::Warning
            },
            format!("{env}: AWS Config: {text}"),
        );
    }

    /// What Terraform and AWS Config say of each environment: the pending plan, applies, the
    /// monthly cost, non-compliant resources per rule.
    pub(super) fn infra_series(&self, samples: &mut Vec<Sample>) {
        for infra in &self.infra.envs {
            // From the world's cache: the same sets at every scrape, found by pointer.
            let labels_with = |name: &str, key: &str, value: &str| {
                self.label_cache
                    .get(&[("__name__", name), ("env", &infra.env), (key, value)])
            };
            let labels = |name: &str| {
                self.label_cache
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
                infra::state_cost(&infra.state),
            ));
            for rule in infra::CONFIG_RULES
                .iter()
                .filter(|r| r.applies_to(infra.stage))
            {
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
}
