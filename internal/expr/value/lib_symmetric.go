package value

import (
	"crypto/cipher"
	"crypto/rand"
	"strings"
)

// CipherMode and PaddingMode values, as .NET numbers them.
const (
	modeCBC = 1
	modeECB = 2
	modeOFB = 3
	modeCFB = 4
	modeCTS = 5

	padNone     = 1
	padPKCS7    = 2
	padZeros    = 3
	padANSIX923 = 4
	padISO10126 = 5
)

// SymAlg is a SymmetricAlgorithm instance: Aes, Rijndael (with 128-bit
// blocks), TripleDES or DES. Key and IV are generated on first read.
type SymAlg struct {
	Name    string
	Key, IV []byte
	KeySize int // bits
	Mode    int64
	Padding int64
	// Feedback is the FeedbackSize in bits; 0 until set (see feedback).
	Feedback int

	alg *symAlgInfo
}

// symAlgInfo is what tells the symmetric algorithms apart.
type symAlgInfo struct {
	block    int    // bytes
	keySizes [3]int // LegalKeySizes in bits: min, max, skip (0: min only)
	feedback int    // the FeedbackSize until one is set, in bits
	cfb      [2]int // the feedback sizes CFB mode supports, in bits, as .NET checks them (0: none)
}

var symAlgs = map[string]*symAlgInfo{
	"Aes":       {block: 16, keySizes: [3]int{128, 256, 64}, feedback: 8, cfb: [2]int{8, 128}},
	"Rijndael":  {block: 16, keySizes: [3]int{128, 256, 64}, feedback: 8, cfb: [2]int{8, 128}}, // wraps Aes
	"TripleDES": {block: 8, keySizes: [3]int{128, 192, 64}, feedback: 64, cfb: [2]int{8, 64}},
	"DES":       {block: 8, keySizes: [3]int{64, 64, 0}, feedback: 64, cfb: [2]int{8, 0}},
}

// DotnetType implements Typed.
func (s *SymAlg) DotnetType(u *Lib) *Type {
	if s.Name == "Aes" {
		return u.Types["Aes"]
	}
	return u.Types["SymmetricAlgorithm"]
}

func (s *SymAlg) blockSize() int { return s.alg.block }

func (s *SymAlg) key() []byte {
	if s.Key == nil {
		s.Key = make([]byte, s.KeySize/8)
		_, _ = rand.Read(s.Key)
	}
	return s.Key
}

func (s *SymAlg) iv() []byte {
	if s.IV == nil {
		s.IV = make([]byte, s.blockSize())
		_, _ = rand.Read(s.IV)
	}
	return s.IV
}

// newSymAlg returns the algorithm named name (case-insensitive), or nil.
func newSymAlg(name string) *SymAlg {
	n := strings.TrimPrefix(strings.ToLower(name), "system.security.cryptography.")
	s := &SymAlg{Mode: modeCBC, Padding: padPKCS7}
	switch n {
	case "aes", "aesmanaged", "aescryptoserviceprovider", "aescng":
		s.Name, s.KeySize = "Aes", 256
	case "rijndael", "rijndaelmanaged":
		s.Name, s.KeySize = "Rijndael", 256
	case "tripledes", "3des", "tripledescryptoserviceprovider":
		s.Name, s.KeySize = "TripleDES", 192
	case "des", "descryptoserviceprovider":
		s.Name, s.KeySize = "DES", 64
	default:
		return nil
	}
	s.alg = symAlgs[s.Name]
	return s
}

