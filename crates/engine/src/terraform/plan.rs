//! Plans: what applying a configuration would change, compared with the state, and the text
//! Terraform prints for it.

use super::config::{Evaluated, Instance, Lifecycle};
use super::diagnostic::TfDiagnostic;
use super::schema::{self, Kind};
use super::state::State;
use super::value::{contains_unknown, quote, UNKNOWN};
use crate::limits::pad_end;
use hcl::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// What happens to one resource instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Action {
    Create,
    Update,
    /// Destroy then create (`-/+`), or create then destroy (`+/-`) with
    /// `create_before_destroy`.
    Replace {
        create_before_destroy: bool,
    },
    Delete,
    NoOp,
}

/// The planned change of one resource instance.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Change {
    pub address: String,
    pub type_name: String,
    pub action: Action,
    /// Attributes before (from the state), absent for a creation.
    pub before: Option<BTreeMap<String, Value>>,
    /// Attributes after, with unknowns; absent for a destruction.
    pub after: Option<BTreeMap<String, Value>>,
    /// Attributes whose change forces the replacement.
    pub forces_replacement: BTreeSet<String>,
    pub sensitive: BTreeSet<String>,
    /// Set when the instance is destroyed because it left the configuration.
    pub removed_from_config: bool,
    pub lifecycle: Lifecycle,
}

/// A plan: the changes, in address order, and the root module outputs that change.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Plan {
    pub changes: Vec<Change>,
    pub outputs: Vec<OutputChange>,
}

/// An output whose value the apply would change.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputChange {
    pub name: String,
    /// The value in the state; absent for a new output.
    pub before: Option<Value>,
    /// The planned value (possibly unknown); absent for an output removed from the
    /// configuration.
    pub after: Option<Value>,
    pub sensitive: bool,
}

impl Plan {
    /// `(to add, to change, to destroy)`.
    pub fn counts(&self) -> (usize, usize, usize) {
        let mut counts = (0, 0, 0);
        for change in &self.changes {
            match change.action {
                Action::Create => counts.0 += 1,
                Action::Update => counts.1 += 1,
                Action::Replace { .. } => {
                    counts.0 += 1;
                    counts.2 += 1;
                }
                Action::Delete => counts.2 += 1,
                Action::NoOp => {}
            }
        }
        counts
    }

    pub fn has_changes(&self) -> bool {
        self.changes.iter().any(|c| c.action != Action::NoOp)
    }
}

/// Compares the configuration with the state. Destroying a resource with
/// `prevent_destroy` is an error, as in Terraform.
pub fn plan(evaluated: &Evaluated, state: &State) -> (Plan, Vec<TfDiagnostic>) {
    let mut changes = Vec::new();
    let mut diagnostics = Vec::new();
    let mut seen = BTreeSet::new();
    for instance in &evaluated.instances {
        seen.insert(instance.address.clone());
        let prior = state.resources.get(&instance.address);
        let change = plan_instance(instance, prior.map(|p| &p.attributes));
        if matches!(change.action, Action::Replace { .. }) && instance.lifecycle.prevent_destroy {
            diagnostics.push(cannot_destroy(&instance.address, Some(instance)));
        }
        changes.push(change);
    }
    for (address, prior) in &state.resources {
        if seen.contains(address) {
            continue;
        }
        if prior.prevent_destroy {
            diagnostics.push(cannot_destroy(address, None));
        }
        let sensitive = sensitive_names(&prior.type_name);
        changes.push(Change {
            address: address.clone(),
            type_name: prior.type_name.clone(),
            action: Action::Delete,
            before: Some(prior.attributes.clone()),
            after: None,
            forces_replacement: BTreeSet::new(),
            sensitive,
            removed_from_config: true,
            lifecycle: Lifecycle::default(),
        });
    }
    changes.sort_by(|a, b| a.address.cmp(&b.address));
    let mut outputs: Vec<OutputChange> = evaluated
        .outputs
        .iter()
        .filter(|(name, value, _)| {
            contains_unknown(value) || state.outputs.get(name.as_str()) != Some(value)
        })
        .map(|(name, value, sensitive)| OutputChange {
            name: name.clone(),
            before: state.outputs.get(name.as_str()).cloned(),
            after: Some(value.clone()),
            sensitive: *sensitive,
        })
        .collect();
    for (name, value) in &state.outputs {
        if !evaluated.outputs.iter().any(|(n, _, _)| n == name) {
            outputs.push(OutputChange {
                name: name.clone(),
                before: Some(value.clone()),
                after: None,
                sensitive: false,
            });
        }
    }
    outputs.sort_by(|a, b| a.name.cmp(&b.name));
    (Plan { changes, outputs }, diagnostics)
}

