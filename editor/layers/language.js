// The editor's third layer: commands, highlighting, the language framework and the lint gutter.
export { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
export { syntaxHighlighting, indentOnInput, bracketMatching, StreamLanguage } from "@codemirror/language";
export { classHighlighter } from "@lezer/highlight";
export { setDiagnostics, lintGutter } from "@codemirror/lint";
