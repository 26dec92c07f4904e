package gateway

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tollgate/tollgate/internal/authn"
	"github.com/tollgate/tollgate/internal/diag"
	"github.com/tollgate/tollgate/internal/expr"
	"github.com/tollgate/tollgate/internal/expr/value"
	"github.com/tollgate/tollgate/internal/policy"
)

// compileValidators builds the token validator of every validate-jwt and
// validate-azure-ad-token statement once per configuration. Bad key
// material and unsupported expressions are positioned errors.
func (g *Gateway) compileValidators(pipes map[pipelineKey]*policy.Effective) (map[policy.Policy]*authn.Validator, diag.List) {
	out := map[policy.Policy]*authn.Validator{}
	var diags diag.List
	opts := authn.Options{Discovery: g.discovery}
	for _, eff := range pipes {
		for _, s := range policy.AllSections() {
			eff.Walk(s, func(st *policy.Step) {
				if _, done := out[st.Policy]; done {
					return
				}
				var v *authn.Validator
				var err error
				switch p := st.Policy.(type) {
				case *policy.ValidateJWT:
					cfg, d := jwtConfig(st, p, g.certs)
					if d.HasErrors() {
						diags.Append(d)
						out[st.Policy] = nil
						return
					}
					o := opts
					o.DynamicOpenIDConfig = slices.ContainsFunc(p.OpenIDConfigs, policy.Value.IsExpr)
					v, err = authn.New(cfg, o)
				case *policy.ValidateAzureADToken:
					cfg, d := azureADConfig(st, p)
					if d.HasErrors() {
						diags.Append(d)
						out[st.Policy] = nil
						return
					}
					cfg.Authority = g.azureAuthority
					v, err = authn.NewAzureAD(cfg, opts)
				default:
					return
				}
				if err != nil {
					diags.Errorf(st.Elem.NameSpan, "invalid-token-validation", "<%s>: %v", st.Name, err)
				}
				out[st.Policy] = v
			})
		}
	}
	return out, diags
}

// literal returns a value that must be known at load time.
func literal(v policy.Value, what string, diags *diag.List) string {
	if v.Expr != nil {
		diags.Errorf(v.Span, "unsupported-expression", "%s: a policy expression here is not supported by tollgate yet; use a literal or a named value", what)
		return ""
	}
	return strings.TrimSpace(v.Resolved())
}

// deferred returns the load-time text of a value that may be a policy
// expression: "" for an expression, which the gateway evaluates per request
// (see dynamicToken).
func deferred(v policy.Value) string {
	if v.Expr != nil {
		return ""
	}
	return strings.TrimSpace(v.Resolved())
}

// deferredList returns the literal values of vs; expressions are left out
// and evaluated per request.
func deferredList(vs []policy.Value) []string {
	var out []string
	for _, v := range vs {
		if v.Expr == nil {
			out = append(out, strings.TrimSpace(v.Resolved()))
		}
	}
	return out
}

func literals(vs []policy.Value, what string, diags *diag.List) []string {
	var out []string
	for _, v := range vs {
		out = append(out, literal(v, what, diags))
	}
	return out
}

