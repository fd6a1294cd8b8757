//! The cluster as kubectl reads it, given by the world.

use super::World;
use crate::helm::Manifest;
use crate::kube::{Cluster, KubeEvent, Namespace};
use crate::platform::Platform;
use crate::time::SimTime;

impl Cluster for World {
    fn now(&self) -> SimTime {
        World::now(self)
    }

    fn started(&self) -> SimTime {
        self.scenario().start_time()
    }

    fn platform(&self) -> &Platform {
        World::platform(self)
    }

    fn namespaces(&self) -> Vec<Namespace<'_>> {
        self.environments()
            .iter()
            .map(|environment| Namespace {
                name: &environment.name,
                deployments: &environment.deployments,
                capacity: environment.capacity,
            })
            .collect()
    }

    fn manifests(&self, namespace: &str) -> &[Manifest] {
        self.rendered(namespace)
            .and_then(|rendered| rendered.manifests.as_deref().ok())
            .unwrap_or_default()
    }

    fn events(&self) -> &[KubeEvent] {
        self.kube_events()
    }

    fn php_fpm_busy(&self, namespace: &str, service: &str) -> Option<f64> {
        World::php_fpm_busy(self, namespace, service)
    }
}
