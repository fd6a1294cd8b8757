//! A template added to the platform's chart (with one other file for `.Files`) and a values file
//! (after a NUL byte), rendered.
#![no_main]
use libfuzzer_sys::fuzz_target;
use opsdojo_engine::helm::{render, Release, PLATFORM_CHART};
use std::collections::BTreeMap;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (template, values) = text.split_once('\0').unwrap_or((text, ""));
    let mut files: BTreeMap<String, String> = PLATFORM_CHART
        .iter()
        .map(|(path, text)| (path.to_string(), text.to_string()))
        .collect();
    files.insert("templates/fuzz.yaml".into(), template.to_string());
    files.insert("files/app.ini".into(), "a=1\nb=two\n".into());
    let release = Release {
        name: "opsdojo",
        namespace: "prod",
        seed: 7,
        now_ms: 1_796_202_307_000,
    };
    let _ = render(&files, &[("values-prod.yaml", values)], &release);
});
