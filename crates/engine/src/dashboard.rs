//! The platform dashboard: Grafana-style panels for one environment and project, computed
//! from the world's series, with the alert rules' thresholds and alert markers.
//!
//! Every panel is a set of PromQL queries with `$env` and `$project` in them, evaluated as
//! range queries; the UI only draws what [`dashboard`] returns.

use crate::alerting::RuleStatus;
use crate::monitoring::MarkedState;
use crate::promql::{parse_query, range_query, Labels, RangeSeries, SeriesStore};
use crate::tool::ChangeKind;
use crate::world::{AlertMarker, ChangeMarker};
use serde::Serialize;

/// How a panel's values read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    Seconds,
    /// A ratio from 0 to 1, shown as a percentage.
    Ratio,
    Percent,
    RequestsPerSecond,
    Count,
}

/// A horizontal line on a panel: an alert rule's threshold.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Threshold {
    pub value: f64,
    pub label: String,
}

/// A vertical line on every panel: an alert changing state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Marker {
    pub at_ms: i64,
    pub kind: MarkerKind,
    pub text: String,
}

/// What a marker marks: an alert changing state, or a change to the platform. It serializes
/// as the word the page classes it by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum MarkerKind {
    /// `pending`, `firing` or `resolved`.
    Alert(MarkedState),
    /// `change` (scaling, an apply, a database resize) or `deploy` (a release).
    Change(ChangeKind),
}

impl MarkerKind {
    /// Its name, as the page classes the marker.
    pub fn as_str(self) -> &'static str {
        match self {
            MarkerKind::Alert(state) => state.as_str(),
            MarkerKind::Change(kind) => kind.as_str(),
        }
    }
}

/// One panel, ready to draw.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Panel {
    pub id: &'static str,
    pub title: &'static str,
    pub unit: Unit,
    /// One series per legend entry; each label set holds only the legend text as its name.
    #[serde(skip)]
    pub series: Vec<RangeSeries>,
    pub thresholds: Vec<Threshold>,
    pub error: Option<String>,
}

/// A query of a panel: the PromQL, and the legend (a fixed text, or `{{label}}`).
struct PanelQuery {
    expr: &'static str,
    legend: &'static str,
}

struct PanelSpec {
    id: &'static str,
    title: &'static str,
    unit: Unit,
    queries: &'static [PanelQuery],
    /// Alert rules whose query mentions all of these get their threshold drawn here.
    threshold_when: &'static [&'static str],
}

const SELECTOR: &str = r#"env="$env", project="$project""#;

const PANELS: [PanelSpec; 7] = [
    PanelSpec {
        id: "p99",
        title: "Request duration p99 by route",
        unit: Unit::Seconds,
        queries: &[PanelQuery {
            expr: "histogram_quantile(0.99, sum by (route, le) (rate(http_request_seconds_bucket{SEL}[5m])))",
            legend: "{{route}}",
        }],
        threshold_when: &["histogram_quantile", "http_request_seconds_bucket"],
    },
    PanelSpec {
        id: "average",
        title: "Average request duration by route",
        unit: Unit::Seconds,
        queries: &[PanelQuery {
            expr: "sum by (route) (rate(http_request_seconds_sum{SEL}[5m])) / sum by (route) (rate(http_request_seconds_count{SEL}[5m]))",
            legend: "{{route}}",
        }],
        threshold_when: &["http_request_seconds_sum"],
    },
    PanelSpec {
        id: "codes",
        title: "HTTP codes",
        unit: Unit::RequestsPerSecond,
        queries: &[
            PanelQuery {
                expr: r#"sum(rate(http_request_seconds_count{SEL, status=~"2.."}[5m]))"#,
                legend: "2xx",
            },
            PanelQuery {
                expr: r#"sum(rate(http_request_seconds_count{SEL, status=~"4..", status!~"49."}[5m]))"#,
                legend: "4xx",
            },
            PanelQuery {
                expr: r#"sum(rate(http_request_seconds_count{SEL, status=~"49."}[5m]))"#,
                legend: "49x",
            },
            PanelQuery {
                expr: r#"sum(rate(http_request_seconds_count{SEL, status=~"5.."}[5m]))"#,
                legend: "5xx",
            },
        ],
        threshold_when: &[],
    },
    PanelSpec {
        id: "errors",
        title: "5xx ratio by route",
        unit: Unit::Ratio,
        queries: &[PanelQuery {
            expr: r#"sum by (route) (rate(http_request_seconds_count{SEL, status=~"5.."}[5m])) / sum by (route) (rate(http_request_seconds_count{SEL}[5m]))"#,
            legend: "{{route}}",
        }],
        threshold_when: &["http_request_seconds_count", "5.."],
    },
    PanelSpec {
        id: "phpfpm",
        title: "php-fpm active processes",
        unit: Unit::Percent,
        queries: &[
            PanelQuery {
                expr: r#"avg(phpfpm_active_process_percentage{env="$env", app="$project"})"#,
                legend: "average",
            },
            PanelQuery {
                expr: r#"max(phpfpm_active_process_percentage{env="$env", app="$project"})"#,
                legend: "busiest pod",
            },
            PanelQuery {
                expr: r#"max(kube_horizontalpodautoscaler_spec_target_metric{env="$env", horizontalpodautoscaler="$project"})"#,
                legend: "autoscaler target",
            },
        ],
        threshold_when: &["phpfpm_active_process_percentage"],
    },
    PanelSpec {
        id: "replicas",
        title: "Replicas",
        unit: Unit::Count,
        queries: &[
            PanelQuery {
                expr: r#"sum(kube_deployment_spec_replicas{env="$env", deployment="$project"})"#,
                legend: "desired",
            },
            PanelQuery {
                expr: r#"sum(kube_deployment_status_replicas_ready{env="$env", deployment="$project"})"#,
                legend: "ready",
            },
            PanelQuery {
                expr: r#"max(kube_horizontalpodautoscaler_spec_max_replicas{env="$env", horizontalpodautoscaler="$project"})"#,
                legend: "autoscaler max",
            },
        ],
        threshold_when: &[],
    },
    PanelSpec {
        id: "database",
        title: "Database CPU (shared by the environment's services)",
        unit: Unit::Percent,
        queries: &[PanelQuery {
            expr: r#"max by (dbinstance_identifier, instance_class) (aws_rds_cpuutilization_average{env="$env"} * on (dbinstance_identifier) group_left (instance_class) aws_rds_instance_info{env="$env"})"#,
            legend: "{{dbinstance_identifier}} ({{instance_class}})",
        }],
        threshold_when: &["aws_rds_cpuutilization_average"],
    },
];

