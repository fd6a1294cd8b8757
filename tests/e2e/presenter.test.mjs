// Browser tests of presenter mode: the stage at projector sizes, a demo stepped forward and
// exactly back, the speaker window kept in step, and the key that toggles the stage.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { setUp, newPage, shot, withFailureShot } from "./helpers.mjs";

const LESSON = "/lessons/capstone/a-day-on-call";
// The demo's notes, as the lesson file writes them.
const NOTES = [...readFileSync(new URL(`../../lessons/en/capstone/a-day-on-call.md`, import.meta.url), "utf8")
  .matchAll(/^  - note: "(.*)"$/gm)].map((m) => m[1]);

let env;
before(async () => { env = await setUp(); });
after(async () => { await env?.browser.close(); env?.server.close(); });

async function stepTo(page, played) {
  await page.locator('[data-testid="stage-step"]').filter({ hasText: `${played} / ${NOTES.length}` }).waitFor();
}

/** What the world shows: the clock, the chat's messages, the events' count. */
async function worldState(page) {
  return page.evaluate(() => ({
    clock: document.querySelector('[data-testid="clock-now"]').textContent,
    events: document.querySelector('.tab-badge[aria-hidden="true"]')?.textContent,
    progress: JSON.parse(localStorage.getItem("opsdojo.progress") || "{}")?.lessons?.["capstone/a-day-on-call"]?.actions,
  }));
}

for (const [name, viewport, scale] of [["1280x720-at-150", { width: 853, height: 480 }, 1.5], ["1024x768", { width: 1024, height: 768 }, 1]]) {
  test(`the stage fits a ${name} projector with large text and no chrome`, async () => {
    const { page, context, errors } = await newPage(env.browser, { viewport, deviceScaleFactor: scale });
    await withFailureShot(page, `presenter-${name}`, async () => {
      await page.goto(env.base + LESSON + "?present");
      await page.locator('[data-testid="presenter"]').waitFor();
      assert.equal(await page.locator(".top-bar").isVisible(), false, "the top bar is hidden");
      const sizes = await page.locator(".stage-text p").evaluateAll((ps) => ps.map((p) => parseFloat(getComputedStyle(p).fontSize)));
      assert.ok(sizes.length > 3 && sizes.every((s) => s >= 24), `body text at least 24 px: ${sizes}`);
      const fits = await page.evaluate(() => document.querySelector(".stage-bar").scrollWidth <= window.innerWidth);
      assert.ok(fits, "the stage bar fits the width");
      await shot(page, `presenter-${name}-text`);
      await page.keyboard.press("4");
      await page.locator('[data-testid="stage-panel"][data-panel="dashboard"] [data-testid="chart"]').first().waitFor();
      await shot(page, `presenter-${name}-dashboard`);
      assert.deepEqual(errors, []);
    });
    await context.close();
  });
}

test("a demo stepped forward then back returns exactly to the earlier state", async () => {
  const { page, context, errors } = await newPage(env.browser);
  await withFailureShot(page, "presenter-demo", async () => {
    await page.goto(env.base + LESSON + "?present");
    await page.locator('[data-testid="presenter"]').waitFor();
    for (const played of [1, 2, 3, 4]) {
      await page.keyboard.press("ArrowRight");
      await stepTo(page, played);
    }
    await page.waitForTimeout(1000);
    const before = await worldState(page);
    assert.match(before.clock, /18:44/, `8 + 6 minutes after 18:30: ${before.clock}`);
    assert.equal(await page.locator('[data-testid="stage-panel"]').getAttribute("data-panel"), "channel");
    // Promote, let the release break get_user: the world moves on.
    await page.keyboard.press("ArrowRight");
    await stepTo(page, 5);
    await page.keyboard.press("ArrowRight");
    await stepTo(page, 6);
    await page.waitForTimeout(500);
    assert.notEqual((await worldState(page)).clock, before.clock);
    await shot(page, "presenter-demo-forward");
    // Back twice: the world is the one it was.
    await page.keyboard.press("ArrowLeft");
    await stepTo(page, 5);
    await page.keyboard.press("ArrowLeft");
    await stepTo(page, 4);
    await page.waitForTimeout(1000);
    assert.deepEqual(await worldState(page), before);
    assert.equal(await page.locator('[data-testid="stage-panel"]').getAttribute("data-panel"), "channel");
    await shot(page, "presenter-demo-back");
    assert.deepEqual(errors, []);
  });
  await context.close();
});

