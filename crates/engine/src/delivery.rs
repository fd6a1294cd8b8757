//! A pull request on the application's repository, from review to prod.
//!
//! The pull request's files are world files under `app/`; editing one pushes a commit to its
//! branch. Each push runs the Jenkins pipeline on the new head: build, PHP lint, PHPUnit and
//! the coverage gate (the changed functions of `app/src` must be called by a test of
//! `app/tests` that asserts something, for at least 80 % of the changed lines). Reviewers
//! approve a head whose checks pass; a new push dismisses their approvals. The `cd/preview`
//! label runs the deploy hook, which deploys the head to a preview environment with its own URL.
//! Merging needs three approvals and every check green; it builds the image and deploys it to
//! staging, and a promotion takes it to prod.

use crate::time::{SimDuration, SimTime};
use serde::Serialize;
use similar::algorithms::{lcs, Capture, Replace};
use similar::udiff::UnifiedHunkHeader;
use similar::{group_diff_ops, DiffOp, DiffTag};
use std::collections::BTreeMap;

mod tool;
pub use tool::{Pipeline, PullRequestSnapshot};

/// The folder of the application's code among the world's files.
pub const APP_DIR: &str = "app/";

/// The label that deploys a pull request to its own preview environment.
pub const PREVIEW_LABEL: &str = "cd/preview";

/// The labels a pull request may carry.
pub const LABELS: [&str; 4] = [PREVIEW_LABEL, "bug", "enhancement", "do-not-merge"];

/// The share of changed lines the coverage gate asks tests to run, in percent.
pub const COVERAGE_THRESHOLD: u32 = 80;

/// A pull request as a scenario opens it.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct PullRequestSpec {
    pub number: u32,
    pub title: String,
    pub author: String,
    pub branch: String,
    pub description: String,
    /// The service whose image the merge builds, and the version it is released as.
    pub service: String,
    pub version: String,
    /// The teammates asked to review; the first one asks whether the change is tested.
    pub reviewers: Vec<String>,
    pub required_approvals: usize,
    /// The files as they are on `main`, by path; a file missing here is added by the branch.
    pub base: BTreeMap<String, String>,
    /// A bug the merged version carries: it hits the requests served by pods running
    /// `version`, in the fault's environment, whichever way the version got there.
    #[serde(default)]
    pub fault: Option<crate::fault::Fault>,
}

/// What a check says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    Pending,
    Success,
    Failure,
}

/// One status check on the head commit.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Check {
    /// `continuous-integration/jenkins/pr-head`, `jenkins/coverage`, `deploy/preview`.
    pub name: String,
    pub status: CheckStatus,
    /// When the result is known.
    pub done_at: SimTime,
    /// The one-line description GitHub shows.
    pub summary: String,
    /// The Jenkins console output.
    pub log: Vec<String>,
}

impl Check {
    /// What the check shows at `now`: pending until its result is in.
    pub fn status_at(&self, now: SimTime) -> CheckStatus {
        if now < self.done_at {
            CheckStatus::Pending
        } else {
            self.status
        }
    }
}

/// An entry of the conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct TimelineItem {
    pub at: SimTime,
    pub author: String,
    pub kind: TimelineKind,
    pub text: String,
}

/// What an entry of the conversation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimelineKind {
    /// Someone wrote in the conversation.
    Comment,
    /// The author pushed a commit.
    Commit,
    /// A push dismissed the approvals given before it.
    Dismissed,
    /// A reviewer approved.
    Approved,
    /// A label was added or removed.
    Label,
    /// The pull request was merged into `main`.
    Merged,
    /// Jenkins deployed, promoted or rolled back the release.
    Deployed,
}

impl TimelineKind {
    /// The word the page names it by (as it serializes).
    pub fn as_str(self) -> &'static str {
        match self {
            TimelineKind::Comment => "comment",
            TimelineKind::Commit => "commit",
            TimelineKind::Dismissed => "dismissed",
            TimelineKind::Approved => "approved",
            TimelineKind::Label => "label",
            TimelineKind::Merged => "merged",
            TimelineKind::Deployed => "deployed",
        }
    }
}

/// Where the merged change is on its way to prod.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Delivery {
    /// Not merged yet.
    None,
    /// Jenkins builds the image on `main`.
    Building { until: SimTime },
    /// The image is rolling out to staging, then waits for a promotion.
    Staging,
    /// Promoted: rolling out to prod.
    Prod,
    /// Prod went back to the previous version.
    RolledBack,
}

/// The preview environment of the `cd/preview` label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Preview {
    pub namespace: String,
    pub url: String,
    /// When it answers; before that the deploy hook runs.
    pub ready_at: SimTime,
    /// The head commit it runs.
    pub commit: String,
}

/// A command typed on the pull request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PullCommand {
    /// Push the world's `app/` files to the branch.
    Push,
    Label(String),
    Unlabel(String),
    Comment(String),
    Merge,
    /// Take the release from the environment before production to production.
    Promote,
    /// Roll production back to the version before this pull request's.
    Rollback,
}

