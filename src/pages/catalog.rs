//! The catalog: packs and their lessons, with the learner's progress.

use crate::app::ProgressStore;
use crate::catalog::{load_catalog, CatalogLesson, CatalogPack};
use crate::i18n::{tr, CurrentLocale};
use leptos::prelude::*;
use leptos_router::components::A;
use opsdojo_engine::lesson::{LessonMeta, Level};
use opsdojo_engine::progress::Progress;

#[component]
pub fn CatalogPage() -> impl IntoView {
    let locale = expect_context::<CurrentLocale>().0;
    let catalog = LocalResource::new(move || load_catalog(locale.get()));
    // A pack opened from an address (`?pack=URL`), shown above the shipped ones.
    let external = LocalResource::new(move || async move {
        let raw = crate::catalog::pack_in_location()?;
        Some(match crate::catalog::resolve_pack_url(&raw) {
            Ok(url) => crate::catalog::load_external_pack(&url).await,
            Err(error) => Err(error),
        })
    });
    view! {
        <div class="catalog" data-testid="catalog">
            <section class="hero">
                <h1>{tr("catalog.title")}</h1>
                <p class="lead">{tr("catalog.lead")}</p>
                <A href="/sandbox" attr:class="button button-ghost">
                    {tr("catalog.open_sandbox")}
                    " →"
                </A>
            </section>
            <Suspense fallback=move || {
                crate::catalog::pack_in_location()
                    .map(|_| view! { <p class="loading">{tr("catalog.loading_pack")}</p> })
            }>
                {move || {
                    external
                        .get()
                        .flatten()
                        .map(|result| match result {
                            Ok(pack) => view! { <PackSection pack=pack /> }.into_any(),
                            Err(error) => {
                                view! {
                                    <section class="pack pack-external" data-testid="external-pack">
                                        <div class="error-panel" role="alert">
                                            <h2>{tr("catalog.pack_failed")}</h2>
                                            <pre>{error.to_string()}</pre>
                                        </div>
                                    </section>
                                }
                                    .into_any()
                            }
                        })
                }}
            </Suspense>
            <Suspense fallback=move || {
                view! { <p class="loading">{tr("catalog.loading")}</p> }
            }>
                {move || {
                    catalog
                        .get()
                        .map(|result| match result {
                            Ok(packs) => {
                                packs
                                    .into_iter()
                                    .map(|pack| view! { <PackSection pack=pack /> })
                                    .collect_view()
                                    .into_any()
                            }
                            Err(error) => {
                                view! {
                                    <div class="error-panel" role="alert">
                                        <pre>{error.to_string()}</pre>
                                    </div>
                                }
                                    .into_any()
                            }
                        })
                }}
            </Suspense>
        </div>
    }
}

#[component]
fn PackSection(pack: CatalogPack) -> impl IntoView {
    let pack_id = pack.route.clone();
    let query = pack.query.clone();
    let external = pack.source.is_some();
    view! {
        <section
            class="pack"
            class:pack-external=external
            data-pack=pack_id.clone()
            data-testid=external.then_some("external-pack")
        >
            <header class="pack-header">
                <h2>{pack.manifest.title.clone()}</h2>
                <p>{pack.manifest.summary.clone()}</p>
                {pack
                    .source
                    .clone()
                    .map(|source| {
                        view! {
                            <p class="pack-source">
                                {tr("catalog.pack_from")} " " <code>{source}</code>
                            </p>
                        }
                    })}
            </header>
            <ol class="lesson-grid">
                {pack
                    .lessons
                    .into_iter()
                    .enumerate()
                    .map(|(index, lesson)| match lesson {
                        CatalogLesson::Ready(meta) => {
                            view! {
                                <LessonCard
                                    pack=pack_id.clone()
                                    query=query.clone()
                                    meta=meta
                                    number=index + 1
                                />
                            }
                                .into_any()
                        }
                        CatalogLesson::Broken { file, error } => {
                            view! {
                                <li class="lesson-card lesson-card-broken" role="alert">
                                    <h3 class="mono">{file}</h3>
                                    <p>{tr("catalog.broken")}</p>
                                    <pre>{error.to_string()}</pre>
                                </li>
                            }
                                .into_any()
                        }
                    })
                    .collect_view()}
            </ol>
        </section>
    }
}

#[derive(Clone, Copy, PartialEq)]
enum LessonState {
    NotStarted,
    InProgress,
    Completed,
}

#[component]
fn LessonCard(pack: String, query: String, meta: LessonMeta, number: usize) -> impl IntoView {
    let progress = expect_context::<ProgressStore>().0;
    let key = Progress::lesson_key(&pack, &meta.id);
    let state = Memo::new(move |_| {
        progress.with(|p| match p.lessons.get(&key) {
            Some(lesson) if lesson.completed => LessonState::Completed,
            Some(lesson) if !lesson.actions.is_empty() || !lesson.met.is_empty() => {
                LessonState::InProgress
            }
            _ => LessonState::NotStarted,
        })
    });
    let state = move || state.get();
    let level_key = match meta.level {
        Level::Beginner => "level.beginner",
        Level::Intermediate => "level.intermediate",
        Level::Advanced => "level.advanced",
    };
    let href = format!("/lessons/{pack}/{}{query}", meta.id);
    let completed = tr("catalog.completed");
    let in_progress = tr("catalog.in_progress");
    let not_started = tr("catalog.not_started");
    let start = tr("catalog.start");
    let resume = tr("catalog.continue");
    let review = tr("catalog.review");
    view! {
        <li
            class="lesson-card"
            data-lesson=meta.id.clone()
            data-state=move || match state() {
                LessonState::Completed => "completed",
                LessonState::InProgress => "in-progress",
                LessonState::NotStarted => "not-started",
            }
        >
            <div class="lesson-card-top">
                <span class="lesson-number">{format!("{number:02}")}</span>
                <span
                    class="status-pill"
                    class:done=move || state() == LessonState::Completed
                    class:started=move || state() == LessonState::InProgress
                >
                    {move || match state() {
                        LessonState::Completed => format!("✓ {}", completed()),
                        LessonState::InProgress => in_progress().to_string(),
                        LessonState::NotStarted => not_started().to_string(),
                    }}
                </span>
            </div>
            <h3>
                <A href=href.clone()>{meta.title.clone()}</A>
            </h3>
            <p class="summary">{meta.summary.clone()}</p>
            <div class="lesson-card-bottom">
                <span class="meta-chip">{tr(level_key)}</span>
                <span class="meta-chip">
                    {format!("{} ", meta.minutes)} {tr("catalog.minutes")}
                </span>
                <A href=href attr:class="button button-small">
                    {move || match state() {
                        LessonState::Completed => review(),
                        LessonState::InProgress => resume(),
                        LessonState::NotStarted => start(),
                    }}
                </A>
            </div>
        </li>
    }
}
