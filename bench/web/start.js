// Start-up page: load one module, note when it is ready (ms since the
// navigation started: performance.now()'s origin) and where the time went.
import { marks, wasmResource } from "/bench/timing.js";

const scriptStart = performance.now();
const params = new URLSearchParams(location.search);
const module = params.get("m");
const wasmURL = document.querySelector('link[rel="preload"][as="fetch"]').href;

async function start() {
  if (module === "sealbridge") {
    const { load } = await import("/dist/index.js");
    await load(); // index.js fetches the page's versioned preload
  } else {
    const { loadGo } = await import("/bench/goload.js");
    await loadGo(wasmURL);
  }
}

start().then(
  () => {
    const ready = performance.now();
    const nav = performance.getEntriesByType("navigation")[0];
    window.__result = {
      ready,
      scriptStart,
      fetchCalled: marks.fetchCalled,
      instantiated: marks.instantiated,
      responseStart: nav.responseStart,
      domInteractive: nav.domInteractive,
      wasm: wasmResource(),
    };
  },
  (e) => {
    window.__result = { error: String(e && e.stack ? e.stack : e) };
  },
);
