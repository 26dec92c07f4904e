package gateway

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tollgate/tollgate/internal/authn"
	"github.com/tollgate/tollgate/internal/cache"
	"github.com/tollgate/tollgate/internal/capture"
	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/diag"
	"github.com/tollgate/tollgate/internal/expr"
	"github.com/tollgate/tollgate/internal/graphql"
	"github.com/tollgate/tollgate/internal/h1client"
	"github.com/tollgate/tollgate/internal/limit"
	"github.com/tollgate/tollgate/internal/liquid"
	"github.com/tollgate/tollgate/internal/policy"
	"github.com/tollgate/tollgate/internal/reqtrace"
	"github.com/tollgate/tollgate/internal/semcache"
	"github.com/tollgate/tollgate/internal/xmlbody"
)

// HealthPath answers 200 like APIM's gateway health endpoint.
const HealthPath = "/status-0123456789abcdef"

// CorrelationHeader carries the request's CorrelationId back to the caller, so
// that a failing call can be found in the gateway log.
const CorrelationHeader = "Tollgate-Correlation-Id"

// Options configure a Gateway.
type Options struct {
	// AllAccessKey is the key of the built-in all-access subscription (APIM's
	// "master" subscription). Empty disables it.
	AllAccessKey string
	// Transport sends backend requests. Nil uses a transport tuned for a
	// gateway (see NewTransport), with plain-HTTP backends called on the
	// request's goroutine (h1client).
	Transport http.RoundTripper
	// Log receives one record per request. Nil writes no log.
	Log *LogWriter
	// BackendTimeout overrides DefaultBackendTimeout when positive.
	BackendTimeout time.Duration
	// Traces keeps request traces; nil keeps none and ignores
	// Ocp-Apim-Trace.
	Traces *reqtrace.Store
	// Limits holds rate-limit, quota and concurrency counters; nil keeps
	// them in memory (exact on one node).
	Limits limit.Store
	// ExternalCache is the cache for caching-type external and
	// prefer-external (Redis); nil means none.
	ExternalCache cache.Store
	// Outage says what throttling policies do when Limits cannot be reached.
	Outage OutageMode
	// AzureADAuthority replaces https://login.microsoftonline.com for
	// validate-azure-ad-token (sovereign clouds, tests).
	AzureADAuthority string
	// HTTPClient fetches OpenID metadata and signing keys; nil uses a
	// default client.
	HTTPClient *http.Client
	// Certificates are the certificates policies refer to by id or
	// thumbprint.
	Certificates []Certificate
	// EnforceProtocols refuses a request whose scheme (http or https) is not
	// among its API's protocols, as APIM does. tollgate run turns it on
	// when it serves HTTPS; without TLS every API is reachable over http.
	EnforceProtocols bool
	// ClientTrust is what validate-client-certificate checks client
	// certificates against; nil trusts no authority.
	ClientTrust *ClientTrust
	// Observer sees every request begin and end (metrics); nil is none.
	Observer Observer
	// Capture keeps every failed request (and the successful ones its
	// sampling rate chooses) with its full trace, for `tollgate why`; nil
	// keeps none.
	Capture *capture.Store
	// ManagedIdentity gives authentication-managed-identity its tokens; nil
	// makes that policy fail (unless ignore-error) with a cause saying how
	// to configure one.
	ManagedIdentity TokenSource
	// Authorizations give get-authorization-context its tokens; nil reads
	// them from the environment (TOLLGATE_AUTHORIZATION_<PROVIDER>_<ID>).
	Authorizations AuthorizationSource
	// Tracer makes the spans of distributed tracing; nil traces nothing.
	Tracer Tracer
	// EventHub receives log-to-eventhub's messages; nil keeps them on the
	// log line only.
	EventHub EventHubSink
	// Dapr is the base URL of the Dapr sidecar's HTTP API for
	// invoke-dapr-binding and publish-to-dapr; empty takes
	// $DAPR_HTTP_ENDPOINT, else http://127.0.0.1:$DAPR_HTTP_PORT (3500 when
	// unset), as Dapr's own SDKs do.
	Dapr string
	// ServiceBus replaces https://NAMESPACE as the base URL of
	// send-service-bus-message (an emulator, tests); empty sends to the
	// namespace the policy names.
	ServiceBus string
	// BodyBudgets bound what Liquid templates, json-to-xml, xml-to-json and
	// find-and-replace may build from a body; the zero value takes the
	// defaults (see BodyBudgets).
	BodyBudgets BodyBudgets
}

