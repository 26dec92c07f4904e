package serve

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// Defaults of Options. The limits follow Kestrel, the web server of APIM's
// self-hosted gateway, except the body size, which follows APIM's
// documented request payload limit.
const (
	DefaultTLSListen               = "127.0.0.1:8443"
	DefaultMaxConnections          = 10000
	DefaultMaxHeaderBytes          = 32 << 10 // Kestrel's MaxRequestHeadersTotalSize
	DefaultMaxURLLength            = 8 << 10  // Kestrel's MaxRequestLineSize
	DefaultMaxBodyBytes            = 1 << 30  // APIM's request payload size
	DefaultReadHeaderTimeout       = 30 * time.Second
	DefaultMinBodyRate             = 240 // bytes per second, Kestrel's MinRequestBodyDataRate
	DefaultMinBodyRateGrace        = 5 * time.Second
	DefaultIdleTimeout             = 130 * time.Second // Kestrel's KeepAliveTimeout
	DefaultDrainTimeout            = 30 * time.Second
	DefaultCertificatePollInterval = 5 * time.Second
)

// Options configure a Server. A zero field takes its default; a negative
// limit or interval turns the limit or the polling off.
type Options struct {
	// Listen is the address of the plain HTTP listener; empty for none.
	Listen string
	// TLSListen is the address of the HTTPS listener, DefaultTLSListen when
	// Certificates are given and it is empty.
	TLSListen string
	// Certificates are the server certificates. The one served is chosen
	// by the SNI name of the client's handshake among the DNS names (or,
	// lacking them, the common name) of each; the first is the default.
	Certificates []CertSource
	// H2C accepts cleartext HTTP/2 (prior knowledge) on the plain listener.
	H2C bool
	// ClientCertificate says whether the TLS handshake asks the client for
	// a certificate, APIM's "negotiate client certificate".
	ClientCertificate ClientCertificateMode
	// ClientCA is a PEM file of the certification authorities a client
	// certificate must chain to in ClientCertificateRequire mode. In
	// ClientCertificateRequest mode their names are sent to the client as
	// a hint, and no certificate is verified.
	ClientCA string

	// MaxConnections bounds the connections open at once; one more is
	// answered 503 (plain HTTP) or closed (TLS) and counted as refused.
	MaxConnections int
	// MaxHeaderBytes bounds the header block (names, values and their
	// separators, the Host header included): 431 beyond it.
	MaxHeaderBytes int
	// MaxURLLength bounds the request line (method, target and protocol):
	// 414 beyond it.
	MaxURLLength int
	// MaxBodyBytes bounds a request body: 413 beyond it.
	MaxBodyBytes int64
	// ReadHeaderTimeout bounds the time from a connection's start (or the
	// first byte of a request on a kept-alive connection) to the end of
	// the request head, TLS handshake included. A client that is slower
	// is cut off.
	ReadHeaderTimeout time.Duration
	// MinBodyRate is the lowest average rate, in bytes per second, at which
	// a client must send a request body once MinBodyRateGrace has passed;
	// only the time the handler spends waiting for the client counts. A
	// slower client is answered 408 and cut off.
	MinBodyRate int
	// MinBodyRateGrace is the time a body may take before MinBodyRate
	// applies.
	MinBodyRateGrace time.Duration
	// IdleTimeout is how long a kept-alive connection waits for its next
	// request.
	IdleTimeout time.Duration
	// DrainTimeout bounds how long Shutdown waits for in-flight requests
	// before it closes their connections.
	DrainTimeout time.Duration
	// CertificatePollInterval is how often the certificate files are
	// checked for changes, which reload them.
	CertificatePollInterval time.Duration

	// Log receives one line for each refused or cut-off client and each
	// certificate reload (at most a few lines a second; the rest are
	// counted and summed up). Nil discards them.
	Log io.Writer
}

