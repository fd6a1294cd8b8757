//! Budgets for Go templates (alert messages and Helm charts), run by `gotmpl`.
//!
//! `gotmpl` bounds `range` iterations and nesting depth; what it cannot see is work done
//! through functions: `printf` doubling a string forty times, `include` calling itself twice
//! per level, `{{template}}` recursion that fans out. Here every function a template calls
//! is metered (one call, plus the bytes it returns) against [`TEMPLATE_MAX_CALLS`] and
//! [`TEMPLATE_MAX_BYTES`]; `print`, `printf` and `println` are checked before they allocate;
//! output is written through a writer that stops at the output limit; and templates that call
//! themselves more than once per level are refused before they run.

use crate::limits::{short_count, TEMPLATE_MAX_BYTES, TEMPLATE_MAX_CALLS};
use gotmpl::parse::{ListNode, Node};
use gotmpl::{Template, TemplateError, Value};
use std::cell::Cell;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, OnceLock};

thread_local! {
    /// Calls and bytes spent by the render running on this thread, and how many renders are
    /// nested in it (an `include` runs one inside another).
    static METER: Cell<(u64, u64, u32)> = const { Cell::new((0, 0, 0)) };
}

/// A render in progress: the meter starts at zero for the outermost one.
pub struct Render(());

impl Render {
    pub fn start() -> Render {
        METER.with(|meter| {
            let (calls, bytes, depth) = meter.get();
            meter.set(if depth == 0 {
                (0, 0, 1)
            } else {
                (calls, bytes, depth + 1)
            });
        });
        Render(())
    }
}

impl Drop for Render {
    fn drop(&mut self) {
        METER.with(|meter| {
            let (calls, bytes, depth) = meter.get();
            meter.set((calls, bytes, depth.saturating_sub(1)));
        });
    }
}

/// Spends one call and `bytes`; an error once the render is over either budget.
pub fn charge(bytes: usize) -> gotmpl::Result<()> {
    METER.with(|meter| {
        let (calls, spent, depth) = meter.get();
        let calls = calls.saturating_add(1);
        let spent = spent.saturating_add(bytes as u64);
        meter.set((calls, spent, depth));
        if calls > TEMPLATE_MAX_CALLS {
            return Err(TemplateError::Exec(format!(
                "the template made more than {} function calls, the limit",
                short_count(TEMPLATE_MAX_CALLS as f64)
            )));
        }
        if spent > TEMPLATE_MAX_BYTES {
            return Err(over_bytes());
        }
        Ok(())
    })
}

fn over_bytes() -> TemplateError {
    TemplateError::Exec(format!(
        "the template built more than {} MiB of text, the limit",
        TEMPLATE_MAX_BYTES / (1024 * 1024)
    ))
}

/// The bytes a render may still spend.
fn remaining() -> u64 {
    METER.with(|meter| TEMPLATE_MAX_BYTES.saturating_sub(meter.get().1))
}

/// The size a value's text takes, as functions return it.
fn size_of(value: &Value) -> usize {
    match value {
        Value::String(text) => text.len(),
        Value::List(items) => items.len(),
        Value::Map(entries) => entries.len(),
        _ => 1,
    }
}

/// The size of a whole value (one per node, plus the bytes of its strings), counted until it
/// passes `limit`. Lists and maps share their parts, so `list $l $l` forty times is small in
/// memory but huge once printed or serialized: this is what printing it would cost.
pub fn weight(value: &Value, limit: u64) -> u64 {
    let mut total: u64 = 0;
    let mut stack = vec![value];
    while let Some(value) = stack.pop() {
        total = total.saturating_add(1);
        match value {
            Value::String(text) => total = total.saturating_add(text.len() as u64),
            Value::List(items) => stack.extend(items.iter()),
            Value::Map(entries) => {
                for (key, item) in entries.iter() {
                    total = total.saturating_add(key.len() as u64);
                    stack.push(item);
                }
            }
            _ => {}
        }
        if total > limit {
            break;
        }
    }
    total
}

