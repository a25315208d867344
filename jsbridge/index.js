// Sealbridge: the ES module that page code imports. It loads the Go/WASM
// shim, waits for Go to be ready, and wraps the Go exports so that every
// failure is a SealbridgeError with a stable `code`.
//
// Runs in browser pages, module Web Workers and Node.js 20 or later.
// wasm_exec.js and sealbridge.wasm, from the same build, sit next to this
// file. wasm_exec.js is imported only when load() runs, so that a runtime
// it cannot work in (no Web Crypto) gets a SealbridgeError, not a failed
// import.

/** The release of this loader; `make wasm` stamps it here and in the module, which must agree. */
export const version = "__SEALBRIDGE_VERSION__";

import { SealbridgeError, toSealbridgeError, call, syncCall } from "./errors.js";
import { jweParts, keyHandle, memoryCalls, sealerOf, splittable, splitSeal, splitSealFields } from "./seal.js";

export { SealbridgeError };

let loading = null;

/**
 * Loads the module once and resolves with the API. Later calls return the
 * same instance. A failure rejects with module_unavailable, module_blocked
 * or runtime_unsupported, and a later call tries again.
 * @param {{wasmURL?: string|URL, integrity?: string}} [options]
 */
export function load(options = {}) {
  if (!loading) {
    loading = start(options).catch((e) => {
      loading = null; // let a later call try again
      throw toSealbridgeError(e, "module_unavailable");
    });
  }
  return loading;
}

async function start({ wasmURL = new URL("./sealbridge.wasm", import.meta.url), integrity } = {}) {
  requireRuntime();
  requireCompilation();
  const url = resolve(wasmURL);
  // wasm_exec.js and the module download in parallel.
  const [Go, source] = await Promise.all([goRuntime(), fetchModule(url, integrity ?? preloadIntegrity(url))]);
  const go = new Go();
  const ready = new Promise((resolve) => {
    // The hook also hands Go the helpers it calls on hot paths.
    globalThis.__sealbridgeReady = Object.assign((ns) => resolve(ns), { jweParts });
  });
  const { instance } = await compile(url, source, go.importObject);
  const exited = go.run(instance).then(() => {
    throw new SealbridgeError("internal", "the Sealbridge runtime exited");
  });
  const ns = await Promise.race([ready, exited]);
  delete globalThis.__sealbridgeReady;
  if (ns.version !== version) {
    throw new SealbridgeError("module_unavailable", `${url} is Sealbridge ${ns.version} but index.js is ${version}: ` +
      "deploy sealbridge.wasm, wasm_exec.js and index.js of one release together (an old module may be cached: version its URL)");
  }
  return api(ns, memoryCalls(instance.exports, go));
}

// requireRuntime fails early, with what to do, where the Go runtime cannot
// work: wasm_exec.js needs WebAssembly and crypto.getRandomValues (Node.js
// has them as globals from version 20 on; 18 needed a flag).
function requireRuntime() {
  const where = globalThis.process?.versions?.node ? `Node.js ${globalThis.process.versions.node}` : "this JavaScript runtime";
  if (typeof WebAssembly !== "object") {
    throw new SealbridgeError("runtime_unsupported", `${where} has no WebAssembly (turned off by a policy or a mode such as Lockdown Mode): ` +
      "Sealbridge needs it; use a browser with WebAssembly enabled, or Node.js 20 or later");
  }
  if (typeof globalThis.crypto?.getRandomValues !== "function") {
    throw new SealbridgeError("runtime_unsupported", `${where} has no Web Crypto (globalThis.crypto): ` +
      "Sealbridge needs it for random numbers; use Node.js 20 or later, or a current browser");
  }
}

// emptyModule is the smallest valid WebAssembly module: the magic number
// and version 1, no sections.
const emptyModule = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

