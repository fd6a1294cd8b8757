//! The catalog: packs and their lessons, with the learner's progress.

use crate::app::ProgressStore;
use crate::catalog::{
    load_catalog, CatalogLesson, CatalogPack, FolderPack, FOLDER_MAX_BYTES, FOLDER_MAX_FILES,
};
use crate::i18n::{key, text, tr, CurrentLocale};
use leptos::prelude::*;
use leptos_router::components::A;
use opsdojo_engine::lesson::{LessonMeta, Level};
use opsdojo_engine::progress::Progress;

#[component]
pub fn CatalogPage() -> impl IntoView {
    let locale = expect_context::<CurrentLocale>().0;
    let catalog = LocalResource::new(move || load_catalog(locale.get()));
    let folder = FolderSection::new();
    // A folder, not files: the attribute has no typed setter in the view macro.
    let folder_input = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if let Some(input) = folder_input.get() {
            let _ = input.set_attribute("webkitdirectory", "");
        }
    });
    Effect::new(move |_| {
        if catalog.get().is_some() {
            crate::offline::page_interactive();
        }
    });
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
                <h1>{tr!("catalog.title")}</h1>
                <p class="lead">{tr!("catalog.lead")}</p>
                <div class="hero-actions">
                    <A href="/sandbox" attr:class="button button-ghost">
                        {tr!("catalog.open_sandbox")}
                        " →"
                    </A>
                    <label class="button button-ghost" data-testid="open-folder">
                        {tr!("catalog.open_folder")}
                        <input
                            type="file"
                            class="hidden"
                            node_ref=folder_input
                            multiple=true
                            data-testid="pack-folder"
                            on:change=move |event| folder.pick(event)
                        />
                    </label>
                    <label class="button button-ghost" data-testid="open-zip">
                        {tr!("catalog.open_zip")}
                        <input
                            type="file"
                            class="hidden"
                            accept=".zip,application/zip"
                            data-testid="pack-zip"
                            on:change=move |event| folder.pick(event)
                        />
                    </label>
                </div>
            </section>
            {move || folder.error_view()}
            {move || folder.pack_view()}
            <Suspense fallback=move || {
                crate::catalog::pack_in_location()
                    .map(|_| view! { <p class="loading">{tr!("catalog.loading_pack")}</p> })
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
                                            <h2>{tr!("catalog.pack_failed")}</h2>
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
                view! { <p class="loading">{tr!("catalog.loading")}</p> }
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
                                {tr!("catalog.pack_from")} " " <code>{source}</code>
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
                                    <p>{tr!("catalog.broken")}</p>
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
        Level::Beginner => key!("level.beginner"),
        Level::Intermediate => key!("level.intermediate"),
        Level::Advanced => key!("level.advanced"),
    };
    let href = format!("/lessons/{pack}/{}{query}", meta.id);
    let completed = tr!("catalog.completed");
    let in_progress = tr!("catalog.in_progress");
    let not_started = tr!("catalog.not_started");
    let start = tr!("catalog.start");
    let resume = tr!("catalog.continue");
    let review = tr!("catalog.review");
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
                <span class="meta-chip">{text(level_key)}</span>
                <span class="meta-chip">
                    {format!("{} ", meta.minutes)} {tr!("catalog.minutes")}
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

/// The pack opened from a folder: picked, read in the browser, kept, shown, closed.
#[derive(Clone, Copy)]
struct FolderSection {
    pack: RwSignal<Option<FolderPack>>,
    error: RwSignal<Option<String>>,
}

impl FolderSection {
    fn new() -> Self {
        let section = FolderSection {
            pack: RwSignal::new(None),
            error: RwSignal::new(None),
        };
        leptos::task::spawn_local(async move {
            if let Some(kept) = FolderPack::kept().await {
                section.pack.try_set(Some(kept));
            }
        });
        section
    }

