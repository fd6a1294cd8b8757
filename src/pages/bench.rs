//! `/bench?hours=N`: runs the engine's benchmark in this browser and prints its report, so
//! `scripts/bench-browser.mjs` can read the same figures from headless Chromium as
//! `opsdojo simulate` prints natively. `/bench?panic` stops the page on purpose, so that the
//! browser tests can see the crash screen and the progress it saves.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use opsdojo_engine::bench;
use wasm_bindgen::JsCast;

/// The WebAssembly memory's size in bytes: linear memory only grows, so it is the peak.
fn wasm_memory_bytes() -> f64 {
    wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .ok()
        .and_then(|memory| memory.buffer().dyn_into::<js_sys::ArrayBuffer>().ok())
        .map_or(0.0, |buffer| f64::from(buffer.byte_length()))
}

#[component]
pub fn BenchPage() -> impl IntoView {
    let query = use_query_map();
    // Anything but a number from 1 to 24 runs the default day.
    let hours = query
        .with_untracked(|q| q.get("hours"))
        .and_then(|h| h.parse::<i64>().ok())
        .filter(|h| (1..=24).contains(h))
        .unwrap_or(24);
    // `?panic`: stops the page on purpose, to show the crash screen (the browser tests do).
    if query.with_untracked(|q| q.get("panic").is_some()) {
        panic!("the crash screen was asked for with /bench?panic");
    }
    let result = RwSignal::new(None::<String>);
    // Let the page paint "running" first, then block on the benchmark.
    set_timeout(
        move || {
            let performance = window().performance();
            let clock = move || performance.as_ref().map_or(0.0, |p| p.now());
            let report = bench::run(hours, 1, &clock);
            let plan = bench::plan_bench(100, 20, &clock);
            let json = serde_json::json!({
                "report": report,
                "text": format!("{report}\n{}", plan.to_string().trim_end()),
                "wasm_memory_mib": wasm_memory_bytes() / 1_048_576.0,
            });
            result.set(Some(json.to_string()));
        },
        std::time::Duration::from_millis(50),
    );
    view! {
        <div class="center-page">
            <h1>"Benchmark"</h1>
            <p>
                {format!(
                    "{hours} simulated hours, rules every 15 s, Alertmanager; then a Terraform plan of 100 resources",
                )}
            </p>
            {move || match result.get() {
                None => view! { <p data-testid="bench-running">"running…"</p> }.into_any(),
                Some(json) => {
                    view! {
                        <pre class="mono" data-testid="bench-result">
                            {json}
                        </pre>
                    }
                        .into_any()
                }
            }}
        </div>
    }
}
