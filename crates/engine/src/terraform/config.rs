//! Reading a Terraform configuration: the `.tf` files of a directory and the variable files,
//! evaluated into the resource instances the configuration asks for.
//!
//! Variables take their default, then `terraform.tfvars`, then `*.auto.tfvars`, then each
//! `-var-file` in order, as Terraform applies them; each value is converted to the variable's
//! type and checked by its validation blocks. Locals and resources are evaluated with
//! hcl-rs's evaluator and the built-in functions; resources in the order their references
//! require, with `count` and `for_each` expanded.

use super::diagnostic::{did_you_mean, Location, TfDiagnostic};
use super::schema::{self, Kind};
use super::state::State;
use super::value::{contains_unknown, render_value, TypeConstraint, UNKNOWN};
use crate::limits::TERRAFORM_MAX_INSTANCES;
use hcl::edit::structure::{Block, Body, Structure};
use hcl::edit::Span;
use hcl::eval::{Context, Evaluate};
use hcl::{Expression, Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// The files of a configuration, by path relative to its directory (`rds.tf`,
/// `vars/prod.tfvars`).
pub type Files = BTreeMap<String, String>;

/// A `variable` block.
#[derive(Debug, Clone)]
struct Variable {
    name: String,
    location: Location,
    constraint: Option<TypeConstraint>,
    default: Option<Value>,
    sensitive: bool,
    nullable: bool,
    validations: Vec<Validation>,
}

#[derive(Debug, Clone)]
struct Validation {
    condition: Expression,
    error_message: Expression,
    location: Location,
}

/// `lifecycle` settings of a resource.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Lifecycle {
    pub prevent_destroy: bool,
    pub create_before_destroy: bool,
    pub ignore_changes: Vec<String>,
}

/// A `resource` block, before evaluation.
#[derive(Debug, Clone)]
struct ResourceBlock {
    type_name: String,
    name: String,
    file: String,
    location: Location,
    /// The block's source text, to find what it refers to.
    source: String,
    block: Block,
}

/// One instance the configuration asks for: `aws_db_instance.main`, `aws_s3_bucket.assets[0]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Instance {
    pub address: String,
    pub type_name: String,
    /// The arguments as configured (nested blocks as lists of objects), before defaults.
    pub config: BTreeMap<String, Value>,
    pub lifecycle: Lifecycle,
    pub location: Location,
}

/// What a configuration evaluates to.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Evaluated {
    pub instances: Vec<Instance>,
    /// Variable values after precedence, conversion and validation.
    pub variables: BTreeMap<String, Value>,
    /// Names of sensitive variables.
    pub sensitive_variables: BTreeSet<String>,
    /// Outputs: name, value, sensitive.
    pub outputs: Vec<(String, Value, bool)>,
    pub region: String,
}

/// A `.tf` file of the configuration: at the project's top, as Terraform reads one directory.
pub(super) fn is_configuration(path: &str) -> bool {
    path.ends_with(".tf") && !path.contains('/')
}

/// The variables file read first without being named.
pub(super) const DEFAULT_VARIABLES: &str = "terraform.tfvars";

/// A `.auto.tfvars` file at the project's top, read after [`DEFAULT_VARIABLES`].
pub(super) fn is_auto_variables(path: &str) -> bool {
    path.ends_with(".auto.tfvars") && !path.contains('/')
}

/// Reads and evaluates the configuration in `files` with the variable files `var_files`
/// (paths among `files`), against `state` for the values only known after apply.
pub fn evaluate(
    files: &Files,
    var_files: &[&str],
    state: &State,
) -> (Option<Evaluated>, Vec<TfDiagnostic>) {
    let mut reader = Reader {
        files,
        diagnostics: Vec::new(),
        variables: Vec::new(),
        locals: Vec::new(),
        resources: Vec::new(),
        outputs: Vec::new(),
        region: None,
        instances: 0,
    };
    for (path, text) in files.iter().filter(|(path, _)| is_configuration(path)) {
        reader.read_file(path, text);
    }
    for var_file in var_files {
        if !files.contains_key(*var_file) {
            reader.diagnostics.push(TfDiagnostic::error(
                "Failed to read variables file",
                format!("Given variables file {var_file} does not exist."),
            ));
        }
    }
    if reader.diagnostics.iter().any(TfDiagnostic::is_error) {
        return (None, reader.diagnostics);
    }
    let mut evaluated = Evaluated::default();
    let mut context = super::functions::context();
    let variables = reader.variable_values(var_files);
    evaluated.sensitive_variables = reader
        .variables
        .iter()
        .filter(|v| v.sensitive)
        .map(|v| v.name.clone())
        .collect();
    context.declare_var("var", object(&variables));
    evaluated.variables = variables;
    if reader.diagnostics.iter().any(TfDiagnostic::is_error) {
        return (None, reader.diagnostics);
    }
    let locals = reader.local_values(&context);
    context.declare_var("local", object(&locals));
    if let Some((expression, location, text)) = reader.region.clone() {
        match reader.eval(&expression, &context, &location, &text, None) {
            Some(Value::String(region)) => evaluated.region = region,
            Some(_) => {}
            None => {}
        }
    }
    if evaluated.region.is_empty() {
        evaluated.region = "eu-west-3".into();
    }
    evaluated.instances = reader.resource_instances(&mut context, state);
    if reader.diagnostics.iter().any(TfDiagnostic::is_error) {
        return (None, reader.diagnostics);
    }
    for (name, expression, sensitive, location, text) in reader.outputs.clone() {
        if let Some(value) = reader.eval(
            &expression,
            &context,
            &location,
            &text,
            Some(&format!("in output \"{name}\"")),
        ) {
            evaluated.outputs.push((name, value, sensitive));
        }
    }
    if reader.diagnostics.iter().any(TfDiagnostic::is_error) {
        return (None, reader.diagnostics);
    }
    (Some(evaluated), reader.diagnostics)
}

fn object(values: &BTreeMap<String, Value>) -> Value {
    Value::Object(values.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
}

type Output = (String, Expression, bool, Location, String);

struct Reader<'a> {
    files: &'a Files,
    diagnostics: Vec<TfDiagnostic>,
    variables: Vec<Variable>,
    locals: Vec<(String, Expression, Location, String)>,
    resources: Vec<ResourceBlock>,
    outputs: Vec<Output>,
    region: Option<(Expression, Location, String)>,
    /// Resource instances expanded so far, against [`TERRAFORM_MAX_INSTANCES`].
    instances: usize,
}

