//! The page for an address that matches no route.

use crate::i18n::tr;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_location;

#[component]
pub fn NotFound() -> impl IntoView {
    let location = use_location();
    view! {
        <div class="center-page" data-testid="not-found">
            <div class="big-code">"404"</div>
            <h1>{tr!("notfound.title")}</h1>
            <p>{tr!("notfound.lead")} " " <code>{move || location.pathname.get()}</code></p>
            <A href="/" attr:class="button">
                {tr!("lesson.back")}
            </A>
        </div>
    }
}
