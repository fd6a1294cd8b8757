import { chromium } from "playwright-core";
import { startServer } from "/work/main/scripts/serve-dist.mjs";
const server = await startServer(0, "/work/main/dist");
const base = `http://127.0.0.1:${server.address().port}`;
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
page.on("pageerror", (e) => console.log(`page error: ${e.message}`));
page.on("console", (m) => { if (m.type() === "error") console.log(`console: ${m.text()}`); });
const [path, ...steps] = process.argv.slice(2);
await page.goto(base + path);
await page.waitForTimeout(1500);
for (const step of steps) {
  const k = step.indexOf(":"); const kind = step.slice(0, k), arg = step.slice(k + 1);
  if (kind === "click") await page.click(arg);
  if (kind === "wait") await page.waitForTimeout(Number(arg));
  if (kind === "key") await page.keyboard.press(arg);
  if (kind === "select") { const i = arg.lastIndexOf("="); const sel = arg.slice(0, i), val = arg.slice(i + 1); await page.selectOption(sel, val); }
  if (kind === "scroll") await page.locator(arg).scrollIntoViewIfNeeded();
  if (kind === "shot") await page.screenshot({ path: `/tmp/${arg}.png` });
}
await browser.close();
server.close();
