package policy

import (
	"github.com/tollgate/tollgate/internal/xmlscan"
)

var actions = []string{"ignore", "detect", "prevent"}

// ValidateContent is <validate-content>: checks request or response bodies
// against the API schemas.
type ValidateContent struct {
	UnspecifiedContentTypeAction Value
	MaxSize                      Int // bytes, ≤ 102400
	SizeExceededAction           Value
	ErrorsVariableName           Value
	ContentTypeMap               *xmlscan.Element
	Contents                     []ContentRule
}

// ContentRule is a <content> child of validate-content.
type ContentRule struct {
	Type, ValidateAs, SchemaID, SchemaRef, Action Value
	AllowAdditionalProperties                     Bool
}

// PolicyName implements Policy.
func (*ValidateContent) PolicyName() string { return "validate-content" }

func parseValidateContent(l *loader, e *xmlscan.Element, _ ctx) Policy {
	a := l.attrs(e, true)
	p := &ValidateContent{UnspecifiedContentTypeAction: a.enum("unspecified-content-type-action", req|expr, actions...),
		MaxSize: a.integer("max-size", 0, 0, 102400, req|expr), SizeExceededAction: a.enum("size-exceeded-action", req|expr, actions...),
		ErrorsVariableName: a.str("errors-variable-name", opt)}
	a.done()
	for _, k := range l.elems(e, "content-type-map", "content") {
		if k.Name == "content-type-map" {
			p.ContentTypeMap = k
			l.contentTypeMap(k)
			continue
		}
		b := l.attrs(k, false)
		p.Contents = append(p.Contents, ContentRule{Type: b.str("type", opt), ValidateAs: b.enum("validate-as", req, "json", "xml", "soap"),
			SchemaID: b.str("schema-id", opt), SchemaRef: b.str("schema-ref", opt), Action: b.enum("action", expr, actions...),
			AllowAdditionalProperties: b.boolean("allow-additional-properties", true, opt)})
		b.done()
		l.leaf(k)
	}
	return p
}

func (l *loader) contentTypeMap(e *xmlscan.Element) {
	a := l.attrs(e, false)
	a.str("any-content-type-value", opt)
	a.str("missing-content-type-value", opt)
	a.done()
	for _, k := range l.elems(e, "type") {
		b := l.attrs(k, false)
		b.str("from", opt)
		b.str("when", expr)
		b.str("to", req)
		b.done()
		l.leaf(k)
	}
}

// ValidateParameters is <validate-parameters>.
type ValidateParameters struct {
	SpecifiedParameterAction, UnspecifiedParameterAction Value
	ErrorsVariableName                                   Value
	Headers, Query, Path                                 *ParameterRules
}

// ParameterRules is a <headers>, <query> or <path> child of
// validate-parameters, or the body of validate-headers.
type ParameterRules struct {
	SpecifiedAction, UnspecifiedAction Value
	Parameters                         [][2]Value // name, action
}

// PolicyName implements Policy.
func (*ValidateParameters) PolicyName() string { return "validate-parameters" }

func parseValidateParameters(l *loader, e *xmlscan.Element, _ ctx) Policy {
	a := l.attrs(e, true)
	p := &ValidateParameters{SpecifiedParameterAction: a.enum("specified-parameter-action", req|expr, actions...),
		UnspecifiedParameterAction: a.enum("unspecified-parameter-action", req|expr, actions...),
		ErrorsVariableName:         a.str("errors-variable-name", opt)}
	a.done()
	for _, k := range l.elems(e, "headers", "query", "path") {
		b := l.attrs(k, false)
		r := &ParameterRules{SpecifiedAction: b.enum("specified-parameter-action", expr, actions...)}
		if k.Name != "path" {
			r.UnspecifiedAction = b.enum("unspecified-parameter-action", expr, actions...)
		}
		b.done()
		r.Parameters = l.namedActions(k, "parameter")
		switch k.Name {
		case "headers":
			p.Headers = r
		case "query":
			p.Query = r
		default:
			p.Path = r
		}
	}
	return p
}

func (l *loader) namedActions(e *xmlscan.Element, child string) [][2]Value {
	var out [][2]Value
	for _, k := range l.elems(e, child) {
		b := l.attrs(k, false)
		out = append(out, [2]Value{b.str("name", req), b.enum("action", req|expr, actions...)})
		b.done()
		l.leaf(k)
	}
	return out
}

// ValidateHeaders is <validate-headers> (response headers).
type ValidateHeaders struct {
	ParameterRules
	ErrorsVariableName Value
}

// PolicyName implements Policy.
func (*ValidateHeaders) PolicyName() string { return "validate-headers" }

func parseValidateHeaders(l *loader, e *xmlscan.Element, _ ctx) Policy {
	a := l.attrs(e, true)
	p := &ValidateHeaders{ParameterRules: ParameterRules{SpecifiedAction: a.enum("specified-header-action", req|expr, actions...),
		UnspecifiedAction: a.enum("unspecified-header-action", req|expr, actions...)}, ErrorsVariableName: a.str("errors-variable-name", opt)}
	a.done()
	p.Parameters = l.namedActions(e, "header")
	return p
}

// ValidateStatusCode is <validate-status-code>.
type ValidateStatusCode struct {
	UnspecifiedStatusCodeAction Value
	ErrorsVariableName          Value
	StatusCodes                 [][2]Value // code, action
}

// PolicyName implements Policy.
func (*ValidateStatusCode) PolicyName() string { return "validate-status-code" }

func parseValidateStatusCode(l *loader, e *xmlscan.Element, _ ctx) Policy {
	a := l.attrs(e, true)
	p := &ValidateStatusCode{UnspecifiedStatusCodeAction: a.enum("unspecified-status-code-action", req|expr, actions...),
		ErrorsVariableName: a.str("errors-variable-name", opt)}
	a.done()
	for _, k := range l.elems(e, "status-code") {
		b := l.attrs(k, false)
		p.StatusCodes = append(p.StatusCodes, [2]Value{b.integer("code", 0, 100, 999, req).Value, b.enum("action", req|expr, actions...)})
		b.done()
		l.leaf(k)
	}
	return p
}
