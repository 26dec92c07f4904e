package value

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"encoding/xml"
	"math/big"
	"strings"
)

// ExCrypto is the exception type of cryptographic failures.
const ExCrypto = "System.Security.Cryptography.CryptographicException"

// RSAKey is an instance of System.Security.Cryptography.RSA. A key made by
// RSA.Create() is generated on first use, as .NET does; keys taken from
// certificates are RSACng instances.
type RSAKey struct {
	Priv *rsa.PrivateKey
	Pub  *rsa.PublicKey
	// Size is the key size in bits used when the key is generated.
	Size int
	// Cng marks keys whose runtime type is RSACng.
	Cng bool
}

// DotnetType implements Typed.
func (k *RSAKey) DotnetType(u *Lib) *Type {
	if k.Cng {
		return u.Types["RSACng"]
	}
	return u.Types["RSA"]
}

func (k *RSAKey) public() *rsa.PublicKey {
	if k.Pub == nil && k.Priv == nil {
		size := k.Size
		if size == 0 {
			size = 2048
		}
		p, err := rsa.GenerateKey(rand.Reader, size)
		if err != nil {
			Throw(ExCrypto, "The specified key size is not valid.")
		}
		k.Priv, k.Pub = p, &p.PublicKey
	}
	return k.Pub
}

func (k *RSAKey) private() *rsa.PrivateKey {
	k.public()
	if k.Priv == nil {
		Throw(ExCrypto, "Key does not exist.")
	}
	return k.Priv
}

func (k *RSAKey) set(priv *rsa.PrivateKey, pub *rsa.PublicKey) {
	if priv != nil {
		priv.Precompute()
		pub = &priv.PublicKey
	}
	k.Priv, k.Pub, k.Size = priv, pub, pub.N.BitLen()
}

// HashName is a System.Security.Cryptography.HashAlgorithmName.
type HashName struct {
	Name string
}

// DotnetString implements Stringer.
func (h HashName) DotnetString() string { return h.Name }

// DotnetType implements Typed.
func (h HashName) DotnetType(u *Lib) *Type { return u.Types["HashAlgorithmName"] }

// RSAPadding is an RSASignaturePadding (Sig) or an RSAEncryptionPadding. Mode
// is "Pkcs1", "Pss" or "Oaep"; Hash is the OAEP hash name.
type RSAPadding struct {
	Sig  bool
	Mode string
	Hash string
}

// DotnetString implements Stringer.
func (p RSAPadding) DotnetString() string {
	if p.Mode == "Oaep" {
		return "Oaep" + p.Hash
	}
	return p.Mode
}

// DotnetType implements Typed.
func (p RSAPadding) DotnetType(u *Lib) *Type {
	if p.Sig {
		return u.Types["RSASignaturePadding"]
	}
	return u.Types["RSAEncryptionPadding"]
}

// RSAParams is a System.Security.Cryptography.RSAParameters.
type RSAParams struct {
	Modulus, Exponent, D, P, Q, DP, DQ, InverseQ []byte
}

// DotnetType implements Typed.
func (p *RSAParams) DotnetType(u *Lib) *Type { return u.Types["RSAParameters"] }

func cryptoHash(v Value, param string) crypto.Hash {
	h, ok := v.(HashName)
	if !ok && v != nil {
		ThrowCast(v, "System.Security.Cryptography.HashAlgorithmName")
	}
	switch h.Name {
	case "":
		Throw(ExArgument, "The hash algorithm name cannot be null or empty. (Parameter '%s')", param)
	case "MD5":
		return crypto.MD5
	case "SHA1":
		return crypto.SHA1
	case "SHA256":
		return crypto.SHA256
	case "SHA384":
		return crypto.SHA384
	case "SHA512":
		return crypto.SHA512
	case "SHA3-256":
		return crypto.SHA3_256
	case "SHA3-384":
		return crypto.SHA3_384
	case "SHA3-512":
		return crypto.SHA3_512
	}
	Throw(ExCrypto, "'%s' is not a known hash algorithm.", h.Name)
	return 0
}

