//! Kubernetes controllers of the simulated cluster, computed as Kubernetes computes them, the
//! events they record, and `kubectl`'s views of them.

pub mod hpa;
pub mod kubectl;

use crate::time::SimTime;
use serde::Serialize;

/// One Kubernetes event, as `kubectl get events` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct KubeEvent {
    pub at: SimTime,
    pub namespace: String,
    /// `Warning` rather than `Normal`.
    pub warning: bool,
    #[serde(with = "crate::serde_util::static_str")]
    pub reason: crate::serde_util::Name,
    /// The object it is about, as `kind/name`: `pod/users-7d9c-x2k4p`.
    pub object: String,
    pub message: String,
}

impl KubeEvent {
    /// A `Normal` event.
    pub fn new(
        at: SimTime,
        namespace: &str,
        reason: &'static str,
        object: String,
        message: String,
    ) -> Self {
        KubeEvent {
            at,
            namespace: namespace.to_string(),
            warning: false,
            reason,
            object,
            message,
        }
    }

    /// The same event as a `Warning`.
    pub fn warn(self) -> Self {
        KubeEvent {
            warning: true,
            ..self
        }
    }

    /// The line the world's event log shows for it.
    pub fn log_line(&self) -> String {
        format!("{}: {}: {}", self.namespace, self.object, self.message)
    }
}
