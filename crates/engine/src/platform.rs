//! The platform a world simulates, as data: its environments in promotion order, its services
//! and their routes, and the settings that give each its traffic and capacity.
//!
//! A pack may carry a `platform.yaml` beside its `pack.yaml`, and a lesson's `scenario:` a
//! `platform:` block that replaces it; without either, [`Platform::standard`] (the file
//! `crates/engine/platform.yaml`) is the platform. Every key but the names has a default, and
//! an environment or a route may be written as its bare name. Everything downstream follows
//! the platform: the series' labels, the chart's values files, the Terraform variables files,
//! kubectl's namespaces, the pull request's environments and the checks of a lesson's events.

use crate::diagnostic::{closest, Diagnostic};
use crate::time::SimDuration;
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use std::fmt;
use std::sync::{Arc, OnceLock};

mod instance;
pub use instance::{instance_class, InstanceClass, INSTANCE_CLASSES};

/// The most replicas one deployment may ask for: the simulated cluster's capacity.
pub const MAX_REPLICAS: u32 = 20;

/// The most environments a platform has.
pub const MAX_ENVIRONMENTS: usize = 5;
/// The most services a platform has.
pub const MAX_SERVICES: usize = 8;
/// The most routes over all services: each route of each environment is a family of about a
/// hundred series.
pub const MAX_ROUTES: usize = 24;
/// The most traffic peaks of one environment.
pub const MAX_PEAKS: usize = 4;

/// The HTTP methods a route may have.
const METHODS: [&str; 6] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"];

/// The platform's file when nothing replaces it.
const STANDARD: &str = include_str!("../platform.yaml");

/// The platform a world simulates.
#[derive(Debug, Clone, PartialEq)]
pub struct Platform {
    /// In promotion order.
    pub environments: Vec<EnvironmentSpec>,
    pub services: Vec<ServiceSpec>,
    pub daily: DailyCurve,
    pub chat: ChatChannels,
}

/// The chat channels the platform's tools post to.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatChannels {
    /// Where the starting Alertmanager configuration sends every alert.
    pub alerts: String,
    /// Where the delivery pipeline announces builds and deployments.
    pub deploys: String,
    /// Compliance findings go to this prefix followed by the environment's name.
    pub infra: String,
}

impl Default for ChatChannels {
    fn default() -> Self {
        ChatChannels {
            alerts: "#alerts".into(),
            deploys: "#deploys".into(),
            infra: "#alert-infra-".into(),
        }
    }
}

/// Autoscaling that every service of an environment starts with, instead of fixed replicas.
#[derive(Debug, Clone, PartialEq)]
pub struct StartingAutoscaler {
    pub min_replicas: u32,
    pub max_replicas: u32,
    /// The average php-fpm active process percentage aimed for, 1 to 100.
    pub target: u32,
}

/// One environment and what it starts with.
#[derive(Debug, Clone, PartialEq)]
pub struct EnvironmentSpec {
    pub name: String,
    /// Requests per second each service gets at the busiest ordinary hour.
    pub traffic: f64,
    /// Hours when traffic is multiplied on top of the daily curve.
    pub peaks: Vec<Peak>,
    /// php-fpm pods per service in the starting values file.
    pub replicas: u32,
    /// The RDS instance class the environment's database starts with.
    pub database: &'static InstanceClass,
    pub multi_az: bool,
    /// php-fpm pods the environment's cluster has room for, over all its deployments.
    pub cluster: usize,
    /// An autoscaler per service in the starting values file, instead of `replicas`.
    pub autoscaling: Option<StartingAutoscaler>,
}

/// A daily traffic peak: a bell around `at`, `factor` times the traffic at its top.
#[derive(Debug, Clone, PartialEq)]
pub struct Peak {
    /// Time of day, in hours since midnight.
    pub at: f64,
    pub factor: f64,
    /// The bell's standard deviation, in hours.
    pub width: f64,
}

/// One PHP service.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceSpec {
    pub name: String,
    /// php-fpm workers per pod.
    pub workers: u32,
    pub routes: Vec<RouteSpec>,
}

