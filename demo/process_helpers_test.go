package main

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sealbridge/sealbridge/internal/testutil"
)

// demoBinary is `go run ./demo` built once for this package's tests, so
// that they run the dev server as a real process: its own environment,
// its own signals, its own exit code.
var demoBinary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "sealbridge-demo-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	demoBinary = filepath.Join(dir, "demo")
	// go test puts its own toolchain's bin first on PATH.
	build := exec.Command("go", "build", "-o", demoBinary, ".")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building the demo binary: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// demoProcess is one running dev server process.
type demoProcess struct {
	cmd    *exec.Cmd
	URL    string
	stderr *testutil.Buffer
	exited chan struct{} // closed once the process has exited
	err    error         // its Wait error, once exited is closed
}

// startDemo runs the dev server on a free loopback port with env (and
// nothing else from the test's environment), and waits for the URL it
// prints. The process is killed when the test ends, if still running.
func startDemo(t *testing.T, env ...string) *demoProcess {
	t.Helper()
	cmd := newDemoCommand(t, env...)
	p := &demoProcess{cmd: cmd, stderr: &testutil.Buffer{}, exited: make(chan struct{})}
	cmd.Stderr = p.stderr
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "Sealbridge demo:"); ok {
				urls <- strings.TrimSpace(u)
			}
		}
	}()
	go func() { p.err = cmd.Wait(); close(p.exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-p.exited
	})
	select {
	case p.URL = <-urls:
	case <-p.exited:
		t.Fatalf("the dev server exited at start: %v\n%s", p.err, p.stderr.String())
	case <-time.After(20 * time.Second):
		t.Fatalf("the dev server printed no URL in 20 s\n%s", p.stderr.String())
	}
	return p
}

// newDemoCommand is the dev server on a free loopback port with a stub
// dist/, and env as its whole environment.
func newDemoCommand(t *testing.T, env ...string) *exec.Cmd {
	cmd := exec.Command(demoBinary, "-addr", "127.0.0.1:0", "-dist", stubDist(t))
	cmd.Env = env
	return cmd
}

// waitExit waits at most d for the process to exit and returns its exit
// code.
func (p *demoProcess) waitExit(t *testing.T, d time.Duration) int {
	t.Helper()
	select {
	case <-p.exited:
		return p.cmd.ProcessState.ExitCode()
	case <-time.After(d):
		t.Fatalf("the dev server was still running %v later\n%s", d, p.stderr.String())
		return -1
	}
}

// stubDist is a dist/ with the smallest valid WebAssembly module: the
// server only serves it here.
func stubDist(t *testing.T) string {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "sealbridge.wasm"), []byte("\x00asm\x01\x00\x00\x00"), 0o644))
	return dir
}

// testCertificate writes a self-signed certificate for 127.0.0.1 and its
// key, made for this test and gone with its temporary directory, and
// returns their paths and the certificate to trust.
func testCertificate(t *testing.T) (certFile, keyFile string, cert *x509.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "sealbridge test"},
		NotBefore:    time.Now().Add(-time.Minute),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	cert, err = x509.ParseCertificate(der)
	require.NoError(t, err)
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	require.NoError(t, err)
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	require.NoError(t, os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600))
	require.NoError(t, os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600))
	return certFile, keyFile, cert
}
