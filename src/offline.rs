//! Tells `offline/register.js` that the first page is interactive. The service worker's
//! install downloads the whole build (the wasm, the editor, every shipped lesson); started with
//! the page, it slowed a cold visit's first lesson by about 150 ms, so its registration waits
//! for this event (or for a few seconds after the page's `load`, whichever comes first).

/// The event `offline/register.js` listens for on the window.
const INTERACTIVE: &str = "opsdojo:interactive";

/// Announces that the page shows what it was opened for. Later calls change nothing: the
/// registration listens once.
pub fn page_interactive() {
    let Some(window) = web_sys::window() else {
        return;
    };
    if let Ok(event) = web_sys::Event::new(INTERACTIVE) {
        let _ = window.dispatch_event(&event);
    }
}
