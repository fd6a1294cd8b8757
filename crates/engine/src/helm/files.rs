//! `.Files`: the chart's other files, as Helm gives them to templates (`Get`, `GetBytes`,
//! `Glob`, `Lines`, `AsConfig`, `AsSecrets`).
//!
//! Go templates call these as methods of `.Files`; the template engine here has functions but no
//! methods, so each action's text is rewritten before it is parsed: `.Files.Get "a"` (through
//! any receiver: `$.Files`, `$root.Files`, `.ctx.Files`) becomes `helmFilesGet "a"`, and
//! `(.Files.Glob "x").AsConfig` becomes `(helmFilesAsConfig (helmFilesGlob "x"))`. The few other
//! methods charts call are rewritten the same way: `.Capabilities.APIVersions.Has "apps/v1"`
//! becomes `helmAPIVersionsHas "apps/v1"`, `.Values.AsMap` the values themselves. Only code is
//! rewritten, never text outside actions, comments or string literals.

use super::functions::{arg, fail, string, text_of, FuncResult};
use base64::Engine as _;
use gotmpl::Value;
use regex::Regex;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

/// Whether `path` (inside the chart) is one of `.Files`: everything Helm does not read as the
/// chart's own metadata, values, templates or subcharts.
pub(super) fn is_chart_file(path: &str) -> bool {
    !matches!(
        path,
        "Chart.yaml"
            | "Chart.lock"
            | "values.yaml"
            | "values.schema.json"
            | "requirements.yaml"
            | "requirements.lock"
    ) && !path.starts_with("templates/")
        && !path.starts_with("charts/")
}

/// `.Files` as a template value: path to content.
pub(super) fn files_value(files: &BTreeMap<String, String>) -> Value {
    Value::Map(Arc::new(
        files
            .iter()
            .map(|(path, content)| (Arc::from(path.as_str()), string(content)))
            .collect(),
    ))
}

fn method_call() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"(?:\$[A-Za-z0-9_]*)?(?:\.[A-Za-z_][A-Za-z0-9_]*)*\.Files\.(Get|GetBytes|Glob|Lines|AsConfig|AsSecrets)\b",
        )
        .expect("a valid pattern")
    })
}

/// The other methods charts call: `.Capabilities.APIVersions.Has "apps/v1"`, `.Values.AsMap`
/// and `.Capabilities.KubeVersion.GitVersion` (the version's older name), through any receiver.
fn other_method() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"((?:\$[A-Za-z0-9_]*)?(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\.(Capabilities\.APIVersions\.Has|Values\.AsMap|Capabilities\.KubeVersion\.GitVersion)\b",
        )
        .expect("a valid pattern")
    })
}

fn variable_as() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"(\$[A-Za-z0-9_]*)\.(AsConfig|AsSecrets)\b").expect("a valid pattern")
    })
}

fn function_of(method: &str) -> &'static str {
    match method {
        "Get" | "GetBytes" => "helmFilesGet",
        "Glob" => "helmFilesGlob",
        "Lines" => "helmFilesLines",
        "AsConfig" => "helmFilesAsConfig",
        _ => "helmFilesAsSecrets",
    }
}

/// `text` with `.Files` methods turned into functions; borrowed when it has none.
pub(super) fn rewrite(text: &str) -> Cow<'_, str> {
    if !text.contains("Files")
        && !text.contains(".As")
        && !text.contains(".Has")
        && !text.contains("GitVersion")
    {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 32);
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start + 2]);
        rest = &rest[start + 2..];
        let body_start = rest.trim_start_matches('-').trim_start();
        if body_start.starts_with("/*") {
            // A comment runs to its `*/`, whatever it holds.
            let Some(end) = rest.find("*/") else {
                break;
            };
            out.push_str(&rest[..end + 2]);
            rest = &rest[end + 2..];
            continue;
        }
        let end = action_end(rest);
        out.push_str(&rewrite_action(&rest[..end]));
        rest = &rest[end..];
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// Where the action that starts `text` ends: its `}}`, outside string literals; the end of
/// `text` when it has none (the parser reports that).
fn action_end(text: &str) -> usize {
    let bytes = text.as_bytes();
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            quote @ (b'"' | b'\'' | b'`') => index = literal_end(bytes, index, quote),
            b'}' if bytes.get(index + 1) == Some(&b'}') => return index,
            _ => index += 1,
        }
    }
    bytes.len()
}

