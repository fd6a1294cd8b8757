use super::*;
use proptest::prelude::*;

fn platform() -> BTreeMap<String, String> {
    PLATFORM_CHART
        .iter()
        .map(|(path, text)| (path.to_string(), text.to_string()))
        .collect()
}

const PROD: Release<'static> = Release {
    name: "opsdojo",
    namespace: "prod",
    seed: 0,
    now_ms: 1_796_202_307_000,
};

fn render_with(
    files: &BTreeMap<String, String>,
    values: &str,
) -> Result<Vec<Manifest>, Vec<Diagnostic>> {
    render(files, &[("values-prod.yaml", values)], &PROD)
}

fn find<'a>(manifests: &'a [Manifest], kind: &str, name: &str) -> &'a Manifest {
    manifests
        .iter()
        .find(|m| m.kind == kind && m.name == name)
        .unwrap_or_else(|| panic!("no {kind} {name} in {manifests:#?}"))
}

fn at<'a>(document: &'a Yaml, path: &[&str]) -> &'a Yaml {
    path.iter()
        .fold(document, |value, key| match key.parse::<usize>() {
            Ok(index) => &value[index],
            Err(_) => &value[*key],
        })
}

#[test]
fn the_platform_chart_renders_deployments_services_and_autoscalers() {
    let values = "replicas:\n  users: 3\n  stores: 0\nautoscaling:\n  coupons:\n    minReplicas: 2\n    maxReplicas: 8\n    scaleDownStabilizationSeconds: 0\n";
    let manifests = render_with(&platform(), values).unwrap();
    let kinds: Vec<&str> = manifests.iter().map(|m| m.kind.as_str()).collect();
    // Services before Deployments before autoscalers, as Helm installs them.
    assert_eq!(kinds.iter().filter(|k| **k == "Service").count(), 4);
    assert_eq!(kinds.first(), Some(&"Service"));
    assert_eq!(kinds.last(), Some(&"HorizontalPodAutoscaler"));
    let users = &find(&manifests, "Deployment", "users").document;
    assert_eq!(at(users, &["spec", "replicas"]).as_u64(), Some(3));
    assert_eq!(
        at(users, &["metadata", "labels", "helm.sh/chart"]).as_str(),
        Some("opsdojo-1.4.0")
    );
    assert_eq!(
        at(users, &["metadata", "labels", "app.kubernetes.io/version"]).as_str(),
        Some("2.3.0")
    );
    assert_eq!(
        at(
            users,
            &["spec", "template", "spec", "containers", "0", "image"]
        )
        .as_str(),
        Some("registry.opsdojo.local/users:2.3.0")
    );
    assert_eq!(
        at(
            users,
            &[
                "spec",
                "template",
                "spec",
                "containers",
                "0",
                "resources",
                "requests",
                "cpu"
            ]
        )
        .as_str(),
        Some("500m")
    );
    // Zero is a count, not a missing value; an unnamed service gets the default count.
    let stores = &find(&manifests, "Deployment", "stores").document;
    assert_eq!(at(stores, &["spec", "replicas"]).as_u64(), Some(0));
    let signin = &find(&manifests, "Deployment", "external-signin").document;
    assert_eq!(at(signin, &["spec", "replicas"]).as_u64(), Some(1));
    // An autoscaled Deployment leaves its count to the autoscaler.
    let coupons = &find(&manifests, "Deployment", "coupons").document;
    assert!(at(coupons, &["spec", "replicas"]).is_null());
    let hpa = &find(&manifests, "HorizontalPodAutoscaler", "coupons").document;
    assert_eq!(at(hpa, &["spec", "minReplicas"]).as_u64(), Some(2));
    assert_eq!(at(hpa, &["spec", "maxReplicas"]).as_u64(), Some(8));
    assert_eq!(
        at(
            hpa,
            &["spec", "metrics", "0", "pods", "target", "averageValue"]
        )
        .as_str(),
        Some("60")
    );
    assert_eq!(
        at(
            hpa,
            &[
                "spec",
                "behavior",
                "scaleDown",
                "stabilizationWindowSeconds"
            ]
        )
        .as_u64(),
        Some(0)
    );
}

