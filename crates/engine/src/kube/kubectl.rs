//! `kubectl` as the console runs it: `get`, `describe` and `rollout status` over the simulated
//! cluster, printed the way kubectl prints them, and the commands that change it (`rollout
//! restart`, `rollout undo`, `delete pod`). Each environment is a namespace.
//!
//! [`run`] only reads the world: a command that changes the cluster is answered here and
//! marked [`Output::change`], and the console then applies it as an action, so that it is
//! recorded and replayed like any other. Nothing typed can make the engine panic: an unknown
//! command, resource, flag or name gets kubectl's own kind of error message.

use super::deployment::{node_of, Deployment, Hpa, Pod, METRIC, PODS_PER_NODE};
use super::hpa::{Policy, ScalingRules, SelectPolicy};
use super::KubeEvent;
use super::{Cluster, Namespace};
use crate::time::{SimDuration, SimTime};

/// The longest line the console reads, in bytes: a change is recorded as its line, and a
/// recorded line is cut to this.
pub const MAX_LINE_BYTES: usize = 512;

/// How old the deployments are when a scenario starts, for `AGE` columns.
const DEPLOYMENT_AGE: SimDuration = SimDuration(30 * 86_400_000);

/// What the console prints for one command: its text, and whether kubectl would fail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    pub text: String,
    pub failed: bool,
    /// The command changes the cluster: apply it as `Action::Kubectl`.
    pub change: bool,
}

impl Output {
    fn ok(text: String) -> Self {
        Output {
            text,
            failed: false,
            change: false,
        }
    }

    fn error(text: impl Into<String>) -> Self {
        Output {
            text: text.into(),
            failed: true,
            change: false,
        }
    }
}

/// A change to the cluster a console command asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// `kubectl rollout restart deploy/NAME`: new pods replace the old ones.
    Restart {
        namespace: String,
        deployment: String,
    },
    /// `kubectl rollout undo deploy/NAME`: back to the previous pod template.
    Undo {
        namespace: String,
        deployment: String,
    },
    /// `kubectl delete pod NAME`: its ReplicaSet creates a replacement.
    DeletePod { namespace: String, pod: String },
}

/// The change `line` asks of the cluster, if it is a changing command that `world` accepts;
/// in `namespace` unless it names its own.
pub fn change_of(world: &dyn Cluster, line: &str, namespace: &str) -> Option<Change> {
    let change = read_change(line, Some(namespace)).ok()?;
    check_change(world, &change).ok().map(|()| change)
}

/// The change a changing command (`rollout restart`, `rollout undo`, `delete pod`) asks for,
/// with the namespace it names (`-n prod`): why not, when it is not one.
pub fn parse_change(line: &str) -> Result<Change, String> {
    read_change(line, None)
}

/// Whether kubectl finds what `change` names in `world`: what it prints when it does not.
pub fn check_change(world: &dyn Cluster, change: &Change) -> Result<(), String> {
    let output = describe_change(world, change);
    if output.failed {
        Err(output.text)
    } else {
        Ok(())
    }
}

/// `line` run in `namespace` unless it names its own: `-n` is read before the line's flags.
pub fn in_namespace(line: &str, namespace: &str) -> String {
    // The leading `kubectl` is dropped: it is only read as the first word.
    let line = line.trim_start();
    let first = line.find(char::is_whitespace).unwrap_or(line.len());
    let rest = match &line[..first] {
        "kubectl" | "k" => &line[first..],
        _ => line,
    };
    format!("--namespace={namespace} {rest}")
}

fn read_change(line: &str, namespace: Option<&str>) -> Result<Change, String> {
    let command = parse_line(line).map_err(|output| output.text)?;
    let namespace = command
        .namespace
        .or(namespace)
        .ok_or("say which namespace the change is in: -n NAMESPACE")?
        .to_string();
    let not_a_change = || {
        format!(
            "`{}` is not a change kubectl makes here: rollout restart, rollout undo or delete pod",
            command.words.join(" ")
        )
    };
    let change = match command.words.as_slice() {
        ["rollout", verb @ ("restart" | "undo"), resource, names @ ..] => {
            let (Kind::Deployments, Some(name)) =
                split_resource(resource, names).map_err(|output| output.text)?
            else {
                return Err(not_a_change());
            };
            let deployment = name.to_string();
            if *verb == "restart" {
                Change::Restart {
                    namespace,
                    deployment,
                }
            } else {
                Change::Undo {
                    namespace,
                    deployment,
                }
            }
        }
        ["delete", resource, names @ ..] => {
            let (Kind::Pods, Some(name)) =
                split_resource(resource, names).map_err(|output| output.text)?
            else {
                return Err(not_a_change());
            };
            Change::DeletePod {
                namespace,
                pod: name.to_string(),
            }
        }
        _ => return Err(not_a_change()),
    };
    Ok(change)
}

/// What kubectl prints for a change, checked against the world.
fn describe_change(world: &dyn Cluster, change: &Change) -> Output {
    let deployment_in = |namespace: &str, name: &str| {
        world
            .namespaces()
            .into_iter()
            .filter(|e| e.name == namespace)
            .flat_map(|e| e.deployments.iter())
            .find(|d| d.service == name)
            .cloned()
    };
    let not_found = |kind: Kind, name: &str| {
        Output::error(format!(
            "Error from server (NotFound): {} \"{name}\" not found",
            kind.plural()
        ))
    };
    let mut output = match change {
        Change::Restart {
            namespace,
            deployment,
        } => match deployment_in(namespace, deployment) {
            Some(_) => Output::ok(format!("deployment.apps/{deployment} restarted")),
            None => not_found(Kind::Deployments, deployment),
        },
        Change::Undo {
            namespace,
            deployment,
        } => match deployment_in(namespace, deployment) {
            Some(d) if d.previous_hash.is_some() => {
                Output::ok(format!("deployment.apps/{deployment} rolled back"))
            }
            Some(_) => Output::error(format!(
                "error: no rollout history found for deployment \"{deployment}\""
            )),
            None => not_found(Kind::Deployments, deployment),
        },
        Change::DeletePod { namespace, pod } => {
            let exists = world
                .namespaces()
                .into_iter()
                .filter(|e| e.name == namespace)
                .flat_map(|e| e.deployments.iter())
                .any(|d| d.pods.iter().any(|p| &p.name == pod));
            if exists {
                Output::ok(format!("pod \"{pod}\" deleted"))
            } else {
                not_found(Kind::Pods, pod)
            }
        }
    };
    output.change = !output.failed;
    output
}

