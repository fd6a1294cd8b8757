// Types into lessons' editors with the clock at its fastest speed in headless Chromium, against
// the release build, and measures what a keystroke costs: the browser's Event Timing entries
// (from the key to the next paint, and the time its handlers ran), the long tasks meanwhile,
// and how fast the simulated clock ran while the learner typed. Keys under 16 ms are not
// reported by the browser, so the median key is "under 16 ms" when fewer than half are.
// Usage: [PAUSED=1] node scripts/bench-typing.mjs [CHARACTERS] [DELAY_MS]
//   CHARACTERS typed per lesson (default 300), DELAY_MS between two keys (default 60: a fast
//   typist).
import { setUp, newPage } from "../tests/e2e/helpers.mjs";
import { recordTasks, simulatedSeconds, taken } from "./page-tasks.mjs";

const characters = Number(process.argv[2] || 300);
const delay = Number(process.argv[3] || 60);
// `PAUSED=1`: the same typing with the clock stopped, what the editor alone costs.
const paused = process.env.PAUSED === "1";
// A lesson and the file its learner edits: the rules, a variables file, a chart's values.
const cases = [
  ["alerting/route-5xx-alert", "prometheus/rules.yml"],
  ["infrastructure/three-environments", "terraform/vars/prod.tfvars"],
  ["delivery/prime-time-autoscaling", "deploy/values-prod.yaml"],
];

const env = await setUp();
for (const [lesson, path] of cases) {
  const { page, context, errors } = await newPage(env.browser);
  await page.goto(`${env.base}/lessons/${lesson}`);
  await page.locator('[data-testid="clock-play"]').waitFor();
  // The file may sit behind a tab of the workbench: open the one that holds it.
  const editor = page.locator(`[data-testid="editor"][data-path="${path}"] .cm-content`);
  if (!(await editor.isVisible().catch(() => false))) {
    for (const name of ["Rules", "Terraform", "Chart", "Helm", "Files"]) {
      await page.getByRole("tab", { name }).first().click({ timeout: 500 }).catch(() => {});
      if (await editor.isVisible().catch(() => false)) break;
    }
  }
  if (!(await editor.isVisible().catch(() => false))) {
    const tabs = await page.getByRole("tab").allTextContents();
    await page.getByText(path, { exact: false }).first().click({ timeout: 1000 }).catch(() => {});
    if (!(await editor.isVisible().catch(() => false))) {
      console.log(`${lesson}: no editor for ${path} (tabs: ${tabs.join(", ")})`);
      await context.close();
      continue;
    }
  }
  const speed = page.locator('[data-testid="clock-speed"]');
  await speed.selectOption(await speed.evaluate((select) => select.options[select.options.length - 1].value));
  if (!paused) await page.click('[data-testid="clock-play"]');
  await page.waitForTimeout(1000);
  await editor.click();
  await page.keyboard.press("Control+End");
  await page.keyboard.press("Enter");
  await page.evaluate(() => {
    window.__events = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        if (entry.interactionId) {
          window.__events.push({ name: entry.name, id: entry.interactionId, duration: entry.duration, handlers: entry.processingEnd - entry.processingStart, delay: entry.processingStart - entry.startTime });
        }
      }
    }).observe({ type: "event", durationThreshold: 16 });
  });
  await recordTasks(page);
  const clock = () => simulatedSeconds(page);
  const [startClock, startReal] = [await clock(), Date.now()];
  // Comment lines, valid in every one of these files.
  let typed = 0;
  while (typed < characters) {
    const text = `# typed ${typed} while the clock runs`;
    await page.keyboard.type(text, { delay });
    await page.keyboard.press("Enter");
    typed += text.length + 1;
  }
  await page.waitForTimeout(500);
  const [endClock, endReal] = [await clock(), Date.now()];
  const events = await page.evaluate(() => window.__events);
  const { long, longest, parts } = await taken(page);
  // One interaction per key: its slowest entry (keydown, input or keyup) is what the learner waits.
  const byKey = new Map();
  for (const event of events) byKey.set(event.id, Math.max(byKey.get(event.id) || 0, event.duration));
  const slow = [...byKey.values()].sort((a, b) => a - b);
  const handlers = events.map((event) => event.handlers).sort((a, b) => a - b);
  // What follows the handlers until the paint: the frame's rendering and its wait for the display.
  const painting = events.map((event) => event.duration - event.delay - event.handlers).sort((a, b) => a - b);
  const quantile = (values, q) => (values.length ? Math.round(values[Math.min(values.length - 1, Math.floor(values.length * q))]) : 0);
  const rate = Math.round((endClock - startClock) / ((endReal - startReal) / 1000));
  // Every key typed is one interaction; those the browser did not report took under 16 ms
  // (their duration rounds to 8 ms or less).
  const medianKey = slow.length * 2 < typed ? "under 16 ms" : `${quantile(slow, 1 - typed / (2 * slow.length))} ms`;
  if (!paused) await page.click('[data-testid="clock-play"]');
  console.log(
    `${lesson} (${path}): ${typed} keys at ${delay} ms, the median key ${medianKey} from key to paint; ` +
      `${slow.length} keys at 16 ms or more` +
      (slow.length ? ` (median of those ${quantile(slow, 0.5)} ms, slowest ${Math.round(slow[slow.length - 1])} ms; handlers median ${quantile(handlers, 0.5)} ms, slowest ${Math.round(handlers[handlers.length - 1] || 0)} ms; from the handlers to the paint median ${quantile(painting, 0.5)} ms)` : "") +
      `; ${long.length} long tasks${long.length ? ` (longest ${longest} ms: ${parts})` : ""}; clock at ${rate}x while typing; page errors ${errors.length}`,
  );
  await context.close();
}
await env.browser.close();
env.server.close();