// BodyBudgets bound the body policies of one request. Going over one fails
// the policy with 500 and a cause that names the budget and the policy's
// position. Zero fields take the defaults of internal/liquid and
// internal/xmlbody.
type BodyBudgets struct {
	// Liquid bounds each render of a set-body template="liquid": its output
	// and every string a filter or capture builds (16 MiB), its loop
	// iterations (1,000,000), the parsed body (64 MiB).
	Liquid liquid.Limits
	// Conversion bounds json-to-xml and xml-to-json: the converted body
	// and the parsed document (64 MiB each).
	Conversion xmlbody.Limits
	// MaxBody bounds the body find-and-replace builds (64 MiB, the most of
	// a body a policy reads).
	MaxBody int
}

// Observer sees every request: Begin when it arrives, Observe with its log
// record when it is done. Both run on the request's goroutine and must be
// quick; the record must not be kept.
type Observer interface {
	Begin()
	Observe(*LogRecord)
}

// Gateway serves one configuration at a time. It is safe for concurrent use.
type Gateway struct {
	state     atomic.Pointer[state]
	transport http.RoundTripper
	log       *LogWriter
	allAccess string
	timeout   time.Duration
	traces    *reqtrace.Store
	capture   *capture.Store
	observer  Observer
	// clientTrust is what validate-client-certificate trusts.
	clientTrust      *ClientTrust
	enforceProtocols bool
	bodyBudgets      BodyBudgets
	tracer           Tracer
	eventHub         EventHubSink
	limits           limit.Store
	caches           cache.Stores
	outage           OutageMode
	discovery        *authn.Discovery
	// azureAuthority is the authority of validate-azure-ad-token.
	azureAuthority string
	tokens         *tokenCache // nil when no managed identity is configured
	breakers       *breakers
	trans          *transports
	certs          *certificateStore
	clientTrans    *clientTransports
	proxyTrans     proxyTransports
	authorizations AuthorizationSource
	dapr           string // base URL of the Dapr sidecar
	serviceBus     string // replaces https://NAMESPACE when set
	// semantic is the semantic cache, in the external cache when there is
	// one, else in the internal cache.
	semantic *semcache.Cache
}

// state is everything built from one configuration snapshot.
type state struct {
	snap   *config.Snapshot
	router *router
	keys   *keyring
	pipes  map[pipelineKey]*policy.Effective
	// validators are the compiled token validators, by policy.
	validators map[policy.Policy]*authn.Validator
	// backends are the compiled backend entities, by name.
	backends map[string]*backend
	// templates are the compiled Liquid bodies.
	templates map[*policy.SetBody]*liquid.Template
	// secrets are the values of secret named values, masked in traces.
	secrets []string
	// validation holds what the validation policies need: compiled schemas.
	validation *validation
	// crossDomain is the global cross-domain document, served at
	// /crossdomain.xml before routing; "" when there is none.
	crossDomain string
	// graphQL are the parsed schemas of the GraphQL APIs, by API id.
	graphQL map[string]*graphql.Schema
	// logVerbosity is the least severity of the trace messages on the log
	// line, by the azuremonitor diagnostics.
	logVerbosity logVerbosity
}

