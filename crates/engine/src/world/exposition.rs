//! What the world exposes to Prometheus: every series of the platform at this instant, and
//! the scrape that writes them into the store once per step.

use super::*;

impl World {
    /// The series the world exposes at this instant, as a Prometheus scrape would see them.
    pub fn series(&self) -> Vec<Sample> {
        let cached = |pairs: &[(&str, &str)]| self.label_cache.get(pairs);
        let mut samples = vec![Sample::new(
            cached(&[("__name__", "opsdojo_sim_elapsed_seconds")]),
            self.elapsed().as_seconds_f64(),
        )];
        for environment in &self.environments {
            for deployment in &environment.deployments {
                let labels = |name: &str| {
                    cached(&[
                        ("__name__", name),
                        ("env", &environment.name),
                        ("namespace", &environment.name),
                        ("deployment", &deployment.service),
                    ])
                };
                let ready = deployment.ready_pods(self.now) as f64;
                samples.push(Sample::new(
                    labels("kube_deployment_spec_replicas"),
                    f64::from(deployment.desired),
                ));
                samples.push(Sample::new(
                    labels("kube_deployment_status_replicas"),
                    deployment.pods.len() as f64,
                ));
                samples.push(Sample::new(
                    labels("kube_deployment_status_replicas_ready"),
                    ready,
                ));
                if let Some(hpa) = &deployment.hpa {
                    self.hpa_series(&mut samples, &environment.name, deployment, hpa);
                }
                for pod in &deployment.pods {
                    let phase = if pod.is_pending() {
                        "Pending"
                    } else {
                        "Running"
                    };
                    let pod_of = |name: &str, last: (&str, &str)| {
                        let (key, value) = last;
                        cached(&[
                            ("__name__", name),
                            ("env", &environment.name),
                            ("namespace", &environment.name),
                            ("deployment", &deployment.service),
                            ("pod", &pod.name),
                            (key, value),
                        ])
                    };
                    let image = deployment.image_of(&pod.hash);
                    samples.push(Sample::new(
                        cached(&[
                            ("__name__", "kube_pod_container_info"),
                            ("env", &environment.name),
                            ("namespace", &environment.name),
                            ("deployment", &deployment.service),
                            ("pod", &pod.name),
                            ("container", "php-fpm"),
                            ("image", &image),
                        ]),
                        1.0,
                    ));
                    if !pod.is_pending() {
                        samples.push(Sample::new(
                            pod_of(
                                "kube_pod_container_status_restarts_total",
                                ("container", "php-fpm"),
                            ),
                            f64::from(pod.restarts),
                        ));
                    }
                    samples.push(Sample::new(
                        pod_of("kube_pod_status_phase", ("phase", phase)),
                        1.0,
                    ));
                }
            }
            samples.push(Sample::new(
                cached(&[
                    ("__name__", "opsdojo_cluster_pod_capacity"),
                    ("env", &environment.name),
                ]),
                environment.capacity as f64,
            ));
        }
        for (environment_index, environment) in self.environments.iter().enumerate() {
            for (service_index, deployment) in environment.deployments.iter().enumerate() {
                let busy = self.metrics.utilization[environment_index][service_index] * 100.0;
                for pod in &deployment.pods {
                    let pod_labels = |name: &str| {
                        cached(&[
                            ("__name__", name),
                            ("env", &environment.name),
                            ("app", &deployment.service),
                            ("pod", &pod.name),
                        ])
                    };
                    // The exporter beside php-fpm reports it down; a pod not started yet
                    // reports nothing.
                    if pod.php_fpm_down(self.now) {
                        samples.push(Sample::new(pod_labels("phpfpm_up"), 0.0));
                        continue;
                    }
                    if !pod.is_ready(self.now) {
                        continue;
                    }
                    samples.push(Sample::new(pod_labels("phpfpm_up"), 1.0));
                    samples.push(Sample::new(
                        pod_labels("phpfpm_active_process_percentage"),
                        busy,
                    ));
                }
            }
        }
        for (environment, load) in self.environments.iter().zip(&self.metrics.databases) {
            let Some(database) = self.database(&environment.name) else {
                continue;
            };
            let labels = |name: &str| {
                cached(&[
                    ("__name__", name),
                    ("env", &environment.name),
                    ("dbinstance_identifier", &database.identifier),
                ])
            };
            samples.push(Sample::new(
                labels("aws_rds_cpuutilization_average"),
                // An idle instance still runs its own housekeeping.
                (3.0 + 97.0 * load.utilization).min(100.0),
            ));
            samples.push(Sample::new(
                labels("aws_rds_database_connections_average"),
                load.connections,
            ));
            samples.push(Sample::new(
                labels("aws_rds_multi_az"),
                f64::from(u8::from(database.multi_az)),
            ));
            samples.push(Sample::new(
                cached(&[
                    ("__name__", "aws_rds_instance_info"),
                    ("env", &environment.name),
                    ("dbinstance_identifier", &database.identifier),
                    ("instance_class", database.class.name),
                ]),
                1.0,
            ));
        }
        self.tools.expose(self, &mut samples);
        samples
    }

    /// Writes every exposed series into the store at the current instant, as a scrape does.
    pub(super) fn scrape(&mut self) {
        let t = self.now.epoch_ms();
        let series = self.series();
        // Most scrapes expose the very sets of the last one, in the same order (they come from
        // the label cache): each is written to the series the last scrape found for it.
        let unchanged = series.len() == self.last_scrape.len()
            && series
                .iter()
                .zip(&self.last_scrape)
                .all(|(sample, (labels, id))| {
                    sample.labels.is(labels) && self.store.is_series_of(*id, labels)
                });
        if unchanged {
            for (sample, (_, id)) in series.iter().zip(&self.last_scrape) {
                self.store.append_to(*id, t, sample.value);
            }
        } else {
            let mut written = rustc_hash::FxHashSet::default();
            written.reserve(series.len());
            let mut scraped = Vec::with_capacity(series.len());
            for sample in series {
                let id = self.store.series_id(&sample.labels);
                self.store.append_to(id, t, sample.value);
                written.insert(sample.labels.clone());
                scraped.push((sample.labels, id));
            }
            // A series that is no longer exposed (a terminated pod) ends with a staleness
            // marker.
            for (vanished, _) in &self.last_scrape {
                if !written.contains(vanished) {
                    self.store
                        .append(vanished, t, crate::promql::stale_marker());
                }
            }
            self.last_scrape = scraped;
        }
        self.metrics.scrape_into(&mut self.store, self.now);
        self.store.enforce_retention();
    }
}
