package gateway

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestManagedIdentityFromEndpoint(t *testing.T) {
	var calls atomic.Int64
	idp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if r.Header.Get("X-IDENTITY-HEADER") != "secret-header" || r.URL.Query().Get("api-version") != "2019-08-01" {
			w.WriteHeader(400)
			return
		}
		json.NewEncoder(w).Encode(map[string]string{
			"access_token": "token-for-" + r.URL.Query().Get("resource"),
			"expires_on":   strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10),
		})
	}))
	defer idp.Close()
	var seen atomic.Value
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen.Store(r.Header.Get("Authorization"))
		io.WriteString(w, "ok")
	}))
	defer backend.Close()
	s := newSite(t, map[string]string{
		"apis/test/apiInformation.json": `{"properties":{"path":"test","serviceUrl":"` + backend.URL + `"}}`,
		"apis/test/policy.xml":          `<policies><inbound><base/><authentication-managed-identity resource="https://storage.azure.com/" /></inbound></policies>`,
	}, Options{ManagedIdentity: EndpointTokenSource{Endpoint: idp.URL, Header: "secret-header"}})
	for i := 0; i < 2; i++ {
		if got := s.do(t, "GET", "/test/items", keyHeader, productKey); got.status != 200 {
			t.Fatalf("status %d %s", got.status, got.body)
		}
	}
	if got := seen.Load(); got != "Bearer token-for-https://storage.azure.com/" {
		t.Errorf("backend Authorization %q", got)
	}
	if calls.Load() != 1 {
		t.Errorf("the identity endpoint was called %d times; the token must be cached", calls.Load())
	}
}

func TestManagedIdentityNotConfigured(t *testing.T) {
	s := newSite(t, map[string]string{
		"apis/test/policy.xml": `<policies><inbound><base/><authentication-managed-identity resource="https://vault.azure.net" /></inbound></policies>`,
	}, Options{})
	got := s.do(t, "GET", "/test/items", keyHeader, productKey)
	if got.status != 500 || !strings.Contains(str(s.lastLog(t)["LastErrorCause"]), "IDENTITY_ENDPOINT") {
		t.Errorf("got %d, log %v", got.status, s.lastLog(t))
	}
}

// In outbound, as real deployments place it to call another service after
// the backend's answer, the token goes to output-token-variable-name.
func TestManagedIdentityInOutbound(t *testing.T) {
	idp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]string{
			"access_token": "token-for-" + r.URL.Query().Get("resource"),
			"expires_on":   strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10),
		})
	}))
	defer idp.Close()
	s := newSite(t, map[string]string{
		"apis/test/policy.xml": `<policies><inbound><base/></inbound><outbound><base/>` +
			`<authentication-managed-identity resource="https://audit.example" output-token-variable-name="audit-token" />` +
			`<set-header name="X-Audit-Token" exists-action="override"><value>@((string)context.Variables["audit-token"])</value></set-header>` +
			`</outbound></policies>`,
	}, Options{ManagedIdentity: EndpointTokenSource{Endpoint: idp.URL, Header: "h"}})
	got := s.do(t, "GET", "/test/items", keyHeader, productKey)
	if got.status != 200 || got.header.Get("X-Audit-Token") != "token-for-https://audit.example" {
		t.Errorf("status %d, X-Audit-Token %q", got.status, got.header.Get("X-Audit-Token"))
	}
}