fn label(block: &Block, index: usize) -> Option<String> {
    block
        .labels
        .get(index)
        .map(|label| label.as_str().to_string())
}

impl Reader<'_> {
    fn location(&self, file: &str, span: Option<std::ops::Range<usize>>) -> Location {
        let text = self.files.get(file).map_or("", String::as_str);
        let span = span.unwrap_or(0..0);
        Location::of(file, text, span.start, span.end)
    }

    fn error_at(
        &mut self,
        file: &str,
        span: Option<std::ops::Range<usize>>,
        summary: &str,
        detail: String,
    ) {
        let location = self.location(file, span);
        let text = self.files.get(file).map_or("", String::as_str);
        self.diagnostics
            .push(TfDiagnostic::error(summary, detail).at(location, text));
    }

    fn read_file(&mut self, path: &str, text: &str) {
        let body = match parse_body(path, text) {
            Ok(body) => body,
            Err(diagnostic) => {
                self.diagnostics.push(*diagnostic);
                return;
            }
        };
        for structure in body.iter() {
            match structure {
                Structure::Attribute(attribute) => self.error_at(
                    path,
                    attribute.span(),
                    "Unsupported argument",
                    format!(
                        "An argument named \"{}\" is not expected here.",
                        attribute.key.as_str()
                    ),
                ),
                Structure::Block(block) => self.read_block(path, text, block),
            }
        }
    }

    fn read_block(&mut self, path: &str, text: &str, block: &Block) {
        let span = block.span();
        let header = span
            .clone()
            .map(|s| s.start..s.start + text[s.start..].find('\n').unwrap_or(s.end - s.start));
        let location = self.location(path, header.clone());
        let labels = block.labels.len();
        let expect = |n: usize| labels == n;
        match block.ident.as_str() {
            "variable" if expect(1) => self.read_variable(path, text, block, location),
            "locals" if expect(0) => {
                for attribute in block.body.attributes() {
                    let location = self.location(path, attribute.span());
                    self.locals.push((
                        attribute.key.as_str().to_string(),
                        attribute.value.clone().into(),
                        location,
                        path.to_string(),
                    ));
                }
            }
            "resource" if expect(2) => {
                let type_name = label(block, 0).unwrap_or_default();
                if schema::resource_type(&type_name).is_none() {
                    let hint = suggestion(did_you_mean(&type_name, schema::resource_type_names()));
                    self.diagnostics.push(
                        TfDiagnostic::error(
                            "Invalid resource type",
                            format!("The provider hashicorp/aws does not support resource type \"{type_name}\".{hint}"),
                        )
                        .at(location, text),
                    );
                    return;
                }
                let source = span.map(|s| text[s].to_string()).unwrap_or_default();
                self.resources.push(ResourceBlock {
                    type_name,
                    name: label(block, 1).unwrap_or_default(),
                    file: path.to_string(),
                    location,
                    source,
                    block: block.clone(),
                });
            }
            "output" if expect(1) => {
                let name = label(block, 0).unwrap_or_default();
                let Some(value) = block.body.get_attribute("value") else {
                    self.diagnostics.push(
                        TfDiagnostic::error(
                            "Missing required argument",
                            "The argument \"value\" is required, but no definition was found.",
                        )
                        .at(location, text),
                    );
                    return;
                };
                let sensitive = matches!(
                    block
                        .body
                        .get_attribute("sensitive")
                        .map(|a| Expression::from(a.value.clone())),
                    Some(Expression::Bool(true))
                );
                let at = self.location(path, value.span());
                self.outputs.push((
                    name,
                    value.value.clone().into(),
                    sensitive,
                    at,
                    path.to_string(),
                ));
            }
            "provider" if expect(1) => {
                if let Some(region) = block.body.get_attribute("region") {
                    let at = self.location(path, region.span());
                    self.region = Some((region.value.clone().into(), at, path.to_string()));
                }
            }
            "terraform" if expect(0) => {}
            "data" | "module" => self.diagnostics.push(
                TfDiagnostic::warning(
                    "Block not simulated",
                    format!(
                        "The playground does not simulate {} blocks; this one is ignored.",
                        block.ident.as_str()
                    ),
                )
                .at(location, text),
            ),
            "variable" | "locals" | "resource" | "output" | "provider" | "terraform" => {
                self.diagnostics.push(
                    TfDiagnostic::error(
                        "Missing name for block",
                        format!(
                            "A {} block needs {} label(s).",
                            block.ident.as_str(),
                            match block.ident.as_str() {
                                "resource" => 2,
                                "locals" | "terraform" => 0,
                                _ => 1,
                            }
                        ),
                    )
                    .at(location, text),
                );
            }
            other => self.diagnostics.push(
                TfDiagnostic::error(
                    "Unsupported block type",
                    format!("Blocks of type \"{other}\" are not expected here."),
                )
                .at(location, text),
            ),
        }
    }

    fn read_variable(&mut self, path: &str, text: &str, block: &Block, location: Location) {
        let name = label(block, 0).unwrap_or_default();
        let mut variable = Variable {
            name: name.clone(),
            location: location.clone(),
            constraint: None,
            default: None,
            sensitive: false,
            nullable: true,
            validations: Vec::new(),
        };
        let plain = super::functions::context();
        for structure in block.body.iter() {
            match structure {
                Structure::Attribute(attribute) => {
                    let expression: Expression = attribute.value.clone().into();
                    let at = self.location(path, attribute.span());
                    match attribute.key.as_str() {
                        "type" => match TypeConstraint::parse(&expression) {
                            Ok(constraint) => variable.constraint = Some(constraint),
                            Err(detail) => self.diagnostics.push(
                                TfDiagnostic::error("Invalid type specification", detail)
                                    .at(at, text),
                            ),
                        },
                        "default" => {
                            variable.default = self.eval(&expression, &plain, &at, path, None)
                        }
                        "sensitive" => {
                            variable.sensitive = matches!(expression, Expression::Bool(true))
                        }
                        "nullable" => {
                            variable.nullable = !matches!(expression, Expression::Bool(false))
                        }
                        "description" | "ephemeral" => {}
                        other => self.diagnostics.push(
                            TfDiagnostic::error(
                                "Unsupported argument",
                                format!("An argument named \"{other}\" is not expected here."),
                            )
                            .at(at, text),
                        ),
                    }
                }
                Structure::Block(inner) if inner.ident.as_str() == "validation" => {
                    let at = self.location(path, inner.span());
                    let condition = inner.body.get_attribute("condition");
                    let message = inner.body.get_attribute("error_message");
                    match (condition, message) {
                        (Some(condition), Some(message)) => {
                            let at = self.location(path, condition.span());
                            variable.validations.push(Validation {
                                condition: condition.value.clone().into(),
                                error_message: message.value.clone().into(),
                                location: at,
                            });
                        }
                        _ => self.diagnostics.push(
                            TfDiagnostic::error(
                                "Missing required argument",
                                "A validation block needs a \"condition\" and an \"error_message\".",
                            )
                            .at(at, text),
                        ),
                    }
                }
                Structure::Block(inner) => {
                    let at = self.location(path, inner.span());
                    self.diagnostics.push(
                        TfDiagnostic::error(
                            "Unsupported block type",
                            format!(
                                "Blocks of type \"{}\" are not expected here.",
                                inner.ident.as_str()
                            ),
                        )
                        .at(at, text),
                    );
                }
            }
        }
        if let (Some(constraint), Some(default)) = (&variable.constraint, &variable.default) {
            match constraint.convert(default) {
                Ok(converted) => variable.default = Some(converted),
                Err(why) => self.diagnostics.push(
                    TfDiagnostic::error(
                        "Invalid default value for variable",
                        format!("This default value is not compatible with the variable's type constraint: {why}."),
                    )
                    .at(location.clone(), text),
                ),
            }
        }
        if self.variables.iter().any(|v| v.name == name) {
            self.diagnostics.push(
                TfDiagnostic::error(
                    "Duplicate variable declaration",
                    format!("A variable named \"{name}\" was already declared."),
                )
                .at(location, text),
            );
            return;
        }
        self.variables.push(variable);
    }

    /// Evaluates `expression`, reporting a failure at `location` in `file`.
    fn eval(
        &mut self,
        expression: &Expression,
        context: &Context,
        location: &Location,
        file: &str,
        block: Option<&str>,
    ) -> Option<Value> {
        if let Err(detail) = super::budget::check(expression, context) {
            let text = self.files.get(file).map_or("", String::as_str);
            let mut diagnostic =
                TfDiagnostic::error("Expression too large", detail).at(location.clone(), text);
            if let Some(block) = block {
                diagnostic = diagnostic.in_block(block);
            }
            self.diagnostics.push(diagnostic);
            return None;
        }
        let expression = match resolve_lazy(expression, context) {
            Ok(expression) => expression,
            Err(detail) => {
                let text = self.files.get(file).map_or("", String::as_str);
                let mut diagnostic = TfDiagnostic::error("Error in function call", detail)
                    .at(location.clone(), text);
                if let Some(block) = block {
                    diagnostic = diagnostic.in_block(block);
                }
                self.diagnostics.push(diagnostic);
                return None;
            }
        };
        match expression.evaluate(context) {
            Ok(value) => Some(value),
            Err(error) => {
                let text = self.files.get(file).map_or("", String::as_str);
                let (summary, detail) = explain(&error);
                let mut diagnostic =
                    TfDiagnostic::error(summary, detail).at(location.clone(), text);
                if let Some(block) = block {
                    diagnostic = diagnostic.in_block(block);
                }
                self.diagnostics.push(diagnostic);
                None
            }
        }
    }

    /// Variable values by precedence, converted and validated.
    fn variable_values(&mut self, var_files: &[&str]) -> BTreeMap<String, Value> {
        let mut given: BTreeMap<String, (Value, Location, String)> = BTreeMap::new();
        let mut sources: Vec<String> = Vec::new();
        if self.files.contains_key(DEFAULT_VARIABLES) {
            sources.push(DEFAULT_VARIABLES.into());
        }
        sources.extend(
            self.files
                .keys()
                .filter(|path| is_auto_variables(path))
                .cloned(),
        );
        sources.extend(var_files.iter().map(|s| s.to_string()));
        let declared: Vec<String> = self.variables.iter().map(|v| v.name.clone()).collect();
        let no_functions = Context::new();
        for source in sources {
            let Some(text) = self.files.get(&source).cloned() else {
                continue;
            };
            let body: Body = match parse_body(&source, &text) {
                Ok(body) => body,
                Err(diagnostic) => {
                    self.diagnostics.push(*diagnostic);
                    continue;
                }
            };
            for structure in body.iter() {
                let Structure::Attribute(attribute) = structure else {
                    let at = self.location(&source, structure.span());
                    self.diagnostics.push(
                        TfDiagnostic::error(
                            "Unexpected block",
                            "Blocks are not allowed in a variables file; only name = value assignments.",
                        )
                        .at(at, &text),
                    );
                    continue;
                };
                let name = attribute.key.as_str().to_string();
                let at = self.location(&source, attribute.span());
                let expression: Expression = attribute.value.clone().into();
                if !is_constant(&expression) {
                    self.diagnostics.push(
                        TfDiagnostic::error(
                            "Variables not allowed",
                            "Variables and functions may not be used here: a variables file holds literal values.",
                        )
                        .at(at, &text),
                    );
                    continue;
                }
                let Some(value) = self.eval(&expression, &no_functions, &at, &source, None) else {
                    continue;
                };
                if !declared.contains(&name) {
                    let hint = suggestion(did_you_mean(&name, declared.iter().map(String::as_str)));
                    self.diagnostics.push(
                        TfDiagnostic::warning(
                            "Value for undeclared variable",
                            format!("The root module does not declare a variable named \"{name}\" but a value was found in file \"{source}\".{hint} To use this value, add a \"variable\" block to the configuration."),
                        )
                        .at(at, &text),
                    );
                    continue;
                }
                given.insert(name, (value, at, source.clone()));
            }
        }
        let mut values = BTreeMap::new();
        for variable in self.variables.clone() {
            let text = self
                .files
                .get(&variable.location.file)
                .cloned()
                .unwrap_or_default();
            let value = match given.get(&variable.name) {
                Some((value, at, source)) => {
                    let converted = match &variable.constraint {
                        Some(constraint) => match constraint.convert(value) {
                            Ok(converted) => converted,
                            Err(why) => {
                                let source_text =
                                    self.files.get(source).cloned().unwrap_or_default();
                                self.diagnostics.push(
                                    TfDiagnostic::error(
                                        "Invalid value for input variable",
                                        format!(
                                            "The given value is not suitable for var.{} declared at {}: {why}.",
                                            variable.name,
                                            variable.location.range()
                                        ),
                                    )
                                    .at(at.clone(), &source_text),
                                );
                                continue;
                            }
                        },
                        None => value.clone(),
                    };
                    if matches!(converted, Value::Null) && !variable.nullable {
                        self.diagnostics.push(
                            TfDiagnostic::error(
                                "Required variable not set",
                                format!("Unsuitable value for var.{}: required variable may not be set to null.", variable.name),
                            )
                            .at(variable.location.clone(), &text),
                        );
                        continue;
                    }
                    converted
                }
                None => match &variable.default {
                    Some(default) => default.clone(),
                    None => {
                        self.diagnostics.push(
                            TfDiagnostic::error(
                                "No value for required variable",
                                format!(
                                    "The root module input variable \"{}\" is not set, and has no default value. Use a -var or -var-file command line argument to provide a value for this variable.",
                                    variable.name
                                ),
                            )
                            .at(variable.location.clone(), &text),
                        );
                        continue;
                    }
                },
            };
            // A failed validation points at where the value was set: the variables file that
            // gave it, or the declaration whose default it is.
            let origin = match given.get(&variable.name) {
                Some((_, at, source)) => (
                    at.clone(),
                    self.files.get(source).cloned().unwrap_or_default(),
                ),
                None => (variable.location.clone(), text),
            };
            if self.validate(&variable, &value, &origin) {
                values.insert(variable.name.clone(), value);
            }
        }
        values
    }

    /// Runs a variable's validation blocks; false when one fails.
    fn validate(
        &mut self,
        variable: &Variable,
        value: &Value,
        origin: &(Location, String),
    ) -> bool {
        let mut context = super::functions::context();
        let mut only = Map::new();
        only.insert(variable.name.clone(), value.clone());
        context.declare_var("var", Value::Object(only));
        let mut valid = true;
        for validation in &variable.validations {
            let file = validation.location.file.clone();
            let result = self.eval(
                &validation.condition,
                &context,
                &validation.location,
                &file,
                None,
            );
            match result {
                Some(Value::Bool(true)) => {}
                Some(Value::Bool(false)) => {
                    let message = self
                        .eval(
                            &validation.error_message,
                            &context,
                            &validation.location,
                            &file,
                            None,
                        )
                        .map(|m| super::functions::to_text(&m))
                        .unwrap_or_default();
                    let shown = if variable.sensitive {
                        "(sensitive value)".to_string()
                    } else {
                        render_value(value)
                    };
                    self.diagnostics.push(
                        TfDiagnostic::error(
                            "Invalid value for variable",
                            format!(
                                "{message}\n\nThis was checked by the validation rule at {}.",
                                validation.location.range()
                            ),
                        )
                        .at(origin.0.clone(), &origin.1)
                        .with_value(format!("var.{} is {shown}", variable.name)),
                    );
                    valid = false;
                }
                Some(other) => {
                    self.diagnostics.push(
                        TfDiagnostic::error(
                            "Invalid validation result",
                            format!(
                                "The condition must be a bool, not {}.",
                                render_value(&other)
                            ),
                        )
                        .at(
                            validation.location.clone(),
                            self.files.get(&file).map_or("", String::as_str),
                        ),
                    );
                    valid = false;
                }
                None => valid = false,
            }
        }
        valid
    }

    /// Locals, evaluated in as many passes as their references to each other need.
    fn local_values(&mut self, base: &Context) -> BTreeMap<String, Value> {
        let mut values = BTreeMap::new();
        let mut pending = self.locals.clone();
        while !pending.is_empty() {
            let mut context = base.clone();
            context.declare_var("local", object(&values));
            let before = pending.len();
            pending.retain(|(name, expression, _, _)| {
                match super::budget::check(expression, &context)
                    .and_then(|()| resolve_lazy(expression, &context))
                    .ok()
                    .and_then(|e| e.evaluate(&context).ok())
                {
                    Some(value) => {
                        values.insert(name.clone(), value);
                        false
                    }
                    None => true,
                }
            });
            if pending.len() == before {
                // What is left cannot be evaluated: report each with its own error.
                for (_, expression, location, file) in pending.clone() {
                    self.eval(&expression, &context, &location, &file, Some("in locals"));
                }
                break;
            }
        }
        values
    }

    /// Every resource instance, resources evaluated after those they refer to.
    fn resource_instances(&mut self, context: &mut Context, state: &State) -> Vec<Instance> {
        let order = match self.resource_order() {
            Ok(order) => order,
            Err(cycle) => {
                self.diagnostics.push(TfDiagnostic::error(
                    "Cycle",
                    format!(
                        "The resources refer to each other in a loop: {}.",
                        cycle.join(", ")
                    ),
                ));
                return Vec::new();
            }
        };
        let mut instances = Vec::new();
        let mut by_type: BTreeMap<String, Map<String, Value>> = BTreeMap::new();
        for index in order {
            let resource = self.resources[index].clone();
            let made = self.expand(&resource, context);
            let reference = match &made {
                // A resource with errors reads as unknown, so that the resources referring to
                // it do not report errors of their own: its errors are the ones to fix.
                Expansion::Single(instance) => instance.clone().map_or_else(
                    || unknown_reference(&resource.type_name),
                    |i| reference_value(&i, state),
                ),
                Expansion::Counted(list) => {
                    Value::Array(list.iter().map(|i| reference_value(i, state)).collect())
                }
                Expansion::Keyed(map) => Value::Object(
                    map.iter()
                        .map(|(k, i)| (k.clone(), reference_value(i, state)))
                        .collect(),
                ),
            };
            by_type
                .entry(resource.type_name.clone())
                .or_default()
                .insert(resource.name.clone(), reference);
            context.declare_var(
                resource.type_name.as_str(),
                Value::Object(by_type[&resource.type_name].clone()),
            );
            match made {
                Expansion::Single(instance) => instances.extend(instance),
                Expansion::Counted(list) => instances.extend(list),
                Expansion::Keyed(map) => instances.extend(map.into_values()),
            }
        }
        instances
    }

    /// Resource indexes in an order where each comes after the resources its text refers to.
    fn resource_order(&self) -> Result<Vec<usize>, Vec<String>> {
        let addresses: Vec<String> = self
            .resources
            .iter()
            .map(|r| format!("{}.{}", r.type_name, r.name))
            .collect();
        let depends: Vec<Vec<usize>> = self
            .resources
            .iter()
            .enumerate()
            .map(|(i, r)| {
                addresses
                    .iter()
                    .enumerate()
                    .filter(|(j, address)| *j != i && refers_to(&r.source, address))
                    .map(|(j, _)| j)
                    .collect()
            })
            .collect();
        let mut done = vec![false; self.resources.len()];
        let mut order = Vec::new();
        while order.len() < self.resources.len() {
            let ready = (0..self.resources.len())
                .find(|&i| !done[i] && depends[i].iter().all(|&j| done[j]));
            match ready {
                Some(i) => {
                    done[i] = true;
                    order.push(i);
                }
                None => {
                    return Err((0..self.resources.len())
                        .filter(|&i| !done[i])
                        .map(|i| addresses[i].clone())
                        .collect())
                }
            }
        }
        Ok(order)
    }

    /// Counts `n` more resource instances; false past [`TERRAFORM_MAX_INSTANCES`].
    fn take_instances(&mut self, n: usize) -> bool {
        self.instances = self.instances.saturating_add(n);
        self.instances <= TERRAFORM_MAX_INSTANCES
    }

    fn expand(&mut self, resource: &ResourceBlock, context: &Context) -> Expansion {
        let base = format!("{}.{}", resource.type_name, resource.name);
        let block_name = format!(
            "in resource \"{}\" \"{}\"",
            resource.type_name, resource.name
        );
        let body = &resource.block.body;
        if let Some(count) = body.get_attribute("count") {
            let at = self.location(&resource.file, count.span());
            let expression: Expression = count.value.clone().into();
            let Some(value) =
                self.eval(&expression, context, &at, &resource.file, Some(&block_name))
            else {
                return Expansion::Counted(Vec::new());
            };
            let Some(n) = value.as_u64().filter(|n| *n <= 1000) else {
                self.push_block_error(resource, &at, "Invalid count argument", "The given \"count\" argument value is unsuitable: must be a whole number between 0 and 1000.".into());
                return Expansion::Counted(Vec::new());
            };
            if !self.take_instances(n as usize) {
                self.push_block_error(resource, &at, "Too many resource instances", format!("This configuration would have more than {TERRAFORM_MAX_INSTANCES} resource instances in all; the limit is {TERRAFORM_MAX_INSTANCES}. Lower this \"count\"."));
                return Expansion::Counted(Vec::new());
            }
            let mut list = Vec::new();
            for index in 0..n {
                let mut scoped = context.clone();
                let mut count_object = Map::new();
                count_object.insert("index".to_string(), Value::from(index));
                scoped.declare_var("count", Value::Object(count_object));
                if let Some(instance) =
                    self.instance(resource, &format!("{base}[{index}]"), &scoped)
                {
                    list.push(instance);
                }
            }
            return Expansion::Counted(list);
        }
        if let Some(for_each) = body.get_attribute("for_each") {
            let at = self.location(&resource.file, for_each.span());
            let expression: Expression = for_each.value.clone().into();
            let Some(value) =
                self.eval(&expression, context, &at, &resource.file, Some(&block_name))
            else {
                return Expansion::Keyed(BTreeMap::new());
            };
            let pairs: Vec<(String, Value)> = match value {
                Value::Object(map) => map.into_iter().collect(),
                Value::Array(items) if items.iter().all(|i| matches!(i, Value::String(_))) => items
                    .into_iter()
                    .map(|i| (super::functions::to_text(&i), i))
                    .collect(),
                _ => {
                    self.push_block_error(resource, &at, "Invalid for_each argument", "The given \"for_each\" argument value is unsuitable: the \"for_each\" argument must be a map, or set of strings.".into());
                    return Expansion::Keyed(BTreeMap::new());
                }
            };
            if !self.take_instances(pairs.len()) {
                self.push_block_error(resource, &at, "Too many resource instances", format!("This configuration would have more than {TERRAFORM_MAX_INSTANCES} resource instances in all; the limit is {TERRAFORM_MAX_INSTANCES}. Use a smaller \"for_each\" collection."));
                return Expansion::Keyed(BTreeMap::new());
            }
            let mut map = BTreeMap::new();
            for (key, value) in pairs {
                let mut scoped = context.clone();
                let mut each = Map::new();
                each.insert("key".to_string(), Value::from(key.as_str()));
                each.insert("value".to_string(), value);
                scoped.declare_var("each", Value::Object(each));
                let address = format!("{base}[{}]", super::value::quote(&key));
                if let Some(instance) = self.instance(resource, &address, &scoped) {
                    map.insert(key, instance);
                }
            }
            return Expansion::Keyed(map);
        }
        Expansion::Single(self.instance(resource, &base, context))
    }

    fn push_block_error(
        &mut self,
        resource: &ResourceBlock,
        at: &Location,
        summary: &str,
        detail: String,
    ) {
        let text = self.files.get(&resource.file).map_or("", String::as_str);
        self.diagnostics.push(
            TfDiagnostic::error(summary, detail)
                .at(at.clone(), text)
                .in_block(format!(
                    "in resource \"{}\" \"{}\"",
                    resource.type_name, resource.name
                )),
        );
    }

    /// One instance of a resource, its arguments checked against the provider's schema.
    fn instance(
        &mut self,
        resource: &ResourceBlock,
        address: &str,
        context: &Context,
    ) -> Option<Instance> {
        let schema = schema::resource_type(&resource.type_name)?;
        let mut config = BTreeMap::new();
        let mut lifecycle = Lifecycle::default();
        let mut failed = false;
        let names: Vec<&str> = schema
            .attributes
            .iter()
            .filter(|a| a.kind != Kind::Computed)
            .map(|a| a.name)
            .collect();
        for structure in resource.block.body.iter() {
            match structure {
                Structure::Attribute(attribute) => {
                    let key = attribute.key.as_str();
                    let at = self.location(&resource.file, attribute.span());
                    if matches!(key, "count" | "for_each" | "depends_on" | "provider") {
                        continue;
                    }
                    match schema.attribute(key) {
                        Some(a) if a.kind != Kind::Computed && !a.block => {}
                        found => {
                            let detail = match (found, did_you_mean(key, names.iter().copied())) {
                                (Some(a), _) if a.block => format!("An argument named \"{key}\" is not expected here. Did you mean to define a block of type \"{key}\"?"),
                                (Some(_), _) => format!("The argument \"{key}\" is computed by the provider and cannot be set."),
                                (None, Some(close)) => format!("An argument named \"{key}\" is not expected here. Did you mean \"{close}\"?"),
                                (None, None) => format!("An argument named \"{key}\" is not expected here."),
                            };
                            self.push_block_error(resource, &at, "Unsupported argument", detail);
                            failed = true;
                            continue;
                        }
                    }
                    let expression: Expression = attribute.value.clone().into();
                    let block_name = format!(
                        "in resource \"{}\" \"{}\"",
                        resource.type_name, resource.name
                    );
                    match self.eval(&expression, context, &at, &resource.file, Some(&block_name)) {
                        Some(Value::Null) => {}
                        Some(value) => {
                            config.insert(key.to_string(), value);
                        }
                        None => failed = true,
                    }
                }
                Structure::Block(block) if block.ident.as_str() == "lifecycle" => {
                    for attribute in block.body.attributes() {
                        let value = Expression::from(attribute.value.clone());
                        match (attribute.key.as_str(), value) {
                            ("prevent_destroy", Expression::Bool(b)) => {
                                lifecycle.prevent_destroy = b
                            }
                            ("create_before_destroy", Expression::Bool(b)) => {
                                lifecycle.create_before_destroy = b
                            }
                            ("ignore_changes", Expression::Array(items)) => {
                                lifecycle.ignore_changes = items
                                    .iter()
                                    .filter_map(|item| match item {
                                        Expression::Variable(v) => Some(v.to_string()),
                                        Expression::Traversal(_) => Some(item.to_string()),
                                        _ => None,
                                    })
                                    .collect();
                            }
                            (other, _) => {
                                let at = self.location(&resource.file, attribute.span());
                                self.push_block_error(resource, &at, "Invalid lifecycle argument", format!("The lifecycle argument \"{other}\" takes a literal value (true, false, or a list of attribute names)."));
                                failed = true;
                            }
                        }
                    }
                }
                Structure::Block(block) => {
                    // A `dynamic "rule"` block generates `rule` blocks.
                    let dynamic = block.ident.as_str() == "dynamic";
                    let key = if dynamic {
                        label(block, 0).unwrap_or_default()
                    } else {
                        block.ident.as_str().to_string()
                    };
                    let at = self.location(&resource.file, block.span());
                    // A dynamic block without its label reports that itself.
                    let unlabelled = dynamic && key.is_empty();
                    let known = schema.attribute(&key).is_some_and(|a| a.block);
                    if !(known || unlabelled) {
                        self.push_block_error(
                            resource,
                            &at,
                            "Unsupported block type",
                            format!("Blocks of type \"{key}\" are not expected here."),
                        );
                        failed = true;
                        continue;
                    }
                    let generated = if dynamic {
                        self.dynamic_blocks(block, context, &resource.file)
                            .map(|(_, values)| values)
                    } else {
                        self.block_value(&block.body, context, &resource.file)
                            .map(|value| vec![value])
                    };
                    let Some(values) = generated else {
                        failed = true;
                        continue;
                    };
                    if let Value::Array(list) = config
                        .entry(key)
                        .or_insert_with(|| Value::Array(Vec::new()))
                    {
                        list.extend(values);
                    }
                }
            }
        }
        for attribute in schema
            .attributes
            .iter()
            .filter(|a| a.kind == Kind::Required)
        {
            if !config.contains_key(attribute.name) {
                let what = if attribute.block {
                    format!("At least 1 \"{}\" blocks are required.", attribute.name)
                } else {
                    format!(
                        "The argument \"{}\" is required, but no definition was found.",
                        attribute.name
                    )
                };
                let summary = if attribute.block {
                    "Insufficient blocks"
                } else {
                    "Missing required argument"
                };
                let location = resource.location.clone();
                self.push_block_error(resource, &location, summary, what);
                failed = true;
            }
        }
        if failed {
            return None;
        }
        Some(Instance {
            address: address.to_string(),
            type_name: resource.type_name.clone(),
            config,
            lifecycle,
            location: resource.location.clone(),
        })
    }

    /// A nested block's arguments (and its own nested blocks) as an object.
    fn block_value(&mut self, body: &Body, context: &Context, file: &str) -> Option<Value> {
        let mut object = Map::new();
        for structure in body.iter() {
            match structure {
                Structure::Attribute(attribute) => {
                    let expression: Expression = attribute.value.clone().into();
                    let here = self.location(file, attribute.span());
                    let value = self.eval(&expression, context, &here, file, None)?;
                    object.insert(attribute.key.as_str().to_string(), value);
                }
                Structure::Block(block) if block.ident.as_str() == "dynamic" => {
                    let (key, values) = self.dynamic_blocks(block, context, file)?;
                    if let Value::Array(list) = object
                        .entry(key)
                        .or_insert_with(|| Value::Array(Vec::new()))
                    {
                        list.extend(values);
                    }
                }
                Structure::Block(block) => {
                    let value = self.block_value(&block.body, context, file)?;
                    if let Value::Array(list) = object
                        .entry(block.ident.as_str().to_string())
                        .or_insert_with(|| Value::Array(Vec::new()))
                    {
                        list.push(value);
                    }
                }
            }
        }
        Some(Value::Object(object))
    }

    /// The blocks a `dynamic "name" { for_each = ...; iterator = ...; content { ... } }` block
    /// generates: one `content` per element, with the iterator's `key` and `value`.
    fn dynamic_blocks(
        &mut self,
        block: &Block,
        context: &Context,
        file: &str,
    ) -> Option<(String, Vec<Value>)> {
        let text = self.files.get(file).cloned().unwrap_or_default();
        let at = self.location(file, block.span());
        let fail = |reader: &mut Self, summary: &str, detail: String| {
            reader
                .diagnostics
                .push(TfDiagnostic::error(summary, detail).at(at.clone(), &text));
            None
        };
        let Some(name) = label(block, 0).filter(|_| block.labels.len() == 1) else {
            return fail(
                self,
                "Missing name for dynamic block",
                "A dynamic block needs one label: the type of the blocks it generates.".into(),
            );
        };
        let mut for_each = None;
        let mut iterator = name.clone();
        let mut content = None;
        for structure in block.body.iter() {
            match structure {
                Structure::Attribute(attribute) if attribute.key.as_str() == "for_each" => {
                    let expression: Expression = attribute.value.clone().into();
                    let here = self.location(file, attribute.span());
                    for_each = Some(self.eval(&expression, context, &here, file, None)?);
                }
                Structure::Attribute(attribute) if attribute.key.as_str() == "iterator" => {
                    iterator = Expression::from(attribute.value.clone())
                        .to_string()
                        .trim()
                        .to_string();
                }
                Structure::Block(inner) if inner.ident.as_str() == "content" => {
                    content = Some(inner.body.clone());
                }
                other => {
                    let what = match other {
                        Structure::Attribute(attribute) => attribute.key.as_str().to_string(),
                        Structure::Block(inner) => inner.ident.as_str().to_string(),
                    };
                    return fail(
                        self,
                        "Unsupported argument",
                        format!("An argument or block named \"{what}\" is not expected in a dynamic block: it takes for_each, iterator and content."),
                    );
                }
            }
        }
        let (Some(for_each), Some(content)) = (for_each, content) else {
            return fail(
                self,
                "Invalid dynamic block",
                format!(
                    "The dynamic \"{name}\" block needs a for_each argument and a content block."
                ),
            );
        };
        let elements: Vec<(Value, Value)> = match for_each {
            Value::Array(items) => items
                .into_iter()
                .enumerate()
                .map(|(index, item)| (Value::from(index as u64), item))
                .collect(),
            Value::Object(map) => map.into_iter().map(|(k, v)| (Value::from(k), v)).collect(),
            Value::Null => Vec::new(),
            other => {
                return fail(
                    self,
                    "Invalid dynamic for_each value",
                    format!(
                        "Cannot use a {} value in for_each. An iterable collection is required.",
                        type_name_of(&other)
                    ),
                )
            }
        };
        let mut values = Vec::with_capacity(elements.len());
        for (key, value) in elements {
            let mut scope = context.clone();
            let mut each = Map::new();
            each.insert("key".to_string(), key);
            each.insert("value".to_string(), value);
            scope.declare_var(iterator.as_str(), Value::Object(each));
            values.push(self.block_value(&content, &scope, file)?);
        }
        Some((name, values))
    }
}

