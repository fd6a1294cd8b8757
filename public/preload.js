// Inlined at the top of index.html, before the app's WebAssembly is even requested.
//
// It puts the page in the learner's theme, as `storage::load_theme` picks it, so that the page
// shown while the app downloads is not the other colour.
//
// It fetches the lesson files the address names, and keeps each file's text (a promise) in
// `window.opsdojoPreloaded` by its path. The app takes a file from there once (`preloaded` in
// src/catalog.rs): the text is there when the app starts, so it reads the lesson in the task that
// mounts it, with no round trip and no frame of a loading page in between. A file that could not
// be fetched is kept as `null`, and the app asks for it itself, so that the error it shows is the
// server's. The language is guessed as `storage::load_locale` chooses it, and every address whose
// files come from elsewhere (a pack folder, a pack from an address) is left alone: a wrong guess
// costs a download, never a wrong lesson.
(() => {
  const saved = (key) => {
    try {
      return localStorage.getItem(key);
    } catch {
      return null; // Storage turned off: the browser's preference decides, as in the app.
    }
  };
  let theme = saved("opsdojo.theme");
  if (theme !== "light" && theme !== "dark") {
    theme = matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }
  document.documentElement.dataset.theme = theme;

  let locale = saved("opsdojo.locale");
  if (locale !== "en" && locale !== "fr") {
    locale = (navigator.language || "").startsWith("fr") ? "fr" : "en";
  }

  // An app that cannot start (its module or script refused, an error before it mounts) says so
  // in the page shown meanwhile, rather than leaving it loading forever.
  const french = locale === "fr";
  const stalled = (event) => {
    const boot = document.getElementById("boot");
    const script = event.target instanceof HTMLScriptElement;
    if (!boot || boot.querySelector(".boot-error") || (event.type === "error" && !script && !event.error)) return;
    const reason =
      String(event.reason?.message ?? event.error?.message ?? (script ? event.target.src : event.reason ?? "")) ||
      (french ? "un de ses scripts n'a pas pu être chargé" : "one of its scripts could not be loaded");
    const note = document.createElement("p");
    note.className = "boot-error";
    note.setAttribute("role", "alert");
    note.textContent = french
      ? `opsdojo n'a pas pu démarrer (${reason}). Rechargez la page pour réessayer : votre progression est conservée.`
      : `opsdojo could not start (${reason}). Reload the page to try again: your progress is kept.`;
    boot.removeAttribute("aria-busy");
    boot.querySelector(".boot-progress")?.remove();
    boot.append(note);
  };
  addEventListener("unhandledrejection", stalled);
  addEventListener("error", stalled, true);

  const NAME = "[A-Za-z0-9_-]+";
  const path = location.pathname;
  const query = new URLSearchParams(location.search);
  if (query.has("folder") || query.has("pack")) return;
  const files = [];
  const lesson = new RegExp(`^/lessons/(${NAME})/(${NAME})$`).exec(path);
  if (lesson) {
    files.push(`${lesson[1]}/pack.yaml`, `${lesson[1]}/${lesson[2]}.md`);
  } else if (path === "/") {
    files.push("packs.yaml");
  }
  const kept = Object.create(null);
  for (const file of files) {
    const url = `/lessons/${locale}/${file}`;
    kept[url] = fetch(url)
      .then((response) => (response.ok ? response.text() : null))
      .catch(() => null);
  }
  window.opsdojoPreloaded = kept;
})();
