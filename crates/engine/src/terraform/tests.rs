use super::*;

fn plan_text(files: &Files, env: &str, state: &State) -> String {
    let var_file = project::var_file(env);
    plan_files(files, &[var_file.as_str()], state).text()
}

fn applied(files: &Files, env: &str, state: &State) -> State {
    let var_file = project::var_file(env);
    match apply_files(files, &[var_file.as_str()], state) {
        Ok(state) => state,
        Err(outcome) => panic!("{}", outcome.text()),
    }
}

#[test]
fn the_project_plans_every_environment_from_scratch() {
    let files = project::files();
    for env in ["dev", "staging", "prod"] {
        let text = plan_text(&files, env, &State::empty());
        assert!(
            text.contains("Plan: 8 to add, 0 to change, 0 to destroy."),
            "{env}:\n{text}"
        );
        assert!(
            text.contains(&format!(
                "      + identifier                 = \"opsdojo-{env}\"\n"
            )),
            "{text}"
        );
    }
}

#[test]
fn an_applied_plan_has_no_changes_left() {
    let files = project::files();
    let state = applied(&files, "dev", &State::empty());
    assert_eq!(state.resources.len(), 8);
    let text = plan_text(&files, "dev", &state);
    assert!(
        text.starts_with("No changes. Your infrastructure matches the configuration."),
        "{text}"
    );
    assert_eq!(state.serial, 1);
    let endpoint = &state.resources["aws_db_instance.main"].attributes["endpoint"];
    assert!(
        endpoint.as_str().unwrap().starts_with("opsdojo-dev.c"),
        "{endpoint:?}"
    );
    let distribution = &state.resources["aws_cloudfront_distribution.assets"].attributes;
    let waf = &state.resources["aws_wafv2_web_acl.edge"].attributes;
    assert_eq!(
        distribution["web_acl_id"], waf["arn"],
        "references resolve once applied"
    );
}

#[test]
fn a_plan_made_again_reads_every_input_it_was_made_from() {
    let files = project::files();
    let first = plan_text(&files, "prod", &State::empty());
    assert_eq!(plan_text(&files, "prod", &State::empty()), first);
    // Another environment's variables are not read by this plan.
    let dev_edited = edited(&files, "vars/dev.tfvars", "db.t3.medium", "db.t3.large");
    assert_eq!(plan_text(&dev_edited, "prod", &State::empty()), first);
    assert!(plan_text(&dev_edited, "dev", &State::empty()).contains("db.t3.large"));
    // Its own variables, the configuration, a new `.auto.tfvars` and the state are.
    let prod_edited = edited(&files, "vars/prod.tfvars", "env ", "env  ");
    let prod_text = plan_text(&prod_edited, "prod", &State::empty());
    assert_eq!(prod_text, first, "the same values plan the same");
    let storage = edited(
        &files,
        "vars/prod.tfvars",
        "db_allocated_storage",
        "db_allocated_storage = 321 #",
    );
    assert!(plan_text(&storage, "prod", &State::empty()).contains("321"));
    let mut auto = files.clone();
    auto.insert("extra.auto.tfvars".into(), "unknown_here = 1\n".into());
    assert_ne!(plan_text(&auto, "prod", &State::empty()), first);
    let config = edited(
        &files,
        "rds.tf",
        "resource \"aws_db_instance\"",
        "resource \"aws_db_instanc\"",
    );
    assert!(plan_text(&config, "prod", &State::empty()).contains("Error"));
    let state = applied(&files, "prod", &State::empty());
    assert!(plan_text(&files, "prod", &state).starts_with("No changes."));
    assert_eq!(plan_text(&files, "prod", &State::empty()), first);
    // A missing variables file is read as missing, then as present once it is there.
    let mut without = files.clone();
    without.remove("vars/prod.tfvars");
    assert!(plan_text(&without, "prod", &State::empty()).contains("does not exist"));
    assert_eq!(plan_text(&files, "prod", &State::empty()), first);
}

