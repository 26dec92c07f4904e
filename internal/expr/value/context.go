package value

import (
	"crypto"
	"crypto/x509"
	"github.com/tollgate/tollgate/internal/jsonx"
	"net/textproto"
	"strconv"
	"strings"
	"time"
)

// Context is the `context` object of a policy expression. The gateway fills
// one per request; the pointers that are nil are null in expressions
// (Product, Subscription, User, LastError, Response before the backend
// call).
type Context struct {
	Request      *Request
	Response     *Response
	Variables    *Variables
	Api          *Api
	Operation    *Operation
	Product      *Product
	Subscription *Subscription
	User         *User
	Deployment   *Deployment
	LastError    *LastError
	// Workspace is the workspace of the API, nil outside workspaces.
	Workspace *Workspace
	// GraphQL is set inside GraphQL resolvers.
	GraphQL   *GraphQL
	RequestId Guid
	Timestamp time.Time
	Tracing   bool
	// TraceFunc receives context.Trace(source, message) calls; nil ignores them.
	TraceFunc func(source, message string)
	// MaxMemory is the memory budget of one evaluation in bytes (the
	// strings, arrays, collections, builders, JSON and XML documents it
	// makes); DefaultMaxMemory when 0, unbounded when negative.
	MaxMemory int64

	// notes holds the annotations of JSON tokens (lib_json_notes.go),
	// made on the first JToken.AddAnnotation.
	notes map[*jsonx.Token][]Value
	// xnotes holds the annotations of XML nodes and attributes
	// (lib_xml_notes.go), made on the first XObject.AddAnnotation.
	xnotes map[any][]Value
}

// Headers is a case-insensitive, multi-valued name/value collection: request
// and response headers, query parameters, JWT claims.
type Headers interface {
	// Values returns the values of name (case-insensitive) and whether it is present.
	Values(name string) ([]string, bool)
	// Names returns the names present, in a stable order.
	Names() []string
}

// MapHeaders adapts a map of canonical MIME header keys (the shape of
// net/http's Header) to Headers without copying it.
type MapHeaders map[string][]string

// Values implements Headers.
func (h MapHeaders) Values(name string) ([]string, bool) {
	if v, ok := h[name]; ok {
		return v, true
	}
	if v, ok := h[textproto.CanonicalMIMEHeaderKey(name)]; ok {
		return v, true
	}
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return nil, false
}

// Names implements Headers.
func (h MapHeaders) Names() []string {
	out := make([]string, 0, len(h))
	for k := range h {
		out = append(out, k)
	}
	sortStrings(out)
	return out
}

// PairHeaders is an ordered list of name/values pairs with case-insensitive
// lookup; cheap to build and reuse per request.
type PairHeaders []HeaderPair

// HeaderPair is one entry of PairHeaders.
type HeaderPair struct {
	Name   string
	Values []string
}

// Values implements Headers.
func (h PairHeaders) Values(name string) ([]string, bool) {
	for i := range h {
		if strings.EqualFold(h[i].Name, name) {
			return h[i].Values, true
		}
	}
	return nil, false
}

// Names implements Headers.
func (h PairHeaders) Names() []string {
	out := make([]string, len(h))
	for i := range h {
		out[i] = h[i].Name
	}
	return out
}

// Body is a message body. Reading it without preserve consumes it: later
// reads see an empty body.
type Body interface {
	Read(preserve bool) ([]byte, error)
}

// BytesBody is a Body held in memory.
type BytesBody struct {
	Data     []byte
	consumed bool
}

// Read implements Body.
func (b *BytesBody) Read(preserve bool) ([]byte, error) {
	if b.consumed {
		return nil, nil
	}
	if !preserve {
		b.consumed = true
	}
	return b.Data, nil
}

// Request is context.Request.
type Request struct {
	Method            string
	Url               *Url
	OriginalUrl       *Url
	Headers           Headers
	Body              Body // nil when the request has no body
	IpAddress         string
	MatchedParameters map[string]string
	Certificate       *Certificate
	// PrivateEndpointConnection is set when the request arrived through a
	// private endpoint.
	PrivateEndpointConnection *PrivateEndpointConnection
}

// PrivateEndpointConnection is IPrivateEndpointConnection.
type PrivateEndpointConnection struct {
	Name, GroupId, MemberName string
}

// GraphQL is context.GraphQL inside a GraphQL resolver: the field's
// arguments and the parent object, as JSON tokens (nil reads as null).
type GraphQL struct {
	Arguments, Parent *jsonx.Token
}

// Workspace is context.Workspace.
type Workspace struct {
	Id, Name string
}

// Gateway is context.Deployment.Gateway.
type Gateway struct {
	Id, InstanceId string
	IsManaged      bool
}

// UserIdentity is IUserIdentity.
type UserIdentity struct {
	Id, Provider string
}

// Response is context.Response and the IResponse stored by send-request.
type Response struct {
	StatusCode   int
	StatusReason string
	Headers      Headers
	Body         Body
}

