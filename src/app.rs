//! The app: shared state in context, the top bar, the router and the notices.

use crate::components::top_bar::TopBar;
use crate::i18n::{key, translate, CurrentLocale, Key};
use crate::pages::{
    bench::BenchPage, catalog::CatalogPage, lesson::LessonPage, not_found::NotFound,
    sandbox::SandboxPage,
};
use crate::storage::{self, LoadedProgress, Theme};
use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;
use opsdojo_engine::progress::Progress;

/// The learner's progress, saved to local storage shortly after it changes.
#[derive(Clone, Copy)]
pub struct ProgressStore(pub RwSignal<Progress>);

/// The key of the lesson this tab has open, whose live state wins over other tabs' saves.
#[derive(Clone, Copy)]
pub struct OpenLesson(pub RwSignal<Option<String>>);

/// How saving goes: paused until the learner downloads data that could not be set aside,
/// and whether the last write failed (shown once, until a write works again).
#[derive(Clone, Copy)]
pub struct SaveState {
    pub paused: RwSignal<bool>,
    failing: RwSignal<bool>,
    scheduled: StoredValue<bool>,
    told_other_tab: StoredValue<bool>,
}

/// How long after a change progress is written: writes at most this often while the clock runs.
const SAVE_DELAY_MS: u64 = 750;

impl SaveState {
    fn new() -> Self {
        SaveState {
            paused: RwSignal::new(false),
            failing: RwSignal::new(false),
            scheduled: StoredValue::new(false),
            told_other_tab: StoredValue::new(false),
        }
    }

    /// Writes progress soon, once for any number of changes in between.
    fn schedule(self, progress: RwSignal<Progress>, open: OpenLesson, notices: Notices) {
        if self.scheduled.get_value() {
            return;
        }
        self.scheduled.set_value(true);
        set_timeout(
            move || self.flush(progress, open, notices),
            std::time::Duration::from_millis(SAVE_DELAY_MS),
        );
    }

    /// A change is waiting for its write.
    pub fn is_scheduled(self) -> bool {
        self.scheduled.get_value()
    }

    /// Writes progress now: first takes what other tabs saved later, then writes the whole.
    pub fn flush(self, progress: RwSignal<Progress>, open: OpenLesson, notices: Notices) {
        self.scheduled.set_value(false);
        if self.paused.get_untracked() {
            return;
        }
        if let Some(stored) = storage::stored_progress() {
            self.take_newer(progress, open, notices, &stored);
        }
        self.write_now(progress, notices);
    }

    /// Writes progress as it is, without taking other tabs' lessons (after an import, which
    /// replaces them). A refused write is shown once, with an export, until one works again.
    pub fn write_now(self, progress: RwSignal<Progress>, notices: Notices) {
        self.scheduled.set_value(false);
        match progress.with_untracked(storage::save_progress) {
            Ok(()) => self.failing.set(false),
            Err(_) if self.failing.get_untracked() => {}
            Err(reason) => {
                self.failing.set(true);
                let json = progress.with_untracked(Progress::to_json);
                notices.push(
                    true,
                    key!("progress.save_failed"),
                    reason,
                    Some(("opsdojo-progress.json".to_string(), json)),
                );
            }
        }
    }

    /// Merges the lessons another tab saved later; tells once when that tab works on the
    /// lesson open here.
    fn take_newer(
        self,
        progress: RwSignal<Progress>,
        open: OpenLesson,
        notices: Notices,
        stored: &Progress,
    ) {
        let open_key = open.0.get_untracked();
        let mut changed = false;
        progress.update_untracked(|ours| {
            changed = ours.merge_newer(stored, open_key.as_deref());
        });
        if changed {
            progress.notify();
        }
        if let Some(key) = open_key {
            let theirs_newer = progress.with_untracked(|ours| {
                stored.lessons.get(&key).is_some_and(|theirs| {
                    ours.lessons
                        .get(&key)
                        .is_some_and(|mine| theirs.saved_at > mine.saved_at)
                })
            });
            if theirs_newer && !self.told_other_tab.get_value() {
                self.told_other_tab.set_value(true);
                notices.push(false, key!("progress.other_tab"), key, None);
            }
        }
    }
}

/// The color theme.
#[derive(Clone, Copy)]
pub struct CurrentTheme(pub RwSignal<Theme>);

/// A message shown at the top of the page until dismissed.
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    pub id: u64,
    pub error: bool,
    /// The lead sentence.
    pub lead: Key,
    /// Details, shown as written.
    pub detail: String,
    /// A file the learner can download from the notice: name and content.
    pub download: Option<(String, String)>,
}