// New builds a Gateway serving snap.
func New(snap *config.Snapshot, opts Options) (*Gateway, error) {
	g := &Gateway{
		transport:        opts.Transport,
		log:              opts.Log,
		allAccess:        opts.AllAccessKey,
		timeout:          opts.BackendTimeout,
		traces:           opts.Traces,
		capture:          opts.Capture,
		observer:         opts.Observer,
		clientTrust:      opts.ClientTrust,
		enforceProtocols: opts.EnforceProtocols,
		bodyBudgets:      opts.BodyBudgets,
		tracer:           opts.Tracer,
		eventHub:         opts.EventHub,
		limits:           opts.Limits,
		caches:           cache.Stores{Internal: cache.NewMemory(64 << 20), External: opts.ExternalCache},
		outage:           opts.Outage,
		discovery:        authn.NewDiscovery(authn.DiscoveryOptions{HTTPClient: opts.HTTPClient}),
		azureAuthority:   opts.AzureADAuthority,
	}
	if g.limits == nil {
		g.limits = limit.NewMemory()
	}
	g.authorizations = opts.Authorizations
	g.dapr, g.serviceBus = daprEndpoint(opts.Dapr), strings.TrimRight(opts.ServiceBus, "/")
	if g.authorizations == nil {
		g.authorizations = envAuthorizations()
	}
	semStore, _ := g.caches.Select(cache.PreferExternal)
	g.semantic = semcache.New(semStore, semcache.Options{})
	g.breakers = newBreakers()
	g.certs = newCertificateStore(opts.Certificates)
	g.clientTrans = &clientTransports{m: map[string]*http.Transport{}}
	if opts.ManagedIdentity != nil {
		g.tokens = &tokenCache{src: opts.ManagedIdentity, m: map[[2]string]cachedToken{}}
	}
	if g.transport == nil {
		g.transport = h1client.New(NewTransport())
	}
	g.trans = &transports{base: g.transport}
	if g.timeout <= 0 {
		g.timeout = DefaultBackendTimeout
	}
	if err := g.Swap(snap); err != nil {
		return nil, err
	}
	return g, nil
}

// Swap builds the runtime state for snap and, only if that succeeds, makes it
// the configuration that serves new requests.
func (g *Gateway) Swap(snap *config.Snapshot) error {
	st, diags := g.build(snap)
	if err := diags.Err(); err != nil {
		return err
	}
	warmTokenizer(st.pipes)
	g.state.Store(st)
	return nil
}

// Check builds what serving snap needs (routes, compiled pipelines, token
// validators) without serving it, and reports every problem found.
func Check(snap *config.Snapshot) diag.List {
	g := &Gateway{discovery: authn.NewDiscovery(authn.DiscoveryOptions{})}
	st, diags := g.build(snap)
	if st != nil {
		// Composition warnings (cors after other policies, a second cors, no
		// forward-request) of every effective policy, once each.
		for _, eff := range st.pipes {
			for _, d := range eff.Diagnostics {
				if d.Severity == diag.Warning {
					diags.Add(d)
				}
			}
		}
		diags.Sort()
	}
	return diags
}

// build compiles the runtime state of a configuration.
func (g *Gateway) build(snap *config.Snapshot) (*state, diag.List) {
	var diags diag.List
	r, err := newRouter(snap.APIs)
	if err != nil {
		diags.ErrorAt(diag.Position{Filename: snap.Dir}, "invalid-route", "%v", err)
		return nil, diags
	}
	pols := snap.Policies
	if pols == nil {
		// A snapshot whose policies were not loaded runs APIM's default
		// global policy: forward every request.
		pols = &config.Policies{Global: policy.DefaultGlobal()}
	}
	st := &state{snap: snap, router: r, keys: newKeyring(snap, g.allAccess), pipes: buildPipelines(snap, pols),
		crossDomain: globalCrossDomain(pols.Global), logVerbosity: newLogVerbosity(snap)}
	st.validators, diags = g.compileValidators(st.pipes)
	var bd diag.List
	st.backends, bd = compileBackends(snap)
	diags.Append(bd)
	st.templates, bd = compileTemplates(st.pipes, g.bodyBudgets.Liquid)
	diags.Append(bd)
	st.validation, bd = compileValidation(snap, st.pipes)
	diags.Append(bd)
	st.graphQL, bd = compileGraphQL(snap, st.pipes)
	diags.Append(bd)
	for _, nv := range snap.NamedValues {
		if nv.Secret && nv.Value != "" {
			st.secrets = append(st.secrets, nv.Value)
		}
	}
	diags.Sort()
	return st, diags
}

// Snapshot returns the configuration being served.
func (g *Gateway) Snapshot() *config.Snapshot { return g.state.Load().snap }

