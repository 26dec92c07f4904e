package value

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"strings"
	"time"

	// SHA-3 for HashAlgorithmName.SHA3_256 and friends (crypto.SHA3_256.New).
	_ "crypto/sha3"
)

// ExPlatformNotSupported is the exception .NET raises for members that
// exist only for compatibility (the parameterless Create factories,
// X509Certificate.Import).
const ExPlatformNotSupported = "System.PlatformNotSupportedException"

// Messages of .NET 8's System.Security.Cryptography resources.
const (
	// msgDefaultAlgorithm is SR.Cryptography_DefaultAlgorithm_NotSupported.
	msgDefaultAlgorithm = "This platform does not allow the automatic selection of an algorithm."
	// msgImmutableCert is SR.NotSupported_ImmutableX509Certificate.
	msgImmutableCert = "X509Certificate is immutable on this platform. Use the equivalent constructor instead."
)

// Hash sizes of the HashSizeInBits and HashSizeInBytes constants (.NET 7).
var hashSizeBits = map[string]int32{"MD5": 128, "SHA1": 160, "SHA256": 256, "SHA384": 384, "SHA512": 512,
	"HMACMD5": 128, "HMACSHA1": 160, "HMACSHA256": 256, "HMACSHA384": 384, "HMACSHA512": 512}

// buildCryptoMore adds the members of the hash, HMAC, RNG, symmetric, RSA
// and certificate types beyond the first set (lib_auth.go, lib_rsa.go,
// lib_x509.go, lib_symmetric.go). It runs after those.
func (u *Lib) buildCryptoMore() {
	pnse := u.Types[ExPlatformNotSupported] // lib_exceptions.go
	pnse.New = func(c Call) Value {
		e := &Exception{Type: ExPlatformNotSupported, Message: "Operation is not supported on this platform.", Pos: -1, End: -1}
		if c.Has(0) {
			e.Message = c.Str(0)
		}
		return e
	}

	// The parameterless Create() of the abstract factories throws in .NET
	// Core and .NET 5+ (SYSLIB0007); Create(name) keeps working.
	noDefault := func(t *Type) {
		m := t.Statics["Create"]
		byName := m.Fn
		m.Min = 0
		m.Fn = func(c Call) Value {
			if !c.Has(0) {
				Throw(ExPlatformNotSupported, msgDefaultAlgorithm)
			}
			return byName(c)
		}
	}
	for _, n := range []string{"HashAlgorithm", "KeyedHashAlgorithm", "HMAC", "AsymmetricAlgorithm"} {
		noDefault(u.Types[n])
	}

	// HashAlgorithm's ICryptoTransform properties: every hash processes any
	// number of bytes at a time.
	u.HashAlg.add(
		prop("InputBlockSize", u.Int, func(c Call) Value { return int32(1) }),
		prop("OutputBlockSize", u.Int, func(c Call) Value { return int32(1) }),
		prop("CanTransformMultipleBlocks", u.Bool, func(c Call) Value { return true }),
		prop("CanReuseTransform", u.Bool, func(c Call) Value { return true }),
	)
	for name, bits := range hashSizeBits {
		u.Types[name].addStatic(
			prop("HashSizeInBits", u.Int, func(Call) Value { return bits }),
			prop("HashSizeInBytes", u.Int, func(Call) Value { return bits / 8 }))
	}

	// new HMACSHA1(key, useManagedAlgorithm): .NET Core ignores the flag.
	h1 := u.Types["HMACSHA1"]
	keyOnly := h1.New
	h1.New = func(c Call) Value {
		if c.Has(1) {
			c.Bool(1)
			c.Args = c.Args[:1]
		}
		return keyOnly(c)
	}

	// RNGCryptoServiceProvider.GetBytes(data, offset, count).
	rng := u.Types["RNGCryptoServiceProvider"]
	whole := rng.Members["GetBytes"].Fn
	rng.Members["GetBytes"].Max = 3
	rng.Members["GetBytes"].Fn = func(c Call) Value {
		if !c.Has(1) {
			return whole(c)
		}
		c.NotNull(0, "data")
		b := c.Bytes(0)
		off, n := c.Int(1), c.Int(2)
		if off < 0 {
			Throw(ExArgRange, "offset ('%d') must be a non-negative value. (Parameter 'offset')\nActual value was %d.", off, off)
		}
		if n < 0 {
			Throw(ExArgRange, "count ('%d') must be a non-negative value. (Parameter 'count')\nActual value was %d.", n, n)
		}
		if n > len(b)-off {
			Throw(ExArgument, "Offset and length were out of bounds for the array or count is greater than the number of elements from index to the end of the source collection.")
		}
		_, _ = rand.Read(b[off : off+n])
		return nil
	}

	u.buildSymmetricMore()
	u.buildRSAMore()
	u.buildCertificateMore()
}

