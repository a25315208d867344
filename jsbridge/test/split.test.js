// The split seal (seal.js): for a key handle Go returned, the page seals
// with the key's CryptoKey and Go checks and writes the JWE. These tests
// hold it to Go's ordinary exports, which a copy of the handle still
// takes: the same standard JWEs, the same refusals word for word, the same
// key rules.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { compactDecrypt, generateKeyPair, exportJWK } from "jose";
import { load, SealbridgeError } from "../../dist/index.js";

let sb, pair, jwk;

before(async () => {
  pair = await generateKeyPair("RSA-OAEP-256", { modulusLength: 2048, extractable: true });
  jwk = { ...(await exportJWK(pair.publicKey)), kid: "split-1", use: "enc", alg: "RSA-OAEP-256" };
  sb = await load();
  // A key import right away, as a page that imports at once does: the
  // last test checks that the module then skips its warm-up, whatever
  // the load of the machine running the tests.
  await sb.importKey(jwk);
});

async function open(jwe, privateKey = pair.privateKey) {
  const { plaintext, protectedHeader } = await compactDecrypt(jwe, privateKey, {
    keyManagementAlgorithms: ["RSA-OAEP-256"],
    contentEncryptionAlgorithms: ["A256GCM"],
  });
  return { text: new TextDecoder().decode(plaintext), protectedHeader };
}

// replacingEncrypt runs body with crypto.subtle.encrypt replaceable through
// set(fn) (body also gets the real one), and puts the real one back.
async function replacingEncrypt(body) {
  const subtle = globalThis.crypto.subtle;
  const real = subtle.encrypt;
  try {
    await body((fn) => (subtle.encrypt = fn), real);
  } finally {
    subtle.encrypt = real;
  }
}

// outcome is what a call settles with: the value, or the error's code and message.
async function outcome(p) {
  try {
    return { value: await p };
  } catch (e) {
    assert.ok(e instanceof SealbridgeError, `not a SealbridgeError: ${e}`);
    return { code: e.code, message: e.message };
  }
}

test("a handle is frozen and shows only its documented fields", async () => {
  const key = await sb.importKey(jwk);
  assert.ok(Object.isFrozen(key));
  assert.deepEqual(Object.keys(key).sort(), ["alg", "bits", "enc", "kid", "thumbprint"]);
});

test("split and ordinary seals give standard JWEs with the same header", async () => {
  const key = await sb.importKey(jwk);
  for (const value of ["", "s3cret", "pässwörd €🙂", "lone \ud800 surrogate", "x".repeat(64 * 1024)]) {
    const split = await sb.seal(value, key);
    const ordinary = await sb.seal(value, { ...key });
    for (const jwe of [split, ordinary]) {
      const { text, protectedHeader } = await open(jwe);
      assert.equal(text, new TextDecoder().decode(new TextEncoder().encode(value)));
      assert.deepEqual(protectedHeader, { alg: "RSA-OAEP-256", enc: "A256GCM", kid: "split-1" });
    }
    assert.equal(split.split(".")[0], ordinary.split(".")[0]);
  }
});

test("sealFields both ways: the same document, each value sealed", async () => {
  const key = await sb.importKey(jwk);
  const body = { id: 40, login: "marie", password: "s3cret", n: [1, { pin: "1234" }] };
  for (const k of [key, { ...key }]) {
    const out = await sb.sealFields(body, ["/password", "/n/1/pin"], k);
    assert.equal(out.id, 40);
    assert.equal(out.login, "marie");
    assert.equal((await open(out.password)).text, "s3cret");
    assert.equal((await open(out.n[1].pin)).text, "1234");
  }
});

test("a large document, which grows the module's memory during the call, is sealed intact", async () => {
  const key = await sb.importKey(jwk);
  const body = { filler: "é".repeat(300 * 1024), password: "s3cret" };
  const out = await sb.sealFields(body, ["/password"], key);
  assert.equal(out.filler, body.filler);
  assert.equal((await open(out.password)).text, "s3cret");
});

// A page may seal from inside a callback Go is running (here the client's
// proxyRequest, which Go calls): the split seal's first call into the
// module then starts while Go is on the stack.
test("a seal started inside a callback Go is running is sealed", async () => {
  const key = await sb.importKey(jwk);
  let started, fromGo;
  const client = sb.createClient({
    proxyRequest: () => {
      fromGo = /wasm-function/.test(new Error().stack);
      started = [sb.sealFields({ p: "nested" }, ["/p"], key), sb.seal("nested too", key)];
      const answer = JSON.stringify({ headers: { "content-type": "application/json" }, body: { ok: true } });
      return Promise.resolve(Buffer.from(answer).toString("base64"));
    },
  });
  assert.deepEqual((await client.request({ path: "/v2/organization" })).body, { ok: true });
  assert.ok(fromGo, "proxyRequest no longer runs with Go on the stack: this test needs another such callback");
  const [fields, value] = await Promise.all(started);
  assert.equal((await open(fields.p)).text, "nested");
  assert.equal((await open(value)).text, "nested too");
  client.close();
});