impl PullCommand {
    /// `push`, `label NAME`, `unlabel NAME`, `comment TEXT`, `merge`, `promote`, `rollback`.
    pub fn parse(line: &str) -> Result<PullCommand, String> {
        let line = line.trim();
        let (verb, rest) = line.split_once(' ').unwrap_or((line, ""));
        let rest = rest.trim().to_string();
        Ok(match verb {
            "push" => PullCommand::Push,
            "label" => PullCommand::Label(rest),
            "unlabel" => PullCommand::Unlabel(rest),
            "comment" if !rest.is_empty() => PullCommand::Comment(rest),
            "merge" => PullCommand::Merge,
            "promote" => PullCommand::Promote,
            "rollback" => PullCommand::Rollback,
            _ => {
                return Err(format!(
                    "unknown command `{line}`: push, label NAME, unlabel NAME, comment TEXT, merge, promote, rollback"
                ))
            }
        })
    }
}

/// A pull request and everything that happened on it.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct PullRequest {
    pub spec: PullRequestSpec,
    pub labels: Vec<String>,
    pub timeline: Vec<TimelineItem>,
    /// Short hashes of the branch's commits, oldest first.
    pub commits: Vec<String>,
    /// When the head was pushed.
    pub pushed_at: SimTime,
    pub checks: Vec<Check>,
    /// Reviewers who approved the head.
    pub approvals: Vec<String>,
    pub merged_at: Option<SimTime>,
    pub delivery: Delivery,
    pub preview: Option<Preview>,
    /// The application's files as the head commit has them.
    pub head_files: BTreeMap<String, String>,
    /// What the head changes from `main`, as unified diffs by path; made once per push.
    pub diffs: Vec<(String, Vec<(char, String)>)>,
    /// What the last command said, for the page that typed it.
    pub last_outcome: Option<Outcome>,
    /// Reviewers still to approve the head, with when they will.
    pending_reviews: Vec<(String, SimTime)>,
    /// Where a merge deploys first, then where a promotion takes it: from the platform.
    #[serde(skip, default = "standard_stages")]
    pub(super) stages: (String, String),
}

/// The standard platform's environments before production and production.
fn standard_stages() -> (String, String) {
    ("staging".into(), "prod".into())
}

/// Build, lint and unit tests take this long; the coverage report comes after.
const BUILD_TIME: SimDuration = SimDuration::from_seconds(150);
const COVERAGE_TIME: SimDuration = SimDuration::from_seconds(40);
/// How long the preview deployment takes.
const PREVIEW_TIME: SimDuration = SimDuration::from_seconds(90);
/// Building the image on `main` after a merge.
const IMAGE_TIME: SimDuration = SimDuration::from_seconds(120);
/// Between two reviewers' approvals.
const REVIEW_GAP: SimDuration = SimDuration::from_seconds(90);

/// What a command on the pull request did, or why it could not.
pub type Outcome = Result<String, String>;

impl PullRequest {
    /// The pull request as it is opened at `now`, its checks running on `files`.
    pub fn open(
        spec: PullRequestSpec,
        files: &BTreeMap<String, String>,
        now: SimTime,
        stages: (String, String),
    ) -> Self {
        let mut pull = PullRequest {
            stages,
            labels: Vec::new(),
            timeline: Vec::new(),
            commits: Vec::new(),
            pushed_at: now,
            checks: Vec::new(),
            approvals: Vec::new(),
            merged_at: None,
            delivery: Delivery::None,
            preview: None,
            head_files: BTreeMap::new(),
            diffs: Vec::new(),
            last_outcome: None,
            pending_reviews: Vec::new(),
            spec,
        };
        pull.push(files, now);
        if let Some(first) = pull.spec.reviewers.first().cloned() {
            pull.say(now, &first, TimelineKind::Comment, "Is this tested?");
        }
        pull
    }

    fn say(&mut self, at: SimTime, author: &str, kind: TimelineKind, text: impl Into<String>) {
        self.timeline.push(TimelineItem {
            at,
            author: author.to_string(),
            kind,
            text: text.into(),
        });
    }

    /// The files the head changes: path, content on `main` (empty when added), content now.
    pub fn changed_files(&self) -> Vec<(&str, &str, &str)> {
        changed_between(&self.spec.base, &self.head_files)
    }

