package oauth

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/sealbridge/sealbridge/demo/session"
)

// revokeTimeout bounds one revocation. Signing out never waits longer:
// the session is gone before the provider is asked.
const revokeTimeout = 5 * time.Second

// Revoke asks the provider to revoke p's refresh token (RFC 7009), which
// ends that login at the provider, its access tokens included; with no
// refresh token it revokes the access token. The client authenticates as
// at the token endpoint. It is best effort: sign-out has already dropped
// the tokens from the session, so a failure is logged (redacted: never the
// token, the secret or the provider's answer) and returned for tests.
// Without a RevokeURL it does nothing.
func (f *Flows) Revoke(ctx context.Context, p *session.ProviderTokens) error {
	if f.revokeURL == "" || p == nil {
		return nil
	}
	token, hint := p.RefreshToken, "refresh_token"
	if token == "" {
		token, hint = p.AccessToken, "access_token"
	}
	if token == "" {
		return nil
	}
	// Detached from the request: a browser that leaves must not cancel
	// the revocation half-way.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), revokeTimeout)
	defer cancel()
	err := f.postRevoke(ctx, token, hint)
	if err != nil {
		f.log.Warn("oauth: token revocation failed; the provider's login may outlive the sign-out", "error", err)
		return err
	}
	f.log.Info("oauth: provider tokens revoked", "token_type_hint", hint)
	return nil
}

// postRevoke sends RFC 7009 §2.1's request. Only the status is read: an
// answer echoing the request must not reach the log.
func (f *Flows) postRevoke(ctx context.Context, token, hint string) error {
	form := url.Values{"token": {token}, "token_type_hint": {hint}}
	if f.oauth.Endpoint.AuthStyle == oauth2.AuthStyleInParams {
		form.Set("client_id", f.oauth.ClientID)
		form.Set("client_secret", f.oauth.ClientSecret)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.revokeURL, strings.NewReader(form.Encode()))
	if err != nil {
		return fmt.Errorf("revocation request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if f.oauth.Endpoint.AuthStyle != oauth2.AuthStyleInParams {
		// RFC 6749 §2.3.1: form-encode both halves first, as x/oauth2 does.
		req.SetBasicAuth(url.QueryEscape(f.oauth.ClientID), url.QueryEscape(f.oauth.ClientSecret))
	}
	res, err := f.client.Do(req)
	if err != nil {
		// A *url.Error names the URL only: the token is in the body.
		return fmt.Errorf("revocation endpoint unreachable: %w", err)
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, maxProviderBody))
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("revocation endpoint answered HTTP %d", res.StatusCode)
	}
	return nil
}