// jwtConfig turns the policy into the validator's configuration. certs is
// nil when the configuration is only checked (tollgate check): certificates
// are supplied when tollgate runs.
func jwtConfig(st *policy.Step, p *policy.ValidateJWT, certs *certificateStore) (authn.Config, diag.List) {
	var d diag.List
	cfg := authn.Config{
		HeaderName:               deferred(p.HeaderName),
		QueryParameterName:       deferred(p.QueryParameterName),
		TokenValue:               p.TokenValue.Set,
		FailedValidationHTTPCode: p.FailedValidationHTTPCode.N,
		OutputTokenVariableName:  p.OutputTokenVariableName.Resolved(),
		ClockSkew:                time.Duration(p.ClockSkew.N) * time.Second,
	}
	if p.FailedValidationErrorMessage.Expr == nil {
		cfg.FailedValidationErrorMessage = p.FailedValidationErrorMessage.Resolved()
	}
	if p.RequireScheme.Expr == nil {
		cfg.RequireScheme = strings.TrimSpace(p.RequireScheme.Resolved())
	}
	if p.RequireExpirationTime.Expr == nil {
		cfg.RequireExpirationTime = authn.Bool(p.RequireExpirationTime.B)
	}
	if p.RequireSignedTokens.Expr == nil {
		cfg.RequireSignedTokens = authn.Bool(p.RequireSignedTokens.B)
	}
	cfg.OpenIDConfigURLs = deferredList(p.OpenIDConfigs)
	cfg.Audiences = deferredList(p.Audiences)
	cfg.Issuers = deferredList(p.Issuers)
	keys := func(ks []policy.Key) []authn.Key {
		var out []authn.Key
		for _, k := range ks {
			key := authn.Key{ID: literal(k.ID, "key id", &d), Value: literal(k.Text, "key", &d), N: literal(k.N, "key n", &d), E: literal(k.E, "key e", &d)}
			if k.CertificateID.Set {
				id := k.CertificateID.Resolved()
				key.CertificateID = id
				switch c := certs.lookup(id, ""); {
				case certs == nil:
					d.Warnf(k.CertificateID.Span, "certificate-at-run-time", "certificate %q must be supplied when tollgate runs (--certificate %s=FILE)", id, id)
					continue
				case c == nil:
					d.Errorf(k.CertificateID.Span, "unknown-certificate", "certificate %q was not supplied; start tollgate with --certificate %s=FILE", id, id)
				default:
					key.Certificate = c.PEM
				}
			}
			out = append(out, key)
		}
		return out
	}
	cfg.IssuerSigningKeys = keys(p.SigningKeys)
	cfg.DecryptionKeys = keys(p.DecryptionKeys)
	for _, c := range p.RequiredClaims {
		cfg.RequiredClaims = append(cfg.RequiredClaims, authn.Claim{Name: literal(c.Name, "claim name", &d), Match: literal(c.Match, "match", &d),
			Separator: literal(c.Separator, "separator", &d), Values: deferredList(c.Values)})
	}
	return cfg, d
}

func azureADConfig(st *policy.Step, p *policy.ValidateAzureADToken) (authn.AzureADConfig, diag.List) {
	var d diag.List
	cfg := authn.AzureADConfig{
		TenantID:                     literal(p.TenantID, "tenant-id", &d),
		HeaderName:                   deferred(p.HeaderName),
		QueryParameterName:           deferred(p.QueryParameterName),
		FailedValidationHTTPCode:     p.FailedValidationHTTPCode.N,
		FailedValidationErrorMessage: deferred(p.FailedValidationErrorMessage),
		TokenValue:                   p.TokenValue.Set,
		OutputTokenVariableName:      p.OutputTokenVariableName.Resolved(),
		ClientApplicationIDs:         literals(p.ClientApplicationIDs, "application-id", &d),
		BackendApplicationIDs:        deferredList(p.BackendApplicationIDs),
		Audiences:                    deferredList(p.Audiences),
	}
	for _, c := range p.RequiredClaims {
		cfg.RequiredClaims = append(cfg.RequiredClaims, authn.Claim{Name: literal(c.Name, "claim name", &d), Match: literal(c.Match, "match", &d),
			Separator: literal(c.Separator, "separator", &d), Values: deferredList(c.Values)})
	}
	return cfg, d
}

// tokenPolicy is what execValidateToken reads of validate-jwt and
// validate-azure-ad-token alike.
type tokenPolicy struct {
	headerName, queryParameterName, tokenValue policy.Value
	httpCode                                   policy.Int
	errorMessage                               policy.Value
	audiences, issuers, backendIDs             []policy.Value
	claims                                     []policy.Claim
	openIDConfigs                              []policy.Value
}

