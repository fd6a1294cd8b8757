// The editor's first layer, evaluated in a task of its own (editor/loader.js): the document
// and its state.
export { EditorState, Compartment } from "@codemirror/state";
