//! The HorizontalPodAutoscaler (`autoscaling/v2`) as the Kubernetes controller computes it.
//!
//! Each sync, [`replicas_for`] turns the pods' metric into a replica count the way the replica
//! calculator does (usage ratio, tolerance, missing and unready pods), then [`Autoscaler::sync`]
//! applies the stabilization windows, the behavior policies and the min/max bounds, and sets the
//! conditions `kubectl describe hpa` shows.

use crate::time::{SimDuration, SimTime};

/// How far from the target the usage ratio may be before the controller acts.
pub const TOLERANCE: f64 = 0.1;

/// What one pod reports, as the controller sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PodSample {
    /// Whether the pod is Ready.
    pub ready: bool,
    /// Its metric (a utilization in percent), or `None` when it has no metric yet.
    pub value: Option<f64>,
}

/// The replica count the metric asks for, before stabilization, policies and bounds.
///
/// Unready pods are left out of the average; missing metrics are left out too, then, if the
/// result would move the count, filled in conservatively (at 0 % for a scale-up, at the larger
/// of 100 % and the target for a scale-down, unready pods at 0 % for a scale-up) and the ratio is
/// computed again: if that reverses the direction or falls within the tolerance, nothing moves.
pub fn replicas_for(current: u32, target: f64, pods: &[PodSample]) -> u32 {
    if target <= 0.0 {
        return current;
    }
    let measured: Vec<f64> = pods
        .iter()
        .filter(|p| p.ready)
        .filter_map(|p| p.value)
        .collect();
    let missing = pods.iter().filter(|p| p.ready && p.value.is_none()).count();
    let unready = pods.iter().filter(|p| !p.ready).count();
    if measured.is_empty() {
        return current;
    }
    let mean = |values: &[f64]| values.iter().sum::<f64>() / values.len() as f64;
    let ratio = mean(&measured) / target;
    let scale_up_with_unready = unready > 0 && ratio > 1.0;
    if !scale_up_with_unready && missing == 0 {
        if (1.0 - ratio).abs() <= TOLERANCE {
            return current;
        }
        return (ratio * measured.len() as f64).ceil() as u32;
    }
    let mut filled = measured.clone();
    if missing > 0 {
        let assumed = if ratio < 1.0 { target.max(100.0) } else { 0.0 };
        filled.extend(std::iter::repeat_n(assumed, missing));
    }
    if scale_up_with_unready {
        filled.extend(std::iter::repeat_n(0.0, unready));
    }
    let new_ratio = mean(&filled) / target;
    if (1.0 - new_ratio).abs() <= TOLERANCE
        || (ratio < 1.0 && new_ratio > 1.0)
        || (ratio > 1.0 && new_ratio < 1.0)
    {
        return current;
    }
    let replicas = (new_ratio * filled.len() as f64).ceil() as u32;
    if (new_ratio < 1.0 && replicas > current) || (new_ratio > 1.0 && replicas < current) {
        return current;
    }
    replicas
}

/// A scaling policy: at most `value` pods, or `value` percent, per `period`.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Policy {
    Pods { value: u32, period: SimDuration },
    Percent { value: u32, period: SimDuration },
}

impl Policy {
    fn period(self) -> SimDuration {
        match self {
            Policy::Pods { period, .. } | Policy::Percent { period, .. } => period,
        }
    }
}

/// Which policy wins when several allow different changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum SelectPolicy {
    /// The one allowing the largest change (the default).
    Max,
    /// The one allowing the smallest change.
    Min,
    /// No change in this direction.
    Disabled,
}

/// `behavior.scaleUp` or `behavior.scaleDown`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ScalingRules {
    pub stabilization_window: SimDuration,
    pub select_policy: SelectPolicy,
    pub policies: Vec<Policy>,
}

impl ScalingRules {
    /// Kubernetes' default for scaling up: no window, 4 pods or 100 % per 15 s, the larger.
    pub fn default_up() -> Self {
        ScalingRules {
            stabilization_window: SimDuration::default(),
            select_policy: SelectPolicy::Max,
            policies: vec![
                Policy::Pods {
                    value: 4,
                    period: SimDuration::from_seconds(15),
                },
                Policy::Percent {
                    value: 100,
                    period: SimDuration::from_seconds(15),
                },
            ],
        }
    }

