// SealbridgeError, in a file of its own so that the host-side frames module
// (frames.js) can share the class with the loader without importing the
// WebAssembly runtime: `instanceof SealbridgeError` holds for both. With
// it, how what Go returns becomes one (used by index.js and seal.js).

/** The error every Sealbridge call rejects with. */
export class SealbridgeError extends Error {
  constructor(code, message, { status, body, cause } = {}) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = "SealbridgeError";
    this.code = code;
    if (status !== undefined) this.status = status;
    if (body !== undefined) this.body = body;
  }
}

export function toSealbridgeError(e, fallbackCode = "internal") {
  if (e instanceof SealbridgeError) return e;
  if (e && typeof e === "object" && typeof e.code === "string" && e.name === "SealbridgeError") {
    return new SealbridgeError(e.code, e.message, { status: e.status, body: e.body });
  }
  const message = e instanceof Error ? e.message : String(e);
  return new SealbridgeError(fallbackCode, message, { cause: e });
}

export async function call(fn, ...args) {
  try {
    return await fn(...args);
  } catch (e) {
    throw toSealbridgeError(e);
  }
}

// syncCall runs a synchronous Go export: a Go callback cannot throw into
// JavaScript, so errors come back as {__sealbridgeError} and are thrown here.
export function syncCall(fn, ...args) {
  const r = fn(...args);
  if (r && typeof r === "object" && r.__sealbridgeError) throw toSealbridgeError(r.__sealbridgeError);
  return r;
}
