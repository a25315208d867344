// seal.js's side of the memory calls (jsbridge/memcall.go). A wasm32
// export returns an address as an i32, which JavaScript reads signed: in
// a module whose memory is past 2 GiB, Go's buffers sit at addresses that
// arrive negative. Go's module would need a heap that large to show it,
// so these tests use a small real module whose exports answer as Go's
// would with its buffers past 2 GiB.
import { test } from "node:test";
import assert from "node:assert/strict";
import { memoryCalls } from "../../dist/seal.js";

const past2GiB = 0x80000000;

// echoModule exports the three memory calls over a memory of 2 GiB and one
// page: sealbridge_input and sealbridge_output both answer 2 GiB, and
// sealbridge_call(slot, n) returns n, so the output is the input; with
// trap, sealbridge_call traps, as a Go runtime that dies in a call does.
async function echoModule({ trap = false } = {}) {
  const leb = (n) => (n < 0x80 ? [n] : [(n & 0x7f) | 0x80, ...leb(n >>> 7)]);
  const str = (s) => [s.length, ...new TextEncoder().encode(s)];
  const section = (id, bytes) => [id, ...leb(bytes.length), ...bytes];
  const i32 = 0x7f;
  const addressPast2GiB = [0x41, 0x80, 0x80, 0x80, 0x80, 0x78, 0x0b]; // i32.const -2^31; end
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [3, 0x60, 1, i32, 1, i32, 0x60, 2, i32, i32, 1, i32, 0x60, 0, 1, i32]),
    ...section(3, [3, 0, 1, 2]),
    ...section(5, [1, 0, ...leb(32769)]),
    ...section(7, [4, ...str("sealbridge_input"), 0, 0, ...str("sealbridge_call"), 0, 1,
      ...str("sealbridge_output"), 0, 2, ...str("mem"), 2, 0]),
    ...section(10, [3, 8, 0, ...addressPast2GiB, ...(trap ? [3, 0, 0x00, 0x0b] : [4, 0, 0x20, 1, 0x0b]), 8, 0, ...addressPast2GiB]),
  ];
  const { instance } = await WebAssembly.instantiate(new Uint8Array(bytes));
  return instance.exports;
}

test("a memory call whose buffers are past 2 GiB reads and writes them there", async () => {
  const exports = await echoModule();
  assert.equal(exports.sealbridge_input(5), -past2GiB, "the module does not answer as a wasm32 address past 2 GiB");
  const go = memoryCalls(exports, { exited: false });
  const out = go.call(0, 5, (view, bytes) => {
    view.setUint8(0, 1);
    bytes.set([2, 3, 4, 5], 1);
    return 5;
  });
  assert.deepEqual([...out], [1, 2, 3, 4, 5]);
  const left = new Uint8Array(exports.mem.buffer, past2GiB, 5);
  assert.deepEqual([...left], [0, 0, 0, 0, 0], "the output was not zeroed in the module's memory");
});

test("a size an i32 cannot hold is refused, not wrapped", async () => {
  const exports = await echoModule();
  const go = memoryCalls(exports, { exited: false });
  for (const size of [2 ** 32 + 5, 2 ** 31, NaN, -1]) {
    const out = go.call(0, size, () => assert.fail(`write called for size ${size}`));
    assert.equal(out, null, `size ${size}`);
  }
});

// A Go runtime that dies inside a call (a fatal error: out of memory, a
// corrupted heap) traps out of the export and never wipes the input,
// which can hold a document in clear; the memory stays while the page
// holds the module's exports.
test("a call that dies in the module leaves no input in its memory", async () => {
  const exports = await echoModule({ trap: true });
  const go = memoryCalls(exports, { exited: false });
  assert.throws(() => go.call(0, 8, (view, bytes) => (bytes.set(new TextEncoder().encode("s3cret!!")), 8)),
    (e) => e.code === "internal" && /load the page again/.test(e.message));
  assert.deepEqual([...new Uint8Array(exports.mem.buffer, past2GiB, 8)], new Array(8).fill(0));
});
