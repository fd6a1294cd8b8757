//! Fetching lesson packs from the served `lessons/` folder and reading them with the engine.

use crate::i18n::Locale;
use gloo_net::http::Request;
use opsdojo_engine::lesson::{
    parse_lesson, parse_pack_index, parse_pack_manifest, Lesson, LessonMeta, PackManifest,
};
use opsdojo_engine::Diagnostic;
use std::fmt;

/// Why lessons could not be shown. `Clone` so it can live in a resource.
#[derive(Debug, Clone, PartialEq)]
pub enum LoadError {
    /// The request failed or the server answered with an error status.
    Fetch { url: String, reason: String },
    /// The file arrived but is not valid.
    Invalid {
        url: String,
        diagnostics: Vec<Diagnostic>,
    },
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Fetch { url, reason } => write!(f, "{url}: {reason}"),
            LoadError::Invalid { url, diagnostics } => {
                for (index, diagnostic) in diagnostics.iter().enumerate() {
                    if index > 0 {
                        writeln!(f)?;
                    }
                    write!(f, "{url}:{diagnostic}")?;
                }
                Ok(())
            }
        }
    }
}

/// A lesson as the catalog lists it.
#[derive(Debug, Clone, PartialEq)]
pub enum CatalogLesson {
    Ready(LessonMeta),
    Broken { file: String, error: LoadError },
}

/// A pack and its lessons, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct CatalogPack {
    pub manifest: PackManifest,
    pub lessons: Vec<CatalogLesson>,
}

fn lessons_url(locale: Locale, path: &str) -> String {
    format!("/lessons/{}/{path}", locale.code())
}

async fn fetch_text(url: &str) -> Result<String, LoadError> {
    let fail = |reason: String| LoadError::Fetch {
        url: url.to_string(),
        reason,
    };
    let response = Request::get(url)
        .send()
        .await
        .map_err(|error| fail(error.to_string()))?;
    if !response.ok() {
        return Err(fail(format!("the server answered {}", response.status())));
    }
    response
        .text()
        .await
        .map_err(|error| fail(error.to_string()))
}

fn invalid(url: &str, diagnostic: Diagnostic) -> LoadError {
    LoadError::Invalid {
        url: url.to_string(),
        diagnostics: vec![diagnostic],
    }
}

/// Loads every pack of a language with its lessons' catalog entries.
pub async fn load_catalog(locale: Locale) -> Result<Vec<CatalogPack>, LoadError> {
    let index_url = lessons_url(locale, "packs.yaml");
    let index = parse_pack_index(&fetch_text(&index_url).await?)
        .map_err(|diagnostic| invalid(&index_url, diagnostic))?;
    let mut packs = Vec::new();
    for pack in index.packs {
        let manifest = load_manifest(locale, &pack).await?;
        let mut lessons = Vec::new();
        for file in &manifest.lessons {
            let url = lessons_url(locale, &format!("{pack}/{file}"));
            let entry = match fetch_text(&url).await {
                Ok(text) => {
                    let parsed = parse_lesson(&text);
                    match parsed.lesson {
                        Some(lesson) if !parsed.diagnostics.iter().any(Diagnostic::is_error) => {
                            CatalogLesson::Ready(lesson.meta)
                        }
                        _ => CatalogLesson::Broken {
                            file: file.clone(),
                            error: LoadError::Invalid {
                                url,
                                diagnostics: parsed.diagnostics,
                            },
                        },
                    }
                }
                Err(error) => CatalogLesson::Broken {
                    file: file.clone(),
                    error,
                },
            };
            lessons.push(entry);
        }
        packs.push(CatalogPack { manifest, lessons });
    }
    Ok(packs)
}

async fn load_manifest(locale: Locale, pack: &str) -> Result<PackManifest, LoadError> {
    let url = lessons_url(locale, &format!("{pack}/pack.yaml"));
    parse_pack_manifest(&fetch_text(&url).await?).map_err(|diagnostic| invalid(&url, diagnostic))
}

/// Loads one lesson, `lessons/<lang>/<pack>/<lesson>.md`, after checking the pack lists it.
pub async fn load_lesson(locale: Locale, pack: &str, lesson_id: &str) -> Result<Lesson, LoadError> {
    let manifest = load_manifest(locale, pack).await?;
    let file = format!("{lesson_id}.md");
    let url = lessons_url(locale, &format!("{pack}/{file}"));
    if !manifest.lessons.contains(&file) {
        return Err(LoadError::Fetch {
            url,
            reason: format!("pack `{pack}` has no lesson `{lesson_id}`"),
        });
    }
    let parsed = parse_lesson(&fetch_text(&url).await?);
    match parsed.lesson {
        Some(lesson) if !parsed.diagnostics.iter().any(Diagnostic::is_error) => Ok(lesson),
        _ => Err(LoadError::Invalid {
            url,
            diagnostics: parsed.diagnostics,
        }),
    }
}
