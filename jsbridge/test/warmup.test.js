// The warm-up: half a second after load() resolves, a page that has not
// imported a key yet gets one import run on a made-up key, so that its own
// first import finds the code compiled; it leaves a User Timing measure.
// (split.test.js checks that a page which imports a key early gets none.)
import { test } from "node:test";
import assert from "node:assert/strict";
import { generateKeyPair, exportJWK } from "jose";
import { load } from "../../dist/index.js";

function warmUpMeasure(timeoutMs) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no warm-up measure after ${timeoutMs} ms`)), timeoutMs);
    const poll = setInterval(() => {
      const [entry] = performance.getEntriesByName("sealbridge warm-up");
      if (!entry) return;
      clearTimeout(timer);
      clearInterval(poll);
      resolve(entry);
    }, 10);
  });
}

test("a page that imports no key gets one warm-up, after ready, and keeps no key from it", async () => {
  const sb = await load();
  const ready = performance.now();
  assert.equal(performance.getEntriesByName("sealbridge warm-up").length, 0, "the warm-up ran before ready");
  const entry = await warmUpMeasure(5000);
  assert.ok(entry.startTime - ready >= 400, `the warm-up started ${entry.startTime - ready} ms after ready`);
  assert.ok(entry.duration > 0);
  // The made-up key is nowhere the page can reach: sealing with its kid
  // and thumbprint finds no such key.
  const pair = await generateKeyPair("RSA-OAEP-256", { modulusLength: 2048, extractable: true });
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: "warm-1", use: "enc", alg: "RSA-OAEP-256" };
  const key = await sb.importKey(jwk);
  await assert.rejects(sb.seal("x", { ...key, kid: "sealbridge-warm-up" }), { code: "invalid_argument" });
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(performance.getEntriesByName("sealbridge warm-up").length, 1, "the warm-up ran more than once");
});
