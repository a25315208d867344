package server

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/sealbridge/sealbridge/demo/apierr"
	"github.com/sealbridge/sealbridge/demo/sandbox"
	"github.com/sealbridge/sealbridge/internal/strictjson"
)

const maxConnectionBody = 64 << 10

// sealedFields must arrive as compact JWEs. The dev server cannot read
// them (it never has the provider's private key); it checks their shape so
// that a buggy page cannot make it forward cleartext.
var sealedFields = []string{"login", "password"}

// handleConnections forwards a sealed "create connection" body to the
// provider with the server-held token, and returns the provider's answer.
func (s *Server) handleConnections(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxConnectionBody))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		writeError(w, http.StatusRequestEntityTooLarge, apierr.PayloadTooLarge, "the connection body is over 64 KiB")
		return
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, apierr.InvalidArgument, "could not read the request body")
		return
	}
	if msg, ok := checkSealed(body); !ok {
		writeError(w, http.StatusBadRequest, apierr.InvalidArgument, msg)
		return
	}
	tok, err := s.provider.tokens.AccessToken(r.Context())
	if err != nil {
		s.cfg.Logger.Warn("provider token unavailable", "err", err)
		writeError(w, http.StatusServiceUnavailable, apierr.UpstreamUnavailable, "could not get a provider token; try again shortly")
		return
	}
	req, err := http.NewRequestWithContext(r.Context(), http.MethodPost, s.ProviderURL+sandbox.ConnectionsPath, bytes.NewReader(body))
	if err != nil {
		writeError(w, http.StatusInternalServerError, apierr.Internal, "could not build the provider request")
		return
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+tok)
	s.relayJSON(w, req)
}

// relayJSON sends req to the provider and passes on its answer, rebuilt
// from what we know of it: a created connection's known fields, or an
// error's code from connectionErrors with our own message. The provider's
// own text never reaches the page: one that echoes the request would put
// the server's access token there. No cookies, no provider headers.
func (s *Server) relayJSON(w http.ResponseWriter, req *http.Request) {
	res, err := s.provider.http.Do(req)
	if err != nil {
		// err is a *url.Error that names the URL; log the path only.
		s.cfg.Logger.Warn("provider unreachable", "path", req.URL.Path)
		writeError(w, http.StatusBadGateway, apierr.UpstreamUnavailable, "the provider did not answer; try again shortly")
		return
	}
	defer res.Body.Close()
	out, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	created, isConnection := pageConnection(out)
	switch {
	case err != nil || !json.Valid(out):
		writeError(w, http.StatusBadGateway, apierr.BadResponse, "the provider sent an answer that is not JSON")
	case res.StatusCode >= 300 && res.StatusCode < 400:
		writeError(w, http.StatusBadGateway, apierr.BadResponse, "the provider answered with a redirect, which is not followed")
	case res.StatusCode < 300 && !isConnection:
		writeError(w, http.StatusBadGateway, apierr.BadResponse, "the provider's answer is not a connection")
	case res.StatusCode < 300:
		w.Header().Set("Cache-Control", "no-store")
		writeJSON(w, res.StatusCode, created)
	default:
		var e struct {
			Code string `json:"code"`
		}
		_ = json.Unmarshal(out, &e)
		code, msg := apierr.Code(e.Code), connectionErrors[e.Code]
		if msg == "" {
			code, msg = apierr.UpstreamError, fmt.Sprintf("the provider refused the connection (HTTP %d)", res.StatusCode)
		}
		s.cfg.Logger.Warn("provider refused a connection", "status", res.StatusCode, "error_code", string(code))
		writeError(w, res.StatusCode, code, msg)
	}
}