    /// Whether `files` hold application changes the head does not have.
    pub fn unpushed<'a>(&'a self, files: impl Iterator<Item = (&'a str, &'a str)>) -> bool {
        let head = self
            .head_files
            .iter()
            .map(|(p, c)| (p.as_str(), c.as_str()));
        files.filter(|(path, _)| path.starts_with(APP_DIR)).ne(head)
    }

    /// A new head with the application's `files`: checks start again and approvals are
    /// dismissed.
    pub fn push(&mut self, files: &BTreeMap<String, String>, now: SimTime) {
        self.head_files = app_files(files);
        let commit = short_hash(&self.head_files, self.commits.len());
        if !self.commits.is_empty() {
            let author = self.spec.author.clone();
            self.say(
                now,
                &author,
                TimelineKind::Commit,
                format!("pushed {commit}"),
            );
        }
        if !self.approvals.is_empty() {
            let text = format!(
                "{} approval(s) dismissed: new commits were pushed",
                self.approvals.len()
            );
            self.say(now, "github", TimelineKind::Dismissed, text);
        }
        self.commits.push(commit.clone());
        self.pushed_at = now;
        self.approvals.clear();
        self.pending_reviews.clear();
        let changed = changed_between(&self.spec.base, &self.head_files);
        self.checks = pipeline(&changed, &self.head_files, now, &commit);
        self.diffs = changed
            .iter()
            .map(|(path, base, head)| (path.to_string(), unified_diff(path, base, head)))
            .collect();
        if let Some(preview) = &self.preview {
            // The deploy hook redeploys the new head.
            let namespace = preview.namespace.clone();
            self.checks.push(preview_check(&namespace, now, &commit));
            self.preview = Some(Preview {
                ready_at: now.plus(PREVIEW_TIME),
                commit,
                ..preview.clone()
            });
        }
    }

    /// The head commit.
    pub fn head(&self) -> &str {
        self.commits.last().map_or("", String::as_str)
    }

    /// Whether every check of the head has passed at `now`.
    pub fn checks_green(&self, now: SimTime) -> bool {
        self.checks
            .iter()
            .all(|check| check.status_at(now) == CheckStatus::Success)
    }

    /// Why the pull request cannot be merged at `now`; empty when it can.
    pub fn merge_blockers(&self, now: SimTime) -> Vec<String> {
        let mut blockers = Vec::new();
        if self.merged_at.is_some() {
            blockers.push("the pull request is already merged".to_string());
            return blockers;
        }
        let failing: Vec<&str> = self
            .checks
            .iter()
            .filter(|c| c.status_at(now) == CheckStatus::Failure)
            .map(|c| c.name.as_str())
            .collect();
        let pending = self
            .checks
            .iter()
            .filter(|c| c.status_at(now) == CheckStatus::Pending)
            .count();
        if !failing.is_empty() {
            blockers.push(format!("required checks failed: {}", failing.join(", ")));
        }
        if pending > 0 {
            blockers.push(format!("{pending} required check(s) still running"));
        }
        if self.approvals.len() < self.spec.required_approvals {
            blockers.push(format!(
                "{} of {} required approvals",
                self.approvals.len(),
                self.spec.required_approvals
            ));
        }
        if self.labels.iter().any(|l| l == "do-not-merge") {
            blockers.push("labelled do-not-merge".to_string());
        }
        blockers
    }

    /// Lets time pass: checks finish, reviewers approve a green head, the preview comes up,
    /// the merged image is built. Returns the deliveries to start: `(environment, version)`.
    pub fn step(&mut self, now: SimTime) -> Vec<(String, String)> {
        let mut deliveries = Vec::new();
        // Reviewers look at a head once its checks are all green.
        if self.merged_at.is_none()
            && self.pending_reviews.is_empty()
            && self.approvals.is_empty()
            && self.checks_green(now)
        {
            let ready = self
                .checks
                .iter()
                .map(|check| check.done_at)
                .max()
                .unwrap_or(now);
            self.pending_reviews = self
                .spec
                .reviewers
                .iter()
                .enumerate()
                .map(|(index, reviewer)| {
                    (
                        reviewer.clone(),
                        ready.plus(SimDuration(REVIEW_GAP.0 * (index as i64 + 1))),
                    )
                })
                .collect();
        }
        while let Some((reviewer, at)) = self.pending_reviews.first().cloned() {
            if at > now {
                break;
            }
            self.pending_reviews.remove(0);
            let asked = self.spec.reviewers.first() == Some(&reviewer);
            let text = if asked {
                "Thanks for the test, LGTM 👍"
            } else {
                "LGTM"
            };
            self.say(at, &reviewer, TimelineKind::Approved, text);
            self.approvals.push(reviewer);
        }
        if let Delivery::Building { until } = self.delivery {
            if now >= until {
                self.delivery = Delivery::Staging;
                let first = self.stages.0.clone();
                deliveries.push((first.clone(), self.spec.version.clone()));
                let version = self.spec.version.clone();
                self.say(
                    until,
                    "jenkins",
                    TimelineKind::Deployed,
                    format!(
                        "main: image {}:{version} built, deploying to {first}",
                        self.spec.service
                    ),
                );
            }
        }
        deliveries
    }

    /// Runs a command typed on the pull request and keeps what it said. `files` are the
    /// world's files, which a push takes the branch's head from.
    pub fn command(
        &mut self,
        line: &str,
        files: &BTreeMap<String, String>,
        now: SimTime,
    ) -> Outcome {
        let outcome = PullCommand::parse(line).and_then(|command| self.run(&command, files, now));
        self.last_outcome = Some(outcome.clone());
        outcome
    }

    /// Runs one command; what it says is the outcome.
    pub fn run(
        &mut self,
        command: &PullCommand,
        files: &BTreeMap<String, String>,
        now: SimTime,
    ) -> Outcome {
        let author = self.spec.author.clone();
        match command {
            PullCommand::Push if self.merged_at.is_some() => {
                Err("the pull request is merged".to_string())
            }
            PullCommand::Push
                if !self.unpushed(files.iter().map(|(p, c)| (p.as_str(), c.as_str()))) =>
            {
                Err("Everything up-to-date: no change to push".to_string())
            }
            PullCommand::Push => {
                self.push(files, now);
                Ok(format!("pushed {} to {}", self.head(), self.spec.branch))
            }
            PullCommand::Label(rest) => {
                let rest = rest.as_str();
                if !LABELS.contains(&rest) {
                    return Err(format!(
                        "no label `{rest}` in this repository (labels: {})",
                        LABELS.join(", ")
                    ));
                }
                if self.labels.iter().any(|l| l == rest) {
                    return Err(format!("the pull request already has `{rest}`"));
                }
                if self.merged_at.is_some() {
                    return Err("the pull request is merged".into());
                }
                self.labels.push(rest.to_string());
                self.say(
                    now,
                    &author,
                    TimelineKind::Label,
                    format!("added the {rest} label"),
                );
                if rest == PREVIEW_LABEL {
                    let namespace = format!("pr-{}", self.spec.number);
                    let head = self.head().to_string();
                    self.checks.push(preview_check(&namespace, now, &head));
                    self.preview = Some(Preview {
                        url: format!("https://{namespace}.preview.opsdojo.dev"),
                        namespace,
                        ready_at: now.plus(PREVIEW_TIME),
                        commit: head,
                    });
                }
                Ok(format!("added the {rest} label"))
            }
            PullCommand::Unlabel(rest) => {
                let rest = rest.as_str();
                let Some(index) = self.labels.iter().position(|l| l == rest) else {
                    return Err(format!("the pull request has no `{rest}` label"));
                };
                self.labels.remove(index);
                self.say(
                    now,
                    &author,
                    TimelineKind::Label,
                    format!("removed the {rest} label"),
                );
                if rest == PREVIEW_LABEL {
                    self.preview = None;
                    self.checks.retain(|c| c.name != PREVIEW_CHECK);
                }
                Ok(format!("removed the {rest} label"))
            }
            PullCommand::Comment(text) => {
                self.say(now, &author, TimelineKind::Comment, text);
                Ok("commented".into())
            }
            PullCommand::Merge => {
                let blockers = self.merge_blockers(now);
                if !blockers.is_empty() {
                    return Err(format!("Merging is blocked: {}", blockers.join("; ")));
                }
                self.merged_at = Some(now);
                self.delivery = Delivery::Building {
                    until: now.plus(IMAGE_TIME),
                };
                self.preview = None;
                let head = self.head().to_string();
                self.say(
                    now,
                    &author,
                    TimelineKind::Merged,
                    format!("merged commit {head} into main"),
                );
                Ok(format!(
                    "Merged #{}; Jenkins builds {}:{} for {}",
                    self.spec.number, self.spec.service, self.spec.version, self.stages.0
                ))
            }
            PullCommand::Promote => match self.delivery {
                Delivery::Staging => {
                    let production = self.stages.1.clone();
                    self.delivery = Delivery::Prod;
                    let version = self.spec.version.clone();
                    self.say(
                        now,
                        &author,
                        TimelineKind::Deployed,
                        format!("promoted {}:{version} to {production}", self.spec.service),
                    );
                    Ok(format!(
                        "promoting {}:{version} to {production}",
                        self.spec.service
                    ))
                }
                Delivery::Prod => Err(format!("the release is already in {}", self.stages.1)),
                _ => Err(format!(
                    "nothing waits for a promotion: merge, and let {} deploy",
                    self.stages.0
                )),
            },
            PullCommand::Rollback => match self.delivery {
                Delivery::Prod => {
                    self.delivery = Delivery::RolledBack;
                    let production = self.stages.1.clone();
                    self.say(
                        now,
                        &author,
                        TimelineKind::Deployed,
                        format!(
                            "rolled {production} back from {}:{}",
                            self.spec.service, self.spec.version
                        ),
                    );
                    Ok(format!("rolling {production} back to the previous version"))
                }
                _ => Err(format!(
                    "{} runs no release of this pull request",
                    self.stages.1
                )),
            },
        }
    }

    /// The preview environment, once it answers.
    pub fn preview_ready(&self, now: SimTime) -> Option<&Preview> {
        self.preview.as_ref().filter(|p| p.ready_at <= now)
    }
}