// Url is IUrl.
type Url struct {
	Scheme string
	Host   string
	Port   int
	Path   string
	Query  Headers
	// QueryOrder is the raw query string without "?", used for
	// QueryString and ToString when set.
	RawQuery string
}

// QueryString returns "?a=b&c=d" or "".
func (u *Url) QueryString() string {
	if u.RawQuery != "" {
		return "?" + u.RawQuery
	}
	if u.Query == nil {
		return ""
	}
	var b strings.Builder
	for _, n := range u.Query.Names() {
		vs, _ := u.Query.Values(n)
		for _, v := range vs {
			if b.Len() == 0 {
				b.WriteByte('?')
			} else {
				b.WriteByte('&')
			}
			b.WriteString(n)
			b.WriteByte('=')
			b.WriteString(v)
		}
	}
	return b.String()
}

// DotnetString implements Stringer: scheme://host[:port]/path?query with the
// default port left out.
func (u *Url) DotnetString() string {
	s := u.Scheme + "://" + u.Host
	if u.Port != 0 && !(u.Scheme == "https" && u.Port == 443) && !(u.Scheme == "http" && u.Port == 80) {
		s += ":" + strconv.Itoa(u.Port)
	}
	return s + u.Path + u.QueryString()
}

// Variables is context.Variables: case-sensitive names.
type Variables struct {
	m     map[string]Value
	order []string
}

// NewVariables returns an empty variable set.
func NewVariables() *Variables { return &Variables{m: map[string]Value{}} }

// Set stores a variable (set-variable and other policies).
func (v *Variables) Set(name string, x Value) {
	if v.m == nil {
		v.m = map[string]Value{}
	}
	if _, ok := v.m[name]; !ok {
		v.order = append(v.order, name)
	}
	v.m[name] = x
}

// Get returns a variable.
func (v *Variables) Get(name string) (Value, bool) {
	if v == nil {
		return nil, false
	}
	x, ok := v.m[name]
	return x, ok
}

// Names returns the variable names in the order they were first set.
func (v *Variables) Names() []string { return v.order }

// Reset clears all variables, keeping the storage.
func (v *Variables) Reset() {
	clear(v.m)
	v.order = v.order[:0]
}

// Api is context.Api.
type Api struct {
	Id, Name, Path, Revision, Version string
	IsCurrentRevision                 bool
	ServiceUrl                        *Url
	SubscriptionKeyHeader             string
	SubscriptionKeyQuery              string
	Protocols                         []string
}

// Operation is context.Operation.
type Operation struct {
	Id, Name, Method, UrlTemplate string
}

// Product is context.Product.
type Product struct {
	Id, Name             string
	ApprovalRequired     bool
	SubscriptionRequired bool
	SubscriptionLimit    *int
	State                string
	Groups               []Group
	// Apis are the APIs the product includes.
	Apis []*Api
}

// Group is IGroup.
type Group struct {
	Id, Name string
}

// Subscription is context.Subscription.
type Subscription struct {
	Id, Name, Key, PrimaryKey, SecondaryKey string
	CreatedDate                             time.Time
	StartDate, EndDate                      *time.Time
}

// User is context.User.
type User struct {
	Id, Email, FirstName, LastName, Note string
	RegistrationDate                     time.Time
	Groups                               []Group
	Identities                           []UserIdentity
}

// Deployment is context.Deployment.
type Deployment struct {
	Region, ServiceName, ServiceId, GatewayId string
	Certificates                              map[string]*Certificate
	// Gateway describes the gateway instance; nil reads as a managed
	// gateway with GatewayId as its id.
	Gateway *Gateway
}

// LastError is context.LastError.
type LastError struct {
	Source, Reason, Message, Scope, Section, Path, PolicyId string
}

// Certificate is an X509Certificate2. NewCertificate fills every field from
// a parsed certificate; a Certificate built by hand without X509 offers only
// the string, date and raw-data members.
type Certificate struct {
	Subject, Issuer, Thumbprint, SerialNumber string
	NotBefore, NotAfter                       time.Time
	Raw                                       []byte
	// X509 is the parsed certificate, nil when unknown.
	X509 *x509.Certificate
	// PrivateKey is the certificate's private key (a crypto.Signer), nil
	// when the certificate has none.
	PrivateKey crypto.PrivateKey
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// Each implements Enumerable (KeyValuePair<string, string[]>).
func (h MapHeaders) Each(f func(Value) bool) {
	for _, n := range h.Names() {
		if !f(KeyValue{n, StringArray(h[n])}) {
			return
		}
	}
}

// Each implements Enumerable (KeyValuePair<string, string[]>).
func (h PairHeaders) Each(f func(Value) bool) {
	for _, p := range h {
		if !f(KeyValue{p.Name, StringArray(p.Values)}) {
			return
		}
	}
}

// Each implements Enumerable (KeyValuePair<string, string>).
func (m stringMap) Each(f func(Value) bool) {
	for _, k := range sortedKeys(m) {
		if !f(KeyValue{k, m[k]}) {
			return
		}
	}
}
