// Measures saved progress after a session of a given simulated length: its size in local
// storage, and the time from reload to an interactive lesson in headless Chromium, against
// the release build. The session is written as the app saves it (merged clock advances of at
// most a week each, and typed edits as patches), then the page is reloaded.
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
  const start = Date.now();
  await page.reload();
  await page.locator('[data-widget="editor"] .cm-editor').waitFor({ timeout: 3_600_000 });
  await page.locator('[data-testid="clock-play"]').waitFor();
  const reload = Date.now() - start;
  const saved = await page.evaluate(() => localStorage.getItem("opsdojo.progress").length);
  const clock = await page.locator('[data-testid="clock-now"]').innerText();
  console.log(`${hours} h simulated: progress ${saved} bytes, reload to interactive ${reload} ms (clock ${clock})`);
  await context.close();
}
await env.browser.close();
env.server.close();
