package intermediary

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/sealbridge/sealbridge/demo/apierr"
)

// upstream is the provider's answer that passes through.
type upstream struct {
	status int
	body   []byte
}

// forward sends body ({"data":"<canonical descriptor>"}) to the dispatch
// endpoint: one POST, never retried (the transport replays only idempotent
// requests, and this one carries no Idempotency-Key of its own). ctx
// carries the deadline; the caller's cancellation propagates through it.
func (h *handler) forward(ctx context.Context, body []byte) (upstream, *failure) {
	tok, err := h.cfg.Token(ctx)
	if err != nil || tok == "" || strings.ContainsAny(tok, "\r\n\x00") {
		if ctx.Err() != nil {
			return upstream{}, timeoutFailure(errorKind(ctx.Err()))
		}
		f := fail(http.StatusBadGateway, apierr.UpstreamUnavailable, "the server could not get a provider access token; check its provider credentials and try again")
		f.kind = "token"
		return upstream{}, f
	}
	ctx, cancel := h.clientDeadline(ctx)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.dispatchURL, bytes.NewReader(body))
	if err != nil { // not reached: the URL was checked by New
		return upstream{}, upstreamFailure("request", "the intermediary's provider URL is invalid")
	}
	setUpstreamHeaders(req.Header, tok, h.cfg.StagingHeader, h.cfg.StagingToken)
	res, err := h.send(req)
	if err != nil {
		// err may name the provider's URL or address: only its kind is used.
		if ctx.Err() != nil || isTimeout(err) {
			return upstream{}, timeoutFailure(errorKind(err))
		}
		return upstream{}, upstreamFailure(sendErrorKind(err), "the provider could not be reached; try again later")
	}
	defer res.Body.Close()
	if res.StatusCode < 200 || res.StatusCode >= 300 && res.StatusCode < 400 {
		// A redirect is never followed: it would carry the tokens to the
		// host it names. Its Location is not even logged.
		f := upstreamFailure("redirect", "the provider answered "+strconv.Itoa(res.StatusCode)+" (a redirect or interim answer), which the intermediary does not follow; check ProviderURL and DispatchPath")
		return upstream{status: res.StatusCode}, f
	}
	b, err := readSized(io.LimitReader(res.Body, h.cfg.MaxUpstream+1), res.ContentLength, h.cfg.MaxUpstream)
	if err != nil {
		if ctx.Err() != nil || isTimeout(err) {
			return upstream{status: res.StatusCode}, timeoutFailure(errorKind(err))
		}
		return upstream{status: res.StatusCode}, upstreamFailure(errorKind(err), "the provider's answer was cut off; try again later")
	}
	if int64(len(b)) > h.cfg.MaxUpstream {
		return upstream{status: res.StatusCode}, upstreamFailure("too_large", "the provider's answer is over "+strconv.FormatInt(h.cfg.MaxUpstream, 10)+" bytes (Config.MaxUpstream)")
	}
	if !isEnvelope(b) {
		f := fail(http.StatusBadGateway, apierr.BadResponse, "the provider answered "+strconv.Itoa(res.StatusCode)+" with a body that is not a base64 response envelope; check ProviderURL and DispatchPath")
		f.kind = "bad_envelope"
		return upstream{status: res.StatusCode}, f
	}
	return upstream{status: res.StatusCode, body: b}, nil
}

// isEnvelope reports whether b is standard base64 of a JSON object: enough
// to catch an HTML error page or a JSON error from a proxy in between,
// while the page's decoder does the strict reading. It runs on every
// answer, so it decodes into a buffer kept for the next answer and
// validates without building the object.
func isEnvelope(b []byte) bool {
	// The decoder skips line breaks, so they are refused first.
	if len(b) == 0 || bytes.IndexByte(b, '\r') >= 0 || bytes.IndexByte(b, '\n') >= 0 {
		return false
	}
	enc := base64.StdEncoding.Strict()
	buf := decodeBuffers.Get().(*[]byte)
	defer putDecodeBuffer(buf)
	dec := slices.Grow((*buf)[:0], enc.DecodedLen(len(b)))[:enc.DecodedLen(len(b))]
	*buf = dec
	n, err := enc.Decode(dec, b)
	if err != nil {
		return false
	}
	dec = bytes.TrimLeft(dec[:n], " \t\r\n")
	return len(dec) > 0 && dec[0] == '{' && json.Valid(dec)
}

// decodeBuffers hold isEnvelope's buffers between calls, wiped: a
// provider's answer (account data) is not kept past its own call. Answers
// are a few KiB; a buffer grown past maxKeptDecodeBuffer by a large one
// is left to the collector rather than kept.
var decodeBuffers = sync.Pool{New: func() any { return new([]byte) }}

const maxKeptDecodeBuffer = 64 << 10

func putDecodeBuffer(buf *[]byte) {
	clear(*buf)
	if cap(*buf) <= maxKeptDecodeBuffer {
		decodeBuffers.Put(buf)
	}
}

func upstreamFailure(kind, msg string) *failure {
	f := fail(http.StatusBadGateway, apierr.UpstreamUnavailable, msg)
	f.kind = kind
	return f
}

func timeoutFailure(kind string) *failure {
	f := fail(http.StatusGatewayTimeout, apierr.UpstreamTimeout, "the provider did not answer in time; try again later")
	f.kind = kind
	return f
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}

// errorKind names an upstream error for the log without its text: a
// url.Error's text holds the URL.
func errorKind(err error) string {
	switch {
	case errors.Is(err, context.Canceled):
		return "canceled"
	case isTimeout(err):
		return "timeout"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "refused"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "reset"
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return "dns"
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return "network"
	}
	return "other"
}
