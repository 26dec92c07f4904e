package authn

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/authn/authntest"
)

// t0 is the fixed "now" of the tests.
var t0 = time.Date(2026, 11, 23, 3, 0, 0, 0, time.UTC)

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// fixture is a loopback provider with an RSA and an EC key and a
// discovery cache on a fake clock.
type fixture struct {
	p     *authntest.Provider
	rsa   *authntest.Key
	ec    *authntest.Key
	clock *clock
	disc  *Discovery
}

// keyCache holds keys generated once per test binary: RSA generation is
// slow on small machines.
var keyCache struct {
	once    sync.Once
	rsa     *rsa.PrivateKey
	rsa2    *rsa.PrivateKey
	certPEM []byte
	keyPEM  []byte
}

func cachedKeys(t testing.TB) {
	t.Helper()
	keyCache.once.Do(func() {
		var err error
		if keyCache.rsa, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
		if keyCache.rsa2, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "tollgate test"},
			NotBefore: t0.Add(-time.Hour), NotAfter: t0.Add(24 * time.Hour)}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &keyCache.rsa2.PublicKey, keyCache.rsa2)
		if err != nil {
			panic(err)
		}
		keyCache.certPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
		p8, err := x509.MarshalPKCS8PrivateKey(keyCache.rsa2)
		if err != nil {
			panic(err)
		}
		keyCache.keyPEM = pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: p8})
	})
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	cachedKeys(t)
	f := &fixture{clock: &clock{t: t0}}
	f.rsa = &authntest.Key{ID: "rsa-1", Alg: "RS256", Private: keyCache.rsa}
	f.ec = authntest.ECKey(t, "ec-1", "ES256")
	f.p = authntest.NewProvider(t, f.rsa, f.ec)
	f.disc = NewDiscovery(DiscoveryOptions{HTTPClient: f.p.Server.Client(), Now: f.clock.Now,
		MinRefreshInterval: time.Minute, RefreshInterval: time.Hour})
	return f
}

// validator compiles cfg against the fixture's discovery cache and clock.
func (f *fixture) validator(t *testing.T, cfg Config) *Validator {
	t.Helper()
	v, err := New(cfg, Options{Discovery: f.disc, Now: f.clock.Now})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return v
}

// claims returns valid claims from the fixture's provider for audience aud.
func (f *fixture) claims(aud string) map[string]any {
	return authntest.Claims(f.p.Issuer(), aud, t0.Add(-time.Minute), time.Hour)
}

// with returns a copy of m with the given changes; a nil value deletes.
func with(m map[string]any, kv ...any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(out, kv[i].(string))
			continue
		}
		out[kv[i].(string)] = kv[i+1]
	}
	return out
}

// wantFailure checks a failure's reason, message (exact when it does not
// start with "~", else a substring) and cause substrings.
func wantFailure(t *testing.T, f *Failure, reason Reason, msg string, causes ...string) {
	t.Helper()
	if f == nil {
		t.Fatalf("validation succeeded, want %s", reason)
	}
	if f.Reason != reason {
		t.Errorf("reason = %s, want %s (message %q, cause %q)", f.Reason, reason, f.Message, f.Cause)
	}
	if sub, ok := strings.CutPrefix(msg, "~"); ok {
		if !strings.Contains(f.Message, sub) {
			t.Errorf("message = %q, want it to contain %q", f.Message, sub)
		}
	} else if msg != "" && f.Message != msg {
		t.Errorf("message = %q\nwant      %q", f.Message, msg)
	}
	for _, c := range causes {
		if !strings.Contains(f.Cause, c) {
			t.Errorf("cause = %q, want it to contain %q", f.Cause, c)
		}
	}
}
