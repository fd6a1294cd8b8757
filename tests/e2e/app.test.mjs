// Browser end-to-end tests: what a person clicks and sees, against the release build.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { setUp, newPage, shot, withFailureShot } from "./helpers.mjs";

let env;
before(async () => { env = await setUp(); });
after(async () => { await env?.browser.close(); env?.server.close(); });

/** Replaces the `users: 1` line of the lesson's editor by typing, as a person would. */
async function typeReplicas(page, value) {
  const line = page.locator('[data-widget="editor"] .cm-line', { hasText: "users:" });
  await line.click();
  await page.keyboard.press("End");
  await page.keyboard.press("Backspace");
  await page.keyboard.type(value);
}

test("the catalog lists the intro lesson with its level and duration", async () => {
  const { page, errors, context } = await newPage(env.browser);
  await withFailureShot(page, "catalog", async () => {
    await page.goto(env.base + "/");
    const card = page.locator('[data-lesson="playground"]');
    await card.waitFor();
    assert.match(await card.innerText(), /How this playground works/);
    assert.match(await card.innerText(), /Beginner/);
    assert.match(await card.innerText(), /5 min/);
    assert.equal(await card.getAttribute("data-state"), "not-started");
    await shot(page, "catalog");
    assert.deepEqual(errors, []);
  });
  await context.close();
});

test("a learner completes the intro lesson by clicking and typing, and it survives a reload", async () => {
  const { page, errors, context } = await newPage(env.browser);
  await withFailureShot(page, "lesson", async () => {
    await page.goto(env.base + "/");
    await page.locator('[data-lesson="playground"] h3 a').click();
    await page.locator('[data-testid="lesson"] h1', { hasText: "How this playground works" }).waitFor();
    await page.locator('[data-widget="editor"] .cm-editor').waitFor();
    assert.equal(await page.locator('[data-objective="run-clock"]').getAttribute("data-met"), "false");
    await shot(page, "lesson-start");

    await page.selectOption('[data-testid="clock-speed"]', "300");
    await page.click('[data-testid="clock-play"]');
    await page.locator('[data-objective="run-clock"][data-met="true"]').waitFor({ timeout: 15000 });

    await typeReplicas(page, "3");
    const dev = page.locator('[data-widget="deployments"] tr[data-deployment="users"] [data-testid="ready-count"]');
    await page.locator('[data-testid="lesson-complete"]').waitFor({ timeout: 20000 });
    assert.equal(await dev.innerText(), "3/3");
    assert.equal(await page.locator('[data-objective="scale-users"]').getAttribute("data-met"), "true");
    await shot(page, "lesson-complete");

    await page.reload();
    await page.locator('[data-testid="lesson-complete"]').waitFor();
    const editorText = await page.locator('[data-widget="editor"] .cm-content').innerText();
    assert.match(editorText, /users: 3/);
    await page.goto(env.base + "/");
    await page.locator('[data-lesson="playground"][data-state="completed"]').waitFor();
    assert.deepEqual(errors, []);
  });
  await context.close();
});

test("a typo in the editor is shown under it with a hint, and the world keeps running", async () => {
  const { page, errors, context } = await newPage(env.browser);
  await withFailureShot(page, "typo", async () => {
    await page.goto(env.base + "/lessons/basics/playground");
    await page.locator('[data-widget="editor"] .cm-editor').waitFor();
    await typeReplicas(page, "three");
    const problem = page.locator('[data-widget="editor"] .problem-error');
    await problem.waitFor();
    assert.match(await problem.innerText(), /5:3\s+replicas of `users` must be a whole number/);
    await page.locator('[data-widget="editor"] .cm-lintRange-error').first().waitFor();
    await shot(page, "lesson-typo");
    assert.deepEqual(errors, []);
  });
  await context.close();
});

