package value

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"os"
	"path/filepath"
	"testing"
)

func TestFormatDistinguishedName(t *testing.T) {
	atv := func(oid asn1.ObjectIdentifier, v string) pkix.AttributeTypeAndValue {
		return pkix.AttributeTypeAndValue{Type: oid, Value: v}
	}
	cn, o, c, ou := asn1.ObjectIdentifier{2, 5, 4, 3}, asn1.ObjectIdentifier{2, 5, 4, 10}, asn1.ObjectIdentifier{2, 5, 4, 6}, asn1.ObjectIdentifier{2, 5, 4, 11}
	email, st := asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}, asn1.ObjectIdentifier{2, 5, 4, 8}
	cases := []struct {
		seq  pkix.RDNSequence
		want string
	}{
		{pkix.RDNSequence{{atv(c, "NL")}, {atv(o, "Acme")}, {atv(cn, "api")}}, "CN=api, O=Acme, C=NL"},
		{pkix.RDNSequence{{atv(o, "Acme, Inc.")}, {atv(cn, `say "hi"`)}}, `CN="say ""hi""", O="Acme, Inc."`},
		{pkix.RDNSequence{{atv(cn, "a"), atv(ou, "b")}}, "CN=a + OU=b"},
		{pkix.RDNSequence{{atv(email, "x@y.z")}, {atv(st, "Utrecht")}, {atv(asn1.ObjectIdentifier{1, 2, 3}, "v")}}, "OID.1.2.3=v, S=Utrecht, E=x@y.z"},
		{pkix.RDNSequence{{atv(cn, " padded")}}, `CN=" padded"`},
	}
	for _, tc := range cases {
		der, err := asn1.Marshal(tc.seq)
		if err != nil {
			t.Fatal(err)
		}
		if got := FormatDistinguishedName(der); got != tc.want {
			t.Errorf("got %q, want %q", got, tc.want)
		}
	}
	if got := FormatDistinguishedName([]byte{1, 2}); got != "" {
		t.Errorf("garbage: got %q", got)
	}
}

// FuzzLoadCertificate feeds arbitrary bytes to the X509Certificate2
// constructor's loader: it must return an error or a certificate, never
// panic.
func FuzzLoadCertificate(f *testing.F) {
	for _, name := range []string{"cert.pem", "cert.pfx", "cert-nopass.pfx"} {
		data, err := os.ReadFile(filepath.Join("..", "testdata", "crypto", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, "test")
		f.Add(data, "")
	}
	f.Fuzz(func(t *testing.T, data []byte, password string) {
		c, err := LoadCertificate(data, password)
		if err == nil && (c.X509 == nil || len(c.Thumbprint) != 40) {
			t.Fatalf("certificate without parsed form or thumbprint: %+v", c)
		}
		if err == nil {
			_ = FormatDistinguishedName(c.X509.RawSubject)
		}
	})
}
