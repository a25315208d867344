package intermediary

import (
	"context"
	"errors"
	"net/http"
	"time"
)

// send makes the upstream call on the client's transport rather than
// through Client.Do, whose work on every call is for what the hardened
// client never does: it copies the request's headers in case a redirect
// is followed (CheckRedirect stops at the first answer, and a
// RoundTripper follows none), looks up cookies (the client has no Jar)
// and wraps errors in a url.Error holding the URL (errorKind only asks
// the error's kind). The client's Timeout still bounds the call:
// clientDeadline puts it in the request's context.
func (h *handler) send(req *http.Request) (*http.Response, error) {
	rt := h.client.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	res, err := rt.RoundTrip(req)
	if err != nil {
		if res != nil && res.Body != nil { // a RoundTripper that breaks its contract
			res.Body.Close()
		}
		return nil, err
	}
	if res == nil {
		return nil, errors.New("intermediary: the upstream transport returned no response and no error")
	}
	if res.Body == nil {
		res.Body = http.NoBody
	}
	return res, nil
}

// sendErrorKind is errorKind for an error of send: one the transport
// gives that errorKind cannot name (a certificate not trusted, a TLS or
// protocol failure) is "network", as it was when every such error came
// wrapped in Client.Do's url.Error (a net.Error), so that the log keeps
// calling a provider that cannot be reached by one name.
func sendErrorKind(err error) string {
	if k := errorKind(err); k != "other" {
		return k
	}
	return "network"
}

// clientDeadline bounds ctx by the client's Timeout (what Client.Do would
// enforce from the moment it is called, the answer's body included) when
// that comes before ctx's own deadline (Config.Timeout, taken before the
// token). With the default client, or one whose Timeout is longer, it
// adds nothing.
func (h *handler) clientDeadline(ctx context.Context) (context.Context, context.CancelFunc) {
	t := h.client.Timeout
	if t <= 0 {
		return ctx, func() {}
	}
	if d, ok := ctx.Deadline(); ok && time.Until(d) <= t {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, t)
}

// setUpstreamHeaders sets the upstream request's headers: the server's
// access token, the body's type, the answers the page reads, and the
// staging token when there is one. The names are already canonical, so
// the values go straight into the map, in one allocation.
func setUpstreamHeaders(hdr http.Header, token, stagingHeader, stagingToken string) {
	v := [...]string{"Bearer " + token, "application/json", "text/plain, application/json"}
	vals := v[:] // escapes: one allocation for the three values
	hdr["Authorization"] = vals[0:1:1]
	hdr["Content-Type"] = vals[1:2:2]
	hdr["Accept"] = vals[2:3:3]
	if stagingToken != "" {
		hdr.Set(stagingHeader, stagingToken)
	}
}
