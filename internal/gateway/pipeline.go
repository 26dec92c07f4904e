package gateway

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/diag"
	"github.com/tollgate/tollgate/internal/expr"
	"github.com/tollgate/tollgate/internal/policy"
	"github.com/tollgate/tollgate/internal/reqtrace"
)

// PolicyOptions returns how configuration loading must compile policies for
// this gateway: expressions compiled by internal/expr, and only the policies
// the gateway runs accepted.
func PolicyOptions() config.PolicyOptions {
	return config.PolicyOptions{Compile: compileExpr, Runnable: Runnable}
}

// LoadFolder loads the APIOps folder dir and its policies, compiled for
// this gateway: the snapshot New serves, with every problem found loading
// either.
func LoadFolder(dir string, opts config.Options) (*config.Snapshot, diag.List) {
	snap, diags := config.Load(dir, opts)
	pols, pd := config.LoadPolicies(snap, PolicyOptions())
	snap.Policies = pols
	diags.Append(pd)
	return snap, diags
}

func compileExpr(src string, origin policy.Origin) (any, diag.List) {
	p, d := expr.Compile(src, origin)
	if p == nil {
		return nil, d
	}
	return p, d
}

// flow says how processing continues after a statement.
type flow int

const (
	next     flow = iota // run the next statement
	ended                // the response is decided (return-response, mock-response): send it
	cacheHit             // cache-lookup found the response: skip to outbound
)

// pipelineKey identifies an effective policy: API entity, operation and
// product context.
type pipelineKey struct{ api, op, product string }

// buildPipelines composes the effective policy of every operation in every
// product context it can run in, once per configuration.
func buildPipelines(snap *config.Snapshot, pols *config.Policies) map[pipelineKey]*policy.Effective {
	out := map[pipelineKey]*policy.Effective{}
	out[pipelineKey{}] = pols.Effective(nil, nil, nil)
	for _, api := range snap.APIs {
		products := []*config.Product{nil}
		for _, p := range snap.Products {
			for _, name := range p.APIs {
				if name == api.Name {
					products = append(products, p)
				}
			}
		}
		for _, prod := range products {
			pname := ""
			if prod != nil {
				pname = prod.Name
			}
			out[pipelineKey{api.ID, "", pname}] = pols.Effective(api, nil, prod)
			for _, op := range api.Operations {
				out[pipelineKey{api.ID, op.Name, pname}] = pols.Effective(api, op, prod)
			}
		}
	}
	return out
}

// pipeline returns the effective policy for the request's match.
func (x *exchange) pipeline() *policy.Effective {
	k := pipelineKey{}
	if x.m != nil && x.m.api != nil {
		k.api = x.m.api.ID
		if x.m.op != nil {
			k.op = x.m.op.Name
		}
		if x.acc.product != nil {
			k.product = x.acc.product.Name
		}
	}
	if p := x.st.pipes[k]; p != nil {
		return p
	}
	return x.st.pipes[pipelineKey{}]
}

var sectionOrder = [...]policy.Section{policy.Inbound, policy.Backend, policy.Outbound}

// runPipeline runs inbound, backend and outbound, and on-error when any of
// them fails.
func (x *exchange) runPipeline() {
	hit := false
	for _, s := range sectionOrder {
		if hit && s != policy.Outbound {
			continue
		}
		x.section = s
		if s == policy.Outbound {
			x.mergeGraphQLFieldErrors()
		}
		f, err := x.runSteps(x.pipe.Sections[s])
		if err != nil {
			x.handleError(err)
			return
		}
		switch f {
		case ended:
			return
		case cacheHit:
			hit = true
		}
	}
}

// handleError makes err the last error, prepares APIM's response for it and
// runs the on-error section, which may change that response.
func (x *exchange) handleError(err *Error) {
	x.corsMissingNote(err)
	x.record(err)
	if x.trace != nil && err.Path == "" && !x.lastStepFailed() {
		// A built-in step failed (routing, the key check, forwarding): it
		// is a step of the trace too.
		section := reqtrace.Inbound
		if err.Section == "backend" {
			section = reqtrace.Backend
		}
		x.trace.Add(reqtrace.Entry{Section: section, Source: err.Source, Failed: true,
			Message: err.Reason + ": " + err.Message + "\n" + err.Cause})
	}
	if err.Status == 0 {
		return // the client is gone
	}
	x.setErrorResponse(err)
	if x.pipe == nil || len(x.pipe.Sections[policy.OnError]) == 0 {
		return
	}
	x.section = policy.OnError
	x.traceStep(reqtrace.OnError, "on-error", "running the on-error section for %s/%s", err.Source, err.Reason)
	if _, err2 := x.runSteps(x.pipe.Sections[policy.OnError]); err2 != nil {
		// An error inside on-error cannot be handled again.
		x.record(err2)
		x.setErrorResponse(&Error{Status: 500})
	}
}

