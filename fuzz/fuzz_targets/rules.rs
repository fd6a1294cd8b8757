//! A rule file and a rule unit-test file, separated by a NUL byte: the rules are read and
//! the tests run against them, as `opsdojo rules-test` does.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (rules, tests) = text.split_once('\0').unwrap_or((text, ""));
    let _ = opsdojo_engine::alerting::parse_rule_file(rules);
    let rules = rules.to_string();
    let _ = opsdojo_engine::alerting::unit_test::run_unit_tests(tests, &|_| Ok(rules.clone()));
});
