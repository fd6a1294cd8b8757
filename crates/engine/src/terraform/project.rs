//! The Terraform project every world starts with: one codebase for the platform's AWS
//! resources and one variables file per environment.

use super::config::Files;

/// The project's files, by path inside `terraform/`.
pub const FILES: [(&str, &str); 13] = [
    (
        "cloudfront.tf",
        include_str!("../../terraform/cloudfront.tf"),
    ),
    ("dynamodb.tf", include_str!("../../terraform/dynamodb.tf")),
    (
        "elasticache.tf",
        include_str!("../../terraform/elasticache.tf"),
    ),
    ("iam.tf", include_str!("../../terraform/iam.tf")),
    ("outputs.tf", include_str!("../../terraform/outputs.tf")),
    ("provider.tf", include_str!("../../terraform/provider.tf")),
    ("rds.tf", include_str!("../../terraform/rds.tf")),
    ("vars.tf", include_str!("../../terraform/vars.tf")),
    ("versions.tf", include_str!("../../terraform/versions.tf")),
    ("waf.tf", include_str!("../../terraform/waf.tf")),
    (
        "vars/dev.tfvars",
        include_str!("../../terraform/vars/dev.tfvars"),
    ),
    (
        "vars/staging.tfvars",
        include_str!("../../terraform/vars/staging.tfvars"),
    ),
    (
        "vars/prod.tfvars",
        include_str!("../../terraform/vars/prod.tfvars"),
    ),
];

/// The project as a set of files.
pub fn files() -> Files {
    FILES
        .iter()
        .map(|(path, text)| (path.to_string(), text.to_string()))
        .collect()
}

/// The variables file of an environment.
pub fn var_file(environment: &str) -> String {
    format!("vars/{environment}.tfvars")
}
