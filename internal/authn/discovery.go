package authn

import (
	"context"
	"crypto/ecdsa"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwk"
)

// Defaults for DiscoveryOptions, matching APIM's documented behaviour.
const (
	DefaultFetchTimeout       = 10 * time.Second
	DefaultRefreshInterval    = time.Hour
	DefaultMinRefreshInterval = 5 * time.Minute
)

// maxDocumentSize bounds metadata and JWKS responses.
const maxDocumentSize = 1 << 20

// DiscoveryOptions configure a Discovery.
type DiscoveryOptions struct {
	// HTTPClient fetches metadata and key sets; nil means a zero http.Client.
	HTTPClient *http.Client
	// Timeout bounds one metadata-plus-JWKS fetch; 0 means 10s.
	Timeout time.Duration
	// RefreshInterval is the age after which cached keys are refreshed in the
	// background; 0 means 1h.
	RefreshInterval time.Duration
	// MinRefreshInterval is the least time between two fetches of the same
	// document, whatever triggers them (an unknown kid, a failed fetch); 0
	// means 5 minutes.
	MinRefreshInterval time.Duration
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// Discovery is a cache of OpenID Connect metadata documents and their key
// sets, shared by every Validator of a configuration. It is safe for
// concurrent use. Background refreshes are started by validations that find
// stale keys, so an idle Discovery runs no goroutines.
type Discovery struct {
	client     *http.Client
	timeout    time.Duration
	refresh    time.Duration
	minRefresh time.Duration
	now        func() time.Time

	mu        sync.Mutex
	providers map[string]*provider
}

// NewDiscovery returns an empty cache.
func NewDiscovery(o DiscoveryOptions) *Discovery {
	d := &Discovery{client: o.HTTPClient, timeout: o.Timeout, refresh: o.RefreshInterval,
		minRefresh: o.MinRefreshInterval, now: o.Now, providers: map[string]*provider{}}
	if d.client == nil {
		d.client = &http.Client{}
	}
	if d.timeout <= 0 {
		d.timeout = DefaultFetchTimeout
	}
	if d.refresh <= 0 {
		d.refresh = DefaultRefreshInterval
	}
	if d.minRefresh <= 0 {
		d.minRefresh = DefaultMinRefreshInterval
	}
	if d.now == nil {
		d.now = time.Now
	}
	return d
}

// provider returns the cache entry for one metadata URL.
func (d *Discovery) provider(url string) *provider {
	p, _ := d.boundedProvider(url)
	return p
}

// MaxProviders bounds the metadata documents a Discovery keeps for URLs
// given as policy expressions: each new URL costs a fetch and memory, and
// an expression could name a new one on every request.
const MaxProviders = 256

// boundedProvider returns the provider of url, creating it unless the
// Discovery already has MaxProviders; ok is false then.
func (d *Discovery) boundedProvider(url string) (p *provider, ok bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	p = d.providers[url]
	if p == nil {
		if len(d.providers) >= MaxProviders {
			return nil, false
		}
		p = &provider{d: d, url: url}
		d.providers[url] = p
	}
	return p, true
}

// Refresh fetches every known metadata document now, ignoring the minimum
// refresh interval, and waits for the fetches. It returns the failures
// joined. Call it from a ticker to refresh keys independently of traffic.
func (d *Discovery) Refresh(ctx context.Context) error {
	d.mu.Lock()
	ps := make([]*provider, 0, len(d.providers))
	for _, p := range d.providers {
		ps = append(ps, p)
	}
	d.mu.Unlock()
	var errs []error
	for _, p := range ps {
		p.mu.Lock()
		c := p.startLocked()
		p.mu.Unlock()
		if err := c.wait(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// ProviderStatus describes one cached metadata document.
type ProviderStatus struct {
	URL       string
	Issuer    string
	JWKSURI   string
	KeyIDs    []string
	FetchedAt time.Time // zero before the first successful fetch
	LastError error     // the last fetch's error, nil after a success
	ErrorAt   time.Time
}

// Status reports the state of every cached metadata document.
func (d *Discovery) Status() []ProviderStatus {
	d.mu.Lock()
	ps := make([]*provider, 0, len(d.providers))
	for _, p := range d.providers {
		ps = append(ps, p)
	}
	d.mu.Unlock()
	out := make([]ProviderStatus, 0, len(ps))
	for _, p := range ps {
		s := ProviderStatus{URL: p.url}
		if m := p.state.Load(); m != nil {
			s.Issuer, s.JWKSURI, s.FetchedAt = m.issuer, m.jwksURI, m.fetchedAt
			for i := range m.keys {
				s.KeyIDs = append(s.KeyIDs, m.keys[i].id)
			}
		}
		if f := p.fault.Load(); f != nil {
			s.LastError, s.ErrorAt = f.err, f.at
		}
		out = append(out, s)
	}
	return out
}

// metadata is one successful fetch: the discovery document's issuer and the
// keys of its jwks_uri.
type metadata struct {
	url       string
	issuer    string
	jwksURI   string
	keys      []verifyKey
	skipped   []string // JWKS keys not usable for signatures, with reasons
	fetchedAt time.Time
}

// provider is the cache entry of one metadata URL.
type provider struct {
	d     *Discovery
	url   string
	state atomic.Pointer[metadata]     // last good fetch
	fault atomic.Pointer[fetchFailure] // last fetch's failure; nil after a success

	mu          sync.Mutex // guards inflight and lastAttempt
	inflight    *fetchCall
	lastAttempt time.Time
}

// fetchFailure is a failed fetch and when it ended.
type fetchFailure struct {
	err error
	at  time.Time
}

// lastErr returns the last fetch's error, or nil.
func (p *provider) lastErr() error {
	if f := p.fault.Load(); f != nil {
		return f.err
	}
	return nil
}

// fetchCall is one in-flight fetch that concurrent callers share.
type fetchCall struct {
	done chan struct{}
	err  error
}

func (c *fetchCall) wait(ctx context.Context) error {
	select {
	case <-c.done:
		return c.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// startLocked starts a fetch unless one is in flight, and returns it.
// p.mu must be held.
func (p *provider) startLocked() *fetchCall {
	if p.inflight != nil {
		return p.inflight
	}
	c := &fetchCall{done: make(chan struct{})}
	p.inflight = c
	p.lastAttempt = p.d.now()
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), p.d.timeout)
		m, err := p.fetch(ctx)
		cancel()
		p.mu.Lock()
		if err == nil {
			p.state.Store(m)
			p.fault.Store(nil)
		} else {
			p.fault.Store(&fetchFailure{err: err, at: p.d.now()})
		}
		p.inflight = nil
		p.mu.Unlock()
		c.err = err
		close(c.done)
	}()
	return c
}

// get returns the cached metadata, fetching it on first use and starting a
// background refresh when it is older than the refresh interval. It returns
// the last fetch error beside the (possibly older) metadata.
func (p *provider) get(ctx context.Context) (*metadata, error) {
	now := p.d.now()
	m := p.state.Load()
	if m != nil && now.Sub(m.fetchedAt) < p.d.refresh {
		return m, p.lastErr() // fast path: no lock
	}
	p.mu.Lock()
	if m == nil {
		if err := p.lastErr(); p.inflight == nil && err != nil && now.Sub(p.lastAttempt) < p.d.minRefresh {
			p.mu.Unlock()
			return nil, err
		}
		c := p.startLocked()
		p.mu.Unlock()
		err := c.wait(ctx)
		return p.state.Load(), err
	}
	if now.Sub(p.lastAttempt) >= p.d.minRefresh {
		p.startLocked()
	}
	p.mu.Unlock()
	return m, p.lastErr()
}

// refreshForKid re-fetches the key set because a token names a kid it does
// not have, at most once per minimum refresh interval. It reports whether a
// fetch happened (or was joined) and, when not, the time the next one is
// allowed.
func (p *provider) refreshForKid(ctx context.Context) (bool, time.Time, error) {
	now := p.d.now()
	p.mu.Lock()
	if p.inflight == nil && now.Sub(p.lastAttempt) < p.d.minRefresh {
		next := p.lastAttempt.Add(p.d.minRefresh)
		p.mu.Unlock()
		return false, next, nil
	}
	c := p.startLocked()
	p.mu.Unlock()
	return true, time.Time{}, c.wait(ctx)
}

// fetch downloads the metadata document and its key set.
func (p *provider) fetch(ctx context.Context) (*metadata, error) {
	var doc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	body, err := p.download(ctx, p.url)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("metadata %s is not a JSON object: %w", p.url, err)
	}
	if doc.JWKSURI == "" {
		return nil, fmt.Errorf("metadata %s has no jwks_uri", p.url)
	}
	body, err = p.download(ctx, doc.JWKSURI)
	if err != nil {
		return nil, err
	}
	set, err := jwk.Parse(body)
	if err != nil {
		return nil, fmt.Errorf("key set %s: %w", doc.JWKSURI, err)
	}
	m := &metadata{url: p.url, issuer: doc.Issuer, jwksURI: doc.JWKSURI, fetchedAt: p.d.now()}
	for i := range set.Len() {
		k, _ := set.Key(i)
		vk, why := fromJWK(k, doc.JWKSURI)
		if why != "" {
			m.skipped = append(m.skipped, why)
			continue
		}
		m.keys = append(m.keys, vk)
	}
	return m, nil
}

// download GETs url and returns the body of a 200 response.
func (p *provider) download(ctx context.Context, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", url, err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := p.d.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxDocumentSize+1))
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", url, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch %s: status %s", url, resp.Status)
	}
	if len(body) > maxDocumentSize {
		return nil, fmt.Errorf("fetch %s: response larger than %d bytes", url, maxDocumentSize)
	}
	return body, nil
}

