// Browser tests of game day: a fault injected from the facilitator's console reaching the
// projected dashboard and chat, and a prepared game opened from its link by a participant,
// played to its end, its timeline exported and read back by the facilitator.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { setUp, newPage, shot, withFailureShot } from "./helpers.mjs";

const LESSON = "/lessons/gameday/running-a-game-day";

let env;
before(async () => { env = await setUp(); });
after(async () => { await env?.browser.close(); env?.server.close(); });

test("a fault injected by the facilitator reaches the projected dashboard and chat", async () => {
  const { page, context, errors } = await newPage(env.browser);
  await withFailureShot(page, "gameday-facilitate", async () => {
    await page.goto(env.base + LESSON + "?facilitate");
    const console_ = page.locator('[data-testid="facilitator"]');
    await console_.waitFor();
    // A route that is not the service's is refused where the facilitator looks.
    await page.selectOption('[data-testid="fac-service"]', "stores");
    await page.selectOption('[data-testid="fac-service"]', "users");
    await page.selectOption('[data-testid="fac-route"]', "get_user");
    await page.fill('[data-testid="fac-percent"]', "0");
    await page.locator('[data-testid="fac-problem"]').filter({ hasText: "not between 1 and 100" }).waitFor();
    assert.equal(await page.locator('[data-testid="inject-now"]').isDisabled(), true);
    await page.fill('[data-testid="fac-percent"]', "40");
    await page.click('[data-testid="inject-now"]');
    await page.locator('[data-testid="fac-log"] li').filter({ hasText: "40% of users/get_user answer 500 in prod" }).waitFor();
    await page.selectOption('[data-testid="clock-speed"]', "900");
    await page.click('[data-testid="clock-play"]');
    await page.click('[data-testid="tab-channel"]');
    await page.locator('[data-testid="chat-message"]').filter({ hasText: "get_user" }).first().waitFor({ timeout: 30000 });
    await page.click('[data-testid="clock-play"]');
    await shot(page, "gameday-facilitator-chat");
    // The same world's numbers show the errors on that route only.
    await page.click('[data-testid="tab-explore"]');
    const explorer = page.locator('[data-testid="explorer"]');
    await explorer.locator(".cm-content").click();
    await page.keyboard.press("Control+A");
    await page.keyboard.type('sum by (route) (rate(http_request_seconds_count{env="prod", project="users", status="500"}[5m]))');
    await explorer.locator('[data-testid="explorer-table"] tr').filter({ hasText: "get_user" }).waitFor();
    const table = await explorer.locator('[data-testid="explorer-table"]').textContent();
    assert.match(table, /get_user/);
    assert.doesNotMatch(table, /list_users/);
    await page.click('[data-testid="tab-dashboard"]');
    await page.locator('[data-testid="chart"]').first().waitFor();
    // F hides the console from the room, and brings it back.
    await page.locator("body").click({ position: { x: 5, y: 200 } });
    await page.keyboard.press("f");
    await console_.waitFor({ state: "hidden" });
    await shot(page, "gameday-projected-dashboard");
    await page.keyboard.press("f");
    await console_.waitFor();
    // The fault is an action of the facilitator's world: a reload keeps it and its log.
    await page.reload();
    await page.locator('[data-testid="fac-log"] li').filter({ hasText: "40% of users/get_user" }).waitFor();
    // The event log does not say what the facilitator did.
    await page.click('[data-testid="tab-events"]');
    const log = await page.locator(".tab-panel").textContent();
    assert.doesNotMatch(log, /answer 500|injected/);
    assert.deepEqual(errors, []);
  });
  await context.close();
});