/// Fails unless `bytes` more fit in what the render may still build.
pub fn ensure_room(bytes: u64) -> gotmpl::Result<()> {
    if bytes > remaining() {
        return Err(over_bytes());
    }
    Ok(())
}

/// The arguments' whole size, which bounds what most functions build from them.
fn arguments_weight(args: &[Value]) -> u64 {
    let limit = remaining();
    args.iter()
        .map(|arg| weight(arg, limit))
        .fold(0u64, u64::saturating_add)
}

/// Registers functions that are metered: each call spends one call and the size of its result.
pub trait Metered: Sized {
    fn metered(
        self,
        name: &str,
        f: impl Fn(&[Value]) -> gotmpl::Result<Value> + Send + Sync + 'static,
    ) -> Self;

    /// `print`, `printf` and `println`, metered, checked before they build their text.
    fn metered_printing(self) -> Self;
}

impl Metered for Template {
    fn metered(
        self,
        name: &str,
        f: impl Fn(&[Value]) -> gotmpl::Result<Value> + Send + Sync + 'static,
    ) -> Self {
        self.func(name, move |args| {
            charge(0)?;
            ensure_room(arguments_weight(args))?;
            let value = f(args)?;
            charge(size_of(&value))?;
            Ok(value)
        })
    }

    fn metered_printing(self) -> Self {
        ["print", "printf", "println"]
            .into_iter()
            .fold(self, |template, name| {
                template.metered(name, move |args| printing(name, args))
            })
    }
}

/// The widest field `printf` pads to (gotmpl clamps widths and precisions there).
const MAX_PRINTF_WIDTH: u64 = u16::MAX as u64;
/// The most arguments a metered `printf` passes on.
const MAX_PRINT_ARGS: usize = 32;

/// Runs the built-in `name` over `args` once its output is known to fit the budget.
fn printing(name: &'static str, args: &[Value]) -> gotmpl::Result<Value> {
    if args.len() > MAX_PRINT_ARGS {
        return Err(TemplateError::Exec(format!(
            "{name}: more than {MAX_PRINT_ARGS} arguments"
        )));
    }
    let verbs = match args.first() {
        Some(Value::String(format)) if name == "printf" => format.matches('%').count() as u64,
        _ => 0,
    };
    // Printed values take about their weight, and each verb may pad to its width.
    let estimate = arguments_weight(args)
        .saturating_mul(2)
        .saturating_add(verbs.saturating_mul(MAX_PRINTF_WIDTH));
    ensure_room(estimate)?;
    let proxy = &proxies()[args.len()];
    let data = Value::Map(Arc::new(
        args.iter()
            .enumerate()
            .map(|(index, arg)| (Arc::from(format!("a{index}").as_str()), arg.clone()))
            .chain(std::iter::once((
                Arc::from("name"),
                Value::String(Arc::from(name)),
            )))
            .collect(),
    ));
    let template = match name {
        "print" => "print",
        "println" => "println",
        _ => "printf",
    };
    proxy
        .execute_template_to_string(template, &data)
        .map(|text| Value::String(Arc::from(text)))
        .map_err(|error| {
            TemplateError::Exec(
                error
                    .to_string()
                    .trim_start_matches("execution error: ")
                    .to_string(),
            )
        })
}

/// One template per argument count that calls the built-in printing functions, so that the
/// metered ones behave exactly as gotmpl's.
fn proxies() -> &'static Vec<Template> {
    static PROXIES: OnceLock<Vec<Template>> = OnceLock::new();
    PROXIES.get_or_init(|| {
        (0..=MAX_PRINT_ARGS)
            .map(|count| {
                let args: String = (0..count).map(|i| format!(" .a{i}")).collect();
                let source = format!(
                    "{{{{define \"print\"}}}}{{{{print{args}}}}}{{{{end}}}}{{{{define \"println\"}}}}{{{{println{args}}}}}{{{{end}}}}{{{{define \"printf\"}}}}{{{{printf{args}}}}}{{{{end}}}}"
                );
                Template::new("proxy")
                    .parse(&source)
                    .unwrap_or_else(|_| Template::new("proxy"))
            })
            .collect()
    })
}

