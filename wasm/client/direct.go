package client

import (
	"context"
	"strconv"

	"github.com/sealbridge/sealbridge/internal/strictjson"
	"github.com/sealbridge/sealbridge/wasm/sberr"
)

// directSender calls the provider's API itself, with the scoped token.
type directSender struct {
	t    Transport
	base string
}

func (d directSender) send(ctx context.Context, c *Call, token string) (*Result, error) {
	headers := map[string]string{"accept": "application/json"}
	for k, v := range c.Headers {
		headers[k] = v
	}
	if c.Body != nil {
		headers["content-type"] = "application/json"
	}
	if token != "" {
		headers["authorization"] = "Bearer " + token
	}
	res, err := d.t.RoundTrip(ctx, &Request{Method: c.Method, URL: d.base + c.Path, Headers: headers, Body: c.Body})
	if err != nil {
		return nil, err
	}
	body, err := answerBody(c, res)
	if err != nil {
		return nil, err
	}
	return &Result{Status: res.Status, Headers: res.Headers, Body: body}, nil
}

// answerBody is the provider's answer as the page gets it: null for none;
// the body itself when it is JSON under the strict-JSON rules, as the
// intermediary requires of it in the other mode; otherwise a BadResponse
// error for a success, and for an error answer (often an HTML or text page
// from a gateway) its text as a JSON string, so that the page still sees
// it.
func answerBody(c *Call, res *Response) ([]byte, error) {
	if len(res.Body) == 0 {
		return []byte("null"), nil
	}
	err := strictjson.Limits{MaxBytes: len(res.Body)}.Validate(res.Body)
	switch {
	case err == nil:
		return res.Body, nil
	case res.Status < 200 || res.Status > 299:
		return strictjson.AppendString(nil, string(res.Body)), nil
	}
	e := sberr.New(sberr.BadResponse, "%s %s answered HTTP %d with a body that is not JSON", c.Method, c.Path, res.Status)
	if !strictjson.NotJSON(err) {
		e = sberr.New(sberr.BadResponse, "%s %s answered HTTP %d with JSON that readers could take differently: %v", c.Method, c.Path, res.Status, err)
	}
	e.Status = res.Status
	return nil, e
}

func itoa(i int) string { return strconv.Itoa(i) }
