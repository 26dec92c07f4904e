package gateway

import (
	"crypto/sha1"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/tollgate/tollgate/internal/expr"
	"github.com/tollgate/tollgate/internal/policy"
)

// ClientTrust is what validate-client-certificate checks client
// certificates against: the certification authorities of --client-ca and,
// when given, a certificate revocation list.
type ClientTrust struct {
	// Roots returns the trusted authorities; nil means none configured.
	Roots func() *x509.CertPool
	// Revoked is a CRL, nil when none was given.
	Revoked *x509.RevocationList
}

// clientCertificate is the request's client certificate for expressions
// (context.Request.Certificate), nil when it has none.
func clientCertificate(r *http.Request) *expr.Certificate {
	if r.TLS == nil || len(r.TLS.PeerCertificates) == 0 {
		return nil
	}
	c, err := expr.NewCertificate(r.TLS.PeerCertificates[0].Raw, nil)
	if err != nil {
		return nil
	}
	return c
}

func errClientCertificate(st *policy.Step, cause string) *Error {
	return policyError(st.Name, "ClientCertificateInvalid", "Invalid client certificate", http.StatusForbidden, cause)
}

// execValidateClientCertificate runs validate-client-certificate: every
// rule of the element, and all the claims of at least one identity.
func (x *exchange) execValidateClientCertificate(st *policy.Step, p *policy.ValidateClientCertificate, began time.Time) *Error {
	fail := func(cause string) *Error {
		if p.IgnoreError.B {
			x.tracePolicy(st, began, "client certificate not valid (ignore-error): %s", cause)
			return nil
		}
		return errClientCertificate(st, cause)
	}
	r := x.r
	if r.TLS == nil || len(r.TLS.PeerCertificates) == 0 {
		if r.TLS == nil {
			return fail("the request came over plain HTTP, so it carries no client certificate: call the HTTPS listener (--tls-cert) with --client-certificate request or require")
		}
		return fail("the request carries no client certificate: the client sent none, or tollgate does not ask for one (run with --client-certificate request or require)")
	}
	cert := r.TLS.PeerCertificates[0]
	thumb := thumbprint(cert.Raw)
	now := x.start
	if p.ValidateNotBefore.B && now.Before(cert.NotBefore) {
		return fail(fmt.Sprintf("the client certificate %s (thumbprint %s) is not valid before %s", cert.Subject, thumb, cert.NotBefore.UTC().Format(time.RFC3339)))
	}
	if p.ValidateNotAfter.B && now.After(cert.NotAfter) {
		return fail(fmt.Sprintf("the client certificate %s (thumbprint %s) expired at %s", cert.Subject, thumb, cert.NotAfter.UTC().Format(time.RFC3339)))
	}
	var issuer *x509.Certificate
	if p.ValidateTrust.B || needsIssuer(p) {
		var roots *x509.CertPool
		if t := x.g.clientTrust; t != nil && t.Roots != nil {
			roots = t.Roots()
		}
		if roots == nil {
			if p.ValidateTrust.B {
				return fail("validate-trust is on, but tollgate has no certification authority to trust client certificates to: give --client-ca FILE, or set validate-trust=\"false\"")
			}
		} else {
			inter := x509.NewCertPool()
			for _, c := range r.TLS.PeerCertificates[1:] {
				inter.AddCert(c)
			}
			chains, err := cert.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: now, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
			if err != nil && p.ValidateTrust.B {
				return fail(fmt.Sprintf("the client certificate %s (issuer %s) does not chain to a trusted authority of --client-ca: %v", cert.Subject, cert.Issuer, err))
			}
			if err == nil && len(chains) > 0 && len(chains[0]) > 1 {
				issuer = chains[0][1]
			}
		}
	}
	if p.ValidateRevocation.B {
		if t := x.g.clientTrust; t != nil && t.Revoked != nil {
			for _, rc := range t.Revoked.RevokedCertificateEntries {
				if rc.SerialNumber.Cmp(cert.SerialNumber) == 0 {
					return fail(fmt.Sprintf("the client certificate %s (serial %X) is revoked since %s by the revocation list", cert.Subject, cert.SerialNumber, rc.RevocationTime.UTC().Format(time.RFC3339)))
				}
			}
		}
	}
	if len(p.Identities) > 0 {
		var misses []string
		matched := false
		for i, id := range p.Identities {
			miss, err := x.identityMismatch(st, id, cert, thumb, issuer)
			if err != nil {
				return err
			}
			if miss == "" {
				matched = true
				break
			}
			misses = append(misses, fmt.Sprintf("identity %d: %s", i+1, miss))
		}
		if !matched {
			return fail(fmt.Sprintf("the client certificate %s (thumbprint %s) matches none of the identities: %s", cert.Subject, thumb, strings.Join(misses, "; ")))
		}
	}
	x.tracePolicy(st, began, "client certificate %s (thumbprint %s) is valid", cert.Subject, thumb)
	return nil
}

