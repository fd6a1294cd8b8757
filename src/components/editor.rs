//! The code editor: CodeMirror 6 (bundled in `public/vendor/editor.js`) wrapped in a Leptos
//! component. [`CodeEditor`] takes its text, language, read-only flag and diagnostics as
//! signals and reports every change through a callback; [`WorldFileEditor`] binds it to a file
//! of the world: each change is the file's pending edit ([`Sim::edit`]), which reaches the world
//! as an `EditFile` action once typing pauses. If the bundle failed to load, a
//! plain text area takes its place so nothing typed is lost.

use crate::components::rule_tests::RuleTests;
use crate::i18n::tr;
use crate::session::Sim;
use leptos::prelude::*;
use opsdojo_engine::alerting::unit_test::is_unit_test_file;
use opsdojo_engine::{Diagnostic, Severity};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = OpsdojoEditor, js_name = create)]
    fn editor_create(
        parent: &web_sys::HtmlElement,
        value: &str,
        language: &str,
        read_only: bool,
        on_change: &Closure<dyn FnMut(String)>,
    ) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_namespace = OpsdojoEditor, js_name = setValue)]
    fn editor_set_value(handle: &JsValue, value: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_namespace = OpsdojoEditor, js_name = setLineDiagnostics)]
    fn editor_set_diagnostics(handle: &JsValue, diagnostics: JsValue) -> Result<(), JsValue>;
    #[wasm_bindgen(catch, js_namespace = OpsdojoEditor, js_name = setReadOnly)]
    fn editor_set_read_only(handle: &JsValue, read_only: bool) -> Result<(), JsValue>;
    #[wasm_bindgen(catch, js_namespace = OpsdojoEditor, js_name = destroy)]
    fn editor_destroy(handle: &JsValue) -> Result<(), JsValue>;
}

thread_local! {
    /// The script element that loads `editor.js`, made by the first editor or page that asks,
    /// with the promise of how it ends ([`EditorScript`]).
    static SCRIPT: std::cell::RefCell<Option<EditorScript>> = const { std::cell::RefCell::new(None) };
}

/// How long an editor on a page that never says it is interactive waits before it fetches
/// `editor.js` itself.
const UNSIGNALLED_PAGE_MS: i32 = 2000;

/// What the editor's script element says once CodeMirror is defined (`editor/loader.js`).
const READY: &str = "editor-ready";
/// What it says when the script or one of CodeMirror's layers could not be loaded: `error`
/// for the script itself, `editor-failed` for a layer.
const FAILED_EVENTS: [&str; 2] = ["error", "editor-failed"];

/// The script element that loads `editor.js`, and a promise that resolves once it has defined
/// `OpsdojoEditor` or rejects once it has failed: every waiter waits on that one promise.
#[derive(Clone)]
struct EditorScript {
    element: web_sys::Element,
    settled: js_sys::Promise,
}

/// The script that loads `editor.js` (CodeMirror, 155 kB gzip, a layer per task), made once.
/// The page does not list the script: a lesson becomes interactive without it, its editors show
/// their text meanwhile, and the script is added to the page once the page is interactive
/// ([`load_editor_script`]).
fn editor_script() -> Option<EditorScript> {
    if let Some(script) = SCRIPT.with_borrow(Clone::clone) {
        return Some(script);
    }
    let document = web_sys::window()?.document()?;
    let element = document.create_element("script").ok()?;
    element.set_attribute("src", "/editor.js").ok()?;
    let settled = js_sys::Promise::new(&mut |resolve, reject| {
        let _ = element.add_event_listener_with_callback(READY, &resolve);
        for event in FAILED_EVENTS {
            let _ = element.add_event_listener_with_callback(event, &reject);
        }
    });
    // Said once, whoever waits; and a failure nobody waits for is not an unhandled rejection.
    let on_failure = Closure::once(|_: JsValue| {
        leptos::logging::warn!("opsdojo: editor.js did not load; editors are text areas");
    });
    let _ = settled.catch(&on_failure);
    // One closure for the page's life: the promise calls it at most once.
    on_failure.forget();
    let script = EditorScript { element, settled };
    SCRIPT.set(Some(script.clone()));
    Some(script)
}

/// Adds `editor.js` to the page, once: called when the page is interactive
/// (`crate::offline::page_interactive`), so that a later lesson has the editor at hand.
pub fn load_editor_script() {
    let Some(script) = editor_script() else {
        return;
    };
    if script.element.is_connected() {
        return;
    }
    if let Some(body) = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.body())
    {
        let _ = body.append_child(&script.element);
    }
}

/// Whether `editor.js` has run: it defines `OpsdojoEditor`.
fn editor_defined(window: &web_sys::Window) -> bool {
    js_sys::Reflect::has(window, &JsValue::from_str("OpsdojoEditor")).unwrap_or(false)
}

