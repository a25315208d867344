// The client in Node, through the same loader pages use: the function-style
// proxy (the Qonto Embed SDK's proxyRequestFunction shape), the hooks, and
// renewal where there are no Web Locks (Node has none: each client renews
// on its own, as in a browser without them).
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { load } from "../../dist/index.js";

let sb;
before(async () => {
  sb = await load();
});

const b64 = (s) => Buffer.from(s, "utf8").toString("base64");
const envelope = (body) => b64(JSON.stringify({ headers: { "content-type": "application/json" }, body }));
const jwt = (claims) =>
  [{ alg: "RS256" }, claims].map((p) => Buffer.from(JSON.stringify(p)).toString("base64url")).join(".") + ".c2ln";

test("proxyRequest gets the descriptor and its text answer is decoded", async () => {
  const seen = [];
  const client = sb.createClient({
    proxyRequest: async (descriptor) => {
      seen.push(descriptor);
      return envelope({ name: "Société €" });
    },
  });
  const res = await client.request({ method: "GET", path: "/v2/organization", query: { a: 1 } });
  assert.equal(res.status, 200);
  assert.deepEqual(res.body, { name: "Société €" });
  assert.equal(seen[0], b64(`{"method":"GET","headers":{},"path":"/v2/organization?a=1"}`));
});

test("proxyRequest and proxyEndpointDescriptor together are refused", () => {
  assert.throws(
    () => sb.createClient({ proxyRequest: async () => "", proxyEndpointDescriptor: { path: "/p" } }),
    (e) => e.code === "invalid_argument",
  );
  assert.throws(() => sb.createClient({ proxyRequest: "not a function" }), (e) => e.code === "invalid_argument");
});

test("without Web Locks each client renews on its own, once for its waiting calls", async () => {
  const exp = Math.floor(Date.now() / 1000) - 60;
  const claims = { partner_id: "p", client_id: "c", customer_id: "cu", invoice_id: "in" };
  let renewals = 0;
  const fresh = jwt({ ...claims, exp: exp + 3600 });
  const make = () =>
    sb.createClient({
      proxyRequest: async (_, init) => {
        assert.equal(init.headers.authorization, "Bearer " + fresh);
        return envelope({ ok: true });
      },
      accessToken: jwt({ ...claims, exp }),
      onAccessTokenExpired: async () => {
        renewals++;
        return fresh;
      },
    });
  const [a, b] = [make(), make()];
  const calls = [a, b].flatMap((c) => Array.from({ length: 10 }, () => c.request({ path: "/v2/organization" })));
  assert.equal((await Promise.all(calls)).length, 20);
  assert.equal(renewals, 2);
});

test("hooks get redacted events and cannot break a call", async () => {
  const events = [];
  const client = sb.createClient({
    proxyRequest: async () => envelope({ secret: "body-canary" }),
    accessToken: jwt({ exp: Math.floor(Date.now() / 1000) + 3600 }),
    onRequest: (e) => {
      events.push(e);
      throw new Error("broken hook");
    },
    onResponse: async (e) => {
      events.push(e);
      throw new Error("broken async hook");
    },
  });
  const res = await client.request({ method: "POST", path: "/v2/things", query: { q: "query-canary" }, body: { v: "value-canary" } });
  assert.equal(res.body.secret, "body-canary");
  assert.deepEqual(Object.keys(events[0]).sort(), ["attempt", "method", "path"]);
  assert.deepEqual(Object.keys(events[1]).sort(), ["attempt", "code", "durationMs", "method", "path", "status"]);
  assert.equal(events[1].status, 200);
  assert.equal(events[1].code, null);
  assert.ok(!JSON.stringify(events).includes("canary"));
});
