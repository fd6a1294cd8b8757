// Fetches and compiles the app's second module off the page's thread, for
// public/second-module.js: compiled on the page, its bytes took some 40 ms of the page's thread
// just after the first lesson became interactive. The compiled module is posted back.
onmessage = async ({ data: url }) => {
  try {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`HTTP ${response.status} for ${url}`);
    postMessage({ module: await WebAssembly.compileStreaming(response) });
  } catch (error) {
    postMessage({ error: String(error?.message ?? error) });
  }
  close();
};
