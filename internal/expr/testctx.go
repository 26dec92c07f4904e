package expr

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// TestRequest describes a request for NewTestContext (the CLI's
// `tollgate expr` command and tests).
type TestRequest struct {
	Method  string   // default GET
	URL     string   // default https://tollgate.local/
	Headers []string // "Name: value" lines
	Body    string
	Vars    []string // "name=value"; values stay strings
	IP      string   // default 127.0.0.1
	Now     time.Time
}

// NewTestContext builds a Context from simple inputs. The API, operation,
// deployment and subscription describe a fixed test service; Product, User
// and LastError are null.
func NewTestContext(r TestRequest) (*Context, error) {
	method := r.Method
	if method == "" {
		method = "GET"
	}
	raw := r.URL
	if raw == "" {
		raw = "https://tollgate.local/"
	}
	pu, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("parse --url: %w", err)
	}
	if pu.Scheme == "" || pu.Host == "" {
		return nil, fmt.Errorf("parse --url %q: an absolute URL is required", raw)
	}
	u := urlFrom(pu)
	var hdr PairHeaders
	for _, h := range r.Headers {
		name, v, ok := strings.Cut(h, ":")
		if !ok || strings.TrimSpace(name) == "" {
			return nil, fmt.Errorf("header %q: want \"Name: value\"", h)
		}
		name, v = strings.TrimSpace(name), strings.TrimSpace(v)
		found := false
		for i := range hdr {
			if strings.EqualFold(hdr[i].Name, name) {
				hdr[i].Values = append(hdr[i].Values, v)
				found = true
			}
		}
		if !found {
			hdr = append(hdr, HeaderPair{Name: name, Values: []string{v}})
		}
	}
	vars := NewVariables()
	for _, kv := range r.Vars {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("variable %q: want name=value", kv)
		}
		vars.Set(k, v)
	}
	ip := r.IP
	if ip == "" {
		ip = "127.0.0.1"
	}
	now := r.Now
	if now.IsZero() {
		now = time.Now().UTC()
	}
	req := &Request{Method: method, Url: u, OriginalUrl: urlFrom(pu), Headers: hdr, IpAddress: ip, MatchedParameters: map[string]string{}}
	if r.Body != "" {
		req.Body = &BytesBody{Data: []byte(r.Body)}
	}
	backend := &Url{Scheme: "https", Host: "backend.tollgate.local", Port: 443, Path: "/api", Query: PairHeaders(nil)}
	c := &Context{
		Request:   req,
		Variables: vars,
		Api: &Api{Id: "test-api", Name: "Test API", Path: "api", Revision: "1", IsCurrentRevision: true, ServiceUrl: backend,
			SubscriptionKeyHeader: "Ocp-Apim-Subscription-Key", SubscriptionKeyQuery: "subscription-key", Protocols: []string{"https"}},
		Operation:    &Operation{Id: "test-operation", Name: "Test operation", Method: method, UrlTemplate: "/*"},
		Deployment:   &Deployment{Region: "local", ServiceName: "tollgate", ServiceId: "tollgate", GatewayId: "managed"},
		Subscription: &Subscription{Id: "test-subscription", Name: "Test subscription", Key: "test-key", PrimaryKey: "test-key", SecondaryKey: "test-key-2", CreatedDate: now},
		RequestId:    Guid{0x0f, 0x1e, 0x2d, 0x3c, 0x4b, 0x5a, 0x69, 0x78, 0x87, 0x96, 0xa5, 0xb4, 0xc3, 0xd2, 0xe1, 0xf0},
		Timestamp:    now,
	}
	return c, nil
}

func urlFrom(pu *url.URL) *Url {
	port := 0
	if p := pu.Port(); p != "" {
		port, _ = strconv.Atoi(p)
	} else if pu.Scheme == "http" {
		port = 80
	} else {
		port = 443
	}
	var q PairHeaders
	for _, part := range strings.Split(pu.RawQuery, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		k, _ = url.QueryUnescape(k)
		v, _ = url.QueryUnescape(v)
		found := false
		for i := range q {
			if q[i].Name == k {
				q[i].Values = append(q[i].Values, v)
				found = true
			}
		}
		if !found {
			q = append(q, HeaderPair{Name: k, Values: []string{v}})
		}
	}
	path := pu.EscapedPath()
	if path == "" {
		path = "/"
	}
	return &Url{Scheme: pu.Scheme, Host: pu.Hostname(), Port: port, Path: path, Query: q, RawQuery: pu.RawQuery}
}
