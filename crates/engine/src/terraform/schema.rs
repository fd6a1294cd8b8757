//! The simulated AWS provider's resource schemas: which arguments each resource type takes,
//! which are required, computed, sensitive, defaulted, and which force a replacement when they
//! change, as the real provider declares them.

use hcl::Value;

/// How an attribute gets its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Required,
    Optional,
    /// Set by the provider only.
    Computed,
    /// Optional; the provider computes it when the configuration leaves it out.
    OptionalComputed,
}

/// One attribute (or nested block, when `block` is set) of a resource type.
#[derive(Debug, Clone, PartialEq)]
pub struct Attribute {
    pub name: &'static str,
    pub kind: Kind,
    pub sensitive: bool,
    pub forces_new: bool,
    /// A nested block (`point_in_time_recovery { ... }`) rather than an argument.
    pub block: bool,
    pub default: Option<Value>,
}

/// A resource type of the provider.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceType {
    pub name: &'static str,
    pub attributes: Vec<Attribute>,
}

impl ResourceType {
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }
}

/// Attributes as `name:flags[=default]`: `R` required, `O` optional, `C` computed (`OC` both),
/// `!` forces replacement, `*` sensitive, `B` a nested block; the default is an HCL literal.
const TYPES: [(&str, &[&str]); 9] = [
    (
        "aws_db_instance",
        &[
            "address:C",
            "allocated_storage:OC",
            "apply_immediately:O",
            "arn:C",
            "auto_minor_version_upgrade:O=true",
            "availability_zone:OC!",
            "backup_retention_period:OC",
            "backup_window:OC",
            "ca_cert_identifier:OC",
            "copy_tags_to_snapshot:O=false",
            "db_name:OC!",
            "db_subnet_group_name:OC!",
            "deletion_protection:O",
            "endpoint:C",
            "engine:OC!",
            "engine_version:OC",
            "engine_version_actual:C",
            "final_snapshot_identifier:O",
            "hosted_zone_id:C",
            "id:C",
            "identifier:OC!",
            "instance_class:R",
            "kms_key_id:OC!",
            "maintenance_window:OC",
            "multi_az:OC",
            "parameter_group_name:OC",
            "password:O*",
            "port:OC",
            "publicly_accessible:O=false",
            "resource_id:C",
            "skip_final_snapshot:O=false",
            "status:C",
            "storage_encrypted:O!",
            "storage_type:OC",
            "tags:O",
            "tags_all:OC",
            "username:OC!",
            "vpc_security_group_ids:OC",
        ],
    ),
    (
        "aws_dynamodb_table",
        &[
            "arn:C",
            "billing_mode:O=\"PROVISIONED\"",
            "deletion_protection_enabled:O",
            "hash_key:OC!",
            "id:C",
            "name:R!",
            "range_key:O!",
            "read_capacity:OC",
            "stream_arn:C",
            "stream_enabled:O",
            "stream_view_type:OC",
            "tags:O",
            "tags_all:OC",
            "write_capacity:OC",
            "attribute:OB",
            "point_in_time_recovery:OB",
            "server_side_encryption:OB",
            "ttl:OB",
        ],
    ),
    (
        "aws_elasticache_cluster",
        &[
            "arn:C",
            "availability_zone:OC!",
            "az_mode:OC",
            "cache_nodes:C",
            "cluster_address:C",
            "cluster_id:R!",
            "configuration_endpoint:C",
            "engine:OC!",
            "engine_version:OC",
            "engine_version_actual:C",
            "id:C",
            "maintenance_window:OC",
            "node_type:OC",
            "num_cache_nodes:OC",
            "parameter_group_name:OC",
            "port:OC!",
            "snapshot_retention_limit:O",
            "subnet_group_name:OC!",
            "tags:O",
            "tags_all:OC",
        ],
    ),
    (
        "aws_iam_user",
        &[
            "arn:C",
            "force_destroy:O=false",
            "id:C",
            "name:R",
            "path:O=\"/\"",
            "tags:O",
            "tags_all:OC",
            "unique_id:C",
        ],
    ),
    (
        "aws_iam_access_key",
        &[
            "create_date:C",
            "encrypted_secret:C",
            "id:C",
            "key_fingerprint:C",
            "pgp_key:O!",
            "secret:C*",
            "ses_smtp_password_v4:C*",
            "status:O=\"Active\"",
            "user:R!",
        ],
    ),
    (
        "aws_cloudfront_distribution",
        &[
            "aliases:O",
            "arn:C",
            "caller_reference:C",
            "comment:O",
            "default_root_object:O",
            "domain_name:C",
            "enabled:R",
            "etag:C",
            "hosted_zone_id:C",
            "http_version:O=\"http2\"",
            "id:C",
            "is_ipv6_enabled:O",
            "price_class:O=\"PriceClass_All\"",
            "retain_on_delete:O=false",
            "status:C",
            "tags:O",
            "tags_all:OC",
            "wait_for_deployment:O=true",
            "web_acl_id:O",
            "default_cache_behavior:RB",
            "origin:RB",
            "restrictions:RB",
            "viewer_certificate:RB",
        ],
    ),
    (
        "aws_wafv2_web_acl",
        &[
            "arn:C",
            "capacity:C",
            "description:O!",
            "id:C",
            "lock_token:C",
            "name:R!",
            "scope:R!",
            "tags:O",
            "tags_all:OC",
            "default_action:RB",
            "rule:OB",
            "visibility_config:RB",
        ],
    ),
    (
        "aws_ecr_repository",
        &[
            "arn:C",
            "force_delete:O",
            "id:C",
            "image_tag_mutability:O=\"MUTABLE\"",
            "name:R!",
            "registry_id:C",
            "repository_url:C",
            "tags:O",
            "tags_all:OC",
            "encryption_configuration:OB",
            "image_scanning_configuration:OB",
        ],
    ),
    (
        "aws_s3_bucket",
        &[
            "arn:C",
            "bucket:OC!",
            "bucket_domain_name:C",
            "bucket_prefix:OC!",
            "bucket_regional_domain_name:C",
            "force_destroy:O=false",
            "hosted_zone_id:C",
            "id:C",
            "object_lock_enabled:OC!",
            "region:C",
            "tags:O",
            "tags_all:OC",
        ],
    ),
];

