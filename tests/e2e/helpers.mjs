// Shared set-up for the browser tests: the release build served locally, Debian's Chromium
// driven by playwright-core, console errors collected, screenshots saved.
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { startServer } from "../../scripts/serve-dist.mjs";

const here = dirname(fileURLToPath(import.meta.url));
export const screenshotDir = join(here, "screenshots");
mkdirSync(screenshotDir, { recursive: true });

export const CHROMIUM_ARGS = [
  "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
  "--disable-sync", "--no-first-run", "--disable-quic",
];

/** Starts the static server on a free port and launches the browser. */
export async function setUp() {
  const server = await startServer(0, join(here, "../../dist"));
  const base = `http://127.0.0.1:${server.address().port}`;
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
  return { server, base, browser };
}

/**
 * A fresh page (empty storage) that records console errors and uncaught exceptions. The
 * service worker is blocked unless asked for, so that `page.route` sees every request; the
 * offline tests turn it on.
 */
export async function newPage(browser, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true, serviceWorkers: "block", ...options });
  const page = await context.newPage();
  const errors = [];
  page.on("console", (message) => { if (message.type() === "error") errors.push(message.text()); });
  page.on("pageerror", (error) => errors.push(error.message));
  return { context, page, errors };
}

/** Saves a screenshot named after the step it shows. */
export async function shot(page, name) {
  await page.screenshot({ path: join(screenshotDir, `${name}.png`) });
}

/** Runs `body`, saving a screenshot named `name-failure` if it throws. */
export async function withFailureShot(page, name, body) {
  try {
    await body();
  } catch (error) {
    await shot(page, `${name}-failure`).catch(() => {});
    throw error;
  }
}
