package serve

import (
	"bytes"
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"software.sslmate.com/src/go-pkcs12"
)

// certTable is one loaded set of server certificates and the TLS
// configuration serving them. A reload builds a new table and swaps it in;
// connections already established keep theirs.
type certTable struct {
	certs    []*tls.Certificate
	byName   map[string]*tls.Certificate // lower-case DNS name or common name
	wildcard map[string]*tls.Certificate // "*.example.com" under "example.com"
	clientCA *x509.CertPool
	config   *tls.Config
	files    []fileStamp // what was read, to notice changes
}

// fileStamp identifies one version of a file cheaply.
type fileStamp struct {
	path    string
	size    int64
	modTime time.Time
}

func stampFiles(paths []string) []fileStamp {
	out := make([]fileStamp, 0, len(paths))
	for _, p := range paths {
		st := fileStamp{path: p}
		if fi, err := os.Stat(p); err == nil {
			st.size, st.modTime = fi.Size(), fi.ModTime()
		}
		out = append(out, st)
	}
	return out
}

func sameStamps(a, b []fileStamp) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].path != b[i].path || a[i].size != b[i].size || !a[i].modTime.Equal(b[i].modTime) {
			return false
		}
	}
	return true
}

// watchedFiles lists the files a certificate table is read from.
func (o *Options) watchedFiles() []string {
	var out []string
	for _, c := range o.Certificates {
		out = append(out, c.CertFile)
		if c.KeyFile != "" {
			out = append(out, c.KeyFile)
		}
	}
	if o.ClientCA != "" {
		out = append(out, o.ClientCA)
	}
	return out
}

// loadCertTable reads every certificate of o and the client CA file.
func loadCertTable(o *Options, nextProtos []string) (*certTable, error) {
	files := o.watchedFiles()
	stamps := stampFiles(files) // before reading: a change while reading is seen next time
	t := &certTable{byName: map[string]*tls.Certificate{}, wildcard: map[string]*tls.Certificate{}, files: stamps}
	for _, src := range o.Certificates {
		c, err := LoadCertificate(src)
		if err != nil {
			return nil, err
		}
		t.certs = append(t.certs, c)
		for _, name := range certNames(c.Leaf) {
			if rest, ok := strings.CutPrefix(name, "*."); ok {
				if _, dup := t.wildcard[rest]; !dup {
					t.wildcard[rest] = c
				}
			} else if _, dup := t.byName[name]; !dup {
				t.byName[name] = c
			}
		}
	}
	if o.ClientCA != "" {
		pool, err := LoadCertPool(o.ClientCA)
		if err != nil {
			return nil, err
		}
		t.clientCA = pool
	}
	t.config = &tls.Config{
		MinVersion:     tls.VersionTLS12,
		NextProtos:     nextProtos,
		GetCertificate: t.getCertificate,
		ClientCAs:      t.clientCA,
	}
	switch o.ClientCertificate {
	case ClientCertificateRequest:
		t.config.ClientAuth = tls.RequestClientCert
	case ClientCertificateRequire:
		t.config.ClientAuth = tls.RequireAndVerifyClientCert
	}
	return t, nil
}

// certNames returns the lower-case names a certificate serves: its DNS
// names, or its common name when it has none.
func certNames(leaf *x509.Certificate) []string {
	names := leaf.DNSNames
	if len(names) == 0 && leaf.Subject.CommonName != "" {
		names = []string{leaf.Subject.CommonName}
	}
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = strings.ToLower(strings.TrimSuffix(n, "."))
	}
	return out
}

// getCertificate chooses the certificate by the SNI name: an exact name,
// then a wildcard one label deep, then the first certificate.
func (t *certTable) getCertificate(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	name := strings.ToLower(strings.TrimSuffix(hello.ServerName, "."))
	if name != "" {
		if c := t.byName[name]; c != nil {
			return c, nil
		}
		if _, parent, ok := strings.Cut(name, "."); ok {
			if c := t.wildcard[parent]; c != nil {
				return c, nil
			}
		}
	}
	return t.certs[0], nil
}

// LoadCertificate reads a server certificate: PEM certificate (chain) and
// key, or PKCS#12. The error names the file, never the password.
func LoadCertificate(src CertSource) (*tls.Certificate, error) {
	data, err := os.ReadFile(src.CertFile)
	if err != nil {
		return nil, fmt.Errorf("TLS certificate: %w", err)
	}
	if isPKCS12(src.CertFile, data) {
		if src.KeyFile != "" {
			return nil, fmt.Errorf("TLS certificate %s: a PKCS#12 file carries its own key; give no key file for it", src.CertFile)
		}
		key, leaf, chain, err := pkcs12.DecodeChain(data, src.Password)
		if err != nil {
			if errors.Is(err, pkcs12.ErrIncorrectPassword) {
				return nil, fmt.Errorf("TLS certificate %s: the password does not open it (set $TOLLGATE_TLS_PASSWORD)", src.CertFile)
			}
			return nil, fmt.Errorf("TLS certificate %s: reading PKCS#12: %w", src.CertFile, err)
		}
		c := &tls.Certificate{Certificate: [][]byte{leaf.Raw}, PrivateKey: key, Leaf: leaf}
		for _, ca := range chain {
			c.Certificate = append(c.Certificate, ca.Raw)
		}
		// The key must belong to the certificate, as X509KeyPair checks for PEM.
		signer, ok := key.(crypto.Signer)
		if !ok {
			return nil, fmt.Errorf("TLS certificate %s: its private key cannot sign", src.CertFile)
		}
		if pub, ok := signer.Public().(interface{ Equal(crypto.PublicKey) bool }); !ok || !pub.Equal(leaf.PublicKey) {
			return nil, fmt.Errorf("TLS certificate %s: the private key does not match the certificate", src.CertFile)
		}
		return c, nil
	}
	keyData := data
	if src.KeyFile != "" {
		if keyData, err = os.ReadFile(src.KeyFile); err != nil {
			return nil, fmt.Errorf("TLS key: %w", err)
		}
	}
	c, err := tls.X509KeyPair(data, keyData)
	if err != nil {
		if src.KeyFile == "" && !bytes.Contains(data, []byte("PRIVATE KEY-----")) {
			return nil, fmt.Errorf("TLS certificate %s: no private key in it; give its key file", src.CertFile)
		}
		return nil, fmt.Errorf("TLS certificate %s: %w", src.CertFile, err)
	}
	return &c, nil
}

// isPKCS12 tells PKCS#12 files by their extension, or by not being PEM.
func isPKCS12(path string, data []byte) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".pfx", ".p12":
		return true
	}
	return !bytes.Contains(data, []byte("-----BEGIN"))
}

// LoadCertPool reads a PEM file of CA certificates.
func LoadCertPool(path string) (*x509.CertPool, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("client CA: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(data) {
		return nil, fmt.Errorf("client CA %s: no PEM certificate in it", path)
	}
	return pool, nil
}
