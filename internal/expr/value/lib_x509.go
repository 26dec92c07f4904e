package value

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"

	"github.com/tollgate/tollgate/internal/dotnet"
	"golang.org/x/crypto/pkcs12"
)

// NewCertificate builds an X509Certificate2 from DER bytes and an optional
// private key (an *rsa.PrivateKey for the RSA members).
func NewCertificate(der []byte, key crypto.PrivateKey) (*Certificate, error) {
	x, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("parse certificate: %w", err)
	}
	sum := sha1.Sum(x.Raw)
	return &Certificate{
		Subject:      FormatDistinguishedName(x.RawSubject),
		Issuer:       FormatDistinguishedName(x.RawIssuer),
		Thumbprint:   strings.ToUpper(hex.EncodeToString(sum[:])),
		SerialNumber: strings.ToUpper(hex.EncodeToString(serialBytes(x))),
		NotBefore:    x.NotBefore.UTC(),
		NotAfter:     x.NotAfter.UTC(),
		Raw:          x.Raw,
		X509:         x,
		PrivateKey:   key,
	}, nil
}

// LoadCertificate reads a certificate as new X509Certificate2(rawData,
// password) does: DER, PEM (the first CERTIFICATE block) or PKCS#12 (the
// legacy 3DES/RC2 encryptions; the certificate that matches the private key,
// or the first one). Errors carry the .NET message.
func LoadCertificate(data []byte, password string) (*Certificate, error) {
	if len(data) == 0 {
		return nil, errors.New("Array may not be empty or null. (Parameter 'rawData')")
	}
	if bytes.Contains(data, []byte("-----BEGIN")) {
		rest := data
		for {
			var b *pem.Block
			b, rest = pem.Decode(rest)
			if b == nil {
				break
			}
			if b.Type == "CERTIFICATE" {
				return NewCertificate(b.Bytes, nil)
			}
		}
		return nil, errors.New("Cannot find the requested object.")
	}
	if _, err := x509.ParseCertificate(data); err == nil {
		return NewCertificate(data, nil)
	}
	blocks, err := pkcs12.ToPEM(data, password)
	if err != nil {
		var ni pkcs12.NotImplementedError
		switch {
		case errors.Is(err, pkcs12.ErrIncorrectPassword), errors.Is(err, pkcs12.ErrDecryption):
			return nil, errors.New("The specified network password is not correct.")
		case errors.As(err, &ni):
			return nil, fmt.Errorf("tollgate cannot read this PKCS#12 file: %w", err)
		}
		return nil, errors.New("Cannot find the requested object.")
	}
	var key crypto.PrivateKey
	var certs [][]byte
	for _, b := range blocks {
		switch b.Type {
		case "CERTIFICATE":
			certs = append(certs, b.Bytes)
		case "RSA PRIVATE KEY", "EC PRIVATE KEY", "PRIVATE KEY":
			key, err = parseAnyKey(b.Bytes)
		}
		if err != nil {
			return nil, fmt.Errorf("tollgate cannot read the private key: %w", err)
		}
	}
	if len(certs) == 0 {
		return nil, errors.New("Cannot find the requested object.")
	}
	pick := certs[0]
	if s, ok := key.(crypto.Signer); ok {
		for _, der := range certs {
			if x, err := x509.ParseCertificate(der); err == nil {
				if e, ok := x.PublicKey.(interface{ Equal(crypto.PublicKey) bool }); ok && e.Equal(s.Public()) {
					pick = der
					break
				}
			}
		}
	}
	return NewCertificate(pick, key)
}

// serialBytes returns the serial number as encoded (big-endian, with the
// leading zero DER adds to positive numbers whose high bit is set).
func serialBytes(x *x509.Certificate) []byte {
	var tbs struct {
		Raw     asn1.RawContent
		Version int `asn1:"optional,explicit,default:0,tag:0"`
		Serial  asn1.RawValue
	}
	if _, err := asn1.Unmarshal(x.RawTBSCertificate, &tbs); err == nil && len(tbs.Serial.Bytes) > 0 {
		return tbs.Serial.Bytes
	}
	b := x.SerialNumber.Bytes()
	if len(b) == 0 || b[0]&0x80 != 0 {
		b = append([]byte{0}, b...)
	}
	return b
}

var dnNames = map[string]string{
	"2.5.4.3": "CN", "2.5.4.7": "L", "2.5.4.10": "O", "2.5.4.11": "OU", "2.5.4.6": "C", "2.5.4.8": "S",
	"2.5.4.9": "STREET", "2.5.4.12": "T", "2.5.4.42": "G", "2.5.4.43": "I", "2.5.4.4": "SN", "2.5.4.5": "SERIALNUMBER",
	"1.2.840.113549.1.9.1": "E", "0.9.2342.19200300.100.1.25": "DC", "2.5.4.17": "PostalCode", "2.5.4.13": "Description",
}