// APIFor returns the API entity that r is routed to (path, version and
// revision, as ServeHTTP routes it), or nil when no API matches. Tools use it
// to learn where the API reads its subscription key.
func (g *Gateway) APIFor(r *http.Request) *config.API {
	var query url.Values
	if r.URL.RawQuery != "" {
		query = r.URL.Query()
	}
	m := g.state.Load().router.route(r.Method, r.URL.EscapedPath(), query, r.Header.Get)
	if m == nil {
		return nil
	}
	return m.api
}

// NewTransport returns the HTTP transport tollgate uses for backends: pooled
// keep-alive connections, HTTP/2 when the backend offers it over TLS, and no
// proxy from the environment (a backend entity names its proxy explicitly).
// It sends the caller's Accept-Encoding as it came, as APIM does, and never
// asks for gzip itself: a response reaches the caller as the backend
// encoded it.
func NewTransport() *http.Transport {
	return &http.Transport{
		DisableCompression:    true,
		DialContext:           (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          1024,
		MaxIdleConnsPerHost:   256,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
}

// exchange is the state of one request through the gateway.
type exchange struct {
	g       *Gateway
	st      *state
	w       http.ResponseWriter
	r       *http.Request
	start   time.Time
	query   url.Values
	m       *match
	acc     access
	rec     LogRecord
	id      [36]byte
	idBytes [16]byte

	pipe      *policy.Effective
	section   policy.Section
	step      *policy.Step // the statement running, for traces
	req       outRequest
	resp      outResponse
	variables *expr.Variables
	ectx      *expr.Context
	trace     *reqtrace.Trace
	// traceRequested is true when the caller asked for the trace
	// (Ocp-Apim-Trace) and may read it; trace is also set, without it,
	// when failures are captured.
	traceRequested bool
	// corsRefused is true when a cors policy did not allow the request,
	// which a browser then blocks whatever its status.
	corsRefused bool
	urlDirty    bool
	// hostOverride is a Host header set by a policy.
	hostOverride string

	backendTime    time.Duration
	backendHost    string
	backendStarted time.Time
	forwarded      bool // forward-request ran: a retry does not reuse the scratch memory

	extraHeaders http.Header // headers policies add to whatever response is sent
	corsHeaders  http.Header // CORS headers of the cors policy that matched
	corsRan      bool
	preflight    bool // a CORS preflight answered by cors policies
	// graphQLFieldErrors are the errors of fields validate-graphql-request
	// removed, added to the response's errors in outbound.
	graphQLFieldErrors []graphql.Error
	deferred           []deferredCount
	cachePending       *pendingStore
	clientCert         *Certificate // set by authentication-certificate
	proxy              *url.URL     // set by proxy: the backend request goes through it
	llm                *llmState    // the AI gateway policies' work, nil when none ran
	// secrets are values this request obtained that must not reach the log
	// (access tokens of get-authorization-context).
	secrets []string
	span    RequestSpan // nil when tracing is off
	// spanCtx is the request's context with its span (StartRequest's),
	// nil when tracing is off: the tracer's calls and log-to-eventhub
	// take it, where a copy of the request carrying it cost every traced
	// request an allocation of the whole http.Request.
	spanCtx context.Context

	// scratch is memory the exchange keeps from request to request.
	scratch *scratch
}

// scratch holds what every request needs and nobody keeps once the request
// is done, so that a pooled exchange reuses it instead of allocating it
// again: the request's headers as policies change them, the headers
// forward-request sends, and the objects of the expression context. A
// trace kept after the request (captured or requested) has its messages
// formatted before the exchange goes back to the pool, so that nothing
// reads this memory once another request uses it.
type scratch struct {
	header  http.Header // the request's headers, as policies shape them
	forward http.Header // the headers forward-request sends
	target  url.URL     // the URL forward-request calls
	host    [1]string   // the value of header["Host"]

	ctx        expr.Context
	req        expr.Request
	api        expr.Api
	op         expr.Operation
	product    expr.Product
	sub        expr.Subscription
	user       expr.User
	origURL    expr.Url
	url        expr.Url // context.Request.Url until a policy changes the URL
	serviceURL expr.Url
	params     map[string]string
	variables  expr.Variables
	traceFunc  func(source, message string) // context.Trace of this exchange
}

var exchanges = sync.Pool{New: func() any {
	x := new(exchange)
	x.scratch = &scratch{header: http.Header{}, forward: http.Header{}, params: map[string]string{}}
	x.scratch.traceFunc = func(source, message string) {
		x.trace.Add(reqtrace.Entry{Section: traceSection(x.section), Source: source, Message: message})
	}
	return x
}}

// release empties x for the next request and puts it back in the pool.
func (x *exchange) release() {
	s := x.scratch
	clear(s.header)
	clear(s.forward)
	clear(s.params)
	s.variables.Reset()
	s.user.Groups = s.user.Groups[:0]
	*x = exchange{scratch: s}
	exchanges.Put(x)
}

// cloneHeader copies h into dst, which it empties first. The value slices
// are shared, capped at their length: appending to one copies it, so that
// the original is never changed.
func cloneHeader(dst, h http.Header) http.Header {
	clear(dst)
	for k, vs := range h {
		dst[k] = vs[:len(vs):len(vs)]
	}
	return dst
}

// ServeHTTP handles one request.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == HealthPath && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		w.WriteHeader(http.StatusOK)
		return
	}
	if strings.HasPrefix(r.URL.Path, TracePathPrefix) && g.traces != nil {
		g.serveTrace(w, r)
		return
	}
	if g.observer != nil {
		g.observer.Begin()
	}
	g.log.begin()
	start := time.Now()
	var span RequestSpan
	var spanCtx context.Context
	if g.tracer != nil {
		spanCtx, span = g.tracer.StartRequest(r)
	}
	x := exchanges.Get().(*exchange)
	*x = exchange{g: g, st: g.state.Load(), w: w, r: r, start: start, span: span, spanCtx: spanCtx, scratch: x.scratch}
	newUUID(&x.idBytes, &x.id)
	x.rec = LogRecord{
		TimeGenerated:   x.start,
		CorrelationID:   string(x.id[:]),
		Method:          r.Method,
		CallerIPAddress: callerIP(r),
		ClientProtocol:  r.Proto,
		Cache:           "none",
	}
	if r.TLS != nil {
		x.rec.ClientTLSVersion = tlsVersionName(r.TLS.Version)
	}
	if span != nil {
		x.rec.TraceID = span.TraceID()
	}
	x.rec.IsTraceRequested = strings.EqualFold(r.Header.Get("Ocp-Apim-Trace"), "true")
	w.Header()[CorrelationHeader] = []string{x.rec.CorrelationID}
	if g.capture != nil {
		x.trace = acquireTrace(x.rec.CorrelationID, x.start)
	}
	x.serve()
	sent := time.Now()
	x.respond()
	// Client I/O: sending the response (for a streamed body this includes
	// waiting for the backend's bytes).
	x.rec.ClientTime = time.Since(sent)
	x.finishCounts()
	x.finishLLM()
	x.rec.TotalTime = time.Since(x.start)
	x.rec.BackendTime = x.backendTime
	x.rec.URL = x.requestURL()
	if x.traceRequested {
		x.trace.Resolve()
		g.traces.Put(x.trace)
	}
	x.maskRecord()
	x.setLogVerbosity()
	g.log.end(&x.rec)
	if g.observer != nil {
		g.observer.Observe(&x.rec)
	}
	if span != nil {
		span.End(&x.rec, x.route())
	}
	if g.capture != nil {
		x.finishCapture()
	}
	x.req.body.close()
	x.resp.body.close()
	x.release()
}

