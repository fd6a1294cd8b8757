//! What every simulated tool has in common with the others, and the one way the world drives
//! them.
//!
//! A tool (the pull request's pipeline, the Terraform project, the cluster, traffic,
//! monitoring) owns its state. It reads the
//! rest of the world through [`Surroundings`] and never changes it: what should happen
//! elsewhere (a deployment rolled out, a message in a channel, a line in the event log) comes
//! back as [`Effect`]s, which the world carries out in the order they are given. The world
//! holds its tools in one list (`world/tools.rs`), and that list gives each tool its place in
//! a step, its commands, the series it exposes, its part of a checkpoint and of the page's
//! snapshot.
//!
//! This module imports leaf modules only, never the world.

use crate::alertmanager::ChatMessage;
use crate::diagnostic::Diagnostic;
use crate::kube::deployment::Deployment;
use crate::kube::Cluster;
use crate::promql::{LabelCache, Sample, SeriesStore};
use crate::rng::SimRng;
use crate::time::{SimDuration, SimTime};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How much an event-log line matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EventLevel {
    Info,
    Warning,
}

/// What kind of change a dashboard marks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    /// Scaling, an apply, a database resize.
    Change,
    /// A release rolled out.
    Deploy,
}

impl ChangeKind {
    /// Its name, as the dashboards' markers are classed.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Change => "change",
            ChangeKind::Deploy => "deploy",
        }
    }
}

/// A change to the running platform, as a dashboard marks it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeMarker {
    pub at: SimTime,
    pub kind: ChangeKind,
    pub env: String,
    pub service: String,
    pub text: String,
}

/// Something a tool asks of the rest of the world.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// A line in the event log.
    Log(EventLevel, String),
    /// A message in a chat channel.
    Post(ChatMessage),
    /// A change drawn on the dashboards.
    Mark(ChangeMarker),
    /// A new version of `service` rolled out in `env`.
    RollOut {
        env: String,
        service: String,
        version: String,
    },
    /// A change to the cluster, as kubectl would make it.
    Cluster(crate::kube::kubectl::Change),
    /// The diagnostics of every file under `dir`, by path: a file not named has none.
    Diagnose {
        dir: &'static str,
        by_file: BTreeMap<String, Vec<Diagnostic>>,
    },
}

/// What a tool sees of the world around it: the cluster, as kubectl reads it, and the files.
pub trait Surroundings: Cluster {
    /// The world's files, by path, with their contents, in path order.
    fn files(&self) -> Vec<(&str, &str)>;
    /// The content of the world's file at `path`, if it has one.
    fn file(&self, path: &str) -> Option<&str>;
    /// Label sets built once and found again by their pairs, for the series a tool exposes.
    fn labels(&self) -> &LabelCache;
    /// How much simulated time one step covers.
    fn tick(&self) -> SimDuration;
    /// The scenario's seed, which seeded functions (a chart's `randAlphaNum`) draw from.
    fn seed(&self) -> u64;
    /// The database of the environment `env`, as its infrastructure runs it.
    fn database(&self, env: &str) -> Option<&crate::database::Database>;
    /// What disturbs traffic now, in the order it is applied.
    fn disturbances(&self) -> Vec<crate::fault::Disturbance>;
}

/// What the world lends a tool for the time it runs: the series store the scrape fills, and
/// the world's one random stream, which every tool draws from in turn so that a replay draws
/// the same numbers in the same order.
pub struct Lent<'a> {
    pub series: &'a mut SeriesStore,
    pub rng: &'a mut SimRng,
}

/// The command of a tool that takes none (it follows its files, or the world).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoCommand {}

/// Where in a world's step a tool runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Before the scrape, in the list's order: what one tool starts reaches the tools after it
    /// in the same step (a rollout, this step's pods; the pods, this step's requests).
    BeforeScrape,
    /// After the scrape: the series store holds this step's samples.
    AfterScrape,
}

impl dyn Surroundings + '_ {
    /// The deployment of `service` in the namespace `env`.
    pub fn deployment(&self, env: &str, service: &str) -> Option<&Deployment> {
        self.namespaces()
            .into_iter()
            .filter(|namespace| namespace.name == env)
            .flat_map(|namespace| namespace.deployments)
            .find(|deployment| deployment.service == service)
    }

    /// Whether `service` in `env` has finished rolling out and all its pods are ready.
    pub fn rolled_out(&self, env: &str, service: &str) -> bool {
        let now = self.now();
        self.deployment(env, service)
            .is_some_and(|d| !d.rolling_out() && d.ready_pods(now) >= d.desired as usize)
    }

    /// A gauge from the world's label cache.
    pub fn gauge(&self, pairs: &[(&str, &str)], value: f64) -> Sample {
        Sample::new(self.labels().get(pairs), value)
    }
}

/// A simulated tool, as the world drives it.
pub trait Tool: Default + Clone + std::fmt::Debug {
    /// Its name, in the log and in `Action::Tool`.
    const NAME: &'static str;
    /// Where in a step it runs.
    const PHASE: Phase = Phase::BeforeScrape;
    /// What the learner asks of it.
    type Command: Clone + PartialEq;
    /// What a checkpoint keeps of it (a checkpoint's format: a change to its shape bumps the
    /// format in `world/checkpoint.rs`, so that older checkpoints are replayed, not misread).
    type Saved: Serialize + DeserializeOwned;
    /// What the page shows of it.
    type Snapshot: Clone + PartialEq + std::fmt::Debug + Serialize;

    /// Reads a command as the learner writes it.
    fn parse(line: &str) -> Result<Self::Command, String>;

    /// Runs a command: what should follow elsewhere, or why the tool refuses it.
    fn command(
        &mut self,
        command: Self::Command,
        world: &dyn Surroundings,
        lent: &mut Lent,
    ) -> Result<Vec<Effect>, String>;

    /// Reads a line and runs it.
    fn run_line(
        &mut self,
        line: &str,
        world: &dyn Surroundings,
        lent: &mut Lent,
    ) -> Result<Vec<Effect>, String> {
        Self::parse(line).and_then(|command| self.command(command, world, lent))
    }

    /// Whether a file at `path` is one the tool reads.
    fn reads(&self, _path: &str) -> bool {
        false
    }

    /// A file it reads was written.
    fn file_written(&mut self, _path: &str, _world: &dyn Surroundings) -> Vec<Effect> {
        Vec::new()
    }

    /// One simulated step, at `world.now()`. `lent.series` is the store the scrape fills: a
    /// tool shows its own figures through [`Tool::expose`]; only the monitoring stack writes
    /// there (rule results, alerts, notifications), as Prometheus records into its own
    /// database.
    fn step(&mut self, world: &dyn Surroundings, lent: &mut Lent) -> Vec<Effect>;

    /// The series it exposes to the world's scrape, at `world.now()`, looked up by their
    /// labels at every scrape.
    fn expose(&self, _world: &dyn Surroundings, _samples: &mut Vec<Sample>) {}

    /// At the scrape, after [`Tool::expose`]'s series are written: writes the series it keeps
    /// by id into the store itself (counters of many series, created the first time they have
    /// something to show).
    fn write_series(&mut self, _series: &mut SeriesStore, _now: SimTime) {}

    /// What a checkpoint keeps.
    fn save(&self) -> Self::Saved;

    /// The tool as a checkpoint kept it, checked against the world it is restored into.
    fn restore(saved: Self::Saved, world: &dyn Surroundings) -> Result<Self, String>;

    /// What the page shows of it.
    fn snapshot(&self, world: &dyn Surroundings) -> Self::Snapshot;
}
