//! Faults a game day's facilitator injects into a running world: live as an action
//! ([`super::Action::Inject`]), or planned ahead in a game (see [`crate::game`]). Each one is
//! checked against the platform and becomes a scheduled event of the world.

use super::scenario::{Burst, Crash, Drift, Fault, Release, ScheduledEvent, FAULT_STATUSES};
use crate::platform::Platform;
use crate::time::SimDuration;
use serde::{Deserialize, Serialize};

/// The most faults a game may plan.
pub const MAX_FAULTS: usize = 50;

/// The longest a fault with a duration may last.
const MAX_LASTS: SimDuration = SimDuration(7 * 86_400_000);

/// The largest factor a burst multiplies traffic by.
pub const MAX_BURST_FACTOR: u32 = 50;

/// The compliance rules a fault can break, each by changing one attribute of the database
/// outside Terraform, as a change made by hand in the console does.
pub const FINDING_RULES: [(&str, &str); 3] = [
    ("rds-multi-az-support", "multi_az"),
    ("db-instance-backup-enabled", "backup_retention_period"),
    ("rds-storage-encrypted", "storage_encrypted"),
];

/// A fault the facilitator injects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Injection {
    /// A share of a service's requests (or one route's) answered with an error status.
    Errors {
        env: String,
        service: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        route: Option<String>,
        status: String,
        /// The share of requests that fail, in percent.
        percent: u32,
        #[serde(default, skip_serializing_if = "Option::is_none", with = "lasts")]
        lasts: Option<SimDuration>,
    },
    /// php-fpm crashing in one running pod of a service until the pod is replaced.
    Crash { env: String, service: String },
    /// An environment's (or one service's) traffic multiplied.
    Burst {
        env: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        service: Option<String>,
        factor: u32,
        #[serde(default, skip_serializing_if = "Option::is_none", with = "lasts")]
        lasts: Option<SimDuration>,
    },
    /// A release whose pods answer a share of their requests with a 500, until rolled back.
    BadRelease {
        env: String,
        service: String,
        version: String,
        percent: u32,
    },
    /// The database resized by hand to a class too small for its traffic.
    DatabaseClass { env: String, class: String },
    /// A database setting changed by hand so that a compliance rule no longer holds.
    Finding { env: String, rule: String },
}

impl Injection {
    /// Why the injection cannot happen in a world of `platform`, if it cannot.
    pub fn check(&self, platform: &Platform) -> Result<(), String> {
        self.checked(Some(platform))
    }

    /// Why the injection cannot happen in any world, if it cannot: everything but whether its
    /// environment, service and route are the platform's, which a world checks when it comes.
    pub fn check_shape(&self) -> Result<(), String> {
        self.checked(None)
    }