// validKeyBits is SymmetricAlgorithm.ValidKeySize: KeySizes.IsLegalSize.
func (s *SymAlg) validKeyBits(bits int) bool {
	k := s.alg.keySizes
	if bits < k[0] || bits > k[1] {
		return false
	}
	if k[2] == 0 {
		return bits == k[0]
	}
	return (bits-k[0])%k[2] == 0
}

// feedback returns the FeedbackSize in bits: 8 for Aes (and Rijndael,
// which wraps it), the block size for TripleDES and DES.
func (s *SymAlg) feedback() int {
	if s.Feedback != 0 {
		return s.Feedback
	}
	return s.alg.feedback
}

// cfbSupported reports whether the algorithm's CFB mode supports a
// feedback size of bits.
func (s *SymAlg) cfbSupported(bits int) bool {
	return bits > 0 && (bits == s.alg.cfb[0] || bits == s.alg.cfb[1])
}

// block returns the algorithm's cipher for key, refusing a key of a size
// the algorithm does not take (16-byte TripleDES keys are K1 K2 K1).
func (s *SymAlg) block(key []byte) cipher.Block {
	if !s.validKeyBits(len(key) * 8) {
		Throw(ExCrypto, "Specified key is not a valid size for this algorithm.")
	}
	var blk cipher.Block
	var err error
	switch s.Name {
	case "TripleDES":
		k := key
		if len(k) == 16 {
			k = append(append([]byte(nil), k...), k[:8]...)
		}
		blk, err = des.NewTripleDESCipher(k)
	case "DES":
		blk, err = des.NewCipher(key)
	default:
		blk, err = aes.NewCipher(key)
	}
	if err != nil {
		Throw(ExCrypto, "Specified key is not a valid size for this algorithm.")
	}
	return blk
}

// cfb runs CFB with a segment of seg bytes (1 for CFB8, the block size for
// full-block CFB) over data, in place.
func cfb(blk cipher.Block, iv, data []byte, seg int, enc bool) {
	bs := blk.BlockSize()
	reg := append([]byte(nil), iv...)
	out := make([]byte, bs)
	for i := 0; i < len(data); i += seg {
		blk.Encrypt(out, reg)
		end := min(i+seg, len(data))
		chunk := data[i:end]
		var ct []byte
		if enc {
			for j := range chunk {
				chunk[j] ^= out[j]
			}
			ct = chunk
		} else {
			ct = append([]byte(nil), chunk...)
			for j := range chunk {
				chunk[j] ^= out[j]
			}
		}
		copy(reg, reg[len(ct):])
		copy(reg[bs-len(ct):], ct)
	}
}

// padBlocks appends padding of mode pad to data for blocks of n bytes (.NET's
// SymmetricPadding.PadBlock); PaddingMode.None requires whole blocks.
func padBlocks(data []byte, n int, mode int64, none string) []byte {
	buf := append([]byte(nil), data...)
	k := n - len(data)%n
	switch mode {
	case padNone:
		if len(data)%n != 0 {
			Throw(ExArgument, "%s (Parameter 'plaintextLength')", none)
		}
	case padZeros:
		if len(data)%n != 0 {
			buf = append(buf, make([]byte, k)...)
		}
	case padANSIX923:
		buf = append(append(buf, make([]byte, k-1)...), byte(k))
	case padISO10126:
		r := make([]byte, k-1)
		_, _ = rand.Read(r)
		buf = append(append(buf, r...), byte(k))
	case padPKCS7:
		for i := 0; i < k; i++ {
			buf = append(buf, byte(k))
		}
	default:
		Throw(ExArgRange, "Specified padding mode is not valid for this algorithm. (Parameter 'paddingMode')")
	}
	return buf
}

