//! Terraform in the simulation: configurations read with hcl-rs and evaluated with the
//! built-in functions, a simulated AWS provider, plans printed as Terraform prints them, and
//! applies that write a state.
//!
//! [`plan_files`] is what `terraform plan -var-file=...` does; [`apply`] writes the planned
//! values into the state, with the values only known after apply (ids, ARNs, endpoints) made
//! up deterministically from the resource's address.

mod budget;
pub mod config;
pub mod diagnostic;
pub mod functions;
pub mod plan;
pub mod project;
pub mod schema;
pub mod state;
pub mod value;

pub use config::{evaluate, Evaluated, Files, Instance};
pub use diagnostic::{Location, TfDiagnostic};
pub use plan::{render, Action, Change, Plan};
pub use state::{ResourceState, State};

use hcl::Value;
use std::collections::BTreeMap;

/// A plan and the diagnostics met on the way; no plan when an error stops it.
#[derive(Debug, Clone, Default)]
pub struct PlanOutcome {
    pub plan: Option<Plan>,
    pub evaluated: Option<Evaluated>,
    pub diagnostics: Vec<TfDiagnostic>,
}

impl PlanOutcome {
    /// Everything `terraform plan` would print: warnings, errors, then the plan.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for diagnostic in &self.diagnostics {
            out.push_str(&diagnostic.to_string());
            out.push_str("\n\n");
        }
        if let Some(plan) = &self.plan {
            out.push_str(&render(plan));
        }
        out
    }

    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(TfDiagnostic::is_error)
    }

    /// The outputs declared `sensitive`, whose values an apply's listing hides.
    pub fn sensitive_outputs(&self) -> Vec<String> {
        self.evaluated
            .iter()
            .flat_map(|e| &e.outputs)
            .filter(|(_, _, sensitive)| *sensitive)
            .map(|(name, _, _)| name.clone())
            .collect()
    }
}

/// Plans the configuration in `files` with the variable files `var_files` against `state`.
///
/// A plan of the same files, variable files and state as one made lately is that plan again:
/// an edit of one environment's variables plans every environment, and the others read the
/// same texts as before.
pub fn plan_files(files: &Files, var_files: &[&str], state: &State) -> PlanOutcome {
    let inputs = plan_inputs(files, var_files);
    let hash = {
        use std::hash::{Hash, Hasher};
        let mut hasher = rustc_hash::FxHasher::default();
        inputs.hash(&mut hasher);
        var_files.hash(&mut hasher);
        hasher.finish()
    };
    let kept = PLANS.with_borrow(|plans| {
        plans
            .iter()
            .find(|kept| {
                kept.hash == hash
                    && kept
                        .var_files
                        .iter()
                        .map(String::as_str)
                        .eq(var_files.iter().copied())
                    && kept
                        .inputs
                        .iter()
                        .map(|(path, text)| (path.as_str(), text.as_str()))
                        .eq(inputs.iter().copied())
                    && kept.state == *state
            })
            .map(|kept| kept.outcome.clone())
    });
    if let Some(outcome) = kept {
        return outcome;
    }
    let outcome = plan_anew(files, var_files, state);
    PLANS.with_borrow_mut(|plans| {
        if plans.len() == PLANS_KEPT {
            plans.remove(0);
        }
        plans.push(KeptPlan {
            hash,
            inputs: inputs
                .iter()
                .map(|(path, text)| (path.to_string(), text.to_string()))
                .collect(),
            var_files: var_files.iter().map(|f| f.to_string()).collect(),
            state: state.clone(),
            outcome: outcome.clone(),
        });
    });
    outcome
}

/// How many plans [`plan_files`] keeps: the three environments' plans of the last two edits.
const PLANS_KEPT: usize = 6;

/// A plan, and what it was made from.
struct KeptPlan {
    hash: u64,
    inputs: Vec<(String, String)>,
    var_files: Vec<String>,
    state: State,
    outcome: PlanOutcome,
}

thread_local! {
    /// Plans made lately, newest last.
    static PLANS: std::cell::RefCell<Vec<KeptPlan>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The files among `files` a plan with `var_files` reads, as [`evaluate`] picks them: the
/// configuration's `.tf` files, `terraform.tfvars`, the `.auto.tfvars` files, and `var_files`.
fn plan_inputs<'a>(files: &'a Files, var_files: &[&str]) -> Vec<(&'a str, &'a str)> {
    files
        .iter()
        .filter(|(path, _)| {
            config::is_configuration(path)
                || path.as_str() == config::DEFAULT_VARIABLES
                || config::is_auto_variables(path)
                || var_files.contains(&path.as_str())
        })
        .map(|(path, text)| (path.as_str(), text.as_str()))
        .collect()
}

