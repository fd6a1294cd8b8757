//! The browser's local storage: settings, progress, and progress that could not be read.
//!
//! Nothing read from storage is trusted: settings are checked against their allowed values,
//! progress goes through the engine's validation. Progress that fails validation is copied to
//! a `kept` key before anything else is written, and the learner is told.

use crate::i18n::Locale;
use opsdojo_engine::progress::{Progress, ProgressError};

const LOCALE_KEY: &str = "opsdojo.locale";
const THEME_KEY: &str = "opsdojo.theme";
const PROGRESS_KEY: &str = "opsdojo.progress";
const KEPT_PREFIX: &str = "opsdojo.progress.kept.";

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn read(key: &str) -> Option<String> {
    local_storage()?.get_item(key).ok().flatten()
}

fn write(key: &str, value: &str) {
    if let Some(storage) = local_storage() {
        let _ = storage.set_item(key, value);
    }
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
    write(LOCALE_KEY, locale.code());
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
    write(THEME_KEY, theme.name());
}

/// What loading saved progress gave.
pub enum LoadedProgress {
    /// Valid progress, or none saved yet.
    Ready(Progress),
    /// Saved progress that could not be used: it was kept under `kept_key`.
    Kept {
        reason: ProgressError,
        kept_key: String,
        raw: String,
    },
}

/// Loads progress; corrupt or foreign data is kept aside, never overwritten.
pub fn load_progress() -> LoadedProgress {
    let Some(raw) = read(PROGRESS_KEY) else {
        return LoadedProgress::Ready(Progress::new());
    };
    match Progress::from_json(&raw) {
        Ok(progress) => LoadedProgress::Ready(progress),
        Err(reason) => {
            let stamp = js_sys::Date::now() as u64;
            let kept_key = format!("{KEPT_PREFIX}{stamp}");
            write(&kept_key, &raw);
            if let Some(storage) = local_storage() {
                let _ = storage.remove_item(PROGRESS_KEY);
            }
            LoadedProgress::Kept {
                reason,
                kept_key,
                raw,
            }
        }
    }
}

pub fn save_progress(progress: &Progress) {
    write(PROGRESS_KEY, &progress.to_json());
}
