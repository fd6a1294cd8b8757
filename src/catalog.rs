//! Fetching lesson packs from the served `lessons/` folder and reading them with the engine.

use crate::i18n::Locale;
use gloo_net::http::Request;
use opsdojo_engine::lesson::PLATFORM_FILE;
use opsdojo_engine::lesson::{
    check_lesson, external_route, parse_lesson_on, parse_pack_index, parse_pack_manifest, Lesson,
    LessonMeta, PackManifest,
};
use opsdojo_engine::platform::{parse_platform, Platform};
use opsdojo_engine::Diagnostic;
use std::fmt;
use std::sync::Arc;

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

impl CatalogLesson {
    /// The catalog's entry for the lesson file `file`, as it was read.
    fn of(file: &str, read: Result<Lesson, LoadError>) -> Self {
        match read {
            Ok(lesson) => CatalogLesson::Ready(lesson.meta),
            Err(error) => CatalogLesson::Broken {
                file: file.to_string(),
                error,
            },
        }
    }
}

/// A pack and its lessons, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct CatalogPack {
    pub manifest: PackManifest,
    pub lessons: Vec<CatalogLesson>,
    /// The pack's segment in lesson addresses and progress keys: its id for a shipped pack,
    /// its id and a hash of its address for a pack opened from a URL.
    pub route: String,
    /// What lesson addresses end with: empty, or `?pack=<address>`.
    pub query: String,
    /// Where a pack opened from a URL comes from.
    pub source: Option<String>,
}

/// The query parameter that opens a pack from an address.
pub const PACK_PARAM: &str = "pack";

/// The pack address in this page's query (`?pack=URL`), if there is one, unchecked.
pub fn pack_in_location() -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    let params = web_sys::UrlSearchParams::new_with_str(&search).ok()?;
    params.get(PACK_PARAM).filter(|value| !value.is_empty())
}

/// The absolute address of a pack's `pack.yaml` given in the page's query: on this origin (the
/// page's Content-Security-Policy lets it fetch nothing else) and a YAML file.
pub fn resolve_pack_url(raw: &str) -> Result<String, LoadError> {
    let refuse = |reason: &str| LoadError::Fetch {
        url: raw.chars().take(300).collect(),
        reason: reason.to_string(),
    };
    if raw.len() > 2000 {
        return Err(refuse("the pack's address is longer than 2000 characters"));
    }
    let location = web_sys::window()
        .and_then(|w| w.location().href().ok())
        .ok_or_else(|| refuse("no page address"))?;
    let url = web_sys::Url::new_with_base(raw, &location)
        .map_err(|_| refuse("this is not an address"))?;
    let here = web_sys::Url::new(&location).map_err(|_| refuse("no page address"))?;
    if url.origin() != here.origin() {
        return Err(refuse(
            "packs are opened from this site only: host the pack's folder beside the app (the page's security policy allows no other origin)",
        ));
    }
    if !url.pathname().ends_with(".yaml") {
        return Err(refuse("the address must be a pack's `pack.yaml`"));
    }
    url.set_hash("");
    Ok(url.href())
}

/// The address of a file beside `manifest_url`.
fn beside(manifest_url: &str, file: &str) -> String {
    match manifest_url.rfind('/') {
        Some(slash) => format!("{}{file}", &manifest_url[..=slash]),
        None => file.to_string(),
    }
}

/// A lesson file's text read and checked: the lesson, or everything wrong with it. `full`
/// also plays it as `opsdojo lessons check` does (not solved at the start, solved by its
/// solution, its demo plays).
fn read_lesson(
    url: &str,
    text: &str,
    full: bool,
    platform: &Arc<Platform>,
) -> Result<Lesson, LoadError> {
    let parsed = parse_lesson_on(text, platform.clone());
    let mut diagnostics = parsed.diagnostics;
    if let (Some(lesson), false) = (&parsed.lesson, diagnostics.iter().any(Diagnostic::is_error)) {
        if full {
            diagnostics.extend(check_lesson(lesson));
        }
    }
    match parsed.lesson {
        Some(lesson) if !diagnostics.iter().any(Diagnostic::is_error) => Ok(lesson),
        _ => Err(LoadError::Invalid {
            url: url.to_string(),
            diagnostics,
        }),
    }
}

