package compile

import (
	"fmt"
	"strings"

	"github.com/tollgate/tollgate/internal/expr/value"
)

// API Management checks a policy expression against a list of allowed
// types when the policy is saved (apim-spec §4.2): its analyzer reports
// APIM0001, "Usage of type 'T' is not supported within expressions", for a
// member access, call or object creation whose member belongs to a type
// outside the list, and APIM0002, "Usage of member 'M' of type 'T' is not
// supported within expressions", for a member a restricted type (DateTime,
// Regex) does not allow. tollgate knows only allowed types, so an
// expression that names another type fails to load either way; for the
// .NET types that policy authors reach for, the error says what API
// Management says, so that nobody goes looking for a tollgate gap.

// notAllowedTypes maps the .NET types outside API Management's allowed
// list that expressions commonly name, by their simple name, to their full
// names.
var notAllowedTypes = func() map[string]string {
	m := map[string]string{}
	for _, full := range []string{
		"System.Activator", "System.AppDomain", "System.Console", "System.DateOnly",
		"System.Environment", "System.GC", "System.Half", "System.Int128",
		"System.IntPtr", "System.Lazy", "System.Memory", "System.ReadOnlySpan",
		"System.Span", "System.TimeOnly", "System.UInt128", "System.UriBuilder", "System.UriComponents",
		"System.UriCreationOptions", "System.UriFormat",
		"System.Collections.Concurrent.ConcurrentDictionary",
		"System.Collections.Generic.LinkedList", "System.Collections.Generic.SortedDictionary",
		"System.Collections.Generic.SortedList", "System.Collections.Generic.SortedSet",
		"System.Diagnostics.Activity", "System.Diagnostics.Debug", "System.Diagnostics.Process",
		"System.Diagnostics.Stopwatch", "System.Diagnostics.Trace",
		"System.Globalization.Calendar", "System.Globalization.CompareInfo",
		"System.Globalization.CompareOptions", "System.Globalization.CultureInfo",
		"System.Globalization.DateTimeFormatInfo", "System.Globalization.DateTimeStyles",
		"System.Globalization.DaylightTime", "System.Globalization.GregorianCalendar",
		"System.Globalization.NumberFormatInfo", "System.Globalization.NumberStyles",
		"System.Globalization.TextInfo", "System.Globalization.TimeSpanStyles",
		"System.Globalization.UnicodeCategory",
		"System.IO.BinaryReader", "System.IO.BinaryWriter", "System.IO.Directory",
		"System.IO.File", "System.IO.FileInfo", "System.IO.FileStream", "System.IO.MemoryStream",
		"System.IO.Path", "System.IO.Stream", "System.IO.StreamReader", "System.IO.StreamWriter",
		"System.Net.Dns", "System.Net.HttpWebRequest", "System.Net.WebClient", "System.Net.WebRequest",
		"System.Net.Http.HttpClient", "System.Net.Http.HttpRequestMessage",
		"System.Net.Http.HttpResponseMessage",
		"System.Reflection.Assembly", "System.Reflection.BindingFlags",
		"System.Reflection.MethodBase", "System.Reflection.MethodInfo",
		"System.Runtime.Serialization.FormatterConverter",
		"System.Runtime.Serialization.SerializationInfo",
		"System.Runtime.Serialization.StreamingContext",
		"System.Security.Cryptography.CryptoStream", "System.Security.Cryptography.ECDsa",
		"System.Security.Cryptography.ICryptoTransform", "System.Security.Cryptography.KeySizes",
		"System.Security.Cryptography.OidGroup", "System.Security.Cryptography.PbeEncryptionAlgorithm",
		"System.Security.Cryptography.PbeParameters",
		"System.Security.Cryptography.X509Certificates.X509Chain",
		"System.Security.Cryptography.X509Certificates.X509Extension",
		"System.Security.Cryptography.X509Certificates.X509ExtensionCollection",
		"System.Security.Cryptography.X509Certificates.X509KeyStorageFlags",
		"System.Security.Cryptography.X509Certificates.X509Store",
		"System.Text.DecoderFallback", "System.Text.EncoderFallback", "System.Text.UTF8Encoding",
		"System.Threading.CancellationToken", "System.Threading.CancellationTokenSource",
		"System.Threading.Interlocked", "System.Threading.Thread",
		"System.Threading.Tasks.Task", "System.Threading.Tasks.ValueTask",
		"System.Xml.XmlDocument", "System.Xml.XmlElement", "System.Xml.XmlNode",
		"System.Xml.XmlNodeList", "System.Xml.XmlReader", "System.Xml.XmlReaderSettings",
		"System.Xml.XmlWriter", "System.Xml.XmlWriterSettings", "System.Xml.Linq.ReaderOptions",
		"Newtonsoft.Json.JsonConverter", "Newtonsoft.Json.JsonReader",
		"Newtonsoft.Json.JsonSerializer", "Newtonsoft.Json.JsonSerializerSettings",
		"Newtonsoft.Json.JsonTextReader", "Newtonsoft.Json.JsonTextWriter",
		"Newtonsoft.Json.JsonWriter", "Newtonsoft.Json.Linq.JsonLoadSettings",
		"Newtonsoft.Json.Linq.JsonMergeSettings", "Newtonsoft.Json.Linq.JTokenReader",
		"Newtonsoft.Json.Linq.JTokenWriter", "Newtonsoft.Json.Linq.MergeArrayHandling",
	} {
		m[full[strings.LastIndexByte(full, '.')+1:]] = full
	}
	return m
}()