test("an editor script that arrives after the app still gives the lesson its code editor", async () => {
  const { page, errors, context } = await newPage(env.browser);
  await withFailureShot(page, "late-editor", async () => {
    // The page adds editor.js once the lesson is interactive; here it comes well after. The
    // editor shows its text meanwhile, and CodeMirror takes its place.
    await page.route("**/editor.js", async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await route.continue();
    });
    await page.goto(env.base + "/lessons/basics/playground");
    await page.locator('[data-testid="lesson"]').waitFor();
    const pending = page.locator('[data-widget="editor"] [data-testid="editor-pending"]');
    await pending.waitFor();
    assert.match(await pending.innerText(), /users: 1/);
    await page.locator('[data-widget="editor"] .cm-editor').waitFor();
    assert.equal(await pending.count(), 0);
    assert.equal(await page.locator('[data-widget="editor"] .editor-fallback').count(), 0);
    await typeReplicas(page, "three");
    await page.locator('[data-widget="editor"] .cm-lintRange-error').first().waitFor();
    assert.deepEqual(errors, []);
  });
  await context.close();
});

test("an explorer below the fold runs its query once it is scrolled into view", async () => {
  const { page, errors, context } = await newPage(env.browser);
  await withFailureShot(page, "explorer-on-screen", async () => {
    await page.goto(env.base + "/lessons/basics/playground");
    await page.locator('[data-widget="editor"] .cm-editor').first().waitFor();
    const explorer = page.locator('[data-testid="explorer"]').first();
    const rows = explorer.locator('[data-testid="explorer-table"] tr');
    // The lesson's explorer sits far below the first screen: its query has not run.
    assert.ok((await explorer.evaluate((element) => element.getBoundingClientRect().top)) > 900);
    await page.waitForTimeout(300);
    assert.equal(await rows.count(), 0);
    await explorer.scrollIntoViewIfNeeded();
    await rows.first().waitFor();
    assert.match(await rows.first().innerText(), /route="get_user"/);
    assert.deepEqual(errors, []);
  });
  await context.close();
});

test("the language switch shows the French catalog and lesson, and is remembered", async () => {
  const { page, errors, context } = await newPage(env.browser);
  await withFailureShot(page, "language", async () => {
    await page.goto(env.base + "/");
    await page.locator('[data-lesson="playground"]').waitFor();
    await page.click('[data-testid="lang-fr"]');
    await page.locator("h2", { hasText: "Premiers pas" }).waitFor();
    assert.match(await page.locator(".hero h1").innerText(), /Apprenez la prod/);
    assert.equal(await page.getAttribute("html", "lang"), "fr");
    await page.reload();
    await page.locator('[data-lesson="playground"] h3', { hasText: "Comment fonctionne ce simulateur" }).waitFor();
    await page.locator('[data-lesson="playground"] h3 a').click();
    await page.locator('[data-testid="lesson"] h1', { hasText: "Comment fonctionne ce simulateur" }).waitFor();
    assert.match(await page.locator('[data-testid="tab-events"]').innerText(), /Événements/);
    await shot(page, "lesson-fr");
    assert.deepEqual(errors, []);
  });
  await context.close();
});

test("corrupt saved progress gives a notice and is kept aside, not dropped", async () => {
  const { page, errors, context } = await newPage(env.browser);
  await withFailureShot(page, "corrupt", async () => {
    await page.goto(env.base + "/");
    // Wait for the app to have read storage, so the corrupt text is found on the reload.
    await page.locator('[data-lesson="playground"]').waitFor();
    await page.evaluate(() => localStorage.setItem("opsdojo.progress", '{"schema": 99, "lessons": {}}'));
    await page.reload();
    const notice = page.locator(".notice-error");
    await notice.waitFor();
    assert.match(await notice.innerText(), /format version 99/);
    const kept = await page.evaluate(() =>
      Object.keys(localStorage).filter((key) => key.startsWith("opsdojo.progress.kept.")).map((key) => localStorage.getItem(key)));
    assert.deepEqual(kept, ['{"schema": 99, "lessons": {}}']);
    await shot(page, "corrupt-progress");
    assert.deepEqual(errors, []);
  });
  await context.close();
});

