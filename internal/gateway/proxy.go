package gateway

import (
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/tollgate/tollgate/internal/h1client"
	"github.com/tollgate/tollgate/internal/policy"
)

// execProxy runs proxy: the request to the backend goes through the HTTP
// proxy at url, with basic credentials when username is given.
func (x *exchange) execProxy(st *policy.Step, p *policy.Proxy, began time.Time) *Error {
	raw, err := x.str(st, p.URL)
	if err != nil {
		return err
	}
	user, err := x.str(st, p.Username)
	if err != nil {
		return err
	}
	pass, err := x.str(st, p.Password)
	if err != nil {
		return err
	}
	u, perr := url.Parse(raw)
	if perr != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return &Error{Source: st.Name, Reason: "ProxyInvalid", Status: 500, Message: "Internal server error",
			Cause: fmt.Sprintf("%s at %s: url %q is not an http or https URL of a proxy", st.Name, st.Span().Pos(), raw)}
	}
	if pass != "" && x.trace != nil {
		x.trace.Mask(pass)
	}
	who := ""
	if user != "" {
		u.User = url.UserPassword(user, pass)
		who = " as " + user
	}
	x.proxy = u
	x.tracePolicy(st, began, "the backend request goes through the proxy %s://%s%s", u.Scheme, u.Host, who)
	return nil
}

// proxyTransports holds a transport per proxy and transport it stands in
// front of, so that connections through a proxy are kept and reused.
type proxyTransports struct {
	mu sync.Mutex
	m  map[proxyKey]*http.Transport
}

type proxyKey struct {
	base  *http.Transport
	proxy string // the URL with its credentials: a key, never shown
}

// maxProxyTransports bounds the transports kept: proxy URLs may come from
// expressions. Past it they are all dropped and made again as needed.
const maxProxyTransports = 64

// through returns a transport like base that sends its requests through
// proxy, or an error when base cannot be given a proxy.
func (t *proxyTransports) through(base http.RoundTripper, proxy *url.URL) (http.RoundTripper, error) {
	if c, ok := base.(*h1client.Client); ok {
		base = c.Fallback
	}
	bt, ok := base.(*http.Transport)
	if !ok {
		return nil, fmt.Errorf("the gateway's backend transport (%T) cannot use a proxy", base)
	}
	k := proxyKey{bt, proxy.String()}
	t.mu.Lock()
	defer t.mu.Unlock()
	if tr := t.m[k]; tr != nil {
		return tr, nil
	}
	if len(t.m) >= maxProxyTransports {
		for _, tr := range t.m {
			tr.CloseIdleConnections()
		}
		clear(t.m)
	}
	if t.m == nil {
		t.m = map[proxyKey]*http.Transport{}
	}
	tr := bt.Clone()
	tr.Proxy = http.ProxyURL(proxy)
	t.m[k] = tr
	return tr, nil
}
