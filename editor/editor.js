// The opsdojo code editor: CodeMirror 6 with YAML, PromQL and HCL, bundled by esbuild into ES
// modules under public/vendor/editor/ (this file and its layers, editor/layers/), which
// editor/loader.js evaluates one layer per task and exposes as the global `OpsdojoEditor`. The
// Leptos component in src/components/editor.rs is its only caller.

import { EditorState, Compartment } from "./layers/state.js";
import { EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter } from "./layers/view.js";
import {
  defaultKeymap, history, historyKeymap, indentWithTab,
  syntaxHighlighting, indentOnInput, bracketMatching, StreamLanguage,
  classHighlighter, setDiagnostics, lintGutter,
} from "./layers/language.js";
import { yaml } from "./layers/yaml.js";
import { PromQLExtension } from "./layers/promql.js";
import { unzipSync } from "fflate";

// HCL highlighting: comments, strings with interpolation, numbers, booleans, block keywords.
const hclLanguage = StreamLanguage.define({
  name: "hcl",
  startState: () => ({ inString: false }),
  token(stream, state) {
    if (state.inString) {
      if (stream.match(/^\$\{[^}]*\}/)) return "variableName.special";
      while (!stream.eol()) {
        const ch = stream.next();
        if (ch === "\\") { stream.next(); continue; }
        if (ch === '"') { state.inString = false; return "string"; }
        if (stream.peek() === "$") return "string";
      }
      return "string";
    }
    if (stream.eatSpace()) return null;
    if (stream.match("#") || stream.match("//")) { stream.skipToEnd(); return "comment"; }
    if (stream.match("/*")) { while (!stream.eol() && !stream.match("*/")) stream.next(); return "comment"; }
    if (stream.eat('"')) { state.inString = true; return "string"; }
    if (stream.match(/^-?\d+(\.\d+)?/)) return "number";
    if (stream.match(/^(true|false|null)\b/)) return "bool";
    if (stream.match(/^(resource|data|variable|output|locals|module|provider|terraform|for_each|count|for|in|if|else|endif|endfor)\b/)) return "keyword";
    if (stream.match(/^[A-Za-z_][\w-]*(?=\s*=)/)) return "propertyName";
    if (stream.match(/^[A-Za-z_][\w.-]*/)) return "variableName";
    stream.next();
    return "operator";
  },
});

function languageExtension(language) {
  switch (language) {
    case "yaml": return yaml();
    case "promql": return new PromQLExtension().asExtension();
    case "hcl": return hclLanguage;
    default: return [];
  }
}

const theme = EditorView.theme({
  "&": { color: "var(--editor-fg)", backgroundColor: "var(--editor-bg)", fontSize: "var(--editor-font-size)" },
  ".cm-content": { fontFamily: "var(--font-mono)", caretColor: "var(--accent)" },
  ".cm-gutters": { backgroundColor: "var(--editor-gutter-bg)", color: "var(--muted)", border: "none" },
  ".cm-activeLine": { backgroundColor: "var(--editor-active-line)" },
  ".cm-activeLineGutter": { backgroundColor: "var(--editor-active-line)" },
  // The browser's own caret and selection: CodeMirror's drawn ones (`drawSelection`) are placed
  // in a measure pass at the next animation frame, so every key reached the screen a frame late.
  ".cm-content ::selection, .cm-content::selection": { backgroundColor: "var(--editor-selection)" },
  ".cm-tooltip": { backgroundColor: "var(--panel)", color: "var(--fg)", border: "1px solid var(--border)" },
});

/** Creates an editor in `parent`; `onChange` receives the whole text after each change. */
export function create(parent, value, language, readOnly, onChange) {
  const readOnlyCompartment = new Compartment();
  const handle = { applyingRemote: false, readOnlyCompartment };
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: value,
      extensions: [
        lineNumbers(), highlightActiveLineGutter(), highlightActiveLine(),
        history(), indentOnInput(), bracketMatching(), lintGutter(),
        syntaxHighlighting(classHighlighter),
        keymap.of([indentWithTab, ...defaultKeymap, ...historyKeymap]),
        languageExtension(language), theme,
        readOnlyCompartment.of(EditorState.readOnly.of(readOnly)),
        // tabindex: the scrolling region is reached from the keyboard, read-only or not.
        EditorView.contentAttributes.of({ "aria-label": "code editor", "data-language": language, tabindex: "0" }),
        EditorView.updateListener.of((update) => {
          if (update.docChanged && !handle.applyingRemote) onChange(update.state.doc.toString());
        }),
      ],
    }),
  });
  handle.view = view;
  return handle;
}

/**
 * Replaces the text when it differs from what the editor shows (an undo from elsewhere, a
 * reset); tells whether it did.
 */
export function setValue(handle, value) {
  const view = handle.view;
  const current = view.state.doc.toString();
  if (current === value) return false;
  handle.applyingRemote = true;
  view.dispatch({ changes: { from: 0, to: current.length, insert: value } });
  handle.applyingRemote = false;
  return true;
}

/** Shows diagnostics: an array of {line, column, severity, message} with 1-based positions. */
export function setLineDiagnostics(handle, diagnostics) {
  const view = handle.view;
  const doc = view.state.doc;
  const converted = diagnostics.map((d) => {
    const lineNumber = Math.min(Math.max(d.line, 1), doc.lines);
    const line = doc.line(lineNumber);
    const from = Math.min(line.from + Math.max(d.column - 1, 0), line.to);
    const to = from < line.to ? line.to : Math.min(from + 1, doc.length);
    return { from, to, severity: d.severity, message: d.message };
  });
  view.dispatch(setDiagnostics(view.state, converted));
}

/** Makes the editor read-only or editable. */
export function setReadOnly(handle, readOnly) {
  handle.view.dispatch({ effects: handle.readOnlyCompartment.reconfigure(EditorState.readOnly.of(readOnly)) });
}

/** Removes the editor from the page. */
export function destroy(handle) {
  handle.view.destroy();
}

// Zip archives of lesson packs, read in the browser (fflate): the page opens a pack from a zip
// as it does from a folder.

/**
 * The text files of a zip archive, as [path, text] pairs. Refuses an archive with more than
 * `maxFiles` files, or whose files would unpack to more than `maxBytes` in all, before
 * unpacking anything: the sizes are read from the archive's directory.
 */
export function unzip(bytes, maxFiles, maxBytes) {
  let files = 0;
  let total = 0;
  const entries = unzipSync(bytes, {
    filter(file) {
      if (file.name.endsWith("/")) return false;
      files += 1;
      total += file.originalSize;
      if (files > maxFiles) throw new Error(`the archive holds more than ${maxFiles} files`);
      if (total > maxBytes) throw new Error(`the archive unpacks to more than ${Math.round(maxBytes / 1048576)} MB`);
      return true;
    },
  });
  const decoder = new TextDecoder();
  return Object.entries(entries).map(([name, data]) => [name, decoder.decode(data)]);
}
