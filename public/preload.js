// Inlined at the top of index.html: starts fetching the lesson files the address names while
// the app's WebAssembly downloads, so that the app finds them already there (a
// `<link rel="preload" as="fetch">` that its own request matches) instead of asking for them
// once it has started, one round trip later. It guesses the language as `storage::load_locale`
// chooses it, and leaves alone every address whose files come from elsewhere (a pack folder, a
// pack from an address): a wrong guess costs a download, never a wrong lesson.
(() => {
  const NAME = "[A-Za-z0-9_-]+";
  const path = location.pathname;
  const query = new URLSearchParams(location.search);
  if (query.has("folder") || query.has("pack")) return;
  let locale = null;
  try {
    locale = localStorage.getItem("opsdojo.locale");
  } catch {
    // Storage turned off: the browser's language decides, as in the app.
  }
  if (locale !== "en" && locale !== "fr") {
    locale = (navigator.language || "").startsWith("fr") ? "fr" : "en";
  }
  const files = [];
  const lesson = new RegExp(`^/lessons/(${NAME})/(${NAME})$`).exec(path);
  if (lesson) {
    files.push(`${lesson[1]}/pack.yaml`, `${lesson[1]}/${lesson[2]}.md`);
  } else if (path === "/") {
    files.push("packs.yaml");
  }
  for (const file of files) {
    const link = document.createElement("link");
    link.rel = "preload";
    link.as = "fetch";
    link.crossOrigin = "anonymous";
    link.href = `/lessons/${locale}/${file}`;
    document.head.append(link);
  }
})();
