//! Terraform-style diagnostics: a summary, the place in a file with its source line, the values
//! involved, and a detail paragraph, printed in Terraform's box.

use crate::diagnostic::{Diagnostic, Severity};
use crate::limits::truncate_at_char;
use std::fmt;

/// A place in one file of the configuration.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Location {
    pub file: String,
    /// 1-based line and column.
    pub line: usize,
    pub column: usize,
    /// 1-based column just past the end of the range on the same line.
    pub end_column: usize,
}

impl Location {
    /// The location of byte `start..end` in `text`, a file named `file`.
    pub fn of(file: &str, text: &str, start: usize, end: usize) -> Self {
        let start = truncate_at_char(text, start).len();
        let end = truncate_at_char(text, end.max(start)).len();
        let line_start = text[..start].rfind('\n').map_or(0, |at| at + 1);
        let line = text[..start].matches('\n').count() + 1;
        let column = text[line_start..start].chars().count() + 1;
        let line_end = text[start..].find('\n').map_or(text.len(), |at| start + at);
        let end_column = column + text[start..end.min(line_end)].chars().count();
        Location {
            file: file.to_string(),
            line,
            column,
            end_column,
        }
    }

    /// `vars.tf:12,3-13`, as Terraform names a range.
    pub fn range(&self) -> String {
        format!(
            "{}:{},{}-{}",
            self.file, self.line, self.column, self.end_column
        )
    }
}

/// One problem, as Terraform reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TfDiagnostic {
    pub severity: Severity,
    /// `Invalid value for variable`, `Unsupported argument`, ...
    pub summary: String,
    pub location: Option<Location>,
    /// The source line at the location.
    pub snippet: Option<String>,
    /// `in resource "aws_db_instance" "main"`, when the location is inside a block.
    pub context: Option<String>,
    /// Values the expression involved: `var.db_instance_class is "db.t3.nano"`.
    pub values: Vec<String>,
    pub detail: String,
}

impl TfDiagnostic {
    pub fn error(summary: impl Into<String>, detail: impl Into<String>) -> Self {
        TfDiagnostic {
            severity: Severity::Error,
            summary: summary.into(),
            location: None,
            snippet: None,
            context: None,
            values: Vec::new(),
            detail: detail.into(),
        }
    }

    pub fn warning(summary: impl Into<String>, detail: impl Into<String>) -> Self {
        TfDiagnostic {
            severity: Severity::Warning,
            ..TfDiagnostic::error(summary, detail)
        }
    }

    /// The same diagnostic placed at `location`, whose line is read from `text`.
    pub fn at(mut self, location: Location, text: &str) -> Self {
        self.snippet = text
            .lines()
            .nth(location.line.saturating_sub(1))
            .map(str::to_string);
        self.location = Some(location);
        self
    }

    pub fn in_block(mut self, context: impl Into<String>) -> Self {
        self.context = Some(context.into());
        self
    }

    pub fn with_value(mut self, value: impl Into<String>) -> Self {
        self.values.push(value.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The editor's form of this diagnostic, for the file it is in.
    pub fn to_diagnostic(&self) -> Diagnostic {
        let (line, column) = self
            .location
            .as_ref()
            .map_or((0, 0), |l| (l.line, l.column));
        let message = if self.detail.is_empty() {
            self.summary.clone()
        } else {
            format!("{}: {}", self.summary, self.detail)
        };
        Diagnostic {
            severity: self.severity,
            ..Diagnostic::error(line, column, message)
        }
    }
}

impl fmt::Display for TfDiagnostic {
    /// Terraform's boxed form:
    ///
    /// ```text
    /// ╷
    /// │ Error: Invalid value for variable
    /// │
    /// │   on vars.tf line 1:
    /// │    1: variable "db_instance_class" {
    /// │     ├────────────────
    /// │     │ var.db_instance_class is "db.t3.nano"
    /// │
    /// │ The instance class must be ...
    /// ╵
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Error => "Error",
            Severity::Warning => "Warning",
        };
        writeln!(f, "╷")?;
        writeln!(f, "│ {level}: {}", self.summary)?;
        if let Some(location) = &self.location {
            writeln!(f, "│")?;
            match &self.context {
                Some(context) => writeln!(
                    f,
                    "│   on {} line {}, {context}:",
                    location.file, location.line
                )?,
                None => writeln!(f, "│   on {} line {}:", location.file, location.line)?,
            }
            if let Some(snippet) = &self.snippet {
                writeln!(f, "│ {:>4}: {snippet}", location.line)?;
            }
            if !self.values.is_empty() {
                writeln!(f, "│     ├────────────────")?;
                for value in &self.values {
                    writeln!(f, "│     │ {value}")?;
                }
            }
        }
        if !self.detail.is_empty() {
            writeln!(f, "│")?;
            for line in self.detail.lines() {
                if line.is_empty() {
                    writeln!(f, "│")?;
                } else {
                    writeln!(f, "│ {line}")?;
                }
            }
        }
        write!(f, "╵")
    }
}

/// The closest of `candidates` to `name`, when it is close enough to be a typo.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|candidate| (crate::diagnostic::edit_distance(name, candidate), candidate))
        .filter(|(distance, candidate)| *distance <= (candidate.len() / 3).max(2))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_in_terraforms_box() {
        let text = "variable \"size\" {\n  type = string\n}\n";
        let diagnostic = TfDiagnostic::error("Invalid value for variable", "Too small.")
            .at(Location::of("vars.tf", text, 0, 15), text)
            .with_value("var.size is \"tiny\"");
        assert_eq!(
            diagnostic.to_string(),
            "╷\n│ Error: Invalid value for variable\n│\n│   on vars.tf line 1:\n│    1: variable \"size\" {\n│     ├────────────────\n│     │ var.size is \"tiny\"\n│\n│ Too small.\n╵"
        );
        assert_eq!(diagnostic.location.unwrap().range(), "vars.tf:1,1-16");
    }

    #[test]
    fn suggests_close_names_only() {
        let names = ["instance_class", "engine", "allocated_storage"];
        assert_eq!(did_you_mean("instance_clas", names), Some("instance_class"));
        assert_eq!(did_you_mean("colour", names), None);
    }
}
