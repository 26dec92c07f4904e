package policy

import (
	"github.com/tollgate/tollgate/internal/xmlscan"
)

const maxInt = 1<<31 - 1

// ForwardRequest is <forward-request>: sends the request to the backend.
type ForwardRequest struct {
	Timeout               Int  // seconds, default 300
	FollowRedirects       Bool // default false
	BufferRequestBody     Bool // default false
	BufferResponse        Bool // default true
	FailOnErrorStatusCode Bool // default false
	HTTPVersion           Value
}

// PolicyName implements Policy.
func (*ForwardRequest) PolicyName() string { return "forward-request" }

func parseForwardRequest(l *loader, e *xmlscan.Element, _ ctx) Policy {
	a := l.attrs(e, true)
	p := &ForwardRequest{
		Timeout:               a.integer("timeout", 300, 0, maxInt, expr),
		FollowRedirects:       a.boolean("follow-redirects", false, expr),
		BufferRequestBody:     a.boolean("buffer-request-body", false, opt),
		BufferResponse:        a.boolean("buffer-response", true, opt),
		FailOnErrorStatusCode: a.boolean("fail-on-error-status-code", false, opt),
		HTTPVersion:           a.enum("http-version", opt, "1", "2or1", "2"),
	}
	a.done()
	l.leaf(e)
	return p
}

// SetBackendService is <set-backend-service>: base-url or backend-id (or the
// Service Fabric and Dapr forms, kept but not validated further).
type SetBackendService struct {
	BaseURL   Value
	BackendID Value
	Other     map[string]Value // sf-* and dapr-* attributes
}

// PolicyName implements Policy.
func (*SetBackendService) PolicyName() string { return "set-backend-service" }

func parseSetBackendService(l *loader, e *xmlscan.Element, _ ctx) Policy {
	a := l.attrs(e, true)
	p := &SetBackendService{BaseURL: a.str("base-url", expr), BackendID: a.str("backend-id", expr), Other: map[string]Value{}}
	for _, n := range []string{"sf-resolve-condition", "sf-service-instance-name", "sf-partition-key",
		"sf-replica-type", "sf-listener-name", "dapr-app-id", "dapr-method", "dapr-namespace"} {
		if v := a.str(n, expr); v.Set {
			p.Other[n] = v
		}
	}
	a.done()
	l.leaf(e)
	if !p.BaseURL.Set && !p.BackendID.Set && !p.Other["dapr-app-id"].Set {
		l.diags.Errorf(e.NameSpan, "missing-attribute", "<set-backend-service> requires attribute \"base-url\" or \"backend-id\"")
	}
	if p.BaseURL.Set && p.BackendID.Set {
		l.diags.Errorf(p.BackendID.Span, "conflicting-attributes", "<set-backend-service> takes \"base-url\" or \"backend-id\", not both")
	}
	return p
}

// Proxy is <proxy url username password>: an HTTP proxy for backend calls.
type Proxy struct {
	URL, Username, Password Value
}

// PolicyName implements Policy.
func (*Proxy) PolicyName() string { return "proxy" }

func parseProxy(l *loader, e *xmlscan.Element, _ ctx) Policy {
	a := l.attrs(e, true)
	p := &Proxy{URL: a.str("url", req|expr), Username: a.str("username", expr), Password: a.str("password", expr)}
	a.done()
	l.leaf(e)
	return p
}

// ReturnResponse is <return-response>: ends the pipeline with the response
// built by its children, starting from a response variable when given.
type ReturnResponse struct {
	ResponseVariableName Value
	Status               *SetStatus
	Headers              []*SetHeader
	Body                 *SetBody
}

// PolicyName implements Policy.
func (*ReturnResponse) PolicyName() string { return "return-response" }

func parseReturnResponse(l *loader, e *xmlscan.Element, c ctx) Policy {
	a := l.attrs(e, true)
	p := &ReturnResponse{ResponseVariableName: a.str("response-variable-name", opt)}
	a.done()
	for _, k := range l.elems(e, "set-status", "set-header", "set-body") {
		switch k.Name {
		case "set-status":
			p.Status = parseSetStatus(l, k, c).(*SetStatus)
		case "set-header":
			p.Headers = append(p.Headers, parseSetHeader(l, k, c).(*SetHeader))
		case "set-body":
			p.Body = parseSetBody(l, k, c).(*SetBody)
		}
	}
	return p
}

// MockResponse is <mock-response status-code content-type>.
type MockResponse struct {
	StatusCode  Int // default 200
	ContentType Value
	Index       Int
}

// PolicyName implements Policy.
func (*MockResponse) PolicyName() string { return "mock-response" }

func parseMockResponse(l *loader, e *xmlscan.Element, _ ctx) Policy {
	a := l.attrs(e, true)
	p := &MockResponse{StatusCode: a.integer("status-code", 200, 100, 999, opt), ContentType: a.str("content-type", opt),
		Index: a.integer("index", 0, 0, maxInt, opt)}
	a.done()
	l.leaf(e)
	return p
}

// SendRequest is <send-request> and, with OneWay, <send-one-way-request>.
type SendRequest struct {
	OneWay               bool
	Mode                 Value // new (default) | copy
	ResponseVariableName Value // send-request only, required
	Timeout              Int   // seconds, default 60
	IgnoreError          Bool  // send-request only
	URL                  Value // <set-url>
	Method               Value // <set-method>
	Headers              []*SetHeader
	Body                 *SetBody
	Authentication       Policy // *AuthenticationCertificate or *AuthenticationManagedIdentity
	Proxy                *Proxy
}

// PolicyName implements Policy.
func (p *SendRequest) PolicyName() string {
	if p.OneWay {
		return "send-one-way-request"
	}
	return "send-request"
}

func parseSendRequest(l *loader, e *xmlscan.Element, c ctx) Policy {
	a := l.attrs(e, true)
	p := &SendRequest{OneWay: e.Name == "send-one-way-request", Mode: a.enum("mode", expr, "new", "copy"),
		Timeout: a.integer("timeout", 60, 0, maxInt, expr)}
	if !p.OneWay {
		p.ResponseVariableName = a.str("response-variable-name", req)
		p.IgnoreError = a.boolean("ignore-error", false, opt)
	}
	a.done()
	for _, k := range l.elems(e, "set-url", "set-method", "set-header", "set-body",
		"authentication-certificate", "authentication-managed-identity", "authentication-basic", "proxy") {
		switch k.Name {
		case "set-url":
			l.attrs(k, false).done()
			p.URL = l.text(k, false)
		case "set-method":
			p.Method = parseSetMethod(l, k, c).(*SetMethod).Method
		case "set-header":
			p.Headers = append(p.Headers, parseSetHeader(l, k, c).(*SetHeader))
		case "set-body":
			p.Body = parseSetBody(l, k, c).(*SetBody)
		case "proxy":
			p.Proxy = parseProxy(l, k, c).(*Proxy)
			l.checkRunnable(k)
		default:
			p.Authentication = l.table[k.Name].parse(l, k, c)
			l.checkRunnable(k)
		}
	}
	copyMode := p.Mode.Set && !p.Mode.IsExpr() && p.Mode.Resolved() == "copy"
	if !p.URL.Set && !copyMode {
		l.diags.Errorf(e.NameSpan, "missing-element", "<%s> requires <set-url> unless mode=\"copy\"", e.Name)
	}
	return p
}
