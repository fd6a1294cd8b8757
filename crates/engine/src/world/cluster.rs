//! The cluster in the world: autoscalers and deployments stepped, kubectl's changes carried
//! out, the chart rendered for each environment and its values run, the series the cluster
//! exposes, and the world as kubectl reads it ([`Cluster`]).

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

impl World {
    /// Each autoscaler reads its pods' php-fpm load of the last step and sets the replicas.
    pub(super) fn autoscale(&mut self) {
        let mut events = Vec::new();
        let mut markers = Vec::new();
        for (environment_index, environment) in self.environments.iter_mut().enumerate() {
            for (service_index, deployment) in environment.deployments.iter_mut().enumerate() {
                let busy = self.metrics.utilization[environment_index][service_index] * 100.0;
                let before = deployment.desired;
                if let Some(message) = deployment.autoscale(self.now, busy) {
                    events.push(crate::kube::KubeEvent::new(
                        self.now,
                        &environment.name,
                        "SuccessfulRescale",
                        format!("horizontalpodautoscaler/{}", deployment.service),
                        message,
                    ));
                    markers.push(ChangeMarker {
                        at: self.now,
                        kind: crate::tool::ChangeKind::Change,
                        env: environment.name.clone(),
                        service: deployment.service.clone(),
                        text: format!(
                            "HPA scaled {} from {before} to {}",
                            deployment.service, deployment.desired
                        ),
                    });
                }
            }
        }
        for event in events {
            self.record(event);
        }
        for marker in markers {
            self.mark_change(marker);
        }
    }

    /// Each deployment moves its pods toward its desired replicas within the room its
    /// environment's nodes have left, and records what its controllers did.
    pub(super) fn reconcile_deployments(&mut self, step: SimDuration) {
        let mut events = Vec::new();
        for environment in &mut self.environments {
            let scheduled: usize = environment
                .deployments
                .iter()
                .map(|d| d.pods.len() - d.pending_pods())
                .sum();
            let mut room = environment.capacity.saturating_sub(scheduled);
            for deployment in &mut environment.deployments {
                events.extend(deployment.reconcile(
                    self.now,
                    step,
                    &environment.name,
                    environment.capacity,
                    &mut room,
                    &mut self.rng,
                ));
            }
        }
        for event in events {
            self.record(event);
        }
    }

    /// Applies a kubectl change: a rollout (restart or undo) or a deleted pod.
    pub(super) fn change_cluster(&mut self, change: crate::kube::kubectl::Change) {
        use crate::kube::kubectl::Change;
        let now = self.now;
        let (namespace, name) = match &change {
            Change::Restart {
                namespace,
                deployment,
            }
            | Change::Undo {
                namespace,
                deployment,
            } => (namespace.clone(), deployment.clone()),
            Change::DeletePod { namespace, pod } => (namespace.clone(), pod.clone()),
        };
        let Some(environment) = self.environments.iter_mut().find(|e| e.name == namespace) else {
            return;
        };
        let mut events = Vec::new();
        let mut marker = None;
        match change {
            Change::Restart { .. } | Change::Undo { .. } => {
                let Some(deployment) = environment
                    .deployments
                    .iter_mut()
                    .find(|d| d.service == name)
                else {
                    return;
                };
                let undo = matches!(change, Change::Undo { .. });
                let replica_set = if undo {
                    deployment.undo()
                } else {
                    Some(deployment.restart(&mut self.rng))
                };
                let Some(replica_set) = replica_set else {
                    return;
                };
                events.push(crate::kube::KubeEvent::new(
                    now,
                    &namespace,
                    if undo {
                        "DeploymentRollback"
                    } else {
                        "DeploymentRestart"
                    },
                    format!("deployment/{name}"),
                    format!(
                        "{} to revision {}: replica set {replica_set}",
                        if undo { "Rolled back" } else { "Restarted" },
                        deployment.revision
                    ),
                ));
                marker = Some(ChangeMarker {
                    at: now,
                    kind: crate::tool::ChangeKind::Deploy,
                    env: namespace.clone(),
                    service: name.clone(),
                    text: format!("{name} {}", if undo { "rolled back" } else { "restarted" }),
                });
            }
            Change::DeletePod { .. } => {
                for deployment in &mut environment.deployments {
                    if let Some(index) = deployment.pods.iter().position(|p| p.name == name) {
                        deployment.pods.remove(index);
                        events.push(crate::kube::KubeEvent::new(
                            now,
                            &namespace,
                            "Killing",
                            format!("pod/{name}"),
                            "Stopping container php-fpm".into(),
                        ));
                    }
                }
            }
        }
        for event in events {
            self.record(event);
        }
        if let Some(marker) = marker {
            self.mark_change(marker);
        }
    }