// CertSource names the files of one server certificate.
type CertSource struct {
	// CertFile is a PEM file with the certificate and its chain (and
	// possibly the private key), or a PKCS#12 file (.pfx, .p12).
	CertFile string
	// KeyFile is the PEM private key; empty for PKCS#12 files and for PEM
	// files that hold the key.
	KeyFile string
	// Password opens a PKCS#12 file. It never appears in an error.
	Password string
}

// ClientCertificateMode says whether the TLS handshake asks for a client
// certificate.
type ClientCertificateMode int

// The client certificate modes.
const (
	// ClientCertificateOff never asks for a client certificate.
	ClientCertificateOff ClientCertificateMode = iota
	// ClientCertificateRequest asks for one and accepts a handshake
	// without it, or with one that does not verify: the handler (the
	// validate-client-certificate policy) decides.
	ClientCertificateRequest
	// ClientCertificateRequire refuses a handshake without a certificate
	// that chains to ClientCA.
	ClientCertificateRequire
)

var clientCertificateModes = []string{"off", "request", "require"}

// String returns the mode's flag value: off, request or require.
func (m ClientCertificateMode) String() string {
	if m < 0 || int(m) >= len(clientCertificateModes) {
		return fmt.Sprintf("ClientCertificateMode(%d)", int(m))
	}
	return clientCertificateModes[m]
}

// Set parses off, request or require; with Type it makes the mode a
// command-line flag value.
func (m *ClientCertificateMode) Set(s string) error {
	for i, name := range clientCertificateModes {
		if strings.EqualFold(s, name) {
			*m = ClientCertificateMode(i)
			return nil
		}
	}
	return fmt.Errorf("%q: want off, request or require", s)
}

// Type names the flag value's type in help text.
func (m *ClientCertificateMode) Type() string { return "off|request|require" }

// withDefaults returns o with every zero field set to its default.
func (o Options) withDefaults() Options {
	if o.TLSListen == "" && len(o.Certificates) > 0 {
		o.TLSListen = DefaultTLSListen
	}
	setInt := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	setDur := func(v *time.Duration, d time.Duration) {
		if *v == 0 {
			*v = d
		}
	}
	setInt(&o.MaxConnections, DefaultMaxConnections)
	setInt(&o.MaxHeaderBytes, DefaultMaxHeaderBytes)
	setInt(&o.MaxURLLength, DefaultMaxURLLength)
	setInt(&o.MinBodyRate, DefaultMinBodyRate)
	if o.MaxBodyBytes == 0 {
		o.MaxBodyBytes = DefaultMaxBodyBytes
	}
	setDur(&o.ReadHeaderTimeout, DefaultReadHeaderTimeout)
	setDur(&o.MinBodyRateGrace, DefaultMinBodyRateGrace)
	setDur(&o.IdleTimeout, DefaultIdleTimeout)
	setDur(&o.DrainTimeout, DefaultDrainTimeout)
	setDur(&o.CertificatePollInterval, DefaultCertificatePollInterval)
	if o.Log == nil {
		o.Log = io.Discard
	}
	return o
}

// check reports options that contradict each other.
func (o Options) check() error {
	if o.Listen == "" && o.TLSListen == "" {
		return fmt.Errorf("no listener: give a plain HTTP address, or a certificate for HTTPS")
	}
	if o.TLSListen != "" && len(o.Certificates) == 0 {
		return fmt.Errorf("HTTPS on %s needs a certificate", o.TLSListen)
	}
	if o.ClientCertificate == ClientCertificateRequire && o.ClientCA == "" {
		return fmt.Errorf("client certificates required but no certification authority to verify them against: give the CA file")
	}
	if o.ClientCertificate != ClientCertificateOff && len(o.Certificates) == 0 {
		return fmt.Errorf("client certificates are negotiated in the TLS handshake: give a server certificate")
	}
	if o.ClientCertificate < ClientCertificateOff || o.ClientCertificate > ClientCertificateRequire {
		return fmt.Errorf("client certificate mode %d unknown", int(o.ClientCertificate))
	}
	return nil
}
