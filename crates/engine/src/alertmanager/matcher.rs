//! Alertmanager label matchers: `name="value"`, `name!="value"`, `name=~"regex"`,
//! `name!~"regex"`, with or without quotes, one per string or several inside `{...}`.

use regex::Regex;
use std::collections::BTreeMap;

/// How a matcher compares a label's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchType {
    Equal,
    NotEqual,
    Regex,
    NotRegex,
}

/// One label matcher. A missing label matches as the empty string.
#[derive(Debug, Clone)]
pub struct Matcher {
    pub name: String,
    pub kind: MatchType,
    pub value: String,
    regex: Option<Regex>,
}

impl Matcher {
    /// `name="value"`.
    pub fn equal(name: &str, value: &str) -> Self {
        Matcher {
            name: name.to_string(),
            kind: MatchType::Equal,
            value: value.to_string(),
            regex: None,
        }
    }

    /// `name=~"pattern"` (or `!~` when `negated`); the pattern is anchored at both ends.
    pub fn regex(name: &str, pattern: &str, negated: bool) -> Result<Self, String> {
        let regex = Regex::new(&format!("^(?:{pattern})$"))
            .map_err(|error| format!("invalid regular expression `{pattern}`: {error}"))?;
        Ok(Matcher {
            name: name.to_string(),
            kind: if negated {
                MatchType::NotRegex
            } else {
                MatchType::Regex
            },
            value: pattern.to_string(),
            regex: Some(regex),
        })
    }

    /// Whether `labels` satisfy this matcher.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        let value = labels.get(&self.name).map_or("", String::as_str);
        match self.kind {
            MatchType::Equal => value == self.value,
            MatchType::NotEqual => value != self.value,
            MatchType::Regex => self.regex.as_ref().is_some_and(|r| r.is_match(value)),
            MatchType::NotRegex => !self.regex.as_ref().is_some_and(|r| r.is_match(value)),
        }
    }
}

impl std::fmt::Display for Matcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let operator = match self.kind {
            MatchType::Equal => "=",
            MatchType::NotEqual => "!=",
            MatchType::Regex => "=~",
            MatchType::NotRegex => "!~",
        };
        // The value quoted as Alertmanager prints it: only `\\`, `"` and newlines escaped.
        let value = self
            .value
            .replace('\\', "\\\\")
            .replace('\n', "\\n")
            .replace('"', "\\\"");
        write!(f, "{}{operator}\"{value}\"", self.name)
    }
}

/// Reads `a="b"`, `{a="b", c=~"d"}` or `a=b` into matchers.
pub fn parse_matchers(text: &str) -> Result<Vec<Matcher>, String> {
    let trimmed = text.trim();
    let inner = inside_braces(trimmed)
        .ok_or_else(|| format!("matcher `{trimmed}` opens `{{` without closing it"))?;
    let mut matchers = Vec::new();
    for part in split_outside_quotes(inner, |c| c == ',') {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        matchers.push(parse_one(part)?);
    }
    if matchers.is_empty() {
        return Err(format!("`{trimmed}` has no matcher"));
    }
    Ok(matchers)
}

/// Reads a label set as amtool takes one on its command line: `name=value` pairs separated by
/// spaces or commas, values quoted or not, optionally inside `{...}`. A matcher other than `=`
/// is refused.
pub fn parse_label_set(text: &str) -> Result<BTreeMap<String, String>, String> {
    let mut labels = BTreeMap::new();
    let trimmed = text.trim();
    let inner = inside_braces(trimmed)
        .ok_or_else(|| format!("`{trimmed}` opens `{{` without closing it"))?;
    for part in split_outside_quotes(inner, |c| c == ',' || c.is_whitespace()) {
        let matcher = parse_one(part)?;
        if matcher.kind != MatchType::Equal {
            return Err(format!(
                "`{part}`: labels must be specified as name=value pairs"
            ));
        }
        labels.insert(matcher.name, matcher.value);
    }
    Ok(labels)
}

/// What is inside `{...}`, or the text itself without braces; `None` when a brace is not closed.
fn inside_braces(text: &str) -> Option<&str> {
    match text.strip_prefix('{') {
        Some(rest) => rest.strip_suffix('}'),
        None => Some(text),
    }
}

/// The non-empty parts of `text` between separators that are not inside double quotes.
fn split_outside_quotes(text: &str, separator: impl Fn(char) -> bool) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut in_quotes = false;
    let mut escaped = false;
    for (position, character) in text.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match character {
            '\\' if in_quotes => escaped = true,
            '"' => in_quotes = !in_quotes,
            c if separator(c) && !in_quotes => {
                parts.push(&text[start..position]);
                start = position + c.len_utf8();
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts.retain(|part| !part.trim().is_empty());
    parts
}

fn parse_one(text: &str) -> Result<Matcher, String> {
    let operator_at = text
        .find(['=', '!'])
        .ok_or_else(|| format!("`{text}` is not a matcher: expected `=`, `!=`, `=~` or `!~`"))?;
    let name = text[..operator_at].trim();
    let rest = &text[operator_at..];
    let (kind, value) = if let Some(value) = rest.strip_prefix("=~") {
        (MatchType::Regex, value)
    } else if let Some(value) = rest.strip_prefix("!~") {
        (MatchType::NotRegex, value)
    } else if let Some(value) = rest.strip_prefix("!=") {
        (MatchType::NotEqual, value)
    } else if let Some(value) = rest.strip_prefix('=') {
        (MatchType::Equal, value)
    } else {
        return Err(format!(
            "`{text}` is not a matcher: expected `=`, `!=`, `=~` or `!~`"
        ));
    };
    let valid_name = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid_name {
        return Err(format!("`{name}` is not a valid label name in `{text}`"));
    }
    let value = unquote(value.trim())
        .ok_or_else(|| format!("the value in `{text}` has an unclosed quote"))?;
    match kind {
        MatchType::Regex => Matcher::regex(name, &value, false),
        MatchType::NotRegex => Matcher::regex(name, &value, true),
        MatchType::Equal => Ok(Matcher::equal(name, &value)),
        MatchType::NotEqual => Ok(Matcher {
            kind: MatchType::NotEqual,
            ..Matcher::equal(name, &value)
        }),
    }
}

fn unquote(text: &str) -> Option<String> {
    let Some(body) = text.strip_prefix('"') else {
        return (!text.contains('"')).then(|| text.to_string());
    };
    let body = body.strip_suffix('"')?;
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(character) = chars.next() {
        if character == '\\' {
            match chars.next()? {
                'n' => out.push('\n'),
                other => out.push(other),
            }
        } else {
            out.push(character);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn reads_every_operator_quoted_or_not() {
        let alert = labels(&[("env", "prod"), ("severity", "critical")]);
        for (text, expected) in [
            (r#"env="prod""#, true),
            ("env=prod", true),
            (r#"env!="prod""#, false),
            (r#"severity=~"warning|critical""#, true),
            (r#"severity!~"crit.*""#, false),
            (r#"team="""#, true),
            (r#"{env="prod", severity="warning"}"#, false),
        ] {
            let matchers = parse_matchers(text).unwrap();
            assert_eq!(
                matchers.iter().all(|m| m.matches(&alert)),
                expected,
                "{text}"
            );
        }
    }

    #[test]
    fn bad_matchers_say_why() {
        for text in [
            "env",
            "1env=prod",
            r#"env="prod"#,
            "env=~(",
            "{env=prod",
            "",
        ] {
            assert!(parse_matchers(text).is_err(), "{text}");
        }
    }
}