// notAllowedType returns the full name of the type that name (simple or
// qualified, with type arguments or not) names, when that type is outside
// API Management's allowed list.
func notAllowedType(name string) (string, bool) {
	if i := strings.IndexByte(name, '<'); i >= 0 {
		name = name[:i]
	}
	simple := name[strings.LastIndexByte(name, '.')+1:]
	full, ok := notAllowedTypes[simple]
	if !ok || name != simple && name != full {
		return "", false
	}
	return full, true
}

// notAllowedNamespace reports whether ns is a namespace prefix of a type
// outside the allowed list that tollgate does not know as a namespace:
// System.Globalization in System.Globalization.CultureInfo.
func notAllowedNamespace(ns string) bool {
	for _, full := range notAllowedTypes {
		if strings.HasPrefix(full, ns+".") {
			return true
		}
	}
	return false
}

// typeNotAllowed reports APIM0001 at [pos, end) when name is a type
// outside API Management's allowed list, and whether it did.
func (c *compiler) typeNotAllowed(name string, pos, end int) bool {
	full, ok := notAllowedType(name)
	if !ok {
		return false
	}
	e := c.report(typeUsage(full, pos, end, "policy expressions may use only the .NET types of its allowed list"))
	switch full {
	case "System.Xml.XmlDocument", "System.Xml.XmlNode", "System.Xml.XmlElement", "System.Xml.XmlNodeList":
		e.Notes = append(e.Notes, "use XDocument and XElement (System.Xml.Linq)")
	case "System.Globalization.CultureInfo":
		e.Notes = append(e.Notes, "drop the culture argument: tollgate formats and parses with the invariant culture")
	}
	return true
}

// apimRefusal is the error API Management gives for a call that only an
// apim row of the member table matches: reason is the row's "APIM0001
// Type" or "APIM0002 Type.Member".
func apimRefusal(reason string, pos, end int) *Error {
	code, name, _ := strings.Cut(reason, " ")
	if code == "APIM0002" {
		i := strings.LastIndexByte(name, '.')
		return &Error{Pos: pos, End: end, Code: "member-not-allowed",
			Msg:   fmt.Sprintf("usage of member '%s' of type '%s' is not supported within expressions", name[i+1:], name[:i]),
			Notes: []string{fmt.Sprintf("API Management rejects this expression too (%s): it allows only some members of %s", code, name[:i])}}
	}
	return typeUsage(name, pos, end, "this overload needs a value of a type outside its allowed list")
}

// typeUsage is APIM0001 for the type with full name full, at [pos, end),
// with why as the note's explanation.
func typeUsage(full string, pos, end int, why string) *Error {
	return &Error{Pos: pos, End: end, Code: "type-not-allowed",
		Msg:   fmt.Sprintf("usage of type '%s' is not supported within expressions", full),
		Notes: []string{"API Management rejects this expression too (APIM0001): " + why}}
}

// memberNotAllowed reports APIM0001 at [pos, end) when member name of t
// (static: a static or constructor) is declared by a type outside API
// Management's allowed list, and whether it did. A value of such a type
// can be held and passed on (reader.ReadToEndAsync() is a Task<string>),
// but not used.
func (c *compiler) memberNotAllowed(t *value.Type, name string, static bool, pos, end int) bool {
	if t == nil {
		return false
	}
	d := t.DeclaringNotAllowed(name, static)
	if d == nil {
		return false
	}
	c.report(typeUsage(displayName(d), pos, end, "a value of this type can be passed on, but none of its members used"))
	return true
}

// displayName is a type's name as API Management's analyzer prints it:
// namespace and name, without type arguments.
func displayName(t *value.Type) string {
	n := t.FullName
	if i := strings.IndexAny(n, "`["); i >= 0 {
		n = n[:i]
	}
	return n
}
