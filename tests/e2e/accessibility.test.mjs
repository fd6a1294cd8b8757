// Accessibility: axe-core on the catalog, a lesson through every workbench tab, the sandbox
// and the presenter's stage, in both themes. No serious or critical violation is allowed.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { setUp, newPage, withFailureShot } from "./helpers.mjs";

const axePath = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
const TABS = ["files", "terraform", "dashboard", "alerts", "channel", "explore", "kubernetes", "pull-request", "events"];

let env;
before(async () => { env = await setUp(); });
after(async () => { await env?.browser.close(); env?.server.close(); });

/** A page in `theme`, with the page's CSP bypassed so that axe can be injected. */
async function open(path, theme) {
  const opened = await newPage(env.browser, { bypassCSP: true });
  await opened.page.addInitScript((t) => localStorage.setItem("opsdojo.theme", t), theme);
  await opened.page.goto(env.base + path);
  return opened;
}

/** The serious and critical violations on the page as it is, one line each. */
async function violations(page, where) {
  if (!(await page.evaluate(() => typeof window.axe === "object"))) {
    await page.addScriptTag({ path: axePath });
  }
  const result = await page.evaluate(async () => await window.axe.run(document));
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .flatMap((v) => v.nodes.map((n) => `${where}: ${v.id}: ${n.target.join(" ")}: ${(n.failureSummary || "").split("\n")[1] || ""}`));
}

/** Runs the clock at top speed for `ms`, so that charts, alerts and messages fill in. */
async function run(page, ms) {
  await page.selectOption('[data-testid="clock-speed"]', "3600");
  await page.click('[data-testid="clock-play"]');
  await page.waitForTimeout(ms);
  await page.click('[data-testid="clock-play"]');
}

async function everyTab(page, where) {
  const found = [];
  for (const tab of TABS) {
    const button = page.locator(`[data-testid="tab-${tab}"]`);
    if ((await button.count()) === 0) continue;
    await button.click();
    await page.waitForTimeout(300);
    found.push(...(await violations(page, `${where} ${tab}`)));
  }
  return found;
}

for (const theme of ["light", "dark"]) {
  test(`the catalog, a lesson and the sandbox have no serious accessibility violation (${theme})`, async () => {
    const found = [];
    const catalog = await open("/", theme);
    await withFailureShot(catalog.page, `axe-catalog-${theme}`, async () => {
      await catalog.page.locator('.lesson-card').first().waitFor();
      found.push(...(await violations(catalog.page, "catalog")));
    });
    await catalog.context.close();

    const lesson = await open("/lessons/capstone/a-day-on-call", theme);
    await withFailureShot(lesson.page, `axe-lesson-${theme}`, async () => {
      await lesson.page.locator('[data-testid="lesson"]').waitFor();
      await run(lesson.page, 3000);
      found.push(...(await everyTab(lesson.page, "lesson")));
    });
    await lesson.context.close();

    const sandbox = await open("/sandbox", theme);
    await withFailureShot(sandbox.page, `axe-sandbox-${theme}`, async () => {
      await sandbox.page.locator('[data-testid="sandbox"]').waitFor();
      await run(sandbox.page, 2000);
      found.push(...(await everyTab(sandbox.page, "sandbox")));
    });
    await sandbox.context.close();
    assert.deepEqual(found, []);
  });
}

test("the presenter's stage has no serious accessibility violation on any panel", async () => {
  const found = [];
  const { page, context } = await open("/lessons/capstone/a-day-on-call?present", "light");
  await withFailureShot(page, "axe-presenter", async () => {
    await page.locator('[data-testid="presenter"]').waitFor();
    await run(page, 2000);
    for (const [key, panel] of [["1", "text"], ["4", "dashboard"], ["6", "channel"], ["3", "terraform"], ["9", "pull-request"]]) {
      await page.keyboard.press(key);
      await page.locator(`[data-testid="stage-panel"][data-panel="${panel}"]`).waitFor();
      await page.waitForTimeout(300);
      found.push(...(await violations(page, `presenter ${panel}`)));
    }
  });
  await context.close();
  assert.deepEqual(found, []);
});

test("the facilitator's console and a participant's game have no serious accessibility violation", async () => {
  const found = [];
  for (const theme of ["light", "dark"]) {
    const { page, context } = await open("/lessons/gameday/running-a-game-day?facilitate", theme);
    await withFailureShot(page, `axe-gameday-${theme}`, async () => {
      await page.locator('[data-testid="facilitator"]').waitFor();
      for (const kind of ["errors", "burst", "database_class", "finding"]) {
        await page.selectOption('[data-testid="fac-kind"]', kind);
        found.push(...(await violations(page, `facilitator ${kind} ${theme}`)));
      }
      await page.selectOption('[data-testid="fac-kind"]', "errors");
      await page.click('[data-testid="add-to-game"]');
      await page.fill('[data-testid="fac-starts-in"]', "0");
      await page.click('[data-testid="fac-make-link"]');
      const link = await page.locator('[data-testid="fac-link"]').inputValue();
      found.push(...(await violations(page, `facilitator game ${theme}`)));
      await page.goto(link.replace(/^https?:\/\/[^/]+/, env.base));
      await page.locator('[data-testid="game-join"]').waitFor();
      found.push(...(await violations(page, `game join ${theme}`)));
      await page.fill('[data-testid="game-name"]', "Ada");
      await page.click('[data-testid="game-start"]');
      await page.click('[data-testid="game-show-timeline"]');
      await page.locator('[data-testid="game-timeline"]').waitFor();
      found.push(...(await violations(page, `game timeline ${theme}`)));
    });
    await context.close();
  }
  assert.deepEqual(found, []);
});