/// A writer that stops at `limit` bytes.
struct Bounded {
    text: String,
    limit: usize,
    overflowed: bool,
}

impl std::fmt::Write for Bounded {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        if self.text.len() + s.len() > self.limit {
            self.overflowed = true;
            return Err(std::fmt::Error);
        }
        self.text.push_str(s);
        Ok(())
    }
}

/// Runs `template` over `data` within the budgets; output past `max_output` bytes is an
/// error that says so.
pub fn execute(template: &Template, data: &Value, max_output: usize) -> Result<String, String> {
    execute_bounded(max_output, |out| template.execute_fmt(out, data))
}

/// Runs the template named `name` of `template`'s set as [`execute`] runs the set's own.
pub fn execute_named(
    template: &Template,
    name: &str,
    data: &Value,
    max_output: usize,
) -> Result<String, String> {
    execute_bounded(max_output, |out| {
        template.execute_template_fmt(out, name, data)
    })
}

fn execute_bounded(
    max_output: usize,
    run: impl FnOnce(&mut Bounded) -> gotmpl::Result<()>,
) -> Result<String, String> {
    let _render = Render::start();
    let mut out = Bounded {
        text: String::new(),
        limit: max_output,
        overflowed: false,
    };
    match run(&mut out) {
        Ok(()) => Ok(out.text),
        Err(_) if out.overflowed => Err(format!(
            "the template produced more than {} KiB",
            max_output / 1024
        )),
        Err(error) => Err(error.to_string()),
    }
}

/// Refuses templates that call themselves (through `{{template}}`) more than once per level:
/// their work doubles at each level, and gotmpl's depth limit of 200 does not stop that.
pub fn check_recursion(template: &Template) -> Result<(), String> {
    let mut calls: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for name in template.templates() {
        let mut found = Vec::new();
        if let Some(body) = template.lookup(name) {
            collect_calls(body, 1, &mut found);
        }
        calls.insert(name.to_string(), found);
    }
    for (name, callees) in &calls {
        // The templates that lead back to `name`.
        let reaching: BTreeSet<&str> = calls
            .keys()
            .filter(|other| reaches(&calls, other, name))
            .map(String::as_str)
            .collect();
        if !reaching.contains(name.as_str()) {
            continue;
        }
        let recursive_calls = callees
            .iter()
            .filter(|callee| reaching.contains(callee.as_str()))
            .count();
        if recursive_calls > 1 {
            return Err(format!(
                "template \"{name}\" calls itself more than once per level (through {{{{template}}}}): its work would double at each level"
            ));
        }
    }
    Ok(())
}

/// Every `{{template}}` call in `list`; a call inside `range` counts twice (it runs once per
/// element).
fn collect_calls(list: &ListNode, weight: usize, out: &mut Vec<String>) {
    for node in &list.nodes {
        match node {
            Node::List(inner) => collect_calls(inner, weight, out),
            Node::Template(call) => {
                out.extend(std::iter::repeat_n(call.name.to_string(), weight));
            }
            Node::If(branch) | Node::With(branch) => {
                collect_calls(&branch.body, weight, out);
                if let Some(other) = &branch.else_body {
                    collect_calls(other, weight, out);
                }
            }
            Node::Range(branch) => {
                collect_calls(&branch.body, 2, out);
                if let Some(other) = &branch.else_body {
                    collect_calls(other, weight, out);
                }
            }
            _ => {}
        }
    }
}

fn reaches(calls: &BTreeMap<String, Vec<String>>, from: &str, to: &str) -> bool {
    let mut seen = BTreeSet::new();
    let mut stack = vec![from];
    while let Some(name) = stack.pop() {
        for callee in calls.get(name).into_iter().flatten() {
            if callee == to {
                return true;
            }
            if seen.insert(callee.as_str()) {
                stack.push(callee);
            }
        }
    }
    false
}
