//! More of Sprig's functions, as charts use them: strings, lists, dictionaries, math, encodings,
//! hashes, regular expressions, paths, type checks and conversions. Each one that can make
//! work or memory grow with its arguments (`repeat`, `until`, `untilStep`, `seq`) checks the
//! render's budget before it builds anything.

use super::functions::{arg, fail, int_of, is_empty, string, text_of, to_yaml, FuncResult};
use crate::gotemplate::{ensure_room, Metered};
use base64::Engine as _;
use gotmpl::{Template, Value};
use sha2::Digest as _;
use std::collections::BTreeMap;
use std::sync::Arc;

fn list(items: Vec<Value>) -> Value {
    Value::List(Arc::from(items))
}

fn items_of(value: &Value, function: &str) -> gotmpl::Result<Vec<Value>> {
    match value {
        Value::List(items) => Ok(items.to_vec()),
        Value::Nil => Ok(Vec::new()),
        other => Err(fail(format!(
            "{function}: cannot find the items of type {}",
            other.type_name()
        ))),
    }
}

fn map_of(value: &Value, function: &str) -> gotmpl::Result<BTreeMap<Arc<str>, Value>> {
    match value {
        Value::Map(entries) => Ok(entries.as_ref().clone()),
        Value::Nil => Ok(BTreeMap::new()),
        other => Err(fail(format!(
            "{function}: expected a dict, got {}",
            other.type_name()
        ))),
    }
}

fn float_of(value: &Value) -> f64 {
    match value {
        Value::Int(n) => *n as f64,
        Value::Uint(n) => *n as f64,
        Value::Float(n) => *n,
        Value::Bool(b) => f64::from(u8::from(*b)),
        Value::String(text) => text.trim().parse().unwrap_or(0.0),
        _ => 0.0,
    }
}

/// Go's `reflect.Kind` name of a value, as `kindOf` prints it.
fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Nil => "invalid",
        Value::Bool(_) => "bool",
        Value::Int(_) => "int64",
        Value::Uint(_) => "uint64",
        Value::Float(_) => "float64",
        Value::String(_) => "string",
        Value::List(_) => "slice",
        Value::Map(_) => "map",
        Value::Function(_) => "func",
    }
}

/// Go's `%T` of a value, as `typeOf` prints it.
pub(super) fn type_of(value: &Value) -> &'static str {
    match value {
        Value::Nil => "<nil>",
        Value::List(_) => "[]interface {}",
        Value::Map(_) => "map[string]interface {}",
        other => kind_of(other),
    }
}

fn words(text: &str) -> Vec<String> {
    // Splits at spaces, `_`, `-` and lower-to-upper case changes, as Sprig's case functions do.
    let mut words = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for character in text.chars() {
        if character == '_' || character == '-' || character.is_whitespace() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            previous_lower = false;
            continue;
        }
        if character.is_uppercase() && previous_lower && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        previous_lower = character.is_lowercase() || character.is_ascii_digit();
        current.push(character);
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// The words of `text` in lower case, joined by `separator` (`snakecase`, `kebabcase`).
fn lower_words(text: &str, separator: &str) -> String {
    words(text)
        .iter()
        .map(|w| w.to_lowercase())
        .collect::<Vec<_>>()
        .join(separator)
}

fn capitalize(word: &str) -> String {
    let mut characters = word.chars();
    match characters.next() {
        Some(first) => first.to_uppercase().chain(characters).collect(),
        None => String::new(),
    }
}

fn regex(pattern: &str, function: &str) -> gotmpl::Result<regex::Regex> {
    regex::RegexBuilder::new(pattern)
        .size_limit(1 << 20)
        .build()
        .map_err(|error| fail(format!("{function}: {error}")))
}

/// Sprig's `until`/`untilStep`: the integers from `start` towards `stop`, within the budget.
fn integers(start: i64, stop: i64, step: i64) -> gotmpl::Result<Value> {
    if step == 0 || (step > 0 && start >= stop) || (step < 0 && start <= stop) {
        return Ok(list(Vec::new()));
    }
    let count = (stop.abs_diff(start)).div_ceil(step.unsigned_abs());
    ensure_room(count.saturating_mul(8))?;
    let mut items = Vec::with_capacity(count as usize);
    let mut value = start;
    for _ in 0..count {
        items.push(Value::Int(value));
        value = value.saturating_add(step);
    }
    Ok(list(items))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn adler32(data: &[u8]) -> u32 {
    let mut hasher = adler2::Adler32::new();
    hasher.write_slice(data);
    hasher.checksum()
}

fn path_clean(path: &str) -> String {
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|last| *last != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            other => parts.push(other),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_string(),
        (false, false) => joined,
    }
}

fn base64_decode(text: &str, engine: &base64::engine::GeneralPurpose) -> String {
    match engine.decode(text.trim()) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(error) => error.to_string(),
    }
}

