// The frame page's entry point. It trusts one parent: the origin named in
// its URL fragment, if this frame's server lists it (the same list is sent
// as CSP frame-ancestors). It takes one connect message from that window,
// with the channel id from the fragment and a MessagePort, and from then on
// talks only over that port. No message it sends holds a typed value.
import { load, SealbridgeError } from "/dist/index.js";
import { Fields, applyTheme, invalid } from "/frame/form.js";
import { ProviderKey, checkOptions, fill, safeMessage } from "/frame/sealing.js";

const config = JSON.parse(document.documentElement.dataset.config);
const params = new URLSearchParams(location.hash.slice(1));
const parentOrigin = params.get("parent");
const channel = params.get("channel");
const notice = document.getElementById("notice");

const CONNECT_OPTIONS = new Set(["provider", "fields", "theme"]);
const SEAL_OPTIONS = new Set(["template", "pointers", "refetchKey"]);

function trustedParent() {
  if (window.parent === window || !config.ancestors.includes(parentOrigin)) return false;
  if (!/^[0-9a-f]{32}$/.test(channel ?? "")) return false;
  // Where the browser tells who embeds us (Chromium, Safari), it must be
  // the parent the fragment names.
  const ancestors = location.ancestorOrigins;
  return !ancestors || ancestors[0] === parentOrigin;
}

function refuse(text) {
  notice.textContent = text;
  notice.hidden = false;
}

let port = null;
let fields = null;
let providerKey = null;
// The module is downloaded from the start (frame.html preloads it) but
// compiled and started only once the fields are up: Go's start-up holds
// the frame's main thread, and the fields come first. A seal before then
// starts it itself.
let sbPromise = null;
function module() {
  sbPromise ??= load({ wasmURL: "/dist/sealbridge.wasm" });
  return sbPromise;
}

function post(msg) {
  port?.postMessage(msg);
}

function postState() {
  if (fields) post({ type: "state", states: fields.states() });
  reportHeight();
}

// reportHeight tells the host how tall the fields are. A ResizeObserver
// calls it on every change, but the browser does not render (nor observe)
// a cross-origin frame that is off screen, so it is also called after
// every change the frame makes itself.
let lastHeight = -1;
function reportHeight() {
  const px = Math.ceil(document.getElementById("root").getBoundingClientRect().height);
  if (px !== lastHeight) {
    lastHeight = px;
    post({ type: "height", px });
  }
}

function reply(id, result) {
  post({ type: "reply", id, ok: true, result });
}

function replyError(id, e) {
  const code = typeof e?.code === "string" ? e.code : "internal";
  post({ type: "reply", id, ok: false, error: { code, message: safeMessage(e?.message, fields ? fields.values() : []) } });
}

// trustworthy reports whether the parent page is served over https (or is
// this machine): a page on plain http can be rewritten on the network to
// draw its own form instead of this one, so the frame will not seal for it.
function trustworthy(origin) {
  const u = new URL(origin);
  return u.protocol === "https:" || /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/.test(u.hostname) || u.hostname.endsWith(".localhost");
}

async function seal(msg) {
  checkOptions("seal", msg.args, SEAL_OPTIONS);
  if (!providerKey) throw invalid("seal: the form is not mounted");
  if (!trustworthy(parentOrigin)) {
    throw new SealbridgeError("insecure_context", `the page that embeds the secure fields (${parentOrigin}) is on plain http, where the network can rewrite it: serve the page over https; nothing was sealed`);
  }
  const { body, targets } = fill(fields, msg.args.template, msg.args.pointers);
  const key = await providerKey.get(msg.args.refetchKey === true);
  const sb = await module();
  return sb.sealFields(body, targets, key);
}

const operations = {
  seal,
  clear: () => fields.clear(),
  focus: async (msg) => {
    const input = fields.input(msg.args.name);
    // The host focuses the iframe first; the browser refuses focus to an
    // element of a cross-origin frame that does not have it yet (and no
    // user gesture), so wait for the frame's own focus, briefly.
    if (!document.hasFocus()) {
      await new Promise((resolve) => {
        window.addEventListener("focus", resolve, { once: true });
        setTimeout(resolve, 1000);
      });
    }
    input.focus();
  },
  destroy: () => {
    fields?.clear();
    port?.close();
    port = null;
  },
};

async function onPortMessage(ev) {
  const d = ev.data;
  if (!d || typeof d !== "object" || typeof d.op !== "string" || !Object.hasOwn(operations, d.op)) return;
  const { id, op, ...args } = d;
  try {
    if (!fields && op !== "destroy") throw invalid(`${op}: the form is not mounted`);
    reply(id, await operations[op]({ args }));
  } catch (e) {
    replyError(id, e);
  }
  reportHeight(); // an error shown under a field makes the form taller
}

function mount(options) {
  if (options === null || typeof options !== "object") throw invalid("mount options must be an object");
  checkOptions("mountSecureForm", options, CONNECT_OPTIONS);
  const key = new ProviderKey(module, config.providers, options.provider);
  applyTheme(options.theme);
  const form = document.getElementById("fields");
  const built = new Fields(form, options.fields, postState);
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    post({ type: "submit" });
  });
  new ResizeObserver(reportHeight).observe(document.getElementById("root"));
  providerKey = key;
  fields = built;
}

// onConnect takes the first well-formed connect from the trusted parent
// and ignores everything else: other windows, other origins, a wrong or
// missing channel id, a second connect.
function onConnect(ev) {
  const d = ev.data;
  if (ev.source !== window.parent || ev.origin !== parentOrigin) return;
  if (!d || d.type !== "sealbridge:connect" || d.channel !== channel || ev.ports.length !== 1) return;
  window.removeEventListener("message", onConnect);
  port = ev.ports[0];
  port.onmessage = onPortMessage;
  try {
    mount(d.options);
  } catch (e) {
    post({ type: "error", code: e?.code || "internal", message: String(e?.message) });
    refuse("This form could not be set up.");
    return;
  }
  post({ type: "mounted", states: fields.states() });
  reportHeight();
  setTimeout(() => module().catch(() => {}), 0); // a failure is reported on seal
}

if (trustedParent()) {
  window.addEventListener("message", onConnect);
  window.parent.postMessage({ type: "sealbridge:ready", channel }, parentOrigin);
} else {
  refuse("This form works only inside a page its server allows.");
}
document.documentElement.dataset.frameReady = "true";
