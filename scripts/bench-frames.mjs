// Plays every shipped lesson at the clock's fastest speed in headless Chromium against the
// release build and measures the frames while it plays: the main-thread tasks over 50 ms (the
// browser's long tasks), the longest one, and how fast the simulated clock really ran.
// The first second of play is left out, so the numbers are the steady state, not the click.
// Usage: node scripts/bench-frames.mjs [SECONDS] [LOCALE] [TAB]
//   SECONDS of measured play per lesson (default 4), LOCALE en or fr (default en), TAB the
//   workbench tab to open first (its visible name, e.g. "Explore"; default: the lesson's own).
import { readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { setUp, newPage } from "../tests/e2e/helpers.mjs";
import { recordTasks, simulatedSeconds, taken } from "./page-tasks.mjs";

const seconds = Number(process.argv[2] || 4);
const locale = process.argv[3] || "en";
const tab = process.argv[4];
const lessons = join(dirname(fileURLToPath(import.meta.url)), "..", "lessons", locale);
const list = (text, key) =>
  text.split(key)[1].split("\n").filter((line) => /^\s*-\s/.test(line)).map((line) => line.replace(/^\s*-\s*/, "").replace(/\.md$/, "").trim());
const packs = list(readFileSync(join(lessons, "packs.yaml"), "utf8"), "packs:");

const env = await setUp();
const rows = [];
for (const pack of packs) {
  for (const lesson of list(readFileSync(join(lessons, pack, "pack.yaml"), "utf8"), "lessons:")) {
    const { page, context } = await newPage(env.browser);
    await context.addInitScript((loc) => localStorage.setItem("opsdojo.locale", loc), locale);
    await page.goto(`${env.base}/lessons/${pack}/${lesson}`);
    await page.locator('[data-testid="clock-play"]').waitFor();
    if (tab) await page.getByRole("tab", { name: tab }).first().click().catch(() => {});
    const speed = page.locator('[data-testid="clock-speed"]');
    const fastest = await speed.evaluate((select) => select.options[select.options.length - 1].value);
    await speed.selectOption(fastest);
    await page.click('[data-testid="clock-play"]');
    await page.waitForTimeout(1000);
    const clock = () => simulatedSeconds(page);
    await recordTasks(page);
    const [startClock, startReal] = [await clock(), Date.now()];
    await page.waitForTimeout(seconds * 1000);
    const [endClock, endReal] = [await clock(), Date.now()];
    const { long, longest, parts } = await taken(page);
    await page.click('[data-testid="clock-play"]');
    const rate = startClock === null ? null : Math.round((endClock - startClock) / ((endReal - startReal) / 1000));
    const row = {
      lesson: `${pack}/${lesson}`,
      longTasks: long.length,
      longest,
      simulatedPerSecond: rate,
      parts,
    };
    rows.push(row);
    console.log(`${row.lesson}: ${row.longTasks} long tasks, longest ${row.longest} ms${parts ? ` (${parts})` : ""}, clock at ${rate}x`);
    await context.close();
  }
}
const longest = Math.max(...rows.map((row) => row.longest));
const rates = rows.map((row) => row.simulatedPerSecond).filter((rate) => rate !== null).sort((a, b) => a - b);
console.log(`${rows.length} lessons (${locale}${tab ? `, tab ${tab}` : ""}), ${seconds} s of play each at the fastest speed: ` +
  `${rows.filter((row) => row.longTasks === 0).length} without a long task, longest task ${longest} ms, ` +
  `clock median ${rates[Math.floor(rates.length / 2)]}x (slowest ${rates[0]}x)`);
await env.browser.close();
env.server.close();
