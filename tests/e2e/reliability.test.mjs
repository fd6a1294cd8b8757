// Browser tests of trust under any input: lines that used to abort or freeze the page, saved
// progress under a long session, a full storage, a bad import, and the crash screen.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setUp, newPage, shot, withFailureShot } from "./helpers.mjs";

let env;
before(async () => { env = await setUp(); });
after(async () => { await env?.browser.close(); env?.server.close(); });

/** Replaces the explorer's query by typing `text`. */
async function query(page, text) {
  const box = page.locator('[data-testid="explorer"] .cm-content');
  await box.click();
  await page.keyboard.press("Control+A");
  await page.keyboard.type(text);
}

/** The app still answers: the clock moves one tick. */
async function stillAlive(page) {
  const before = await page.locator('[data-testid="clock-now"]').innerText();
  await page.click('[data-testid="clock-step"]');
  await page.waitForFunction(
    (previous) => document.querySelector('[data-testid="clock-now"]')?.textContent !== previous,
    before,
    { timeout: 10000 },
  );
}

test("queries that used to abort or freeze the page get a message in the explorer", async () => {
  const { page, errors, context } = await newPage(env.browser);
  await withFailureShot(page, "explore-limits", async () => {
    await page.goto(env.base + "/sandbox");
    await page.click('[data-testid="clock-step"]');
    await page.click('[data-testid="tab-explore"]');
    const explorer = page.locator('[data-testid="explorer"]');
    const problem = explorer.locator(".problem-error").first();

    await query(page, "up[1e30]");
    await problem.filter({ hasText: "out of range" }).waitFor();
    await query(page, "count_over_time(up[9300000000000000])");
    await problem.filter({ hasText: "out of range" }).waitFor();
    await query(page, "max_over_time(up[1y:1ms])");
    await explorer.getByText("would evaluate 3.2e10 points; the limit is 1e7").first().waitFor();
    await shot(page, "explore-limit");
    // A value near the largest float draws an axis, not a frozen page.
    await query(page, "vector(1.7e308)");
    const line = explorer.locator(".chart path").first();
    await line.waitFor({ state: "attached" });
    assert.match(await line.getAttribute("d"), /^M[\d.]+,[\d.]+ L/, "a flat line along the top, in the panel");
    assert.ok(await explorer.locator(".chart .axis-label").count() <= 25, "a few grid lines");
    await shot(page, "explore-huge-value");
    await stillAlive(page);
    assert.deepEqual(errors, []);
  });
  await context.close();
});

test("a variables file that is not literal values gets Terraform's error, and the page keeps working", async () => {
  const { page, errors, context } = await newPage(env.browser);
  await withFailureShot(page, "tfvars-template", async () => {
    await page.goto(env.base + "/lessons/infrastructure/multi-az-compliance");
    const line = page.locator('[data-widget="editor"] .cm-line', { hasText: "db_multi_az" });
    await line.click();
    await page.keyboard.press("End");
    await page.keyboard.press("Enter");
    await page.keyboard.type('note = "%{for a in [1, 2]}%{for b in [1, 2]}x%{endfor}%{endfor}"');
    await page.locator('[data-widget="editor"]').getByText("Variables not allowed").first().waitFor();
    await stillAlive(page);
    assert.deepEqual(errors, []);
  });
  await context.close();
});

test("a broken operator deep in nested sums of a variables file is refused at once", async () => {
  const { page, errors, context } = await newPage(env.browser);
  await withFailureShot(page, "tfvars-deep-nesting", async () => {
    await page.goto(env.base + "/lessons/infrastructure/multi-az-compliance");
    const line = page.locator('[data-widget="editor"] .cm-line', { hasText: "db_multi_az" });
    await line.click();
    await page.keyboard.press("End");
    await page.keyboard.press("Enter");
    // Every level doubled the parse of each keystroke: at 20 levels a keystroke took seconds.
    await page.keyboard.type(`note = 1${"+(1+1+1".repeat(30)}!3`);
    // The last keystroke's parse, shown at the `!` that continues no expression (column 219).
    const problem = page.locator('[data-widget="editor"] .problem-error', { hasText: "5:219" });
    await problem.waitFor();
    assert.match(await problem.innerText(), /Invalid syntax: Expected `\)`/);
    await shot(page, "tfvars-deep-nesting");
    await stillAlive(page);
    assert.deepEqual(errors, []);
  });
  await context.close();
});

