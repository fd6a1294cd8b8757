//! Parsing a lesson file: the front matter between `---` lines, then the Markdown body.

use super::read_yaml;
use super::widget::Tab;
use crate::delivery::{PullRequestSpec, APP_DIR};
use crate::diagnostic::Diagnostic;
use crate::objective::Objective;
use crate::platform::{parse_platform_at, Platform};
use crate::time::SimDuration;
use crate::world::{
    Action, Burst, Crash, Fault, Release, Scenario, ScheduledEvent, FAULT_STATUSES,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

/// How hard a lesson is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Beginner,
    Intermediate,
    Advanced,
}

/// What the catalog shows of a lesson.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LessonMeta {
    pub id: String,
    pub title: String,
    pub summary: String,
    pub track: String,
    pub level: Level,
    pub minutes: u32,
}

/// A parsed lesson, ready to be checked and rendered.
#[derive(Debug, Clone, PartialEq)]
pub struct Lesson {
    pub meta: LessonMeta,
    pub scenario: Scenario,
    pub objectives: Vec<Objective>,
    pub hints: Vec<String>,
    /// The reference solution, as the actions a learner would take.
    pub solution: Vec<Action>,
    /// A speaker's script through the lesson, stepped in presenter mode.
    pub demo: Vec<DemoStep>,
    /// The Markdown body after the front matter.
    pub body: String,
    /// The 1-based line of the file where the body starts.
    pub body_first_line: usize,
    /// The front matter's text, for positions asked for when something is wrong.
    pub front_matter: std::sync::Arc<str>,
}

impl Lesson {
    /// The 1-based line of the file where the objective numbered `index` starts, as the YAML
    /// parser marks it: read only to report a problem with it.
    pub fn objective_line(&self, index: usize) -> usize {
        front_line(
            &self.front_matter,
            &["objectives", &index.to_string()],
            false,
        )
    }

    /// The 1-based line of the file where a demo step starts, read as
    /// [`Lesson::objective_line`] is.
    pub fn demo_line(&self, step: &DemoStep) -> usize {
        front_line(
            &self.front_matter,
            &["demo", &step.index.to_string()],
            false,
        )
    }
}

/// A lesson, if the file could be read, and everything wrong with it.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedLesson {
    pub lesson: Option<Lesson>,
    pub diagnostics: Vec<Diagnostic>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    id: String,
    title: String,
    summary: String,
    track: String,
    level: Level,
    minutes: u32,
    #[serde(default)]
    scenario: ScenarioSpec,
    #[serde(default)]
    objectives: Vec<Objective>,
    #[serde(default)]
    hints: Vec<String>,
    #[serde(default)]
    solution: Vec<SolutionStep>,
    #[serde(default)]
    demo: Vec<DemoStepFields>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScenarioSpec {
    #[serde(default = "default_seed")]
    seed: u64,
    #[serde(default = "default_start")]
    start: String,
    #[serde(default)]
    tick: Option<String>,
    #[serde(default)]
    files: BTreeMap<String, String>,
    /// Files changed since the last `terraform apply`.
    #[serde(default)]
    pending: BTreeMap<String, String>,
    #[serde(default)]
    events: Vec<EventSpec>,
    /// A pull request open on the application's repository.
    #[serde(default)]
    pull_request: Option<PullRequestFields>,
    /// The platform of this lesson, instead of its pack's: read from its own lines by
    /// [`platform_block`], with the positions they have in the file.
    #[serde(default)]
    platform: Option<serde::de::IgnoredAny>,
}

