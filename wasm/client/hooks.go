package client

import (
	"strings"
	"time"

	"github.com/sealbridge/sealbridge/wasm/sberr"
)

// Event is what the page's onRequest and onResponse hooks learn about one
// attempt of a call. It is redacted by construction: it has no field that
// could hold a header, a body, a token, a query string or a sealed value,
// so a hook that logs everything it gets logs no secret.
type Event struct {
	Method   string
	Path     string // the call's path without its query string
	Attempt  int    // 1 for the first send; 2 for the one retry after a renewal or a key refetch
	Status   int    // HTTP status; 0 in OnRequest and when no answer arrived
	Duration time.Duration
	Code     sberr.Code // what the attempt failed with; "" when it answered 2xx
}

// Hooks observe calls. Each runs synchronously on the call's goroutine and
// must not block; a hook that panics is ignored and the call goes on.
type Hooks struct {
	OnRequest  func(Event) // before each attempt is sent
	OnResponse func(Event) // after each attempt, answered or failed
}

// observed sends one attempt through send, telling the hooks before and
// after.
func (c *Client) observed(call *Call, attempt int, send func() (*Result, error)) (*Result, error) {
	ev := Event{Method: call.Method, Path: pathOnly(call.Path), Attempt: attempt}
	notify(c.cfg.Hooks.OnRequest, ev)
	start := time.Now()
	res, err := send()
	ev.Duration = time.Since(start)
	switch {
	case err != nil:
		ev.Code = sberr.CodeOf(err)
	case res.Status < 200 || res.Status > 299:
		ev.Status = res.Status
		ev.Code = sberr.CodeOf(httpError(call, res))
	default:
		ev.Status = res.Status
	}
	notify(c.cfg.Hooks.OnResponse, ev)
	return res, err
}

func notify(hook func(Event), ev Event) {
	if hook == nil {
		return
	}
	defer func() { _ = recover() }() // a broken hook must not break the call
	hook(ev)
}

func pathOnly(p string) string {
	path, _, _ := strings.Cut(p, "?")
	return path
}