/// The resource types the console knows, with their names and short names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Pods,
    Deployments,
    ReplicaSets,
    Hpa,
    Events,
    Namespaces,
}

impl Kind {
    fn parse(word: &str) -> Option<Kind> {
        Some(match word.to_ascii_lowercase().as_str() {
            "po" | "pod" | "pods" => Kind::Pods,
            "deploy" | "deployment" | "deployments" => Kind::Deployments,
            "rs" | "replicaset" | "replicasets" => Kind::ReplicaSets,
            "hpa" | "horizontalpodautoscaler" | "horizontalpodautoscalers" => Kind::Hpa,
            "ev" | "event" | "events" => Kind::Events,
            "ns" | "namespace" | "namespaces" => Kind::Namespaces,
            _ => return None,
        })
    }

    /// The plural kubectl uses in messages: `pods "x" not found`.
    fn plural(self) -> &'static str {
        match self {
            Kind::Pods => "pods",
            Kind::Deployments => "deployments.apps",
            Kind::ReplicaSets => "replicasets.apps",
            Kind::Hpa => "horizontalpodautoscalers.autoscaling",
            Kind::Events => "events",
            Kind::Namespaces => "namespaces",
        }
    }
}

/// A command line split into its words and flags.
#[derive(Debug, Default)]
struct Command<'a> {
    words: Vec<&'a str>,
    namespace: Option<&'a str>,
    all_namespaces: bool,
    wide: bool,
    yaml: bool,
}

fn parse_line(line: &str) -> Result<Command<'_>, Output> {
    let mut command = Command::default();
    let mut tokens = line.split_whitespace().peekable();
    if matches!(tokens.peek(), Some(&"kubectl") | Some(&"k")) {
        tokens.next();
    }
    while let Some(token) = tokens.next() {
        match token {
            "-n" | "--namespace" => match tokens.next() {
                Some(namespace) => command.namespace = Some(namespace),
                None => {
                    return Err(Output::error(format!(
                        "error: flag needs an argument: '{}' in {token}",
                        token.trim_start_matches('-')
                    )))
                }
            },
            "-A" | "--all-namespaces" => command.all_namespaces = true,
            "-o" | "--output" => match tokens.next() {
                Some("wide") => command.wide = true,
                Some("yaml") => command.yaml = true,
                Some(format) => return Err(unsupported_output(format)),
                None => return Err(Output::error("error: flag needs an argument: 'o' in -o")),
            },
            _ if token.starts_with("--namespace=") => {
                command.namespace = Some(&token["--namespace=".len()..]);
            }
            _ if token.starts_with("-n") && token.len() > 2 && !token.starts_with("--") => {
                command.namespace = Some(&token[2..]);
            }
            _ if token.starts_with("-o") || token.starts_with("--output=") => {
                let format = token
                    .trim_start_matches("--output=")
                    .trim_start_matches("-o")
                    .trim_start_matches('=');
                if format == "wide" {
                    command.wide = true;
                } else if format == "yaml" {
                    command.yaml = true;
                } else {
                    return Err(unsupported_output(format));
                }
            }
            _ if token.starts_with('-') => {
                return Err(Output::error(format!(
                    "error: unknown flag: {token}\nSee 'kubectl help' for the flags this console knows."
                )))
            }
            _ => command.words.push(token),
        }
    }
    Ok(command)
}

fn unsupported_output(format: &str) -> Output {
    Output::error(format!(
        "error: unable to match a printer suitable for the output format \"{format}\", allowed formats here are: wide, yaml"
    ))
}

/// Runs one console line against `world`; `namespace` is used when the line names none.
pub fn run(world: &dyn Cluster, line: &str, namespace: &str) -> Output {
    if line.len() > MAX_LINE_BYTES {
        return Output::error(format!(
            "error: this console reads lines of up to {MAX_LINE_BYTES} characters"
        ));
    }
    let command = match parse_line(line) {
        Ok(command) => command,
        Err(output) => return output,
    };
    let namespace = command.namespace.unwrap_or(namespace);
    let view = View {
        world,
        namespace,
        all: command.all_namespaces,
        wide: command.wide,
    };
    match command.words.as_slice() {
        [] => Output::ok(String::new()),
        ["help" | "--help" | "-h", ..] => Output::ok(HELP.to_string()),
        ["get"] => Output::error(
            "You must specify the type of resource to get. Use \"kubectl get pods\", \"kubectl get deploy\", \"kubectl get hpa\" or \"kubectl get events\".",
        ),
        ["get", resource, names @ ..] if command.yaml => match split_resource(resource, names) {
            Ok((kind, Some(name))) => view.get_yaml(kind, name),
            Ok(_) => Output::error(
                "error: this console prints one object as YAML: kubectl get deploy NAME -o yaml",
            ),
            Err(output) => output,
        },
        ["get", resource, names @ ..] => match split_resource(resource, names) {
            Ok((kind, name)) => view.get(kind, name),
            Err(output) => output,
        },
        ["describe"] => Output::error("error: You must specify the type of resource to describe."),
        ["describe", resource, names @ ..] => match split_resource(resource, names) {
            Ok((kind, name)) => view.describe(kind, name),
            Err(output) => output,
        },
        ["rollout", verb @ ("history" | "status"), resource, names @ ..] => {
            match split_resource(resource, names) {
                Ok((Kind::Deployments, Some(name))) if *verb == "history" => {
                    view.rollout_history(name)
                }
                Ok((Kind::Deployments, Some(name))) => view.rollout_status(name),
                Ok((Kind::Deployments, None)) => {
                    Output::error("error: required resource not specified")
                }
                Ok(_) => Output::error(format!(
                    "error: no {verb} viewer has been implemented for this kind"
                )),
                Err(output) => output,
            }
        }
        ["logs"] => Output::error(
            "error: expected 'logs (POD | TYPE/NAME)'.\nPOD or TYPE/NAME is a required argument for the logs command",
        ),
        ["logs", pod] => view.logs(pod.strip_prefix("pod/").unwrap_or(pod)),
        ["logs", ..] => Output::error(
            "error: this console shows the logs of one pod's php-fpm: kubectl logs POD",
        ),
        ["rollout" | "delete", ..] => match change_of(world, line, namespace) {
            Some(change) => describe_change(world, &change),
            None => view.refused_change(&command.words),
        },
        [verb, ..] => Output::error(format!(
            "error: unknown command \"{verb}\" for \"kubectl\"\nRun 'kubectl help' for the commands this console knows."
        )),
    }
}

