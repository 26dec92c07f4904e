package gateway

import (
	"net/http"
	"strings"
	"time"

	"github.com/tollgate/tollgate/internal/policy"
)

// crossDomainPath is where Flash and Silverlight clients look for the
// cross-domain document.
const crossDomainPath = "/crossdomain.xml"

// globalCrossDomain returns the document of the first cross-domain policy
// of the global inbound section, or "". The gateway answers
// /crossdomain.xml with it before routing, as APIM does: the path belongs
// to no API.
func globalCrossDomain(doc *policy.Document) string {
	if doc == nil {
		return ""
	}
	for _, s := range doc.Sections[policy.Inbound].Statements {
		if p, ok := s.Policy.(*policy.CrossDomain); ok {
			return p.XML
		}
	}
	return ""
}

// serveCrossDomain answers a request for /crossdomain.xml with the global
// cross-domain document; it reports whether it did.
func (x *exchange) serveCrossDomain() bool {
	r := x.r
	if x.st.crossDomain == "" || r.URL.Path != crossDomainPath || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
		return false
	}
	x.resp = crossDomainResponse(x.st.crossDomain)
	return true
}

// crossDomainResponse answers with the cross-domain document doc.
func crossDomainResponse(doc string) outResponse {
	return outResponse{status: http.StatusOK, header: http.Header{"Content-Type": {"application/xml"}}, body: newBytesBody([]byte(doc))}
}

// execCrossDomain runs a cross-domain policy reached in a pipeline (at a
// scope below global): a request whose path ends in /crossdomain.xml gets
// the document, any other passes.
func (x *exchange) execCrossDomain(st *policy.Step, p *policy.CrossDomain, began time.Time) (flow, *Error) {
	if !strings.HasSuffix(x.r.URL.Path, crossDomainPath) {
		x.tracePolicy(st, began, "not a request for %s: nothing to do", crossDomainPath)
		return next, nil
	}
	x.resp.body.close()
	x.resp = crossDomainResponse(p.XML)
	x.tracePolicy(st, began, "answered %s with the cross-domain document", crossDomainPath)
	return ended, nil
}
