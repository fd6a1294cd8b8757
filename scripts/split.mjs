// Release step after `trunk build`: splits the app's WebAssembly in two, so that a first visit
// downloads only what it runs.
//
// 1. The module is instrumented (`wasm-split --instrument`) and served from a copy of the build.
// 2. Headless Chromium opens the catalog and the first lesson in both languages, cold, and each
//    page writes down which functions ran until a second after it became interactive.
// 3. `wasm-split` keeps those functions in the first module and moves the others to the second,
//    which the first calls through placeholders; `wasm-opt -Oz` then shrinks both.
// 4. The build gets the two modules under names made of their content's hash, the loader that
//    fills the placeholders (public/second-module.js, with this build's names written above it,
//    inlined in index.html, with the modules' preloads, where index.html marks: a script file
//    there would hold back the module's preload), and its Content-Security-Policy and service
//    worker written again.
//
// Usage: node scripts/split.mjs [DIST]
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { chromium } from "playwright-core";
import { startServer } from "./serve-dist.mjs";
import { CHROMIUM_ARGS } from "../tests/e2e/helpers.mjs";

const here = new URL("..", import.meta.url).pathname;
const dist = process.argv[2] || "dist";
const work = join(here, "target/split");
const FEATURES = [
  "--enable-reference-types", "--enable-bulk-memory", "--enable-sign-ext", "--enable-mutable-globals",
  "--enable-nontrapping-float-to-int", "--enable-multivalue",
];
/** What the first module imports its placeholders from, and the second the first's exports. */
const PLACEHOLDERS = "p";
const PRIMARY = "m";
/** The first module's export of the table the placeholders sit in. */
const TABLE = "%table";
/** How long after a page is interactive its profile still counts (its first frames, observers). */
const SETTLE_MS = 1000;

function fail(message) {
  console.error(`split.mjs: ${message}`);
  process.exit(1);
}

function run(command, args) {
  try {
    return execFileSync(command, args, { stdio: ["ignore", "pipe", "pipe"] }).toString();
  } catch (error) {
    fail(`${command} ${args.join(" ")} failed: ${error.stderr?.toString() || error.message}`);
  }
}

const hash = (bytes) => createHash("sha256").update(bytes).digest("hex").slice(0, 16);
const sri = (bytes) => "sha384-" + createHash("sha384").update(bytes).digest("base64");

/** The items of a YAML list, as the shipped pack files write them. */
function listed(text) {
  return text.split("\n").filter((line) => /^\s*-\s/.test(line)).map((line) => line.replace(/^\s*-\s*/, "").replace(/\.md$/, "").trim());
}

/** The catalog and the first lesson of the first pack: what a newcomer opens first. */
function firstRoutes() {
  const pack = listed(readFileSync(join(here, "lessons/en/packs.yaml"), "utf8"))[0];
  const manifest = readFileSync(join(here, `lessons/en/${pack}/pack.yaml`), "utf8");
  const lesson = listed(manifest.split("lessons:")[1] ?? "")[0];
  if (!pack || !lesson) fail("no first lesson in lessons/en/packs.yaml");
  return ["/", `/lessons/${pack}/${lesson}`];
}

/**
 * Points every exported table at the table of its kind: wasm-split 108 writes index 0 for the
 * wasm-bindgen table of JavaScript values (externref) and for the placeholders' table alike.
 */
