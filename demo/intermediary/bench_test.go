//go:build unix

package intermediary

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sealbridge/sealbridge/demo/sandbox"
)

// The benchmarks below measure what the intermediary's hop costs, next to
// the same call made straight to the sandbox (BenchmarkDirect): run them
// together with -benchmem and compare. Besides ns/op, each reports the
// process's CPU time per call (cpu-µs/op, user + system, from getrusage),
// which says how much work a call is even when other processes share the
// machine and stretch the wall-clock figures.

// benchRig is the sandbox on 127.0.0.1 and an intermediary in front of it,
// both logging nowhere, and a client for the page's side that keeps a
// connection per concurrent caller.
type benchRig struct {
	sbURL, token string
	h            *handler
	via          *httptest.Server
	page         *http.Client
}

func newBenchRig(b *testing.B) *benchRig {
	b.Helper()
	quiet := slog.New(slog.DiscardHandler)
	sb, err := sandbox.New(sandbox.Config{Logger: quiet})
	if err != nil {
		b.Fatal(err)
	}
	sbSrv := httptest.NewServer(sb.Handler())
	b.Cleanup(sbSrv.Close)
	r := &benchRig{sbURL: sbSrv.URL, token: sandboxToken(b, sbSrv, sb)}
	cfg := Config{
		ProviderURL:  sbSrv.URL,
		Token:        func(context.Context) (string, error) { return r.token, nil },
		Authenticate: func(*http.Request) bool { return true },
		Logger:       quiet,
	}
	if r.h, err = newHandler(cfg); err != nil {
		b.Fatal(err)
	}
	r.via = httptest.NewServer(r.h)
	b.Cleanup(r.via.Close)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	b.Cleanup(tr.CloseIdleConnections)
	r.page = &http.Client{Transport: tr}
	return r
}

// sandboxToken is a client-credentials access token from the sandbox.
func sandboxToken(b *testing.B, srv *httptest.Server, sb *sandbox.Sandbox) string {
	id, secret := sb.ClientCredentials()
	res, err := srv.Client().PostForm(srv.URL+"/auth/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret}})
	if err != nil {
		b.Fatal(err)
	}
	defer res.Body.Close()
	var tr struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(res.Body).Decode(&tr); err != nil || tr.AccessToken == "" {
		b.Fatalf("sandbox token: HTTP %d, %v", res.StatusCode, err)
	}
	return tr.AccessToken
}

// pageRequest is the shim's call: the SDK's descriptor for GET
// /v2/organization/, raw, with the CSRF header.
func pageRequest(ctx context.Context, target string) *http.Request {
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, target, strings.NewReader(goldenGET))
	req.Header.Set("Content-Type", "text/plain;charset=UTF-8")
	req.Header.Set(CSRFHeader, "1")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return req
}

// cpuTime is this process's user + system CPU time so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// measure runs call b.N times from 32 goroutines, as the bench's load test
// does, and reports the CPU time per call.
func measure(b *testing.B, call func() error) {
	b.ReportAllocs()
	b.SetParallelism(max(1, 32/runtime.GOMAXPROCS(0)))
	start := cpuTime(b)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := call(); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64((cpuTime(b)-start).Microseconds())/float64(b.N), "cpu-µs/op")
}

// BenchmarkServeHTTP is the handler alone, called in-process: its checks,
// the upstream exchange and the sandbox behind it, but no inbound HTTP.
func BenchmarkServeHTTP(b *testing.B) {
	r := newBenchRig(b)
	measure(b, func() error {
		w := httptest.NewRecorder()
		r.h.ServeHTTP(w, pageRequest(context.Background(), "http://127.0.0.1/api/embed-intermediary"))
		return statusErr(w.Code, w.Body.Len())
	})
}

// BenchmarkThrough is the page's call to the intermediary over HTTP.
func BenchmarkThrough(b *testing.B) {
	r := newBenchRig(b)
	measure(b, func() error {
		return r.do(pageRequest(context.Background(), r.via.URL))
	})
}

// BenchmarkDirect is the same dispatch call made straight to the sandbox
// with the server's token: what BenchmarkThrough costs without the hop.
func BenchmarkDirect(b *testing.B) {
	r := newBenchRig(b)
	body := `{"data":"` + goldenGET + `"}`
	measure(b, func() error {
		req, err := http.NewRequest(http.MethodPost, r.sbURL+DefaultDispatchPath, strings.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+r.token)
		req.Header.Set("Content-Type", "application/json")
		return r.do(req)
	})
}

// BenchmarkBareHop is the floor of BenchmarkThrough: a handler that
// checks nothing (it wraps the body it is sent, forwards it on the default
// client's transport and copies the answer back), so that Through − BareHop
// is the intermediary's own work and BareHop − Direct what net/http's
// second exchange costs whatever the handler does.
func BenchmarkBareHop(b *testing.B) {
	r := newBenchRig(b)
	rt := r.h.client.Transport
	bare := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, in *http.Request) {
		desc, err := io.ReadAll(in.Body)
		if err != nil {
			http.Error(w, "read", http.StatusBadRequest)
			return
		}
		body := append(append([]byte(`{"data":"`), desc...), `"}`...)
		req, _ := http.NewRequestWithContext(in.Context(), http.MethodPost, r.sbURL+DefaultDispatchPath, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+r.token)
		req.Header.Set("Content-Type", "application/json")
		res, err := rt.RoundTrip(req)
		if err != nil {
			http.Error(w, "upstream", http.StatusBadGateway)
			return
		}
		defer res.Body.Close()
		answer, _ := io.ReadAll(res.Body)
		w.Header().Set("Content-Length", strconv.Itoa(len(answer)))
		w.WriteHeader(res.StatusCode)
		_, _ = w.Write(answer)
	}))
	b.Cleanup(bare.Close)
	measure(b, func() error {
		return r.do(pageRequest(context.Background(), bare.URL))
	})
}

func (r *benchRig) do(req *http.Request) error {
	res, err := r.page.Do(req)
	if err != nil {
		return err
	}
	n, err := io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if err != nil {
		return err
	}
	return statusErr(res.StatusCode, int(n))
}

func statusErr(status, n int) error {
	if status != http.StatusOK || n == 0 {
		return fmt.Errorf("HTTP %d with %d bytes", status, n)
	}
	return nil
}

// BenchmarkOwnWork is the handler's own work on one call, without HTTP:
// the descriptor checked and re-encoded, the provider's answer checked.
func BenchmarkOwnWork(b *testing.B) {
	h, err := newHandler(Config{ProviderURL: "http://127.0.0.1:1", Token: func(context.Context) (string, error) { return "t", nil }})
	if err != nil {
		b.Fatal(err)
	}
	answer := []byte(envelope(`{"organization":{"id":"4b7a9a52-59f4-4b0e-9d3c-2f8f3c1e0a01","slug":"sandbox-sas-4821","legal_name":"Sandbox SAS","bank_accounts":[{"id":"0c5e1f8a-7d2b-4e6f-a1c3-9b8d7e6f5a41","slug":"sandbox-sas-4821-bank-account-1","name":"Compte principal","iban":"FR7930003035400005000123456","bic":"SOGEFRPPXXX","currency":"EUR","balance":48210.75,"balance_cents":4821075,"status":"active","main":true}]}}`))
	b.ReportAllocs()
	for b.Loop() {
		var o outcome
		if _, _, f := h.check(goldenGET, &o); f != nil || !isEnvelope(answer) {
			b.Fatal("refused")
		}
	}
}
