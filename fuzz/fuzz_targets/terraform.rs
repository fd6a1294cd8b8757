//! A `.tf` file added to the platform's project and a variables file (after a NUL byte),
//! planned for dev.
#![no_main]
use libfuzzer_sys::fuzz_target;
use opsdojo_engine::terraform::{plan_files, project, state::State};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (tf, tfvars) = text.split_once('\0').unwrap_or((text, ""));
    let mut files = project::files();
    files.insert("fuzz.tf".into(), tf.to_string());
    files.insert("vars/fuzz.tfvars".into(), tfvars.to_string());
    let _ = plan_files(&files, &["vars/fuzz.tfvars"], &State::empty()).text();
});
