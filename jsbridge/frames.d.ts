// Type definitions for "sealbridge/frames": isolated mode's host side.

export { SealbridgeError } from "./index.js";

export interface SecureField {
  /** 1-32 letters, digits, _ or -; the name seal() and focus() use. */
  name: string;
  /** The visible label, also the field's accessible name. */
  label: string;
  /** Default "text". */
  type?: "text" | "password" | "email" | "tel";
  /** For browser and password-manager autofill; default "off". */
  autocomplete?: "off" | "on" | "username" | "email" | "current-password" | "new-password" | "one-time-code" | "tel";
  /** Default true: seal() refuses an empty required field and shows error. */
  required?: boolean;
  /** Default 2048, at most 4096. */
  maxLength?: number;
  /** Shown (and announced) when the field is empty at seal(); default "Enter your <label>." */
  error?: string;
}

/** Only these properties, each checked against a pattern; no other CSS reaches the frame. */
export interface SecureFormTheme {
  fontFamily?: string;
  fontSize?: string;
  color?: string;
  background?: string;
  accent?: string;
  borderColor?: string;
  errorColor?: string;
  radius?: string;
}

export interface MountOptions {
  /** The frame page on its own origin, e.g. "https://secure.example.com/frame.html". */
  frame: string | URL;
  /** Where the iframe goes. */
  container: Element;
  /** A provider configured on the frame's server; any other rejects with key_not_allowed. */
  provider: string;
  fields: SecureField[];
  theme?: SecureFormTheme;
  /** The iframe's title (read by screen readers); default "Secure credential fields". */
  title?: string;
  /** How long to wait for the frame; default 15000. */
  timeoutMs?: number;
}

/** What the host may know of a field: never its value. */
export interface FieldState {
  empty: boolean;
  valid: boolean;
  focused: boolean;
}

export type FieldStates = Record<string, FieldState>;

export interface SealOptions {
  /** Fetch the provider's key again first (after key_unknown: the provider rotated it). */
  refetchKey?: boolean;
}

export interface SecureForm {
  readonly states: FieldStates;
  /** Returns a function that unsubscribes. */
  onChange(listener: (states: FieldStates) => void): () => void;
  /** Enter pressed in a secure field. */
  onSubmit(listener: () => void): () => void;
  /** template with each named field's compact JWE at its JSON Pointer. */
  seal<T extends object>(template: T, pointers: Record<string, string>, options?: SealOptions): Promise<T & Record<string, unknown>>;
  clear(): Promise<void>;
  focus(name: string): Promise<void>;
  destroy(): void;
}

export function mountSecureForm(options: MountOptions): Promise<SecureForm>;
