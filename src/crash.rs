//! If the page panics anyway: progress is written before the page stops, and the learner
//! sees what happened in plain words, with a way to reload and a way to export progress.
//!
//! The release build aborts on panic, so nothing of the app runs afterwards: the hook builds
//! its message with the DOM alone, with links (not buttons) that work without the app.

use leptos::prelude::*;
use opsdojo_engine::progress::Progress;
use opsdojo_engine::world::Action;
use std::cell::{Cell, RefCell};
use wasm_bindgen::JsCast;

/// A lesson's edit typed but not yet applied to its world, as an action of that lesson.
type PendingEdit = Box<dyn Fn() -> Option<(String, Action)>>;

thread_local! {
    static PROGRESS: Cell<Option<RwSignal<Progress>>> = const { Cell::new(None) };
    static PENDING_EDIT: RefCell<Option<PendingEdit>> = const { RefCell::new(None) };
}

/// Installs the panic hook; call once at start.
pub fn install() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        let saved = save_now();
        show(saved);
    }));
}

/// The progress the hook saves and offers.
pub fn watch(progress: RwSignal<Progress>) {
    PROGRESS.with(|cell| cell.set(Some(progress)));
}

/// Where the hook finds what the open lesson's learner typed that its world has not taken
/// yet: the page's world may be what broke, so the edit is added to progress as an action.
pub fn watch_pending_edit(pending: impl Fn() -> Option<(String, Action)> + 'static) {
    PENDING_EDIT.with(|cell| *cell.borrow_mut() = Some(Box::new(pending)));
}

/// The progress as JSON, with the pending edit at the end of its lesson's actions, if the
/// signal can still be read (the panic may have happened while it was being written, in which
/// case what storage holds is the last save).
fn progress_json() -> Option<String> {
    let pending = PENDING_EDIT
        .try_with(|cell| {
            cell.try_borrow()
                .ok()
                .and_then(|f| f.as_ref().and_then(|f| f()))
        })
        .ok()
        .flatten();
    PROGRESS.with(Cell::get).and_then(|progress| {
        progress.try_with_untracked(|progress| match pending {
            Some((key, action)) => {
                let mut progress = progress.clone();
                progress
                    .lessons
                    .entry(key)
                    .or_default()
                    .actions
                    .push(action);
                progress.to_json()
            }
            None => progress.to_json(),
        })
    })
}

fn save_now() -> Option<String> {
    let json = progress_json()?;
    crate::storage::save_progress_text(&json).ok()?;
    Some(json)
}

fn show(saved: Option<String>) {
    let Some(document) = web_sys::window().and_then(|window| window.document()) else {
        return;
    };
    let french = document
        .document_element()
        .and_then(|root| root.get_attribute("lang"))
        .is_some_and(|lang| lang.starts_with("fr"));
    let text = |en: &'static str, fr: &'static str| if french { fr } else { en };
    let json = saved
        .or_else(progress_json)
        .or_else(crate::storage::stored_progress_text);
    let Ok(overlay) = document.create_element("div") else {
        return;
    };
    overlay.set_class_name("crash");
    let _ = overlay.set_attribute("role", "alertdialog");
    let _ = overlay.set_attribute("data-testid", "crash");
    let html = format!(
        "<div class=\"crash-card\"><h2>{}</h2><p>{}</p><p>{}</p><div class=\"crash-actions\"></div></div>",
        text("Something broke in opsdojo", "Quelque chose a cassé dans opsdojo"),
        text(
            "The page stopped because of an error in the simulator, not because of anything you did wrong.",
            "La page s'est arrêtée à cause d'une erreur du simulateur, pas de quelque chose que vous avez mal fait.",
        ),
        text(
            "Your progress up to the last action was saved. Reload to continue, or export it first to keep a copy.",
            "Votre progression jusqu'à la dernière action est enregistrée. Rechargez pour continuer, ou exportez-la d'abord pour en garder une copie.",
        ),
    );
    overlay.set_inner_html(&html);
    let actions = overlay.query_selector(".crash-actions").ok().flatten();
    let link = |label: &str, href: &str, class: &str, testid: &str| {
        let anchor = document
            .create_element("a")
            .ok()?
            .dyn_into::<web_sys::HtmlAnchorElement>()
            .ok()?;
        anchor.set_href(href);
        anchor.set_text_content(Some(label));
        anchor.set_class_name(class);
        // The router is gone: links it would intercept must be left to the browser.
        let _ = anchor.set_attribute("rel", "external");
        let _ = anchor.set_attribute("data-testid", testid);
        Some(anchor)
    };
    let here = web_sys::window()
        .and_then(|window| window.location().href().ok())
        .unwrap_or_else(|| "/".to_string());
    if let (Some(actions), Some(reload)) = (
        &actions,
        link(text("Reload", "Recharger"), &here, "button", "crash-reload"),
    ) {
        let _ = actions.append_child(&reload);
    }
    if let (Some(actions), Some(json)) = (&actions, json) {
        let parts = js_sys::Array::of1(&json.into());
        let blob = web_sys::Blob::new_with_str_sequence(&parts).ok();
        let url = blob.and_then(|blob| web_sys::Url::create_object_url_with_blob(&blob).ok());
        if let Some(anchor) = url.and_then(|url| {
            link(
                text("Export progress", "Exporter la progression"),
                &url,
                "button button-ghost",
                "crash-export",
            )
        }) {
            anchor.set_download("opsdojo-progress.json");
            let _ = actions.append_child(&anchor);
        }
    }
    if let Some(body) = document.body() {
        let _ = body.append_child(&overlay);
    }
}
