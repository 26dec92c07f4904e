package value

import (
	"crypto/x509"
	"encoding/asn1"
	"strings"
	"time"
	"unicode"
)

// Opaque is a value of a type outside API Management's allowed list
// (Type.NotAllowed) that an allowed member returns: an expression can hold
// it, print it and pass it to the allowed members that take it, but not
// use its own members (the compiler refuses them, as API Management does).
type Opaque struct {
	T *Type // the runtime type
	V any   // what the members that take it need
	// Str is what ToString gives when the type overrides object's
	// (ValueTask<T> prints its result); "" prints the runtime type's full
	// name, as object.ToString does.
	Str string
}

// DotnetType implements Typed.
func (o *Opaque) DotnetType(*Lib) *Type { return o.T }

// DotnetString implements Stringer.
func (o *Opaque) DotnetString() string {
	if o.Str != "" {
		return o.Str
	}
	return o.T.FullName
}

// Each implements Enumerable for the collections among them
// (X509ExtensionCollection).
func (o *Opaque) Each(fn func(Value) bool) {
	items, _ := o.V.([]Value)
	for _, v := range items {
		if !fn(v) {
			return
		}
	}
}

// notAllowed registers a type outside the allowed list under its simple
// and full names.
func (u *Lib) notAllowed(name, full string, base *Type) *Type {
	t := u.newType(name, full, base)
	t.NotAllowed = true
	return t
}

// overridesObject marks the object members a type outside the list
// declares itself (a struct's ValueType members, a ToString override): API
// Management refuses calling them on it.
func overridesObject(t *Type, names ...string) {
	for _, n := range names {
		t.add(meth(n, 0, 1, nil, func(Call) Value { return nil }))
	}
}

