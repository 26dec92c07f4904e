package cli

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"

	"github.com/tollgate/tollgate/internal/serve"
)

// addServeFlags registers the listener flags of "tollgate run" on fs,
// filling o as they are parsed. o.Listen is left to --listen.
func addServeFlags(fs *pflag.FlagSet, o *serve.Options) {
	fs.Var(&tlsCertFlag{o}, "tls-cert", "server certificate for HTTPS: PEM (with --tls-key) or PKCS#12 .pfx (password in $TOLLGATE_TLS_PASSWORD); repeatable, chosen by SNI, the first is the default")
	fs.Var(&tlsKeyFlag{o}, "tls-key", "private key (PEM) of the --tls-cert before it that has none; repeatable, paired in order")
	fs.StringVar(&o.TLSListen, "tls-listen", "", "address of the HTTPS listener (default "+serve.DefaultTLSListen+" once a certificate is given)")
	fs.BoolVar(&o.H2C, "h2c", false, "accept cleartext HTTP/2 (prior knowledge) on --listen")
	fs.Var(&o.ClientCertificate, "client-certificate", "ask HTTPS clients for a certificate: off, request (any, for validate-client-certificate) or require (verified against --client-ca)")
	fs.StringVar(&o.ClientCA, "client-ca", "", "PEM file of the certification authorities client certificates must chain to (for --client-certificate require)")
	fs.IntVar(&o.MaxConnections, "max-connections", serve.DefaultMaxConnections, "connections open at once; more are answered 503 and closed")
	fs.IntVar(&o.MaxHeaderBytes, "max-header-bytes", serve.DefaultMaxHeaderBytes, "size of a request's header block; larger is answered 431")
	fs.IntVar(&o.MaxURLLength, "max-url-length", serve.DefaultMaxURLLength, "size of a request line (method, URL, protocol); longer is answered 414")
	fs.Int64Var(&o.MaxBodyBytes, "max-body-bytes", serve.DefaultMaxBodyBytes, "size of a request body; larger is answered 413")
	fs.DurationVar(&o.ReadHeaderTimeout, "read-header-timeout", serve.DefaultReadHeaderTimeout, "time a client has for its TLS handshake and request headers before it is cut off")
	fs.IntVar(&o.MinBodyRate, "min-body-rate", serve.DefaultMinBodyRate, "bytes a second a client must send a request body at, after a grace of "+serve.DefaultMinBodyRateGrace.String()+"; slower is answered 408 (-1: no minimum)")
	fs.DurationVar(&o.IdleTimeout, "idle-timeout", serve.DefaultIdleTimeout, "how long a kept-alive connection may wait for its next request")
	fs.DurationVar(&o.DrainTimeout, "drain-timeout", serve.DefaultDrainTimeout, "on SIGTERM, how long in-flight requests may take to finish before their connections are closed")
}

// tlsCertFlag appends a certificate for each --tls-cert.
type tlsCertFlag struct{ o *serve.Options }

func (f *tlsCertFlag) Set(path string) error {
	src := serve.CertSource{CertFile: path}
	if isPFX(path) {
		src.Password = getenv("TOLLGATE_TLS_PASSWORD")
	}
	f.o.Certificates = append(f.o.Certificates, src)
	return nil
}

func (f *tlsCertFlag) String() string {
	names := make([]string, len(f.o.Certificates))
	for i, c := range f.o.Certificates {
		names[i] = c.CertFile
	}
	return strings.Join(names, ",")
}

func (f *tlsCertFlag) Type() string { return "FILE" }

// tlsKeyFlag gives each --tls-key to the first PEM --tls-cert without one.
type tlsKeyFlag struct{ o *serve.Options }

func (f *tlsKeyFlag) Set(path string) error {
	for i := range f.o.Certificates {
		c := &f.o.Certificates[i]
		if c.KeyFile == "" && !isPFX(c.CertFile) {
			c.KeyFile = path
			return nil
		}
	}
	return fmt.Errorf("%s: no --tls-cert before it awaits a key (a .pfx file carries its own)", path)
}

func (f *tlsKeyFlag) String() string {
	var names []string
	for _, c := range f.o.Certificates {
		if c.KeyFile != "" {
			names = append(names, c.KeyFile)
		}
	}
	return strings.Join(names, ",")
}

func (f *tlsKeyFlag) Type() string { return "FILE" }

func isPFX(path string) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".pfx", ".p12":
		return true
	}
	return false
}