/// Loads a pack from the address of its `pack.yaml`, its lessons beside it, each checked as
/// `opsdojo lessons check` does.
pub async fn load_external_pack(manifest_url: &str) -> Result<CatalogPack, LoadError> {
    let manifest = parse_pack_manifest(&fetch_text(manifest_url).await?)
        .map_err(|diagnostic| invalid(manifest_url, diagnostic))?;
    let lessons = pack_lessons(
        &manifest,
        manifest_url,
        |file| beside(manifest_url, file),
        true,
    )
    .await;
    let encoded = String::from(js_sys::encode_uri_component(manifest_url));
    Ok(CatalogPack {
        route: external_route(&manifest.id, manifest_url),
        query: format!("?{PACK_PARAM}={encoded}"),
        source: Some(manifest_url.to_string()),
        manifest,
        lessons,
    })
}

/// Loads one lesson of a pack opened from a URL, after checking that `route` is that pack's.
pub async fn load_external_lesson(
    manifest_url: &str,
    route: &str,
    lesson_id: &str,
) -> Result<Lesson, LoadError> {
    let manifest = parse_pack_manifest(&fetch_text(manifest_url).await?)
        .map_err(|diagnostic| invalid(manifest_url, diagnostic))?;
    let file = format!("{lesson_id}.md");
    let url = beside(manifest_url, &file);
    if external_route(&manifest.id, manifest_url) != route || !manifest.lessons.contains(&file) {
        return Err(LoadError::Fetch {
            url,
            reason: format!("the pack at this address has no lesson `{lesson_id}` here"),
        });
    }
    let platform = fetch_platform(&manifest, manifest_url).await?;
    read_lesson(&url, &fetch_text(&url).await?, false, &platform)
}

fn lessons_url(locale: Locale, path: &str) -> String {
    format!("/lessons/{}/{path}", locale.code())
}

/// The global where the page's first script keeps the files it fetched (`public/preload.js`).
const PRELOADED: &str = "opsdojoPreloaded";

/// The text of `url` if the page's first script fetched it, taken so that a later request asks
/// the server again. `None` when it did not, or could not (the caller then fetches it itself).
async fn preloaded(url: &str) -> Option<String> {
    use wasm_bindgen::JsCast;
    let kept = js_sys::Reflect::get(&web_sys::window()?.into(), &PRELOADED.into()).ok()?;
    if !kept.is_object() {
        return None;
    }
    // Made without a prototype, so not an `instanceof Object`.
    let kept = kept.unchecked_into::<js_sys::Object>();
    let key = wasm_bindgen::JsValue::from_str(url);
    let promise = js_sys::Reflect::get(&kept, &key)
        .ok()?
        .dyn_into::<js_sys::Promise>()
        .ok()?;
    let _ = js_sys::Reflect::delete_property(&kept, &key);
    wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .ok()?
        .as_string()
}

