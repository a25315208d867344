// Probe page: where one seal's time goes, measured in the same browser as
// the seal benchmark (see bench/probe).
import { instance } from "/bench/timing.js"; // keeps the module's instance
import { loadGo } from "/bench/goload.js";
import { memoryCalls } from "/dist/seal.js";

let ns = null;

window.probe = {
  async setup(url, jwk) {
    ns = await loadGo(url);
    await ns.importKey(JSON.stringify(jwk));
    return true;
  },
  // ms per operation, timed inside Go over n operations (async: the
  // operations await WebCrypto).
  time(kind, n) {
    return ns.time(kind, n);
  },
  // per-call ms of an async export, timed in JS like bench.run.
  async run(name, n) {
    const bytes = new Uint8Array(300);
    const fn = name === "syncParts" ? () => ns.syncParts(1, bytes, 100)
      : name === "memParts" ? memCall(bytes)
      : ns[name];
    const ms = new Array(n);
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      await fn();
      ms[i] = performance.now() - t;
    }
    return ms;
  },
};
// memCall calls memParts as seal.js calls finishSeal: 300 bytes written
// into the module's memory, its output copied out and decoded.
function memCall(bytes) {
  const go = memoryCalls(instance.exports, { exited: false });
  const text = new TextDecoder();
  return () => text.decode(go.call(ns.memParts, bytes.length, (_, into) => (into.set(bytes), bytes.length)));
}

window.__probeReady = true;
