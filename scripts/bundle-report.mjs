// Prints the gzip size of what the browser downloads (wasm, js, css) and fails above budget:
// what a first visit downloads before the catalog or the first lesson is interactive, and the
// whole build. The second part of a split module, the editor and the service worker come after
// (public/second-module.js, src/components/editor.rs, offline/register.js).
// Usage: node scripts/bundle-report.mjs [DIST]
import { readdirSync, readFileSync } from "node:fs";
import { join, extname } from "node:path";
import { gzipSync } from "node:zlib";

const FIRST_BUDGET_BYTES = 1_200_000;
const BUDGET_BYTES = 2_330_000;
/** Files a first visit fetches only once its page is interactive. */
const later = (name) => /_second\.wasm$/.test(name) || name === "editor.js" || name.startsWith("editor/") || name === "sw.js";
const dir = process.argv[2] || "dist";
// The page's files, and the JavaScript snippets wasm-bindgen puts under `snippets/`.
const rows = readdirSync(dir, { recursive: true })
  .filter((name) => !name.startsWith("lessons"))
  .filter((name) => [".wasm", ".js", ".css"].includes(extname(name)))
  .map((name) => {
    const raw = readFileSync(join(dir, name));
    return { name, raw: raw.length, gzip: gzipSync(raw, { level: 9 }).length };
  })
  .sort((a, b) => b.gzip - a.gzip);
const kb = (bytes) => (bytes / 1000).toFixed(1).padStart(8) + " kB";
console.log("bundle report (gzip -9)");
for (const row of rows) console.log(`  ${kb(row.gzip)}  ${kb(row.raw)} raw  ${row.name}${later(row.name) ? "  (after the first page)" : ""}`);
const total = rows.reduce((sum, row) => sum + row.gzip, 0);
const first = rows.filter((row) => !later(row.name)).reduce((sum, row) => sum + row.gzip, 0);
console.log(`  ${kb(first)}  before the first page is interactive, budget ${kb(FIRST_BUDGET_BYTES)}`);
console.log(`  ${kb(total)}  total, budget ${kb(BUDGET_BYTES)}`);
if (rows.length === 0) {
  console.error("no wasm, js or css found in " + dir);
  process.exit(1);
}
if (first > FIRST_BUDGET_BYTES || total > BUDGET_BYTES) {
  console.error("bundle over budget");
  process.exit(1);
}