// requireCompilation compiles the empty module, which only a Content
// Security Policy can refuse, so that a page whose CSP forbids WebAssembly
// learns it before downloading megabytes, with the right fix: the
// browser's own message advises a directive that would allow eval() too.
function requireCompilation() {
  try {
    new WebAssembly.Module(emptyModule);
  } catch {
    const where = typeof document === "undefined"
      ? "this worker's Content-Security-Policy (sent with the worker script's response)"
      : "this page's Content-Security-Policy";
    throw new SealbridgeError("module_blocked", `${where} forbids compiling WebAssembly: add 'wasm-unsafe-eval' to its script-src directive, ` +
      "e.g. script-src 'self' 'wasm-unsafe-eval'");
  }
}

// resolve makes wasmURL absolute: against the page, the worker, or (in
// Node) this file.
function resolve(wasmURL) {
  const base = globalThis.document?.baseURI ?? globalThis.location?.href ?? import.meta.url;
  return preloaded(new URL(wasmURL, base));
}

async function goRuntime() {
  try {
    await import("./wasm_exec.js");
  } catch (e) {
    throw new SealbridgeError("module_unavailable", `could not load wasm_exec.js next to index.js (${e.message}): ` +
      `deploy the wasm_exec.js of this release (${version}) next to index.js; if an import map pins it by integrity, ` +
      "use this release's hash from integrity.json", { cause: e });
  }
  return globalThis.Go;
}

// fetchModule gets the module's bytes (Node, from a file: URL) or its
// checked Response (for streaming compilation). Each failure says what to
// fix on the server.
async function fetchModule(url, integrity) {
  if (url.protocol === "file:") return readModule(url, integrity);
  let response;
  try {
    response = await fetch(url, integrity ? { integrity } : {});
  } catch (e) {
    if (integrity) await explainMismatch(url, integrity);
    throw new SealbridgeError("module_unavailable", `could not fetch ${url} (${e.message}): check that wasmURL is right, ` +
      "that the server is up, and that the Content-Security-Policy's connect-src allows the URL", { cause: e });
  }
  if (!response.ok) {
    throw new SealbridgeError("module_unavailable", `${url} answered HTTP ${response.status}: deploy sealbridge.wasm at that URL ` +
      "(next to index.js), or pass load({ wasmURL }) with the URL it is served at");
  }
  const type = response.headers.get("Content-Type") ?? "";
  if (type.split(";")[0].trim().toLowerCase() !== "application/wasm") {
    throw new SealbridgeError("module_unavailable", `${url} was served as ${JSON.stringify(type || "no Content-Type")}: ` +
      "configure the server to send .wasm files with Content-Type: application/wasm");
  }
  return response;
}

async function readModule(url, integrity) {
  const { readFile } = await import("node:fs/promises");
  let bytes;
  try {
    bytes = await readFile(url);
  } catch (e) {
    throw new SealbridgeError("module_unavailable", `cannot read ${url} (${e.code ?? e.message}): ` +
      "install the whole package, or pass load({ wasmURL }) with where sealbridge.wasm is", { cause: e });
  }
  if (integrity && !(await matchesIntegrity(bytes, integrity))) {
    throw mismatch(url, integrity, await digest("SHA-384", bytes));
  }
  return bytes;
}

// compile compiles and instantiates; a failure is diagnosed from the
// first bytes of what was served.
async function compile(url, source, imports) {
  try {
    return source instanceof Response
      ? await WebAssembly.instantiateStreaming(source, imports)
      : await WebAssembly.instantiate(source, imports);
  } catch (e) {
    if (e instanceof WebAssembly.LinkError) {
      throw new SealbridgeError("module_unavailable", `${url} does not fit wasm_exec.js (${e.message}): ` +
        "deploy sealbridge.wasm and wasm_exec.js of one release together", { cause: e });
    }
    if (!(e instanceof WebAssembly.CompileError)) throw e;
    const head = source instanceof Response ? await firstBytes(url) : source.subarray(0, 4);
    throw new SealbridgeError("module_unavailable", `${url} ${notWasm(head)}`, { cause: e });
  }
}

