//! The delivery pipeline as a tool of the world: the pull request's commands, its step, the
//! deployments it asks for, the series its exporter gives, its checkpoint and its page.

use super::*;
use crate::promql::Sample;
use crate::tool::{Effect, EventLevel, Lent, Surroundings, Tool};

/// The pull request open on the application's repository, if the scenario has one.
#[derive(Debug, Clone, Default)]
pub struct Pipeline(pub Option<PullRequest>);

impl Tool for Pipeline {
    const NAME: &'static str = "pull request";
    type Command = PullCommand;
    type Saved = Option<PullRequest>;
    type Snapshot = Option<PullRequestSnapshot>;

    fn parse(line: &str) -> Result<PullCommand, String> {
        PullCommand::parse(line)
    }

    /// A line the pull request cannot read is answered on the pull request, as a command it
    /// refuses is.
    fn run_line(
        &mut self,
        line: &str,
        world: &dyn Surroundings,
        lent: &mut Lent,
    ) -> Result<Vec<Effect>, String> {
        let Some(pull) = self.0.as_mut() else {
            return Err("this world has no pull request".into());
        };
        match PullCommand::parse(line) {
            Ok(command) => self.command(command, world, lent),
            Err(why) => {
                pull.last_outcome = Some(Err(why.clone()));
                Err(why)
            }
        }
    }

    /// Runs a command; what it says is kept on the pull request. What the pull request cannot
    /// see is checked here (a promotion waits for the environment before production to be
    /// ready), and what a command starts comes back as effects (deployments, messages in the
    /// deploys channel).
    fn command(
        &mut self,
        command: PullCommand,
        world: &dyn Surroundings,
        _lent: &mut Lent,
    ) -> Result<Vec<Effect>, String> {
        let Some(pull) = self.0.as_mut() else {
            return Err("this world has no pull request".into());
        };
        let now = world.now();
        let platform = world.platform();
        // A push reads the application's files only: the others are not copied.
        let files: BTreeMap<String, String> = world
            .files()
            .into_iter()
            .filter(|(path, _)| path.starts_with(APP_DIR))
            .map(|(path, content)| (path.to_string(), content.to_string()))
            .collect();
        let first = platform.pre_production();
        let service = pull.spec.service.clone();
        let outcome = if command == PullCommand::Promote
            && pull.delivery == Delivery::Staging
            && !world.rolled_out(first, &service)
        {
            Err(format!(
                "{first} is still rolling {service} out: wait for it to be ready"
            ))
        } else {
            pull.run(&command, &files, now)
        };
        pull.last_outcome = Some(outcome.clone());
        let message = outcome?;
        let (version, number) = (pull.spec.version.clone(), pull.spec.number);
        let production = platform.production();
        let mut effects = vec![Effect::Log(
            EventLevel::Info,
            format!("pull request #{number}: {message}"),
        )];
        match command {
            PullCommand::Promote => effects.extend([
                Effect::RollOut {
                    env: production.to_string(),
                    service: service.clone(),
                    version: version.clone(),
                },
                deploy_message(
                    world,
                    format!("{service} {version} promoted to {production}"),
                ),
            ]),
            PullCommand::Rollback => {
                effects.push(Effect::Cluster(crate::kube::kubectl::Change::Undo {
                    namespace: production.to_string(),
                    deployment: service,
                }))
            }
            PullCommand::Merge => effects.push(deploy_message(
                world,
                format!("#{number} merged: building {service}:{version} on main"),
            )),
            _ => {}
        }
        Ok(effects)
    }

    /// Checks finish, reviewers approve, a merged build deploys.
    fn step(&mut self, world: &dyn Surroundings, _lent: &mut Lent) -> Vec<Effect> {
        let Some(pull) = self.0.as_mut() else {
            return Vec::new();
        };
        let service = pull.spec.service.clone();
        let mut effects = Vec::new();
        for (env, version) in pull.step(world.now()) {
            let text = format!("{service} {version} deploying to {env}");
            effects.push(Effect::RollOut {
                env,
                service: service.clone(),
                version,
            });
            effects.push(deploy_message(world, text));
        }
        effects
    }