/// The resource type named `name`, if the provider has it.
pub fn resource_type(name: &str) -> Option<ResourceType> {
    let (name, attributes) = TYPES.iter().find(|(type_name, _)| *type_name == name)?;
    Some(ResourceType {
        name,
        attributes: attributes.iter().map(|spec| read_attribute(spec)).collect(),
    })
}

/// Every resource type the provider has.
pub fn resource_type_names() -> impl Iterator<Item = &'static str> {
    TYPES.iter().map(|(name, _)| *name)
}

fn read_attribute(spec: &'static str) -> Attribute {
    let (head, default) = match spec.split_once('=') {
        Some((head, default)) => (head, default.parse::<hcl::Expression>().ok()),
        None => (spec, None),
    };
    let (name, flags) = head.split_once(':').unwrap_or((head, "O"));
    let kind = match (
        flags.contains('R'),
        flags.contains('O'),
        flags.contains('C'),
    ) {
        (true, _, _) => Kind::Required,
        (false, true, true) => Kind::OptionalComputed,
        (false, false, true) => Kind::Computed,
        _ => Kind::Optional,
    };
    Attribute {
        name,
        kind,
        sensitive: flags.contains('*'),
        forces_new: flags.contains('!'),
        block: flags.contains('B'),
        default: default.and_then(|expression| match expression {
            hcl::Expression::Bool(b) => Some(Value::Bool(b)),
            hcl::Expression::Number(n) => Some(Value::Number(n)),
            hcl::Expression::String(s) => Some(Value::String(s)),
            hcl::Expression::TemplateExpr(template) => Some(Value::String(
                template.to_string().trim_matches('"').to_string(),
            )),
            _ => None,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_reads_and_has_an_id() {
        for name in resource_type_names() {
            let resource = resource_type(name).unwrap();
            assert_eq!(
                resource.attribute("id").map(|a| a.kind),
                Some(Kind::Computed),
                "{name}"
            );
            let mut names: Vec<_> = resource.attributes.iter().map(|a| a.name).collect();
            names.dedup();
            assert_eq!(
                names.len(),
                resource.attributes.len(),
                "{name} repeats an attribute"
            );
        }
        let db = resource_type("aws_db_instance").unwrap();
        let class = db.attribute("instance_class").unwrap();
        assert_eq!((class.kind, class.forces_new), (Kind::Required, false));
        assert!(db.attribute("storage_encrypted").unwrap().forces_new);
        assert!(db.attribute("password").unwrap().sensitive);
        assert_eq!(
            db.attribute("publicly_accessible").unwrap().default,
            Some(Value::Bool(false))
        );
        let table = resource_type("aws_dynamodb_table").unwrap();
        assert_eq!(
            table.attribute("billing_mode").unwrap().default,
            Some(Value::from("PROVISIONED"))
        );
        assert!(resource_type("aws_instance").is_none());
    }
}
