//! The pull request in the world: its commands routed, its step run, the deployments it asks
//! for carried out and announced, and the series its pipeline exposes.

use super::*;

impl World {
    /// The open pull request, if the scenario has one.
    pub fn pull_request(&self) -> Option<&crate::delivery::PullRequest> {
        self.pull_request.as_ref()
    }

    /// Runs a command on the pull request; what it says is kept on the pull request. The
    /// world adds what the pull request cannot see (a promotion waits for the environment
    /// before production to be ready) and carries out what a command starts (deployments,
    /// messages in the deploys channel).
    pub(super) fn pull_request_command(&mut self, line: &str) -> Result<(), String> {
        use crate::delivery::{Delivery, PullCommand};
        let files = self.file_contents();
        let now = self.now;
        let platform = self.scenario.platform.clone();
        let Some(pull) = self.pull_request.as_mut() else {
            return Err("this world has no pull request".into());
        };
        let command = PullCommand::parse(line);
        let outcome = command.clone().and_then(|command| {
            let service = &pull.spec.service;
            let first = platform.pre_production();
            let mut staged = || {
                deployment_mut(&mut self.environments, first, service)
                    .is_some_and(|d| !d.rolling_out() && d.ready_pods(now) >= d.desired as usize)
            };
            if command == PullCommand::Promote && pull.delivery == Delivery::Staging && !staged() {
                return Err(format!(
                    "{first} is still rolling {service} out: wait for it to be ready"
                ));
            }
            pull.run(&command, &files, now)
        });
        pull.last_outcome = Some(outcome.clone());
        let message = outcome?;
        let (service, version, number) = (
            pull.spec.service.clone(),
            pull.spec.version.clone(),
            pull.spec.number,
        );
        self.log(
            EventLevel::Info,
            format!("pull request #{number}: {message}"),
        );
        match command? {
            PullCommand::Promote => {
                let production = platform.production();
                self.roll_out(production, &service, &version);
                self.post_deploy(format!("{service} {version} promoted to {production}"));
            }
            PullCommand::Rollback => self.change_cluster(crate::kube::kubectl::Change::Undo {
                namespace: platform.production().into(),
                deployment: service,
            }),
            PullCommand::Merge => self.post_deploy(format!(
                "#{number} merged: building {service}:{version} on main"
            )),
            _ => {}
        }
        Ok(())
    }

    /// A step of the pull request: checks finish, reviewers approve, a merged build deploys.
    pub(super) fn step_pull_request(&mut self) {
        let now = self.now;
        let Some(pull) = self.pull_request.as_mut() else {
            return;
        };
        let service = pull.spec.service.clone();
        for (env, version) in pull.step(now) {
            self.roll_out(&env, &service, &version);
            self.post_deploy(format!("{service} {version} deploying to {env}"));
        }
    }

    /// A message from the delivery pipeline in the platform's deploys channel.
    pub(super) fn post_deploy(&mut self, text: String) {
        self.monitoring.post(crate::alertmanager::ChatMessage {
            at: self.now,
            channel: self.scenario.platform.chat.deploys.clone(),
            receiver: "jenkins".into(),
            status: "resolved",
            title: "Jenkins".into(),
            text,
            group_labels: BTreeMap::new(),
            alerts: Vec::new(),
        });
    }

    /// The pull request's state as the delivery exporter gives it (checks, approvals, merge),
    /// and its preview environment once it answers: its deployment and the blackbox probe of
    /// its URL.
    pub(super) fn pull_request_series(&self, samples: &mut Vec<Sample>) {
        let Some(pull) = &self.pull_request else {
            return;
        };
        let number = pull.spec.number.to_string();
        // From the world's cache: the same sets at every scrape, found by pointer.
        let cached = |pairs: &[(&str, &str)]| self.label_cache.get(pairs);
        let pr = |name: &str| cached(&[("__name__", name), ("pull_request", &number)]);
        for check in &pull.checks {
            let success = check.status_at(self.now) == crate::delivery::CheckStatus::Success;
            samples.push(Sample::new(
                cached(&[
                    ("__name__", "opsdojo_pull_request_check_success"),
                    ("pull_request", &number),
                    ("check", &check.name),
                ]),
                f64::from(u8::from(success)),
            ));
        }
        samples.push(Sample::new(
            pr("opsdojo_pull_request_approvals"),
            pull.approvals.len() as f64,
        ));
        samples.push(Sample::new(
            pr("opsdojo_pull_request_merged"),
            f64::from(u8::from(pull.merged_at.is_some())),
        ));
        let Some(preview) = pull.preview_ready(self.now) else {
            return;
        };
        let namespace = preview.namespace.as_str();
        let labels = |name: &str, key: &str, value: &str| {
            cached(&[
                ("__name__", name),
                ("env", namespace),
                ("namespace", namespace),
                (key, value),
            ])
        };
        samples.push(Sample::new(
            labels(
                "kube_deployment_status_replicas_ready",
                "deployment",
                &pull.spec.service,
            ),
            1.0,
        ));
        samples.push(Sample::new(
            labels("probe_success", "instance", &preview.url),
            1.0,
        ));
        // A small, steady probe time: the preview serves only its smoke tests.
        let wobble = (self.now.epoch_ms() / 15_000 % 7) as f64 * 0.004;
        samples.push(Sample::new(
            labels("probe_duration_seconds", "instance", &preview.url),
            0.081 + wobble,
        ));
        samples.push(Sample::new(
            cached(&[
                ("__name__", "opsdojo_preview_info"),
                ("env", namespace),
                ("namespace", namespace),
                ("url", &preview.url),
                ("commit", &preview.commit),
                ("pull_request", &number),
            ]),
            1.0,
        ));
    }
}
