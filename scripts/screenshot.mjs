// Takes screenshots of app pages for a person to look at.
// Usage: node scripts/screenshot.mjs BASE_URL OUT_DIR path[=name] ...
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";

const [base, out, ...pages] = process.argv.slice(2);
mkdirSync(out, { recursive: true });
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
});
const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
page.on("console", (m) => { if (m.type() === "error" || m.type() === "warning") console.log(`console ${m.type()}: ${m.text()}`); });
page.on("pageerror", (e) => console.log(`page error: ${e.message}`));
for (const spec of pages) {
  const [path, name] = spec.split("=");
  await page.goto(base + path);
  await page.waitForTimeout(1200);
  await page.screenshot({ path: `${out}/${name || path.replaceAll("/", "_") || "root"}.png` });
}
await browser.close();