/// The index just past the literal opened by `quote` at `start`.
fn literal_end(bytes: &[u8], start: usize, quote: u8) -> usize {
    let mut index = start + 1;
    while index < bytes.len() {
        if bytes[index] == b'\\' && quote != b'`' {
            index += 2;
            continue;
        }
        if bytes[index] == quote {
            return index + 1;
        }
        index += 1;
    }
    bytes.len()
}

/// One action's code with the methods rewritten, string literals untouched.
fn rewrite_action(action: &str) -> String {
    // Code and literals, alternately; the literals kept as they are.
    let bytes = action.as_bytes();
    let mut pieces: Vec<(bool, &str)> = Vec::new();
    let (mut index, mut code_start) = (0, 0);
    while index < bytes.len() {
        if let quote @ (b'"' | b'\'' | b'`') = bytes[index] {
            pieces.push((true, &action[code_start..index]));
            let end = literal_end(bytes, index, quote);
            pieces.push((false, &action[index..end]));
            index = end;
            code_start = end;
        } else {
            index += 1;
        }
    }
    pieces.push((true, &action[code_start..]));
    let rewritten: String = pieces
        .into_iter()
        .map(|(is_code, piece)| {
            if !is_code {
                return Cow::Borrowed(piece);
            }
            let piece = method_call().replace_all(piece, |caps: &regex::Captures<'_>| {
                function_of(&caps[1]).to_string()
            });
            let piece = match other_method().replace_all(&piece, |caps: &regex::Captures<'_>| {
                let receiver = &caps[1];
                match &caps[2] {
                    "Capabilities.APIVersions.Has" => "helmAPIVersionsHas".to_string(),
                    "Values.AsMap" => format!("{receiver}.Values"),
                    _ => format!("{receiver}.Capabilities.KubeVersion.Version"),
                }
            }) {
                Cow::Borrowed(_) => piece,
                Cow::Owned(owned) => Cow::Owned(owned),
            };
            match variable_as().replace_all(&piece, |caps: &regex::Captures<'_>| {
                format!("({} {})", function_of(&caps[2]), &caps[1])
            }) {
                Cow::Borrowed(_) => piece,
                Cow::Owned(owned) => Cow::Owned(owned),
            }
        })
        .collect();
    grouped_as(&rewritten)
}

/// `(X).AsConfig` and `(X).AsSecrets` as `(helmFilesAsConfig (X))`.
fn grouped_as(action: &str) -> String {
    let bytes = action.as_bytes();
    let mut opens = Vec::new();
    // (open index, close index, method) of each group followed by a method.
    let mut edits: Vec<(usize, usize, &'static str, usize)> = Vec::new();
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            quote @ (b'"' | b'\'' | b'`') => {
                index = literal_end(bytes, index, quote);
                continue;
            }
            b'(' => opens.push(index),
            b')' => {
                if let Some(open) = opens.pop() {
                    let after = &action[index + 1..];
                    for method in ["AsConfig", "AsSecrets"] {
                        let call = format!(".{method}");
                        let ends_word = |rest: &str| {
                            !rest
                                .chars()
                                .next()
                                .is_some_and(|c| c.is_alphanumeric() || c == '_')
                        };
                        if after.starts_with(&call) && ends_word(&after[call.len()..]) {
                            edits.push((open, index, function_of(method), call.len()));
                        }
                    }
                }
            }
            _ => {}
        }
        index += 1;
    }
    if edits.is_empty() {
        return action.to_string();
    }
    // Each edit inserts at its open bracket and replaces the method after its close bracket;
    // applied from the last position back, so earlier positions stay valid.
    let mut changes: Vec<(usize, usize, String)> = Vec::new();
    for (open, close, function, length) in edits {
        changes.push((open, open, format!("({function} ")));
        changes.push((close + 1, close + 1 + length, ")".to_string()));
    }
    changes.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)));
    let mut out = action.to_string();
    for (start, end, with) in changes {
        out.replace_range(start..end, &with);
    }
    out
}

