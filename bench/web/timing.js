// Shared by every benchmark page: a hook on instantiateStreaming that
// records when the module was compiled and instantiated and keeps the
// instance (for its linear memory), whichever loader calls it.
export const marks = {};
export let instance = null;

const streaming = WebAssembly.instantiateStreaming;
WebAssembly.instantiateStreaming = async (source, imports) => {
  marks.fetchCalled = performance.now();
  const r = await streaming.call(WebAssembly, source, imports);
  marks.instantiated = performance.now();
  instance = r.instance;
  return r;
};

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