/// Terraform's name for the type of a value, in messages.
fn type_name_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "list",
        Value::Object(_) => "object",
    }
}

enum Expansion {
    Single(Option<Instance>),
    Counted(Vec<Instance>),
    Keyed(BTreeMap<String, Instance>),
}

/// What a resource that could not be evaluated reads as: every attribute unknown.
fn unknown_reference(type_name: &str) -> Value {
    let mut object = Map::new();
    for attribute in schema::resource_type(type_name)
        .map(|t| t.attributes)
        .unwrap_or_default()
    {
        object.insert(attribute.name.to_string(), Value::from(UNKNOWN));
    }
    Value::Object(object)
}

/// What `type.name` reads as from another resource: its arguments, its defaults, and its
/// computed attributes from the state, or unknown until applied.
fn reference_value(instance: &Instance, state: &State) -> Value {
    let mut object = Map::new();
    let mut prior = state.resources.get(&instance.address);
    if let Some(schema) = schema::resource_type(&instance.type_name) {
        // A resource about to be replaced gets new computed values: none of the old ones hold.
        let replaced = prior.is_some_and(|prior| {
            schema.attributes.iter().filter(|a| a.forces_new).any(|a| {
                instance.config.get(a.name).is_some_and(|value| {
                    !contains_unknown(value) && prior.attributes.get(a.name) != Some(value)
                })
            })
        });
        if replaced {
            prior = None;
        }
        for attribute in &schema.attributes {
            let value = instance
                .config
                .get(attribute.name)
                .cloned()
                .or_else(|| attribute.default.clone())
                .or_else(|| match attribute.kind {
                    Kind::Computed | Kind::OptionalComputed => Some(
                        prior
                            .and_then(|p| p.attributes.get(attribute.name).cloned())
                            .unwrap_or_else(|| Value::from(UNKNOWN)),
                    ),
                    _ => None,
                })
                .unwrap_or(Value::Null);
            object.insert(attribute.name.to_string(), value);
        }
    }
    Value::Object(object)
}

