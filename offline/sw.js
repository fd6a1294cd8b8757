// The service worker: after the first visit, the app and every lesson of the shipped packs
// work without a network. `scripts/offline.mjs` writes VERSION and FILES above this text at
// build time; a new build has a new VERSION, installs its own cache and deletes the old one.
//
// Hashed assets (the wasm, its glue, the stylesheet) are served from the cache. Pages and
// lessons try the network first, for at most NETWORK_WAIT_MS, so that a lesson author sees a
// changed file on reload; without an answer they come from the cache.
/* global VERSION, FILES */
const CACHE = `opsdojo-${VERSION}`;
const PREFIX = "opsdojo-";
const NETWORK_WAIT_MS = 3000;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(FILES)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith(PREFIX) && n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

/** The network's answer, or nothing after NETWORK_WAIT_MS or on a failure. */
function network(request) {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), NETWORK_WAIT_MS);
    fetch(request).then(
      (response) => { clearTimeout(timer); resolve(response.ok ? response : null); },
      () => { clearTimeout(timer); resolve(null); },
    );
  });
}

async function respond(request) {
  const cache = await caches.open(CACHE);
  const url = new URL(request.url);
  const shipped = FILES.includes(url.pathname);
  // An address of the app (a lesson, the sandbox) is the app's page.
  const key = request.mode === "navigate" && !shipped ? "/index.html" : url.pathname;
  const hashed = /-[0-9a-f]{16}(_bg)?\.(wasm|js|css)$/.test(url.pathname);
  if (hashed) {
    const cached = await cache.match(key);
    if (cached) return cached;
  }
  const fresh = await network(request);
  if (fresh) {
    if (shipped && !hashed) await cache.put(key, fresh.clone());
    return fresh;
  }
  const cached = await cache.match(key);
  return cached || Response.error();
}

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
  const known = FILES.includes(url.pathname) || event.request.mode === "navigate";
  if (!known) return;
  event.respondWith(respond(event.request));
});
