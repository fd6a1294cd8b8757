//! A PromQL query over a small store, evaluated as an instant and as a range query, and explained.
#![no_main]
use libfuzzer_sys::fuzz_target;
use opsdojo_engine::promql::{
    explain, instant_query, parse_query, range_query, Labels, SeriesStore,
};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(query) = parse_query(text) else {
        return;
    };
    let mut store = SeriesStore::new();
    for (i, env) in ["dev", "prod"].into_iter().enumerate() {
        for step in 0..40 {
            let labels = Labels::named("http_requests_total").with("env", env);
            store.append(&labels, step * 15_000, (step * (i as i64 + 1)) as f64);
            let up = Labels::named("up").with("env", env);
            store.append(&up, step * 15_000, (step % 2) as f64);
        }
    }
    let _ = instant_query(&store, &query.expr, 600_000);
    let _ = range_query(&store, &query.expr, 0, 600_000, 60_000);
    let _ = explain(&store, text, 600_000);
});
