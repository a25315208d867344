// The package as an integrator gets it: `npm pack`, install the tarball
// into a fresh project, import "sealbridge" by name from Node, seal, decrypt
// with jose, and type-check a consumer of every export with tsc --strict.
// The fixtures are in jsbridge/testdata/package/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const repo = fileURLToPath(new URL("../../", import.meta.url));
const fixtures = join(repo, "jsbridge/testdata/package");
const pkg = JSON.parse(await readFile(join(repo, "package.json"), "utf8"));
let dir, packed;
// The installed package's three Node runs (consumer.mjs, tsc, nocrypto.mjs)
// are independent and mostly wait on Node's start-up and tsc: before()
// starts them together once the project is ready, and each test awaits
// its own.
let consumer, typecheck, nocrypto;

async function run(cmd, args, cwd = dir) {
  try {
    const { stdout } = await promisify(execFile)(cmd, args, { cwd, encoding: "utf8", maxBuffer: 16 << 20 });
    return stdout;
  } catch (e) {
    throw new Error(`${cmd} ${args.join(" ")} failed:\n${e.stdout}\n${e.stderr}`);
  }
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "sealbridge-package-"));
  // --ignore-scripts: make has built dist/ (prepack would run make again).
  [packed] = JSON.parse(await run("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", dir], repo));
  await writeFile(join(dir, "package.json"), JSON.stringify({ name: "integrator", private: true, type: "module" }));
  // Offline: the tarball has no dependencies, and jose comes from this
  // repository's node_modules.
  await run("npm", ["install", "--offline", "--no-audit", "--no-fund", join(dir, packed.filename), join(repo, "node_modules/jose")]);
  await cp(fixtures, dir, { recursive: true });
  consumer = started(run("node", ["consumer.mjs"]).then((out) => JSON.parse(out)));
  typecheck = started(run("node", [join(repo, "node_modules/typescript/bin/tsc"), "--noEmit", "--strict", "-p", "tsconfig.json"]));
  nocrypto = started(run("node", ["nocrypto.mjs"]).then((out) => JSON.parse(out)));
});

// started marks a run's failure as handled until a test awaits it (and
// fails with its message): without this, Node would end the process on the
// first rejection before the test that reports it runs.
function started(promise) {
  promise.catch(() => {});
  return promise;
}

after(() => rm(dir, { recursive: true, force: true }));

// consumerOutput is what consumer.mjs printed.
function consumerOutput() {
  return consumer;
}

test("the tarball holds what an integrator needs, and not the precompressed copies", () => {
  const paths = packed.files.map((f) => f.path).sort();
  assert.deepEqual(paths, [
    "LICENSE",
    "README.md",
    "dist/errors.js",
    "dist/frames.d.ts",
    "dist/frames.js",
    "dist/index.d.ts",
    "dist/index.js",
    "dist/integrity.json",
    "dist/seal.js",
    "dist/sealbridge.wasm",
    "dist/wasm_exec.js",
    "package.json",
  ]);
  assert.equal(packed.name, "sealbridge");
  assert.equal(packed.version, pkg.version);
});

test("Node imports sealbridge by name, seals, and jose decrypts", async () => {
  const out = await consumerOutput();
  assert.equal(out.roundTrip, true);
  assert.deepEqual(out.header, { alg: "RSA-OAEP-256", enc: "A256GCM", kid: "package-1" });
  assert.equal(out.version, pkg.version, "make wasm stamps the loader");
  assert.equal(out.moduleVersion, pkg.version, "make wasm stamps the module");
  assert.equal(out.manifestVersion, pkg.version);
});

test("load({ integrity }) with a wrong hash rejects with module_unavailable, naming the fix", async () => {
  const { mismatch } = await consumerOutput();
  assert.ok(mismatch, "load() accepted a module that does not match its integrity");
  assert.equal(mismatch.isSealbridgeError, true);
  assert.equal(mismatch.code, "module_unavailable");
  assert.match(mismatch.message, /does not match its integrity/);
  assert.match(mismatch.message, /serve the sealbridge\.wasm that integrity\.json describes/);
});

test("integrity.json holds the sha384 of each installed file a page loads", async () => {
  const installed = join(dir, "node_modules/sealbridge/dist");
  const manifest = JSON.parse(await readFile(join(installed, "integrity.json"), "utf8"));
  assert.deepEqual(Object.keys(manifest.files).sort(), ["errors.js", "index.js", "seal.js", "sealbridge.wasm", "wasm_exec.js"]);
  for (const [name, sri] of Object.entries(manifest.files)) {
    const sum = createHash("sha384").update(await readFile(join(installed, name))).digest("base64");
    assert.equal(sri, `sha384-${sum}`, name);
  }
});

test("tsc --noEmit --strict passes on a consumer that uses every export", async () => {
  await typecheck;

  // Every runtime export is imported by the consumer, and the .d.ts
  // declares exactly the values the module exports.
  const { exports } = await consumerOutput();
  const source = await readFile(join(dir, "consumer.ts"), "utf8");
  const imported = source.match(/^import \{([^}]*)\} from "sealbridge";$/m)[1].split(",").map((s) => s.trim()).filter(Boolean);
  assert.deepEqual([...imported].sort(), exports, "consumer.ts must import every export");
  const dts = await readFile(join(dir, "node_modules/sealbridge/dist/index.d.ts"), "utf8");
  const declared = [...dts.matchAll(/^export (?:declare )?(?:function|class|const|let) (\w+)/gm)].map((m) => m[1]).sort();
  assert.deepEqual([...new Set(declared)], exports, "index.d.ts values differ from the module's exports");
  const types = [...dts.matchAll(/^export (?:interface|type) (\w+)/gm)].map((m) => m[1]).sort();
  const importedTypes = source.match(/^import type \{([^}]*)\} from "sealbridge";$/m)[1].split(",").map((s) => s.trim()).filter(Boolean);
  assert.deepEqual([...importedTypes].sort(), types, "consumer.ts must use every exported type");
});

test("without globalThis.crypto, load() rejects with runtime_unsupported, naming the Node version to use", async () => {
  const out = await nocrypto;
  assert.equal(out.isSealbridgeError, true, JSON.stringify(out));
  assert.equal(out.code, "runtime_unsupported");
  assert.match(out.message, /Web Crypto/);
  assert.match(out.message, /Node\.js 20 or later/);
});