func (x *exchange) serve() {
	r := x.r
	if r.URL.RawQuery != "" {
		x.query = r.URL.Query()
	}
	header := r.Header.Get
	if x.serveCrossDomain() {
		return
	}
	x.m = x.st.router.route(r.Method, r.URL.EscapedPath(), x.query, header)
	if x.m == nil {
		x.pipe = x.pipeline()
		cause := fmt.Sprintf("no API path is a prefix of %s", r.URL.EscapedPath())
		if s := x.st.router.suggest(r.Method, r.URL.EscapedPath(), x.query, header); s != "" {
			cause += "; did you mean " + s + "?"
		}
		x.handleError(errOperationNotFound(cause))
		return
	}
	if x.m.api == nil {
		x.pipe = x.pipeline()
		x.handleError(errOperationNotFound(x.m.why))
		return
	}
	api := x.m.api
	x.rec.APIID, x.rec.APIRevision = api.ID, api.Revision
	if x.span != nil {
		x.span.Routed(api.ID)
	}
	if x.g.enforceProtocols && len(api.Protocols) > 0 {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		if !containsFold(api.Protocols, scheme) {
			x.pipe = x.pipeline()
			x.handleError(errOperationNotFound(fmt.Sprintf("API %s accepts only %s (protocols in apis/%s/apiInformation.json), and the request came over %s: call %s://… or add %q to the API's protocols",
				api.ID, strings.Join(api.Protocols, ", "), api.Name, scheme, api.Protocols[0], scheme)))
			return
		}
	}
	if x.m.op == nil && isPreflight(r) {
		x.m.matchOperation(strings.ToUpper(r.Header.Get("Access-Control-Request-Method")), x.query)
		x.preflight = x.m.op != nil
	}
	if x.m.op == nil {
		x.pipe = x.pipeline()
		x.handleError(errOperationNotFound(x.m.why))
		return
	}
	x.rec.OperationID, x.rec.OperationName = x.m.op.Name, x.m.op.DisplayName
	hasHeader := func(name string) bool { _, ok := r.Header[http.CanonicalHeaderKey(name)]; return ok }
	if x.preflight {
		// A preflight carries no key: a key in the query string still gives
		// product context, any other key problem is ignored.
		if acc, err := x.st.keys.check(api, header, hasHeader, x.query, x.st.snap.Products); err == nil {
			x.acc = acc
		}
		x.pipe = x.pipeline()
		x.req = outRequest{method: r.Method, base: x.m.ra.backend, path: x.m.rest, rawQuery: r.URL.RawQuery, header: cloneHeader(x.scratch.header, r.Header), body: newBytesBody(nil)}
		if x.answerPreflight() {
			return
		}
		x.handleError(errOperationNotFound(x.noCORSCause(api)))
		return
	}
	acc, err := x.st.keys.check(api, header, hasHeader, x.query, x.st.snap.Products)
	if err != nil {
		err.Section = "inbound"
		x.pipe = x.pipeline()
		x.handleError(err)
		return
	}
	x.acc = acc
	if acc.sub != nil {
		x.rec.APIMSubscriptionID = acc.sub.Name
		x.rec.UserID = strings.TrimPrefix(acc.sub.OwnerID, "/users/")
	}
	if acc.product != nil {
		x.rec.ProductID = acc.product.Name
	}
	x.startTrace()
	x.pipe = x.pipeline()
	x.req = outRequest{
		method:   r.Method,
		base:     x.m.ra.backend,
		path:     x.m.rest,
		rawQuery: r.URL.RawQuery,
		header:   cloneHeader(x.scratch.header, r.Header),
		body:     newStreamBody(r.Body, r.ContentLength),
	}
	// Policies see the Host header the caller sent, as in APIM; the backend
	// gets its own host unless a policy sets Host.
	x.scratch.host[0] = r.Host
	x.req.header["Host"] = x.scratch.host[:1:1]
	x.runPipeline()
}

