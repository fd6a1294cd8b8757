//! Checking a lesson as its author needs: objectives compile, widgets point at files that
//! exist, the lesson is not solved at the start and is solved by its reference solution.

use super::front_matter::Lesson;
use super::markdown::{render_markdown, WidgetKind};
use crate::diagnostic::Diagnostic;
use crate::objective::CompiledObjective;
use crate::world::{Action, World};
use std::collections::BTreeSet;

/// Tracks which objectives of a lesson have been met. An objective stays met once it was met,
/// as a learner expects from a checklist.
#[derive(Debug, Clone)]
pub struct ObjectiveTracker {
    objectives: Vec<CompiledObjective>,
    met: BTreeSet<String>,
}

impl ObjectiveTracker {
    /// Compiles the lesson's objectives; those that do not compile are reported and left out.
    pub fn new(lesson: &Lesson) -> (Self, Vec<Diagnostic>) {
        let mut objectives = Vec::new();
        let mut diagnostics = Vec::new();
        for (index, objective) in lesson.objectives.iter().enumerate() {
            match CompiledObjective::compile(objective.clone()) {
                Ok(compiled) => objectives.push(compiled),
                Err(diagnostic) => diagnostics.push(Diagnostic {
                    line: lesson.objective_line(index),
                    column: 1,
                    message: format!(
                        "objective `{}` has an invalid query: {}",
                        objective.id, diagnostic.message
                    ),
                    ..diagnostic
                }),
            }
        }
        (
            ObjectiveTracker {
                objectives,
                met: BTreeSet::new(),
            },
            diagnostics,
        )
    }

    /// How much series history the objectives read: what a checkpoint of the lesson's world
    /// keeps at least.
    pub fn lookback(&self) -> crate::time::SimDuration {
        let longest = self
            .objectives
            .iter()
            .map(CompiledObjective::lookback_ms)
            .max();
        crate::time::SimDuration(longest.unwrap_or(0))
    }

    /// Marks as met the objectives given, from saved progress.
    pub fn restore(&mut self, met: impl IntoIterator<Item = String>) {
        let known: BTreeSet<&str> = self
            .objectives
            .iter()
            .map(|compiled| compiled.objective.id.as_str())
            .collect();
        let restored: Vec<String> = met
            .into_iter()
            .filter(|id| known.contains(id.as_str()))
            .collect();
        self.met.extend(restored);
    }

    /// Checks the objectives not met yet against `world`; returns the ids newly met and the
    /// evaluation errors, if any.
    pub fn update(&mut self, world: &World) -> (Vec<String>, Vec<String>) {
        let mut newly_met = Vec::new();
        let mut errors = Vec::new();
        for compiled in &self.objectives {
            if self.met.contains(&compiled.objective.id) {
                continue;
            }
            match compiled.check(world) {
                Ok(true) => newly_met.push(compiled.objective.id.clone()),
                Ok(false) => {}
                Err(error) => errors.push(error),
            }
        }
        self.met.extend(newly_met.iter().cloned());
        (newly_met, errors)
    }

    /// The same objectives with none met, for a learner who starts over.
    pub fn cleared(&self) -> Self {
        ObjectiveTracker {
            objectives: self.objectives.clone(),
            met: BTreeSet::new(),
        }
    }

    /// The ids of the objectives met so far.
    pub fn met(&self) -> &BTreeSet<String> {
        &self.met
    }

    /// True once every objective is met (and there is at least one).
    pub fn all_met(&self) -> bool {
        !self.objectives.is_empty()
            && self
                .objectives
                .iter()
                .all(|compiled| self.met.contains(&compiled.objective.id))
    }
}

