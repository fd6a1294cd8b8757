//! The sandbox: the workbench and the clock on a default world, with no lesson.

use crate::components::clock_bar::ClockBar;
use crate::components::workbench::Workbench;
use crate::i18n::tr;
use crate::session::{Sim, WorkbenchNav};
use leptos::prelude::*;

#[component]
pub fn SandboxPage() -> impl IntoView {
    provide_context(Sim::sandbox());
    provide_context(WorkbenchNav::new());
    view! {
        <div class="sandbox-layout" data-testid="sandbox">
            <div class="sandbox-intro">
                <h1>{tr("sandbox.title")}</h1>
                <p>{tr("sandbox.lead")}</p>
            </div>
            <Workbench />
        </div>
        <ClockBar />
    }
}
