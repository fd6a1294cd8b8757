//! "Run tests" under a rule unit-test file: promtool's output for it, against the rule files as
//! they are in the editor now, with the expected and actual values set apart.

use crate::i18n::tr;
use crate::session::Sim;
use leptos::prelude::*;
use opsdojo_engine::alerting::unit_test::{promtool_text, run_unit_tests_in};

#[component]
pub fn RuleTests(
    /// Path of the test file in the world.
    path: String,
) -> impl IntoView {
    let sim = expect_context::<Sim>();
    let output = RwSignal::new(None::<(bool, String)>);
    let test_path = StoredValue::new(path);
    let run = move |_| {
        let path = test_path.get_value();
        // The files as typed, even within the pause before an edit reaches the world.
        sim.flush_edit();
        let report = sim.snapshot.with_untracked(|snapshot| {
            run_unit_tests_in(&path, &|wanted: &str| {
                snapshot
                    .files
                    .iter()
                    .find(|file| file.path == wanted)
                    .map(|file| file.content.clone())
            })
        });
        let name = path.rsplit('/').next().unwrap_or(&path).to_string();
        output.set(Some((report.passed(), promtool_text(&name, &report))));
    };
    view! {
        <div class="rule-tests" data-testid="rule-tests">
            <button class="button" data-testid="run-rule-tests" on:click=run>
                {tr!("ruletests.run")}
            </button>
            <span class="muted">{tr!("ruletests.like")}</span>
            {move || {
                output
                    .get()
                    .map(|(passed, text)| {
                        let lines = text
                            .lines()
                            .map(|line| {
                                let trimmed = line.trim_start();
                                let class = if trimmed.starts_with("exp:") {
                                    "test-line test-expected"
                                } else if trimmed.starts_with("got:") {
                                    "test-line test-got"
                                } else if trimmed == "SUCCESS" {
                                    "test-line test-success"
                                } else if trimmed == "FAILED:" {
                                    "test-line test-failed"
                                } else {
                                    "test-line"
                                };
                                view! { <span class=class>{format!("{line}\n")}</span> }
                            })
                            .collect_view();
                        view! {
                            <pre
                                class="rule-test-output mono"
                                class:passed=passed
                                data-testid="rule-test-output"
                            >
                                {lines}
                            </pre>
                        }
                    })
            }}
        </div>
    }
}
