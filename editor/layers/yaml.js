// The YAML language, a layer of its own.
export { yaml } from "@codemirror/lang-yaml";
