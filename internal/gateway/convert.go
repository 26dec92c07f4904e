package gateway

import (
	"fmt"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/tollgate/tollgate/internal/policy"
	"github.com/tollgate/tollgate/internal/xmlbody"
)

// messageFor returns the headers and body the section's message policies act
// on: the request in inbound and backend, the response otherwise.
func (x *exchange) messageFor() (http.Header, **body) {
	return x.headersFor(), x.bodyFor()
}

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

func (x *exchange) execJSONToXML(st *policy.Step, p *policy.JSONToXML, began time.Time) *Error {
	apply, err := x.str(st, p.Apply)
	if err != nil {
		return err
	}
	considerAccept, err := x.boolean(st, p.ConsiderAcceptHeader)
	if err != nil {
		return err
	}
	h, bp := x.messageFor()
	if strings.EqualFold(apply, "content-type-json") && !xmlbody.IsJSONContentType(mediaType(h.Get("Content-Type"))) {
		x.tracePolicy(st, began, "skipped: the body's Content-Type %q is not JSON", h.Get("Content-Type"))
		return nil
	}
	if considerAccept && !acceptAsks(x.r.Header, "xml") {
		x.tracePolicy(st, began, "skipped: the request's Accept header does not ask for XML (consider-accept-header)")
		return nil
	}
	o := xmlbody.JSONToXMLOptions{ParseDate: p.ParseDate.B}
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
	if *bp == nil {
		*bp = newBytesBody(nil)
	}
	src, rerr := (*bp).Read(true)
	if rerr != nil {
		return backendReadError(st, rerr)
	}
	out, cerr := xmlbody.JSONToXML(src, o)
	if cerr != nil {
		return &Error{Source: st.Name, Reason: "JsonToXmlConversionFailure", Status: 500, Message: "Unable to convert the JSON body to XML.",
			Cause: fmt.Sprintf("the body is not valid JSON: %v", cerr)}
	}
	(*bp).set(out)
	h.Set("Content-Type", "application/xml")
	h.Del("Content-Length")
	x.tracePolicy(st, began, "body converted from JSON to XML (%d bytes)", len(out))
	return nil
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
	considerAccept, err := x.boolean(st, p.ConsiderAcceptHeader)
	if err != nil {
		return err
	}
	always, err := x.boolean(st, p.AlwaysArrayChildElements)
	if err != nil {
		return err
	}
	h, bp := x.messageFor()
	if strings.EqualFold(apply, "content-type-xml") && !xmlbody.IsXMLContentType(mediaType(h.Get("Content-Type"))) {
		x.tracePolicy(st, began, "skipped: the body's Content-Type %q is not XML", h.Get("Content-Type"))
		return nil
	}
	if considerAccept && !acceptAsks(x.r.Header, "json") {
		x.tracePolicy(st, began, "skipped: the request's Accept header does not ask for JSON (consider-accept-header)")
		return nil
	}
	if *bp == nil {
		*bp = newBytesBody(nil)
	}
	src, rerr := (*bp).Read(true)
	if rerr != nil {
		return backendReadError(st, rerr)
	}
	out, cerr := xmlbody.XMLToJSON(src, xmlbody.XMLToJSONOptions{Kind: strings.ToLower(strings.TrimSpace(kind)), AlwaysArrayChildElements: always})
	if cerr != nil {
		return &Error{Source: st.Name, Reason: "XmlToJsonConversionFailure", Status: 500, Message: "Unable to convert the XML body to JSON.",
			Cause: fmt.Sprintf("the body is not valid XML: %v", cerr)}
	}
	(*bp).set(out)
	h.Set("Content-Type", "application/json")
	h.Del("Content-Length")
	x.tracePolicy(st, began, "body converted from XML to JSON (%d bytes)", len(out))
	return nil
}

func mediaType(ct string) string {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return strings.ToLower(strings.TrimSpace(ct))
	}
	return mt
}
