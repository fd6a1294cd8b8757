//! The database instance classes the simulated provider offers (RDS's `db.*` classes), with
//! their size and price: a platform's environments name one, Terraform plans and prices them.

/// What one RDS instance class offers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct InstanceClass {
    pub name: &'static str,
    pub vcpus: u32,
    pub memory_gib: f64,
    /// On-demand price of a single-AZ MySQL instance in eu-west-3, in dollars per hour (a
    /// Multi-AZ deployment costs twice as much).
    pub hourly_usd: f64,
    /// Burstable classes (`db.t3.*`) sustain only part of their vCPUs.
    pub sustained_share: f64,
}

/// The instance classes the simulated provider knows, smallest first within each family.
pub const INSTANCE_CLASSES: [InstanceClass; 13] = [
    class("db.t3.micro", 2, 1.0, 0.018, 0.2),
    class("db.t3.small", 2, 2.0, 0.036, 0.4),
    class("db.t3.medium", 2, 4.0, 0.072, 0.4),
    class("db.t3.large", 2, 8.0, 0.144, 0.6),
    class("db.m5.large", 2, 8.0, 0.198, 1.0),
    class("db.m5.xlarge", 4, 16.0, 0.396, 1.0),
    class("db.m5.2xlarge", 8, 32.0, 0.792, 1.0),
    class("db.m5.4xlarge", 16, 64.0, 1.584, 1.0),
    class("db.r5.large", 2, 16.0, 0.28, 1.0),
    class("db.r5.xlarge", 4, 32.0, 0.56, 1.0),
    class("db.r5.2xlarge", 8, 64.0, 1.12, 1.0),
    class("db.r5.4xlarge", 16, 128.0, 2.24, 1.0),
    class("db.r5.8xlarge", 32, 256.0, 4.48, 1.0),
];

const fn class(
    name: &'static str,
    vcpus: u32,
    memory_gib: f64,
    hourly_usd: f64,
    sustained_share: f64,
) -> InstanceClass {
    InstanceClass {
        name,
        vcpus,
        memory_gib,
        hourly_usd,
        sustained_share,
    }
}

/// The class named `name`, if the provider knows it.
pub fn instance_class(name: &str) -> Option<&'static InstanceClass> {
    INSTANCE_CLASSES.iter().find(|class| class.name == name)
}
