use super::*;
use crate::world::{Action, World};

const LESSON: &str = r#"---
id: sample
title: A sample
summary: For tests.
track: basics
level: beginner
minutes: 3
scenario:
  seed: 5
  start: "09:30"
objectives:
  - id: time
    title: Wait **one** minute
    query: opsdojo_sim_elapsed_seconds >= 60
  - id: scale
    title: Ask for two `users` pods in dev
    query: kube_deployment_spec_replicas{env="dev", deployment="users"} >= 2
hints:
  - Press play.
solution:
  - edit:
      file: deploy/values-dev.yaml
      content: "replicas:\n  users: 2\n"
  - advance: 1m
---

# Title

Some *text* with <kbd>Space</kbd> and <script>alert(1)</script>.

```editor
file: deploy/values-dev.yaml
```

```yaml
not: a widget
```
"#;

fn parse(text: &str) -> Lesson {
    let parsed = parse_lesson(text);
    assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
    parsed.lesson.expect("lesson parses")
}

#[test]
fn a_lesson_file_parses_into_meta_scenario_and_body() {
    // Guards the lesson format documented in lessons/README.md.
    let lesson = parse(LESSON);
    assert_eq!(lesson.meta.id, "sample");
    assert_eq!(lesson.meta.level, Level::Beginner);
    assert_eq!(lesson.scenario.seed, 5);
    assert_eq!(
        World::new(lesson.scenario.clone()).now().to_string(),
        "day 1 09:30:00"
    );
    assert_eq!(
        lesson.solution[1..],
        [Action::Advance {
            by: crate::time::SimDuration::from_minutes(1)
        }]
    );
    assert_eq!(lesson.body_first_line, 26);
    assert_eq!(lesson.objective_line(0), 12);
}

#[test]
fn a_correct_lesson_checks_clean_and_a_wrong_one_does_not() {
    // Guards the lesson self-test: not solved at the start, solved by its solution.
    assert_eq!(check_lesson(&parse(LESSON)), vec![]);

    let too_short = LESSON.replace("- advance: 1m", "- advance: 30s");
    let diagnostics = check_lesson(&parse(&too_short));
    assert_eq!(diagnostics.len(), 1);
    assert!(diagnostics[0]
        .message
        .contains("does not meet objective `time`"));
    assert_eq!(diagnostics[0].line, 12);

    let solved_at_start = LESSON.replace(">= 60", "+ 1 > 0");
    let messages: Vec<String> = check_lesson(&parse(&solved_at_start))
        .iter()
        .map(|d| d.message.clone())
        .collect();
    assert_eq!(
        messages,
        vec!["objective `time` is already met at the start"]
    );

    let waiting_is_enough = LESSON.replace(
        r#"kube_deployment_spec_replicas{env="dev", deployment="users"} >= 2"#,
        "opsdojo_sim_elapsed_seconds >= 30",
    );
    let messages: Vec<String> = check_lesson(&parse(&waiting_is_enough))
        .iter()
        .map(|d| d.message.clone())
        .collect();
    assert_eq!(
        messages,
        vec!["letting the clock run meets every objective: the learner has nothing to do"]
    );

    let bad_query = LESSON.replace(">= 60", ">= (60");
    assert!(check_lesson(&parse(&bad_query))[0]
        .message
        .contains("invalid query"));

    let bad_explore = LESSON.replace(
        "```yaml\nnot: a widget",
        "```explore\nquery: sum(up\n```\n\n```yaml\nnot: a widget",
    );
    assert!(check_lesson(&parse(&bad_explore))[0]
        .message
        .contains("explore widget's query is invalid"));

    let bad_view = LESSON.replace(
        "```yaml\nnot: a widget",
        "```explore\nquery: up\nview: explained\n```\n\n```yaml\nnot: a widget",
    );
    let diagnostics = check_lesson(&parse(&bad_view));
    assert_eq!(
        diagnostics[0].message,
        "the explore widget has no view `explained`"
    );
    assert_eq!(
        diagnostics[0].hint.as_deref(),
        Some("write one of: graph, explain")
    );
    let good_view = bad_view.replace("view: explained", "view: explain");
    assert!(check_lesson(&parse(&good_view)).is_empty());

    let bad_file = LESSON.replace("file: deploy/values-dev.yaml", "file: nope.yaml");
    assert!(check_lesson(&parse(&bad_file))[0]
        .message
        .contains("`nope.yaml`"));
}

