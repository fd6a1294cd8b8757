//! Whether a widget is on screen. A lesson can hold explorers and dashboards far below the
//! fold, or in a tab that is not open: their queries wait until they are seen, then follow the
//! clock like any other. Opening a lesson and playing its clock cost only what is shown.

use crate::session::published;
use leptos::html::ElementType;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use web_sys::{IntersectionObserver, IntersectionObserverEntry};

/// True while the element behind `node` meets the viewport (not scrolled away, not in a hidden
/// tab), as an `IntersectionObserver` reports it: false until its first report, which comes
/// with the frame after the element is laid out. A browser without the observer gets true.
fn on_screen<E>(node: NodeRef<E>) -> Signal<bool>
where
    E: ElementType,
    E::Output: JsCast + Clone + 'static,
{
    let seen = RwSignal::new(false);
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
            if let Some(entry) = entries.iter().last() {
                let entry: IntersectionObserverEntry = entry.unchecked_into();
                seen.try_set(entry.is_intersecting());
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