/// The expression with every `try(...)` and `can(...)` replaced by its result. Both need their
/// arguments unevaluated (an argument's error is their input, not a failure), which hcl-rs's
/// functions cannot take, so they are resolved before evaluation. Calls inside `for`
/// expressions and string templates are left to the evaluator.
pub(super) fn resolve_lazy(
    expression: &Expression,
    context: &Context,
) -> Result<Expression, String> {
    let resolve = |e: &Expression| resolve_lazy(e, context);
    Ok(match expression {
        Expression::FuncCall(call) if call.name.namespace.is_empty() => {
            let name = call.name.name.as_str();
            match name {
                "try" => {
                    for argument in &call.args {
                        if let Ok(value) = resolve(argument)
                            .and_then(|e| e.evaluate(context).map_err(|error| error.to_string()))
                        {
                            return Ok(Expression::from(value));
                        }
                    }
                    return Err("Call to function \"try\" failed: no expression succeeded.".into());
                }
                "can" => {
                    let [argument] = &call.args[..] else {
                        return Err("Function \"can\" takes exactly one argument.".into());
                    };
                    let ok = resolve(argument)
                        .ok()
                        .is_some_and(|e| e.evaluate(context).is_ok());
                    return Ok(Expression::Bool(ok));
                }
                _ => {
                    let mut resolved = (**call).clone();
                    resolved.args = call.args.iter().map(resolve).collect::<Result<_, _>>()?;
                    Expression::FuncCall(Box::new(resolved))
                }
            }
        }
        Expression::Array(items) => {
            Expression::Array(items.iter().map(resolve).collect::<Result<_, _>>()?)
        }
        Expression::Object(object) => {
            let mut resolved = object.clone();
            for value in resolved.values_mut() {
                *value = resolve(value)?;
            }
            Expression::Object(resolved)
        }
        Expression::Parenthesis(inner) => Expression::Parenthesis(Box::new(resolve(inner)?)),
        Expression::Conditional(conditional) => {
            let mut resolved = (**conditional).clone();
            resolved.cond_expr = resolve(&conditional.cond_expr)?;
            resolved.true_expr = resolve(&conditional.true_expr)?;
            resolved.false_expr = resolve(&conditional.false_expr)?;
            Expression::Conditional(Box::new(resolved))
        }
        Expression::Operation(operation) => {
            let mut resolved = (**operation).clone();
            match &mut resolved {
                hcl::expr::Operation::Unary(unary) => unary.expr = resolve(&unary.expr)?,
                hcl::expr::Operation::Binary(binary) => {
                    binary.lhs_expr = resolve(&binary.lhs_expr)?;
                    binary.rhs_expr = resolve(&binary.rhs_expr)?;
                }
            }
            Expression::Operation(Box::new(resolved))
        }
        Expression::Traversal(traversal) => {
            let mut resolved = (**traversal).clone();
            resolved.expr = resolve(&traversal.expr)?;
            Expression::Traversal(Box::new(resolved))
        }
        other => other.clone(),
    })
}

