// A pack on a platform of its own: the shop's two environments and three services everywhere
// on the page, its lesson played to the end, and a typo in a platform file shown with its line.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { setUp, newPage, shot, withFailureShot } from "./helpers.mjs";

const shop = new URL("../../lessons/en/shop/", import.meta.url);
let env;
before(async () => { env = await setUp(); });
after(async () => { await env?.browser.close(); env?.server.close(); });

/** The texts of a segmented choice's buttons. */
async function choices(page, label) {
  return page.locator(`[data-widget="dashboard"] [aria-label="${label}"] button`).allInnerTexts();
}

test("the shop's lesson runs on its platform and is solved by giving checkout an autoscaler", async () => {
  const { page, errors, context } = await newPage(env.browser);
  await withFailureShot(page, "platform-shop", async () => {
    await page.goto(env.base + "/");
    const pack = page.locator('[data-pack="shop"]');
    await pack.locator("h2", { hasText: "The online shop" }).waitFor();
    await pack.locator('[data-lesson="evening-rush"] h3 a').click();
    await page.locator('[data-testid="lesson"] h1', { hasText: "evening rush" }).waitFor();
    await page.locator('[data-widget="editor"] .cm-editor').waitFor();

    // The dashboard, the console and the editor speak of the shop, not of the standard platform.
    assert.deepEqual(await choices(page, "environment"), ["staging", "production"]);
    assert.deepEqual(await choices(page, "project"), ["catalog", "cart", "checkout"]);
    const active = page.locator('[data-widget="dashboard"] [aria-label="project"] button.active');
    assert.equal(await active.innerText(), "checkout");
    const namespaces = await page.locator('[data-testid="kubectl-namespace"] option').allInnerTexts();
    assert.deepEqual(namespaces, ["staging", "production"]);
    const deployments = page.locator('[data-widget="kubectl"] .console-output, [data-widget="kubectl"]');
    const editor = page.locator('[data-widget="editor"] .cm-content');
    assert.match(await editor.innerText(), /checkout: 2/);
    assert.equal(await page.locator('[data-objective="rush-without-timeouts"]').getAttribute("data-met"), "false");
    await shot(page, "platform-shop-start");

    // Run the console's command: the shop's deployments in production.
    await page.locator('[data-testid="kubectl-input"]').press("Enter");
    await page.locator('[data-widget="kubectl"]', { hasText: "checkout" }).waitFor();
    assert.doesNotMatch(await deployments.first().innerText(), /external-signin/);

    // The learner writes the autoscaler into production's values file.
    await editor.click();
    await page.keyboard.press("Control+A");
    await page.keyboard.insertText(
      "replicas:\n  catalog: 2\n  cart: 2\nautoscaling:\n  checkout:\n    minReplicas: 2\n    maxReplicas: 10\n    targetActiveProcessPercentage: 60\n",
    );
    // The autoscaler exists at the next scrape.
    await page.click('[data-testid="clock-step"]');
    await page.locator('[data-objective="checkout-autoscaled"][data-met="true"]').waitFor({ timeout: 10000 });

    // Through the rush: the autoscaler carries it.
    await page.selectOption('[data-testid="clock-speed"]', "900");
    await page.click('[data-testid="clock-play"]');
    await page.locator('[data-testid="lesson-complete"]').waitFor({ timeout: 60000 });
    await page.click('[data-testid="clock-play"]');
    await shot(page, "platform-shop-complete");
    assert.deepEqual(errors, []);
  });
  await context.close();
});

test("a typo in a pack's platform file is shown on the catalog with its line and a guess", async () => {
  const { page, context } = await newPage(env.browser);
  await withFailureShot(page, "platform-typo", async () => {
    const platform = readFileSync(new URL("platform.yaml", shop), "utf8")
      .replace("    traffic: 20\n", "    trafic: 20\n");
    const line = platform.split("\n").findIndex((l) => l.includes("trafic")) + 1;
    await page.route((url) => url.pathname.startsWith("/team/shop/"), (route) => {
      const name = new URL(route.request().url()).pathname.split("/").pop();
      const body = name === "platform.yaml" ? platform : readFileSync(new URL(name, shop), "utf8");
      route.fulfill({ status: 200, contentType: "text/plain", body });
    });
    await page.goto(env.base + "/?pack=/team/shop/pack.yaml");
    const refused = page.locator('[data-testid="external-pack"] [role="alert"]');
    const text = await refused.innerText();
    assert.match(text, new RegExp(`platform\\.yaml:${line}:\\d+: error: platform: .*unknown field \`trafic\``));
    assert.match(text, /did you mean `traffic`\?/);
    await page.locator('[data-pack="basics"]').waitFor();
    await shot(page, "platform-typo");
  });
  await context.close();
});

test("a widget's mistakes are shown by line: on the catalog's card, or above the text for a near miss", async () => {
  const { page, context } = await newPage(env.browser);
  await withFailureShot(page, "widget-problems", async () => {
    const original = readFileSync(new URL("evening-rush.md", shop), "utf8");
    const nearMiss = original.replace("```kubectl\n", "```kubetcl\n");
    let lesson = nearMiss.replace(
      "panels: phpfpm, codes, replicas\n",
      "panels: phpfpm, codes, replicas\nrnage: 1h\n",
    );
    const lineOf = (text, wanted) => text.split("\n").findIndex((l) => l === wanted) + 1;
    await page.route((url) => url.pathname.startsWith("/team/shop/"), (route) => {
      const name = new URL(route.request().url()).pathname.split("/").pop();
      const body = name === "evening-rush.md" ? lesson : readFileSync(new URL(name, shop), "utf8");
      route.fulfill({ status: 200, contentType: "text/plain", body });
    });

    // An unknown setting is an error: the catalog refuses the lesson and says where.
    await page.goto(env.base + "/?pack=/team/shop/pack.yaml");
    const card = page.locator('[data-testid="external-pack"]', { hasText: "evening-rush.md" });
    const refused = await card.innerText();
    const dashboard = lineOf(lesson, "```dashboard");
    assert.match(refused, new RegExp(`evening-rush\\.md:${dashboard}:1: error: the dashboard widget has no setting \`rnage\``));
    assert.match(refused, /hint: the dashboard widget takes: panels, env, project/);
    await shot(page, "widget-problems-catalog");

    // A near-miss name alone is a warning: the lesson opens, the warning above its text.
    lesson = nearMiss;
    await page.goto(env.base + "/?pack=/team/shop/pack.yaml");
    await page.locator('[data-testid="external-pack"] [data-lesson="evening-rush"] h3 a').click();
    const problems = await page.locator('[data-testid="lesson-problems"]').innerText();
    const fence = lineOf(lesson, "```kubetcl");
    assert.match(problems, new RegExp(`${fence}:1 \`kubetcl\` is not a widget, so this block shows as code \\(did you mean \`kubectl\`\\?\\)`));
    // The rest of the lesson works: its dashboard is on the page.
    await page.locator('[data-widget="dashboard"]').waitFor();
    await shot(page, "widget-problems");
  });
  await context.close();
});
