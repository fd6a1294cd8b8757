// Loads the second part of the app's WebAssembly. A release build is split in two by
// scripts/split.mjs: the first module holds the code the catalog and the first lesson run as
// they open; the second holds the rest. The first module calls what it lacks through
// placeholders. A placeholder called before the second module is there loads it at once (a
// synchronous request), then calls the function it stands for; afterwards the table holds the
// function itself.
//
// The catalog and the first lesson start with the first module alone and fetch the second once
// they are interactive. Any other page, and any page the service worker serves (offline, or on a
// later visit), fetches both together and starts once both are there.
// The root element says how far it got (`data-second-module`): `waiting`, `fetching`, `loaded`,
// `loaded-on-demand` (a placeholder needed it first) or `failed`.
//
// scripts/split.mjs writes SECOND, FIRST_ROUTES, GLUE_IMPORTS, PLACEHOLDERS, PRIMARY and TABLE
// above these lines.
(() => {
  const root = document.documentElement;
  let exports = null;
  let loaded = false;
  let compiling = null;
  let bytes = null;

  /** Says on the page that part of the app could not be loaded, then stops the caller. */
  function fail(reason) {
    root.dataset.secondModule = "failed";
    const message = `opsdojo could not load part of itself (${reason}). Reload the page to try again: your progress is kept.`;
    if (!document.getElementById("second-module-error")) {
      const banner = document.createElement("div");
      banner.id = "second-module-error";
      banner.setAttribute("role", "alert");
      banner.textContent = message;
      banner.style.cssText =
        "position:fixed;left:0;right:0;top:0;z-index:1000;padding:10px 16px;background:#b42318;color:#fff;font:14px system-ui,sans-serif";
      document.body.append(banner);
    }
    throw new Error(message);
  }

  function instantiate(module, how = "loaded") {
    if (loaded) return;
    new WebAssembly.Instance(module, { [PRIMARY]: exports });
    loaded = true;
    root.dataset.secondModule = how;
  }

  /**
   * The second module, fetched and compiled. Its bytes are kept: a placeholder called before the
   * compilation has finished compiles them at once instead of fetching them again. Compiling
   * from bytes rather than from the stream keeps the page's thread free (a streamed
   * compilation took some 40 ms of it, just after the first lesson became interactive).
   */
  function compile() {
    if (compiling) return compiling;
    root.dataset.secondModule = "fetching";
    compiling = fetch(SECOND)
      .then((response) => {
        if (!response.ok) throw new Error(`HTTP ${response.status} for ${SECOND}`);
        return response.arrayBuffer();
      })
      .then((buffer) => {
        bytes = buffer;
        return WebAssembly.compile(buffer);
      });
    return compiling;
  }

  /** The second module's bytes, fetched with a synchronous request (`fail` if it cannot be). */
  function fetchNow() {
    const request = new XMLHttpRequest();
    request.open("GET", SECOND, false);
    request.overrideMimeType("text/plain; charset=x-user-defined");
    try {
      request.send();
    } catch (error) {
      fail(error.message);
    }
    if (request.status !== 200) fail(`HTTP ${request.status} for ${SECOND}`);
    const text = request.responseText;
    const received = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) received[i] = text.charCodeAt(i) & 0xff;
    return received;
  }

  /**
   * The second module, loaded now: a placeholder needs it before the compilation has finished.
   * The fetched bytes are compiled if they are there, else fetched here.
   */
  function loadNow() {
    const source = bytes ?? fetchNow();
    try {
      instantiate(new WebAssembly.Module(source), "loaded-on-demand");
    } catch (error) {
      fail(error.message);
    }
  }

  const placeholders = new Proxy(
    {},
    {
      get(_, name) {
        const index = Number(name);
        return (...args) => {
          if (!loaded) loadNow();
          return exports[TABLE].get(index)(...args);
        };
      },
    },
  );

  const path = location.pathname.replace(/\/+$/, "") || "/";
  // A page the service worker serves has both modules in its cache: it waits for both, and never
  // needs a synchronous request (which the service worker does not see, so offline it fails).
  const cached = Boolean(navigator.serviceWorker?.controller);
  const firstOnly = FIRST_ROUTES.includes(path) && !cached;
  root.dataset.secondModule = "waiting";
  if (!firstOnly) compile();

  const streaming = WebAssembly.instantiateStreaming;
  const plain = WebAssembly.instantiate;
  const ours = (imports) => Boolean(imports && imports[GLUE_IMPORTS]);
  const withPlaceholders = (imports) => (ours(imports) ? { ...imports, [PLACEHOLDERS]: placeholders } : imports);

  async function started(result, imports) {
    if (!ours(imports)) return result;
    WebAssembly.instantiateStreaming = streaming;
    WebAssembly.instantiate = plain;
    exports = (result.instance ?? result).exports;
    if (!firstOnly) {
      try {
        instantiate(await compile());
      } catch (error) {
        // The app starts anyway: the first placeholder called tries again, and says so if it fails.
        root.dataset.secondModule = "waiting";
        compiling = null;
        console.warn(`opsdojo: the second module will load when needed (${error.message})`);
      }
      return result;
    }
    let fetched = false;
    const fetchSecond = () => {
      if (fetched) return;
      fetched = true;
      // Once the page has painted what it shows.
      requestAnimationFrame(() => setTimeout(() => {
        compile()
          .then(instantiate)
          .catch((error) => {
            if (!loaded) root.dataset.secondModule = "waiting";
            compiling = null;
            console.warn(`opsdojo: the second module will load when needed (${error.message})`);
          });
      }, 0));
    };
    addEventListener("opsdojo:interactive", fetchSecond, { once: true });
    addEventListener("load", () => setTimeout(fetchSecond, 5000), { once: true });
    return result;
  }

  WebAssembly.instantiateStreaming = async (source, imports) => started(await streaming(source, withPlaceholders(imports)), imports);
  WebAssembly.instantiate = async (source, imports) => started(await plain(source, withPlaceholders(imports)), imports);
})();