func needsIssuer(p *policy.ValidateClientCertificate) bool {
	for _, id := range p.Identities {
		if _, ok := id["issuer-thumbprint"]; ok {
			return true
		}
		if _, ok := id["issuer-certificate-id"]; ok {
			return true
		}
	}
	return false
}

// identityMismatch says which claim of one identity the certificate does
// not have, "" when it has them all.
func (x *exchange) identityMismatch(st *policy.Step, id map[string]policy.Value, cert *x509.Certificate, thumb string, issuer *x509.Certificate) (string, *Error) {
	for _, name := range []string{"thumbprint", "serial-number", "common-name", "subject", "dns-name", "issuer-subject", "issuer-thumbprint", "issuer-certificate-id"} {
		v, ok := id[name]
		if !ok {
			continue
		}
		want, err := x.str(st, v)
		if err != nil {
			return "", err
		}
		var have string
		var match bool
		switch name {
		case "thumbprint":
			have, match = thumb, strings.EqualFold(want, thumb)
		case "serial-number":
			have = fmt.Sprintf("%X", cert.SerialNumber)
			match = strings.EqualFold(strings.TrimLeft(want, "0"), strings.TrimLeft(have, "0"))
		case "common-name":
			have, match = cert.Subject.CommonName, want == cert.Subject.CommonName
		case "subject":
			have = dotnetName(cert.Subject.String())
			match = sameName(want, cert.Subject.String())
		case "dns-name":
			have = strings.Join(cert.DNSNames, ", ")
			for _, n := range cert.DNSNames {
				match = match || strings.EqualFold(n, want)
			}
		case "issuer-subject":
			have = dotnetName(cert.Issuer.String())
			match = sameName(want, cert.Issuer.String())
		case "issuer-thumbprint":
			if issuer != nil {
				have = thumbprint(issuer.Raw)
			}
			match = issuer != nil && strings.EqualFold(want, have)
		case "issuer-certificate-id":
			if c := x.g.certs.byID[want]; c != nil && issuer != nil {
				have = "certificate " + want
				match = strings.EqualFold(c.Thumbprint, thumbprint(issuer.Raw))
			}
		}
		if !match {
			if have == "" {
				have = "none"
			}
			return fmt.Sprintf("%s is %q, not %q", name, have, want), nil
		}
	}
	return "", nil
}

func thumbprint(der []byte) string {
	sum := sha1.Sum(der)
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}

// sameName compares distinguished names as APIM does, ignoring the order
// Go and .NET write their parts in and the spaces after commas.
func sameName(want, goName string) bool {
	norm := func(s string) string {
		parts := strings.Split(s, ",")
		for i, p := range parts {
			parts[i] = strings.TrimSpace(p)
		}
		parts = sortedStrings(parts)
		return strings.Join(parts, ",")
	}
	return strings.EqualFold(norm(want), norm(goName))
}

// dotnetName writes a Go distinguished name the way .NET shows it, with
// ", " between its parts.
func dotnetName(goName string) string { return strings.ReplaceAll(goName, ",", ", ") }