/// The application's files among `files`.
fn app_files(files: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    files
        .iter()
        .filter(|(path, _)| path.starts_with(APP_DIR))
        .map(|(path, content)| (path.clone(), content.clone()))
        .collect()
}

/// The files `head` changes from `base`: path, content on `main` (empty when added), content
/// now (empty when deleted).
fn changed_between<'a>(
    base: &'a BTreeMap<String, String>,
    head: &'a BTreeMap<String, String>,
) -> Vec<(&'a str, &'a str, &'a str)> {
    let mut paths: Vec<&String> = base.keys().chain(head.keys()).collect();
    paths.sort();
    paths.dedup();
    paths
        .into_iter()
        .map(|path| {
            (
                path.as_str(),
                base.get(path).map_or("", String::as_str),
                head.get(path).map_or("", String::as_str),
            )
        })
        .filter(|(_, base, now)| base != now)
        .collect()
}

/// The deploy hook's check name.
pub const PREVIEW_CHECK: &str = "deploy/preview";

fn preview_check(namespace: &str, now: SimTime, commit: &str) -> Check {
    let url = format!("https://{namespace}.preview.opsdojo.dev");
    Check {
        name: PREVIEW_CHECK.into(),
        status: CheckStatus::Success,
        done_at: now.plus(PREVIEW_TIME),
        summary: format!("Deployed to {url}"),
        log: vec![
            format!("deploy hook: label {PREVIEW_LABEL} on commit {commit}"),
            format!("helm upgrade --install {namespace} deploy -n {namespace} --create-namespace -f deploy/values-dev.yaml --set image.tag={commit}"),
            format!("Release \"{namespace}\" has been upgraded. Happy Helming!"),
            format!("waiting for deployment rollout in namespace {namespace}: 1 of 1 updated replicas are available"),
            format!("smoke test: GET {url}/health → 200"),
            format!("Preview ready at {url}"),
        ],
    }
}