// FormatDistinguishedName formats a DER-encoded X.500 name the way .NET's
// X500DistinguishedName.Name does on Windows: the last RDN first, ", "
// between RDNs, " + " inside multi-valued RDNs, short attribute names and
// quoted values when they contain special characters.
func FormatDistinguishedName(der []byte) string {
	var seq pkix.RDNSequence
	if _, err := asn1.Unmarshal(der, &seq); err != nil {
		return ""
	}
	var b strings.Builder
	for i := len(seq) - 1; i >= 0; i-- {
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		for j, atv := range seq[i] {
			if j > 0 {
				b.WriteString(" + ")
			}
			name, ok := dnNames[atv.Type.String()]
			if !ok {
				name = "OID." + atv.Type.String()
			}
			b.WriteString(name)
			b.WriteByte('=')
			v := fmt.Sprint(atv.Value)
			if v == "" || strings.ContainsAny(v, ",+=<>#;\"\n\r") || strings.TrimSpace(v) != v {
				v = `"` + strings.ReplaceAll(v, `"`, `""`) + `"`
			}
			b.WriteString(v)
		}
	}
	return b.String()
}

// X500Name is an X500DistinguishedName.
type X500Name struct{ Name string }

// DotnetType implements Typed.
func (n *X500Name) DotnetType(u *Lib) *Type { return u.Types["X500DistinguishedName"] }

// Oid is a System.Security.Cryptography.Oid.
type Oid struct{ Value, FriendlyName string }

// DotnetType implements Typed.
func (o *Oid) DotnetType(u *Lib) *Type { return u.Types["Oid"] }

// CertPublicKey is an X509Certificates.PublicKey.
type CertPublicKey struct{ C *Certificate }

// DotnetType implements Typed.
func (p *CertPublicKey) DotnetType(u *Lib) *Type { return u.Types["PublicKey"] }

var sigAlgOids = map[x509.SignatureAlgorithm][2]string{
	x509.MD5WithRSA: {"1.2.840.113549.1.1.4", "md5RSA"}, x509.SHA1WithRSA: {"1.2.840.113549.1.1.5", "sha1RSA"},
	x509.SHA256WithRSA: {"1.2.840.113549.1.1.11", "sha256RSA"}, x509.SHA384WithRSA: {"1.2.840.113549.1.1.12", "sha384RSA"},
	x509.SHA512WithRSA: {"1.2.840.113549.1.1.13", "sha512RSA"}, x509.SHA256WithRSAPSS: {"1.2.840.113549.1.1.10", "RSASSA-PSS"},
	x509.SHA384WithRSAPSS: {"1.2.840.113549.1.1.10", "RSASSA-PSS"}, x509.SHA512WithRSAPSS: {"1.2.840.113549.1.1.10", "RSASSA-PSS"},
	x509.ECDSAWithSHA1: {"1.2.840.10045.4.1", "sha1ECDSA"}, x509.ECDSAWithSHA256: {"1.2.840.10045.4.3.2", "sha256ECDSA"},
	x509.ECDSAWithSHA384: {"1.2.840.10045.4.3.3", "sha384ECDSA"}, x509.ECDSAWithSHA512: {"1.2.840.10045.4.3.4", "sha512ECDSA"},
	x509.PureEd25519: {"1.3.101.112", "Ed25519"},
}

// knownOids are the OIDs whose friendly names new Oid(string) looks up,
// beyond the signature algorithms of sigAlgOids.
var knownOids = [][2]string{
	{"1.2.840.113549.1.1.1", "RSA"}, {"1.2.840.10045.2.1", "ECC"},
	{"1.2.840.113549.2.5", "md5"}, {"1.3.14.3.2.26", "sha1"},
	{"2.16.840.1.101.3.4.2.1", "sha256"}, {"2.16.840.1.101.3.4.2.2", "sha384"}, {"2.16.840.1.101.3.4.2.3", "sha512"},
}

// lookupOid is new Oid(oid): s is a dotted value or a friendly name, and
// the other half is filled in when .NET knows the OID.
func lookupOid(s string) *Oid {
	for _, o := range knownOids {
		if o[0] == s || o[1] == s {
			return &Oid{o[0], o[1]}
		}
	}
	for _, o := range sigAlgOids {
		if o[0] == s || o[1] == s {
			return &Oid{o[0], o[1]}
		}
	}
	return &Oid{Value: s}
}

