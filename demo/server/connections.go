package server

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
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

// relayJSON sends req to the provider and copies back its status and JSON
// body, and nothing else (no cookies, no provider headers).
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
	if err != nil || !json.Valid(out) {
		writeError(w, http.StatusBadGateway, apierr.BadResponse, "the provider sent an answer that is not JSON")
		return
	}
	if res.StatusCode >= 300 && res.StatusCode < 400 {
		writeError(w, http.StatusBadGateway, apierr.BadResponse, "the provider answered with a redirect, which is not followed")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(res.StatusCode)
	_, _ = w.Write(out)
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
