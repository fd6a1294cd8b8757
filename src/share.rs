//! Share links (`share.js`): a session's text compressed into the URL fragment `#share=…`, and
//! read back. The engine checks the text ([`opsdojo_engine::share::SharedSession`]).

use opsdojo_engine::share::{SharedSession, SHARE_MAX_BYTES};
use wasm_bindgen::prelude::*;

/// Why a link is not opened on this page, in the notice's words.
pub const OTHER_PLACE: &str = "it is a link to another lesson or to the sandbox";
pub const CHANGED: &str = "the lesson changed since the link was made";

/// The fragment's prefix before the code.
const PREFIX: &str = "#share=";

#[wasm_bindgen(module = "/src/share.js")]
extern "C" {
    #[wasm_bindgen(catch, js_name = shareEncode)]
    async fn share_encode(text: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_name = shareDecode)]
    async fn share_decode(code: &str, max_bytes: f64) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_name = copyText)]
    async fn copy_text(text: &str) -> Result<JsValue, JsValue>;
}

/// The link to `session` on this page.
pub async fn link(session: &SharedSession) -> Result<String, String> {
    let code = encode(&session.to_text()).await?;
    Ok(format!("{}{PREFIX}{code}", page_address()))
}

/// `?pack=<address>` when the page's lesson comes from a pack opened from a URL: a link to
/// it must say where the pack is.
fn pack_query() -> String {
    crate::catalog::pack_in_location()
        .map(|url| {
            format!(
                "?{}={}",
                crate::catalog::PACK_PARAM,
                String::from(js_sys::encode_uri_component(&url))
            )
        })
        .unwrap_or_default()
}

/// `text` compressed into a code for a URL fragment.
pub async fn encode(text: &str) -> Result<String, String> {
    let code = share_encode(text)
        .await
        .map_err(crate::storage::browser_reason)?;
    Ok(code.as_string().unwrap_or_default())
}

/// The text of a code, refused past `SHARE_MAX_BYTES`.
pub async fn decode(code: &str) -> Result<String, String> {
    let text = share_decode(code, SHARE_MAX_BYTES as f64)
        .await
        .map_err(crate::storage::browser_reason)?;
    Ok(text.as_string().unwrap_or_default())
}

/// The origin and path of this page, with its `?pack=` when it has one: where a link to it
/// starts.
pub fn page_address() -> String {
    let Some(location) = web_sys::window().map(|w| w.location()) else {
        return String::new();
    };
    let origin = location.origin().unwrap_or_default();
    let path = location.pathname().unwrap_or_default();
    format!("{origin}{path}{}", pack_query())
}

/// Copies `text` to the clipboard.
pub async fn copy(text: &str) -> Result<(), String> {
    copy_text(text)
        .await
        .map(|_| ())
        .map_err(crate::storage::browser_reason)
}

/// The code in this page's fragment, if it is a share link.
pub fn code_in_location() -> Option<String> {
    let hash = web_sys::window()?.location().hash().ok()?;
    hash.strip_prefix(PREFIX).map(str::to_string)
}

/// The session of a link code, read and checked.
pub async fn read(code: &str) -> Result<SharedSession, String> {
    SharedSession::from_text(&decode(code).await?)
}

/// Takes the share link out of the address, so that a reload opens the learner's own progress.
pub fn leave_link() {
    if let Some(window) = web_sys::window() {
        let path = window.location().pathname().unwrap_or_default();
        let address = format!("{path}{}", pack_query());
        if let Ok(history) = window.history() {
            let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&address));
        }
    }
}
