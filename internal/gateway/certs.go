package gateway

import (
	"crypto/sha1"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/pkcs12"

	"github.com/tollgate/tollgate/internal/expr"
	"github.com/tollgate/tollgate/internal/policy"
)

// Certificate is a client or signing certificate the configuration refers to
// by certificate-id or thumbprint (authentication-certificate, validate-jwt
// keys). APIOps folders carry no certificates: they are supplied when
// tollgate starts.
type Certificate struct {
	ID         string
	Thumbprint string // upper-case hex SHA-1 of the certificate, as APIM shows it
	TLS        tls.Certificate
	PEM        []byte // the certificate (and key, when present) in PEM
}

// LoadCertificate reads a certificate from a PEM file (certificate, and
// private key for client certificates) or a PKCS#12 (.pfx) file with
// password.
func LoadCertificate(id, path, password string) (Certificate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Certificate{}, fmt.Errorf("certificate %s: %w", id, err)
	}
	c, err := parseCertificate(data, password)
	if err != nil {
		return Certificate{}, fmt.Errorf("certificate %s (%s): %w", id, path, err)
	}
	c.ID = id
	return c, nil
}

// parseCertificate reads PEM or PKCS#12 bytes.
func parseCertificate(data []byte, password string) (Certificate, error) {
	var pemData []byte
	if strings.Contains(string(data), "-----BEGIN") {
		pemData = data
	} else {
		blocks, err := pkcs12.ToPEM(data, password)
		if err != nil {
			return Certificate{}, fmt.Errorf("neither PEM nor a PKCS#12 file this password opens: %w", err)
		}
		for _, b := range blocks {
			pemData = append(pemData, pem.EncodeToMemory(b)...)
		}
	}
	var c Certificate
	c.PEM = pemData
	var certDER []byte
	rest := pemData
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type == "CERTIFICATE" && certDER == nil {
			certDER = b.Bytes
		}
	}
	if certDER == nil {
		return Certificate{}, fmt.Errorf("no certificate in it")
	}
	sum := sha1.Sum(certDER)
	c.Thumbprint = strings.ToUpper(hex.EncodeToString(sum[:]))
	if pair, err := tls.X509KeyPair(pemData, pemData); err == nil {
		c.TLS = pair
	} else {
		leaf, perr := x509.ParseCertificate(certDER)
		if perr != nil {
			return Certificate{}, perr
		}
		c.TLS = tls.Certificate{Certificate: [][]byte{certDER}, Leaf: leaf}
	}
	return c, nil
}

// certificateStore finds certificates by id or thumbprint.
type certificateStore struct {
	byID    map[string]*Certificate
	byThumb map[string]*Certificate
}

func newCertificateStore(certs []Certificate) *certificateStore {
	s := &certificateStore{byID: map[string]*Certificate{}, byThumb: map[string]*Certificate{}}
	for i := range certs {
		c := &certs[i]
		s.byID[strings.ToLower(c.ID)] = c
		s.byThumb[c.Thumbprint] = c
	}
	return s
}

func (s *certificateStore) lookup(id, thumbprint string) *Certificate {
	if s == nil {
		return nil
	}
	if id != "" {
		return s.byID[strings.ToLower(id)]
	}
	return s.byThumb[strings.ToUpper(strings.TrimSpace(thumbprint))]
}

// clientTransports keeps one transport per client certificate and TLS mode.
type clientTransports struct {
	mu sync.Mutex
	m  map[string]*http.Transport
}

func (t *clientTransports) get(c *tls.Certificate, thumb string, mode tlsMode) *http.Transport {
	key := fmt.Sprintf("%s/%d", thumb, mode)
	t.mu.Lock()
	defer t.mu.Unlock()
	if tr := t.m[key]; tr != nil {
		return tr
	}
	tr := NewTransport()
	cfg := &tls.Config{Certificates: []tls.Certificate{*c}}
	switch mode {
	case tlsChainOnly:
		cfg.InsecureSkipVerify, cfg.VerifyConnection = true, verifyChainOnly
	case tlsNoValidation:
		cfg.InsecureSkipVerify = true
	}
	tr.TLSClientConfig = cfg
	t.m[key] = tr
	return tr
}

// execAuthCertificate runs authentication-certificate: the backend TLS
// handshake presents the certificate.
func (x *exchange) execAuthCertificate(st *policy.Step, p *policy.AuthenticationCertificate, began time.Time) *Error {
	cert, err := x.certificateOf(st, p)
	if err != nil {
		return err
	}
	x.clientCert = cert
	x.tracePolicy(st, began, "client certificate %s (thumbprint %s) presented to the backend", cert.ID, cert.Thumbprint)
	return nil
}

// certificateOf resolves the certificate of an authentication-certificate
// element: by id, by thumbprint, or from the PKCS#12 bytes of body.
func (x *exchange) certificateOf(st *policy.Step, p *policy.AuthenticationCertificate) (*Certificate, *Error) {
	var cert *Certificate
	switch {
	case p.Body.Set:
		v, err := x.eval(st, p.Body.Expr)
		if p.Body.Expr == nil {
			v, err = p.Body.Resolved(), nil
		}
		if err != nil {
			return nil, err
		}
		password, err := x.str(st, p.Password)
		if err != nil {
			return nil, err
		}
		var data []byte
		switch b := v.(type) {
		case []byte:
			data = b
		case string:
			d, derr := base64.StdEncoding.DecodeString(b)
			if derr != nil {
				return nil, &Error{Source: st.Name, Reason: "CertificateInvalid", Status: 500, Message: "The certificate could not be read.", Cause: "body is a string that is not base64"}
			}
			data = d
		default:
			return nil, &Error{Source: st.Name, Reason: "CertificateInvalid", Status: 500, Message: "The certificate could not be read.",
				Cause: fmt.Sprintf("body gives %s; a byte[] (PKCS#12) is needed", expr.TypeName(v))}
		}
		c, perr := parseCertificate(data, password)
		if perr != nil {
			return nil, &Error{Source: st.Name, Reason: "CertificateInvalid", Status: 500, Message: "The certificate could not be read.", Cause: perr.Error()}
		}
		cert = &c
	default:
		id, err := x.str(st, p.CertificateID)
		if err != nil {
			return nil, err
		}
		thumb, err := x.str(st, p.Thumbprint)
		if err != nil {
			return nil, err
		}
		cert = x.g.certs.lookup(id, thumb)
		if cert == nil {
			what := "certificate-id " + id
			if id == "" {
				what = "thumbprint " + thumb
			}
			return nil, &Error{Source: st.Name, Reason: "CertificateNotFound", Status: 500, Message: "Certificate not found.",
				Cause: fmt.Sprintf("no certificate with %s was supplied; start tollgate with --certificate ID=FILE", what)}
		}
	}
	return cert, nil
}
