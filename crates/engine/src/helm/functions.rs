//! The functions Helm adds to Go templates (`include`, `default`, `toYaml`, `nindent`, ... from
//! Helm and its Sprig library), conversions between YAML and template values, and where an
//! execution error is in the source.

use gotmpl::parse::ListNode;
use gotmpl::{Template, TemplateError, Value};
use serde_yaml_ng::Value as Yaml;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock, Weak};

use crate::gotemplate::Metered;
use crate::limits::TEMPLATE_MAX_INCLUDE_DEPTH as MAX_INCLUDE_DEPTH;

/// The parsed templates that `include` runs; functions hold it weakly so the template does not
/// keep itself alive.
#[derive(Default, Clone)]
pub(super) struct TemplateSet {
    inner: Arc<SetInner>,
}

#[derive(Default)]
struct SetInner {
    template: OnceLock<Template>,
    /// The named templates in it, which a `tpl` runs beside its own text.
    trees: OnceLock<Trees>,
    /// The chart's other files, which `.Files` reads.
    files: OnceLock<Arc<BTreeMap<String, String>>>,
    /// What the seeded functions draw from, and the time `now` gives.
    draws: OnceLock<Arc<super::seeded::Draws>>,
    depth: AtomicUsize,
    /// How deep in `tpl` calls this set runs: each `tpl` starts a set one level further.
    base_depth: usize,
}

impl TemplateSet {
    /// A set whose templates read `files` through `.Files`, draw random values from `seed`
    /// and take `now_ms` as the time.
    pub(super) fn new(files: Arc<BTreeMap<String, String>>, seed: u64, now_ms: i64) -> Self {
        let set = TemplateSet {
            inner: Arc::new(SetInner::default()),
        };
        let _ = set.inner.files.set(files);
        let _ = set
            .inner
            .draws
            .set(Arc::new(super::seeded::Draws::new(seed, now_ms)));
        set
    }

    /// Makes a set kept from an earlier render run as a new one would: drawing from `seed`
    /// with `now_ms` as the time.
    pub(super) fn reset(&self, seed: u64, now_ms: i64) {
        self.draws().reset(seed, now_ms);
        self.inner.depth.store(0, Ordering::SeqCst);
    }

    pub(super) fn install(&self, template: Template, trees: Trees) {
        let _ = self.inner.template.set(template);
        let _ = self.inner.trees.set(trees);
    }

    /// The set a `tpl` runs in, one level deeper than `parent`.
    fn nested(base_depth: usize, parent: &SetInner) -> Self {
        let set = TemplateSet {
            inner: Arc::new(SetInner {
                base_depth,
                ..SetInner::default()
            }),
        };
        let _ = set
            .inner
            .files
            .set(parent.files.get().cloned().unwrap_or_default());
        let (seed, now_ms) = parent
            .draws
            .get()
            .map_or((0, 0), |draws| (draws.next(), draws.now_ms()));
        let _ = set
            .inner
            .draws
            .set(Arc::new(super::seeded::Draws::new(seed, now_ms)));
        set
    }

    fn draws(&self) -> Arc<super::seeded::Draws> {
        self.inner
            .draws
            .get()
            .cloned()
            .unwrap_or_else(|| Arc::new(super::seeded::Draws::new(0, 0)))
    }

    fn files(&self) -> Arc<BTreeMap<String, String>> {
        self.inner.files.get().cloned().unwrap_or_default()
    }

    /// Runs the template named `name` over `data`; a name the set lacks (a file whose text is
    /// only `define`s and blanks) gives nothing, as it does in Helm.
    pub(super) fn execute(&self, name: &str, data: &Value) -> Result<String, String> {
        let template = self
            .inner
            .template
            .get()
            .ok_or_else(|| "the template was not parsed".to_string())?;
        if template.lookup(name).is_none() {
            return Ok(String::new());
        }
        crate::gotemplate::execute_named(template, name, data, super::MAX_OUTPUT)
            .map_err(|error| clean_message(&error))
    }
}

fn clean_message(message: &str) -> String {
    message
        .strip_prefix("execution error: ")
        .unwrap_or(message)
        .to_string()
}

/// Named templates, each with its body, in the order they are added to a set.
pub(super) type Trees = Arc<Vec<(String, ListNode)>>;

