//! The commands that imitate promtool and amtool: output and exit status.

use std::path::PathBuf;
use std::process::Command;

fn opsdojo(args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_opsdojo"))
        .args(args)
        .output()
        .expect("the opsdojo binary runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn write(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("opsdojo-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write fixture");
    path
}

const CONFIG: &str = r#"route:
  receiver: default
  routes:
    - matchers: ['env="prod"']
      receiver: prod
      continue: true
    - matchers: ['severity="critical"']
      receiver: pager
receivers:
  - name: default
  - name: prod
  - name: pager
"#;

#[test]
fn am_route_prints_receivers_in_tree_order() {
    let config = write("alertmanager.yml", CONFIG);
    let config = config.to_str().unwrap();
    let cases = [
        (vec!["env=prod", "severity=critical"], "prod,pager\n"),
        (vec!["env=prod"], "prod\n"),
        (vec!["env=dev"], "default\n"),
    ];
    for (labels, expected) in cases {
        let mut args = vec!["am-route", "--config", config];
        args.extend(labels);
        let (status, stdout, _) = opsdojo(&args);
        assert_eq!((status, stdout.as_str()), (0, expected));
    }
    let broken = write(
        "broken.yml",
        &CONFIG.replace("receiver: pager", "receiver: pagr"),
    );
    let (status, _, stderr) = opsdojo(&["am-route", "--config", broken.to_str().unwrap(), "a=b"]);
    assert_eq!(status, 1);
    assert!(stderr.contains("undefined receiver `pagr`"), "{stderr}");
}

/// Alertmanager configurations with amtool's own output on them (Debian's amtool 0.25), in
/// sections headed `### ARGS`: `--show`, `--tree LABELS` or `LABELS`.
#[test]
fn am_route_prints_what_amtool_prints() {
    let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/amtool");
    let mut checked = 0;
    for name in ["simple", "tricky"] {
        let config = fixtures.join(format!("{name}.yml"));
        let expected = std::fs::read_to_string(fixtures.join(format!("{name}.expected")))
            .expect("expected output");
        for section in expected.split("### ").filter(|s| !s.is_empty()) {
            let (args, output) = section.split_once('\n').expect("a heading line");
            let mut command = vec!["am-route", "--config", config.to_str().unwrap()];
            command.extend(args.split_whitespace());
            let (status, stdout, stderr) = opsdojo(&command);
            assert_eq!(status, 0, "{name} {args}: {stderr}");
            assert_eq!(stdout, output, "{name}: am-route {args}");
            checked += 1;
        }
    }
    assert_eq!(checked, 34);
}

#[test]
fn am_route_verify_receivers_fails_as_amtool_does() {
    let config = write("verify.yml", CONFIG);
    let config = config.to_str().unwrap();
    let args = [
        "am-route",
        "--config",
        config,
        "--verify-receivers",
        "pager,prod",
    ];
    let (status, stdout, _) = opsdojo(&[&args[..], &["env=prod", "severity=critical"]].concat());
    assert_eq!(status, 1);
    assert_eq!(
        stdout,
        "prod,pager\nWARNING: Expected receivers did not match resolved receivers.\n"
    );
    let args = [
        "am-route",
        "--config",
        config,
        "--verify.receivers=prod,pager",
    ];
    let (status, stdout, _) = opsdojo(&[&args[..], &["env=prod", "severity=critical"]].concat());
    assert_eq!((status, stdout.as_str()), (0, "prod,pager\n"));
    let (status, _, stderr) = opsdojo(&["am-route", "--config", config, "env=~prod"]);
    assert_eq!(status, 2);
    assert!(
        stderr.contains("Labels must be specified as key=value pairs"),
        "{stderr}"
    );
}

/// Charts as teams write them, and helm 3.17's own output on each, in `CHART.expected` with a
/// section per command line headed `### ARGS` (the chart's name stands for its directory):
/// `web`, shaped like `helm create`'s with a Secret, checksum annotations and many Sprig
/// functions; `scaffold`, what `helm create` writes, test hook included; `files`, reading
/// `.Files` every way Helm offers, with a `.helmignore`; `functions`, the less common Sprig
/// functions (urls, durations, dates, semver, `must` variants); `shared`, named templates defined
/// in manifests and used from other files, a file of definitions only, a checksum of a file that
/// defines, `tpl` using a manifest's definition, `.Capabilities` and `.Values.AsMap`, and
/// `toYaml`'s quotes around text YAML 1.1 reads as something else. `bash scripts/helm-vs-reference.sh`
/// runs the same against helm itself.
#[test]
fn helm_template_prints_what_helm_prints() {
    let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/helm");
    let mut checked = Vec::new();
    for chart in ["web", "scaffold", "files", "functions", "shared"] {
        let expected = std::fs::read_to_string(fixtures.join(format!("{chart}.expected")))
            .expect("expected output");
        for section in expected.split("### ").filter(|s| !s.is_empty()) {
            let (args, output) = section.split_once('\n').expect("a heading line");
            let args: Vec<String> = args
                .split_whitespace()
                .map(|arg| {
                    if arg == chart {
                        fixtures.join(chart).to_string_lossy().into_owned()
                    } else {
                        arg.to_string()
                    }
                })
                .collect();
            let mut command = vec!["helm-template"];
            command.extend(args.iter().map(String::as_str));
            let (status, stdout, stderr) = opsdojo(&command);
            assert_eq!(status, 0, "{args:?}: {stderr}");
            assert_eq!(stdout, output, "helm-template {args:?}");
            checked.push(chart);
        }
    }
    assert_eq!(checked.len(), 13, "{checked:?}");
}

#[test]
fn rules_test_exits_one_on_a_failure() {
    write(
        "rules.yml",
        "groups:\n  - name: g\n    rules:\n      - alert: Down\n        expr: up == 0\n        for: 2m\n",
    );
    let test = "rule_files: [rules.yml]\ntests:\n  - interval: 1m\n    input_series:\n      - series: up\n        values: '0x10'\n    alert_rule_test:\n      - eval_time: 5m\n        alertname: Down\n        exp_alerts: [{}]\n";
    let passing = write("pass.yml", test);
    let (status, stdout, _) = opsdojo(&["rules-test", passing.to_str().unwrap()]);
    assert_eq!(status, 0, "{stdout}");
    assert!(stdout.contains("  SUCCESS"), "{stdout}");
    let failing = write("fail.yml", &test.replace("eval_time: 5m", "eval_time: 1m"));
    let (status, _, stderr) = opsdojo(&["rules-test", failing.to_str().unwrap()]);
    assert_eq!(status, 1);
    assert!(
        stderr.contains("  FAILED:\n    alertname: Down, time: 1m"),
        "{stderr}"
    );
}

#[test]
fn plan_and_apply_work_on_a_terraform_directory() {
    let dir = std::env::temp_dir().join(format!("opsdojo-tf-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("vars")).unwrap();
    std::fs::write(
        dir.join("main.tf"),
        "variable \"env\" {\n  type = string\n  validation {\n    condition     = contains([\"dev\", \"prod\"], var.env)\n    error_message = \"The environment must be dev or prod.\"\n  }\n}\n\nresource \"aws_s3_bucket\" \"assets\" {\n  bucket = \"assets-${var.env}\"\n}\n",
    )
    .unwrap();
    std::fs::write(dir.join("vars/dev.tfvars"), "env = \"dev\"\n").unwrap();
    std::fs::write(dir.join("vars/qa.tfvars"), "env = \"qa\"\n").unwrap();
    let state = dir.join("dev.tfstate.json");
    let _ = std::fs::remove_file(&state);
    let dir_arg = dir.to_str().unwrap();
    let state_arg = state.to_str().unwrap();

    let (status, stdout, _) = opsdojo(&["plan", "--dir", dir_arg, "--var-file", "vars/dev.tfvars"]);
    assert_eq!(status, 0, "{stdout}");
    assert!(
        stdout.contains("  # aws_s3_bucket.assets will be created\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("      + bucket                      = \"assets-dev\"\n"),
        "{stdout}"
    );
    assert!(
        stdout.ends_with("Plan: 1 to add, 0 to change, 0 to destroy.\n"),
        "{stdout}"
    );

    let (status, stdout, _) = opsdojo(&[
        "apply",
        "--dir",
        dir_arg,
        "--var-file",
        "vars/dev.tfvars",
        "--state",
        state_arg,
    ]);
    assert_eq!(status, 0, "{stdout}");
    assert!(
        stdout.contains("aws_s3_bucket.assets: Creation complete after 0s [id=assets-dev]"),
        "{stdout}"
    );
    assert!(std::fs::read_to_string(&state)
        .unwrap()
        .contains("arn:aws:s3:::assets-dev"));

    let (status, stdout, _) = opsdojo(&[
        "plan",
        "--dir",
        dir_arg,
        "--var-file",
        "vars/dev.tfvars",
        "--state",
        state_arg,
    ]);
    assert_eq!(status, 0);
    assert!(
        stdout.starts_with("No changes. Your infrastructure matches the configuration."),
        "{stdout}"
    );

    let (status, stdout, _) = opsdojo(&["plan", "--dir", dir_arg, "--var-file", "vars/qa.tfvars"]);
    assert_eq!(status, 1, "a failed validation exits non-zero");
    assert!(
        stdout.contains("│ Error: Invalid value for variable"),
        "{stdout}"
    );
    assert!(
        stdout.contains("│ The environment must be dev or prod."),
        "{stdout}"
    );
    assert!(stdout.contains("│     │ var.env is \"qa\""), "{stdout}");
}

#[test]
fn helm_template_prints_the_manifests_and_says_where_a_template_is_wrong() {
    let chart = concat!(env!("CARGO_MANIFEST_DIR"), "/../engine/chart");
    let values = write(
        "values-prod.yaml",
        "replicas:\n  users: 4\nautoscaling:\n  coupons:\n    minReplicas: 2\n    maxReplicas: 9\n",
    );
    let values = values.to_string_lossy().into_owned();
    let (code, out, err) = opsdojo(&[
        "helm-template",
        "--chart",
        chart,
        "-f",
        &values,
        "-n",
        "prod",
        "--name",
        "opsdojo",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("---\n# Source: opsdojo/templates/service.yaml\n"),
        "{out}"
    );
    assert!(out.contains("kind: Deployment\nmetadata:\n  name: users\n  namespace: prod\n"));
    assert!(out.contains("  replicas: 4\n"));
    assert!(out.contains("kind: HorizontalPodAutoscaler\nmetadata:\n  name: coupons\n"));
    assert!(out.contains("  maxReplicas: 9\n"));

    let broken = write(
        "values-broken.yaml",
        "autoscaling:\n  coupons:\n    minReplicas: 2\n",
    );
    let broken = broken.to_string_lossy().into_owned();
    let (code, out, err) = opsdojo(&["helm-template", "--chart", chart, "-f", &broken]);
    assert_eq!(code, 1);
    assert!(out.is_empty());
    assert!(err.contains("/templates/hpa.yaml:"), "{err}");
    assert!(
        err.contains("autoscaling.coupons.maxReplicas is required"),
        "{err}"
    );

    let (code, _, err) = opsdojo(&["helm-template"]);
    assert_eq!(code, 2);
    assert!(err.contains("a chart is required"), "{err}");
}
