package cli

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"

	"github.com/tollgate/tollgate/internal/serve"
)

func TestServeFlags(t *testing.T) {
	defer func(old func(string) string) { getenv = old }(getenv)
	getenv = func(k string) string {
		if k == "TOLLGATE_TLS_PASSWORD" {
			return "pfx-pass"
		}
		return ""
	}
	parse := func(args ...string) (serve.Options, error) {
		var o serve.Options
		fs := pflag.NewFlagSet("run", pflag.ContinueOnError)
		addServeFlags(fs, &o)
		return o, fs.Parse(args)
	}
	o, err := parse("--tls-cert", "a.pem", "--tls-cert", "b.PFX", "--tls-cert", "c.pem", "--tls-key", "a.key", "--tls-key", "c.key",
		"--tls-listen", ":443", "--h2c", "--client-certificate", "require", "--client-ca", "ca.pem",
		"--max-connections", "50", "--max-header-bytes", "1000", "--drain-timeout", "5s", "--idle-timeout", "1m")
	if err != nil {
		t.Fatal(err)
	}
	wantCerts := []serve.CertSource{{CertFile: "a.pem", KeyFile: "a.key"}, {CertFile: "b.PFX", Password: "pfx-pass"}, {CertFile: "c.pem", KeyFile: "c.key"}}
	if !reflect.DeepEqual(o.Certificates, wantCerts) {
		t.Errorf("certificates %+v", o.Certificates)
	}
	if o.TLSListen != ":443" || !o.H2C || o.ClientCertificate != serve.ClientCertificateRequire || o.ClientCA != "ca.pem" ||
		o.MaxConnections != 50 || o.MaxHeaderBytes != 1000 || o.DrainTimeout != 5*time.Second || o.IdleTimeout != time.Minute {
		t.Errorf("options %+v", o)
	}

	o, err = parse()
	if err != nil {
		t.Fatal(err)
	}
	if o.MaxHeaderBytes != 32<<10 || o.MaxURLLength != 8<<10 || o.DrainTimeout != 30*time.Second || o.MaxConnections != serve.DefaultMaxConnections ||
		o.ClientCertificate != serve.ClientCertificateOff || o.TLSListen != "" {
		t.Errorf("defaults %+v", o)
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--tls-key", "a.key"}, "a.key: no --tls-cert before it awaits a key"},
		{[]string{"--tls-cert", "a.pfx", "--tls-key", "a.key"}, "a.key: no --tls-cert before it awaits a key (a .pfx file carries its own)"},
		{[]string{"--client-certificate", "sometimes"}, `"sometimes": want off, request or require`},
	} {
		if _, err := parse(tc.args...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: got %v, want %q", tc.args, err, tc.want)
		}
	}
}