/// `template` with `trees` added in order, as parsing their files one after the other would
/// leave them: a later body replaces an earlier one of the same name, unless it is empty.
pub(super) fn with_trees(template: Template, trees: &[(String, ListNode)]) -> Template {
    trees.iter().fold(template, |template, (name, tree)| {
        if tree.is_empty_tree() && template.lookup(name).is_some() {
            template
        } else {
            template.add_parse_tree(name, tree.clone())
        }
    })
}

pub(super) type FuncResult = gotmpl::Result<Value>;

pub(super) fn fail(message: impl Into<String>) -> TemplateError {
    TemplateError::Exec(message.into())
}

pub(super) fn string(text: impl AsRef<str>) -> Value {
    Value::String(Arc::from(text.as_ref()))
}

/// Go's `%v` of a value, as Sprig's string functions take their arguments.
pub(super) fn text_of(value: &Value) -> String {
    match value {
        Value::Nil => String::new(),
        Value::String(text) => text.to_string(),
        Value::Float(number) => crate::alerting::template::format_shortest(*number),
        other => other.to_string(),
    }
}

pub(super) fn arg(args: &[Value], index: usize, function: &str) -> gotmpl::Result<Value> {
    args.get(index).cloned().ok_or_else(|| {
        fail(format!(
            "wrong number of args for {function}: want at least {} got {}",
            index + 1,
            args.len()
        ))
    })
}

pub(super) fn int_of(value: &Value, function: &str) -> gotmpl::Result<i64> {
    match value {
        Value::Int(n) => Ok(*n),
        Value::Uint(n) => {
            i64::try_from(*n).map_err(|_| fail(format!("{function}: {n} is too large")))
        }
        Value::Float(n) if n.is_finite() => Ok(n.trunc() as i64),
        Value::Bool(b) => Ok(i64::from(*b)),
        Value::Nil => Ok(0),
        Value::String(text) => Ok(text
            .trim()
            .parse::<i64>()
            .or_else(|_| text.trim().parse::<f64>().map(|n| n.trunc() as i64))
            .unwrap_or(0)),
        other => Err(fail(format!(
            "{function}: cannot use {} as a number",
            other.type_name()
        ))),
    }
}

/// Sprig's `empty`: nil, false, zero, and empty strings, lists and maps.
pub(super) fn is_empty(value: &Value) -> bool {
    match value {
        Value::Nil => true,
        Value::Bool(b) => !b,
        Value::Int(n) => *n == 0,
        Value::Uint(n) => *n == 0,
        Value::Float(n) => *n == 0.0,
        Value::String(text) => text.is_empty(),
        Value::List(items) => items.is_empty(),
        Value::Map(entries) => entries.is_empty(),
        Value::Function(_) => false,
    }
}