/// Compares `text` with the golden file `name`; `UPDATE_GOLDEN=1` rewrites the file instead.
fn golden(name: &str, text: &str) {
    let path = format!("{}/src/terraform/golden/{name}", env!("CARGO_MANIFEST_DIR"));
    if std::env::var("UPDATE_GOLDEN").is_ok_and(|v| v == "1") {
        std::fs::write(&path, text).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("missing golden file {path}; run with UPDATE_GOLDEN=1"));
    assert!(
        expected == text,
        "{name} differs from its golden file.\n--- expected\n{expected}\n--- got\n{text}"
    );
}

/// The project with `file` edited by replacing `from` with `to`.
fn edited(files: &Files, file: &str, from: &str, to: &str) -> Files {
    let mut files = files.clone();
    let text = files.get_mut(file).unwrap();
    assert!(text.contains(from), "{file} has no {from:?}");
    *text = text.replace(from, to);
    files
}

#[test]
fn golden_create_every_resource() {
    // Guards the create shape: legend with `+` only, (known after apply), (sensitive value),
    // maps, lists, nested blocks within blocks, `=` aligned per block.
    golden(
        "create.txt",
        &plan_text(&project::files(), "dev", &State::empty()),
    );
}

#[test]
fn golden_update_in_place() {
    // Guards the update shape: `~`, old -> new, identifying attributes kept, the rest counted.
    let files = project::files();
    let smaller = edited(&files, "vars/prod.tfvars", "db.r5.2xlarge", "db.m5.xlarge");
    let smaller = edited(
        &smaller,
        "vars/prod.tfvars",
        "db_multi_az              = true",
        "db_multi_az              = false",
    );
    let state = applied(&smaller, "prod", &State::empty());
    let bigger = edited(
        &files,
        "iam.tf",
        "Project     = \"opsdojo\"",
        "Project     = \"opsdojo\"\n    Team        = \"platform\"",
    );
    golden("update.txt", &plan_text(&bigger, "prod", &state));
}

#[test]
fn golden_replace_both_ways() {
    // Guards the replacement shapes: -/+ by default, +/- with create_before_destroy, and the
    // argument that forces it.
    let files = project::files();
    let state = applied(&files, "staging", &State::empty());
    let renamed = edited(
        &files,
        "elasticache.tf",
        "port            = 6379",
        "port            = 6380",
    );
    let renamed = edited(
        &renamed,
        "iam.tf",
        "user = aws_iam_user.external_signin.name\n",
        "user = aws_iam_user.external_signin.name\n\n  lifecycle {\n    create_before_destroy = true\n  }\n",
    );
    let renamed = edited(
        &renamed,
        "iam.tf",
        "name = \"external-signin-${var.env}\"",
        "name = \"signin-${var.env}\"",
    );
    golden("replace.txt", &plan_text(&renamed, "staging", &state));
}

#[test]
fn golden_destroy_what_left_the_configuration() {
    let files = project::files();
    let state = applied(&files, "dev", &State::empty());
    let without_key = edited(
        &files,
        "iam.tf",
        "resource \"aws_iam_access_key\" \"external_signin\" {\n  user = aws_iam_user.external_signin.name\n}\n",
        "",
    );
    golden("destroy.txt", &plan_text(&without_key, "dev", &state));
}

