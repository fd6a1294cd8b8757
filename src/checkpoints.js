// Checkpoints of lesson worlds in IndexedDB. A checkpoint is a cache that makes a reload fast;
// progress itself stays in local storage, so a checkpoint that is lost, refused or never
// written only makes the next reload replay the lesson from its start.
const DATABASE = "opsdojo";
const STORE = "checkpoints";
// A storage that does not answer must not hold the lesson back.
const READ_TIMEOUT_MS = 2000;

let opening = null;

function open() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      if (!globalThis.indexedDB) {
        reject(new Error("IndexedDB is not available"));
        return;
      }
      const request = indexedDB.open(DATABASE, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(STORE);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
      request.onblocked = () => reject(new Error("another tab holds an older version of the database"));
    }).catch((error) => {
      opening = null;
      throw error;
    });
  }
  return opening;
}

function finished(transaction) {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error || new Error("the write was aborted"));
  });
}

function message(error) {
  return String((error && (error.message || error.name)) || error || "unknown error");
}

/** The checkpoint saved under `key`, or null when there is none or it cannot be read. */
export async function checkpointGet(key) {
  const read = (async () => {
    const database = await open();
    const transaction = database.transaction(STORE, "readonly");
    const request = transaction.objectStore(STORE).get(key);
    await finished(transaction);
    const result = request.result;
    return typeof result === "string" || result instanceof Uint8Array ? result : null;
  })();
  const timeout = new Promise((resolve) => setTimeout(() => resolve(null), READ_TIMEOUT_MS));
  try {
    return await Promise.race([read, timeout]);
  } catch (error) {
    return null;
  }
}

/** Saves `value` under `key`; rejects with the browser's reason when it refuses. */
async function put(key, value) {
  try {
    const database = await open();
    const transaction = database.transaction(STORE, "readwrite");
    transaction.objectStore(STORE).put(value, key);
    await finished(transaction);
  } catch (error) {
    throw new Error(message(error));
  }
}

/** Saves `text` under `key`; rejects with the browser's reason when it refuses. */
export async function checkpointPut(key, text) {
  return put(key, text);
}

/**
 * Saves the UTF-8 bytes of a text under `key`, copied at once out of the module's memory (a
 * view of it is only valid until the module runs again, and cloning the view would clone the
 * whole memory). A megabytes-long text is stored as bytes without becoming a string first.
 */
export async function checkpointPutBytes(key, bytes) {
  return put(key, bytes.slice());
}

/** Removes the checkpoint under `key`, if any. */
export async function checkpointDelete(key) {
  try {
    const database = await open();
    const transaction = database.transaction(STORE, "readwrite");
    transaction.objectStore(STORE).delete(key);
    await finished(transaction);
  } catch (error) {
    throw new Error(message(error));
  }
}