/// The text of `kubectl help` in the console.
const HELP: &str = "This console runs kubectl against the simulated cluster.
Each environment is a namespace: dev, staging, prod.

  kubectl get pods [-o wide]          pods, their readiness, restarts and age
  kubectl get deploy                  deployments and their ready replicas
  kubectl get rs                      replica sets
  kubectl get hpa                     autoscalers: metric against target, bounds, replicas
  kubectl get events                  what the controllers did, oldest first
  kubectl get deploy NAME -o yaml     the object as the chart rendered it, with its status
  kubectl describe hpa NAME           conditions, behavior and scaling events
  kubectl describe pod NAME           containers, probes, node and events
  kubectl describe deploy NAME        strategy, replicas and events
  kubectl rollout status deploy/NAME  whether a rollout is done
  kubectl rollout history deploy/NAME revisions and what changed in each
  kubectl rollout restart deploy/NAME new pods replace the old ones, a few at a time
  kubectl rollout undo deploy/NAME    back to the previous pod template
  kubectl delete pod NAME             its ReplicaSet creates a replacement
  kubectl logs POD                    what php-fpm printed in the pod

Flags: -n NAMESPACE, -A (all namespaces), -o wide, -o yaml. Up and down arrows recall commands.";

/// `pods x`, `pod/x` or `pods` into a kind and an optional name.
fn split_resource<'a>(
    resource: &'a str,
    names: &[&'a str],
) -> Result<(Kind, Option<&'a str>), Output> {
    let (type_word, inline_name) = match resource.split_once('/') {
        Some((kind, name)) => (kind, Some(name)),
        None => (resource, None),
    };
    let Some(kind) = Kind::parse(type_word) else {
        return Err(Output::error(format!(
            "error: the server doesn't have a resource type \"{type_word}\""
        )));
    };
    match (inline_name, names) {
        (Some(name), []) => Ok((kind, Some(name))),
        (None, [name]) => Ok((kind, Some(*name))),
        (None, []) => Ok((kind, None)),
        _ => Err(Output::error(
            "error: this console looks up one name at a time",
        )),
    }
}

/// The world seen from one namespace (or all of them).
struct View<'a> {
    world: &'a dyn Cluster,
    namespace: &'a str,
    all: bool,
    wide: bool,
}

