//! The simulated world: one deterministic state that every tool views or changes.
//!
//! A [`World`] is built from a [`Scenario`] (seed, start time, files, scheduled events) and
//! changes only through [`Action`]s, which it records so that a session can be replayed,
//! saved and checked. One simulated step ([`Scenario::tick`], 15 s by default) fires the
//! scheduled events, runs each tool on the new instant, and scrapes what they expose.
//!
//! The tools (the pull request's pipeline, the Terraform project, the cluster, traffic,
//! monitoring) own their state and hand back effects; the world holds them in one list
//! (`tools.rs`) and carries out what they ask. The world joins them: `cluster.rs` is the world
//! as kubectl reads it, `serving.rs` what disturbs traffic now, `exposition.rs` the scrape.
//! [`World::step`] runs them in order; this file holds the state, actions, scheduled events,
//! files and the event log.

mod action;
use crate::cluster::chart;
pub use crate::monitoring as alerting;
mod checkpoint;
mod cluster;
pub use crate::database;
mod exposition;
mod files;
pub use crate::infra;
pub mod injection;
pub mod scenario;
mod serving;
mod snapshot;
mod tools;
pub use crate::traffic::model as traffic;

#[cfg(test)]
mod capstone_tests;
#[cfg(test)]
mod chart_tests;
#[cfg(test)]
mod checkpoint_tests;
#[cfg(test)]
mod kube_tests;
#[cfg(test)]
mod platform_tests;
#[cfg(test)]
mod pull_request_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tools_tests;

pub use crate::cluster::values::values_file_path;
pub use crate::cluster::{
    DeploymentSnapshot, Environment, EnvironmentSnapshot, HpaSnapshot, ManifestsSnapshot,
    ScalingLimit,
};
pub use crate::delivery::PullRequestSnapshot;
pub use crate::infra::InfraSnapshot;
pub use crate::kube::deployment::{
    node_of, Deployment, Hpa, Pod, PodStatus, METRIC as HPA_METRIC, PODS_PER_NODE,
};
pub use crate::tool::{ChangeMarker, EventLevel};
pub use action::Action;
pub use alerting::AlertMarker;
pub use checkpoint::{sealed_checkpoint, CheckpointWriter, Resumed};
pub use files::{FileLanguage, WorldFile};
pub use scenario::{Burst, Crash, Drift, Fault, Release, Scenario, ScheduledEvent, FAULT_STATUSES};
pub use snapshot::{EventLogEntry, FileSnapshot, WorldSnapshot};
pub use tools::{ToolSnapshots, Tools, NAMES as TOOL_NAMES};

use crate::platform::Platform;
use crate::promql::{Labels, Sample, SeriesStore};
use crate::rng::SimRng;
use crate::time::{SimDuration, SimTime};
use crate::tool::{Phase, Tool};
use std::collections::BTreeMap;

pub use crate::platform::MAX_REPLICAS;

/// How much traffic history a world has when its scenario starts.
#[cfg(not(fuzzing))]
const WARM_UP: SimDuration = SimDuration::from_minutes(60);
/// Under the fuzzer, five minutes: the same steps, a twelfth of them, in every execution that
/// builds a world (platform files, games).
#[cfg(fuzzing)]
const WARM_UP: SimDuration = SimDuration::from_minutes(5);

/// How much history the world's store keeps: enough for a day's dashboards.
pub(crate) const RETENTION_MS: i64 = 26 * 3600 * 1000;

/// How many event-log entries a world keeps; older ones are dropped.
const EVENT_LOG_CAPACITY: usize = 500;

/// The longest a single `Advance` may move the clock, so a bad saved action cannot freeze a tab.
pub const MAX_ADVANCE: SimDuration = SimDuration(7 * 86_400_000);

