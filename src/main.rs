//! The opsdojo browser app: installs the panic hook and mounts the Leptos app.

mod app;
mod catalog;
mod checkpoints;
mod components;
mod crash;
mod i18n;
mod offline;
mod pages;
mod session;
mod share;
mod storage;

fn main() {
    crash::install();
    // The page shown while the module downloaded (index.html): the app takes its place.
    if let Some(boot) = leptos::prelude::document().get_element_by_id("boot") {
        boot.remove();
    }
    leptos::mount::mount_to_body(app::App);
}
