// Interop: load the shim in Node through the same loader pages use, seal,
// and decrypt with panva's jose. This proves the output is standard JWE.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { compactDecrypt, generateKeyPair, exportJWK, decodeProtectedHeader } from "jose";
import { load, SealbridgeError } from "../../dist/index.js";

let sb, privateKey, jwk;

before(async () => {
  globalThis.__sealbridgeTestHooks = true; // exposes __panic
  sb = await load();
  const pair = await generateKeyPair("RSA-OAEP-256", { modulusLength: 2048, extractable: true });
  privateKey = pair.privateKey;
  jwk = { ...(await exportJWK(pair.publicKey)), kid: "interop-1", use: "enc", alg: "RSA-OAEP-256" };
});

async function decrypt(jwe) {
  const { plaintext, protectedHeader } = await compactDecrypt(jwe, privateKey, {
    keyManagementAlgorithms: ["RSA-OAEP-256"],
    contentEncryptionAlgorithms: ["A256GCM"],
  });
  return { text: new TextDecoder().decode(plaintext), protectedHeader };
}

test("load resolves once with the same API", async () => {
  assert.equal(await load(), sb);
});

test("jose decrypts seal output, header exactly {alg, enc, kid}", async () => {
  const key = await sb.importKey(jwk);
  assert.equal(key.kid, "interop-1");
  const value = "pässwörd €🙂 " + "x".repeat(500);
  const jwe = await sb.seal(value, key);
  assert.equal(jwe.split(".").length, 5);
  assert.deepEqual(decodeProtectedHeader(jwe), { alg: "RSA-OAEP-256", enc: "A256GCM", kid: "interop-1" });
  const { text } = await decrypt(jwe);
  assert.equal(text, value);
});

test("sealFields seals only the named fields, and jose reads them", async () => {
  const key = await sb.importKey(jwk);
  const body = { id_connector: 40, login: "marie", password: "s3cret-Société", nested: { pin: "1234", keep: true } };
  const out = await sb.sealFields(body, ["/password", "/nested/pin"], key);
  assert.equal(out.id_connector, 40);
  assert.equal(out.login, "marie");
  assert.equal(out.nested.keep, true);
  assert.equal((await decrypt(out.password)).text, "s3cret-Société");
  assert.equal((await decrypt(out.nested.pin)).text, "1234");
  assert.ok(!JSON.stringify(out).includes("s3cret"));
});

test("bad input rejects with a SealbridgeError and a code", async () => {
  const key = await sb.importKey(jwk);
  const cases = [
    [() => sb.seal(undefined, key), "invalid_argument"],
    [() => sb.seal(42, key), "invalid_argument"],
    [() => sb.seal("x".repeat(64 * 1024 + 1), key), "payload_too_large"],
    [() => sb.seal("x", undefined), "invalid_argument"],
    [() => sb.sealFields({ a: "b" }, ["a"], key), "invalid_argument"],
    [() => sb.sealFields({ a: "b" }, ["/missing"], key), "invalid_argument"],
    [() => sb.sealFields({ a: 1 }, ["/a"], key), "invalid_argument"],
    [() => sb.importKey({ ...jwk, kty: "EC" }), "key_invalid"],
    [() => sb.importKey({ ...jwk, d: "AAAA" }), "key_invalid"],
    [() => sb.importKey(jwk, { pin: "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs" }), "key_pin_mismatch"],
    [() => sb.fetchKey(123), "invalid_argument"],
  ];
  for (const [fn, code] of cases) {
    await assert.rejects(fn, (e) => {
      assert.ok(e instanceof SealbridgeError, `not a SealbridgeError: ${e}`);
      assert.equal(e.code, code, e.message);
      assert.ok(e.message.length > 10, "the message says what to fix");
      return true;
    });
  }
});

test("a panic inside an export rejects with code internal, and the next call works", async () => {
  await assert.rejects(sb.__panic(), (e) => e instanceof SealbridgeError && e.code === "internal");
  const key = await sb.importKey(jwk);
  assert.equal((await decrypt(await sb.seal("still alive", key))).text, "still alive");
});

test("fetchKey against an unreachable endpoint is key_unavailable", async () => {
  await assert.rejects(sb.fetchKey("http://127.0.0.1:9/keys", { timeoutMs: 2000 }), (e) => e.code === "key_unavailable");
});
