package xmlbody

import "strings"

// mediaType returns the lower-cased type/subtype of a Content-Type value,
// without parameters and surrounding spaces.
func mediaType(ct string) string {
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	return strings.ToLower(strings.TrimSpace(ct))
}

// IsJSONContentType reports whether the Content-Type value ct names JSON:
// application/json, text/json or any type with a +json suffix, with or
// without parameters such as charset.
func IsJSONContentType(ct string) bool {
	mt := mediaType(ct)
	return mt == "application/json" || mt == "text/json" || hasSuffixType(mt, "+json")
}

// IsXMLContentType reports whether the Content-Type value ct names XML:
// application/xml, text/xml or any type with a +xml suffix (for example
// application/soap+xml), with or without parameters.
func IsXMLContentType(ct string) bool {
	mt := mediaType(ct)
	return mt == "application/xml" || mt == "text/xml" || hasSuffixType(mt, "+xml")
}

// hasSuffixType reports whether mt is type/subtype with a subtype that ends
// in suffix and has something before it.
func hasSuffixType(mt, suffix string) bool {
	slash := strings.IndexByte(mt, '/')
	if slash <= 0 || !strings.HasSuffix(mt, suffix) {
		return false
	}
	return len(mt)-len(suffix) > slash+1
}
