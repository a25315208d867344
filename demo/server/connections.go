package server

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"

	"github.com/sealbridge/sealbridge/demo/sandbox"
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
	if err != nil {
		writeError(w, http.StatusRequestEntityTooLarge, "payload_too_large", "the connection body is over 64 KiB")
		return
	}
	if field, ok := cleartextField(body); !ok {
		writeError(w, http.StatusBadRequest, "invalid_argument", "field "+field+" must be sealed (a compact JWE) before it leaves the page")
		return
	}
	tok, err := s.provider.token()
	if err != nil {
		s.cfg.Logger.Warn("provider token unavailable", "err", err)
		writeError(w, http.StatusServiceUnavailable, "upstream_unavailable", "could not get a provider token; try again shortly")
		return
	}
	req, err := http.NewRequestWithContext(r.Context(), http.MethodPost, s.ProviderURL+sandbox.ConnectionsPath, bytes.NewReader(body))
	if err != nil {
		writeError(w, http.StatusInternalServerError, "internal", "could not build the provider request")
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
		writeError(w, http.StatusBadGateway, "upstream_unavailable", "the provider did not answer; try again shortly")
		return
	}
	defer res.Body.Close()
	out, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil || !json.Valid(out) {
		writeError(w, http.StatusBadGateway, "bad_response", "the provider sent an answer that is not JSON")
		return
	}
	if res.StatusCode >= 300 && res.StatusCode < 400 {
		writeError(w, http.StatusBadGateway, "bad_response", "the provider answered with a redirect, which is not followed")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(res.StatusCode)
	_, _ = w.Write(out)
}

// cleartextField returns the first sealed field that is present but not a
// compact JWE. A body that is not a JSON object is left for the provider
// to refuse.
func cleartextField(body []byte) (string, bool) {
	var m map[string]json.RawMessage
	if json.Unmarshal(body, &m) != nil {
		return "", true
	}
	for _, f := range sealedFields {
		raw, ok := m[f]
		if !ok {
			continue
		}
		var s string
		if json.Unmarshal(raw, &s) != nil || strings.Count(s, ".") != 4 {
			return f, false
		}
	}
	return "", true
}
