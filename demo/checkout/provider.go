package checkout

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"

	"golang.org/x/oauth2"

	"github.com/sealbridge/sealbridge/demo/apierr"
)

// checkoutMaxUpstream bounds what is read from the provider.
const checkoutMaxUpstream = 64 << 10

// mint gets the provider access token and trades it for a scoped token. If
// the provider refuses the access token (401) and the source is ours, it
// starts a fresh source and tries once more.
func (m *Minter) mint(ctx context.Context, customerID, invoiceID string) (string, *checkoutFailure) {
	for attempt := 0; ; attempt++ {
		at, err := m.tokens.Token()
		if err != nil {
			return "", checkoutTokenFailure(err)
		}
		tok, fail := m.callInit(ctx, at, customerID, invoiceID)
		if fail != nil && fail.upstream == http.StatusUnauthorized && attempt == 0 && m.tokens.Renew(at.AccessToken) {
			continue
		}
		return tok, fail
	}
}

// checkoutTokenFailure maps a failed token fetch to a 503. It keeps only
// the HTTP status or the error's kind: a RetrieveError carries the token
// endpoint's body and a url.Error the URL, neither fit for a log.
func checkoutTokenFailure(err error) *checkoutFailure {
	f := &checkoutFailure{
		status:  http.StatusServiceUnavailable,
		body:    errBody(apierr.UpstreamUnavailable, "the provider's token endpoint is unavailable; try again later"),
		outcome: "token_endpoint_failed",
	}
	var re *oauth2.RetrieveError
	switch {
	case errors.As(err, &re) && re.Response != nil:
		f.upstream = re.Response.StatusCode
	default:
		f.attrs = []slog.Attr{slog.String("error_kind", checkoutErrorKind(err))}
	}
	return f
}

func checkoutErrorKind(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.As(err, &ne):
		return "network"
	default:
		return "other"
	}
}

// callInit is POST {ProviderURL}/v1/checkout-auth/init.
func (m *Minter) callInit(ctx context.Context, at *oauth2.Token, customerID, invoiceID string) (string, *checkoutFailure) {
	body, _ := json.Marshal(map[string]string{"customer_id": customerID, "invoice_id": invoiceID})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.initURL, bytes.NewReader(body))
	if err != nil {
		return "", checkoutUpstreamFailure(0, "the provider URL is invalid")
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Bearer "+at.AccessToken)
	resp, err := m.client.Do(req)
	if err != nil {
		return "", &checkoutFailure{
			status:  http.StatusServiceUnavailable,
			body:    errBody(apierr.UpstreamUnavailable, "the provider is unavailable; try again later"),
			outcome: "provider_unreachable",
			attrs:   []slog.Attr{slog.String("error_kind", checkoutErrorKind(err))},
		}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, checkoutMaxUpstream+1))
	switch {
	case err != nil:
		return "", checkoutUpstreamFailure(resp.StatusCode, "the provider's answer was cut short")
	case len(raw) > checkoutMaxUpstream:
		return "", checkoutUpstreamFailure(resp.StatusCode, "the provider's answer is too large")
	}
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusForbidden:
		return "", &checkoutFailure{status: http.StatusForbidden, upstream: resp.StatusCode, outcome: "provider_forbidden",
			body: errBody(apierr.Forbidden, "the provider refused a token for this invoice")}
	case http.StatusNotFound:
		return "", &checkoutFailure{status: http.StatusNotFound, upstream: resp.StatusCode, outcome: "provider_not_found",
			body: errBody(apierr.NotFound, "the provider does not know this invoice")}
	default:
		// The provider's body is not passed on: it is theirs, and an error
		// page may well echo the request.
		return "", checkoutUpstreamFailure(resp.StatusCode, "the provider refused to mint a token (status "+strconv.Itoa(resp.StatusCode)+")")
	}
	var out checkoutTokenResponse
	if err := json.Unmarshal(raw, &out); err != nil || !checkoutLooksLikeJWT(out.Token) || out.Token == at.AccessToken {
		return "", checkoutUpstreamFailure(resp.StatusCode, "the provider's answer holds no scoped token")
	}
	return out.Token, nil
}

func checkoutUpstreamFailure(upstream int, msg string) *checkoutFailure {
	return &checkoutFailure{
		status: http.StatusBadGateway, upstream: upstream, outcome: "provider_bad_answer",
		body: errBody(apierr.UpstreamError, msg),
	}
}

// checkoutLooksLikeJWT checks the compact JWS shape: three non-empty
// base64url parts. The dev server does not verify the token (it got it
// straight from the provider); the servers it is presented to do.
func checkoutLooksLikeJWT(s string) bool {
	if len(s) > 8<<10 {
		return false
	}
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return false
	}
	for _, p := range parts {
		if p == "" || strings.TrimLeft(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
			return false
		}
	}
	return true
}