func padding(v Value, sig bool) RSAPadding {
	p, ok := v.(RSAPadding)
	if !ok || p.Sig != sig {
		if v == nil {
			Throw(ExArgNull, "Value cannot be null. (Parameter 'padding')")
		}
		if sig {
			ThrowCast(v, "System.Security.Cryptography.RSASignaturePadding")
		}
		ThrowCast(v, "System.Security.Cryptography.RSAEncryptionPadding")
	}
	return p
}

func sliceArgs(c Call, i int, name string) []byte {
	c.NotNull(i, name)
	b := c.Bytes(i)
	off, n := c.Int(i+1), c.Int(i+2)
	if off < 0 || off > len(b) {
		Throw(ExArgRange, "Specified argument was out of the range of valid values. (Parameter 'offset')")
	}
	if n < 0 || n > len(b)-off {
		Throw(ExArgRange, "Specified argument was out of the range of valid values. (Parameter 'count')")
	}
	return b[off : off+n]
}

func digest(h crypto.Hash, data []byte) []byte {
	w := h.New()
	w.Write(data)
	return w.Sum(nil)
}

func rsaSign(k *RSAKey, h crypto.Hash, sum []byte, p RSAPadding) []byte {
	priv := k.private()
	var sig []byte
	var err error
	if p.Mode == "Pss" {
		sig, err = rsa.SignPSS(rand.Reader, priv, h, sum, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
	} else {
		sig, err = rsa.SignPKCS1v15(rand.Reader, priv, h, sum)
	}
	if err != nil {
		Throw(ExCrypto, "%s", err.Error())
	}
	return sig
}

func rsaVerify(k *RSAKey, h crypto.Hash, sum, sig []byte, p RSAPadding) bool {
	pub := k.public()
	if p.Mode == "Pss" {
		return rsa.VerifyPSS(pub, h, sum, sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}) == nil
	}
	return rsa.VerifyPKCS1v15(pub, h, sum, sig) == nil
}

func oaepHash(p RSAPadding) crypto.Hash { return cryptoHash(HashName{p.Hash}, "hashAlgorithm") }

// be returns the big-endian bytes of n, at least size bytes long.
func be(n *big.Int, size int) []byte {
	b := n.Bytes()
	if len(b) < size {
		b = append(make([]byte, size-len(b)), b...)
	}
	return b
}

func exportParams(k *RSAKey, private bool) *RSAParams {
	pub := k.public()
	p := &RSAParams{Modulus: pub.N.Bytes(), Exponent: big.NewInt(int64(pub.E)).Bytes()}
	if private {
		priv := k.private()
		half := (len(p.Modulus) + 1) / 2
		p.D = be(priv.D, len(p.Modulus))
		p.P, p.Q = be(priv.Primes[0], half), be(priv.Primes[1], half)
		p.DP, p.DQ = be(priv.Precomputed.Dp, half), be(priv.Precomputed.Dq, half)
		p.InverseQ = be(priv.Precomputed.Qinv, half)
	}
	return p
}

func importParams(k *RSAKey, p *RSAParams) {
	if p == nil || len(p.Modulus) == 0 || len(p.Exponent) == 0 {
		Throw(ExCrypto, "The specified RSA parameters are not valid. Exponent and Modulus are required. If D is present, it must have the same length as Modulus. If D is present, P, Q, DP, DQ, and InverseQ are required and must have half the length of Modulus, rounded up, otherwise they must be omitted.")
	}
	e := new(big.Int).SetBytes(p.Exponent)
	pub := &rsa.PublicKey{N: new(big.Int).SetBytes(p.Modulus), E: int(e.Int64())}
	if len(p.D) == 0 {
		k.set(nil, pub)
		return
	}
	priv := &rsa.PrivateKey{PublicKey: *pub, D: new(big.Int).SetBytes(p.D),
		Primes: []*big.Int{new(big.Int).SetBytes(p.P), new(big.Int).SetBytes(p.Q)}}
	if err := priv.Validate(); err != nil {
		Throw(ExCrypto, "The parameter is incorrect.")
	}
	k.set(priv, nil)
}

