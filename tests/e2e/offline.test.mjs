// Offline: after one visit, the network is cut (the server stops) and every shipped lesson
// still opens; a new build replaces the cache on the next visit.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { CHROMIUM_ARGS, newPage, shot, withFailureShot } from "./helpers.mjs";
import { startServer } from "../../scripts/serve-dist.mjs";

const dist = new URL("../../dist", import.meta.url).pathname;
let browser, copy;
before(async () => {
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
  // A copy of the build, so that the test can make a "new build" of it.
  copy = mkdtempSync(join(tmpdir(), "opsdojo-offline-"));
  cpSync(dist, copy, { recursive: true });
});
after(async () => {
  await browser?.close();
  rmSync(copy, { recursive: true, force: true });
});

/** Serves the copy on `port` (0 for any); returns the server and its base address. */
async function serve(port = 0) {
  const server = await startServer(port, copy);
  return { server, base: `http://127.0.0.1:${server.address().port}` };
}

/** Cuts the network: the server stops and drops its open connections. */
function cut(server) {
  server.closeAllConnections();
  return new Promise((done) => server.close(done));
}

/** Every lesson the shipped English packs list, as app addresses. */
function shippedLessons() {
  const packs = readFileSync(join(copy, "lessons/en/packs.yaml"), "utf8").match(/^  - (.+)$/gm).map((l) => l.slice(4).trim());
  return packs.flatMap((pack) => {
    const manifest = readFileSync(join(copy, `lessons/en/${pack}/pack.yaml`), "utf8");
    return manifest.match(/^  - (.+)\.md$/gm).map((l) => `/lessons/${pack}/${l.slice(4).trim().replace(/\.md$/, "")}`);
  });
}

test("after one visit, every shipped lesson opens with the network cut", async () => {
  const { server, base } = await serve();
  const port = server.address().port;
  const { page, context, errors } = await newPage(browser, { serviceWorkers: "allow" });
  await withFailureShot(page, "offline-lessons", async () => {
    await page.goto(base + "/");
    await page.locator('html[data-offline="ready"]').waitFor({ state: "attached" });
    const cached = await page.evaluate(async () => {
      const names = await caches.keys();
      const cache = await caches.open(names[0]);
      return { names, entries: (await cache.keys()).length };
    });
    assert.equal(cached.names.length, 1);
    assert.ok(cached.entries > 50, `the app and the lessons are cached: ${cached.entries}`);
    await cut(server);
    await page.reload();
    await page.locator(".lesson-card").first().waitFor();
    const lessons = shippedLessons();
    assert.ok(lessons.length >= 15, `${lessons.length} lessons`);
    for (const lesson of lessons) {
      await page.goto(base + lesson);
      await page.locator(`[data-testid="lesson"]`).waitFor({ timeout: 15000 });
    }
    await shot(page, "offline-lesson");
    // French too: the language's packs are cached with the English ones.
    await page.goto(base + "/");
    await page.click('.segmented button:has-text("FR")');
    await page.goto(base + lessons[0]);
    await page.locator(`[data-testid="lesson"]`).waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.lang), "fr");
    const failed = errors.filter((e) => !/ERR_CONNECTION_REFUSED|Failed to load resource/.test(e));
    assert.deepEqual(failed, []);
  });
  await context.close();
  // The port is reused by the next test's server only if free.
  void port;
});

test("a new build replaces the cache on the next visit", async () => {
  let { server, base } = await serve();
  const port = server.address().port;
  const { page, context } = await newPage(browser, { serviceWorkers: "allow" });
  await withFailureShot(page, "offline-new-build", async () => {
    await page.goto(base + "/");
    await page.locator('html[data-offline="ready"]').waitFor({ state: "attached" });
    const [first] = await page.evaluate(() => caches.keys());
    // A new build: another version of the service worker and a changed page.
    await cut(server);
    const sw = readFileSync(join(copy, "sw.js"), "utf8").replace(/^const VERSION = "([0-9a-f]+)";/, 'const VERSION = "0123456789abcdef";');
    writeFileSync(join(copy, "sw.js"), sw);
    const index = readFileSync(join(copy, "index.html"), "utf8").replace("<title>", '<meta name="opsdojo-build" content="next" /><title>');
    writeFileSync(join(copy, "index.html"), index);
    ({ server, base } = await serve(port));
    await page.reload();
    await page.waitForFunction(async () => {
      const names = await caches.keys();
      return names.length === 1 && names[0] === "opsdojo-0123456789abcdef";
    });
    assert.notEqual(first, "opsdojo-0123456789abcdef");
    await page.reload();
    await page.locator('meta[name="opsdojo-build"]').waitFor({ state: "attached" });
  });
  await context.close();
  await cut(server);
});