/// The functions `.Files`'s methods become, over `files`.
pub(super) fn functions(
    files: Arc<BTreeMap<String, String>>,
) -> Vec<(&'static str, gotmpl::ValueFunc)> {
    let get = {
        let files = Arc::clone(&files);
        Arc::new(move |args: &[Value]| -> FuncResult {
            let name = text_of(&arg(args, 0, "Get")?);
            Ok(string(files.get(&name).map_or("", String::as_str)))
        }) as gotmpl::ValueFunc
    };
    let glob = {
        let files = Arc::clone(&files);
        Arc::new(move |args: &[Value]| -> FuncResult {
            let pattern = text_of(&arg(args, 0, "Glob")?);
            let matcher = Glob::new(&pattern)
                .map_err(|message| fail(format!("error calling Glob: {message}")))?;
            Ok(Value::Map(Arc::new(
                files
                    .iter()
                    .filter(|(path, _)| matcher.matches(path))
                    .map(|(path, content)| (Arc::from(path.as_str()), string(content)))
                    .collect(),
            )))
        }) as gotmpl::ValueFunc
    };
    let lines = {
        let files = Arc::clone(&files);
        Arc::new(move |args: &[Value]| -> FuncResult {
            let name = text_of(&arg(args, 0, "Lines")?);
            let Some(content) = files.get(&name) else {
                return Ok(Value::List(Arc::from(Vec::new())));
            };
            if content.is_empty() {
                return Err(fail(
                    "error calling Lines: runtime error: index out of range [-1]",
                ));
            }
            let content = content.strip_suffix('\n').unwrap_or(content);
            Ok(Value::List(content.split('\n').map(string).collect()))
        }) as gotmpl::ValueFunc
    };
    let as_config = {
        let files = Arc::clone(&files);
        Arc::new(move |args: &[Value]| -> FuncResult {
            Ok(string(by_base_name(&files, args, |content| {
                content.to_string()
            })))
        }) as gotmpl::ValueFunc
    };
    let as_secrets = Arc::new(move |args: &[Value]| -> FuncResult {
        Ok(string(by_base_name(&files, args, |content| {
            base64::engine::general_purpose::STANDARD.encode(content)
        })))
    }) as gotmpl::ValueFunc;
    vec![
        ("helmFilesGet", get),
        ("helmFilesGlob", glob),
        ("helmFilesLines", lines),
        ("helmFilesAsConfig", as_config),
        ("helmFilesAsSecrets", as_secrets),
    ]
}

/// The files of `args[0]` (a `Glob` result) or all `files`, keyed by base name with `content`
/// made of each, as YAML: Helm's `AsConfig` and `AsSecrets`.
fn by_base_name(
    files: &BTreeMap<String, String>,
    args: &[Value],
    content: impl Fn(&str) -> String,
) -> String {
    let mut by_name: BTreeMap<String, String> = BTreeMap::new();
    let mut add = |path: &str, text: &str| {
        let base = path.rsplit('/').next().unwrap_or(path);
        by_name.insert(base.to_string(), content(text));
    };
    match args.first() {
        Some(Value::Map(map)) => {
            for (path, value) in map.iter() {
                add(path, &text_of(value));
            }
        }
        _ => {
            for (path, text) in files {
                add(path, text);
            }
        }
    }
    let yaml = serde_yaml_ng::Value::Mapping(
        by_name
            .into_iter()
            .map(|(key, value)| {
                (
                    serde_yaml_ng::Value::String(key),
                    serde_yaml_ng::Value::String(value),
                )
            })
            .collect(),
    );
    let text = super::functions::yaml_text(&yaml);
    text.trim_end_matches('\n').to_string()
}

/// Whether `path` matches the glob `pattern` as `.Files.Glob` reads it (see [`Glob`]); a
/// pattern that does not read matches nothing.
pub fn glob_matches(pattern: &str, path: &str) -> bool {
    Glob::new(pattern).is_ok_and(|glob| glob.matches(path))
}

/// A glob as Helm's `.Files.Glob` reads it: `*` and `?` stay within one path segment, `**`
/// crosses them, `[a-z]` and `[!a-z]` are classes, `{a,b}` alternatives, `\` escapes.
#[derive(Debug)]
struct Glob {
    alternatives: Vec<Vec<Token>>,
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Char(char),
    Any,
    AnyDeep,
    One,
    Class {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
}

/// The most alternatives braces may expand to.
const MAX_ALTERNATIVES: usize = 256;
/// The longest pattern read.
const MAX_PATTERN: usize = 1024;

impl Glob {
    fn new(pattern: &str) -> Result<Glob, String> {
        if pattern.len() > MAX_PATTERN {
            return Err(format!("the pattern is longer than {MAX_PATTERN} bytes"));
        }
        let alternatives = expand_braces(pattern)?
            .iter()
            .map(|one| tokens(one))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Glob { alternatives })
    }