    pub(crate) fn checked(&self, platform: Option<&Platform>) -> Result<(), String> {
        let plain = |name: &str| {
            !name.is_empty()
                && name.len() <= 64
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
        };
        // A name the platform has, or without a platform, one that could be a name.
        let known = |what: &str,
                     name: &str,
                     has: fn(&Platform, &str) -> bool,
                     hint: fn(&Platform, &str) -> String| match platform {
            Some(platform) if has(platform, name) => Ok(()),
            None if plain(name) => Ok(()),
            _ => Err(format!(
                "unknown {what} `{}` ({})",
                short(name),
                platform.map_or("not a name".into(), |p| hint(p, name))
            )),
        };
        let env_ok = |env: &str| {
            known(
                "environment",
                env,
                Platform::has_environment,
                Platform::environments_hint,
            )
        };
        let service_ok = |service: &str| {
            known(
                "service",
                service,
                Platform::has_service,
                Platform::services_hint,
            )
        };
        let percent_ok = |percent: u32| {
            if (1..=100).contains(&percent) {
                Ok(())
            } else {
                Err(format!("{percent}% of requests is not between 1 and 100"))
            }
        };
        let lasts_ok = |lasts: Option<SimDuration>| match lasts {
            Some(lasts) if lasts.0 <= 0 || lasts > MAX_LASTS => Err(format!(
                "a fault lasts more than nothing and at most {MAX_LASTS}"
            )),
            _ => Ok(()),
        };
        match self {
            Injection::Errors {
                env,
                service,
                route,
                status,
                percent,
                lasts,
            } => {
                env_ok(env)?;
                service_ok(service)?;
                let routes = platform.and_then(|p| p.service(service)).map(|s| &s.routes);
                if let (Some(route), Some(routes)) = (route, routes) {
                    if !routes.iter().any(|r| r.name == *route) {
                        let names: Vec<&str> = routes.iter().map(|r| r.name.as_str()).collect();
                        return Err(format!(
                            "`{service}` has no route `{}` (its routes are {})",
                            short(route),
                            names.join(", ")
                        ));
                    }
                }
                if !FAULT_STATUSES.contains(&status.as_str()) {
                    return Err(format!(
                        "status `{}` is not one a fault gives ({})",
                        short(status),
                        FAULT_STATUSES.join(", ")
                    ));
                }
                percent_ok(*percent)?;
                lasts_ok(*lasts)
            }
            Injection::Crash { env, service } => {
                env_ok(env)?;
                service_ok(service)
            }
            Injection::Burst {
                env,
                service,
                factor,
                lasts,
            } => {
                env_ok(env)?;
                if let Some(service) = service {
                    service_ok(service)?;
                }
                if !(2..=MAX_BURST_FACTOR).contains(factor) {
                    return Err(format!(
                        "a burst multiplies traffic by 2 to {MAX_BURST_FACTOR}, not {factor}"
                    ));
                }
                lasts_ok(*lasts)
            }
            Injection::BadRelease {
                env,
                service,
                version,
                percent,
            } => {
                env_ok(env)?;
                service_ok(service)?;
                let version_ok = !version.is_empty()
                    && version.len() <= 32
                    && version
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+'));
                if !version_ok {
                    return Err(format!(
                        "`{}` is not a short version such as 2.4.1",
                        short(version)
                    ));
                }
                percent_ok(*percent)
            }
            Injection::DatabaseClass { env, class } => {
                env_ok(env)?;
                if crate::platform::instance_class(class).is_none() {
                    return Err(format!(
                        "`{}` is not an instance class the provider knows, such as db.t3.medium",
                        short(class)
                    ));
                }
                Ok(())
            }
            Injection::Finding { env, rule } => {
                env_ok(env)?;
                let Some((_, _)) = FINDING_RULES.iter().find(|(name, _)| name == rule) else {
                    let names: Vec<&str> = FINDING_RULES.iter().map(|(name, _)| *name).collect();
                    return Err(format!(
                        "a fault cannot break rule `{}` (it can break {})",
                        short(rule),
                        names.join(", ")
                    ));
                };
                let stage = platform.and_then(|p| p.stage(env));
                let scoped = super::infra::CONFIG_RULES
                    .iter()
                    .any(|r| r.name == rule && stage.is_none_or(|stage| r.applies_to(stage)));
                if !scoped {
                    return Err(format!("rule `{rule}` does not apply to {env}"));
                }
                Ok(())
            }
        }
    }

    /// What the fault does, in words for the facilitator and the timeline.
    pub fn describe(&self) -> String {
        match self {
            Injection::Errors {
                env,
                service,
                route,
                status,
                percent,
                lasts,
            } => format!(
                "{percent}% of {service}{} answer {status} in {env}{}",
                route.as_ref().map(|r| format!("/{r}")).unwrap_or_default(),
                lasts.map(|l| format!(" for {l}")).unwrap_or_default()
            ),
            Injection::Crash { env, service } => {
                format!("php-fpm crashes in a pod of {service} in {env}")
            }
            Injection::Burst {
                env,
                service,
                factor,
                lasts,
            } => format!(
                "traffic ×{factor} on {} in {env}{}",
                service.as_deref().unwrap_or("every service"),
                lasts.map(|l| format!(" for {l}")).unwrap_or_default()
            ),
            Injection::BadRelease {
                env,
                service,
                version,
                percent,
            } => format!("bad release {service} {version} in {env}: {percent}% answer 500"),
            Injection::DatabaseClass { env, class } => {
                format!("the {env} database resized by hand to {class}")
            }
            Injection::Finding { env, rule } => {
                format!("a {env} database setting changed by hand: {rule} broken")
            }
        }
    }