/// Everything wrong with a parsed lesson, beyond what parsing found.
pub fn check_lesson(lesson: &Lesson) -> Vec<Diagnostic> {
    let rendered = render_markdown(&lesson.body, lesson.body_first_line);
    let mut diagnostics = rendered.diagnostics.clone();
    let start = World::new(lesson.scenario.clone());

    if lesson.objectives.is_empty() {
        diagnostics.push(
            Diagnostic::error(1, 1, "the lesson has no objectives").with_hint(
                "add an `objectives:` list with at least one query the engine can check",
            ),
        );
    }
    let mut seen = BTreeSet::new();
    for (index, objective) in lesson.objectives.iter().enumerate() {
        if !seen.insert(objective.id.as_str()) {
            let line = lesson.objective_line(index);
            diagnostics.push(
                Diagnostic::error(
                    line,
                    1,
                    format!("objective id `{}` is used twice", objective.id),
                )
                .with_hint("give every objective its own id: progress is saved by id"),
            );
        }
    }
    let platform = &lesson.scenario.platform;
    for widget in rendered.widgets() {
        let name = widget.kind.name();
        match &widget.kind {
            WidgetKind::Explore { query, .. } => {
                if let Err(diagnostic) = crate::promql::parse_query(query) {
                    diagnostics.push(
                        Diagnostic::error(
                            widget.line,
                            1,
                            format!(
                                "the explore widget's query is invalid: {}",
                                diagnostic.message
                            ),
                        )
                        .with_hint("write the query on one line after `query:`"),
                    );
                }
            }
            WidgetKind::Editor { file } if !file.is_empty() && start.file(file).is_none() => {
                diagnostics.push(
                    Diagnostic::error(
                        widget.line,
                        1,
                        format!("the editor opens `{file}`, which the world does not have"),
                    )
                    .with_hint(format!("files of this world: {}", file_list(&start))),
                )
            }
            _ => {}
        }
        // Environments and services a widget starts on must be the platform's.
        if let Some((key, env)) = widget
            .kind
            .environment()
            .filter(|(_, env)| !platform.has_environment(env))
        {
            diagnostics.push(
                Diagnostic::error(
                    widget.line,
                    1,
                    format!("the {name} widget's {key} `{env}` is not an environment"),
                )
                .with_hint(platform.environments_hint(env)),
            );
        }
        if let Some(project) = widget.kind.service().filter(|p| !platform.has_service(p)) {
            diagnostics.push(
                Diagnostic::error(
                    widget.line,
                    1,
                    format!("the {name} widget's project `{project}` is not a service"),
                )
                .with_hint(platform.services_hint(project)),
            );
        }
    }
    for action in &lesson.solution {
        if let crate::world::Action::EditFile { path, .. } = action {
            if start.file(path).is_none() {
                diagnostics.push(
                    Diagnostic::error(
                        1,
                        1,
                        format!("the solution edits `{path}`, which the world does not have"),
                    )
                    .with_hint(format!("files of this world: {}", file_list(&start))),
                );
            }
        }
    }

    let (mut tracker, compile_diagnostics) = ObjectiveTracker::new(lesson);
    let had_compile_errors = !compile_diagnostics.is_empty();
    diagnostics.extend(compile_diagnostics);
    if had_compile_errors {
        return diagnostics;
    }

    let (met_at_start, errors) = tracker.update(&start);
    diagnostics.extend(
        errors
            .into_iter()
            .map(|error| Diagnostic::error(1, 1, error)),
    );
    for id in met_at_start {
        let index = lesson.objectives.iter().position(|o| o.id == id);
        let line = index.map_or(1, |index| lesson.objective_line(index));
        diagnostics.push(
            Diagnostic::error(
                line,
                1,
                format!("objective `{id}` is already met at the start"),
            )
            .with_hint("change the scenario or the query so that the learner has something to do"),
        );
    }

    // Waiting is not a solution: the clock alone (the solution's advances, without its edits)
    // must leave at least one objective unmet.
    let mut waiting_tracker = ObjectiveTracker::new(lesson).0;
    let mut waiting = start.clone();
    for action in lesson
        .solution
        .iter()
        .filter(|a| matches!(a, Action::Advance { .. }))
    {
        waiting.apply(action.clone());
        waiting_tracker.update(&waiting);
    }
    if waiting_tracker.all_met() {
        diagnostics.push(
            Diagnostic::error(
                1,
                1,
                "letting the clock run meets every objective: the learner has nothing to do",
            )
            .with_hint(
                "add an objective that needs a change, or a scenario where waiting is not enough",
            ),
        );
    }

    diagnostics.extend(check_demo(lesson, &start));

    let mut tracker = ObjectiveTracker::new(lesson).0;
    let mut world = start;
    for action in &lesson.solution {
        world.apply(action.clone());
        tracker.update(&world);
    }
    for (index, objective) in lesson.objectives.iter().enumerate() {
        if !tracker.met().contains(&objective.id) {
            let line = lesson.objective_line(index);
            diagnostics.push(
                Diagnostic::error(
                    line,
                    1,
                    format!(
                        "the reference solution does not meet objective `{}`",
                        objective.id
                    ),
                )
                .with_hint(
                    "extend the `solution:` steps, or give the clock more time with `advance`",
                ),
            );
        }
    }
    diagnostics
}

/// Plays a demo script from the start: every step's action must do what it says.
fn check_demo(lesson: &Lesson, start: &World) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    let mut world = start.clone();
    for step in &lesson.demo {
        let Some(action) = &step.action else {
            continue;
        };
        if let Action::EditFile { path, .. } = action {
            if world.file(path).is_none() {
                diagnostics.push(
                    Diagnostic::error(
                        lesson.demo_line(step),
                        1,
                        format!("the demo edits `{path}`, which the world does not have"),
                    )
                    .with_hint(format!("files of this world: {}", file_list(&world))),
                );
                continue;
            }
        }
        let recorded = world.actions().len();
        world.apply(action.clone());
        if let Action::Tool { tool, command } = action {
            if world.actions().len() == recorded {
                let why = world
                    .event_log()
                    .last()
                    .map_or("", |entry| entry.text.as_str());
                diagnostics.push(
                    Diagnostic::error(
                        lesson.demo_line(step),
                        1,
                        format!("the demo's `{tool}: {command}` is refused when it plays: {why}"),
                    )
                    .with_hint("give the clock more time before this step with `advance`"),
                );
            }
        }
        if let Action::PullRequest { command } = action {
            if let Some(Err(why)) = world.pull_request().and_then(|p| p.last_outcome.clone()) {
                diagnostics.push(
                    Diagnostic::error(
                        lesson.demo_line(step),
                        1,
                        format!("the demo's `pr: {command}` fails when it plays: {why}"),
                    )
                    .with_hint("give the clock more time before this step with `advance`"),
                );
            }
        }
    }
    diagnostics
}

fn file_list(world: &World) -> String {
    world
        .snapshot()
        .files
        .iter()
        .map(|file| format!("`{}`", file.path))
        .collect::<Vec<_>>()
        .join(", ")
}
