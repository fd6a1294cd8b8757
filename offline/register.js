// Registers the service worker that keeps the app and its lessons available offline. The
// root element says how it went (`data-offline`: `ready`, `unsupported` or `failed`), and a
// failure is written to the console: the app works online either way.
(function () {
  const root = document.documentElement;
  if (!("serviceWorker" in navigator)) {
    root.dataset.offline = "unsupported";
    return;
  }
  navigator.serviceWorker.register("/sw.js").then(
    () => navigator.serviceWorker.ready.then(() => { root.dataset.offline = "ready"; }),
    (error) => {
      root.dataset.offline = "failed";
      console.warn("opsdojo: offline use is not available:", error);
    },
  );
})();
