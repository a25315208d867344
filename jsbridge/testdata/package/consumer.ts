// A browser integrator's TypeScript, type-checked (never run) with
// `tsc --noEmit --strict` against the installed package by
// jsbridge/test/package.test.js. It uses every export of "sealbridge", and
// each @ts-expect-error is a misuse the types must refuse.
import { load, SealbridgeError, version } from "sealbridge";
import type {
  ApiResponse,
  Claims,
  Client,
  ClientOptions,
  JWK,
  KeyHandle,
  KeyOptions,
  LoadOptions,
  ProxyEndpointDescriptor,
  ProxyRequestFunction,
  RequestEvent,
  RequestOptions,
  ResponseEvent,
  Sealbridge,
  SealbridgeErrorCode,
  SealbridgeErrorOptions,
} from "sealbridge";

const loaderVersion: string = version;

const loadOptions: LoadOptions = {
  wasmURL: new URL("/assets/sealbridge.wasm", "https://shop.example"),
  integrity: "sha384-H8BRh8j48O9oYatfu5AZzq6A9RINhZO5H16dQZngK7T62em8MUt1FLm52t+eX6xO",
};

export async function connect(login: string, password: string): Promise<string> {
  const sb: Sealbridge = await load(loadOptions);
  const moduleVersion: string = sb.version;
  const keyOptions: KeyOptions = { pin: "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs", kid: "e2e-1", timeoutMs: 5000 };
  const key: KeyHandle = await sb.fetchKey("https://provider.example/v1/keys/e2e", keyOptions);
  const jwk: JWK = { kty: "RSA", kid: "e2e-1", n: "AQAB", e: "AQAB" };
  const imported: KeyHandle = await sb.importKey(jwk, { pin: key.thumbprint });
  const sealed: string = await sb.seal(password, imported);
  const body = await sb.sealFields({ id_connector: 40, login, password }, ["/login", "/password"], key);
  const connector: number = body.id_connector;
  return [loaderVersion, moduleVersion, sealed, connector, key.kid, key.bits, key.alg, key.enc].join();
}

export async function beneficiaries(sb: Sealbridge, renew: () => Promise<string>): Promise<Claims | null> {
  const proxy: ProxyEndpointDescriptor = {
    path: "/api/embed-intermediary",
    method: "POST",
    options: { headers: { "X-Sealbridge-Request": "1" } },
  };
  const options: ClientOptions = {
    proxyEndpointDescriptor: proxy,
    accessToken: "eyJ.eyJ.sig",
    onAccessTokenExpired: renew,
    timeoutMs: 29000,
    tokenSkewMs: 30000,
    renewTimeoutMs: 10000,
  };
  const client: Client = sb.createClient(options);
  const request: RequestOptions = { method: "PATCH", path: "/v2/sepa/beneficiaries/42", query: { x: 1 }, body: { iban: "FR76" }, seal: ["/iban"] };
  const res: ApiResponse<{ id: string }> = await client.request<{ id: string }>(request);
  const id: string = res.body.id;
  const status: number = res.status + id.length;
  const claims: Claims | null = client.claims();
  const expiresAt: number | undefined = claims?.expiresAt;
  client.close();
  return status > 0 && expiresAt !== 0 ? claims : null;
}

// The Qonto SDK's function transport, and the observation hooks.
export function observed(sb: Sealbridge, key: KeyHandle, log: (line: string) => void): Client {
  const proxyRequest: ProxyRequestFunction = async (descriptor, init) => {
    const res = await fetch("/api/embed-intermediary", { method: "POST", body: descriptor, headers: init.headers, signal: init.signal });
    return res.status === 200 ? res.text() : res;
  };
  const onRequest = (e: RequestEvent): void => log(`${e.method} ${e.path} #${e.attempt}`);
  const onResponse = (e: ResponseEvent): void => log(`${e.status} in ${e.durationMs} ms: ${e.code ?? "ok"}`);
  return sb.createClient({ proxyRequest, onRequest, onResponse, crossTabRenewal: false, lockTimeoutMs: 5000, key });
}

// What a page shows for each failure: narrowing on instanceof and code.
export function explain(e: unknown): string {
  if (!(e instanceof SealbridgeError)) return "not ours";
  const code: SealbridgeErrorCode = e.code;
  switch (e.code) {
    case "module_blocked":
      return "add 'wasm-unsafe-eval' to script-src";
    case "module_unavailable":
    case "runtime_unsupported":
      return e.message;
    case "http_error":
      return `HTTP ${e.status ?? "?"}: ${JSON.stringify(e.body)}`;
    default:
      return `${e.name} ${code}: ${e.message}`;
  }
}

export function raise(): never {
  const options: SealbridgeErrorOptions = { status: 503, body: { code: "upstream_unavailable" }, cause: new Error("down") };
  const plain = new SealbridgeError("network_error", "the intermediary is unreachable");
  if (plain.status !== undefined) throw plain;
  throw new SealbridgeError("http_error", "the provider is down", options);
}

export function misuse(sb: Sealbridge, key: KeyHandle): void {
  // @ts-expect-error load() takes no AbortSignal: a load cannot be aborted.
  void load({ signal: AbortSignal.timeout(1000) });
  // @ts-expect-error error codes are a closed set.
  void new SealbridgeError("no_such_code", "x");
  // @ts-expect-error seal takes a string.
  void sb.seal(42, key);
  // @ts-expect-error the code is read-only.
  new SealbridgeError("timeout", "x").code = "internal";
}
