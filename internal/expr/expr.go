package expr

import (
	"context"
	"crypto"
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/tollgate/tollgate/internal/diag"
	"github.com/tollgate/tollgate/internal/expr/compile"
	"github.com/tollgate/tollgate/internal/expr/syntax"
	"github.com/tollgate/tollgate/internal/expr/value"
)

// Value is a runtime value of an expression (see package value for the
// representation of .NET types).
type Value = value.Value

// The context model, filled by the gateway per request.
type (
	Context      = value.Context
	Request      = value.Request
	Response     = value.Response
	Url          = value.Url
	Headers      = value.Headers
	MapHeaders   = value.MapHeaders
	PairHeaders  = value.PairHeaders
	HeaderPair   = value.HeaderPair
	Body         = value.Body
	BytesBody    = value.BytesBody
	Variables    = value.Variables
	Api          = value.Api
	Operation    = value.Operation
	Product      = value.Product
	Subscription = value.Subscription
	User         = value.User
	Group        = value.Group
	Deployment   = value.Deployment
	LastError    = value.LastError
	Certificate  = value.Certificate
	Gateway      = value.Gateway
	Workspace    = value.Workspace
	GraphQL      = value.GraphQL
	UserIdentity = value.UserIdentity
	// Authorization is the value get-authorization-context stores.
	Authorization = value.Authorization
	// PrivateEndpointConnection is context.Request.PrivateEndpointConnection.
	PrivateEndpointConnection = value.PrivateEndpointConnection
	Guid                      = value.Guid
	// TimeSpan is a System.TimeSpan: a count of 100 ns ticks.
	TimeSpan = value.TimeSpan
)

// NewAuthorization returns the Authorization get-authorization-context
// stores, with claims given as decoded JSON.
func NewAuthorization(accessToken string, claims map[string]any) *Authorization {
	return value.NewAuthorization(accessToken, claims)
}

// NewVariables returns an empty variable set for Context.Variables.
func NewVariables() *Variables { return value.NewVariables() }

// NewCertificate builds the X509Certificate2 expressions see (for
// context.Request.Certificate and context.Deployment.Certificates) from DER
// bytes and an optional private key.
func NewCertificate(der []byte, key crypto.PrivateKey) (*Certificate, error) {
	return value.NewCertificate(der, key)
}

// Origin maps byte offsets within the expression source to spans in the
// policy file it came from.
type Origin interface {
	Span(start, end int) diag.Span
}

// DefaultMaxSteps is the default step budget of one evaluation.
const DefaultMaxSteps = 1_000_000

// DefaultMaxMemory is the default memory budget of one evaluation (16 MiB):
// Context.MaxMemory sets another.
const DefaultMaxMemory = value.DefaultMaxMemory

// DefaultRegexTimeout bounds one regular expression match.
const DefaultRegexTimeout = 2 * time.Second

// Program is a compiled policy expression. It is safe for concurrent use.
type Program struct {
	src      string
	origin   Origin
	prog     *compile.Program
	regexes  *value.MapRegexCache
	frames   sync.Pool
	MaxSteps int64 // step budget per evaluation; DefaultMaxSteps when 0
	// Now, when set, replaces the clock (DateTime.UtcNow, context.Elapsed).
	Now func() time.Time
}

// Source returns the expression text.
func (p *Program) Source() string { return p.src }

// IsBlock reports whether the program is a statement block @{...}.
func (p *Program) IsBlock() bool { return strings.HasPrefix(p.src, "@{") }

func (p *Program) span(start, end int) diag.Span {
	if p.origin == nil || start < 0 {
		return diag.Span{}
	}
	return p.origin.Span(start, end)
}

// Compile parses, checks and compiles src, the whole "@(...)" or "@{...}"
// text. Diagnostics are positioned through origin (which may be nil).
func Compile(src string, origin Origin) (*Program, diag.List) {
	var diags diag.List
	sp := func(s, e int) diag.Span {
		if origin == nil {
			return diag.Span{}
		}
		return origin.Span(s, e)
	}
	parsed, err := syntax.Parse(src)
	if err != nil {
		se := err.(*syntax.Error)
		d := diags.Errorf(sp(se.Pos, se.End), "expression-syntax", "%s", lower(se.Msg))
		d.Notes = append(d.Notes, "in expression "+snippet(src, se.Pos))
		return nil, diags
	}
	cp, errs := compile.Compile(parsed)
	if len(errs) > 0 {
		for _, e := range errs {
			d := diags.Errorf(sp(e.Pos, e.End), "expression-"+e.Code, "%s", e.Msg)
			d.Notes = append(d.Notes, e.Notes...)
		}
		return nil, diags
	}
	p := &Program{src: src, origin: origin, prog: cp, regexes: &value.MapRegexCache{Timeout: DefaultRegexTimeout}}
	for _, r := range cp.Regexes {
		if _, err := p.regexes.Get(r.Pattern, r.Opts, 0); err != nil {
			diags.Errorf(sp(r.Pos, r.End), "expression-bad-regex", "invalid regular expression: %s", err.Error())
		}
	}
	if diags.HasErrors() {
		return nil, diags
	}
	return p, diags
}

