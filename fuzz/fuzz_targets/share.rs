//! The text of a share link, once unpacked: read, checked, and written back to the same session.
#![no_main]
use libfuzzer_sys::fuzz_target;
use opsdojo_engine::share::SharedSession;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(session) = SharedSession::from_text(text) {
            assert_eq!(SharedSession::from_text(&session.to_text()), Ok(session));
        }
    }
});
