// Package intermediary is the backend half of Sealbridge's proxy: an
// http.Handler that receives a base64 request descriptor from the page (the
// Qonto Embed SDK's proxyEndpointDescriptor, or the Sealbridge shim), checks
// it, and forwards it to the provider's dispatch endpoint with the
// server-held access token, so that the token never reaches the page.
//
// It is importable on its own: mount New's handler in any Go backend. It
// enforces by itself, whatever the surrounding router does:
//
//   - POST only; CSRF: the X-Sealbridge-Request header and
//     http.CrossOriginProtection (Sec-Fetch-Site / Origin);
//   - an authenticated caller (Config.Authenticate, fail closed);
//   - a strict descriptor (descriptor.Decode), a canonical path without
//     traversal, encoded separators or other hosts, and an allowlist of
//     methods and path templates, all before any upstream call;
//   - the caller bound to the call (Config.AuthorizeCall, with the rule and
//     its placeholder values); a rule naming {invoice} forwards nothing
//     without it;
//   - only allowlisted descriptor headers forwarded, never the caller's
//     authorization, cookies or hop-by-hop headers;
//   - bounded sizes and time, no upstream redirect followed, no retry, no
//     upstream header passed back.
//
// The provider's answer (a base64 response envelope) is returned unmodified
// as text/plain with the provider's status. The handler's own errors are
// envelopes too, whose body is {"code","message"} with a stable apierr code.
package intermediary