test("an imported file asks first, keeps a backup, and sets aside only its bad lesson", async () => {
  const { page, errors, context } = await newPage(env.browser);
  await withFailureShot(page, "import-partial", async () => {
    await page.goto(env.base + "/lessons/basics/playground");
    await page.click('[data-testid="clock-step"]');
    await page.goto(env.base + "/");
    await page.locator('[data-lesson="playground"][data-state="in-progress"]').waitFor();
    const euros = "€".repeat(25);
    const file = join(mkdtempSync(join(tmpdir(), "opsdojo-")), "progress.json");
    writeFileSync(file, JSON.stringify({
      schema: 1,
      lessons: {
        "basics/playground": { met: ["run-clock"], completed: true, actions: [] },
        "delivery/rollback": { met: [], completed: false, actions: [{ kind: "apply", env: euros }] },
      },
    }));
    // Declining leaves everything as it was.
    page.once("dialog", (dialog) => dialog.dismiss());
    await page.setInputFiles('[data-testid="import-progress"]', file);
    await page.locator(".notice", { hasText: "Import cancelled" }).waitFor();
    await page.locator('[data-lesson="playground"][data-state="in-progress"]').waitFor();
    // Accepting imports the good lesson, sets the bad one aside, and keeps a backup.
    page.once("dialog", (dialog) => dialog.accept());
    await page.setInputFiles('[data-testid="import-progress"]', file);
    await page.locator('[data-lesson="playground"][data-state="completed"]').waitFor();
    const refused = page.locator(".notice-error", { hasText: "Some lessons of this file were not imported" });
    await refused.waitFor();
    assert.match(await refused.innerText(), /out of range/);
    await page.locator(".notice", { hasText: "Progress imported" }).getByRole("button", { name: "Download the previous progress" }).waitFor();
    const backup = await page.evaluate(() => localStorage.getItem("opsdojo.progress.backup"));
    assert.match(backup, /basics\/playground/);
    await shot(page, "import-partial");
    assert.deepEqual(errors, []);
  });
  await context.close();
});

test("a storage that refuses writes is shown with an export, and the lesson keeps running", async () => {
  const { page, errors, context } = await newPage(env.browser);
  await withFailureShot(page, "quota", async () => {
    await page.addInitScript(() => {
      const original = Storage.prototype.setItem;
      Storage.prototype.setItem = function (key, value) {
        if (key === "opsdojo.progress") {
          throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
        }
        return original.call(this, key, value);
      };
    });
    await page.goto(env.base + "/lessons/basics/playground");
    await page.click('[data-testid="clock-step"]');
    const notice = page.locator(".notice-error", { hasText: "could not be saved" });
    await notice.waitFor();
    assert.match(await notice.innerText(), /quota has been exceeded/);
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      notice.getByRole("button", { name: "Export progress" }).click(),
    ]);
    assert.equal(download.suggestedFilename(), "opsdojo-progress.json");
    // Shown once, not at every tick.
    await stillAlive(page);
    await stillAlive(page);
    assert.equal(await page.locator(".notice-error", { hasText: "could not be saved" }).count(), 1);
    await shot(page, "quota");
    assert.deepEqual(errors, []);
  });
  await context.close();
});