/// Whether `source` mentions `address` as a reference (`aws_iam_user.partner.name`).
fn refers_to(source: &str, address: &str) -> bool {
    source.match_indices(address).any(|(at, _)| {
        let before = source[..at].chars().next_back();
        let after = source[at + address.len()..].chars().next();
        !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.' || c == '"')
            && !after.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '-')
    })
}

/// Whether an expression in a variables file is a literal value.
fn is_constant(expression: &Expression) -> bool {
    match expression {
        Expression::Null | Expression::Bool(_) | Expression::Number(_) | Expression::String(_) => {
            true
        }
        Expression::Array(items) => items.iter().all(is_constant),
        Expression::Object(map) => map.values().all(is_constant),
        Expression::TemplateExpr(template) => {
            let text = template.to_string();
            !text.contains("${") && !text.contains("%{")
        }
        Expression::Parenthesis(inner) => is_constant(inner),
        Expression::Operation(operation) => matches!(
            operation.as_ref(),
            hcl::expr::Operation::Unary(unary) if is_constant(&unary.expr)
        ),
        _ => false,
    }
}

/// Terraform's summary and detail for an evaluation error.
fn explain(error: &hcl::eval::Error) -> (String, String) {
    use hcl::eval::ErrorKind;
    let expression = error.expr().map(ToString::to_string).unwrap_or_default();
    match error.kind() {
        ErrorKind::UndefinedVar(name) => (
            "Reference to undeclared resource".into(),
            format!("There is no variable or resource named \"{name}\"."),
        ),
        ErrorKind::NoSuchKey(key) if expression.starts_with("var.") => (
            "Reference to undeclared input variable".into(),
            format!("An input variable with the name \"{key}\" has not been declared. This variable can be declared with a variable \"{key}\" {{}} block."),
        ),
        ErrorKind::NoSuchKey(key) if expression.starts_with("local.") => (
            "Reference to undeclared local value".into(),
            format!("A local value with the name \"{key}\" has not been declared."),
        ),
        ErrorKind::NoSuchKey(key) => (
            "Unsupported attribute".into(),
            format!("This object does not have an attribute named \"{key}\"."),
        ),
        ErrorKind::UndefinedFunc(name) => {
            let name = name.to_string();
            let hint = suggestion(did_you_mean(&name, super::functions::FUNCTIONS));
            (
                "Call to unknown function".into(),
                format!("There is no function named \"{name}\".{hint}"),
            )
        }
        ErrorKind::FuncCall(name, message) => (
            "Error in function call".into(),
            format!("Call to function \"{name}\" failed: {message}."),
        ),
        other => ("Invalid expression".into(), capitalize(&other.to_string())),
    }
}