/// The whole simulated platform at one instant, plus the actions that led there.
#[derive(Debug, Clone)]
pub struct World {
    scenario: Scenario,
    now: SimTime,
    /// Simulated time advanced but not yet stepped (less than one tick).
    carry: SimDuration,
    rng: SimRng,
    files: BTreeMap<String, WorldFile>,
    next_event: usize,
    actions: Vec<Action>,
    /// The content a file had before the last recorded action, when that action is its edit.
    edit_base: Option<String>,
    event_log: Vec<EventLogEntry>,
    store: SeriesStore,
    /// The gauges written by the last scrape, in its order, with their series: the next scrape
    /// marks the vanished ones stale, and writes the same ones without looking them up.
    last_scrape: Vec<(Labels, crate::promql::SeriesId)>,
    /// Changes to the running platform (scaling so far), drawn as markers on dashboards.
    changes: Vec<ChangeMarker>,
    /// The pod template each fired release rolled out, by the index of its scheduled event: a
    /// fault that comes with a release hits the requests its pods serve.
    release_templates: BTreeMap<usize, String>,
    /// The tools, each owning its state (`tools.rs`).
    tools: Tools,
    /// Faults injected by a facilitator, with when, and the events they became: these come
    /// after the scenario's own events in the events' numbering.
    injected: Vec<injection::PlannedFault>,
    injected_events: Vec<ScheduledEvent>,
    /// The gauges' label sets, built once rather than at every scrape.
    label_cache: crate::promql::LabelCache,
}

/// How long before the scenario starts its pull request was opened.
const PULL_REQUEST_AGE: SimDuration = SimDuration::from_minutes(-12);

impl World {
    /// A world at the start of `scenario`, before any action.
    pub fn new(scenario: Scenario) -> Self {
        let platform = scenario.platform.clone();
        let store = SeriesStore::with_retention(RETENTION_MS);
        let mut world = World {
            now: scenario.start_time(),
            carry: SimDuration::default(),
            rng: SimRng::seeded(scenario.seed),
            store,
            last_scrape: Vec::new(),
            changes: Vec::new(),
            release_templates: BTreeMap::new(),
            tools: Tools {
                cluster: crate::cluster::Kubernetes::new(&platform),
                traffic: crate::traffic::Traffic::new(&platform),
                ..Tools::default()
            },
            injected: Vec::new(),
            injected_events: Vec::new(),
            label_cache: Default::default(),
            files: BTreeMap::new(),
            next_event: 0,
            actions: Vec::new(),
            edit_base: None,
            event_log: Vec::new(),
            scenario,
        };
        for (path, content) in world.scenario.initial_files() {
            world.write_file(&path, content);
        }
        world.with_tool(
            |tools| &mut tools.cluster,
            |cluster, world, _| cluster.load(world),
        );
        // What the files describe was applied before the scenario starts; the scenario's pending
        // changes were written after.
        let (infrastructure, problems) =
            infra::Infrastructure::new(&platform, &infra::project_files(&world), world.now);
        world.tools.infra = infrastructure;
        for problem in problems {
            world.log(EventLevel::Warning, problem);
        }
        for (path, content) in world.scenario.pending.clone() {
            world.write_file(&path, content);
        }
        world.refresh_infra();
        for (env, finding) in world.tools.infra.initial_violations() {
            world.post_finding(&env, &finding);
        }
        // Pods that the initial files ask for were running before the scenario starts.
        let running_since = world.now.plus(SimDuration(-WARM_UP.0));
        world.tools.cluster.start_running(
            running_since,
            running_since.plus(SimDuration(-WARM_UP.0)),
            &mut world.rng,
        );
        // The pull request was opened a little before the scenario starts: its first checks ran.
        if let Some(spec) = world.scenario.pull_request.clone() {
            world.tools.pull_request =
                crate::delivery::Pipeline(Some(crate::delivery::PullRequest::open(
                    spec,
                    &world.file_contents(),
                    world.now.plus(PULL_REQUEST_AGE),
                    (
                        platform.pre_production().to_string(),
                        platform.production().to_string(),
                    ),
                )));
        }
        // The starting state is not news: the log begins with the first step.
        world.event_log.clear();
        world.tools.cluster.forget_events();
        world.changes.clear();
        world.warm_up();
        world
    }