impl Default for ScenarioSpec {
    fn default() -> Self {
        ScenarioSpec {
            seed: default_seed(),
            start: default_start(),
            tick: None,
            files: BTreeMap::new(),
            pending: BTreeMap::new(),
            events: Vec::new(),
            pull_request: None,
            platform: None,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PullRequestFields {
    number: u32,
    title: String,
    author: String,
    branch: String,
    #[serde(default)]
    description: String,
    service: String,
    version: String,
    reviewers: Vec<String>,
    #[serde(default = "default_approvals")]
    required_approvals: usize,
    /// The application's files as they are on `main`.
    #[serde(default)]
    base: BTreeMap<String, String>,
    /// A bug in the merged version, hitting the requests its pods serve.
    #[serde(default)]
    fault: Option<ReleaseFaultSpec>,
}

/// `fault:` of a pull request: the service and the version are the pull request's.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReleaseFaultSpec {
    env: String,
    route: Option<String>,
    #[serde(default = "default_fault_status")]
    status: String,
    share: f64,
}

fn default_approvals() -> usize {
    3
}

/// The pull request a scenario opens, or what is wrong with it.
fn read_pull_request(
    fields: PullRequestFields,
    files: &BTreeMap<String, String>,
    platform: &Platform,
    line: usize,
) -> Result<PullRequestSpec, Diagnostic> {
    let problem =
        |message: String, hint: &str| Err(Diagnostic::error(line, 1, message).with_hint(hint));
    if !platform.has_service(&fields.service) {
        return problem(
            format!(
                "the pull request's service `{}` is not a service",
                fields.service
            ),
            &platform.services_hint(&fields.service),
        );
    }
    if fields.version.trim().is_empty() {
        return problem(
            "the pull request needs the `version` its merge releases".into(),
            "for example `version: 2.4.0`",
        );
    }
    if fields.reviewers.len() < fields.required_approvals || fields.required_approvals == 0 {
        return problem(
            format!(
                "{} reviewer(s) cannot give {} required approvals",
                fields.reviewers.len(),
                fields.required_approvals
            ),
            "list at least as many reviewers as required approvals, and require at least one",
        );
    }
    let outside = fields
        .base
        .keys()
        .chain(files.keys().filter(|p| p.starts_with("app")))
        .find(|path| !path.starts_with(APP_DIR));
    if let Some(path) = outside {
        return problem(
            format!("`{path}` is not in the application's folder"),
            "the pull request's files are under `app/`",
        );
    }
    if !files.keys().any(|path| path.starts_with(APP_DIR)) {
        return problem(
            "the pull request changes no file".into(),
            "put the branch's files under `app/` in the scenario's `files`",
        );
    }
    let fault = fields
        .fault
        .map(|fault| {
            let spec = FaultSpec {
                env: fault.env,
                service: fields.service.clone(),
                route: fault.route,
                status: fault.status,
                share: fault.share,
                lasts: None,
                every: None,
            };
            read_fault(spec, platform, line)
        })
        .transpose()?;
    Ok(PullRequestSpec {
        number: fields.number,
        title: fields.title,
        author: fields.author,
        branch: fields.branch,
        description: fields.description,
        service: fields.service,
        version: fields.version,
        reviewers: fields.reviewers,
        required_approvals: fields.required_approvals,
        base: fields.base,
        fault,
    })
}

fn default_seed() -> u64 {
    1
}

fn default_start() -> String {
    "08:00".to_string()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EventSpec {
    after: String,
    note: String,
    fault: Option<FaultSpec>,
    burst: Option<BurstSpec>,
    release: Option<ReleaseSpec>,
    crash: Option<CrashSpec>,
}

/// `crash:` of a scheduled event: php-fpm starts crashing in one running pod of a service.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CrashSpec {
    env: String,
    service: String,
}

/// `release:` of a scheduled event: a service's new version reaching an environment.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReleaseSpec {
    env: String,
    service: String,
    version: String,
}

/// Checks a release against the world's environments and services.
fn read_release(
    spec: ReleaseSpec,
    platform: &Platform,
    line: usize,
) -> Result<Release, Diagnostic> {
    check_target("release", platform, line, &spec.env, Some(&spec.service))?;
    if spec.version.trim().is_empty() || spec.version.len() > 40 {
        return Err(Diagnostic::error(
            line,
            1,
            "release: `version` must be a short version such as `2.4.0`",
        ));
    }
    Ok(Release {
        env: spec.env,
        service: spec.service,
        version: spec.version,
    })
}

/// `burst:` of a scheduled event: whose traffic grows, by how much, for how long.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BurstSpec {
    env: String,
    service: Option<String>,
    factor: f64,
    lasts: Option<String>,
    every: Option<String>,
}

/// The value of a part that was read, or `None` with its diagnostic recorded.
fn kept<T>(read: Option<Result<T, Diagnostic>>, diagnostics: &mut Vec<Diagnostic>) -> Option<T> {
    match read? {
        Ok(value) => Some(value),
        Err(diagnostic) => {
            diagnostics.push(diagnostic);
            None
        }
    }
}

