// Measures a cold first visit to the first lesson in headless Chromium against the release
// build: the time from navigation to an interactive lesson (its text and the clock's play
// button), then to CodeMirror in its editor, and what the page downloaded before it said it was
// interactive (gzip -9 of each file, as scripts/bundle-report.mjs counts). Prints one line per
// run, with when the first wasm module had arrived and how long building the lesson's world
// took, and the medians. Playwright sees the page by polling it at growing intervals (0, 20,
// 50, 100, 100 then 500 ms), so the times it measures move in steps: CodeMirror, which comes a
// few hundred milliseconds after the lesson, is often seen half a second late. Both times are
// therefore also taken inside the page (the `opsdojo:interactive` event, the first
// `.cm-editor`, after navigation start). Usage: node scripts/bench-startup.mjs [RUNS]
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { setUp, newPage } from "../tests/e2e/helpers.mjs";

const runs = Number(process.argv[2] || 7);
const dist = new URL("../dist", import.meta.url).pathname;
const gzipped = new Map();
/** The gzip size of a file of the build, by the path the page fetched it from. */
function gzipOf(path) {
  if (!gzipped.has(path)) {
    let size = 0;
    try {
      size = gzipSync(readFileSync(join(dist, path === "/" || !path.includes(".") ? "index.html" : path)), { level: 9 }).length;
    } catch {
      size = 0;
    }
    gzipped.set(path, size);
  }
  return gzipped.get(path);
}

const env = await setUp();
const timings = [];
const editors = [];
const worlds = [];
const inPage = [];
const editorsInPage = [];
let before = null;
for (let run = 0; run < runs; run++) {
  const { page, context } = await newPage(env.browser);
  // The page clears its measures at once (see `measured` in src/session.rs): an observer
  // installed before it runs sees them.
  await page.addInitScript(() => {
    window.__benchMeasures = {};
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) window.__benchMeasures[entry.name] = entry.duration;
    }).observe({ entryTypes: ["measure"] });
    addEventListener("opsdojo:interactive", () => { window.__interactiveAt ??= performance.now(); });
    new MutationObserver((_, observer) => {
      if (document.querySelector('[data-widget="editor"] .cm-editor')) {
        window.__editorAt = performance.now();
        observer.disconnect();
      }
    }).observe(document, { subtree: true, childList: true });
  });
  const start = Date.now();
  await page.goto(env.base + "/lessons/basics/playground");
  await page.locator('[data-testid="lesson"]').waitFor();
  await page.locator('[data-testid="clock-play"]').waitFor();
  timings.push(Date.now() - start);
  await page.locator('[data-widget="editor"] .cm-editor').waitFor();
  editors.push(Date.now() - start);
  await page.waitForFunction(() => window.__interactiveAt !== undefined);
  const phases = await page.evaluate(() => ({
    wasm: performance.getEntriesByType("resource").find((entry) => entry.name.endsWith(".wasm"))?.responseEnd,
    world: window.__benchMeasures["opsdojo:world"],
    interactive: window.__interactiveAt,
    editor: window.__editorAt,
    before: [new URL(location.href).pathname, ...performance.getEntriesByType("resource")
      .filter((entry) => entry.startTime < window.__interactiveAt)
      .map((entry) => new URL(entry.name).pathname)],
  }));
  worlds.push(phases.world ?? NaN);
  inPage.push(phases.interactive ?? NaN);
  editorsInPage.push(phases.editor ?? NaN);
  before = phases.before;
  console.log(`run ${run + 1}: interactive ${timings.at(-1)} ms (in the page ${Math.round(phases.interactive)}), CodeMirror ${editors.at(-1)} ms (in the page ${Math.round(phases.editor)}); first wasm downloaded at ${Math.round(phases.wasm)} ms, the lesson's world built in ${Math.round(phases.world)} ms`);
  await context.close();
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const sorted = [...timings].sort((a, b) => a - b);
console.log(`time to interactive lesson: median ${median(timings)} ms over ${runs} runs (min ${sorted[0]}, max ${sorted.at(-1)}); in the page ${Math.round(median(inPage))} ms`);
console.log(`time to CodeMirror in the lesson's editor: median ${median(editors)} ms; in the page ${Math.round(median(editorsInPage))} ms`);
console.log(`building the lesson's world: median ${Math.round(median(worlds))} ms`);
const kb = (bytes) => (bytes / 1000).toFixed(1) + " kB";
const files = before.map((path) => `${path} ${kb(gzipOf(path))}`);
console.log(`downloaded before the lesson said it was interactive: ${kb(before.reduce((sum, path) => sum + gzipOf(path), 0))} gzip in ${before.length} files`);
console.log(`  ${files.join("\n  ")}`);
await env.browser.close();
env.server.close();