/// Registers the functions of this module on `template`.
/// Sprig's other names for functions registered here: the `must` variants (which return an
/// error where the plain one would panic; here both do) and the aliases.
const ALIASES: [(&str, &str); 34] = [
    ("mustFirst", "first"),
    ("mustLast", "last"),
    ("mustRest", "rest"),
    ("mustInitial", "initial"),
    ("mustReverse", "reverse"),
    ("mustUniq", "uniq"),
    ("mustWithout", "without"),
    ("mustHas", "has"),
    ("mustSlice", "slice"),
    ("mustAppend", "append"),
    ("mustPrepend", "prepend"),
    ("mustPush", "push"),
    ("mustCompact", "compact"),
    ("mustChunk", "chunk"),
    ("mustMerge", "merge"),
    ("mustMergeOverwrite", "mergeOverwrite"),
    ("mustDeepCopy", "deepCopy"),
    ("mustToJson", "toJson"),
    ("mustToPrettyJson", "toPrettyJson"),
    ("mustToRawJson", "toRawJson"),
    ("mustRegexMatch", "regexMatch"),
    ("mustRegexFind", "regexFind"),
    ("mustRegexFindAll", "regexFindAll"),
    ("mustRegexReplaceAll", "regexReplaceAll"),
    ("mustRegexReplaceAllLiteral", "regexReplaceAllLiteral"),
    ("mustRegexSplit", "regexSplit"),
    ("biggest", "max"),
    ("trimall", "trimAll"),
    ("tuple", "list"),
    ("osBase", "base"),
    ("osClean", "clean"),
    ("osDir", "dir"),
    ("osExt", "ext"),
    ("osIsAbs", "isAbs"),
];

/// Adds Sprig's functions and their other names to `registry`, which holds Helm's.
pub(super) fn with_sprig(registry: Registry) -> Template {
    let registry = numbers_and_types(lists_and_dicts(strings(registry)));
    let registry = super::sprig_more::register(registry);
    ALIASES
        .iter()
        .fold(registry, |registry, (alias, name)| {
            registry.alias(alias, name)
        })
        .template
}

type Function = Arc<dyn Fn(&[Value]) -> gotmpl::Result<Value> + Send + Sync>;

/// A template being given functions, which keeps those another name shares.
pub(super) struct Registry {
    template: Template,
    functions: BTreeMap<String, Function>,
}

impl Registry {
    pub(super) fn new(template: Template) -> Self {
        Registry {
            template,
            functions: BTreeMap::new(),
        }
    }

    fn alias(self, alias: &str, name: &str) -> Self {
        match self.functions.get(name).cloned() {
            Some(function) => self.register(alias, function),
            None => self,
        }
    }

    /// Not generic, so the template's metering wrapper is compiled once for every function.
    /// Only the functions another name shares are kept: a registry is built for every render.
    fn register(mut self, name: &str, function: Function) -> Self {
        if ALIASES.iter().any(|(_, target)| *target == name) {
            self.functions
                .insert(name.to_string(), Arc::clone(&function));
        }
        self.template = self.template.metered(name, move |args| function(args));
        self
    }
}

impl Metered for Registry {
    fn metered(
        self,
        name: &str,
        f: impl Fn(&[Value]) -> gotmpl::Result<Value> + Send + Sync + 'static,
    ) -> Self {
        self.register(name, Arc::new(f))
    }

    fn metered_printing(mut self) -> Self {
        self.template = self.template.metered_printing();
        self
    }
}

