// The secure fields inside the frame: built from the host's field list
// (checked against allowlists), themed from an allowlist of validated
// properties, and reporting states that never hold a value.
import { SealbridgeError } from "/dist/index.js";

const MAX_FIELDS = 8;
const TYPES = new Set(["text", "password", "email", "tel"]);
const AUTOCOMPLETE = new Set(["off", "on", "username", "email", "current-password", "new-password", "one-time-code", "tel"]);
const FIELD_KEYS = new Set(["name", "label", "type", "autocomplete", "required", "maxLength", "error"]);

// Each theme property maps to one custom property of frame.css and must
// match its pattern: colours, lengths and font names only, so no value can
// close a declaration, open a rule or load a URL (attribute selectors
// could otherwise read the fields' values out through background images).
const COLOR = /^(#[0-9a-f]{3,4}|#[0-9a-f]{6}|#[0-9a-f]{8}|[a-z]{3,20}|(rgb|rgba|hsl|hsla)\([0-9., %/]{1,40}\))$/i;
const LENGTH = /^(0|\d{1,3}(\.\d{1,2})?(px|rem|em))$/;
const FONT = /^[A-Za-z0-9 ,"'-]{1,120}$/;
const THEME = {
  fontFamily: ["--sb-font", FONT],
  fontSize: ["--sb-font-size", LENGTH],
  color: ["--sb-color", COLOR],
  background: ["--sb-background", COLOR],
  accent: ["--sb-accent", COLOR],
  borderColor: ["--sb-border", COLOR],
  errorColor: ["--sb-error", COLOR],
  radius: ["--sb-radius", LENGTH],
};

export function invalid(message) {
  return new SealbridgeError("invalid_argument", message);
}

function plainObject(v) {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Checks the theme, all of it, before applying any of it. */
export function applyTheme(theme = {}) {
  if (!plainObject(theme)) throw invalid("theme must be an object");
  const set = [];
  for (const [k, v] of Object.entries(theme)) {
    if (!Object.hasOwn(THEME, k)) throw invalid(`theme.${k} is not a theme property; allowed: ${Object.keys(THEME).join(", ")}`);
    const [prop, pattern] = THEME[k];
    if (typeof v !== "string" || !pattern.test(v)) throw invalid(`theme.${k} is not an allowed value (a colour, a length in px/rem/em, or font names)`);
    set.push([prop, v]);
  }
  for (const [prop, v] of set) document.documentElement.style.setProperty(prop, v);
}

function checkField(f, seen) {
  if (!plainObject(f)) throw invalid("each field must be an object {name, label, ...}");
  for (const k of Object.keys(f)) if (!FIELD_KEYS.has(k)) throw invalid(`field option ${k} is not known; allowed: ${[...FIELD_KEYS].join(", ")}`);
  if (typeof f.name !== "string" || !/^[A-Za-z][A-Za-z0-9_-]{0,31}$/.test(f.name)) throw invalid("field name must be 1-32 letters, digits, _ or -, starting with a letter");
  if (seen.has(f.name)) throw invalid(`field ${f.name} is listed twice`);
  if (typeof f.label !== "string" || f.label.length < 1 || f.label.length > 80) throw invalid(`field ${f.name}: label must be 1-80 characters`);
  const type = f.type ?? "text";
  if (!TYPES.has(type)) throw invalid(`field ${f.name}: type must be one of ${[...TYPES].join(", ")}`);
  const autocomplete = f.autocomplete ?? "off";
  if (!AUTOCOMPLETE.has(autocomplete)) throw invalid(`field ${f.name}: autocomplete must be one of ${[...AUTOCOMPLETE].join(", ")}`);
  const maxLength = f.maxLength ?? 2048;
  if (!Number.isInteger(maxLength) || maxLength < 1 || maxLength > 4096) throw invalid(`field ${f.name}: maxLength must be an integer from 1 to 4096`);
  if (f.error !== undefined && (typeof f.error !== "string" || f.error.length > 120)) throw invalid(`field ${f.name}: error must be a message of at most 120 characters`);
  return { name: f.name, label: f.label, type, autocomplete, maxLength, required: f.required !== false, error: f.error || `Enter your ${f.label.toLowerCase()}.` };
}

/** The form's fields, by name: the inputs and what the host may know of them. */
export class Fields {
  constructor(form, specs, onState) {
    if (!Array.isArray(specs) || specs.length < 1 || specs.length > MAX_FIELDS) throw invalid(`fields must list 1 to ${MAX_FIELDS} fields`);
    const seen = new Map();
    for (const f of specs) {
      const spec = checkField(f, seen);
      seen.set(spec.name, spec);
    }
    this.form = form;
    this.specs = seen;
    this.inputs = new Map();
    this.onState = onState;
    for (const spec of seen.values()) this.render(spec);
    const submit = document.createElement("button");
    submit.type = "submit";
    submit.className = "submit";
    submit.tabIndex = -1;
    submit.setAttribute("aria-hidden", "true");
    submit.textContent = "Submit";
    form.append(submit);
  }

  render(spec) {
    const id = "sb-" + spec.name;
    const wrap = document.createElement("div");
    wrap.className = "field";
    const label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = spec.label;
    const input = document.createElement("input");
    Object.assign(input, { id, name: spec.name, type: spec.type, autocomplete: spec.autocomplete, required: spec.required, maxLength: spec.maxLength, spellcheck: false });
    input.setAttribute("autocapitalize", "off");
    input.setAttribute("aria-describedby", id + "-error");
    const error = document.createElement("p");
    error.id = id + "-error";
    error.className = "error";
    // Announced when it appears (aria-live), and tied to the input
    // (aria-describedby) so it is read again on focus.
    error.setAttribute("aria-live", "assertive");
    for (const ev of ["input", "change", "focus", "blur"]) {
      input.addEventListener(ev, () => {
        if (ev === "input" && input.value) this.showError(spec.name, "");
        this.onState();
      });
    }
    wrap.append(label, input, error);
    this.form.append(wrap);
    this.inputs.set(spec.name, input);
  }

  /** States per field, never a value nor anything derived from one but emptiness and validity. */
  states() {
    const out = {};
    for (const [name, input] of this.inputs) {
      out[name] = { empty: input.value === "", valid: input.checkValidity(), focused: document.activeElement === input };
    }
    return out;
  }

  input(name) {
    if (typeof name !== "string" || !this.inputs.has(name)) throw invalid(`no field named ${String(name).slice(0, 40)}; fields: ${[...this.inputs.keys()].join(", ")}`);
    return this.inputs.get(name);
  }

  value(name) {
    return this.input(name).value;
  }

  showError(name, message) {
    const input = this.input(name);
    input.setAttribute("aria-invalid", message ? "true" : "false");
    document.getElementById(input.id + "-error").textContent = message;
  }

  /** Marks every required empty field; throws invalid_argument naming the first. */
  requireFilled(names) {
    let first = null;
    for (const name of names) {
      const input = this.input(name);
      if (input.value !== "" || !this.specs.get(name).required) continue;
      this.showError(name, this.specs.get(name).error);
      first ??= name;
    }
    if (first) {
      this.input(first).focus();
      throw invalid(`field ${first} is empty`);
    }
  }

  clear() {
    for (const name of this.inputs.keys()) {
      this.inputs.get(name).value = "";
      this.showError(name, "");
    }
    this.onState();
  }

  /** Every non-trivial value, so that an error message can be checked for them. */
  values() {
    return [...this.inputs.values()].map((i) => i.value).filter((v) => v.length >= 3);
  }
}