func symCrypt(s *SymAlg, key, iv, data []byte, mode, pad int64, enc bool) []byte {
	blk := s.block(key)
	bs := blk.BlockSize()
	switch mode {
	case modeCBC:
		if len(iv) != bs {
			Throw(ExCrypto, "Specified initialization vector (IV) does not match the block size for this algorithm.")
		}
	case modeECB:
	case modeCFB:
		// CFB with the algorithm's FeedbackSize, padded to it, as
		// .NET's transforms do.
		bits := s.feedback()
		if !s.cfbSupported(bits) {
			Throw(ExCrypto, "The specified feedback size '%d' for CipherMode 'CFB' is not supported.", bits)
		}
		if len(iv) != bs {
			Throw(ExCrypto, "Specified initialization vector (IV) does not match the block size for this algorithm.")
		}
		seg := bits / 8
		if enc {
			buf := padBlocks(data, seg, pad, "The input data is not a complete block.")
			cfb(blk, iv, buf, seg, true)
			return buf
		}
		if len(data)%seg != 0 {
			Throw(ExCrypto, "The input data is not a complete block.")
		}
		buf := append([]byte(nil), data...)
		cfb(blk, iv, buf, seg, false)
		return unpadBlocks(buf, seg, pad)
	default:
		Throw(ExCrypto, "Specified cipher mode is not valid for this algorithm.")
	}
	crypt := func(buf []byte) {
		switch {
		case mode == modeECB && enc:
			for i := 0; i < len(buf); i += bs {
				blk.Encrypt(buf[i:i+bs], buf[i:i+bs])
			}
		case mode == modeECB:
			for i := 0; i < len(buf); i += bs {
				blk.Decrypt(buf[i:i+bs], buf[i:i+bs])
			}
		case enc:
			cipher.NewCBCEncrypter(blk, iv).CryptBlocks(buf, buf)
		default:
			cipher.NewCBCDecrypter(blk, iv).CryptBlocks(buf, buf)
		}
	}
	if enc {
		buf := append([]byte(nil), data...)
		n := bs - len(data)%bs
		switch pad {
		case padNone:
			if len(data)%bs != 0 {
				Throw(ExCrypto, "The input data is not a complete block.")
			}
		case padZeros:
			if len(data)%bs != 0 {
				buf = append(buf, make([]byte, n)...)
			}
		case padANSIX923:
			buf = append(append(buf, make([]byte, n-1)...), byte(n))
		case padISO10126:
			r := make([]byte, n-1)
			_, _ = rand.Read(r)
			buf = append(append(buf, r...), byte(n))
		default:
			for i := 0; i < n; i++ {
				buf = append(buf, byte(n))
			}
		}
		crypt(buf)
		return buf
	}
	if len(data)%bs != 0 {
		Throw(ExCrypto, "The input data is not a complete block.")
	}
	buf := append([]byte(nil), data...)
	crypt(buf)
	if pad == padNone || pad == padZeros || len(buf) == 0 {
		if len(buf) == 0 && pad != padNone && pad != padZeros {
			Throw(ExCrypto, "The input data is not a complete block.")
		}
		return buf
	}
	n := int(buf[len(buf)-1])
	bad := n == 0 || n > bs
	if !bad && pad != padISO10126 {
		for _, b := range buf[len(buf)-n : len(buf)-1] {
			if pad == padPKCS7 && int(b) != n || pad == padANSIX923 && b != 0 {
				bad = true
			}
		}
	}
	if bad {
		Throw(ExCrypto, "Padding is invalid and cannot be removed.")
	}
	return buf[:len(buf)-n]
}

