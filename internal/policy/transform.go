package policy

import (
	"strings"

	"github.com/tollgate/tollgate/internal/xmlscan"
)

// SetVariable is <set-variable name value>: stores a request-scoped
// variable. A literal value is a string.
type SetVariable struct {
	Name  Value // literal
	Value Value // literal or expression
}

// PolicyName implements Policy.
func (*SetVariable) PolicyName() string { return "set-variable" }

func parseSetVariable(l *loader, e *xmlscan.Element, _ ctx) Policy {
	a := l.attrs(e, true)
	p := &SetVariable{Name: a.str("name", req), Value: a.str("value", req|expr)}
	a.done()
	l.leaf(e)
	return p
}

// SetStatus is <set-status code reason>.
type SetStatus struct {
	Code   Int // 100..999
	Reason Value
}

// PolicyName implements Policy.
func (*SetStatus) PolicyName() string { return "set-status" }

func parseSetStatus(l *loader, e *xmlscan.Element, _ ctx) Policy {
	a := l.attrs(e, true)
	// APIM documents reason as required; many real policies omit it and
	// are accepted, so tollgate treats it as optional.
	p := &SetStatus{Code: a.integer("code", 0, 100, 999, req|expr), Reason: a.str("reason", expr)}
	a.done()
	l.leaf(e)
	return p
}

// SetMethod is <set-method>METHOD</set-method>.
type SetMethod struct {
	Method Value // text, expressions allowed
}

// PolicyName implements Policy.
func (*SetMethod) PolicyName() string { return "set-method" }

func parseSetMethod(l *loader, e *xmlscan.Element, _ ctx) Policy {
	l.attrs(e, true).done()
	p := &SetMethod{Method: l.text(e, false)}
	if !p.Method.Set {
		l.diags.Errorf(e.NameSpan, "missing-text", "<set-method> requires the HTTP method as its text")
	}
	return p
}

// SetHeader is <set-header name exists-action> with <value> children; it is
// also the model of <set-query-parameter> (Query is true then).
type SetHeader struct {
	Query        bool
	Name         Value // expressions allowed
	ExistsAction Value // override (default), skip, append, delete
	Values       []Value
}

// PolicyName implements Policy.
func (p *SetHeader) PolicyName() string {
	if p.Query {
		return "set-query-parameter"
	}
	return "set-header"
}

// Action returns the literal exists-action in lower case ("override" when
// absent), or "" when it is an expression.
func (p *SetHeader) Action() string {
	if !p.ExistsAction.Set {
		return "override"
	}
	if p.ExistsAction.IsExpr() {
		return ""
	}
	return strings.ToLower(strings.TrimSpace(p.ExistsAction.Resolved()))
}

func parseSetHeader(l *loader, e *xmlscan.Element, _ ctx) Policy {
	a := l.attrs(e, true)
	p := &SetHeader{Query: e.Name == "set-query-parameter",
		Name:         a.str("name", req|expr),
		ExistsAction: a.enum("exists-action", expr, "override", "skip", "append", "delete")}
	a.done()
	p.Values = l.textList(e, "value")
	if p.Query && len(p.Values) == 0 && p.Action() != "delete" && p.Action() != "" {
		l.diags.Errorf(e.NameSpan, "missing-element", "<set-query-parameter> requires at least one <value> unless exists-action=\"delete\"")
	}
	return p
}

// SetBody is <set-body template xsi-nil parse-date>content</set-body>. The
// content is a literal, an expression or (Template == "liquid") a Liquid
// template in which only existing named values were substituted.
type SetBody struct {
	Template  Value // "liquid" or absent
	XsiNil    Value // blank (default) or null
	ParseDate Bool  // default true
	Body      Value
}

// PolicyName implements Policy.
func (*SetBody) PolicyName() string { return "set-body" }

// Liquid reports whether the body is a Liquid template.
func (p *SetBody) Liquid() bool {
	return strings.EqualFold(strings.TrimSpace(p.Template.Resolved()), "liquid")
}

func parseSetBody(l *loader, e *xmlscan.Element, _ ctx) Policy {
	a := l.attrs(e, true)
	p := &SetBody{Template: a.enum("template", opt, "liquid", "none"),
		XsiNil: a.enum("xsi-nil", opt, "blank", "null"), ParseDate: a.boolean("parse-date", true, opt)}
	a.done()
	p.Body = l.text(e, p.Liquid())
	return p
}

// FindAndReplace is <find-and-replace from to>: replaces every occurrence
// in the message body.
type FindAndReplace struct {
	From, To Value
}

// PolicyName implements Policy.
func (*FindAndReplace) PolicyName() string { return "find-and-replace" }

func parseFindAndReplace(l *loader, e *xmlscan.Element, _ ctx) Policy {
	a := l.attrs(e, true)
	p := &FindAndReplace{From: a.str("from", req|expr), To: a.str("to", req|expr)}
	a.done()
	l.leaf(e)
	return p
}

// RewriteURI is <rewrite-uri template copy-unmatched-params>.
type RewriteURI struct {
	Template            Value
	CopyUnmatchedParams Bool // default true
}

// PolicyName implements Policy.
func (*RewriteURI) PolicyName() string { return "rewrite-uri" }

func parseRewriteURI(l *loader, e *xmlscan.Element, _ ctx) Policy {
	a := l.attrs(e, true)
	p := &RewriteURI{Template: a.str("template", req|expr), CopyUnmatchedParams: a.boolean("copy-unmatched-params", true, opt)}
	a.done()
	l.leaf(e)
	return p
}