fn strings(template: Registry) -> Registry {
    template
        .metered("hasPrefix", |args| {
            let prefix = text_of(&arg(args, 0, "hasPrefix")?);
            Ok(Value::Bool(
                text_of(&arg(args, 1, "hasPrefix")?).starts_with(&prefix),
            ))
        })
        .metered("hasSuffix", |args| {
            let suffix = text_of(&arg(args, 0, "hasSuffix")?);
            Ok(Value::Bool(
                text_of(&arg(args, 1, "hasSuffix")?).ends_with(&suffix),
            ))
        })
        .metered("repeat", |args| {
            let count = int_of(&arg(args, 0, "repeat")?, "repeat")?.max(0) as u64;
            let text = text_of(&arg(args, 1, "repeat")?);
            ensure_room(count.saturating_mul(text.len() as u64))?;
            Ok(string(text.repeat(count as usize)))
        })
        .metered("substr", |args| {
            let start = int_of(&arg(args, 0, "substr")?, "substr")?;
            let end = int_of(&arg(args, 1, "substr")?, "substr")?;
            let text = text_of(&arg(args, 2, "substr")?);
            let length = text.len() as i64;
            let start = if start < 0 { 0 } else { start.min(length) };
            let end = if end < 0 || end > length { length } else { end };
            let bytes = text.as_bytes();
            let slice = bytes
                .get(start as usize..end.max(start) as usize)
                .unwrap_or(&[]);
            Ok(string(String::from_utf8_lossy(slice)))
        })
        .metered("nospace", |args| {
            let text = text_of(&arg(args, 0, "nospace")?);
            Ok(string(
                text.chars()
                    .filter(|c| !c.is_whitespace())
                    .collect::<String>(),
            ))
        })
        .metered("trimAll", |args| {
            let cut: Vec<char> = text_of(&arg(args, 0, "trimAll")?).chars().collect();
            let text = text_of(&arg(args, 1, "trimAll")?);
            Ok(string(text.trim_matches(cut.as_slice())))
        })
        .metered("title", |args| {
            let text = text_of(&arg(args, 0, "title")?);
            let mut out = String::with_capacity(text.len());
            let mut at_start = true;
            for character in text.chars() {
                if at_start {
                    out.extend(character.to_uppercase());
                } else {
                    out.push(character);
                }
                // Go's `strings.Title`: letters, digits and `_` continue a word; any other
                // ASCII character, and white space, starts a new one.
                at_start = if character.is_ascii() {
                    !(character.is_ascii_alphanumeric() || character == '_')
                } else {
                    character.is_whitespace()
                };
            }
            Ok(string(out))
        })
        .metered("untitle", |args| {
            let text = text_of(&arg(args, 0, "untitle")?);
            let mut out = String::with_capacity(text.len());
            let mut at_start = true;
            for character in text.chars() {
                if at_start {
                    out.extend(character.to_lowercase());
                } else {
                    out.push(character);
                }
                at_start = character.is_whitespace();
            }
            Ok(string(out))
        })
        .metered("swapcase", |args| {
            let text = text_of(&arg(args, 0, "swapcase")?);
            Ok(string(
                text.chars()
                    .flat_map(|c| -> Box<dyn Iterator<Item = char>> {
                        if c.is_uppercase() {
                            Box::new(c.to_lowercase())
                        } else {
                            Box::new(c.to_uppercase())
                        }
                    })
                    .collect::<String>(),
            ))
        })
        .metered("snakecase", |args| {
            Ok(string(lower_words(
                &text_of(&arg(args, 0, "snakecase")?),
                "_",
            )))
        })
        .metered("kebabcase", |args| {
            Ok(string(lower_words(
                &text_of(&arg(args, 0, "kebabcase")?),
                "-",
            )))
        })
        .metered("camelcase", |args| {
            let text = text_of(&arg(args, 0, "camelcase")?);
            Ok(string(
                words(&text)
                    .iter()
                    .map(|w| capitalize(w))
                    .collect::<String>(),
            ))
        })
        .metered("initials", |args| {
            let text = text_of(&arg(args, 0, "initials")?);
            Ok(string(
                text.split_whitespace()
                    .filter_map(|w| w.chars().next())
                    .collect::<String>(),
            ))
        })
        .metered("abbrev", |args| {
            let width = int_of(&arg(args, 0, "abbrev")?, "abbrev")?;
            let text = text_of(&arg(args, 1, "abbrev")?);
            let count = text.chars().count() as i64;
            if width < 4 || count <= width {
                return Ok(string(text));
            }
            let kept: String = text.chars().take((width - 3) as usize).collect();
            Ok(string(format!("{kept}...")))
        })
        .metered("plural", |args| {
            let one = arg(args, 0, "plural")?;
            let many = arg(args, 1, "plural")?;
            let count = int_of(&arg(args, 2, "plural")?, "plural")?;
            Ok(if count == 1 { one } else { many })
        })
        .metered("cat", |args| {
            Ok(string(
                args.iter()
                    .filter(|v| !matches!(v, Value::Nil))
                    .map(text_of)
                    .collect::<Vec<_>>()
                    .join(" "),
            ))
        })
        .metered("wrap", |args| {
            let width = int_of(&arg(args, 0, "wrap")?, "wrap")?.max(1) as usize;
            let text = text_of(&arg(args, 1, "wrap")?);
            Ok(string(wrap(&text, width, "\n")))
        })
        .metered("wrapWith", |args| {
            let width = int_of(&arg(args, 0, "wrapWith")?, "wrapWith")?.max(1) as usize;
            let with = text_of(&arg(args, 1, "wrapWith")?);
            let text = text_of(&arg(args, 2, "wrapWith")?);
            Ok(string(wrap(&text, width, &with)))
        })
        .metered("join", |args| {
            let separator = text_of(&arg(args, 0, "join")?);
            let items = match arg(args, 1, "join")? {
                // Sprig's `strslice`: nil items are left out.
                Value::List(items) => items
                    .iter()
                    .filter(|item| !matches!(item, Value::Nil))
                    .map(text_of)
                    .collect::<Vec<_>>(),
                other => vec![text_of(&other)],
            };
            Ok(string(items.join(&separator)))
        })
        .metered("splitList", |args| {
            let separator = text_of(&arg(args, 0, "splitList")?);
            let text = text_of(&arg(args, 1, "splitList")?);
            Ok(list(
                split(&text, &separator).into_iter().map(string).collect(),
            ))
        })
        .metered("split", |args| {
            let separator = text_of(&arg(args, 0, "split")?);
            let text = text_of(&arg(args, 1, "split")?);
            Ok(indexed(split(&text, &separator)))
        })
        .metered("splitn", |args| {
            let separator = text_of(&arg(args, 0, "splitn")?);
            let count = int_of(&arg(args, 1, "splitn")?, "splitn")?;
            let text = text_of(&arg(args, 2, "splitn")?);
            let parts: Vec<String> = if count < 0 {
                split(&text, &separator)
            } else if separator.is_empty() {
                vec![text]
            } else {
                text.splitn(count as usize, separator.as_str())
                    .map(str::to_string)
                    .collect()
            };
            Ok(indexed(parts))
        })
        .metered("sortAlpha", |args| {
            let mut items: Vec<String> = items_of(&arg(args, 0, "sortAlpha")?, "sortAlpha")?
                .iter()
                .map(text_of)
                .collect();
            items.sort();
            Ok(list(items.into_iter().map(string).collect()))
        })
        .metered("toStrings", |args| {
            let items = items_of(&arg(args, 0, "toStrings")?, "toStrings")?;
            Ok(list(
                items
                    .iter()
                    .filter(|item| !matches!(item, Value::Nil))
                    .map(|v| string(text_of(v)))
                    .collect(),
            ))
        })
        .metered("b64enc", |args| {
            let text = text_of(&arg(args, 0, "b64enc")?);
            Ok(string(
                base64::engine::general_purpose::STANDARD.encode(text),
            ))
        })
        .metered("b64dec", |args| {
            let text = text_of(&arg(args, 0, "b64dec")?);
            Ok(string(base64_decode(
                &text,
                &base64::engine::general_purpose::STANDARD,
            )))
        })
        .metered("b32enc", |args| {
            let text = text_of(&arg(args, 0, "b32enc")?);
            Ok(string(base32_encode(text.as_bytes())))
        })
        .metered("sha256sum", |args| {
            let text = text_of(&arg(args, 0, "sha256sum")?);
            Ok(string(hex(&sha2::Sha256::digest(text.as_bytes()))))
        })
        .metered("sha512sum", |args| {
            let text = text_of(&arg(args, 0, "sha512sum")?);
            Ok(string(hex(&sha2::Sha512::digest(text.as_bytes()))))
        })
        .metered("sha1sum", |args| {
            let text = text_of(&arg(args, 0, "sha1sum")?);
            Ok(string(hex(&sha1::Sha1::digest(text.as_bytes()))))
        })
        .metered("adler32sum", |args| {
            let text = text_of(&arg(args, 0, "adler32sum")?);
            Ok(string(adler32(text.as_bytes()).to_string()))
        })
        .metered("regexMatch", |args| {
            let pattern = text_of(&arg(args, 0, "regexMatch")?);
            let text = text_of(&arg(args, 1, "regexMatch")?);
            Ok(Value::Bool(regex(&pattern, "regexMatch")?.is_match(&text)))
        })
        .metered("regexFind", |args| {
            let pattern = text_of(&arg(args, 0, "regexFind")?);
            let text = text_of(&arg(args, 1, "regexFind")?);
            let found = regex(&pattern, "regexFind")?
                .find(&text)
                .map(|m| m.as_str().to_string());
            Ok(string(found.unwrap_or_default()))
        })
        .metered("regexFindAll", |args| {
            let pattern = text_of(&arg(args, 0, "regexFindAll")?);
            let text = text_of(&arg(args, 1, "regexFindAll")?);
            let limit = int_of(&arg(args, 2, "regexFindAll")?, "regexFindAll")?;
            let limit = if limit < 0 {
                usize::MAX
            } else {
                limit as usize
            };
            let found = regex(&pattern, "regexFindAll")?
                .find_iter(&text)
                .take(limit)
                .map(|m| string(m.as_str()))
                .collect();
            Ok(list(found))
        })
        .metered("regexReplaceAll", |args| {
            let pattern = text_of(&arg(args, 0, "regexReplaceAll")?);
            let text = text_of(&arg(args, 1, "regexReplaceAll")?);
            let replacement = text_of(&arg(args, 2, "regexReplaceAll")?);
            let re = regex(&pattern, "regexReplaceAll")?;
            ensure_room(
                (re.find_iter(&text).count() as u64)
                    .saturating_mul(replacement.len() as u64 + 64)
                    .saturating_add(text.len() as u64),
            )?;
            Ok(string(re.replace_all(&text, replacement.as_str())))
        })
        .metered("regexReplaceAllLiteral", |args| {
            let pattern = text_of(&arg(args, 0, "regexReplaceAllLiteral")?);
            let text = text_of(&arg(args, 1, "regexReplaceAllLiteral")?);
            let replacement = text_of(&arg(args, 2, "regexReplaceAllLiteral")?);
            let re = regex(&pattern, "regexReplaceAllLiteral")?;
            ensure_room(
                (re.find_iter(&text).count() as u64)
                    .saturating_mul(replacement.len() as u64)
                    .saturating_add(text.len() as u64),
            )?;
            Ok(string(re.replace_all(&text, regex::NoExpand(&replacement))))
        })
        .metered("regexSplit", |args| {
            let pattern = text_of(&arg(args, 0, "regexSplit")?);
            let text = text_of(&arg(args, 1, "regexSplit")?);
            let limit = int_of(&arg(args, 2, "regexSplit")?, "regexSplit")?;
            let re = regex(&pattern, "regexSplit")?;
            let parts: Vec<Value> = if limit < 0 {
                re.split(&text).map(string).collect()
            } else {
                re.splitn(&text, limit as usize).map(string).collect()
            };
            Ok(list(parts))
        })
        .metered("regexQuoteMeta", |args| {
            Ok(string(regex::escape(&text_of(&arg(
                args,
                0,
                "regexQuoteMeta",
            )?))))
        })
        .metered("base", |args| {
            let path = text_of(&arg(args, 0, "base")?);
            let trimmed = path.trim_end_matches('/');
            Ok(string(if path.is_empty() {
                "."
            } else if trimmed.is_empty() {
                "/"
            } else {
                trimmed.rsplit('/').next().unwrap_or(trimmed)
            }))
        })
        .metered("dir", |args| {
            let path = text_of(&arg(args, 0, "dir")?);
            let dir = match path.rfind('/') {
                Some(at) => &path[..=at],
                None => "",
            };
            Ok(string(path_clean(dir)))
        })
        .metered("clean", |args| {
            Ok(string(path_clean(&text_of(&arg(args, 0, "clean")?))))
        })
        .metered("ext", |args| {
            let path = text_of(&arg(args, 0, "ext")?);
            let name = path.rsplit('/').next().unwrap_or("");
            Ok(string(name.rfind('.').map_or("", |at| &name[at..])))
        })
        .metered("isAbs", |args| {
            Ok(Value::Bool(
                text_of(&arg(args, 0, "isAbs")?).starts_with('/'),
            ))
        })
}