    /// The fault as an event of the world at `at` since its start. Its note is empty: the event
    /// log does not tell participants what happened.
    pub fn event(&self, at: SimDuration) -> ScheduledEvent {
        let mut event = ScheduledEvent {
            at,
            note: String::new(),
            fault: None,
            burst: None,
            release: None,
            crash: None,
            drift: None,
        };
        let status = |status: &str| {
            FAULT_STATUSES
                .iter()
                .find(|s| **s == status)
                .copied()
                .unwrap_or("500")
        };
        match self.clone() {
            Injection::Errors {
                env,
                service,
                route,
                status: code,
                percent,
                lasts,
            } => {
                event.fault = Some(Fault {
                    env,
                    service,
                    route,
                    status: status(&code),
                    share: f64::from(percent.min(100)) / 100.0,
                    lasts,
                    every: None,
                })
            }
            Injection::Crash { env, service } => event.crash = Some(Crash { env, service }),
            Injection::Burst {
                env,
                service,
                factor,
                lasts,
            } => {
                event.burst = Some(Burst {
                    env,
                    service,
                    factor: f64::from(factor.min(MAX_BURST_FACTOR)),
                    lasts,
                    every: None,
                })
            }
            Injection::BadRelease {
                env,
                service,
                version,
                percent,
            } => {
                event.fault = Some(Fault {
                    env: env.clone(),
                    service: service.clone(),
                    route: None,
                    status: "500",
                    share: f64::from(percent.min(100)) / 100.0,
                    lasts: None,
                    every: None,
                });
                event.release = Some(Release {
                    env,
                    service,
                    version,
                });
            }
            Injection::DatabaseClass { env, class } => {
                event.drift = Some(Drift {
                    env,
                    attribute: "instance_class".into(),
                    value: hcl::Value::String(class),
                })
            }
            Injection::Finding { env, rule } => {
                let attribute = FINDING_RULES
                    .iter()
                    .find(|(name, _)| *name == rule)
                    .map_or("multi_az", |(_, attribute)| attribute);
                let value = match attribute {
                    "backup_retention_period" => hcl::Value::from(0),
                    _ => hcl::Value::Bool(false),
                };
                event.drift = Some(Drift {
                    env,
                    attribute: attribute.into(),
                    value,
                })
            }
        }
        event
    }
}

/// How long a fault lasts: milliseconds, or a duration such as `20m` as lessons write it.
mod lasts {
    use crate::time::SimDuration;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(
        value: &Option<SimDuration>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(duration) => serializer.serialize_some(&duration.0),
            None => serializer.serialize_none(),
        }
    }

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Written {
        Ms(i64),
        Text(String),
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<SimDuration>, D::Error> {
        match Option::<Written>::deserialize(deserializer)? {
            None => Ok(None),
            Some(Written::Ms(ms)) => Ok(Some(SimDuration(ms))),
            Some(Written::Text(text)) => SimDuration::parse(&text)
                .map(Some)
                .map_err(serde::de::Error::custom),
        }
    }
}

/// `text` cut for a message.
fn short(text: &str) -> &str {
    crate::limits::truncate_at_char(text, 40)
}

/// A fault of a prepared game, at a time hidden from the participants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlannedFault {
    /// When, as simulated time since the game started.
    pub after: SimDuration,
    pub fault: Injection,
}
