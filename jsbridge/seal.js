// The seal's hot path, loaded by index.js: the cryptography of a JWE in
// WebCrypto (jweParts) and the split seal around it. Go (the module)
// keeps the key rules, the protected header, every check on the output and
// the compact form; see jsbridge/jweparts.go and wasm/fastpath.go.

import { call, syncCall } from "./errors.js";

// jweParts does the cryptography of one JWE (RSA-OAEP-256 and A256GCM) for
// the Go side, which keeps everything else: the key rules, the protected
// header (aad), the checks on what comes back and the compact form
// (jsbridge/webcrypto.go). A fresh content key and IV; the key wrapped with
// RSA-OAEP while AES-GCM encrypts under it. It is one call because every
// value that crosses between Go and JavaScript costs microseconds: driving
// these steps from Go took about 30 crossings and two callbacks per seal,
// several times the cost of the cryptography. finish(id, bytes, error)
// receives the wrapped key, the IV and the ciphertext with its tag, end to
// end, or the error; without finish, it returns the promise of them (the
// split seal below). jsbridge's Go tests import it from this file.
export function jweParts(key, aad, plaintext, id, finish) {
  const subtle = globalThis.crypto.subtle;
  const fresh = globalThis.crypto.getRandomValues(new Uint8Array(44));
  const cek = fresh.subarray(0, 32);
  const iv = fresh.slice(32);
  let wrapped, sealed;
  try {
    wrapped = subtle.encrypt({ name: "RSA-OAEP" }, key, cek);
    sealed = subtle.importKey("raw", cek, "AES-GCM", false, ["encrypt"]).then((aes) =>
      subtle.encrypt({ name: "AES-GCM", iv, additionalData: aad, tagLength: 128 }, aes, plaintext));
  } finally {
    fresh.fill(0); // WebCrypto copied the content key when called
  }
  const parts = Promise.all([wrapped, sealed]).then(([w, s]) => {
    const out = new Uint8Array(w.byteLength + iv.length + s.byteLength);
    out.set(new Uint8Array(w));
    out.set(iv, w.byteLength);
    out.set(new Uint8Array(s), w.byteLength + iv.length);
    return out;
  });
  if (!finish) return parts;
  parts.then((out) => finish(id, out, null), (e) => finish(id, null, e));
}

// The split seal. For a key handle Go returned, the page seals with the
// key's CryptoKey itself (jweParts) and calls Go once, synchronously, to
// check the output and write the JWE; sealFields calls Go before (to find
// and check the values) and after (to write the document). Each value
// crossing between Go and JavaScript costs microseconds, and a seal driven
// from Go needed dozens; this keeps a seal near WebCrypto's own cost. Go
// keeps the key lookup, every rule and every error: whatever is not the
// plain case (a JWK as the key, a value that is not a string, a document
// JSON.stringify refuses, no crypto.subtle) goes to Go's ordinary exports.
// Go hands each handle's sealer ({id, key, aad, max}) over as __sealer;
// it is kept here, and the handle the page gets is frozen, so that the
// kid and thumbprint Go checks stay those of the CryptoKey used.
const sealers = new WeakMap();
const utf8 = new TextEncoder();

export function keyHandle(h) {
  if (!h || typeof h !== "object" || !h.__sealer) return h;
  const { __sealer, ...handle } = h;
  Object.freeze(handle);
  sealers.set(handle, __sealer);
  return handle;
}

export function sealerOf(key) {
  return globalThis.crypto?.subtle && key && typeof key === "object" ? sealers.get(key) : undefined;
}

export function splittable(body, pointers) {
  return typeof body === "object" && body !== null && Array.isArray(pointers) && pointers.every((p) => typeof p === "string");
}

export async function splitSeal(ns, s, value, key) {
  const plaintext = utf8.encode(value);
  if (plaintext.length > s.max) return call(ns.seal, value, key);
  let parts = null;
  let failure = null;
  try {
    parts = await jweParts(s.key, s.aad, plaintext);
  } catch (e) {
    failure = e;
  }
  return syncCall(ns.finishSeal, s.id, parts, plaintext.length, failure);
}

export async function splitSealFields(ns, s, body, pointers, key) {
  let doc;
  try {
    doc = JSON.stringify(body);
  } catch {
    doc = undefined;
  }
  // Go refuses what JSON.stringify cannot write, with its own message.
  if (typeof doc !== "string") return call(ns.sealFields, body, pointers, key);
  const plan = syncCall(ns.planFields, s.id, doc, JSON.stringify(pointers));
  if (!plan) return call(ns.sealFields, body, pointers, key); // too many pending
  const { id, values } = unframe(plan);
  let framed = null;
  let failure = null;
  try {
    framed = frame(await Promise.all(values.map((v) => jweParts(s.key, s.aad, v))));
  } catch (e) {
    failure = e;
  } finally {
    plan.fill(0); // the values, in clear
  }
  return JSON.parse(syncCall(ns.finishFields, id, framed, failure));
}

// frame and unframe: values after their 4-byte big-endian length, after
// their count (and, from planFields, after the plan's number), as in
// wasm/fastpath.go.
function unframe(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const id = view.getUint32(0);
  const values = new Array(view.getUint32(4));
  for (let i = 0, at = 8; i < values.length; i++) {
    const len = view.getUint32(at);
    values[i] = bytes.subarray(at + 4, at + 4 + len);
    at += 4 + len;
  }
  return { id, values };
}

function frame(values) {
  const out = new Uint8Array(values.reduce((n, v) => n + 4 + v.length, 4));
  const view = new DataView(out.buffer);
  view.setUint32(0, values.length);
  let at = 4;
  for (const v of values) {
    view.setUint32(at, v.length);
    out.set(v, at + 4);
    at += 4 + v.length;
  }
  return out;
}
