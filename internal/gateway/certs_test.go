package gateway

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// writeClientCert makes a self-signed client certificate and writes it with
// its key as PEM.
func writeClientCert(t *testing.T, cn string) string {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := x509.MarshalECPrivateKey(key)
	path := filepath.Join(t.TempDir(), cn+".pem")
	data := append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb})...)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestAuthenticationCertificate(t *testing.T) {
	backend := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(r.TLS.PeerCertificates) == 0 {
			w.WriteHeader(401)
			return
		}
		io.WriteString(w, "client "+r.TLS.PeerCertificates[0].Subject.CommonName)
	}))
	backend.TLS = &tls.Config{ClientAuth: tls.RequestClientCert}
	backend.StartTLS()
	defer backend.Close()
	cert, err := LoadCertificate("orders-client", writeClientCert(t, "orders-client"), "")
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"backends/secure/backendInformation.json": `{"properties":{"url":"` + backend.URL + `","tls":{"validateCertificateChain":false}}}`,
		"apis/test/policy.xml":                    `<policies><inbound><base/><set-backend-service backend-id="secure" /><authentication-certificate certificate-id="orders-client" /></inbound></policies>`,
	}
	s := newSite(t, files, Options{Certificates: []Certificate{cert}})
	if got := s.do(t, "GET", "/test/items", keyHeader, productKey); got.status != 200 || got.body != "client orders-client" {
		t.Fatalf("got %d %q", got.status, got.body)
	}
	// By thumbprint too.
	files["apis/test/policy.xml"] = `<policies><inbound><base/><set-backend-service backend-id="secure" /><authentication-certificate thumbprint="` + cert.Thumbprint + `" /></inbound></policies>`
	s = newSite(t, files, Options{Certificates: []Certificate{cert}})
	if got := s.do(t, "GET", "/test/items", keyHeader, productKey); got.body != "client orders-client" {
		t.Fatalf("by thumbprint: %d %q", got.status, got.body)
	}
	// A certificate that was not supplied is named in the cause.
	s = newSite(t, files, Options{})
	if got := s.do(t, "GET", "/test/items", keyHeader, productKey); got.status != 500 || s.lastLog(t)["LastErrorReason"] != "CertificateNotFound" {
		t.Fatalf("missing certificate: %d %v", got.status, s.lastLog(t))
	}
}