// buildNotAllowed adds the allowed members that return or take values of
// types outside the list: the asynchronous reader and writer methods
// (Task), Encoding.Preamble (ReadOnlySpan<byte>), Exception.TargetSite
// (MethodBase), X509Certificate.Handle (IntPtr), the symmetric transforms
// (ICryptoTransform), the legal key sizes (KeySizes[]), the RSA padding
// modes, a certificate's extensions, a public key's encoded data,
// char.GetUnicodeCategory (UnicodeCategory), TimeZone.GetDaylightChanges
// (DaylightTime), StringWriter.FormatProvider (IFormatProvider), and
// BitConverter's Half, Int128 and UInt128.
func (u *Lib) buildNotAllowed() {
	u.buildAsyncTextMembers()
	u.buildNotAllowedCrypto()
	u.buildNotAllowedNumbers()

	// Encoding.Preamble: the preamble's bytes as a read-only span.
	span := u.notAllowed("ReadOnlySpan<byte>", "System.ReadOnlySpan`1[System.Byte]", u.Object)
	overridesObject(span, "ToString", "Equals", "GetHashCode")
	enc := u.Types["Encoding"]
	getPreamble := enc.Lookup("GetPreamble").Fn
	// Its value is the bytes themselves: C# passes a span where a
	// ReadOnlySpan<byte> overload takes it (Convert.ToBase64String), and
	// tollgate's byte[] overload does the same; API Management refuses the
	// span's own members.
	enc.add(prop("Preamble", span, func(c Call) Value { return getPreamble(c) }))

	// Exception.TargetSite: the method that threw, which an expression's
	// exceptions do not have (tollgate's library is not .NET code).
	methodBase := u.notAllowed("MethodBase", "System.Reflection.MethodBase", u.Object)
	u.Exception.add(prop("TargetSite", methodBase, func(Call) Value { return nil }))

	// char.GetUnicodeCategory: an enum, printed by Enum.ToString, which API
	// Management allows.
	cat := u.notAllowed("UnicodeCategory", "System.Globalization.UnicodeCategory", u.Object)
	cat.Value = true
	cat.EnumValues = map[string]int64{}
	for i, n := range unicodeCategories {
		cat.EnumValues[n] = int64(i)
	}
	cat.Is = func(v Value) bool { e, ok := v.(Enum); return ok && e.T == cat }
	u.Char.addStatic(meth("GetUnicodeCategory", 1, 2, cat, func(c Call) Value {
		var r rune
		switch x := c.Args[0].(type) {
		case Char:
			r = rune(x)
		case string: // GetUnicodeCategory(string s, int index)
			rs := []rune(x)
			i := c.Int(1)
			if i < 0 || i >= len(rs) {
				Throw(ExArgRange, "Index was out of range. Must be non-negative and less than the size of the collection. (Parameter 'index')")
			}
			r = rs[i]
		default:
			ThrowCast(c.Args[0], "System.Char")
		}
		n := unicodeCategory(r)
		return Enum{T: cat, V: int64(n), Name: unicodeCategories[n]}
	}))

	// System.TimeZone.GetDaylightChanges: the current zone is UTC, which
	// has no daylight time: .NET's DaylightTime(MinValue, MinValue, 0).
	daylight := u.notAllowed("DaylightTime", "System.Globalization.DaylightTime", u.Object)
	tz := u.Types["TimeZone"]
	tz.add(meth("GetDaylightChanges", 1, 1, daylight, func(c Call) Value {
		if y := c.Int(0); y < 1 || y > 9999 {
			Throw(ExArgRange, "Year must be between 1 and 9999. (Parameter 'year')")
		}
		return &Opaque{T: daylight, V: TimeSpan(0)}
	}))
	tz.addStatic(meth("IsDaylightSavingTime", 2, 2, u.Bool, func(c Call) Value {
		c.NotNull(1, "daylightTimes")
		if _, ok := c.Args[0].(time.Time); !ok {
			ThrowCast(c.Args[0], "System.DateTime")
		}
		return false // GetDaylightChanges' only answer has no daylight delta
	}))

	// StringComparer.IsWellKnownCultureAwareComparer: the culture-aware
	// comparers are the invariant culture's (the current culture is the
	// invariant one in tollgate), with their CompareInfo and CompareOptions.
	compareInfo := u.notAllowed("CompareInfo", "System.Globalization.CompareInfo", u.Object)
	compareOptions := u.notAllowed("CompareOptions", "System.Globalization.CompareOptions", u.Object)
	compareOptions.Value = true
	compareOptions.Flags = true
	compareOptions.EnumValues = map[string]int64{"None": 0, "IgnoreCase": 1, "IgnoreNonSpace": 2, "IgnoreSymbols": 4,
		"IgnoreKanaType": 8, "IgnoreWidth": 16, "OrdinalIgnoreCase": 268435456, "StringSort": 536870912, "Ordinal": 1073741824}
	u.Types["StringComparer"].addStatic(&Member{Name: "IsWellKnownCultureAwareComparer", Kind: Method, Min: 3, Max: 3, Out: []int{1, 2}, Result: u.Bool,
		Fn: func(c Call) Value {
			c.Args[1], c.Args[2] = nil, Enum{T: compareOptions, V: 0, Name: "None"}
			e, ok := c.Args[0].(Enum)
			if !ok || e.T != u.Types["StringComparer"] || strings.HasPrefix(e.Name, "Ordinal") {
				return false
			}
			c.Args[1] = &Opaque{T: compareInfo, Str: "CompareInfo - "}
			if strings.HasSuffix(e.Name, "IgnoreCase") {
				c.Args[2] = Enum{T: compareOptions, V: 1, Name: "IgnoreCase"}
			}
			return true
		}})

	// XContainer.CreateWriter: an XmlWriter that adds to the container what
	// is written to it. Every member of XmlWriter is outside the list, and
	// the allowed members that write to one (XNode.WriteTo) are not in
	// tollgate's table, so nothing reaches the container through it.
	xmlWriter := u.notAllowed("XmlWriter", "System.Xml.XmlWriter", u.Object)
	builder := &Type{Name: "XNodeBuilder", FullName: "System.Xml.Linq.XNodeBuilder", Base: xmlWriter, NotAllowed: true}
	if xc := u.Types["XContainer"]; xc != nil {
		xc.add(meth("CreateWriter", 0, 0, xmlWriter, func(c Call) Value { return &Opaque{T: builder, V: c.This} }))
	}

	// StringWriter.FormatProvider: the culture it formats with, the
	// invariant culture (CultureInfo prints its name, "" for it).
	provider := u.notAllowed("IFormatProvider", "System.IFormatProvider", u.Object)
	culture := u.notAllowed("CultureInfo", "System.Globalization.CultureInfo", provider)
	u.Types["StringWriter"].add(prop("FormatProvider", provider, func(Call) Value {
		return &Opaque{T: culture, Str: ""}
	}))
}