    /// Kubernetes' default for scaling down: a 300 s window, then up to 100 % per 15 s.
    pub fn default_down() -> Self {
        ScalingRules {
            stabilization_window: SimDuration::from_seconds(300),
            select_policy: SelectPolicy::Max,
            policies: vec![Policy::Percent {
                value: 100,
                period: SimDuration::from_seconds(15),
            }],
        }
    }
}

/// What an autoscaler is asked to do.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct HpaSpec {
    pub min_replicas: u32,
    pub max_replicas: u32,
    /// The target average of the pods' metric, in percent.
    pub target: f64,
    pub scale_up: ScalingRules,
    pub scale_down: ScalingRules,
}

/// One condition as `kubectl describe hpa` lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Condition {
    /// `AbleToScale`, `ScalingActive` or `ScalingLimited`.
    #[serde(with = "crate::serde_util::static_str")]
    pub kind: crate::serde_util::Name,
    pub status: bool,
    #[serde(with = "crate::serde_util::static_str")]
    pub reason: crate::serde_util::Name,
    pub message: String,
}

/// An autoscaler's memory between syncs: its recommendations and the scaling it did.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct Autoscaler {
    recommendations: Vec<(SimTime, u32)>,
    /// Changes made, with when and by how many replicas (positive up, negative down).
    events: Vec<(SimTime, i64)>,
    pub conditions: Vec<Condition>,
    pub desired: u32,
}

impl Autoscaler {
    /// One sync at `now`: the replicas the deployment should run, from `current` and the pods.
    pub fn sync(&mut self, spec: &HpaSpec, now: SimTime, current: u32, pods: &[PodSample]) -> u32 {
        let raw = replicas_for(current, spec.target, pods);
        // Stabilization: scale up to the lowest recommendation of the up window, down to the
        // highest of the down window.
        self.recommendations.push((now, raw));
        let longest = spec
            .scale_up
            .stabilization_window
            .max(spec.scale_down.stabilization_window);
        self.recommendations
            .retain(|(at, _)| now.since(*at) <= longest);
        let within = |window: SimDuration| {
            self.recommendations
                .iter()
                .filter(move |(at, _)| now.since(*at) <= window)
                .map(|(_, r)| *r)
        };
        let up = within(spec.scale_up.stabilization_window)
            .min()
            .unwrap_or(raw);
        let down = within(spec.scale_down.stabilization_window)
            .max()
            .unwrap_or(raw);
        let stabilized = current.max(up).min(down);

        let mut conditions = vec![];
        let (limited, able_reason, able_message) =
            if stabilized > current {
                let limit = self.limit(&spec.scale_up, now, current, true);
                match limit {
                Some(limit) if stabilized > limit => (
                    limit,
                    "ScaleUpLimit",
                    "the desired replica count is increasing faster than the maximum scale rate",
                ),
                _ => (stabilized, "ReadyForNewScale", "recommended size matches current size"),
            }
            } else if stabilized < current {
                let limit = self.limit(&spec.scale_down, now, current, false);
                match limit {
                Some(limit) if stabilized < limit => (
                    limit,
                    "ScaleDownLimit",
                    "the desired replica count is decreasing faster than the maximum scale rate",
                ),
                _ => (stabilized, "ReadyForNewScale", "recommended size matches current size"),
            }
            } else {
                (
                    stabilized,
                    "ReadyForNewScale",
                    "recommended size matches current size",
                )
            };
        conditions.push(Condition {
            kind: "AbleToScale",
            status: true,
            reason: able_reason,
            message: able_message.into(),
        });
        conditions.push(Condition {
            kind: "ScalingActive",
            status: true,
            reason: "ValidMetricFound",
            message: format!(
                "the HPA was able to successfully calculate a replica count from pods metric {}",
                super::deployment::METRIC
            ),
        });
        let (desired, limited_reason, limited_message) = if limited > spec.max_replicas {
            (
                spec.max_replicas,
                Some("TooManyReplicas"),
                "the desired replica count is more than the maximum replica count",
            )
        } else if limited < spec.min_replicas {
            (
                spec.min_replicas,
                Some("TooFewReplicas"),
                "the desired replica count is less than the minimum replica count",
            )
        } else {
            (
                limited,
                None,
                "the desired count is within the acceptable range",
            )
        };
        conditions.push(Condition {
            kind: "ScalingLimited",
            status: limited_reason.is_some(),
            reason: limited_reason.unwrap_or("DesiredWithinRange"),
            message: limited_message.into(),
        });
        if desired != current {
            self.events
                .push((now, i64::from(desired) - i64::from(current)));
        }
        let keep = spec
            .scale_up
            .policies
            .iter()
            .chain(&spec.scale_down.policies)
            .map(|p| p.period())
            .max()
            .unwrap_or_default();
        self.events.retain(|(at, _)| now.since(*at) <= keep);
        self.conditions = conditions;
        self.desired = desired;
        desired
    }