// firstBytes reads the start of url again (only after a failed compile:
// the first response's body is spent) and stops the download.
async function firstBytes(url) {
  try {
    const reader = (await fetch(url)).body.getReader();
    const { value } = await reader.read();
    reader.cancel().catch(() => {});
    return value?.subarray(0, 4) ?? new Uint8Array();
  } catch {
    return new Uint8Array();
  }
}

// notWasm says what the served bytes are instead of a module, and the fix.
function notWasm(head) {
  const hex = Array.from(head, (b) => b.toString(16).padStart(2, "0")).join(" ");
  if (head[0] === 0x1f && head[1] === 0x8b) {
    return "is gzip data, not WebAssembly: serve sealbridge.wasm.gz only as the Content-Encoding: gzip form of sealbridge.wasm " +
      "(with Content-Type: application/wasm), or serve the uncompressed sealbridge.wasm";
  }
  if (hex.startsWith("00 61 73 6d")) {
    return "is WebAssembly that does not compile here (truncated, or damaged in transit): deploy the sealbridge.wasm of this release again";
  }
  if (/^[\s<{]/.test(String.fromCharCode(head[0] ?? 0))) {
    return "is text (an HTML error or fallback page?), not WebAssembly: make the server send the sealbridge.wasm file at that URL";
  }
  return `is not WebAssembly (it starts with ${hex || "nothing"}): if it is a precompressed copy (.br, .gz), ` +
    "the server must send it with Content-Encoding; otherwise deploy sealbridge.wasm there";
}

// explainMismatch runs after a fetch with integrity failed. The browser
// gives the same TypeError for a network failure and for a hash mismatch;
// fetching again without integrity tells them apart, and gives the served
// file's hash for the message. Those bytes are hashed, never run.
async function explainMismatch(url, integrity) {
  let bytes;
  try {
    const response = await fetch(url);
    if (!response.ok) return;
    bytes = new Uint8Array(await response.arrayBuffer());
  } catch {
    return; // a real network failure: the caller reports it
  }
  throw mismatch(url, integrity, await digest("SHA-384", bytes));
}

function mismatch(url, integrity, actual) {
  return new SealbridgeError("module_unavailable", `${url} does not match its integrity ${integrity}` +
    (actual ? ` (the file served is ${actual})` : "") +
    `: serve the sealbridge.wasm that integrity.json describes (this loader is ${version}), or update the integrity value`);
}

// matchesIntegrity checks bytes against SRI metadata ("sha384-… sha512-…")
// as browsers do: only the strongest algorithm listed counts, and any of
// its hashes may match.
async function matchesIntegrity(bytes, integrity) {
  const algorithms = { sha256: "SHA-256", sha384: "SHA-384", sha512: "SHA-512" };
  const hashes = integrity.trim().split(/\s+/).map((t) => t.split("?")[0]).filter((t) => t.split("-")[0] in algorithms);
  if (hashes.length === 0) return true; // no usable metadata: browsers load the resource too
  const strongest = hashes.map((t) => t.split("-")[0]).sort().at(-1);
  const actual = await digest(algorithms[strongest], bytes);
  return hashes.some((t) => t === actual);
}

async function digest(algorithm, bytes) {
  if (!globalThis.crypto?.subtle) return ""; // an insecure context has no SubtleCrypto
  const sum = new Uint8Array(await crypto.subtle.digest(algorithm, bytes));
  let binary = "";
  for (const b of sum) binary += String.fromCharCode(b);
  return `${algorithm.replace("-", "").toLowerCase()}-${btoa(binary)}`;
}

// preloaded returns the URL of the page's <link rel="preload" as="fetch">
// for the same file as url, if there is one, so that fetch reuses the
// preloaded response instead of downloading the module twice. The page may
// version that URL (?v=<content hash>) to let the browser cache it for good;
// a url that carries its own query is used as it is.
function preloaded(url) {
  const link = preloadLink(url);
  return link && !url.search ? new URL(link.href) : url;
}

// preloadIntegrity is the integrity attribute of the page's preload of
// url: fetch must ask for the same one to reuse the preloaded response.
function preloadIntegrity(url) {
  return preloadLink(url)?.integrity || undefined;
}

function preloadLink(url) {
  if (typeof document === "undefined") return null; // a worker or Node: no preload
  for (const link of document.querySelectorAll('link[rel~="preload"][as="fetch"]')) {
    const u = new URL(link.href, document.baseURI);
    if (u.origin === url.origin && u.pathname === url.pathname) return link;
  }
  return null;
}

// Clients live in Go and are named by an id; this registry closes the Go
// side when the JS wrapper is garbage-collected.
const clientRegistry = typeof FinalizationRegistry === "function" ? new FinalizationRegistry((close) => close()) : null;

function makeClient(ns, options) {
  const id = syncCall(ns.createClient, options, crossTab);
  const close = () => ns.closeClient(id);
  const client = Object.freeze({
    request: (req) => call(ns.request, id, req),
    claims: () => syncCall(ns.claims, id),
    close,
  });
  clientRegistry?.register(client, close);
  return client;
}

// crossTab gives Go what sharing one token renewal among the tabs of this
// origin needs: the Web Lock and the BroadcastChannel named for a token
// scope. It returns null where either is missing, and each tab then renews
// on its own. Tokens go over the channel only, in memory: never to storage.
function crossTab(name) {
  if (typeof navigator === "undefined" || !navigator.locks || typeof BroadcastChannel !== "function") return null;
  const channel = new BroadcastChannel(name);
  return {
    lock: (timeoutMs) => requestLock(name, timeoutMs),
    post: (kind, token) => channel.postMessage({ kind, token }),
    listen: (fn) => {
      channel.onmessage = (e) => {
        const m = e.data;
        if (m && typeof m.kind === "string" && typeof m.token === "string") fn(m.kind, m.token);
      };
    },
    close: () => channel.close(),
  };
}

// requestLock asks for the lock without waiting first, so that the caller
// learns whether another client held it (granted resolves with that), then
// waits in line until timeoutMs. The lock is held until release(); abort()
// gives up waiting. A release() before the grant frees the lock at once.
function requestLock(name, timeoutMs) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  let release;
  const held = new Promise((resolve) => (release = resolve));
  const granted = new Promise((resolve, reject) => {
    const take = (waited) => (lock) => {
      if (!lock) {
        navigator.locks.request(name, { signal: controller.signal }, take(true)).catch(reject);
        return undefined;
      }
      clearTimeout(timer);
      resolve(waited);
      return held;
    };
    navigator.locks.request(name, { ifAvailable: true }, take(false)).catch(reject);
  });
  return {
    granted,
    release: () => {
      clearTimeout(timer);
      release();
    },
    abort: () => controller.abort(),
  };
}

function api(ns, go) {
  return Object.freeze({
    version: ns.version,
    createClient: (options) => makeClient(ns, options),
    fetchKey: (url, options) => call(ns.fetchKey, url, options).then(keyHandle),
    importKey: (jwk, options) => call(ns.importKey, jwk, options).then(keyHandle),
    seal: (value, key) => {
      const s = typeof value === "string" ? sealerOf(key) : undefined;
      return s ? splitSeal(ns, go, s, value, key) : call(ns.seal, value, key);
    },
    sealFields: (body, pointers, key) => {
      const s = splittable(body, pointers) ? sealerOf(key) : undefined;
      return s ? splitSealFields(ns, go, s, body, pointers, key) : call(ns.sealFields, body, pointers, key);
    },
    // Test hook, present only when the page set
    // globalThis.__sealbridgeTestHooks = true before load(): proves that a
    // panic inside Go rejects cleanly and the runtime keeps working.
    ...(ns.__panic ? { __panic: () => call(ns.__panic) } : {}),
  });
}
