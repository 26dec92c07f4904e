package gateway

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/config"
)

type testCert struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

func makeCert(t *testing.T, tmpl *x509.Certificate, parent *testCert) *testCert {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	signer, parentCert := key, tmpl
	if parent != nil {
		signer, parentCert = parent.key, parent.cert
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parentCert, &key.PublicKey, signer)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return &testCert{c, key}
}

func (c *testCert) tls() tls.Certificate {
	return tls.Certificate{Certificate: [][]byte{c.cert.Raw}, PrivateKey: c.key}
}

// validate-client-certificate over a real TLS listener: trust, expiry,
// revocation and each identity claim, with APIM's 403 and a cause naming
// what did not match.
func TestValidateClientCertificate(t *testing.T) {
	now := time.Now()
	ca := makeCert(t, &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Test CA"}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour)}, nil)
	client := func(serial int64, cn string, notAfter time.Time, parent *testCert) *testCert {
		return makeCert(t, &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn, Organization: []string{"Tollgate"}},
			DNSNames: []string{cn + ".test"}, NotBefore: now.Add(-time.Hour), NotAfter: notAfter, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}, parent)
	}
	good := client(10, "alice", now.Add(time.Hour), ca)
	other := client(11, "bob", now.Add(time.Hour), ca)
	expired := client(12, "alice", now.Add(-time.Minute), ca)
	stranger := client(13, "alice", now.Add(time.Hour), nil) // self-signed
	revoked := client(14, "alice", now.Add(time.Hour), ca)
	crlDER, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{Number: big.NewInt(1), ThisUpdate: now, NextUpdate: now.Add(time.Hour),
		RevokedCertificateEntries: []x509.RevocationListEntry{{SerialNumber: big.NewInt(14), RevocationTime: now}}}, ca.cert, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	crl, _ := x509.ParseRevocationList(crlDER)

	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }))
	defer backend.Close()
	dir := t.TempDir()
	write := func(name, content string) {
		p := filepath.Join(dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(content), 0o644)
	}
	write("apis/mtls/apiInformation.json", `{"properties":{"path":"mtls","serviceUrl":"`+backend.URL+`","subscriptionRequired":false}}`)
	write("apis/mtls/specification.yaml", "openapi: 3.0.1\ninfo: {title: mtls, version: '1'}\npaths:\n  /x:\n    get: {operationId: x, responses: {'200': {description: OK}}}\n  /cn:\n    get: {operationId: cn, responses: {'200': {description: OK}}}\n")
	write("apis/mtls/operations/x/policy.xml", `<policies><inbound><base/><validate-client-certificate>
  <identities><identity common-name="alice" issuer-subject="CN=Test CA" dns-name="alice.test"/><identity thumbprint="`+thumbprint(other.cert.Raw)+`"/></identities>
</validate-client-certificate><set-header name="X-Client" exists-action="override"><value>@(context.Request.Certificate.SubjectName.Name)</value></set-header></inbound>
<backend><base/></backend><outbound><base/></outbound><on-error><base/></on-error></policies>`)
	write("apis/mtls/operations/cn/policy.xml", `<policies><inbound><base/><validate-client-certificate validate-trust="false" validate-not-after="false" ignore-error="false">
  <identities><identity common-name="bob"/></identities></validate-client-certificate></inbound>
<backend><base/></backend><outbound><base/></outbound><on-error><base/></on-error></policies>`)
	snap, diags := config.Load(dir, config.Options{})
	pols, pd := config.LoadPolicies(snap, PolicyOptions())
	diags.Append(pd)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	snap.Policies = pols
	roots := x509.NewCertPool()
	roots.AddCert(ca.cert)
	var logs syncBuffer
	gw, err := New(snap, Options{Log: NewLogWriter(&logs), ClientTrust: &ClientTrust{Roots: func() *x509.CertPool { return roots }, Revoked: crl}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(gw)
	srv.TLS = &tls.Config{ClientAuth: tls.RequestClientCert}
	srv.StartTLS()
	defer srv.Close()

	call := func(path string, c *testCert) (int, string, string) {
		t.Helper()
		tr := srv.Client().Transport.(*http.Transport).Clone()
		if c != nil {
			tr.TLSClientConfig.Certificates = []tls.Certificate{c.tls()}
		}
		resp, err := (&http.Client{Transport: tr}).Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		logs.mu.Lock()
		lines := logs.b.String()
		logs.mu.Unlock()
		return resp.StatusCode, string(b), lines[strings.LastIndex(strings.TrimSpace(lines), "\n")+1:]
	}
	cases := []struct {
		name   string
		path   string
		cert   *testCert
		status int
		cause  string
	}{
		{"first identity", "/mtls/x", good, 200, ""},
		{"second identity by thumbprint", "/mtls/x", other, 200, ""},
		{"no certificate", "/mtls/x", nil, 403, "carries no client certificate"},
		{"expired", "/mtls/x", expired, 403, "expired at"},
		{"untrusted", "/mtls/x", stranger, 403, "does not chain to a trusted authority"},
		{"revoked", "/mtls/x", revoked, 403, "is revoked"},
		{"no identity matches", "/mtls/cn", good, 403, `common-name is \"alice\", not \"bob\"`},
		{"trust off", "/mtls/cn", client(15, "bob", now.Add(time.Hour), nil), 200, ""},
	}
	for _, c := range cases {
		status, body, line := call(c.path, c.cert)
		if status != c.status {
			t.Errorf("%s: status %d, want %d (%s)", c.name, status, c.status, line)
			continue
		}
		if c.status == 403 {
			if body != `{ "statusCode": 403, "message": "Invalid client certificate" }` || !strings.Contains(line, `"LastErrorReason":"ClientCertificateInvalid"`) || !strings.Contains(line, c.cause) {
				t.Errorf("%s: body %s\nlog %s", c.name, body, line)
			}
		}
	}
}

// With HTTPS served, an API's protocols are enforced: an https-only API
// answers a plain request with APIM's 404 and a cause naming the scheme.
func TestProtocolsEnforced(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }))
	defer backend.Close()
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "apis/secure"), 0o755)
	os.WriteFile(filepath.Join(dir, "apis/secure/apiInformation.json"), []byte(`{"properties":{"path":"secure","protocols":["https"],"serviceUrl":"`+backend.URL+`","subscriptionRequired":false}}`), 0o644)
	os.WriteFile(filepath.Join(dir, "apis/secure/specification.yaml"), []byte("openapi: 3.0.1\ninfo: {title: s, version: '1'}\npaths:\n  /x:\n    get: {operationId: x, responses: {'200': {description: OK}}}\n"), 0o644)
	snap, diags := config.Load(dir, config.Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	var logs syncBuffer
	gw, err := New(snap, Options{Log: NewLogWriter(&logs), EnforceProtocols: true})
	if err != nil {
		t.Fatal(err)
	}
	plain := httptest.NewServer(gw)
	defer plain.Close()
	secure := httptest.NewTLSServer(gw)
	defer secure.Close()
	resp, err := http.Get(plain.URL + "/secure/x")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	logs.mu.Lock()
	line := logs.b.String()
	logs.mu.Unlock()
	if resp.StatusCode != 404 || !strings.Contains(line, "accepts only https") {
		t.Errorf("plain request to an https-only API: %d\n%s", resp.StatusCode, line)
	}
	resp, err = secure.Client().Get(secure.URL + "/secure/x")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("https request: %d", resp.StatusCode)
	}
}
