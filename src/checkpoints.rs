//! Checkpoints of lesson worlds, kept in IndexedDB (`checkpoints.js`): a cache that makes a
//! reload as fast as opening the lesson, whatever the simulated time. Progress stays in local
//! storage; the engine checks a checkpoint against it before using it.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/checkpoints.js")]
extern "C" {
    #[wasm_bindgen(js_name = checkpointGet)]
    async fn checkpoint_get(key: &str) -> JsValue;
    #[wasm_bindgen(catch, js_name = checkpointPut)]
    async fn checkpoint_put(key: &str, text: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_name = checkpointPutBytes)]
    async fn checkpoint_put_bytes(key: &str, bytes: &[u8]) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_name = checkpointDelete)]
    async fn checkpoint_delete(key: &str) -> Result<JsValue, JsValue>;
}

/// The checkpoint of the lesson `key`, if one was saved and can be read.
pub async fn load(key: &str) -> Option<String> {
    let value = checkpoint_get(key).await;
    if let Some(text) = value.as_string() {
        return Some(text);
    }
    let bytes = value.dyn_into::<js_sys::Uint8Array>().ok()?.to_vec();
    String::from_utf8(bytes).ok()
}

/// Saves a lesson's checkpoint (megabytes of text) under `key` as its bytes: turning it into a
/// string on the page and storing that cost a long task; the browser's reason when it refuses.
pub async fn save_checkpoint(key: &str, text: &str) -> Result<(), String> {
    checkpoint_put_bytes(key, text.as_bytes())
        .await
        .map(|_| ())
        .map_err(crate::storage::browser_reason)
}

/// Saves the checkpoint of the lesson `key`; the browser's reason when it refuses.
pub async fn save(key: &str, text: &str) -> Result<(), String> {
    checkpoint_put(key, text)
        .await
        .map(|_| ())
        .map_err(crate::storage::browser_reason)
}

/// Forgets the checkpoint of the lesson `key`.
pub async fn forget(key: &str) -> Result<(), String> {
    checkpoint_delete(key)
        .await
        .map(|_| ())
        .map_err(crate::storage::browser_reason)
}
