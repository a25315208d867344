package intermediary

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/sealbridge/sealbridge/demo/apierr"
	"github.com/sealbridge/sealbridge/wasm/descriptor"
)

// failure is one of the handler's own answers. Its message says what to
// fix and never holds a secret or upstream text; kind is a short log tag.
type failure struct {
	status int
	code   apierr.Code
	msg    string
	header map[string]string // extra headers, set on the HTTP answer and in the envelope
	kind   string            // for the log: what went wrong upstream, if anything
}

func fail(status int, code apierr.Code, msg string) *failure {
	return &failure{status: status, code: code, msg: msg}
}

func csrfFailure() *failure {
	return fail(http.StatusForbidden, apierr.CSRF, "cross-site request refused: call from the page's own origin and send the "+CSRFHeader+" header (with the Qonto Embed SDK: proxyEndpointDescriptor.options.headers)")
}

func methodFailure(method string, allowed []string) *failure {
	msg := "method " + method + " is not allowed on this path; allowed: " + strings.Join(allowed, ", ")
	for _, a := range allowed {
		if strings.EqualFold(a, method) {
			msg = "methods are case-sensitive: send " + a + ", not " + method
		}
	}
	f := fail(http.StatusMethodNotAllowed, apierr.MethodNotAllowed, msg)
	f.header = map[string]string{"Allow": strings.Join(allowed, ", ")}
	return f
}

// writeText writes a base64 envelope (the provider's or ours) the way the
// SDK expects it: plain text that no browser sniffs or caches, with its
// length, so that an answer over net/http's 2 KiB buffer is not sent
// chunked. The names are canonical, so the values go straight into the
// map, in one allocation (each its own slice: appending to one copies it).
func writeText(w http.ResponseWriter, status int, body []byte) {
	v := [...]string{"text/plain; charset=utf-8", "nosniff", "no-store", strconv.Itoa(len(body))}
	vals := v[:]
	h := w.Header()
	h["Content-Type"] = vals[0:1:1]
	h["X-Content-Type-Options"] = vals[1:2:2]
	h["Cache-Control"] = vals[2:3:3]
	h["Content-Length"] = vals[3:4:4]
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// envelope encodes f as a response envelope with a JSON {"code","message"}
// body, so that the page reads our errors like the provider's.
func (f *failure) envelope() []byte {
	body, _ := json.Marshal(apierr.Error{Code: string(f.code), Message: f.msg})
	hs := map[string]string{"content-type": "application/json"}
	for k, v := range f.header {
		hs[strings.ToLower(k)] = v
	}
	s, err := descriptor.EncodeResponse(descriptor.Response{Headers: hs, Body: body})
	if err != nil { // not reached: the headers and body above are always valid
		s, _ = descriptor.EncodeResponse(descriptor.Response{Headers: map[string]string{"content-type": "application/json"}, Body: json.RawMessage(`{"code":"internal","message":"intermediary error"}`)})
	}
	return []byte(s)
}

// fail writes f.
func (h *handler) fail(w http.ResponseWriter, f *failure) {
	for k, v := range f.header {
		w.Header().Set(k, v)
	}
	writeText(w, f.status, f.envelope())
}
