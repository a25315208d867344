package server

import (
	"net/http/httptest"
	"testing"
)

func TestClientAddress(t *testing.T) {
	trusted, err := ParseTrustedProxies(" 10.0.0.0/8, 192.0.2.7 ,::1")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, peer string
		xff        []string
		want       string
	}{
		{"no proxy configured for this peer: the header is ignored", "203.0.113.9:4000", []string{"198.51.100.1"}, "203.0.113.9"},
		{"trusted peer, one hop", "10.1.2.3:4000", []string{"198.51.100.1"}, "198.51.100.1"},
		{"caller-written entries left of the real one prove nothing", "10.1.2.3:4000", []string{"1.1.1.1, 2.2.2.2, 198.51.100.1"}, "198.51.100.1"},
		{"two trusted proxies in a row", "10.1.2.3:4000", []string{"198.51.100.1, 192.0.2.7"}, "198.51.100.1"},
		{"several header lines are one list", "10.1.2.3:4000", []string{"198.51.100.1", "10.9.9.9"}, "198.51.100.1"},
		{"trusted peer, no header: the peer", "10.1.2.3:4000", nil, "10.1.2.3"},
		{"only trusted entries: the peer", "10.1.2.3:4000", []string{"10.2.2.2"}, "10.1.2.3"},
		{"garbage right of the caller: nothing left of it counts", "10.1.2.3:4000", []string{"198.51.100.1, not-an-ip"}, "10.1.2.3"},
		{"garbage left of the caller is dropped", "10.1.2.3:4000", []string{"not-an-ip, 198.51.100.1"}, "198.51.100.1"},
		{"IPv6 peer", "[::1]:4000", []string{"2001:db8::5"}, "2001:db8::5"},
		{"IPv4-mapped IPv6 is IPv4", "[::ffff:10.1.2.3]:4000", []string{"::ffff:198.51.100.1"}, "198.51.100.1"},
	}
	addr := clientAddress(trusted)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = c.peer
			for _, v := range c.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if got := addr(r); got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

func TestParseTrustedProxiesRefusesNonAddresses(t *testing.T) {
	for _, v := range []string{"balancer.internal", "10.0.0.0/33", "10.0.0.1:80"} {
		if _, err := ParseTrustedProxies(v); err == nil {
			t.Errorf("%q accepted", v)
		}
	}
	if p, err := ParseTrustedProxies(""); err != nil || len(p) != 0 {
		t.Errorf("empty: %v, %v", p, err)
	}
}

func TestFromEnvTrustedProxies(t *testing.T) {
	c, err := FromEnv(envFrom(map[string]string{EnvTrustedProxies: "10.0.0.0/8,192.0.2.7"}))
	if err != nil || len(c.TrustedProxies) != 2 || c.TrustedProxies[1].String() != "192.0.2.7/32" {
		t.Fatalf("got %v, %v", c.TrustedProxies, err)
	}
	if _, err := FromEnv(envFrom(map[string]string{EnvTrustedProxies: "lb.internal"})); err == nil {
		t.Fatal("a host name was accepted")
	}
}