fn cannot_destroy(address: &str, instance: Option<&Instance>) -> TfDiagnostic {
    let diagnostic = TfDiagnostic::error(
        "Instance cannot be destroyed",
        format!("Resource {address} has lifecycle.prevent_destroy set, but the plan calls for this resource to be destroyed. To avoid this error and continue with the plan, either disable lifecycle.prevent_destroy or reduce the scope of the plan using the -target flag."),
    );
    match instance {
        Some(instance) => TfDiagnostic {
            location: Some(instance.location.clone()),
            ..diagnostic
        },
        None => diagnostic,
    }
}

fn sensitive_names(type_name: &str) -> BTreeSet<String> {
    schema::resource_type(type_name)
        .map(|s| {
            s.attributes
                .iter()
                .filter(|a| a.sensitive)
                .map(|a| a.name.to_string())
                .collect()
        })
        .unwrap_or_default()
}

fn plan_instance(instance: &Instance, prior: Option<&BTreeMap<String, Value>>) -> Change {
    let schema = schema::resource_type(&instance.type_name);
    let attributes = schema
        .as_ref()
        .map(|s| s.attributes.as_slice())
        .unwrap_or_default();
    let after_with = |keep_computed: bool| -> BTreeMap<String, Value> {
        let mut after = BTreeMap::new();
        for attribute in attributes {
            let name = attribute.name;
            let ignored = instance.lifecycle.ignore_changes.iter().any(|i| i == name);
            let prior_value = prior.and_then(|p| p.get(name)).cloned();
            let value = if ignored && prior_value.is_some() {
                prior_value
            } else if let Some(value) = instance.config.get(name) {
                Some(value.clone())
            } else if let Some(default) = &attribute.default {
                Some(default.clone())
            } else if name == "tags_all" {
                match instance.config.get("tags") {
                    Some(tags) => Some(tags.clone()),
                    None if keep_computed => prior_value,
                    None => Some(Value::from(UNKNOWN)),
                }
            } else {
                match attribute.kind {
                    Kind::Computed | Kind::OptionalComputed => {
                        if keep_computed {
                            // Applied: what the provider set, absent when it set nothing.
                            prior_value
                        } else {
                            Some(Value::from(UNKNOWN))
                        }
                    }
                    _ => None,
                }
            };
            if let Some(value) = value.filter(|v| !matches!(v, Value::Null)) {
                after.insert(name.to_string(), value);
            }
        }
        after
    };
    let sensitive = sensitive_names(&instance.type_name);
    let Some(before) = prior else {
        return Change {
            address: instance.address.clone(),
            type_name: instance.type_name.clone(),
            action: Action::Create,
            before: None,
            after: Some(after_with(false)),
            forces_replacement: BTreeSet::new(),
            sensitive,
            removed_from_config: false,
            lifecycle: instance.lifecycle.clone(),
        };
    };
    let kept = after_with(true);
    let forces: BTreeSet<String> = attributes
        .iter()
        .filter(|a| a.forces_new)
        .filter(|a| {
            let after = kept.get(a.name);
            after.is_some_and(|v| !contains_unknown(v)) && after != before.get(a.name)
        })
        .map(|a| a.name.to_string())
        .collect();
    let (action, after) = if !forces.is_empty() {
        let mut replaced = after_with(false);
        // What the configuration sets, or the provider keeps, stays as planned.
        for (name, value) in &kept {
            if instance.config.contains_key(name)
                || attributes
                    .iter()
                    .any(|a| a.name == name && a.default.is_some())
            {
                replaced.insert(name.clone(), value.clone());
            }
        }
        (
            Action::Replace {
                create_before_destroy: instance.lifecycle.create_before_destroy,
            },
            replaced,
        )
    } else if &kept == before {
        (Action::NoOp, kept)
    } else {
        (Action::Update, kept)
    };
    Change {
        address: instance.address.clone(),
        type_name: instance.type_name.clone(),
        action,
        before: Some(before.clone()),
        after: Some(after),
        forces_replacement: forces,
        sensitive,
        removed_from_config: false,
        lifecycle: instance.lifecycle.clone(),
    }
}

const LEGEND: [(&str, &str); 5] = [
    ("  +", "create"),
    ("  ~", "update in-place"),
    ("  -", "destroy"),
    ("-/+", "destroy and then create replacement"),
    ("+/-", "create replacement and then destroy"),
];

