// Browser tests of Explain: a query taken apart into its parts, each evaluated on its own, and
// the pairing of a division whose sides are grouped differently, in the lesson that teaches it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { setUp, newPage, shot, withFailureShot } from "./helpers.mjs";

let env;
before(async () => { env = await setUp(); });
after(async () => { await env?.browser.close(); env?.server.close(); });

const BROKEN = 'sum by (env, project, route) (rate(http_request_seconds_count{status=~"5.."}[1m])) / sum by (env, project) (rate(http_request_seconds_count[1m])) > 0.05';

test("Explain shows each part's results and which series of a division found no partner", async () => {
  const { page, errors, context } = await newPage(env.browser);
  await withFailureShot(page, "explain", async () => {
    await page.goto(env.base + "/lessons/alerting/silent-alert");
    const explorer = page.locator('[data-widget="explore"] [data-testid="explorer"]');
    const tree = explorer.locator('[data-testid="explain"]');
    await tree.waitFor();
    // Let the clock run so that the counters have rates.
    await page.selectOption('[data-testid="clock-speed"]', "60");
    await page.click('[data-testid="clock-play"]');
    await page.waitForFunction(() => {
      const text = document.querySelector('[data-testid="explain"]')?.innerText ?? "";
      return /0 of [1-9]\d* left series/.test(text);
    }, null, { timeout: 60000 });
    await page.click('[data-testid="clock-play"]');

    const parts = tree.locator(".explain-node");
    // >, /, sum, rate, range selector, 0.05's sibling chain: every part is listed.
    assert.ok(await parts.count() >= 8, `parts: ${await parts.count()}`);
    const top = parts.first().locator(":scope > .explain-part");
    assert.match(await top.locator(".explain-kind").innerText(), /^>$/i);
    assert.match(await top.locator(".explain-count").innerText(), /no series/);
    const matching = tree.locator('[data-testid="explain-matching"]').first();
    const text = await matching.innerText();
    assert.match(text, /Series are paired on all their labels but the metric name/);
    assert.match(text, /No partner on the other side for this left series, matched on\s+\{env="[a-z]+", project="[a-z-]+", route="[a-z_]+"\}/);
    assert.match(text, /right series, matched on\s+\{env="[a-z]+", project="[a-z-]+"\}/);
    const selector = parts.filter({ has: page.locator(":scope > .explain-part .explain-kind", { hasText: /^range selector$/i }) }).first();
    assert.match(await selector.locator(":scope > .explain-part .explain-count").innerText(), /\d+ series, \d+ points/);
    await matching.scrollIntoViewIfNeeded();
    await shot(page, "explain-unmatched");

    // The graph is one click away and comes back with the same query.
    await explorer.getByRole("button", { name: "Graph" }).click();
    await explorer.locator('[data-testid="explorer-table"]').waitFor({ state: "attached" });
    assert.equal(await tree.count(), 0);
    await explorer.getByRole("button", { name: "Explain" }).click();
    await tree.waitFor();

    // The fixed query pairs every series.
    const editor = explorer.locator(".cm-content");
    await editor.click();
    await page.keyboard.press("Control+A");
    await page.keyboard.insertText(BROKEN.replace("sum by (env, project) (", "sum by (env, project, route) ("));
    const paired = tree.locator('[data-testid="explain-matching"]', { hasText: /([1-9]\d*) of \1 left series/ }).first();
    await paired.waitFor();
    assert.doesNotMatch(await paired.innerText(), /this left series/);
    // The top comparison now keeps the broken route.
    await tree.locator(".explain-node").first().locator(":scope > .explain-part .explain-count", { hasText: /^1 series$/ }).waitFor();
    await shot(page, "explain-paired");

    // A query that does not parse is underlined in the editor, and nothing breaks.
    await page.keyboard.press("Control+A");
    await page.keyboard.insertText("sum(");
    await explorer.locator(".cm-lintRange-error, .cm-diagnostic-error, .problem-error").first().waitFor();
    assert.deepEqual(errors, []);
  });
  await context.close();
});

test("Explain speaks French with the interface", async () => {
  const { page, errors, context } = await newPage(env.browser);
  await withFailureShot(page, "explain-fr", async () => {
    await page.goto(env.base + "/lessons/alerting/silent-alert");
    await page.evaluate(() => localStorage.setItem("opsdojo.locale", "fr"));
    await page.reload();
    const tree = page.locator('[data-widget="explore"] [data-testid="explain"]');
    await tree.waitFor();
    await page.click('[data-testid="clock-step"]');
    await tree.locator(".explain-what", { hasText: "Additionne les séries qui partagent leurs" }).first().waitFor();
    await tree.locator('[data-testid="explain-matching"]', { hasText: "Les séries sont appariées sur tous leurs labels sauf le nom de la métrique" }).first().waitFor();
    await shot(page, "explain-fr");
    assert.deepEqual(errors, []);
  });
  await context.close();
});