/// A short hash for the `n`th commit of a branch with these files.
fn short_hash(files: &BTreeMap<String, String>, n: usize) -> String {
    // FNV-1a over the application's files and the commit's position.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |bytes: &[u8]| {
        for byte in bytes {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    };
    for (path, content) in files.iter().filter(|(p, _)| p.starts_with(APP_DIR)) {
        feed(path.as_bytes());
        feed(content.as_bytes());
    }
    feed(&n.to_le_bytes());
    format!("{:07x}", hash & 0x0fff_ffff)
}

/// A PHP function of a file: its name and the 1-based lines of its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhpFunction {
    pub name: String,
    pub first_line: usize,
    pub last_line: usize,
}

/// The functions of a PHP file, found by their `function name(` and matching braces.
pub fn php_functions(text: &str) -> Vec<PhpFunction> {
    let lines: Vec<&str> = text.lines().collect();
    let mut functions = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        let Some(at) = line.find("function ") else {
            continue;
        };
        let name: String = line[at + "function ".len()..]
            .trim_start()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if name.is_empty() {
            continue;
        }
        // The body runs to the brace that closes the first one opened from here.
        let mut depth = 0i32;
        let mut opened = false;
        let mut last = index;
        'scan: for (offset, body_line) in lines[index..].iter().enumerate() {
            for character in body_line.chars() {
                match character {
                    '{' => {
                        depth += 1;
                        opened = true;
                    }
                    '}' => {
                        depth -= 1;
                        if opened && depth == 0 {
                            last = index + offset;
                            break 'scan;
                        }
                    }
                    _ => {}
                }
            }
            last = index + offset;
        }
        functions.push(PhpFunction {
            name,
            first_line: index + 1,
            last_line: last + 1,
        });
    }
    functions
}

/// Files whose line counts multiply past this are not diffed line by line: every line of the
/// new file counts as changed (a diff's work grows with both lengths).
const DIFF_MAX_LINE_PAIRS: usize = 4_000_000;

/// Lines of context a diff keeps around each change, as `git diff` does.
const DIFF_CONTEXT: usize = 3;

/// The operations that turn `base`'s lines into `now`'s (a longest common subsequence, as
/// `diff` finds it), or `None` when the files are too long to compare.
fn line_diff(base: &[&str], now: &[&str]) -> Option<Vec<DiffOp>> {
    if base.len().saturating_mul(now.len()) > DIFF_MAX_LINE_PAIRS {
        return None;
    }
    // Runs of equal lines merged, a deletion next to an insertion as one replacement.
    let mut hook = Replace::new(Capture::new());
    // Capturing cannot fail; no deadline, since the browser has no clock to read one from.
    lcs::diff_deadline_raw(&mut hook, base, 0..base.len(), now, 0..now.len(), None).ok()?;
    Some(hook.into_inner().into_ops())
}

/// The 1-based lines of `now` that are not in `base` (a line-based diff, as `git diff` counts
/// added and changed lines).
pub fn changed_lines(base: &str, now: &str) -> Vec<usize> {
    let (old, new): (Vec<&str>, Vec<&str>) = (base.lines().collect(), now.lines().collect());
    let Some(ops) = line_diff(&old, &new) else {
        return (1..=new.len()).collect();
    };
    ops.iter()
        .filter(|op| op.tag() != DiffTag::Equal)
        .flat_map(|op| op.new_range())
        .map(|index| index + 1)
        .collect()
}

/// A unified diff of one file, as a pull request's "Files changed" shows it: hunks of changes
/// with three lines of context, each after its `@@ -old +new @@` header.
pub fn unified_diff(path: &str, base: &str, now: &str) -> Vec<(char, String)> {
    let name = path.rsplit('/').next().unwrap_or(path);
    let (old, new): (Vec<&str>, Vec<&str>) = (base.lines().collect(), now.lines().collect());
    // Too long to compare: the whole file replaced.
    let ops = line_diff(&old, &new).unwrap_or_else(|| {
        vec![DiffOp::Replace {
            old_index: 0,
            old_len: old.len(),
            new_index: 0,
            new_len: new.len(),
        }]
    });
    let mut out = Vec::new();
    for hunk in group_diff_ops(ops, DIFF_CONTEXT) {
        out.push(('@', format!("{} {name}", UnifiedHunkHeader::new(&hunk))));
        for op in &hunk {
            let (tag, old_range, new_range) = op.as_tag_tuple();
            let mut lines = |mark: char, lines: &[&str]| {
                out.extend(lines.iter().map(|line| (mark, line.to_string())));
            };
            match tag {
                DiffTag::Equal => lines(' ', &new[new_range]),
                DiffTag::Delete => lines('-', &old[old_range]),
                DiffTag::Insert => lines('+', &new[new_range]),
                DiffTag::Replace => {
                    lines('-', &old[old_range]);
                    lines('+', &new[new_range]);
                }
            }
        }
    }
    out
}

