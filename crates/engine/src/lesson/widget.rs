//! The widgets a lesson places in its text, typed: each kind with the settings it takes.
//!
//! A fenced block whose info string names a widget is read here. Its settings are a YAML map;
//! a key the widget does not take, a missing required key or a value out of its set is a
//! diagnostic at the fence's line, as is an info string one typo away from a widget's name.

use crate::diagnostic::{closest, Diagnostic};
use serde::Serialize;
use std::collections::BTreeMap;

/// A tab of the workbench, or (`Text`) the lesson's text: what the presenter's stage shows. A
/// demo step names one with `panel:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Tab {
    Text,
    Files,
    Terraform,
    Dashboard,
    Alerts,
    Channel,
    Explore,
    Kubernetes,
    PullRequest,
    Events,
}

impl Tab {
    /// Every panel, in the order of the workbench's tabs (the text first).
    pub const ALL: [Tab; 10] = [
        Tab::Text,
        Tab::Files,
        Tab::Terraform,
        Tab::Dashboard,
        Tab::Alerts,
        Tab::Channel,
        Tab::Explore,
        Tab::Kubernetes,
        Tab::PullRequest,
        Tab::Events,
    ];

    /// Its name, as a demo step and the page's test ids write it.
    pub fn id(self) -> &'static str {
        match self {
            Tab::Text => "text",
            Tab::Files => "files",
            Tab::Terraform => "terraform",
            Tab::Dashboard => "dashboard",
            Tab::Alerts => "alerts",
            Tab::Channel => "channel",
            Tab::Explore => "explore",
            Tab::Kubernetes => "kubernetes",
            Tab::PullRequest => "pull-request",
            Tab::Events => "events",
        }
    }

    /// The panel a name stands for.
    pub fn parse(id: &str) -> Option<Tab> {
        Tab::ALL.into_iter().find(|panel| panel.id() == id)
    }
}

/// The time range an explorer opens with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub enum ExploreRange {
    Minutes15,
    Minutes30,
    #[default]
    Hour1,
    Hours6,
    Hours24,
}

impl ExploreRange {
    /// Every range, shortest first.
    pub const ALL: [ExploreRange; 5] = [
        ExploreRange::Minutes15,
        ExploreRange::Minutes30,
        ExploreRange::Hour1,
        ExploreRange::Hours6,
        ExploreRange::Hours24,
    ];

    /// How a lesson and the range buttons write it.
    pub fn label(self) -> &'static str {
        match self {
            ExploreRange::Minutes15 => "15m",
            ExploreRange::Minutes30 => "30m",
            ExploreRange::Hour1 => "1h",
            ExploreRange::Hours6 => "6h",
            ExploreRange::Hours24 => "24h",
        }
    }

    /// Its length in milliseconds.
    pub fn millis(self) -> i64 {
        match self {
            ExploreRange::Minutes15 => 15 * 60_000,
            ExploreRange::Minutes30 => 30 * 60_000,
            ExploreRange::Hour1 => 3_600_000,
            ExploreRange::Hours6 => 6 * 3_600_000,
            ExploreRange::Hours24 => 24 * 3_600_000,
        }
    }

    fn parse(label: &str) -> Option<ExploreRange> {
        ExploreRange::ALL.into_iter().find(|r| r.label() == label)
    }
}

/// Which view an explorer opens on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub enum ExploreView {
    /// The query's graph.
    #[default]
    Graph,
    /// The query explained, node by node.
    Explain,
}