#[test]
fn broken_front_matter_reports_file_lines() {
    // Guards authors' error messages: they name the line in the lesson file.
    let parsed = parse_lesson(&LESSON.replace("minutes: 3", "minutes: three"));
    assert!(parsed.lesson.is_none());
    assert_eq!(parsed.diagnostics[0].line, 7);
    assert!(
        parsed.diagnostics[0].message.contains("minutes"),
        "{}",
        parsed.diagnostics[0]
    );

    let parsed = parse_lesson(&LESSON.replace("track: basics", "trak: basics"));
    assert!(parsed.diagnostics[0]
        .message
        .contains("unknown field `trak`"));
    assert!(parsed.diagnostics[0].hint.is_some());

    let parsed = parse_lesson("# no front matter\n");
    assert!(parsed.diagnostics[0].message.contains("front matter"));

    let parsed = parse_lesson(&LESSON.replace("start: \"09:30\"", "start: \"9h\""));
    assert_eq!(parsed.diagnostics[0].line, 10);
}

#[test]
fn markdown_is_sanitized_and_widgets_are_placed() {
    // Guards the page's safety: raw HTML is escaped except a few formatting tags.
    let lesson = parse(LESSON);
    let rendered = render_markdown(&lesson.body, lesson.body_first_line);
    let html: String = rendered
        .segments
        .iter()
        .filter_map(|s| match s {
            Segment::Html(html) => Some(html.as_str()),
            Segment::Widget(_) => None,
        })
        .collect();
    assert!(html.contains("<kbd>Space</kbd>"));
    assert!(!html.contains("<script>"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(
        html.contains("<code class=\"language-yaml\">"),
        "a plain code block stays code"
    );
    let widgets: Vec<&Widget> = rendered.widgets().collect();
    assert_eq!(widgets.len(), 1);
    assert_eq!(
        widgets[0].kind,
        WidgetKind::Editor {
            file: "deploy/values-dev.yaml".into()
        }
    );
    assert_eq!(widgets[0].line, 31);
}

#[test]
fn dangerous_links_and_attributes_are_neutralized() {
    // Guards against script URLs and event-handler attributes in lesson Markdown.
    let html = render_inline(
        r#"[a](javascript:alert(1)) [b](JaVaScRiPt:x) [c](https://ok.example/x) [d](../relative) <kbd onclick="x">k</kbd> <img src=x onerror=alert(1)>"#,
    );
    assert!(!html.to_lowercase().contains("javascript:"), "{html}");
    assert!(html.contains(r#"href="https://ok.example/x""#));
    assert!(html.contains(r#"href="../relative""#));
    assert!(!html.contains("<kbd onclick"));
    assert!(!html.contains("<img"));
}

#[test]
fn packs_and_manifests_parse_and_reject_paths() {
    // Guards the catalog files fetched by the app: names cannot climb out of the folder.
    assert_eq!(
        parse_pack_index("packs:\n  - basics\n").unwrap().packs,
        vec!["basics"]
    );
    assert!(parse_pack_index("packs:\n  - ../etc\n").is_err());
    let manifest =
        parse_pack_manifest("id: basics\ntitle: T\nsummary: S\nlessons:\n  - a.md\n").unwrap();
    assert_eq!(manifest.lessons, vec!["a.md"]);
    assert!(
        parse_pack_manifest("id: basics\ntitle: T\nsummary: S\nlessons:\n  - a.txt\n").is_err()
    );
    // Placed by the parser: the second entry, though the first holds the same text.
    let second =
        parse_pack_manifest("id: basics\ntitle: T\nsummary: S\nlessons:\n  - a.md\n  - a\n")
            .unwrap_err();
    assert_eq!((second.line, second.column), (6, 5), "{second:?}");
    assert!(parse_pack_manifest("id: basics\n")
        .unwrap_err()
        .message
        .contains("missing field"));
    // A pack is checked whole when the catalog opens: its size is bounded.
    let crowded = |count: usize| {
        let lessons: String = (0..count).map(|i| format!("  - l{i}.md\n")).collect();
        parse_pack_manifest(&format!(
            "id: big\ntitle: T\nsummary: S\nlessons:\n{lessons}"
        ))
    };
    assert!(crowded(super::pack::MAX_PACK_LESSONS).is_ok());
    let refused = crowded(super::pack::MAX_PACK_LESSONS + 1).unwrap_err();
    assert_eq!(refused.line, 4);
    assert!(
        refused.message.contains("at most 60"),
        "{}",
        refused.message
    );
}

#[test]
fn the_tracker_latches_met_objectives() {
    // Guards the checklist: an objective stays ticked once met, and restores from progress.
    let lesson = parse(LESSON);
    let (mut tracker, diagnostics) = ObjectiveTracker::new(&lesson);
    assert!(diagnostics.is_empty());
    let mut world = World::new(lesson.scenario.clone());
    assert_eq!(tracker.update(&world).0, Vec::<String>::new());
    world.apply(Action::Advance {
        by: crate::time::SimDuration::from_minutes(2),
    });
    assert_eq!(tracker.update(&world).0, vec!["time".to_string()]);
    assert!(!tracker.all_met());
    let (mut restored, _) = ObjectiveTracker::new(&lesson);
    restored.restore(["time".to_string(), "unknown".to_string()]);
    assert_eq!(restored.met().len(), 1);
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        #[test]
        fn any_lesson_text_parses_checks_and_renders_without_panic(text in "\\PC{0,300}") {
            // Guards the lesson page against panics on arbitrary files.
            let parsed = parse_lesson(&text);
            if let Some(lesson) = parsed.lesson {
                let _ = check_lesson(&lesson);
            }
            let _ = render_markdown(&text, 1);
        }

        #[test]
        fn mutated_lessons_never_panic(cut in 0usize..700, insert in "\\PC{0,8}") {
            // Guards near-valid lesson files, where author typos land.
            let mut text = LESSON.to_string();
            let mut at = cut.min(text.len());
            while !text.is_char_boundary(at) { at -= 1; }
            text.insert_str(at, &insert);
            let parsed = parse_lesson(&text);
            if let Some(lesson) = parsed.lesson {
                let _ = check_lesson(&lesson);
                let _ = render_markdown(&lesson.body, lesson.body_first_line);
            }
        }

        #[test]
        fn sanitized_html_never_contains_a_foreign_tag(text in "(<|>|[a-z]|=|\"| |/|script|img|kbd|onerror){0,30}") {
            // Guards the sanitizer: the only tags left are the allowed ones, with no attributes.
            let html = render_inline(&text);
            for piece in html.split('<').skip(1) {
                let tag = piece.split('>').next().unwrap_or("");
                let name = tag.trim_start_matches('/').trim_end_matches('/');
                prop_assert!(
                    ["kbd","br","sub","sup","mark","small","details","summary","p","em","strong","code","a href","del","ul","li","ol","h1","h2","pre","blockquote","hr","table"].iter().any(|allowed| name == *allowed || name.starts_with("a href=\"")),
                    "unexpected tag <{}> in {}", tag, html
                );
            }
        }
    }
}

#[test]
fn faults_and_bursts_are_checked_against_the_world() {
    // Guards scenario events: a typo in a fault or burst is reported at its event, not ignored.
    let with_event = |event: &str| {
        LESSON.replace(
            "  start: \"09:30\"",
            &format!(
                "  start: \"09:30\"\n  events:\n    - after: 1m\n      note: x\n      {event}"
            ),
        )
    };
    let cases = [
        (
            "burst: {env: qa, factor: 2}",
            "burst: unknown environment `qa`",
        ),
        ("burst: {env: prod, factor: 90}", "is not between 0 and 50"),
        (
            "fault: {env: prod, service: users, route: nope, share: 0.5}",
            "has no route `nope`",
        ),
        (
            "fault: {env: prod, service: users, status: \"418\", share: 0.5}",
            "unsupported status `418`",
        ),
        (
            "release: {env: prod, service: carts, version: 1.0.0}",
            "release: unknown service `carts`",
        ),
        (
            "release: {env: prod, service: users, version: \"\"}",
            "must be a short version",
        ),
    ];
    for (event, expected) in cases {
        let parsed = parse_lesson(&with_event(event));
        assert!(
            parsed
                .diagnostics
                .iter()
                .any(|d| d.message.contains(expected) && d.line == 12),
            "{event}: {:?}",
            parsed.diagnostics
        );
    }
    // Two events at the same time: the problem is the second's, placed by the parser rather
    // than where `1m` is first written.
    let second = parse_lesson(&with_event(
        "burst: {env: prod, factor: 2}\n    - after: 1m\n      note: y\n      burst: {env: qa, factor: 2}",
    ));
    let found = second
        .diagnostics
        .iter()
        .find(|d| d.message.contains("unknown environment `qa`"))
        .expect("the second event is refused");
    assert_eq!(found.line, 15, "{:?}", second.diagnostics);
    let fine = parse_lesson(&with_event(
        "burst: {env: prod, service: users, factor: 3, lasts: 10m}",
    ));
    assert!(fine.diagnostics.is_empty(), "{:?}", fine.diagnostics);
    assert!(fine.lesson.unwrap().scenario.events[0].burst.is_some());
}

#[test]
fn a_solution_that_advances_without_end_is_refused_before_it_plays() {
    let steps = "  - advance: 1w\n".repeat(10_000);
    let text = LESSON.replace("  - advance: 1m\n", &steps);
    let parsed = parse_lesson(&text);
    let diagnostic = parsed
        .diagnostics
        .iter()
        .find(|d| d.message.contains("advances the clock"))
        .expect("a diagnostic");
    assert_eq!(diagnostic.line, 20, "the `solution:` line");
    assert!(
        diagnostic.message.contains("the limit is 30d"),
        "{}",
        diagnostic.message
    );
    assert!(parsed.lesson.expect("still read").solution.is_empty());
    // Near miss: four weeks of solution play.
    let text = LESSON.replace("  - advance: 1m\n", &"  - advance: 1w\n".repeat(4));
    assert!(parse_lesson(&text).diagnostics.is_empty());
}

#[test]
fn a_demo_script_reads_notes_actions_panels_and_checkpoints() {
    let demo = "demo:\n  - note: Say hello.\n    panel: text\n  - note: Scale dev.\n    panel: files\n    edit:\n      file: deploy/values-dev.yaml\n      content: \"replicas:\\n  users: 2\\n\"\n    checkpoint: scaled\n  - note: Let it run.\n    advance: 1m\n---\n";
    let with_demo = |demo: &str| LESSON.replacen("---\n\n# Title", &format!("{demo}\n# Title"), 1);
    let text = with_demo(demo);
    let lesson = parse(&text);
    assert_eq!(lesson.demo.len(), 3);
    assert_eq!(lesson.demo[0].note, "Say hello.");
    assert_eq!(lesson.demo[0].action, None);
    assert_eq!(lesson.demo[0].panel, Some(Tab::Text));
    assert_eq!(lesson.demo[1].checkpoint.as_deref(), Some("scaled"));
    assert!(matches!(
        lesson.demo[1].action,
        Some(Action::EditFile { ref path, .. }) if path == "deploy/values-dev.yaml"
    ));
    assert_eq!(
        lesson.demo_line(&lesson.demo[1]),
        28,
        "the line of the step"
    );
    // Two steps with the same note: each is placed on its own (a search of the text found the
    // first for both).
    let twice = parse(&with_demo(
        "demo:\n  - note: Wait.\n    advance: 1m\n  - note: Wait.\n    advance: 1m\n---\n",
    ));
    let lines: Vec<usize> = twice
        .demo
        .iter()
        .map(|step| twice.demo_line(step))
        .collect();
    assert_eq!(lines, [26, 28]);
    assert_eq!(
        lesson.demo[2].action,
        Some(Action::Advance {
            by: crate::time::SimDuration::from_minutes(1)
        })
    );
    let checked = check_lesson(&lesson);
    assert!(checked.is_empty(), "{checked:?}");

    // A panel that does not exist, a checkpoint named twice, two actions in one step.
    for (bad, says) in [
        ("    panel: text\n", "    panel: stage\n", "is not a panel"),
        (
            "  - note: Let it run.\n",
            "  - note: Let it run.\n    checkpoint: scaled\n",
            "is not a new name",
        ),
        (
            "    advance: 1m\n---",
            "    advance: 1m\n    apply: dev\n---",
            "exactly one of",
        ),
    ]
    .map(|(from, to, says)| (text.replacen(from, to, 1), says))
    {
        let parsed = parse_lesson(&bad);
        assert!(
            parsed.diagnostics.iter().any(|d| d.message.contains(says)),
            "{says}: {:?}",
            parsed.diagnostics
        );
    }
    // A demo step editing a file the world does not have is reported where the step is.
    let missing = with_demo(&demo.replace("deploy/values-dev.yaml", "deploy/nope.yaml"));
    let diagnostics = check_lesson(&parse(&missing));
    assert!(
        diagnostics
            .iter()
            .any(|d| d.line == 28 && d.message.contains("deploy/nope.yaml")),
        "{diagnostics:?}"
    );
}

#[test]
fn a_demo_pull_request_command_that_fails_when_played_is_reported() {
    let text = include_str!("../../../../lessons/en/capstone/a-day-on-call.md");
    // Promoting before the merge fails on the pull request.
    let early = text.replacen("    pr: merge\n", "    pr: promote\n", 1);
    let diagnostics = check_lesson(&parse(&early));
    assert!(
        diagnostics
            .iter()
            .any(|d| d.message.contains("`pr: promote` fails when it plays")),
        "{diagnostics:?}"
    );
    assert!(check_lesson(&parse(text)).is_empty());
}

/// A lesson whose scenario carries its own platform, with `{platform}` as the block's body.
fn own_platform_lesson(platform: &str) -> String {
    format!(
        "---\nid: own\ntitle: Own\nsummary: For tests.\ntrack: basics\nlevel: beginner\nminutes: 3\n\
         scenario:\n  seed: 5\n  files:\n    notes.txt: |\n      platform: not this one\n  platform:\n{platform}\
         objectives:\n  - id: live\n    title: Five pods of cart in live\n    query: kube_deployment_spec_replicas{{env=\"live\", deployment=\"cart\"}} >= 5\n\
         solution:\n  - edit:\n      file: deploy/values-live.yaml\n      content: \"replicas:\\n  cart: 5\\n\"\n  - advance: 1m\n---\n\n# Own\n"
    )
}

#[test]
fn a_lesson_s_own_platform_replaces_its_pack_s_and_its_mistakes_have_their_lines() {
    let text = own_platform_lesson(
        "    environments: [test, live]\n    services:\n      - name: cart\n        routes: [view]\n",
    );
    let parsed = parse_lesson(&text);
    assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
    let lesson = parsed.lesson.unwrap();
    let names: Vec<&str> = lesson.scenario.platform.environment_names().collect();
    assert_eq!(names, ["test", "live"]);
    let checked = check_lesson(&lesson);
    assert!(checked.is_empty(), "{checked:?}");

    let typo = own_platform_lesson(
        "    environments: [test, live]\n    services:\n      - name: cart\n        routs: [view]\n",
    );
    let parsed = parse_lesson(&typo);
    let line = typo.lines().position(|l| l.contains("routs")).unwrap() + 1;
    assert_eq!(parsed.diagnostics.len(), 1, "{:?}", parsed.diagnostics);
    assert_eq!(parsed.diagnostics[0].line, line, "{:?}", parsed.diagnostics);
    assert_eq!(
        parsed.diagnostics[0].hint.as_deref(),
        Some("did you mean `routes`?")
    );

    // A scenario in flow style hides the block: said, not ignored.
    let hidden = own_platform_lesson("").replace(
        "scenario:\n  seed: 5\n  files:\n    notes.txt: |\n      platform: not this one\n  platform:\n",
        "scenario: {seed: 5, platform: {environments: [live], services: [users]}}\n",
    );
    let parsed = parse_lesson(&hidden);
    assert!(parsed.lesson.is_none());
    assert!(
        parsed.diagnostics[0]
            .message
            .contains("cannot be read here"),
        "{:?}",
        parsed.diagnostics
    );

    // Flow style on the key's own line.
    let flow = own_platform_lesson("").replace(
        "  platform:\n",
        "  platform: {environments: [live], services: [{name: cart, routes: [view]}]}\n",
    );
    let parsed = parse_lesson(&flow);
    assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
    assert_eq!(
        parsed.lesson.unwrap().scenario.platform.production(),
        "live"
    );
}

/// A lesson on a platform of `test` then `live` with one service, `cart`, whose text after
/// its heading is `body`.
fn test_and_live_lesson(body: &str) -> String {
    own_platform_lesson(
        "    environments: [test, live]\n    services:\n      - name: cart\n        routes: [view]\n",
    )
    .replace("# Own\n", &format!("# Own\n{body}"))
}

#[test]
fn a_widget_that_starts_on_another_platform_s_names_is_refused() {
    let text = test_and_live_lesson(
        "\n```dashboard\nenv: prod\nproject: cart\n```\n\n```kubectl\nnamespace: live\n```\n\n```dashboard\nenv: live\nproject: users\n```\n",
    );
    let lesson = parse_lesson(&text).lesson.expect("parses");
    let found: Vec<String> = check_lesson(&lesson)
        .into_iter()
        .map(|d| format!("{} ({})", d.message, d.hint.unwrap_or_default()))
        .collect();
    assert_eq!(
        found,
        [
            "the dashboard widget's env `prod` is not an environment (the environments are test, live)",
            "the dashboard widget's project `users` is not a service (the services are cart)",
        ],
        "{found:?}"
    );
}

#[test]
fn a_widget_s_unknown_settings_and_a_near_miss_name_are_told_at_their_line() {
    let text = test_and_live_lesson(
        "\n```explore\nqury: up\nrange: 30m\n```\n\n```dashbaord\nenv: live\n```\n\n```shell\necho fine\n```\n",
    );
    let lesson = parse_lesson(&text).lesson.expect("parses");
    let fence = |info: &str| {
        text.lines()
            .position(|line| line == format!("```{info}"))
            .expect("the fence")
            + 1
    };
    let found: Vec<(usize, String)> = check_lesson(&lesson)
        .into_iter()
        .map(|d| {
            let hint = d.hint.unwrap_or_default();
            (d.line, format!("{:?}: {} ({hint})", d.severity, d.message))
        })
        .collect();
    assert_eq!(
        found,
        [
            (
                fence("explore"),
                "Error: the explore widget has no setting `qury` (did you mean `query`?)".into()
            ),
            (
                fence("dashbaord"),
                "Warning: `dashbaord` is not a widget, so this block shows as code (did you mean `dashboard`?)"
                    .into()
            ),
            (
                fence("explore"),
                "Error: the explore widget's query is invalid: the query is empty (write the query on one line after `query:`)".into()
            ),
        ],
        "{found:?}"
    );
}

#[test]
fn an_objective_is_placed_by_the_parser_not_by_searching_its_id() {
    // Guards objective positions: an id that begins another one's (`tim` inside `time`) is
    // placed on its own entry.
    let lesson = LESSON
        .replace("id: scale", "id: tim")
        .replace("users: 2\\n", "users: 1\\n");
    let diagnostics = check_lesson(&parse(&lesson));
    let found: Vec<(usize, &str)> = diagnostics
        .iter()
        .map(|d| (d.line, d.message.as_str()))
        .collect();
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].1.contains("does not meet objective `tim`"),
        "{found:?}"
    );
    assert_eq!(found[0].0, 15, "{found:?}");
}

#[test]
fn a_tool_step_runs_a_command_on_a_tool_named_in_the_world() {
    let step = |name: &str| {
        LESSON.replace(
            "  - advance: 1m\n---",
            &format!("  - advance: 1m\n  - tool: {name} apply dev\n---"),
        )
    };
    let lesson = parse(&step("terraform"));
    assert_eq!(
        lesson.solution.last(),
        Some(&Action::Tool {
            tool: "terraform".into(),
            command: "apply dev".into(),
        })
    );
    let mut world = World::new(lesson.scenario.clone());
    for action in &lesson.solution {
        world.apply(action.clone());
    }
    assert_eq!(world.actions().last(), lesson.solution.last());
    // A near miss names the tool it should be, at the step's line.
    let parsed = parse_lesson(&step("terrafrom"));
    let problem = parsed
        .diagnostics
        .iter()
        .find(|d| d.message.contains("terrafrom"))
        .expect("a diagnostic");
    assert_eq!(
        problem.message,
        "`tool: terrafrom apply dev` names no tool of the world"
    );
    let hint = problem.hint.as_deref().unwrap_or_default();
    assert!(hint.starts_with("did you mean `terraform`?"), "{hint}");
    assert_eq!(problem.line, 25, "{problem:?}");
}