    /// Rolls a new version of a service out in an environment, marked on its dashboards;
    /// returns the new pod template's hash.
    pub(super) fn roll_out(&mut self, env: &str, service: &str, version: &str) -> Option<String> {
        let now = self.now;
        let rolled = deployment_mut(&mut self.environments, env, service).map(|d| {
            let hash = d.release(version, &mut self.rng);
            (hash, d.revision, d.replica_set())
        });
        let (hash, revision, replica_set) = rolled?;
        self.record(crate::kube::KubeEvent::new(
            now,
            env,
            "DeploymentRollout",
            format!("deployment/{service}"),
            format!(
                "Rolling out {service}:{version} to revision {revision}: replica set {replica_set}"
            ),
        ));
        self.mark_change(ChangeMarker {
            at: now,
            kind: crate::tool::ChangeKind::Deploy,
            text: format!("{service} {version} deployed"),
            env: env.to_string(),
            service: service.to_string(),
        });
        Some(hash)
    }

    /// Records a Kubernetes event and its line in the world's log.
    pub(super) fn record(&mut self, event: crate::kube::KubeEvent) {
        let level = if event.warning {
            EventLevel::Warning
        } else {
            EventLevel::Info
        };
        self.log(level, event.log_line());
        if self.kube_events.len() == EVENT_LOG_CAPACITY {
            self.kube_events.remove(0);
        }
        self.kube_events.push(event);
    }

    /// Renders the chart for every environment, puts its errors on the chart's files, and has
    /// each environment run what it rendered, unless a values file of it has errors.
    pub(super) fn refresh_chart(&mut self) {
        // Each chart file starts again from what reading it alone finds.
        let platform = self.scenario.platform.clone();
        let mut blocked: Vec<&str> = Vec::new();
        for (path, file) in self.files.iter_mut() {
            if !path.starts_with(chart::CHART_DIR) {
                continue;
            }
            file.diagnostics = WorldFile::parse(path, file.content.clone(), &platform).diagnostics;
            if file.diagnostics.iter().any(Diagnostic::is_error) {
                match files::values_file_env(path, &platform) {
                    Some(env) => blocked.push(env),
                    None => blocked.extend(platform.environment_names()),
                }
            }
        }
        let ChartRender {
            rendered,
            errors,
            wanted,
        } = self.render_chart(&platform);
        self.rendered = rendered;
        for (path, diagnostics) in chart::diagnostics(&errors, platform.environments.len()) {
            if let Some(file) = self.files.get_mut(&path) {
                let content = file.content.clone();
                file.diagnostics
                    .extend(diagnostics.into_iter().map(|d| d.with_span_in(&content)));
            }
        }
        for (environment, values) in wanted {
            if !blocked.contains(&environment) {
                self.run_values(environment, &values);
            }
        }
    }

