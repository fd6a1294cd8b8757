//! Packs: a language's list of packs (`packs.yaml`) and each pack's manifest (`pack.yaml`).

use super::read_yaml;
use crate::diagnostic::Diagnostic;
use crate::yaml::place;
use serde::{Deserialize, Serialize};

/// `lessons/<lang>/packs.yaml`: the packs of one language, in catalog order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackIndex {
    /// Folder names of the packs, beside this file.
    pub packs: Vec<String>,
}

/// `lessons/<lang>/<pack>/pack.yaml`: a pack's title and its lessons in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackManifest {
    pub id: String,
    pub title: String,
    pub summary: String,
    /// Lesson file names beside the manifest, in the order a learner takes them.
    pub lessons: Vec<String>,
    /// The pack's platform file beside the manifest (`platform.yaml`), when its lessons run
    /// on a platform of their own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
}

/// Parses `packs.yaml`.
pub fn parse_pack_index(text: &str) -> Result<PackIndex, Diagnostic> {
    let index: PackIndex = read_yaml(text, 0, "packs.yaml")?;
    for pack in &index.packs {
        check_relative_name(pack, "pack folder")?;
    }
    Ok(index)
}

/// Parses a pack's `pack.yaml`.
pub fn parse_pack_manifest(text: &str) -> Result<PackManifest, Diagnostic> {
    let manifest: PackManifest = read_yaml(text, 0, "pack.yaml")?;
    check_relative_name(&manifest.id, "pack id")?;
    // Each lesson is fetched and checked (its solution played) when the catalog opens.
    if manifest.lessons.len() > MAX_PACK_LESSONS {
        let (line, column) = place(text, &["lessons"], true);
        return Err(Diagnostic::error(
            line,
            column,
            format!(
                "the pack lists {} lessons; a pack holds at most {MAX_PACK_LESSONS}",
                manifest.lessons.len()
            ),
        )
        .with_hint("split it into several packs"));
    }
    if let Some(platform) = &manifest.platform {
        check_relative_name(platform, "platform file")?;
        if platform != PLATFORM_FILE {
            let (line, column) = place(text, &["platform"], false);
            return Err(Diagnostic::error(
                line,
                column,
                format!("the platform file is `{PLATFORM_FILE}`, not `{platform}`"),
            )
            .with_hint("write `platform: platform.yaml` and put the file beside `pack.yaml`"));
        }
    }
    for (index, lesson) in manifest.lessons.iter().enumerate() {
        check_relative_name(lesson, "lesson file")?;
        if !lesson.ends_with(".md") {
            let (line, column) = place(text, &["lessons", &index.to_string()], false);
            return Err(Diagnostic::error(
                line,
                column,
                format!("lesson file `{lesson}` must be a Markdown file"),
            )
            .with_hint("name lesson files with the `.md` extension"));
        }
    }
    Ok(manifest)
}

/// The name of a pack's platform file, beside its `pack.yaml`.
pub const PLATFORM_FILE: &str = "platform.yaml";

/// The most lessons a pack lists.
pub const MAX_PACK_LESSONS: usize = 60;

/// A name used in a path must be one plain segment: it is fetched from the served folder.
fn check_relative_name(name: &str, what: &str) -> Result<(), Diagnostic> {
    let plain = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && !name.starts_with('.');
    if plain {
        Ok(())
    } else {
        Err(
            Diagnostic::error(0, 0, format!("{what} `{name}` is not a plain name"))
                .with_hint("use letters, digits, `-`, `_` and `.` only, without `/`"),
        )
    }
}

/// The address segment (and progress key prefix) of a pack opened from `url` rather than
/// shipped with the app: its id and a hash of the address, so that two packs with the same id
/// from two places keep their progress apart. It passes the progress key's checks.
pub fn external_route(pack_id: &str, url: &str) -> String {
    // FNV-1a, 32 bits: stable across builds and platforms.
    let hash = url.bytes().fold(0x811c_9dc5u32, |hash, byte| {
        (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193)
    });
    format!("{pack_id}.{hash:08x}")
}

#[cfg(test)]
mod external_tests {
    use super::*;

    #[test]
    fn an_external_pack_route_depends_on_the_address_and_is_a_valid_progress_key() {
        let a = external_route(
            "onboarding",
            "https://example.test/packs/onboarding/pack.yaml",
        );
        let b = external_route(
            "onboarding",
            "https://example.test/other/onboarding/pack.yaml",
        );
        assert!(a.starts_with("onboarding."));
        assert_ne!(a, b);
        assert_eq!(a.len(), "onboarding.".len() + 8);
        let key = crate::progress::Progress::lesson_key(&a, "first-day");
        assert!(crate::progress::validate_key(&key).is_ok(), "{key}");
    }
}