// fromJWK converts a JWKS entry to a verifyKey, or says why it is skipped.
func fromJWK(k jwk.Key, origin string) (verifyKey, string) {
	kid, _ := k.KeyID()
	vk := verifyKey{id: kid, origin: origin}
	if use, ok := k.KeyUsage(); ok && use == "enc" {
		return vk, fmt.Sprintf("kid %q is an encryption key (use=enc)", kid)
	}
	if a, ok := k.Algorithm(); ok {
		vk.alg = a.String()
	}
	var raw any
	if err := jwk.Export(k, &raw); err != nil {
		return vk, fmt.Sprintf("kid %q: %v", kid, err)
	}
	switch r := raw.(type) {
	case *rsa.PublicKey:
		vk.kind, vk.key = kindRSA, r
	case *rsa.PrivateKey:
		vk.kind, vk.key = kindRSA, &r.PublicKey
	case *ecdsa.PublicKey:
		vk.kind, vk.key, vk.curve = kindEC, r, r.Curve
	case *ecdsa.PrivateKey:
		vk.kind, vk.key, vk.curve = kindEC, &r.PublicKey, r.Curve
	case []byte:
		vk.kind, vk.key = kindSymmetric, r
	default:
		return vk, fmt.Sprintf("kid %q has unsupported key type %T", kid, raw)
	}
	return vk, ""
}