/// The Jenkins pipeline of a head: build and unit tests, then the coverage gate.
fn pipeline(
    changed: &[(&str, &str, &str)],
    files: &BTreeMap<String, String>,
    now: SimTime,
    commit: &str,
) -> Vec<Check> {
    let mut log = vec![
        format!("Started by GitHub push to PR head {commit}"),
        "[Pipeline] stage: Checkout".to_string(),
        "[Pipeline] stage: Composer install".to_string(),
        "Installing dependencies from lock file (including require-dev)".to_string(),
        "[Pipeline] stage: Lint".to_string(),
    ];
    let mut build_ok = true;
    for (path, _, text) in changed {
        if !path.ends_with(".php") {
            continue;
        }
        match lint(text) {
            Ok(()) => log.push(format!("No syntax errors detected in {path}")),
            Err(problem) => {
                build_ok = false;
                log.push(format!("PHP Parse error: {problem} in {path}"));
            }
        }
    }
    let tests = test_methods(files);
    if build_ok {
        log.push("[Pipeline] stage: PHPUnit".to_string());
        log.push("PHPUnit 10.5 by Sebastian Bergmann and contributors.".to_string());
        let empty: Vec<&TestMethod> = tests.iter().filter(|t| !t.asserts).collect();
        let assertions: usize = tests.iter().map(|t| t.assertions).sum();
        log.push(".".repeat(tests.len().min(60)));
        if empty.is_empty() {
            log.push(format!(
                "OK ({} tests, {assertions} assertions)",
                tests.len()
            ));
        } else {
            build_ok = false;
            for test in &empty {
                log.push(format!(
                    "There was 1 risky test: {}::{} — This test did not perform any assertions",
                    test.class, test.name
                ));
            }
            log.push(format!(
                "FAILURES! Tests: {}, Assertions: {assertions}, Risky: {}.",
                tests.len(),
                empty.len()
            ));
        }
    }
    let build = Check {
        name: "continuous-integration/jenkins/pr-head".into(),
        status: if build_ok {
            CheckStatus::Success
        } else {
            CheckStatus::Failure
        },
        done_at: now.plus(BUILD_TIME),
        summary: if build_ok {
            "This commit looks good".into()
        } else {
            "This commit cannot be built".into()
        },
        log,
    };
    let (covered, total, detail) = coverage(changed, &tests);
    let percent = (covered * 100).checked_div(total).map_or(100, |p| p as u32);
    let coverage_ok = build_ok && percent >= COVERAGE_THRESHOLD;
    let mut coverage_log = vec![
        "[Pipeline] stage: Coverage gate".to_string(),
        format!("Changed lines in functions: {total}, covered by tests: {covered}"),
    ];
    coverage_log.extend(detail);
    coverage_log.push(format!(
        "Coverage of changed lines: {percent}% (required: {COVERAGE_THRESHOLD}%)"
    ));
    let coverage = Check {
        name: "jenkins/coverage".into(),
        status: if coverage_ok {
            CheckStatus::Success
        } else {
            CheckStatus::Failure
        },
        done_at: now.plus(BUILD_TIME).plus(COVERAGE_TIME),
        summary: if !build_ok {
            "Skipped: the build failed".into()
        } else {
            format!("{percent}% of changed lines covered (required {COVERAGE_THRESHOLD}%)")
        },
        log: coverage_log,
    };
    vec![build, coverage]
}

/// A PHPUnit test method.
#[derive(Debug)]
struct TestMethod {
    class: String,
    name: String,
    body: String,
    asserts: bool,
    assertions: usize,
}

/// The `test*` methods of the `*Test.php` files under `app/tests/`.
fn test_methods(files: &BTreeMap<String, String>) -> Vec<TestMethod> {
    let mut methods = Vec::new();
    for (path, text) in files {
        if !(path.starts_with("app/tests/") && path.ends_with("Test.php")) {
            continue;
        }
        let class = path
            .rsplit('/')
            .next()
            .unwrap_or(path)
            .trim_end_matches(".php")
            .to_string();
        let lines: Vec<&str> = text.lines().collect();
        for function in php_functions(text) {
            if !function.name.starts_with("test") {
                continue;
            }
            let body = lines
                .get(function.first_line - 1..function.last_line.min(lines.len()))
                .unwrap_or_default()
                .join("\n");
            let assertions = body.matches("$this->assert").count()
                + body.matches("self::assert").count()
                + body.matches("$this->expectException").count();
            methods.push(TestMethod {
                class: class.clone(),
                name: function.name,
                body,
                asserts: assertions > 0,
                assertions,
            });
        }
    }
    methods
}

/// Changed lines inside functions of `app/src`, and how many of them a test runs: a function
/// is run by a test method that calls it (`->name(` or `::name(`) and asserts something.
fn coverage(changed: &[(&str, &str, &str)], tests: &[TestMethod]) -> (usize, usize, Vec<String>) {
    let (mut covered, mut total) = (0, 0);
    let mut detail = Vec::new();
    for (path, base, now) in changed {
        if !(path.starts_with("app/src/") && path.ends_with(".php")) {
            continue;
        }
        let lines = changed_lines(base, now);
        for function in php_functions(now) {
            let count = lines
                .iter()
                .filter(|l| (function.first_line..=function.last_line).contains(l))
                .count();
            if count == 0 {
                continue;
            }
            total += count;
            let calls = [
                format!("->{}(", function.name),
                format!("::{}(", function.name),
            ];
            let tested_by = tests
                .iter()
                .find(|t| t.asserts && calls.iter().any(|call| t.body.contains(call.as_str())));
            match tested_by {
                Some(test) => {
                    covered += count;
                    detail.push(format!(
                        "  {path}: {}() — {count} changed line(s) covered by {}::{}",
                        function.name, test.class, test.name
                    ));
                }
                None => detail.push(format!(
                    "  {path}: {}() — {count} changed line(s) NOT covered: no test calls it",
                    function.name
                )),
            }
        }
    }
    (covered, total, detail)
}

