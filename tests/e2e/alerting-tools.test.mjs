// Browser tests of the alerting tools: Alertmanager's routing tree (drawn from the configuration
// being edited, a label set tested against it, the routes firing alerts went through) and rule
// unit tests run under their file.
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

const FIXED_RULES = `groups:
  - name: http
    rules:
      - record: route:error_ratio:rate5m
        expr: |
          sum by (env, project, route) (rate(http_request_seconds_count{status=~"5.."}[5m]))
            / sum by (env, project, route) (rate(http_request_seconds_count[5m]))
`;

test("rule unit tests run under their file and show what the rule computes against what is expected", async () => {
  const { page, errors, context } = await newPage(env.browser);
  await withFailureShot(page, "rule-tests", async () => {
    await page.goto(env.base + "/lessons/alerting/rule-tests");
    const tests = page.locator('[data-testid="rule-tests"]');
    await tests.waitFor();
    assert.equal(await tests.count(), 1, "the button sits under the test file only");
    await tests.locator('[data-testid="run-rule-tests"]').click();
    const output = tests.locator('[data-testid="rule-test-output"]');
    await output.waitFor();
    const failed = await output.innerText();
    assert.match(failed, /^Unit Testing:  rules_test\.yml\n  FAILED:/);
    assert.match(failed, /got: \{__name__="route:error_ratio:rate5m", env="prod", project="coupons", route="apply_coupon"\} 1E\+00/);
    assert.equal(await output.locator(".test-got").count(), 1);
    assert.equal(await output.locator(".test-expected").count(), 1);
    await output.scrollIntoViewIfNeeded();
    await shot(page, "rule-tests-failed");

    const rules = page.locator('[data-widget="editor"]', { hasText: "prometheus/rules.yml" }).locator(".cm-content");
    await rules.click();
    await page.keyboard.press("Control+A");
    await page.keyboard.insertText(FIXED_RULES);
    await tests.locator('[data-testid="run-rule-tests"]').click();
    await output.filter({ hasText: "SUCCESS" }).waitFor();
    assert.equal(await output.innerText(), "Unit Testing:  rules_test.yml\n  SUCCESS\n");
    await shot(page, "rule-tests-passed");
    assert.deepEqual(errors, []);
  });
  await context.close();
});

test("a mistake inside a rule's expression is marked where it is written, in a block too", async () => {
  const { page, errors, context } = await newPage(env.browser);
  await withFailureShot(page, "rule-expression-mistake", async () => {
    await page.goto(env.base + "/lessons/alerting/route-5xx-alert");
    const editor = page.locator('[data-widget="editor"]', { hasText: "prometheus/rules.yml" });
    await editor.locator(".cm-content").click();
    await page.keyboard.press("Control+A");
    // A literal block whose second line holds a duration no clock holds; a comment above it
    // that a search of the text would take for a rule.
    await page.keyboard.insertText(`groups:
  - name: http
    rules:
      # - alert: Commented
      - alert: RouteErrors
        expr: |
          sum by (route) (
            rate(http_request_seconds_count[1e30])
          ) > 1
        for: 5m
`);
    const problem = editor.locator(".problem-error", { hasText: "out of range" });
    await problem.waitFor();
    assert.equal(await problem.locator(".problem-where").innerText(), "8:45");
    const marked = editor.locator(".cm-lintRange-error").first();
    await marked.waitFor();
    assert.match(await marked.innerText(), /^1e30/);
    await problem.scrollIntoViewIfNeeded();
    await shot(page, "rule-expression-mistake");
    assert.deepEqual(errors, []);
  });
  await context.close();
});