/// Waits until `editor.js` has run, adding it to the page now if it is not there: the zip
/// reader of pack archives comes with it.
pub async fn editor_script_loaded() -> Result<(), String> {
    const FAILED: &str = "editor.js did not load";
    let window = web_sys::window().ok_or("there is no window")?;
    if editor_defined(&window) {
        return Ok(());
    }
    let script = editor_script().ok_or(FAILED)?;
    load_editor_script();
    wasm_bindgen_futures::JsFuture::from(script.settled)
        .await
        .map(|_| ())
        .map_err(|_| FAILED.to_string())
}

/// Whether `editor.js` may be used: true once it has defined `OpsdojoEditor`, or once it has
/// failed to load (the editor then falls back to a text area).
fn editor_bundle() -> Signal<bool> {
    let Some(window) = web_sys::window() else {
        return Signal::from(true);
    };
    if editor_defined(&window) {
        return Signal::from(true);
    }
    let Some(script) = editor_script() else {
        return Signal::from(true);
    };
    let ready = RwSignal::new(false);
    // Each editor is made in a task of its own, so that a lesson's editors do not make one long
    // task together (a script that already ended settles this at once, in the next task).
    leptos::task::spawn_local(async move {
        let _ = wasm_bindgen_futures::JsFuture::from(script.settled).await;
        set_timeout(
            move || {
                ready.try_set(true);
            },
            std::time::Duration::ZERO,
        );
    });
    if crate::offline::is_interactive() {
        load_editor_script();
    } else {
        let later = Closure::once_into_js(load_editor_script);
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
            later.unchecked_ref(),
            UNSIGNALLED_PAGE_MS,
        );
    }
    ready.into()
}

/// What the editor needs to keep alive: the CodeMirror handle and the change callback.
struct Mounted {
    handle: JsValue,
    _on_change: Closure<dyn FnMut(String)>,
}

/// A code editor with inline diagnostics and a problem list below it.
#[component]
pub fn CodeEditor(
    /// The text to show; when it changes from outside, the editor follows.
    #[prop(into)]
    value: Signal<String>,
    /// Called with the whole text after each change the user makes.
    #[prop(into)]
    on_change: Callback<String>,
    /// Highlighting: `yaml`, `promql`, `hcl` or `text`. Read once, when the editor mounts.
    #[prop(into)]
    language: String,
    /// Problems to underline and list, with 1-based lines and columns.
    #[prop(into, optional)]
    diagnostics: Signal<Vec<Diagnostic>>,
    /// Whether the text can be changed.
    #[prop(into, optional)]
    read_only: Signal<bool>,
    /// The title above the editor, such as the file's path.
    #[prop(into, optional)]
    title: Option<String>,
) -> impl IntoView {
    let host = NodeRef::<leptos::html::Div>::new();
    let mounted = StoredValue::new_local(None::<Mounted>);
    let fallback = RwSignal::new(false);
    // Set once the editor is made: the effects that talk to it run again then.
    let made = RwSignal::new(false);
    let bundle = editor_bundle();

    Effect::new(move |_| {
        let Some(element) = host.get() else { return };
        if !bundle.get() || mounted.with_value(Option::is_some) || fallback.get_untracked() {
            return;
        }
        let closure = Closure::<dyn FnMut(String)>::new(move |text: String| on_change.run(text));
        let created = editor_create(
            &element,
            &value.get_untracked(),
            &language,
            read_only.get_untracked(),
            &closure,
        );
        match created {
            Ok(handle) => {
                mounted.set_value(Some(Mounted {
                    handle,
                    _on_change: closure,
                }));
                made.set(true);
            }
            Err(_) => fallback.set(true),
        }
    });

    // Texts put in the editor from outside (a reset, a restore), not those typed in it.
    let replaced = RwSignal::new(0u64);
    Effect::new(move |_| {
        let text = value.get();
        let changed = mounted.with_value(|mounted| {
            mounted.as_ref().is_some_and(|mounted| {
                editor_set_value(&mounted.handle, &text).is_ok_and(|done| done.is_truthy())
            })
        });
        if changed {
            replaced.update(|count| *count += 1);
        }
    });
    Effect::new(move |_| {
        let current = diagnostics.get();
        // Again after a text from outside, whose positions are new; a typed key needs nothing:
        // the editor moves the diagnostics it shows along with the text.
        replaced.track();
        made.track();
        mounted.with_value(|mounted| {
            if let Some(mounted) = mounted {
                let _ = editor_set_diagnostics(&mounted.handle, diagnostics_to_js(&current));
            }
        });
    });
    Effect::new(move |_| {
        let locked = read_only.get();
        made.track();
        mounted.with_value(|mounted| {
            if let Some(mounted) = mounted {
                let _ = editor_set_read_only(&mounted.handle, locked);
            }
        });
    });

    on_cleanup(move || {
        mounted.with_value(|mounted| {
            if let Some(mounted) = mounted {
                let _ = editor_destroy(&mounted.handle);
            }
        });
    });

    let data_path = title.clone();
    view! {
        <div class="editor" data-testid="editor" data-path=data_path>
            {title
                .map(|title| {
                    view! {
                        <div class="editor-title">
                            <span class="file-dot" aria-hidden="true"></span>
                            <span class="editor-path">{title}</span>
                        </div>
                    }
                })}
            <div class="editor-host" node_ref=host></div>
            // The text, until CodeMirror shows it.
            <Show when=move || !made.get() && !fallback.get()>
                <pre class="editor-pending" data-testid="editor-pending" tabindex="0">
                    {move || value.get()}
                </pre>
            </Show>
            <Show when=move || fallback.get()>
                <p class="editor-note" role="status" data-testid="editor-fallback-note">
                    {tr!("editor.fallback")}
                </p>
                <textarea
                    class="editor-fallback"
                    spellcheck="false"
                    readonly=move || read_only.get()
                    prop:value=move || value.get()
                    on:input=move |event| on_change.run(event_target_value(&event))
                ></textarea>
            </Show>
            <ProblemList diagnostics=diagnostics />
        </div>
    }
}

