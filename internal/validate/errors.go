package validate

import (
	"strconv"
	"strings"
)

// Actions of the validation policies.
const (
	Ignore  = "ignore"
	Detect  = "detect"
	Prevent = "prevent"
)

// Error types (the Type field of an Error).
const (
	RequestBody     = "RequestBody"
	ResponseBody    = "ResponseBody"
	QueryParameter  = "QueryParameter"
	PathParameter   = "PathParameter"
	RequestHeader   = "RequestHeader"
	ResponseHeader  = "ResponseHeader"
	StatusCode      = "StatusCode"
	internalMessage = "The request could not be processed due to an internal error. Contact the API owner."
)

// Error is one validation error, as APIM lists it in the errors variable.
// Cause is tollgate's own precise account of what failed; it is logged and
// never shown to the caller.
type Error struct {
	Name, Type, ValidationRule, Details, Action string
	Cause                                       string
}

// Public returns the text APIM sends to the caller when the error prevents
// the request: the details for request validation, a fixed text hiding them
// for response validation.
func (e *Error) Public() string {
	switch e.Type {
	case RequestBody, QueryParameter, PathParameter, RequestHeader:
		if e.ValidationRule != "ApiSchema" && e.ValidationRule != "ValidationException" && e.ValidationRule != "ValidationError" {
			return e.Details
		}
	}
	return internalMessage
}

// JSON returns the error as the JSON object the errors variable holds.
func (e *Error) JSON() string {
	var b strings.Builder
	b.WriteString(`{"Name":`)
	b.WriteString(strconv.Quote(e.Name))
	for _, kv := range [][2]string{{"Type", e.Type}, {"ValidationRule", e.ValidationRule}, {"Details", e.Details}, {"Action", e.Action}} {
		b.WriteString(`,"` + kv[0] + `":`)
		b.WriteString(quoteJSON(kv[1]))
	}
	b.WriteByte('}')
	return b.String()
}

// quoteJSON quotes s as a JSON string.
func quoteJSON(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20:
			b.WriteString(`\u00`)
			b.WriteByte("0123456789abcdef"[r>>4])
			b.WriteByte("0123456789abcdef"[r&15])
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func bodyWord(typ string) string {
	if typ == ResponseBody {
		return "response"
	}
	return "request"
}

// SizeLimit is a body longer than max-size.
func SizeLimit(typ string, size, limit int64) *Error {
	who := "Request's"
	if typ == ResponseBody {
		who = "Response's"
	}
	return &Error{Type: typ, ValidationRule: "SizeLimit",
		Details: who + " body is " + strconv.FormatInt(size, 10) + " bytes long and it exceeds the configured limit of " + strconv.FormatInt(limit, 10) + " bytes.",
		Cause:   bodyWord(typ) + " body is " + strconv.FormatInt(size, 10) + " bytes long; max-size is " + strconv.FormatInt(limit, 10)}
}

// UnspecifiedContentType is a body whose content type is neither in the
// specification nor in a content element.
func UnspecifiedContentType(typ, contentType string, known []string) *Error {
	cause := bodyWord(typ) + " content type " + strconv.Quote(contentType) + " is not specified"
	if len(known) > 0 {
		cause += " (specified: " + strings.Join(known, ", ") + ")"
	} else {
		cause += " (the operation specifies no " + bodyWord(typ) + " body)"
	}
	return &Error{Name: contentType, Type: typ, ValidationRule: "Unspecified",
		Details: "Unspecified content type " + contentType + " is not allowed.", Cause: cause}
}

// IncorrectBody is a body that does not conform to its schema.
func IncorrectBody(typ, definition, contentType string, p *Problem) *Error {
	def := definition
	if def == "" {
		def = "(inline schema)"
	}
	return &Error{Name: contentType, Type: typ, ValidationRule: "IncorrectMessage",
		Details: "Body of the " + bodyWord(typ) + " does not conform to the definition " + def + ", which is associated with the content type " + contentType + ".\n\n" +
			p.Message + " Line: " + strconv.Itoa(p.Line) + ", Position: " + strconv.Itoa(p.Position),
		Cause: bodyWord(typ) + " body (" + contentType + ") does not conform to schema " + def + ": " + p.Cause}
}

// kindWord names a parameter type in APIM's texts.
func kindWord(typ string) string {
	switch typ {
	case QueryParameter:
		return "query parameter"
	case PathParameter:
		return "path parameter"
	}
	return "header"
}

// UnspecifiedParameter is a parameter or header the specification does not
// declare.
func UnspecifiedParameter(typ, name string) *Error {
	d := "Unspecified " + kindWord(typ) + " " + name + " is not allowed."
	if typ == ResponseHeader {
		d = "Undefined header " + name + " is not allowed."
	}
	return &Error{Name: name, Type: typ, ValidationRule: "Unspecified", Details: d,
		Cause: kindWord(typ) + " " + name + " is not declared by the operation"}
}

// MultipleValues is a parameter given more than once where its definition
// allows one value.
func MultipleValues(typ, name string, n int) *Error {
	who := "Request"
	if typ == ResponseHeader {
		who = "Response"
	}
	return &Error{Name: name, Type: typ, ValidationRule: "IncorrectMessage",
		Details: who + " cannot contain multiple values for the " + kindWord(typ) + " " + name + ".",
		Cause:   kindWord(typ) + " " + name + " has " + strconv.Itoa(n) + " values; its definition allows one"}
}

// MissingRequired is a required parameter or header that is absent.
func MissingRequired(typ, name string) *Error {
	who := "Request"
	if typ == ResponseHeader {
		who = "Response"
	}
	return &Error{Name: name, Type: typ, ValidationRule: "IncorrectMessage",
		Details: who + " does not contain the required " + kindWord(typ) + " " + name + ".",
		Cause:   "required " + kindWord(typ) + " " + name + " is missing"}
}

// IncorrectValue is a value that does not conform to its definition.
func IncorrectValue(typ, name string, p *Problem) *Error {
	return &Error{Name: name, Type: typ, ValidationRule: "IncorrectMessage",
		Details: "Value of the " + kindWord(typ) + " " + name + " does not conform to the definition.\n\n" +
			p.Message + " Line: " + strconv.Itoa(p.Line) + ", Position: " + strconv.Itoa(p.Position),
		Cause: kindWord(typ) + " " + name + ": " + p.Cause}
}

// UnparsableValue is a value that cannot be read as its definition's type.
func UnparsableValue(typ, name, value, want string) *Error {
	return &Error{Name: name, Type: typ, ValidationRule: "IncorrectMessage",
		Details: "Value of the " + kindWord(typ) + " " + name + " cannot be parsed against the definition.\n\n" +
			"Could not convert string to " + want + ": " + value + ".",
		Cause: kindWord(typ) + " " + name + ": value " + strconv.Quote(value) + " is not a valid " + want}
}

// UnspecifiedStatusCode is a response status code the specification does
// not declare for the operation.
func UnspecifiedStatusCode(code int, known []int) *Error {
	c := strconv.Itoa(code)
	ks := make([]string, len(known))
	for i, k := range known {
		ks[i] = strconv.Itoa(k)
	}
	cause := "response status code " + c + " is not declared by the operation"
	if len(ks) > 0 {
		cause += " (declared: " + strings.Join(ks, ", ") + ")"
	}
	return &Error{Name: c, Type: StatusCode, ValidationRule: "Unspecified",
		Details: "Response status code " + c + " is not allowed.", Cause: cause}
}
