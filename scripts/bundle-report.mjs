// Prints the gzip size of what the browser downloads (wasm, js, css) and fails above budget.
// Usage: node scripts/bundle-report.mjs [DIST]
import { readdirSync, readFileSync } from "node:fs";
import { join, extname } from "node:path";
import { gzipSync } from "node:zlib";

const BUDGET_BYTES = 2_205_000;
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
for (const row of rows) console.log(`  ${kb(row.gzip)}  ${kb(row.raw)} raw  ${row.name}`);
const total = rows.reduce((sum, row) => sum + row.gzip, 0);
console.log(`  ${kb(total)}  total, budget ${kb(BUDGET_BYTES)}`);
if (rows.length === 0 || total > BUDGET_BYTES) {
  console.error(rows.length === 0 ? "no wasm, js or css found in " + dir : "bundle over budget");
  process.exit(1);
}