function fixTableExports(bytes) {
  let at = 8;
  const leb = () => {
    let value = 0, shift = 0, byte;
    do {
      byte = bytes[at++];
      value |= (byte & 0x7f) << shift;
      shift += 7;
    } while (byte & 0x80);
    return value >>> 0;
  };
  const tables = [];
  let fixed = 0;
  while (at < bytes.length) {
    const id = bytes[at++];
    const length = leb();
    const start = at;
    if (id === 2) {
      for (let count = leb(); count > 0; count--) {
        for (let name = 0; name < 2; name++) {
          const nameLength = leb();
          at += nameLength;
        }
        const kind = bytes[at++];
        if (kind === 0) leb();
        else if (kind === 1) {
          tables.push(bytes[at++]);
          if (bytes[at++] & 1) leb();
          leb();
        } else if (kind === 2) {
          if (bytes[at++] & 1) leb();
          leb();
        } else if (kind === 3) at += 2;
      }
    } else if (id === 4) {
      for (let count = leb(); count > 0; count--) {
        tables.push(bytes[at++]);
        if (bytes[at++] & 1) leb();
        leb();
      }
    } else if (id === 7) {
      for (let count = leb(); count > 0; count--) {
        const nameLength = leb();
        const name = Buffer.from(bytes.subarray(at, at + nameLength)).toString();
        at += nameLength;
        const kind = bytes[at++];
        const indexAt = at;
        const index = leb();
        if (kind !== 1) continue;
        const want = name === TABLE ? 0x70 : 0x6f;
        const right = tables.indexOf(want);
        if (right < 0 || at - indexAt !== 1 || right > 0x7f) fail(`cannot point the export ${name} at a table of type ${want.toString(16)}`);
        if (index !== right) {
          bytes[indexAt] = right;
          fixed++;
        }
      }
    }
    at = start + length;
  }
  return fixed;
}

const names = readdirSync(dist);
const wasmName = names.find((name) => /_bg\.wasm$/.test(name));
const glueName = wasmName && names.find((name) => name === wasmName.replace(/_bg\.wasm$/, ".js"));
if (!wasmName || !glueName) fail(`no wasm-bindgen module in ${dist}`);
if (names.some((name) => /_second\.wasm$/.test(name))) fail(`${dist} is split already`);
const glue = readFileSync(join(dist, glueName), "utf8");
const glueImports = glue.match(/"(\.\/[^"]+_bg\.js)": import0/)?.[1];
if (!glueImports) fail(`cannot find the import object's name in ${glueName}`);
for (const tool of ["wasm-split"]) {
  try {
    execFileSync(tool, ["--version"], { stdio: "ignore" });
  } catch {
    fail(`${tool} not found: scripts/setup.sh installs Debian's binaryen`);
  }
}
const wasmOpt = join(here, "node_modules/.bin/wasm-opt");
if (!existsSync(wasmOpt)) fail("node_modules/.bin/wasm-opt not found: run npm ci");

rmSync(work, { recursive: true, force: true });
mkdirSync(join(work, "profiles"), { recursive: true });
const input = join(dist, wasmName);

// 1. An instrumented copy of the build.
const profiled = join(work, "dist");
cpSync(dist, profiled, { recursive: true });
rmSync(join(profiled, "sw.js"), { force: true });
run("wasm-split", ["--instrument", input, "-o", join(profiled, wasmName), ...FEATURES]);
const instrumented = readFileSync(join(profiled, wasmName));
fixTableExports(instrumented);
writeFileSync(join(profiled, wasmName), instrumented);
const profiledIndex = join(profiled, "index.html");
writeFileSync(profiledIndex, readFileSync(profiledIndex, "utf8").replace(/ integrity="[^"]*"/g, ""));

// 2. The first visit's profiles.
const routes = firstRoutes();
const server = await startServer(0, profiled);
const base = `http://127.0.0.1:${server.address().port}`;
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
const profiles = [];
try {
  for (const locale of ["en", "fr"]) {
    for (const route of routes) {
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, serviceWorkers: "block" });
      await context.addInitScript((locale) => {
        try {
          localStorage.setItem("opsdojo.locale", locale);
        } catch {
          // about:blank has no storage.
        }
        addEventListener("TrunkApplicationStarted", (event) => { window.__exports = event.detail.wasm; });
        addEventListener("opsdojo:interactive", () => { window.__interactive = true; });
      }, locale);
      const page = await context.newPage();
      const errors = [];
      page.on("pageerror", (error) => errors.push(error.message));
      await page.goto(base + route, { waitUntil: "domcontentloaded" });
      await page.waitForFunction(() => window.__exports && window.__interactive, null, { timeout: 30000 });
      await page.waitForTimeout(SETTLE_MS);
      if (errors.length) fail(`${route} (${locale}) failed while profiled: ${errors[0]}`);
      const bytes = await page.evaluate(() => {
        const exports = window.__exports;
        const size = 32 * 65536;
        const at = exports.memory.grow(32) * 65536;
        const length = exports.__write_profile(at, size);
        return Array.from(new Uint8Array(exports.memory.buffer, at, length));
      });
      const file = join(work, "profiles", `${locale}${route.replaceAll("/", "_")}.prof`);
      writeFileSync(file, Buffer.from(bytes));
      profiles.push(file);
      await context.close();
    }
  }
} finally {
  await browser.close();
  server.close();
}
const profile = join(work, "first-visit.prof");
run("wasm-split", ["--merge-profiles", ...profiles, "-o", profile]);

