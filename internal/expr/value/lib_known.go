package value

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"strings"
)

// StringBuilder is a System.Text.StringBuilder.
type StringBuilder struct {
	B strings.Builder
}

// DotnetType implements Typed.
func (s *StringBuilder) DotnetType(u *Lib) *Type { return u.Types["StringBuilder"] }

// DotnetString implements Stringer.
func (s *StringBuilder) DotnetString() string { return s.B.String() }

// openTypes are allowed .NET types that tollgate accepts at compile time but
// does not run: using one raises NotSupportedException at evaluation.
var openTypes = []string{
	"System.IO.StringWriter", "System.UriBuilder",
	"System.Security.Cryptography.RSA", "System.Security.Cryptography.RSACng", "System.Security.Cryptography.Aes", "System.Security.Cryptography.RNGCryptoServiceProvider",
	"System.Security.Cryptography.SymmetricAlgorithm", "System.Security.Cryptography.HashAlgorithmName",
	"System.Security.Cryptography.RSASignaturePadding", "System.Security.Cryptography.RSAEncryptionPadding",
	"System.Security.Cryptography.X509Certificates.X509Certificate", "System.Security.Cryptography.X509Certificates.RSACertificateExtensions",
	"System.Security.Cryptography.CipherMode", "System.Security.Cryptography.PaddingMode",
	"Newtonsoft.Json.Linq.JConstructor", "Newtonsoft.Json.Linq.JRaw",
}

func (u *Lib) buildKnownOnly() {
	for _, full := range openTypes {
		name := full[strings.LastIndexByte(full, '.')+1:]
		if u.Types[name] != nil {
			continue
		}
		t := u.newType(name, full, u.Object)
		t.Open = true
	}
	sb := u.newType("StringBuilder", "System.Text.StringBuilder", u.Object)
	sb.New = func(c Call) Value {
		s := &StringBuilder{}
		if c.Has(0) {
			if str, ok := c.Args[0].(string); ok {
				s.B.WriteString(str)
			}
		}
		return s
	}
	b := func(c Call) *StringBuilder { return c.This.(*StringBuilder) }
	sb.add(
		meth("Append", 1, 3, sb, func(c Call) Value {
			if ch, ok := c.Args[0].(Char); ok && c.Has(1) {
				b(c).B.WriteString(strings.Repeat(string(rune(ch)), c.Int(1)))
			} else {
				b(c).B.WriteString(ToString(c.Args[0]))
			}
			return c.This
		}),
		meth("AppendLine", 0, 1, sb, func(c Call) Value {
			if c.Has(0) {
				b(c).B.WriteString(c.Str(0))
			}
			b(c).B.WriteString("\r\n")
			return c.This
		}),
		meth("AppendFormat", 1, -1, sb, func(c Call) Value { b(c).B.WriteString(Format(c.Str(0), c.Args[1:])); return c.This }),
		meth("Clear", 0, 0, sb, func(c Call) Value { b(c).B.Reset(); return c.This }),
		meth("Insert", 2, 2, sb, func(c Call) Value {
			r := []rune(b(c).B.String())
			i := c.Int(0)
			if i < 0 || i > len(r) {
				Throw(ExArgRange, "Index was out of range. (Parameter 'index')")
			}
			s := string(r[:i]) + ToString(c.Args[1]) + string(r[i:])
			b(c).B.Reset()
			b(c).B.WriteString(s)
			return c.This
		}),
		meth("Replace", 2, 2, sb, func(c Call) Value {
			s := strings.ReplaceAll(b(c).B.String(), c.Str(0), c.Str(1))
			b(c).B.Reset()
			b(c).B.WriteString(s)
			return c.This
		}),
		prop("Length", u.Int, func(c Call) Value { return int32(strLen(b(c).B.String())) }),
		meth("ToString", 0, 0, u.String, func(c Call) Value { return b(c).B.String() }),
	)
	// byte[].Encrypt / Decrypt (APIM extension methods), AES-CBC with PKCS#7.
	crypt := func(enc bool) func(c Call) Value {
		return func(c Call) Value {
			data, ok := c.This.([]byte)
			if !ok {
				ThrowCast(c.This, "System.Byte[]")
			}
			if alg, ok := c.Args[0].(string); !ok || !strings.EqualFold(alg, "Aes") {
				Throw(ExNotSupported, "tollgate supports only the \"Aes\" algorithm in Encrypt and Decrypt")
			}
			key := c.Bytes(1)
			iv := c.Bytes(2)
			blk, err := aes.NewCipher(key)
			if err != nil {
				Throw("System.Security.Cryptography.CryptographicException", "Specified key is not a valid size for this algorithm.")
			}
			if len(iv) != aes.BlockSize {
				Throw("System.Security.Cryptography.CryptographicException", "Specified initialization vector (IV) does not match the block size for this algorithm.")
			}
			if enc {
				n := aes.BlockSize - len(data)%aes.BlockSize
				buf := append(append([]byte(nil), data...), bytes.Repeat([]byte{byte(n)}, n)...)
				cipher.NewCBCEncrypter(blk, iv).CryptBlocks(buf, buf)
				return buf
			}
			if len(data)%aes.BlockSize != 0 || len(data) == 0 {
				Throw("System.Security.Cryptography.CryptographicException", "The input data is not a complete block.")
			}
			buf := append([]byte(nil), data...)
			cipher.NewCBCDecrypter(blk, iv).CryptBlocks(buf, buf)
			n := int(buf[len(buf)-1])
			if n == 0 || n > aes.BlockSize {
				Throw("System.Security.Cryptography.CryptographicException", "Padding is invalid and cannot be removed.")
			}
			return buf[:len(buf)-n]
		}
	}
	u.arrayBase.add(meth("Encrypt", 3, 3, u.Bytes, crypt(true)), meth("Decrypt", 3, 3, u.Bytes, crypt(false)))
}
