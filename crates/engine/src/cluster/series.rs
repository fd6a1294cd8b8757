//! The series the cluster exposes: kube-state-metrics' deployments, pods and autoscalers, the
//! room of each environment's nodes, and the php-fpm exporter beside each pod.

use super::Kubernetes;
use crate::kube::deployment::{self, Deployment, Hpa};
use crate::promql::Sample;
use crate::tool::Surroundings;

impl Kubernetes {
    /// A HorizontalPodAutoscaler's series, named as kube-state-metrics names them.
    fn hpa_series(
        world: &dyn Surroundings,
        samples: &mut Vec<Sample>,
        env: &str,
        deployment: &Deployment,
        hpa: &Hpa,
    ) {
        let with = |name: &str, more: &[(&str, &str)]| {
            let mut pairs = vec![
                ("__name__", name),
                ("env", env),
                ("namespace", env),
                ("horizontalpodautoscaler", deployment.service.as_str()),
            ];
            pairs.extend_from_slice(more);
            world.labels().get(&pairs)
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

    /// The deployments', pods' and autoscalers' series, as kube-state-metrics names them, and
    /// the capacity of each environment's nodes.
    pub(super) fn expose_objects(&self, world: &dyn Surroundings, samples: &mut Vec<Sample>) {
        let now = world.now();
        let cached = |pairs: &[(&str, &str)]| world.labels().get(pairs);
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
                let ready = deployment.ready_pods(now) as f64;
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
                    Kubernetes::hpa_series(world, samples, &environment.name, deployment, hpa);
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
    }

    /// What the php-fpm exporter beside each pod reports.
    pub(super) fn expose_php_fpm(&self, world: &dyn Surroundings, samples: &mut Vec<Sample>) {
        let now = world.now();
        for environment in &self.environments {
            for deployment in &environment.deployments {
                let busy = world
                    .php_fpm_busy(&environment.name, &deployment.service)
                    .unwrap_or_default()
                    * 100.0;
                for pod in &deployment.pods {
                    let pod_labels = |name: &str| {
                        world.labels().get(&[
                            ("__name__", name),
                            ("env", &environment.name),
                            ("app", &deployment.service),
                            ("pod", &pod.name),
                        ])
                    };
                    // The exporter reports php-fpm down; a pod not started yet reports
                    // nothing.
                    if pod.php_fpm_down(now) {
                        samples.push(Sample::new(pod_labels("phpfpm_up"), 0.0));
                        continue;
                    }
                    if !pod.is_ready(now) {
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
    }
}