/// Checks a burst against the world's environments and services.
fn read_burst(spec: BurstSpec, platform: &Platform, line: usize) -> Result<Burst, Diagnostic> {
    let error = |message: String| Diagnostic::error(line, 1, message);
    check_target("burst", platform, line, &spec.env, spec.service.as_deref())?;
    if !(0.0..=50.0).contains(&spec.factor) {
        return Err(error(format!(
            "burst: factor `{}` is not between 0 and 50",
            spec.factor
        )));
    }
    Ok(Burst {
        env: spec.env,
        service: spec.service,
        factor: spec.factor,
        lasts: optional_duration(spec.lasts, line)?,
        every: optional_duration(spec.every, line)?,
    })
}

/// Checks that an event's environment and service (when it names one) exist in the world.
fn check_target(
    what: &str,
    platform: &Platform,
    line: usize,
    env: &str,
    service: Option<&str>,
) -> Result<(), Diagnostic> {
    if !platform.has_environment(env) {
        return Err(
            Diagnostic::error(line, 1, format!("{what}: unknown environment `{env}`"))
                .with_hint(platform.environments_hint(env)),
        );
    }
    if let Some(service) = service.filter(|s| !platform.has_service(s)) {
        return Err(
            Diagnostic::error(line, 1, format!("{what}: unknown service `{service}`"))
                .with_hint(platform.services_hint(service)),
        );
    }
    Ok(())
}

/// An optional duration of an event (`lasts`, `every`).
fn optional_duration(text: Option<String>, line: usize) -> Result<Option<SimDuration>, Diagnostic> {
    text.map(|text| {
        SimDuration::parse(&text).map_err(|message| Diagnostic::error(line, 1, message))
    })
    .transpose()
}

/// `fault:` of a scheduled event: which requests fail, how, and for how long.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FaultSpec {
    env: String,
    service: String,
    route: Option<String>,
    #[serde(default = "default_fault_status")]
    status: String,
    share: f64,
    lasts: Option<String>,
    every: Option<String>,
}

fn default_fault_status() -> String {
    "500".to_string()
}

/// Checks a fault against the world's environments, services and routes.
fn read_fault(spec: FaultSpec, platform: &Platform, line: usize) -> Result<Fault, Diagnostic> {
    let error = |message: String| Diagnostic::error(line, 1, message);
    check_target("fault", platform, line, &spec.env, Some(&spec.service))?;
    let routes: Vec<&str> = platform
        .service(&spec.service)
        .map(|service| service.routes.iter().map(|r| r.name.as_str()).collect())
        .unwrap_or_default();
    if let Some(route) = &spec.route {
        if !routes.contains(&route.as_str()) {
            return Err(
                error(format!("fault: `{}` has no route `{route}`", spec.service))
                    .with_hint(format!("its routes are {}", routes.join(", "))),
            );
        }
    }
    let Some(status) = FAULT_STATUSES.iter().find(|s| **s == spec.status) else {
        return Err(
            error(format!("fault: unsupported status `{}`", spec.status))
                .with_hint(format!("use one of {}", FAULT_STATUSES.join(", "))),
        );
    };
    if !(0.0..=1.0).contains(&spec.share) {
        return Err(error(format!(
            "fault: share `{}` is not between 0 and 1",
            spec.share
        )));
    }
    Ok(Fault {
        env: spec.env,
        service: spec.service,
        route: spec.route,
        status,
        share: spec.share,
        lasts: optional_duration(spec.lasts, line)?,
        every: optional_duration(spec.every, line)?,
    })
}

/// One step of a reference solution: exactly one of `advance`, `edit` or `apply`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SolutionStep {
    advance: Option<String>,
    edit: Option<EditStep>,
    /// `terraform apply` in this environment.
    apply: Option<String>,
    /// A kubectl command that changes the cluster; in `prod` unless it names a namespace.
    kubectl: Option<String>,
    /// A command on the pull request: `push`, `label cd/preview`, `merge`, `promote`, ...
    pr: Option<String>,
    /// A fault injected as a game day's facilitator does.
    inject: Option<crate::game::Injection>,
    /// A command on one of the world's tools, after its name: `terraform apply prod`.
    tool: Option<String>,
}

/// One step of a demo script: a note for the speaker, at most one action, and optionally a
/// name to jump back to and the panel to show.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoStep {
    pub note: String,
    pub action: Option<Action>,
    pub checkpoint: Option<String>,
    /// The workbench panel the stage shows for this step (`text` for the lesson).
    pub panel: Option<Tab>,
    /// Its place in the front matter's `demo` list (a step that does not read is left out of
    /// the lesson's, so the two can differ): see [`Lesson::demo_line`].
    pub index: usize,
}