test("if the page ever panics, it says so, progress is saved, and reload brings it back", async () => {
  const { page, context } = await newPage(env.browser);
  await withFailureShot(page, "crash", async () => {
    await page.goto(env.base + "/lessons/basics/playground");
    await page.locator('[data-widget="editor"] .cm-editor').waitFor();
    const line = page.locator('[data-widget="editor"] .cm-line', { hasText: "users:" });
    await line.click();
    await page.keyboard.press("End");
    await page.keyboard.press("Backspace");
    await page.keyboard.type("4");
    // Right away, before the usual save, the page stops.
    await page.evaluate(() => {
      history.pushState({}, "", "/bench?panic");
      dispatchEvent(new PopStateEvent("popstate"));
    });
    const crash = page.locator('[data-testid="crash"]');
    await crash.waitFor();
    assert.match(await crash.innerText(), /Something broke in opsdojo/);
    const saved = await page.evaluate(() => localStorage.getItem("opsdojo.progress"));
    assert.match(saved, /basics\/playground/);
    const [download] = await Promise.all([page.waitForEvent("download"), crash.locator('[data-testid="crash-export"]').click()]);
    assert.equal(download.suggestedFilename(), "opsdojo-progress.json");
    await shot(page, "crash");
    await page.goto(env.base + "/lessons/basics/playground");
    const editor = page.locator('[data-widget="editor"] .cm-content');
    await editor.waitFor();
    assert.match(await editor.innerText(), /users: 4/);
  });
  await context.close();
});

test("a long typing session with the clock at full speed keeps every character across a reload", async () => {
  const { page, errors, context } = await newPage(env.browser);
  await withFailureShot(page, "long-typing", async () => {
    const started = Date.now();
    await page.goto(env.base + "/lessons/basics/playground");
    await page.locator('[data-widget="editor"] .cm-editor').waitFor();
    const firstLoad = Date.now() - started;
    await page.selectOption('[data-testid="clock-speed"]', "3600");
    await page.click('[data-testid="clock-play"]');
    const line = page.locator('[data-widget="editor"] .cm-line').first();
    await line.click();
    await page.keyboard.press("Home");
    await page.keyboard.press("Enter");
    await page.keyboard.press("ArrowUp");
    await page.keyboard.type("# ");
    // Two thousand keys, one clock frame apart.
    const words = "notes typed while the platform runs ";
    const text = words.repeat(Math.ceil(2000 / words.length)).slice(0, 2000).trimEnd();
    await page.keyboard.type(text, { delay: 16 });
    await page.click('[data-testid="clock-play"]');
    const clock = await page.locator('[data-testid="clock-now"]').innerText();
    await page.waitForTimeout(1000);
    const saved = await page.evaluate(() => localStorage.getItem("opsdojo.progress").length);
    const reloadStart = Date.now();
    await page.reload();
    const editor = page.locator('[data-widget="editor"] .cm-content');
    await editor.waitFor();
    const reload = Date.now() - reloadStart;
    // The world came back from its checkpoint, not from the start of the lesson.
    assert.equal(await page.locator('[data-testid="lesson"]').getAttribute("data-restored"), "checkpoint");
    assert.ok((await editor.innerText()).includes("# " + text), "every character is back");
    assert.equal(await page.locator('[data-testid="clock-now"]').innerText(), clock);
    assert.equal(await page.locator(".notice").count(), 0, "no notice");
    // The saved session stays small: patches, not a copy of the file at every key.
    assert.ok(saved < 256 * 1024, `saved progress is ${saved} bytes`);
    console.log(`long typing: ${text.length} keys, clock ${clock}, saved ${saved} bytes, first load ${firstLoad} ms, reload ${reload} ms`);
    assert.deepEqual(errors, []);
  });
  await context.close();
});

/** The chat channel's messages, as text. */
async function chat(page) {
  await page.click('[data-testid="tab-channel"]');
  return page.locator('[data-testid="channel"] [data-testid="chat-message"]').allInnerTexts();
}

