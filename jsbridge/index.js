// Sealbridge: the ES module that page code imports. It loads the Go/WASM
// shim, waits for Go to be ready, and wraps the Go exports so that every
// failure is a SealbridgeError with a stable `code`.
//
// Works in browsers and in Node >= 18. wasm_exec.js (copied from the Go
// toolchain that built sealbridge.wasm) must sit next to this file.
import "./wasm_exec.js";
import { SealbridgeError } from "./errors.js";

export { SealbridgeError };

const isNode = typeof process !== "undefined" && !!process.versions?.node && typeof window === "undefined";
let loading = null;

/**
 * Loads the module once and resolves with the API. Later calls return the
 * same instance.
 * @param {{wasmURL?: string|URL, signal?: AbortSignal}} [options]
 */
export function load(options = {}) {
  if (!loading) {
    loading = start(options).catch((e) => {
      loading = null; // let a later call try again
      throw toSealbridgeError(e, "key_unavailable");
    });
  }
  return loading;
}

async function start({ wasmURL = new URL("./sealbridge.wasm", import.meta.url) } = {}) {
  const go = new globalThis.Go();
  const ready = new Promise((resolve) => {
    globalThis.__sealbridgeReady = resolve;
  });
  const { instance } = await instantiate(wasmURL, go.importObject);
  const exited = go.run(instance).then(() => {
    throw new SealbridgeError("internal", "the Sealbridge runtime exited");
  });
  const ns = await Promise.race([ready, exited]);
  delete globalThis.__sealbridgeReady;
  return api(ns);
}

async function instantiate(url, imports) {
  if (isNode) {
    const { readFile } = await import("node:fs/promises");
    const bytes = await readFile(url instanceof URL ? url : new URL(url, import.meta.url));
    return WebAssembly.instantiate(bytes, imports);
  }
  url = preloaded(url);
  const response = fetch(url);
  if (WebAssembly.instantiateStreaming) {
    try {
      return await WebAssembly.instantiateStreaming(response, imports);
    } catch (e) {
      // A server that sends the wrong Content-Type breaks streaming
      // compilation; fall back to compiling from bytes.
      if (!(e instanceof TypeError)) throw e;
    }
  }
  const res = await fetch(url);
  if (!res.ok) throw new SealbridgeError("network_error", `could not load ${url}: HTTP ${res.status}`);
  return WebAssembly.instantiate(await res.arrayBuffer(), imports);
}

// preloaded returns the URL of the page's <link rel="preload" as="fetch">
// for the same file as url, if there is one, so that fetch reuses the
// preloaded response instead of downloading the module twice. The page may
// version that URL (?v=<content hash>) to let the browser cache it for good;
// a url that carries its own query is used as it is.
function preloaded(url) {
  if (typeof document === "undefined") return url; // a worker: no preload
  const want = new URL(url, document.baseURI);
  if (want.search) return want;
  for (const link of document.querySelectorAll('link[rel~="preload"][as="fetch"]')) {
    const u = new URL(link.href, document.baseURI);
    if (u.origin === want.origin && u.pathname === want.pathname) return u;
  }
  return want;
}

function toSealbridgeError(e, fallbackCode = "internal") {
  if (e instanceof SealbridgeError) return e;
  if (e && typeof e === "object" && typeof e.code === "string" && e.name === "SealbridgeError") {
    return new SealbridgeError(e.code, e.message, { status: e.status, body: e.body });
  }
  const message = e instanceof Error ? e.message : String(e);
  return new SealbridgeError(fallbackCode, message, { cause: e });
}

async function call(fn, ...args) {
  try {
    return await fn(...args);
  } catch (e) {
    throw toSealbridgeError(e);
  }
}

// syncCall runs a synchronous Go export: a Go callback cannot throw into
// JavaScript, so errors come back as {__sealbridgeError} and are thrown here.
function syncCall(fn, ...args) {
  const r = fn(...args);
  if (r && typeof r === "object" && r.__sealbridgeError) throw toSealbridgeError(r.__sealbridgeError);
  return r;
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

function api(ns) {
  return Object.freeze({
    createClient: (options) => makeClient(ns, options),
    fetchKey: (url, options) => call(ns.fetchKey, url, options),
    importKey: (jwk, options) => call(ns.importKey, jwk, options),
    seal: (value, key) => call(ns.seal, value, key),
    sealFields: (body, pointers, key) => call(ns.sealFields, body, pointers, key),
    // Test hook, present only when the page set
    // globalThis.__sealbridgeTestHooks = true before load(): proves that a
    // panic inside Go rejects cleanly and the runtime keeps working.
    ...(ns.__panic ? { __panic: () => call(ns.__panic) } : {}),
  });
}
