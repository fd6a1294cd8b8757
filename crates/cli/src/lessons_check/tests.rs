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

#[test]
fn a_pack_s_platform_file_is_checked_with_its_lines() {
    // Guards a team lead's own platform: a typo points at its line with a guess, the pack's
    // lessons wait for it, and a file the manifest does not name is reported.
    let dir = std::env::temp_dir().join(format!("opsdojo-platform-check-{}", std::process::id()));
    let pack = dir.join("en/shop");
    std::fs::create_dir_all(&pack).unwrap();
    let shop = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../lessons/en/shop");
    std::fs::write(dir.join("en/packs.yaml"), "packs:\n  - shop\n").unwrap();
    for file in ["pack.yaml", "evening-rush.md"] {
        std::fs::copy(shop.join(file), pack.join(file)).unwrap();
    }
    let good = std::fs::read_to_string(shop.join("platform.yaml")).unwrap();
    std::fs::write(pack.join("platform.yaml"), &good).unwrap();
    let report = check_dir(&dir);
    assert_eq!((report.errors, report.lessons), (0, 1), "{}", report.text);

    let typo = good.replacen(
        "  - name: catalog\n    routes:",
        "  - name: catalog\n    rootes:",
        1,
    );
    let line = typo.lines().position(|l| l.contains("rootes")).unwrap() + 1;
    std::fs::write(pack.join("platform.yaml"), typo).unwrap();
    let report = check_dir(&dir);
    let text = report.text.replace(&dir.display().to_string(), "");
    assert!(
        text.contains(&format!(
            "/en/shop/platform.yaml:{line}:5: error: platform: services[0]: unknown field `rootes`"
        )),
        "{text}"
    );
    assert!(text.contains("did you mean `routes`?"), "{text}");
    assert_eq!((report.errors, report.lessons), (1, 0), "{text}");

    let unnamed = std::fs::read_to_string(shop.join("pack.yaml"))
        .unwrap()
        .replace("platform: platform.yaml\n", "");
    std::fs::write(pack.join("pack.yaml"), unnamed).unwrap();
    std::fs::write(pack.join("platform.yaml"), &good).unwrap();
    let report = check_dir(&dir);
    assert!(report.text.contains("does not name"), "{}", report.text);
    std::fs::remove_dir_all(&dir).unwrap();
}
