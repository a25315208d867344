// Node without Web Crypto (as Node 18 is without a flag): importing the
// package must work, and load() must reject with a SealbridgeError that
// says what to do, not throw a plain Error from wasm_exec.js.
delete globalThis.crypto;
if (globalThis.crypto !== undefined) throw new Error("could not remove globalThis.crypto");
const { load, SealbridgeError } = await import("sealbridge");
try {
  await load();
  console.log(JSON.stringify({ loaded: true }));
} catch (e) {
  console.log(JSON.stringify({ isSealbridgeError: e instanceof SealbridgeError, code: e.code, message: e.message }));
}
