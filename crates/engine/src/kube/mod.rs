//! Kubernetes controllers of the simulated cluster, computed as Kubernetes computes them, the
//! events they record, and `kubectl`'s views of them.

pub mod deployment;
pub mod hpa;
pub mod kubectl;

use crate::helm::Manifest;
use crate::platform::Platform;
use crate::time::SimTime;
use deployment::Deployment;
use serde::Serialize;

/// One namespace of the cluster: an environment's deployments and the room its nodes have.
#[derive(Debug, Clone, Copy)]
pub struct Namespace<'a> {
    pub name: &'a str,
    pub deployments: &'a [Deployment],
    /// How many php-fpm pods its nodes have room for.
    pub capacity: usize,
}

/// What kubectl reads of a running platform. The world gives it; kubectl only reads it, and a
/// command that changes the cluster comes back to the world as an action.
pub trait Cluster {
    /// The simulated time now.
    fn now(&self) -> SimTime;
    /// When the scenario started: objects' ages count from before it.
    fn started(&self) -> SimTime;
    fn platform(&self) -> &Platform;
    /// Every environment's namespace, in promotion order.
    fn namespaces(&self) -> Vec<Namespace<'_>>;
    /// What the chart renders for the namespace: empty when it renders nothing.
    fn manifests(&self, namespace: &str) -> &[Manifest];
    /// What the controllers did, oldest first.
    fn events(&self) -> &[KubeEvent];
    /// The share of a service's php-fpm workers busy in the namespace, if it runs there.
    fn php_fpm_busy(&self, namespace: &str, service: &str) -> Option<f64>;
}

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
