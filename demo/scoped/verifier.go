package scoped

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/sealbridge/sealbridge/demo/internal/redact"
	"github.com/sealbridge/sealbridge/demo/provider"
)

const (
	defaultScopedLeeway = 30 * time.Second
	maxScopedLeeway     = 60 * time.Second

	// scopedRefetchInterval bounds how often a token with an unknown kid can
	// make the verifier fetch the JWKS again: otherwise anyone could turn
	// the dev server into a load generator against the provider.
	scopedRefetchInterval = time.Minute
	// scopedFailureBackoff spaces retries while no JWKS has ever loaded:
	// nothing verifies until one does, so retry sooner than the minute,
	// but not once per request.
	scopedFailureBackoff = 5 * time.Second

	scopedFetchTimeout = 10 * time.Second
	maxScopedTokenLen  = 8 << 10
	maxScopedJWKSBody  = 64 << 10
	minScopedRSABits   = 2048
)

// ErrJWKSUnavailable is wrapped by Verify's error when the provider's key set
// could not be fetched (network error, non-200 answer, unusable body). It is
// deliberately NOT apierr.ErrInvalidToken: the token was not found
// bad, the verifier could not check it. The intermediary maps it to 403, so
// the page does not enter a renew-and-retry loop that a new token cannot end.
var ErrJWKSUnavailable = errors.New("scoped: the provider's JWKS is unavailable")

// VerifierConfig configures NewVerifier.
type VerifierConfig struct {
	// JWKSURL is the provider's key set, e.g. ProviderURL +
	// "/.well-known/jwks.json". Required; absolute http(s), no userinfo.
	JWKSURL string
	// Issuer and Audience must equal the token's iss and be one of its aud.
	// Both required (the sandbox's are "sealbridge-sandbox" and
	// "sealbridge-checkout").
	Issuer, Audience string
	// Leeway is the clock skew tolerated on exp, nbf and iat: 0 means 30 s,
	// a negative value means none, more than 60 s is refused (a long
	// leeway is a longer-lived token).
	Leeway time.Duration
	// HTTPClient fetches the JWKS. nil means a client with a 10 s timeout.
	// Whatever is given, redirects are not followed (a 3xx is a failed
	// fetch: keys come from the configured URL only), no cookie jar is
	// used, and a zero Timeout becomes 10 s.
	HTTPClient *http.Client
	// Now is the clock seam; nil means time.Now.
	Now func() time.Time
	// Logger receives fetch failures and rejection reasons (never a
	// token); nil discards.
	Logger *slog.Logger
}

// VerifiedClaims are a verified scoped token's claims.
type VerifiedClaims struct {
	PartnerID, ClientID, CustomerID, InvoiceID string
	Expiry                                     time.Time
}

// Verifier verifies scoped checkout tokens. It is safe for concurrent
// use.
type Verifier struct {
	jwksURL          string
	issuer, audience string
	leeway           time.Duration
	client           *http.Client
	now              func() time.Time
	log              *slog.Logger

	mu sync.Mutex
	// keys is the last key set fetched, by kid; nil until one loads. A
	// failed refetch keeps it: known keys go on verifying.
	keys map[string]*rsa.PublicKey
	// lastFetch is when the last fetch ended (so that a slow failing fetch
	// still leaves a backoff); lastErr its failure, if any.
	lastFetch time.Time
	lastErr   error
	// inflight is closed when the running fetch ends; nil when none runs.
	// Callers that need the JWKS while one runs wait for it (single-flight).
	inflight chan struct{}
	// joinHook, set by tests only, runs when a caller joins a fetch
	// another caller started.
	joinHook func()
}