// pageConnection is what the page learns of a created connection: id,
// id_connector, state and fields when the provider sent them, as it sent
// them if they have the expected shape (numbers; null or a short word;
// field names), and nothing else the provider added.
func pageConnection(raw []byte) (map[string]json.RawMessage, bool) {
	var in map[string]json.RawMessage
	if json.Unmarshal(raw, &in) != nil {
		return nil, false
	}
	var id json.Number
	if json.Unmarshal(in["id"], &id) != nil {
		return nil, false
	}
	out := map[string]json.RawMessage{"id": in["id"]}
	var n json.Number
	if v, ok := in["id_connector"]; ok && json.Unmarshal(v, &n) == nil {
		out["id_connector"] = v
	}
	var state *string
	if v, ok := in["state"]; ok && json.Unmarshal(v, &state) == nil && (state == nil || connectionWord.MatchString(*state)) {
		out["state"] = v
	}
	var fields []string
	if v, ok := in["fields"]; ok && json.Unmarshal(v, &fields) == nil && !slices.ContainsFunc(fields, func(f string) bool { return !connectionWord.MatchString(f) }) {
		out["fields"] = v
	}
	return out, true
}

// connectionWord is a state or a field name: a short word.
var connectionWord = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)

// connectionErrors are the provider's connection error codes (Powens-style,
// as the sandbox answers) passed on to the page, each with our message.
var connectionErrors = map[string]string{
	"cleartext_field": "a sensitive field reached the provider unsealed; seal it with the provider's key",
	"unknown_kid":     "the provider no longer knows the key this was sealed with; fetch the key again and seal again",
	"invalid_jwe":     "the provider could not open a sealed field; seal it again with the current key",
	"invalid_request": "the provider refused the connection's fields; check id_connector and the field names",
	"invalid_token":   "the provider refused the server's access token; try again shortly",
	"too_large":       "the connection body is too large for the provider",
	"bad_json":        "the provider could not read the connection body",
}

// checkSealed refuses a body that could carry a sensitive field in clear:
// one that breaks the strict-JSON rule set the shim seals under
// (duplicate or case-fold twin members, invalid UTF-8, lone surrogates,
// trailing data), one with a member that a case-insensitive reader takes
// for a sealed field but that is not spelled as it ("Password",
// "paſſword"), or one whose sealed fields are not compact JWEs. Its
// messages never hold a value.
func checkSealed(body []byte) (string, bool) {
	m, err := strictjson.Limits{MaxBytes: maxConnectionBody}.DecodeObject(body)
	if err != nil {
		return "the connection body must be one JSON object that every reader reads the same way: " + err.Error(), false
	}
	for _, f := range sealedFields {
		raw, name, ok := m.Lookup(f)
		if !ok {
			continue
		}
		if name != f {
			return "member " + strictjson.Quote(name) + " is field " + f + " to a provider that compares names after Unicode case folding; send it as " + f + ", sealed", false
		}
		var s string
		if json.Unmarshal(raw, &s) != nil || !compactJWE(s) {
			return "field " + f + " must be sealed (a compact JWE, RSA-OAEP-256 + A256GCM) before it leaves the page", false
		}
	}
	return "", true
}

// compactJWE reports whether v has the shape the shim writes: five
// base64url segments, a JSON protected header naming RSA-OAEP-256 and
// A256GCM and a kid, a non-empty encrypted key, a 96-bit IV and a 128-bit
// tag. The dev server cannot decrypt; this only stops cleartext.
func compactJWE(v string) bool {
	parts := strings.Split(v, ".")
	if len(parts) != 5 {
		return false
	}
	seg := make([][]byte, len(parts))
	for i, p := range parts {
		b, err := base64.RawURLEncoding.Strict().DecodeString(p)
		if err != nil {
			return false
		}
		seg[i] = b
	}
	var h struct {
		Alg string `json:"alg"`
		Enc string `json:"enc"`
		Kid string `json:"kid"`
	}
	if strictjson.Validate(seg[0]) != nil || json.Unmarshal(seg[0], &h) != nil || h.Alg != "RSA-OAEP-256" || h.Enc != "A256GCM" || h.Kid == "" {
		return false
	}
	return len(seg[1]) > 0 && len(seg[2]) == 12 && len(seg[4]) == 16
}
