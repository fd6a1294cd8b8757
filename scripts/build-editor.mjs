// Bundles the code editor (CodeMirror 6, editor/) into public/vendor/: its ES modules under
// editor/ (the editor, its layers and the chunks they share), and the loader as editor.js with
// the list of those modules written in, so that it fetches them all at once and evaluates them
// a layer at a time (editor/loader.js). Run by `npm run build:editor`, from scripts/setup.sh.
import * as esbuild from "esbuild";
import { readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { join, relative } from "node:path";

const here = new URL("..", import.meta.url).pathname;
const out = join(here, "public/vendor");
const LAYERS = ["state", "view", "language", "yaml", "promql"];

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const result = await esbuild.build({
  entryPoints: [...LAYERS.map((layer) => join(here, `editor/layers/${layer}.js`)), join(here, "editor/editor.js")],
  bundle: true,
  minify: true,
  format: "esm",
  splitting: true,
  outdir: join(out, "editor"),
  chunkNames: "chunk-[hash]",
  metafile: true,
  absWorkingDir: here,
  logLevel: "warning",
});
// The served paths of every module, the layers first in their order: the loader preloads them
// in this order. Empty chunks (esbuild writes some) are fetched like the others.
const served = Object.keys(result.metafile.outputs).map((file) => "/" + relative(out, join(here, file)));
const rank = (path) => {
  const layer = LAYERS.findIndex((name) => path === `/editor/layers/${name}.js`);
  if (layer >= 0) return layer;
  return path === "/editor/editor.js" ? LAYERS.length : LAYERS.length + 1;
};
served.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
const loader = readFileSync(join(here, "editor/loader.js"), "utf8");
const marker = "const FILES = [];";
if (!loader.includes(marker)) {
  console.error(`build-editor.mjs: editor/loader.js has no \`${marker}\` to fill`);
  process.exit(1);
}
const filled = loader.replace(marker, `const FILES = ${JSON.stringify(served)};`);
const minified = await esbuild.transform(filled, { minify: true });
writeFileSync(join(out, "editor.js"), minified.code);
console.log(`build-editor.mjs: ${served.length} modules under public/vendor/editor/, loader public/vendor/editor.js`);