// NewVerifier checks cfg. It does not fetch the JWKS: the first Verify
// does, so that the dev server can start before its provider.
func NewVerifier(cfg VerifierConfig) (*Verifier, error) {
	u, err := url.Parse(cfg.JWKSURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.Fragment != "" {
		return nil, errors.New("scoped: VerifierConfig.JWKSURL must be an absolute http(s) URL without userinfo, e.g. https://api.provider.example/.well-known/jwks.json")
	}
	if cfg.Issuer == "" || cfg.Audience == "" {
		return nil, errors.New("scoped: VerifierConfig.Issuer and Audience are required")
	}
	leeway := cfg.Leeway
	switch {
	case leeway == 0:
		leeway = defaultScopedLeeway
	case leeway < 0:
		leeway = 0
	case leeway > maxScopedLeeway:
		return nil, fmt.Errorf("scoped: VerifierConfig.Leeway is %s; it must be at most %s", cfg.Leeway, maxScopedLeeway)
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	// Mounted alone, with the integrator's logger, it redacts too.
	log = slog.New(redact.NewHandler(log.Handler()))
	return &Verifier{
		jwksURL: cfg.JWKSURL, issuer: cfg.Issuer, audience: cfg.Audience,
		leeway: leeway, client: provider.Harden(cfg.HTTPClient, scopedFetchTimeout), now: now, log: log,
	}, nil
}

func badScoped(reason string) error { return Refuse(reason) }

// Verify checks a scoped token: compact shape, RS256 only, a kid found in the
// provider's JWKS, the signature, iss, aud, exp (required), nbf and iat with
// the leeway, and the presence of partner_id, client_id, customer_id and
// invoice_id. Nothing in the header is trusted but the kid (an embedded jwk,
// jku or x5u is ignored).
//
// A bad token gives an error wrapping apierr.ErrInvalidToken. A JWKS
// that cannot be fetched gives one wrapping ErrJWKSUnavailable, and a
// cancelled ctx one wrapping ctx.Err(); neither is ErrInvalidToken.
func (v *Verifier) Verify(ctx context.Context, token string) (VerifiedClaims, error) {
	cl, err := v.verify(ctx, token)
	if err != nil {
		var bad *TokenError
		if errors.As(err, &bad) {
			v.log.InfoContext(ctx, "scoped token refused", "reason", bad.Reason)
		}
		return VerifiedClaims{}, err
	}
	return VerifiedClaims{
		PartnerID: cl.PartnerID, ClientID: cl.ClientID, CustomerID: cl.CustomerID, InvoiceID: cl.InvoiceID,
		Expiry: cl.Expiry.Time(),
	}, nil
}

func (v *Verifier) verify(ctx context.Context, raw string) (Claims, error) {
	var cl Claims
	tok, err := ParseCompact(raw, maxScopedTokenLen)
	if err != nil {
		return cl, err
	}
	if len(tok.Headers) != 1 || tok.Headers[0].KeyID == "" {
		return cl, badScoped("token has no key id")
	}
	key, err := v.key(ctx, tok.Headers[0].KeyID)
	if err != nil {
		return cl, err
	}
	if err := tok.Claims(key, &cl); err != nil {
		return cl, badScoped("token signature is invalid")
	}
	return cl, cl.Validate(Expected{Issuer: v.issuer, Audience: v.audience, Now: v.now(), Leeway: v.leeway})
}

// key returns the public key for kid. The JWKS is fetched on first need and
// cached. An unknown kid (the provider may have rotated its key) fetches it
// again, at most once per scopedRefetchInterval whatever the number of
// callers; concurrent callers share one fetch.
func (v *Verifier) key(ctx context.Context, kid string) (*rsa.PublicKey, error) {
	v.mu.Lock()
	if k, ok := v.keys[kid]; ok {
		v.mu.Unlock()
		return k, nil
	}
	wait := v.inflight
	if wait != nil && v.joinHook != nil {
		v.joinHook()
	}
	if wait == nil {
		if err := v.mayFetchLocked(); err != nil {
			v.mu.Unlock()
			return nil, err
		}
		wait = make(chan struct{})
		v.inflight = wait
		// The fetch runs on its own, under its own deadline: a caller that
		// gives up must not fail the fetch the others wait for.
		go v.fetch(wait)
	}
	v.mu.Unlock()
	select {
	case <-wait:
	case <-ctx.Done():
		return nil, fmt.Errorf("scoped: waiting for the provider's JWKS: %w", ctx.Err())
	}
	// One fetch per call at most: the set just loaded has the kid, or the
	// fetch failed, or the provider does not publish the kid.
	v.mu.Lock()
	defer v.mu.Unlock()
	if k, ok := v.keys[kid]; ok {
		return k, nil
	}
	if v.lastErr != nil {
		return nil, v.lastErr
	}
	return nil, errUnknownKid()
}

func errUnknownKid() error {
	return badScoped("token is signed with a key id the provider does not publish")
}

// mayFetchLocked says whether a fetch may start now; if not, the error to
// return for a kid the cached set lacks.
func (v *Verifier) mayFetchLocked() error {
	if v.lastFetch.IsZero() {
		return nil
	}
	since := v.now().Sub(v.lastFetch)
	if v.keys == nil {
		if since >= scopedFailureBackoff {
			return nil
		}
		return v.lastErr
	}
	if since >= scopedRefetchInterval {
		return nil
	}
	if v.lastErr != nil {
		// The last refetch failed: this kid may be a new key we could not
		// load, so the token is not known bad.
		return v.lastErr
	}
	return errUnknownKid()
}

// fetch loads the JWKS, records the outcome and closes done.
func (v *Verifier) fetch(done chan struct{}) {
	ctx, cancel := context.WithTimeout(context.Background(), scopedFetchTimeout)
	defer cancel()
	keys, err := v.fetchJWKS(ctx)
	v.mu.Lock()
	defer v.mu.Unlock()
	v.lastFetch = v.now()
	if err != nil {
		v.lastErr = fmt.Errorf("%w: %v", ErrJWKSUnavailable, err)
		v.log.Warn("scoped tokens: fetching the provider's JWKS failed", "url", v.jwksURL, "err", err)
	} else {
		v.keys, v.lastErr = keys, nil
		v.log.Info("scoped tokens: provider JWKS loaded", "url", v.jwksURL, "keys", len(keys))
	}
	v.inflight = nil
	close(done)
}

func (v *Verifier) fetchJWKS(ctx context.Context) (map[string]*rsa.PublicKey, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, v.jwksURL, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	res, err := v.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("the JWKS URL answered %d", res.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(res.Body, maxScopedJWKSBody+1))
	if err != nil {
		return nil, fmt.Errorf("reading the JWKS: %w", err)
	}
	if len(body) > maxScopedJWKSBody {
		return nil, fmt.Errorf("the JWKS is larger than %d bytes", maxScopedJWKSBody)
	}
	return parseScopedJWKS(body)
}

// parseScopedJWKS keeps the set's usable keys: RSA public keys of at least
// 2048 bits with a kid, whose use and alg, if given, are "sig" and RS256.
// Other keys are skipped one by one (a key type go-jose does not know must
// not hide the others). A kid listed twice is dropped: which key it names
// is ambiguous. A set with no usable key is an error.
func parseScopedJWKS(body []byte) (map[string]*rsa.PublicKey, error) {
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(body, &set); err != nil {
		return nil, errors.New("the JWKS is not a JSON key set")
	}
	keys := make(map[string]*rsa.PublicKey, len(set.Keys))
	dup := map[string]bool{}
	for _, rawKey := range set.Keys {
		var k jose.JSONWebKey
		if k.UnmarshalJSON(rawKey) != nil {
			continue
		}
		pub, ok := k.Key.(*rsa.PublicKey)
		if !ok || k.KeyID == "" || pub.N.BitLen() < minScopedRSABits ||
			(k.Use != "" && k.Use != "sig") || (k.Algorithm != "" && k.Algorithm != string(Alg)) {
			continue
		}
		if _, seen := keys[k.KeyID]; seen || dup[k.KeyID] {
			delete(keys, k.KeyID)
			dup[k.KeyID] = true
			continue
		}
		keys[k.KeyID] = pub
	}
	if len(keys) == 0 {
		return nil, errors.New("the JWKS has no usable RS256 key")
	}
	return keys, nil
}

// VerifyRequest has the shape of intermediary.Config.VerifyCaller. A request
// without a bearer token is a session-only call and passes (nil): the
// session check has already run. Other schemes (e.g. Basic added by a
// browser) are treated likewise: they carry no scoped token. A bearer token
// that fails Verify gives its error: one wrapping
// apierr.ErrInvalidToken (401 invalid_token, the page renews) or,
// when the JWKS is unavailable, one that does not (403). It binds the
// token to nothing: to require a token and bind it to the session's user
// and the path's invoice, use Guard.
func (v *Verifier) VerifyRequest(r *http.Request) error {
	tok, err := BearerToken(r)
	if err != nil || tok == "" {
		return err
	}
	_, err = v.Verify(r.Context(), tok)
	return err
}