impl View<'_> {
    fn now(&self) -> SimTime {
        self.world.now()
    }

    /// The environments the command looks at.
    fn environments(&self) -> Vec<Namespace<'_>> {
        self.world
            .namespaces()
            .into_iter()
            .filter(|e| self.all || e.name == self.namespace)
            .collect()
    }

    /// The nodes of the namespace's cluster.
    fn nodes(&self) -> usize {
        self.world
            .namespaces()
            .into_iter()
            .find(|e| e.name == self.namespace)
            .map_or(0, node_count)
    }

    fn no_resources(&self) -> Output {
        Output::ok(if self.all {
            "No resources found".to_string()
        } else {
            format!("No resources found in {} namespace.", self.namespace)
        })
    }

    fn not_found(&self, kind: Kind, name: &str) -> Output {
        Output::error(format!(
            "Error from server (NotFound): {} \"{name}\" not found",
            kind.plural()
        ))
    }

    fn deployment_age(&self) -> String {
        age(self
            .now()
            .since(self.world.started().plus(SimDuration(-DEPLOYMENT_AGE.0))))
    }

    fn get(&self, kind: Kind, name: Option<&str>) -> Output {
        let mut header: Vec<&str> = Vec::new();
        if self.all && kind != Kind::Namespaces {
            header.push("NAMESPACE");
        }
        let mut rows: Vec<Vec<String>> = Vec::new();
        let now = self.now();
        let mut push = |namespace: &str, row: Vec<String>| {
            let mut full = Vec::with_capacity(row.len() + 1);
            if self.all {
                full.push(namespace.to_string());
            }
            full.extend(row);
            rows.push(full);
        };
        match kind {
            Kind::Namespaces => {
                header.extend(["NAME", "STATUS", "AGE"]);
                let platform = self.world.platform();
                let namespaces = ["default", "kube-system"]
                    .into_iter()
                    .chain(platform.environment_names());
                for namespace in namespaces {
                    if name.is_none_or(|n| n == namespace) {
                        rows.push(vec![
                            namespace.to_string(),
                            "Active".into(),
                            self.deployment_age(),
                        ]);
                    }
                }
                if rows.is_empty() {
                    return self.not_found(kind, name.unwrap_or_default());
                }
                return Output::ok(table(&header, &rows));
            }
            Kind::Pods => {
                header.extend(["NAME", "READY", "STATUS", "RESTARTS", "AGE"]);
                if self.wide {
                    header.extend(["IP", "NODE"]);
                }
                for env in self.environments() {
                    for deployment in env.deployments {
                        for pod in &deployment.pods {
                            if name.is_some_and(|n| n != pod.name) {
                                continue;
                            }
                            let mut row = vec![
                                pod.name.clone(),
                                pod_ready(pod, now).into(),
                                pod.status(now).to_string(),
                                pod.restarts.to_string(),
                                age(now.since(pod.created_at)),
                            ];
                            if self.wide {
                                let nodes = node_count(env);
                                if pod.is_pending() {
                                    row.extend(["<none>".into(), "<none>".into()]);
                                } else {
                                    row.extend([pod_ip(&pod.name), node_of(&pod.name, nodes)]);
                                }
                            }
                            push(env.name, row);
                        }
                    }
                }
            }
            Kind::Deployments => {
                header.extend(["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]);
                for env in self.environments() {
                    for deployment in env.deployments {
                        if name.is_some_and(|n| n != deployment.service) {
                            continue;
                        }
                        let ready = deployment.ready_pods(now);
                        push(
                            env.name,
                            vec![
                                deployment.service.clone(),
                                format!("{ready}/{}", deployment.desired),
                                deployment.updated_pods().to_string(),
                                ready.to_string(),
                                self.deployment_age(),
                            ],
                        );
                    }
                }
            }
            Kind::ReplicaSets => {
                header.extend(["NAME", "DESIRED", "CURRENT", "READY", "AGE"]);
                for env in self.environments() {
                    for deployment in env.deployments {
                        // The current ReplicaSet, and the previous one kept for `rollout undo`.
                        let current = deployment.replica_set_hash().to_string();
                        let hashes = std::iter::once((current, deployment.desired))
                            .chain(deployment.previous_hash.clone().map(|h| (h, 0)));
                        for (hash, desired) in hashes {
                            let replica_set = format!("{}-{hash}", deployment.service);
                            if name.is_some_and(|n| n != replica_set) {
                                continue;
                            }
                            let pods = deployment.pods.iter().filter(|p| p.hash == hash);
                            let ready = pods.clone().filter(|p| p.is_ready(now)).count();
                            push(
                                env.name,
                                vec![
                                    replica_set,
                                    desired.to_string(),
                                    pods.count().to_string(),
                                    ready.to_string(),
                                    self.deployment_age(),
                                ],
                            );
                        }
                    }
                }
            }
            Kind::Hpa => {
                header.extend([
                    "NAME",
                    "REFERENCE",
                    "TARGETS",
                    "MINPODS",
                    "MAXPODS",
                    "REPLICAS",
                    "AGE",
                ]);
                for env in self.environments() {
                    for deployment in env.deployments {
                        let Some(hpa) = &deployment.hpa else { continue };
                        if name.is_some_and(|n| n != deployment.service) {
                            continue;
                        }
                        push(
                            env.name,
                            vec![
                                deployment.service.clone(),
                                format!("Deployment/{}", deployment.service),
                                targets(hpa),
                                hpa.spec.min_replicas.to_string(),
                                hpa.spec.max_replicas.to_string(),
                                deployment.pods.len().to_string(),
                                age(now.since(hpa.created_at)),
                            ],
                        );
                    }
                }
            }
            Kind::Events => {
                header.extend(["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]);
                let events: Vec<&KubeEvent> = self
                    .world
                    .events()
                    .iter()
                    .filter(|e| self.all || e.namespace == self.namespace)
                    .filter(|e| name.is_none_or(|n| e.object.ends_with(&format!("/{n}"))))
                    .collect();
                for event in &events[events.len().saturating_sub(60)..] {
                    push(
                        &event.namespace,
                        vec![
                            age(now.since(event.at)),
                            event_type(event).into(),
                            event.reason.into(),
                            event.object.clone(),
                            event.message.clone(),
                        ],
                    );
                }
            }
        }
        if rows.is_empty() {
            return match name {
                Some(name) if kind != Kind::Events => self.not_found(kind, name),
                _ => self.no_resources(),
            };
        }
        Output::ok(table(&header, &rows))
    }

    /// The deployment named `name` in the namespace, with its environment.
    fn deployment(&self, name: &str) -> Option<(Namespace<'_>, &Deployment)> {
        self.world
            .namespaces()
            .into_iter()
            .filter(|e| e.name == self.namespace)
            .find_map(|e| {
                e.deployments
                    .iter()
                    .find(|d| d.service == name)
                    .map(|d| (e, d))
            })
    }

    fn describe(&self, kind: Kind, name: Option<&str>) -> Output {
        let Some(name) = name else {
            return Output::error(format!(
                "error: this console describes one {} at a time: kubectl describe {} NAME",
                kind.plural(),
                match kind {
                    Kind::Pods => "pod",
                    Kind::Hpa => "hpa",
                    _ => "deploy",
                }
            ));
        };
        match kind {
            Kind::Hpa => match self.deployment(name) {
                Some((_, deployment)) if deployment.hpa.is_some() => {
                    Output::ok(self.describe_hpa(deployment))
                }
                _ => self.not_found(kind, name),
            },
            Kind::Deployments => match self.deployment(name) {
                Some((_, deployment)) => Output::ok(self.describe_deployment(deployment)),
                None => self.not_found(kind, name),
            },
            Kind::Pods => match self.pod(name) {
                Some((deployment, pod)) => Output::ok(self.describe_pod(deployment, pod)),
                None => self.not_found(kind, name),
            },
            _ => Output::error(format!(
                "error: this console describes pods, deployments and hpa, not {}",
                kind.plural()
            )),
        }
    }

    /// `kubectl get deploy|hpa NAME -o yaml`: the object the chart rendered for this namespace,
    /// with the count the cluster runs and its status.
    fn get_yaml(&self, kind: Kind, name: &str) -> Output {
        use serde_yaml_ng::{Mapping, Value};
        let manifest_kind = match kind {
            Kind::Deployments => "Deployment",
            Kind::Hpa => "HorizontalPodAutoscaler",
            _ => {
                return Output::error(format!(
                    "error: this console prints deployments and hpa as YAML, not {}",
                    kind.plural()
                ))
            }
        };
        let manifest = self
            .world
            .manifests(self.namespace)
            .iter()
            .find(|m| m.kind == manifest_kind && m.name == name);
        let (Some(manifest), Some((_, deployment))) = (manifest, self.deployment(name)) else {
            return self.not_found(kind, name);
        };
        let mut document = manifest.document.clone();
        let number = |n: usize| Value::Number((n as u64).into());
        let mut status = Mapping::new();
        match kind {
            Kind::Deployments => {
                if let Some(Value::Mapping(spec)) = document.get_mut("spec") {
                    spec.insert("replicas".into(), number(deployment.desired as usize));
                }
                if let Some(Value::Mapping(metadata)) = document.get_mut("metadata") {
                    let mut annotations = Mapping::new();
                    annotations.insert(
                        "deployment.kubernetes.io/revision".into(),
                        Value::String(deployment.revision.to_string()),
                    );
                    metadata.insert("annotations".into(), Value::Mapping(annotations));
                }
                status.insert("replicas".into(), number(deployment.pods.len()));
                status.insert("updatedReplicas".into(), number(deployment.updated_pods()));
                let ready = deployment.ready_pods(self.now());
                status.insert("readyReplicas".into(), number(ready));
                status.insert("availableReplicas".into(), number(ready));
            }
            _ => {
                status.insert("currentReplicas".into(), number(deployment.pods.len()));
                status.insert(
                    "desiredReplicas".into(),
                    number(deployment.desired as usize),
                );
                if let Some(value) = deployment.hpa.as_ref().and_then(|h| h.current_value) {
                    status.insert(
                        "currentAverageValue".into(),
                        Value::String(format!("{}", value.round())),
                    );
                }
            }
        }
        if let Value::Mapping(object) = &mut document {
            object.insert("status".into(), Value::Mapping(status));
        }
        match serde_yaml_ng::to_string(&document) {
            Ok(text) => Output::ok(text.trim_end().to_string()),
            Err(error) => Output::error(format!("error: {error}")),
        }
    }

    /// The pod named `name` in the namespace, with its deployment.
    fn pod(&self, name: &str) -> Option<(&Deployment, &Pod)> {
        self.world
            .namespaces()
            .into_iter()
            .filter(|e| e.name == self.namespace)
            .flat_map(|e| e.deployments.iter())
            .find_map(|d| d.pods.iter().find(|p| p.name == name).map(|p| (d, p)))
    }

    /// `kubectl logs POD`: what php-fpm printed since its container last started.
    fn logs(&self, name: &str) -> Output {
        let Some((deployment, pod)) = self.pod(name) else {
            return self.not_found(Kind::Pods, name);
        };
        let Some(ready_at) = pod.ready_at.filter(|_| !pod.is_pending()) else {
            return Output::error(format!(
                "Error from server (BadRequest): container \"php-fpm\" in pod \"{name}\" is waiting to start: ContainerCreating"
            ));
        };
        let now = self.now();
        let started = if pod.restarts > 0 {
            pod.back_off_until.unwrap_or(ready_at).min(now)
        } else {
            ready_at.plus(SimDuration::from_seconds(-5)).min(now)
        };
        let mut lines = vec![
            "Defaulted container \"php-fpm\" out of: php-fpm, nginx".to_string(),
            format!("[{started}] NOTICE: fpm is running, pid 1"),
            format!("[{started}] NOTICE: ready to handle connections"),
        ];
        if pod.broken {
            lines.push(format!(
                "[{started}] PHP Fatal error:  Uncaught RedisException: Connection refused in /app/src/Cache/RedisPool.php:41"
            ));
            lines.push(format!(
                "[{started}] WARNING: [pool www] child 7 exited with code 255 after 0.412000 seconds from start"
            ));
            lines.push(format!("[{started}] NOTICE: exiting, bye-bye!"));
        } else if self
            .world
            .php_fpm_busy(self.namespace, &deployment.service)
            .is_some_and(|busy| busy >= 0.99)
        {
            lines.push(format!(
                "[{now}] WARNING: [pool www] server reached pm.max_children setting ({}), consider raising it",
                self.world
                    .platform()
                    .service(&deployment.service)
                    .map_or(0, |service| service.workers)
            ));
        }
        Output::ok(lines.join("\n"))
    }

    /// The `Events:` section for objects whose `kind/name` is in `objects`.
    fn events_of(&self, objects: &[String]) -> String {
        let now = self.now();
        let rows: Vec<Vec<String>> = self
            .world
            .events()
            .iter()
            .filter(|e| e.namespace == self.namespace && objects.contains(&e.object))
            .map(|e| {
                vec![
                    event_type(e).to_string(),
                    e.reason.to_string(),
                    age(now.since(e.at)),
                    source(e).to_string(),
                    e.message.clone(),
                ]
            })
            .collect();
        if rows.is_empty() {
            return "Events:  <none>\n".into();
        }
        let shown = &rows[rows.len().saturating_sub(15)..];
        let mut text = String::from("Events:\n");
        let header = ["Type", "Reason", "Age", "From", "Message"];
        let dashes: Vec<String> = header.iter().map(|h| "-".repeat(h.len())).collect();
        let mut all = vec![dashes];
        all.extend(shown.iter().cloned());
        for line in table(&header, &all).lines() {
            text.push_str("  ");
            text.push_str(line);
            text.push('\n');
        }
        text
    }

    fn describe_hpa(&self, deployment: &Deployment) -> String {
        let Some(hpa) = &deployment.hpa else {
            return String::new();
        };
        let metric_key = format!("  \"{}\" on pods", METRIC);
        let width = metric_key.len() + 3;
        let mut text = fields_text_width(
            &[
                ("Name", deployment.service.clone()),
                ("Namespace", self.namespace.to_string()),
                ("Reference", format!("Deployment/{}", deployment.service)),
                ("Metrics", "( current / target )".into()),
                (
                    &metric_key,
                    format!(
                        "{} / {}",
                        hpa.current_value
                            .map_or_else(|| "<unknown>".to_string(), |v| format!("{}", v.round())),
                        hpa.spec.target
                    ),
                ),
                ("Min replicas", hpa.spec.min_replicas.to_string()),
                ("Max replicas", hpa.spec.max_replicas.to_string()),
            ],
            width,
        );
        text.push_str("Behavior:\n");
        text.push_str(&behavior_text("Scale Up", &hpa.spec.scale_up));
        text.push_str(&behavior_text("Scale Down", &hpa.spec.scale_down));
        text.push_str(&fields_text_width(
            &[(
                "Deployment pods",
                format!(
                    "{} current / {} desired",
                    deployment.pods.len(),
                    deployment.desired
                ),
            )],
            width,
        ));
        if hpa.state.conditions.is_empty() {
            text.push_str("Conditions:  <none>\n");
        } else {
            text.push_str("Conditions:\n");
            let header = ["Type", "Status", "Reason", "Message"];
            let mut rows = vec![header.iter().map(|h| "-".repeat(h.len())).collect()];
            rows.extend(hpa.state.conditions.iter().map(|c| {
                vec![
                    c.kind.to_string(),
                    if c.status { "True" } else { "False" }.to_string(),
                    c.reason.to_string(),
                    c.message.clone(),
                ]
            }));
            for line in table(&header, &rows).lines() {
                text.push_str("  ");
                text.push_str(line);
                text.push('\n');
            }
        }
        text.push_str(
            &self.events_of(&[format!("horizontalpodautoscaler/{}", deployment.service)]),
        );
        text
    }

    fn describe_deployment(&self, deployment: &Deployment) -> String {
        let now = self.now();
        let ready = deployment.ready_pods(now);
        let total = deployment.pods.len();
        let mut text = fields_text(&[
            ("Name", deployment.service.clone()),
            ("Namespace", self.namespace.to_string()),
            ("Selector", format!("app={}", deployment.service)),
            (
                "Replicas",
                format!(
                    "{} desired | {} updated | {total} total | {ready} available | {} unavailable",
                    deployment.desired,
                    deployment.updated_pods(),
                    total.saturating_sub(ready)
                ),
            ),
            ("StrategyType", "RollingUpdate".into()),
            (
                "RollingUpdateStrategy",
                "25% max unavailable, 25% max surge".into(),
            ),
        ]);
        text.push_str("Pod Template:\n");
        text.push_str(&format!(
            "  Labels:  app={}\n  Containers:\n",
            deployment.service
        ));
        text.push_str(&containers_text(
            deployment.image_of(deployment.replica_set_hash()),
            None,
        ));
        text.push_str(&fields_text(&[(
            "NewReplicaSet",
            format!(
                "{} ({total}/{} replicas created)",
                deployment.replica_set(),
                deployment.desired
            ),
        )]));
        text.push_str(&self.events_of(&[format!("deployment/{}", deployment.service)]));
        text
    }

    fn describe_pod(&self, deployment: &Deployment, pod: &Pod) -> String {
        let now = self.now();
        let status = pod.status(now);
        let node = if pod.is_pending() {
            "<none>".to_string()
        } else {
            node_of(&pod.name, self.nodes())
        };
        let mut text = fields_text(&[
            ("Name", pod.name.clone()),
            ("Namespace", self.namespace.to_string()),
            ("Node", node),
            ("Start Time", pod.created_at.to_string()),
            ("Labels", format!("app={}", deployment.service)),
            ("Status", status.to_string()),
            (
                "IP",
                if pod.is_pending() {
                    "<none>".into()
                } else {
                    pod_ip(&pod.name)
                },
            ),
            (
                "Controlled By",
                format!("ReplicaSet/{}", deployment.replica_set()),
            ),
        ]);
        text.push_str("Containers:\n");
        text.push_str(&containers_text(
            deployment.image_of(&pod.hash),
            Some((pod, now)),
        ));
        let ready = pod.is_ready(now);
        text.push_str("Conditions:\n  Type              Status\n");
        text.push_str(&format!(
            "  PodScheduled      {}\n  Ready             {}\n",
            title_bool(!pod.is_pending()),
            title_bool(ready)
        ));
        text.push_str(&self.events_of(&[format!("pod/{}", pod.name)]));
        text
    }

    /// Why a changing command was refused.
    fn refused_change(&self, words: &[&str]) -> Output {
        let target = match words {
            ["rollout", "restart" | "undo", resource, names @ ..] | ["delete", resource, names @ ..] => {
                split_resource(resource, names)
            }
            _ => {
                return Output::error(
                    "error: this console knows `kubectl rollout status|restart|undo deploy/NAME` and `kubectl delete pod NAME`",
                )
            }
        };
        match target {
            Err(output) => output,
            Ok((_, None)) => {
                Output::error("error: resource(s) were provided, but no name was specified")
            }
            Ok((Kind::Pods, Some(name))) => self.not_found(Kind::Pods, name),
            Ok((Kind::Deployments, Some(name))) => match self.deployment(name) {
                Some(_) => Output::error(format!(
                    "error: no rollout history found for deployment \"{name}\""
                )),
                None => self.not_found(Kind::Deployments, name),
            },
            Ok((kind, Some(_))) => Output::error(format!(
                "error: this console changes deployments and pods, not {}",
                kind.plural()
            )),
        }
    }

    fn rollout_history(&self, name: &str) -> Output {
        let Some((_, deployment)) = self.deployment(name) else {
            return self.not_found(Kind::Deployments, name);
        };
        let rows: Vec<Vec<String>> = deployment
            .history
            .iter()
            .map(|(revision, _, cause)| vec![revision.to_string(), cause.clone()])
            .collect();
        Output::ok(format!(
            "deployment.apps/{name}\n{}",
            table(&["REVISION", "CHANGE-CAUSE"], &rows)
        ))
    }

    fn rollout_status(&self, name: &str) -> Output {
        let Some((_, deployment)) = self.deployment(name) else {
            return self.not_found(Kind::Deployments, name);
        };
        let ready = deployment.ready_pods(self.now());
        let desired = deployment.desired as usize;
        let updated = deployment.updated_pods();
        Output::ok(if deployment.rolling_out() {
            format!(
                "Waiting for deployment \"{name}\" rollout to finish: {} out of {desired} new replicas have been updated...",
                updated.min(desired)
            )
        } else if ready < desired {
            format!(
                "Waiting for deployment \"{name}\" rollout to finish: {ready} of {desired} updated replicas are available..."
            )
        } else {
            format!("deployment \"{name}\" successfully rolled out")
        })
    }
}

/// The containers of a service's pods, as `describe` lists them; with a pod, their state.
fn containers_text(image: String, pod: Option<(&Pod, SimTime)>) -> String {
    let mut text = String::new();
    for (container, image, port, probe) in [
        (
            "php-fpm",
            image,
            "9000/TCP",
            "exec [php-fpm-healthcheck] delay=5s timeout=1s period=10s #success=1 #failure=3",
        ),
        (
            "nginx",
            "nginx:1.27-alpine".to_string(),
            "80/TCP",
            "http-get http://:80/ping delay=5s timeout=1s period=10s #success=1 #failure=3",
        ),
    ] {
        text.push_str(&format!("  {container}:\n"));
        let mut fields = vec![("Image", image), ("Port", port.to_string())];
        if let Some((pod, now)) = pod {
            let php_fpm = container == "php-fpm";
            let (state, ready) = if pod.is_pending() {
                ("Waiting", false)
            } else if php_fpm && pod.php_fpm_down(now) {
                ("Waiting\n      Reason:       CrashLoopBackOff", false)
            } else {
                // nginx answers first; php-fpm is ready when the pod is.
                ("Running", !php_fpm || pod.is_ready(now))
            };
            fields.push(("State", state.into()));
            fields.push(("Ready", title_bool(ready).into()));
            let restarts = if php_fpm { pod.restarts } else { 0 };
            fields.push(("Restart Count", restarts.to_string()));
        }
        fields.push(("Readiness", probe.to_string()));
        for line in fields_text(&fields).lines() {
            text.push_str("    ");
            text.push_str(line);
            text.push('\n');
        }
    }
    text
}

fn behavior_text(title: &str, rules: &ScalingRules) -> String {
    let mut text = format!(
        "  {title}:\n    Stabilization Window: {} seconds\n    Select Policy: {}\n    Policies:\n",
        rules.stabilization_window.as_ms() / 1000,
        match rules.select_policy {
            SelectPolicy::Max => "Max",
            SelectPolicy::Min => "Min",
            SelectPolicy::Disabled => "Disabled",
        }
    );
    for policy in &rules.policies {
        let (kind, value, period) = match policy {
            Policy::Pods { value, period } => ("Pods", value, period),
            Policy::Percent { value, period } => ("Percent", value, period),
        };
        text.push_str(&format!(
            "      - Type: {kind:<7}  Value: {value:<3}  Period: {} seconds\n",
            period.as_ms() / 1000
        ));
    }
    text
}

/// `Name:  value` lines with the values aligned, as `describe` prints them.
fn fields_text(fields: &[(&str, String)]) -> String {
    let width = fields.iter().map(|(k, _)| k.len() + 1).max().unwrap_or(0) + 2;
    fields_text_width(fields, width)
}

/// `Name:  value` lines with the values starting at column `width`.
fn fields_text_width(fields: &[(&str, String)], width: usize) -> String {
    fields
        .iter()
        .map(|(key, value)| {
            format!(
                "{}{value}\n",
                crate::limits::pad_end(&format!("{key}:"), width)
            )
        })
        .collect()
}

/// Columns separated by three spaces, as kubectl's table printer aligns them.
fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (index, cell) in row.iter().enumerate() {
            if let Some(width) = widths.get_mut(index) {
                *width = (*width).max(cell.chars().count());
            }
        }
    }
    let line = |cells: Vec<&str>| {
        let mut text = String::new();
        for (index, cell) in cells.iter().enumerate() {
            if index + 1 == cells.len() {
                text.push_str(cell);
            } else {
                let pad = widths[index] - cell.chars().count() + 3;
                text.push_str(cell);
                text.push_str(&" ".repeat(pad));
            }
        }
        text.trim_end().to_string()
    };
    let mut text = line(header.to_vec());
    for row in rows {
        text.push('\n');
        text.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    text
}

/// `READY` of a pod: both containers, nginx only, or none while it waits for a node.
fn pod_ready(pod: &Pod, now: SimTime) -> &'static str {
    if pod.is_pending() {
        "0/2"
    } else if pod.is_ready(now) {
        "2/2"
    } else {
        "1/2"
    }
}

fn targets(hpa: &Hpa) -> String {
    match hpa.current_value {
        Some(value) => format!("{}/{}", value.round(), hpa.spec.target),
        None => format!("<unknown>/{}", hpa.spec.target),
    }
}

fn event_type(event: &KubeEvent) -> &'static str {
    if event.warning {
        "Warning"
    } else {
        "Normal"
    }
}

