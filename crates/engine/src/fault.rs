//! Faults: a share of a service's requests answered with an error status, for a while or on
//! a period. Scenarios schedule them, a bad release carries one, a game day injects them.

use crate::time::{SimDuration, SimTime};

/// Whether something that started at `started`, lasting `lasts` and repeating `every`, is on.
pub(crate) fn is_active(
    lasts: Option<SimDuration>,
    every: Option<SimDuration>,
    started: SimTime,
    now: SimTime,
) -> bool {
    if now < started {
        return false;
    }
    let since = now.since(started).as_ms();
    let into_occurrence = match every {
        Some(period) if period.as_ms() > 0 => since % period.as_ms(),
        _ => since,
    };
    lasts.is_none_or(|lasts| into_occurrence < lasts.as_ms())
}

/// A fault: a share of one service's requests (or one route's) answered with an error status.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Fault {
    pub env: String,
    pub service: String,
    /// One route of the service, or all of them.
    pub route: Option<String>,
    /// The status the failing requests get: `500`, `498` (a revoked token), ...
    #[serde(with = "crate::serde_util::static_str")]
    pub status: crate::serde_util::Name,
    /// The share of requests that fail, from 0 to 1.
    pub share: f64,
    /// How long each occurrence lasts; `None` lasts to the end.
    pub lasts: Option<SimDuration>,
    /// Repeats the fault with this period, each time for `lasts`.
    pub every: Option<SimDuration>,
}

/// The error statuses a fault can give.
pub const FAULT_STATUSES: [&str; 4] = ["500", "502", "498", "499"];

impl Fault {
    /// Whether the fault, started at `started`, is active at `now`.
    pub fn is_active(&self, started: SimTime, now: SimTime) -> bool {
        is_active(self.lasts, self.every, started, now)
    }
}

/// Something that disturbs traffic now: the world's scheduled events, a facilitator's faults,
/// a pull request's bug and a revoked key become these, in that order, for traffic to apply.
#[derive(Debug, Clone, PartialEq)]
pub enum Disturbance {
    /// Arrivals to one service of `env` (or to all of them) multiplied by `factor`.
    Burst {
        env: String,
        service: Option<String>,
        factor: f64,
    },
    /// Requests failed as `fault` says, in the pods it is in.
    Fault { fault: Fault, pods: FaultyPods },
}

/// The pods a fault is in.
#[derive(Debug, Clone, PartialEq)]
pub enum FaultyPods {
    /// Every pod of the service.
    All,
    /// The pods of one pod template (a release's), by its hash: the fault hits the share of
    /// requests they serve.
    Template(String),
    /// The pods running one version (the pull request's): the share they serve, and nothing
    /// while none of them is ready.
    Version(String),
}

/// The fault a deleted access key causes: the partner API rejects every sign-in token.
pub fn revoked_key_fault(env: &str) -> Fault {
    Fault {
        env: env.to_string(),
        service: "external-signin".into(),
        route: None,
        status: "498",
        share: 1.0,
        lasts: None,
        every: None,
    }
}
