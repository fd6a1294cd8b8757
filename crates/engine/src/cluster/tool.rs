//! The cluster's `Tool` side: kubectl's changes as its commands, its step, its series, its
//! checkpoint and its page, and the cluster as kubectl sees it while it is out of the world.

use super::*;

impl Kubernetes {
    /// The cluster as kubectl reads it, with the rest of the world around it.
    fn view<'a>(&'a self, world: &'a dyn Surroundings) -> View<'a> {
        View {
            cluster: self,
            world,
        }
    }
}

/// The cluster taken out of the world for a command, seen as kubectl sees it.
struct View<'a> {
    cluster: &'a Kubernetes,
    world: &'a dyn Surroundings,
}

impl Cluster for View<'_> {
    fn now(&self) -> SimTime {
        self.world.now()
    }

    fn started(&self) -> SimTime {
        self.world.started()
    }

    fn platform(&self) -> &Platform {
        self.world.platform()
    }

    fn namespaces(&self) -> Vec<Namespace<'_>> {
        self.cluster.namespaces()
    }

    fn manifests(&self, namespace: &str) -> &[Manifest] {
        self.cluster.manifests(namespace)
    }

    fn events(&self) -> &[KubeEvent] {
        &self.cluster.events
    }

    fn php_fpm_busy(&self, namespace: &str, service: &str) -> Option<f64> {
        self.world.php_fpm_busy(namespace, service)
    }
}

impl Tool for Kubernetes {
    const NAME: &'static str = "kubectl";
    type Command = Change;
    type Saved = ClusterState;
    type Snapshot = ClusterSnapshot;

    /// A changing kubectl command (`rollout restart`, `rollout undo`, `delete pod`) with its
    /// namespace: `-n prod rollout restart deployment/users`.
    fn parse(line: &str) -> Result<Change, String> {
        kubectl::parse_change(line)
    }

    /// The change, once kubectl finds what it names.
    fn command(
        &mut self,
        change: Change,
        world: &dyn Surroundings,
        lent: &mut Lent,
    ) -> Result<Vec<Effect>, String> {
        kubectl::check_change(&self.view(world), &change)?;
        Ok(self.change(change, world.now(), lent.rng))
    }

    fn reads(&self, path: &str) -> bool {
        self.loaded && path.starts_with(CHART_DIR)
    }

    fn file_written(&mut self, _path: &str, world: &dyn Surroundings) -> Vec<Effect> {
        self.refresh(world)
    }

    /// The autoscalers, then the deployments.
    fn step(&mut self, world: &dyn Surroundings, lent: &mut Lent) -> Vec<Effect> {
        let mut effects = self.autoscale(world);
        effects.extend(self.reconcile(world.now(), world.tick(), lent.rng));
        effects
    }

    fn expose(&self, world: &dyn Surroundings, samples: &mut Vec<Sample>) {
        self.expose_objects(world, samples);
        self.expose_php_fpm(world, samples);
    }

    fn save(&self) -> ClusterState {
        ClusterState {
            environments: self.environments.clone(),
            events: self.events.clone(),
        }
    }

    /// The namespaces must be the platform's, each with the platform's services; their room
    /// comes from the platform and the chart is rendered again from the files.
    fn restore(saved: ClusterState, world: &dyn Surroundings) -> Result<Self, String> {
        let platform = world.platform();
        let ClusterState {
            mut environments,
            events,
        } = saved;
        let shape_fits = environments
            .iter()
            .map(|e| e.name.as_str())
            .eq(platform.environment_names())
            && environments.iter().all(|e| {
                e.deployments
                    .iter()
                    .map(|d| d.service.as_str())
                    .eq(platform.service_names())
            });
        if !shape_fits {
            return Err("the environments do not fit this world".into());
        }
        if events.len() > EVENTS_KEPT {
            return Err("the cluster's events do not fit this world".into());
        }
        for (environment, spec) in environments.iter_mut().zip(&platform.environments) {
            environment.capacity = spec.cluster;
        }
        Ok(Kubernetes {
            environments,
            events,
            rendered: render_chart(world, platform).rendered,
            loaded: true,
        })
    }

    fn snapshot(&self, world: &dyn Surroundings) -> ClusterSnapshot {
        let now = world.now();
        ClusterSnapshot {
            environments: self
                .environments
                .iter()
                .map(|environment| EnvironmentSnapshot {
                    name: environment.name.clone(),
                    deployments: environment
                        .deployments
                        .iter()
                        .map(|deployment| DeploymentSnapshot::of(deployment, now))
                        .collect(),
                })
                .collect(),
            manifests: world
                .platform()
                .environment_names()
                .filter_map(|env| self.rendered(env).map(|rendered| (env, rendered)))
                .map(|(env, rendered)| ManifestsSnapshot::of(env, rendered))
                .collect(),
        }
    }
}
