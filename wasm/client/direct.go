package client

import (
	"context"
	"encoding/json"
	"strconv"

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
	body := json.RawMessage("null")
	if len(res.Body) > 0 {
		if !json.Valid(res.Body) {
			if res.Status >= 200 && res.Status <= 299 {
				e := sberr.New(sberr.BadResponse, "%s %s answered HTTP %d with a body that is not JSON", c.Method, c.Path, res.Status)
				e.Status = res.Status
				return nil, e
			}
			body, _ = json.Marshal(string(res.Body))
		} else {
			body = res.Body
		}
	}
	return &Result{Status: res.Status, Headers: res.Headers, Body: body}, nil
}

func itoa(i int) string { return strconv.Itoa(i) }
