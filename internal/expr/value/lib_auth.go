package value

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"hash"
	"math"
	"strings"
	"time"
)

// Jwt is a decoded (not validated) JSON Web Token.
type Jwt struct {
	Header map[string]any
	Claims PairHeaders
	raw    map[string]any
}

// DotnetType implements Typed.
func (j *Jwt) DotnetType(u *Lib) *Type { return u.Jwt }

// BasicCredentials is the result of AsBasic.
type BasicCredentials struct {
	UserId, Password string
}

// DotnetType implements Typed.
func (b *BasicCredentials) DotnetType(u *Lib) *Type { return u.Basic }

func b64url(s string) ([]byte, error) {
	s = strings.TrimRight(s, "=")
	return base64.RawURLEncoding.DecodeString(s)
}

// ParseJwt decodes a compact JWT, with or without a "Bearer " prefix.
func ParseJwt(s string) *Jwt {
	s = strings.TrimSpace(s)
	if len(s) > 7 && strings.EqualFold(s[:7], "bearer ") {
		s = strings.TrimSpace(s[7:])
	}
	parts := strings.Split(s, ".")
	if len(parts) != 3 && len(parts) != 5 {
		return nil
	}
	hb, err := b64url(parts[0])
	if err != nil {
		return nil
	}
	pb, err := b64url(parts[1])
	if err != nil {
		return nil
	}
	j := &Jwt{}
	if json.Unmarshal(hb, &j.Header) != nil {
		return nil
	}
	if json.Unmarshal(pb, &j.raw) != nil {
		return nil
	}
	for _, k := range sortedKeys(j.raw) {
		var vals []string
		switch x := j.raw[k].(type) {
		case []any:
			for _, e := range x {
				vals = append(vals, claimString(e))
			}
		default:
			vals = []string{claimString(x)}
		}
		j.Claims = append(j.Claims, HeaderPair{Name: k, Values: vals})
	}
	return j
}

func claimString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1e15 {
			return FormatDouble(x)
		}
		return FormatDouble(x)
	case bool:
		if x {
			return "true"
		}
		return "false"
	case nil:
		return ""
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func (j *Jwt) str(name string) Value {
	if vs, ok := j.Claims.Values(name); ok && len(vs) > 0 {
		return vs[0]
	}
	return nil
}

func (j *Jwt) date(name string) Value {
	if f, ok := j.raw[name].(float64); ok {
		return time.Unix(int64(f), 0).UTC()
	}
	return nil
}

// ParseBasic decodes a "Basic base64(user:password)" header value.
func ParseBasic(s string) *BasicCredentials {
	s = strings.TrimSpace(s)
	if len(s) < 6 || !strings.EqualFold(s[:6], "basic ") {
		return nil
	}
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s[6:]))
	if err != nil {
		return nil
	}
	user, pass, ok := strings.Cut(string(b), ":")
	if !ok {
		return nil
	}
	return &BasicCredentials{UserId: user, Password: pass}
}

func (u *Lib) buildJwt() {
	u.Jwt = u.newType("Jwt", "Microsoft.Azure.ApiManagement.Proxy.Jwt", u.Object)
	u.Basic = u.newType("BasicAuthCredentials", "Microsoft.Azure.ApiManagement.Proxy.BasicAuthCredentials", u.Object)
	jw := func(c Call) *Jwt { return c.This.(*Jwt) }
	u.Jwt.add(
		prop("Claims", u.Headers, func(c Call) Value { return jw(c).Claims }),
		prop("Id", u.String, func(c Call) Value { return jw(c).str("jti") }),
		prop("Issuer", u.String, func(c Call) Value { return jw(c).str("iss") }),
		prop("Subject", u.String, func(c Call) Value { return jw(c).str("sub") }),
		prop("Type", u.String, func(c Call) Value { s, _ := jw(c).Header["typ"].(string); return nilIfEmpty(s) }),
		prop("Algorithm", u.String, func(c Call) Value { s, _ := jw(c).Header["alg"].(string); return nilIfEmpty(s) }),
		prop("Audiences", u.SeqOf(u.String), func(c Call) Value {
			vs, _ := jw(c).Claims.Values("aud")
			return seqOfStrings(vs)
		}),
		prop("ExpirationTime", u.DateTime, func(c Call) Value { return jw(c).date("exp") }),
		prop("NotBefore", u.DateTime, func(c Call) Value { return jw(c).date("nbf") }),
		prop("IssuedAt", u.DateTime, func(c Call) Value { return jw(c).date("iat") }),
	)
	bc := func(c Call) *BasicCredentials { return c.This.(*BasicCredentials) }
	u.Basic.add(
		prop("UserId", u.String, func(c Call) Value { return bc(c).UserId }),
		prop("Username", u.String, func(c Call) Value { return bc(c).UserId }),
		prop("Password", u.String, func(c Call) Value { return bc(c).Password }),
	)
	s := u.String
	s.add(
		meth("AsJwt", 0, 0, u.Jwt, func(c Call) Value { return orNil(ParseJwt(c.This.(string))) }),
		&Member{Name: "TryParseJwt", Kind: Method, Min: 1, Max: 1, Result: u.Bool, Out: []int{0}, Fn: func(c Call) Value {
			j := ParseJwt(c.This.(string))
			c.Args[0] = orNil(j)
			return j != nil
		}},
		meth("AsBasic", 0, 0, u.Basic, func(c Call) Value { return orNil(ParseBasic(c.This.(string))) }),
		&Member{Name: "TryParseBasic", Kind: Method, Min: 1, Max: 1, Result: u.Bool, Out: []int{0}, Fn: func(c Call) Value {
			b := ParseBasic(c.This.(string))
			c.Args[0] = orNil(b)
			return b != nil
		}},
	)
}

