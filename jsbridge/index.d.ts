// Type definitions for Sealbridge's JavaScript API.

/** Stable error codes; see the README's error table. */
export type SealbridgeErrorCode =
  | "invalid_argument"
  | "payload_too_large"
  | "key_unavailable"
  | "key_invalid"
  | "key_pin_mismatch"
  | "key_unknown"
  | "http_error"
  | "bad_response"
  | "network_error"
  | "timeout"
  | "token_refresh_failed"
  | "token_invalid"
  | "mfa_required"
  | "reauth_required"
  | "internal";

export class SealbridgeError extends Error {
  readonly name: "SealbridgeError";
  readonly code: SealbridgeErrorCode;
  /** HTTP status, for http_error. */
  readonly status?: number;
  /** Decoded response body, for http_error. */
  readonly body?: unknown;
}

/** A validated provider public key, as returned by fetchKey and importKey. */
export interface KeyHandle {
  readonly kid: string;
  /** RFC 7638 SHA-256 thumbprint, base64url. */
  readonly thumbprint: string;
  readonly bits: number;
  readonly alg: "RSA-OAEP-256";
  readonly enc: "A256GCM";
}

export interface KeyOptions {
  /** Expected RFC 7638 thumbprint; a different key rejects with key_pin_mismatch. */
  pin?: string;
  /** Pick this kid from a JWKS. */
  kid?: string;
  /** fetchKey only: give up after this many milliseconds (default 10000). */
  timeoutMs?: number;
}

export type JWK = Record<string, unknown>;

export interface Sealbridge {
  fetchKey(url: string, options?: KeyOptions): Promise<KeyHandle>;
  importKey(jwk: JWK | string, options?: Omit<KeyOptions, "timeoutMs">): Promise<KeyHandle>;
  /** One compact JWE (RSA-OAEP-256 + A256GCM, kid in the header). */
  seal(value: string, key: KeyHandle | JWK): Promise<string>;
  /** A copy of body whose string values at the JSON Pointers are replaced by their JWEs. */
  sealFields<T>(body: T, pointers: string[], key: KeyHandle | JWK): Promise<T>;
}

export interface LoadOptions {
  /** Where sealbridge.wasm is; default: next to index.js. */
  wasmURL?: string | URL;
}

export function load(options?: LoadOptions): Promise<Sealbridge>;