/// A widget with its settings. Unset environments, services and channels are the platform's
/// defaults, chosen by the page that shows the widget.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum WidgetKind {
    /// An editor on one file of the world.
    Editor { file: String },
    /// The lesson's objectives and their state.
    Objectives,
    /// The deployments of one environment.
    Deployments { env: Option<String> },
    /// The world's event log.
    Events,
    /// A query box with its graph.
    Explore {
        query: String,
        range: ExploreRange,
        view: ExploreView,
    },
    /// The service dashboard, or some of its panels.
    Dashboard {
        /// Tab ids, in the order shown; empty for all of them.
        panels: Vec<String>,
        env: Option<String>,
        project: Option<String>,
    },
    /// Alerts, rules and Alertmanager.
    Alerts,
    /// One chat channel.
    Channel { channel: Option<String> },
    /// The Terraform plan of one environment.
    Terraform { env: Option<String> },
    /// A kubectl console.
    Kubectl {
        namespace: Option<String>,
        /// A command typed in advance.
        command: Option<String>,
    },
    /// The chart's state in one environment.
    Helm { env: Option<String> },
    /// The pull request.
    PullRequest,
}

/// Every widget's name, as a fenced block's info string writes it.
pub const WIDGET_KINDS: [&str; 12] = [
    "editor",
    "objectives",
    "deployments",
    "events",
    "explore",
    "dashboard",
    "alerts",
    "channel",
    "terraform",
    "kubectl",
    "helm",
    "pull-request",
];

/// The settings each widget takes, in the order of [`WIDGET_KINDS`].
const WIDGET_KEYS: [&[&str]; 12] = [
    &["file"],
    &[],
    &["env"],
    &[],
    &["query", "range", "view"],
    &["panels", "env", "project"],
    &[],
    &["channel"],
    &["env"],
    &["namespace", "command"],
    &["env"],
    &[],
];

impl WidgetKind {
    /// Its name, as the fenced block writes it.
    pub fn name(&self) -> &'static str {
        match self {
            WidgetKind::Editor { .. } => "editor",
            WidgetKind::Objectives => "objectives",
            WidgetKind::Deployments { .. } => "deployments",
            WidgetKind::Events => "events",
            WidgetKind::Explore { .. } => "explore",
            WidgetKind::Dashboard { .. } => "dashboard",
            WidgetKind::Alerts => "alerts",
            WidgetKind::Channel { .. } => "channel",
            WidgetKind::Terraform { .. } => "terraform",
            WidgetKind::Kubectl { .. } => "kubectl",
            WidgetKind::Helm { .. } => "helm",
            WidgetKind::PullRequest => "pull-request",
        }
    }

    /// The environment the widget starts on, and the key that set it.
    pub fn environment(&self) -> Option<(&'static str, &str)> {
        match self {
            WidgetKind::Deployments { env: Some(env) }
            | WidgetKind::Dashboard { env: Some(env), .. }
            | WidgetKind::Terraform { env: Some(env) }
            | WidgetKind::Helm { env: Some(env) } => Some(("env", env)),
            WidgetKind::Kubectl {
                namespace: Some(namespace),
                ..
            } => Some(("namespace", namespace)),
            _ => None,
        }
    }

    /// The service the widget starts on.
    pub fn service(&self) -> Option<&str> {
        match self {
            WidgetKind::Dashboard {
                project: Some(project),
                ..
            } => Some(project),
            _ => None,
        }
    }
}

/// A widget placed in the lesson text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Widget {
    pub kind: WidgetKind,
    /// The 1-based line of the fence in the lesson file.
    pub line: usize,
}

/// Whether a fenced block's info string names a widget; a near miss (`dashbaord`: the first
/// letter right, two edits at most) is told as a warning, since the block then shows as code.
/// Code languages (`shell`, `yaml`, `promql`) are not near misses.
pub(super) fn widget_name(
    info: &str,
    line: usize,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<&'static str> {
    let name = info.split_whitespace().next().unwrap_or("");
    if let Some(kind) = WIDGET_KINDS.iter().find(|kind| **kind == name) {
        return Some(kind);
    }
    let near = closest(name, &WIDGET_KINDS)
        .filter(|meant| name.len() > 3 && meant.chars().next() == name.chars().next());
    if let Some(meant) = near {
        diagnostics.push(
            Diagnostic::warning(
                line,
                1,
                format!("`{name}` is not a widget, so this block shows as code"),
            )
            .with_hint(format!("did you mean `{meant}`?")),
        );
    }
    None
}