func lower(s string) string {
	s = strings.TrimSuffix(s, ".")
	if len(s) > 1 && s[0] >= 'A' && s[0] <= 'Z' && !(s[1] >= 'A' && s[1] <= 'Z') {
		return strings.ToLower(s[:1]) + s[1:]
	}
	return s
}

func snippet(src string, pos int) string {
	a, b := max(0, pos-30), min(len(src), pos+30)
	return strings.ReplaceAll(strings.ReplaceAll(src[a:b], "\n", " "), "\r", "")
}

// EvalError is a runtime failure of an expression: a .NET exception (or a
// budget/cancellation stop) with tollgate's precise cause and the span of the
// failing sub-expression.
type EvalError struct {
	Type    string // .NET exception type, e.g. "System.NullReferenceException"
	Message string // .NET-style message
	Cause   string // tollgate's precise cause, may be empty
	Span    diag.Span
	Pos     int // byte range in the expression source
	End     int
	Source  string // the expression source
}

// Error implements error: "Message (Cause)".
func (e *EvalError) Error() string {
	if e.Cause != "" {
		return e.Message + " (" + e.Cause + ")"
	}
	return e.Message
}

// Text returns the failing sub-expression.
func (e *EvalError) Text() string {
	if e.Pos >= 0 && e.End <= len(e.Source) && e.Pos < e.End {
		return e.Source[e.Pos:e.End]
	}
	return ""
}

// Eval evaluates p against c. Runtime failures are returned as *EvalError.
func (p *Program) Eval(ctx context.Context, c *Context) (result Value, err error) {
	fr, _ := p.frames.Get().(*value.Frame)
	if fr == nil {
		fr = &value.Frame{Locals: make([]value.Value, p.prog.NLocals), Stack: make([]value.Value, 32), Regexes: p.regexes}
	}
	fr.Ctx, fr.Go, fr.Steps, fr.SP, fr.Pos, fr.End = c, ctx, 0, 0, -1, -1
	fr.Limit = p.MaxSteps
	if fr.Limit <= 0 {
		fr.Limit = DefaultMaxSteps
	}
	fr.Mem, fr.MemLimit = 0, c.MaxMemory
	if fr.MemLimit == 0 {
		fr.MemLimit = DefaultMaxMemory
	}
	fr.Now = p.Now
	defer func() {
		if r := recover(); r != nil {
			result, err = nil, p.toError(fr, r)
		}
		clear(fr.Locals)
		clear(fr.Stack[:min(len(fr.Stack), fr.SP+8)])
		fr.Ctx, fr.Go = nil, nil
		p.frames.Put(fr)
	}()
	return p.prog.Run(fr), nil
}

func (p *Program) toError(fr *value.Frame, r any) *EvalError {
	ex, ok := r.(*value.Exception)
	if ta, isTA := r.(*runtime.TypeAssertionError); isTA {
		// a value of an unexpected type reached a library member (for example
		// an int stored in a List<string>): .NET would raise InvalidCastException.
		ex, ok = &value.Exception{Type: value.ExInvalidCast, Message: "Specified cast is not valid.", Cause: "a value of an unexpected type reached a library member: " + ta.Error(), Pos: -1, End: -1}, true
	}
	if !ok {
		// a defect in tollgate's library: report it as an evaluation failure
		// rather than crashing the gateway.
		msg := fmt.Sprint(r)
		if e, isErr := r.(error); isErr {
			msg = e.Error()
		}
		ex = &value.Exception{Type: "System.Exception", Message: "Expression evaluation failed.", Cause: "internal error: " + msg + "\n" + string(debug.Stack()), Pos: -1, End: -1}
	}
	pos, end := ex.Pos, ex.End
	if pos < 0 {
		pos, end = fr.Pos, fr.End
	}
	return &EvalError{Type: ex.Type, Message: ex.Message, Cause: ex.Cause, Span: p.span(pos, end), Pos: pos, End: end, Source: p.src}
}

// ToString formats v as Convert.ToString(v, CultureInfo.InvariantCulture):
// True, 42, 2.5, indented JSON for a JObject, "" for null.
func ToString(v Value) string { return value.ToString(v) }

// TypeName returns the .NET type name of v ("System.String", "System.Int32",
// "Newtonsoft.Json.Linq.JObject"); "null" for null.
func TypeName(v Value) string { return value.TypeName(v) }

// Truthy converts the result of a condition expression to bool: it must be
// a bool, as a cast to System.Boolean would require.
func Truthy(v Value) (bool, error) {
	switch x := v.(type) {
	case bool:
		return x, nil
	case nil:
		return false, &EvalError{Type: value.ExNullRef, Message: value.MsgNullRef, Cause: "the condition evaluated to null", Pos: -1, End: -1}
	}
	return false, &EvalError{Type: value.ExInvalidCast, Message: fmt.Sprintf("Unable to cast object of type '%s' to type 'System.Boolean'.", value.TypeName(v)), Pos: -1, End: -1}
}