/// How many points a panel gets across its range.
const POINTS: i64 = 90;

/// What the dashboard shows for `env` and `project` over `range_ms` up to `end_ms`.
/// The ids of the dashboard's panels, in the order it shows them.
pub fn panel_ids() -> [&'static str; PANELS.len()] {
    PANELS.each_ref().map(|panel| panel.id)
}

/// The panels named in `only` (every panel when it is empty), for `env` and `project`, over
/// the `range_ms` before `end_ms`. A panel not shown is not queried.
pub fn dashboard(
    store: &SeriesStore,
    rules: &[RuleStatus],
    env: &str,
    project: &str,
    end_ms: i64,
    range_ms: i64,
    only: &[String],
) -> Vec<Panel> {
    let step_ms = (range_ms / POINTS).max(15_000);
    let start_ms = end_ms - range_ms;
    PANELS
        .iter()
        .filter(|spec| only.is_empty() || only.iter().any(|id| id == spec.id))
        .map(|spec| {
            let mut panel = Panel {
                id: spec.id,
                title: spec.title,
                unit: spec.unit,
                series: Vec::new(),
                thresholds: thresholds(spec, rules),
                error: None,
            };
            for query in spec.queries {
                let text = query
                    .expr
                    .replace("SEL", SELECTOR)
                    .replace("$env", &escape(env))
                    .replace("$project", &escape(project));
                let result = parse_query(&text).map_err(|d| d.message).and_then(|q| {
                    range_query(store, &q.expr, start_ms, end_ms, step_ms)
                        .map_err(|e| e.to_string())
                });
                match result {
                    Ok(series) => panel.series.extend(series.into_iter().map(|s| RangeSeries {
                        labels: Labels::named(&legend(query.legend, &s.labels)),
                        points: s.points,
                        drop_name: false,
                    })),
                    Err(error) => panel.error = Some(error),
                }
            }
            panel
        })
        .collect()
}

fn escape(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"")
}

/// A legend template: `{{route}}` becomes the series' route label.
fn legend(template: &str, labels: &Labels) -> String {
    let mut text = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find("{{") {
        let Some(close) = rest[open..].find("}}") else {
            break;
        };
        text.push_str(&rest[..open]);
        text.push_str(labels.get(rest[open + 2..open + close].trim()));
        rest = &rest[open + close + 2..];
    }
    text.push_str(rest);
    text
}