// unicodeCategories are UnicodeCategory's names, by value.
var unicodeCategories = []string{
	"UppercaseLetter", "LowercaseLetter", "TitlecaseLetter", "ModifierLetter", "OtherLetter",
	"NonSpacingMark", "SpacingCombiningMark", "EnclosingMark", "DecimalDigitNumber", "LetterNumber",
	"OtherNumber", "SpaceSeparator", "LineSeparator", "ParagraphSeparator", "Control", "Format",
	"Surrogate", "PrivateUse", "ConnectorPunctuation", "DashPunctuation", "OpenPunctuation",
	"ClosePunctuation", "InitialQuotePunctuation", "FinalQuotePunctuation", "OtherPunctuation",
	"MathSymbol", "CurrencySymbol", "ModifierSymbol", "OtherSymbol", "OtherNotAssigned",
}

// unicodeCategory returns r's UnicodeCategory value, from Go's Unicode
// tables (the same Unicode data .NET's CharUnicodeInfo is generated from,
// possibly of another version).
func unicodeCategory(r rune) int {
	tables := []*unicode.RangeTable{
		unicode.Lu, unicode.Ll, unicode.Lt, unicode.Lm, unicode.Lo,
		unicode.Mn, unicode.Mc, unicode.Me, unicode.Nd, unicode.Nl,
		unicode.No, unicode.Zs, unicode.Zl, unicode.Zp, unicode.Cc, unicode.Cf,
		unicode.Cs, unicode.Co, unicode.Pc, unicode.Pd, unicode.Ps,
		unicode.Pe, unicode.Pi, unicode.Pf, unicode.Po,
		unicode.Sm, unicode.Sc, unicode.Sk, unicode.So,
	}
	for i, t := range tables {
		if unicode.Is(t, r) {
			return i
		}
	}
	return 29 // OtherNotAssigned
}

// buildAsyncTextMembers adds StringReader's and StringWriter's
// asynchronous methods. An expression cannot await (API Management refuses
// every member of Task), so each does its work at once, as the
// synchronous method does, and returns a completed task; a
// ValueTask<string?> prints its result.
func (u *Lib) buildAsyncTextMembers() {
	task := u.notAllowed("Task", "System.Threading.Tasks.Task", u.Object)
	taskOf := func(res *Type) *Type {
		return &Type{Name: "Task<" + res.Name + ">", FullName: "System.Threading.Tasks.Task`1[" + res.FullName + "]", Base: task, NotAllowed: true}
	}
	valueTask := u.notAllowed("ValueTask", "System.Threading.Tasks.ValueTask", u.Object)
	overridesObject(valueTask, "ToString", "Equals", "GetHashCode")
	taskInt, taskString := taskOf(u.Int), taskOf(u.String)
	async := func(t *Type, name, sync string, min, max int, res *Type) *Member {
		inner := t.Lookup(sync).Fn
		return meth(name, min, max, res, func(c Call) Value {
			v := inner(c)
			if res == task {
				return &Opaque{T: task}
			}
			return &Opaque{T: res, V: v}
		})
	}
	sr := u.X.StrReader
	sr.add(
		async(sr, "ReadAsync", "Read", 3, 3, taskInt),
		async(sr, "ReadBlockAsync", "ReadBlock", 3, 3, taskInt),
		async(sr, "ReadLineAsync", "ReadLine", 0, 0, taskString),
		async(sr, "ReadToEndAsync", "ReadToEnd", 0, 0, taskString),
	)
	sw := u.Types["StringWriter"]
	sw.add(
		async(sw, "WriteAsync", "Write", 1, 3, task),
		async(sw, "WriteLineAsync", "WriteLine", 0, 3, task),
		async(sw, "FlushAsync", "Flush", 0, 0, task),
		meth("DisposeAsync", 0, 0, valueTask, func(c Call) Value {
			sw.Lookup("Dispose").Fn(c)
			return &Opaque{T: valueTask, Str: "System.Threading.Tasks.ValueTask"}
		}),
	)
}

