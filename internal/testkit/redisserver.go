package testkit

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// RedisServer is a real redis-server process listening on a loopback port,
// started for one test and stopped when the test ends. It can be stopped and
// started again on the same port to simulate an outage.
type RedisServer struct {
	// Addr is host:port of the server, for example "127.0.0.1:40123".
	Addr string
	// Port is the TCP port the server listens on; it stays the same across
	// Stop and Start.
	Port int

	t      testing.TB
	dir    string
	cmd    *exec.Cmd
	exited chan error // receives the result of cmd.Wait
}

// StartRedis starts redis-server on a free loopback port with persistence
// disabled and registers its shutdown with t.Cleanup. It skips the test when
// redis-server is not on PATH.
func StartRedis(t testing.TB) *RedisServer {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		// The project's test script installs redis-server and sets
		// TOLLGATE_REQUIRE_REDIS, so that these tests never skip silently
		// there; a plain "go test" on a machine without it skips them.
		if os.Getenv("TOLLGATE_REQUIRE_REDIS") != "" {
			t.Fatal("redis-server is not on PATH, and TOLLGATE_REQUIRE_REDIS is set")
		}
		t.Skip("redis-server is not on PATH; install the Debian package redis-server (scripts/test.sh does) to run this test")
	}
	dir := t.TempDir()
	var last error
	// Another process may take the port between our probe and the server's
	// bind; try a few ports before giving up.
	for range 3 {
		port, err := freePort()
		if err != nil {
			t.Fatalf("finding a free port for redis-server: %v", err)
		}
		s := &RedisServer{Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), Port: port, t: t, dir: dir}
		if last = s.start(); last == nil {
			t.Cleanup(s.Stop)
			return s
		}
	}
	t.Fatalf("starting redis-server: %v", last)
	return nil
}

// Start starts the server again on its port after Stop. It fails the test
// when the server does not answer PING within ten seconds. Calling Start on
// a running server does nothing.
func (s *RedisServer) Start() {
	s.t.Helper()
	if err := s.start(); err != nil {
		s.t.Fatalf("starting redis-server: %v", err)
	}
}

// start runs redis-server and waits until it answers PING.
func (s *RedisServer) start() error {
	if s.cmd != nil {
		return nil
	}
	cmd := exec.Command("redis-server",
		"--port", strconv.Itoa(s.Port),
		"--bind", "127.0.0.1",
		"--save", "",
		"--appendonly", "no",
		"--dir", s.dir,
		"--loglevel", "warning",
	)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := ping(s.Addr)
		if err == nil {
			s.cmd, s.exited = cmd, exited
			return nil
		}
		select {
		case werr := <-exited:
			return fmt.Errorf("redis-server on %s exited (%v): %s", s.Addr, werr, strings.TrimSpace(out.String()))
		default:
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			<-exited
			return fmt.Errorf("redis-server on %s did not answer: %v", s.Addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Stop stops the server and waits for the process to exit. Calling Stop on a
// stopped server does nothing.
func (s *RedisServer) Stop() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	<-s.exited
	s.cmd, s.exited = nil, nil
}

// ping sends PING over a raw connection and expects +PONG.
func ping(addr string) error {
	c, err := net.DialTimeout("tcp", addr, time.Second)
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
		return fmt.Errorf("unexpected reply %q", strings.TrimSpace(line))
	}
	return nil
}

// freePort asks the kernel for a free loopback TCP port.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