/// The thresholds of alerting rules that watch what a panel shows: the number their query
/// compares against with `>` or `>=`.
fn thresholds(spec: &PanelSpec, rules: &[RuleStatus]) -> Vec<Threshold> {
    if spec.threshold_when.is_empty() {
        return Vec::new();
    }
    rules
        .iter()
        .filter(|rule| rule.is_alert)
        .filter(|rule| {
            spec.threshold_when
                .iter()
                .all(|needle| rule.query.contains(needle))
        })
        .filter_map(|rule| {
            let (_, number) = rule.query.rsplit_once('>')?;
            let value: f64 = number.trim_start_matches('=').trim().parse().ok()?;
            Some(Threshold {
                value,
                label: rule.name.clone(),
            })
        })
        .collect()
}

/// Alert state changes for `env` (and `project`, when the alert has one), and changes to that
/// project in `env` or to the whole environment (an apply, a database resize), as markers.
pub fn markers(
    alerts: &[AlertMarker],
    changes: &[ChangeMarker],
    env: &str,
    project: &str,
) -> Vec<Marker> {
    let change_markers = changes
        .iter()
        .filter(|c| c.env == env && (c.service.is_empty() || c.service == project))
        .map(|c| Marker {
            at_ms: c.at.epoch_ms(),
            kind: MarkerKind::Change(c.kind),
            text: c.text.clone(),
        });
    alerts
        .iter()
        .filter(|m| m.labels.get("env").is_none_or(|e| e == env))
        .filter(|m| {
            m.labels
                .get("project")
                .or(m.labels.get("app"))
                .is_none_or(|p| p == project)
        })
        .map(|m| Marker {
            at_ms: m.at.epoch_ms(),
            kind: MarkerKind::Alert(m.state),
            text: format!(
                "{} {}{}",
                m.alertname,
                m.state.as_str(),
                m.labels
                    .get("route")
                    .map(|r| format!(" ({r})"))
                    .unwrap_or_default()
            ),
        })
        .chain(change_markers)
        .collect()
}

/// A panel's value axis: its bounds and the values of its grid lines.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    pub low: f64,
    pub high: f64,
    pub ticks: Vec<f64>,
}

/// The axis for `values` (points and thresholds): from zero or the lowest value to the highest,
/// rounded up to a 1, 2 or 5 step so that about four grid lines read well. Only finite values
/// count, and they are clamped far inside `f64`'s range, so that `vector(1.7e308)` or an `Inf`
/// threshold still give a finite axis with at most
/// [`CHART_MAX_TICKS`](crate::limits::CHART_MAX_TICKS) lines.
pub fn value_axis(values: impl IntoIterator<Item = f64>) -> Axis {
    const EDGE: f64 = f64::MAX / 16.0;
    let (mut low, mut high) = (f64::INFINITY, f64::NEG_INFINITY);
    for value in values.into_iter().filter(|v| v.is_finite()) {
        let value = value.clamp(-EDGE, EDGE);
        low = low.min(value);
        high = high.max(value);
    }
    if !low.is_finite() {
        (low, high) = (0.0, 1.0);
    }
    let low = low.min(0.0);
    let high = if high <= low {
        low + 1.0_f64.max(low.abs() * 1e-9)
    } else {
        high
    };
    let step = nice_step((high - low) / 4.0);
    let lines = ((high - low) / step)
        .ceil()
        .clamp(1.0, crate::limits::CHART_MAX_TICKS as f64);
    let high = low + lines * step;
    let ticks = (0..=lines as usize)
        .map(|i| low + step * i as f64)
        .collect();
    Axis { low, high, ticks }
}