fn split(text: &str, separator: &str) -> Vec<String> {
    if separator.is_empty() {
        return text.chars().map(String::from).collect();
    }
    text.split(separator).map(str::to_string).collect()
}

/// Sprig's `split`: a dict with keys `_0`, `_1`, ...
fn indexed(parts: Vec<String>) -> Value {
    Value::Map(Arc::new(
        parts
            .into_iter()
            .enumerate()
            .map(|(index, part)| (Arc::from(format!("_{index}").as_str()), string(part)))
            .collect(),
    ))
}

/// Word wrapping as Sprig's `wrap` (Apache Commons' `WordUtils.wrap` without long-word breaks).
fn wrap(text: &str, width: usize, newline: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (index, line) in text.split('\n').enumerate() {
        if index > 0 {
            out.push_str(newline);
        }
        let mut length = 0;
        for (position, word) in line.split(' ').filter(|w| !w.is_empty()).enumerate() {
            let size = word.chars().count();
            if position > 0 {
                if length + 1 + size > width {
                    out.push_str(newline);
                    length = 0;
                } else {
                    out.push(' ');
                    length += 1;
                }
            }
            out.push_str(word);
            length += size;
        }
    }
    out
}

/// Base32's standard alphabet (RFC 4648), as `b32enc` and `b32dec` use it.
pub(super) const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