/// The notices on screen.
#[derive(Clone, Copy)]
pub struct Notices(pub RwSignal<Vec<Notice>>);

impl Notices {
    pub fn push(&self, error: bool, lead: Key, detail: String, download: Option<(String, String)>) {
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
    let save_state = SaveState::new();
    let LoadedProgress { progress, kept } = storage::load_progress();
    for kept in kept {
        match kept.kept_key {
            Some(key) => notices.push(
                true,
                key!("progress.quarantined"),
                format!("{} (kept in local storage as `{key}`)", kept.reason),
                Some(("opsdojo-progress-kept.json".to_string(), kept.raw)),
            ),
            None => {
                // Nothing can be written over it until the learner has a copy.
                save_state.paused.set(true);
                notices.push(
                    true,
                    key!("progress.not_kept"),
                    kept.reason,
                    Some(("opsdojo-progress-kept.json".to_string(), kept.raw)),
                );
            }
        }
    }
    let progress = RwSignal::new(progress);
    let open = OpenLesson(RwSignal::new(None));
    provide_context(CurrentLocale(locale));
    provide_context(CurrentTheme(theme));
    provide_context(ProgressStore(progress));
    provide_context(open);
    provide_context(save_state);
    provide_context(notices);
    crate::crash::watch(progress);

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
    Effect::new(move |previous: Option<()>| {
        progress.track();
        // The first run is the load itself: nothing to write.
        if previous.is_some() {
            save_state.schedule(progress, open, notices);
        }
    });
    // Leaving the page or hiding it writes what is pending.
    let flush = move || {
        if save_state.scheduled.get_value() {
            save_state.flush(progress, open, notices);
        }
    };
    let on_hide = window_event_listener(leptos::ev::pagehide, move |_| flush());
    let on_visibility = window_event_listener(leptos::ev::visibilitychange, move |_| {
        if document().visibility_state() == web_sys::VisibilityState::Hidden {
            flush();
        }
    });
    // Another tab saved: take the lessons it saved later.
    let on_storage = window_event_listener(leptos::ev::storage, move |event| {
        let from_progress = event
            .key()
            .is_some_and(|key| storage::is_progress_key(&key));
        if let (true, Some(text)) = (from_progress, event.new_value()) {
            if let Ok(stored) = Progress::from_json(&text) {
                save_state.take_newer(progress, open, notices, &stored);
            }
        }
    });
    on_cleanup(move || {
        on_hide.remove();
        on_visibility.remove();
        on_storage.remove();
    });

    view! {
        <Router>
            <TopBar />
            <NoticeList />
            <main class="page">
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=CatalogPage />
                    <Route path=path!("/sandbox") view=SandboxPage />
                    <Route path=path!("/bench") view=BenchPage />
                    <Route path=path!("/speaker") view=crate::components::presenter::SpeakerPage />
                    <Route
                        path=path!("/facilitate")
                        view=crate::components::facilitator::FacilitatorWindow
                    />
                    <Route path=path!("/lessons/:pack/:lesson") view=LessonPage />
                </Routes>
            </main>
        </Router>
    }
}

/// The label of a notice's download button.
fn download_label(lead: Key) -> Key {
    if lead == key!("progress.save_failed") {
        key!("progress.export")
    } else if lead == key!("progress.imported") {
        key!("progress.download_backup")
    } else if lead == key!("progress.not_kept") {
        key!("progress.download_and_resume")
    } else {
        key!("progress.download_kept")
    }
}

/// Notices, newest last, each with a dismiss button and an optional download.
#[component]
fn NoticeList() -> impl IntoView {
    let notices = expect_context::<Notices>();
    let locale = expect_context::<CurrentLocale>().0;
    let save_state = expect_context::<SaveState>();
    view! {
        <div class="notices" role="status">
            <For each=move || notices.0.get() key=|notice| notice.id let:notice>
                {
                    let id = notice.id;
                    let download = notice.download.clone();
                    let lead = notice.lead;
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
                                            on:click=move |_| {
                                                crate::components::download::download_text(&name, &content);
                                                if lead == key!("progress.not_kept") {
                                                    save_state.paused.set(false);
                                                }
                                            }
                                        >
                                            {move || translate(locale.get(), download_label(lead))}
                                        </button>
                                    }
                                })}
                            <button
                                class="button button-small button-ghost"
                                on:click=move |_| {
                                    notices.0.update(|list| list.retain(|n| n.id != id))
                                }
                            >
                                {move || translate(locale.get(), key!("notice.dismiss"))}
                            </button>
                        </div>
                    }
                }
            </For>
        </div>
    }
}
