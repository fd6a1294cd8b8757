//! The app: shared state in context, the top bar, the router and the notices.

use crate::components::top_bar::TopBar;
use crate::i18n::{translate, CurrentLocale};
use crate::pages::{
    bench::BenchPage, catalog::CatalogPage, lesson::LessonPage, not_found::NotFound,
    sandbox::SandboxPage,
};
use crate::storage::{self, LoadedProgress, Theme};
use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;
use opsdojo_engine::progress::Progress;

/// The learner's progress, saved to local storage whenever it changes.
#[derive(Clone, Copy)]
pub struct ProgressStore(pub RwSignal<Progress>);

/// The color theme.
#[derive(Clone, Copy)]
pub struct CurrentTheme(pub RwSignal<Theme>);

/// A message shown at the top of the page until dismissed.
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    pub id: u64,
    pub error: bool,
    /// Translation key of the lead sentence.
    pub lead: &'static str,
    /// Details, shown as written.
    pub detail: String,
    /// A file the learner can download from the notice: name and content.
    pub download: Option<(String, String)>,
}

/// The notices on screen.
#[derive(Clone, Copy)]
pub struct Notices(pub RwSignal<Vec<Notice>>);

impl Notices {
    pub fn push(
        &self,
        error: bool,
        lead: &'static str,
        detail: String,
        download: Option<(String, String)>,
    ) {
        let id = js_sys::Date::now() as u64 + self.0.with_untracked(Vec::len) as u64;
        self.0.update(|notices| {
            notices.push(Notice {
                id,
                error,
                lead,
                detail,
                download,
            })
        });
    }
}

#[component]
pub fn App() -> impl IntoView {
    let locale = RwSignal::new(storage::load_locale());
    let theme = RwSignal::new(storage::load_theme());
    let notices = Notices(RwSignal::new(Vec::new()));
    let progress = match storage::load_progress() {
        LoadedProgress::Ready(progress) => progress,
        LoadedProgress::Kept {
            reason,
            kept_key,
            raw,
        } => {
            notices.push(
                true,
                "progress.quarantined",
                format!("{reason} (kept in local storage as `{kept_key}`)"),
                Some(("opsdojo-progress-kept.json".to_string(), raw)),
            );
            Progress::new()
        }
    };
    let progress = RwSignal::new(progress);
    provide_context(CurrentLocale(locale));
    provide_context(CurrentTheme(theme));
    provide_context(ProgressStore(progress));
    provide_context(notices);

    Effect::new(move |_| {
        let locale = locale.get();
        storage::save_locale(locale);
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("lang", locale.code());
        }
    });
    Effect::new(move |_| {
        let theme = theme.get();
        storage::save_theme(theme);
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("data-theme", theme.name());
        }
    });
    Effect::new(move |_| progress.with(storage::save_progress));

    view! {
        <Router>
            <TopBar />
            <NoticeList />
            <main class="page">
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=CatalogPage />
                    <Route path=path!("/sandbox") view=SandboxPage />
                    <Route path=path!("/bench") view=BenchPage />
                    <Route path=path!("/lessons/:pack/:lesson") view=LessonPage />
                </Routes>
            </main>
        </Router>
    }
}

/// Notices, newest last, each with a dismiss button and an optional download.
#[component]
fn NoticeList() -> impl IntoView {
    let notices = expect_context::<Notices>();
    let locale = expect_context::<CurrentLocale>().0;
    view! {
        <div class="notices" role="status">
            <For each=move || notices.0.get() key=|notice| notice.id let:notice>
                {
                    let id = notice.id;
                    let download = notice.download.clone();
                    view! {
                        <div class="notice" class:notice-error=notice.error>
                            <div class="notice-text">
                                <strong>{move || translate(locale.get(), notice.lead)}</strong>
                                " "
                                <span>{notice.detail.clone()}</span>
                            </div>
                            {download
                                .map(|(name, content)| {
                                    view! {
                                        <button
                                            class="button button-small"
                                            on:click=move |_| crate::components::download::download_text(
                                                &name,
                                                &content,
                                            )
                                        >
                                            {move || translate(locale.get(), "progress.download_kept")}
                                        </button>
                                    }
                                })}
                            <button
                                class="button button-small button-ghost"
                                on:click=move |_| {
                                    notices.0.update(|list| list.retain(|n| n.id != id))
                                }
                            >
                                {move || translate(locale.get(), "notice.dismiss")}
                            </button>
                        </div>
                    }
                }
            </For>
        </div>
    }
}
