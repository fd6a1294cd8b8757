//! `opsdojo lessons check`: every language, every pack, every lesson, every problem.

use opsdojo_engine::lesson::{
    check_lesson, parse_lesson_on, parse_pack_index, parse_pack_manifest, PackManifest,
    PLATFORM_FILE,
};
use opsdojo_engine::platform::{parse_platform, Platform};
use opsdojo_engine::{Diagnostic, Severity};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

/// What checking a folder of packs found.
#[derive(Default)]
pub struct Report {
    pub lessons: usize,
    pub errors: usize,
    pub warnings: usize,
    pub text: String,
}

impl Report {
    fn add(&mut self, file: &Path, diagnostic: &Diagnostic) {
        match diagnostic.severity {
            Severity::Error => self.errors += 1,
            Severity::Warning => self.warnings += 1,
        }
        let level = match diagnostic.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        // Said in the file checked unless the diagnostic names its own, at line 1 when it has
        // no place: editors and terminals then open the file.
        let diagnostic = Diagnostic {
            line: diagnostic.line.max(1),
            ..diagnostic.clone().or_in_file(&file.display().to_string())
        };
        let _ = writeln!(
            self.text,
            "{}: {level}: {}",
            diagnostic.place(),
            diagnostic.message
        );
        if let Some(hint) = &diagnostic.hint {
            let _ = writeln!(self.text, "  = hint: {hint}");
        }
    }
}

pub fn run(dir: &str) -> ExitCode {
    let report = check_dir(Path::new(dir));
    out!("{}", report.text);
    outln!(
        "{} lessons checked: {} errors, {} warnings",
        report.lessons,
        report.errors,
        report.warnings
    );
    if report.errors == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Checks every language folder (one holding `packs.yaml`) under `dir`.
pub fn check_dir(dir: &Path) -> Report {
    let mut report = Report::default();
    let mut languages: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|path| path.join("packs.yaml").is_file())
            .collect(),
        Err(error) => {
            report.add(
                dir,
                &Diagnostic::error(0, 0, format!("cannot read the lessons folder: {error}")),
            );
            return report;
        }
    };
    languages.sort();
    if languages.is_empty() {
        report.add(
            dir,
            &Diagnostic::error(0, 0, "no language folder with a `packs.yaml` found")
                .with_hint("lay lessons out as `lessons/<lang>/packs.yaml` and `lessons/<lang>/<pack>/pack.yaml`"),
        );
    }
    let mut lessons_by_language: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for language in &languages {
        let name = language
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let keys = check_language(language, &mut report);
        lessons_by_language.insert(name, keys);
    }
    // A lesson in one language and missing in another is worth knowing, not fatal.
    let all: std::collections::BTreeSet<&String> = lessons_by_language.values().flatten().collect();
    for (language, keys) in &lessons_by_language {
        for key in &all {
            if !keys.contains(key) {
                report.add(
                    &dir.join(language),
                    &Diagnostic::warning(
                        0,
                        0,
                        format!("lesson `{key}` has no `{language}` version"),
                    ),
                );
            }
        }
    }
    report
}

fn read(path: &Path, report: &mut Report) -> Option<String> {
    match std::fs::read_to_string(path) {
        Ok(text) => Some(text),
        Err(error) => {
            report.add(
                path,
                &Diagnostic::error(0, 0, format!("cannot read the file: {error}")),
            );
            None
        }
    }
}

/// Checks one language's packs; returns the `pack/lesson` keys found.
fn check_language(language: &Path, report: &mut Report) -> Vec<String> {
    let mut keys = Vec::new();
    let index_path = language.join("packs.yaml");
    let Some(text) = read(&index_path, report) else {
        return keys;
    };
    let index = match parse_pack_index(&text) {
        Ok(index) => index,
        Err(diagnostic) => {
            report.add(&index_path, &diagnostic);
            return keys;
        }
    };
    for pack in &index.packs {
        let manifest_path = language.join(pack).join("pack.yaml");
        let Some(text) = read(&manifest_path, report) else {
            continue;
        };
        let manifest = match parse_pack_manifest(&text) {
            Ok(manifest) => manifest,
            Err(diagnostic) => {
                report.add(&manifest_path, &diagnostic);
                continue;
            }
        };
        if &manifest.id != pack {
            report.add(
                &manifest_path,
                &Diagnostic::error(
                    1,
                    1,
                    format!("pack id `{}` differs from its folder `{pack}`", manifest.id),
                )
                .with_hint("name the folder after the pack id"),
            );
        }
        let Some(platform) = pack_platform(&language.join(pack), &manifest, report) else {
            continue;
        };
        let mut ids = std::collections::BTreeSet::new();
        for file in &manifest.lessons {
            let lesson_path = language.join(pack).join(file);
            let Some(text) = read(&lesson_path, report) else {
                continue;
            };
            report.lessons += 1;
            let parsed = parse_lesson_on(&text, platform.clone());
            for diagnostic in &parsed.diagnostics {
                report.add(&lesson_path, diagnostic);
            }
            let Some(lesson) = parsed.lesson else {
                continue;
            };
            if !ids.insert(lesson.meta.id.clone()) {
                report.add(
                    &lesson_path,
                    &Diagnostic::error(
                        1,
                        1,
                        format!(
                            "lesson id `{}` is used twice in pack `{pack}`",
                            lesson.meta.id
                        ),
                    ),
                );
            }
            if *file != format!("{}.md", lesson.meta.id) {
                report.add(
                    &lesson_path,
                    &Diagnostic::error(
                        2,
                        1,
                        format!(
                            "lesson id `{}` does not match its file name `{file}`",
                            lesson.meta.id
                        ),
                    )
                    .with_hint(format!(
                        "rename the file `{}.md`: the app finds a lesson by its id",
                        lesson.meta.id
                    )),
                );
            }
            keys.push(format!("{pack}/{}", lesson.meta.id));
            for diagnostic in check_lesson(&lesson) {
                report.add(&lesson_path, &diagnostic);
            }
        }
    }
    keys
}

/// The platform of a pack's lessons: its `platform.yaml` when it has one, else the standard
/// platform; `None` when the file has errors (reported) and the lessons cannot be checked.
fn pack_platform(
    folder: &Path,
    manifest: &PackManifest,
    report: &mut Report,
) -> Option<Arc<Platform>> {
    let path = folder.join(PLATFORM_FILE);
    let named = manifest.platform.is_some();
    if !named {
        if path.exists() {
            report.add(
                &folder.join("pack.yaml"),
                &Diagnostic::error(
                    1,
                    1,
                    format!("the pack has a `{PLATFORM_FILE}` that `pack.yaml` does not name"),
                )
                .with_hint("add `platform: platform.yaml` to `pack.yaml` so that the app loads it"),
            );
            return None;
        }
        return Some(Platform::standard());
    }
    let text = read(&path, report)?;
    match parse_platform(&text) {
        Ok(platform) => Some(Arc::new(platform)),
        Err(diagnostics) => {
            for diagnostic in &diagnostics {
                report.add(&path, diagnostic);
            }
            None
        }
    }
}

#[cfg(test)]
mod tests;