    /// A world built from `scenario` with `actions` replayed, as saved progress restores it.
    pub fn replay(scenario: Scenario, actions: &[Action]) -> Self {
        let mut world = World::new(scenario);
        for action in actions {
            world.apply(action.clone());
        }
        world
    }

    /// Applies one action and records it. Consecutive clock advances and consecutive edits of
    /// the same file are merged in the record, so the log stays short at any speed.
    pub fn apply(&mut self, action: Action) {
        let mut action = action.sanitized();
        // An edit is recorded as the patch from the content before it.
        let edit_before = match &action {
            Action::EditFile { path, .. } | Action::PatchFile { path, .. } => {
                self.files.get(path).map(|file| file.content.clone())
            }
            _ => None,
        };
        if let Action::PatchFile {
            path,
            at,
            delete,
            insert,
        } = &action
        {
            let patched = edit_before
                .as_deref()
                .and_then(|before| action::apply_patch(before, *at, *delete, insert));
            match patched {
                Some(content) => {
                    action = Action::EditFile {
                        path: path.clone(),
                        content,
                    }
                }
                None => {
                    self.log(
                        EventLevel::Warning,
                        format!("ignored a change of `{path}` that does not fit the file"),
                    );
                    return;
                }
            }
        }
        match &action {
            // Turned into an edit above.
            Action::PatchFile { .. } => return,
            Action::Advance { by } => self.advance(*by),
            Action::Apply { env } => {
                let line = format!("apply {env}");
                if self.tool_refuses(infra::Infrastructure::NAME, &line) {
                    return;
                }
            }
            Action::Inject { fault } => {
                if let Err(refused) = fault.check(&self.scenario.platform) {
                    self.log(
                        EventLevel::Warning,
                        format!("fault not injected: {refused}"),
                    );
                    return;
                }
                self.inject(fault.clone());
            }
            Action::PullRequest { command } => {
                if self.tool_refuses(crate::delivery::Pipeline::NAME, command) {
                    return;
                }
            }
            Action::Tool { tool, command } => {
                if self.tool_refuses(tool, command) {
                    return;
                }
            }
            Action::Kubectl { namespace, command } => {
                let line = crate::kube::kubectl::in_namespace(command, namespace);
                if self.tool_refuses(crate::cluster::Kubernetes::NAME, &line) {
                    return;
                }
            }
            Action::EditFile { path, content } => {
                if self.files.contains_key(path) {
                    self.write_file(path, content.clone());
                } else {
                    self.log(
                        EventLevel::Warning,
                        format!("ignored an edit of `{path}`: no such file in this world"),
                    );
                    return;
                }
            }
        }
        if let (Action::EditFile { path, content }, Some(before)) = (&action, edit_before) {
            self.record_edit(path, before, content);
            return;
        }
        match (self.actions.last_mut(), &action) {
            (Some(Action::Advance { by: previous }), Action::Advance { by })
                if previous.0 + by.0 <= MAX_ADVANCE.0 =>
            {
                previous.0 += by.0;
            }
            _ => self.actions.push(action),
        }
    }

    /// Records an edit of `path` as a patch; consecutive edits of the same file make one patch
    /// from the content before the first.
    fn record_edit(&mut self, path: &str, before: String, after: &str) {
        let merges = matches!(
            self.actions.last(),
            Some(Action::PatchFile { path: last, .. } | Action::EditFile { path: last, .. })
                if last == path
        );
        let base = match (merges, self.edit_base.take()) {
            (true, Some(base)) => {
                self.actions.pop();
                base
            }
            _ => before,
        };
        self.actions.push(action::patch_between(path, &base, after));
        self.edit_base = Some(base);
    }

    /// The actions applied so far, merged as [`World::apply`] describes.
    pub fn actions(&self) -> &[Action] {
        &self.actions
    }

