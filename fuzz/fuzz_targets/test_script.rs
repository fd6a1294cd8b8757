//! A PromQL test script (`load`, `eval`, `expect`), as `opsdojo promql-test` reads it.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = opsdojo_engine::promql::test_script::run_script(text);
    }
});
