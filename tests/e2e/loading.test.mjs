// How a first visit fetches what it shows: the lesson's files the address names start with the
// page (public/preload.js) and are not fetched again, a lesson never opened does not wait for
// IndexedDB, and the catalog asks for its files together rather than one after another
// (src/catalog.rs).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { setUp, newPage, shot, withFailureShot } from "./helpers.mjs";

let env;
before(async () => { env = await setUp(); });
after(async () => { await env?.browser.close(); env?.server.close(); });

/** Every request the page makes, by path, with how the page started it. */
function recordRequests(page) {
  const seen = [];
  page.on("request", (request) => {
    const url = new URL(request.url());
    if (url.origin === new URL(env.base).origin) seen.push({ path: url.pathname, search: url.search });
  });
  return seen;
}

/** The resource entries of the lesson files and of the first module, with when each started. */
const entries = (page) => page.evaluate(() => performance.getEntriesByType("resource")
  .filter((entry) => /^\/lessons\/|_bg\.wasm$/.test(new URL(entry.name).pathname))
  .map((entry) => ({ path: new URL(entry.name).pathname, initiator: entry.initiatorType, start: entry.startTime })));

test("a lesson's files start with the page, are fetched once, and a first visit does not wait for the database", async () => {
  const { page, context, errors } = await newPage(env.browser);
  // When the page first opens IndexedDB, against when the lesson says it is interactive.
  await context.addInitScript(() => {
    const open = IDBFactory.prototype.open;
    IDBFactory.prototype.open = function (...args) {
      window.__firstOpen ??= performance.now();
      return open.apply(this, args);
    };
    addEventListener("opsdojo:interactive", () => { window.__interactive ??= performance.now(); });
  });
  const seen = recordRequests(page);
  await withFailureShot(page, "loading-preload", async () => {
    await page.goto(env.base + "/lessons/alerting/route-5xx-alert");
    await page.locator('[data-testid="lesson"]').waitFor();
    const files = ["/lessons/en/alerting/pack.yaml", "/lessons/en/alerting/route-5xx-alert.md"];
    for (const file of files) {
      assert.equal(seen.filter((request) => request.path === file).length, 1, `${file} fetched once`);
    }
    const started = await entries(page);
    const module = started.find((entry) => entry.path.endsWith("_bg.wasm"));
    assert.ok(module, "the first module was fetched");
    for (const file of files) {
      const entry = started.find((each) => each.path === file);
      assert.equal(entry?.initiator, "fetch", `${file} fetched by a script`);
      assert.ok(entry.start < module.start, `${file} asked for before the module`);
    }
    // The page shown while the module downloads is gone.
    assert.equal(await page.locator("#boot").count(), 0);
    const { firstOpen, interactive } = await page.evaluate(() => ({ firstOpen: window.__firstOpen, interactive: window.__interactive }));
    assert.ok(interactive > 0, "the lesson said it was interactive");
    assert.ok(firstOpen === undefined || firstOpen > interactive, "IndexedDB opened only after the lesson was interactive");
    assert.deepEqual(errors, []);
  });
});

test("the files' fetch follows the saved language and leaves packs from elsewhere alone", async () => {
  const { page, context, errors } = await newPage(env.browser);
  await context.addInitScript(() => localStorage.setItem("opsdojo.locale", "fr"));
  await withFailureShot(page, "loading-preload-fr", async () => {
    await page.goto(env.base + "/lessons/infrastructure/reading-a-plan");
    await page.locator('[data-testid="lesson"]').waitFor();
    const started = await entries(page);
    const module = started.find((entry) => entry.path.endsWith("_bg.wasm"));
    const lesson = started.filter((entry) => entry.path === "/lessons/fr/infrastructure/reading-a-plan.md");
    assert.equal(lesson.length, 1);
    assert.ok(lesson[0].start < module.start);
    assert.ok(!started.some((entry) => entry.path.startsWith("/lessons/en/")), "nothing English fetched");
    // A pack from an address: its files are not the shipped ones, so nothing is guessed.
    const other = await context.newPage();
    const seen = recordRequests(other);
    await other.goto(env.base + "/lessons/alerting/route-5xx-alert?pack=" + encodeURIComponent(env.base + "/lessons/en/alerting/pack.yaml"));
    await other.waitForLoadState("domcontentloaded");
    assert.equal(await other.evaluate(() => window.opsdojoPreloaded), undefined);
    assert.ok(seen.length > 0);
    assert.deepEqual(errors, []);
  });
});

test("a file the page could not fetch first is asked for again, and its error is the server's", async () => {
  const { page, errors } = await newPage(env.browser);
  let asked = 0;
  await page.route("**/lessons/en/basics/no-such-lesson.md", (route) => {
    asked += 1;
    return route.fulfill({ status: 404, body: "not found" });
  });
  await withFailureShot(page, "loading-preload-missing", async () => {
    await page.goto(env.base + "/lessons/basics/no-such-lesson");
    const error = page.locator('[data-testid="lesson-error"]');
    await error.waitFor();
    assert.match(await error.innerText(), /no-such-lesson/);
    assert.equal(asked, 2, "the page's first script and the app each asked once");
    // The 404 is the app's to show, not an error of the page.
    assert.ok(errors.every((error) => /404|Not Found/i.test(error)), errors.join("\n"));
  });
});