/// The plan as `terraform plan` prints it.
pub fn render(plan: &Plan) -> String {
    if !plan.has_changes() {
        if !plan.outputs.is_empty() {
            let mut out = String::from("Changes to Outputs:\n");
            render_outputs(&mut out, &plan.outputs);
            out.push_str("\nYou can apply this plan to save these new output values to the Terraform\nstate, without changing any real infrastructure.\n");
            return out;
        }
        return "No changes. Your infrastructure matches the configuration.\n\nTerraform has compared your real infrastructure against your configuration\nand found no differences, so no changes are needed.\n".into();
    }
    let present = |symbol: &str| plan.changes.iter().any(|c| symbol_of(c.action) == symbol);
    let mut out = String::from(
        "Terraform used the selected providers to generate the following execution\nplan. Resource actions are indicated with the following symbols:\n",
    );
    for (symbol, meaning) in LEGEND {
        if present(symbol) {
            let _ = writeln!(out, "{symbol} {meaning}");
        }
    }
    out.push_str("\nTerraform will perform the following actions:\n");
    for change in plan.changes.iter().filter(|c| c.action != Action::NoOp) {
        out.push('\n');
        render_change(&mut out, change);
    }
    let (add, change, destroy) = plan.counts();
    let _ = writeln!(
        out,
        "\nPlan: {add} to add, {change} to change, {destroy} to destroy."
    );
    if !plan.outputs.is_empty() {
        out.push_str("\nChanges to Outputs:\n");
        render_outputs(&mut out, &plan.outputs);
    }
    out
}

/// `  + name = value` lines, `=` aligned, as Terraform lists output changes.
fn render_outputs(out: &mut String, outputs: &[OutputChange]) {
    let width = outputs.iter().map(|o| o.name.len()).max().unwrap_or(0);
    let shown = |value: &Value, sensitive: bool| {
        if sensitive {
            "(sensitive value)".to_string()
        } else if contains_unknown(value) {
            "(known after apply)".to_string()
        } else {
            super::value::render_value(value)
        }
    };
    for output in outputs {
        let (symbol, text) = match (&output.before, &output.after) {
            (None, Some(after)) => ("+", shown(after, output.sensitive)),
            (Some(before), Some(after)) => (
                "~",
                format!(
                    "{} -> {}",
                    shown(before, output.sensitive),
                    shown(after, output.sensitive)
                ),
            ),
            (Some(before), None) => ("-", format!("{} -> null", shown(before, output.sensitive))),
            (None, None) => continue,
        };
        let _ = writeln!(out, "  {symbol} {} = {text}", pad_end(&output.name, width));
    }
}

fn symbol_of(action: Action) -> &'static str {
    match action {
        Action::Create => "  +",
        Action::Update => "  ~",
        Action::Delete => "  -",
        Action::Replace {
            create_before_destroy: false,
        } => "-/+",
        Action::Replace {
            create_before_destroy: true,
        } => "+/-",
        Action::NoOp => "   ",
    }
}

fn render_change(out: &mut String, change: &Change) {
    let what = match change.action {
        Action::Create => "will be created",
        Action::Update => "will be updated in-place",
        Action::Delete => "will be destroyed",
        Action::Replace { .. } => "must be replaced",
        Action::NoOp => "",
    };
    let _ = writeln!(out, "  # {} {what}", change.address);
    if change.removed_from_config {
        let _ = writeln!(
            out,
            "  # (because {} is not in configuration)",
            change.address
        );
    }
    let name = change
        .address
        .split_once('.')
        .map_or("", |(_, rest)| rest)
        .split('[')
        .next()
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "{} resource {} {} {{",
        symbol_of(change.action),
        quote(&change.type_name),
        quote(name)
    );
    let empty = BTreeMap::new();
    let before = change.before.as_ref().unwrap_or(&empty);
    let after = change.after.as_ref().unwrap_or(&empty);
    let blocks: BTreeSet<&str> = schema::resource_type(&change.type_name)
        .map(|s| {
            s.attributes
                .iter()
                .filter(|a| a.block)
                .map(|a| a.name)
                .collect()
        })
        .unwrap_or_default();
    let names: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    let attribute_names: Vec<&String> = names
        .iter()
        .copied()
        .filter(|n| !blocks.contains(n.as_str()))
        .collect();
    let width = attribute_names.iter().map(|n| n.len()).max().unwrap_or(0);
    let mut hidden = 0;
    for name in &attribute_names {
        let (old, new) = (before.get(*name), after.get(*name));
        let sensitive = change.sensitive.contains(name.as_str());
        let forces = change.forces_replacement.contains(name.as_str());
        let line = attribute_line(change.action, name, width, old, new, sensitive, forces);
        match line {
            Some(line) => out.push_str(&line),
            None => hidden += 1,
        }
    }
    if hidden > 0 {
        let _ = writeln!(
            out,
            "        # ({hidden} unchanged attribute{} hidden)",
            if hidden == 1 { "" } else { "s" }
        );
    }
    let block_values: Vec<(&str, Vec<Value>, Vec<Value>)> = names
        .iter()
        .filter(|n| blocks.contains(n.as_str()))
        .map(|block| {
            let list = |side: &BTreeMap<String, Value>| {
                side.get(*block)
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default()
            };
            (block.as_str(), list(before), list(after))
        })
        .collect();
    render_blocks(out, change.action, &block_values, 6);
    out.push_str("    }\n");
}

