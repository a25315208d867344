package sandbox

import (
	"net/http"
	"sync"

	"github.com/sealbridge/sealbridge/wasm/descriptor"
)

// DispatchPath is Qonto's proxy endpoint: it takes {"data": "<base64
// request descriptor>"}, runs the call it describes against the sandbox's
// resources, and answers with a base64 response envelope and the call's
// own status.
const DispatchPath = "/v1/encoded_requests/dispatch"

// SCAHeader is a sandbox-only descriptor header: "x-sandbox-sca: required"
// on a PATCH makes the sandbox answer 428 (strong customer authentication
// needed), so that tests can show that 428 passes through. An intermediary
// must allowlist it to let it through.
const SCAHeader = "x-sandbox-sca"

// DefaultStagingHeader names the staging token header when
// DispatchConfig.StagingHeader is empty.
const DefaultStagingHeader = "X-Qonto-Staging-Token"

const maxDispatchBody = 1 << 20

// DispatchConfig configures the dispatch endpoint.
type DispatchConfig struct {
	// StagingToken, when set, must come in StagingHeader on every dispatch
	// call, as Qonto's staging environment requires.
	StagingToken  string
	StagingHeader string // default DefaultStagingHeader
}

// dispatcher keeps the dispatch resources and what tests inspect.
type dispatcher struct {
	cfg DispatchConfig

	mu        sync.Mutex
	count     int
	lastHdr   http.Header
	lastDesc  descriptor.Request
	benefs    []*Beneficiary // seed order, which is the list order
	benefByID map[string]*Beneficiary
}

func (s *Sandbox) mountDispatch() error {
	cfg := s.cfg.Dispatch
	if cfg.StagingHeader == "" {
		cfg.StagingHeader = DefaultStagingHeader
	}
	d := &dispatcher{cfg: cfg, benefByID: map[string]*Beneficiary{}}
	for _, b := range seedBeneficiaries() {
		d.benefs = append(d.benefs, &b)
		d.benefByID[b.ID] = &b
	}
	s.dispatch = d
	s.mux.HandleFunc("POST "+DispatchPath, s.handleDispatch)
	return nil
}

// handleDispatch is POST /v1/encoded_requests/dispatch. Failures of the
// dispatch call itself (token, staging token, body) are plain JSON errors,
// like any other endpoint's; only the described call's answer is an
// envelope.
func (s *Sandbox) handleDispatch(w http.ResponseWriter, r *http.Request) {
	d := s.dispatch
	d.mu.Lock()
	d.count++
	d.lastHdr = r.Header.Clone()
	d.lastDesc = descriptor.Request{}
	d.mu.Unlock()

	if _, _, ok := s.bearer(w, r); !ok {
		s.log.Info("dispatch", "status", http.StatusUnauthorized, "reason", "bearer")
		return
	}
	if d.cfg.StagingToken != "" && !secretEqual(r.Header.Get(d.cfg.StagingHeader), d.cfg.StagingToken) {
		writeError(w, http.StatusUnauthorized, "invalid_staging_token", "missing or wrong "+d.cfg.StagingHeader+" header")
		s.log.Info("dispatch", "status", http.StatusUnauthorized, "reason", "staging_token")
		return
	}
	var body struct {
		Data string `json:"data"`
	}
	if !readJSON(w, r, maxDispatchBody, &body) {
		return
	}
	req, err := descriptor.Decode(body.Data, descriptor.Limits{MaxEncoded: maxDispatchBody})
	if err != nil {
		writeError(w, http.StatusBadRequest, "bad_descriptor", err.Error())
		return
	}
	d.mu.Lock()
	d.lastDesc = req
	d.mu.Unlock()

	ans := s.route(req)
	env, err := descriptor.EncodeResponse(descriptor.Response{Headers: ans.headers(), Body: ans.body})
	if err != nil { // not reached: answers are built from marshalled values
		writeError(w, http.StatusInternalServerError, "internal", "could not encode the answer")
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(ans.status)
	_, _ = w.Write([]byte(env))
	// The route, not the path: ids and queries stay out of the log.
	s.log.Info("dispatch", "method", ans.method, "route", ans.route, "status", ans.status)
}

// DispatchCount counts calls to DispatchPath, refused ones included.
func (s *Sandbox) DispatchCount() int {
	s.dispatch.mu.Lock()
	defer s.dispatch.mu.Unlock()
	return s.dispatch.count
}

// LastDispatchHeaders returns a copy of the HTTP headers of the last call
// to DispatchPath (nil before the first), so that tests can check exactly
// what an intermediary sent.
func (s *Sandbox) LastDispatchHeaders() http.Header {
	s.dispatch.mu.Lock()
	defer s.dispatch.mu.Unlock()
	return s.dispatch.lastHdr.Clone()
}

// LastDescriptor returns the descriptor of the last call to DispatchPath,
// or the zero Request when that call was refused before decoding it.
func (s *Sandbox) LastDescriptor() descriptor.Request {
	s.dispatch.mu.Lock()
	defer s.dispatch.mu.Unlock()
	r := s.dispatch.lastDesc
	if r.Headers != nil {
		h := make(map[string]string, len(r.Headers))
		for k, v := range r.Headers {
			h[k] = v
		}
		r.Headers = h
	}
	r.Payload = append([]byte(nil), r.Payload...)
	return r
}