async fn fetch_text(url: &str) -> Result<String, LoadError> {
    if let Some(text) = preloaded(url).await {
        return Ok(text);
    }
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

/// The platform of a pack's lessons: the `platform.yaml` its manifest names, beside it, or
/// the standard platform.
async fn fetch_platform(
    manifest: &PackManifest,
    manifest_url: &str,
) -> Result<Arc<Platform>, LoadError> {
    if manifest.platform.is_none() {
        return Ok(Platform::standard());
    }
    let url = beside(manifest_url, PLATFORM_FILE);
    read_platform(&url, &fetch_text(&url).await?)
}

/// Every lesson of a pack, each read (and with `full`, checked) on the pack's platform. The
/// lessons' files and the platform file are fetched together: on a network, a pack costs one
/// round trip after its manifest, not one per lesson. A platform file with a mistake leaves the
/// pack listed, each lesson saying why it waits.
async fn pack_lessons(
    manifest: &PackManifest,
    manifest_url: &str,
    lesson_url: impl Fn(&str) -> String,
    full: bool,
) -> Vec<CatalogLesson> {
    let urls: Vec<String> = manifest
        .lessons
        .iter()
        .map(|file| lesson_url(file))
        .collect();
    let (platform, texts) = futures::future::join(
        fetch_platform(manifest, manifest_url),
        futures::future::join_all(urls.iter().map(|url| fetch_text(url))),
    )
    .await;
    manifest
        .lessons
        .iter()
        .zip(urls.iter().zip(texts))
        .map(|(file, (url, text))| {
            let read = platform
                .as_ref()
                .map_err(Clone::clone)
                .and_then(|platform| read_lesson(url, &text?, full, platform));
            CatalogLesson::of(file, read)
        })
        .collect()
}

/// A platform file's text read and checked.
fn read_platform(url: &str, text: &str) -> Result<Arc<Platform>, LoadError> {
    parse_platform(text)
        .map(Arc::new)
        .map_err(|diagnostics| LoadError::Invalid {
            url: url.to_string(),
            diagnostics,
        })
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
    // Every pack at once: the catalog is three round trips away on a network, not one per file.
    let packs = index.packs.iter().map(|pack| async move {
        let manifest = load_manifest(locale, pack).await?;
        let manifest_url = lessons_url(locale, &format!("{pack}/pack.yaml"));
        let lesson_url = |file: &str| lessons_url(locale, &format!("{pack}/{file}"));
        let lessons = pack_lessons(&manifest, &manifest_url, lesson_url, false).await;
        Ok(CatalogPack {
            route: manifest.id.clone(),
            query: String::new(),
            source: None,
            manifest,
            lessons,
        })
    });
    futures::future::join_all(packs).await.into_iter().collect()
}

async fn load_manifest(locale: Locale, pack: &str) -> Result<PackManifest, LoadError> {
    let url = lessons_url(locale, &format!("{pack}/pack.yaml"));
    parse_pack_manifest(&fetch_text(&url).await?).map_err(|diagnostic| invalid(&url, diagnostic))
}

/// Loads one lesson, `lessons/<lang>/<pack>/<lesson>.md`, after checking the pack lists it.
/// The lesson's file is fetched beside the manifest rather than after it: one round trip less.
pub async fn load_lesson(locale: Locale, pack: &str, lesson_id: &str) -> Result<Lesson, LoadError> {
    let file = format!("{lesson_id}.md");
    let url = lessons_url(locale, &format!("{pack}/{file}"));
    let (manifest, text) =
        futures::future::join(load_manifest(locale, pack), fetch_text(&url)).await;
    let manifest = manifest?;
    if !manifest.lessons.contains(&file) {
        return Err(LoadError::Fetch {
            url,
            reason: format!("pack `{pack}` has no lesson `{lesson_id}`"),
        });
    }
    let platform = fetch_platform(
        &manifest,
        &lessons_url(locale, &format!("{pack}/pack.yaml")),
    )
    .await?;
    read_lesson(&url, &text?, false, &platform)
}

/// A pack opened from a folder on the learner's computer: read in the browser, never uploaded,
/// kept in IndexedDB (beside the checkpoints) so that its lessons open and reload.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FolderPack {
    /// The folder's name, as the browser gives it.
    pub name: String,
    /// The text of its `pack.yaml`.
    pub manifest: String,
    /// Its lesson files' texts, by file name.
    pub lessons: std::collections::BTreeMap<String, String>,
    /// The text of its `platform.yaml`, if it has one.
    #[serde(default)]
    pub platform: Option<String>,
}

/// The query parameter of a lesson from the folder pack.
pub const FOLDER_PARAM: &str = "folder";

/// Where the folder pack is kept.
const FOLDER_KEY: &str = "pack-folder";

/// The most files, and bytes in all, a folder pack is read with.
pub const FOLDER_MAX_FILES: usize = 300;
pub const FOLDER_MAX_BYTES: usize = 8 * 1024 * 1024;

