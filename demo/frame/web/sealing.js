// Sealing inside the frame: the key comes only from this frame's server
// configuration (a provider picked by name), never from the host; each
// field's value is placed at its JSON Pointer in the host's template and
// sealed there, so a value never appears anywhere it is not sealed.
import { SealbridgeError } from "/dist/index.js";
import { invalid } from "/frame/form.js";

// Option names a host could use to bring its own key. Any of them, or any
// other unknown option, is refused: the first kind with key_not_allowed.
const KEY_OPTIONS = new Set(["key", "keys", "jwk", "jwks", "keyURL", "keyUrl", "url", "pin", "publicKey", "kid"]);

export function keyNotAllowed(message) {
  return new SealbridgeError("key_not_allowed", message);
}

/** Refuses key material and unknown options in a message from the host. */
export function checkOptions(what, options, allowed) {
  for (const k of Object.keys(options)) {
    if (KEY_OPTIONS.has(k)) throw keyNotAllowed(`${what}: ${k} is not accepted: the frame seals only to keys configured on its own server; pick one by provider name`);
    if (!allowed.has(k)) throw invalid(`${what}: option ${k.slice(0, 40)} is not known; allowed: ${[...allowed].join(", ")}`);
  }
}

/** The provider's configured key, fetched once (or again on request). */
export class ProviderKey {
  constructor(module, providers, name) {
    if (typeof name !== "string" || !Object.hasOwn(providers, name)) {
      const known = Object.keys(providers).join(", ") || "none";
      throw keyNotAllowed(`provider ${JSON.stringify(String(name).slice(0, 40))} is not configured on the frame's server (SEALBRIDGE_FRAME_PROVIDERS); configured: ${known}`);
    }
    this.module = module;
    this.provider = providers[name];
    this.handle = null;
  }

  async get(refetch) {
    if (!this.handle || refetch) {
      const sb = await this.module();
      this.handle = await sb.fetchKey(this.provider.keyURL, this.provider.pin ? { pin: this.provider.pin } : {});
    }
    return this.handle;
  }
}

// RFC 6901: "/a/b~1c" names member "b/c" of member "a".
function parsePointer(p) {
  if (typeof p !== "string" || !p.startsWith("/")) throw invalid(`pointer ${String(p).slice(0, 40)} must be a JSON Pointer such as /login`);
  return p.slice(1).split("/").map((s) => {
    if (/~[^01]|~$/.test(s)) throw invalid(`pointer ${p} has a bad escape (~0 and ~1 only)`);
    return s.replaceAll("~1", "/").replaceAll("~0", "~");
  });
}

// place sets body at pointer to value. The pointer's parent must already
// be an object of the template: the frame does not invent structure.
function place(body, pointer, value) {
  const path = parsePointer(pointer);
  let parent = body;
  for (const seg of path.slice(0, -1)) {
    parent = Object.hasOwn(parent, seg) ? parent[seg] : undefined;
    if (parent === null || typeof parent !== "object" || Array.isArray(parent)) throw invalid(`pointer ${pointer}: its parent must be an object in the template`);
  }
  // defineProperty, so that a member named __proto__ is a member.
  Object.defineProperty(parent, path[path.length - 1], { value, enumerable: true, writable: true, configurable: true });
}

/** The template with each named field's value placed at its pointer, and those pointers. */
export function fill(fields, template, pointers) {
  let body;
  try {
    body = JSON.parse(JSON.stringify(template));
  } catch {
    throw invalid("seal: the template must be JSON data");
  }
  if (body === null || typeof body !== "object" || Array.isArray(body)) throw invalid("seal: the template must be a JSON object");
  if (pointers === null || typeof pointers !== "object" || Array.isArray(pointers)) throw invalid("seal: pointers must map field names to JSON Pointers, e.g. {login: \"/login\"}");
  const names = Object.keys(pointers);
  if (names.length === 0) throw invalid("seal: name at least one field to seal");
  const targets = names.map((n) => pointers[n]);
  if (new Set(targets).size !== targets.length) throw invalid("seal: two fields have the same pointer");
  for (const n of names) fields.input(n); // throws for an unknown field
  fields.requireFilled(names);
  for (const n of names) place(body, pointers[n], fields.value(n));
  return { body, targets };
}

/** A message that names no typed value (the module's messages never do; this makes sure). */
export function safeMessage(message, values) {
  const m = String(message ?? "");
  return values.some((v) => m.includes(v)) ? "the frame refused the call (details withheld: they named a field's content)" : m;
}