    /// The scenario this world started from.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// The current simulated instant.
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// Time elapsed since the scenario started.
    pub fn elapsed(&self) -> SimDuration {
        self.now.since(self.scenario.start_time())
    }

    /// A file of the world, by path.
    pub fn file(&self, path: &str) -> Option<&WorldFile> {
        self.files.get(path)
    }

    /// What `helm template` prints for an environment: its manifests, or the chart's errors.
    pub fn rendered(&self, environment: &str) -> Option<&chart::Rendered> {
        self.tools.cluster.rendered(environment)
    }

    /// The environments, services and routes this world simulates.
    pub fn platform(&self) -> &Platform {
        &self.scenario.platform
    }

    /// The environments, in promotion order.
    pub fn environments(&self) -> &[Environment] {
        self.tools.cluster.environments()
    }

    /// The database of the environment `env`, as its infrastructure runs it.
    pub fn database(&self, env: &str) -> Option<&crate::database::Database> {
        self.tools.infra.env(env).map(|infra| &infra.database)
    }

    /// A copy of what the UI shows, detached from the world.
    pub fn snapshot(&self) -> WorldSnapshot {
        WorldSnapshot::of(self)
    }

    pub(crate) fn event_log(&self) -> &[EventLogEntry] {
        &self.event_log
    }

    pub(crate) fn files(&self) -> &BTreeMap<String, WorldFile> {
        &self.files
    }

    fn advance(&mut self, by: SimDuration) {
        self.carry = SimDuration(self.carry.0.saturating_add(by.0));
        let tick = self.scenario.tick;
        while self.carry >= tick {
            self.carry = SimDuration(self.carry.0 - tick.0);
            self.step(tick);
        }
    }

    /// One simulated step, in the documented tick order.
    fn step(&mut self, tick: SimDuration) {
        self.now = self.now.plus(tick);
        // The scenario: its scheduled events and the faults injected so far (this file).
        self.fire_scheduled_events();
        // The tools, in their list's order (tools.rs): the pull request's checks, merges and
        // promotions ask for deployments; Terraform's applies complete and the databases
        // follow their state; the cluster's autoscalers set replicas and its deployments
        // reconcile their pods; traffic's arrivals meet the ready pods and the databases, and
        // what disturbs them (serving.rs).
        self.step_tools(Phase::BeforeScrape);
        // Exposition: every series written into the store (exposition.rs).
        self.scrape();
        // The tools after the scrape: monitoring's rules on the new samples, Alertmanager, the
        // channels.
        self.step_tools(Phase::AfterScrape);
    }

    /// Rules, Alertmanager and chat channels.
    pub fn monitoring(&self) -> &alerting::Monitoring {
        &self.tools.monitoring
    }

    /// Changes made to the running platform, oldest first.
    pub fn changes(&self) -> &[ChangeMarker] {
        &self.changes
    }

    /// Fills the store with the hour of traffic before the scenario starts, so dashboards and
    /// rates have history from the first instant.
    fn warm_up(&mut self) {
        let start = self.now;
        let tick = self.scenario.tick;
        self.now = start.plus(SimDuration(-WARM_UP.0));
        self.scrape();
        while self.now < start {
            self.now = self.now.plus(tick);
            self.with_tool(|tools| &mut tools.traffic, Tool::step);
            self.scrape();
        }
    }

    /// The world's time-series store, as Prometheus would hold it.
    pub fn store(&self) -> &SeriesStore {
        &self.store
    }

    fn fire_scheduled_events(&mut self) {
        while let Some(event) = self.scenario.events.get(self.next_event) {
            if self.scenario.start_time().plus(event.at) > self.now {
                break;
            }
            let index = self.next_event;
            self.next_event += 1;
            self.fire_event(index);
        }
    }

    /// A fault a facilitator injects now: it acts as a scheduled event at this instant.
    fn inject(&mut self, fault: injection::Injection) {
        let at = self.elapsed();
        self.injected_events.push(fault.event(at));
        self.injected
            .push(injection::PlannedFault { after: at, fault });
        self.fire_event(self.scenario.events.len() + self.injected_events.len() - 1);
    }

