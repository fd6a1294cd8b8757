// Share links: a session's text deflated (the browser's CompressionStream) and written in
// base64url for a URL fragment, and back. Reading is bounded while it runs: a link cannot
// unpack to more than the engine reads.

function toBase64Url(bytes) {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(code) {
  if (!/^[A-Za-z0-9_-]*$/.test(code)) throw new Error("the link has characters a share link does not");
  const padded = code.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((code.length + 3) % 4);
  let binary;
  try {
    binary = atob(padded);
  } catch (error) {
    throw new Error("the link is cut short");
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** The link code of `text`. */
export async function shareEncode(text) {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("deflate-raw"));
  return toBase64Url(new Uint8Array(await new Response(stream).arrayBuffer()));
}

/** The text of a link code, at most `maxBytes` long; rejects with a reason in words. */
export async function shareDecode(code, maxBytes) {
  const bytes = fromBase64Url(code);
  const reader = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate-raw")).getReader();
  const chunks = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > maxBytes) {
        await reader.cancel();
        throw new Error(`it unpacks to more than ${maxBytes} bytes`);
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error && error.message && error.message.startsWith("it unpacks")) throw error;
    throw new Error("the link is cut short or damaged");
  }
  const all = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    all.set(chunk, at);
    at += chunk.length;
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(all);
  } catch (error) {
    throw new Error("the link is damaged");
  }
}

/** Puts `text` on the clipboard; rejects when the browser does not allow it. */
export async function copyText(text) {
  if (!navigator.clipboard) throw new Error("no clipboard");
  await navigator.clipboard.writeText(text);
}