/// Nested blocks at `depth` spaces: each added, removed or changed instance drawn with its
/// arguments and its own nested blocks (lists of objects), unchanged ones counted.
fn render_blocks(
    out: &mut String,
    action: Action,
    blocks: &[(&str, Vec<Value>, Vec<Value>)],
    depth: usize,
) {
    let pad = " ".repeat(depth);
    let mut hidden = 0;
    for (name, old, new) in blocks {
        for index in 0..old.len().max(new.len()) {
            let (o, n) = (old.get(index), new.get(index));
            if o == n && matches!(action, Action::Update | Action::Replace { .. }) {
                hidden += 1;
                continue;
            }
            let (symbol, inner) = match (o, n, action) {
                (_, _, Action::Create) | (None, Some(_), _) => ("+", Action::Create),
                (_, _, Action::Delete) | (Some(_), None, _) => ("-", Action::Delete),
                _ => ("~", Action::Update),
            };
            // A blank line separates blocks from what comes before, but not from the line
            // that opens their parent.
            if !out.ends_with("{\n") {
                out.push('\n');
            }
            let _ = writeln!(out, "{pad}{symbol} {name} {{");
            let empty = hcl::Map::new();
            let o = o.and_then(Value::as_object).unwrap_or(&empty);
            let n = n.and_then(Value::as_object).unwrap_or(&empty);
            let is_block = |v: Option<&Value>| {
                v.and_then(Value::as_array)
                    .is_some_and(|items| !items.is_empty() && items.iter().all(|i| i.is_object()))
            };
            let keys: BTreeSet<&String> = o.keys().chain(n.keys()).collect();
            let (nested, arguments): (Vec<&String>, Vec<&String>) = keys
                .into_iter()
                .partition(|k| is_block(o.get(*k)) || is_block(n.get(*k)));
            let width = arguments.iter().map(|k| k.len()).max().unwrap_or(0);
            for key in arguments {
                if let Some(line) =
                    attribute_line(inner, key, width, o.get(key), n.get(key), false, false)
                {
                    out.push_str(&indent(&line, depth - 2));
                }
            }
            let nested: Vec<(&str, Vec<Value>, Vec<Value>)> = nested
                .into_iter()
                .map(|k| {
                    let list = |m: &hcl::Map<String, Value>| {
                        m.get(k)
                            .and_then(Value::as_array)
                            .cloned()
                            .unwrap_or_default()
                    };
                    (k.as_str(), list(o), list(n))
                })
                .collect();
            if !nested.is_empty() {
                render_blocks(out, inner, &nested, depth + 4);
            }
            let _ = writeln!(out, "{pad}  }}");
        }
    }
    if hidden > 0 {
        let _ = writeln!(
            out,
            "\n{pad}  # ({hidden} unchanged block{} hidden)",
            if hidden == 1 { "" } else { "s" }
        );
    }
}

fn indent(text: &str, by: usize) -> String {
    let pad = " ".repeat(by);
    text.lines().map(|line| format!("{pad}{line}\n")).collect()
}

