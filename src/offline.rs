//! Tells `offline/register.js` that the first page is interactive. The service worker's
//! install downloads the whole build (the wasm, the editor, every shipped lesson); started with
//! the page, it slowed a cold visit's first lesson by about 150 ms, so its registration waits
//! for this event (or for a few seconds after the page's `load`, whichever comes first). The
//! editor's script and, in a split build, the second part of the app's module
//! (`public/second-module.js`) are fetched then too, once the page has painted.

/// How long after the first paint the editor's script is added to the page.
const AFTER_PAINT_MS: u64 = 300;

/// The event `offline/register.js` listens for on the window.
const INTERACTIVE: &str = "opsdojo:interactive";

thread_local! {
    /// Whether a page has said it is interactive.
    static INTERACTIVE_SAID: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether a page has said it is interactive since the app started.
pub fn is_interactive() -> bool {
    INTERACTIVE_SAID.get()
}

/// Announces that the page shows what it was opened for. Later calls change nothing: the
/// registration listens once.
pub fn page_interactive() {
    INTERACTIVE_SAID.set(true);
    let Some(window) = web_sys::window() else {
        return;
    };
    if let Ok(event) = web_sys::Event::new(INTERACTIVE) {
        let _ = window.dispatch_event(&event);
    }
    // A moment after the page has painted what it shows: the script's evaluation and the
    // editors it makes would hold up the page's first answers to the reader.
    leptos::prelude::request_animation_frame(|| {
        leptos::prelude::set_timeout(
            crate::components::editor::load_editor_script,
            std::time::Duration::from_millis(AFTER_PAINT_MS),
        );
    });
}
