//! The browser's local storage: settings, progress, and progress that could not be read.
//!
//! Nothing read from storage is trusted: settings are checked against their allowed values,
//! progress goes through the engine's validation (which migrates older versions). Progress
//! that fails validation is copied to a `kept` key before anything else is written; the
//! original is removed only once the copy exists, and the learner is told either way. Every
//! write says whether it worked: a full storage is shown, never ignored.

use crate::i18n::Locale;
use opsdojo_engine::progress::Progress;
use wasm_bindgen::JsCast;

const LOCALE_KEY: &str = "opsdojo.locale";
const THEME_KEY: &str = "opsdojo.theme";
const PROGRESS_KEY: &str = "opsdojo.progress";
const KEPT_PREFIX: &str = "opsdojo.progress.kept.";
/// The progress an import replaced, kept until the next import.
pub const BACKUP_KEY: &str = "opsdojo.progress.backup";

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

pub fn read(key: &str) -> Option<String> {
    local_storage()?.get_item(key).ok().flatten()
}

/// Writes `value` under `key`; the browser's reason when it refuses (a full quota, storage
/// turned off).
pub fn write(key: &str, value: &str) -> Result<(), String> {
    let storage = local_storage().ok_or_else(|| "local storage is not available".to_string())?;
    storage.set_item(key, value).map_err(browser_reason)
}

/// The browser's reason for a refusal, in its words: an `Error`'s message, or the text thrown.
pub fn browser_reason(error: wasm_bindgen::JsValue) -> String {
    error
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| error.as_string())
        .unwrap_or_else(|| "the browser refused".to_string())
}

/// The saved interface language, or the browser's if none was saved.
pub fn load_locale() -> Locale {
    if let Some(locale) = read(LOCALE_KEY).as_deref().and_then(Locale::from_code) {
        return locale;
    }
    let browser = web_sys::window()
        .and_then(|window| window.navigator().language())
        .unwrap_or_default();
    if browser.starts_with("fr") {
        Locale::Fr
    } else {
        Locale::En
    }
}

pub fn save_locale(locale: Locale) {
    // A setting that cannot be saved is chosen again next time; progress is what matters.
    let _ = write(LOCALE_KEY, locale.code());
}

/// The color theme, `light` or `dark`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Theme {
    Light,
    Dark,
}

impl Theme {
    pub fn name(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }
}

/// The saved theme, or the system preference if none was saved.
pub fn load_theme() -> Theme {
    match read(THEME_KEY).as_deref() {
        Some("light") => Theme::Light,
        Some("dark") => Theme::Dark,
        _ => {
            let prefers_dark = web_sys::window()
                .and_then(|window| {
                    window
                        .match_media("(prefers-color-scheme: dark)")
                        .ok()
                        .flatten()
                })
                .is_some_and(|query| query.matches());
            if prefers_dark {
                Theme::Dark
            } else {
                Theme::Light
            }
        }
    }
}

pub fn save_theme(theme: Theme) {
    let _ = write(THEME_KEY, theme.name());
}

/// Saved data that could not be used, and what was done with it.
pub struct KeptAside {
    pub reason: String,
    /// The key it was copied to, or `None` when the copy failed (the original stays where it
    /// was, and saving waits until the learner downloads it).
    pub kept_key: Option<String>,
    pub raw: String,
}

/// What loading saved progress gave: the progress that could be used, and what was set aside.
pub struct LoadedProgress {
    pub progress: Progress,
    pub kept: Vec<KeptAside>,
}

/// Loads progress; corrupt or foreign data is kept aside, never overwritten. A lesson that
/// fails validation is set aside alone; the others load.
pub fn load_progress() -> LoadedProgress {
    let Some(raw) = read(PROGRESS_KEY) else {
        return LoadedProgress {
            progress: Progress::new(),
            kept: Vec::new(),
        };
    };
    let stamp = js_sys::Date::now() as u64;
    match Progress::from_json(&raw) {
        Ok(mut progress) => {
            let kept = std::mem::take(&mut progress.refused)
                .into_iter()
                .map(|refused| {
                    let key = format!("{KEPT_PREFIX}{stamp}.{}", refused.key.replace('/', "."));
                    let raw = format!("{{\"{}\": {}}}", refused.key, refused.raw);
                    KeptAside {
                        reason: refused.reason,
                        kept_key: write(&key, &raw).ok().map(|()| key),
                        raw,
                    }
                })
                .collect();
            LoadedProgress { progress, kept }
        }
        Err(reason) => {
            let kept_key = format!("{KEPT_PREFIX}{stamp}");
            let kept_key = match write(&kept_key, &raw) {
                Ok(()) => {
                    // The copy exists: the original can go.
                    if let Some(storage) = local_storage() {
                        let _ = storage.remove_item(PROGRESS_KEY);
                    }
                    Some(kept_key)
                }
                Err(_) => None,
            };
            LoadedProgress {
                progress: Progress::new(),
                kept: vec![KeptAside {
                    reason: reason.to_string(),
                    kept_key,
                    raw,
                }],
            }
        }
    }
}

/// The progress saved by another tab, when it can be read.
pub fn stored_progress() -> Option<Progress> {
    Progress::from_json(&read(PROGRESS_KEY)?).ok()
}

/// Saves `progress`.
pub fn save_progress(progress: &Progress) -> Result<(), String> {
    save_progress_text(&progress.to_json())
}

/// Saves progress already written as JSON.
pub fn save_progress_text(json: &str) -> Result<(), String> {
    write(PROGRESS_KEY, json)
}

/// The saved progress text as it is, valid or not.
pub fn stored_progress_text() -> Option<String> {
    read(PROGRESS_KEY)
}

/// True when `key` is where progress is saved (for the storage events of other tabs).
pub fn is_progress_key(key: &str) -> bool {
    key == PROGRESS_KEY
}