    /// The pull request's state as the delivery exporter gives it (checks, approvals, merge),
    /// and its preview environment once it answers: its deployment and the blackbox probe of
    /// its URL.
    fn expose(&self, world: &dyn Surroundings, samples: &mut Vec<Sample>) {
        let Some(pull) = &self.0 else {
            return;
        };
        let number = pull.spec.number.to_string();
        // From the world's cache: the same sets at every scrape, found by pointer.
        let cached = |pairs: &[(&str, &str)]| world.labels().get(pairs);
        let pr = |name: &str| cached(&[("__name__", name), ("pull_request", &number)]);
        for check in &pull.checks {
            let success = check.status_at(world.now()) == CheckStatus::Success;
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
        let Some(preview) = pull.preview_ready(world.now()) else {
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
        let wobble = (world.now().epoch_ms() / 15_000 % 7) as f64 * 0.004;
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

    fn save(&self) -> Option<PullRequest> {
        self.0.clone()
    }

    /// The pull request as kept, promoted through the environments of the world it is
    /// restored into.
    fn restore(saved: Option<PullRequest>, world: &dyn Surroundings) -> Result<Self, String> {
        let platform = world.platform();
        Ok(Pipeline(saved.map(|mut pull| {
            pull.stages = (
                platform.pre_production().to_string(),
                platform.production().to_string(),
            );
            pull
        })))
    }

    fn snapshot(&self, world: &dyn Surroundings) -> Option<PullRequestSnapshot> {
        self.0
            .as_ref()
            .map(|pull| PullRequestSnapshot::of(pull, world))
    }
}

/// A message from the delivery pipeline in the platform's deploys channel.
fn deploy_message(world: &dyn Surroundings, text: String) -> Effect {
    Effect::Post(crate::alertmanager::ChatMessage {
        at: world.now(),
        channel: world.platform().chat.deploys.clone(),
        receiver: "jenkins".into(),
        status: crate::alertmanager::Status::Resolved,
        title: "Jenkins".into(),
        text,
        group_labels: BTreeMap::new(),
        alerts: Vec::new(),
    })
}

/// A pull request as its page shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PullRequestSnapshot {
    pub number: u32,
    pub title: String,
    pub author: String,
    pub branch: String,
    pub description: String,
    pub labels: Vec<String>,
    pub timeline: Vec<TimelineItem>,
    pub commits: Vec<String>,
    /// Each check with what it shows now.
    pub checks: Vec<(Check, CheckStatus)>,
    pub approvals: Vec<String>,
    pub reviewers: Vec<String>,
    pub required_approvals: usize,
    /// Why it cannot be merged now; empty when it can.
    pub blockers: Vec<String>,
    pub merged: bool,
    /// Where the merged release stands.
    pub delivery: Delivery,
    /// The preview's URL and whether it answers.
    pub preview: Option<(String, bool)>,
    /// The head's changed files: path, then the unified diff's lines (mark, text).
    pub diffs: Vec<(String, Vec<(char, String)>)>,
    /// Whether the application's files have changes the head does not.
    pub unpushed: bool,
    /// What the last command said: `Ok` text or `Err` reason.
    pub last_outcome: Option<Result<String, String>>,
    pub service: String,
    pub version: String,
    /// The version each environment runs of the service.
    pub running: Vec<(String, String)>,
}

impl PullRequestSnapshot {
    fn of(pull: &PullRequest, world: &dyn Surroundings) -> Self {
        let now = world.now();
        PullRequestSnapshot {
            number: pull.spec.number,
            title: pull.spec.title.clone(),
            author: pull.spec.author.clone(),
            branch: pull.spec.branch.clone(),
            description: pull.spec.description.clone(),
            labels: pull.labels.clone(),
            timeline: pull
                .timeline
                .iter()
                .filter(|t| t.at <= now)
                .cloned()
                .collect(),
            commits: pull.commits.clone(),
            checks: pull
                .checks
                .iter()
                .map(|check| (check.clone(), check.status_at(now)))
                .collect(),
            approvals: pull.approvals.clone(),
            reviewers: pull.spec.reviewers.clone(),
            required_approvals: pull.spec.required_approvals,
            blockers: pull.merge_blockers(now),
            merged: pull.merged_at.is_some(),
            delivery: pull.delivery,
            preview: pull
                .preview
                .as_ref()
                .map(|p| (p.url.clone(), p.ready_at <= now)),
            diffs: pull.diffs.clone(),
            unpushed: pull.unpushed(world.files().into_iter()),
            last_outcome: pull.last_outcome.clone(),
            service: pull.spec.service.clone(),
            version: pull.spec.version.clone(),
            running: world
                .namespaces()
                .into_iter()
                .filter_map(|namespace| {
                    let deployment = namespace
                        .deployments
                        .iter()
                        .find(|d| d.service == pull.spec.service)?;
                    Some((
                        namespace.name.to_string(),
                        deployment.current_version().to_string(),
                    ))
                })
                .collect(),
        }
    }
}
