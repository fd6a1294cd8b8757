// Loads the code editor, served as /editor.js: a classic script that src/components/editor.rs
// adds to the page once the page is interactive. CodeMirror's 470 kB took one task of 20 to 55
// ms to evaluate, long enough to hold a frame of the running clock; its ES modules are fetched
// together here, then evaluated one layer at a time, each in a task of its own. Then it sets
// `OpsdojoEditor` and tells its script element: `editor-ready`, or `editor-failed` if a layer
// could not be loaded.
(() => {
  const script = document.currentScript;
  // Every module of the editor, written in by scripts/build-editor.mjs, its layers first in
  // their order: fetched at once rather than as each layer's imports are found, which took two
  // round trips per layer.
  const FILES = [];
  const LAYERS = FILES.filter((file) => file.startsWith("/editor/layers/"));
  for (const file of FILES) {
    const link = document.createElement("link");
    link.rel = "modulepreload";
    link.href = file;
    document.head.append(link);
  }
  const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0));
  (async () => {
    for (const layer of LAYERS) {
      await import(layer);
      await nextTask();
    }
    window.OpsdojoEditor = await import("/editor/editor.js");
    script.dispatchEvent(new Event("editor-ready"));
  })().catch((error) => {
    console.warn("opsdojo: the code editor could not be loaded:", error);
    script.dispatchEvent(new Event("editor-failed"));
  });
})();