/// The smallest 1, 2 or 5 × 10ⁿ at least `raw`.
fn nice_step(raw: f64) -> f64 {
    if raw <= 0.0 || !raw.is_finite() {
        return 1.0;
    }
    let magnitude = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|step| *step >= raw)
        .unwrap_or(10.0 * magnitude)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axes_stay_finite_and_short_whatever_the_values() {
        // `vector(1.7e308)` and an `Inf` threshold built views without end.
        for values in [
            vec![1.7e308],
            vec![-1.7e308, 1.7e308],
            vec![f64::INFINITY, f64::NAN, 3.0],
            vec![f64::MIN_POSITIVE],
            vec![-5e-324, 5e-324],
            vec![1e15, 1e15 + 1.0],
            vec![],
        ] {
            let axis = value_axis(values.clone());
            assert!(
                axis.low.is_finite() && axis.high.is_finite(),
                "{values:?}: {axis:?}"
            );
            assert!(axis.high > axis.low, "{values:?}: {axis:?}");
            assert!(
                (2..=crate::limits::CHART_MAX_TICKS + 1).contains(&axis.ticks.len()),
                "{values:?}: {axis:?}"
            );
        }
        // Near miss: an ordinary panel keeps its round grid.
        let axis = value_axis([0.0, 37.0]);
        assert_eq!(axis.ticks, vec![0.0, 10.0, 20.0, 30.0, 40.0]);
    }
    use crate::world::{Scenario, World};

    #[test]
    fn every_panel_has_data_for_prod_users() {
        let world = World::new(Scenario::default());
        let now = world.now().epoch_ms();
        let rules = world.snapshot().tools.monitoring.rules;
        let panels = dashboard(world.store(), &rules, "prod", "users", now, 3_600_000, &[]);
        assert_eq!(panels.len(), 7);
        for panel in &panels {
            assert_eq!(panel.error, None, "{}", panel.id);
            if panel.id != "errors" {
                assert!(!panel.series.is_empty(), "{} has no series", panel.id);
            }
        }
        let p99 = &panels[0];
        let legends: Vec<String> = p99.series.iter().map(|s| s.labels.to_string()).collect();
        assert_eq!(legends, vec!["get_user", "list_users"]);
        // The default php-fpm alert draws its threshold on the php-fpm panel.
        assert_eq!(panels[4].thresholds[0].value, 90.0);
        assert_eq!(panels[4].thresholds[0].label, "PhpFpmSaturated");
        let database: Vec<String> = panels[6]
            .series
            .iter()
            .map(|s| s.labels.to_string())
            .collect();
        assert_eq!(database, vec!["opsdojo-prod (db.r5.2xlarge)"]);
    }

    #[test]
    fn scaling_a_project_marks_its_dashboard() {
        let mut world = World::new(Scenario::default());
        world.apply(crate::world::Action::EditFile {
            path: crate::world::values_file_path("prod"),
            content: "replicas:\n  users: 5\n  stores: 3\n  coupons: 3\n  external-signin: 3\n"
                .into(),
        });
        let snapshot = world.snapshot();
        let marks = markers(
            &snapshot.tools.monitoring.alert_markers,
            &snapshot.change_markers,
            "prod",
            "users",
        );
        assert_eq!(marks.len(), 1);
        assert_eq!(
            (marks[0].kind.as_str(), marks[0].text.as_str()),
            ("change", "users scaled from 3 to 5")
        );
        assert!(markers(&[], &snapshot.change_markers, "prod", "stores").is_empty());
    }

    #[test]
    fn a_release_marks_its_project_when_it_reaches_the_environment() {
        // Guards deploy markers: the bad release a lesson schedules shows where it landed.
        let mut world = World::new(Scenario {
            events: vec![crate::world::ScheduledEvent {
                drift: None,
                at: crate::time::SimDuration::from_minutes(5),
                note: "prod: users 2.4.0 is deployed".into(),
                fault: None,
                burst: None,
                release: Some(crate::world::Release {
                    env: "prod".into(),
                    service: "users".into(),
                    version: "2.4.0".into(),
                }),
                crash: None,
            }],
            ..Scenario::default()
        });
        let marks = |world: &World| {
            let snapshot = world.snapshot();
            markers(&[], &snapshot.change_markers, "prod", "users")
        };
        assert!(marks(&world).is_empty());
        world.apply(crate::world::Action::Advance {
            by: crate::time::SimDuration::from_minutes(6),
        });
        let marks = marks(&world);
        assert_eq!(
            (marks.len(), marks[0].kind, marks[0].text.as_str()),
            (
                1,
                MarkerKind::Change(ChangeKind::Deploy),
                "users 2.4.0 deployed"
            )
        );
        assert_eq!(
            marks[0].at_ms,
            world.now().epoch_ms() - 60_000,
            "marked when the event fired"
        );
    }

    #[test]
    fn only_the_panels_asked_for_are_computed() {
        let world = World::new(Scenario::default());
        let now = world.now().epoch_ms();
        let only = ["replicas".to_string(), "codes".to_string()];
        let panels = dashboard(world.store(), &[], "prod", "users", now, 600_000, &only);
        let ids: Vec<&str> = panels.iter().map(|p| p.id).collect();
        assert_eq!(ids, ["codes", "replicas"], "in the dashboard's order");
        assert!(panels.iter().all(|p| !p.series.is_empty()));
        let unknown = dashboard(
            world.store(),
            &[],
            "prod",
            "users",
            now,
            600_000,
            &["nope".into()],
        );
        assert!(unknown.is_empty());
    }

    #[test]
    fn a_quote_in_a_variable_cannot_break_the_query() {
        let world = World::new(Scenario::default());
        let now = world.now().epoch_ms();
        let panels = dashboard(
            world.store(),
            &[],
            "prod\"} or up{",
            "users",
            now,
            600_000,
            &[],
        );
        assert!(panels
            .iter()
            .all(|p| p.error.is_none() && p.series.is_empty()));
    }
}