// Hasher is a HashAlgorithm or HMAC instance.
type Hasher struct {
	Name string
	New  func() hash.Hash
	// for HMAC: the underlying hash and the key
	inner func() hash.Hash
	key   []byte
	// run is the running state of TransformBlock; last is the value of the
	// Hash property.
	run  hash.Hash
	last []byte
}

func (h *Hasher) hmac() *Hasher {
	key := append([]byte(nil), h.key...)
	inner := h.inner
	h.New = func() hash.Hash { return hmac.New(inner, key) }
	return h
}

// DotnetType implements Typed.
func (h *Hasher) DotnetType(u *Lib) *Type { return u.Types[h.Name] }

func (u *Lib) buildCrypto() {
	u.HashAlg = u.newType("HashAlgorithm", "System.Security.Cryptography.HashAlgorithm", u.Object)
	u.HashAlg.add(
		meth("ComputeHash", 1, 3, u.Bytes, func(c Call) Value {
			b, ok := c.Args[0].([]byte)
			if !ok {
				c.NotNull(0, "buffer")
				ThrowCast(c.Args[0], "System.Byte[]")
			}
			if c.Has(2) {
				b = b[c.Int(1) : c.Int(1)+c.Int(2)]
			}
			hs := c.This.(*Hasher)
			h := hs.New()
			h.Write(b)
			hs.run, hs.last = nil, h.Sum(nil)
			return append([]byte(nil), hs.last...)
		}),
		meth("Dispose", 0, 0, u.Void, func(c Call) Value { return nil }),
		meth("Clear", 0, 0, u.Void, func(c Call) Value { return nil }),
		meth("Initialize", 0, 0, u.Void, func(c Call) Value { c.This.(*Hasher).run = nil; return nil }),
		prop("HashSize", u.Int, func(c Call) Value { return int32(c.This.(*Hasher).New().Size() * 8) }),
		prop("Hash", u.Bytes, func(c Call) Value {
			hs := c.This.(*Hasher)
			if hs.last == nil {
				Throw(ExCrypto, "Hash must be finalized before the hash value is retrieved.")
			}
			return append([]byte(nil), hs.last...)
		}),
		meth("TransformBlock", 5, 5, u.Int, func(c Call) Value {
			hs := c.This.(*Hasher)
			in := sliceArgs(c, 0, "inputBuffer")
			if hs.run == nil {
				hs.run = hs.New()
			}
			hs.run.Write(in)
			if out, ok := c.Args[3].([]byte); ok {
				off := c.Int(4)
				if off < 0 || off+len(in) > len(out) {
					Throw(ExArgument, "Offset and length were out of bounds for the array or count is greater than the number of elements from index to the end of the source collection.")
				}
				copy(out[off:], in)
			}
			return int32(len(in))
		}),
		meth("TransformFinalBlock", 3, 3, u.Bytes, func(c Call) Value {
			hs := c.This.(*Hasher)
			in := sliceArgs(c, 0, "inputBuffer")
			if hs.run == nil {
				hs.run = hs.New()
			}
			hs.run.Write(in)
			hs.last, hs.run = hs.run.Sum(nil), nil
			return append([]byte(nil), in...)
		}),
	)
	plain := map[string]func() hash.Hash{"SHA256": sha256.New, "SHA1": sha1.New, "MD5": md5.New, "SHA384": sha512.New384, "SHA512": sha512.New,
		"SHA256Managed": sha256.New, "SHA1Managed": sha1.New, "SHA384Managed": sha512.New384, "SHA512Managed": sha512.New}
	var createHash func(c Call) Value // HashAlgorithm.Create(name), below
	for name, f := range plain {
		t := u.newType(name, "System.Security.Cryptography."+name, u.HashAlg)
		if strings.HasSuffix(name, "Managed") {
			// SHA256Managed derives from SHA256 and inherits its
			// statics (below).
			t.New = func(c Call) Value { return &Hasher{Name: name, New: f} }
			continue
		}
		// Create(name) is the cast of HashAlgorithm.Create(name) to t:
		// null for an unknown name, InvalidCastException for another
		// algorithm's.
		t.addStatic(meth("Create", 0, 1, t, func(c Call) Value {
			if !c.Has(0) {
				return &Hasher{Name: name, New: f}
			}
			h := createHash(c)
			if hs, ok := h.(*Hasher); ok && hs.Name != name {
				ThrowCast(h, t.FullName)
			}
			return h
		}),
			meth("HashData", 1, 1, u.Bytes, func(c Call) Value {
				h := f()
				h.Write(c.Bytes(0))
				return h.Sum(nil)
			}))
		t.New = func(c Call) Value { return &Hasher{Name: name, New: f} }
	}
	for _, n := range []string{"SHA1", "SHA256", "SHA384", "SHA512"} {
		u.Types[n+"Managed"].Base = u.Types[n]
	}
	keyed := u.newType("KeyedHashAlgorithm", "System.Security.Cryptography.KeyedHashAlgorithm", u.HashAlg)
	hm := u.newType("HMAC", "System.Security.Cryptography.HMAC", keyed)
	hm.add(prop("HashName", u.String, func(c Call) Value { return strings.TrimPrefix(c.This.(*Hasher).Name, "HMAC") }))
	keyed.add(&Member{Name: "Key", Kind: Property, Result: u.Bytes,
		Get: func(c Call) Value { return append([]byte(nil), c.This.(*Hasher).key...) },
		Set: func(c Call, v Value) {
			b, ok := v.([]byte)
			if !ok {
				ThrowCast(v, "System.Byte[]")
			}
			h := c.This.(*Hasher)
			if h.run != nil {
				Throw(ExCrypto, "Hash key cannot be changed after the first write to the stream.")
			}
			h.key = append([]byte(nil), b...)
			h.hmac()
		}})
	hmacs := map[string]func() hash.Hash{"HMACSHA256": sha256.New, "HMACSHA1": sha1.New, "HMACMD5": md5.New, "HMACSHA384": sha512.New384, "HMACSHA512": sha512.New}
	for name, f := range hmacs {
		t := u.newType(name, "System.Security.Cryptography."+name, hm)
		t.New = func(c Call) Value {
			var key []byte
			if c.Has(0) {
				k, ok := c.Args[0].([]byte)
				if !ok {
					c.NotNull(0, "key")
					ThrowCast(c.Args[0], "System.Byte[]")
				}
				key = k
			} else {
				// A random key of the hash's block size: 64 bytes, 128
				// for SHA-384 and SHA-512.
				key = make([]byte, f().BlockSize())
				_, _ = rand.Read(key)
			}
			return (&Hasher{Name: name, inner: f, key: append([]byte(nil), key...)}).hmac()
		}
		// HashData(key, source) is the one-shot HMAC of .NET 6.
		t.addStatic(meth("HashData", 2, 2, u.Bytes, func(c Call) Value {
			c.NotNull(0, "key")
			c.NotNull(1, "source")
			h := hmac.New(f, c.Bytes(0))
			h.Write(c.Bytes(1))
			return h.Sum(nil)
		}))
	}
	// Create(name) factories, by CryptoConfig name (case-insensitive);
	// unknown names give null.
	norm := func(c Call) string {
		c.NotNull(0, "algName")
		n := strings.ToUpper(strings.TrimPrefix(c.Str(0), "System.Security.Cryptography."))
		return strings.TrimSuffix(n, "MANAGED")
	}
	createHash = func(c Call) Value {
		n := norm(c)
		switch n {
		case "SHA", "SHA-1":
			n = "SHA1"
		case "SHA-256":
			n = "SHA256"
		case "SHA-384":
			n = "SHA384"
		case "SHA-512":
			n = "SHA512"
		}
		if f, ok := plain[n]; ok {
			return &Hasher{Name: n, New: f}
		}
		return createHMAC(u, n)
	}
	u.HashAlg.addStatic(meth("Create", 1, 1, u.HashAlg, createHash))
	// KeyedHashAlgorithm.Create(name) and HMAC.Create(name) cast what
	// HashAlgorithm.Create(name) gives: a plain hash's name throws.
	createKeyed := func(t *Type) func(c Call) Value {
		return func(c Call) Value {
			h := createHash(c)
			if hs, ok := h.(*Hasher); ok && !strings.HasPrefix(hs.Name, "HMAC") {
				ThrowCast(h, t.FullName)
			}
			return h
		}
	}
	keyed.addStatic(meth("Create", 1, 1, keyed, createKeyed(keyed)))
	hm.addStatic(meth("Create", 1, 1, hm, createKeyed(hm)))
}

// createHMAC returns a new HMAC with a random key for an upper-case name
// such as "HMACSHA256", or null.
func createHMAC(u *Lib, name string) Value {
	t := u.Types[name]
	if t == nil || t.New == nil || !strings.HasPrefix(name, "HMAC") {
		return nil
	}
	return t.New(Call{})
}