test("hours of simulated time reload from a checkpoint: same clock, same alerts history, in the time of a first load", async () => {
  const { page, errors, context } = await newPage(env.browser);
  await withFailureShot(page, "checkpoint-reload", async () => {
    let started = Date.now();
    await page.goto(env.base + "/lessons/alerting/tuning-alerts");
    await page.locator('[data-testid="clock-play"]').waitFor();
    const firstLoad = Date.now() - started;
    assert.equal(await page.locator('[data-testid="lesson"]').getAttribute("data-restored"), "start");
    await page.selectOption('[data-testid="clock-speed"]', "3600");
    await page.click('[data-testid="clock-play"]');
    await page.waitForTimeout(8000);
    await page.click('[data-testid="clock-play"]');
    const clock = await page.locator('[data-testid="clock-now"]').innerText();
    const messages = await chat(page);
    assert.ok(messages.length > 0, "alerts were sent");
    await page.waitForTimeout(500);

    started = Date.now();
    await page.reload();
    await page.locator('[data-testid="clock-play"]').waitFor();
    const reload = Date.now() - started;
    assert.equal(await page.locator('[data-testid="lesson"]').getAttribute("data-restored"), "checkpoint");
    assert.equal(await page.locator('[data-testid="clock-now"]').innerText(), clock);
    assert.deepEqual(await chat(page), messages);
    console.log(`checkpoint reload: clock ${clock}, ${messages.length} messages, first load ${firstLoad} ms, reload ${reload} ms`);

    // A damaged checkpoint is not used: the lesson replays its progress to the same place.
    await page.evaluate(() => new Promise((resolve, reject) => {
      const open = indexedDB.open("opsdojo");
      open.onsuccess = () => {
        const tx = open.result.transaction("checkpoints", "readwrite");
        const store = tx.objectStore("checkpoints");
        const keys = store.getAllKeys();
        // Stored as the page stores them: UTF-8 bytes.
        const damaged = new TextEncoder().encode("opsdojo-checkpoint 4 0 0\n{\n");
        keys.onsuccess = () => keys.result.forEach((key) => store.put(damaged, key));
        tx.oncomplete = () => { open.result.close(); resolve(); };
        tx.onerror = () => reject(tx.error);
      };
      open.onerror = () => reject(open.error);
    }));
    await page.reload();
    await page.locator('[data-testid="clock-play"]').waitFor({ timeout: 120000 });
    assert.equal(await page.locator('[data-testid="lesson"]').getAttribute("data-restored"), "replay");
    assert.equal(await page.locator('[data-testid="clock-now"]').innerText(), clock);
    assert.deepEqual(await chat(page), messages);
    assert.equal(await page.locator(".notice").count(), 0, "no notice");
    assert.deepEqual(errors.filter((e) => !e.includes("checkpoint")), []);
  });
  await context.close();
});

test("a browser without IndexedDB says once that reloads will replay, and the lesson keeps running", async () => {
  const { page, errors, context } = await newPage(env.browser);
  await withFailureShot(page, "no-indexeddb", async () => {
    await page.addInitScript(() => {
      Object.defineProperty(window, "indexedDB", { get: () => undefined });
    });
    await page.goto(env.base + "/lessons/basics/playground");
    await page.locator('[data-testid="clock-play"]').waitFor();
    await page.selectOption('[data-testid="clock-speed"]', "3600");
    await page.click('[data-testid="clock-play"]');
    await page.waitForTimeout(1500);
    await page.click('[data-testid="clock-play"]');
    const notice = page.locator(".notice", { hasText: "quick-reload copy" });
    await notice.waitFor();
    assert.match(await notice.innerText(), /IndexedDB is not available/);
    await shot(page, "checkpoint-refused");
    // Told once: more pauses add no notice.
    await page.click('[data-testid="clock-play"]');
    await page.waitForTimeout(1200);
    await page.click('[data-testid="clock-play"]');
    await page.waitForTimeout(500);
    assert.equal(await page.locator(".notice", { hasText: "quick-reload copy" }).count(), 1);
    const clock = await page.locator('[data-testid="clock-now"]').innerText();
    await page.reload();
    await page.locator('[data-testid="clock-play"]').waitFor();
    assert.equal(await page.locator('[data-testid="lesson"]').getAttribute("data-restored"), "replay");
    assert.equal(await page.locator('[data-testid="clock-now"]').innerText(), clock);
    assert.deepEqual(errors, []);
  });
  await context.close();
});
