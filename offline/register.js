// Registers the service worker that keeps the app and its lessons available offline. The
// root element says how it went (`data-offline`: `ready`, `unsupported` or `failed`), and a
// failure is written to the console: the app works online either way.
//
// The worker's install downloads the whole build (some 6 MB). It waits until the app says its
// first page is interactive (`opsdojo:interactive`, from src/offline.rs), that page has painted
// and AFTER_INTERACTIVE_MS have passed, or FALLBACK_MS after the page's `load` for a page that
// never says so. Until then the network and the processor are the page's: the editor's script
// and the rest of the app's module come first, and so do the learner's first clicks.
(function () {
  const AFTER_INTERACTIVE_MS = 2000;
  const FALLBACK_MS = 5000;
  const root = document.documentElement;
  if (!("serviceWorker" in navigator)) {
    root.dataset.offline = "unsupported";
    return;
  }
  let started = false;
  function register() {
    if (started) return;
    started = true;
    navigator.serviceWorker.register("/sw.js").then(
      () => navigator.serviceWorker.ready.then(() => { root.dataset.offline = "ready"; }),
      (error) => {
        root.dataset.offline = "failed";
        console.warn("opsdojo: offline use is not available:", error);
      },
    );
  }
  window.addEventListener(
    "opsdojo:interactive",
    () => requestAnimationFrame(() => setTimeout(register, AFTER_INTERACTIVE_MS)),
    { once: true },
  );
  window.addEventListener("load", () => setTimeout(register, FALLBACK_MS), { once: true });
})();