#[test]
fn golden_errors_stop_the_plan() {
    // Guards Terraform's diagnostics: a validation's error_message, a value of the wrong type,
    // a typo in an argument, and prevent_destroy.
    let files = project::files();
    let invalid = edited(
        &files,
        "vars/dev.tfvars",
        "\"db.t3.medium\"",
        "\"t3.medium\"",
    );
    let invalid = edited(
        &invalid,
        "vars/dev.tfvars",
        "db_allocated_storage = 20",
        "db_allocated_storage = \"lots\"",
    );
    let variables = plan_files(&invalid, &["vars/dev.tfvars"], &State::empty());
    assert!(variables.has_errors() && variables.plan.is_none());
    let typo = edited(&files, "rds.tf", "  multi_az ", "  multi_azz");
    let typo = plan_files(&typo, &["vars/dev.tfvars"], &State::empty());
    assert!(typo.has_errors() && typo.plan.is_none());
    let state = applied(&files, "prod", &State::empty());
    let unencrypted = edited(
        &files,
        "rds.tf",
        "storage_encrypted       = true",
        "storage_encrypted       = false",
    );
    let protected = plan_files(&unencrypted, &["vars/prod.tfvars"], &state);
    assert!(protected.has_errors() && protected.plan.is_none());
    let outcome = format!("{}{}", variables.text(), typo.text());
    golden("errors.txt", &format!("{outcome}{}", protected.text()));
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn any_tfvars_text_plans_or_explains(text in "\\PC{0,120}") {
            // Guards the variables-file path: whatever is typed, a plan or diagnostics, no panic.
            let mut files = project::files();
            files.insert("vars/dev.tfvars".into(), text);
            let outcome = plan_files(&files, &["vars/dev.tfvars"], &State::empty());
            prop_assert!(outcome.plan.is_some() || outcome.has_errors());
        }

        #[test]
        fn hcl_shaped_text_in_a_tf_file_never_panics(
            lines in proptest::collection::vec(
                "(resource|variable|locals|output) ?(\"[a-z_]{0,12}\" ?){0,2}\\{?|  [a-z_]{1,10} = (var|local|aws_s3_bucket)\\.[a-z_]{0,8}|  [a-z_]{1,8} = \"\\$\\{[a-z._]{0,12}\\}\"|  count = -?[0-9]{1,4}|\\}",
                0..12,
            )
        ) {
            let mut files = project::files();
            files.insert("extra.tf".into(), lines.join("\n"));
            let outcome = plan_files(&files, &["vars/dev.tfvars"], &State::empty());
            for diagnostic in &outcome.diagnostics {
                let _ = diagnostic.to_string();
            }
            let _ = outcome.text();
        }
    }
}

#[test]
fn output_changes_alone_are_planned_and_saved() {
    // Guards "Changes to Outputs": a new output and a removed one, with no resource to change,
    // are a plan of their own, and the apply saves them in the state.
    let files = project::files();
    let state = applied(&files, "dev", &State::empty());
    assert!(state.outputs.contains_key("db_endpoint"));
    let edited = edited(
        &files,
        "outputs.tf",
        "output \"assets_domain\" {\n  value = aws_cloudfront_distribution.assets.domain_name\n}",
        "output \"region\" {\n  value = var.region\n}",
    );
    let text = plan_text(&edited, "dev", &state);
    assert!(
        text.starts_with("Changes to Outputs:\n  - assets_domain = \"d")
            && text.contains(
                "\" -> null\n  + region        = \"eu-west-3\"\n\nYou can apply this plan"
            ),
        "{text}"
    );
    let next = applied(&edited, "dev", &state);
    assert_eq!(
        next.outputs.get("region").and_then(|v| v.as_str()),
        Some("eu-west-3")
    );
    assert!(!next.outputs.contains_key("assets_domain"));
    assert!(plan_text(&edited, "dev", &next).starts_with("No changes."));
}

#[test]
fn try_and_can_take_their_arguments_unevaluated() {
    // Guards the lazy functions: `can` turns an error into false for a validation, `try` falls
    // back to the next argument, and a `try` whose arguments all fail explains itself.
    let files = edited(
        &project::files(),
        "vars.tf",
        "condition     = startswith(var.db_instance_class, \"db.\")",
        "condition     = can(regex(\"^db\\\\.[a-z0-9]+\\\\.\", var.db_instance_class))",
    );
    let files = edited(
        &files,
        "rds.tf",
        "allocated_storage       = var.db_allocated_storage",
        "allocated_storage       = try(tonumber(\"lots\"), var.db_allocated_storage + 1)",
    );
    let plan = plan_text(&files, "dev", &State::empty());
    assert!(plan.contains("+ allocated_storage          = 21"), "{plan}");
    let invalid = edited(
        &files,
        "vars/dev.tfvars",
        "\"db.t3.medium\"",
        "\"t3.medium\"",
    );
    let text = plan_text(&invalid, "dev", &State::empty());
    assert!(text.contains("Error: Invalid value for variable"), "{text}");
    let failing = edited(
        &files,
        "rds.tf",
        "try(tonumber(\"lots\"), var.db_allocated_storage + 1)",
        "try(tonumber(\"lots\"), var.nothing)",
    );
    let text = plan_text(&failing, "dev", &State::empty());
    assert!(
        text.contains("Error: Error in function call")
            && text.contains("Call to function \"try\" failed: no expression succeeded."),
        "{text}"
    );
}