/// One route of a service.
#[derive(Debug, Clone, PartialEq)]
pub struct RouteSpec {
    pub name: String,
    pub method: String,
    pub path: String,
    /// The share of the service's requests, the shares of a service adding up to 1.
    pub share: f64,
    /// Database queries per request.
    pub queries: f64,
    /// Seconds a request keeps a worker busy when nothing queues, before the database.
    pub seconds: f64,
}

/// The shape of a day's traffic.
#[derive(Debug, Clone, PartialEq)]
pub struct DailyCurve {
    /// The busiest hour, in hours since midnight.
    pub busiest: f64,
    /// The quietest hour's share of the busiest, from 0 to 1.
    pub quietest: f64,
}

/// An environment's place in the promotion order, which gives its defaults and the compliance
/// rules scoped to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// The first of several environments.
    First,
    /// Between the first and the last.
    Middle,
    /// The last environment, production.
    Last,
}

impl Platform {
    /// The platform of every shipped lesson: `crates/engine/platform.yaml`.
    pub fn standard() -> Arc<Platform> {
        static STANDARD_PLATFORM: OnceLock<Arc<Platform>> = OnceLock::new();
        STANDARD_PLATFORM
            .get_or_init(|| {
                // The file is the engine's own and a test reads it without a diagnostic; should
                // it ever fail, the built-in values below keep the world running.
                Arc::new(parse_platform(STANDARD).unwrap_or_else(|_| fallback()))
            })
            .clone()
    }

    /// The environments' names, in promotion order.
    pub fn environment_names(&self) -> impl Iterator<Item = &str> {
        self.environments.iter().map(|e| e.name.as_str())
    }

    /// The services' names.
    pub fn service_names(&self) -> impl Iterator<Item = &str> {
        self.services.iter().map(|s| s.name.as_str())
    }

    pub fn environment(&self, name: &str) -> Option<&EnvironmentSpec> {
        self.environments.iter().find(|e| e.name == name)
    }

    pub fn service(&self, name: &str) -> Option<&ServiceSpec> {
        self.services.iter().find(|s| s.name == name)
    }

    pub fn has_environment(&self, name: &str) -> bool {
        self.environment(name).is_some()
    }

    pub fn has_service(&self, name: &str) -> bool {
        self.service(name).is_some()
    }

    /// Where `name` stands in the promotion order, if it is an environment.
    pub fn stage(&self, name: &str) -> Option<Stage> {
        let index = self.environments.iter().position(|e| e.name == name)?;
        Some(stage_at(index, self.environments.len()))
    }

    /// Production: the last environment.
    pub fn production(&self) -> &str {
        self.environments.last().map_or("prod", |e| e.name.as_str())
    }

    /// Where a merged pull request deploys first: the environment before production, or
    /// production itself when it is the only one.
    pub fn pre_production(&self) -> &str {
        let count = self.environments.len();
        self.environments
            .get(count.saturating_sub(2))
            .map_or("staging", |e| e.name.as_str())
    }

    /// A hint naming the environments, for a diagnostic about one that is not.
    pub fn environments_hint(&self, name: &str) -> String {
        let names: Vec<&str> = self.environment_names().collect();
        suggestion(name, &names, "the environments are")
    }

    /// A hint naming the services, for a diagnostic about one that is not.
    pub fn services_hint(&self, name: &str) -> String {
        let names: Vec<&str> = self.service_names().collect();
        suggestion(name, &names, "the services are")
    }
}

/// `did you mean ...?` when a name is close to `name`, else the whole list.
pub fn suggestion(name: &str, names: &[&str], list: &str) -> String {
    match closest(name, names) {
        Some(guess) => format!("did you mean `{guess}`?"),
        None => format!("{list} {}", names.join(", ")),
    }
}

impl Stage {
    /// The standard platform's environment at this stage, whose defaults it takes.
    pub fn standard_name(self) -> &'static str {
        match self {
            Stage::First => "dev",
            Stage::Middle => "staging",
            Stage::Last => "prod",
        }
    }
}