// unpadBlocks removes padding of mode pad from blocks of n bytes.
func unpadBlocks(buf []byte, n int, mode int64) []byte {
	if len(buf)%n != 0 {
		Throw(ExCrypto, "The input data is not a complete block.")
	}
	if mode == padNone || mode == padZeros {
		return buf
	}
	if len(buf) == 0 {
		Throw(ExCrypto, "The input data is not a complete block.")
	}
	k := int(buf[len(buf)-1])
	bad := k == 0 || k > n
	if !bad && mode != padISO10126 {
		for _, b := range buf[len(buf)-k : len(buf)-1] {
			if mode == padPKCS7 && int(b) != k || mode == padANSIX923 && b != 0 {
				bad = true
			}
		}
	}
	if bad {
		Throw(ExCrypto, "Padding is invalid and cannot be removed.")
	}
	return buf[:len(buf)-k]
}

// cfbCrypt is EncryptCfb and DecryptCfb: padding to the feedback size.
func cfbCrypt(s *SymAlg, key, iv, data []byte, mode int64, bits int, enc bool) []byte {
	if mode < padNone || mode > padISO10126 {
		Throw(ExArgRange, "Specified padding mode is not valid for this algorithm. (Parameter 'paddingMode')")
	}
	if len(iv) != s.blockSize() {
		Throw(ExArgument, "Specified initialization vector (IV) does not match the block size for this algorithm. (Parameter 'iv')")
	}
	if bits < 8 || bits%8 != 0 || bits > s.blockSize()*8 {
		Throw(ExArgument, "Specified feedback size is invalid. (Parameter 'feedbackSizeInBits')")
	}
	if !s.cfbSupported(bits) {
		Throw(ExCrypto, "The specified feedback size '%d' for CipherMode 'CFB' is not supported.", bits)
	}
	blk := s.block(key)
	seg := bits / 8
	if enc {
		buf := padBlocks(data, seg, mode, "The input data is not a complete feedback-sized block.")
		cfb(blk, iv, buf, seg, true)
		return buf
	}
	if len(data)%seg != 0 {
		Throw(ExCrypto, "The input data is not a complete block.")
	}
	buf := append([]byte(nil), data...)
	cfb(blk, iv, buf, seg, false)
	return unpadBlocks(buf, seg, mode)
}

func (u *Lib) buildSymmetricMore() {
	sa := u.Types["SymmetricAlgorithm"]
	pm := u.Types["PaddingMode"]
	s := func(c Call) *SymAlg { return c.This.(*SymAlg) }
	padding := func(c Call, i int, def int64) int64 {
		if !c.Has(i) {
			return def
		}
		e, ok := c.Args[i].(Enum)
		if !ok || e.T != pm {
			ThrowCast(c.Args[i], pm.FullName)
		}
		return e.V
	}
	cfbArgs := func(c Call) ([]byte, []byte, int64, int) {
		c.NotNull(0, "plaintext")
		c.NotNull(1, "iv")
		bits := 8
		if c.Has(3) {
			bits = c.Int(3)
		}
		return c.Bytes(0), c.Bytes(1), padding(c, 2, padNone), bits
	}
	sa.add(
		meth("ValidKeySize", 1, 1, u.Bool, func(c Call) Value { return s(c).validKeyBits(c.Int(0)) }),
		&Member{Name: "FeedbackSize", Kind: Property, Result: u.Int,
			Get: func(c Call) Value { return int32(s(c).feedback()) },
			Set: func(c Call, v Value) {
				n, _ := AsInt64(v)
				if n <= 0 || n > int64(s(c).blockSize()*8) || n%8 != 0 {
					Throw(ExCrypto, "Specified feedback size is invalid.")
				}
				s(c).Feedback = int(n)
			}},
		meth("EncryptCfb", 2, 4, u.Bytes, func(c Call) Value {
			data, iv, p, bits := cfbArgs(c)
			return cfbCrypt(s(c), s(c).key(), iv, data, p, bits, true)
		}),
		meth("DecryptCfb", 2, 4, u.Bytes, func(c Call) Value {
			data, iv, p, bits := cfbArgs(c)
			return cfbCrypt(s(c), s(c).key(), iv, data, p, bits, false)
		}),
		meth("GetCiphertextLengthCbc", 1, 2, u.Int, func(c Call) Value {
			n := c.Int(0)
			if n < 0 {
				Throw(ExArgRange, "Non-negative number required. (Parameter 'plaintextLength')")
			}
			bs := s(c).blockSize()
			whole := n / bs * bs
			switch p := padding(c, 1, padPKCS7); {
			case p == padNone && n%bs != 0:
				Throw(ExArgument, "The input data is not a complete block. (Parameter 'plaintextLength')")
			case p == padNone, p == padZeros && n%bs == 0:
				return int32(n)
			case p >= padPKCS7 && p <= padISO10126:
				if int64(whole)+int64(bs) > 1<<31-1 {
					Throw(ExArgRange, "The specified plaintext size is too large. (Parameter 'plaintextLength')")
				}
				return int32(whole + bs)
			}
			Throw(ExArgRange, "Specified padding mode is not valid for this algorithm. (Parameter 'paddingMode')")
			return nil
		}),
	)
}