test("the speaker window shows the step's note and the next one, and steps the stage", async () => {
  const { page, context, errors } = await newPage(env.browser);
  await withFailureShot(page, "presenter-speaker", async () => {
    await page.goto(env.base + LESSON + "?present");
    await page.locator('[data-testid="presenter"]').waitFor();
    const speaker = await context.newPage();
    await speaker.setViewportSize({ width: 960, height: 720 });
    await speaker.goto(env.base + "/speaker");
    await speaker.locator('[data-testid="speaker-step"]').filter({ hasText: `0 / ${NOTES.length}` }).waitFor();
    assert.equal(await speaker.locator('[data-testid="speaker-next"]').innerText(), NOTES[0]);
    // The stage steps: the speaker window follows, with the clock.
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("ArrowRight");
    await stepTo(page, 2);
    await speaker.locator('[data-testid="speaker-step"]').filter({ hasText: `2 / ${NOTES.length}` }).waitFor();
    assert.equal(await speaker.locator('[data-testid="speaker-note"]').innerText(), NOTES[1]);
    assert.equal(await speaker.locator('[data-testid="speaker-next"]').innerText(), NOTES[2]);
    assert.match(await speaker.locator('[data-testid="speaker-clock"]').innerText(), /18:38/);
    await shot(speaker, "presenter-speaker-window");
    // The speaker window steps the stage, forward and back.
    await speaker.click('[data-testid="speaker-forward"]');
    await stepTo(page, 3);
    await speaker.click('[data-testid="speaker-back"]');
    await stepTo(page, 2);
    assert.deepEqual(errors, []);
  });
  await context.close();
});

test("P enters and leaves the stage on a lesson and in the sandbox, and the address follows", async () => {
  const { page, context, errors } = await newPage(env.browser);
  await withFailureShot(page, "presenter-toggle", async () => {
    await page.goto(env.base + "/lessons/alerting/route-5xx-alert");
    await page.locator('[data-testid="lesson"]').waitFor();
    await page.keyboard.press("p");
    await page.locator('[data-testid="presenter"]').waitFor();
    assert.match(page.url(), /\?present$/);
    await page.keyboard.press("Escape");
    await page.locator('[data-testid="lesson"]').waitFor();
    assert.doesNotMatch(page.url(), /present/);
    // Typing a P in an editor types it.
    await page.locator('[data-widget="editor"] .cm-content').first().click();
    await page.keyboard.press("p");
    assert.equal(await page.locator('[data-testid="presenter"]').count(), 0);

    await page.goto(env.base + "/sandbox?present");
    await page.locator('[data-testid="presenter"]').waitFor();
    await page.click('[data-testid="stage-leave"]');
    await page.locator('[data-testid="sandbox"]').waitFor();
    assert.deepEqual(errors, []);
  });
  await context.close();
});

test("the capstone is solved by stepping its demo to the end, on the stage", async () => {
  const { page, context, errors } = await newPage(env.browser);
  await withFailureShot(page, "presenter-capstone", async () => {
    await page.goto(env.base + LESSON + "?present");
    await page.locator('[data-testid="presenter"]').waitFor();
    for (let played = 1; played <= NOTES.length; played++) {
      await page.keyboard.press("ArrowRight");
      await stepTo(page, played);
    }
    await page.keyboard.press("1");
    await page.locator('[data-testid="lesson-complete"]').waitFor();
    await shot(page, "presenter-capstone-solved");
    // Every objective is ticked, and the messages the day is made of are in the channels.
    await page.keyboard.press("6");
    await page.locator('[data-testid="channel"] .chat-channel', { hasText: "#alert-prod" }).first().click();
    const chat = await page.locator('[data-testid="channel"] .chat-messages').first().innerText();
    assert.match(chat, /prod - \[Back\] users - 500 \/ Alert: Route : get_user - Logs 5xx à 15min - critical/);
    assert.deepEqual(errors, []);
  });
  await context.close();
});
