// A static file server for the release build, as any static host would serve it: files from
// dist/, index.html for any other path (client-side routes), correct MIME types. With
// `{ gzip: true }`, compressed for a browser that accepts it, as hosts serve files over a
// network (the benchmarks that emulate one ask for it; on this machine it would only add work).
// Usage: node scripts/serve-dist.mjs [PORT] [DIR]
import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, resolve } from "node:path";
import { gzipSync } from "node:zlib";

const port = Number(process.argv[2] || 8090);
const root = resolve(process.argv[3] || "dist");
const types = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8", ".wasm": "application/wasm", ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml", ".png": "image/png", ".json": "application/json",
  ".md": "text/markdown; charset=utf-8", ".yaml": "text/yaml; charset=utf-8",
  ".webmanifest": "application/manifest+json",
};

export function startServer(listenPort = port, dir = root, { gzip = false } = {}) {
  /** Compressed files by path, made once each. */
  const compressed = new Map();
  const server = createServer(async (request, response) => {
    const path = decodeURIComponent(new URL(request.url, "http://localhost").pathname);
    let file = normalize(join(dir, path));
    if (!file.startsWith(dir)) { response.writeHead(403).end(); return; }
    try {
      if ((await stat(file)).isDirectory()) file = join(file, "index.html");
    } catch {
      // Files with an extension that do not exist are 404s; other paths are app routes.
      if (extname(path)) { response.writeHead(404).end("not found"); return; }
      file = join(dir, "index.html");
    }
    try {
      const body = await readFile(file);
      const headers = { "content-type": types[extname(file)] || "application/octet-stream" };
      if (gzip && /\bgzip\b/.test(request.headers["accept-encoding"] ?? "")) {
        if (!compressed.has(file)) compressed.set(file, gzipSync(body, { level: 9 }));
        response.writeHead(200, { ...headers, "content-encoding": "gzip", vary: "accept-encoding" });
        response.end(compressed.get(file));
        return;
      }
      response.writeHead(200, headers);
      response.end(body);
    } catch {
      response.writeHead(404).end("not found");
    }
  });
  return new Promise((done) => server.listen(listenPort, "127.0.0.1", () => done(server)));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await startServer();
  console.log(`serving ${root} on http://127.0.0.1:${port}/`);
}