    fn matches(&self, path: &str) -> bool {
        let chars: Vec<char> = path.chars().collect();
        self.alternatives
            .iter()
            .any(|tokens| match_tokens(tokens, &chars))
    }
}

/// Every pattern `{a,b}` alternatives spell, at most [`MAX_ALTERNATIVES`].
fn expand_braces(pattern: &str) -> Result<Vec<String>, String> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut depth = 0;
    let mut open = None;
    let mut index = 0;
    while index < chars.len() {
        match chars[index] {
            '\\' => index += 1,
            '{' => {
                if depth == 0 {
                    open = Some(index);
                }
                depth += 1;
            }
            '}' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    let start = open.unwrap_or(0);
                    let prefix: String = chars[..start].iter().collect();
                    let suffix: String = chars[index + 1..].iter().collect();
                    let mut parts = Vec::new();
                    let (mut level, mut from) = (0, start + 1);
                    let mut at = start + 1;
                    while at < index {
                        match chars[at] {
                            '\\' => at += 1,
                            '{' => level += 1,
                            '}' => level -= 1,
                            ',' if level == 0 => {
                                parts.push(chars[from..at].iter().collect::<String>());
                                from = at + 1;
                            }
                            _ => {}
                        }
                        at += 1;
                    }
                    parts.push(chars[from..index].iter().collect::<String>());
                    let mut all = Vec::new();
                    for part in parts {
                        for expanded in expand_braces(&format!("{prefix}{part}{suffix}"))? {
                            all.push(expanded);
                            if all.len() > MAX_ALTERNATIVES {
                                return Err(format!(
                                    "the pattern's braces give more than {MAX_ALTERNATIVES} alternatives"
                                ));
                            }
                        }
                    }
                    return Ok(all);
                }
            }
            _ => {}
        }
        index += 1;
    }
    if depth > 0 {
        return Err("unexpected end of input: a `{` is not closed".into());
    }
    Ok(vec![pattern.to_string()])
}

fn tokens(pattern: &str) -> Result<Vec<Token>, String> {
    let mut out = Vec::new();
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push(Token::Char(chars.next().unwrap_or('\\'))),
            '*' if chars.peek() == Some(&'*') => {
                chars.next();
                while chars.peek() == Some(&'*') {
                    chars.next();
                }
                out.push(Token::AnyDeep);
            }
            '*' => out.push(Token::Any),
            '?' => out.push(Token::One),
            '[' => {
                let negated = matches!(chars.peek(), Some('!') | Some('^'));
                if negated {
                    chars.next();
                }
                let mut ranges = Vec::new();
                loop {
                    let Some(first) = chars.next() else {
                        return Err("unexpected end of input: a `[` is not closed".into());
                    };
                    if first == ']' {
                        break;
                    }
                    let first = if first == '\\' {
                        chars.next().unwrap_or('\\')
                    } else {
                        first
                    };
                    if chars.peek() == Some(&'-') {
                        chars.next();
                        let last = chars
                            .next()
                            .ok_or("unexpected end of input: a `[` is not closed")?;
                        ranges.push((first, last));
                    } else {
                        ranges.push((first, first));
                    }
                }
                out.push(Token::Class { negated, ranges });
            }
            other => out.push(Token::Char(other)),
        }
    }
    Ok(out)
}

/// Whether `tokens` match all of `path`: a table of which token prefixes match which path
/// prefixes, so the work is bounded by their product whatever the stars.
fn match_tokens(tokens: &[Token], path: &[char]) -> bool {
    let width = path.len() + 1;
    // matched[j]: tokens[..i] match path[..j], for the current i.
    let mut matched = vec![false; width];
    matched[0] = true;
    for token in tokens {
        let mut next = vec![false; width];
        match token {
            Token::Any | Token::AnyDeep => {
                let deep = *token == Token::AnyDeep;
                let mut reachable = false;
                for j in 0..width {
                    // A star cannot take a `/` unless it is `**`.
                    if j > 0 && !deep && path[j - 1] == '/' {
                        reachable = false;
                    }
                    reachable |= matched[j];
                    next[j] = reachable;
                }
            }
            single => {
                for j in 1..width {
                    if matched[j - 1] && single_matches(single, path[j - 1]) {
                        next[j] = true;
                    }
                }
            }
        }
        matched = next;
    }
    matched[path.len()]
}