/// An editor on the world file at `path`: each change is the file's pending edit, shown at
/// once and applied to the world when typing pauses.
#[component]
pub fn WorldFileEditor(
    /// Path of the world file to edit.
    path: String,
) -> impl IntoView {
    let sim = expect_context::<Sim>();
    let file_path = path.clone();
    let file = Memo::new(move |_| {
        sim.snapshot
            .with(|snapshot| snapshot.files.iter().find(|f| f.path == file_path).cloned())
    });
    let language = file.get_untracked().map_or("text", |f| f.language.as_str());
    let edit_path = StoredValue::new(path.clone());
    view! {
        <CodeEditor
            value=Signal::derive({
                let path = path.clone();
                move || {
                    sim.pending_text(&path)
                        .or_else(|| file.with(|f| f.as_ref().map(|f| f.content.clone())))
                        .unwrap_or_default()
                }
            })
            diagnostics=Signal::derive(move || {
                file.get().map(|f| f.diagnostics).unwrap_or_default()
            })
            on_change=Callback::new(move |content: String| {
                sim.edit(edit_path.get_value(), content)
            })
            language=language
            title=path.clone()
        />
        {move || {
            file.with(|f| { f.as_ref().is_some_and(|f| is_unit_test_file(&f.path, &f.content)) })
                .then(|| view! { <RuleTests path=path.clone() /> })
        }}
    }
}

/// The diagnostics under an editor, or a reassuring line when there are none.
#[component]
fn ProblemList(diagnostics: Signal<Vec<Diagnostic>>) -> impl IntoView {
    view! {
        <ul class="problems" data-testid="problems">
            <Show when=move || diagnostics.with(Vec::is_empty)>
                <li class="problem problem-ok">"✓ " {tr!("files.no_problems")}</li>
            </Show>
            <For
                each=move || diagnostics.get()
                key=|d| format!("{}:{}:{}", d.line, d.column, d.message)
                let:diagnostic
            >
                <li
                    class="problem"
                    class:problem-error=diagnostic.severity == Severity::Error
                    class:problem-warning=diagnostic.severity == Severity::Warning
                >
                    <span class="problem-where">
                        {format!("{}:{}", diagnostic.line, diagnostic.column)}
                    </span>
                    <span class="problem-message">{diagnostic.message.clone()}</span>
                    {diagnostic
                        .hint
                        .clone()
                        .map(|hint| view! { <span class="problem-hint">{hint}</span> })}
                </li>
            </For>
        </ul>
    }
}

fn diagnostics_to_js(diagnostics: &[Diagnostic]) -> JsValue {
    let array = js_sys::Array::new();
    for diagnostic in diagnostics {
        let object = js_sys::Object::new();
        let set = |key: &str, value: JsValue| {
            let _ = js_sys::Reflect::set(&object, &key.into(), &value);
        };
        set("line", (diagnostic.line as f64).into());
        set("column", (diagnostic.column as f64).into());
        set(
            "severity",
            match diagnostic.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            }
            .into(),
        );
        let message = match &diagnostic.hint {
            Some(hint) => format!("{} (hint: {hint})", diagnostic.message),
            None => diagnostic.message.clone(),
        };
        set("message", message.into());
        array.push(&object);
    }
    array.into()
}