/// ` Did you mean "close"?`, or nothing, to end a message about a typo.
fn suggestion(close: Option<&str>) -> String {
    close.map_or(String::new(), |close| format!(" Did you mean \"{close}\"?"))
}

/// How many parsed files [`parse_body`] keeps, and the longest text it keeps one for.
const PARSED_KEPT: usize = 32;
const PARSED_MAX_TEXT: usize = 64 * 1024;

thread_local! {
    /// Files parsed lately, by their text, newest last. A world plans every environment after
    /// each edit, and each plan (each wave of an apply) reads every file of the project: all
    /// but the edited one are the same texts, and a copy of their syntax costs a tenth of
    /// parsing them again.
    static PARSED: std::cell::RefCell<Vec<(u64, String, Body)>> = const {
        std::cell::RefCell::new(Vec::new())
    };
}

/// Parses one file of HCL, or says where its syntax breaks, as Terraform does.
fn parse_body(path: &str, text: &str) -> Result<Body, Box<TfDiagnostic>> {
    if text.len() > PARSED_MAX_TEXT {
        return parse_body_anew(path, text);
    }
    let hash = {
        use std::hash::{Hash, Hasher};
        let mut hasher = rustc_hash::FxHasher::default();
        text.hash(&mut hasher);
        hasher.finish()
    };
    let kept = PARSED.with_borrow(|parsed| {
        parsed
            .iter()
            .find(|(h, kept, _)| *h == hash && kept == text)
            .map(|(_, _, body)| body.clone())
    });
    if let Some(body) = kept {
        return Ok(body);
    }
    let body = parse_body_anew(path, text)?;
    PARSED.with_borrow_mut(|parsed| {
        if parsed.len() == PARSED_KEPT {
            parsed.remove(0);
        }
        parsed.push((hash, text.to_string(), body.clone()));
    });
    Ok(body)
}

