//! The cluster in the world: the world as kubectl reads it ([`Cluster`]), from the cluster
//! tool's namespaces and the load traffic puts on their pods, and the cluster's changes that
//! come from elsewhere (a release, a crash, the pull request's rollback).

use super::*;
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
        self.tools.cluster.namespaces()
    }

    fn manifests(&self, namespace: &str) -> &[Manifest] {
        self.tools.cluster.manifests(namespace)
    }

    fn events(&self) -> &[KubeEvent] {
        self.kube_events()
    }

    fn php_fpm_busy(&self, namespace: &str, service: &str) -> Option<f64> {
        World::php_fpm_busy(self, namespace, service)
    }
}

impl World {
    /// Rolls a new version of a service out in an environment, marked on its dashboards;
    /// returns the new pod template's hash.
    pub(super) fn roll_out(&mut self, env: &str, service: &str, version: &str) -> Option<String> {
        let (hash, effects) =
            self.tools
                .cluster
                .roll_out((env, service, version), self.now, &mut self.rng);
        self.carry_out(effects);
        hash
    }

    /// Carries out a kubectl change asked for by another tool.
    pub(super) fn change_cluster(&mut self, change: crate::kube::kubectl::Change) {
        let effects = self.tools.cluster.change(change, self.now, &mut self.rng);
        self.carry_out(effects);
    }

    /// The share of a service's php-fpm workers busy in an environment, from 0 to 1, as the
    /// last step's traffic left it.
    pub fn php_fpm_busy(&self, env: &str, service: &str) -> Option<f64> {
        let platform = self.platform();
        let env_index = platform.environment_names().position(|e| e == env)?;
        let service_index = platform.service_names().position(|s| s == service)?;
        self.tools.traffic.php_fpm_busy(env_index, service_index)
    }
}