test("a broken lesson file shows its error with file and line in the page", async () => {
  const { page, context } = await newPage(env.browser);
  await withFailureShot(page, "broken-lesson", async () => {
    await page.route("**/lessons/en/basics/playground.md", (route) =>
      route.fulfill({ status: 200, contentType: "text/markdown", body: "---\nid: playground\ntitle: x\nlevel: expert\n---\n# Body\n" }));
    await page.goto(env.base + "/lessons/basics/playground");
    const error = page.locator('[data-testid="lesson-error"]');
    await error.waitFor();
    assert.match(await error.innerText(), /playground\.md:\d+:\d+: error: front matter/);
    await shot(page, "lesson-broken");
  });
  await context.close();
});

test("an unknown address shows the not-found page", async () => {
  const { page, errors, context } = await newPage(env.browser);
  await page.goto(env.base + "/no/such/page");
  await page.locator('[data-testid="not-found"]').waitFor();
  assert.match(await page.locator('[data-testid="not-found"]').innerText(), /\/no\/such\/page/);
  assert.deepEqual(errors, []);
  await context.close();
});

test("progress exports to a file and imports back", async () => {
  const { page, errors, context } = await newPage(env.browser);
  await withFailureShot(page, "export", async () => {
    await page.goto(env.base + "/lessons/basics/playground");
    await page.locator('[data-testid="clock-step"]').click();
    const [download] = await Promise.all([page.waitForEvent("download"), page.click('[data-testid="export-progress"]')]);
    const path = await download.path();
    // Leaving the lesson writes its progress: clear storage once away from it.
    await page.goto(env.base + "/");
    await page.locator('[data-lesson="playground"][data-state="in-progress"]').waitFor();
    await page.evaluate(() => localStorage.clear());
    await page.reload();
    await page.locator('[data-lesson="playground"][data-state="not-started"]').waitFor();
    page.once("dialog", (dialog) => dialog.accept());
    await page.setInputFiles('[data-testid="import-progress"]', path);
    await page.locator('[data-lesson="playground"][data-state="in-progress"]').waitFor();
    assert.deepEqual(errors, []);
  });
  await context.close();
});

