//! The lesson page: the text with its widgets on the left, the workbench on the right, the
//! clock at the bottom. A lesson that cannot be loaded shows why, with file and line.

use crate::app::ProgressStore;
use crate::catalog::{load_lesson, LoadError};
use crate::components::clock_bar::ClockBar;
use crate::components::editor::CodeEditor;
use crate::components::facilitator::{Facilitation, FacilitatorConsole};
use crate::components::game::GamePlay;
use crate::components::lesson_body::LessonBody;
use crate::components::objectives::Objectives;
use crate::components::presenter::{Presenter, Stage};
use crate::components::workbench::Workbench;
use crate::i18n::{tr, CurrentLocale};
use crate::session::{Sim, WorkbenchNav};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use opsdojo_engine::lesson::{render_inline, render_markdown, Lesson, Segment, WidgetKind};
use opsdojo_engine::progress::Progress;
use opsdojo_engine::share::SharedSession;
use opsdojo_engine::world::{Action, WorldFile};

#[component]
pub fn LessonPage() -> impl IntoView {
    let params = use_params_map();
    let query = leptos_router::hooks::use_query_map();
    let locale = expect_context::<CurrentLocale>().0;
    let store = expect_context::<ProgressStore>();
    let lesson = LocalResource::new(move || {
        let pack = params.read().get("pack").unwrap_or_default();
        let id = params.read().get("lesson").unwrap_or_default();
        // The router's query, which is the new address's during a navigation.
        let from_folder = query.read().get(crate::catalog::FOLDER_PARAM).is_some();
        let from_address = query.read().get(crate::catalog::PACK_PARAM);
        let locale = locale.get();
        async move {
            let lesson = if from_folder {
                match crate::catalog::FolderPack::kept().await {
                    Some(folder) => folder.lesson(&pack, &id)?,
                    None => return Err(LoadError::Fetch {
                        url: format!("{pack}/{id}.md"),
                        reason:
                            "no pack folder is open in this browser: open it again from the catalog"
                                .into(),
                    }),
                }
            } else {
                match from_address {
                    Some(raw) => {
                        let url = crate::catalog::resolve_pack_url(&raw)?;
                        crate::catalog::load_external_lesson(&url, &pack, &id).await?
                    }
                    None => load_lesson(locale, &pack, &id).await?,
                }
            };
            let key = Progress::lesson_key(&pack, &lesson.meta.id);
            // A checkpoint is used only beside saved progress: a lesson never opened here does
            // not wait for the database.
            let saved = store
                .0
                .with_untracked(|progress| progress.lessons.contains_key(&key));
            let checkpoint = if saved {
                crate::checkpoints::load(&key).await
            } else {
                None
            };
            let game = match crate::components::game::code_in_location() {
                Some(code) => {
                    Some(crate::components::game::read(&code, &key, lesson.scenario.seed).await)
                }
                None => None,
            };
            let shared = match crate::share::code_in_location() {
                Some(code) => Some(crate::share::read(&code).await.and_then(|session| {
                    if session.at != key {
                        Err(crate::share::OTHER_PLACE.to_string())
                    } else if session.seed != lesson.scenario.seed {
                        Err(crate::share::CHANGED.to_string())
                    } else {
                        Ok(session)
                    }
                })),
                None => None,
            };
            Ok::<_, LoadError>((pack, lesson, checkpoint, shared, game))
        }
    });
    view! {
        <Suspense fallback=move || {
            view! { <p class="loading center-page">{tr!("lesson.loading")}</p> }
        }>
            {move || {
                lesson
                    .get()
                    .map(|result| match result {
                        Ok((_, lesson, _, _, Some(Ok(game)))) => {
                            view! { <GamePlay game=game scenario=lesson.scenario /> }.into_any()
                        }
                        Ok((pack, lesson, checkpoint, shared, game)) => {
                            crate::components::game::refused(game);
                            view! {
                                <LessonView
                                    pack=pack
                                    lesson=lesson
                                    checkpoint=checkpoint
                                    shared=shared
                                />
                            }
                                .into_any()
                        }
                        Err(error) => view! { <LessonError error=error /> }.into_any(),
                    })
            }}
        </Suspense>
    }
}

#[component]
fn LessonError(error: LoadError) -> impl IntoView {
    view! {
        <div class="center-page" data-testid="lesson-error">
            <div class="error-panel" role="alert">
                <h1>{tr!("lesson.error")}</h1>
                <pre>{error.to_string()}</pre>
            </div>
            <A href="/" attr:class="button">
                {tr!("lesson.back")}
            </A>
        </div>
    }
}