type rsaXML struct {
	XMLName                                      xml.Name `xml:"RSAKeyValue"`
	Modulus, Exponent, P, Q, DP, DQ, InverseQ, D string
}

func (u *Lib) buildRSA() {
	asym := u.newType("AsymmetricAlgorithm", "System.Security.Cryptography.AsymmetricAlgorithm", u.Object)
	r := u.newType("RSA", "System.Security.Cryptography.RSA", asym)
	cng := u.newType("RSACng", "System.Security.Cryptography.RSACng", r)
	r.Is = func(v Value) bool { _, ok := v.(*RSAKey); return ok }
	asym.Is = r.Is
	cng.Is = func(v Value) bool { k, ok := v.(*RSAKey); return ok && k.Cng }
	hn := u.newType("HashAlgorithmName", "System.Security.Cryptography.HashAlgorithmName", u.Object)
	hn.Value = true
	hn.Is = func(v Value) bool { _, ok := v.(HashName); return ok }
	sp := u.newType("RSASignaturePadding", "System.Security.Cryptography.RSASignaturePadding", u.Object)
	sp.Is = func(v Value) bool { p, ok := v.(RSAPadding); return ok && p.Sig }
	ep := u.newType("RSAEncryptionPadding", "System.Security.Cryptography.RSAEncryptionPadding", u.Object)
	ep.Is = func(v Value) bool { p, ok := v.(RSAPadding); return ok && !p.Sig }
	rp := u.newType("RSAParameters", "System.Security.Cryptography.RSAParameters", u.Object)
	rp.Is = func(v Value) bool { _, ok := v.(*RSAParams); return ok }
	rp.New = func(c Call) Value { return &RSAParams{} }

	for _, n := range []string{"MD5", "SHA1", "SHA256", "SHA384", "SHA512"} {
		hn.addStatic(prop(n, hn, func(Call) Value { return HashName{n} }))
	}
	hn.New = func(c Call) Value { return HashName{c.Str(0)} }
	hn.add(prop("Name", u.String, func(c Call) Value { return nilIfEmpty(c.This.(HashName).Name) }))
	sp.addStatic(prop("Pkcs1", sp, func(Call) Value { return RSAPadding{Sig: true, Mode: "Pkcs1"} }),
		prop("Pss", sp, func(Call) Value { return RSAPadding{Sig: true, Mode: "Pss"} }))
	ep.addStatic(prop("Pkcs1", ep, func(Call) Value { return RSAPadding{Mode: "Pkcs1"} }),
		meth("CreateOaep", 1, 1, ep, func(c Call) Value {
			cryptoHash(c.Args[0], "hashAlgorithm")
			return RSAPadding{Mode: "Oaep", Hash: c.Args[0].(HashName).Name}
		}))
	for _, n := range []string{"SHA1", "SHA256", "SHA384", "SHA512"} {
		ep.addStatic(prop("Oaep"+n, ep, func(Call) Value { return RSAPadding{Mode: "Oaep", Hash: n} }))
	}
	ep.add(prop("OaepHashAlgorithm", hn, func(c Call) Value { return HashName{c.This.(RSAPadding).Hash} }))

	field := func(name string, get func(p *RSAParams) *[]byte) *Member {
		return &Member{Name: name, Kind: Property, Result: u.Bytes,
			Get: func(c Call) Value { return nilBytes(*get(c.This.(*RSAParams))) },
			Set: func(c Call, v Value) {
				b, ok := v.([]byte)
				if !ok && v != nil {
					ThrowCast(v, "System.Byte[]")
				}
				*get(c.This.(*RSAParams)) = b
			}}
	}
	rp.add(field("Modulus", func(p *RSAParams) *[]byte { return &p.Modulus }),
		field("Exponent", func(p *RSAParams) *[]byte { return &p.Exponent }),
		field("D", func(p *RSAParams) *[]byte { return &p.D }),
		field("P", func(p *RSAParams) *[]byte { return &p.P }),
		field("Q", func(p *RSAParams) *[]byte { return &p.Q }),
		field("DP", func(p *RSAParams) *[]byte { return &p.DP }),
		field("DQ", func(p *RSAParams) *[]byte { return &p.DQ }),
		field("InverseQ", func(p *RSAParams) *[]byte { return &p.InverseQ }))

	create := func(cng bool) func(c Call) Value {
		return func(c Call) Value {
			k := &RSAKey{Size: 2048, Cng: cng}
			if c.Has(0) {
				switch x := c.Args[0].(type) {
				case *RSAParams:
					importParams(k, x)
				default:
					k.Size = c.Int(0)
					if k.Size < 512 || k.Size > 16384 || k.Size%8 != 0 {
						Throw(ExCrypto, "Specified key is not a valid size for this algorithm.")
					}
				}
			}
			return k
		}
	}
	r.addStatic(meth("Create", 0, 1, r, func(c Call) Value {
		if name, ok := c.Arg(0).(string); ok {
			return createAsym(name)
		}
		return create(false)(c)
	}))
	asym.addStatic(meth("Create", 1, 1, asym, func(c Call) Value {
		c.NotNull(0, "algName")
		return createAsym(c.Str(0))
	}))
	cng.New = create(true)
	key := func(c Call) *RSAKey { return c.This.(*RSAKey) }
	outBytes := func(c Call, n int) {
		if c.Has(1) {
			c.Args[1] = int32(n)
		}
	}
	importDER := func(name string, parse func(der []byte) (*rsa.PrivateKey, *rsa.PublicKey, error)) *Member {
		return &Member{Name: name, Kind: Method, Min: 2, Max: 2, Result: u.Void, Out: []int{1}, Fn: func(c Call) Value {
			der := c.Bytes(0)
			priv, pub, err := parse(der)
			if err != nil {
				Throw(ExCrypto, "ASN1 corrupted data.")
			}
			key(c).set(priv, pub)
			outBytes(c, len(der))
			return nil
		}}
	}
	asRSA := func(k any, err error) (*rsa.PrivateKey, *rsa.PublicKey, error) {
		if err != nil {
			return nil, nil, err
		}
		switch x := k.(type) {
		case *rsa.PrivateKey:
			return x, nil, nil
		case *rsa.PublicKey:
			return nil, x, nil
		}
		return nil, nil, errNotRSA
	}
	// The members AsymmetricAlgorithm declares; the only asymmetric
	// algorithm tollgate creates is RSA.
	asym.add(
		&Member{Name: "KeySize", Kind: Property, Result: u.Int,
			Get: func(c Call) Value {
				if k := key(c); k.Pub != nil {
					return int32(k.Pub.N.BitLen())
				}
				return int32(key(c).Size)
			},
			Set: func(c Call, v Value) {
				n, ok := AsInt64(v)
				if !ok || n < 512 || n > 16384 || n%8 != 0 {
					Throw(ExCrypto, "Specified key is not a valid size for this algorithm.")
				}
				k := key(c)
				if k.Pub == nil || k.Pub.N.BitLen() != int(n) {
					k.Priv, k.Pub, k.Size = nil, nil, int(n)
				}
			}},
		prop("SignatureAlgorithm", u.String, func(c Call) Value { return "RSA" }),
		prop("KeyExchangeAlgorithm", u.String, func(c Call) Value { return "RSA" }),
		meth("Dispose", 0, 0, u.Void, func(c Call) Value { return nil }),
		meth("Clear", 0, 0, u.Void, func(c Call) Value { return nil }),
	)
	r.add(
		meth("SignData", 3, 5, u.Bytes, func(c Call) Value {
			var data []byte
			i := 1
			if len(c.Args) == 5 {
				data, i = sliceArgs(c, 0, "data"), 3
			} else {
				c.NotNull(0, "data")
				data = c.Bytes(0)
			}
			h := cryptoHash(c.Args[i], "hashAlgorithm")
			return rsaSign(key(c), h, digest(h, data), padding(c.Args[i+1], true))
		}),
		meth("VerifyData", 4, 6, u.Bool, func(c Call) Value {
			var data []byte
			i := 1
			if len(c.Args) == 6 {
				data, i = sliceArgs(c, 0, "data"), 3
			} else {
				c.NotNull(0, "data")
				data = c.Bytes(0)
			}
			c.NotNull(i, "signature")
			h := cryptoHash(c.Args[i+1], "hashAlgorithm")
			return rsaVerify(key(c), h, digest(h, data), c.Bytes(i), padding(c.Args[i+2], true))
		}),
		meth("SignHash", 3, 3, u.Bytes, func(c Call) Value {
			c.NotNull(0, "hash")
			h := cryptoHash(c.Args[1], "hashAlgorithm")
			return rsaSign(key(c), h, c.Bytes(0), padding(c.Args[2], true))
		}),
		meth("VerifyHash", 4, 4, u.Bool, func(c Call) Value {
			c.NotNull(0, "hash")
			c.NotNull(1, "signature")
			h := cryptoHash(c.Args[2], "hashAlgorithm")
			return rsaVerify(key(c), h, c.Bytes(0), c.Bytes(1), padding(c.Args[3], true))
		}),
		meth("Encrypt", 2, 2, u.Bytes, func(c Call) Value {
			c.NotNull(0, "data")
			p := padding(c.Args[1], false)
			pub := key(c).public()
			var out []byte
			var err error
			if p.Mode == "Oaep" {
				out, err = rsa.EncryptOAEP(oaepHash(p).New(), rand.Reader, pub, c.Bytes(0), nil)
			} else {
				out, err = rsa.EncryptPKCS1v15(rand.Reader, pub, c.Bytes(0))
			}
			if err != nil {
				Throw(ExCrypto, "The parameter is incorrect.")
			}
			return out
		}),
		meth("Decrypt", 2, 2, u.Bytes, func(c Call) Value {
			c.NotNull(0, "data")
			p := padding(c.Args[1], false)
			priv := key(c).private()
			var out []byte
			var err error
			if len(c.Bytes(0)) != priv.Size() {
				Throw(ExCrypto, "The length of the data to decrypt is not valid for the size of this key.")
			}
			if p.Mode == "Oaep" {
				out, err = rsa.DecryptOAEP(oaepHash(p).New(), nil, priv, c.Bytes(0), nil)
			} else {
				out, err = rsa.DecryptPKCS1v15(nil, priv, c.Bytes(0))
			}
			if err != nil {
				Throw(ExCrypto, "The parameter is incorrect.")
			}
			return out
		}),
		meth("ExportParameters", 1, 1, rp, func(c Call) Value { return exportParams(key(c), c.Bool(0)) }),
		meth("ImportParameters", 1, 1, u.Void, func(c Call) Value {
			p, _ := c.Args[0].(*RSAParams)
			importParams(key(c), p)
			return nil
		}),
		meth("ExportRSAPublicKey", 0, 0, u.Bytes, func(c Call) Value { return x509.MarshalPKCS1PublicKey(key(c).public()) }),
		meth("ExportRSAPrivateKey", 0, 0, u.Bytes, func(c Call) Value { return x509.MarshalPKCS1PrivateKey(key(c).private()) }),
		meth("ExportSubjectPublicKeyInfo", 0, 0, u.Bytes, func(c Call) Value {
			b, _ := x509.MarshalPKIXPublicKey(key(c).public())
			return b
		}),
		meth("ExportPkcs8PrivateKey", 0, 0, u.Bytes, func(c Call) Value {
			b, _ := x509.MarshalPKCS8PrivateKey(key(c).private())
			return b
		}),
		importDER("ImportRSAPublicKey", func(der []byte) (*rsa.PrivateKey, *rsa.PublicKey, error) {
			p, err := x509.ParsePKCS1PublicKey(der)
			return nil, p, err
		}),
		importDER("ImportRSAPrivateKey", func(der []byte) (*rsa.PrivateKey, *rsa.PublicKey, error) {
			p, err := x509.ParsePKCS1PrivateKey(der)
			return p, nil, err
		}),
		importDER("ImportSubjectPublicKeyInfo", func(der []byte) (*rsa.PrivateKey, *rsa.PublicKey, error) {
			return asRSA(x509.ParsePKIXPublicKey(der))
		}),
		importDER("ImportPkcs8PrivateKey", func(der []byte) (*rsa.PrivateKey, *rsa.PublicKey, error) {
			return asRSA(x509.ParsePKCS8PrivateKey(der))
		}),
		meth("ImportFromPem", 1, 1, u.Void, func(c Call) Value {
			priv, pub := importPem(c.Str(0))
			key(c).set(priv, pub)
			return nil
		}),
		meth("ToXmlString", 1, 1, u.String, func(c Call) Value {
			p := exportParams(key(c), c.Bool(0))
			x := rsaXML{Modulus: b64(p.Modulus), Exponent: b64(p.Exponent), P: b64(p.P), Q: b64(p.Q),
				DP: b64(p.DP), DQ: b64(p.DQ), InverseQ: b64(p.InverseQ), D: b64(p.D)}
			var sb strings.Builder
			sb.WriteString("<RSAKeyValue><Modulus>" + x.Modulus + "</Modulus><Exponent>" + x.Exponent + "</Exponent>")
			if c.Bool(0) {
				for _, f := range [][2]string{{"P", x.P}, {"Q", x.Q}, {"DP", x.DP}, {"DQ", x.DQ}, {"InverseQ", x.InverseQ}, {"D", x.D}} {
					sb.WriteString("<" + f[0] + ">" + f[1] + "</" + f[0] + ">")
				}
			}
			sb.WriteString("</RSAKeyValue>")
			return sb.String()
		}),
		meth("FromXmlString", 1, 1, u.Void, func(c Call) Value {
			var x rsaXML
			if err := xml.Unmarshal([]byte(c.Str(0)), &x); err != nil {
				Throw(ExCrypto, "Input string does not contain a valid encoding of the 'RSA' 'Modulus' parameter.")
			}
			d := func(s string) []byte {
				b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
				if err != nil {
					Throw(ExFormat, "The input is not a valid Base-64 string as it contains a non-base 64 character, more than two padding characters, or an illegal character among the padding characters.")
				}
				return b
			}
			importParams(key(c), &RSAParams{Modulus: d(x.Modulus), Exponent: d(x.Exponent), D: d(x.D), P: d(x.P), Q: d(x.Q)})
			return nil
		}),
	)
}

