//! An Alertmanager configuration and an alert's labels (`a=b` lines after a NUL byte): the
//! configuration is read and the alert routed.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeMap;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (config, labels) = text
        .split_once('\0')
        .unwrap_or((text, "alertname=Test\nseverity=critical"));
    let (Some(config), _) = opsdojo_engine::alertmanager::parse_config(config) else {
        return;
    };
    let labels: BTreeMap<String, String> = labels
        .lines()
        .filter_map(|line| line.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let _ = config.route.matching(&labels);
    let _ = opsdojo_engine::alertmanager::receivers_for(&config, &labels);
});
