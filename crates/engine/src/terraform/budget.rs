//! How much an HCL expression may build, estimated before hcl-rs evaluates it.
//!
//! hcl-rs evaluates `for` expressions, string templates and their `%{ for }` directives
//! without a hook to stop it, so three nested `for` over a 1024-element `range` would build a
//! billion values before anything could check. [`check`] walks the expression first and bounds
//! what it would build: a reference costs the size of the value it names, a `for` costs the
//! length of its collection times its body (an iteration variable is bounded by its whole
//! collection), a function call the size of its arguments plus what the function may add.
//! Functions that grow strings check their own results ([`check_size`]).

use crate::limits::{
    short_count, TERRAFORM_MAX_FORMAT_WIDTH, TERRAFORM_MAX_VALUES, TERRAFORM_MAX_VALUE_SIZE,
};
use hcl::eval::{Context, Evaluate};
use hcl::expr::{Operation, TraversalOperator};
use hcl::template::{Directive, Element, Template};
use hcl::{Expression, Value};
use std::collections::HashMap;

/// Fails when `expression` would build more than [`TERRAFORM_MAX_VALUES`] values.
pub fn check(expression: &Expression, context: &Context) -> Result<(), String> {
    let mut estimate = Estimate {
        context,
        bound: HashMap::new(),
        depth: 0,
    };
    let size = estimate.expression(expression);
    if size > TERRAFORM_MAX_VALUES as f64 {
        return Err(format!(
            "This expression would build about {} values (strings counted by their bytes); the limit is {}. Iterate over smaller collections or fewer nested `for` expressions.",
            short_count(size),
            short_count(TERRAFORM_MAX_VALUES as f64)
        ));
    }
    Ok(())
}

/// Fails when a function's result is larger than [`TERRAFORM_MAX_VALUE_SIZE`].
pub fn check_size(value: Value) -> Result<Value, String> {
    let size = value_size(&value, TERRAFORM_MAX_VALUE_SIZE as f64);
    if size > TERRAFORM_MAX_VALUE_SIZE as f64 {
        return Err(too_large());
    }
    Ok(value)
}

/// What a function says when its result would pass [`TERRAFORM_MAX_VALUE_SIZE`].
pub fn too_large() -> String {
    format!(
        "the result would be larger than {} KiB, the limit",
        TERRAFORM_MAX_VALUE_SIZE / 1024
    )
}

/// The size of a value: bytes of its strings plus one per element, counted up to `stop`.
pub fn value_size(value: &Value, stop: f64) -> f64 {
    let mut total = 0.0;
    let mut stack = vec![value];
    while let Some(value) = stack.pop() {
        total += 1.0;
        match value {
            Value::String(text) => total += text.len() as f64,
            Value::Array(items) => stack.extend(items.iter()),
            Value::Object(map) => {
                for (key, item) in map {
                    total += key.len() as f64;
                    stack.push(item);
                }
            }
            _ => {}
        }
        if total > stop {
            break;
        }
    }
    total
}

struct Estimate<'c, 'a> {
    context: &'c Context<'a>,
    /// Iteration variables in scope, bounded by the size of their collection.
    bound: HashMap<String, f64>,
    depth: usize,
}

/// A collection whose estimate is under this is built to know its length.
const CHEAP: f64 = 100_000.0;

/// Past this nesting the estimate gives up and calls the expression too large: hcl-rs's own
/// parser stops well before.
const MAX_DEPTH: usize = 256;

impl Estimate<'_, '_> {
    fn expression(&mut self, expression: &Expression) -> f64 {
        if self.depth > MAX_DEPTH {
            return f64::INFINITY;
        }
        self.depth += 1;
        let size = self.expression_inner(expression);
        self.depth -= 1;
        size
    }

    fn expression_inner(&mut self, expression: &Expression) -> f64 {
        match expression {
            Expression::Null | Expression::Bool(_) | Expression::Number(_) => 1.0,
            Expression::String(text) => 1.0 + text.len() as f64,
            Expression::Array(items) => 1.0 + items.iter().map(|i| self.expression(i)).sum::<f64>(),
            Expression::Object(object) => {
                1.0 + object
                    .iter()
                    .map(|(key, value)| key.to_string().len() as f64 + self.expression(value))
                    .sum::<f64>()
            }
            Expression::TemplateExpr(template) => match Template::from_expr(template) {
                Ok(template) => self.template(&template),
                Err(_) => 1.0,
            },
            Expression::Variable(variable) => self.reference(variable.as_str(), expression),
            Expression::Traversal(traversal) => {
                let index_cost: f64 = traversal
                    .operators
                    .iter()
                    .map(|operator| match operator {
                        TraversalOperator::Index(index) => self.expression(index),
                        _ => 0.0,
                    })
                    .sum();
                let root = match &traversal.expr {
                    Expression::Variable(variable) if is_plain(traversal) => {
                        self.reference(variable.as_str(), expression)
                    }
                    Expression::Variable(variable) => {
                        self.reference(variable.as_str(), &traversal.expr)
                    }
                    other => self.expression(other),
                };
                root + index_cost
            }
            Expression::FuncCall(call) => {
                let args: Vec<f64> = call.args.iter().map(|a| self.expression(a)).collect();
                let total: f64 = args.iter().sum();
                let grown = match call.name.name.as_str() {
                    "range" => 1024.0 * 2.0,
                    "format" => TERRAFORM_MAX_FORMAT_WIDTH as f64 * args.len() as f64,
                    "replace" => match args[..] {
                        [text, _, to] => (text + 1.0) * (to + 1.0),
                        _ => 0.0,
                    },
                    "split" => total,
                    _ => 0.0,
                };
                1.0 + total + grown
            }
            Expression::Parenthesis(inner) => self.expression(inner),
            Expression::Conditional(conditional) => {
                self.expression(&conditional.cond_expr)
                    + self
                        .expression(&conditional.true_expr)
                        .max(self.expression(&conditional.false_expr))
            }
            Expression::Operation(operation) => match operation.as_ref() {
                Operation::Unary(unary) => 1.0 + self.expression(&unary.expr),
                Operation::Binary(binary) => {
                    1.0 + self.expression(&binary.lhs_expr) + self.expression(&binary.rhs_expr)
                }
            },
            Expression::ForExpr(for_expr) => {
                let (collection, length, element) = self.collection(&for_expr.collection_expr);
                let saved = self.bind(
                    std::iter::once(&for_expr.value_var).chain(for_expr.key_var.as_ref()),
                    element,
                );
                let mut body = self.expression(&for_expr.value_expr);
                if let Some(key) = &for_expr.key_expr {
                    body += self.expression(key);
                }
                if let Some(condition) = &for_expr.cond_expr {
                    body += self.expression(condition);
                }
                self.restore(saved);
                collection + length * body.max(1.0)
            }
            // A kind of expression this estimate does not know costs what its text says.
            other => other.to_string().len() as f64,
        }
    }

