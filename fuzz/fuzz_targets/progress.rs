//! A saved or imported progress file.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = opsdojo_engine::progress::Progress::from_json(text);
    }
});