/// Reads a widget's settings (`settings` is the fenced block's text, already read as a map of
/// scalars); each problem is a diagnostic at the fence's `line`.
pub(super) fn read_widget(
    name: &str,
    mut settings: BTreeMap<String, String>,
    line: usize,
    diagnostics: &mut Vec<Diagnostic>,
) -> Widget {
    let index = WIDGET_KINDS.iter().position(|k| *k == name).unwrap_or(0);
    let known = WIDGET_KEYS[index];
    for key in settings.keys().filter(|key| !known.contains(&key.as_str())) {
        let hint = match closest(key, known) {
            Some(meant) => format!("did you mean `{meant}`?"),
            None if known.is_empty() => format!("the {name} widget takes no settings"),
            None => format!("the {name} widget takes: {}", known.join(", ")),
        };
        diagnostics.push(
            Diagnostic::error(line, 1, format!("the {name} widget has no setting `{key}`"))
                .with_hint(hint),
        );
    }
    let mut take = |key: &str| settings.remove(key).filter(|v| !v.trim().is_empty());
    let kind = match name {
        "editor" => {
            let file = take("file").unwrap_or_else(|| {
                diagnostics.push(
                    Diagnostic::error(line, 1, "the editor widget needs a `file`")
                        .with_hint("write `file: deploy/values-dev.yaml` inside the fenced block"),
                );
                String::new()
            });
            WidgetKind::Editor { file }
        }
        "objectives" => WidgetKind::Objectives,
        "deployments" => WidgetKind::Deployments { env: take("env") },
        "events" => WidgetKind::Events,
        "explore" => {
            let query = take("query").unwrap_or_default();
            let range = take("range").map_or(ExploreRange::default(), |label| {
                ExploreRange::parse(&label).unwrap_or_else(|| {
                    let labels: Vec<&str> = ExploreRange::ALL.iter().map(|r| r.label()).collect();
                    diagnostics.push(
                        Diagnostic::error(
                            line,
                            1,
                            format!("the explore widget has no range `{label}`"),
                        )
                        .with_hint(format!("write one of: {}", labels.join(", "))),
                    );
                    ExploreRange::default()
                })
            });
            let view = match take("view").as_deref() {
                None | Some("graph") => ExploreView::Graph,
                Some("explain") => ExploreView::Explain,
                Some(other) => {
                    diagnostics.push(
                        Diagnostic::error(
                            line,
                            1,
                            format!("the explore widget has no view `{other}`"),
                        )
                        .with_hint("write one of: graph, explain"),
                    );
                    ExploreView::Graph
                }
            };
            WidgetKind::Explore { query, range, view }
        }
        "dashboard" => {
            let panels: Vec<String> = take("panels")
                .map(|list| list.split(',').map(|p| p.trim().to_string()).collect())
                .unwrap_or_default();
            let ids = crate::dashboard::panel_ids();
            for panel in panels.iter().filter(|p| !ids.contains(&p.as_str())) {
                let hint = match closest(panel, &ids) {
                    Some(meant) => format!("did you mean `{meant}`?"),
                    None => format!("the panels are: {}", ids.join(", ")),
                };
                diagnostics.push(
                    Diagnostic::error(line, 1, format!("the dashboard has no panel `{panel}`"))
                        .with_hint(hint),
                );
            }
            WidgetKind::Dashboard {
                panels,
                env: take("env"),
                project: take("project"),
            }
        }
        "alerts" => WidgetKind::Alerts,
        "channel" => WidgetKind::Channel {
            channel: take("channel"),
        },
        "terraform" => WidgetKind::Terraform { env: take("env") },
        "kubectl" => WidgetKind::Kubectl {
            namespace: take("namespace"),
            command: take("command"),
        },
        "helm" => WidgetKind::Helm { env: take("env") },
        _ => WidgetKind::PullRequest,
    };
    Widget { kind, line }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(name: &str, settings: &[(&str, &str)]) -> (Widget, Vec<Diagnostic>) {
        let mut diagnostics = Vec::new();
        let settings = settings
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let widget = read_widget(name, settings, 7, &mut diagnostics);
        (widget, diagnostics)
    }

    #[test]
    fn tabs_read_back_from_their_names() {
        for panel in Tab::ALL {
            assert_eq!(Tab::parse(panel.id()), Some(panel));
        }
        assert_eq!(Tab::parse("stage"), None);
    }

    #[test]
    fn every_kind_reads_back_to_its_name() {
        for name in WIDGET_KINDS {
            let settings: &[(&str, &str)] = if name == "editor" {
                &[("file", "a")]
            } else {
                &[]
            };
            let (widget, diagnostics) = read(name, settings);
            assert_eq!(widget.kind.name(), name);
            assert!(diagnostics.is_empty(), "{name}: {diagnostics:?}");
        }
    }

    #[test]
    fn settings_are_typed() {
        let (widget, diagnostics) = read(
            "explore",
            &[("query", "up"), ("range", "6h"), ("view", "explain")],
        );
        assert!(diagnostics.is_empty());
        assert_eq!(
            widget.kind,
            WidgetKind::Explore {
                query: "up".into(),
                range: ExploreRange::Hours6,
                view: ExploreView::Explain
            }
        );
        let (widget, _) = read("dashboard", &[("panels", "p99, codes"), ("env", "prod")]);
        assert_eq!(widget.kind.environment(), Some(("env", "prod")));
        assert!(
            matches!(widget.kind, WidgetKind::Dashboard { ref panels, .. } if panels == &["p99", "codes"])
        );
    }

    #[test]
    fn unknown_settings_and_values_are_diagnostics() {
        let (_, diagnostics) = read("explore", &[("qury", "up"), ("range", "2h")]);
        let messages: Vec<String> = diagnostics
            .iter()
            .map(|d| format!("{} ({})", d.message, d.hint.clone().unwrap_or_default()))
            .collect();
        assert_eq!(
            messages,
            [
                "the explore widget has no setting `qury` (did you mean `query`?)",
                "the explore widget has no range `2h` (write one of: 15m, 30m, 1h, 6h, 24h)",
            ]
        );
        assert!(diagnostics.iter().all(|d| d.line == 7));
        let (_, diagnostics) = read("alerts", &[("env", "prod")]);
        assert_eq!(
            diagnostics[0].hint.as_deref(),
            Some("the alerts widget takes no settings")
        );
        let (_, diagnostics) = read("dashboard", &[("panels", "p99,erors")]);
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(
            diagnostics[0].hint.as_deref(),
            Some("did you mean `errors`?")
        );
        let (widget, diagnostics) = read("editor", &[]);
        assert_eq!(
            widget.kind,
            WidgetKind::Editor {
                file: String::new()
            }
        );
        assert_eq!(diagnostics[0].message, "the editor widget needs a `file`");
    }

    #[test]
    fn a_near_miss_info_string_is_a_warning() {
        let mut diagnostics = Vec::new();
        assert_eq!(widget_name("dashbaord", 3, &mut diagnostics), None);
        assert_eq!(
            diagnostics[0].hint.as_deref(),
            Some("did you mean `dashboard`?")
        );
        diagnostics.clear();
        for code in ["yaml", "promql", "hcl", "php", "text", "", "sh", "shell"] {
            assert_eq!(widget_name(code, 3, &mut diagnostics), None);
        }
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        assert_eq!(
            widget_name("kubectl extra", 3, &mut diagnostics),
            Some("kubectl")
        );
    }
}
