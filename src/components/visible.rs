//! Whether a widget is on screen. A lesson can hold explorers and dashboards far below the
//! fold, or in a tab that is not open: their queries wait until they are seen, then follow the
//! clock like any other. Opening a lesson and playing its clock cost only what is shown.

use crate::session::published;
use leptos::html::ElementType;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use web_sys::{IntersectionObserver, IntersectionObserverEntry};

/// The longest a widget's first report waits for the page to be idle (see [`on_screen`]).
const FIRST_REPORT_IDLE_MS: u32 = 200;

/// True while the element behind `node` meets the viewport (not scrolled away, not in a hidden
/// tab), as an `IntersectionObserver` reports it: false until its first report, which comes
/// with the frame after the element is laid out. That first report is applied once the page is
/// idle (at most [`FIRST_REPORT_IDLE_MS`] later): a lesson's explorer or dashboard on screen as
/// it opens queries after the page has answered what was waiting, not in the first task after
/// its first paint. A browser without the observer gets true.
fn on_screen<E>(node: NodeRef<E>) -> Signal<bool>
where
    E: ElementType,
    E::Output: JsCast + Clone + 'static,
{
    let seen = RwSignal::new(false);
    // The newest report, and whether the first one has been applied, or is on its way.
    let latest = StoredValue::new(false);
    let first = StoredValue::new(FirstReport::NotYet);
    let observer =
        StoredValue::new_local(None::<(IntersectionObserver, Closure<dyn FnMut(js_sys::Array)>)>);
    Effect::new(move |_| {
        let Some(element) = node.get() else { return };
        if observer.with_value(Option::is_some) {
            return;
        }
        let element: &web_sys::Element = element.unchecked_ref();
        let report = Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
            // The newest report about the element is the last.
            let Some(entry) = entries.iter().last() else {
                return;
            };
            let entry: IntersectionObserverEntry = entry.unchecked_into();
            let visible = entry.is_intersecting();
            latest.try_set_value(visible);
            match first.try_get_value() {
                Some(FirstReport::Applied) => {
                    seen.try_set(visible);
                }
                Some(FirstReport::NotYet) => {
                    first.try_set_value(FirstReport::Waiting);
                    let apply = move || {
                        first.try_set_value(FirstReport::Applied);
                        if let Some(visible) = latest.try_get_value() {
                            seen.try_set(visible);
                        }
                    };
                    when_idle(apply);
                }
                Some(FirstReport::Waiting) | None => {}
            }
        });
        match IntersectionObserver::new(report.as_ref().unchecked_ref()) {
            Ok(watcher) => {
                watcher.observe(element);
                observer.set_value(Some((watcher, report)));
            }
            Err(_) => seen.set(true),
        }
    });
    on_cleanup(move || {
        observer.with_value(|observer| {
            if let Some((watcher, _)) = observer {
                watcher.disconnect();
            }
        });
    });
    seen.into()
}

/// Where the observer's first report is.
#[derive(Clone, Copy, PartialEq)]
enum FirstReport {
    NotYet,
    Waiting,
    Applied,
}

/// Calls `work` once the page is idle, or after [`FIRST_REPORT_IDLE_MS`] at the latest; at once
/// in a browser without `requestIdleCallback`.
fn when_idle(work: impl FnOnce() + 'static) {
    let Some(window) = web_sys::window().filter(|window| {
        js_sys::Reflect::has(window, &"requestIdleCallback".into()).unwrap_or(false)
    }) else {
        return work();
    };
    let options = web_sys::IdleRequestOptions::new();
    options.set_timeout(FIRST_REPORT_IDLE_MS);
    let callback = Closure::once_into_js(work);
    let _ = window.request_idle_callback_with_options(callback.unchecked_ref(), &options);
}

/// What `compute` gives, computed again at each `beat` and whenever what it reads changes, but
/// only while the element behind `node` is on screen (off screen, the last value stays), and
/// handed to the views in the task after it ([`published`]).
pub fn published_on_screen<E, T>(
    node: NodeRef<E>,
    beat: RwSignal<u64>,
    compute: impl Fn() -> T + Send + Sync + 'static,
) -> Signal<T>
where
    E: ElementType,
    E::Output: JsCast + Clone + 'static,
    T: Clone + Default + PartialEq + Send + Sync + 'static,
{
    let seen = on_screen(node);
    published(Memo::new(move |previous: Option<&T>| {
        beat.track();
        if !seen.get() {
            return previous.cloned().unwrap_or_default();
        }
        compute()
    }))
}
