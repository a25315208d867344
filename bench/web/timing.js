// Shared by every benchmark page: hooks on the WebAssembly calls a loader
// starts a module with, whichever it uses (instantiateStreaming, or
// compileStreaming then instantiate), that record when the module's
// compilation was asked for and when it was instantiated, and keep the
// instance (for its linear memory).
export const marks = {};
export let instance = null;

const wasm = WebAssembly;
const { instantiateStreaming, compileStreaming, instantiate } = wasm;

wasm.instantiateStreaming = async (source, imports) => {
  marks.fetchCalled ??= performance.now();
  const r = await instantiateStreaming.call(wasm, source, imports);
  instantiated(r.instance);
  return r;
};

wasm.compileStreaming = (source) => {
  marks.fetchCalled ??= performance.now();
  return compileStreaming.call(wasm, source);
};

wasm.instantiate = async (source, imports) => {
  const r = await instantiate.call(wasm, source, imports);
  instantiated(r instanceof wasm.Instance ? r : r.instance);
  return r;
};

function instantiated(i) {
  marks.instantiated = performance.now();
  instance = i;
}

/** Bytes of the module's linear memory. */
export function memoryBytes() {
  return instance ? instance.exports.mem.buffer.byteLength : 0;
}

/** Resource timing of the first .wasm fetch of this document. */
export function wasmResource() {
  const r = performance.getEntriesByType("resource").find((e) => e.name.includes(".wasm"));
  if (!r) return null;
  return {
    url: r.name,
    fetchStart: r.fetchStart,
    responseEnd: r.responseEnd,
    transferSize: r.transferSize,
    encodedBodySize: r.encodedBodySize,
    decodedBodySize: r.decodedBodySize,
    initiatorType: r.initiatorType,
  };
}