// buildNotAllowedCrypto adds the cryptography members whose results are
// of types outside the list.
func (u *Lib) buildNotAllowedCrypto() {
	// The symmetric transforms: .NET's classes behind ICryptoTransform.
	transform := u.notAllowed("ICryptoTransform", "System.Security.Cryptography.ICryptoTransform", u.Object)
	encryptor := &Type{Name: "UniversalCryptoEncryptor", FullName: "System.Security.Cryptography.UniversalCryptoEncryptor", Base: transform, NotAllowed: true}
	decryptor := &Type{Name: "UniversalCryptoDecryptor", FullName: "System.Security.Cryptography.UniversalCryptoDecryptor", Base: transform, NotAllowed: true}
	sym := u.Types["SymmetricAlgorithm"]
	create := func(name string, t *Type) *Member {
		return meth(name, 0, 2, transform, func(c Call) Value {
			s := c.This.(*SymAlg)
			if c.Has(0) {
				c.NotNull(0, "rgbKey")
			}
			return &Opaque{T: t, V: s}
		})
	}
	sym.add(create("CreateEncryptor", encryptor), create("CreateDecryptor", decryptor))

	// LegalKeySizes: KeySizes[]; an array's own members (Length) are
	// allowed, a KeySizes' are not.
	keySizes := u.notAllowed("KeySizes", "System.Security.Cryptography.KeySizes", u.Object)
	sizes := func(min, max, skip int) Value {
		return &Array{T: keySizes, Items: []Value{&Opaque{T: keySizes, V: [3]int{min, max, skip}}}}
	}
	sym.add(prop("LegalKeySizes", u.ArrayOf(keySizes), func(c Call) Value {
		k := c.This.(*SymAlg).alg.keySizes
		return sizes(k[0], k[1], k[2])
	}))
	if asym := u.Types["AsymmetricAlgorithm"]; asym != nil {
		// RSA on Linux (RSAOpenSsl): 512 to 16384 bits in steps of 8.
		asym.add(prop("LegalKeySizes", u.ArrayOf(keySizes), func(Call) Value { return sizes(512, 16384, 8) }))
	}

	// The RSA padding modes: enums, printed by Enum.ToString.
	paddingMode := func(name string, values ...string) *Type {
		t := u.notAllowed(name, "System.Security.Cryptography."+name, u.Object)
		t.Value = true
		t.EnumValues = map[string]int64{}
		for i, v := range values {
			t.EnumValues[v] = int64(i)
		}
		return t
	}
	encMode := paddingMode("RSAEncryptionPaddingMode", "Pkcs1", "Oaep")
	sigMode := paddingMode("RSASignaturePaddingMode", "Pkcs1", "Pss")
	mode := func(t *Type) *Member {
		return prop("Mode", t, func(c Call) Value {
			p := c.This.(RSAPadding)
			v := t.EnumValues[p.Mode]
			return Enum{T: t, V: v, Name: p.Mode}
		})
	}
	u.Types["RSAEncryptionPadding"].add(mode(encMode))
	u.Types["RSASignaturePadding"].add(mode(sigMode))

	// A certificate's handle (OpenSSL's X509 pointer on Linux), its
	// extensions, and its public key's encoded data.
	intPtr := u.notAllowed("IntPtr", "System.IntPtr", u.Object)
	overridesObject(intPtr, "ToString", "Equals", "GetHashCode")
	cert := u.Types["X509Certificate"]
	cert.add(prop("Handle", intPtr, func(c Call) Value {
		// A stable, nonzero stand-in: there is no native handle.
		return &Opaque{T: intPtr, V: c.This, Str: "1"}
	}))
	ext := u.notAllowed("X509Extension", "System.Security.Cryptography.X509Certificates.X509Extension", u.Object)
	extTypes := map[string]*Type{}
	for oid, name := range x509ExtensionTypes {
		extTypes[oid] = &Type{Name: name, FullName: "System.Security.Cryptography.X509Certificates." + name, Base: ext, NotAllowed: true}
	}
	exts := u.notAllowed("X509ExtensionCollection", "System.Security.Cryptography.X509Certificates.X509ExtensionCollection", u.Enumerable)
	exts.Elem = ext
	u.Types["X509Certificate2"].add(prop("Extensions", exts, func(c Call) Value {
		var items []Value
		if x := certOf(c.This); x != nil {
			for _, e := range x.Extensions {
				t := extTypes[e.Id.String()]
				if t == nil {
					t = ext
				}
				items = append(items, &Opaque{T: t, V: e})
			}
		}
		return &Opaque{T: exts, V: items}
	}))
	asn := u.notAllowed("AsnEncodedData", "System.Security.Cryptography.AsnEncodedData", u.Object)
	ecdsa := u.notAllowed("ECDsa", "System.Security.Cryptography.ECDsa", u.Object)
	pk := u.Types["PublicKey"]
	pk.add(
		prop("EncodedKeyValue", asn, func(c Call) Value { return &Opaque{T: asn, V: publicKeyPart(c.This, false)} }),
		prop("EncodedParameters", asn, func(c Call) Value { return &Opaque{T: asn, V: publicKeyPart(c.This, true)} }),
		meth("GetECDsaPublicKey", 0, 0, ecdsa, func(c Call) Value {
			if x := certOf(c.This); x != nil && x.PublicKeyAlgorithm == x509.ECDSA {
				return &Opaque{T: ecdsa, V: x.PublicKey, Str: "System.Security.Cryptography.ECDsaOpenSsl"}
			}
			return nil
		}),
	)
}