// JSONToXML is <json-to-xml>.
type JSONToXML struct {
	Apply                Value // always | content-type-json
	ConsiderAcceptHeader Bool  // default true
	ParseDate            Bool  // default true
	NamespaceSeparator   Value
	NamespacePrefix      Value
	AttributeBlockName   Value
}

// PolicyName implements Policy.
func (*JSONToXML) PolicyName() string { return "json-to-xml" }

func parseJSONToXML(l *loader, e *xmlscan.Element, _ ctx) Policy {
	a := l.attrs(e, true)
	p := &JSONToXML{
		Apply:                a.enum("apply", req|expr, "always", "content-type-json"),
		ConsiderAcceptHeader: a.boolean("consider-accept-header", true, expr),
		ParseDate:            a.boolean("parse-date", true, opt),
		NamespaceSeparator:   a.str("namespace-separator", expr),
		NamespacePrefix:      a.str("namespace-prefix", expr),
		AttributeBlockName:   a.str("attribute-block-name", expr),
	}
	a.done()
	l.leaf(e)
	return p
}

// XMLToJSON is <xml-to-json>.
type XMLToJSON struct {
	Kind                     Value // javascript-friendly | direct
	Apply                    Value // always | content-type-xml
	ConsiderAcceptHeader     Bool  // default true
	AlwaysArrayChildElements Bool  // default false
}

// PolicyName implements Policy.
func (*XMLToJSON) PolicyName() string { return "xml-to-json" }

func parseXMLToJSON(l *loader, e *xmlscan.Element, _ ctx) Policy {
	a := l.attrs(e, true)
	p := &XMLToJSON{
		Kind:                     a.enum("kind", req|expr, "javascript-friendly", "direct"),
		Apply:                    a.enum("apply", req|expr, "always", "content-type-xml"),
		ConsiderAcceptHeader:     a.boolean("consider-accept-header", true, expr),
		AlwaysArrayChildElements: a.boolean("always-array-child-elements", false, expr),
	}
	a.done()
	l.leaf(e)
	return p
}

// XSLTransform is <xsl-transform>: <parameter> children and one
// <xsl:stylesheet>, kept as raw text.
type XSLTransform struct {
	Parameters []Param
	Stylesheet *xmlscan.Element
}

// Param is a named value passed to a transformation.
type Param struct {
	Name  Value
	Value Value
}

// PolicyName implements Policy.
func (*XSLTransform) PolicyName() string { return "xsl-transform" }

func parseXSLTransform(l *loader, e *xmlscan.Element, _ ctx) Policy {
	l.attrs(e, true).done()
	p := &XSLTransform{}
	for _, k := range l.elems(e, "parameter", "xsl:stylesheet") {
		if k.Name == "xsl:stylesheet" {
			p.Stylesheet = k
			continue
		}
		a := l.attrs(k, false)
		// The reference shows both parameter-name and name.
		n := a.str("parameter-name", opt)
		if m := a.str("name", opt); !n.Set {
			n = m
		}
		a.done()
		if !n.Set {
			l.diags.Errorf(k.NameSpan, "missing-attribute", "<parameter> requires attribute \"parameter-name\"")
		}
		p.Parameters = append(p.Parameters, Param{Name: n, Value: l.text(k, false)})
	}
	if p.Stylesheet == nil {
		l.diags.Errorf(e.NameSpan, "missing-element", "<xsl-transform> requires an <xsl:stylesheet>")
	}
	return p
}

// RedirectContentURLs is <redirect-content-urls/>.
type RedirectContentURLs struct{}

// PolicyName implements Policy.
func (*RedirectContentURLs) PolicyName() string { return "redirect-content-urls" }

func parseRedirectContentURLs(l *loader, e *xmlscan.Element, _ ctx) Policy {
	l.attrs(e, true).done()
	l.leaf(e)
	return &RedirectContentURLs{}
}

// JSONP is <jsonp callback-parameter-name>.
type JSONP struct {
	CallbackParameterName Value
}

// PolicyName implements Policy.
func (*JSONP) PolicyName() string { return "jsonp" }

func parseJSONP(l *loader, e *xmlscan.Element, _ ctx) Policy {
	a := l.attrs(e, true)
	p := &JSONP{CallbackParameterName: a.str("callback-parameter-name", req|expr)}
	a.done()
	l.leaf(e)
	return p
}

// CrossDomain is <cross-domain>: a Flash/Silverlight cross-domain document
// served as written.
type CrossDomain struct {
	Document *xmlscan.Element // <cross-domain-policy>
	XML      string           // the document as served: an XML declaration and the element as written
}

// PolicyName implements Policy.
func (*CrossDomain) PolicyName() string { return "cross-domain" }

func parseCrossDomain(l *loader, e *xmlscan.Element, _ ctx) Policy {
	l.attrs(e, true).done()
	p := &CrossDomain{}
	for _, k := range l.elems(e, "cross-domain-policy") {
		p.Document = k
		p.XML = "<?xml version=\"1.0\"?>\n" + k.Span().Text() + "\n"
	}
	if p.Document == nil {
		l.diags.Errorf(e.NameSpan, "missing-element", "<cross-domain> requires a <cross-domain-policy> document")
	}
	return p
}