// 3. The split, and both modules shrunk.
const first = join(work, "first.wasm");
const second = join(work, "second.wasm");
run("wasm-split", [
  input, `--profile=${profile}`, "-o1", first, "-o2", second, ...FEATURES,
  "--export-prefix=%", `--placeholder-namespace=${PLACEHOLDERS}`, `--import-namespace=${PRIMARY}`,
]);
const firstBytes = readFileSync(first);
fixTableExports(firstBytes);
writeFileSync(first, firstBytes);
for (const file of [first, second]) run(wasmOpt, ["-Oz", ...FEATURES, file, "-o", file]);

// 4. The build's files.
const stem = wasmName.replace(/-[0-9a-f]+_bg\.wasm$/, "");
const firstOut = readFileSync(first);
const secondOut = readFileSync(second);
const firstName = `${stem}-${hash(firstOut)}_bg.wasm`;
const secondName = `${stem}-${hash(secondOut)}_second.wasm`;
rmSync(input);
writeFileSync(join(dist, firstName), firstOut);
writeFileSync(join(dist, secondName), secondOut);
const loader =
  `const SECOND = ${JSON.stringify("/" + secondName)};\n` +
  `const FIRST_ROUTES = ${JSON.stringify(routes)};\n` +
  `const GLUE_IMPORTS = ${JSON.stringify(glueImports)};\n` +
  `const PLACEHOLDERS = ${JSON.stringify(PLACEHOLDERS)};\n` +
  `const PRIMARY = ${JSON.stringify(PRIMARY)};\n` +
  `const TABLE = ${JSON.stringify(TABLE)};\n` +
  readFileSync(join(here, "public/second-module.js"), "utf8")
    .split("\n")
    .filter((line) => !/^\s*\/\//.test(line))
    .join("\n");
if (loader.includes("</script")) fail("the loader cannot be inlined: it contains </script");

const indexFile = join(dist, "index.html");
let html = readFileSync(indexFile, "utf8");
const uses = html.split(wasmName).length - 1;
if (uses !== 2) fail(`index.html names ${wasmName} ${uses} times, not twice (the loader and its preload)`);
html = html
  .replaceAll(wasmName, firstName)
  .replace(/(<link rel="preload" href="\/[^"]+_bg\.wasm"[^>]*integrity=")[^"]*"/, `$1${sri(firstOut)}"`);
// The modules' preloads and the loader go where index.html marks, above the style sheet: Trunk
// writes the preloads at the end of the head, and the browser asked for them only once the
// style sheet had arrived (an inline script below a style sheet waits for it, and the parser
// with it), some 40 ms into a load from this machine.
const marker = /<!-- opsdojo:modules[^>]*-->/;
if (!marker.test(html)) fail("index.html has no <!-- opsdojo:modules --> marker");
const preloads = html.match(/<link rel="(?:modulepreload|preload)" [^>]*>/g) ?? [];
if (!preloads.some((link) => link.includes(firstName))) fail("index.html has no preload of the first module");
for (const link of preloads) html = html.replace(link, "");
html = html.replace(marker, `${preloads.join("\n    ")}\n    <script>\n${loader}</script>`);
if (!html.includes(loader)) fail("the loader could not be put in index.html");
writeFileSync(indexFile, html);
run("node", [join(here, "scripts/csp.mjs"), dist]);
run("node", [join(here, "scripts/offline.mjs"), dist]);

// Sized as scripts/bundle-report.mjs sizes them (zlib at level 9), so the two agree.
const gzip = (bytes) => gzipSync(bytes, { level: 9 }).length;
const kb = (bytes) => (bytes / 1000).toFixed(1) + " kB";
console.log(
  `split.mjs: ${routes.join(" and ")} profiled in English and French; ` +
    `first module ${firstName} ${kb(gzip(firstOut))} gzip, second ${secondName} ${kb(gzip(secondOut))} gzip`,
);