// lastStepFailed reports whether the trace's last entry records a failure.
func (x *exchange) lastStepFailed() bool {
	es := x.trace.Entries()
	return len(es) > 0 && es[len(es)-1].Failed
}

// setErrorResponse replaces the response with the one APIM sends for err.
func (x *exchange) setErrorResponse(err *Error) {
	x.resp.body.close()
	body := err.Body
	if body == "" {
		body = internalErrorBody(x.rec.CorrelationID)
	}
	x.resp = outResponse{
		status: err.Status,
		reason: http.StatusText(err.Status),
		header: http.Header{"Content-Type": {"application/json"}},
		body:   newBytesBody([]byte(body)),
	}
	for k, v := range err.Header {
		x.resp.header[k] = v
	}
}

// runSteps runs statements in order.
func (x *exchange) runSteps(steps []*policy.Step) (flow, *Error) {
	prev := x.step
	defer func() { x.step = prev }()
	for _, st := range steps {
		// A step's start is read only for the request's trace (its
		// Took): a clock reading per step costs every request more than
		// most steps.
		var began time.Time
		if x.trace != nil {
			began = time.Now()
		}
		x.step = st
		f, err := x.exec(st, began)
		if err != nil {
			x.locate(err, st)
			x.traceFailure(st, began, err)
			return next, err
		}
		if f != next {
			return f, nil
		}
	}
	return next, nil
}

// locate fills in where err was raised, unless a nested statement already
// did.
func (x *exchange) locate(err *Error, st *policy.Step) {
	if err.Path != "" {
		return
	}
	err.Scope = st.Scope.String()
	if st.Scope == policy.Fragment {
		err.Scope = ""
	}
	err.Section = x.section.String()
	err.Path = st.Path
	err.PolicyID = st.ID
	if err.Source == "" {
		err.Source = st.Name
	}
	where := st.Where
	err.Where = where
	if err.Cause == "" {
		err.Cause = where
	} else if !strings.Contains(err.Cause, st.Span().Pos().Filename) {
		err.Cause = where + ": " + err.Cause
	}
}

// policyError builds an error raised by a policy with APIM's status and body.
func policyError(source, reason, message string, status int, cause string) *Error {
	e := &Error{Source: source, Reason: reason, Message: message, Status: status, Cause: cause}
	if status != 500 {
		e.Body = errorBody(status, message)
	}
	return e
}

// exprFailure converts an expression failure into APIM's
// ExpressionValueEvaluationFailure, keeping tollgate's precise cause.
func exprFailure(st *policy.Step, err error) *Error {
	e := &Error{Source: st.Name, Reason: "ExpressionValueEvaluationFailure", Status: 500}
	var ee *expr.EvalError
	if errors.As(err, &ee) {
		e.Message = "Expression evaluation failed. " + ee.Message
		cause := ee.Cause
		if cause == "" {
			cause = ee.Message
		}
		if t := ee.Text(); t != "" {
			cause = fmt.Sprintf("%s in %q", cause, t)
		}
		if ee.Span.IsValid() {
			cause = ee.Span.Pos().String() + ": " + cause
		}
		e.Cause = cause
		return e
	}
	e.Message = "Expression evaluation failed. " + err.Error()
	e.Cause = err.Error()
	return e
}

// eval evaluates a compiled expression.
func (x *exchange) eval(st *policy.Step, ex *policy.Expr) (expr.Value, *Error) {
	p, ok := ex.Program.(*expr.Program)
	if !ok || p == nil {
		return nil, &Error{Source: st.Name, Reason: "ExpressionValueEvaluationFailure", Status: 500,
			Message: "Expression evaluation failed.", Cause: "the expression was not compiled: " + ex.String()}
	}
	v, err := p.Eval(x.r.Context(), x.exprContext())
	if err != nil {
		e := exprFailure(st, err)
		x.hintNamedValue(e)
		return nil, e
	}
	return v, nil
}

// missingKey finds the key of .NET's KeyNotFoundException message.
var missingKey = regexp.MustCompile(`The given key '([^']*)' was not present in the dictionary`)

// hintNamedValue explains a common mistake: reading a named value through
// context.Variables. Named values are {{name}} substitutions, not variables.
func (x *exchange) hintNamedValue(e *Error) {
	m := missingKey.FindStringSubmatch(e.Message)
	if m == nil {
		return
	}
	for _, nv := range x.st.snap.NamedValues {
		if strings.EqualFold(nv.DisplayName, m[1]) {
			if _, set := x.vars().Get(m[1]); !set {
				e.Cause += fmt.Sprintf("; %q is a named value, not a variable: write {{%s}} where its value is needed (also inside an expression, e.g. \"{{%s}}\"), or store it first with set-variable", m[1], nv.DisplayName, nv.DisplayName)
			}
			return
		}
	}
}

