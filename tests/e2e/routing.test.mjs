// Browser test of Alertmanager's routing tree: drawn from the configuration being edited, a label
// set tested against it, and the routes that firing alerts went through.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { setUp, newPage, shot, withFailureShot } from "./helpers.mjs";

let env;
before(async () => { env = await setUp(); });
after(async () => { await env?.browser.close(); env?.server.close(); });

const CONFIG = `route:
  receiver: alerts
  group_by: [alertname, env, route]
  group_wait: 30s
  routes:
    - matchers: ['env="prod"', 'severity="critical"']
      receiver: alert-prod
    - matchers: ['env="staging"']
      receiver: alert-staging
receivers:
  - name: alerts
    slack_configs: [{channel: '#alerts'}]
  - name: alert-prod
    slack_configs: [{channel: '#alert-prod'}]
  - name: alert-staging
    slack_configs: [{channel: '#alert-staging'}]
`;

test("the routing tree follows the configuration, tests a label set and shades the alerts' way", async () => {
  const { page, errors, context } = await newPage(env.browser);
  await withFailureShot(page, "routing-tree", async () => {
    await page.goto(env.base + "/lessons/alerting/routing");
    const tree = page.locator('[data-widget="alerts"] [data-testid="routing-tree"]');
    await tree.waitFor();
    assert.equal(await tree.locator(".route-node").count(), 1, "the root alone at the start");
    assert.match(await tree.locator(".route-row").first().innerText(), /default-route\s+→ alerts/);

    const editor = page.locator('[data-widget="editor"] .cm-content');
    await editor.click();
    await page.keyboard.press("Control+A");
    await page.keyboard.insertText(CONFIG);
    await tree.locator(".route-node").nth(2).waitFor();
    assert.match(await tree.locator(".route-node").nth(1).innerText(), /\{env="prod",severity="critical"\}\s+→ alert-prod/);

    const input = tree.locator('[data-testid="route-test-input"]');
    const result = tree.locator('[data-testid="route-test-result"]');
    await input.fill("env=prod severity=critical");
    await result.filter({ hasText: "alert-prod" }).waitFor();
    assert.equal(await tree.locator(".route-final").count(), 1);
    assert.match(await tree.locator(".route-final").innerText(), /alert-prod/);
    await input.fill("env=dev");
    await result.filter({ hasText: /Receivers:\s+alerts$/ }).waitFor();
    await input.fill("env=~prod");
    await tree.locator(".problem-error", { hasText: "name=value" }).waitFor();
    await input.fill("env=prod severity=critical");

    await page.selectOption('[data-testid="clock-speed"]', "300");
    await page.click('[data-testid="clock-play"]');
    await tree.locator(".route-alerted .route-count").first().waitFor({ timeout: 60000 });
    await page.click('[data-testid="clock-play"]');
    const alerted = await tree.locator(".route-alerted > .route-row .route-receiver").allInnerTexts();
    assert.ok(alerted.some((text) => /alert-staging|alert-prod/.test(text)), alerted.join(" | "));
    await tree.scrollIntoViewIfNeeded();
    await shot(page, "routing-tree");
    assert.deepEqual(errors, []);
  });
  await context.close();
});