    /// Makes the event numbered `index` happen (the scenario's first, then the injected ones).
    fn fire_event(&mut self, index: usize) {
        let count = self.scenario.events.len();
        let event = match index.checked_sub(count) {
            None => self.scenario.events.get(index),
            Some(injected) => self.injected_events.get(injected),
        };
        let Some(event) = event else { return };
        let text = event.note.clone();
        let release = event.release.clone();
        let crash = event.crash.clone();
        let drift = event.drift.clone();
        // A game's faults say nothing: participants see only their symptoms.
        if !text.is_empty() {
            self.log(EventLevel::Info, text);
        }
        if let Some(drift) = drift {
            if self
                .tools
                .infra
                .drift(&drift.env, &drift.attribute, drift.value)
            {
                self.refresh_infra();
                for (env, finding) in self.tools.infra.evaluate_compliance(self.now) {
                    self.post_finding(&env, &finding);
                }
            }
        }
        if let Some(crash) = crash {
            let effects = self
                .tools
                .cluster
                .crash(&crash.env, &crash.service, self.now);
            self.carry_out(effects);
        }
        if let Some(release) = release {
            if let Some(hash) = self.roll_out(&release.env, &release.service, &release.version) {
                self.release_templates.insert(index, hash);
            }
        }
    }

    /// The contents of the world's files, by path.
    fn file_contents(&self) -> BTreeMap<String, String> {
        self.files
            .iter()
            .map(|(path, file)| (path.clone(), file.content.clone()))
            .collect()
    }

    /// The faults a facilitator injected, with when, oldest first.
    pub fn injected(&self) -> &[injection::PlannedFault] {
        &self.injected
    }

    /// Records a change to the platform for the dashboards, forgetting the oldest past a bound.
    fn mark_change(&mut self, marker: ChangeMarker) {
        if self.changes.len() == EVENT_LOG_CAPACITY {
            self.changes.remove(0);
        }
        self.changes.push(marker);
    }

    /// Kubernetes events, oldest first.
    pub fn kube_events(&self) -> &[crate::kube::KubeEvent] {
        self.tools.cluster.events()
    }

    /// The Terraform project as the infrastructure views it.
    pub fn infrastructure(&self) -> &infra::Infrastructure {
        &self.tools.infra
    }

    /// The open pull request, if the scenario has one.
    pub fn pull_request(&self) -> Option<&crate::delivery::PullRequest> {
        self.tools.pull_request.0.as_ref()
    }

    /// Runs a command on the tool named `name`, and says whether the tool refused it (then the
    /// log says why, and the action is not recorded).
    fn tool_refuses(&mut self, name: &str, line: &str) -> bool {
        let Err(refused) = self.run_tool_line(name, line) else {
            return false;
        };
        self.log(EventLevel::Warning, format!("{name}: {refused}"));
        true
    }

    /// Plans every environment again, as an edit of the project does.
    fn refresh_infra(&mut self) {
        self.with_tool(
            |tools| &mut tools.infra,
            |infra, world, _| infra.refresh(world),
        );
    }

    /// Posts a compliance change to the environment's infrastructure channel.
    fn post_finding(&mut self, env: &str, finding: &infra::Finding) {
        let effects = infra::finding_effects(env, finding, self).to_vec();
        self.carry_out(effects);
    }

    fn write_file(&mut self, path: &str, content: String) {
        let file = WorldFile::parse(path, content, &self.scenario.platform);
        self.files.insert(path.to_string(), file);
        self.file_written(path);
    }

    fn log(&mut self, level: EventLevel, text: String) {
        if self.event_log.len() == EVENT_LOG_CAPACITY {
            self.event_log.remove(0);
        }
        self.event_log.push(EventLogEntry {
            at: self.now,
            level,
            text,
        });
    }
}