// respond sends the response the pipeline decided on.
func (x *exchange) respond() {
	if x.rec.LastError != nil && x.rec.LastError.Status == 0 {
		x.rec.ResponseCode = 0 // the client is gone
		return
	}
	status := x.resp.statusCode()
	dst := x.w.Header()
	for k, v := range x.resp.header {
		dst[k] = v
	}
	for k, v := range x.corsHeaders {
		dst[k] = v
	}
	for k, v := range x.extraHeaders {
		dst[k] = v
	}
	if x.traceRequested {
		dst["Ocp-Apim-Trace-Location"] = []string{x.traceURL()}
	}
	x.rec.ResponseCode = status
	b := x.resp.body
	var src io.Reader
	length := int64(0)
	if b != nil {
		var rc io.ReadCloser
		rc, length = b.reader()
		if rc != nil {
			src = rc
		}
	}
	if b != nil && b.loaded {
		dst["Content-Length"] = []string{fmt.Sprint(length)}
	}
	x.w.WriteHeader(status)
	if src == nil || x.r.Method == http.MethodHead {
		return
	}
	n, readErr, writeErr := copyResponse(x.w, src, length < 0)
	x.rec.ResponseSize = n
	if !x.backendStarted.IsZero() && b != nil && !b.loaded {
		x.backendTime = time.Since(x.backendStarted)
	}
	switch {
	case writeErr != nil:
		x.record(errClientAborted("transfer-response", "the client closed the connection while the response was being sent"))
		x.rec.ResponseCode = 0
	case readErr != nil:
		e := &Error{Source: "transfer-response", Reason: "BackendConnectionFailure", Section: "backend", Status: status,
			Message: "Unable to read data from the transport connection: The connection was closed.",
			Cause:   fmt.Sprintf("the backend %s closed the connection after %d bytes of the response body: %v", x.backendHost, n, readErr)}
		x.record(e)
	}
}