/// Go's `strconv.Quote`.
fn go_quote(text: &str, quote: char) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push(quote);
    for character in text.chars() {
        match character {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c == quote && quote == '"' => out.push_str("\\\""),
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// Sprig's `indent`, once its output is known to fit the render's budget.
fn indent(spaces: i64, text: &str) -> gotmpl::Result<String> {
    let spaces = spaces.clamp(0, 256) as u64;
    let lines = text.bytes().filter(|b| *b == b'\n').count() as u64 + 1;
    crate::gotemplate::ensure_room(
        lines
            .saturating_mul(spaces)
            .saturating_add(text.len() as u64),
    )?;
    let pad = " ".repeat(spaces as usize);
    Ok(format!("{pad}{}", text.replace('\n', &format!("\n{pad}"))))
}

/// Registers Helm's and Sprig's functions; `include` runs templates of `set`.
pub(super) fn with_helm_functions(template: Template, set: &TemplateSet) -> Template {
    super::sprig::with_sprig(helm_registry(template, set))
}

/// Helm's own functions and `.Files`'s, before Sprig's.
pub(super) fn helm_registry(template: Template, set: &TemplateSet) -> super::sprig::Registry {
    let weak: Weak<SetInner> = Arc::downgrade(&set.inner);
    let mut registry = super::sprig::Registry::new(
        template.max_range_iters(crate::limits::TEMPLATE_MAX_RANGE_ITERATIONS),
    );
    for (name, function) in super::files::functions(set.files()) {
        registry = registry.metered(name, move |args: &[Value]| function(args));
    }
    let registry = super::seeded::register(registry, set.draws());
    let registry = super::seeded::register_dates(registry, set.draws());
    registry
        .metered_printing()
        .metered("include", {
            let weak = weak.clone();
            move |args| include(&weak, args)
        })
        .metered("tpl", move |args| tpl(&weak, args))
        .metered("helmAPIVersionsHas", |args| {
            let version = text_of(&arg(args, 0, "Has")?);
            Ok(Value::Bool(super::API_VERSIONS.contains(&version.as_str())))
        })
        .metered("default", |args| {
            let default = arg(args, 0, "default")?;
            Ok(match args.get(1) {
                Some(given) if !is_empty(given) => given.clone(),
                _ => default,
            })
        })
        .metered("empty", |args| {
            Ok(Value::Bool(args.first().is_none_or(is_empty)))
        })
        .metered("required", |args| {
            let message = text_of(&arg(args, 0, "required")?);
            match args.get(1) {
                None | Some(Value::Nil) => Err(fail(message)),
                Some(Value::String(text)) if text.is_empty() => Err(fail(message)),
                Some(value) => Ok(value.clone()),
            }
        })
        .metered("fail", |args| {
            Err(fail(args.first().map(text_of).unwrap_or_default()))
        })
        .metered("quote", |args| Ok(string(quoted(args, '"'))))
        .metered("squote", |args| Ok(string(quoted(args, '\''))))
        .metered("toYaml", |args| {
            let yaml = to_yaml(args.first().unwrap_or(&Value::Nil));
            let text = yaml_text(&yaml);
            Ok(string(text.trim_end_matches('\n')))
        })
        .metered("toYamlPretty", |args| {
            let yaml = to_yaml(args.first().unwrap_or(&Value::Nil));
            let text = yaml_text(&yaml);
            Ok(string(indent_sequences(text.trim_end_matches('\n'))))
        })
        .metered("toJson", |args| {
            let yaml = to_yaml(args.first().unwrap_or(&Value::Nil));
            Ok(string(serde_json::to_string(&yaml).unwrap_or_default()))
        })
        .metered("indent", |args| {
            let spaces = int_of(&arg(args, 0, "indent")?, "indent")?;
            Ok(string(indent(spaces, &text_of(&arg(args, 1, "indent")?))?))
        })
        .metered("nindent", |args| {
            let spaces = int_of(&arg(args, 0, "nindent")?, "nindent")?;
            Ok(string(format!(
                "\n{}",
                indent(spaces, &text_of(&arg(args, 1, "nindent")?))?
            )))
        })
        .metered("trunc", |args| {
            let length = int_of(&arg(args, 0, "trunc")?, "trunc")?;
            let text = text_of(&arg(args, 1, "trunc")?);
            let count = text.chars().count() as i64;
            Ok(string(if length >= 0 {
                text.chars().take(length as usize).collect::<String>()
            } else {
                text.chars()
                    .skip((count + length).max(0) as usize)
                    .collect()
            }))
        })
        .metered("trimSuffix", |args| {
            let suffix = text_of(&arg(args, 0, "trimSuffix")?);
            let text = text_of(&arg(args, 1, "trimSuffix")?);
            Ok(string(text.strip_suffix(suffix.as_str()).unwrap_or(&text)))
        })
        .metered("trimPrefix", |args| {
            let prefix = text_of(&arg(args, 0, "trimPrefix")?);
            let text = text_of(&arg(args, 1, "trimPrefix")?);
            Ok(string(text.strip_prefix(prefix.as_str()).unwrap_or(&text)))
        })
        .metered("trim", |args| {
            Ok(string(text_of(&arg(args, 0, "trim")?).trim()))
        })
        .metered("replace", |args| {
            let old = text_of(&arg(args, 0, "replace")?);
            let new = text_of(&arg(args, 1, "replace")?);
            let text = text_of(&arg(args, 2, "replace")?);
            if old.is_empty() {
                return Ok(string(text));
            }
            let matches = text.matches(old.as_str()).count() as u64;
            crate::gotemplate::ensure_room(
                matches
                    .saturating_mul(new.len() as u64)
                    .saturating_add(text.len() as u64),
            )?;
            Ok(string(text.replace(&old, &new)))
        })
        .metered("lower", |args| {
            Ok(string(text_of(&arg(args, 0, "lower")?).to_lowercase()))
        })
        .metered("upper", |args| {
            Ok(string(text_of(&arg(args, 0, "upper")?).to_uppercase()))
        })
        .metered("contains", |args| {
            let needle = text_of(&arg(args, 0, "contains")?);
            Ok(Value::Bool(
                text_of(&arg(args, 1, "contains")?).contains(&needle),
            ))
        })
        .metered("toString", |args| {
            // Go's `%v` of nothing, where the other string functions take it as empty.
            Ok(match arg(args, 0, "toString")? {
                Value::Nil => string("<nil>"),
                other => string(text_of(&other)),
            })
        })
        .metered("int", |args| {
            Ok(Value::Int(int_of(&arg(args, 0, "int")?, "int")?))
        })
        .metered("int64", |args| {
            Ok(Value::Int(int_of(&arg(args, 0, "int64")?, "int64")?))
        })
        .metered("add", |args| fold_ints(args, "add", i64::checked_add))
        .metered("sub", |args| fold_ints(args, "sub", i64::checked_sub))
        .metered("mul", |args| fold_ints(args, "mul", i64::checked_mul))
        .metered("div", |args| fold_ints(args, "div", i64::checked_div))
        .metered("max", |args| fold_ints(args, "max", |a, b| Some(a.max(b))))
        .metered("min", |args| fold_ints(args, "min", |a, b| Some(a.min(b))))
        .metered("dict", |args| {
            let mut entries = BTreeMap::new();
            for pair in args.chunks(2) {
                let value = pair.get(1).cloned().unwrap_or(Value::Nil);
                entries.insert(Arc::from(text_of(&pair[0]).as_str()), value);
            }
            Ok(Value::Map(Arc::new(entries)))
        })
        .metered("list", |args| Ok(Value::List(Arc::from(args.to_vec()))))
        .metered("hasKey", |args| match arg(args, 0, "hasKey")? {
            Value::Map(entries) => Ok(Value::Bool(
                entries.contains_key(text_of(&arg(args, 1, "hasKey")?).as_str()),
            )),
            Value::Nil => Ok(Value::Bool(false)),
            other => Err(fail(format!(
                "hasKey: expected a map, got {}",
                other.type_name()
            ))),
        })
        .metered("keys", |args| match args.first() {
            Some(Value::Map(entries)) => Ok(Value::List(
                entries
                    .keys()
                    .map(|key| Value::String(key.clone()))
                    .collect(),
            )),
            _ => Ok(Value::List(Arc::from(Vec::new()))),
        })
        .metered("ternary", |args| {
            let condition = !is_empty(&arg(args, 2, "ternary")?);
            arg(args, if condition { 0 } else { 1 }, "ternary")
        })
        .metered("coalesce", |args| {
            Ok(args
                .iter()
                .find(|value| !is_empty(value))
                .cloned()
                .unwrap_or(Value::Nil))
        })
}

fn quoted(args: &[Value], quote: char) -> String {
    args.iter()
        .filter(|value| !matches!(value, Value::Nil))
        .map(|value| go_quote(&text_of(value), quote))
        .collect::<Vec<_>>()
        .join(" ")
}

fn fold_ints(args: &[Value], function: &str, step: fn(i64, i64) -> Option<i64>) -> FuncResult {
    let mut numbers = args.iter().map(|value| int_of(value, function));
    let mut total = numbers.next().ok_or_else(|| {
        fail(format!(
            "wrong number of args for {function}: want at least 1"
        ))
    })??;
    for number in numbers {
        total = step(total, number?)
            .ok_or_else(|| fail(format!("{function}: overflow or division by zero")))?;
    }
    Ok(Value::Int(total))
}

fn include(set: &Weak<SetInner>, args: &[Value]) -> FuncResult {
    let name = text_of(&arg(args, 0, "include")?);
    let data = args.get(1).cloned().unwrap_or(Value::Nil);
    let inner = set
        .upgrade()
        .ok_or_else(|| fail("include: the templates are gone"))?;
    let template = inner
        .template
        .get()
        .ok_or_else(|| fail("include: the templates are not parsed yet"))?;
    if inner.depth.fetch_add(1, Ordering::SeqCst) >= MAX_INCLUDE_DEPTH {
        inner.depth.fetch_sub(1, Ordering::SeqCst);
        return Err(fail(format!(
            "rendering template has a nested reference name: {name}: exceeded max depth"
        )));
    }
    let result = template.execute_template_to_string(&name, &data);
    inner.depth.fetch_sub(1, Ordering::SeqCst);
    match result {
        Ok(text) => Ok(string(text)),
        Err(TemplateError::UndefinedTemplate(_)) => Err(fail(format!(
            "error calling include: template: no template \"{name}\" associated with template"
        ))),
        Err(error) => Err(fail(format!(
            "error calling include: template \"{name}\": {}",
            clean_message(&error.to_string())
        ))),
    }
}

/// Helm's `tpl`: runs a string as a template, with the chart's named templates, over `data`.
fn tpl(set: &Weak<SetInner>, args: &[Value]) -> FuncResult {
    let text = text_of(&arg(args, 0, "tpl")?);
    let data = args.get(1).cloned().unwrap_or(Value::Nil);
    let inner = set
        .upgrade()
        .ok_or_else(|| fail("tpl: the templates are gone"))?;
    let depth = inner.base_depth + inner.depth.load(Ordering::SeqCst);
    if depth >= MAX_INCLUDE_DEPTH {
        return Err(fail(
            "error calling tpl: rendering template has a nested reference: exceeded max depth",
        ));
    }
    let child = TemplateSet::nested(depth + 1, &inner);
    let text = super::files::rewrite(&text).into_owned();
    let trees = inner.trees.get().cloned().unwrap_or_default();
    let template = with_trees(with_helm_functions(Template::new("gotpl"), &child), &trees);
    let template = template
        .parse(&text)
        .map_err(|error| fail(format!("error calling tpl: {error}")))?;
    crate::gotemplate::check_recursion(&template)
        .map_err(|message| fail(format!("error calling tpl: {message}")))?;
    child.install(template, trees);
    let template = child
        .inner
        .template
        .get()
        .ok_or_else(|| fail("tpl: the template was not parsed"))?;
    inner.depth.fetch_add(1, Ordering::SeqCst);
    let result = template.execute_template_to_string("gotpl", &data);
    inner.depth.fetch_sub(1, Ordering::SeqCst);
    result
        .map(|text| string(text.replace("<no value>", "")))
        .map_err(|error| {
            let message = clean_message(&error.to_string());
            if message.starts_with("error calling tpl") {
                fail(message)
            } else {
                fail(format!("error calling tpl: {message}"))
            }
        })
}

/// A YAML value as a template value.
pub(super) fn from_yaml(value: &Yaml) -> Value {
    match value {
        Yaml::Null => Value::Nil,
        Yaml::Bool(b) => Value::Bool(*b),
        // Helm reads values through JSON, so every number is a float64: `kindOf` says
        // `float64` and a million prints as `1e+06`.
        Yaml::Number(number) => Value::Float(number.as_f64().unwrap_or(f64::NAN)),
        Yaml::String(text) => string(text),
        Yaml::Sequence(items) => Value::List(items.iter().map(from_yaml).collect()),
        Yaml::Mapping(entries) => Value::Map(Arc::new(
            entries
                .iter()
                .map(|(key, value)| (Arc::from(yaml_key(key).as_str()), from_yaml(value)))
                .collect(),
        )),
        // `--set` gives integers as int64, marked so by the command line.
        Yaml::Tagged(tagged) if tagged.tag == "int64" => match &tagged.value {
            Yaml::Number(number) => number.as_i64().map_or(Value::Nil, Value::Int),
            other => from_yaml(other),
        },
        Yaml::Tagged(tagged) => from_yaml(&tagged.value),
    }
}

fn yaml_key(key: &Yaml) -> String {
    match key {
        Yaml::String(text) => text.clone(),
        Yaml::Number(number) => number.to_string(),
        Yaml::Bool(b) => b.to_string(),
        Yaml::Null => "null".to_string(),
        other => serde_yaml_ng::to_string(other)
            .unwrap_or_default()
            .trim()
            .to_string(),
    }
}

/// `value` as Helm's `toYaml` writes it. Helm's YAML writer reads plain text as YAML 1.1 does,
/// so it double-quotes every string that would be read back as something else: `"1"`,
/// `"yes"`, `"on"`, `"0x1F"`, `"1_000"`, `"1:20"`, `"2024-01-02"`, `""`. The rest is written
/// as the YAML library here writes it (single quotes where the syntax needs them, a literal
/// block for several lines). Each such string goes through the writer as a plain placeholder,
/// then takes its quotes.
pub(super) fn yaml_text(value: &Yaml) -> String {
    const MARK: &str = "opsdojoq";
    fn mark(value: &mut Yaml, quoted: &mut Vec<String>) {
        match value {
            Yaml::String(text) if read_as_other_than_text(text) => {
                let placeholder = format!("{MARK}{}x", quoted.len());
                quoted.push(std::mem::replace(text, placeholder));
            }
            Yaml::Sequence(items) => items.iter_mut().for_each(|item| mark(item, quoted)),
            Yaml::Mapping(entries) => {
                let taken = std::mem::take(entries);
                for (mut key, mut item) in taken {
                    mark(&mut key, quoted);
                    mark(&mut item, quoted);
                    entries.insert(key, item);
                }
            }
            _ => {}
        }
    }
    fn mentions_mark(value: &Yaml) -> bool {
        match value {
            Yaml::String(text) => text.contains(MARK),
            Yaml::Sequence(items) => items.iter().any(mentions_mark),
            Yaml::Mapping(entries) => {
                (entries.iter()).any(|(key, item)| mentions_mark(key) || mentions_mark(item))
            }
            _ => false,
        }
    }
    if mentions_mark(value) {
        return serde_yaml_ng::to_string(value).unwrap_or_default();
    }
    let mut marked = value.clone();
    let mut quoted = Vec::new();
    mark(&mut marked, &mut quoted);
    let mut text = serde_yaml_ng::to_string(&marked).unwrap_or_default();
    // From the last, so that `…q1x` is not found inside `…q11x` (the `x` ends each anyway).
    for (index, original) in quoted.iter().enumerate().rev() {
        let escaped = original.replace('\\', "\\\\").replace('"', "\\\"");
        text = text.replacen(&format!("{MARK}{index}x"), &format!("\"{escaped}\""), 1);
    }
    text
}

/// Whether YAML 1.1, as Helm's writer resolves plain text, reads `text` as a null, a boolean, a
/// number or a time rather than as text.
fn read_as_other_than_text(text: &str) -> bool {
    const WORDS: [&str; 37] = [
        "", "~", "null", "Null", "NULL", "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO",
        "true", "True", "TRUE", "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF",
        ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", ".nan",
    ];
    if WORDS.contains(&text) || text == ".NaN" || text == ".NAN" {
        return true;
    }
    let Some(first) = text.chars().next() else {
        return true;
    };
    if !(first.is_ascii_digit() || matches!(first, '+' | '-' | '.')) {
        return false;
    }
    is_yaml11_time(text) || is_base60(text) || {
        let plain = text.replace('_', "");
        is_go_integer(&plain) || is_yaml_float(&plain)
    }
}

/// Go's `strconv.ParseInt(text, 0, 64)` (or `ParseUint`) succeeding: a sign, then `0x`, `0o`,
/// `0b` or a leading `0` (octal), or decimal digits.
fn is_go_integer(text: &str) -> bool {
    let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
    let (digits, radix) = match unsigned.get(..2) {
        Some("0x" | "0X") => (&unsigned[2..], 16),
        Some("0o" | "0O") => (&unsigned[2..], 8),
        Some("0b" | "0B") => (&unsigned[2..], 2),
        _ if unsigned.len() > 1 && unsigned.starts_with('0') => (&unsigned[1..], 8),
        _ => (unsigned, 10),
    };
    !digits.is_empty() && u64::from_str_radix(digits, radix).is_ok()
}

/// YAML's float pattern: `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`.
fn is_yaml_float(text: &str) -> bool {
    let rest = text.strip_prefix(['+', '-']).unwrap_or(text);
    let (mantissa, exponent) = match rest.find(['e', 'E']) {
        Some(at) => (&rest[..at], Some(&rest[at + 1..])),
        None => (rest, None),
    };
    let digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some(("", fraction)) => !fraction.is_empty() && digits(fraction),
        Some((whole, fraction)) => !whole.is_empty() && digits(whole) && digits(fraction),
        None => !mantissa.is_empty() && digits(mantissa),
    };
    mantissa_ok
        && exponent.is_none_or(|exponent| {
            let exponent = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
            !exponent.is_empty() && digits(exponent)
        })
}

/// YAML 1.1's sexagesimal numbers: `[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?`.
fn is_base60(text: &str) -> bool {
    let rest = text.strip_prefix(['+', '-']).unwrap_or(text);
    let (whole, fraction) = rest.split_once('.').unwrap_or((rest, ""));
    let mut parts = whole.split(':');
    let head = parts.next().unwrap_or_default();
    let head_ok = head.starts_with(|c: char| c.is_ascii_digit())
        && head.bytes().all(|b| b.is_ascii_digit() || b == b'_');
    let sixties: Vec<&str> = parts.collect();
    head_ok
        && !sixties.is_empty()
        && sixties.iter().all(|part| {
            matches!(part.len(), 1 | 2)
                && part.bytes().all(|b| b.is_ascii_digit())
                && (part.len() == 1 || part.as_bytes()[0] <= b'5')
        })
        && fraction.bytes().all(|b| b.is_ascii_digit() || b == b'_')
}

/// A time as YAML 1.1's reader takes one: `2006-1-2`, optionally followed by `T` (or a space)
/// and `15:4:5`, fractions and a zone.
fn is_yaml11_time(text: &str) -> bool {
    let bytes = text.as_bytes();
    if bytes.len() < 8 || !bytes[..4].iter().all(u8::is_ascii_digit) || bytes[4] != b'-' {
        return false;
    }
    let number = |part: &str, most: usize| {
        (1..=most).contains(&part.len()) && part.bytes().all(|b| b.is_ascii_digit())
    };
    let (date, time) = match text.find(['T', 't', ' ']) {
        Some(at) => (&text[..at], Some(&text[at + 1..])),
        None => (text, None),
    };
    let mut fields = date.splitn(3, '-');
    let date_ok = fields.next().is_some_and(|year| number(year, 4))
        && fields.next().is_some_and(|month| number(month, 2))
        && fields.next().is_some_and(|day| number(day, 2));
    date_ok
        && time.is_none_or(|time| {
            let time = time.trim_end_matches('Z');
            let clock = time.split(['+', '-']).next().unwrap_or_default();
            let (clock, fraction) = clock.split_once('.').unwrap_or((clock, ""));
            let mut fields = clock.splitn(3, ':');
            fields.next().is_some_and(|hour| number(hour, 2))
                && fields.next().is_some_and(|minute| number(minute, 2))
                && fields.next().is_some_and(|second| number(second, 2))
                && fraction.bytes().all(|b| b.is_ascii_digit())
        })
}

/// A template value as YAML, for `toYaml`.
pub(super) fn to_yaml(value: &Value) -> Yaml {
    match value {
        Value::Nil | Value::Function(_) => Yaml::Null,
        Value::Bool(b) => Yaml::Bool(*b),
        Value::Int(n) => Yaml::Number((*n).into()),
        Value::Uint(n) => Yaml::Number((*n).into()),
        // Go's JSON writes a whole float64 without a fraction (`1`, `1000000`), and Helm's
        // YAML goes through JSON.
        Value::Float(n) if n.fract() == 0.0 && n.abs() < 1e15 => Yaml::Number((*n as i64).into()),
        Value::Float(n) => Yaml::Number((*n).into()),
        Value::String(text) => Yaml::String(text.to_string()),
        Value::List(items) => Yaml::Sequence(items.iter().map(to_yaml).collect()),
        Value::Map(entries) => Yaml::Mapping(
            entries
                .iter()
                .map(|(key, value)| (Yaml::String(key.to_string()), to_yaml(value)))
                .collect(),
        ),
    }
}

/// Where an execution error most likely is: the template engine reports no position, so the
/// first action that names what the message complains about is taken.
pub(super) fn locate(
    message: &str,
    path: &str,
    text: &str,
    helpers: &[(&String, &String)],
) -> (String, usize, usize) {
    let needles = needles_of(message);
    // An error inside an included template is in a helper file first.
    let mut sources: Vec<(&str, &str)> = Vec::new();
    if message.starts_with("error calling include") {
        sources.extend(helpers.iter().map(|(p, t)| (p.as_str(), t.as_str())));
        sources.push((path, text));
    } else {
        sources.push((path, text));
        sources.extend(helpers.iter().map(|(p, t)| (p.as_str(), t.as_str())));
    }
    for needle in &needles {
        for (file, source) in &sources {
            if let Some((line, column)) = find_in_actions(source, needle) {
                return (file.to_string(), line, column);
            }
        }
    }
    (path.to_string(), 0, 0)
}

/// The words of a message worth looking for in the template, most precise first.
fn needles_of(message: &str) -> Vec<String> {
    let mut needles = Vec::new();
    let last_word = |after: &str| {
        message.rsplit_once(after).map(|(_, rest)| {
            rest.trim_matches(|c: char| c == '"' || c == ':' || c.is_whitespace())
                .split(|c: char| c.is_whitespace() || c == '"' || c == ':')
                .next()
                .unwrap_or_default()
                .to_string()
        })
    };
    if let Some(name) = last_word("undefined function:") {
        needles.push(name);
    }
    if let Some(field) = last_word("can't evaluate field") {
        needles.push(format!(".{field}"));
    }
    if let Some(field) = message
        .rsplit_once("evaluating interface {}.")
        .map(|(_, f)| f)
    {
        needles.push(format!(
            ".{}",
            field.split_whitespace().next().unwrap_or_default()
        ));
    }
    if let Some(name) = last_word("no template") {
        needles.push(format!("\"{name}\""));
    }
    if let Some(name) = last_word("undefined template:") {
        needles.push(format!("\"{name}\""));
    }
    if let Some(name) = message.split("error calling ").nth(1) {
        if let Some(function) = name.split(':').next() {
            if function != "include" {
                needles.push(function.trim().to_string());
            }
        }
    }
    for function in ["required", "fail", "index", "range", "include"] {
        if message.contains(function) {
            needles.push(function.to_string());
        }
    }
    needles.retain(|needle| needle.len() > 1);
    needles
}

/// The 1-based line and column of the first `{{ ... }}` action containing `needle`.
fn find_in_actions(text: &str, needle: &str) -> Option<(usize, usize)> {
    let mut offset = 0;
    while let Some(start) = text[offset..].find("{{") {
        let start = offset + start;
        let end = text[start..]
            .find("}}")
            .map_or(text.len(), |end| start + end + 2);
        if text[start..end].contains(needle) {
            let before = &text[..start];
            let line = before.matches('\n').count() + 1;
            let column = before.len() - before.rfind('\n').map_or(0, |n| n + 1) + 1;
            return Some((line, column));
        }
        offset = end;
    }
    None
}

/// YAML with each block sequence indented under its key, as Helm's `toYamlPretty` (yaml.v3 with
/// an indent of 2) writes it: `a:\n  - 1` where `toYaml` writes `a:\n- 1`.
pub(super) fn indent_sequences(text: &str) -> String {
    let indentation = |line: &str| line.len() - line.trim_start_matches(' ').len();
    // Where a line's key starts: after its indentation and any `- ` item markers.
    let key_column = |line: &str| {
        let mut rest = line.trim_start_matches(' ');
        let mut column = indentation(line);
        while let Some(after) = rest.strip_prefix("- ") {
            rest = after;
            column += 2;
        }
        column
    };
    // The original indentation of each sequence being shifted, innermost last.
    let mut shifted: Vec<usize> = Vec::new();
    // Inside a block scalar: lines indented more than this are its content.
    let mut scalar_at: Option<usize> = None;
    let mut previous = "";
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for line in text.split('\n') {
        let indent = indentation(line);
        let body = &line[indent..];
        let in_scalar = scalar_at.is_some_and(|at| indent > at || body.is_empty());
        if !in_scalar {
            scalar_at = None;
            let item = body == "-" || body.starts_with("- ");
            while let Some(&at) = shifted.last() {
                if indent < at || (indent == at && !item) {
                    shifted.pop();
                } else {
                    break;
                }
            }
            let opens = item
                && previous.trim_end().ends_with(':')
                && key_column(previous) == indent
                && shifted.last() != Some(&indent);
            if opens {
                shifted.push(indent);
            }
            let trimmed = body.trim_end();
            if ["|", ">", "|-", "|+", ">-", ">+"]
                .iter()
                .any(|indicator| trimmed.ends_with(indicator))
            {
                scalar_at = Some(indent);
            }
            previous = line;
        }
        if !out.is_empty() {
            out.push('\n');
        }
        if !body.is_empty() {
            out.push_str(&" ".repeat(2 * shifted.len()));
        }
        out.push_str(line);
    }
    out
}
