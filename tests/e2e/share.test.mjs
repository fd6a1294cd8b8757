// Browser tests of share links: a session made into a link, opened in a fresh browser to the
// same world, and links that cannot be opened refused with a notice.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { setUp, newPage, shot, withFailureShot } from "./helpers.mjs";

let env;
before(async () => { env = await setUp(); });
after(async () => { await env?.browser.close(); env?.server.close(); });

async function chat(page) {
  await page.click('[data-testid="tab-channel"]');
  return page.locator('[data-testid="channel"] [data-testid="chat-message"]').allInnerTexts();
}

test("a shared session opens in a fresh browser with the same clock, files and alerts, and saves nothing", async () => {
  const first = await newPage(env.browser);
  let url, clock, messages, rules;
  await withFailureShot(first.page, "share-make", async () => {
    const page = first.page;
    await page.goto(env.base + "/lessons/alerting/tuning-alerts");
    await page.locator('[data-testid="clock-play"]').waitFor();
    // An edit, then the clock until alerts have been sent.
    const line = page.locator('[data-widget="editor"] .cm-line').first();
    await line.click();
    await page.keyboard.press("Home");
    await page.keyboard.type("# shared with the team\n");
    await page.selectOption('[data-testid="clock-speed"]', "3600");
    await page.click('[data-testid="clock-play"]');
    await page.waitForTimeout(4000);
    await page.click('[data-testid="share"]');
    const field = page.locator('[data-testid="share-url"]');
    await field.waitFor();
    url = await field.inputValue();
    assert.match(url, /\/lessons\/alerting\/tuning-alerts#share=[A-Za-z0-9_-]+$/);
    clock = await page.locator('[data-testid="clock-now"]').innerText();
    messages = await chat(page);
    assert.ok(messages.length > 0, "alerts were sent");
    rules = await page.locator('[data-widget="editor"] .cm-content').innerText();
    assert.match(rules, /# shared with the team/);
    await shot(page, "share-link");
    console.log(`share link: ${url.length} characters for clock ${clock}, ${messages.length} messages`);
  });
  await first.context.close();

  const second = await newPage(env.browser);
  await withFailureShot(second.page, "share-open", async () => {
    const page = second.page;
    await page.goto(url);
    await page.locator('[data-testid="shared-banner"]').waitFor();
    assert.equal(await page.locator('[data-testid="lesson"]').getAttribute("data-restored"), "share");
    assert.equal(await page.locator('[data-testid="clock-now"]').innerText(), clock);
    assert.equal(await page.locator('[data-widget="editor"] .cm-content').innerText(), rules);
    assert.deepEqual(await chat(page), messages);
    await shot(page, "share-opened");
    await page.waitForTimeout(1000);
    const saved = await page.evaluate(() => localStorage.getItem("opsdojo.progress"));
    assert.ok(saved === null || !saved.includes("tuning-alerts"), "a shared session saves nothing");
    // Kept as the learner's own progress, it is there after a reload without the link.
    await page.click('[data-testid="shared-keep"]');
    await page.waitForURL((u) => !u.hash);
    await page.locator('[data-testid="clock-play"]').waitFor();
    assert.equal(await page.locator('[data-testid="shared-banner"]').count(), 0);
    assert.equal(await page.locator('[data-testid="clock-now"]').innerText(), clock);
    assert.deepEqual(second.errors, []);
  });
  await second.context.close();
});

test("a truncated or foreign link gets a notice and touches nothing saved", async () => {
  const { page, errors, context } = await newPage(env.browser);
  await withFailureShot(page, "share-bad", async () => {
    await page.goto(env.base + "/lessons/basics/playground");
    await page.locator('[data-testid="clock-play"]').waitFor();
    await page.click('[data-testid="clock-step"]');
    await page.waitForTimeout(1200);
    const saved = await page.evaluate(() => localStorage.getItem("opsdojo.progress"));
    await page.click('[data-testid="share"]');
    const url = await page.locator('[data-testid="share-url"]').inputValue();
    const code = url.split("#share=")[1];
    for (const [link, why] of [
      [url.slice(0, url.length - Math.floor(code.length / 2)), /cut short|damaged|not a session/],
      [env.base + "/lessons/alerting/tuning-alerts#share=" + code, /another lesson/],
      [env.base + "/lessons/basics/playground#share=%%%", /characters/],
    ]) {
      await page.goto("about:blank");
      await page.goto(link);
      const notice = page.locator(".notice-error", { hasText: "share link could not be opened" });
      await notice.waitFor();
      assert.match(await notice.innerText(), why);
      assert.equal(await page.locator('[data-testid="shared-banner"]').count(), 0);
      assert.ok(!page.url().includes("#share="), "the link is taken out of the address");
      assert.equal(await page.evaluate(() => localStorage.getItem("opsdojo.progress")), saved);
    }
    await shot(page, "share-refused");
    assert.deepEqual(errors, []);
  });
  await context.close();
});

test("a sandbox session is shared too", async () => {
  const { page, errors, context } = await newPage(env.browser);
  await withFailureShot(page, "share-sandbox", async () => {
    await page.goto(env.base + "/sandbox");
    await page.locator('[data-testid="clock-play"]').waitFor();
    for (let i = 0; i < 3; i++) await page.click('[data-testid="clock-step"]');
    const clock = await page.locator('[data-testid="clock-now"]').innerText();
    await page.click('[data-testid="share"]');
    const url = await page.locator('[data-testid="share-url"]').inputValue();
    await page.goto("about:blank");
    await page.goto(url);
    await page.locator('[data-testid="shared-banner"]').waitFor();
    assert.equal(await page.locator('[data-testid="sandbox"]').getAttribute("data-restored"), "share");
    assert.equal(await page.locator('[data-testid="clock-now"]').innerText(), clock);
    assert.deepEqual(errors, []);
  });
  await context.close();
});

test("a link made the moment after typing carries what was typed", async () => {
  // Typing reaches the world once it pauses; a share made before that must take it first.
  const first = await newPage(env.browser);
  let url;
  await withFailureShot(first.page, "share-typed", async () => {
    const page = first.page;
    await page.goto(env.base + "/lessons/alerting/tuning-alerts");
    await page.locator('[data-testid="clock-play"]').waitFor();
    await page.locator('[data-widget="editor"] .cm-line').first().click();
    await page.keyboard.press("Home");
    await page.keyboard.type("# typed just now\n");
    // Clicked from the page itself, well within the pause that would apply the edit anyway.
    await page.locator('[data-testid="share"]').evaluate((button) => button.click());
    const field = page.locator('[data-testid="share-url"]');
    await field.waitFor();
    url = await field.inputValue();
    assert.deepEqual(first.errors, []);
  });
  await first.context.close();
  const second = await newPage(env.browser);
  await withFailureShot(second.page, "share-typed-open", async () => {
    await second.page.goto(url);
    await second.page.locator('[data-testid="shared-banner"]').waitFor();
    const rules = await second.page.locator('[data-widget="editor"] .cm-content').innerText();
    assert.match(rules, /^# typed just now/);
  });
  await second.context.close();
});