    /// `helm template` for every environment, from the files as they are.
    pub(super) fn render_chart<'p>(&self, platform: &'p Platform) -> ChartRender<'p> {
        let chart_files =
            chart::chart_files(self.files.iter().map(|(path, file)| (path, &file.content)));
        let mut rendered_by_env = BTreeMap::new();
        let mut errors = Vec::new();
        let mut wanted = Vec::new();
        for environment in platform.environment_names() {
            let values = self
                .files
                .get(&values_file_path(environment))
                .map_or("", |file| file.content.as_str());
            let mut rendered = chart::render(
                &chart_files,
                environment,
                values,
                self.scenario.seed,
                self.now.epoch_ms(),
            );
            let desired = match &rendered.manifests {
                Ok(manifests) => chart::desired(manifests, platform),
                Err(found) => Err(found.clone()),
            };
            match desired {
                Ok(values) => wanted.push((environment, values)),
                Err(found) => {
                    if rendered.manifests.is_ok() {
                        rendered.text = found
                            .iter()
                            .map(|error| format!("Error: {}{error}\n", chart::CHART_DIR))
                            .collect();
                    }
                    errors.extend(found.into_iter().map(|error| (environment, error)));
                }
            }
            rendered_by_env.insert(environment.to_string(), rendered);
        }
        ChartRender {
            rendered: rendered_by_env,
            errors,
            wanted,
        }
    }

    /// Has an environment's deployments run as `values` asks: autoscalers created or removed,
    /// replicas of the others scaled.
    pub(super) fn run_values(&mut self, environment: &str, values: &files::DeployValues) {
        let mut messages = Vec::new();
        let mut changes = Vec::new();
        if let Some(env) = self.environments.iter_mut().find(|e| e.name == environment) {
            for deployment in &mut env.deployments {
                let autoscaling = values.autoscaling.get(&deployment.service);
                let had_autoscaler = deployment.hpa.is_some();
                deployment.set_autoscaler(autoscaling.map(files::hpa_spec), self.now);
                if autoscaling.is_some() != had_autoscaler {
                    messages.push(format!(
                        "{environment}: horizontalpodautoscaler `{}` {}",
                        deployment.service,
                        if had_autoscaler { "deleted" } else { "created" }
                    ));
                }
                // An autoscaler owns the count (its next sync brings it within its bounds);
                // without one, the Deployment's replicas set it.
                if autoscaling.is_some() {
                    continue;
                }
                let Some(&wanted) = values.replicas.get(&deployment.service) else {
                    continue;
                };
                if wanted != deployment.desired {
                    messages.push(format!(
                        "{environment}: deployment `{}` scaled from {} to {wanted} replicas",
                        deployment.service, deployment.desired
                    ));
                    changes.push(ChangeMarker {
                        at: self.now,
                        kind: crate::tool::ChangeKind::Change,
                        env: environment.to_string(),
                        service: deployment.service.clone(),
                        text: format!(
                            "{} scaled from {} to {wanted}",
                            deployment.service, deployment.desired
                        ),
                    });
                    deployment.desired = wanted;
                }
            }
        }
        for message in messages {
            self.log(EventLevel::Info, message);
        }
        for change in changes {
            self.mark_change(change);
        }
    }

    /// A HorizontalPodAutoscaler's series, named as kube-state-metrics names them.
    pub(super) fn hpa_series(
        &self,
        samples: &mut Vec<Sample>,
        env: &str,
        deployment: &Deployment,
        hpa: &deployment::Hpa,
    ) {
        let with = |name: &str, more: &[(&str, &str)]| {
            let mut pairs = vec![
                ("__name__", name),
                ("env", env),
                ("namespace", env),
                ("horizontalpodautoscaler", deployment.service.as_str()),
            ];
            pairs.extend_from_slice(more);
            self.label_cache.get(&pairs)
        };
        let labels = |name: &str| with(name, &[]);
        for (name, value) in [
            (
                "kube_horizontalpodautoscaler_spec_min_replicas",
                hpa.spec.min_replicas,
            ),
            (
                "kube_horizontalpodautoscaler_spec_max_replicas",
                hpa.spec.max_replicas,
            ),
            (
                "kube_horizontalpodautoscaler_status_current_replicas",
                deployment.pods.len() as u32,
            ),
            (
                "kube_horizontalpodautoscaler_status_desired_replicas",
                deployment.desired,
            ),
        ] {
            samples.push(Sample::new(labels(name), f64::from(value)));
        }
        samples.push(Sample::new(
            with(
                "kube_horizontalpodautoscaler_spec_target_metric",
                &[
                    ("metric_name", deployment::METRIC),
                    ("metric_target_type", "average"),
                ],
            ),
            hpa.spec.target,
        ));
        for condition in &hpa.state.conditions {
            for status in ["true", "false"] {
                samples.push(Sample::new(
                    with(
                        "kube_horizontalpodautoscaler_status_condition",
                        &[("condition", condition.kind), ("status", status)],
                    ),
                    f64::from(u8::from(condition.status == (status == "true"))),
                ));
            }
        }
    }

    /// The share of a service's php-fpm workers busy in an environment, from 0 to 1.
    pub fn php_fpm_busy(&self, env: &str, service: &str) -> Option<f64> {
        let env_index = self.environments.iter().position(|e| e.name == env)?;
        let service_index = self.environments[env_index]
            .deployments
            .iter()
            .position(|d| d.service == service)?;
        self.metrics
            .utilization
            .get(env_index)?
            .get(service_index)
            .copied()
    }
}