/// The most steps a demo may have.
pub const DEMO_MAX_STEPS: usize = 200;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoStepFields {
    note: String,
    checkpoint: Option<String>,
    panel: Option<String>,
    advance: Option<String>,
    edit: Option<EditStep>,
    apply: Option<String>,
    kubectl: Option<String>,
    pr: Option<String>,
    inject: Option<crate::game::Injection>,
    tool: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EditStep {
    file: String,
    content: String,
}

/// Parses a lesson file of a pack without a platform of its own. Never fails: what cannot be
/// read becomes a diagnostic.
pub fn parse_lesson(text: &str) -> ParsedLesson {
    parse_lesson_on(text, Platform::standard())
}

/// Parses a lesson file of a pack whose platform is `platform`; a `platform:` block in the
/// lesson's scenario replaces it.
pub fn parse_lesson_on(text: &str, platform: Arc<Platform>) -> ParsedLesson {
    let mut diagnostics = Vec::new();
    let Some((front, body, body_first_line)) = split_front_matter(text) else {
        diagnostics.push(
            Diagnostic::error(1, 1, "a lesson must start with a front matter block")
                .with_hint("put `---` on the first line, the lesson's keys, then `---` again"),
        );
        return ParsedLesson {
            lesson: None,
            diagnostics,
        };
    };
    let front_text = front;
    let front: FrontMatter = match read_yaml(front, 1, "front matter") {
        Ok(front) => front,
        Err(diagnostic) => {
            diagnostics.push(diagnostic);
            return ParsedLesson {
                lesson: None,
                diagnostics,
            };
        }
    };
    // Lines in the lesson file, from the YAML parser's marks: the value at a path, or the key.
    let line_at = |path: &[&str]| front_line(front_text, path, false);
    let key_line = |path: &[&str]| front_line(front_text, path, true);

    let block = match front.scenario.platform {
        None => None,
        Some(_) => match platform_block(front_text) {
            Some(block) => Some(block),
            None => {
                diagnostics.push(
                    Diagnostic::error(key_line(&["scenario", "platform"]), 1, "the scenario's `platform:` cannot be read here")
                        .with_hint("write `platform:` as a key of its own under `scenario:`, the platform's keys indented below it"),
                );
                return ParsedLesson {
                    lesson: None,
                    diagnostics,
                };
            }
        },
    };
    let platform = match block {
        None => platform,
        Some((block, offset)) => match parse_platform_at(&block, offset) {
            Ok(own) => Arc::new(own),
            Err(found) => {
                diagnostics.extend(found);
                return ParsedLesson {
                    lesson: None,
                    diagnostics,
                };
            }
        },
    };
    let mut scenario = Scenario {
        seed: front.scenario.seed,
        files: front.scenario.files,
        pending: front.scenario.pending,
        platform: platform.clone(),
        ..Scenario::default()
    };
    match SimDuration::parse_time_of_day(&front.scenario.start) {
        Ok(start) => scenario.start = start,
        Err(message) => diagnostics.push(Diagnostic::error(
            line_at(&["scenario", "start"]),
            1,
            message,
        )),
    }
    if let Some(tick) = &front.scenario.tick {
        match SimDuration::parse(tick) {
            Ok(tick)
                if tick >= SimDuration::from_seconds(1) && tick <= SimDuration::from_minutes(5) =>
            {
                scenario.tick = tick;
            }
            Ok(_) => diagnostics.push(
                Diagnostic::error(
                    line_at(&["scenario", "tick"]),
                    1,
                    format!("tick `{tick}` is out of range"),
                )
                .with_hint("use a tick between `1s` and `5m`; `15s` is the usual scrape interval"),
            ),
            Err(message) => diagnostics.push(Diagnostic::error(
                line_at(&["scenario", "tick"]),
                1,
                message,
            )),
        }
    }
    for (index, event) in front.scenario.events.into_iter().enumerate() {
        // Problems are said at line 0, then placed at the event once there are any: a search
        // reads the front matter again, which is spent only on a lesson with a mistake.
        let event_line = 0;
        let before = diagnostics.len();
        let fault = kept(
            event
                .fault
                .map(|spec| read_fault(spec, &platform, event_line)),
            &mut diagnostics,
        );
        let burst = kept(
            event
                .burst
                .map(|spec| read_burst(spec, &platform, event_line)),
            &mut diagnostics,
        );
        let release = kept(
            event
                .release
                .map(|spec| read_release(spec, &platform, event_line)),
            &mut diagnostics,
        );
        let crash = kept(
            event.crash.map(|spec| {
                check_target(
                    "crash",
                    &platform,
                    event_line,
                    &spec.env,
                    Some(&spec.service),
                )
                .map(|()| Crash {
                    env: spec.env,
                    service: spec.service,
                })
            }),
            &mut diagnostics,
        );
        match SimDuration::parse(&event.after) {
            Ok(at) => scenario.events.push(ScheduledEvent {
                drift: None,
                at,
                note: event.note,
                fault,
                burst,
                release,
                crash,
            }),
            Err(message) => diagnostics.push(Diagnostic::error(event_line, 1, message)),
        }
        if diagnostics.len() > before {
            let line = line_at(&["scenario", "events", &index.to_string()]);
            for diagnostic in &mut diagnostics[before..] {
                if diagnostic.line == 0 {
                    diagnostic.line = line;
                }
            }
        }
    }
    scenario.events.sort_by_key(|event| event.at);
    if let Some(fields) = front.scenario.pull_request {
        // Said at line 0 and placed only when there is a problem, as an event's.
        match read_pull_request(fields, &scenario.files, &platform, 0) {
            Ok(spec) => scenario.pull_request = Some(spec),
            Err(diagnostic) if diagnostic.line == 0 => diagnostics.push(Diagnostic {
                line: key_line(&["scenario", "pull_request"]),
                ..diagnostic
            }),
            Err(diagnostic) => diagnostics.push(diagnostic),
        }
    }

    let has_pull_request = scenario.pull_request.is_some();
    let mut solution = Vec::new();
    for (index, step) in front.solution.into_iter().enumerate() {
        // Found only when the step has a problem: each search reads the front matter again.
        let step_line = |_: &str| line_at(&["solution", &index.to_string()]);
        match read_step(step, &platform, has_pull_request, &step_line) {
            Ok(action) => solution.push(action),
            Err(diagnostic) => diagnostics.push(diagnostic),
        }
    }
    let demo = read_demo(
        front.demo,
        &platform,
        has_pull_request,
        front_text,
        &mut diagnostics,
    );

    // The solution is played by `lessons check` and by the page: it must end.
    let advanced: i64 = solution
        .iter()
        .map(|action| match action {
            Action::Advance { by } => by.0.clamp(0, crate::world::MAX_ADVANCE.0),
            _ => 0,
        })
        .fold(0i64, i64::saturating_add);
    if advanced > crate::limits::SOLUTION_MAX_ADVANCE_MS {
        diagnostics.push(
            Diagnostic::error(
                key_line(&["solution"]),
                1,
                format!(
                    "the solution advances the clock {} in all; the limit is {}",
                    SimDuration(advanced),
                    SimDuration(crate::limits::SOLUTION_MAX_ADVANCE_MS)
                ),
            )
            .with_hint("a lesson's solution plays within 30 simulated days"),
        );
        solution.clear();
    }

    ParsedLesson {
        lesson: Some(Lesson {
            meta: LessonMeta {
                id: front.id,
                title: front.title,
                summary: front.summary,
                track: front.track,
                level: front.level,
                minutes: front.minutes,
            },
            scenario,
            objectives: front.objectives,
            hints: front.hints,
            solution,
            demo,
            body: body.to_string(),
            body_first_line,
            front_matter: front_text.into(),
        }),
        diagnostics,
    }
}

/// The text of the scenario's `platform:` block (dedented, or the flow value on its line) and
/// the number of front matter lines before it, counting the file's opening `---`.
fn platform_block(front: &str) -> Option<(String, usize)> {
    let lines: Vec<&str> = front.lines().collect();
    let indent_of = |line: &str| line.len() - line.trim_start().len();
    // The scenario's own keys sit at the indentation of its first one.
    let scenario = lines
        .iter()
        .position(|line| line.starts_with("scenario:"))?;
    let keys = lines[scenario + 1..]
        .iter()
        .find(|line| !line.trim().is_empty())
        .map(|line| indent_of(line))?;
    let (index, indent, rest) = lines
        .iter()
        .enumerate()
        .skip(scenario + 1)
        .take_while(|(_, line)| line.trim().is_empty() || indent_of(line) > 0)
        .find_map(|(index, line)| {
            let rest = line.trim_start().strip_prefix("platform:")?;
            (indent_of(line) == keys).then_some((index, keys, rest.trim()))
        })?;
    if !rest.is_empty() && !rest.starts_with('#') {
        return Some((format!("{rest}\n"), index + 1));
    }
    let body: Vec<&str> = lines[index + 1..]
        .iter()
        .take_while(|line| line.trim().is_empty() || line.len() - line.trim_start().len() > indent)
        .copied()
        .collect();
    let inner = body
        .iter()
        .filter(|line| !line.trim().is_empty())
        .map(|line| line.len() - line.trim_start().len())
        .min()
        .unwrap_or(0);
    let text: String = body
        .iter()
        .map(|line| format!("{}\n", line.get(inner..).unwrap_or("")))
        .collect();
    Some((text, index + 2))
}

/// Reads one step of a solution or a demo into its action.
fn read_step(
    step: SolutionStep,
    platform: &Platform,
    has_pull_request: bool,
    line_of: &dyn Fn(&str) -> usize,
) -> Result<Action, Diagnostic> {
    let chosen = [
        step.advance.is_some(),
        step.edit.is_some(),
        step.apply.is_some(),
        step.kubectl.is_some(),
        step.pr.is_some(),
        step.inject.is_some(),
        step.tool.is_some(),
    ]
    .iter()
    .filter(|set| **set)
    .count();
    if chosen != 1 {
        return Err(Diagnostic::error(
            line_of("solution:"),
            1,
            "each step needs exactly one of `advance`, `edit`, `apply`, `kubectl`, `pr`, `inject` or `tool`",
        )
        .with_hint(
            "write `- advance: 5m`, `- edit: {file: ..., content: ...}`, `- apply: prod`, `- kubectl: get pods`, `- pr: merge`, `- inject: {kind: crash, env: prod, service: users}` or `- tool: terraform apply prod`",
        ));
    }
    if let Some(line) = step.tool {
        let line = line.trim();
        let named = crate::world::TOOL_NAMES.iter().find_map(|name| {
            line.strip_prefix(name)
                .filter(|rest| rest.starts_with(' '))
                .map(|rest| (*name, rest.trim()))
        });
        let Some((name, command)) = named else {
            let first = line.split_whitespace().next().unwrap_or_default();
            let known = crate::world::TOOL_NAMES.join("`, `");
            let problem = Diagnostic::error(
                line_of("tool:"),
                1,
                format!("`tool: {line}` names no tool of the world"),
            );
            return Err(
                match crate::diagnostic::closest(first, crate::world::TOOL_NAMES) {
                    Some(near) => {
                        problem.with_hint(format!("did you mean `{near}`? The tools are `{known}`"))
                    }
                    None => problem.with_hint(format!(
                        "write the tool's name, then its command: the tools are `{known}`"
                    )),
                },
            );
        };
        return Ok(Action::Tool {
            tool: name.to_string(),
            command: command.to_string(),
        });
    }
    if let Some(fault) = step.inject {
        fault
            .check(platform)
            .map_err(|why| Diagnostic::error(line_of("inject:"), 1, format!("inject: {why}")))?;
        return Ok(Action::Inject { fault });
    }
    if let Some(command) = step.pr {
        if !has_pull_request {
            return Err(
                Diagnostic::error(line_of("pr:"), 1, "a `pr` step needs a pull request")
                    .with_hint("open one with `pull_request:` in the scenario"),
            );
        }
        return Ok(Action::PullRequest { command });
    }
    if let Some(command) = step.kubectl {
        return Ok(Action::Kubectl {
            namespace: platform.production().into(),
            command,
        });
    }
    if let Some(env) = step.apply {
        if !platform.has_environment(&env) {
            return Err(Diagnostic::error(
                line_of("apply:"),
                1,
                format!("`apply: {env}` names no environment"),
            )
            .with_hint(platform.environments_hint(&env)));
        }
        return Ok(Action::Apply { env });
    }
    if let Some(edit) = step.edit {
        return Ok(Action::EditFile {
            path: edit.file,
            content: edit.content,
        });
    }
    let duration = step.advance.unwrap_or_default();
    SimDuration::parse(&duration)
        .map(|by| Action::Advance { by })
        .map_err(|message| {
            Diagnostic::error(line_of("advance:"), 1, message)
                .with_hint("a step `advance` takes a duration like `10m`")
        })
}

/// Reads a demo script: each step's action as a solution's, its panel and checkpoint name
/// checked, the whole bounded like a solution.
fn read_demo(
    fields: Vec<DemoStepFields>,
    platform: &Platform,
    has_pull_request: bool,
    front_text: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<DemoStep> {
    if fields.len() > DEMO_MAX_STEPS {
        diagnostics.push(
            Diagnostic::error(
                front_line(front_text, &["demo"], true),
                1,
                format!(
                    "the demo has {} steps; the limit is {DEMO_MAX_STEPS}",
                    fields.len()
                ),
            )
            .with_hint("split the talk into several lessons"),
        );
        return Vec::new();
    }
    let mut demo = Vec::with_capacity(fields.len());
    let mut names = std::collections::BTreeSet::new();
    let mut advanced = 0i64;
    for (index, field) in fields.into_iter().enumerate() {
        // Read only for a problem: each position is one more read of the front matter.
        let line = || front_line(front_text, &["demo", &index.to_string()], false);
        let at_step = |_: &str| line();
        let has_action = field.advance.is_some()
            || field.edit.is_some()
            || field.apply.is_some()
            || field.kubectl.is_some()
            || field.pr.is_some()
            || field.inject.is_some()
            || field.tool.is_some();
        let action = if has_action {
            let step = SolutionStep {
                advance: field.advance,
                edit: field.edit,
                apply: field.apply,
                kubectl: field.kubectl,
                pr: field.pr,
                inject: field.inject,
                tool: field.tool,
            };
            match read_step(step, platform, has_pull_request, &at_step) {
                Ok(action) => Some(action),
                Err(diagnostic) => {
                    diagnostics.push(diagnostic);
                    continue;
                }
            }
        } else {
            None
        };
        if let Some(Action::Advance { by }) = &action {
            advanced = advanced.saturating_add(by.0.clamp(0, crate::world::MAX_ADVANCE.0));
        }
        let panel = match field.panel.as_deref() {
            None => None,
            Some(name) => match Tab::parse(name) {
                Some(panel) => Some(panel),
                None => {
                    diagnostics.push(
                        Diagnostic::error(
                            line(),
                            1,
                            format!("the demo's panel `{name}` is not a panel"),
                        )
                        .with_hint(format!("use one of {}", Tab::ALL.map(Tab::id).join(", "))),
                    );
                    continue;
                }
            },
        };
        if let Some(name) = &field.checkpoint {
            let valid = !name.is_empty()
                && name.len() <= 40
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if !valid || !names.insert(name.clone()) {
                diagnostics.push(
                    Diagnostic::error(
                        line(),
                        1,
                        format!("the demo's checkpoint `{name}` is not a new name"),
                    )
                    .with_hint("name each checkpoint once, with letters, digits, `-` and `_`"),
                );
                continue;
            }
        }
        demo.push(DemoStep {
            note: field.note,
            action,
            checkpoint: field.checkpoint,
            panel,
            index,
        });
    }
    if advanced > crate::limits::SOLUTION_MAX_ADVANCE_MS {
        diagnostics.push(
            Diagnostic::error(
                front_line(front_text, &["demo"], true),
                1,
                format!(
                    "the demo advances the clock {} in all; the limit is {}",
                    SimDuration(advanced),
                    SimDuration(crate::limits::SOLUTION_MAX_ADVANCE_MS)
                ),
            )
            .with_hint("a demo plays within 30 simulated days"),
        );
        demo.clear();
    }
    demo
}

/// Splits `---\n<front>\n---\n<body>`, returning the body's first line number.
fn split_front_matter(text: &str) -> Option<(&str, &str, usize)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let rest = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))?;
    let mut offset = 0;
    for (index, line) in rest.split_inclusive('\n').enumerate() {
        if line.trim_end() == "---" {
            let front = &rest[..offset];
            let body = &rest[offset + line.len()..];
            // Line 1 is the opening `---`, the front matter follows, then the closing `---`.
            return Some((front, body, index + 3));
        }
        offset += line.len();
    }
    None
}

/// The line in the lesson file of the front matter's node at `path` (its key, when `key`), as
/// the YAML parser marked it, else of the nearest node that holds it: positions for checks
/// that run once the front matter is read. The front matter starts on the file's second line.
fn front_line(front: &str, path: &[&str], key: bool) -> usize {
    crate::yaml::place_of(front, path, key).map_or(1, |position| position.line + 1)
}