    /// Reads the chosen folder's lesson files (bounded), then keeps and shows its pack.
    fn pick(self, event: leptos::ev::Event) {
        use wasm_bindgen::JsCast;
        let Some(input) = event
            .target()
            .and_then(|target| target.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(list) = input.files() else {
            return;
        };
        let files: Vec<web_sys::File> = (0..list.length()).filter_map(|i| list.get(i)).collect();
        input.set_value("");
        leptos::task::spawn_local(async move {
            let read = match files.as_slice() {
                [archive] if archive.name().to_lowercase().ends_with(".zip") => {
                    read_zip(archive).await
                }
                _ => read_folder(files).await,
            };
            match read.and_then(FolderPack::from_files) {
                Ok(pack) => {
                    let kept = pack.keep().await;
                    self.error.try_set(
                        kept.err()
                            .map(|reason| format!("not kept for reloads: {reason}")),
                    );
                    self.pack.try_set(Some(pack));
                }
                Err(reason) => {
                    self.error.try_set(Some(reason));
                }
            }
        });
    }

    fn close(self) {
        self.pack.set(None);
        self.error.set(None);
        leptos::task::spawn_local(async move {
            if let Err(reason) = FolderPack::forget().await {
                leptos::logging::warn!("the folder pack was not forgotten: {reason}");
            }
        });
    }

    /// Why the last folder could not be opened or kept.
    fn error_view(self) -> impl IntoView {
        self.error.get().map(|reason| {
            view! {
                <div class="error-panel" role="alert" data-testid="folder-error">
                    <h2>{tr!("catalog.pack_failed")}</h2>
                    <pre>{reason}</pre>
                </div>
            }
        })
    }

    /// The open folder's pack, checked once each time a folder is opened.
    fn pack_view(self) -> impl IntoView {
        self.pack.get().map(|folder| {
            let close = view! {
                <button
                    class="button button-small button-ghost"
                    data-testid="close-folder"
                    on:click=move |_| self.close()
                >
                    {tr!("catalog.close_folder")}
                </button>
            };
            match folder.catalog() {
                Ok(pack) => view! {
                    <PackSection pack=pack />
                    {close}
                }
                .into_any(),
                Err(error) => view! {
                    <section class="pack pack-external" data-testid="external-pack">
                        <div class="error-panel" role="alert">
                            <h2>{tr!("catalog.pack_failed")}</h2>
                            <pre>{error.to_string()}</pre>
                        </div>
                        {close}
                    </section>
                }
                .into_any(),
            }
        })
    }
}

/// The texts of a folder's Markdown and YAML files, by path inside it; refuses a folder past
/// [`FOLDER_MAX_FILES`] files or [`FOLDER_MAX_BYTES`] bytes of them.
#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = OpsdojoEditor, js_name = unzip)]
    fn unzip(
        bytes: &js_sys::Uint8Array,
        max_files: u32,
        max_bytes: f64,
    ) -> Result<js_sys::Array, wasm_bindgen::JsValue>;
}

/// The lesson files of a pack's zip archive, unpacked in the browser with the folder's limits;
/// files at the archive's top are taken as a folder named after it.
async fn read_zip(archive: &web_sys::File) -> Result<Vec<(String, String)>, String> {
    if archive.size() > FOLDER_MAX_BYTES as f64 {
        return Err(format!(
            "the archive is larger than {} MB",
            FOLDER_MAX_BYTES / (1024 * 1024)
        ));
    }
    let buffer = wasm_bindgen_futures::JsFuture::from(archive.array_buffer())
        .await
        .map_err(crate::storage::browser_reason)?;
    let bytes = js_sys::Uint8Array::new(&buffer);
    crate::components::editor::editor_script_loaded()
        .await
        .map_err(|why| format!("the archive cannot be read: {why}"))?;
    let entries =
        unzip(&bytes, FOLDER_MAX_FILES as u32, FOLDER_MAX_BYTES as f64).map_err(|error| {
            format!(
                "the archive cannot be read: {}",
                crate::storage::browser_reason(error)
            )
        })?;
    let name = archive.name();
    let stem = name
        .strip_suffix(".zip")
        .or_else(|| name.strip_suffix(".ZIP"))
        .unwrap_or(&name);
    let mut read = Vec::new();
    for entry in entries.iter() {
        let pair = js_sys::Array::from(&entry);
        let (Some(path), Some(text)) = (pair.get(0).as_string(), pair.get(1).as_string()) else {
            continue;
        };
        if !(path.ends_with(".md") || path.ends_with(".yaml")) {
            continue;
        }
        let path = if path.contains('/') {
            path
        } else {
            format!("{stem}/{path}")
        };
        read.push((path, text));
    }
    Ok(read)
}

async fn read_folder(files: Vec<web_sys::File>) -> Result<Vec<(String, String)>, String> {
    let mut read = Vec::new();
    let mut bytes = 0usize;
    for file in files {
        let path = js_sys::Reflect::get(&file, &"webkitRelativePath".into())
            .ok()
            .and_then(|value| value.as_string())
            .filter(|path| !path.is_empty())
            .unwrap_or_else(|| file.name());
        if !(path.ends_with(".md") || path.ends_with(".yaml")) {
            continue;
        }
        if read.len() >= FOLDER_MAX_FILES {
            return Err(format!(
                "the folder has more than {FOLDER_MAX_FILES} lesson files"
            ));
        }
        bytes = bytes.saturating_add(file.size() as usize);
        if bytes > FOLDER_MAX_BYTES {
            return Err(format!(
                "the folder's lesson files are larger than {} MB in all",
                FOLDER_MAX_BYTES / (1024 * 1024)
            ));
        }
        let text = wasm_bindgen_futures::JsFuture::from(file.text())
            .await
            .map_err(crate::storage::browser_reason)?
            .as_string()
            .unwrap_or_default();
        read.push((path, text));
    }
    Ok(read)
}