func keyOid(x *x509.Certificate) *Oid {
	switch x.PublicKeyAlgorithm {
	case x509.RSA:
		return &Oid{"1.2.840.113549.1.1.1", "RSA"}
	case x509.ECDSA:
		return &Oid{"1.2.840.10045.2.1", "ECC"}
	case x509.Ed25519:
		return &Oid{"1.3.101.112", "Ed25519"}
	}
	return &Oid{}
}

func certRSAPublic(c *Certificate) Value {
	if c.X509 == nil {
		return nil
	}
	if pub, ok := c.X509.PublicKey.(*rsa.PublicKey); ok {
		return &RSAKey{Pub: pub, Size: pub.N.BitLen(), Cng: true}
	}
	return nil
}

func certRSAPrivate(c *Certificate) Value {
	if priv, ok := c.PrivateKey.(*rsa.PrivateKey); ok {
		return &RSAKey{Priv: priv, Pub: &priv.PublicKey, Size: priv.N.BitLen(), Cng: true}
	}
	return nil
}

func (c *Certificate) needX509(member string) *x509.Certificate {
	if c.X509 == nil {
		Throw(ExNotSupported, "X509Certificate2.%s is not available for this certificate in tollgate.", member)
	}
	return c.X509
}

// nameInfo implements GetNameInfo for the X509NameType values.
func nameInfo(c *Certificate, kind int64, forIssuer bool) string {
	x := c.needX509("GetNameInfo")
	raw := x.RawSubject
	if forIssuer {
		raw = x.RawIssuer
	}
	var seq pkix.RDNSequence
	_, _ = asn1.Unmarshal(raw, &seq)
	first := func(oid string) string {
		for _, rdn := range seq {
			for _, atv := range rdn {
				if atv.Type.String() == oid {
					return fmt.Sprint(atv.Value)
				}
			}
		}
		return ""
	}
	firstOf := func(oids ...string) string {
		for _, o := range oids {
			if v := first(o); v != "" {
				return v
			}
		}
		return ""
	}
	switch kind {
	case 0: // SimpleName
		if v := firstOf("2.5.4.3", "2.5.4.11", "2.5.4.10", "1.2.840.113549.1.9.1"); v != "" {
			return v
		}
		if !forIssuer && len(x.EmailAddresses) > 0 {
			return x.EmailAddresses[0]
		}
	case 1: // EmailName
		if v := first("1.2.840.113549.1.9.1"); v != "" {
			return v
		}
		if !forIssuer && len(x.EmailAddresses) > 0 {
			return x.EmailAddresses[0]
		}
	case 3, 4: // DnsName, DnsFromAlternativeName
		if !forIssuer && len(x.DNSNames) > 0 {
			return x.DNSNames[0]
		}
		if kind == 3 {
			return first("2.5.4.3")
		}
	case 5: // UrlName
		if !forIssuer && len(x.URIs) > 0 {
			return x.URIs[0].String()
		}
	}
	return ""
}

