// The seal's hot path, loaded by index.js: the cryptography of a JWE in
// WebCrypto (jweParts) and the split seal around it. Go (the module)
// keeps the key rules, the protected header, every check on the output and
// the compact form; see jsbridge/jweparts.go and wasm/fastpath.go.

import { SealbridgeError, call } from "./errors.js";

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
const text = new TextDecoder();

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

export async function splitSeal(ns, go, s, value, key) {
  const plaintext = utf8.encode(value);
  if (plaintext.length > s.max) return call(ns.seal, value, key);
  let parts = null;
  let failure = null;
  try {
    parts = await jweParts(s.key, s.aad, plaintext);
  } catch (e) {
    failure = e;
  } finally {
    plaintext.fill(0); // WebCrypto has its own copy
  }
  const reason = parts ? null : failureText(failure);
  const jwe = go.call(ns.finishSeal, 9 + (parts ? parts.length : 3 * reason.length), (view) => {
    view.setUint32(0, s.id);
    view.setUint32(4, plaintext.length);
    return 8 + outcome(view, 8, parts, reason);
  });
  return text.decode(required(jwe));
}

export async function splitSealFields(ns, go, s, body, pointers, key) {
  let doc;
  try {
    doc = JSON.stringify(body);
  } catch {
    doc = undefined;
  }
  // Go refuses what JSON.stringify cannot write, with its own message.
  if (typeof doc !== "string") return call(ns.sealFields, body, pointers, key);
  const ptrs = JSON.stringify(pointers);
  // UTF-8 takes at most 3 bytes per UTF-16 unit; Go refuses a size past its
  // bound (far past the largest document), and the ordinary export says why.
  const plan = go.call(ns.planFields, 8 + 3 * (doc.length + ptrs.length), (view, bytes) => {
    view.setUint32(0, s.id);
    const { written } = utf8.encodeInto(doc, bytes.subarray(8));
    view.setUint32(4, written);
    return 8 + written + utf8.encodeInto(ptrs, bytes.subarray(8 + written)).written;
  });
  // null: too large for a memory call; empty: too many calls pending.
  if (plan === null || plan.length === 0) return call(ns.sealFields, body, pointers, key);
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
  const reason = framed ? null : failureText(failure);
  const out = go.call(ns.finishFields, 5 + (framed ? framed.length : 3 * reason.length), (view) => {
    view.setUint32(0, id);
    return 4 + outcome(view, 4, framed, reason);
  });
  return JSON.parse(text.decode(required(out)));
}

// outcome writes, at byte at of view, 0 and the sealed output, or 1 and
// reason, the WebCrypto failure's message (Go words the error); it returns
// how many bytes it wrote.
function outcome(view, at, output, reason) {
  const bytes = new Uint8Array(view.buffer, view.byteOffset + at);
  if (output) {
    bytes[0] = 0;
    bytes.set(output, 1);
    return 1 + output.length;
  }
  bytes[0] = 1;
  return 1 + utf8.encodeInto(reason, bytes.subarray(1)).written;
}

// required stands for an output that cannot be refused: a seal's output
// is far below the memory call's bound.
function required(out) {
  if (out === null) throw new SealbridgeError("internal", "the sealed output is too large to hand to Go; nothing was sent");
  return out;
}

// failureText is what Go is told of a WebCrypto failure. It never throws
// and stays short: the split sealFields must reach finishFields, which
// ends the plan and wipes its values in clear, whatever the failure is.
function failureText(e) {
  let t;
  try {
    t = e instanceof Error ? String(e.message) : `rejected with ${String(e)}`;
  } catch {
    t = "rejected with a value that cannot be shown as text";
  }
  return t.length > maxFailureText ? `${t.slice(0, maxFailureText)}…` : t;
}

const maxFailureText = 1000;

// memoryCalls calls Go's memory calls (jsbridge/memcall.go): the input is
// written straight into the module's memory and the output copied out of
// it, with no syscall/js value on the way, which makes a call several
// times cheaper (bench/probe: 0.005 against 0.015 ms in Chromium). call(slot, size, write) has write(view, bytes) fill at
// most size bytes and return how many it wrote; it returns Go's output,
// zeroed in the module once copied, or null when Go refuses that size, and
// throws Go's error as a SealbridgeError.
export function memoryCalls(exports, go) {
  const { sealbridge_input: input, sealbridge_call: run, sealbridge_output: output, mem } = exports;
  return {
    call(slot, size, write) {
      if (go.exited) throw new SealbridgeError("internal", "the Sealbridge runtime exited: load the page again");
      // size crosses as an i32, which would wrap past 2^31 - 1.
      if (!(size > 0 && size <= 0x7fffffff)) return null;
      // Addresses come back as i32, read signed: >>> 0 reads them as the
      // unsigned addresses they are, past 2 GiB included.
      const at = input(size) >>> 0;
      if (at === 0) return null;
      // Views are made after each call into Go: memory growth detaches
      // the old buffer.
      let r;
      try {
        r = run(slot, write(new DataView(mem.buffer, at, size), new Uint8Array(mem.buffer, at, size)));
      } catch (e) {
        // Go wipes the input when the handler returns; a runtime that
        // died in the call (a trap) never does.
        new Uint8Array(mem.buffer, at, size).fill(0);
        throw new SealbridgeError("internal", `a call into the Sealbridge module failed (${e?.message}); nothing was sealed or sent: if it happens again, load the page again`, { cause: e });
      }
      const from = output() >>> 0;
      const view = new Uint8Array(mem.buffer, from, r < 0 ? -r - 1 : r);
      const out = view.slice();
      view.fill(0);
      if (r < 0) {
        const codeLength = new DataView(out.buffer).getUint32(0);
        throw new SealbridgeError(text.decode(out.subarray(4, 4 + codeLength)), text.decode(out.subarray(4 + codeLength)));
      }
      return out;
    },
  };
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
