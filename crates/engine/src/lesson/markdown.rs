//! Rendering lesson Markdown into sanitized HTML segments and the widgets placed between them.
//!
//! Markdown is configured in one place, [`markdown_parser`]. Raw HTML in a lesson is sanitized
//! here: a short list of attribute-free formatting tags (`<kbd>`, `<br>`, `<sub>`, `<sup>`,
//! `<mark>`, `<small>`, `<details>`, `<summary>`) passes through, everything else is escaped and
//! shows as text. Link and image addresses are kept only when relative or `http`, `https` or
//! `mailto`. A fenced block whose info string names a widget (`editor`, `objectives`,
//! `deployments`, `events`, `explore`) becomes a [`Widget`]; any other fenced block stays code.

use super::read_yaml;
use super::widget::{read_widget, widget_name};
use crate::diagnostic::Diagnostic;
use pulldown_cmark::{CodeBlockKind, CowStr, Event, Options, Parser, Tag};
use serde::Serialize;
use std::collections::BTreeMap;

pub use super::widget::{Widget, WidgetKind};

/// A piece of the rendered lesson, in reading order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Segment {
    /// Sanitized HTML, safe to insert into the page.
    Html(String),
    Widget(Widget),
}

/// A lesson body ready to show.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RenderedLesson {
    pub segments: Vec<Segment>,
    pub diagnostics: Vec<Diagnostic>,
}

impl RenderedLesson {
    /// The widgets in reading order.
    pub fn widgets(&self) -> impl Iterator<Item = &Widget> {
        self.segments.iter().filter_map(|segment| match segment {
            Segment::Widget(widget) => Some(widget),
            Segment::Html(_) => None,
        })
    }
}

/// The one Markdown configuration every lesson text goes through.
fn markdown_parser(text: &str) -> Parser<'_> {
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_STRIKETHROUGH);
    options.insert(Options::ENABLE_TASKLISTS);
    options.insert(Options::ENABLE_SMART_PUNCTUATION);
    Parser::new_ext(text, options)
}

/// Renders a lesson body whose first line is line `first_line` of its file.
pub fn render_markdown(body: &str, first_line: usize) -> RenderedLesson {
    let mut rendered = RenderedLesson::default();
    let mut html_events: Vec<Event> = Vec::new();
    let mut open_widget: Option<(&'static str, usize, String)> = None;

    for (event, range) in markdown_parser(body).into_offset_iter() {
        if let Some((kind, line, mut params_text)) = open_widget.take() {
            match event {
                Event::Text(text) => {
                    params_text.push_str(&text);
                    open_widget = Some((kind, line, params_text));
                }
                _ => {
                    let settings =
                        widget_settings(kind, &params_text, line, &mut rendered.diagnostics);
                    let widget = read_widget(kind, settings, line, &mut rendered.diagnostics);
                    rendered.segments.push(Segment::Widget(widget));
                }
            }
            continue;
        }
        let line = || first_line + body[..range.start].matches('\n').count();
        let widget = match &event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                widget_name(info, line(), &mut rendered.diagnostics)
            }
            _ => None,
        };
        match widget {
            Some(kind) => {
                flush_html(&mut html_events, &mut rendered.segments);
                open_widget = Some((kind, line(), String::new()));
            }
            None => html_events.push(sanitize_event(event)),
        }
    }
    flush_html(&mut html_events, &mut rendered.segments);
    rendered
}

/// Renders a short Markdown text (an objective title, a hint) without the enclosing paragraph.
pub fn render_inline(text: &str) -> String {
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, markdown_parser(text).map(sanitize_event));
    let trimmed = html.trim();
    match trimmed
        .strip_prefix("<p>")
        .and_then(|rest| rest.strip_suffix("</p>"))
    {
        Some(inner) if !inner.contains("<p>") => inner.to_string(),
        _ => trimmed.to_string(),
    }
}

fn flush_html(events: &mut Vec<Event>, segments: &mut Vec<Segment>) {
    if events.is_empty() {
        return;
    }
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events.drain(..));
    if !html.trim().is_empty() {
        segments.push(Segment::Html(html));
    }
}

/// A widget's settings as a map of scalars; a block that is not a map is a diagnostic.
fn widget_settings(
    kind: &str,
    text: &str,
    line: usize,
    diagnostics: &mut Vec<Diagnostic>,
) -> BTreeMap<String, String> {
    if text.trim().is_empty() {
        return BTreeMap::new();
    }
    match read_yaml::<BTreeMap<String, serde_yaml_ng::Value>>(
        text,
        line,
        &format!("`{kind}` widget"),
    ) {
        Ok(map) => map
            .into_iter()
            .map(|(key, value)| {
                let value = match value {
                    serde_yaml_ng::Value::String(text) => text,
                    serde_yaml_ng::Value::Number(number) => number.to_string(),
                    serde_yaml_ng::Value::Bool(flag) => flag.to_string(),
                    _ => String::new(),
                };
                (key, value)
            })
            .collect(),
        Err(diagnostic) => {
            diagnostics.push(diagnostic);
            BTreeMap::new()
        }
    }
}

/// Raw HTML is reduced to safe tags; links and images keep only safe addresses.
fn sanitize_event(event: Event<'_>) -> Event<'_> {
    match event {
        Event::Html(html) => Event::Html(sanitize_html(&html).into()),
        Event::InlineHtml(html) => Event::InlineHtml(sanitize_html(&html).into()),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Link {
            link_type,
            dest_url: safe_url(dest_url),
            title,
            id,
        }),
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Image {
            link_type,
            dest_url: safe_url(dest_url),
            title,
            id,
        }),
        other => other,
    }
}

const ALLOWED_TAGS: [&str; 8] = [
    "kbd", "br", "sub", "sup", "mark", "small", "details", "summary",
];

/// Keeps `<tag>`, `</tag>` and `<tag/>` for allowed tags, written exactly so (no attributes);
/// escapes every other `<`, `>`, `&` and quote.
fn sanitize_html(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        escape_into(&rest[..start], &mut out);
        rest = &rest[start..];
        let allowed = rest.find('>').and_then(|end| {
            let inner = &rest[1..end];
            let closing = inner.starts_with('/');
            let name = inner
                .trim_start_matches('/')
                .trim_end_matches('/')
                .trim_end()
                .to_ascii_lowercase();
            ALLOWED_TAGS.contains(&name.as_str()).then(|| {
                let slash = if closing { "/" } else { "" };
                (end, format!("<{slash}{name}>"))
            })
        });
        match allowed {
            Some((end, tag)) => {
                out.push_str(&tag);
                rest = &rest[end + 1..];
            }
            None => {
                out.push_str("&lt;");
                rest = &rest[1..];
            }
        }
    }
    escape_into(rest, &mut out);
    out
}

fn escape_into(text: &str, out: &mut String) {
    for character in text.chars() {
        match character {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
}

fn safe_url(url: CowStr<'_>) -> CowStr<'_> {
    let lowered: String = url
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect::<String>()
        .to_ascii_lowercase();
    let scheme_end = lowered.find(':');
    let path_start = lowered.find(['/', '?', '#']);
    let has_scheme = matches!((scheme_end, path_start), (Some(colon), Some(slash)) if colon < slash)
        || (scheme_end.is_some() && path_start.is_none());
    let allowed = !has_scheme
        || lowered.starts_with("http:")
        || lowered.starts_with("https:")
        || lowered.starts_with("mailto:");
    if allowed {
        url
    } else {
        CowStr::Borrowed("#")
    }
}
