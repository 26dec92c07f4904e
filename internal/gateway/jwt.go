package gateway

import (
	"fmt"
	"net/http"
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
					v, err = authn.New(cfg, opts)
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
		HeaderName:               literal(p.HeaderName, "header-name", &d),
		QueryParameterName:       literal(p.QueryParameterName, "query-parameter-name", &d),
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
	cfg.OpenIDConfigURLs = literals(p.OpenIDConfigs, "openid-config url", &d)
	cfg.Audiences = literals(p.Audiences, "audience", &d)
	cfg.Issuers = literals(p.Issuers, "issuer", &d)
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
			Separator: literal(c.Separator, "separator", &d), Values: literals(c.Values, "claim value", &d)})
	}
	return cfg, d
}

func azureADConfig(st *policy.Step, p *policy.ValidateAzureADToken) (authn.AzureADConfig, diag.List) {
	var d diag.List
	cfg := authn.AzureADConfig{
		TenantID:                     literal(p.TenantID, "tenant-id", &d),
		HeaderName:                   literal(p.HeaderName, "header-name", &d),
		QueryParameterName:           literal(p.QueryParameterName, "query-parameter-name", &d),
		FailedValidationHTTPCode:     p.FailedValidationHTTPCode.N,
		FailedValidationErrorMessage: literal(p.FailedValidationErrorMessage, "failed-validation-error-message", &d),
		OutputTokenVariableName:      p.OutputTokenVariableName.Resolved(),
		ClientApplicationIDs:         literals(p.ClientApplicationIDs, "application-id", &d),
		BackendApplicationIDs:        literals(p.BackendApplicationIDs, "application-id", &d),
		Audiences:                    literals(p.Audiences, "audience", &d),
	}
	for _, c := range p.RequiredClaims {
		cfg.RequiredClaims = append(cfg.RequiredClaims, authn.Claim{Name: literal(c.Name, "claim name", &d), Match: literal(c.Match, "match", &d),
			Separator: literal(c.Separator, "separator", &d), Values: literals(c.Values, "claim value", &d)})
	}
	return cfg, d
}

// execValidateToken runs validate-jwt and validate-azure-ad-token.
func (x *exchange) execValidateToken(st *policy.Step, began time.Time) *Error {
	v := x.st.validators[st.Policy]
	if v == nil {
		return &Error{Source: st.Name, Reason: "JwtInvalid", Status: 500, Message: "Token validation is not configured.", Cause: "the validator of this policy failed to build at load"}
	}
	cfg := v.Config()
	if p, ok := st.Policy.(*policy.ValidateJWT); ok {
		var o authn.Overrides
		set := false
		if p.FailedValidationHTTPCode.Expr != nil {
			n, err := x.integer(st, p.FailedValidationHTTPCode)
			if err != nil {
				return err
			}
			o.FailedValidationHTTPCode, set = &n, true
		}
		if p.FailedValidationErrorMessage.Expr != nil {
			s, err := x.str(st, p.FailedValidationErrorMessage)
			if err != nil {
				return err
			}
			o.FailedValidationErrorMessage, set = &s, true
		}
		if p.RequireScheme.Expr != nil {
			s, err := x.str(st, p.RequireScheme)
			if err != nil {
				return err
			}
			o.RequireScheme, set = &s, true
		}
		if p.ClockSkew.Expr != nil {
			n, err := x.integer(st, p.ClockSkew)
			if err != nil {
				return err
			}
			d := time.Duration(n) * time.Second
			o.ClockSkew, set = &d, true
		}
		if set {
			w, err := v.With(o)
			if err != nil {
				return &Error{Source: st.Name, Reason: "ExpressionValueEvaluationFailure", Status: 500, Message: "Expression evaluation failed.", Cause: err.Error()}
			}
			v = w
		}
		if p.TokenValue.Set {
			tok, err := x.str(st, p.TokenValue)
			if err != nil {
				return err
			}
			return x.tokenResult(st, v, cfg)(v.Validate(x.r.Context(), tok, tok != ""))
		}
	}
	ctx := x.r.Context()
	switch {
	case cfg.QueryParameterName != "":
		vs, ok := x.queryValues(cfg.QueryParameterName)
		tok := ""
		if ok && len(vs) > 0 {
			tok = vs[0]
		}
		return x.tokenResult(st, v, cfg)(v.Validate(ctx, tok, ok && tok != ""))
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
		e := x.tokenResult(st, v, cfg)(v.ValidateHeader(ctx, val, ok))
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
func (x *exchange) tokenResult(st *policy.Step, v *authn.Validator, cfg authn.Config) func(*authn.Result, *authn.Failure) *Error {
	return func(r *authn.Result, f *authn.Failure) *Error {
		if f != nil {
			e := policyError(st.Name, string(f.Reason), f.Message, f.Status, f.Cause)
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
		return nil
	}
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.UTC().Format(time.RFC3339)
}
