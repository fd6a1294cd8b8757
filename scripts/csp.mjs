// Post-build step: writes the page's Content-Security-Policy. Scripts run only from this origin
// plus the inline loaders (Trunk's, and in a split build the second module's from
// scripts/split.mjs), each allowed by its SHA-256 hash; WebAssembly may be
// compiled; nothing is fetched from elsewhere. Styles allow inline because CodeMirror injects
// its theme as style elements.
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const dir = process.env.TRUNK_STAGING_DIR || process.argv[2] || "dist";
const file = join(dir, "index.html");
let html = readFileSync(file, "utf8");
const hashes = [];
for (const match of html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)) {
  hashes.push(`'sha256-${createHash("sha256").update(match[1], "utf8").digest("base64")}'`);
}
const policy = [
  "default-src 'self'",
  `script-src 'self' 'wasm-unsafe-eval' ${hashes.join(" ")}`.trim(),
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: https:",
  "connect-src 'self'",
  "font-src 'self'",
  "worker-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join("; ");
// The policy's meta element, with the placeholder index.html has or the policy of an earlier run
// (scripts/split.mjs changes the inline loader after Trunk's build).
const meta = /(<meta http-equiv="Content-Security-Policy" content=")[^"]*(")/;
if (!meta.test(html)) {
  console.error("csp.mjs: no Content-Security-Policy meta element in " + file);
  process.exit(1);
}
html = html.replace(meta, (_, before, after) => before + policy + after);
writeFileSync(file, html);
console.log(`csp.mjs: policy written with ${hashes.length} inline script hash(es)`);