func tokenPolicyOf(p policy.Policy) tokenPolicy {
	switch p := p.(type) {
	case *policy.ValidateJWT:
		return tokenPolicy{p.HeaderName, p.QueryParameterName, p.TokenValue, p.FailedValidationHTTPCode, p.FailedValidationErrorMessage,
			p.Audiences, p.Issuers, nil, p.RequiredClaims, p.OpenIDConfigs}
	case *policy.ValidateAzureADToken:
		return tokenPolicy{p.HeaderName, p.QueryParameterName, p.TokenValue, p.FailedValidationHTTPCode, p.FailedValidationErrorMessage,
			p.Audiences, nil, p.BackendApplicationIDs, p.RequiredClaims, nil}
	}
	return tokenPolicy{}
}

// exprValue is one policy expression of a token policy evaluated for this
// request, kept to explain a failure that its value caused.
type exprValue struct {
	what string // "audience 2", "value 1 of claim roles"
	v    policy.Value
	got  string
}

// note says where the value came from: the expression, its position, the
// named values in it, and what it gave (unless a secret went into it).
func (e exprValue) note() string {
	got := strconv.Quote(e.got)
	if e.v.HasSecret() {
		got = "a value built from a secret named value"
	}
	var refs []string
	for _, r := range e.v.Refs {
		refs = append(refs, r.Name)
	}
	from := ""
	if len(refs) > 0 {
		from = " (named value " + strings.Join(refs, ", ") + ")"
	}
	at := ""
	if e.v.Span.IsValid() {
		at = " at " + e.v.Span.Pos().String()
	}
	return fmt.Sprintf("%s is the expression %s%s%s, which gave %s", e.what, e.v.String(), at, from, got)
}

// exprList evaluates a list of values when one of them is an expression;
// it returns nil when all are literal (the compiled list applies). what
// names an element, with %d for its position: "audience %d".
func (x *exchange) exprList(st *policy.Step, vs []policy.Value, what string, evaluated *[]exprValue) ([]string, *Error) {
	if !slices.ContainsFunc(vs, policy.Value.IsExpr) {
		return nil, nil
	}
	out := make([]string, 0, len(vs))
	for i, v := range vs {
		s, err := x.str(st, v)
		if err != nil {
			return nil, err
		}
		s = strings.TrimSpace(s)
		out = append(out, s)
		if v.Expr != nil {
			*evaluated = append(*evaluated, exprValue{fmt.Sprintf(what, i+1), v, s})
		}
	}
	return out, nil
}

