// Package descriptor encodes and strictly decodes Sealbridge's two wire
// formats: the request descriptor (byte-compatible with the Qonto Embed SDK)
// and the response envelope. It is pure Go, depends only on the standard
// library and sberr, and is shared by the WebAssembly shim and the dev
// server's intermediary, so both sides agree on every byte.
//
// Request descriptor: standard base64 with padding of compact JSON
//
//	{"method":"PATCH","headers":{...},"path":"/v2/...?x=1","payload":{...}}
//
// keys in exactly that order, header names lower-case and sorted, "payload"
// left out when there is no body. Response envelope: the same base64 of
//
//	{"headers":{...},"body":<any JSON>}
//
// Encoding is canonical: strings are escaped the way JavaScript's
// JSON.stringify escapes them (no HTML escaping, U+2028/U+2029 kept as is,
// no trailing newline) and text stays UTF-8, unlike the SDK's btoa-based
// browser build. Payloads and bodies keep their own bytes, only compacted, so
// key order and number text survive.
//
// Decoding is strict because the intermediary sits on a trust boundary: any
// input that two JSON or base64 parsers could read differently is refused
// (see Decode). Whatever Decode accepts re-encodes to a descriptor that
// decodes to the same value (a canonical fixpoint; the fuzz tests check it).
package descriptor