// backendURL joins the service URL, the operation-relative path and the
// query the way APIM does.
func backendURL(base *url.URL, rest, rawQuery string) *url.URL {
	return setBackendURL(new(url.URL), base, rest, rawQuery)
}

// setBackendURL sets u to the backend URL of base, rest and rawQuery and
// returns it.
func setBackendURL(u *url.URL, base *url.URL, rest, rawQuery string) *url.URL {
	*u = *base
	if rest != "" {
		basePath := strings.TrimSuffix(base.EscapedPath(), "/")
		escaped := basePath + rest
		p, err := url.PathUnescape(escaped)
		if err != nil {
			p = escaped
		}
		u.Path, u.RawPath = p, escaped
		if u.EscapedPath() == p {
			u.RawPath = ""
		}
	}
	switch {
	case base.RawQuery != "" && rawQuery != "":
		u.RawQuery = base.RawQuery + "&" + rawQuery
	case rawQuery != "":
		u.RawQuery = rawQuery
	}
	return u
}

// record keeps err as the request's last error.
func (x *exchange) record(err *Error) {
	x.rec.LastError = err
	x.rec.LastErrorElapsed = time.Since(x.start)
}

// requestURL is the URL the client asked for, with subscription keys masked.
func (x *exchange) requestURL() string {
	r := x.r
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	u := url.URL{Scheme: scheme, Host: r.Host, Path: r.URL.Path, RawPath: r.URL.RawPath, RawQuery: r.URL.RawQuery}
	return x.maskedURL(&u)
}

// maskedURL renders u with the value of the subscription key query parameter
// replaced, so that keys never reach the log.
func (x *exchange) maskedURL(u *url.URL) string {
	if u.RawQuery == "" {
		return u.String()
	}
	name := "subscription-key"
	if x.m != nil && x.m.api != nil {
		name = x.m.api.KeyQuery
	}
	if !strings.Contains(u.RawQuery, name) && !strings.Contains(u.RawQuery, "subscription-key") && !x.queryHasKey() {
		return u.String()
	}
	q := u.Query()
	for k, vs := range q {
		if strings.EqualFold(k, name) || strings.EqualFold(k, "subscription-key") {
			q[k] = []string{"***"}
			continue
		}
		for i, v := range vs {
			if x.st.keys.isKey(v) {
				vs[i] = "***"
			}
		}
	}
	c := *u
	c.RawQuery = q.Encode()
	return c.String()
}

// queryHasKey reports whether a query parameter of the request holds a
// subscription key (one sent in a parameter the API does not read).
func (x *exchange) queryHasKey() bool {
	for _, vs := range x.query {
		for _, v := range vs {
			if x.st.keys.isKey(v) {
				return true
			}
		}
	}
	return false
}

func callerIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

type countingReader struct {
	r io.ReadCloser
	n atomic.Int64 // the transport may still be reading when the response arrives
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

func (c *countingReader) Close() error { return c.r.Close() }

// newUUID makes a random version 4 UUID: its bytes in u and its
// 36-character text form in dst.
func newUUID(u *[16]byte, dst *[36]byte) {
	rand.Read(u[:])
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	j := 0
	for i, c := range u {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			dst[j] = '-'
			j++
		}
		dst[j], dst[j+1] = hexDigits[c>>4], hexDigits[c&0xf]
		j += 2
	}
}

