package sandbox

import "time"

// The OAuth feature's stores (pending consents, codes, refresh tokens and
// the access-token-to-login links) are plain maps, each with an
// expiryQueue that bounds it: every insertion goes through one of these,
// which trims the map from its oldest end. Callers of the add* methods
// other than addConsent and addCode hold o.mu.

// oauthQueues are the insertion orders of oauthServer's maps.
type oauthQueues struct {
	consents, codes, refresh, tokenFamily expiryQueue[string]
}

// addConsent stores a pending consent page (and the one-time-password
// step of a 2FA sign-in) under nonce.
func (o *oauthServer) addConsent(nonce string, c *consent, now time.Time) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.consents[nonce] = c
	o.queues.consents.push(nonce, c.expires)
	evict(&o.queues.consents, o.consents, o.limits.PendingSignIns, now)
}

// addCode stores an authorization code, remembered past its expiry for
// usedCodeRetains so that a replay is recognised.
func (o *oauthServer) addCode(code string, c *authCode, now time.Time) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.codes[code] = c
	o.queues.codes.push(code, c.expires.Add(usedCodeRetains))
	evict(&o.queues.codes, o.codes, o.limits.Codes, now)
}

// addRefresh stores a refresh token. Callers hold o.mu.
func (o *oauthServer) addRefresh(rt string, e *refreshEntry, now time.Time) {
	o.refresh[rt] = e
	o.queues.refresh.push(rt, e.expires)
	evict(&o.queues.refresh, o.refresh, o.limits.RefreshTokens, now)
}

// linkToken records that access token at belongs to login f, for as long
// as the token lives. Callers hold o.mu.
func (o *oauthServer) linkToken(at string, f *family, expires, now time.Time) {
	o.tokenFamily[at] = f
	o.queues.tokenFamily.push(at, expires)
	evict(&o.queues.tokenFamily, o.tokenFamily, o.limits.AccessTokens, now)
	f.accessTokens = append(f.accessTokens, at)
	if len(f.accessTokens) >= f.pruneAt {
		// Forget the family's tokens that left tokenFamily; amortised:
		// the next prune waits until the list has doubled.
		kept := f.accessTokens[:0]
		for _, t := range f.accessTokens {
			if o.tokenFamily[t] == f {
				kept = append(kept, t)
			}
		}
		clear(f.accessTokens[len(kept):])
		f.accessTokens = kept
		f.pruneAt = max(8, 2*len(kept))
	}
}

// StoreSizes are how many entries each of the sandbox's stores holds.
type StoreSizes struct {
	Connections, AccessTokens, RefreshTokens, TokenLinks, Codes, PendingSignIns int
	Payments                                                                    map[string]int // by invoice
}

// StoreSizes reports the size of every store, for tests that check the
// Limits hold.
func (s *Sandbox) StoreSizes() StoreSizes {
	o := s.oauth
	o.mu.Lock()
	out := StoreSizes{
		RefreshTokens: len(o.refresh), TokenLinks: len(o.tokenFamily),
		Codes: len(o.codes), PendingSignIns: len(o.consents),
	}
	o.mu.Unlock()
	out.AccessTokens = s.tokens.size()
	s.conns.mu.Lock()
	out.Connections = len(s.conns.conns)
	s.conns.mu.Unlock()
	out.Payments = s.checkout.data.paymentCounts()
	return out
}