// paramValues evaluates named values (trace metadata, Dapr metadata) into a
// map by name.
func (x *exchange) paramValues(st *policy.Step, params []policy.Param) (map[string]string, *Error) {
	out := make(map[string]string, len(params))
	for _, p := range params {
		v, err := x.str(st, p.Value)
		if err != nil {
			return nil, err
		}
		out[p.Name.Resolved()] = v
	}
	return out, nil
}

// nameValues evaluates params into name-value pairs sorted by name, each
// name once with its last value, as a map of them would hold: without the
// map's allocations, for the few a policy has.
func (x *exchange) nameValues(st *policy.Step, params []policy.Param) ([]NameValue, *Error) {
	if len(params) == 0 {
		return nil, nil
	}
	out := make([]NameValue, 0, len(params))
	for _, p := range params {
		v, err := x.str(st, p.Value)
		if err != nil {
			return nil, err
		}
		nv := NameValue{p.Name.Resolved(), v}
		i := len(out)
		for i > 0 && out[i-1].Name > nv.Name {
			i--
		}
		if i > 0 && out[i-1].Name == nv.Name {
			out[i-1].Value = v
			continue
		}
		out = slices.Insert(out, i, nv)
	}
	return out, nil
}

// str returns the value of a literal or expression attribute as a string.
func (x *exchange) str(st *policy.Step, v policy.Value) (string, *Error) {
	if v.Expr == nil {
		return v.Resolved(), nil
	}
	r, err := x.eval(st, v.Expr)
	if err != nil {
		return "", err
	}
	return expr.ToString(r), nil
}

// boolean returns the value of a boolean attribute.
func (x *exchange) boolean(st *policy.Step, b policy.Bool) (bool, *Error) {
	if b.Expr == nil {
		return b.B, nil
	}
	r, err := x.eval(st, b.Expr)
	if err != nil {
		return false, err
	}
	ok, cerr := expr.Truthy(r)
	if cerr != nil {
		return false, exprFailure(st, cerr)
	}
	return ok, nil
}

// integer returns the value of an integer attribute.
func (x *exchange) integer(st *policy.Step, i policy.Int) (int, *Error) {
	if i.Expr == nil {
		return i.N, nil
	}
	r, err := x.eval(st, i.Expr)
	if err != nil {
		return 0, err
	}
	s := strings.TrimSpace(expr.ToString(r))
	n, perr := strconv.Atoi(s)
	if perr != nil {
		return 0, &Error{Source: st.Name, Reason: "ExpressionValueEvaluationFailure", Status: 500,
			Message: fmt.Sprintf("Expression evaluation failed. The input string '%s' was not in a correct format.", s),
			Cause:   fmt.Sprintf("%s: the expression gave %q (%s), where an integer is needed", i.Span.Pos(), s, expr.TypeName(r))}
	}
	return n, nil
}

// exprContext returns the context object of policy expressions, built on
// first use and kept in step with the request as policies change it.
func (x *exchange) exprContext() *expr.Context {
	c := x.ectx
	if c == nil {
		c = x.newExprContext()
		x.ectx = c
	}
	c.Request.Method = x.req.method
	switch {
	case c.Request.Url == nil:
		var u url.URL
		c.Request.Url = setExprURL(&x.scratch.url, x.req.urlInto(&u))
	case x.urlDirty:
		// A new object: an expression may hold the one it read before the
		// policy changed the URL.
		c.Request.Url = exprURL(x.req.url())
	}
	x.urlDirty = false
	c.Request.Headers = expr.MapHeaders(x.req.header)
	c.Request.Body = x.req.body
	if x.resp.header != nil {
		c.Response = &expr.Response{StatusCode: x.resp.statusCode(), StatusReason: x.resp.reason, Headers: expr.MapHeaders(x.resp.header), Body: x.resp.body}
	} else if c.Response == nil {
		// Before the backend answers, APIM's context.Response is the
		// response it would send if nothing else happened: 200 OK, no
		// headers, no body. Policies read it in inbound and at the top of a
		// backend retry (Microsoft's PTU-to-PAYG spillover samples test
		// context.Response.StatusCode == 429 before forward-request).
		c.Response = &expr.Response{StatusCode: 200, StatusReason: "OK", Headers: expr.MapHeaders(http.Header{})}
	}
	if e := x.rec.LastError; e != nil {
		c.LastError = &expr.LastError{Source: e.Source, Reason: e.Reason, Message: e.Message, Scope: e.Scope, Section: e.Section, Path: e.Path, PolicyId: e.PolicyID}
	}
	return c
}

