// Package redistest runs a real redis-server for tests: on a free loopback
// port, in the test's temporary directory, stopped when the test ends. No
// fake: what the tests exercise is what production runs against. A test
// that cannot start one fails (it does not skip), so a machine without
// redis-server cannot pass the suite by accident.
package redistest

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Server is one redis-server process and the port it keeps across
// restarts. Its data is kept in an append-only file synced at every write,
// so a Stop then Start loses nothing (as a production Redis with AOF).
type Server struct {
	t    testing.TB // nil when made by Launch (benchmarks)
	bin  string
	dir  string
	port int
	cmd  *exec.Cmd
	done chan struct{}
}

// Start starts a redis-server and stops it at the end of the test.
func Start(t testing.TB) *Server {
	t.Helper()
	s, err := Launch(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	s.t = t
	t.Cleanup(s.Stop)
	return s
}

// Launch starts a redis-server keeping its files in dir, for code that is
// not a test (the benchmarks); the caller stops it.
func Launch(dir string) (*Server, error) {
	bin := os.Getenv("REDIS_SERVER")
	if bin == "" {
		var err error
		if bin, err = exec.LookPath("redis-server"); err != nil {
			bin = "/usr/bin/redis-server"
		}
	}
	if _, err := os.Stat(bin); err != nil {
		return nil, fmt.Errorf("redis-server not found (%v): install Debian's redis-server (.ci/run does) or set REDIS_SERVER", err)
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	s := &Server{bin: bin, dir: dir, port: port}
	return s, s.launch()
}

// URL is the redis:// URL of database 0.
func (s *Server) URL() string { return fmt.Sprintf("redis://127.0.0.1:%d/0", s.port) }

// Addr is host:port.
func (s *Server) Addr() string { return "127.0.0.1:" + strconv.Itoa(s.port) }

// Start restarts a stopped server on its port; it fails the test if
// Redis does not answer PING within 10 s.
func (s *Server) Start() {
	s.t.Helper()
	if err := s.launch(); err != nil {
		s.t.Fatal(err)
	}
}

func (s *Server) launch() error {
	if s.cmd != nil {
		return fmt.Errorf("redistest: already running")
	}
	cmd := exec.Command(s.bin,
		"--port", strconv.Itoa(s.port), "--bind", "127.0.0.1", "--dir", s.dir,
		"--save", "", "--appendonly", "yes", "--appendfsync", "always",
		"--protected-mode", "yes", "--daemonize", "no", "--loglevel", "warning",
		"--logfile", "redis.log")
	cmd.Dir = s.dir
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("redistest: cannot start %s: %w", s.bin, err)
	}
	s.cmd, s.done = cmd, make(chan struct{})
	go func(done chan struct{}) { _ = cmd.Wait(); close(done) }(s.done)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if s.ping() == nil {
			return nil
		}
		select {
		case <-s.done:
			log, _ := os.ReadFile(s.dir + "/redis.log")
			s.cmd = nil
			return fmt.Errorf("redistest: redis-server exited at start: %s", log)
		case <-time.After(20 * time.Millisecond):
		}
	}
	s.Stop()
	return fmt.Errorf("redistest: redis-server did not answer PING on %s within 10 s", s.Addr())
}

// Stop stops the server (SIGTERM, then SIGKILL after 5 s) and waits for it.
func (s *Server) Stop() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(5 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
	s.cmd = nil
}

// ping speaks the one line of RESP it needs, so the helper depends on
// nothing but the server.
func (s *Server) ping() error {
	c, err := net.DialTimeout("tcp", s.Addr(), 200*time.Millisecond)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if !strings.HasPrefix(line, "+PONG") {
		return fmt.Errorf("redistest: PING answered %q", line)
	}
	return nil
}

// freePort asks the kernel for a free loopback port. Another process could
// take it before redis-server binds; Start then fails loudly.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("redistest: no free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
