//! The bar at the top of every page: brand, navigation, language, theme and progress file.

use crate::app::{CurrentTheme, Notices, ProgressStore, SaveState};
use crate::components::download::download_text;
use crate::i18n::{key, tr, translate, CurrentLocale, Locale};
use crate::storage::{self, Theme};
use leptos::prelude::*;
use leptos_router::components::A;
use opsdojo_engine::progress::Progress;
use wasm_bindgen::JsCast;

#[component]
pub fn TopBar() -> impl IntoView {
    let locale = expect_context::<CurrentLocale>().0;
    let theme = expect_context::<CurrentTheme>().0;
    let progress = expect_context::<ProgressStore>().0;
    let notices = expect_context::<Notices>();
    let save_state = expect_context::<SaveState>();
    let file_input = NodeRef::<leptos::html::Input>::new();

    let import = move |event: leptos::ev::Event| {
        let Some(input) = event
            .target()
            .and_then(|target| target.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|files| files.get(0)) else {
            return;
        };
        input.set_value("");
        leptos::task::spawn_local(async move {
            let text = wasm_bindgen_futures::JsFuture::from(file.text())
                .await
                .ok()
                .and_then(|value| value.as_string())
                .unwrap_or_default();
            match Progress::from_json(&text) {
                Ok(mut imported) => {
                    let question =
                        translate(locale.get_untracked(), key!("progress.import_confirm"));
                    if !window().confirm_with_message(question).unwrap_or(false) {
                        notices.push(
                            false,
                            key!("progress.import_cancelled"),
                            String::new(),
                            None,
                        );
                        return;
                    }
                    // The progress it replaces stays in storage and in the notice's download.
                    let previous = progress.with_untracked(Progress::to_json);
                    let _ = storage::write(storage::BACKUP_KEY, &previous);
                    let refused = std::mem::take(&mut imported.refused);
                    let now = js_sys::Date::now() as u64;
                    for lesson in imported.lessons.values_mut() {
                        lesson.saved_at = now;
                    }
                    progress.set(imported);
                    save_state.write_now(progress, notices);
                    notices.push(
                        false,
                        key!("progress.imported"),
                        String::new(),
                        Some(("opsdojo-progress-before-import.json".to_string(), previous)),
                    );
                    if !refused.is_empty() {
                        let reasons: Vec<String> =
                            refused.iter().map(|r| r.reason.clone()).collect();
                        let raw: Vec<String> = refused
                            .iter()
                            .map(|r| format!("\"{}\": {}", r.key, r.raw))
                            .collect();
                        notices.push(
                            true,
                            key!("progress.refused_lessons"),
                            reasons.join("; "),
                            Some((
                                "opsdojo-progress-refused.json".to_string(),
                                format!("{{{}}}", raw.join(", ")),
                            )),
                        );
                    }
                }
                Err(error) => notices.push(
                    true,
                    key!("progress.import_failed"),
                    error.to_string(),
                    None,
                ),
            }
        });
    };

    view! {
        <header class="top-bar">
            <A href="/" attr:class="brand">
                <span class="brand-mark" aria-hidden="true">
                    "⎈"
                </span>
                <span class="brand-name">"opsdojo"</span>
            </A>
            <nav class="top-nav">
                <A href="/" exact=true>
                    {tr!("nav.catalog")}
                </A>
                <A href="/sandbox">{tr!("nav.sandbox")}</A>
            </nav>
            <div class="top-actions">
                <div class="segmented" role="group" aria-label="Language">
                    {[Locale::En, Locale::Fr]
                        .into_iter()
                        .map(|choice| {
                            view! {
                                <button
                                    data-testid=format!("lang-{}", choice.code())
                                    class:active=move || locale.get() == choice
                                    on:click=move |_| locale.set(choice)
                                >
                                    {choice.code().to_uppercase()}
                                </button>
                            }
                        })
                        .collect_view()}
                </div>
                <button
                    class="icon-button"
                    data-testid="theme-toggle"
                    title=tr!("theme.toggle")
                    aria-label=tr!("theme.toggle")
                    on:click=move |_| {
                        theme
                            .update(|t| {
                                *t = if *t == Theme::Dark { Theme::Light } else { Theme::Dark };
                            })
                    }
                >
                    {move || if theme.get() == Theme::Dark { "☀" } else { "☾" }}
                </button>
                <button
                    class="button button-small button-ghost"
                    data-testid="export-progress"
                    title=tr!("progress.export")
                    on:click=move |_| {
                        progress
                            .with_untracked(|p| download_text(
                                "opsdojo-progress.json",
                                &p.to_json(),
                            ))
                    }
                >
                    "⤓ "
                    {tr!("progress.export")}
                </button>
                <button
                    class="button button-small button-ghost"
                    title=tr!("progress.import")
                    on:click=move |_| {
                        if let Some(input) = file_input.get() {
                            input.click();
                        }
                    }
                >
                    "⤒ "
                    {tr!("progress.import")}
                </button>
                <input
                    type="file"
                    accept="application/json,.json"
                    class="hidden"
                    data-testid="import-progress"
                    node_ref=file_input
                    on:change=import
                />
            </div>
        </header>
    }
}