// newExprContext fills the exchange's expression context in. Its objects
// are the exchange's scratch memory, reused from request to request.
func (x *exchange) newExprContext() *expr.Context {
	r, s := x.r, x.scratch
	orig := *r.URL
	orig.Host = r.Host
	orig.Scheme = "http"
	if r.TLS != nil {
		orig.Scheme = "https"
	}
	s.req = expr.Request{
		OriginalUrl:       setExprURL(&s.origURL, &orig),
		IpAddress:         x.rec.CallerIPAddress,
		MatchedParameters: s.params,
		Certificate:       clientCertificate(r),
	}
	s.ctx = expr.Context{
		Request:    &s.req,
		Variables:  x.vars(),
		Deployment: deployment,
		Timestamp:  x.start.UTC(),
		Tracing:    x.traceRequested,
	}
	c := &s.ctx
	copy(c.RequestId[:], x.idBytes[:])
	if x.trace != nil {
		c.TraceFunc = s.traceFunc
	}
	if m := x.m; m != nil && m.api != nil {
		a := m.api
		s.api = expr.Api{Id: a.ID, Name: a.DisplayName, Path: a.Path, Revision: a.Revision, Version: a.APIVersion,
			IsCurrentRevision: a.IsCurrent, SubscriptionKeyHeader: a.KeyHeader, SubscriptionKeyQuery: a.KeyQuery, Protocols: a.Protocols}
		c.Api = &s.api
		if m.ra != nil && m.ra.backend != nil {
			c.Api.ServiceUrl = setExprURL(&s.serviceURL, m.ra.backend)
		}
		if op := m.op; op != nil {
			s.op = expr.Operation{Id: op.Name, Name: op.DisplayName, Method: op.Method, UrlTemplate: op.URLTemplate}
			c.Operation = &s.op
		}
		for _, p := range m.params {
			s.params[p.name] = p.value
		}
	}
	if p := x.acc.product; p != nil {
		s.product = expr.Product{Id: p.Name, Name: p.DisplayName, ApprovalRequired: p.ApprovalRequired,
			SubscriptionRequired: p.SubscriptionRequired, SubscriptionLimit: p.SubscriptionsLimit, State: productState(p.State)}
		c.Product = &s.product
	}
	if sub := x.acc.sub; sub != nil {
		s.sub = expr.Subscription{Id: sub.Name, Name: sub.DisplayName, Key: x.acc.key, PrimaryKey: sub.PrimaryKey, SecondaryKey: sub.SecondaryKey}
		c.Subscription = &s.sub
		if u := x.st.snap.Users[strings.TrimPrefix(sub.OwnerID, "/users/")]; u != nil {
			s.user = expr.User{Id: u.Name, Email: u.Email, FirstName: u.FirstName, LastName: u.LastName, Groups: s.user.Groups[:0]}
			for _, g := range u.Groups {
				s.user.Groups = append(s.user.Groups, expr.Group{Id: g, Name: g})
			}
			c.User = &s.user
		}
	}
	return c
}

// deployment is context.Deployment, the same for every request.
var deployment = &expr.Deployment{Region: "local", ServiceName: "tollgate", ServiceId: "tollgate", GatewayId: "tollgate"}

func productState(s string) string {
	if strings.EqualFold(s, "published") {
		return "Published"
	}
	return "NotPublished"
}

// vars returns the request's variables, created on first use.
func (x *exchange) vars() *expr.Variables {
	if x.variables == nil {
		x.variables = &x.scratch.variables
	}
	return x.variables
}

func traceSection(s policy.Section) reqtrace.Section { return reqtrace.Section(s) }

// traceStep records a built-in step when the request is traced.
func (x *exchange) traceStep(s reqtrace.Section, source, format string, args ...any) {
	if x.trace == nil {
		return
	}
	x.trace.Addf(s, source, format, args...)
}

// tracePolicy records what a policy did when the request is traced. Its
// arguments are evaluated even when the request is not traced: guard calls
// whose arguments cost something with "if x.trace != nil".
func (x *exchange) tracePolicy(st *policy.Step, began time.Time, format string, args ...any) {
	if x.trace == nil {
		return
	}
	x.trace.AddStep(reqtrace.Entry{
		Section: traceSection(x.section), Source: st.Name, Where: st.Where, Path: st.Path,
		Scope: st.Scope.String(), Took: time.Since(began),
	}, format, args...)
}

func (x *exchange) traceFailure(st *policy.Step, began time.Time, err *Error) {
	if x.trace == nil {
		return
	}
	x.trace.Add(reqtrace.Entry{
		Section: traceSection(x.section), Source: st.Name, Where: st.Where, Path: st.Path,
		Scope: st.Scope.String(), Took: time.Since(began), Failed: true,
		Message: fmt.Sprintf("%s: %s\n%s", err.Reason, err.Message, err.Cause),
		Data:    map[string]any{"source": err.Source, "reason": err.Reason, "message": err.Message, "cause": err.Cause},
	})
}