#[test]
fn dynamic_blocks_generate_one_block_per_element() {
    // Guards `dynamic`: a list and a map each generate nested blocks, `iterator` renames the
    // element, and a dynamic block of an unknown type is an error at its line.
    let files = edited(
        &project::files(),
        "waf.tf",
        "  visibility_config {",
        "  dynamic \"rule\" {\n    for_each = [\"AWSManagedRulesCommonRuleSet\", \"AWSManagedRulesSQLiRuleSet\"]\n    iterator = managed\n    content {\n      name     = managed.value\n      priority = managed.key\n    }\n  }\n\n  visibility_config {",
    );
    let text = plan_text(&files, "prod", &State::empty());
    assert!(
        text.contains("+ rule {\n          + name     = \"AWSManagedRulesCommonRuleSet\"\n          + priority = 0\n        }")
            && text.contains("+ name     = \"AWSManagedRulesSQLiRuleSet\"\n          + priority = 1"),
        "{text}"
    );
    let from_map = edited(
        &files,
        "waf.tf",
        "[\"AWSManagedRulesCommonRuleSet\", \"AWSManagedRulesSQLiRuleSet\"]",
        "{ common = 10 }",
    );
    let from_map = edited(
        &from_map,
        "waf.tf",
        "priority = managed.key",
        "priority = managed.value",
    );
    let from_map = edited(
        &from_map,
        "waf.tf",
        "name     = managed.value",
        "name     = managed.key",
    );
    let text = plan_text(&from_map, "prod", &State::empty());
    assert!(
        text.contains("+ name     = \"common\"\n          + priority = 10"),
        "{text}"
    );
    let unknown = edited(&files, "waf.tf", "dynamic \"rule\"", "dynamic \"rules\"");
    let text = plan_text(&unknown, "prod", &State::empty());
    assert!(
        text.contains("Error: Unsupported block type")
            && text.contains("on waf.tf line 9")
            && text.matches("Error:").count() == 1,
        "{text}"
    );
}

/// The project with `extra.tf` added, planned for dev.
fn plan_with(extra: &str) -> String {
    let mut files = project::files();
    files.insert("extra.tf".into(), extra.to_string());
    plan_text(&files, "dev", &State::empty())
}

#[test]
fn a_broken_operator_deep_in_nested_sums_is_refused_at_once() {
    // Each level of `(1 + 1 + ...` or `[1 + 1 + ...` before an operator the parser cannot read
    // (`!` without `=`, a lone `&` or `|`) doubled the parse: 20 levels took 0.6 s, and the
    // fuzzer's 1 138-byte file 140 s. Forty levels would not finish in days.
    for (open, broken, summary) in [
        ("+(1+1+1", "!3", "Invalid syntax"),
        ("[1+1+1", "&3", "Unsupported operator"),
        ("+f(1+1+1", "|3", "Unsupported operator"),
    ] {
        let value = format!("1{}{broken}", open.repeat(40));
        let text = plan_with(&format!("output \"deep\" {{\n  value = {value}\n}}\n"));
        assert!(text.contains(summary), "{open}: {text}");
        // The mistake is shown where it is: the operator no expression goes on with.
        let mut files = project::files();
        files.insert(
            "extra.tf".into(),
            format!("output \"deep\" {{\n  value = {value}\n}}\n"),
        );
        let outcome = plan_files(&files, &["vars/dev.tfvars"], &State::empty());
        let at = outcome.diagnostics[0].location.as_ref().expect("placed");
        let column = "  value = ".len() + value.find(broken).expect("the operator") + 1;
        assert_eq!((at.line, at.column), (2, column), "{open}");
        // The same in an environment's variables file.
        let mut files = project::files();
        files.insert("vars/dev.tfvars".into(), format!("app_version = {value}\n"));
        let text = plan_text(&files, "dev", &State::empty());
        assert!(text.contains(summary), "{open}: {text}");
    }
    // Near miss: the same nesting, closed and with a valid operator, plans.
    let value = format!("1{}-3{}", "+(1+1+1".repeat(40), ")".repeat(40));
    let text = plan_with(&format!("output \"deep\" {{\n  value = {value}\n}}\n"));
    assert!(!text.contains("Error"), "{text}");
}