fn base32_encode(bytes: &[u8]) -> String {
    let mut out = String::new();
    for chunk in bytes.chunks(5) {
        let mut buffer = [0u8; 5];
        buffer[..chunk.len()].copy_from_slice(chunk);
        let bits = buffer
            .iter()
            .fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
        let symbols = (chunk.len() * 8).div_ceil(5);
        for index in 0..8 {
            if index < symbols {
                out.push(BASE32[((bits >> (35 - index * 5)) & 31) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn lists_and_dicts(template: Registry) -> Registry {
    template
        .metered("first", |args| {
            Ok(items_of(&arg(args, 0, "first")?, "first")?
                .first()
                .cloned()
                .unwrap_or(Value::Nil))
        })
        .metered("last", |args| {
            Ok(items_of(&arg(args, 0, "last")?, "last")?
                .last()
                .cloned()
                .unwrap_or(Value::Nil))
        })
        .metered("rest", |args| {
            let items = items_of(&arg(args, 0, "rest")?, "rest")?;
            Ok(list(items.into_iter().skip(1).collect()))
        })
        .metered("initial", |args| {
            let mut items = items_of(&arg(args, 0, "initial")?, "initial")?;
            items.pop();
            Ok(list(items))
        })
        .metered("append", |args| {
            let mut items = items_of(&arg(args, 0, "append")?, "append")?;
            items.push(arg(args, 1, "append")?);
            Ok(list(items))
        })
        .metered("push", |args| {
            let mut items = items_of(&arg(args, 0, "push")?, "push")?;
            items.push(arg(args, 1, "push")?);
            Ok(list(items))
        })
        .metered("prepend", |args| {
            let mut items = items_of(&arg(args, 0, "prepend")?, "prepend")?;
            items.insert(0, arg(args, 1, "prepend")?);
            Ok(list(items))
        })
        .metered("concat", |args| {
            let mut all = Vec::new();
            for value in args {
                all.extend(items_of(value, "concat")?);
            }
            Ok(list(all))
        })
        .metered("reverse", |args| {
            let mut items = items_of(&arg(args, 0, "reverse")?, "reverse")?;
            items.reverse();
            Ok(list(items))
        })
        .metered("uniq", |args| {
            let mut seen: Vec<Value> = Vec::new();
            for item in items_of(&arg(args, 0, "uniq")?, "uniq")? {
                if !seen.contains(&item) {
                    seen.push(item);
                }
            }
            Ok(list(seen))
        })
        .metered("without", |args| {
            let items = items_of(&arg(args, 0, "without")?, "without")?;
            let removed = &args[1..];
            Ok(list(
                items.into_iter().filter(|i| !removed.contains(i)).collect(),
            ))
        })
        .metered("has", |args| {
            let needle = arg(args, 0, "has")?;
            let items = items_of(&arg(args, 1, "has")?, "has")?;
            Ok(Value::Bool(items.contains(&needle)))
        })
        .metered("compact", |args| {
            let items = items_of(&arg(args, 0, "compact")?, "compact")?;
            Ok(list(items.into_iter().filter(|i| !is_empty(i)).collect()))
        })
        .metered("slice", |args| {
            // Strings slice by bytes, as Go's own `slice` does.
            if let Value::String(text) = arg(args, 0, "slice")? {
                let length = text.len() as i64;
                let start = args
                    .get(1)
                    .map_or(Ok(0), |v| int_of(v, "slice"))?
                    .clamp(0, length);
                let end = args
                    .get(2)
                    .map_or(Ok(length), |v| int_of(v, "slice"))?
                    .clamp(start, length);
                let bytes = &text.as_bytes()[start as usize..end as usize];
                return Ok(string(String::from_utf8_lossy(bytes)));
            }
            let items = items_of(&arg(args, 0, "slice")?, "slice")?;
            let start = match args.get(1) {
                Some(v) => int_of(v, "slice")?.clamp(0, items.len() as i64) as usize,
                None => 0,
            };
            let end = match args.get(2) {
                Some(v) => int_of(v, "slice")?.clamp(start as i64, items.len() as i64) as usize,
                None => items.len(),
            };
            Ok(list(items[start..end].to_vec()))
        })
        .metered("chunk", |args| {
            let size = int_of(&arg(args, 0, "chunk")?, "chunk")?.max(1) as usize;
            let items = items_of(&arg(args, 1, "chunk")?, "chunk")?;
            Ok(list(items.chunks(size).map(|c| list(c.to_vec())).collect()))
        })
        .metered("until", |args| {
            let stop = int_of(&arg(args, 0, "until")?, "until")?;
            integers(0, stop, if stop < 0 { -1 } else { 1 })
        })
        .metered("untilStep", |args| {
            let start = int_of(&arg(args, 0, "untilStep")?, "untilStep")?;
            let stop = int_of(&arg(args, 1, "untilStep")?, "untilStep")?;
            let step = int_of(&arg(args, 2, "untilStep")?, "untilStep")?;
            integers(start, stop, step)
        })
        .metered("seq", |args| {
            let numbers: Vec<i64> = args
                .iter()
                .map(|v| int_of(v, "seq"))
                .collect::<gotmpl::Result<_>>()?;
            let (start, step, stop) = match numbers.as_slice() {
                [stop] => (1, if *stop < 1 { -1 } else { 1 }, *stop),
                [start, stop] => (*start, if stop < start { -1 } else { 1 }, *stop),
                [start, step, stop] => (*start, *step, *stop),
                _ => return Ok(string("")),
            };
            let past = stop.saturating_add(step.signum());
            let Value::List(items) = integers(start, past, step)? else {
                return Ok(string(""));
            };
            Ok(string(
                items.iter().map(text_of).collect::<Vec<_>>().join(" "),
            ))
        })
        .metered("get", |args| {
            let entries = map_of(&arg(args, 0, "get")?, "get")?;
            let key = text_of(&arg(args, 1, "get")?);
            Ok(entries
                .get(key.as_str())
                .cloned()
                .unwrap_or_else(|| string("")))
        })
        .metered("set", |args| {
            let mut entries = map_of(&arg(args, 0, "set")?, "set")?;
            let key = text_of(&arg(args, 1, "set")?);
            entries.insert(Arc::from(key.as_str()), arg(args, 2, "set")?);
            Ok(Value::Map(Arc::new(entries)))
        })
        .metered("unset", |args| {
            let mut entries = map_of(&arg(args, 0, "unset")?, "unset")?;
            entries.remove(text_of(&arg(args, 1, "unset")?).as_str());
            Ok(Value::Map(Arc::new(entries)))
        })
        .metered("pluck", |args| {
            let key = text_of(&arg(args, 0, "pluck")?);
            let mut found = Vec::new();
            for value in &args[1..] {
                if let Some(v) = map_of(value, "pluck")?.get(key.as_str()) {
                    found.push(v.clone());
                }
            }
            Ok(list(found))
        })
        .metered("pick", |args| {
            let entries = map_of(&arg(args, 0, "pick")?, "pick")?;
            let keys: Vec<String> = args[1..].iter().map(text_of).collect();
            Ok(Value::Map(Arc::new(
                entries
                    .into_iter()
                    .filter(|(k, _)| keys.iter().any(|key| key.as_str() == &**k))
                    .collect(),
            )))
        })
        .metered("omit", |args| {
            let entries = map_of(&arg(args, 0, "omit")?, "omit")?;
            let keys: Vec<String> = args[1..].iter().map(text_of).collect();
            Ok(Value::Map(Arc::new(
                entries
                    .into_iter()
                    .filter(|(k, _)| !keys.iter().any(|key| key.as_str() == &**k))
                    .collect(),
            )))
        })
        .metered("values", |args| {
            let entries = map_of(&arg(args, 0, "values")?, "values")?;
            Ok(list(entries.into_values().collect()))
        })
        .metered("merge", |args| merge(args, false, "merge"))
        .metered("mergeOverwrite", |args| merge(args, true, "mergeOverwrite"))
        .metered("dig", |args| {
            if args.len() < 3 {
                return Err(fail(
                    "dig: want at least 3 arguments: keys, a default and a dict",
                ));
            }
            let (keys, rest) = args.split_at(args.len() - 2);
            let default = rest[0].clone();
            let mut current = rest[1].clone();
            for key in keys {
                match current {
                    Value::Map(entries) => match entries.get(text_of(key).as_str()) {
                        Some(next) => current = next.clone(),
                        None => return Ok(default),
                    },
                    _ => return Ok(default),
                }
            }
            Ok(current)
        })
        .metered("deepCopy", |args| arg(args, 0, "deepCopy"))
        // Helm's `lookup` finds nothing under `helm template`: there is no cluster to ask.
        .metered("lookup", |_| Ok(Value::Map(Arc::new(BTreeMap::new()))))
        .metered("toPrettyJson", |args| {
            let yaml = to_yaml(args.first().unwrap_or(&Value::Nil));
            Ok(string(
                serde_json::to_string_pretty(&yaml).unwrap_or_default(),
            ))
        })
        .metered("toRawJson", |args| {
            let yaml = to_yaml(args.first().unwrap_or(&Value::Nil));
            Ok(string(serde_json::to_string(&yaml).unwrap_or_default()))
        })
        .metered("fromYaml", |args| {
            let text = text_of(&arg(args, 0, "fromYaml")?);
            Ok(match crate::yaml::from_str::<serde_yaml_ng::Value>(&text) {
                Ok(value @ serde_yaml_ng::Value::Mapping(_)) => super::functions::from_yaml(&value),
                Ok(_) => Value::Map(Arc::new(BTreeMap::new())),
                Err(error) => {
                    let mut entries = BTreeMap::new();
                    entries.insert(Arc::from("Error"), string(error.to_string()));
                    Value::Map(Arc::new(entries))
                }
            })
        })
        .metered("fromJson", |args| {
            let text = text_of(&arg(args, 0, "fromJson")?);
            Ok(match serde_json::from_str::<serde_yaml_ng::Value>(&text) {
                Ok(value) => super::functions::from_yaml(&value),
                Err(error) => {
                    let mut entries = BTreeMap::new();
                    entries.insert(Arc::from("Error"), string(error.to_string()));
                    Value::Map(Arc::new(entries))
                }
            })
        })
}

/// Sprig's `merge` and `mergeOverwrite`: the first dict gains the keys of the next ones,
/// recursively in nested dicts; with `overwrite`, later values replace earlier ones.
fn merge(args: &[Value], overwrite: bool, function: &str) -> FuncResult {
    fn merge_into(
        base: &mut BTreeMap<Arc<str>, Value>,
        layer: &BTreeMap<Arc<str>, Value>,
        overwrite: bool,
    ) {
        for (key, value) in layer {
            match (base.get_mut(key), value) {
                (Some(Value::Map(existing)), Value::Map(incoming)) => {
                    let mut merged = existing.as_ref().clone();
                    merge_into(&mut merged, incoming, overwrite);
                    *existing = Arc::new(merged);
                }
                (Some(existing), _) => {
                    if overwrite {
                        *existing = value.clone();
                    }
                }
                (None, _) => {
                    base.insert(key.clone(), value.clone());
                }
            }
        }
    }
    let mut base = map_of(&arg(args, 0, function)?, function)?;
    for layer in &args[1..] {
        merge_into(&mut base, &map_of(layer, function)?, overwrite);
    }
    Ok(Value::Map(Arc::new(base)))
}

fn numbers_and_types(template: Registry) -> Registry {
    template
        .metered("add1", |args| {
            let n = int_of(&arg(args, 0, "add1")?, "add1")?;
            Ok(Value::Int(n.saturating_add(1)))
        })
        .metered("mod", |args| {
            let a = int_of(&arg(args, 0, "mod")?, "mod")?;
            let b = int_of(&arg(args, 1, "mod")?, "mod")?;
            a.checked_rem(b)
                .map(Value::Int)
                .ok_or_else(|| fail("mod: integer divide by zero"))
        })
        .metered("floor", |args| {
            Ok(Value::Float(float_of(&arg(args, 0, "floor")?).floor()))
        })
        .metered("ceil", |args| {
            Ok(Value::Float(float_of(&arg(args, 0, "ceil")?).ceil()))
        })
        .metered("round", |args| {
            let value = float_of(&arg(args, 0, "round")?);
            let places = int_of(&arg(args, 1, "round")?, "round")?.clamp(0, 15) as i32;
            let scale = 10f64.powi(places);
            let scaled = value * scale;
            let rounded = if scaled.fract().abs() >= 0.5 {
                scaled.trunc() + scaled.signum()
            } else {
                scaled.trunc()
            };
            Ok(Value::Float(rounded / scale))
        })
        .metered("addf", |args| {
            Ok(Value::Float(args.iter().map(float_of).sum()))
        })
        .metered("mulf", |args| {
            Ok(Value::Float(args.iter().map(float_of).product()))
        })
        .metered("subf", |args| {
            let mut values = args.iter().map(float_of);
            let first = values.next().unwrap_or(0.0);
            Ok(Value::Float(values.fold(first, |a, b| a - b)))
        })
        .metered("divf", |args| {
            let mut values = args.iter().map(float_of);
            let first = values.next().unwrap_or(0.0);
            Ok(Value::Float(values.fold(first, |a, b| a / b)))
        })
        .metered("maxf", |args| {
            Ok(Value::Float(
                args.iter().map(float_of).fold(f64::NEG_INFINITY, f64::max),
            ))
        })
        .metered("minf", |args| {
            Ok(Value::Float(
                args.iter().map(float_of).fold(f64::INFINITY, f64::min),
            ))
        })
        .metered("float64", |args| {
            Ok(Value::Float(float_of(&arg(args, 0, "float64")?)))
        })
        .metered("atoi", |args| {
            let text = text_of(&arg(args, 0, "atoi")?);
            Ok(Value::Int(text.trim().parse().unwrap_or(0)))
        })
        .metered("toDecimal", |args| {
            let text = text_of(&arg(args, 0, "toDecimal")?);
            Ok(Value::Int(i64::from_str_radix(text.trim(), 8).unwrap_or(0)))
        })
        .metered("kindOf", |args| {
            Ok(string(kind_of(&arg(args, 0, "kindOf")?)))
        })
        .metered("kindIs", |args| {
            let kind = text_of(&arg(args, 0, "kindIs")?);
            Ok(Value::Bool(kind_of(&arg(args, 1, "kindIs")?) == kind))
        })
        .metered("typeOf", |args| {
            Ok(string(type_of(&arg(args, 0, "typeOf")?)))
        })
        .metered("typeIs", |args| {
            let name = text_of(&arg(args, 0, "typeIs")?);
            Ok(Value::Bool(type_of(&arg(args, 1, "typeIs")?) == name))
        })
        .metered("deepEqual", |args| {
            Ok(Value::Bool(
                arg(args, 0, "deepEqual")? == arg(args, 1, "deepEqual")?,
            ))
        })
        .metered("all", |args| {
            Ok(Value::Bool(args.iter().all(|v| !is_empty(v))))
        })
        .metered("any", |args| {
            Ok(Value::Bool(args.iter().any(|v| !is_empty(v))))
        })
        .metered("semverCompare", |args| {
            let constraint = text_of(&arg(args, 0, "semverCompare")?);
            let version = text_of(&arg(args, 1, "semverCompare")?);
            let version = parse_version(&version).ok_or_else(|| {
                fail(format!(
                    "semverCompare: invalid semantic version {version:?}"
                ))
            })?;
            semver_matches(&constraint, version)
                .map(Value::Bool)
                .map_err(|message| fail(format!("semverCompare: {message}")))
        })
}

/// `major.minor.patch` of a version, `v` and a pre-release or build suffix allowed; missing
/// parts count as zero.
fn parse_version(text: &str) -> Option<(u64, u64, u64)> {
    let core = text.trim().trim_start_matches(['v', 'V']);
    let core = core.split(['-', '+']).next()?;
    let mut parts = core.split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next().map_or(Some(0), |p| p.parse().ok())?;
    let patch = parts.next().map_or(Some(0), |p| p.parse().ok())?;
    parts.next().is_none().then_some((major, minor, patch))
}

/// Masterminds-style constraints, as Sprig's `semverCompare` reads them: alternatives with
/// `||`, comparators separated by commas or spaces, `=`, `!=`, `>`, `<`, `>=`, `<=`, `~` and `^`.
/// Pre-release suffixes such as `-0` only widen the match to pre-releases, which the simulated
/// versions never are.
fn semver_matches(constraint: &str, version: (u64, u64, u64)) -> Result<bool, String> {
    for alternative in constraint.split("||") {
        let mut all = true;
        let mut any_comparator = false;
        for comparator in alternative.split([',', ' ']).filter(|c| !c.is_empty()) {
            any_comparator = true;
            let operator_end = comparator
                .find(|c: char| c.is_ascii_digit() || c == 'v')
                .ok_or_else(|| format!("improper constraint: {constraint}"))?;
            let (operator, wanted) = comparator.split_at(operator_end);
            let target = parse_version(wanted)
                .ok_or_else(|| format!("improper constraint: {constraint}"))?;
            let ok = match operator {
                "" | "=" | "==" => version == target,
                "!=" => version != target,
                ">" => version > target,
                "<" => version < target,
                ">=" | "=>" => version >= target,
                "<=" | "=<" => version <= target,
                "~" | "~>" => version >= target && version.0 == target.0 && version.1 == target.1,
                "^" => version >= target && version.0 == target.0,
                _ => return Err(format!("improper constraint: {constraint}")),
            };
            all &= ok;
        }
        if any_comparator && all {
            return Ok(true);
        }
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_alias_names_a_registered_function() {
        let set = super::super::functions::TemplateSet::default();
        let registry = super::super::functions::helm_registry(Template::new("t"), &set);
        let registry = numbers_and_types(lists_and_dicts(strings(registry)));
        let missing: Vec<&str> = ALIASES
            .iter()
            .filter(|(_, name)| !registry.functions.contains_key(*name))
            .map(|(_, name)| *name)
            .collect();
        assert_eq!(missing, Vec::<&str>::new());
    }
}
