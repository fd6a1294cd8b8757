//! Lessons: Markdown files with a YAML front matter block, grouped in packs.
//!
//! The pipeline is `parse_lesson` (front matter and body, with diagnostics) →
//! `check_lesson` (objectives compile, widgets point at real files, the reference solution
//! solves the lesson and the start does not) → `render_markdown` (sanitized HTML segments and
//! the widgets placed between them). The format is documented for authors in
//! `lessons/README.md`.

mod check;
mod front_matter;
mod markdown;
mod pack;
mod widget;

#[cfg(test)]
mod tests;

pub use check::{check_lesson, ObjectiveTracker};
pub use front_matter::{
    parse_lesson, parse_lesson_on, DemoStep, Lesson, LessonMeta, Level, ParsedLesson,
    DEMO_MAX_STEPS,
};
pub use markdown::{render_inline, render_markdown, RenderedLesson, Segment};
pub use pack::{
    external_route, parse_pack_index, parse_pack_manifest, PackIndex, PackManifest, PLATFORM_FILE,
};
pub use widget::{ExploreRange, ExploreView, Tab, Widget, WidgetKind, WIDGET_KINDS};

use crate::diagnostic::Diagnostic;

/// Reads a YAML text into `T`, turning the library's error into a diagnostic at its line,
/// moved down by `line_offset` when the YAML sits inside a larger file.
pub(crate) fn read_yaml<T: serde::de::DeserializeOwned>(
    text: &str,
    line_offset: usize,
    what: &str,
) -> Result<T, Diagnostic> {
    crate::yaml::from_str(text).map_err(|error| {
        let Diagnostic {
            line,
            column,
            message,
            ..
        } = Diagnostic::from_yaml_error(&error);
        let hint = if message.contains("unknown field") {
            "check the spelling of the key; lessons/README.md lists the keys this file accepts"
        } else if message.contains("missing field") {
            "add the missing key; lessons/README.md lists the keys this file needs"
        } else {
            "check the indentation and the quotes around values that contain `:` or `#`"
        };
        Diagnostic::error(line + line_offset, column, format!("{what}: {message}")).with_hint(hint)
    })
}
