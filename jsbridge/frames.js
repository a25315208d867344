// Sealbridge frames: the host page's half of isolated mode. The credential
// inputs live in an iframe served from another origin, which loads the
// WebAssembly module and seals there; this page only ever receives field
// states (empty, valid, focused) and sealed bodies. This file loads no
// WebAssembly and holds no key: it is the few kilobytes a host page needs.
//
//   import { mountSecureForm } from "sealbridge/frames";
//   const form = await mountSecureForm({ frame, container, provider, fields, theme });
//   const body = await form.seal({ id_connector: 40 }, { login: "/login", password: "/password" });
import { SealbridgeError } from "./errors.js";

export { SealbridgeError };

const DEFAULT_TIMEOUT_MS = 15000;

function invalid(message) {
  return new SealbridgeError("invalid_argument", message);
}

// A one-time channel id: the frame echoes it in its first message, so a
// message from any other window, or a stale frame, is told apart.
function channelId() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

function frameURL(frame) {
  let url;
  try {
    url = new URL(frame, location.href);
  } catch {
    throw invalid("mountSecureForm: frame must be the URL of the frame page, e.g. https://secure.example.com/frame.html");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw invalid("mountSecureForm: frame must be an http(s) URL");
  }
  if (url.origin === location.origin) {
    throw invalid("mountSecureForm: the frame must be on another origin than this page, or page scripts could read its fields");
  }
  return url;
}

/**
 * Mounts the secure fields in container and resolves once they are usable.
 * Options other than frame, container, title and timeoutMs go to the frame,
 * which checks them: a provider it is not configured with, or a key of the
 * page's own, rejects with key_not_allowed.
 */
export function mountSecureForm(options = {}) {
  const { frame, container, title = "Secure credential fields", timeoutMs = DEFAULT_TIMEOUT_MS, ...forwarded } = options;
  const url = frameURL(frame);
  if (!(container instanceof Element)) throw invalid("mountSecureForm: container must be a DOM element");
  const origin = url.origin;
  const channel = channelId();
  url.hash = new URLSearchParams({ parent: location.origin, channel }).toString();

  const iframe = document.createElement("iframe");
  iframe.title = title;
  iframe.src = url.href;
  iframe.referrerPolicy = "no-referrer";
  iframe.className = "sealbridge-frame";
  iframe.style.border = "0";
  iframe.style.width = "100%";
  iframe.style.display = "block";
  const { port1: port, port2 } = new MessageChannel();
  const conn = new Connection(iframe, port);

  return new Promise((resolve, reject) => {
    const fail = (e) => {
      clearTimeout(timer);
      window.removeEventListener("message", onReady);
      conn.destroy();
      reject(e);
    };
    const timer = setTimeout(() => fail(new SealbridgeError("timeout",
      `the frame at ${origin} did not answer within ${timeoutMs} ms: check that it is up, that this page's CSP allows frame-src ${origin}, and that the frame's SEALBRIDGE_FRAME_ANCESTORS lists ${location.origin}`)), timeoutMs);
    // Only the frame we created, from its origin, with our channel id, may
    // start the conversation; everything else is ignored. After that, the
    // two sides talk only over the transferred MessagePort.
    function onReady(ev) {
      const d = ev.data;
      if (ev.origin !== origin || ev.source !== iframe.contentWindow || !d || d.type !== "sealbridge:ready" || d.channel !== channel) return;
      window.removeEventListener("message", onReady);
      try {
        iframe.contentWindow.postMessage({ type: "sealbridge:connect", channel, options: forwarded }, origin, [port2]);
      } catch (e) {
        fail(invalid("mountSecureForm: options must be plain data (strings, numbers, arrays, objects): " + e.message));
      }
    }
    conn.onMounted = (err) => {
      clearTimeout(timer);
      if (err) fail(err);
      else resolve(conn.api());
    };
    window.addEventListener("message", onReady);
    container.append(iframe);
  });
}

// Connection is one mounted frame: the port, the calls in flight, the
// listeners, and the last field states the frame reported.
class Connection {
  constructor(iframe, port) {
    this.iframe = iframe;
    this.port = port;
    this.nextId = 1;
    this.pending = new Map();
    this.changeListeners = new Set();
    this.submitListeners = new Set();
    this.states = {};
    this.closed = false;
    this.onMounted = null;
    port.onmessage = (ev) => this.receive(ev.data);
  }

  receive(d) {
    if (!d || typeof d !== "object" || this.closed) return;
    switch (d.type) {
      case "mounted":
        this.states = d.states;
        this.mounted(null);
        break;
      case "error": // the frame refused the mount
        this.mounted(new SealbridgeError(d.code, d.message));
        break;
      case "state":
        this.states = d.states;
        for (const fn of this.changeListeners) fn(structuredClone(d.states));
        break;
      case "height":
        if (Number.isFinite(d.px) && d.px >= 0 && d.px < 10000) this.iframe.style.height = Math.ceil(d.px) + "px";
        break;
      case "submit":
        for (const fn of this.submitListeners) fn();
        break;
      case "reply":
        this.settle(d);
        break;
    }
  }

  mounted(err) {
    const done = this.onMounted;
    this.onMounted = null;
    done?.(err);
  }

  settle(d) {
    const p = this.pending.get(d.id);
    if (!p) return;
    this.pending.delete(d.id);
    if (d.ok) p.resolve(d.result);
    else p.reject(new SealbridgeError(d.error?.code || "internal", d.error?.message || "the frame refused the call"));
  }

  call(op, args = {}) {
    if (this.closed) return Promise.reject(invalid(`${op}: the form was destroyed`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      try {
        this.port.postMessage({ ...args, id, op });
      } catch (e) {
        this.pending.delete(id);
        reject(invalid(`${op}: arguments must be plain data: ${e.message}`));
      }
    });
  }

  destroy() {
    if (this.closed) return;
    try {
      this.port.postMessage({ id: 0, op: "destroy" });
    } catch {
      // The port is already gone; nothing to tell.
    }
    this.closed = true;
    this.port.close();
    this.iframe.remove();
    for (const p of this.pending.values()) p.reject(invalid("the form was destroyed"));
    this.pending.clear();
  }

  api() {
    const conn = this;
    return Object.freeze({
      /** The last states the frame reported, per field: {empty, valid, focused}. */
      get states() {
        return structuredClone(conn.states);
      },
      /** Calls fn with the field states on every change; returns an unsubscribe function. */
      onChange: (fn) => subscribe(this.changeListeners, fn),
      /** Calls fn when the user presses Enter in a secure field. */
      onSubmit: (fn) => subscribe(this.submitListeners, fn),
      /** The template with each named field's JWE at its JSON Pointer. */
      seal: (template, pointers, options = {}) => this.call("seal", { ...options, template, pointers }),
      clear: () => this.call("clear"),
      focus: (name) => {
        this.iframe.focus();
        return this.call("focus", { name });
      },
      destroy: () => this.destroy(),
    });
  }
}

function subscribe(set, fn) {
  if (typeof fn !== "function") throw invalid("the listener must be a function");
  set.add(fn);
  return () => set.delete(fn);
}
