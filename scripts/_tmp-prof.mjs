import { newPage, CHROMIUM_ARGS } from "../tests/e2e/helpers.mjs";
import { startServer } from "./serve-dist.mjs";
import { chromium } from "playwright-core";
import { writeFileSync } from "node:fs";
const server = await startServer(0, process.argv[2] || "/tmp/distn");
const base = `http://127.0.0.1:${server.address().port}`;
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
const path = process.argv[3] || "/lessons/basics/playground";
let profile;
for (let round = 0; round < 2; round++) {
const { page, context, errors } = await newPage(browser);
const cdp = await context.newCDPSession(page);
await cdp.send("Profiler.enable");
await cdp.send("Profiler.setSamplingInterval", { interval: 100 });
await cdp.send("Profiler.start");
const start = Date.now();
await page.goto(base + path);
await page.locator('[data-widget="editor"] .cm-editor, .cm-editor').first().waitFor();
await page.locator('[data-testid="clock-play"]').waitFor();
console.log("total", Date.now() - start, errors);
profile = (await cdp.send("Profiler.stop")).profile;
await context.close();
}
writeFileSync("/tmp/startup.cpuprofile", JSON.stringify(profile));
const byId = new Map(profile.nodes.map(n => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children || []) parent.set(c, n.id);
const dt = profile.timeDeltas;
const self = new Map(), incl = new Map();
const clean = (s) => s.replace(/::h[0-9a-f]{16}$/, "").slice(0, 160);
for (let i = 0; i < profile.samples.length; i++) {
  const ms = (dt[i + 1] || 0) / 1000;
  let id = profile.samples[i]; const n0 = byId.get(id);
  const k0 = clean(n0.callFrame.functionName || n0.callFrame.url.split("/").pop());
  self.set(k0, (self.get(k0) || 0) + ms);
  const seen = new Set();
  while (id !== undefined) { const n = byId.get(id); const key = clean(n.callFrame.functionName); if (!seen.has(key)) { seen.add(key); incl.set(key, (incl.get(key) || 0) + ms); } id = parent.get(id); }
}
for (const [k, v] of [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(v.toFixed(1).padStart(8), k);
console.log("--- inclusive");
for (const [k, v] of [...incl.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(process.argv[4] || 120))) console.log(v.toFixed(1).padStart(8), k);
await browser.close(); server.close();
