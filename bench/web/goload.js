// The reference loader: what a page does to start a plain Go module
// (go-jose reference, hello): wasm_exec.js, instantiateStreaming, go.run,
// and a ready hook the module calls from main. It mirrors index.js's
// browser path, so both sides pay the same loader costs.
import "/dist/wasm_exec.js";

export async function loadGo(url) {
  const go = new globalThis.Go();
  const ready = new Promise((resolve) => {
    globalThis.__benchReady = resolve;
  });
  const { instance } = await WebAssembly.instantiateStreaming(fetch(url), go.importObject);
  go.run(instance);
  return ready;
}
