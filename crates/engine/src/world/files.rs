//! Files of the world that a learner edits, and what reading each one alone finds wrong.

use crate::cluster::values;
use crate::diagnostic::Diagnostic;
use crate::platform::Platform;

/// A file of the world: its text and what is wrong with it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct WorldFile {
    pub content: String,
    pub diagnostics: Vec<Diagnostic>,
}

impl WorldFile {
    /// Reads `content` as the file at `path` would be read.
    pub fn parse(path: &str, content: String, platform: &Platform) -> Self {
        let diagnostics = values::diagnostics_of(path, &content, platform)
            .unwrap_or_else(|| super::alerting::diagnostics_of(path, &content));
        WorldFile {
            diagnostics,
            content,
        }
    }

    /// The language an editor should highlight this file with.
    pub fn language(path: &str) -> FileLanguage {
        match path.rsplit('.').next() {
            Some("yaml" | "yml") => FileLanguage::Yaml,
            Some("tf" | "tfvars" | "hcl") => FileLanguage::Hcl,
            Some("promql") => FileLanguage::Promql,
            _ => FileLanguage::Text,
        }
    }
}

/// What an editor highlights a file as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum FileLanguage {
    Yaml,
    Hcl,
    Promql,
    Text,
}

impl FileLanguage {
    /// The editor's name for it.
    pub fn as_str(self) -> &'static str {
        match self {
            FileLanguage::Yaml => "yaml",
            FileLanguage::Hcl => "hcl",
            FileLanguage::Promql => "promql",
            FileLanguage::Text => "text",
        }
    }
}