/// One attribute's line(s) inside a resource, or `None` when an unchanged one is hidden.
fn attribute_line(
    action: Action,
    name: &str,
    width: usize,
    old: Option<&Value>,
    new: Option<&Value>,
    sensitive: bool,
    forces: bool,
) -> Option<String> {
    let key = pad_end(name, width);
    let show = |value: &Value| -> String {
        if sensitive {
            "(sensitive value)".into()
        } else {
            inline(value)
        }
    };
    let suffix = if forces { " # forces replacement" } else { "" };
    match (action, old, new) {
        (Action::Create, _, Some(new)) => Some(value_line("+", &key, new, sensitive, "", 6)),
        (Action::Delete, Some(old), _) => Some(format!(
            "      - {key} = {} -> null\n",
            single_line(old, sensitive)
        )),
        (_, None, Some(new)) => Some(value_line("+", &key, new, sensitive, suffix, 6)),
        (_, Some(old), None) => Some(format!(
            "      - {key} = {} -> null{suffix}\n",
            single_line(old, sensitive)
        )),
        (_, Some(old), Some(new)) if old == new => {
            if matches!(name, "id" | "name" | "tags") {
                Some(value_line(" ", &key, new, sensitive, "", 6))
            } else {
                None
            }
        }
        (_, Some(old), Some(new)) => {
            if let (Value::Object(o), Value::Object(n), false) = (old, new, sensitive) {
                if !contains_unknown(new) {
                    return Some(map_diff(&key, o, n, suffix));
                }
            }
            if sensitive {
                return Some(format!("      ~ {key} = (sensitive value){suffix}\n"));
            }
            Some(format!(
                "      ~ {key} = {} -> {}{suffix}\n",
                show(old),
                show(new)
            ))
        }
        _ => None,
    }
}

/// A value after `symbol key = `, multi-line for maps and lists as Terraform draws them.
fn value_line(
    symbol: &str,
    key: &str,
    value: &Value,
    sensitive: bool,
    suffix: &str,
    depth: usize,
) -> String {
    let pad = " ".repeat(depth);
    if sensitive {
        return format!("{pad}{symbol} {key} = (sensitive value){suffix}\n");
    }
    let inner_symbol = if symbol == " " { " " } else { symbol };
    match value {
        Value::Object(map) if !map.is_empty() && !contains_unknown(value) => {
            let width = map.keys().map(|k| quote(k).len()).max().unwrap_or(0);
            let mut out = format!("{pad}{symbol} {key} = {{{suffix}\n");
            for (k, v) in map {
                let _ = writeln!(
                    out,
                    "{pad}    {inner_symbol} {} = {}",
                    pad_end(&quote(k), width),
                    inline(v)
                );
            }
            let _ = writeln!(out, "{pad}  }}");
            out
        }
        Value::Array(items) if !items.is_empty() && !contains_unknown(value) => {
            let mut out = format!("{pad}{symbol} {key} = [{suffix}\n");
            for item in items {
                let _ = writeln!(out, "{pad}    {inner_symbol} {},", inline(item));
            }
            let _ = writeln!(out, "{pad}  ]");
            out
        }
        _ => format!("{pad}{symbol} {key} = {}{suffix}\n", inline(value)),
    }
}

fn map_diff(
    key: &str,
    old: &hcl::Map<String, Value>,
    new: &hcl::Map<String, Value>,
    suffix: &str,
) -> String {
    let keys: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    let width = keys.iter().map(|k| quote(k).len()).max().unwrap_or(0);
    let mut out = format!("      ~ {key} = {{{suffix}\n");
    let mut unchanged = 0;
    for k in keys {
        let q = quote(k);
        match (old.get(k), new.get(k)) {
            (Some(o), Some(n)) if o == n => unchanged += 1,
            (Some(o), Some(n)) => {
                let _ = writeln!(
                    out,
                    "          ~ {} = {} -> {}",
                    pad_end(&q, width),
                    inline(o),
                    inline(n)
                );
            }
            (None, Some(n)) => {
                let _ = writeln!(out, "          + {} = {}", pad_end(&q, width), inline(n));
            }
            (Some(o), None) => {
                let _ = writeln!(
                    out,
                    "          - {} = {} -> null",
                    pad_end(&q, width),
                    inline(o)
                );
            }
            (None, None) => {}
        }
    }
    if unchanged > 0 {
        let _ = writeln!(
            out,
            "            # ({unchanged} unchanged element{} hidden)",
            if unchanged == 1 { "" } else { "s" }
        );
    }
    out.push_str("        }\n");
    out
}

fn single_line(value: &Value, sensitive: bool) -> String {
    if sensitive {
        "(sensitive value)".into()
    } else {
        inline(value)
    }
}

/// A value on one line: `"text"`, `20`, `(known after apply)`, `{ "a" = 1 }`, `[ "x" ]`.
fn inline(value: &Value) -> String {
    match value {
        Value::String(text) if text.contains(UNKNOWN) => "(known after apply)".into(),
        Value::Array(items) if items.is_empty() => "[]".into(),
        Value::Object(map) if map.is_empty() => "{}".into(),
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(inline).collect::<Vec<_>>().join(", ")
        ),
        Value::Object(map) => format!(
            "{{ {} }}",
            map.iter()
                .map(|(k, v)| format!("{} = {}", quote(k), inline(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => super::value::render_value(other),
    }
}
