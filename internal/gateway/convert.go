package gateway

import (
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/tollgate/tollgate/internal/policy"
	"github.com/tollgate/tollgate/internal/xmlbody"
)

// acceptAsks reports whether the request's Accept header names a media type
// that is kind ("xml" or "json").
func acceptAsks(h http.Header, kind string) bool {
	for _, v := range h.Values("Accept") {
		for part := range strings.SplitSeq(v, ",") {
			mt, _, err := mime.ParseMediaType(strings.TrimSpace(part))
			if err != nil {
				continue
			}
			if (kind == "xml" && xmlbody.IsXMLContentType(mt)) || (kind == "json" && xmlbody.IsJSONContentType(mt)) {
				return true
			}
		}
	}
	return false
}

// bodyConversion describes json-to-xml or xml-to-json.
type bodyConversion struct {
	from, to     string // "JSON" and "XML", for messages
	onlyIfFrom   bool   // apply="content-type-json" / "content-type-xml"
	isFrom       func(mediaType string) bool
	acceptKind   string // what the Accept header must ask for with consider-accept-header
	contentType  string // the converted body's Content-Type
	reason       string // LastError.Reason when the body does not convert
	convert      func(src []byte) ([]byte, error)
	considerPred policy.Bool
}

// convertBody runs a body conversion on the section's message.
func (x *exchange) convertBody(st *policy.Step, c bodyConversion, began time.Time) *Error {
	considerAccept, err := x.boolean(st, c.considerPred)
	if err != nil {
		return err
	}
	h, bp := x.headersFor(), x.bodyFor()
	if c.onlyIfFrom && !c.isFrom(mediaType(h.Get("Content-Type"))) {
		x.tracePolicy(st, began, "skipped: the body's Content-Type %q is not %s", h.Get("Content-Type"), c.from)
		return nil
	}
	if considerAccept && !acceptAsks(x.r.Header, c.acceptKind) {
		x.tracePolicy(st, began, "skipped: the request's Accept header does not ask for %s (consider-accept-header)", c.to)
		return nil
	}
	if *bp == nil {
		*bp = newBytesBody(nil)
	}
	src, rerr := (*bp).Read(true)
	if rerr != nil {
		return backendReadError(st, rerr)
	}
	out, cerr := c.convert(src)
	var be *xmlbody.BudgetError
	if errors.As(cerr, &be) {
		return &Error{Source: st.Name, Reason: c.reason, Status: 500, Message: fmt.Sprintf("Unable to convert the %s body to %s.", c.from, c.to),
			Cause: fmt.Sprintf("%s at %s: %v (the body is %d bytes)", st.Name, st.Span().Pos(), cerr, len(src))}
	}
	if cerr != nil {
		return &Error{Source: st.Name, Reason: c.reason, Status: 500, Message: fmt.Sprintf("Unable to convert the %s body to %s.", c.from, c.to),
			Cause: fmt.Sprintf("the body is not valid %s: %v", c.from, cerr)}
	}
	(*bp).set(out)
	h.Set("Content-Type", c.contentType)
	h.Del("Content-Length")
	x.tracePolicy(st, began, "body converted from %s to %s (%d bytes)", c.from, c.to, len(out))
	return nil
}

func (x *exchange) execJSONToXML(st *policy.Step, p *policy.JSONToXML, began time.Time) *Error {
	apply, err := x.str(st, p.Apply)
	if err != nil {
		return err
	}
	o := xmlbody.JSONToXMLOptions{ParseDate: p.ParseDate.B, Limits: x.g.bodyBudgets.Conversion}
	for _, a := range []struct {
		v   policy.Value
		dst *string
	}{{p.NamespaceSeparator, &o.NamespaceSeparator}, {p.NamespacePrefix, &o.NamespacePrefix}, {p.AttributeBlockName, &o.AttributeBlockName}} {
		s, err := x.str(st, a.v)
		if err != nil {
			return err
		}
		*a.dst = s
	}
	return x.convertBody(st, bodyConversion{
		from: "JSON", to: "XML", onlyIfFrom: strings.EqualFold(apply, "content-type-json"), isFrom: xmlbody.IsJSONContentType,
		acceptKind: "xml", contentType: "application/xml", reason: "JsonToXmlConversionFailure", considerPred: p.ConsiderAcceptHeader,
		convert: func(src []byte) ([]byte, error) { return xmlbody.JSONToXML(src, o) },
	}, began)
}

func (x *exchange) execXMLToJSON(st *policy.Step, p *policy.XMLToJSON, began time.Time) *Error {
	kind, err := x.str(st, p.Kind)
	if err != nil {
		return err
	}
	apply, err := x.str(st, p.Apply)
	if err != nil {
		return err
	}
	always, err := x.boolean(st, p.AlwaysArrayChildElements)
	if err != nil {
		return err
	}
	o := xmlbody.XMLToJSONOptions{Kind: strings.ToLower(strings.TrimSpace(kind)), AlwaysArrayChildElements: always, Limits: x.g.bodyBudgets.Conversion}
	return x.convertBody(st, bodyConversion{
		from: "XML", to: "JSON", onlyIfFrom: strings.EqualFold(apply, "content-type-xml"), isFrom: xmlbody.IsXMLContentType,
		acceptKind: "json", contentType: "application/json", reason: "XmlToJsonConversionFailure", considerPred: p.ConsiderAcceptHeader,
		convert: func(src []byte) ([]byte, error) { return xmlbody.XMLToJSON(src, o) },
	}, began)
}

func mediaType(ct string) string {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return strings.ToLower(strings.TrimSpace(ct))
	}
	return mt
}
