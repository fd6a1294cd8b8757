//! Diagnostics: what every parser returns beside the value it could build.
//!
//! A diagnostic points at a place (the file, when the tool that found it reads several; a
//! 1-based line and column; and a byte span when the input is a single text), says what is
//! wrong in a lowercase sentence and, where it can, how to fix it. Parsers never fail: a
//! learner's typo becomes a diagnostic, not a panic. Every tool gives this one type (the chart,
//! Terraform, rules, Alertmanager, lessons, packs, platforms), and the command line and the
//! editor print it the same way: `file:line:column: error: message`, then the hint.

use serde::{Deserialize, Serialize};
use std::fmt;

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The input cannot be used as written.
    Error,
    /// The input works, but probably not as intended.
    Warning,
}

/// A byte range in one text, end exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

/// One problem found in an input, with where it is and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// The file it is in, when the reader knows it (the chart's `templates/deployment.yaml`,
    /// a world's `terraform/vars/prod.tfvars`); `None` when the input is the file at hand.
    /// Not saved: a saved diagnostic is kept with the file it belongs to.
    #[serde(skip)]
    pub file: Option<String>,
    /// 1-based line of the problem in the file it belongs to, 0 when it has no position.
    pub line: usize,
    /// 1-based column, 0 when unknown.
    pub column: usize,
    /// Byte range in the text, when known.
    pub span: Option<Span>,
    /// What is wrong, lowercase, values quoted in backticks.
    pub message: String,
    /// How to fix it, when there is something useful to say.
    pub hint: Option<String>,
}

impl Diagnostic {
    /// An error at a line and column.
    pub fn error(line: usize, column: usize, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            file: None,
            line,
            column,
            span: None,
            message: message.into(),
            hint: None,
        }
    }

    /// A warning at a line and column.
    pub fn warning(line: usize, column: usize, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(line, column, message)
        }
    }

    /// The same diagnostic placed in `file`.
    pub fn in_file(mut self, file: impl Into<String>) -> Self {
        self.file = Some(file.into());
        self
    }

    /// The same diagnostic in `file` unless it already names the file it is in.
    pub fn or_in_file(self, file: &str) -> Self {
        match self.file {
            Some(_) => self,
            None => self.in_file(file),
        }
    }

    /// Where it is, as compilers and linters write it: `file:line:column`, any part unknown
    /// left out (an empty text when nothing is known).
    pub fn place(&self) -> String {
        let mut place = self.file.clone().unwrap_or_default();
        if self.line > 0 {
            if !place.is_empty() {
                place.push(':');
            }
            place.push_str(&format!("{}:{}", self.line, self.column.max(1)));
        }
        place
    }

    /// The same diagnostic with a hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// The same diagnostic with its line moved down by `offset` lines (for text embedded in a
    /// larger file, such as front matter inside a lesson).
    pub fn shifted(mut self, offset: usize) -> Self {
        if self.line > 0 {
            self.line += offset;
        }
        self.span = None;
        self
    }

    /// Fills in the byte span from the line and column, given the text they refer to.
    pub fn with_span_in(mut self, text: &str) -> Self {
        if self.line == 0 {
            return self;
        }
        // A parser that ran out of input points past the last line: show the end of the text.
        let line_count = text.lines().count().max(1);
        if self.line > line_count {
            self.line = line_count;
            self.column = text.lines().last().map_or(0, |last| last.chars().count()) + 1;
        }
        let mut offset = 0;
        for (index, line) in text.split_inclusive('\n').enumerate() {
            if index + 1 == self.line {
                let line_body = line.trim_end_matches(['\n', '\r']);
                let column_offset = line_body
                    .char_indices()
                    .nth(self.column.saturating_sub(1))
                    .map_or(line_body.len(), |(byte, _)| byte);
                let start = offset + column_offset;
                let end = if column_offset >= line_body.len() {
                    offset + line_body.len()
                } else {
                    offset + line_body.len().max(column_offset + 1)
                };
                self.span = Some(Span {
                    start: start.min(text.len()),
                    end: end.min(text.len()),
                });
                return self;
            }
            offset += line.len();
        }
        self
    }

    /// An error where a YAML document stopped parsing, with serde's message without its
    /// trailing position (the diagnostic carries it).
    pub fn from_yaml_error(error: &serde_yaml_ng::Error) -> Self {
        let (line, column) = error
            .location()
            .map_or((1, 1), |location| (location.line(), location.column()));
        let message = error.to_string();
        let message = message
            .split(" at line ")
            .next()
            .unwrap_or(&message)
            .trim_end_matches(['.', ' '])
            .to_string();
        Diagnostic::error(line, column, message)
    }

    /// True for errors, false for warnings.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let place = self.place();
        if !place.is_empty() {
            write!(f, "{place}: ")?;
        }
        write!(f, "{level}: {}", self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, " (hint: {hint})")?;
        }
        Ok(())
    }
}

/// The 1-based line and column (in characters) of byte `offset` of `text`.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = crate::limits::truncate_at_char(text, offset);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// The number of single-character edits that turn `a` into `b` (Levenshtein distance), to
/// suggest the name a typo was meant to be. Names longer than
/// [`SUGGESTION_MAX_CHARS`](crate::limits::SUGGESTION_MAX_CHARS) are not compared (the work
/// grows with the product of the lengths): their distance is the longer length, too far to
/// suggest anything.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let limit = crate::limits::SUGGESTION_MAX_CHARS;
    let (a_chars, b_chars) = (a.chars().count(), b.chars().count());
    if a_chars > limit || b_chars > limit {
        return if a == b { 0 } else { a_chars.max(b_chars) };
    }
    strsim::levenshtein(a, b)
}

/// The candidate within two edits of `word`, if any.
pub fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|candidate| (edit_distance(word, candidate), *candidate))
        .filter(|(distance, _)| *distance <= 2)
        .min()
        .map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_diagnostic_says_where_it_is_as_compilers_do() {
        let typo = Diagnostic::error(3, 7, "unknown field `replica`")
            .with_hint("did you mean `replicas`?")
            .in_file("deploy/values-prod.yaml");
        assert_eq!(
            typo.to_string(),
            "deploy/values-prod.yaml:3:7: error: unknown field `replica` (hint: did you mean `replicas`?)"
        );
        assert_eq!(
            Diagnostic::warning(0, 0, "empty")
                .in_file("a.yml")
                .to_string(),
            "a.yml: warning: empty"
        );
        assert_eq!(Diagnostic::error(2, 0, "x").to_string(), "2:1: error: x");
        assert_eq!(Diagnostic::error(0, 0, "x").to_string(), "error: x");
        // A file named already is kept.
        assert_eq!(typo.clone().or_in_file("other").file, typo.file);
        assert_eq!(
            Diagnostic::error(1, 1, "x").or_in_file("b").file.as_deref(),
            Some("b")
        );
    }

    #[test]
    fn edit_distance_is_bounded_by_name_length() {
        assert_eq!(edit_distance("replicas", "replica"), 1);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        // 60 000-character names used to cost 3.6e9 steps per comparison.
        let long = "a".repeat(60_000);
        let other = "b".repeat(60_000);
        assert_eq!(edit_distance(&long, &other), 60_000);
        assert_eq!(edit_distance(&long, &long), 0);
        assert_eq!(edit_distance(&long, "a"), 60_000);
        assert_eq!(
            crate::terraform::diagnostic::did_you_mean(&long, [long.as_str(), "region"]),
            Some(long.as_str())
        );
    }
}