test("every refusal is the same as the ordinary export's", async () => {
  const key = await sb.importKey(jwk);
  const copy = { ...key };
  const cases = [
    [(k) => sb.seal("x".repeat(64 * 1024 + 1), k), "payload_too_large"],
    [(k) => sb.sealFields({ a: "b" }, [], k), "invalid_argument"],
    [(k) => sb.sealFields({ a: "b" }, ["/missing"], k), "invalid_argument"],
    [(k) => sb.sealFields({ a: "b" }, ["a"], k), "invalid_argument"],
    [(k) => sb.sealFields({ a: "b" }, ["/a", "/a"], k), "invalid_argument"],
    [(k) => sb.sealFields({ a: 1 }, ["/a"], k), "invalid_argument"],
    [(k) => sb.sealFields({ Password: "x", password: "y" }, ["/password"], k), "invalid_argument"],
    [(k) => sb.sealFields({ a: "b" }, ["/a\ud800"], k), "invalid_argument"],
    [(k) => sb.sealFields({ a: "x".repeat(64 * 1024 + 1) }, ["/a"], k), "payload_too_large"],
    [(k) => sb.sealFields({ a: "x".repeat(1 << 20) }, ["/a"], k), "payload_too_large"],
    [(k) => sb.sealFields({ a: 1n }, ["/a"], k), "invalid_argument"],
  ];
  for (const [i, [call, code]] of cases.entries()) {
    const split = await outcome(call(key));
    const ordinary = await outcome(call(copy));
    assert.equal(split.code, code, `case ${i}: ${JSON.stringify(split)}`);
    assert.deepEqual(split, ordinary, `case ${i}`);
  }
});

test("a handle whose key was replaced (same kid) is refused both ways", async () => {
  const key = await sb.importKey({ ...jwk, kid: "split-rotated" });
  const other = await generateKeyPair("RSA-OAEP-256", { modulusLength: 2048, extractable: true });
  const replaced = await sb.importKey({ ...(await exportJWK(other.publicKey)), kid: "split-rotated" });
  const split = await outcome(sb.seal("s3cret", key));
  const ordinary = await outcome(sb.seal("s3cret", { ...key }));
  assert.equal(split.code, "invalid_argument");
  assert.deepEqual(split, ordinary);
  const fields = await outcome(sb.sealFields({ p: "s3cret" }, ["/p"], key));
  assert.deepEqual(fields, await outcome(sb.sealFields({ p: "s3cret" }, ["/p"], { ...key })));
  assert.equal((await open(await sb.seal("ok", replaced), other.privateKey)).text, "ok");
});

test("a WebCrypto failure during a split seal rejects with internal and gives no JWE", async () => {
  const key = await sb.importKey(jwk);
  await replacingEncrypt(async (set) => {
    set(() => Promise.reject(new Error("the device is gone")));
    for (const p of [sb.seal("s3cret", key), sb.sealFields({ p: "s3cret" }, ["/p"], key)]) {
      const got = await outcome(p);
      assert.equal(got.code, "internal");
      assert.match(got.message, /WebCrypto failed.*nothing was sealed or sent/);
      assert.doesNotMatch(got.message, /s3cret/);
    }
  });
  assert.equal((await open(await sb.seal("after", key))).text, "after");
});

// Whatever WebCrypto rejects with reaches Go as a message: one that cannot
// be turned into text, or one too long for a memory call, still gives
// internal, and sealFields still ends its plan (the values in clear).
test("a WebCrypto failure of any shape rejects with internal", async () => {
  const key = await sb.importKey(jwk);
  const failures = [
    { toString() { throw new Error("no text"); } },
    Object.assign(new Error("x"), { message: { toString() { throw new Error("no text"); } } }),
    new Error("gone ".repeat(1_200_000)),
  ];
  await replacingEncrypt(async (set) => {
    for (const [i, failure] of failures.entries()) {
      set(() => Promise.reject(failure));
      for (const p of [sb.seal("s3cret", key), sb.sealFields({ p: "s3cret" }, ["/p"], key)]) {
        const got = await outcome(p);
        assert.equal(got.code, "internal", `failure ${i}: ${JSON.stringify(got).slice(0, 200)}`);
        assert.match(got.message, /WebCrypto failed.*nothing was sealed or sent/s, `failure ${i}`);
      }
    }
  });
  assert.equal((await open(await sb.seal("after", key))).text, "after");
});

// The bytes in clear that the split seal hands WebCrypto are its own
// copies (WebCrypto copies them again when called): zeroed once the
// seal is done, sealed or refused, as Go wipes its own.
test("the split seal zeroes its copies of the values in clear", async () => {
  const key = await sb.importKey(jwk);
  const handed = [];
  await replacingEncrypt(async (set, real) => {
    for (const fail of [false, true]) {
      set(function (algorithm, k, data) {
        if (algorithm.name === "AES-GCM") handed.push(data);
        return fail && algorithm.name === "AES-GCM" ? Promise.reject(new Error("gone")) : real.call(this, algorithm, k, data);
      });
      await outcome(sb.seal("s3cret", key));
      await outcome(sb.sealFields({ p: "s3cret", q: "pin" }, ["/p", "/q"], key));
    }
  });
  assert.equal(handed.length, 6);
  for (const [i, data] of handed.entries()) {
    assert.ok(data.every((b) => b === 0), `value ${i} is still in clear: ${new TextDecoder().decode(data)}`);
  }
});

test("without crypto.subtle a handle's seal is insecure_context", async () => {
  const key = await sb.importKey(jwk);
  const real = Object.getOwnPropertyDescriptor(globalThis, "crypto");
  const crypto = globalThis.crypto;
  Object.defineProperty(globalThis, "crypto", { value: { getRandomValues: (a) => crypto.getRandomValues(a) }, configurable: true });
  try {
    assert.equal((await outcome(sb.seal("s3cret", key))).code, "insecure_context");
    assert.equal((await outcome(sb.sealFields({ p: "s3cret" }, ["/p"], key))).code, "insecure_context");
  } finally {
    Object.defineProperty(globalThis, "crypto", real);
  }
});

test("a page that imported a key early gets no warm-up", async () => {
  // before() imported a key right after load(), before the half second
  // after which the warm-up would run.
  await new Promise((r) => setTimeout(r, 800));
  assert.equal(performance.getEntriesByName("sealbridge warm-up").length, 0);
});