#[component]
fn LessonView(
    pack: String,
    lesson: Lesson,
    checkpoint: Option<String>,
    shared: Option<Result<SharedSession, String>>,
) -> impl IntoView {
    let store = expect_context::<ProgressStore>();
    let session = crate::components::share::opened(shared);
    let sim = Sim::for_lesson(&lesson, &pack, store, checkpoint, session.as_ref());
    provide_context(sim);
    let nav = WorkbenchNav::new();
    provide_context(nav);
    let presenter = Presenter::install(lesson.demo.clone(), lesson.meta.title.clone(), sim, nav);
    let facilitation = Facilitation::install(sim);
    // Runs once the lesson's view is mounted.
    Effect::new(|_| crate::offline::page_interactive());
    let rendered = render_markdown(&lesson.body, lesson.body_first_line);
    let has_objectives_widget = rendered
        .segments
        .iter()
        .any(|s| matches!(s, Segment::Widget(w) if w.kind == WidgetKind::Objectives));
    let text = StoredValue::new((
        rendered,
        lesson.objectives.clone(),
        lesson.hints.clone(),
        lesson.solution.clone(),
    ));
    // The lesson's text, in the page's left column or on the stage.
    let article = move || {
        let (rendered, objectives, hints, solution) = text.get_value();
        view! {
            <LessonBody rendered=rendered objectives=objectives.clone() />
            {(!has_objectives_widget)
                .then(|| view! { <Objectives objectives=objectives.clone() /> })}
            <Show when=move || sim.completed.get()>
                <div class="complete-banner" data-testid="lesson-complete" role="status">
                    <span class="complete-icon" aria-hidden="true">
                        "✓"
                    </span>
                    <strong>{tr!("lesson.complete")}</strong>
                    <A href="/" attr:class="button button-small">
                        {tr!("lesson.next")}
                    </A>
                    <button
                        class="button button-small button-ghost"
                        on:click=move |_| sim.start_over()
                    >
                        {tr!("lesson.restart")}
                    </button>
                </div>
            </Show>
            <Hints hints=hints />
            <Solution solution=solution />
        }
    };
    let id = lesson.meta.id.clone();
    let track = lesson.meta.track.clone();
    view! {
        {sim.shared.then(|| view! { <crate::components::share::SharedBanner /> })}
        {move || {
            if presenter.on.get() {
                view! { <Stage text=ViewFn::from(article) /> }.into_any()
            } else {
                view! {
                    <div
                        class="lesson-layout"
                        data-testid="lesson"
                        data-lesson=id.clone()
                        data-restored=sim.restored
                    >
                        <article class="lesson-text">
                            <nav class="breadcrumb">
                                <A href="/">{tr!("nav.catalog")}</A>
                                " / "
                                <span>{track.clone()}</span>
                            </nav>
                            {article()}
                        </article>
                        <Workbench />
                    </div>
                }
                    .into_any()
            }
        }}
        <Show when=move || facilitation.open.get()>
            <FacilitatorConsole />
        </Show>
        <ClockBar />
    }
}

/// Hints revealed one at a time.
#[component]
fn Hints(hints: Vec<String>) -> impl IntoView {
    let shown = RwSignal::new(0usize);
    let total = hints.len();
    let hint_label = tr!("lesson.hint");
    view! {
        <section class="hints" data-testid="hints">
            <h3>{tr!("lesson.hints")}</h3>
            <ol>
                {hints
                    .into_iter()
                    .enumerate()
                    .map(|(index, hint)| {
                        view! {
                            <Show when=move || { shown.get() > index }>
                                <li class="hint">
                                    <span class="hint-label">
                                        {move || format!("{} {}", hint_label(), index + 1)}
                                    </span>
                                    <span inner_html=render_inline(&hint)></span>
                                </li>
                            </Show>
                        }
                    })
                    .collect_view()}
            </ol>
            <Show when=move || { shown.get() < total }>
                <button
                    class="button button-small button-ghost"
                    on:click=move |_| shown.update(|n| *n += 1)
                >
                    {tr!("lesson.show_hint")}
                    {move || format!(" ({}/{total})", shown.get() + 1)}
                </button>
            </Show>
        </section>
    }
}

/// The reference solution, folded until asked for.
#[component]
fn Solution(solution: Vec<Action>) -> impl IntoView {
    let advance = tr!("lesson.solution_advance");
    let edit = tr!("lesson.solution_edit");
    let apply = tr!("lesson.solution_apply");
    let run = tr!("lesson.solution_kubectl");
    let on_pr = tr!("lesson.solution_pr");
    let inject = tr!("lesson.solution_inject");
    let on_tool = tr!("lesson.solution_tool");
    view! {
        <details class="solution" data-testid="solution">
            <summary>{tr!("lesson.show_solution")}</summary>
            <ol>
                {solution
                    .into_iter()
                    .map(|step| match step {
                        Action::Advance { by } => {
                            view! { <li>{move || advance()} " " <code>{by.to_string()}</code></li> }
                                .into_any()
                        }
                        Action::Apply { env } => {
                            view! {
                                <li>
                                    {move || apply()} " "
                                    <code>{format!("vars/{env}.tfvars")}</code>
                                </li>
                            }
                                .into_any()
                        }
                        Action::Kubectl { namespace, command } => {
                            view! {
                                <li>
                                    {move || run()} " "
                                    <code>{format!("kubectl {command} ({namespace})")}</code>
                                </li>
                            }
                                .into_any()
                        }
                        Action::PullRequest { command } => {
                            view! { <li>{move || on_pr()} " " <code>{command}</code></li> }
                                .into_any()
                        }
                        Action::Inject { fault } => {
                            view! {
                                <li>{move || inject()} " " <code>{fault.describe()}</code></li>
                            }
                                .into_any()
                        }
                        Action::Tool { tool, command } => {
                            view! {
                                <li>
                                    {move || on_tool()} " "
                                    <code>{format!("{tool}: {command}")}</code>
                                </li>
                            }
                                .into_any()
                        }
                        Action::PatchFile { path, .. } => {
                            view! { <li>{move || edit()} " " <code>{path}</code></li> }.into_any()
                        }
                        Action::EditFile { path, content } => {
                            view! {
                                <li>
                                    {move || edit()} " " <code>{path.clone()}</code>
                                    <CodeEditor
                                        value=content
                                        language=WorldFile::language(&path).as_str()
                                        read_only=true
                                        on_change=Callback::new(|_: String| {})
                                    />
                                </li>
                            }
                                .into_any()
                        }
                    })
                    .collect_view()}
            </ol>
        </details>
    }
}