#[test]
fn syntax_mistakes_terraform_words_its_own_way_are_worded_as_terraform_does() {
    let diagnostic = |tfvars: &str| {
        let mut files = project::files();
        files.insert("vars/dev.tfvars".into(), tfvars.to_string());
        let outcome = plan_files(&files, &["vars/dev.tfvars"], &State::empty());
        let first = outcome.diagnostics.first().expect("a mistake").clone();
        let at = first.location.as_ref().expect("placed");
        (
            first.summary.clone(),
            first.detail.clone(),
            at.line,
            at.column,
        )
    };
    for (text, summary, detail, column) in [
        (
            "env = 1 & 2\n",
            "Unsupported operator",
            "Did you mean boolean AND (\"&&\")?",
            9,
        ),
        (
            "env = (true | false)\n",
            "Unsupported operator",
            "Did you mean boolean OR (\"||\")?",
            13,
        ),
        (
            "env = 1 ^ 2\n",
            "Unsupported operator",
            "Bitwise operators are not supported.",
            9,
        ),
        (
            "env = 1+1 !3\n",
            "Missing newline after argument",
            "must end with a newline",
            11,
        ),
        (
            "env = \"dev\", region = \"x\"\n",
            "Unexpected comma after argument",
            "not commas",
            12,
        ),
    ] {
        let (got, got_detail, line, got_column) = diagnostic(text);
        assert_eq!(
            (got.as_str(), line, got_column),
            (summary, 1, column),
            "{text}"
        );
        assert!(got_detail.contains(detail), "{text}: {got_detail}");
    }
    // Near misses: the operators HCL has, and other mistakes, keep the parser's own words.
    assert!(
        !plan_with("output \"b\" {\n  value = true && !false || 1 != 2\n}\n").contains("Error")
    );
    let (summary, detail, _, _) = diagnostic("env = [1, 2\n");
    assert_eq!(summary, "Invalid syntax", "{detail}");
}

#[test]
fn arithmetic_at_the_edges_of_numbers_gives_a_value_not_a_crash() {
    // `x % 0` panicked inside the HCL number type (an integer remainder by zero).
    for (expression, expected) in [
        ("5 % 0", "5"),
        ("-7 % 0", "-7"),
        ("5.5 % 0", "5.5"),
        ("7 % 3", "1"),
        ("-7 % 3", "-1"),
    ] {
        let text = plan_with(&format!("output \"x\" {{\n  value = {expression}\n}}\n"));
        let line = text
            .lines()
            .find(|line| line.trim_start().starts_with("+ x "));
        assert!(
            line.is_some_and(|line| line.ends_with(&format!("= {expected}"))),
            "{expression}: {text}"
        );
    }
    // Past the integers: no crash, whatever the value or the error.
    for expression in [
        "18446744073709551615 + 1",
        "-9223372036854775808 - 1",
        "4294967296 * 4294967296",
        "-4294967296 * 4294967296",
        "-9223372036854775808 * -1",
        "1 / 0",
        "0 / 0",
        "-1 / 0",
        "0 % 0",
        "1e308 * 10",
    ] {
        let text = plan_with(&format!("output \"x\" {{\n  value = {expression}\n}}\n"));
        assert!(!text.is_empty(), "{expression}");
    }
}