fn stage_at(index: usize, count: usize) -> Stage {
    if index + 1 == count {
        Stage::Last
    } else if index == 0 {
        Stage::First
    } else {
        Stage::Middle
    }
}

/// What an environment starts with when the file does not say: by its name when it is one of
/// the standard three, else by its place in the promotion order.
fn environment_defaults(name: &str, stage: Stage) -> EnvironmentSpec {
    let stage = [Stage::First, Stage::Middle, Stage::Last]
        .into_iter()
        .find(|standard| standard.standard_name() == name)
        .unwrap_or(stage);
    let (traffic, replicas, database, multi_az, cluster, peaks) = match stage {
        Stage::First => (2.0, 1, "db.t3.medium", false, 10, vec![]),
        Stage::Middle => (6.0, 2, "db.t3.large", false, 16, vec![]),
        Stage::Last => (
            60.0,
            3,
            "db.r5.2xlarge",
            true,
            40,
            vec![Peak {
                at: 21.0,
                factor: 4.0,
                width: 0.5,
            }],
        ),
    };
    EnvironmentSpec {
        name: name.to_string(),
        traffic,
        peaks,
        replicas,
        database: instance_class(database).unwrap_or(&INSTANCE_CLASSES[0]),
        multi_az,
        cluster,
        autoscaling: None,
    }
}

/// The standard platform built without its file, should the file ever not read.
fn fallback() -> Platform {
    let route = |name: &str, method: &str, path: &str, share: f64, queries: f64| RouteSpec {
        name: name.into(),
        method: method.into(),
        path: path.into(),
        share,
        queries,
        seconds: DEFAULT_SECONDS,
    };
    let service = |name: &str, routes: Vec<RouteSpec>| ServiceSpec {
        name: name.into(),
        workers: DEFAULT_WORKERS,
        routes,
    };
    Platform {
        environments: ["dev", "staging", "prod"]
            .iter()
            .enumerate()
            .map(|(index, name)| environment_defaults(name, stage_at(index, 3)))
            .collect(),
        services: vec![
            service(
                "users",
                vec![
                    route("get_user", "GET", "/users/{id}", 0.7, 3.0),
                    route("list_users", "GET", "/users", 0.3, 8.0),
                ],
            ),
            service(
                "stores",
                vec![
                    route("get_store", "GET", "/stores/{id}", 0.6, 3.0),
                    route("list_stores", "GET", "/stores", 0.4, 10.0),
                ],
            ),
            service(
                "coupons",
                vec![
                    route("get_coupon", "GET", "/coupons/{code}", 0.8, 2.0),
                    route("apply_coupon", "POST", "/coupons/{code}/apply", 0.2, 6.0),
                ],
            ),
            service(
                "external-signin",
                vec![
                    route("signin", "POST", "/signin", 0.6, 4.0),
                    route("callback", "GET", "/signin/callback", 0.4, 3.0),
                ],
            ),
        ],
        daily: DailyCurve {
            busiest: 14.0,
            quietest: 0.15,
        },
        chat: ChatChannels::default(),
    }
}

const DEFAULT_WORKERS: u32 = 8;
const DEFAULT_SECONDS: f64 = 0.08;
const DEFAULT_QUERIES: f64 = 3.0;

// ---- Reading the file ----

/// An entry written either as a bare name or as a map with `name:` and settings.
enum NameOr<T> {
    Name(String),
    Full(T),
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for NameOr<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Entry<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for Entry<T> {
            type Value = NameOr<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a name, or a map with `name:` and settings")
            }
            fn visit_str<E: de::Error>(self, value: &str) -> Result<Self::Value, E> {
                Ok(NameOr::Name(value.to_string()))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(map)).map(NameOr::Full)
            }
        }
        deserializer.deserialize_any(Entry(std::marker::PhantomData))
    }
}