func (u *Lib) buildRSAMore() {
	r := u.Types["RSA"]
	hn := u.Types["HashAlgorithmName"]
	key := func(c Call) *RSAKey { return c.This.(*RSAKey) }
	// EncryptValue and DecryptValue: the raw RSA operations of .NET
	// Framework, not supported by RSA in .NET Core.
	notSupported := func(c Call) Value {
		Throw(ExNotSupported, "Method not supported.")
		return nil
	}
	r.add(
		meth("EncryptValue", 1, 1, u.Bytes, notSupported),
		meth("DecryptValue", 1, 1, u.Bytes, notSupported),
		meth("ExportRSAPublicKeyPem", 0, 0, u.String, func(c Call) Value {
			return pemString("RSA PUBLIC KEY", x509.MarshalPKCS1PublicKey(key(c).public()))
		}),
		meth("ExportRSAPrivateKeyPem", 0, 0, u.String, func(c Call) Value {
			return pemString("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(key(c).private()))
		}),
	)
	for _, n := range []string{"256", "384", "512"} {
		hn.addStatic(prop("SHA3_"+n, hn, func(Call) Value { return HashName{"SHA3-" + n} }))
	}
	hn.addStatic(meth("FromOid", 1, 1, hn, func(c Call) Value {
		c.NotNull(0, "oidValue")
		if name, ok := hashOids[c.Str(0)]; ok {
			return HashName{name}
		}
		Throw(ExCrypto, "The specified OID (%s) does not represent a known hash algorithm.", c.Str(0))
		return nil
	}))
}

// hashOids are the OIDs HashAlgorithmName.FromOid knows in .NET 8.
var hashOids = map[string]string{
	"1.2.840.113549.2.5": "MD5", "1.3.14.3.2.26": "SHA1",
	"2.16.840.1.101.3.4.2.1": "SHA256", "2.16.840.1.101.3.4.2.2": "SHA384", "2.16.840.1.101.3.4.2.3": "SHA512",
	"2.16.840.1.101.3.4.2.8": "SHA3-256", "2.16.840.1.101.3.4.2.9": "SHA3-384", "2.16.840.1.101.3.4.2.10": "SHA3-512",
}

// pemString is PemEncoding.WriteString: the label lines and the base64
// text in lines of 64 characters, separated by "\n", with no line end
// after the last line.
func pemString(label string, der []byte) string {
	s := string(pem.EncodeToMemory(&pem.Block{Type: label, Bytes: der}))
	return strings.TrimSuffix(s, "\n")
}

// legacyName formats a DER-encoded name as X509Certificate.GetName and
// GetIssuerName do (Pal.LegacySubject): the RDNs in the order they are
// encoded, ", " between them, as the Subject property formats each one.
func legacyName(der []byte) string {
	var seq pkix.RDNSequence
	if _, err := asn1.Unmarshal(der, &seq); err != nil {
		return ""
	}
	rev := make(pkix.RDNSequence, len(seq))
	for i, rdn := range seq {
		rev[len(seq)-1-i] = rdn
	}
	b, err := asn1.Marshal(rev)
	if err != nil {
		return ""
	}
	return FormatDistinguishedName(b)
}

func (u *Lib) buildCertificateMore() {
	base := u.Types["X509Certificate"]
	ct := u.Certificate
	ctype := u.Types["X509ContentType"]
	cert := func(c Call) *Certificate { return c.This.(*Certificate) }
	base.add(
		meth("GetName", 0, 0, u.String, func(c Call) Value { return legacyName(cert(c).needX509("GetName").RawSubject) }),
		meth("GetIssuerName", 0, 0, u.String, func(c Call) Value {
			return legacyName(cert(c).needX509("GetIssuerName").RawIssuer)
		}),
		meth("GetFormat", 0, 0, u.String, func(c Call) Value { return "X509" }),
		meth("Export", 1, 1, u.Bytes, func(c Call) Value {
			e, ok := c.Args[0].(Enum)
			if !ok || e.T != ctype {
				ThrowCast(c.Args[0], ctype.FullName)
			}
			switch e.V {
			case 1: // Cert
				return append([]byte(nil), cert(c).Raw...)
			case 2: // SerializedCert: a Windows format
				Throw(ExPlatformNotSupported, "X509ContentType.SerializedCert and X509ContentType.SerializedStore are not supported on Unix.")
			case 3: // Pfx, Pkcs12
				Throw(ExNotSupported, "tollgate does not export certificates as PKCS#12 (X509ContentType.Pfx).")
			}
			Throw(ExCrypto, "Invalid content type.")
			return nil
		}),
		meth("Import", 1, 1, u.Void, func(c Call) Value {
			Throw(ExPlatformNotSupported, msgImmutableCert)
			return nil
		}),
	)
	ct.add(meth("ExportCertificatePem", 0, 0, u.String, func(c Call) Value { return pemString("CERTIFICATE", cert(c).Raw) }))
	u.Types["PublicKey"].add(meth("ExportSubjectPublicKeyInfo", 0, 0, u.Bytes, func(c Call) Value {
		return append([]byte(nil), c.This.(*CertPublicKey).C.needX509("ExportSubjectPublicKeyInfo").RawSubjectPublicKeyInfo...)
	}))
	// CopyWithPrivateKey(this X509Certificate2, RSA): a copy of the
	// certificate holding the private key matching its public key.
	copyWithKey := func(x *Certificate, kv Value) Value {
		if kv == nil {
			Throw(ExArgNull, "Value cannot be null. (Parameter 'privateKey')")
		}
		k, ok := kv.(*RSAKey)
		if !ok {
			ThrowCast(kv, "System.Security.Cryptography.RSA")
		}
		if x.PrivateKey != nil {
			Throw(ExInvalidOp, "The certificate already has an associated private key.")
		}
		pub, ok := x.needX509("CopyWithPrivateKey").PublicKey.(*rsa.PublicKey)
		if !ok {
			Throw(ExArgument, "The provided private key does not match the public key algorithm of the certificate.")
		}
		if k.public().N.Cmp(pub.N) != 0 || k.public().E != pub.E {
			Throw(ExArgument, "The provided key does not match the public key for this certificate. (Parameter 'privateKey')")
		}
		cp := *x
		cp.PrivateKey = k.private()
		return &cp
	}
	ct.add(meth("CopyWithPrivateKey", 1, 1, ct, func(c Call) Value { return copyWithKey(cert(c), c.Arg(0)) }))
	u.Types["RSACertificateExtensions"].addStatic(meth("CopyWithPrivateKey", 2, 2, ct, func(c Call) Value {
		c.NotNull(0, "certificate")
		x, ok := c.Args[0].(*Certificate)
		if !ok {
			ThrowCast(c.Args[0], ct.FullName)
		}
		return copyWithKey(x, c.Args[1])
	}))
}

// verifyChain is X509Certificate2.Verify: a chain to a root of the
// system's trust store, valid at the current time, for any usage.
func verifyChain(x *x509.Certificate, c Call) bool {
	now := time.Now()
	if c.Fr != nil {
		now = c.Fr.Time()
	}
	roots, err := x509.SystemCertPool()
	if err != nil {
		roots = x509.NewCertPool()
	}
	_, err = x.Verify(x509.VerifyOptions{Roots: roots, CurrentTime: now, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
	return err == nil
}