func (u *Lib) buildSymmetric() {
	sa := u.newType("SymmetricAlgorithm", "System.Security.Cryptography.SymmetricAlgorithm", u.Object)
	sa.Is = func(v Value) bool { _, ok := v.(*SymAlg); return ok }
	at := u.newType("Aes", "System.Security.Cryptography.Aes", sa)
	at.Is = func(v Value) bool { s, ok := v.(*SymAlg); return ok && s.Name == "Aes" }
	cm := u.newType("CipherMode", "System.Security.Cryptography.CipherMode", u.Object)
	cm.EnumValues = map[string]int64{"CBC": modeCBC, "ECB": modeECB, "OFB": modeOFB, "CFB": modeCFB, "CTS": modeCTS}
	pm := u.newType("PaddingMode", "System.Security.Cryptography.PaddingMode", u.Object)
	pm.EnumValues = map[string]int64{"None": padNone, "PKCS7": padPKCS7, "Zeros": padZeros, "ANSIX923": padANSIX923, "ISO10126": padISO10126}
	enumName := func(t *Type, v int64) Enum {
		for n, x := range t.EnumValues {
			if x == v {
				return Enum{T: t, V: v, Name: n}
			}
		}
		return Enum{T: t, V: v}
	}
	enumArg := func(v Value, t *Type) int64 {
		e, ok := v.(Enum)
		if !ok || e.T != t {
			ThrowCast(v, t.FullName)
		}
		return e.V
	}
	create := func(c Call) Value {
		name := "Aes"
		if c.Has(0) {
			name = c.Str(0)
		}
		if s := newSymAlg(name); s != nil {
			return s
		}
		return nil
	}
	sa.addStatic(meth("Create", 1, 1, sa, create))
	at.addStatic(meth("Create", 0, 1, at, create))
	s := func(c Call) *SymAlg { return c.This.(*SymAlg) }
	bytesArg := func(v Value) []byte {
		if v == nil {
			Throw(ExArgNull, "Value cannot be null. (Parameter 'value')")
		}
		b, ok := v.([]byte)
		if !ok {
			ThrowCast(v, "System.Byte[]")
		}
		return append([]byte(nil), b...)
	}
	sa.add(
		&Member{Name: "Key", Kind: Property, Result: u.Bytes,
			Get: func(c Call) Value { return append([]byte(nil), s(c).key()...) },
			Set: func(c Call, v Value) {
				b := bytesArg(v)
				if !s(c).validKeyBits(len(b) * 8) {
					Throw(ExCrypto, "Specified key is not a valid size for this algorithm.")
				}
				s(c).Key, s(c).KeySize = b, len(b)*8
			}},
		&Member{Name: "IV", Kind: Property, Result: u.Bytes,
			Get: func(c Call) Value { return append([]byte(nil), s(c).iv()...) },
			Set: func(c Call, v Value) {
				b := bytesArg(v)
				if len(b) != s(c).blockSize() {
					Throw(ExCrypto, "Specified initialization vector (IV) does not match the block size for this algorithm.")
				}
				s(c).IV = b
			}},
		&Member{Name: "KeySize", Kind: Property, Result: u.Int,
			Get: func(c Call) Value { return int32(s(c).KeySize) },
			Set: func(c Call, v Value) {
				n, _ := AsInt64(v)
				if !s(c).validKeyBits(int(n)) {
					Throw(ExCrypto, "Specified key is not a valid size for this algorithm.")
				}
				if int(n) != s(c).KeySize {
					s(c).KeySize, s(c).Key = int(n), nil
				}
			}},
		&Member{Name: "BlockSize", Kind: Property, Result: u.Int,
			Get: func(c Call) Value { return int32(s(c).blockSize() * 8) },
			// Each algorithm has one legal block size: setting it
			// again is allowed, any other size is not.
			Set: func(c Call, v Value) {
				if n, _ := AsInt64(v); n != int64(s(c).blockSize()*8) {
					Throw(ExCrypto, "Specified block size is not valid for this algorithm.")
				}
			}},
		&Member{Name: "Mode", Kind: Property, Result: cm,
			Get: func(c Call) Value { return enumName(cm, s(c).Mode) },
			Set: func(c Call, v Value) {
				m := enumArg(v, cm)
				if m < modeCBC || m > modeCFB || m == modeOFB {
					Throw(ExCrypto, "Specified cipher mode is not valid for this algorithm.")
				}
				s(c).Mode = m
			}},
		&Member{Name: "Padding", Kind: Property, Result: pm,
			Get: func(c Call) Value { return enumName(pm, s(c).Padding) },
			Set: func(c Call, v Value) {
				p := enumArg(v, pm)
				if p < padNone || p > padISO10126 {
					Throw(ExCrypto, "Specified padding mode is not valid for this algorithm.")
				}
				s(c).Padding = p
			}},
		meth("GenerateKey", 0, 0, u.Void, func(c Call) Value { s(c).Key = nil; s(c).key(); return nil }),
		meth("GenerateIV", 0, 0, u.Void, func(c Call) Value { s(c).IV = nil; s(c).iv(); return nil }),
		meth("EncryptCbc", 2, 3, u.Bytes, func(c Call) Value {
			return symCrypt(s(c), s(c).key(), c.Bytes(1), c.Bytes(0), modeCBC, padArg(c, 2, pm, enumArg), true)
		}),
		meth("DecryptCbc", 2, 3, u.Bytes, func(c Call) Value {
			return symCrypt(s(c), s(c).key(), c.Bytes(1), c.Bytes(0), modeCBC, padArg(c, 2, pm, enumArg), false)
		}),
		meth("EncryptEcb", 2, 2, u.Bytes, func(c Call) Value {
			return symCrypt(s(c), s(c).key(), nil, c.Bytes(0), modeECB, enumArg(c.Args[1], pm), true)
		}),
		meth("DecryptEcb", 2, 2, u.Bytes, func(c Call) Value {
			return symCrypt(s(c), s(c).key(), nil, c.Bytes(0), modeECB, enumArg(c.Args[1], pm), false)
		}),
		meth("Dispose", 0, 0, u.Void, func(c Call) Value { return nil }),
		meth("Clear", 0, 0, u.Void, func(c Call) Value { return nil }),
	)

	// byte[].Encrypt / Decrypt (APIM extension methods): (string alg, key,
	// iv) with CBC and PKCS#7, (SymmetricAlgorithm) and
	// (SymmetricAlgorithm, key, iv) with the algorithm's mode and padding.
	crypt := func(enc bool) func(c Call) Value {
		return func(c Call) Value {
			data, ok := c.This.([]byte)
			if !ok {
				ThrowCast(c.This, "System.Byte[]")
			}
			c.NotNull(0, "alg")
			var alg *SymAlg
			switch x := c.Args[0].(type) {
			case string:
				if alg = newSymAlg(x); alg == nil {
					Throw(ExNotSupported, "tollgate supports the Aes, Rijndael, TripleDES and DES algorithms in Encrypt and Decrypt, not %q", x)
				}
			case *SymAlg:
				alg = x
			default:
				ThrowCast(x, sa.FullName)
			}
			if len(c.Args) == 2 {
				Throw(ExArgument, "Encrypt and Decrypt take an algorithm, or an algorithm, a key and an IV.")
			}
			key, iv := alg.key(), alg.iv()
			if len(c.Args) == 3 {
				key, iv = c.Bytes(1), c.Bytes(2)
			} else if _, isName := c.Args[0].(string); isName {
				Throw(ExArgument, "Encrypt and Decrypt with an algorithm name take a key and an IV.")
			}
			return symCrypt(alg, key, iv, data, alg.Mode, alg.Padding, enc)
		}
	}
	u.arrayBase.add(meth("Encrypt", 1, 3, u.Bytes, crypt(true)), meth("Decrypt", 1, 3, u.Bytes, crypt(false)))

	rng := u.newType("RNGCryptoServiceProvider", "System.Security.Cryptography.RNGCryptoServiceProvider", u.Object)
	rng.New = func(c Call) Value { return &RNG{} }
	fill := func(nonZero bool) func(c Call) Value {
		return func(c Call) Value {
			c.NotNull(0, "data")
			b := c.Bytes(0)
			_, _ = rand.Read(b)
			for i := range b {
				for nonZero && b[i] == 0 {
					_, _ = rand.Read(b[i : i+1])
				}
			}
			return nil
		}
	}
	rng.add(meth("GetBytes", 1, 1, u.Void, fill(false)), meth("GetNonZeroBytes", 1, 1, u.Void, fill(true)),
		meth("Dispose", 0, 0, u.Void, func(c Call) Value { return nil }))
	u.buildCryptoMore()
}

// RNG is an RNGCryptoServiceProvider.
type RNG struct{}

// DotnetType implements Typed.
func (r *RNG) DotnetType(u *Lib) *Type { return u.Types["RNGCryptoServiceProvider"] }

func padArg(c Call, i int, pm *Type, enumArg func(Value, *Type) int64) int64 {
	if c.Has(i) {
		return enumArg(c.Args[i], pm)
	}
	return padPKCS7
}