/// What `php -l` would say about a file: braces, brackets and parentheses balanced, strings
/// closed, and the opening tag.
fn lint(text: &str) -> Result<(), String> {
    if !text.trim_start().starts_with("<?php") {
        return Err("syntax error, the file does not start with <?php on line 1".into());
    }
    let mut stack: Vec<(char, usize)> = Vec::new();
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (index, line) in text.lines().enumerate() {
        let line_number = index + 1;
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            if let Some(q) = quote {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
                continue;
            }
            match c {
                '\'' | '"' => quote = Some(c),
                '/' if chars.peek() == Some(&'/') => break,
                '#' => break,
                '(' | '[' | '{' => stack.push((c, line_number)),
                ')' | ']' | '}' => {
                    let expected = match c {
                        ')' => '(',
                        ']' => '[',
                        _ => '{',
                    };
                    match stack.pop() {
                        Some((open, _)) if open == expected => {}
                        _ => {
                            return Err(format!(
                                "syntax error, unexpected '{c}' on line {line_number}"
                            ))
                        }
                    }
                }
                _ => {}
            }
        }
    }
    if quote.is_some() {
        return Err("syntax error, unterminated string at end of file".into());
    }
    match stack.pop() {
        Some((open, line)) => Err(format!(
            "syntax error, unexpected end of file: '{open}' opened on line {line} is never closed"
        )),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCE_BASE: &str = "<?php\nclass Coupon\n{\n    public function code(): string\n    {\n        return $this->code;\n    }\n}\n";
    const SOURCE_NEW: &str = "<?php\nclass Coupon\n{\n    public function code(): string\n    {\n        return $this->code;\n    }\n\n    public function isExpired(\\DateTimeImmutable $now): bool\n    {\n        return $this->expiresAt < $now;\n    }\n}\n";
    const TEST: &str = "<?php\nclass CouponTest extends TestCase\n{\n    public function testExpiredCoupon(): void\n    {\n        $coupon = new Coupon('X', new \\DateTimeImmutable('2020-01-01'));\n        $this->assertTrue($coupon->isExpired(new \\DateTimeImmutable()));\n    }\n}\n";

    fn spec() -> PullRequestSpec {
        PullRequestSpec {
            number: 142,
            title: "Coupons expire".into(),
            author: "you".into(),
            branch: "feature/coupon-expiry".into(),
            description: String::new(),
            service: "coupons".into(),
            version: "2.4.0".into(),
            reviewers: vec!["alice".into(), "bob".into(), "carol".into()],
            required_approvals: 3,
            base: [("app/src/Coupon.php".to_string(), SOURCE_BASE.to_string())]
                .into_iter()
                .collect(),
            fault: None,
        }
    }

    fn files(with_test: bool) -> BTreeMap<String, String> {
        let mut files: BTreeMap<String, String> =
            [("app/src/Coupon.php".to_string(), SOURCE_NEW.to_string())]
                .into_iter()
                .collect();
        if with_test {
            files.insert("app/tests/CouponTest.php".into(), TEST.into());
        }
        files
    }

    fn at(minutes: i64) -> SimTime {
        SimTime::day_one_at(SimDuration::from_minutes(600 + minutes))
    }

    #[test]
    fn diffs_count_added_and_changed_lines() {
        assert_eq!(
            changed_lines(SOURCE_BASE, SOURCE_NEW),
            vec![8, 9, 10, 11, 12]
        );
        assert_eq!(changed_lines("a\nb\nc\n", "a\nB\nc\n"), vec![2]);
        let diff = unified_diff("x.php", "a\nb\nc\n", "a\nB\nc\nd\n");
        let marks: String = diff.iter().map(|(mark, _)| *mark).collect();
        assert_eq!(marks, "@ -+ +");
        assert_eq!(diff[0].1, "@@ -1,3 +1,4 @@ x.php");
        // Far from a change, lines are left out; each group of changes gets its header.
        let base: String = (1..=20).map(|n| format!("line {n}\n")).collect();
        let now = base
            .replace("line 2\n", "line two\n")
            .replace("line 18\n", "line eighteen\n");
        let diff = unified_diff("x", &base, &now);
        let headers: Vec<&str> = diff
            .iter()
            .filter(|(m, _)| *m == '@')
            .map(|(_, t)| t.as_str())
            .collect();
        assert_eq!(headers, vec!["@@ -1,5 +1,5 @@ x", "@@ -15,6 +15,6 @@ x"]);
        let functions = php_functions(SOURCE_NEW);
        assert_eq!(functions.len(), 2);
        assert_eq!((functions[1].first_line, functions[1].last_line), (9, 12));
    }

    #[test]
    fn a_change_without_a_test_fails_the_coverage_gate() {
        let pull = PullRequest::open(spec(), &files(false), at(0), standard_stages());
        assert_eq!(pull.checks[0].status_at(at(1)), CheckStatus::Pending);
        assert_eq!(pull.checks[0].status_at(at(5)), CheckStatus::Success);
        let coverage = &pull.checks[1];
        assert_eq!(coverage.status_at(at(5)), CheckStatus::Failure);
        assert!(
            coverage.summary.starts_with("0% of changed lines"),
            "{}",
            coverage.summary
        );
        assert!(
            coverage
                .log
                .iter()
                .any(|l| l.contains("isExpired() — 4 changed line(s) NOT covered")),
            "{:?}",
            coverage.log
        );
        assert_eq!(pull.timeline[0].text, "Is this tested?");
    }

    #[test]
    fn with_a_test_the_checks_pass_and_reviewers_approve() {
        let mut pull = PullRequest::open(spec(), &files(false), at(0), standard_stages());
        pull.push(&files(true), at(2));
        assert_eq!(pull.commits.len(), 2);
        assert_eq!(pull.checks[1].status_at(at(6)), CheckStatus::Success);
        assert!(pull.checks[1].summary.starts_with("100%"));
        assert!(pull
            .command("merge", &BTreeMap::new(), at(6))
            .unwrap_err()
            .contains("0 of 3 required approvals"));
        for minute in 3..20 {
            pull.step(at(minute));
        }
        assert_eq!(pull.approvals, vec!["alice", "bob", "carol"]);
        assert!(pull.merge_blockers(at(20)).is_empty());
        // A new push dismisses the approvals.
        let mut pushed = files(true);
        pushed.insert("app/README.md".into(), "notes".into());
        let mut again = pull.clone();
        again.push(&pushed, at(20));
        assert!(again.approvals.is_empty());
        assert!(again
            .timeline
            .iter()
            .any(|t| t.kind == TimelineKind::Dismissed));
        // Merge, build, staging, promotion.
        assert!(pull.command("promote", &BTreeMap::new(), at(20)).is_err());
        pull.command("merge", &BTreeMap::new(), at(20)).unwrap();
        assert!(pull.step(at(21)).is_empty());
        assert_eq!(
            pull.step(at(23)),
            vec![("staging".to_string(), "2.4.0".to_string())]
        );
        assert!(pull.command("promote", &BTreeMap::new(), at(30)).is_ok());
        assert_eq!(pull.delivery, Delivery::Prod);
        assert!(pull.command("rollback", &BTreeMap::new(), at(31)).is_ok());
        assert_eq!(pull.delivery, Delivery::RolledBack);
    }

    #[test]
    fn a_test_without_assertions_is_risky_and_does_not_cover() {
        let mut broken = files(true);
        broken.insert(
            "app/tests/CouponTest.php".into(),
            TEST.replace("$this->assertTrue(", "var_dump("),
        );
        let pull = PullRequest::open(spec(), &broken, at(0), standard_stages());
        assert_eq!(pull.checks[0].status, CheckStatus::Failure);
        assert!(pull.checks[0]
            .log
            .iter()
            .any(|l| l.contains("did not perform any assertions")));
        let mut unbalanced = files(true);
        unbalanced.insert(
            "app/src/Coupon.php".into(),
            SOURCE_NEW.replace("bool\n    {", "bool\n    "),
        );
        let pull = PullRequest::open(spec(), &unbalanced, at(0), standard_stages());
        assert!(
            pull.checks[0]
                .log
                .iter()
                .any(|l| l.starts_with("PHP Parse error: syntax error")),
            "{:?}",
            pull.checks[0].log
        );
    }

    #[test]
    fn the_preview_label_deploys_the_head() {
        let mut pull = PullRequest::open(spec(), &files(true), at(0), standard_stages());
        assert!(pull.command("label nope", &BTreeMap::new(), at(0)).is_err());
        pull.command("label cd/preview", &BTreeMap::new(), at(1))
            .unwrap();
        let preview = pull.preview.clone().unwrap();
        assert_eq!(preview.url, "https://pr-142.preview.opsdojo.dev");
        assert!(pull.preview_ready(at(2)).is_none());
        assert!(pull.preview_ready(at(3)).is_some());
        assert_eq!(pull.checks.len(), 3);
        pull.command("unlabel cd/preview", &BTreeMap::new(), at(4))
            .unwrap();
        assert!(pull.preview.is_none());
        assert_eq!(pull.checks.len(), 2);
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_php_and_any_command_get_an_answer(
            source in "(<\\?php\n|function |test[A-Z][a-z]+|isExpired|\\(|\\)|\\{|\\}|\\[|\\]|'|\"|\\\\|//|#|\\$this->assert|->isExpired\\(|\n| |[a-z]){0,60}",
            test in "(<\\?php\n|public function test[A-Z]\\(\\)|\\{|\\}|\\$this->assertTrue\\(|->isExpired\\(|\\)|;|\n| ){0,40}",
            command in "(push|label|unlabel|comment|merge|promote|rollback|cd/preview|bug| |[a-z]){0,20}",
        ) {
            let spec = PullRequestSpec {
                number: 1,
                title: String::new(),
                author: "you".into(),
                branch: "b".into(),
                description: String::new(),
                service: "users".into(),
                version: "2.4.0".into(),
                reviewers: vec!["a".into()],
                required_approvals: 1,
                base: [("app/src/A.php".to_string(), "<?php\n".to_string())].into_iter().collect(),
                fault: None,
            };
            let files: BTreeMap<String, String> = [
                ("app/src/A.php".to_string(), source.clone()),
                ("app/tests/ATest.php".to_string(), test),
            ]
            .into_iter()
            .collect();
            let now = SimTime::day_one_at(SimDuration::from_minutes(600));
            let mut pull = PullRequest::open(spec, &files, now, standard_stages());
            prop_assert_eq!(pull.checks.len(), 2);
            let _ = pull.command(&command, &files, now.plus(SimDuration::from_minutes(5)));
            let _ = pull.step(now.plus(SimDuration::from_minutes(10)));
            for (path, base, head) in pull.changed_files() {
                let _ = unified_diff(path, base, head);
            }
            let _ = php_functions(&source);
        }
    }
}