test("the modules are asked for before the style sheet, whose arrival would hold them back", async () => {
  const html = await (await fetch(env.base + "/lessons/basics/playground")).text();
  const at = (pattern) => html.search(pattern);
  const sheet = at(/<link rel="stylesheet"/);
  assert.ok(sheet > 0, "a style sheet");
  for (const [what, pattern] of [
    ["the first module's preload", /<link rel="preload" href="\/[^"]+_bg\.wasm"/],
    ["the app's script preload", /<link rel="modulepreload" href="\/opsdojo-web-[0-9a-f]+\.js"/],
    ["the second module's loader", /<script>\s*const SECOND = /],
  ]) {
    const index = at(pattern);
    assert.ok(index > 0 && index < sheet, `${what} before the style sheet`);
  }
  assert.ok(at(/<meta http-equiv="Content-Security-Policy"/) < at(/<link rel="preload"/), "the policy before them");
});

test("an app that cannot start says so on the page shown while it downloads", async () => {
  for (const [what, pattern] of [["the module", /_bg\.wasm$/], ["the app's script", /\/opsdojo-web-[0-9a-f]+\.js$/]]) {
    const { page, context } = await newPage(env.browser);
    await context.addInitScript(() => localStorage.setItem("opsdojo.theme", "dark"));
    await page.route(pattern, (route) => route.fulfill({ status: 404, contentType: "text/plain", body: "not found" }));
    await withFailureShot(page, "loading-cannot-start", async () => {
      await page.goto(env.base + "/lessons/basics/playground");
      const note = page.locator('#boot .boot-error[role="alert"]');
      await note.waitFor({ timeout: 15000 });
      assert.match(await note.innerText(), /could not start \(.+\)\. Reload the page/, what);
      assert.equal(await page.locator("#boot .boot-progress").count(), 0, "the stripe stopped");
      assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), "dark");
      if (what === "the module") await shot(page, "boot-cannot-start");
    });
    await context.close();
  }
});

test("the catalog asks for its packs' files together", async () => {
  const { page, errors } = await newPage(env.browser);
  // Each lesson file answers after a pause: a catalog that waits for each before asking for the
  // next has one in flight at a time.
  let inFlight = 0;
  let most = 0;
  await page.route(/\/lessons\/en\/[^/]+\/[^/]+\.md$/, async (route) => {
    inFlight += 1;
    most = Math.max(most, inFlight);
    await new Promise((resolve) => setTimeout(resolve, 150));
    inFlight -= 1;
    await route.continue();
  });
  await withFailureShot(page, "loading-catalog", async () => {
    await page.goto(env.base + "/");
    await page.locator(".lesson-card").first().waitFor();
    const cards = await page.locator(".lesson-card").count();
    const shipped = await page.evaluate(async () => {
      const index = await (await fetch("/lessons/en/packs.yaml")).text();
      return index.split("\n").filter((line) => /^\s*-\s/.test(line)).length;
    });
    assert.ok(shipped > 1);
    assert.ok(cards >= shipped, `${cards} lesson cards for ${shipped} packs`);
    assert.ok(most > 1, `at most ${most} lesson file(s) in flight at once`);
    // The packs keep the order packs.yaml gives them.
    const order = await page.locator("[data-pack]").evaluateAll((packs) => packs.map((pack) => pack.dataset.pack));
    const index = await page.evaluate(async () => (await (await fetch("/lessons/en/packs.yaml")).text())
      .split("\n").filter((line) => /^\s*-\s/.test(line)).map((line) => line.replace(/^\s*-\s*/, "").trim()));
    assert.deepEqual(order.filter((id) => index.includes(id)), index);
    assert.deepEqual(errors, []);
  });
});

test("the code editor arrives a layer at a time, and a layer that cannot be loaded leaves a plain text area that says so", async () => {
  const { page, errors } = await newPage(env.browser);
  const layers = [];
  page.on("request", (request) => {
    const path = new URL(request.url()).pathname;
    if (path.startsWith("/editor/layers/")) layers.push(path);
  });
  await withFailureShot(page, "loading-editor-layers", async () => {
    await page.goto(env.base + "/lessons/basics/playground");
    await page.locator('[data-widget="editor"] .cm-editor').waitFor();
    assert.deepEqual(layers, ["state", "view", "language", "yaml", "promql"].map((layer) => `/editor/layers/${layer}.js`));
    assert.deepEqual(errors, []);
  });
  const broken = await newPage(env.browser);
  await broken.page.route("**/editor/layers/promql.js", (route) => route.fulfill({ status: 404, body: "not found" }));
  await withFailureShot(broken.page, "loading-editor-failed", async () => {
    await broken.page.goto(env.base + "/lessons/basics/playground");
    const note = broken.page.locator('[data-widget="editor"] [data-testid="editor-fallback-note"]');
    await note.waitFor();
    assert.match(await note.innerText(), /could not be loaded/);
    const area = broken.page.locator('[data-widget="editor"] .editor-fallback');
    assert.match(await area.inputValue(), /users:/);
    assert.equal(await broken.page.locator('[data-widget="editor"] .cm-editor').count(), 0);
    await shot(broken.page, "editor-fallback");
  });
});

test("in a browser without requestIdleCallback, an explorer still queries once it is seen", async () => {
  const { page, context, errors } = await newPage(env.browser);
  await context.addInitScript(() => { delete window.requestIdleCallback; });
  await withFailureShot(page, "loading-no-idle-callback", async () => {
    await page.goto(env.base + "/lessons/basics/playground");
    assert.equal(await page.evaluate(() => typeof window.requestIdleCallback), "undefined");
    const explorer = page.locator('[data-testid="explorer"]').first();
    await explorer.scrollIntoViewIfNeeded();
    const rows = explorer.locator('[data-testid="explorer-table"] tr');
    await rows.first().waitFor();
    assert.match(await rows.first().innerText(), /route="get_user"/);
    assert.deepEqual(errors, []);
  });
});
