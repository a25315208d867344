// Type definitions for Sealbridge's JavaScript API.

/** Stable error codes; see the README's error table. */
export type SealbridgeErrorCode =
  | "module_unavailable"
  | "module_blocked"
  | "runtime_unsupported"
  | "invalid_argument"
  | "payload_too_large"
  | "key_unavailable"
  | "key_invalid"
  | "key_pin_mismatch"
  | "key_unknown"
  | "key_not_allowed"
  | "http_error"
  | "bad_response"
  | "network_error"
  | "timeout"
  | "token_refresh_failed"
  | "token_invalid"
  | "mfa_required"
  | "reauth_required"
  | "insecure_context"
  | "internal";

/** The release of the loader (and of the module it accepts), e.g. "0.1.0". */
export const version: string;

export interface SealbridgeErrorOptions {
  /** HTTP status, for http_error. */
  status?: number;
  /** Decoded response body, for http_error. */
  body?: unknown;
  /** The underlying error, if any. */
  cause?: unknown;
}

export class SealbridgeError extends Error {
  constructor(code: SealbridgeErrorCode, message: string, options?: SealbridgeErrorOptions);
  readonly name: "SealbridgeError";
  readonly code: SealbridgeErrorCode;
  /** HTTP status, for http_error. */
  readonly status?: number;
  /** Decoded response body, for http_error. */
  readonly body?: unknown;
}

/**
 * A validated provider public key, as returned by fetchKey and importKey
 * (frozen). Passing this very object to seal and sealFields takes their fast
 * path; a copy or a JWK works too, through the module.
 */
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
  /** The module's release; load() checked that it is the loader's. */
  readonly version: string;
  fetchKey(url: string, options?: KeyOptions): Promise<KeyHandle>;
  importKey(jwk: JWK | string, options?: Omit<KeyOptions, "timeoutMs">): Promise<KeyHandle>;
  /** One compact JWE (RSA-OAEP-256 + A256GCM, kid in the header). */
  seal(value: string, key: KeyHandle | JWK): Promise<string>;
  /** A copy of body whose string values at the JSON Pointers are replaced by their JWEs. */
  sealFields<T>(body: T, pointers: string[], key: KeyHandle | JWK): Promise<T>;
  /** Throws a SealbridgeError (invalid_argument) for bad options. */
  createClient(options: ClientOptions): Client;
}

export interface ProxyEndpointDescriptor {
  /** Your intermediary endpoint, e.g. "/api/embed-intermediary". */
  path: string;
  /** Default "POST". */
  method?: string;
  options?: { headers?: Record<string, string> };
}

/**
 * The Qonto Embed SDK's ProxyRequestFunction: send the request descriptor
 * (base64 text) to your intermediary with your own transport. Resolve with
 * its response text (taken as HTTP 200, as the Qonto SDK does) or with the
 * fetch Response itself (its status is kept: a 401 renews the token, an
 * error keeps its status). `init.headers` holds what the endpoint form
 * would add (content-type, authorization when the client has a token);
 * `init.signal` aborts when the call times out.
 */
export type ProxyRequestFunction = (
  descriptor: string,
  init: { headers: Record<string, string>; signal: AbortSignal },
) => Promise<string | Response>;

/** What onRequest gets before each send of a call. Never headers, bodies, tokens or sealed values. */
export interface RequestEvent {
  method: string;
  /** The path without its query string. */
  path: string;
  /** 1 for the first send; the one retry after a renewal or a key refetch counts on. */
  attempt: number;
}

/** What onResponse gets after each send. */
export interface ResponseEvent extends RequestEvent {
  /** HTTP status; 0 when no answer arrived. */
  status: number;
  durationMs: number;
  /** The error code this send failed with (e.g. "http_error", "network_error"), or null for a 2xx. */
  code: SealbridgeErrorCode | null;
}

export interface ClientOptions {
  /** Send calls as Qonto request descriptors through your intermediary. */
  proxyEndpointDescriptor?: ProxyEndpointDescriptor;
  /** Or send the same descriptors through your own function (instead of proxyEndpointDescriptor). */
  proxyRequest?: ProxyRequestFunction;
  /** Or call the provider directly (with a scoped accessToken). */
  baseURL?: string;
  /** A short-lived scoped token (JWT); sent as Authorization: Bearer. */
  accessToken?: string;
  /** Called (once for all waiting calls) when the token expires or is refused; resolve with a new token. */
  onAccessTokenExpired?: () => Promise<string> | string;
  /** Per-call timeout, default 29000. */
  timeoutMs?: number;
  /** Renew this long before exp, default 30000. */
  tokenSkewMs?: number;
  /** Give up on onAccessTokenExpired after this long, default 10000. */
  renewTimeoutMs?: number;
  /** Share one renewal among the tabs of this origin holding tokens of the same scope (Web Locks); default true. */
  crossTabRenewal?: boolean;
  /** Wait at most this long for another tab's renewal before renewing here, default 5000. */
  lockTimeoutMs?: number;
  /** Called before each send; a hook that throws or rejects does not affect the call. */
  onRequest?: (event: RequestEvent) => void;
  /** Called after each send, answered or failed. */
  onResponse?: (event: ResponseEvent) => void;
  /** Key for request({seal}). */
  key?: KeyHandle;
}

export interface RequestOptions {
  method?: string;
  /** Relative to the provider API, e.g. "/v2/sepa/beneficiaries/42". */
  path: string;
  query?: Record<string, string | number | boolean>;
  headers?: Record<string, string>;
  body?: unknown;
  /** JSON Pointers into body to seal before sending. */
  seal?: string[];
}

export interface ApiResponse<T = unknown> {
  status: number;
  headers: Record<string, string>;
  body: T;
}

export interface Claims {
  partnerId: string;
  clientId: string;
  customerId: string;
  invoiceId: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

export interface Client {
  request<T = unknown>(req: RequestOptions): Promise<ApiResponse<T>>;
  /** Claims of the current token, read unverified; null without a readable token. */
  claims(): Claims | null;
  /** Frees the client now (otherwise done when it is garbage-collected). */
  close(): void;
}

export interface LoadOptions {
  /**
   * Where sealbridge.wasm is; default: next to index.js. Relative URLs are
   * resolved against the page (or the worker). In Node, a file: URL.
   */
  wasmURL?: string | URL;
  /**
   * SRI metadata the module must match, e.g. the "sealbridge.wasm" entry of
   * integrity.json ("sha384-…"); a mismatch rejects with module_unavailable.
   * Default: the integrity attribute of the page's
   * <link rel="preload" as="fetch"> for the module, if any.
   */
  integrity?: string;
}

/**
 * Loads the module once and resolves with the API; later calls share it.
 * Rejects with module_unavailable, module_blocked or runtime_unsupported,
 * after which a later call tries again.
 */
export function load(options?: LoadOptions): Promise<Sealbridge>;
