// Measures the time from navigation to an interactive first lesson (editor mounted, clock
// clickable) in headless Chromium against the release build. Prints one line per run, with
// when the wasm module had arrived and how long building the lesson's world took, and the
// medians. Usage: node scripts/bench-startup.mjs [RUNS]
import { setUp, newPage } from "../tests/e2e/helpers.mjs";

const runs = Number(process.argv[2] || 7);
const env = await setUp();
const timings = [];
const worlds = [];
for (let run = 0; run < runs; run++) {
  const { page, context } = await newPage(env.browser);
  // The page clears its measures at once (see `measured` in src/session.rs): an observer
  // installed before it runs sees them.
  await page.addInitScript(() => {
    window.__benchMeasures = {};
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) window.__benchMeasures[entry.name] = entry.duration;
    }).observe({ entryTypes: ["measure"] });
  });
  const start = Date.now();
  await page.goto(env.base + "/lessons/basics/playground");
  await page.locator('[data-widget="editor"] .cm-editor').waitFor();
  await page.locator('[data-testid="clock-play"]').waitFor();
  timings.push(Date.now() - start);
  const phases = await page.evaluate(() => ({
    wasm: performance.getEntriesByType("resource").find((entry) => entry.name.endsWith(".wasm"))?.responseEnd,
    world: window.__benchMeasures["opsdojo:world"],
  }));
  worlds.push(phases.world ?? NaN);
  console.log(`run ${run + 1}: ${timings.at(-1)} ms (wasm downloaded at ${Math.round(phases.wasm)} ms, the lesson's world built in ${Math.round(phases.world)} ms)`);
  await context.close();
}
timings.sort((a, b) => a - b);
worlds.sort((a, b) => a - b);
console.log(`time to interactive lesson: median ${timings[Math.floor(timings.length / 2)]} ms over ${runs} runs (min ${timings[0]}, max ${timings.at(-1)})`);
console.log(`building the lesson's world: median ${Math.round(worlds[Math.floor(worlds.length / 2)])} ms`);
await env.browser.close();
env.server.close();
