// The release build's module in two parts (scripts/split.mjs, public/second-module.js): what a
// first visit downloads before it is interactive, and how the second part arrives after it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { setUp, newPage, shot, withFailureShot } from "./helpers.mjs";

let env;
before(async () => { env = await setUp(); });
after(async () => { await env?.browser.close(); env?.server.close(); });

const FIRST_LESSON = "/lessons/basics/playground";

/** Notes when the page says it is interactive, in the page's own clock. */
async function watchInteractive(context) {
  await context.addInitScript(() => {
    addEventListener("opsdojo:interactive", () => { window.__interactiveAt ??= performance.now(); });
  });
}

/** The files the page started to fetch before it said it was interactive, and after. */
async function fetchedAround(page) {
  await page.waitForFunction(() => window.__interactiveAt !== undefined);
  return page.evaluate(() => {
    const at = window.__interactiveAt;
    const name = (entry) => new URL(entry.name).pathname;
    const entries = performance.getEntriesByType("resource");
    return {
      before: entries.filter((entry) => entry.startTime < at).map(name),
      after: entries.filter((entry) => entry.startTime >= at).map(name),
    };
  });
}

const state = (page) => page.evaluate(() => document.documentElement.dataset.secondModule);

test("the first lesson becomes interactive on the first module, and the rest follows", async () => {
  const { page, errors, context } = await newPage(env.browser);
  await watchInteractive(context);
  await withFailureShot(page, "split-first-lesson", async () => {
    await page.goto(env.base + FIRST_LESSON);
    await page.locator('[data-testid="lesson"]').waitFor();
    // The editor shows its text before CodeMirror has arrived, then CodeMirror takes over.
    await page.locator('[data-widget="editor"] .cm-editor').waitFor();
    await page.waitForFunction(() => document.documentElement.dataset.secondModule === "loaded");
    const fetched = await fetchedAround(page);
    const second = (path) => path.endsWith("_second.wasm");
    assert.ok(fetched.before.some((path) => path.endsWith("_bg.wasm")), fetched.before.join(" "));
    assert.ok(!fetched.before.some((path) => second(path) || path === "/editor.js"), fetched.before.join(" "));
    assert.ok(fetched.after.some(second), fetched.after.join(" "));
    assert.ok(fetched.after.includes("/editor.js"), fetched.after.join(" "));
    assert.equal(await page.locator('[data-testid="editor-pending"]').count(), 0);
    // The tools the lesson did not open at first work: the Terraform tab plans each environment.
    await page.click('[data-testid="tab-terraform"]');
    await page.locator('[data-testid="terraform"]').waitFor();
    assert.deepEqual(errors, []);
  });
  await context.close();
});

test("a lesson opened by its address fetches both modules before it starts", async () => {
  const { page, errors, context } = await newPage(env.browser);
  await watchInteractive(context);
  await withFailureShot(page, "split-deep-link", async () => {
    await page.goto(env.base + "/lessons/infrastructure/reading-a-plan");
    await page.locator('[data-testid="lesson"]').waitFor();
    assert.equal(await state(page), "loaded");
    const fetched = await fetchedAround(page);
    assert.ok(fetched.before.some((path) => path.endsWith("_second.wasm")), fetched.before.join(" "));
    assert.deepEqual(errors, []);
  });
  await context.close();
});

test("a tool used before the second module has arrived loads it at once", async () => {
  const { page, errors, context } = await newPage(env.browser);
  await withFailureShot(page, "split-on-demand", async () => {
    // The fetch after the page is interactive is slow; the request a placeholder makes is not.
    await page.route("**/*_second.wasm", async (route) => {
      if (route.request().resourceType() === "fetch") await new Promise((resolve) => setTimeout(resolve, 4000));
      await route.continue().catch(() => {});
    });
    await page.goto(env.base + FIRST_LESSON);
    await page.locator('[data-testid="lesson"]').waitFor();
    await page.waitForFunction(() => document.documentElement.dataset.secondModule === "fetching");
    await page.click('[data-testid="tab-terraform"]');
    await page.locator('[data-testid="terraform"]').waitFor();
    assert.equal(await state(page), "loaded-on-demand");
    await shot(page, "split-on-demand");
    assert.deepEqual(errors, []);
  });
  await context.close();
});

test("a second module that cannot be fetched is said on the page", async () => {
  const { page, errors, context } = await newPage(env.browser);
  await withFailureShot(page, "split-refused", async () => {
    await page.route("**/*_second.wasm", (route) => route.abort());
    await page.goto(env.base + FIRST_LESSON);
    await page.locator('[data-testid="lesson"]').waitFor();
    await page.click('[data-testid="tab-terraform"]');
    const banner = page.locator('#second-module-error[role="alert"]');
    await banner.waitFor();
    assert.match(await banner.innerText(), /could not load part of itself.*Reload the page/);
    assert.equal(await state(page), "failed");
    await shot(page, "split-refused");
    assert.ok(errors.some((error) => /could not load part of itself/.test(error)), errors.join("\n"));
  });
  await context.close();
});
