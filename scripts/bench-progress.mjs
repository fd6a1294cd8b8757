// Measures saved progress after a session of a given simulated length: its size in local
// storage, its checkpoint's size in IndexedDB, and the time from reload to an interactive
// lesson in headless Chromium, against the release build: once by replaying every action (no
// checkpoint yet), once from the checkpoint that replay left. The session is written as the app
// saves it (merged clock advances of at most a week each, and typed edits as patches).
// Usage: node scripts/bench-progress.mjs [HOURS...]   (default: 1 24)
import { setUp, newPage } from "../tests/e2e/helpers.mjs";

const hoursList = process.argv.slice(2).map(Number).filter((h) => h > 0);
const env = await setUp();
const WEEK_MS = 7 * 86_400_000;
for (const hours of hoursList.length ? hoursList : [1, 24]) {
  const { page, context } = await newPage(env.browser);
  await page.goto(env.base + "/lessons/basics/playground");
  await page.locator('[data-widget="editor"] .cm-editor').waitFor();
  // A learner's session: an edit, then the clock, in the format the app writes.
  const actions = [{ kind: "patch_file", path: "deploy/values-dev.yaml", at: 0, delete: 0, insert: "# tuned\n" }];
  for (let left = hours * 3_600_000; left > 0; left -= WEEK_MS) {
    actions.push({ kind: "advance", by: Math.min(left, WEEK_MS) });
  }
  const progress = JSON.stringify({
    schema: 2,
    lessons: { "basics/playground": { met: [], completed: false, actions, saved_at: Date.now() } },
  });
  await page.evaluate((text) => localStorage.setItem("opsdojo.progress", text), progress);
  // The first reload has no checkpoint: it replays every action, then keeps a checkpoint.
  // The second reload starts from that checkpoint.
  const timings = [];
  for (const expected of ["replay", "checkpoint"]) {
    const start = Date.now();
    await page.reload();
    await page.locator('[data-widget="editor"] .cm-editor').waitFor({ timeout: 3_600_000 });
    await page.locator('[data-testid="clock-play"]').waitFor();
    timings.push(Date.now() - start);
    const restored = await page.locator('[data-testid="lesson"]').getAttribute("data-restored");
    if (restored !== expected) throw new Error(`expected a ${expected}, the page says ${restored}`);
    await page.waitForTimeout(1000);
  }
  const saved = await page.evaluate(() => localStorage.getItem("opsdojo.progress").length);
  const checkpoint = await page.evaluate(() => new Promise((resolve) => {
    const open = indexedDB.open("opsdojo");
    open.onsuccess = () => {
      const request = open.result.transaction("checkpoints").objectStore("checkpoints").get("basics/playground");
      request.onsuccess = () => { resolve((request.result || "").length); open.result.close(); };
    };
  }));
  const clock = await page.locator('[data-testid="clock-now"]').innerText();
  console.log(`${hours} h simulated: progress ${saved} bytes, checkpoint ${checkpoint} bytes, reload by replay ${timings[0]} ms, from the checkpoint ${timings[1]} ms (clock ${clock})`);
  await context.close();
}
await env.browser.close();
env.server.close();
