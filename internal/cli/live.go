package cli

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"syscall"
	"time"

	"github.com/tollgate/tollgate/internal/admin"
	"github.com/tollgate/tollgate/internal/capture"
	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/console"
	"github.com/tollgate/tollgate/internal/diag"
	"github.com/tollgate/tollgate/internal/watch"
)

// liveConfig remembers which configuration is served and the last one
// refused, for the admin listener's readiness and for captured requests.
type liveConfig struct {
	mu      sync.Mutex
	dir     string
	snap    *config.Snapshot
	state   admin.ConfigState
	refusal *admin.RefusedConfig
}

func (l *liveConfig) loaded(dir string, snap *config.Snapshot) {
	h, _ := watch.Hash(dir)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.state = admin.ConfigState{Dir: dir, Hash: h, LoadedAt: time.Now().UTC(), APIs: len(snap.APIs)}
	l.snap = snap
	l.refusal = nil
}

// snapshot returns the configuration being served, for the console.
func (l *liveConfig) snapshot() *config.Snapshot {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.snap
}

func (l *liveConfig) refused(dir string, diags diag.List) {
	var errs []string
	for _, d := range diags {
		if d.Severity == diag.Error {
			errs = append(errs, d.String())
		}
	}
	l.refuse(dir, errs)
}

func (l *liveConfig) refusedErr(dir string, err error) { l.refuse(dir, []string{err.Error()}) }

func (l *liveConfig) refuse(dir string, errs []string) {
	h, _ := watch.Hash(dir)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.refusal = &admin.RefusedConfig{Hash: h, At: time.Now().UTC(), Errors: errs}
}

func (l *liveConfig) readiness() admin.Readiness {
	l.mu.Lock()
	defer l.mu.Unlock()
	return admin.Readiness{Ready: l.state.Hash != "" || !l.state.LoadedAt.IsZero(), Config: l.state, Refused: l.refusal}
}

// ref names the live configuration in captured requests.
func (l *liveConfig) ref() capture.Config {
	l.mu.Lock()
	defer l.mu.Unlock()
	return capture.Config{Dir: l.state.Dir, Hash: l.state.Hash}
}

// startAdmin starts the admin listener of run. The default address may be
// taken (another tollgate on the same machine): then the listener is off
// with a warning. An address given explicitly must work.
func startAdmin(f runFlags, o admin.Options, stderr io.Writer) (addr string, stop func(), err error) {
	if f.admin == "" || f.admin == "none" {
		return "", func() {}, nil
	}
	if err := admin.CheckAddr(f.admin, f.adminToken); err != nil {
		return "", nil, err
	}
	ln, err := net.Listen("tcp", f.admin)
	if err != nil {
		if !f.adminSet && errors.Is(err, syscall.EADDRINUSE) {
			fmt.Fprintf(stderr, "tollgate: warning: the admin listener's default address %s is in use; admin endpoints are off (give --admin ADDR)\n", f.admin)
			return "", func() {}, nil
		}
		return "", nil, fmt.Errorf("admin listener on %s: %w", f.admin, err)
	}
	srv := &http.Server{Handler: admin.Handler(o), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	return ln.Addr().String(), func() { srv.Close() }, nil
}

// console reports the live configuration to the console.
func (l *liveConfig) console() console.LiveConfig {
	l.mu.Lock()
	defer l.mu.Unlock()
	c := console.LiveConfig{Hash: l.state.Hash, LoadedAt: l.state.LoadedAt}
	if r := l.refusal; r != nil {
		c.Refused, c.RefusedAt = r.Errors, r.At
	}
	return c
}
