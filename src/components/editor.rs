//! The code editor: CodeMirror 6 (bundled in `public/vendor/editor.js`) editing a file of the
//! world. Every change becomes an `EditFile` action; the engine's diagnostics come back as
//! underlines and are listed below the editor. If the bundle failed to load, a plain text area
//! takes its place so nothing typed is lost.

use crate::i18n::tr;
use crate::session::Sim;
use leptos::prelude::*;
use opsdojo_engine::world::{Action, FileSnapshot};
use opsdojo_engine::Severity;
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
    fn editor_set_value(handle: &JsValue, value: &str) -> Result<(), JsValue>;
    #[wasm_bindgen(catch, js_namespace = OpsdojoEditor, js_name = setLineDiagnostics)]
    fn editor_set_diagnostics(handle: &JsValue, diagnostics: JsValue) -> Result<(), JsValue>;
    #[wasm_bindgen(catch, js_namespace = OpsdojoEditor, js_name = destroy)]
    fn editor_destroy(handle: &JsValue) -> Result<(), JsValue>;
}

/// What the editor needs to keep alive: the CodeMirror handle and the change callback.
struct Mounted {
    handle: JsValue,
    _on_change: Closure<dyn FnMut(String)>,
}

/// An editor on the world file at `path`.
#[component]
pub fn CodeEditor(
    /// Path of the world file to edit.
    path: String,
) -> impl IntoView {
    let sim = expect_context::<Sim>();
    let host = NodeRef::<leptos::html::Div>::new();
    let mounted = StoredValue::new_local(None::<Mounted>);
    let fallback = RwSignal::new(false);
    let file_path = path.clone();
    let file = Memo::new(move |_| {
        sim.snapshot
            .with(|snapshot| snapshot.files.iter().find(|f| f.path == file_path).cloned())
    });

    let edit_path = StoredValue::new(path.clone());
    let edit = move |content: String| {
        sim.apply(Action::EditFile {
            path: edit_path.get_value(),
            content,
        })
    };

    let create_edit = edit;
    Effect::new(move |_| {
        let Some(element) = host.get() else { return };
        if mounted.with_value(Option::is_some) || fallback.get_untracked() {
            return;
        }
        let Some(current) = file.get_untracked() else {
            return;
        };
        let on_change = Closure::<dyn FnMut(String)>::new(move |text: String| create_edit(text));
        match editor_create(
            &element,
            &current.content,
            current.language,
            false,
            &on_change,
        ) {
            Ok(handle) => mounted.set_value(Some(Mounted {
                handle,
                _on_change: on_change,
            })),
            Err(_) => fallback.set(true),
        }
    });

    Effect::new(move |_| {
        let Some(current) = file.get() else { return };
        mounted.with_value(|mounted| {
            if let Some(mounted) = mounted {
                let _ = editor_set_value(&mounted.handle, &current.content);
                let _ = editor_set_diagnostics(&mounted.handle, diagnostics_to_js(&current));
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

    let problems = move || file.get().map(|f| f.diagnostics).unwrap_or_default();
    view! {
        <div class="editor" data-testid="editor" data-path=path.clone()>
            <div class="editor-title">
                <span class="file-dot" aria-hidden="true"></span>
                <span class="editor-path">{path.clone()}</span>
            </div>
            <div class="editor-host" node_ref=host></div>
            <Show when=move || fallback.get()>
                <textarea
                    class="editor-fallback"
                    spellcheck="false"
                    prop:value=move || file.get().map(|f| f.content).unwrap_or_default()
                    on:input=move |event| edit(event_target_value(&event))
                ></textarea>
            </Show>
            <ul class="problems" data-testid="problems">
                <Show when=move || problems().is_empty()>
                    <li class="problem problem-ok">"✓ " {tr("files.no_problems")}</li>
                </Show>
                <For
                    each=problems
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
        </div>
    }
}

fn diagnostics_to_js(file: &FileSnapshot) -> JsValue {
    let array = js_sys::Array::new();
    for diagnostic in &file.diagnostics {
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
            Some(hint) => format!("{} ({hint})", diagnostic.message),
            None => diagnostic.message.clone(),
        };
        set("message", message.into());
        array.push(&object);
    }
    array.into()
}
