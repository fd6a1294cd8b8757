//! The RDS MySQL database each environment's services share, and what its size does to them.
//!
//! Every request runs a few queries (how many depends on the route). A query takes
//! [`QUERY_SECONDS`] of one vCPU on an idle database; the instance class sets how many vCPUs
//! there are, so how many queries per second the database can answer. As the database fills up,
//! queries queue: each one waits longer, the php-fpm worker waiting on it stays busy longer (so
//! the same pods serve fewer requests), and past full capacity a share of requests fail with a
//! 500 (MySQL refusing connections). CPU utilization and open connections are exposed as the
//! CloudWatch exporter names them.

pub use crate::platform::{instance_class, InstanceClass, INSTANCE_CLASSES};

/// How long one query keeps one vCPU busy on an idle database, in seconds.
pub const QUERY_SECONDS: f64 = 0.002;

/// Writes an instance class by its name and reads it back from the classes the provider knows.
mod class_name {
    use super::{instance_class, InstanceClass};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(
        class: &&'static InstanceClass,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(class.name)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<&'static InstanceClass, D::Error> {
        let name = String::deserialize(deserializer)?;
        instance_class(&name)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown instance class `{name}`")))
    }
}

/// An environment's database.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Database {
    /// The DB instance identifier, as `aws_db_instance.identifier` sets it.
    pub identifier: String,
    #[serde(with = "class_name")]
    pub class: &'static InstanceClass,
    pub multi_az: bool,
    /// False while the instance reboots, fails over, is being replaced or is gone.
    pub available: bool,
}

impl Database {
    /// The database an environment starts with, as the platform gives it.
    pub fn default_for(environment: &crate::platform::EnvironmentSpec) -> Self {
        Database {
            identifier: format!("opsdojo-{}", environment.name),
            class: environment.database,
            multi_az: environment.multi_az,
            available: true,
        }
    }

    /// Queries per second the instance answers at full load.
    pub fn capacity(&self) -> f64 {
        f64::from(self.class.vcpus) * self.class.sustained_share / QUERY_SECONDS
    }

    /// The state of the database under `queries_per_second`.
    pub fn load(&self, queries_per_second: f64) -> DatabaseLoad {
        if !self.available {
            // Every query fails to connect; requests that need the database answer 500.
            return DatabaseLoad {
                failing_share: 1.0,
                ..DatabaseLoad::default()
            };
        }
        let utilization = queries_per_second / self.capacity();
        let busy = utilization.min(1.0);
        // Each query waits as in a queue filling up; the excess over an idle query is what
        // requests feel.
        let query_seconds = QUERY_SECONDS / (1.0 - busy.min(0.95));
        DatabaseLoad {
            utilization: busy,
            extra_seconds_per_query: query_seconds - QUERY_SECONDS,
            failing_share: if utilization > 1.0 {
                (utilization - 1.0) / utilization
            } else {
                0.0
            },
            // Little's law: connections busy at once = arrival rate × time in the database.
            connections: queries_per_second.min(self.capacity()) * query_seconds,
        }
    }
}

/// A database during one step.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct DatabaseLoad {
    /// Busy vCPUs over sustained vCPUs, from 0 to 1.
    pub utilization: f64,
    /// How much longer than on an idle database each query takes, in seconds.
    pub extra_seconds_per_query: f64,
    /// The share of requests that fail because the database refuses more work.
    pub failing_share: f64,
    /// Connections running a query, on average.
    pub connections: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bigger_class_answers_more_queries_faster() {
        // Guards what resizing the database does: more vCPUs, lower waits, no refusals.
        let platform = crate::platform::Platform::standard();
        let prod = Database::default_for(platform.environment("prod").unwrap());
        let mut small = prod.clone();
        small.class = instance_class("db.m5.large").unwrap();
        let demand = 1500.0;
        let (big, tight) = (prod.load(demand), small.load(demand));
        assert!(big.utilization < 0.5, "{big:?}");
        assert_eq!(tight.utilization, 1.0);
        assert!(tight.failing_share > 0.3, "{tight:?}");
        assert!(big.extra_seconds_per_query < tight.extra_seconds_per_query / 10.0);
        assert!(tight.connections > big.connections);
    }

    #[test]
    fn every_class_is_findable_and_sized() {
        for class in INSTANCE_CLASSES {
            assert_eq!(instance_class(class.name), Some(&class));
            assert!(class.vcpus >= 2 && class.hourly_usd > 0.0 && class.sustained_share > 0.0);
        }
        assert_eq!(instance_class("db.x99.huge"), None);
    }
}