/// The controller that records an event, for `describe`'s `From` column.
fn source(event: &KubeEvent) -> &'static str {
    match event.object.split('/').next() {
        Some("horizontalpodautoscaler") => "horizontal-pod-autoscaler",
        Some("deployment") => "deployment-controller",
        Some("replicaset") => "replicaset-controller",
        _ if event.reason == "Scheduled" || event.reason == "FailedScheduling" => {
            "default-scheduler"
        }
        _ => "kubelet",
    }
}

fn title_bool(value: bool) -> &'static str {
    if value {
        "True"
    } else {
        "False"
    }
}

fn node_count(namespace: Namespace<'_>) -> usize {
    namespace.capacity / PODS_PER_NODE
}

/// A pod's cluster IP, made up from its name.
fn pod_ip(name: &str) -> String {
    let hash = name
        .bytes()
        .fold(17u32, |h, b| h.wrapping_mul(131).wrapping_add(u32::from(b)));
    format!("10.0.{}.{}", 16 + (hash >> 8) % 48, 2 + hash % 250)
}

/// An age as kubectl prints it: `45s`, `5m12s`, `65m`, `3h20m`, `2d`.
pub fn age(duration: SimDuration) -> String {
    let seconds = duration.as_ms().max(0) / 1000;
    let minutes = seconds / 60;
    let hours = minutes / 60;
    if seconds < 120 {
        format!("{seconds}s")
    } else if minutes < 10 {
        match seconds % 60 {
            0 => format!("{minutes}m"),
            s => format!("{minutes}m{s}s"),
        }
    } else if minutes < 180 {
        format!("{minutes}m")
    } else if hours < 8 {
        match minutes % 60 {
            0 => format!("{hours}h"),
            m => format!("{hours}h{m}m"),
        }
    } else if hours < 48 {
        format!("{hours}h")
    } else if hours < 24 * 8 {
        match hours % 24 {
            0 => format!("{}d", hours / 24),
            h => format!("{}d{h}h", hours / 24),
        }
    } else {
        format!("{}d", hours / 24)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::world::{values_file_path, Action, Scenario, World};

    /// Prod with an autoscaler on `users`, 20 minutes after a scale-up was asked.
    fn world() -> World {
        let mut world = World::new(Scenario::default());
        world.apply(Action::EditFile {
            path: values_file_path("prod"),
            content: "replicas:\n  stores: 3\nautoscaling:\n  users:\n    minReplicas: 5\n    maxReplicas: 12\n    targetActiveProcessPercentage: 60\n".into(),
        });
        world.apply(Action::Advance {
            by: SimDuration::from_minutes(20),
        });
        world
    }

    #[test]
    fn a_change_read_in_a_namespace_is_the_change_the_console_accepts() {
        let world = world();
        for line in [
            "rollout restart deploy/users",
            "kubectl rollout restart deployment users",
            "  kubectl\trollout undo deploy/users",
            "k delete pod nope",
            "rollout restart deploy/users -n dev",
            "-n staging rollout restart deploy/stores",
            "kubectlx rollout restart deploy/users",
            "rollout restart deploy/users -n",
            "get pods",
        ] {
            let console = change_of(&world, line, "prod");
            let read = parse_change(&in_namespace(line, "prod"));
            assert_eq!(
                console,
                read.clone()
                    .ok()
                    .filter(|c| check_change(&world, c).is_ok()),
                "{line:?}: {read:?}"
            );
        }
        // A line longer than a recorded one is refused by the console, not cut by the world.
        let padded = format!(
            "{} rollout restart deploy/users",
            " ".repeat(MAX_LINE_BYTES)
        );
        let output = run(&world, &padded, "prod");
        assert!(output.failed && !output.change, "{output:?}");
        assert_eq!(
            parse_change(&in_namespace(
                "kubectl rollout restart deploy/users -n dev",
                "prod"
            )),
            Ok(Change::Restart {
                namespace: "dev".into(),
                deployment: "users".into()
            })
        );
    }

    #[test]
    fn get_prints_kubectl_tables() {
        // Guards the console's main views: columns, names and states as kubectl shows them.
        let world = world();
        let pods = run(&world, "kubectl get pods", "prod");
        assert!(!pods.failed);
        let first = pods.text.lines().next().unwrap();
        assert_eq!(
            first.split_whitespace().collect::<Vec<_>>(),
            ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
        );
        assert!(pods.text.lines().any(|l| l.starts_with("users-")
            && l.split_whitespace().collect::<Vec<_>>()[1..4] == ["2/2", "Running", "0"]));
        assert_eq!(
            pods.text
                .lines()
                .filter(|l| l.starts_with("users-"))
                .count(),
            5
        );
        let hpa = run(&world, "get hpa", "prod").text;
        let row = hpa.lines().nth(1).unwrap();
        let cells: Vec<&str> = row.split_whitespace().collect();
        assert_eq!(cells[0..2], ["users", "Deployment/users"]);
        assert!(cells[2].ends_with("/60"), "{row}");
        assert_eq!(cells[3..6], ["5", "12", "5"]);
        let deploy = run(&world, "k get deploy users -n prod", "dev").text;
        assert_eq!(
            deploy
                .lines()
                .nth(1)
                .unwrap()
                .split_whitespace()
                .collect::<Vec<_>>(),
            ["users", "5/5", "5", "5", "30d"]
        );
        let wide = run(&world, "get po -o wide -A", "dev").text;
        assert!(wide.starts_with("NAMESPACE   NAME"), "{wide}");
        assert!(wide.contains("eu-west-3.compute.internal"));
        let events = run(&world, "get events", "prod").text;
        assert!(events.contains("Scaled up replica set users-"), "{events}");
        assert!(events.contains("SuccessfulCreate"));
        let replica_sets = run(&world, "get rs", "prod").text;
        assert_eq!(
            replica_sets.lines().count(),
            5,
            "one per deployment: {replica_sets}"
        );
        assert_eq!(
            run(&world, "get hpa", "dev").text,
            "No resources found in dev namespace."
        );
    }

    #[test]
    fn describe_hpa_shows_metric_behavior_and_conditions() {
        // Guards `describe hpa`, the view the HPA lesson asks for.
        let world = world();
        let text = run(&world, "describe hpa users", "prod").text;
        for expected in [
            "Reference:",
            "\"phpfpm_active_process_percentage\" on pods:",
            "Min replicas:",
            "Stabilization Window: 300 seconds",
            "- Type: Pods     Value: 4    Period: 15 seconds",
            "Deployment pods:",
            "ScalingLimited",
            "TooFewReplicas",
            "Events:",
        ] {
            assert!(text.contains(expected), "no {expected:?} in\n{text}");
        }
        let pod = run(&world, "get pods", "prod")
            .text
            .lines()
            .nth(1)
            .and_then(|l| l.split_whitespace().next())
            .unwrap()
            .to_string();
        let described = run(&world, &format!("describe pod {pod}"), "prod").text;
        assert!(described.contains("php-fpm:") && described.contains("nginx:"));
        assert!(described.contains("Controlled By:"));
        assert!(run(&world, "rollout status deploy/users", "prod")
            .text
            .contains("successfully rolled out"));
    }

    #[test]
    fn mistakes_get_kubectl_errors() {
        // Guards the console's messages for what kubectl refuses.
        let world = world();
        for (line, expected) in [
            (
                "get podz",
                "error: the server doesn't have a resource type \"podz\"",
            ),
            (
                "get pod nope",
                "Error from server (NotFound): pods \"nope\" not found",
            ),
            (
                "describe hpa stores",
                "horizontalpodautoscalers.autoscaling \"stores\" not found",
            ),
            ("apply -f x.yaml", "unknown flag: -f"),
            ("apply x", "unknown command \"apply\""),
            ("get pods -o json", "output format \"json\""),
            ("get pods -n", "flag needs an argument"),
        ] {
            let output = run(&world, line, "prod");
            assert!(output.failed, "{line}");
            assert!(output.text.contains(expected), "{line}: {}", output.text);
        }
        assert!(run(&world, "help", "prod")
            .text
            .contains("kubectl describe hpa NAME"));
    }

    #[test]
    fn ages_read_like_kubectl() {
        // Guards the age format of every AGE column.
        let cases = [
            (45, "45s"),
            (312, "5m12s"),
            (3900, "65m"),
            (12_000, "3h20m"),
            (180_000, "2d2h"),
        ];
        for (seconds, expected) in cases {
            assert_eq!(age(SimDuration::from_seconds(seconds)), expected);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]
        #[test]
        fn any_line_gets_an_answer(line in "(kubectl |k )?(get|describe|rollout status|help|-n|-o|x|/| )?[ -~]{0,40}") {
            // Guards the console against any typed line: it answers, it does not panic.
            static WORLD: std::sync::OnceLock<World> = std::sync::OnceLock::new();
            let world = WORLD.get_or_init(world);
            let output = run(world, &line, "prod");
            proptest::prop_assert!(output.text.len() < 200_000);
        }
    }
}
