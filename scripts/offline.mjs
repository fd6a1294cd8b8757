// Post-build step: writes the service worker with this build's files and version. Every file
// of the build is cached (the app, the editor, the shipped lesson packs) except the service
// worker itself; the version is a hash of every file's path and content, so any change to the
// build makes a new cache that replaces the old one.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";

const dir = process.env.TRUNK_STAGING_DIR || process.argv[2] || "dist";
const here = new URL("..", import.meta.url).pathname;

function walk(folder) {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

const paths = walk(dir)
  .map((path) => "/" + relative(dir, path).split("\\").join("/"))
  .filter((path) => path !== "/sw.js")
  .sort();
const hash = createHash("sha256");
let bytes = 0;
for (const path of paths) {
  const content = readFileSync(join(dir, path));
  bytes += content.length;
  hash.update(path).update("\0").update(content).update("\0");
}
const version = hash.digest("hex").slice(0, 16);
const source = readFileSync(join(here, "offline/sw.js"), "utf8");
const files = ["/", ...paths];
writeFileSync(
  join(dir, "sw.js"),
  `const VERSION = ${JSON.stringify(version)};\nconst FILES = ${JSON.stringify(files, null, 0)};\n${source}`,
);
console.log(`offline.mjs: service worker ${version}, ${paths.length} files, ${(bytes / 1000).toFixed(1)} kB cached`);