// x509ExtensionTypes are the classes .NET 8 makes of the extensions it
// knows, by OID; the others are X509Extension.
var x509ExtensionTypes = map[string]string{
	"2.5.29.19": "X509BasicConstraintsExtension",
	"2.5.29.15": "X509KeyUsageExtension",
	"2.5.29.37": "X509EnhancedKeyUsageExtension",
	"2.5.29.14": "X509SubjectKeyIdentifierExtension",
	"2.5.29.35": "X509AuthorityKeyIdentifierExtension",
	"2.5.29.17": "X509SubjectAlternativeNameExtension",
}

// certOf returns the parsed certificate behind a certificate or public key
// value.
func certOf(v Value) *x509.Certificate {
	switch x := v.(type) {
	case *Certificate:
		return x.X509
	case *CertPublicKey:
		if x.C != nil {
			return x.C.X509
		}
	}
	return nil
}

// publicKeyPart returns the DER of a public key's subjectPublicKey bits, or
// of its algorithm parameters.
func publicKeyPart(v Value, params bool) []byte {
	x := certOf(v)
	if x == nil {
		return nil
	}
	var spki struct {
		Algorithm struct {
			Algorithm  asn1.ObjectIdentifier
			Parameters asn1.RawValue `asn1:"optional"`
		}
		PublicKey asn1.BitString
	}
	if _, err := asn1.Unmarshal(x.RawSubjectPublicKeyInfo, &spki); err != nil {
		return nil
	}
	if params {
		return spki.Algorithm.Parameters.FullBytes
	}
	return spki.PublicKey.Bytes
}
