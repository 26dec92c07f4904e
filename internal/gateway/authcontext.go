package gateway

import (
	"fmt"
	"time"

	"github.com/tollgate/tollgate/internal/credentials"
	"github.com/tollgate/tollgate/internal/expr"
	"github.com/tollgate/tollgate/internal/policy"
)

// AuthorizationSource gives get-authorization-context the access token and
// claims of a credential manager connection. *credentials.Store is one.
type AuthorizationSource interface {
	Lookup(provider, id string) (credentials.Authorization, error)
}

func (x *exchange) execGetAuthorizationContext(st *policy.Step, p *policy.GetAuthorizationContext, began time.Time) *Error {
	provider, err := x.str(st, p.ProviderID)
	if err != nil {
		return err
	}
	id, err := x.str(st, p.AuthorizationID)
	if err != nil {
		return err
	}
	name := p.ContextVariableName.Resolved()
	a, lerr := x.g.authorizations.Lookup(provider, id)
	if lerr != nil {
		if p.IgnoreError.B {
			x.vars().Set(name, nil)
			x.tracePolicy(st, began, "authorization %q of provider %q: %v; ignore-error=\"true\": context.Variables[%q] = null", id, provider, lerr, name)
			return nil
		}
		return &Error{Source: st.Name, Reason: "AuthorizationContextFailure", Status: 500,
			Message: fmt.Sprintf("Failed to get authorization context for authorization '%s' of provider '%s'.", id, provider),
			Cause:   lerr.Error() + "; set the token in the environment or an authorizations file (tollgate run --authorizations FILE), or set ignore-error=\"true\""}
	}
	x.secrets = append(x.secrets, a.AccessToken)
	x.trace.Mask(a.AccessToken)
	x.vars().Set(name, expr.NewAuthorization(a.AccessToken, a.Claims))
	x.tracePolicy(st, began, "authorization %q of provider %q: access token with %d claims stored in context.Variables[%q]", id, provider, len(a.Claims), name)
	return nil
}

// envAuthorizations is the default source: the environment only.
func envAuthorizations() AuthorizationSource {
	s, _ := credentials.New("", nil)
	return s
}