test("a prepared game is played from its link to the end, and its timeline is exported and collected", async () => {
  const facilitator = await newPage(env.browser);
  const fpage = facilitator.page;
  let link;
  await withFailureShot(fpage, "gameday-prepare", async () => {
    await fpage.goto(env.base + LESSON + "?facilitate");
    await fpage.locator('[data-testid="facilitator"]').waitFor();
    await fpage.selectOption('[data-testid="fac-route"]', "get_user");
    await fpage.fill('[data-testid="fac-minutes"]', "10");
    await fpage.fill('[data-testid="fac-at-minute"]', "5");
    await fpage.click('[data-testid="add-to-game"]');
    await fpage.locator('[data-testid="fac-planned"] li').filter({ hasText: "+5m" }).waitFor();
    await fpage.fill('[data-testid="fac-game-title"]', "Thursday drill");
    await fpage.selectOption('[data-testid="fac-speed"]', "300");
    await fpage.fill('[data-testid="fac-length"]', "40");
    await fpage.fill('[data-testid="fac-starts-in"]', "0");
    await fpage.click('[data-testid="fac-make-link"]');
    link = await fpage.locator('[data-testid="fac-link"]').inputValue();
    assert.match(link, /#game=/);
    await shot(fpage, "gameday-console");
    // Live faults were not injected: the facilitator's own world is untouched.
    assert.equal(await fpage.locator('[data-testid="fac-log"]').first().locator("li").count(), 0);
  });

  const participant = await newPage(env.browser);
  const page = participant.page;
  let exported;
  await withFailureShot(page, "gameday-play", async () => {
    await page.goto(link);
    await page.locator('[data-testid="game-join"]').waitFor();
    await shot(page, "gameday-join");
    await page.fill('[data-testid="game-name"]', "Ada");
    await page.click('[data-testid="game-start"]');
    await page.locator('[data-testid="game-join"]').waitFor({ state: "hidden" });
    // Reloading mid-game keeps the participant and their world, and the room's clock.
    await page.click('[data-testid="tab-dashboard"]');
    await page.waitForTimeout(1500);
    await page.reload();
    await page.locator('[data-testid="game"][data-restored="replay"]').waitFor();
    assert.equal(await page.locator('[data-testid="game-join"]').count(), 0);
    await page.click('[data-testid="tab-channel"]');
    await page.locator('[data-testid="chat-message"]').filter({ hasText: "get_user" }).first().waitFor({ timeout: 20000 });
    await shot(page, "gameday-participant-alert");
    await page.locator('[data-testid="game-timeline"]').waitFor({ timeout: 20000 });
    await page.locator('[data-testid="game-status"]').filter({ hasText: "Game over" }).waitFor();
    const detected = await page.locator('[data-testid="game-detected"]').textContent();
    assert.match(detected, /^\d+m\d\ds$/, `detected after: ${detected}`);
    const kinds = await page.locator(".game-entry .game-kind").allTextContents();
    for (const kind of ["fault", "alert", "opened"]) assert.ok(kinds.includes(kind), `${kind} in ${kinds}`);
    await shot(page, "gameday-timeline");
    const [download] = await Promise.all([page.waitForEvent("download"), page.click('[data-testid="game-export"]')]);
    assert.equal(download.suggestedFilename(), "opsdojo-timeline-Ada.json");
    exported = await download.path();
    const file = JSON.parse(await readFile(exported, "utf8"));
    assert.equal(file.participant, "Ada");
    assert.equal(file.game, "Thursday drill");
    assert.ok(file.detected_after > 0);
    assert.ok(file.entries.some((e) => e.kind === "alert" && /get_user/.test(e.text)));
    assert.deepEqual(participant.errors, []);
  });

  await withFailureShot(fpage, "gameday-collect", async () => {
    await fpage.setInputFiles('[data-testid="fac-timelines"]', exported);
    const row = fpage.locator('[data-testid="fac-timeline-table"] tbody tr').filter({ hasText: "Ada" });
    await row.waitFor();
    await row.scrollIntoViewIfNeeded();
    assert.match(await row.textContent(), /\dm/);
    await shot(fpage, "gameday-collected");
    assert.deepEqual(facilitator.errors, []);
  });
  await participant.context.close();
  await facilitator.context.close();
});

test("a damaged game link says why and opens the lesson as usual", async () => {
  const { page, context } = await newPage(env.browser);
  await withFailureShot(page, "gameday-bad-link", async () => {
    await page.goto(env.base + LESSON + "#game=not-a-game");
    await page.locator('[data-testid="lesson"]').waitFor();
    await page.locator(".notice").filter({ hasText: "game link could not be opened" }).waitFor();
  });
  await context.close();
});

test("a game whose progress cannot be saved says so once and keeps running", async () => {
  const facilitator = await newPage(env.browser);
  await facilitator.page.goto(env.base + "/sandbox?facilitate");
  await facilitator.page.locator('[data-testid="facilitator"]').waitFor();
  await facilitator.page.selectOption('[data-testid="fac-kind"]', "crash");
  await facilitator.page.click('[data-testid="add-to-game"]');
  await facilitator.page.fill('[data-testid="fac-starts-in"]', "0");
  await facilitator.page.click('[data-testid="fac-make-link"]');
  const link = await facilitator.page.locator('[data-testid="fac-link"]').inputValue();
  assert.match(link, /\/sandbox#game=/);
  await facilitator.context.close();

  const { page, context, errors } = await newPage(env.browser);
  await withFailureShot(page, "gameday-quota", async () => {
    await page.addInitScript(() => {
      const original = Storage.prototype.setItem;
      Storage.prototype.setItem = function (key, value) {
        if (key.startsWith("opsdojo.game.")) {
          throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
        }
        return original.call(this, key, value);
      };
    });
    await page.goto(link);
    await page.fill('[data-testid="game-name"]', "Grace");
    await page.click('[data-testid="game-start"]');
    const notice = page.locator(".notice-error", { hasText: "could not be saved" });
    await notice.waitFor();
    assert.match(await notice.innerText(), /quota has been exceeded/);
    const before = await page.locator('[data-testid="clock-now"]').textContent();
    await page.waitForTimeout(1500);
    assert.notEqual(await page.locator('[data-testid="clock-now"]').textContent(), before, "the room's clock runs on");
    assert.equal(await page.locator(".notice-error", { hasText: "could not be saved" }).count(), 1);
    assert.deepEqual(errors, []);
  });
  await context.close();
});

test("the console popped out to its own window injects into the room's page, which shows only the world", async () => {
  const { page, context, errors } = await newPage(env.browser);
  await withFailureShot(page, "gameday-pop-out", async () => {
    await page.goto(env.base + LESSON + "?facilitate");
    await page.locator('[data-testid="facilitator"]').waitFor();
    const [console_] = await Promise.all([context.waitForEvent("page"), page.click('[data-testid="fac-pop-out"]')]);
    await page.locator('[data-testid="facilitator"]').waitFor({ state: "hidden" });
    await console_.locator(".fac-connection").filter({ hasText: "gameday/running-a-game-day" }).waitFor();
    await console_.selectOption('[data-testid="fac-kind"]', "crash");
    await console_.selectOption('[data-testid="fac-service"]', "coupons");
    await console_.click('[data-testid="inject-now"]');
    await console_.locator('[data-testid="fac-log"] li').filter({ hasText: "php-fpm crashes in a pod of coupons in prod" }).waitFor();
    await shot(console_, "gameday-console-window");
    // The room's page got the fault as an action of its world.
    await page.click('[data-testid="clock-step"]');
    await page.click('[data-testid="tab-kubernetes"]');
    await page.locator(".tab-panel").filter({ hasText: "coupons" }).waitFor();
    await page.waitForFunction(() => {
      const actions = JSON.parse(localStorage.getItem("opsdojo.progress") || "{}").lessons?.["gameday/running-a-game-day"]?.actions || [];
      return actions.some((a) => a.kind === "inject" && a.fault.kind === "crash");
    }, null, { timeout: 10000 });
    await shot(page, "gameday-room-page");
    assert.deepEqual(errors, []);
  });
  await context.close();
});
