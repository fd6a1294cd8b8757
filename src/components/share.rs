//! Share links on the page: the button that makes one, the banner of a session opened from
//! one, and the notice of a link that could not be opened.

use crate::app::{Notices, OpenLesson, ProgressStore, SaveState};
use crate::i18n::{key, tr};
use crate::session::Sim;
use leptos::prelude::*;
use opsdojo_engine::share::SharedSession;

/// The session of the page's share link, if it opened; a link that did not is told in a notice
/// and taken out of the address, and nothing saved is touched.
pub fn opened(shared: Option<Result<SharedSession, String>>) -> Option<SharedSession> {
    match shared? {
        Ok(session) => Some(session),
        Err(reason) => {
            if let Some(notices) = use_context::<Notices>() {
                notices.push(true, key!("share.bad_link"), reason, None);
            }
            crate::share::leave_link();
            None
        }
    }
}

/// Goes to this page without its share link: the learner's own progress opens.
fn reopen_without_link() {
    if let Some(window) = web_sys::window() {
        let path = window.location().pathname().unwrap_or_default();
        let _ = window.location().set_href(&path);
    }
}

/// The banner over a session opened from a share link.
#[component]
pub fn SharedBanner() -> impl IntoView {
    let sim = expect_context::<Sim>();
    let keep = move |_| {
        let session = sim.share_session();
        if let (Some(store), Some(save), Some(open), Some(notices)) = (
            use_context::<ProgressStore>(),
            use_context::<SaveState>(),
            use_context::<OpenLesson>(),
            use_context::<Notices>(),
        ) {
            store.0.update(|progress| {
                let entry = progress.lessons.entry(session.at.clone()).or_default();
                entry.actions = session.actions;
                entry.met.clear();
                entry.saved_at = js_sys::Date::now() as u64;
            });
            save.flush(store.0, open, notices);
        }
        reopen_without_link();
    };
    let is_lesson = sim.share_session().at != opsdojo_engine::share::SANDBOX;
    view! {
        <div class="shared-banner" data-testid="shared-banner" role="status">
            <span>{tr!("share.banner")}</span>
            {is_lesson
                .then(|| {
                    view! {
                        <button class="button button-small" data-testid="shared-keep" on:click=keep>
                            {tr!("share.keep")}
                        </button>
                    }
                })}
            <button
                class="button button-small button-ghost"
                data-testid="shared-leave"
                on:click=move |_| reopen_without_link()
            >
                {if is_lesson { tr!("share.back") } else { tr!("share.leave") }}
            </button>
        </div>
    }
}

/// The clock bar's share button: makes the link, shows it selected in a field and copies it.
#[component]
pub fn ShareButton() -> impl IntoView {
    let sim = expect_context::<Sim>();
    let link = RwSignal::new(None::<Result<String, String>>);
    let copied = RwSignal::new(None::<bool>);
    let make = move |_| {
        let session = sim.share_session();
        sim.playing.set(false);
        leptos::task::spawn_local(async move {
            let made = crate::share::link(&session).await;
            if let Ok(url) = &made {
                copied.set(Some(crate::share::copy(url).await.is_ok()));
            }
            link.set(Some(made));
        });
    };
    view! {
        <div class="share">
            <button
                class="button button-small button-ghost"
                data-testid="share"
                title=tr!("share.title")
                on:click=make
            >
                {tr!("share.button")}
            </button>
            {move || {
                link.get()
                    .map(|made| {
                        view! {
                            <div class="share-popover" data-testid="share-popover">
                                {match made {
                                    Ok(url) => {
                                        let length = url.chars().count();
                                        view! {
                                            <input
                                                data-testid="share-url"
                                                readonly
                                                value=url
                                                on:focus=move |event| {
                                                    if let Some(input) = event_target::<
                                                        web_sys::HtmlInputElement,
                                                    >(&event)
                                                        .into()
                                                    {
                                                        input.select();
                                                    }
                                                }
                                            />
                                            <p class="share-status">
                                                {move || match copied.get() {
                                                    Some(true) => tr!("share.copied")(),
                                                    _ => tr!("share.copy_yourself")(),
                                                }} " · " {format!("{length}")} " "
                                                {tr!("share.characters")}
                                            </p>
                                        }
                                            .into_any()
                                    }
                                    Err(reason) => {
                                        view! {
                                            <p class="share-status share-error">
                                                {tr!("share.failed")} " " {reason}
                                            </p>
                                        }
                                            .into_any()
                                    }
                                }}
                                <button
                                    class="button button-small button-ghost"
                                    on:click=move |_| link.set(None)
                                >
                                    {tr!("share.close")}
                                </button>
                            </div>
                        }
                    })
            }}
        </div>
    }
}