    /// The furthest the rules let the count move from `current` now, given the changes made in
    /// each policy's period; `None` when no policy limits it.
    fn limit(&self, rules: &ScalingRules, now: SimTime, current: u32, up: bool) -> Option<u32> {
        if rules.select_policy == SelectPolicy::Disabled {
            return Some(current);
        }
        let limits = rules.policies.iter().map(|policy| {
            let changed: i64 = self
                .events
                .iter()
                .filter(|(at, _)| now.since(*at) < policy.period())
                .map(|(_, by)| *by)
                .filter(|by| (*by > 0) == up)
                .sum();
            // The count when the period started, before the changes made within it.
            let start = (i64::from(current) - changed).max(0) as f64;
            let limit = match (policy, up) {
                (Policy::Pods { value, .. }, true) => start + f64::from(*value),
                (Policy::Percent { value, .. }, true) => {
                    (start * (1.0 + f64::from(*value) / 100.0)).ceil()
                }
                (Policy::Pods { value, .. }, false) => start - f64::from(*value),
                (Policy::Percent { value, .. }, false) => {
                    (start * (1.0 - f64::from(*value) / 100.0)).floor()
                }
            };
            limit.max(0.0) as u32
        });
        let limits: Vec<u32> = limits.collect();
        // The largest change wins with Max: the highest limit up, the lowest down.
        match (rules.select_policy, up) {
            (SelectPolicy::Max, true) | (SelectPolicy::Min, false) => limits.into_iter().max(),
            _ => limits.into_iter().min(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pods(values: &[f64]) -> Vec<PodSample> {
        values
            .iter()
            .map(|v| PodSample {
                ready: true,
                value: Some(*v),
            })
            .collect()
    }

    fn spec(min: u32, max: u32, target: f64) -> HpaSpec {
        HpaSpec {
            min_replicas: min,
            max_replicas: max,
            target,
            scale_up: ScalingRules::default_up(),
            scale_down: ScalingRules::default_down(),
        }
    }

    fn at(seconds: i64) -> SimTime {
        SimTime::day_one_at(SimDuration::from_seconds(seconds))
    }

    #[test]
    fn the_ratio_sets_the_count_outside_the_tolerance() {
        // The documentation's cases: 3 pods at 50 % for a 30 % target need 5; 102 % against
        // 100 % is within the tolerance and keeps 3; a ratio of 0.5 halves.
        assert_eq!(replicas_for(3, 30.0, &pods(&[50.0, 50.0, 50.0])), 5);
        assert_eq!(replicas_for(3, 100.0, &pods(&[102.0, 102.0, 102.0])), 3);
        assert_eq!(replicas_for(3, 100.0, &pods(&[89.0, 89.0, 89.0])), 3);
        assert_eq!(replicas_for(4, 100.0, &pods(&[50.0, 50.0, 50.0, 50.0])), 2);
        assert_eq!(replicas_for(1, 50.0, &pods(&[200.0])), 4);
    }

    #[test]
    fn missing_metrics_are_filled_conservatively() {
        // Scale-up: the pod without a metric counts as 0 %, which damps the increase.
        let mut three = pods(&[90.0, 90.0]);
        three.push(PodSample {
            ready: true,
            value: None,
        });
        assert_eq!(replicas_for(3, 50.0, &three), 3 + 1);
        // Scale-down: it counts as 100 %, enough here to cancel the decrease.
        let mut low = pods(&[40.0, 40.0]);
        low.push(PodSample {
            ready: true,
            value: None,
        });
        assert_eq!(replicas_for(3, 60.0, &low), 3);
    }

    #[test]
    fn unready_pods_count_as_idle_when_scaling_up() {
        let mut group = pods(&[100.0, 100.0]);
        group.push(PodSample {
            ready: false,
            value: Some(100.0),
        });
        // Two ready pods at 100 % for a 50 % target would ask for 4; with the starting pod at
        // 0 %, the mean is 66.7 %: ceil(1.33 * 3) = 4 as well, never more.
        assert_eq!(replicas_for(3, 50.0, &group), 4);
        // When the unready pod would flip the decision, nothing moves.
        let mut mild = pods(&[60.0]);
        mild.push(PodSample {
            ready: false,
            value: None,
        });
        assert_eq!(replicas_for(2, 50.0, &mild), 2);
    }

    #[test]
    fn scale_up_is_immediate_and_rate_limited() {
        // Default behaviour: up by the larger of 4 pods and 100 % per 15 s.
        let spec = spec(1, 50, 50.0);
        let mut hpa = Autoscaler::default();
        assert_eq!(hpa.sync(&spec, at(0), 2, &pods(&[500.0, 500.0])), 6);
        assert_eq!(hpa.conditions[0].reason, "ScaleUpLimit");
        // Within the same 15 s nothing more is allowed; after it, 6 can double.
        assert_eq!(hpa.sync(&spec, at(10), 6, &pods(&[500.0; 6])), 6);
        assert_eq!(hpa.sync(&spec, at(30), 6, &pods(&[500.0; 6])), 12);
    }

    #[test]
    fn scale_down_waits_for_the_stabilization_window() {
        let spec = spec(1, 10, 50.0);
        let mut hpa = Autoscaler::default();
        assert_eq!(hpa.sync(&spec, at(0), 4, &pods(&[50.0; 4])), 4);
        // The load drops: the window still remembers the recommendation of 4.
        assert_eq!(hpa.sync(&spec, at(60), 4, &pods(&[10.0; 4])), 4);
        assert_eq!(hpa.sync(&spec, at(240), 4, &pods(&[10.0; 4])), 4);
        // Once the higher recommendation is more than 300 s old, the count goes down.
        assert_eq!(hpa.sync(&spec, at(301), 4, &pods(&[10.0; 4])), 1);
    }

    #[test]
    fn bounds_and_policies_set_the_conditions() {
        let mut spec = spec(2, 5, 50.0);
        let mut hpa = Autoscaler::default();
        assert_eq!(hpa.sync(&spec, at(0), 4, &pods(&[100.0; 4])), 5);
        assert_eq!(hpa.conditions[2].reason, "TooManyReplicas");
        assert!(hpa.conditions[2].status);
        spec.scale_down = ScalingRules {
            stabilization_window: SimDuration::default(),
            select_policy: SelectPolicy::Max,
            policies: vec![Policy::Pods {
                value: 1,
                period: SimDuration::from_seconds(60),
            }],
        };
        let mut calm = Autoscaler::default();
        assert_eq!(calm.sync(&spec, at(0), 5, &pods(&[5.0; 5])), 4);
        assert_eq!(calm.conditions[0].reason, "ScaleDownLimit");
        assert_eq!(calm.sync(&spec, at(30), 4, &pods(&[5.0; 4])), 4);
        assert_eq!(calm.sync(&spec, at(61), 4, &pods(&[5.0; 4])), 3);
        spec.scale_up.select_policy = SelectPolicy::Disabled;
        let mut frozen = Autoscaler::default();
        assert_eq!(frozen.sync(&spec, at(0), 2, &pods(&[100.0; 2])), 2);
        let mut floor = Autoscaler::default();
        spec.scale_down.policies = vec![Policy::Percent {
            value: 100,
            period: SimDuration::from_seconds(15),
        }];
        assert_eq!(floor.sync(&spec, at(0), 3, &pods(&[1.0; 3])), 2);
        assert_eq!(floor.conditions[2].reason, "TooFewReplicas");
    }
}