/// Plans the configuration, without looking at the plans kept (what a benchmark of planning
/// times).
pub fn plan_anew(files: &Files, var_files: &[&str], state: &State) -> PlanOutcome {
    let (evaluated, mut diagnostics) = evaluate(files, var_files, state);
    let Some(evaluated) = evaluated else {
        return PlanOutcome {
            diagnostics,
            ..PlanOutcome::default()
        };
    };
    let (plan, errors) = plan::plan(&evaluated, state);
    let failed = !errors.is_empty();
    for error in errors {
        let text = error
            .location
            .as_ref()
            .and_then(|l| files.get(&l.file))
            .cloned()
            .unwrap_or_default();
        diagnostics.push(match error.location.clone() {
            Some(location) => error.at(location, &text),
            None => error,
        });
    }
    PlanOutcome {
        plan: (!failed).then_some(plan),
        evaluated: Some(evaluated),
        diagnostics,
    }
}

/// Applies the configuration to `state` as `terraform apply` does: resources whose arguments
/// are all known first, then those that were waiting on their values (an ARN, a domain name),
/// until nothing is left to change. Returns the new state, or the plan's errors.
pub fn apply_files(
    files: &Files,
    var_files: &[&str],
    state: &State,
) -> Result<State, Box<PlanOutcome>> {
    let mut outcome = plan_files(files, var_files, state);
    if outcome.has_errors() {
        return Err(Box::new(outcome));
    }
    let mut current = state.clone();
    // Each wave makes known the values the next one waits on; resources form no cycle, so
    // there are at most as many waves as resources.
    for _ in 0..=current.resources.len() + outcome.plan.as_ref().map_or(0, |p| p.changes.len()) {
        let (Some(plan), Some(evaluated)) = (&outcome.plan, &outcome.evaluated) else {
            break;
        };
        let ready: Vec<Change> = plan
            .changes
            .iter()
            .filter(|change| match change.action {
                Action::NoOp => false,
                Action::Delete => true,
                _ => evaluated
                    .instances
                    .iter()
                    .find(|i| i.address == change.address)
                    .is_some_and(|i| !i.config.values().any(value::contains_unknown)),
            })
            .cloned()
            .collect();
        if ready.is_empty() {
            break;
        }
        current = apply(
            &Plan {
                changes: ready,
                outputs: Vec::new(),
            },
            &current,
            &evaluated.region,
        );
        outcome = plan_files(files, var_files, &current);
        if outcome.has_errors() {
            return Err(Box::new(outcome));
        }
    }
    // Outputs are saved once every value they read is known.
    if let Some(evaluated) = &outcome.evaluated {
        current.outputs = evaluated
            .outputs
            .iter()
            .filter(|(_, value, _)| !value::contains_unknown(value))
            .map(|(name, value, _)| (name.clone(), value.clone()))
            .collect();
    }
    current.serial = state.serial + 1;
    Ok(current)
}

/// The `Outputs:` section Terraform prints after an apply: every output of `state`, sensitive
/// ones (named in `sensitive`) hidden; empty when there are none.
pub fn outputs_text(state: &State, sensitive: &[String]) -> String {
    if state.outputs.is_empty() {
        return String::new();
    }
    let mut out = String::from("Outputs:\n\n");
    for (name, value) in &state.outputs {
        let shown = if sensitive.contains(name) {
            "<sensitive>".to_string()
        } else {
            value::render_value(value)
        };
        out.push_str(&format!("{name} = {shown}\n"));
    }
    out
}

/// The state after applying every change of `plan` to `state`, values only known after apply
/// made up.
pub fn apply(plan: &Plan, state: &State, region: &str) -> State {
    let mut next = state.clone();
    next.serial += 1;
    next.version = 1;
    for change in &plan.changes {
        match change.action {
            Action::Delete => {
                next.resources.remove(&change.address);
            }
            Action::NoOp => {}
            _ => {
                let Some(after) = &change.after else { continue };
                let mut attributes = BTreeMap::new();
                for (name, value) in after {
                    let known = if value::contains_unknown(value) {
                        made_up(&change.type_name, &change.address, name, after, region)
                    } else {
                        value.clone()
                    };
                    if !matches!(known, Value::Null) {
                        attributes.insert(name.clone(), known);
                    }
                }
                next.resources.insert(
                    change.address.clone(),
                    ResourceState {
                        type_name: change.type_name.clone(),
                        attributes,
                        prevent_destroy: change.lifecycle.prevent_destroy,
                    },
                );
            }
        }
    }
    next
}

