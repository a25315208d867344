package server

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// EnvTrustedProxies lists the load balancers or reverse proxies in front of
// the server (comma-separated IP addresses or CIDR prefixes). Requests
// whose TCP peer is one of them are attributed to the address their
// X-Forwarded-For names, so the per-address sign-in limits count callers,
// not the balancer. Unset, the TCP peer is the caller and the header is
// ignored (anyone can write it).
const EnvTrustedProxies = "SEALBRIDGE_TRUSTED_PROXIES"

// ParseTrustedProxies reads EnvTrustedProxies' value.
func ParseTrustedProxies(v string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(v, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			a, aerr := netip.ParseAddr(f)
			if aerr != nil {
				return nil, fmt.Errorf("%s: %q is neither an IP address nor a CIDR prefix (like 10.0.0.0/8)", EnvTrustedProxies, f)
			}
			p = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// clientAddress names the caller of r: the TCP peer, or, when the peer is
// a trusted proxy, the right-most X-Forwarded-For entry that is not itself
// a trusted proxy. Right to left, because each proxy appends the address
// it saw: entries left of the first untrusted one were written by the
// caller and prove nothing.
func clientAddress(trusted []netip.Prefix) func(*http.Request) string {
	return func(r *http.Request) string {
		peer := hostOf(r.RemoteAddr)
		if !isTrusted(trusted, peer) {
			return peer
		}
		hops := forwardedFor(r.Header.Values("X-Forwarded-For"))
		for i := len(hops) - 1; i >= 0; i-- {
			if !isTrusted(trusted, hops[i]) {
				return hops[i]
			}
		}
		return peer
	}
}

// forwardedFor flattens X-Forwarded-For headers into their entries, in
// order; an entry that is not an IP address ends the list there (what is
// left of it cannot be trusted to be addresses either).
func forwardedFor(values []string) []string {
	var hops []string
	for _, v := range values {
		for _, h := range strings.Split(v, ",") {
			a, err := netip.ParseAddr(strings.TrimSpace(h))
			if err != nil {
				hops = hops[:0]
				continue
			}
			hops = append(hops, a.Unmap().String())
		}
	}
	return hops
}

func hostOf(remote string) string {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	if a, err := netip.ParseAddr(host); err == nil {
		return a.Unmap().String()
	}
	return host
}

func isTrusted(trusted []netip.Prefix, addr string) bool {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return false
	}
	for _, p := range trusted {
		if p.Contains(a.Unmap()) {
			return true
		}
	}
	return false
}
