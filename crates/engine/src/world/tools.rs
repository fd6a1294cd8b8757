//! The world's tools, in the order they step: one line each. The list gives every tool its
//! field, its place in [`World::step`], its commands (by [`Tool::NAME`], from
//! [`Action::Tool`](super::Action::Tool) and the actions that name it), the files it reads,
//! the series it exposes, its part of a checkpoint and its part of the page's snapshot.

use super::World;
use crate::rng::SimRng;
use crate::tool::{Effect, Lent, Phase, Surroundings, Tool};
use serde::{Deserialize, Serialize};

macro_rules! tools {
    ($( $(#[$doc:meta])* $field:ident: $tool:ty, )*) => {
        /// Every tool of the world, each owning its state.
        #[derive(Debug, Clone, Default)]
        pub struct Tools {
            $( $(#[$doc])* pub $field: $tool, )*
        }

        /// What a checkpoint keeps of the tools, each under its field's name. Every part is
        /// required: a checkpoint without one is refused, and the page replays the actions.
        #[derive(Serialize, Deserialize)]
        pub(super) struct Saved {
            $( pub(super) $field: <$tool as Tool>::Saved, )*
        }

        /// What the page shows of each tool.
        #[derive(Debug, Clone, PartialEq, Serialize)]
        pub struct ToolSnapshots {
            $( $(#[$doc])* pub $field: <$tool as Tool>::Snapshot, )*
        }

        /// The tools' names, as commands name them.
        pub const NAMES: &[&str] = &[$( <$tool as Tool>::NAME, )*];

        impl Tools {
            pub(super) fn save(&self) -> Saved {
                Saved { $( $field: self.$field.save(), )* }
            }

            pub(super) fn restore(saved: Saved, world: &dyn Surroundings) -> Result<Tools, String> {
                Ok(Tools { $( $field: <$tool as Tool>::restore(saved.$field, world)?, )* })
            }

            pub(super) fn snapshot(&self, world: &dyn Surroundings) -> ToolSnapshots {
                ToolSnapshots { $( $field: self.$field.snapshot(world), )* }
            }

            pub(super) fn expose(&self, world: &dyn Surroundings, samples: &mut Vec<crate::promql::Sample>) {
                $( self.$field.expose(world, samples); )*
            }

            pub(super) fn write_series(&mut self, series: &mut crate::promql::SeriesStore, now: crate::time::SimTime) {
                $( self.$field.write_series(series, now); )*
            }
        }

        impl World {
            /// The step of each tool of `phase`, in the list's order, its effects carried out
            /// before the next.
            pub(super) fn step_tools(&mut self, phase: Phase) {
                $(
                    if <$tool as Tool>::PHASE == phase {
                        self.with_tool(|tools| &mut tools.$field, |tool, world, lent| {
                            Tool::step(tool, world, lent)
                        });
                    }
                )*
            }

            /// A file was written: the tools that read it follow.
            pub(super) fn file_written(&mut self, path: &str) {
                $(
                    if self.tools.$field.reads(path) {
                        self.with_tool(|tools| &mut tools.$field, |tool, world, _| tool.file_written(path, world));
                    }
                )*
            }

            /// Runs a command line on the tool named `name`; why it was refused, if it was.
            pub(super) fn run_tool_line(&mut self, name: &str, line: &str) -> Result<(), String> {
                $(
                    if name == <$tool as Tool>::NAME {
                        let mut refused = None;
                        self.with_tool(|tools| &mut tools.$field, |tool, world, lent| {
                            tool.run_line(line, world, lent).unwrap_or_else(|why| {
                                refused = Some(why);
                                Vec::new()
                            })
                        });
                        return refused.map_or(Ok(()), Err);
                    }
                )*
                Err(format!("this world has no tool named `{name}`"))
            }
        }
    };
}

tools! {
    /// The pull request on the application's repository, from review to prod.
    pull_request: crate::delivery::Pipeline,
    /// The Terraform project's states, plans and applies, and AWS Config's rules.
    infra: crate::infra::Infrastructure,
    /// The cluster: namespaces, deployments, pods and autoscalers, the chart each
    /// environment runs, and kubectl's changes.
    cluster: crate::cluster::Kubernetes,
    /// Traffic: arrivals against the ready pods and the databases, and the request counters.
    traffic: crate::traffic::Traffic,
    /// Prometheus's rules, Alertmanager and the chat channels, after the scrape.
    monitoring: crate::monitoring::Monitoring,
}

impl World {
    /// Runs `act` on one tool, taken out of the world for the time it runs (with the series
    /// store and the random stream, which it is lent) so that it sees the rest of the world,
    /// then carries out what it asks for.
    pub(super) fn with_tool<T: Tool>(
        &mut self,
        field: impl Fn(&mut Tools) -> &mut T,
        act: impl FnOnce(&mut T, &dyn Surroundings, &mut Lent) -> Vec<Effect>,
    ) {
        let mut tool = std::mem::take(field(&mut self.tools));
        let mut series = std::mem::take(&mut self.store);
        let mut rng = std::mem::replace(&mut self.rng, SimRng::seeded(0));
        let effects = act(
            &mut tool,
            self,
            &mut Lent {
                series: &mut series,
                rng: &mut rng,
            },
        );
        self.rng = rng;
        self.store = series;
        *field(&mut self.tools) = tool;
        self.carry_out(effects);
    }

    /// Does what tools asked, in order.
    pub(super) fn carry_out(&mut self, effects: Vec<Effect>) {
        for effect in effects {
            match effect {
                Effect::Log(level, text) => self.log(level, text),
                Effect::Post(message) => self.tools.monitoring.post(message),
                Effect::Mark(marker) => self.mark_change(marker),
                Effect::RollOut {
                    env,
                    service,
                    version,
                } => {
                    self.roll_out(&env, &service, &version);
                }
                Effect::Cluster(change) => self.change_cluster(change),
                Effect::Diagnose { dir, mut by_file } => {
                    for (path, file) in self.files.iter_mut() {
                        if path.starts_with(dir) {
                            file.diagnostics = by_file.remove(path).unwrap_or_default();
                        }
                    }
                }
            }
        }
    }
}

impl Surroundings for World {
    fn files(&self) -> Vec<(&str, &str)> {
        self.files
            .iter()
            .map(|(path, file)| (path.as_str(), file.content.as_str()))
            .collect()
    }

    fn file(&self, path: &str) -> Option<&str> {
        self.files.get(path).map(|file| file.content.as_str())
    }

    fn labels(&self) -> &crate::promql::LabelCache {
        &self.label_cache
    }

    fn tick(&self) -> crate::time::SimDuration {
        self.scenario.tick
    }

    fn seed(&self) -> u64 {
        self.scenario.seed
    }

    fn database(&self, env: &str) -> Option<&crate::database::Database> {
        World::database(self, env)
    }

    fn disturbances(&self) -> Vec<crate::fault::Disturbance> {
        self.disturbances_now()
    }
}