#[test]
fn printing_looks_like_helm_template() {
    let manifests = render_with(&platform(), "").unwrap();
    let text = print(&manifests);
    assert!(
        text.starts_with(
            "---\n# Source: opsdojo/templates/service.yaml\napiVersion: v1\nkind: Service\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("---\n# Source: opsdojo/templates/deployment.yaml\napiVersion: apps/v1\n")
    );
    assert!(!text.contains("<no value>"));
}

#[test]
fn later_values_files_win_and_maps_merge() {
    let mut base: Yaml =
        serde_yaml_ng::from_str("a: 1\nm:\n  x: 1\n  y: 2\nl: [1, 2]\ngone: 1\n").unwrap();
    let layer: Yaml =
        serde_yaml_ng::from_str("a: 2\nm:\n  y: 3\n  z: 4\nl: [9]\ngone: null\n").unwrap();
    merge_values(&mut base, layer);
    let expected: Yaml =
        serde_yaml_ng::from_str("a: 2\nm:\n  x: 1\n  y: 3\n  z: 4\nl: [9]\n").unwrap();
    assert_eq!(base, expected);
    // Through the chart: the last -f file decides.
    let manifests = render(
        &platform(),
        &[
            ("a.yaml", "replicas:\n  users: 5\n"),
            ("b.yaml", "replicas:\n  users: 7\n"),
        ],
        &PROD,
    )
    .unwrap();
    let users = &find(&manifests, "Deployment", "users").document;
    assert_eq!(at(users, &["spec", "replicas"]).as_u64(), Some(7));
}

fn chart_with(path: &str, text: &str) -> BTreeMap<String, String> {
    let mut files = platform();
    files.insert(path.to_string(), text.to_string());
    files
}

#[test]
fn errors_name_the_file_and_line() {
    // A parse error: where the template engine stopped.
    let broken = chart_with(
        "templates/hpa.yaml",
        "kind: X\napiVersion: v1\nmetadata:\n  name: {{ if }}\n",
    );
    let errors = render_with(&broken, "").unwrap_err();
    assert_eq!(errors[0].file.as_deref(), Some("templates/hpa.yaml"));
    assert_eq!(errors[0].line, 4, "{errors:?}");
    // An action left open is pointed at, not the line where the parser gave up.
    let open = chart_with(
        "templates/hpa.yaml",
        "kind: X\napiVersion: v1\nmetadata:\n  name: {{ .Values.x\n  labels: {}\n",
    );
    let errors = render_with(&open, "").unwrap_err();
    assert_eq!((errors[0].line, errors[0].column), (4, 9), "{errors:?}");
    assert!(errors[0].message.contains("unclosed action"), "{errors:?}");
    // An execution error: the action that names the culprit.
    let unknown = chart_with("templates/hpa.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: {{ .Values.image.tag | toUpperCase }}\n");
    let errors = render_with(&unknown, "").unwrap_err();
    assert!(errors[0].message.contains("toUpperCase"), "{errors:?}");
    assert_eq!(
        (
            errors[0].file.as_deref().unwrap_or_default(),
            errors[0].line
        ),
        ("templates/hpa.yaml", 6)
    );
    // `required` says what is missing.
    let errors =
        render_with(&platform(), "autoscaling:\n  users:\n    minReplicas: 2\n").unwrap_err();
    assert!(
        errors[0]
            .message
            .contains("autoscaling.users.maxReplicas is required"),
        "{errors:?}"
    );
    assert_eq!(errors[0].file.as_deref(), Some("templates/hpa.yaml"));
    assert!(errors[0].line > 0);
    // A values file that is not YAML.
    let errors = render_with(&platform(), "replicas:\n  users: 3\n users: 4\n").unwrap_err();
    assert_eq!(errors[0].file.as_deref(), Some("values-prod.yaml"));
    assert_eq!(errors[0].line, 3);
    // Output that is not YAML.
    let bad_yaml = chart_with(
        "templates/hpa.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n data: {{ 1 }}\n",
    );
    let errors = render_with(&bad_yaml, "").unwrap_err();
    assert!(
        errors[0]
            .message
            .starts_with("YAML parse error on opsdojo/templates/hpa.yaml"),
        "{errors:?}"
    );
    // No Chart.yaml.
    let mut no_chart = platform();
    no_chart.remove("Chart.yaml");
    assert_eq!(
        render_with(&no_chart, "").unwrap_err()[0].file.as_deref(),
        Some("Chart.yaml")
    );
}

#[test]
fn helm_functions() {
    let template = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ \"a-very-long-name\" | trunc 6 | trimSuffix \"-\" | upper }}\ndata:\n  quoted: {{ quote 3 }}\n  default: {{ .Values.nothing | default \"fallback\" }}\n  list: {{ list 1 2 | toJson | squote }}\n  sum: {{ add 1 2 3 | quote }}\n  has: {{ hasKey .Values.replicas \"users\" | quote }}\n  ternary: {{ ternary \"on\" \"off\" true }}\n  text: |\n    {{- toYaml .Values.resources | nindent 4 }}\n";
    let files = chart_with("templates/config.yaml", template);
    let manifests = render_with(&files, "replicas:\n  users: 2\n").unwrap();
    let config = &find(&manifests, "ConfigMap", "A-VERY").document;
    assert_eq!(at(config, &["data", "quoted"]).as_str(), Some("3"));
    assert_eq!(at(config, &["data", "default"]).as_str(), Some("fallback"));
    assert_eq!(at(config, &["data", "list"]).as_str(), Some("[1,2]"));
    assert_eq!(at(config, &["data", "sum"]).as_str(), Some("6"));
    assert_eq!(at(config, &["data", "has"]).as_str(), Some("true"));
    assert_eq!(at(config, &["data", "ternary"]).as_str(), Some("on"));
    assert!(at(config, &["data", "text"])
        .as_str()
        .unwrap()
        .contains("cpu: 500m"));
    let recursive = chart_with(
        "templates/_loop.tpl",
        "{{ define \"loop\" }}{{ include \"loop\" . }}{{ end }}",
    );
    let recursive = {
        let mut files = recursive;
        files.insert("templates/x.yaml".into(), "{{ include \"loop\" . }}".into());
        files
    };
    let errors = render_with(&recursive, "").unwrap_err();
    assert!(
        errors[0].message.contains("exceeded max depth"),
        "{errors:?}"
    );
}

proptest! {
    #[test]
    fn any_template_renders_or_explains(text in "(\\{\\{-? |\\}\\}| -\\}\\}|\\.Values|\\.Chart\\.Name|\\.Release|include \"opsdojo\\.labels\" |\\$|:=|range |if |with |end|else|default |quote|toYaml|nindent 2|indent|required \"x\" |index |dict \"a\" 1|\\| |\\(|\\)|\"|[a-z]|\n|: |- |---){0,40}") {
        let files = chart_with("templates/fuzz.yaml", &text);
        match render_with(&files, "replicas:\n  users: 2\n") {
            Ok(manifests) => { let _ = print(&manifests); }
            Err(errors) => prop_assert!(errors.iter().all(|e| !e.message.is_empty())),
        }
    }

    #[test]
    fn any_values_file_renders_or_explains(text in "(replicas|autoscaling|users|coupons|minReplicas|maxReplicas|services|image|tag|: |:\n|\n  |\n    |- |[0-9]|null|\\{\\}|\\[\\]|\"|x){0,40}") {
        match render_with(&platform(), &text) {
            Ok(manifests) => prop_assert!(manifests.iter().all(|m| !m.kind.is_empty())),
            Err(errors) => prop_assert!(errors.iter().all(|e| !e.message.is_empty())),
        }
    }
}

/// The first error of rendering the platform chart with `path` set to `text`.
fn render_error(path: &str, text: &str) -> Diagnostic {
    match render_with(&chart_with(path, text), "") {
        Ok(_) => panic!("{path} renders"),
        Err(errors) => errors.into_iter().next().expect("an error"),
    }
}

#[test]
fn templates_that_multiply_work_stop_with_a_reason() {
    // An include that calls itself twice per level: 2^40 calls before the depth limit.
    let error = render_error(
        "templates/boom.yaml",
        "{{- define \"twice\" -}}{{ if . }}{{ include \"twice\" (slice . 1) }}{{ include \"twice\" (slice . 1) }}{{ end }}{{- end -}}\nkind: ConfigMap\napiVersion: v1\nmetadata:\n  name: {{ include \"twice\" \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\" }}\n",
    );
    assert!(
        error.message.contains("function calls"),
        "{}",
        error.message
    );
    // printf doubling a string forty times.
    let doubling = format!(
        "{{{{- $s := \"aaaaaaaa\" }}}}{}\nkind: ConfigMap\napiVersion: v1\nmetadata:\n  name: x\n",
        "{{- $s = printf \"%s%s\" $s $s }}".repeat(40)
    );
    let error = render_error("templates/doubling.yaml", &doubling);
    assert!(error.message.contains("MiB of text"), "{}", error.message);
    // The same with a Sprig function.
    let doubling = format!(
        "{{{{- $s := \"aaaaaaaa\" }}}}{}\nkind: ConfigMap\napiVersion: v1\nmetadata:\n  name: x\n",
        "{{- $s = list $s $s | toJson }}".repeat(40)
    );
    let error = render_error("templates/doubling.yaml", &doubling);
    assert!(error.message.contains("MiB of text"), "{}", error.message);
    // A list that shares its halves, forty times, then printed or serialized.
    for use_it in ["{{ $l | toJson }}", "{{ printf \"%v\" $l }}", "{{ $l }}"] {
        let shared = format!(
            "{{{{- $l := list \"aaaaaaaa\" }}}}{}\nkind: ConfigMap\napiVersion: v1\nmetadata:\n  name: x\ndata:\n  v: '{use_it}'\n",
            "{{- $l = list $l $l }}".repeat(40)
        );
        let error = render_error("templates/shared.yaml", &shared);
        assert!(
            error.message.contains("MiB of text") || error.message.contains("KiB"),
            "{use_it}: {}",
            error.message
        );
    }
    // Indenting a text of newlines 256 spaces deep, and replacing into it.
    for grow in [
        format!(
            "{}{{{{- $s = indent 256 $s }}}}",
            "{{- $s = replace \"\\n\" \"\\n\\n\" $s }}".repeat(18)
        ),
        "{{- $s = replace \"\\n\" \"\\n\\n\\n\\n\" $s }}".repeat(30),
    ] {
        let growing = format!(
            "{{{{- $s := \"\\n\\n\\n\\n\\n\\n\\n\\n\" }}}}{grow}\nkind: ConfigMap\napiVersion: v1\nmetadata:\n  name: x\n"
        );
        let error = render_error("templates/grow.yaml", &growing);
        assert!(
            error.message.contains("MiB of text"),
            "{grow}: {}",
            error.message
        );
    }
    // {{template}} recursion that fans out, with builtins only.
    let error = render_error(
        "templates/fan.yaml",
        "{{- define \"fan\" }}{{ if . }}{{ template \"fan\" (slice . 1) }}{{ template \"fan\" (slice . 1) }}{{ end }}{{ end -}}\n{{ template \"fan\" \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\" }}\nkind: ConfigMap\n",
    );
    assert!(
        error.message.contains("calls itself more than once"),
        "{}",
        error.message
    );
    // Near miss: recursion once per level is Go's own, bounded by its depth.
    let fine = chart_with(
        "templates/countdown.yaml",
        "{{- define \"down\" }}{{ if . }}{{ template \"down\" (slice . 1) }}{{ end }}{{ end -}}\n{{- template \"down\" \"xxxx\" }}kind: ConfigMap\napiVersion: v1\nmetadata:\n  name: {{ printf \"%s-%d\" \"count\" 4 }}\n",
    );
    let manifests = render_with(&fine, "").expect("renders");
    find(&manifests, "ConfigMap", "count-4");
}

/// Renders `expression` inside a ConfigMap and returns what it printed.
fn sprig(expression: &str) -> String {
    let template = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: sprig\ndata:\n  out: {{{{ {expression} | toJson | quote }}}}\n"
    );
    let manifests = render_with(
        &chart_with("templates/sprig.yaml", &template),
        "n: 1000000\n",
    )
    .unwrap_or_else(|errors| panic!("{expression}: {errors:?}"));
    let config = &find(&manifests, "ConfigMap", "sprig").document;
    at(config, &["data", "out"])
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn sprig_functions_give_their_documented_results() {
    let cases = [
        (r#""hello" | b64enc"#, r#""aGVsbG8=""#),
        // Go's `%v` of nothing; the missing value quoted is empty.
        (r#".Values.missing | toString"#, r#""<nil>""#),
        (r#".Values.missing | quote"#, r#""""#),
        (r#""aGVsbG8=" | b64dec"#, r#""hello""#),
        (r#""hello" | b32enc"#, r#""NBSWY3DP""#),
        (
            r#""hello" | sha256sum"#,
            r#""2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824""#,
        ),
        (
            r#""hello" | sha1sum"#,
            r#""aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d""#,
        ),
        (r#""hello" | adler32sum"#, r#""103547413""#),
        (r#""hello world" | title"#, r#""Hello World""#),
        (r#""Hello World" | untitle"#, r#""hello world""#),
        (r#""HelloWorld" | snakecase"#, r#""hello_world""#),
        (r#""HelloWorld" | kebabcase"#, r#""hello-world""#),
        (r#""http_server" | camelcase"#, r#""HttpServer""#),
        (r#""This Is" | swapcase"#, r#""tHIS iS""#),
        (r#"abbrev 5 "hello world""#, r#""he...""#),
        (r#"substr 0 5 "hello world""#, r#""hello""#),
        (r#""h e l l o" | nospace"#, r#""hello""#),
        (r#"trimAll "$" "$5.00$""#, r#""5.00""#),
        (r#"repeat 3 "ab""#, r#""ababab""#),
        (r#"wrap 5 "Hello World""#, r#""Hello\nWorld""#),
        (
            r#"cat "hello" "beautiful" "world""#,
            r#""hello beautiful world""#,
        ),
        (r#"initials "First Try""#, r#""FT""#),
        (
            r#"plural "one anchovy" "many anchovies" 2"#,
            r#""many anchovies""#,
        ),
        (r#"splitList "$" "foo$bar$baz""#, r#"["foo","bar","baz"]"#),
        (r#"(split "$" "foo$bar$baz")._0"#, r#""foo""#),
        (r#"(splitn "$" 2 "foo$bar$baz")._1"#, r#""bar$baz""#),
        (r#"join "," (list 1 2 3)"#, r#""1,2,3""#),
        (r#"list "b" "a" | sortAlpha"#, r#"["a","b"]"#),
        (
            r#"regexMatch "^[a-z]+@example\\.com$" "ops@example.com""#,
            "true",
        ),
        (r#"regexFindAll "[2,4,6,8]" "123456789" 2"#, r#"["2","4"]"#),
        (
            r#"regexReplaceAll "a(x*)b" "-ab-axxb-" "${1}W""#,
            r#""-W-xxW-""#,
        ),
        (
            r#"regexReplaceAllLiteral "a(x*)b" "-ab-axxb-" "${1}""#,
            r#""-${1}-${1}-""#,
        ),
        (r#"regexSplit "z+" "pizza" -1"#, r#"["pi","a"]"#),
        (r#"list 1 2 3 | first"#, "1"),
        (r#"list 1 2 3 | rest"#, "[2,3]"),
        (r#"list 1 2 3 | last"#, "3"),
        (r#"list 1 2 3 | initial"#, "[1,2]"),
        (r#"append (list 1 2) 3"#, "[1,2,3]"),
        (r#"prepend (list 1 2) 0"#, "[0,1,2]"),
        (r#"concat (list 1) (list 2 3)"#, "[1,2,3]"),
        (r#"list 1 2 3 | reverse"#, "[3,2,1]"),
        (r#"list 1 1 2 | uniq"#, "[1,2]"),
        (r#"without (list 1 2 3) 2"#, "[1,3]"),
        (r#"has 2 (list 1 2 3)"#, "true"),
        (r#"compact (list 1 "" 2)"#, "[1,2]"),
        (r#"slice (list 1 2 3 4) 1 3"#, "[2,3]"),
        (r#"chunk 2 (list 1 2 3)"#, "[[1,2],[3]]"),
        (r#"until 3"#, "[0,1,2]"),
        (r#"untilStep 3 6 2"#, "[3,5]"),
        (r#"seq 3"#, r#""1 2 3""#),
        (r#"seq 5 -2 1"#, r#""5 3 1""#),
        (r#"get (dict "a" 1) "a""#, "1"),
        (r#"set (dict "a" 1) "b" 2"#, r#"{"a":1,"b":2}"#),
        (r#"unset (dict "a" 1 "b" 2) "a""#, r#"{"b":2}"#),
        (r#"pluck "a" (dict "a" 1) (dict "a" 2)"#, "[1,2]"),
        (r#"pick (dict "a" 1 "b" 2) "a""#, r#"{"a":1}"#),
        (r#"omit (dict "a" 1 "b" 2) "a""#, r#"{"b":2}"#),
        (r#"values (dict "a" 1 "b" 2)"#, "[1,2]"),
        (
            r#"merge (dict "a" 1) (dict "a" 2 "b" 3)"#,
            r#"{"a":1,"b":3}"#,
        ),
        (
            r#"mergeOverwrite (dict "a" 1) (dict "a" 2 "b" 3)"#,
            r#"{"a":2,"b":3}"#,
        ),
        (r#"dig "a" "b" "none" (dict "a" (dict "b" 1))"#, "1"),
        (r#"dig "a" "c" "none" (dict "a" (dict "b" 1))"#, r#""none""#),
        (r#"add1 1"#, "2"),
        (r#"mod 7 3"#, "1"),
        (r#"floor 1.7"#, "1"),
        (r#"ceil 1.2"#, "2"),
        (r#"round 3.14159 2"#, "3.14"),
        (r#"addf 1.5 2"#, "3.5"),
        (r#"mulf 1.5 2"#, "3"),
        (r#"divf 3 2"#, "1.5"),
        (r#"atoi "42""#, "42"),
        (r#"float64 "1.5""#, "1.5"),
        (r#"toDecimal "0777""#, "511"),
        (r#"kindOf .Values.n"#, r#""float64""#),
        (r#"kindIs "slice" (list 1)"#, "true"),
        (r#"typeOf (dict)"#, r#""map[string]interface {}""#),
        (r#"deepEqual (list 1 2) (list 1 2)"#, "true"),
        (r#"all 1 "a" true"#, "true"),
        (r#"any 0 "" false"#, "false"),
        (r#"base "foo/bar.txt""#, r#""bar.txt""#),
        (r#"dir "foo/bar/baz""#, r#""foo/bar""#),
        (r#"clean "foo/bar/../baz""#, r#""foo/baz""#),
        (r#"ext "foo.bar""#, r#"".bar""#),
        (r#"isAbs "/foo""#, "true"),
        (r#"semverCompare ">=1.19-0" "v1.31.0""#, "true"),
        (r#"semverCompare "^1.2.0" "1.3.4""#, "true"),
        (r#"semverCompare "~1.2.0" "1.3.4""#, "false"),
        (r#"fromYaml "a: 1" | toYaml"#, r#""a: 1""#),
        (r#"fromJson "{\"a\": [1]}""#, r#"{"a":[1]}"#),
        (r#"lookup "v1" "Secret" "prod" "db""#, "{}"),
    ];
    let mut wrong = Vec::new();
    for (expression, expected) in cases {
        let got = sprig(expression);
        if got != expected {
            wrong.push(format!("{expression}: got {got}, want {expected}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn sprig_functions_that_grow_stop_at_the_budget() {
    for expression in [
        "until 100000000",
        "untilStep 0 100000000000 1",
        "seq 100000000",
        "repeat 100000000 \"abcdefgh\"",
        "randAlphaNum 100000000000",
    ] {
        let template = format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  out: {{{{ {expression} | len }}}}\n"
        );
        let errors =
            render_with(&chart_with("templates/big.yaml", &template), "").expect_err(expression);
        assert!(!errors[0].message.is_empty(), "{expression}");
    }
}

#[test]
fn a_template_is_included_by_its_path_for_a_checksum() {
    let mut files = chart_with(
        "templates/config.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: \"1\"\n",
    );
    files.insert(
        "templates/checksum.yaml".into(),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: sum\n  annotations:\n    checksum/config: {{ include (print $.Template.BasePath \"/config.yaml\") . | sha256sum }}\n".into(),
    );
    let manifests = render_with(&files, "").unwrap();
    let expected = {
        use sha2::Digest as _;
        let text =
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: \"1\"\n";
        sha2::Sha256::digest(text.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    let sum = &find(&manifests, "ConfigMap", "sum").document;
    assert_eq!(
        at(sum, &["metadata", "annotations", "checksum/config"]).as_str(),
        Some(expected.as_str())
    );
}

#[test]
fn tpl_runs_values_as_templates_and_stops_a_template_that_runs_itself() {
    let template = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ tpl \"{{ include \\\"opsdojo.chart\\\" . }}-tpl\" . }}\ndata:\n  host: {{ tpl .Values.host . | quote }}\n";
    let files = chart_with("templates/tpl.yaml", template);
    let manifests = render_with(&files, "host: \"{{ .Release.Name }}.example.com\"\n").unwrap();
    let config = manifests
        .iter()
        .find(|m| m.kind == "ConfigMap")
        .expect("the ConfigMap");
    assert!(config.name.ends_with("-tpl"), "{}", config.name);
    assert_eq!(
        at(&config.document, &["data", "host"]).as_str(),
        Some("opsdojo.example.com")
    );
    let looping = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  loop: {{ tpl .Values.loop . }}\n";
    let errors = render_with(
        &chart_with("templates/loop.yaml", looping),
        "loop: \"{{ tpl .Values.loop . }}\"\n",
    )
    .unwrap_err();
    assert_eq!(
        errors[0].message,
        "error calling tpl: rendering template has a nested reference: exceeded max depth"
    );
}

#[test]
fn a_template_kept_from_an_earlier_render_runs_as_a_fresh_parse_would() {
    let template = r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: kept
data:
  password: {{ randAlphaNum 16 | quote }}
  stamp: {{ now | quote }}
  ago: {{ "2026-12-01 09:05:07 +0000 UTC" | toDate "2006-01-02 15:04:05 -0700 MST" | ago | quote }}
  included: {{ include "opsdojo.chart" . | quote }}
"#;
    let files = chart_with("templates/kept.yaml", template);
    let data = |manifests: &[Manifest]| {
        at(&find(manifests, "ConfigMap", "kept").document, &["data"]).clone()
    };
    let later = Release {
        seed: 99,
        now_ms: PROD.now_ms + 3_600_000,
        ..PROD
    };
    let first = render(&files, &[], &PROD).unwrap();
    // Rendered once, the template is kept parsed with the chart's others: the next renders
    // parse nothing.
    assert!(PARSED_FILES.with(|parsed| parsed
        .borrow()
        .iter()
        .any(|kept| kept.name == "opsdojo/templates/kept.yaml" && kept.text == template)));
    assert!(SETS.with(|sets| sets.borrow().iter().any(|kept| kept
        .templates
        .iter()
        .any(|(path, text)| path == "templates/kept.yaml" && text == template))));
    let other = render(&files, &[], &later).unwrap();
    let again = render(&files, &[], &PROD).unwrap();
    assert_eq!(data(&first), data(&again));
    assert_ne!(data(&first)["password"], data(&other)["password"]);
    assert_eq!(
        data(&first)["stamp"].as_str(),
        Some("2026-12-02 09:05:07 +0000 UTC")
    );
    assert_eq!(
        data(&other)["stamp"].as_str(),
        Some("2026-12-02 10:05:07 +0000 UTC")
    );
    assert_eq!(data(&first)["ago"].as_str(), Some("24h0m0s"));
    assert_eq!(data(&other)["ago"].as_str(), Some("25h0m0s"));
    // Each is what a render on a thread that kept nothing gives.
    let fresh = std::thread::spawn(move || {
        let files = chart_with("templates/kept.yaml", template);
        let other = render(&files, &[], &later).unwrap();
        at(&find(&other, "ConfigMap", "kept").document, &["data"]).clone()
    })
    .join()
    .unwrap();
    assert_eq!(fresh, data(&other));
    // A helper edited: parsed again, with the new helper.
    let mut edited = files.clone();
    let helpers = edited.get_mut("templates/_helpers.tpl").unwrap();
    *helpers = helpers.replace("trunc 63", "upper | trunc 63");
    let changed = render(&edited, &[], &PROD).unwrap();
    assert_eq!(
        data(&changed)["included"].as_str(),
        data(&first)["included"]
            .as_str()
            .map(str::to_uppercase)
            .as_deref()
    );
}

#[test]
fn seeded_functions_repeat_with_the_seed_and_change_with_it() {
    let template = r#"apiVersion: v1
kind: Secret
metadata:
  name: seeded
stringData:
  password: {{ randAlphaNum 16 | quote }}
  alpha: {{ randAlpha 8 | quote }}
  digits: {{ randNumeric 6 | quote }}
  ascii: {{ randAscii 12 | quote }}
  dice: {{ randInt 1 7 | quote }}
  id: {{ uuidv4 | quote }}
  shuffled: {{ shuffle "abcdef" | quote }}
  day: {{ now | date "2006-01-02" | quote }}
  stamp: {{ now | quote }}
  later: {{ now | dateModify "+90m" | date "15:04" | quote }}
  epoch: {{ now | unixEpoch | quote }}
  html: {{ 0 | htmlDate | quote }}
  tpl: {{ tpl "{{ randAlpha 4 }}" . | quote }}
"#;
    let files = chart_with("templates/seeded.yaml", template);
    let field = |manifests: &[Manifest], key: &str| {
        at(
            &find(manifests, "Secret", "seeded").document,
            &["stringData", key],
        )
        .as_str()
        .unwrap_or_default()
        .to_string()
    };
    let first = render_with(&files, "").unwrap();
    let again = render_with(&files, "").unwrap();
    let other = render(&files, &[], &Release { seed: 7, ..PROD }).unwrap();
    for key in ["password", "alpha", "digits", "ascii", "id", "tpl"] {
        assert_eq!(field(&first, key), field(&again, key), "{key}");
        assert_ne!(field(&first, key), field(&other, key), "{key}");
    }
    let password = field(&first, "password");
    assert_eq!(password.len(), 16);
    assert!(password.chars().all(|c| c.is_ascii_alphanumeric()));
    assert!(field(&first, "alpha")
        .chars()
        .all(|c| c.is_ascii_alphabetic()));
    assert!(field(&first, "digits").chars().all(|c| c.is_ascii_digit()));
    assert_eq!(field(&first, "ascii").chars().count(), 12);
    let dice: i64 = field(&first, "dice").parse().unwrap();
    assert!((1..7).contains(&dice));
    let id = field(&first, "id");
    let groups: Vec<usize> = id.split('-').map(str::len).collect();
    assert_eq!(groups, vec![8, 4, 4, 4, 12], "{id}");
    assert_eq!(&id[14..15], "4", "version 4: {id}");
    let mut shuffled: Vec<char> = field(&first, "shuffled").chars().collect();
    shuffled.sort_unstable();
    assert_eq!(shuffled.into_iter().collect::<String>(), "abcdef");
    // 1_796_202_307_000 ms is 2026-12-02 09:05:07 UTC.
    assert_eq!(field(&first, "day"), "2026-12-02");
    assert_eq!(field(&first, "stamp"), "2026-12-02 09:05:07 +0000 UTC");
    assert_eq!(field(&first, "later"), "10:35");
    assert_eq!(field(&first, "epoch"), "1796202307");
    assert_eq!(field(&first, "html"), "1970-01-01");
}

#[test]
fn key_and_certificate_functions_say_they_are_not_available() {
    let template = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: tls\ndata:\n  {{- $ca := genCA \"ca\" 365 }}\n  ca.crt: {{ $ca.Cert | b64enc }}\n";
    let errors = render_with(&chart_with("templates/tls.yaml", template), "").unwrap_err();
    assert_eq!(errors[0].file.as_deref(), Some("templates/tls.yaml"));
    assert!(
        errors[0]
            .message
            .contains("genCA is not available in opsdojo")
            && errors[0].message.contains(".Files.Get"),
        "{}",
        errors[0].message
    );
}

#[test]
fn pretty_yaml_indents_sequences_but_not_inside_block_scalars() {
    let plain = "a: |\n  x:\n  - y\nb:\n- 1\n- - 2\nc:\n- k:\n  - v\n  n: 1\nd: 2";
    assert_eq!(
        super::functions::indent_sequences(plain),
        "a: |\n  x:\n  - y\nb:\n  - 1\n  - - 2\nc:\n  - k:\n      - v\n    n: 1\nd: 2"
    );
}

#[test]
fn to_yaml_double_quotes_text_that_yaml_1_1_reads_as_something_else() {
    // As helm 3.17 writes them.
    for (text, written) in [
        ("1", "\"1\""),
        ("yes", "\"yes\""),
        ("Off", "\"Off\""),
        ("y", "\"y\""),
        ("0x1F", "\"0x1F\""),
        ("0o17", "\"0o17\""),
        ("012", "\"012\""),
        ("1_000", "\"1_000\""),
        ("+1", "\"+1\""),
        ("1e3", "\"1e3\""),
        (".5", "\".5\""),
        (".inf", "\".inf\""),
        ("1:20", "\"1:20\""),
        ("2024-01-02", "\"2024-01-02\""),
        ("2024-1-2T10:04:05Z", "\"2024-1-2T10:04:05Z\""),
        ("", "\"\""),
        ("~", "\"~\""),
        // Near misses: text, written plain or quoted as the syntax needs.
        ("1.2.3", "1.2.3"),
        ("1:60", "1:60"),
        ("v1", "v1"),
        ("yess", "yess"),
        ("2024-01", "2024-01"),
        ("0x", "0x"),
        ("a: b", "'a: b'"),
        ("- x", "'- x'"),
        ("opsdojoq0x", "opsdojoq0x"),
    ] {
        let yaml = Yaml::Mapping(
            [(Yaml::String("k".into()), Yaml::String(text.into()))]
                .into_iter()
                .collect(),
        );
        assert_eq!(
            functions::yaml_text(&yaml),
            format!("k: {written}\n"),
            "{text:?}"
        );
    }
    // Keys too, and every value of a nested document once.
    let nested: Yaml =
        crate::yaml::from_str("\"true\": [\"1\", \"2\", two]\nb:\n  c: \"on\"\n").unwrap();
    assert_eq!(
        functions::yaml_text(&nested),
        "\"true\":\n- \"1\"\n- \"2\"\n- two\nb:\n  c: \"on\"\n"
    );
}
