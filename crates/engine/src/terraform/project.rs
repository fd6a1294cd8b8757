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

/// The project's files for `platform`, by path inside `terraform/`: the same codebase, its
/// `env` variable checked against the platform's environments, and one variables file per
/// environment, from the standard file of its stage with its own name, database class and
/// Multi-AZ setting.
pub fn files_for(platform: &crate::platform::Platform) -> Vec<(String, String)> {
    let names: Vec<&str> = platform.environment_names().collect();
    let mut files: Vec<(String, String)> = FILES
        .iter()
        .filter(|(path, _)| !path.starts_with("vars/"))
        .map(|(path, text)| {
            let text = if *path == "vars.tf" {
                environments_in_vars_tf(text, &names)
            } else {
                text.to_string()
            };
            (path.to_string(), text)
        })
        .collect();
    for environment in &platform.environments {
        let standard = platform
            .stage(&environment.name)
            .unwrap_or(crate::platform::Stage::Last)
            .standard_name();
        let template = FILES
            .iter()
            .find(|(path, _)| *path == var_file(standard))
            .map_or("", |(_, text)| text);
        let mut text = set_variable(template, "env", &format!("\"{}\"", environment.name));
        text = set_variable(
            &text,
            "db_instance_class",
            &format!("\"{}\"", environment.database.name),
        );
        if environment.multi_az || text.contains("db_multi_az") {
            text = set_variable(&text, "db_multi_az", &environment.multi_az.to_string());
        }
        files.push((var_file(&environment.name), text));
    }
    files
}

/// `vars.tf` with the environments its validation accepts.
fn environments_in_vars_tf(text: &str, names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
    let words = match names {
        [] => String::new(),
        [one] => (*one).to_string(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    };
    text.replace(
        "[\"dev\", \"staging\", \"prod\"]",
        &format!("[{}]", quoted.join(", ")),
    )
    .replace("dev, staging or prod", &words)
}

/// A variables file with `name` set to `value`: its line rewritten in place, or added.
fn set_variable(text: &str, name: &str, value: &str) -> String {
    let mut found = false;
    let mut out = String::with_capacity(text.len() + 32);
    for line in text.lines() {
        let is_it = line
            .strip_prefix(name)
            .is_some_and(|rest| rest.trim_start().starts_with('='));
        match line.find('=') {
            Some(equals) if is_it => {
                found = true;
                out.push_str(&line[..=equals]);
                out.push(' ');
                out.push_str(value);
            }
            _ => out.push_str(line),
        }
        out.push('\n');
    }
    if !found {
        out.push_str(&format!("{name} = {value}\n"));
    }
    out
}