/// A platform as written, before it is checked.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlatformFields {
    environments: Vec<NameOr<EnvironmentFields>>,
    services: Vec<NameOr<ServiceFields>>,
    #[serde(default)]
    daily: Option<DailyFields>,
    #[serde(default)]
    chat: Option<ChatFields>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChatFields {
    alerts: Option<String>,
    deploys: Option<String>,
    infra: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AutoscalingFields {
    #[serde(rename = "minReplicas")]
    min_replicas: u32,
    #[serde(rename = "maxReplicas")]
    max_replicas: u32,
    #[serde(default, rename = "targetActiveProcessPercentage")]
    target: Option<u32>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct EnvironmentFields {
    name: String,
    traffic: Option<f64>,
    peaks: Option<Vec<PeakFields>>,
    replicas: Option<u32>,
    database: Option<String>,
    multi_az: Option<bool>,
    cluster: Option<u32>,
    autoscaling: Option<AutoscalingFields>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PeakFields {
    at: String,
    factor: f64,
    #[serde(default)]
    width: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ServiceFields {
    name: String,
    #[serde(default)]
    routes: Vec<NameOr<RouteFields>>,
    workers: Option<u32>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RouteFields {
    name: String,
    method: Option<String>,
    path: Option<String>,
    share: Option<f64>,
    queries: Option<f64>,
    latency: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DailyFields {
    busiest: Option<String>,
    quietest: Option<f64>,
}

impl<T: Default + Named> NameOr<T> {
    fn into_fields(self) -> T {
        match self {
            NameOr::Name(name) => T::named(name),
            NameOr::Full(fields) => fields,
        }
    }
}

trait Named {
    fn named(name: String) -> Self;
}

impl Named for EnvironmentFields {
    fn named(name: String) -> Self {
        EnvironmentFields {
            name,
            ..Default::default()
        }
    }
}

impl Named for ServiceFields {
    fn named(name: String) -> Self {
        ServiceFields {
            name,
            ..Default::default()
        }
    }
}

impl Named for RouteFields {
    fn named(name: String) -> Self {
        RouteFields {
            name,
            ..Default::default()
        }
    }
}

/// The keys of each part of the file, for "did you mean" hints.
const KEYS: [&str; 29] = [
    "chat",
    "alerts",
    "deploys",
    "infra",
    "autoscaling",
    "minReplicas",
    "maxReplicas",
    "targetActiveProcessPercentage",
    "environments",
    "services",
    "daily",
    "name",
    "traffic",
    "peaks",
    "replicas",
    "database",
    "multi_az",
    "cluster",
    "at",
    "factor",
    "width",
    "routes",
    "workers",
    "method",
    "path",
    "share",
    "queries",
    "latency",
    "busiest",
];

/// Reads a platform file, `platform.yaml`: the platform, or every problem with it.
pub fn parse_platform(text: &str) -> Result<Platform, Vec<Diagnostic>> {
    parse_platform_at(text, 0)
}

/// Reads a platform written inside a larger file, from its line `line_offset + 1`.
pub fn parse_platform_at(text: &str, line_offset: usize) -> Result<Platform, Vec<Diagnostic>> {
    let fields: PlatformFields = crate::yaml::from_str(text).map_err(|error| {
        let diagnostic = Diagnostic::from_yaml_error(&error);
        let hint = unknown_key(&diagnostic.message)
            .and_then(|key| closest(key, &KEYS[..]).map(|k| format!("did you mean `{k}`?")))
            .unwrap_or_else(|| {
                "lessons/README.md lists the keys of `platform.yaml`; values with `:` or `#` need quotes"
                    .into()
            });
        vec![Diagnostic::error(
            diagnostic.line + line_offset,
            diagnostic.column,
            format!("platform: {}", diagnostic.message),
        )
        .with_hint(hint)]
    })?;
    let mut reader = Reader {
        text,
        line_offset,
        path: Vec::new(),
        diagnostics: Vec::new(),
    };
    let platform = reader.platform(fields);
    if reader.diagnostics.is_empty() {
        Ok(platform)
    } else {
        Err(reader.diagnostics)
    }
}

/// The key named in serde's "unknown field `x`" message.
fn unknown_key(message: &str) -> Option<&str> {
    let rest = message.split("unknown field `").nth(1)?;
    rest.split('`').next()
}

struct Reader<'t> {
    text: &'t str,
    line_offset: usize,
    /// Where the entry being read is in the file (`services`, `2`, `routes`, `0`): its problems
    /// are placed at its keys, as the YAML parser marked them.
    path: Vec<String>,
    diagnostics: Vec<Diagnostic>,
}

impl Reader<'_> {
    /// The line and column of the current entry's `key` (its value, or the key itself when
    /// `at_key`), else of the entry, else of the nearest part of the file that holds it (an
    /// entry written as its bare name has no keys).
    fn place(&self, key: &str, at_key: bool) -> (usize, usize) {
        let mut path: Vec<&str> = self.path.iter().map(String::as_str).collect();
        if !key.is_empty() {
            path.push(key);
        }
        crate::yaml::place_of(self.text, &path, at_key && !key.is_empty())
            .map_or((1 + self.line_offset, 1), |position| {
                (position.line + self.line_offset, position.column)
            })
    }

    /// An error at the value of the current entry's `key` (the entry itself for `""`); an
    /// empty hint is left out.
    fn error(&mut self, key: &str, message: String, hint: impl Into<String>) {
        let place = self.place(key, false);
        self.push(place, message, hint.into());
    }

    /// An error at the current entry's `key` itself: about its whole value.
    fn error_at_key(&mut self, key: &str, message: String, hint: impl Into<String>) {
        let place = self.place(key, true);
        self.push(place, message, hint.into());
    }

    fn push(&mut self, (line, column): (usize, usize), message: String, hint: String) {
        let diagnostic = Diagnostic::error(line, column, format!("platform: {message}"));
        self.diagnostics.push(if hint.is_empty() {
            diagnostic
        } else {
            diagnostic.with_hint(hint)
        });
    }

    /// An error at the name of the first entry of the list `key` whose name was given before:
    /// `said` gives its message and hint.
    fn no_name_twice(
        &mut self,
        key: &str,
        names: &[&str],
        said: impl Fn(&str) -> (String, &'static str),
    ) {
        let again = (0..names.len()).find(|&index| names[..index].contains(&names[index]));
        if let Some(index) = again {
            let (message, hint) = said(names[index]);
            self.at(&[key, &index.to_string()], |reader| {
                reader.error("name", message, hint)
            });
        }
    }

    /// Reads an entry at `path` (from the root) with `read`, its problems placed inside it.
    fn at<T>(&mut self, path: &[&str], read: impl FnOnce(&mut Self) -> T) -> T {
        let depth = self.path.len();
        self.path.extend(path.iter().map(|part| part.to_string()));
        let value = read(self);
        self.path.truncate(depth);
        value
    }

    fn platform(&mut self, fields: PlatformFields) -> Platform {
        let count = fields.environments.len();
        if count == 0 || count > MAX_ENVIRONMENTS {
            self.error_at_key(
                "environments",
                format!("{count} environments; a platform has 1 to {MAX_ENVIRONMENTS}"),
                "list them in promotion order, production last",
            );
        }
        let environments: Vec<EnvironmentSpec> = fields
            .environments
            .into_iter()
            .enumerate()
            .map(|(index, entry)| {
                self.at(&["environments", &index.to_string()], |reader| {
                    reader.environment(entry.into_fields(), stage_at(index, count))
                })
            })
            .collect();
        let names: Vec<&str> = environments.iter().map(|e| e.name.as_str()).collect();
        self.no_name_twice("environments", &names, |name| {
            (
                format!("the environment `{name}` is listed twice"),
                "give each environment its own name",
            )
        });
        let count = fields.services.len();
        if count == 0 || count > MAX_SERVICES {
            self.error_at_key(
                "services",
                format!("{count} services; a platform has 1 to {MAX_SERVICES}"),
                "list the services the chart deploys",
            );
        }
        let services: Vec<ServiceSpec> = fields
            .services
            .into_iter()
            .enumerate()
            .map(|(index, entry)| {
                self.at(&["services", &index.to_string()], |reader| {
                    reader.service(entry.into_fields())
                })
            })
            .collect();
        let names: Vec<&str> = services.iter().map(|s| s.name.as_str()).collect();
        self.no_name_twice("services", &names, |name| {
            (
                format!("the service `{name}` is listed twice"),
                "give each service its own name",
            )
        });
        let routes: usize = services.iter().map(|s| s.routes.len()).sum();
        if routes > MAX_ROUTES {
            self.error_at_key(
                "services",
                format!("{routes} routes over all services; a platform has at most {MAX_ROUTES}"),
                "keep the routes a lesson looks at",
            );
        }
        let daily = self.at(&["daily"], |reader| reader.daily(fields.daily));
        let chat = self.at(&["chat"], |reader| reader.chat(fields.chat));
        Platform {
            environments,
            services,
            daily,
            chat,
        }
    }

    fn environment(&mut self, fields: EnvironmentFields, stage: Stage) -> EnvironmentSpec {
        let name = fields.name;
        self.check_name(&name, "environment", false);
        if matches!(name.as_str(), "default" | "kube-system" | "kube-public") {
            self.error(
                "name",
                format!("`{name}` is a namespace of the cluster itself"),
                "name the environment after its stage, such as `qa` or `production`",
            );
        }
        let mut spec = environment_defaults(&name, stage);
        if let Some(traffic) = fields.traffic {
            spec.traffic = self.number("traffic", &name, "traffic", traffic, 0.0, 10_000.0);
        }
        if let Some(replicas) = fields.replicas {
            if replicas > MAX_REPLICAS {
                self.error(
                    "replicas",
                    format!(
                        "`{name}` starts with {replicas} replicas per service; the most is {}",
                        MAX_REPLICAS
                    ),
                    "the cluster runs at most 20 pods of one service",
                );
            }
            spec.replicas = replicas.min(MAX_REPLICAS);
        }
        if let Some(class) = fields.database {
            match instance_class(&class) {
                Some(found) => spec.database = found,
                None => {
                    let classes: Vec<&str> = INSTANCE_CLASSES.iter().map(|c| c.name).collect();
                    let hint = suggestion(&class, &classes, "the instance classes are");
                    self.error(
                        "database",
                        format!("`{name}`: `{class}` is not an RDS instance class"),
                        hint,
                    );
                }
            }
        }
        if let Some(multi_az) = fields.multi_az {
            spec.multi_az = multi_az;
        }
        if let Some(cluster) = fields.cluster {
            spec.cluster =
                self.number("cluster", &name, "cluster", f64::from(cluster), 1.0, 200.0) as usize;
        }
        if let Some(autoscaling) = fields.autoscaling {
            let max = MAX_REPLICAS;
            let target = autoscaling.target.unwrap_or(60);
            let fits = (1..=max).contains(&autoscaling.max_replicas)
                && autoscaling.min_replicas <= autoscaling.max_replicas
                && (1..=100).contains(&target);
            if fits {
                spec.autoscaling = Some(StartingAutoscaler {
                    min_replicas: autoscaling.min_replicas,
                    max_replicas: autoscaling.max_replicas,
                    target,
                });
            } else {
                self.error(
                    "autoscaling",
                    format!("`{name}`: the autoscaling goes from {} to {} pods at {target} %", autoscaling.min_replicas, autoscaling.max_replicas),
                    format!("`minReplicas` at most `maxReplicas`, which is 1 to {max}; `targetActiveProcessPercentage` 1 to 100"),
                );
            }
        }
        if let Some(peaks) = fields.peaks {
            if peaks.len() > MAX_PEAKS {
                self.error_at_key(
                    "peaks",
                    format!(
                        "`{name}` has {} peaks; an environment has at most {MAX_PEAKS}",
                        peaks.len()
                    ),
                    "keep the busiest hours",
                );
            }
            spec.peaks = peaks
                .into_iter()
                .take(MAX_PEAKS)
                .enumerate()
                .filter_map(|(index, peak)| {
                    self.at(&["peaks", &index.to_string()], |reader| {
                        reader.peak(&name, peak)
                    })
                })
                .collect();
        }
        spec
    }

    fn peak(&mut self, environment: &str, fields: PeakFields) -> Option<Peak> {
        let at = match SimDuration::parse_time_of_day(&fields.at) {
            Ok(at) => at.as_ms() as f64 / 3_600_000.0,
            Err(message) => {
                self.error("at", format!("`{environment}`: {message}"), "");
                return None;
            }
        };
        let factor = self.number(
            "factor",
            environment,
            "a peak's factor",
            fields.factor,
            1.0,
            20.0,
        );
        let width = match fields.width.as_deref().map(SimDuration::parse) {
            None => 0.5,
            Some(Ok(width)) if (60_000..=6 * 3_600_000).contains(&width.as_ms()) => {
                width.as_ms() as f64 / 3_600_000.0
            }
            Some(Ok(_)) => {
                self.error(
                    "width",
                    format!("`{environment}`: a peak's width is 1m to 6h"),
                    "for example `width: 30m`",
                );
                0.5
            }
            Some(Err(message)) => {
                self.error("width", format!("`{environment}`: {message}"), "");
                0.5
            }
        };
        Some(Peak { at, factor, width })
    }

    fn service(&mut self, fields: ServiceFields) -> ServiceSpec {
        let name = fields.name;
        self.check_name(&name, "service", false);
        let workers = match fields.workers {
            Some(workers) => {
                self.number("workers", &name, "workers", f64::from(workers), 1.0, 64.0) as u32
            }
            None => DEFAULT_WORKERS,
        };
        let mut routes: Vec<NameOr<RouteFields>> = fields.routes;
        if routes.is_empty() {
            // A standard service written by its name keeps its standard routes.
            match fallback().services.into_iter().find(|s| s.name == name) {
                Some(standard) => {
                    return ServiceSpec {
                        workers,
                        ..standard
                    }
                }
                None => {
                    self.error(
                        "name",
                        format!("the service `{name}` has no routes"),
                        "add `routes:` with at least one route, such as `- name: get_item`",
                    );
                    routes.push(NameOr::Name("index".into()));
                }
            }
        }
        let fields: Vec<RouteFields> = routes.into_iter().map(NameOr::into_fields).collect();
        // Routes without a share split what the others leave.
        let given: f64 = fields.iter().filter_map(|r| r.share).sum();
        let unset = fields.iter().filter(|r| r.share.is_none()).count();
        let rest = if unset > 0 {
            (1.0 - given).max(0.0) / unset as f64
        } else {
            0.0
        };
        if !(given.is_finite()
            && (given <= 1.0 + 1e-9)
            && (unset > 0 || (given - 1.0).abs() < 1e-6))
        {
            self.error_at_key(
                "routes",
                format!("the shares of `{name}`'s routes add up to {given}, not 1"),
                "each route's `share:` is its part of the service's requests; leave one out to give it the rest",
            );
        }
        let routes: Vec<RouteSpec> = fields
            .into_iter()
            .enumerate()
            .map(|(index, route)| {
                self.at(&["routes", &index.to_string()], |reader| {
                    reader.route(&name, route, rest)
                })
            })
            .collect();
        let names: Vec<&str> = routes.iter().map(|r| r.name.as_str()).collect();
        self.no_name_twice("routes", &names, |route| {
            (
                format!("`{name}` lists the route `{route}` twice"),
                "give each route its own name",
            )
        });
        ServiceSpec {
            name,
            workers,
            routes,
        }
    }

    fn route(&mut self, service: &str, fields: RouteFields, rest: f64) -> RouteSpec {
        let name = fields.name;
        self.check_name(&name, "route", true);
        let method = fields.method.unwrap_or_else(|| "GET".into());
        if !METHODS.contains(&method.as_str()) {
            let hint = suggestion(&method.to_uppercase(), &METHODS, "the methods are");
            self.error(
                "method",
                format!("`{name}`: `{method}` is not an HTTP method"),
                hint,
            );
        }
        let path = fields.path.unwrap_or_else(|| format!("/{service}"));
        if !path.starts_with('/') || path.len() > 200 || path.chars().any(char::is_whitespace) {
            self.error(
                "path",
                format!("`{name}`: the path `{path}` is not a URL path"),
                "start it with `/`, without spaces, such as `/items/{id}`",
            );
        }
        let share = match fields.share {
            Some(share) => self.number("share", &name, "share", share, 0.0, 1.0),
            None => rest,
        };
        let queries = match fields.queries {
            Some(queries) => self.number("queries", &name, "queries", queries, 0.0, 100.0),
            None => DEFAULT_QUERIES,
        };
        let seconds = match fields.latency.as_deref().map(SimDuration::parse) {
            None => DEFAULT_SECONDS,
            Some(Ok(latency)) if (1..=10_000).contains(&latency.as_ms()) => {
                latency.as_ms() as f64 / 1000.0
            }
            Some(Ok(_)) => {
                self.error(
                    "latency",
                    format!("`{name}`: a route's latency is 1ms to 10s"),
                    "for example `latency: 80ms`",
                );
                DEFAULT_SECONDS
            }
            Some(Err(message)) => {
                self.error("latency", format!("`{name}`: {message}"), "");
                DEFAULT_SECONDS
            }
        };
        RouteSpec {
            name,
            method,
            path,
            share,
            queries,
            seconds,
        }
    }

    fn daily(&mut self, fields: Option<DailyFields>) -> DailyCurve {
        let mut daily = fallback().daily;
        let Some(fields) = fields else {
            return daily;
        };
        if let Some(busiest) = fields.busiest {
            match SimDuration::parse_time_of_day(&busiest) {
                Ok(at) => daily.busiest = at.as_ms() as f64 / 3_600_000.0,
                Err(message) => self.error("busiest", message, ""),
            }
        }
        if let Some(quietest) = fields.quietest {
            daily.quietest = self.number("quietest", "", "quietest", quietest, 0.0, 1.0);
        }
        daily
    }

    fn chat(&mut self, fields: Option<ChatFields>) -> ChatChannels {
        let mut chat = ChatChannels::default();
        let Some(fields) = fields else {
            return chat;
        };
        for (value, slot, key) in [
            (fields.alerts, &mut chat.alerts, "alerts"),
            (fields.deploys, &mut chat.deploys, "deploys"),
            (fields.infra, &mut chat.infra, "infra"),
        ] {
            let Some(value) = value else { continue };
            let good = value.starts_with('#')
                && (2..=40).contains(&value.len())
                && value[1..].chars().all(|c| {
                    c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_')
                });
            if good {
                *slot = value;
            } else {
                self.error(
                    key,
                    format!("`{value}` is not a chat channel"),
                    "write `#` then lowercase letters, digits, `-` or `_`, such as `#shop-alerts`",
                );
            }
        }
        chat
    }

    /// `value` if it lies in `min..=max`, else a diagnostic at the entry's `key` (saying whose
    /// it is, unless `whose` is empty) and the nearest bound.
    fn number(
        &mut self,
        key: &str,
        whose: &str,
        what: &str,
        value: f64,
        min: f64,
        max: f64,
    ) -> f64 {
        if value.is_finite() && (min..=max).contains(&value) {
            return value;
        }
        let whose = if whose.is_empty() {
            String::new()
        } else {
            format!("`{whose}`: ")
        };
        self.error(
            key,
            format!("{whose}{what} is {value}; it goes from {min} to {max}"),
            "",
        );
        if value.is_nan() {
            min
        } else {
            value.clamp(min, max)
        }
    }

    /// Names become labels, namespaces and file names: lowercase letters, digits and `-` (or
    /// `_` for routes), starting with a letter.
    fn check_name(&mut self, name: &str, what: &str, route: bool) {
        let separator = if route { '_' } else { '-' };
        let good = (1..=40).contains(&name.len())
            && name.starts_with(|c: char| c.is_ascii_lowercase())
            && !name.ends_with(separator)
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == separator);
        if !good {
            let example = if route { "get_item" } else { "checkout" };
            self.error(
                "name",
                format!("the {what} name `{name}` cannot be used"),
                format!(
                    "use up to 40 lowercase letters, digits and `{separator}`, starting with a letter, such as `{example}`"
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests;
