// Times every English lesson opened cold (a fresh browser context each time, the service
// worker allowed, as a first visit), from navigation to an interactive lesson (the clock's play
// button and the lesson's text), in headless Chromium; then the catalog, to its lessons' cards.
// Given two builds or more, opens each page in each, alternating which goes first, so that the
// machine's drift weighs on all alike.
// Playwright sees the lesson by polling the page at growing intervals, so the time it measures
// moves in steps; each load also records, inside the page, when the page said it was
// interactive (`opsdojo:interactive`, after navigation start), which has no such steps.
// `--net=RTT/MBITS` puts a network between the browser and the server (Chromium's emulation:
// RTT ms of latency on every request, MBITS megabits per second each way), as a learner on a
// conference's wifi meets it, and the server compresses its files as a host would; without it
// the files come from this machine at once, uncompressed.
// Usage: node scripts/bench-lessons.mjs [--net=RTT/MBITS] DIST [OTHER_DIST ...] [ROUNDS]
//   node scripts/bench-lessons.mjs dist                         # this build, two rounds
//   node scripts/bench-lessons.mjs /tmp/old-dist dist 2         # an older build against this one
//   node scripts/bench-lessons.mjs --net=100/20 /tmp/old dist 1 # on a slow network
import { chromium } from "playwright-core";
import { readFileSync } from "node:fs";
import { startServer } from "./serve-dist.mjs";
import { CHROMIUM_ARGS } from "../tests/e2e/helpers.mjs";

const args = process.argv.slice(2);
const netArg = args.find((arg) => arg.startsWith("--net="));
const positional = args.filter((arg) => !arg.startsWith("--"));
const rounds = /^\d+$/.test(positional.at(-1) ?? "") ? Number(positional.pop()) : 2;
const dists = positional.length ? positional : ["dist"];
let network = null;
if (netArg) {
  const match = /^--net=(\d+)\/(\d+(?:\.\d+)?)$/.exec(netArg);
  if (!match) {
    console.error("bench-lessons: --net takes RTT_MS/MBITS, e.g. --net=100/20");
    process.exit(2);
  }
  const bytesPerSecond = (Number(match[2]) * 1e6) / 8;
  network = { offline: false, latency: Number(match[1]), downloadThroughput: bytesPerSecond, uploadThroughput: bytesPerSecond };
}

/** The items of a YAML list under `key` (or at the top), as the shipped files write them. */
function listed(text) {
  return text.split("\n").filter((line) => /^\s*-\s/.test(line)).map((line) => line.replace(/^\s*-\s*/, "").replace(/\.md$/, "").trim());
}

const LESSON_READY = ['[data-testid="clock-play"]', '[data-testid="lesson"]'];
const pages = [];
for (const pack of listed(readFileSync("lessons/en/packs.yaml", "utf8"))) {
  const manifest = readFileSync(`lessons/en/${pack}/pack.yaml`, "utf8");
  for (const lesson of listed(manifest.split("lessons:")[1] ?? "")) {
    pages.push({ name: `${pack}/${lesson}`, path: `/lessons/${pack}/${lesson}`, ready: LESSON_READY });
  }
}
const CATALOG = { name: "(catalog)", path: "/", ready: [".lesson-card"] };

const servers = await Promise.all(dists.map((dir) => startServer(0, dir, { gzip: Boolean(network) })));
const bases = servers.map((server) => `http://127.0.0.1:${server.address().port}`);
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
const lessonTimes = dists.map(() => []);
const inPage = dists.map(() => []);
const byPage = {};
for (let round = 0; round < rounds; round++) {
  for (const target of [...pages, CATALOG]) {
    const order = dists.map((_, index) => index);
    if (round % 2) order.reverse();
    for (const index of order) {
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      await context.addInitScript(() => {
        addEventListener("opsdojo:interactive", () => { window.__interactiveAt ??= performance.now(); });
      });
      const page = await context.newPage();
      if (network) {
        const cdp = await context.newCDPSession(page);
        await cdp.send("Network.enable");
        await cdp.send("Network.emulateNetworkConditions", network);
      }
      const start = Date.now();
      await page.goto(`${bases[index]}${target.path}`, { waitUntil: "domcontentloaded" });
      for (const selector of target.ready) await page.waitForSelector(selector, { timeout: 60000 });
      const took = Date.now() - start;
      (byPage[target.name] ??= dists.map(() => []))[index].push(took);
      if (target !== CATALOG) {
        lessonTimes[index].push(took);
        inPage[index].push(await page.evaluate(() => window.__interactiveAt ?? NaN));
      }
      await page.waitForTimeout(300);
      await context.close();
    }
  }
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
for (const [name, runs] of Object.entries(byPage)) {
  console.log(`${name}: ${runs.map((values, index) => `${dists[index]} ${median(values)} ms`).join(", ")}`);
}
const where = network ? ` (network: ${network.latency} ms RTT, ${netArg.split("/")[1]} Mbit/s)` : "";
dists.forEach((dir, index) => {
  const sorted = [...lessonTimes[index]].sort((a, b) => a - b);
  console.log(`${dir}: time to an interactive lesson${where}, median ${median(sorted)} ms over ${sorted.length} cold loads of ${pages.length} lessons (min ${sorted[0]}, max ${sorted.at(-1)}); in the page, median ${Math.round(median(inPage[index]))} ms; the catalog, median ${median(byPage[CATALOG.name][index])} ms`);
});
await browser.close();
servers.forEach((server) => server.close());
