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
    leptos::mount::mount_to_body(app::App);
}