/// The simulated AWS account.
pub const ACCOUNT_ID: &str = "123456789012";

/// A value AWS would have assigned, made up from the address so that it is the same on every
/// run: ids, ARNs, endpoints, dates.
fn made_up(
    type_name: &str,
    address: &str,
    attribute: &str,
    after: &BTreeMap<String, Value>,
    region: &str,
) -> Value {
    let token = |length: usize, alphabet: &[u8]| -> String {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        let identity = ["identifier", "name", "bucket", "cluster_id", "user"]
            .iter()
            .filter_map(|key| after.get(*key).and_then(Value::as_str))
            .collect::<String>();
        for byte in address
            .bytes()
            .chain(attribute.bytes())
            .chain(identity.bytes())
        {
            hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
        (0..length)
            .map(|_| {
                hash ^= hash >> 33;
                hash = hash.wrapping_mul(0xff51_afd7_ed55_8ccd);
                hash ^= hash >> 29;
                alphabet[(hash % alphabet.len() as u64) as usize] as char
            })
            .collect()
    };
    const UPPER: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    const LOWER: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let known = |name: &str| -> Option<String> {
        after
            .get(name)
            .filter(|v| !value::contains_unknown(v))
            .map(functions::to_text)
    };
    let name = known("identifier")
        .or_else(|| known("name"))
        .or_else(|| known("bucket"))
        .or_else(|| known("cluster_id"))
        .unwrap_or_else(|| format!("terraform-{}", token(20, LOWER)));
    let az = format!("{region}a");
    let uuid = || {
        let t = token(32, b"0123456789abcdef");
        format!(
            "{}-{}-{}-{}-{}",
            &t[..8],
            &t[8..12],
            &t[12..16],
            &t[16..20],
            &t[20..]
        )
    };
    let text = match (type_name, attribute) {
        // Set only in situations the simulation does not model (PGP keys, memcached, streams).
        (
            _,
            "encrypted_secret"
            | "key_fingerprint"
            | "configuration_endpoint"
            | "cache_nodes"
            | "stream_arn"
            | "stream_view_type"
            | "db_name"
            | "bucket_prefix"
            | "latest_restorable_time",
        ) => return Value::Null,
        (_, "availability_zone") => az,
        (_, "az_mode") => "single-az".into(),
        (_, "maintenance_window") => "sun:05:00-sun:06:00".into(),
        (_, "backup_window") => "03:00-04:00".into(),
        (_, "subnet_group_name" | "db_subnet_group_name") => "default".into(),
        (_, "kms_key_id") => format!("arn:aws:kms:{region}:{ACCOUNT_ID}:key/{}", uuid()),
        (_, "lock_token") => uuid(),
        (_, "read_capacity" | "write_capacity" | "capacity") => return Value::from(0),
        (_, "vpc_security_group_ids") => {
            return Value::from(vec![format!("sg-{}", token(17, b"0123456789abcdef"))])
        }
        ("aws_db_instance", "ca_cert_identifier") => "rds-ca-rsa2048-g1".into(),
        ("aws_db_instance", "parameter_group_name") => "default.mysql8.0".into(),
        ("aws_db_instance", "status") => "available".into(),
        ("aws_db_instance", "hosted_zone_id") => "ZMESEXB7ZGGQ3".into(),
        ("aws_db_instance", "engine_version_actual") => "8.0.39".into(),
        ("aws_db_instance", "username") => "admin".into(),
        ("aws_elasticache_cluster", "engine_version" | "engine_version_actual") => "7.1.0".into(),
        ("aws_elasticache_cluster", "parameter_group_name") => "default.redis7".into(),
        ("aws_elasticache_cluster", "node_type") => "cache.t3.micro".into(),
        ("aws_elasticache_cluster", "num_cache_nodes") => return Value::from(1),
        ("aws_elasticache_cluster", "port") => return Value::from(6379),
        ("aws_elasticache_cluster", "cluster_address") => {
            format!("{name}.{}.cfg.euw3.cache.amazonaws.com", token(6, LOWER))
        }
        ("aws_iam_access_key", "ses_smtp_password_v4") => token(
            44,
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
        ),
        ("aws_cloudfront_distribution", "status") => "Deployed".into(),
        ("aws_cloudfront_distribution", "etag") => format!("E{}", token(13, UPPER)),
        ("aws_cloudfront_distribution", "caller_reference") => {
            format!("terraform-{}", token(26, b"0123456789"))
        }
        ("aws_cloudfront_distribution", "hosted_zone_id") => "Z2FDTNDATAQYW2".into(),
        ("aws_s3_bucket", "hosted_zone_id") => "Z3R1K369G5AVDG".into(),
        ("aws_s3_bucket", "object_lock_enabled") => return Value::from(false),
        ("aws_dynamodb_table", "hash_key") => "id".into(),
        ("aws_db_instance", "id") => name.clone(),
        ("aws_db_instance", "identifier") => name.clone(),
        ("aws_db_instance", "resource_id") => format!("db-{}", token(26, UPPER)),
        ("aws_db_instance", "arn") => format!("arn:aws:rds:{region}:{ACCOUNT_ID}:db:{name}"),
        ("aws_db_instance", "address") => {
            format!("{name}.c{}.{region}.rds.amazonaws.com", token(11, LOWER))
        }
        ("aws_db_instance", "endpoint") => format!(
            "{name}.c{}.{region}.rds.amazonaws.com:3306",
            token(11, LOWER)
        ),
        ("aws_db_instance", "port") => return Value::from(3306),
        ("aws_db_instance", "allocated_storage") => return Value::from(20),
        ("aws_db_instance", "multi_az") => return Value::from(false),
        ("aws_db_instance", "backup_retention_period") => return Value::from(0),
        ("aws_db_instance", "engine") => "mysql".into(),
        ("aws_db_instance", "engine_version") => "8.0.39".into(),
        ("aws_db_instance", "storage_type") => "gp2".into(),
        ("aws_iam_access_key", "id") => {
            format!("AKIA{}", token(16, b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"))
        }
        ("aws_iam_access_key", "secret") => token(
            40,
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
        ),
        ("aws_iam_access_key", "create_date") => "2026-11-27T08:00:00Z".into(),
        ("aws_iam_user", "arn") => format!("arn:aws:iam::{ACCOUNT_ID}:user/{name}"),
        ("aws_iam_user", "unique_id") => format!("AIDA{}", token(17, UPPER)),
        ("aws_dynamodb_table", "arn") => {
            format!("arn:aws:dynamodb:{region}:{ACCOUNT_ID}:table/{name}")
        }
        ("aws_elasticache_cluster", "arn") => {
            format!("arn:aws:elasticache:{region}:{ACCOUNT_ID}:cluster:{name}")
        }
        ("aws_s3_bucket", "arn") => format!("arn:aws:s3:::{name}"),
        ("aws_s3_bucket", "bucket_regional_domain_name") => {
            format!("{name}.s3.{region}.amazonaws.com")
        }
        ("aws_s3_bucket", "bucket_domain_name") => format!("{name}.s3.amazonaws.com"),
        ("aws_s3_bucket", "region") => region.to_string(),
        ("aws_ecr_repository", "repository_url") => {
            format!("{ACCOUNT_ID}.dkr.ecr.{region}.amazonaws.com/{name}")
        }
        ("aws_ecr_repository", "arn") => {
            format!("arn:aws:ecr:{region}:{ACCOUNT_ID}:repository/{name}")
        }
        ("aws_ecr_repository", "registry_id") => ACCOUNT_ID.to_string(),
        ("aws_cloudfront_distribution", "id") => format!("E{}", token(13, UPPER)),
        ("aws_cloudfront_distribution", "domain_name") => {
            format!("d{}.cloudfront.net", token(13, LOWER))
        }
        ("aws_cloudfront_distribution", "arn") => format!(
            "arn:aws:cloudfront::{ACCOUNT_ID}:distribution/E{}",
            token(13, UPPER)
        ),
        ("aws_wafv2_web_acl", "arn") => format!(
            "arn:aws:wafv2:{region}:{ACCOUNT_ID}:regional/webacl/{name}/{}",
            token(8, LOWER)
        ),
        (_, "tags_all") => {
            return after
                .get("tags")
                .cloned()
                .unwrap_or(Value::Object(hcl::Map::new()))
        }
        (_, "id") => name.clone(),
        (_, "arn") => format!(
            "arn:aws:{}:{region}:{ACCOUNT_ID}:{name}",
            type_name.trim_start_matches("aws_")
        ),
        _ => token(12, LOWER),
    };
    Value::from(text)
}

#[cfg(test)]
mod tests;