func nilBytes(b []byte) Value {
	if b == nil {
		return nil
	}
	return b
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

type cryptoError string

func (e cryptoError) Error() string { return string(e) }

const errNotRSA = cryptoError("not an RSA key")

// importPem reads the first RSA key of a PEM text, as RSA.ImportFromPem.
func importPem(s string) (*rsa.PrivateKey, *rsa.PublicKey) {
	rest := []byte(s)
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		var k any
		var err error
		switch b.Type {
		case "RSA PRIVATE KEY":
			k, err = x509.ParsePKCS1PrivateKey(b.Bytes)
		case "PRIVATE KEY":
			k, err = x509.ParsePKCS8PrivateKey(b.Bytes)
		case "RSA PUBLIC KEY":
			k, err = x509.ParsePKCS1PublicKey(b.Bytes)
		case "PUBLIC KEY":
			k, err = x509.ParsePKIXPublicKey(b.Bytes)
		default:
			continue
		}
		if err != nil {
			Throw(ExCrypto, "ASN1 corrupted data.")
		}
		switch x := k.(type) {
		case *rsa.PrivateKey:
			return x, nil
		case *rsa.PublicKey:
			return nil, x
		}
	}
	Throw(ExArgument, "No supported key formats were found. Check that the input represents the contents of a PEM-encoded key file, not the path to such a file. (Parameter 'input')")
	return nil, nil
}

// createAsym implements AsymmetricAlgorithm.Create(name) for RSA names.
func createAsym(name string) Value {
	switch strings.ToUpper(strings.TrimPrefix(name, "System.Security.Cryptography.")) {
	case "RSA", "RSACNG", "RSACRYPTOSERVICEPROVIDER":
		return &RSAKey{Size: 2048}
	}
	return nil
}
