// Times every English lesson opened cold (a fresh browser context each time, the service
// worker allowed, as a first visit), from navigation to an interactive lesson (the clock's play
// button and the lesson's text), in headless Chromium. Given two builds, opens each lesson in
// both, alternating which goes first, so that the machine's drift weighs on both alike.
// Usage: node scripts/bench-lessons.mjs DIST [OTHER_DIST] [ROUNDS]
//   node scripts/bench-lessons.mjs dist                  # this build, two rounds
//   node scripts/bench-lessons.mjs /tmp/old-dist dist 2  # an older build against this one
import { chromium } from "playwright-core";
import { readFileSync } from "node:fs";
import { startServer } from "./serve-dist.mjs";
import { CHROMIUM_ARGS } from "../tests/e2e/helpers.mjs";

const args = process.argv.slice(2);
const rounds = /^\d+$/.test(args.at(-1) ?? "") ? Number(args.pop()) : 2;
const dists = args.length ? args : ["dist"];

/** The items of a YAML list under `key` (or at the top), as the shipped files write them. */
function listed(text) {
  return text.split("\n").filter((line) => /^\s*-\s/.test(line)).map((line) => line.replace(/^\s*-\s*/, "").replace(/\.md$/, "").trim());
}

const lessons = [];
for (const pack of listed(readFileSync("lessons/en/packs.yaml", "utf8"))) {
  const manifest = readFileSync(`lessons/en/${pack}/pack.yaml`, "utf8");
  for (const lesson of listed(manifest.split("lessons:")[1] ?? "")) lessons.push(`${pack}/${lesson}`);
}

const servers = await Promise.all(dists.map((dir) => startServer(0, dir)));
const bases = servers.map((server) => `http://127.0.0.1:${server.address().port}`);
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
const times = dists.map(() => []);
const byLesson = {};
for (let round = 0; round < rounds; round++) {
  for (const lesson of lessons) {
    const order = dists.map((_, index) => index);
    if (round % 2) order.reverse();
    for (const index of order) {
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      const page = await context.newPage();
      const start = Date.now();
      await page.goto(`${bases[index]}/lessons/${lesson}`, { waitUntil: "domcontentloaded" });
      await page.waitForSelector('[data-testid="clock-play"]');
      await page.waitForSelector('[data-testid="lesson"]');
      times[index].push(Date.now() - start);
      (byLesson[lesson] ??= dists.map(() => []))[index].push(Date.now() - start);
      await page.waitForTimeout(300);
      await context.close();
    }
  }
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
for (const [lesson, runs] of Object.entries(byLesson)) {
  console.log(`${lesson}: ${runs.map((values, index) => `${dists[index]} ${median(values)} ms`).join(", ")}`);
}
dists.forEach((dir, index) => {
  const sorted = [...times[index]].sort((a, b) => a - b);
  console.log(`${dir}: time to an interactive lesson, median ${median(sorted)} ms over ${sorted.length} cold loads of ${lessons.length} lessons (min ${sorted[0]}, max ${sorted.at(-1)})`);
});
await browser.close();
servers.forEach((server) => server.close());
