//! A lesson file: front matter and body read, the body rendered.
#![no_main]
use libfuzzer_sys::fuzz_target;
use opsdojo_engine::lesson::{parse_lesson, render_markdown};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let parsed = parse_lesson(text);
        if let Some(lesson) = parsed.lesson {
            let _ = render_markdown(&lesson.body, lesson.body_first_line);
        }
    }
});