#[test]
fn format_widths_past_the_formatter_are_errors() {
    // `format("%.70000f", 1)` aborted the page in the standard formatter.
    for call in [
        r#"format("%.70000f", 1)"#,
        r#"format("%70000d", 1)"#,
        r#"format("%99999999999999999999999s", "a")"#,
    ] {
        let text = plan_with(&format!("output \"wide\" {{\n  value = {call}\n}}\n"));
        assert!(text.contains("is over 4096"), "{call}: {text}");
    }
    // Near miss: a wide field within the limit is printed.
    let text = plan_with("output \"wide\" {\n  value = format(\"%.20f|%30s|\", 1, \"a\")\n}\n");
    assert!(text.contains("1.00000000000000000000|"), "{text}");
}

#[test]
fn plan_keys_of_any_length_are_aligned_without_aborting() {
    // A map key longer than the formatter's 65535 limit went through `{:<width$}`.
    let long = "k".repeat(70_000);
    let text = plan_with(&format!(
        "output \"tags\" {{\n  value = {{ \"{long}\" = 1, b = 2 }}\n}}\n"
    ));
    assert!(text.contains(&long), "the key is printed");
}

#[test]
fn expressions_that_would_build_too_much_stop_before_running() {
    for (what, body) in [
        (
            "nested for",
            "[for a in range(1000) : [for b in range(1000) : [for c in range(1000) : c]]]",
        ),
        (
            "template for",
            "\"%{for a in range(1000)}%{for b in range(1000)}%{for c in range(1000)}x%{endfor}%{endfor}%{endfor}\"",
        ),
        (
            "nested for over a local",
            "[for a in local.big : [for b in local.big : [for c in local.big : 1]]]",
        ),
    ] {
        let text = plan_with(&format!(
            "locals {{\n  big = range(1000)\n}}\noutput \"x\" {{\n  value = {body}\n}}\n"
        ));
        assert!(text.contains("Expression too large"), "{what}: {text}");
        assert!(text.contains("the limit is 1e6"), "{what}: {text}");
    }
    // Doubling strings through locals stops at the size limit of a function's result.
    let mut locals = String::from("locals {\n  s0 = \"abcdefgh\"\n");
    for i in 1..40 {
        locals.push_str(&format!(
            "  s{i} = join(\"\", [local.s{}, local.s{}])\n",
            i - 1,
            i - 1
        ));
    }
    locals.push_str("}\noutput \"x\" {\n  value = local.s39\n}\n");
    let text = plan_with(&locals);
    assert!(text.contains("Error"), "{text}");
    // Near miss: a for over a thousand values is fine.
    let text = plan_with("output \"x\" {\n  value = [for a in range(1000) : a * 2]\n}\n");
    assert!(!text.contains("Error"), "{text}");
}

#[test]
fn count_over_many_blocks_is_bounded_in_all() {
    let mut blocks = String::new();
    for i in 0..12 {
        blocks.push_str(&format!(
            "resource \"aws_s3_bucket\" \"b{i}\" {{\n  count  = 1000\n  bucket = \"b{i}-${{count.index}}\"\n}}\n"
        ));
    }
    let text = plan_with(&blocks);
    assert!(text.contains("Too many resource instances"), "{text}");
}

#[test]
fn a_variables_file_holds_literal_values_only() {
    let mut files = project::files();
    let var_file = project::var_file("dev");
    let mut tfvars = files[&var_file].clone();
    tfvars.push_str("\nnote = \"%{for a in [1, 2]}%{for b in [1, 2]}x%{endfor}%{endfor}\"\n");
    files.insert(var_file.clone(), tfvars);
    let text = plan_files(&files, &[var_file.as_str()], &State::empty()).text();
    assert!(text.contains("Variables not allowed"), "{text}");
}
