// Runs the engine's benchmark (a simulated day, rules every 15 s, Alertmanager) inside headless
// Chromium against the release build, and prints the figures `opsdojo simulate` prints natively.
// Usage: node scripts/bench-browser.mjs [HOURS]   (after `trunk build --release`)
import { chromium } from "playwright-core";
import { startServer } from "./serve-dist.mjs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const hours = Number(process.argv[2] || 24);
const dist = join(dirname(fileURLToPath(import.meta.url)), "../dist");
const server = await startServer(0, dist);
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
});
try {
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${server.address().port}/bench?hours=${hours}`);
  const result = page.locator('[data-testid="bench-result"]');
  await result.waitFor({ timeout: 30 * 60 * 1000 });
  const data = JSON.parse(await result.innerText());
  console.log(`headless Chromium (${await browser.version()}), release build:`);
  console.log(data.text);
  console.log(`  WebAssembly memory (peak): ${data.wasm_memory_mib.toFixed(1)} MiB`);
} finally {
  await browser.close();
  server.close();
}
