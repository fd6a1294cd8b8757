// The editor's second layer: the view, CodeMirror's largest part.
export { EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter } from "@codemirror/view";