// maskRecord removes secrets from the log record: secret named values and
// the request's subscription key can reach an error's message or cause (a
// failing expression quotes its source, into which named values were
// substituted). Policies still saw the unmasked LastError.
func (x *exchange) maskRecord() {
	if len(x.st.secrets) == 0 && x.acc.key == "" && len(x.secrets) == 0 {
		return
	}
	mask := x.mask
	if e := x.rec.LastError; e != nil {
		m := *e
		m.Message, m.Cause = mask(e.Message), mask(e.Cause)
		x.rec.LastError = &m
	}
	for i, n := range x.rec.Notes {
		x.rec.Notes[i] = mask(n)
	}
	for i := range x.rec.TraceRecords {
		tr := &x.rec.TraceRecords[i]
		tr.Message = mask(tr.Message)
		for j := range tr.Metadata {
			tr.Metadata[j].Value = mask(tr.Metadata[j].Value)
		}
	}
	for i := range x.rec.EventHubMessages {
		x.rec.EventHubMessages[i].Message = mask(x.rec.EventHubMessages[i].Message)
	}
}

// noCORSCause explains a preflight that no cors policy answers, naming the
// two mistakes of the troubleshooting articles: a cors policy at a broader
// scope dropped by a narrower policy whose inbound section has no <base/>,
// and a cors policy at product scope, which never applies to a preflight
// (browsers send no key with it, so no product applies). It runs only for
// refused preflights.
func (x *exchange) noCORSCause(api *config.API) string {
	cause := fmt.Sprintf("the CORS preflight matched API %s, but no cors policy applies to it and the API has no OPTIONS operation", api.ID)
	pols := x.st.snap.Policies
	if pols == nil {
		return cause
	}
	var opDoc *policy.Document
	if x.m != nil && x.m.op != nil {
		opDoc = pols.Operations[api.ID][x.m.op.Name]
	}
	chain := []*policy.Document{pols.Global, pols.APIs[api.ID], opDoc}
	for i, d := range chain {
		st := inboundCORS(d)
		if st == nil {
			continue
		}
		for _, narrower := range chain[i+1:] {
			if narrower != nil && !inboundHasBase(narrower) {
				return cause + fmt.Sprintf("; the %s scope cors at %s is dropped because the inbound section of %s has no <base/>: add <base/> there",
					d.Scope, st.Span().Pos(), narrower.File.Name)
			}
		}
	}
	names := make([]string, 0, len(x.st.snap.Products))
	for name := range x.st.snap.Products {
		names = append(names, name)
	}
	for _, name := range sortedStrings(names) {
		if !slices.Contains(x.st.snap.Products[name].APIs, api.Name) {
			continue
		}
		if st := inboundCORS(pols.Products[name]); st != nil {
			return cause + fmt.Sprintf("; product %s has a cors policy (%s), but a preflight carries no subscription key in a header (browsers send none), so no product applies to it: move cors to the API or global policy, or send the key in the query string",
				name, st.Span().Pos())
		}
	}
	return cause
}

// inboundCORS returns the first cors statement written directly in d's
// inbound section, nil when none.
func inboundCORS(d *policy.Document) *policy.Statement {
	if d == nil {
		return nil
	}
	for _, st := range d.Sections[policy.Inbound].Statements {
		if _, ok := st.Policy.(*policy.CORS); ok {
			return st
		}
	}
	return nil
}

// inboundHasBase reports whether d's inbound section inherits the broader
// scopes' statements: it has <base/>, or it is not written at all.
func inboundHasBase(d *policy.Document) bool {
	sec := d.Sections[policy.Inbound]
	if !sec.Present {
		return true
	}
	for _, st := range sec.Statements {
		if _, ok := st.Policy.(*policy.Base); ok {
			return true
		}
	}
	return false
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// mask replaces the secret named values and the request's subscription key
// in s with ***.
func (x *exchange) mask(s string) string {
	for _, secret := range x.st.secrets {
		if len(secret) >= 4 && strings.Contains(s, secret) {
			s = strings.ReplaceAll(s, secret, "***")
		}
	}
	if key := x.acc.key; len(key) >= 4 && strings.Contains(s, key) {
		s = strings.ReplaceAll(s, key, "***")
	}
	for _, secret := range x.secrets {
		if len(secret) >= 4 && strings.Contains(s, secret) {
			s = strings.ReplaceAll(s, secret, "***")
		}
	}
	return s
}
