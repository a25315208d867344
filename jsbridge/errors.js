// SealbridgeError, in a file of its own so that the host-side frames module
// (frames.js) can share the class with the loader without importing the
// WebAssembly runtime: `instanceof SealbridgeError` holds for both.

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
