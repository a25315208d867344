package oauth

import (
	"context"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/sealbridge/sealbridge/demo/apierr"
	"github.com/sealbridge/sealbridge/demo/session"
)

// RateLimits bound password sign-ins and one-time-password tries, per
// user and per client address, in the session Store: with a shared store
// (Redis) they hold across every instance, so adding instances does not
// multiply an attacker's guesses. Every attempt counts, right or wrong, so
// that parallel guesses cannot slip past a check made before the answer.
type RateLimits struct {
	PasswordPerUser    int           // 0: 10
	PasswordPerAddress int           // 0: 100
	PasswordWindow     time.Duration // 0: 15 minutes
	OTPPerUser         int           // 0: 10
	OTPPerAddress      int           // 0: 100
	OTPWindow          time.Duration // 0: 5 minutes
}

func (l *RateLimits) withDefaults() {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&l.PasswordPerUser, 10)
	def(&l.PasswordPerAddress, 100)
	def(&l.OTPPerUser, 10)
	def(&l.OTPPerAddress, 100)
	if l.PasswordWindow <= 0 {
		l.PasswordWindow = 15 * time.Minute
	}
	if l.OTPWindow <= 0 {
		l.OTPWindow = 5 * time.Minute
	}
}

// remoteAddress is the default FlowsConfig.ClientAddress: the TCP peer.
// Behind a load balancer that is the balancer; give ClientAddress a
// function that reads the header your balancer sets.
func remoteAddress(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// limit counts one attempt of kind ("password" or "otp") by user from the
// request's address, and refuses it with 429 rate_limited and Retry-After
// once either count is over its limit.
func (f *Flows) limit(ctx context.Context, r *http.Request, kind, user string) *flowError {
	perUser, perAddr, window := f.limits.PasswordPerUser, f.limits.PasswordPerAddress, f.limits.PasswordWindow
	if kind == "otp" {
		perUser, perAddr, window = f.limits.OTPPerUser, f.limits.OTPPerAddress, f.limits.OTPWindow
	}
	for _, c := range []struct {
		name string
		max  int
	}{
		{kind + "-user:" + strings.ToLower(user), perUser},
		{kind + "-address:" + f.clientAddress(r), perAddr},
	} {
		retryAfter, over, err := session.OverLimit(ctx, f.sessions.Store, c.name, c.max, window)
		if err != nil {
			return sessionError(err)
		}
		if over {
			f.log.Warn("oauth: rate limited", "kind", kind)
			e := newFlowError(http.StatusTooManyRequests, apierr.RateLimited, "too many attempts; wait and try again")
			e.retryAfter = retryAfter
			return e
		}
	}
	return nil
}