fn single_matches(token: &Token, c: char) -> bool {
    match token {
        Token::Char(expected) => *expected == c,
        Token::One => c != '/',
        Token::Class { negated, ranges } => {
            let inside = ranges.iter().any(|(low, high)| *low <= c && c <= *high);
            c != '/' && inside != *negated
        }
        Token::Any | Token::AnyDeep => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_of_files_become_functions_in_code_only() {
        let cases = [
            (
                r#"{{ .Files.Get "a.conf" }}"#,
                r#"{{ helmFilesGet "a.conf" }}"#,
            ),
            (
                r#"{{- $.Files.Get (printf "%s.ini" .Values.name) | nindent 4 }}"#,
                r#"{{- helmFilesGet (printf "%s.ini" .Values.name) | nindent 4 }}"#,
            ),
            (
                r#"{{ (.Files.Glob "files/*").AsConfig | indent 2 }}"#,
                r#"{{ (helmFilesAsConfig (helmFilesGlob "files/*")) | indent 2 }}"#,
            ),
            (
                r#"{{ ($.Files.Glob "s/*").AsSecrets }}"#,
                r#"{{ (helmFilesAsSecrets (helmFilesGlob "s/*")) }}"#,
            ),
            (
                r#"{{ range $path, $_ := .Files.Glob "**.yaml" }}{{ $.Files.Get $path }}{{ end }}"#,
                r#"{{ range $path, $_ := helmFilesGlob "**.yaml" }}{{ helmFilesGet $path }}{{ end }}"#,
            ),
            (
                r#"{{ $f := .Files.Glob "x/*" }}{{ $f.AsConfig }}"#,
                r#"{{ $f := helmFilesGlob "x/*" }}{{ (helmFilesAsConfig $f) }}"#,
            ),
            (
                r#"{{ .ctx.Files.Lines "l.txt" }} .Files.Get in text {{ ".Files.Get" }}{{/* .Files.Get */}}"#,
                r#"{{ helmFilesLines "l.txt" }} .Files.Get in text {{ ".Files.Get" }}{{/* .Files.Get */}}"#,
            ),
            (r#"{{ .Files.AsConfig }}"#, r#"{{ helmFilesAsConfig }}"#),
            (
                "no actions at all .Files.Get",
                "no actions at all .Files.Get",
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(rewrite(text), expected, "{text}");
        }
    }

    #[test]
    fn globs_read_as_helm_reads_them() {
        let cases = [
            ("files/*", "files/a.conf", true),
            ("files/*", "files/sub/a.conf", false),
            ("files/**", "files/sub/a.conf", true),
            ("**.yaml", "config/deep/x.yaml", true),
            ("*.yaml", "config/x.yaml", false),
            ("config/?.ini", "config/a.ini", true),
            ("config/?.ini", "config/ab.ini", false),
            ("config/[ab].ini", "config/b.ini", true),
            ("config/[!ab].ini", "config/b.ini", false),
            ("config/[a-c].ini", "config/c.ini", true),
            ("{files,config}/*.ini", "config/c.ini", true),
            ("{files,config}/*.ini", "other/c.ini", false),
            ("a\\*b", "a*b", true),
            ("a\\*b", "axb", false),
            ("*", "", true),
            ("", "", true),
            ("", "a", false),
        ];
        for (pattern, path, expected) in cases {
            assert_eq!(
                Glob::new(pattern).unwrap().matches(path),
                expected,
                "{pattern} on {path}"
            );
        }
        assert!(Glob::new("[ab").is_err());
        assert!(Glob::new("{a,b").is_err());
        let many = "{a,b}".repeat(20);
        assert!(Glob::new(&many).unwrap_err().contains("alternatives"));
        // Stars do not backtrack: a long path against many stars answers at once.
        let stars = "*a".repeat(200);
        assert!(!Glob::new(&stars).unwrap().matches(&"a".repeat(199)));
    }
}