    fn template(&mut self, template: &Template) -> f64 {
        let mut total = 1.0;
        for element in template.elements() {
            total += match element {
                Element::Literal(text) => text.len() as f64,
                Element::Interpolation(interpolation) => self.expression(&interpolation.expr),
                Element::Directive(directive) => match directive.as_ref() {
                    Directive::If(branch) => {
                        self.expression(&branch.cond_expr)
                            + self.template(&branch.true_template).max(
                                branch
                                    .false_template
                                    .as_ref()
                                    .map_or(0.0, |t| self.template(t)),
                            )
                    }
                    Directive::For(each) => {
                        let (collection, length, element) = self.collection(&each.collection_expr);
                        let saved = self.bind(
                            std::iter::once(&each.value_var).chain(each.key_var.as_ref()),
                            element,
                        );
                        let body = self.template(&each.template);
                        self.restore(saved);
                        collection + length * body.max(1.0)
                    }
                },
            };
        }
        total
    }

    fn restore(&mut self, saved: Vec<(String, Option<f64>)>) {
        for (name, previous) in saved {
            match previous {
                Some(size) => self.bound.insert(name, size),
                None => self.bound.remove(&name),
            };
        }
    }

    /// The size of what a variable or a traversal from it names: an iteration variable's
    /// bound, or the value itself when the context holds it.
    fn reference(&self, name: &str, expression: &Expression) -> f64 {
        if let Some(bound) = self.bound.get(name) {
            return *bound;
        }
        match expression.evaluate(self.context) {
            Ok(value) => value_size(&value, f64::INFINITY),
            Err(_) => 1.0,
        }
    }

    /// What a `for` iterates over: the cost of building the collection, its length, and a
    /// bound on one element. A collection that needs no iteration variable and is cheap to
    /// build is built, to know them exactly; otherwise its size bounds all three.
    fn collection(&mut self, expression: &Expression) -> (f64, f64, f64) {
        let cost = self.expression(expression);
        if cost > CHEAP || self.mentions_bound(expression) {
            return (cost, cost, cost);
        }
        let value = resolve_and_evaluate(expression, self.context);
        match value {
            Some(Value::Array(items)) => {
                let element = items
                    .iter()
                    .map(|i| value_size(i, f64::INFINITY))
                    .fold(1.0, f64::max);
                (cost, items.len() as f64, element)
            }
            Some(Value::Object(map)) => {
                let element = map
                    .iter()
                    .map(|(k, v)| value_size(v, f64::INFINITY).max(k.len() as f64))
                    .fold(1.0, f64::max);
                (cost, map.len() as f64, element)
            }
            _ => (cost, 1.0, cost),
        }
    }

    fn bind<'n>(
        &mut self,
        names: impl Iterator<Item = &'n hcl::Identifier>,
        bound: f64,
    ) -> Vec<(String, Option<f64>)> {
        names
            .map(|name| {
                let name = name.as_str().to_string();
                let previous = self.bound.insert(name.clone(), bound);
                (name, previous)
            })
            .collect()
    }

    fn mentions_bound(&self, expression: &Expression) -> bool {
        let text = expression.to_string();
        self.bound.keys().any(|name| text.contains(name.as_str()))
    }
}

/// `expression` evaluated, `try` and `can` included.
fn resolve_and_evaluate(expression: &Expression, context: &Context) -> Option<Value> {
    super::config::resolve_lazy(expression, context)
        .ok()?
        .evaluate(context)
        .ok()
}

/// A traversal made of attribute names and literal indexes: evaluating it is a lookup.
fn is_plain(traversal: &hcl::expr::Traversal) -> bool {
    traversal.operators.iter().all(|operator| match operator {
        TraversalOperator::GetAttr(_) | TraversalOperator::LegacyIndex(_) => true,
        TraversalOperator::Index(index) => {
            matches!(index, Expression::Number(_) | Expression::String(_))
        }
        _ => false,
    })
}
