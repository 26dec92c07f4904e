package gateway

import (
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// forwardProxy is a loopback HTTP forward proxy that wants basic
// credentials and marks the responses it relays.
func forwardProxy(t *testing.T, user, pass string) (*httptest.Server, *atomic.Int64) {
	var relayed atomic.Int64
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !r.URL.IsAbs() {
			http.Error(w, "not a proxy request", http.StatusBadRequest)
			return
		}
		if r.Header.Get("Proxy-Authorization") != want {
			w.Header().Set("Proxy-Authenticate", `Basic realm="test"`)
			w.WriteHeader(http.StatusProxyAuthRequired)
			return
		}
		out := r.Clone(r.Context())
		out.RequestURI = ""
		out.Header.Del("Proxy-Authorization")
		resp, err := http.DefaultTransport.RoundTrip(out)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		relayed.Add(1)
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.Header().Set("X-Relayed-By", "test-proxy")
		w.WriteHeader(resp.StatusCode)
		buf := make([]byte, 4096)
		for {
			n, err := resp.Body.Read(buf)
			w.Write(buf[:n])
			if err != nil {
				return
			}
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &relayed
}

func TestProxyPolicy(t *testing.T) {
	const pass = "proxy-pass-0123456789"
	proxy, relayed := forwardProxy(t, "gw", pass)
	s := newSite(t, map[string]string{
		"apis/test/policy.xml": `<policies><inbound><base /><proxy url="` + proxy.URL + `" username="gw" password="` + pass + `" /></inbound>
<backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>`,
		"apis/test/operations/get/policy.xml": `<policies><inbound><base /><proxy url="@(&quot;not a url&quot;)" /></inbound>
<backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>`,
	}, Options{})

	r := s.do(t, "GET", "/test/items", keyHeader, productKey)
	if r.status != 200 || r.header.Get("X-Relayed-By") != "test-proxy" || relayed.Load() != 1 {
		t.Fatalf("through the proxy: status %d, relayed by %q, %d relayed; want 200 through the test proxy", r.status, r.header.Get("X-Relayed-By"), relayed.Load())
	}
	// The connection to the proxy is kept: another request reuses the
	// transport.
	if r := s.do(t, "GET", "/test/items", keyHeader, productKey); r.status != 200 || relayed.Load() != 2 {
		t.Errorf("second request: status %d, %d relayed", r.status, relayed.Load())
	}
	if n := len(s.gw.proxyTrans.m); n != 1 {
		t.Errorf("%d proxy transports for one proxy, want 1", n)
	}

	r = s.do(t, "GET", "/test/items/7", keyHeader, productKey)
	if r.status != 500 {
		t.Errorf("a proxy url that is not a URL: status %d, want 500", r.status)
	}
	if le := lastError(t, s); le.reason != "ProxyInvalid" || !strings.Contains(le.cause, "not an http or https URL") {
		t.Errorf("LastError %+v, want ProxyInvalid naming the url", le)
	}
	if strings.Contains(logText(s), pass) {
		t.Error("the proxy's password is in the log")
	}
}