fn parse_body_anew(path: &str, text: &str) -> Result<Body, Box<TfDiagnostic>> {
    hcl::edit::parser::parse_body(text).map_err(|error| {
        let location = error.location();
        let at = Location {
            file: path.to_string(),
            line: location.line(),
            column: location.column(),
            end_column: location.column() + 1,
        };
        let line = text
            .lines()
            .nth(at.line.saturating_sub(1))
            .unwrap_or_default();
        let (summary, detail) = terraform_wording(line, at.column, error.message())
            .unwrap_or_else(|| ("Invalid syntax", capitalize(error.message())));
        Box::new(TfDiagnostic::error(summary, detail).at(at, text))
    })
}

/// What Terraform says of a syntax mistake at `column` (1-based) of `line`, when the parser's
/// `message` is one it words its own way: an operator HCL does not have, or an argument that
/// goes on after its value.
fn terraform_wording(line: &str, column: usize, message: &str) -> Option<(&'static str, String)> {
    let mut rest = line.chars().skip(column.saturating_sub(1));
    let (first, second) = (rest.next()?, rest.next());
    let bitwise = match (first, second) {
        ('&', next) if next != Some('&') => Some(" Did you mean boolean AND (\"&&\")?"),
        ('|', next) if next != Some('|') => Some(" Did you mean boolean OR (\"||\")?"),
        ('^', _) => Some(""),
        ('~', _) => Some(" Did you mean boolean NOT (\"!\")?"),
        _ => None,
    };
    if let Some(suggestion) = bitwise {
        return Some((
            "Unsupported operator",
            format!("Bitwise operators are not supported.{suggestion}"),
        ));
    }
    // Past the value of an argument (`name = value`) on the same line.
    let before: String = line.chars().take(column.saturating_sub(1)).collect();
    let argument = before
        .trim_start()
        .split_once('=')
        .is_some_and(|(name, value)| {
            !value.starts_with('=')
                && !name.trim().is_empty()
                && name
                    .trim()
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
        });
    if message == "expected newline or eof" && argument {
        const DETAIL: &str = "An argument definition must end with a newline.";
        return Some(if first == ',' {
            (
                "Unexpected comma after argument",
                format!("Argument definitions must be separated by newlines, not commas. {DETAIL}"),
            )
        } else {
            ("Missing newline after argument", DETAIL.to_string())
        });
    }
    None
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or(String::new(), |first| {
        first.to_uppercase().chain(chars).collect()
    })
}