// tokenOverrides evaluates the expressions of a token policy for this
// request. set reports whether any attribute or element is an expression.
func (x *exchange) tokenOverrides(st *policy.Step, tp tokenPolicy, cfg authn.Config) (o authn.Overrides, evaluated []exprValue, set bool, e *Error) {
	str := func(v policy.Value, what string) (*string, *Error) {
		if v.Expr == nil {
			return nil, nil
		}
		s, err := x.str(st, v)
		if err != nil {
			return nil, err
		}
		s = strings.TrimSpace(s)
		evaluated = append(evaluated, exprValue{what, v, s})
		set = true
		return &s, nil
	}
	if o.HeaderName, e = str(tp.headerName, "header-name"); e != nil {
		return
	}
	if o.QueryParameterName, e = str(tp.queryParameterName, "query-parameter-name"); e != nil {
		return
	}
	if tp.httpCode.Expr != nil {
		n, err := x.integer(st, tp.httpCode)
		if err != nil {
			return o, nil, false, err
		}
		o.FailedValidationHTTPCode, set = &n, true
	}
	if tp.errorMessage.Expr != nil {
		s, err := x.str(st, tp.errorMessage)
		if err != nil {
			return o, nil, false, err
		}
		o.FailedValidationErrorMessage, set = &s, true
	}
	if o.Audiences, e = x.exprList(st, tp.audiences, "audience %d", &evaluated); e != nil {
		return
	}
	backend, e := x.exprList(st, tp.backendIDs, "backend application-id %d", &evaluated)
	if e != nil {
		return
	}
	if o.Audiences != nil || backend != nil {
		// validate-azure-ad-token accepts the audiences and each backend
		// application id, bare and as api://<id>.
		if o.Audiences == nil {
			o.Audiences = deferredList(tp.audiences)
		}
		if backend == nil {
			backend = deferredList(tp.backendIDs)
		}
		for _, id := range backend {
			o.Audiences = append(o.Audiences, id, "api://"+id)
		}
		set = true
	}
	if o.Issuers, e = x.exprList(st, tp.issuers, "issuer %d", &evaluated); e != nil {
		return
	}
	set = set || o.Issuers != nil
	if o.OpenIDConfigURLs, e = x.exprList(st, tp.openIDConfigs, "openid-config url %d", &evaluated); e != nil {
		return
	}
	set = set || o.OpenIDConfigURLs != nil
	for i, c := range tp.claims {
		vals, err := x.exprList(st, c.Values, "value %d of claim "+strings.ReplaceAll(deferred(c.Name), "%", "%%"), &evaluated)
		if err != nil {
			return o, nil, false, err
		}
		if vals == nil {
			continue
		}
		if o.RequiredClaims == nil {
			o.RequiredClaims = slices.Clone(cfg.RequiredClaims)
		}
		o.RequiredClaims[i].Values = vals
		set = true
	}
	return o, evaluated, set, nil
}

// execValidateToken runs validate-jwt and validate-azure-ad-token.
// Attributes and elements written as policy expressions were compiled with
// the policy; they are evaluated here, per request, and applied to a copy
// of the compiled validator that shares its keys and discovery cache.
func (x *exchange) execValidateToken(st *policy.Step, began time.Time) *Error {
	v := x.st.validators[st.Policy]
	if v == nil {
		return &Error{Source: st.Name, Reason: "JwtInvalid", Status: 500, Message: "Token validation is not configured.", Cause: "the validator of this policy failed to build at load"}
	}
	tp := tokenPolicyOf(st.Policy)
	var o authn.Overrides
	var evaluated []exprValue
	set := false
	if p, ok := st.Policy.(*policy.ValidateJWT); ok {
		if p.RequireScheme.Expr != nil {
			s, err := x.str(st, p.RequireScheme)
			if err != nil {
				return err
			}
			o.RequireScheme, set = &s, true
		}
		for _, b := range []struct {
			v   policy.Bool
			dst **bool
		}{{p.RequireExpirationTime, &o.RequireExpirationTime}, {p.RequireSignedTokens, &o.RequireSignedTokens}} {
			if b.v.Expr != nil {
				ok, err := x.boolean(st, b.v)
				if err != nil {
					return err
				}
				*b.dst, set = &ok, true
			}
		}
		if p.ClockSkew.Expr != nil {
			n, err := x.integer(st, p.ClockSkew)
			if err != nil {
				return err
			}
			d := time.Duration(n) * time.Second
			o.ClockSkew, set = &d, true
		}
	}
	more, ev, dyn, err := x.tokenOverrides(st, tp, v.Config())
	if err != nil {
		return err
	}
	if dyn {
		more.RequireScheme, more.ClockSkew = o.RequireScheme, o.ClockSkew
		more.RequireExpirationTime, more.RequireSignedTokens = o.RequireExpirationTime, o.RequireSignedTokens
		o, evaluated, set = more, ev, true
	}
	if set {
		w, err := v.With(o)
		if err != nil {
			return &Error{Source: st.Name, Reason: "ExpressionValueEvaluationFailure", Status: 500, Message: "Expression evaluation failed.", Cause: err.Error()}
		}
		v = w
	}
	cfg := v.Config()
	result := x.tokenResult(st, v, cfg, evaluated)
	ctx := x.r.Context()
	switch {
	case tp.tokenValue.Set:
		tok, err := x.str(st, tp.tokenValue)
		if err != nil {
			return err
		}
		return result(v.Validate(ctx, tok, tok != ""))
	case cfg.QueryParameterName != "":
		vs, ok := x.queryValues(cfg.QueryParameterName)
		tok := ""
		if ok && len(vs) > 0 {
			tok = vs[0]
		}
		return result(v.Validate(ctx, tok, ok && tok != ""))
	default:
		name := cfg.HeaderName
		if name == "" {
			name = "Authorization"
		}
		vs, ok := x.req.header[http.CanonicalHeaderKey(name)]
		val := strings.Join(vs, ",")
		if x.trace != nil {
			x.trace.Mask(val)
		}
		e := result(v.ValidateHeader(ctx, val, ok))
		if e != nil {
			_, cred, _ := strings.Cut(val, " ")
			if ke, isKey := x.st.keys.byKey[strings.TrimSpace(cred)]; isKey {
				// Known for certain: this replaces the validator's guess
				// from the value's shape.
				e.Cause = fmt.Sprintf("the %s header carries the subscription key of subscription %s, not a JWT: subscription keys go in %s, and the token the identity provider issued goes in %s",
					name, ke.sub.Name, x.keyHeader(), name)
			}
		}
		return e
	}
}