impl FolderPack {
    /// The pack in a folder's files, by path relative to the folder the learner chose: the
    /// `pack.yaml` nearest the top, and the Markdown files beside it.
    pub fn from_files(files: Vec<(String, String)>) -> Result<FolderPack, String> {
        let manifest_path = files
            .iter()
            .map(|(path, _)| path)
            .filter(|path| path.rsplit('/').next() == Some("pack.yaml"))
            .min_by_key(|path| (path.matches('/').count(), path.len()))
            .cloned()
            .ok_or("the folder has no `pack.yaml`")?;
        let base = manifest_path
            .strip_suffix("pack.yaml")
            .unwrap_or_default()
            .to_string();
        let mut manifest = String::new();
        let mut platform = None;
        let mut lessons = std::collections::BTreeMap::new();
        for (path, text) in files {
            if path == manifest_path {
                manifest = text;
            } else if let Some(file) = path.strip_prefix(&base) {
                if file == PLATFORM_FILE {
                    platform = Some(text);
                } else if !file.contains('/') && file.ends_with(".md") {
                    lessons.insert(file.to_string(), text);
                }
            }
        }
        let name = base
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or("folder");
        Ok(FolderPack {
            name: if name.is_empty() {
                "folder".into()
            } else {
                name.into()
            },
            manifest,
            lessons,
            platform,
        })
    }

    /// The platform of the pack's lessons.
    fn platform(&self, manifest: &PackManifest) -> Result<Arc<Platform>, LoadError> {
        let name = format!("{}/{PLATFORM_FILE}", self.name);
        match (&manifest.platform, &self.platform) {
            (None, _) => Ok(Platform::standard()),
            (Some(_), Some(text)) => read_platform(&name, text),
            (Some(_), None) => Err(LoadError::Fetch {
                url: name,
                reason: "the pack names this file, and the folder does not have it".into(),
            }),
        }
    }

    /// The pack's catalog entry, each lesson checked as `opsdojo lessons check` does.
    pub fn catalog(&self) -> Result<CatalogPack, LoadError> {
        let manifest_name = format!("{}/pack.yaml", self.name);
        let manifest = parse_pack_manifest(&self.manifest)
            .map_err(|diagnostic| invalid(&manifest_name, diagnostic))?;
        let platform = self.platform(&manifest)?;
        let lessons = manifest
            .lessons
            .iter()
            .map(|file| {
                let name = format!("{}/{file}", self.name);
                let read = match self.lessons.get(file) {
                    Some(text) => read_lesson(&name, text, true, &platform),
                    None => Err(LoadError::Fetch {
                        url: name,
                        reason: "the pack lists this file, and the folder does not have it".into(),
                    }),
                };
                CatalogLesson::of(file, read)
            })
            .collect();
        Ok(CatalogPack {
            route: self.route(&manifest.id),
            query: format!("?{FOLDER_PARAM}"),
            source: Some(format!("{}/", self.name)),
            manifest,
            lessons,
        })
    }

    fn route(&self, pack_id: &str) -> String {
        external_route(pack_id, &format!("folder:{}", self.name))
    }

    /// One lesson of the pack, after checking that `route` is the pack's.
    pub fn lesson(&self, route: &str, lesson_id: &str) -> Result<Lesson, LoadError> {
        let manifest_name = format!("{}/pack.yaml", self.name);
        let manifest = parse_pack_manifest(&self.manifest)
            .map_err(|diagnostic| invalid(&manifest_name, diagnostic))?;
        let file = format!("{lesson_id}.md");
        let name = format!("{}/{file}", self.name);
        match self.lessons.get(&file) {
            Some(text) if self.route(&manifest.id) == route && manifest.lessons.contains(&file) => {
                read_lesson(&name, text, false, &self.platform(&manifest)?)
            }
            _ => Err(LoadError::Fetch {
                url: name,
                reason: format!("the open folder pack has no lesson `{lesson_id}`; open its folder again from the catalog"),
            }),
        }
    }

    /// The folder pack kept from the last time one was opened.
    pub async fn kept() -> Option<FolderPack> {
        let text = crate::checkpoints::load(FOLDER_KEY).await?;
        serde_json::from_str(&text).ok()
    }

    /// Keeps the pack so that its lessons open and reload; the browser's reason if it refuses.
    pub async fn keep(&self) -> Result<(), String> {
        let text = serde_json::to_string(self).map_err(|error| error.to_string())?;
        crate::checkpoints::save(FOLDER_KEY, &text).await
    }

    /// Forgets the kept pack.
    pub async fn forget() -> Result<(), String> {
        crate::checkpoints::forget(FOLDER_KEY).await
    }
}
