use super::*;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

#[test]
fn the_shipped_lessons_check_clean() {
    // Guards every lesson the app serves: parses, not solved at start, solved by its solution.
    let report = check_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../lessons"));
    assert_eq!(report.errors, 0, "{}", report.text);
    assert!(report.lessons >= 2, "{}", report.text);
}

#[test]
fn broken_packs_report_every_error_with_file_and_line() {
    // Guards the author's view: each problem has file:line and a hint, and the count fails the run.
    let report = check_dir(&fixture("broken"));
    let text = report
        .text
        .replace(&fixture("broken").display().to_string(), "");
    assert!(
        text.contains("/en/missing/pack.yaml:1:1: error: cannot read the file"),
        "{text}"
    );
    assert!(
        text.contains(
            "/en/basics/bad-front.md:6:8: error: front matter: level: unknown variant `beginer`"
        ),
        "{text}"
    );
    assert!(text.contains("/en/basics/unsolved.md:9:1: error: the reference solution does not meet objective `wait`"), "{text}");
    assert!(text.contains("  = hint: "), "{text}");
    assert_eq!(report.errors, 3, "{text}");
}