func (u *Lib) buildCertificate() {
	base := u.newType("X509Certificate", "System.Security.Cryptography.X509Certificates.X509Certificate", u.Object)
	base.Is = func(v Value) bool { _, ok := v.(*Certificate); return ok }
	// Equals(X509Certificate other) and Equals(object obj): the same
	// issuer and serial number.
	base.add(meth("Equals", 1, 1, u.Bool, func(c Call) Value {
		x, y := c.This.(*Certificate), c.Arg(0)
		o, ok := y.(*Certificate)
		return ok && o.Issuer == x.Issuer && o.SerialNumber == x.SerialNumber
	}))
	ct := u.Certificate
	ct.Base = base
	ct.Is = base.Is
	rsaT := u.Types["RSA"]
	x500 := u.newType("X500DistinguishedName", "System.Security.Cryptography.X509Certificates.X500DistinguishedName", u.Object)
	x500.add(prop("Name", u.String, func(c Call) Value { return c.This.(*X500Name).Name }))
	oid := u.newType("Oid", "System.Security.Cryptography.Oid", u.Object)
	oid.New = func(c Call) Value {
		if o, ok := c.Arg(0).(*Oid); ok && !c.Has(1) {
			cp := *o // new Oid(Oid oid)
			return &cp
		}
		if c.Has(0) && !c.Has(1) {
			return lookupOid(c.Str(0))
		}
		return &Oid{Value: c.Str(0), FriendlyName: c.Str(1)}
	}
	oid.add(prop("Value", u.String, func(c Call) Value { return nilIfEmpty(c.This.(*Oid).Value) }),
		prop("FriendlyName", u.String, func(c Call) Value { return nilIfEmpty(c.This.(*Oid).FriendlyName) }))
	pk := u.newType("PublicKey", "System.Security.Cryptography.X509Certificates.PublicKey", u.Object)
	pk.add(prop("Key", rsaT, func(c Call) Value {
		p := c.This.(*CertPublicKey)
		if k := certRSAPublic(p.C); k != nil {
			return k
		}
		Throw(ExNotSupported, "The certificate key algorithm is not supported.")
		return nil
	}),
		prop("Oid", oid, func(c Call) Value { return keyOid(c.This.(*CertPublicKey).C.X509) }),
		meth("GetRSAPublicKey", 0, 0, rsaT, func(c Call) Value { return certRSAPublic(c.This.(*CertPublicKey).C) }))
	nt := u.newType("X509NameType", "System.Security.Cryptography.X509Certificates.X509NameType", u.Object)
	nt.EnumValues = map[string]int64{"SimpleName": 0, "EmailName": 1, "UpnName": 2, "DnsName": 3, "DnsFromAlternativeName": 4, "UrlName": 5}
	u.newType("X509ContentType", "System.Security.Cryptography.X509Certificates.X509ContentType", u.Object).EnumValues = map[string]int64{
		"Unknown": 0, "Cert": 1, "SerializedCert": 2, "Pfx": 3, "Pkcs12": 3, "SerializedStore": 4, "Pkcs7": 5, "Authenticode": 6}

	cert := func(c Call) *Certificate { return c.This.(*Certificate) }
	hexUp := func(b []byte) string { return strings.ToUpper(hex.EncodeToString(b)) }
	certHash := func(c Call) []byte {
		if c.Has(0) {
			h := cryptoHash(c.Args[0], "hashAlgorithm")
			return digest(h, cert(c).Raw)
		}
		s := sha1.Sum(cert(c).Raw)
		return s[:]
	}
	ct.add(
		prop("Subject", u.String, func(c Call) Value { return cert(c).Subject }),
		prop("Issuer", u.String, func(c Call) Value { return cert(c).Issuer }),
		prop("SubjectName", x500, func(c Call) Value { return &X500Name{cert(c).Subject} }),
		prop("IssuerName", x500, func(c Call) Value { return &X500Name{cert(c).Issuer} }),
		prop("Thumbprint", u.String, func(c Call) Value { return cert(c).Thumbprint }),
		prop("SerialNumber", u.String, func(c Call) Value { return cert(c).SerialNumber }),
		prop("NotBefore", u.DateTime, func(c Call) Value { return WithKind(cert(c).NotBefore.UTC(), dotnet.Local) }),
		prop("NotAfter", u.DateTime, func(c Call) Value { return WithKind(cert(c).NotAfter.UTC(), dotnet.Local) }),
		prop("RawData", u.Bytes, func(c Call) Value { return append([]byte(nil), cert(c).Raw...) }),
		prop("HasPrivateKey", u.Bool, func(c Call) Value { return cert(c).PrivateKey != nil }),
		prop("Version", u.Int, func(c Call) Value { return int32(cert(c).needX509("Version").Version) }),
		prop("FriendlyName", u.String, func(c Call) Value { return "" }),
		prop("Archived", u.Bool, func(c Call) Value { return false }),
		prop("SignatureAlgorithm", oid, func(c Call) Value {
			o := sigAlgOids[cert(c).needX509("SignatureAlgorithm").SignatureAlgorithm]
			return &Oid{o[0], o[1]}
		}),
		prop("PublicKey", pk, func(c Call) Value {
			cert(c).needX509("PublicKey")
			return &CertPublicKey{cert(c)}
		}),
		prop("PrivateKey", u.Types["AsymmetricAlgorithm"], func(c Call) Value { return certRSAPrivate(cert(c)) }),
		meth("GetRSAPrivateKey", 0, 0, rsaT, func(c Call) Value { return certRSAPrivate(cert(c)) }),
		meth("GetRSAPublicKey", 0, 0, rsaT, func(c Call) Value { return certRSAPublic(cert(c)) }),
		meth("GetCertHash", 0, 1, u.Bytes, func(c Call) Value { return certHash(c) }),
		meth("GetCertHashString", 0, 1, u.String, func(c Call) Value { return hexUp(certHash(c)) }),
		meth("GetRawCertData", 0, 0, u.Bytes, func(c Call) Value { return append([]byte(nil), cert(c).Raw...) }),
		meth("GetRawCertDataString", 0, 0, u.String, func(c Call) Value { return hexUp(cert(c).Raw) }),
		meth("GetSerialNumberString", 0, 0, u.String, func(c Call) Value { return cert(c).SerialNumber }),
		meth("GetSerialNumber", 0, 0, u.Bytes, func(c Call) Value {
			b, _ := hex.DecodeString(cert(c).SerialNumber)
			for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
				b[i], b[j] = b[j], b[i]
			}
			return b
		}),
		meth("GetPublicKey", 0, 0, u.Bytes, func(c Call) Value {
			var spki struct {
				Algorithm pkix.AlgorithmIdentifier
				Key       asn1.BitString
			}
			_, _ = asn1.Unmarshal(cert(c).needX509("GetPublicKey").RawSubjectPublicKeyInfo, &spki)
			return spki.Key.Bytes
		}),
		meth("GetPublicKeyString", 0, 0, u.String, func(c Call) Value {
			var spki struct {
				Algorithm pkix.AlgorithmIdentifier
				Key       asn1.BitString
			}
			_, _ = asn1.Unmarshal(cert(c).needX509("GetPublicKeyString").RawSubjectPublicKeyInfo, &spki)
			return hexUp(spki.Key.Bytes)
		}),
		meth("GetEffectiveDateString", 0, 0, u.String, func(c Call) Value { return ToString(WithKind(cert(c).NotBefore.UTC(), dotnet.Local)) }),
		meth("GetExpirationDateString", 0, 0, u.String, func(c Call) Value { return ToString(WithKind(cert(c).NotAfter.UTC(), dotnet.Local)) }),
		meth("GetKeyAlgorithm", 0, 0, u.String, func(c Call) Value { return keyOid(cert(c).needX509("GetKeyAlgorithm")).Value }),
		meth("GetNameInfo", 2, 2, u.String, func(c Call) Value {
			e, ok := c.Args[0].(Enum)
			if !ok {
				ThrowCast(c.Args[0], nt.FullName)
			}
			return nameInfo(cert(c), e.V, c.Bool(1))
		}),
		meth("Verify", 0, 0, u.Bool, func(c Call) Value { return verifyChain(cert(c).needX509("Verify"), c) }),
		meth("VerifyNoRevocation", 0, 0, u.Bool, func(c Call) Value { return false }),
		meth("Dispose", 0, 0, u.Void, func(c Call) Value { return nil }),
		meth("Reset", 0, 0, u.Void, func(c Call) Value { return nil }),
	)
	ct.Members["VerifyNoRevocation"].Unsupported = "certificate chain validation is not available in expressions"
	ct.NewMin = 1
	ct.New = func(c Call) Value {
		if c.Has(0) {
			if _, ok := c.Args[0].(string); ok {
				Throw(ExNotSupported, "Loading an X509Certificate2 from a file is not supported in expressions.")
			}
		}
		if x, ok := c.Arg(0).(*Certificate); ok && !c.Has(1) {
			cp := *x // new X509Certificate2(X509Certificate certificate)
			return &cp
		}
		if c.IsNull(0) {
			Throw(ExArgument, "Array may not be empty or null. (Parameter 'rawData')")
		}
		data := c.Bytes(0)
		if len(data) == 0 {
			Throw(ExArgument, "Array may not be empty or null. (Parameter 'rawData')")
		}
		cert, err := LoadCertificate(data, c.Str(1))
		if err != nil {
			if strings.HasPrefix(err.Error(), "tollgate ") {
				Throw(ExNotSupported, "%s", err.Error())
			}
			Throw(ExCrypto, "%s", err.Error())
		}
		return cert
	}
	ext := u.newType("RSACertificateExtensions", "System.Security.Cryptography.X509Certificates.RSACertificateExtensions", u.Object)
	certArg := func(c Call) *Certificate {
		c.NotNull(0, "certificate")
		x, ok := c.Args[0].(*Certificate)
		if !ok {
			ThrowCast(c.Args[0], ct.FullName)
		}
		return x
	}
	ext.addStatic(meth("GetRSAPrivateKey", 1, 1, rsaT, func(c Call) Value { return certRSAPrivate(certArg(c)) }),
		meth("GetRSAPublicKey", 1, 1, rsaT, func(c Call) Value { return certRSAPublic(certArg(c)) }))
}

// parseAnyKey reads a PKCS#1, SEC 1 or PKCS#8 private key.
func parseAnyKey(der []byte) (crypto.PrivateKey, error) {
	if k, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return k, nil
	}
	if k, err := x509.ParseECPrivateKey(der); err == nil {
		return k, nil
	}
	return x509.ParsePKCS8PrivateKey(der)
}