func (x *exchange) queryValues(name string) ([]string, bool) {
	for _, q := range queryPairs(x.req.rawQuery) {
		if q.Name == name {
			return q.Values, true
		}
	}
	return nil, false
}

// tokenResult turns a validation outcome into the policy's result.
func (x *exchange) tokenResult(st *policy.Step, v *authn.Validator, cfg authn.Config, evaluated []exprValue) func(*authn.Result, *authn.Failure) *Error {
	return func(r *authn.Result, f *authn.Failure) *Error {
		if f != nil {
			cause := f.Cause
			for _, ev := range evaluated {
				if ev.explains(f.Reason) {
					cause += "; " + ev.note()
				}
			}
			e := policyError(st.Name, string(f.Reason), f.Message, f.Status, cause)
			e.Body = errorBody(f.Status, f.ResponseMessage)
			if f.Status == 500 {
				e.Body = ""
			}
			return e
		}
		if cfg.OutputTokenVariableName != "" {
			x.vars().Set(cfg.OutputTokenVariableName, expr.Value(value.ParseJwt(r.Raw)))
		}
		x.traceStep(traceSection(x.section), st.Name, "token valid: issuer %s, subject %s, audience %s, expires %s",
			r.Issuer, r.Subject, strings.Join(r.Audiences, ","), fmtTime(r.ExpiresAt))
		if x.trace != nil {
			for _, ev := range evaluated {
				x.traceStep(traceSection(x.section), st.Name, "%s", ev.note())
			}
		}
		return nil
	}
}

// explains reports whether a failure for reason can come from the value.
func (e exprValue) explains(reason authn.Reason) bool {
	switch {
	case strings.HasPrefix(e.what, "audience"), strings.HasPrefix(e.what, "backend"):
		return reason == authn.TokenAudienceNotAllowed
	case strings.HasPrefix(e.what, "issuer"):
		return reason == authn.TokenIssuerNotAllowed
	case strings.HasPrefix(e.what, "value"):
		return reason == authn.TokenClaimValueNotAllowed
	case e.what == "header-name", e.what == "query-parameter-name":
		return reason == authn.TokenNotPresent
	case strings.HasPrefix(e.what, "openid-config"):
		// The metadata gives the issuers and the signing keys.
		return reason == authn.TokenIssuerNotAllowed || reason == authn.TokenSignatureKeyNotFound || reason == authn.TokenSignatureInvalid
	}
	return false
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.UTC().Format(time.RFC3339)
}
