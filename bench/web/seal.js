// Seal-latency page: Sealbridge, panva jose and raw WebCrypto side by side,
// with the same key and the same plaintext. Go drives it through
// window.bench.* and does the statistics.
import { memoryBytes } from "/bench/timing.js";
import { load } from "/dist/index.js";
import * as jose from "/jose/index.js";

const enc = new TextEncoder();
const b64u = (bytes) => {
  const u8 = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  if (u8.toBase64) return u8.toBase64({ alphabet: "base64url", omitPadding: true });
  let s = "";
  for (const b of u8) s += String.fromCharCode(b);
  return btoa(s).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
};

const libs = {};
let sb = null;

// The floor: what any JWE sealer has to do, in WebCrypto, with nothing on
// top. A fresh content key and IV per call, RSA-OAEP-256 wrap, A256GCM
// with the protected header as AAD, and the compact string.
function webcryptoSealer(rsaKey, kid) {
  const header = b64u(enc.encode(JSON.stringify({ alg: "RSA-OAEP-256", enc: "A256GCM", kid })));
  const aad = enc.encode(header);
  return async (plaintext) => {
    const cek = crypto.getRandomValues(new Uint8Array(32));
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const ek = await crypto.subtle.encrypt({ name: "RSA-OAEP" }, rsaKey, cek);
    const aes = await crypto.subtle.importKey("raw", cek, "AES-GCM", false, ["encrypt"]);
    const ct = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: aad, tagLength: 128 }, aes, enc.encode(plaintext)));
    return `${header}.${b64u(ek)}.${b64u(iv)}.${b64u(ct.subarray(0, ct.length - 16))}.${b64u(ct.subarray(ct.length - 16))}`;
  };
}

async function time(fn) {
  const t = performance.now();
  const out = await fn();
  return [performance.now() - t, out];
}

// warmUpMeasure resolves with the module's "sealbridge warm-up" measure
// once it exists.
function warmUpMeasure(timeoutMs) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "sealbridge warm-up" measure after ${timeoutMs} ms`)), timeoutMs);
    const observer = new PerformanceObserver((list) => {
      const entry = list.getEntriesByName("sealbridge warm-up")[0];
      if (!entry) return;
      clearTimeout(timer);
      observer.disconnect();
      resolve(entry);
    });
    observer.observe({ type: "measure", buffered: true });
  });
}

window.bench = {
  // setup loads everything and imports the key into each library. It
  // returns the one-time costs and one JWE from each (Go checks that they
  // decrypt), sealed by each library's very first call.
  async setup(jwk, plaintext) {
    const out = {};
    let t;
    [out.loadMs] = await time(async () => { sb = await load(); });
    // WebCrypto's own first use, timed apart: every library's key import
    // below comes after it.
    [out.warmDigestMs] = await time(() => crypto.subtle.digest("SHA-256", new Uint8Array(1)));
    [out.warmImportMs] = await time(() => crypto.subtle.importKey("jwk", { kty: "RSA", n: jwk.n, e: jwk.e, alg: "RSA-OAEP-256", ext: true }, { name: "RSA-OAEP", hash: "SHA-256" }, false, ["encrypt"]));
    [out.sbImportMs, t] = await time(() => sb.importKey(jwk));
    const sbKey = t;
    // The same import again: what an import costs once the engine has
    // compiled the code it runs (the first one pays for that).
    [out.sbImportAgainMs] = await time(() => sb.importKey({ ...jwk, kid: jwk.kid + "-again" }));
    libs.sealbridge = (p) => sb.seal(p, sbKey);
    [out.joseImportMs, t] = await time(() => jose.importJWK(jwk, "RSA-OAEP-256"));
    const joseKey = t;
    const header = { alg: "RSA-OAEP-256", enc: "A256GCM", kid: jwk.kid };
    libs.jose = (p) => new jose.CompactEncrypt(enc.encode(p)).setProtectedHeader(header).encrypt(joseKey);
    [out.webcryptoImportMs, t] = await time(() => crypto.subtle.importKey("jwk", { kty: "RSA", n: jwk.n, e: jwk.e, alg: "RSA-OAEP-256", ext: true }, { name: "RSA-OAEP", hash: "SHA-256" }, false, ["encrypt"]));
    libs.webcrypto = webcryptoSealer(t, jwk.kid);
    out.first = {};
    out.jwe = {};
    for (const name of ["sealbridge", "jose", "webcrypto"]) {
      [out.first[name], out.jwe[name]] = await time(() => libs[name](plaintext));
    }
    out.memoryBytes = memoryBytes();
    libs.sbKey = sbKey;
    return out;
  },

  // importOnce loads the module in this fresh page and times one key
  // import: right after load() resolves, or once the module's warm-up has
  // run (it runs a while after ready and leaves a User Timing measure).
  // Both do WebCrypto's first use before, as setup does.
  async importOnce(jwk, afterWarmUp) {
    const out = {};
    [out.loadMs] = await time(async () => { sb = await load(); });
    const ready = performance.now();
    await crypto.subtle.digest("SHA-256", new Uint8Array(1));
    await crypto.subtle.importKey("jwk", { kty: "RSA", n: jwk.n, e: jwk.e, alg: "RSA-OAEP-256", ext: true }, { name: "RSA-OAEP", hash: "SHA-256" }, false, ["encrypt"]);
    if (afterWarmUp) {
      const warm = await warmUpMeasure(5000);
      out.warmUpMs = warm.duration;
      out.warmUpAfterReadyMs = warm.startTime - ready;
    }
    [out.importMs] = await time(() => sb.importKey(jwk));
    [out.againMs] = await time(() => sb.importKey({ ...jwk, kid: jwk.kid + "-again" }));
    return out;
  },

  // run seals n times in a row with one library; per-call milliseconds.
  async run(name, n, plaintext) {
    const seal = libs[name];
    const ms = new Array(n);
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      await seal(plaintext);
      ms[i] = performance.now() - t;
    }
    return ms;
  },

  // fields seals the pointers of body n times: sealFields, or, for jose,
  // the same thing done by hand (a copy and one CompactEncrypt per field).
  async fields(name, n, body, pointers) {
    const ms = new Array(n);
    let last = null;
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      if (name === "sealbridge") {
        last = await sb.sealFields(body, pointers, libs.sbKey);
      } else {
        const copy = structuredClone(body);
        for (const p of pointers) {
          const path = p.split("/").slice(1);
          const parent = path.slice(0, -1).reduce((o, k) => o[k], copy);
          const k = path[path.length - 1];
          parent[k] = await libs[name](parent[k]);
        }
        last = copy;
      }
      ms[i] = performance.now() - t;
    }
    return { ms, last };
  },

  // memory seals until each count in marks and reports the linear memory
  // then: Go's heap grows the memory and never gives it back, so a leak
  // shows as steady growth.
  async memory(counts, plaintext) {
    const seal = libs.sealbridge;
    const out = [];
    let done = 0;
    for (const c of counts) {
      for (; done < c; done++) await seal(plaintext);
      out.push({ seals: done, bytes: memoryBytes() });
    }
    return out;
  },
};
window.__setupReady = true;
