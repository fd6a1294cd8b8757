// Measures the time from navigation to an interactive first lesson (editor mounted, clock
// clickable) in headless Chromium against the release build. Prints one line per run and the
// median. Usage: node scripts/bench-startup.mjs [RUNS]
import { setUp, newPage } from "../tests/e2e/helpers.mjs";

const runs = Number(process.argv[2] || 7);
const env = await setUp();
const timings = [];
for (let run = 0; run < runs; run++) {
  const { page, context } = await newPage(env.browser);
  const start = Date.now();
  await page.goto(env.base + "/lessons/basics/playground");
  await page.locator('[data-widget="editor"] .cm-editor').waitFor();
  await page.locator('[data-testid="clock-play"]').waitFor();
  timings.push(Date.now() - start);
  console.log(`run ${run + 1}: ${timings.at(-1)} ms`);
  await context.close();
}
timings.sort((a, b) => a - b);
console.log(`time to interactive lesson: median ${timings[Math.floor(timings.length / 2)]} ms over ${runs} runs (min ${timings[0]}, max ${timings.at(-1)})`);
await env.browser.close();
env.server.close();
