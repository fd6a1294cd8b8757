// Registers the service worker that keeps the app and its lessons available offline. The
// root element says how it went (`data-offline`: `ready`, `unsupported` or `failed`), and a
// failure is written to the console: the app works online either way.
//
// The worker's install downloads the whole build. It waits until the app says its first page
// is interactive (`opsdojo:interactive`, from src/offline.rs) and that page has painted, or
// FALLBACK_MS after the page's `load` for a page that never says so.
(function () {
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
    () => requestAnimationFrame(() => setTimeout(register, 0)),
    { once: true },
  );
  window.addEventListener("load", () => setTimeout(register, FALLBACK_MS), { once: true });
})();
