// An integrator's Node program, run by jsbridge/test/package.test.js in a
// fresh project that has only the packed tarball (and jose) installed. It
// prints what it saw as JSON for the test to check.
import * as sealbridge from "sealbridge";
import { load, SealbridgeError, version } from "sealbridge";
import { compactDecrypt, exportJWK, generateKeyPair } from "jose";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";

const manifest = JSON.parse(await readFile(createRequire(import.meta.url).resolve("sealbridge/integrity.json"), "utf8"));

// A wrong hash must refuse the module, with the code and the fix.
let mismatch = null;
try {
  await load({ integrity: "sha384-" + "A".repeat(64) });
} catch (e) {
  mismatch = { isSealbridgeError: e instanceof SealbridgeError, code: e.code, message: e.message };
}

const sb = await load({ integrity: manifest.files["sealbridge.wasm"] });
const { publicKey, privateKey } = await generateKeyPair("RSA-OAEP-256", { modulusLength: 2048, extractable: true });
const key = await sb.importKey({ ...(await exportJWK(publicKey)), kid: "package-1", use: "enc", alg: "RSA-OAEP-256" });
const secret = "Société €🙂 s3cret";
const jwe = await sb.seal(secret, key);
const { plaintext, protectedHeader } = await compactDecrypt(jwe, privateKey, {
  keyManagementAlgorithms: ["RSA-OAEP-256"],
  contentEncryptionAlgorithms: ["A256GCM"],
});

console.log(JSON.stringify({
  exports: Object.keys(sealbridge).sort(),
  version,
  moduleVersion: sb.version,
  manifestVersion: manifest.version,
  mismatch,
  header: protectedHeader,
  roundTrip: new TextDecoder().decode(plaintext) === secret,
}));
process.exit(0); // the Go runtime never returns
