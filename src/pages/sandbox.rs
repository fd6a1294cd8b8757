//! The sandbox: the workbench and the clock on a default world, with no lesson.

use crate::components::clock_bar::ClockBar;
use crate::components::facilitator::{Facilitation, FacilitatorConsole};
use crate::components::game::GamePlay;
use crate::components::presenter::{Presenter, Stage};
use crate::components::workbench::Workbench;
use crate::i18n::tr;
use crate::session::{Sim, WorkbenchNav};
use leptos::prelude::*;
use opsdojo_engine::world::Scenario;

#[component]
pub fn SandboxPage() -> impl IntoView {
    // A share link to a sandbox session is read before the sandbox opens.
    let shared = LocalResource::new(move || async move {
        let game = match crate::components::game::code_in_location() {
            Some(code) => Some(
                crate::components::game::read(
                    &code,
                    opsdojo_engine::share::SANDBOX,
                    Scenario::default().seed,
                )
                .await,
            ),
            None => None,
        };
        let shared = match crate::share::code_in_location() {
            Some(code) => Some(crate::share::read(&code).await.and_then(|session| {
                if session.at == opsdojo_engine::share::SANDBOX {
                    Ok(session)
                } else {
                    Err(crate::share::OTHER_PLACE.to_string())
                }
            })),
            None => None,
        };
        (shared, game)
    });
    view! {
        <Suspense fallback=|| ()>
            {move || {
                shared
                    .get()
                    .map(|(shared, game)| match game {
                        Some(Ok(game)) => {
                            view! { <GamePlay game=game scenario=Scenario::default() /> }.into_any()
                        }
                        game => {
                            crate::components::game::refused(game);
                            view! { <Sandbox shared=shared /> }.into_any()
                        }
                    })
            }}
        </Suspense>
    }
}

#[component]
fn Sandbox(shared: Option<Result<opsdojo_engine::share::SharedSession, String>>) -> impl IntoView {
    let session = crate::components::share::opened(shared);
    let sim = Sim::sandbox(session.as_ref());
    provide_context(sim);
    let nav = WorkbenchNav::new();
    provide_context(nav);
    let presenter = Presenter::install(Vec::new(), String::new(), sim, nav);
    let facilitation = Facilitation::install(sim);
    // Runs once the sandbox's view is mounted.
    Effect::new(|_| crate::offline::page_interactive());
    let intro = move || {
        view! {
            <div class="sandbox-intro">
                <h1>{tr!("sandbox.title")}</h1>
                <p>{tr!("sandbox.lead")}</p>
            </div>
        }
    };
    view! {
        {sim.shared.then(|| view! { <crate::components::share::SharedBanner /> })}
        {move || {
            if presenter.on.get() {
                view! { <Stage text=ViewFn::from(intro) /> }.into_any()
            } else {
                view! {
                    <div class="sandbox-layout" data-testid="sandbox" data-restored=sim.restored>
                        {intro()}
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