test("the page sets a Content-Security-Policy and the sandbox runs in dark theme", async () => {
  const { page, errors, context } = await newPage(env.browser);
  await page.goto(env.base + "/sandbox");
  const policy = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', "content");
  assert.match(policy, /script-src 'self' 'wasm-unsafe-eval' 'sha256-/);
  assert.doesNotMatch(policy, / 'unsafe-eval'/);
  await page.click('[data-testid="theme-toggle"]');
  assert.equal(await page.getAttribute("html", "data-theme"), "dark");
  await page.click('[data-testid="tab-kubernetes"]');
  await page.keyboard.press(".");
  await page.locator('[data-testid="clock-now"]', { hasText: "08:00:15" }).waitFor();
  await shot(page, "sandbox-dark");
  assert.deepEqual(errors, []);
  await context.close();
});

test("the explorer graphs a PromQL query over the simulated platform and flags a typo", async () => {
  const { page, errors, context } = await newPage(env.browser);
  await withFailureShot(page, "explorer", async () => {
    await page.goto(env.base + "/sandbox");
    await page.selectOption('[data-testid="clock-speed"]', "900");
    await page.click('[data-testid="clock-play"]');
    await page.locator('[data-testid="clock-now"]', { hasText: "08:1" }).waitFor({ timeout: 15000 });
    await page.click('[data-testid="clock-play"]');
    await page.click('[data-testid="tab-explore"]');
    const explorer = page.locator('[data-testid="explorer"]');
    await explorer.locator("button", { hasText: "15m" }).click();
    await explorer.locator(".chart path").first().waitFor();
    const rows = explorer.locator('[data-testid="explorer-table"] tr');
    assert.equal(await rows.count(), 4, "one row per service");
    assert.match(await rows.first().innerText(), /project="coupons"/);
    await shot(page, "explorer");
    await explorer.locator(".cm-content").click();
    await page.keyboard.press("End");
    await page.keyboard.type(" +");
    await explorer.locator(".problem-error").first().waitFor();
    assert.deepEqual(errors, []);
  });
  await context.close();
});

test("an alert fires, lands in the chat channel, and its message opens the dashboard", async () => {
  const { page, errors, context } = await newPage(env.browser);
  await withFailureShot(page, "alerting", async () => {
    await page.goto(env.base + "/lessons/alerting/tuning-alerts");
    await page.locator('[data-testid="lesson"] h1', { hasText: "Tune the threshold" }).waitFor();
    await page.selectOption('[data-testid="clock-speed"]', "60");
    await page.click('[data-testid="clock-play"]');
    await page.click('[data-testid="tab-channel"]');
    const message = page.locator('[data-testid="channel"] [data-testid="chat-message"]').first();
    await message.waitFor({ timeout: 20000 });
    await page.click('[data-testid="clock-play"]');
    assert.match(await message.innerText(), /\[FIRING:1\] Route5xx prod/);
    assert.match(await message.innerText(), /external-signin/);
    await shot(page, "alerting-channel");

    await page.click('[data-testid="tab-alerts"]');
    await page.locator('[data-testid="alert-list"] .state-badge.state-firing').first().waitFor();

    await page.click('[data-testid="tab-channel"]');
    await page.locator('[data-testid="channel"] .chat-link').first().click();
    const dashboard = page.locator('.workbench [data-testid="dashboard"]');
    await dashboard.waitFor();
    assert.equal(await dashboard.locator('[aria-label="project"] button.active').innerText(), "external-signin");
    // The panels are queried once the dashboard is on screen.
    await dashboard.locator('[data-panel]').nth(6).waitFor();
    assert.equal(await dashboard.locator('[data-panel]').count(), 7);
    assert.match(await dashboard.locator('[data-panel="database"]').innerText(), /opsdojo-prod \(db\.r5\.2xlarge\)/);
    await dashboard.locator('[data-panel="errors"] .threshold').waitFor();
    await dashboard.locator('[data-panel="errors"] .marker-firing').first().waitFor();
    await shot(page, "alerting-dashboard");
    assert.deepEqual(errors, []);
  });
  await context.close();
});

test("a compliance alert clears after editing prod.tfvars, reading the plan and cost, and applying", async () => {
  const { page, errors, context } = await newPage(env.browser);
  await withFailureShot(page, "terraform", async () => {
    await page.goto(env.base + "/lessons/infrastructure/multi-az-compliance");
    await page.locator('[data-testid="lesson"] h1', { hasText: "The compliance alert in prod" }).waitFor();
    const channel = page.locator('[data-widget="channel"] [data-testid="chat-message"]');
    await channel.first().waitFor();
    assert.match(await channel.first().innerText(), /Rule `rds-multi-az-support` is non-compliant for resource `db-[A-Z0-9]+` in region `eu-west-3`\./);

    const card = page.locator('[data-widget="terraform"] [data-testid="tf-env-prod"]');
    assert.equal(await card.locator('[data-testid="tf-summary-prod"]').innerText(), "No changes");
    const costBefore = await card.locator('[data-testid="tf-cost-prod"]').innerText();
    // Type the fix as a person would: the plan and the cost follow the keystrokes.
    const line = page.locator('[data-widget="editor"] .cm-line', { hasText: "db_multi_az" });
    await line.click();
    await page.keyboard.press("End");
    for (let i = 0; i < "false".length; i++) await page.keyboard.press("Backspace");
    await page.keyboard.type("true");
    await card.locator('[data-testid="tf-summary-prod"]', { hasText: "Plan: 0 to add, 1 to change, 0 to destroy." }).waitFor();
    assert.match(await page.locator('[data-widget="terraform"] [data-testid="plan-text"]').innerText(), /~ multi_az\s+= false -> true/);
    const costAfter = await card.locator('[data-testid="tf-cost-prod"]').innerText();
    assert.notEqual(costAfter, costBefore);
    assert.match(costAfter, /→ \$[\d,]+ \(\+\$[\d,]+\)/);
    await shot(page, "terraform-plan");

    await card.locator('[data-testid="tf-apply-prod"]').click();
    await card.locator(".tf-running-line", { hasText: "Still modifying" }).waitFor();
    await page.selectOption('[data-testid="clock-speed"]', "300");
    await page.click('[data-testid="clock-play"]');
    await page.locator('[data-testid="lesson-complete"]').waitFor({ timeout: 30000 });
    await page.click('[data-testid="clock-play"]');
    // The channel lists the newest message first.
    assert.match(await channel.first().innerText(), /AWS Config[\s\S]*is compliant for resource `db-/);
    assert.match(await page.locator('[data-widget="terraform"] [data-testid="apply-output"]').innerText(), /Apply complete! Resources: 0 added, 1 changed, 0 destroyed\./);
    await shot(page, "terraform-applied");
    assert.deepEqual(errors, []);
  });
  await context.close();
});

test("php-fpm crashes in a pod, kubectl shows it and a rollout restart replaces it", async () => {
  const { page, errors, context } = await newPage(env.browser);
  await withFailureShot(page, "kubectl", async () => {
    await page.goto(env.base + "/lessons/delivery/php-fpm-down");
    await page.locator('[data-testid="lesson"] h1', { hasText: "One php-fpm is down" }).waitFor();
    await page.selectOption('[data-testid="clock-speed"]', "60");
    await page.click('[data-testid="clock-play"]');
    // Five simulated minutes to the crash, a few more for the restarts.
    await page.waitForTimeout(10000);
    await page.click('[data-testid="clock-play"]');

    const console_ = page.locator('[data-widget="kubectl"]');
    const input = console_.locator('[data-testid="kubectl-input"]');
    const outputs = console_.locator('[data-testid="kubectl-output"]');
    // The widget leaves `get pods` in the prompt: Enter runs it.
    await input.press("Enter");
    const pods = await outputs.last().innerText();
    const broken = pods.split("\n").find((line) => line.includes("CrashLoopBackOff"));
    assert.ok(broken, pods);
    assert.match(broken, /^coupons-\S+\s+1\/2\s+CrashLoopBackOff\s+[1-9]/);
    const name = broken.split(/\s+/)[0];

    await input.fill(`describe pod ${name}`);
    await input.press("Enter");
    await outputs.nth(1).waitFor();
    assert.match(await outputs.last().innerText(), /php-fpm:[\s\S]*Reason:\s+CrashLoopBackOff[\s\S]*Back-off restarting failed container php-fpm/);

    await input.fill("rollout restart deploy/coupons");
    await input.press("Enter");
    await outputs.nth(2).waitFor();
    assert.equal(await outputs.last().innerText(), "deployment.apps/coupons restarted");
    await shot(page, "kubectl-console");

    await page.click('[data-testid="clock-play"]');
    await page.locator('[data-objective="php-fpm-back"][data-met="true"]').first().waitFor({ timeout: 30000 });
    // The broken pod goes first; the healthy ones are replaced one by one in the next minutes.
    await page.waitForTimeout(5000);
    await page.click('[data-testid="clock-play"]');
    await input.fill("rollout status deploy/coupons");
    await input.press("Enter");
    await outputs.nth(3).waitFor();
    assert.equal(await outputs.last().innerText(), 'deployment "coupons" successfully rolled out');
    // Arrow up recalls the last command.
    await input.press("ArrowUp");
    assert.equal(await input.inputValue(), "rollout status deploy/coupons");

    await page.click('[data-testid="tab-kubernetes"]');
    const row = page.locator('.tab-panel tr[data-env="prod"][data-deployment="coupons"] [data-testid="ready-count"]');
    assert.equal(await row.innerText(), "3/3");
    await shot(page, "kubectl-tab");
    assert.deepEqual(errors, []);
  });
  await context.close();
});

test("a first deploy: the coverage gate fails, a typed test fixes it, three approvals, preview, merge, staging, prod", async () => {
  const { page, errors, context } = await newPage(env.browser);
  await withFailureShot(page, "pull-request", async () => {
    await page.goto(env.base + "/lessons/delivery/first-deploy");
    await page.locator('[data-testid="lesson"] h1', { hasText: "Your first deploy" }).waitFor();
    const pr = page.locator('[data-widget="pull-request"]');
    const coverage = pr.locator('[data-testid="pr-check-jenkins/coverage"]');
    assert.match(await coverage.innerText(), /0% of changed lines covered/);
    assert.equal(await coverage.locator(".pr-check-failed").count(), 1);
    assert.match(await pr.locator('[data-testid="pr-comment"]').first().innerText(), /Is this tested\?/);
    assert.equal(await pr.locator('[data-testid="pr-merge"]').isDisabled(), true);

    // A test that calls isExpired and asserts, typed into the test file.
    const line = page.locator('[data-widget="editor"] .cm-line', { hasText: "assertSame('SPRING24'" });
    await line.click();
    await page.keyboard.press("End");
    await page.keyboard.press("Enter");
    await page.keyboard.type("$this->assertTrue($coupon->isExpired(new \\DateTimeImmutable('2031-01-01')));");
    await pr.locator('[data-testid="pr-push"]').click();
    await pr.locator('[data-testid="pr-event-commit"]').waitFor();
    assert.match(await pr.locator('.pr-diff summary').first().innerText(), /Coupon\.php/);

    await page.selectOption('[data-testid="clock-speed"]', "60");
    await page.click('[data-testid="clock-play"]');
    await coverage.locator(".pr-check-ok").waitFor({ timeout: 30000 });
    assert.match(await coverage.innerText(), /100% of changed lines covered/);
    await page.locator('[data-objective="coverage"][data-met="true"]').first().waitFor({ timeout: 10000 });

    await pr.locator('[data-testid="pr-add-label"]').selectOption("cd/preview");
    await pr.locator('[data-testid="pr-label-cd/preview"]').waitFor();
    await pr.locator('[data-testid="pr-preview"]', { hasText: "up" }).waitFor({ timeout: 30000 });
    assert.match(await pr.locator('[data-testid="pr-preview"]').innerText(), /https:\/\/pr-142\.preview\.opsdojo\.dev/);
    await pr.locator('[data-testid="pr-merge"]:not([disabled])').waitFor({ timeout: 30000 });
    assert.equal(await pr.locator('[data-testid="pr-event-approved"]').count(), 3);
    await page.click('[data-testid="clock-play"]');
    await shot(page, "pull-request-approved");
    await pr.locator('[data-testid="pr-merge"]').click();
    await pr.locator(".pr-merged").waitFor();

    await page.click('[data-testid="clock-play"]');
    await page.locator('[data-objective="staging"][data-met="true"]').first().waitFor({ timeout: 40000 });
    await page.click('[data-testid="clock-play"]');
    await pr.locator('[data-testid="pr-promote"]').click();
    assert.match(await pr.locator('[data-testid="pr-outcome"]').innerText(), /promoting coupons:2\.4\.0 to prod/);
    await page.click('[data-testid="clock-play"]');
    await page.locator('[data-objective="prod"][data-met="true"]').first().waitFor({ timeout: 40000 });
    await page.click('[data-testid="clock-play"]');
    assert.match(await pr.locator('[data-testid="pr-delivery"]').innerText(), /Promoted to prod/);
    await shot(page, "pull-request-prod");
    assert.deepEqual(errors, []);
  });
  await context.close();
});

test("the benchmark page runs an hour of the platform in the browser and reports it", async () => {
  const { page, errors, context } = await newPage(env.browser);
  await withFailureShot(page, "bench", async () => {
    await page.goto(env.base + "/bench?hours=1");
    const result = page.locator('[data-testid="bench-result"]');
    await result.waitFor({ timeout: 60000 });
    const data = JSON.parse(await result.innerText());
    assert.equal(data.report.hours, 1);
    assert.ok(data.report.series >= 200, `series: ${data.report.series}`);
    assert.ok(data.wasm_memory_mib > 0);
    assert.deepEqual(errors, []);
  });
  await context.close();
});
