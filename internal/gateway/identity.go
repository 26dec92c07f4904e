package gateway

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tollgate/tollgate/internal/policy"
)

// TokenSource gives the access tokens of authentication-managed-identity.
// On Azure they come from the platform's managed identity; tollgate gets
// them from a source configured locally, so that policies written for Azure
// run unchanged.
type TokenSource interface {
	// Token returns an access token for resource, as the identity clientID
	// (empty for the default identity), and when it expires.
	Token(ctx context.Context, resource, clientID string) (token string, expires time.Time, err error)
}

// StaticTokenSource answers every request with the same token (for tests
// and local runs: $TOLLGATE_MANAGED_IDENTITY_TOKEN).
type StaticTokenSource string

// Token implements TokenSource.
func (s StaticTokenSource) Token(context.Context, string, string) (string, time.Time, error) {
	return string(s), time.Now().Add(time.Hour), nil
}

// EndpointTokenSource fetches tokens from an endpoint speaking the Azure App
// Service managed identity protocol: GET Endpoint?resource=R&api-version=
// 2019-08-01[&client_id=C] with the header X-IDENTITY-HEADER, answering
// {"access_token": "...", "expires_on": "<unix seconds>"}. Azure's own
// identity endpoints (App Service, Functions, Container Apps, Arc) and local
// emulators speak it; tollgate reads IDENTITY_ENDPOINT and IDENTITY_HEADER
// as those platforms set them.
type EndpointTokenSource struct {
	Endpoint string
	Header   string
	Client   *http.Client
}

// Token implements TokenSource.
func (s EndpointTokenSource) Token(ctx context.Context, resource, clientID string) (string, time.Time, error) {
	u, err := url.Parse(s.Endpoint)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("managed identity endpoint %q: %w", s.Endpoint, err)
	}
	q := u.Query()
	q.Set("resource", resource)
	q.Set("api-version", "2019-08-01")
	if clientID != "" {
		q.Set("client_id", clientID)
	}
	u.RawQuery = q.Encode()
	req, _ := http.NewRequestWithContext(ctx, "GET", u.String(), nil)
	req.Header.Set("X-IDENTITY-HEADER", s.Header)
	req.Header.Set("Metadata", "true")
	c := s.Client
	if c == nil {
		c = &http.Client{Timeout: 10 * time.Second}
	}
	resp, err := c.Do(req)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("managed identity endpoint: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != 200 {
		return "", time.Time{}, fmt.Errorf("managed identity endpoint answered %d: %s", resp.StatusCode, strings.TrimSpace(string(body)))
	}
	var tok struct {
		AccessToken string          `json:"access_token"`
		ExpiresOn   json.RawMessage `json:"expires_on"`
	}
	if err := json.Unmarshal(body, &tok); err != nil || tok.AccessToken == "" {
		return "", time.Time{}, fmt.Errorf("managed identity endpoint: no access_token in its answer")
	}
	exp := time.Now().Add(5 * time.Minute)
	if s, err := strconv.Unquote(string(tok.ExpiresOn)); err == nil {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			exp = time.Unix(n, 0)
		}
	} else if n, err := strconv.ParseInt(string(tok.ExpiresOn), 10, 64); err == nil {
		exp = time.Unix(n, 0)
	}
	return tok.AccessToken, exp, nil
}

// tokenCache keeps tokens until shortly before they expire.
type tokenCache struct {
	src TokenSource
	mu  sync.Mutex
	m   map[[2]string]cachedToken
}

type cachedToken struct {
	token   string
	expires time.Time
}

func (c *tokenCache) get(ctx context.Context, resource, clientID string) (string, error) {
	k := [2]string{resource, clientID}
	c.mu.Lock()
	t, ok := c.m[k]
	c.mu.Unlock()
	if ok && time.Until(t.expires) > 5*time.Minute {
		return t.token, nil
	}
	tok, exp, err := c.src.Token(ctx, resource, clientID)
	if err != nil {
		return "", err
	}
	c.mu.Lock()
	c.m[k] = cachedToken{tok, exp}
	c.mu.Unlock()
	return tok, nil
}

// managedIdentityToken gets the token of an authentication-managed-identity
// element; "" without an error when ignore-error lets the request go on
// without one.
func (x *exchange) managedIdentityToken(st *policy.Step, p *policy.AuthenticationManagedIdentity, began time.Time) (string, *Error) {
	resource, err := x.str(st, p.Resource)
	if err != nil {
		return "", err
	}
	clientID, err := x.str(st, p.ClientID)
	if err != nil {
		return "", err
	}
	ignore, err := x.boolean(st, p.IgnoreError)
	if err != nil {
		return "", err
	}
	return x.identityToken(st, resource, clientID, ignore, began)
}

// identityToken gets a token for resource from the gateway's managed
// identity (clientID picks a user-assigned one) and masks it in the trace;
// "" without an error when ignore lets the request go on without one.
func (x *exchange) identityToken(st *policy.Step, resource, clientID string, ignore bool, began time.Time) (string, *Error) {
	if x.g.tokens == nil {
		if ignore {
			return "", nil
		}
		return "", &Error{Source: st.Name, Reason: "ManagedIdentityNotConfigured", Status: 500, Message: "Managed identity is not available.",
			Cause: "no managed identity token source is configured: set IDENTITY_ENDPOINT and IDENTITY_HEADER (or --managed-identity-endpoint), or TOLLGATE_MANAGED_IDENTITY_TOKEN for a fixed token"}
	}
	tok, terr := x.g.tokens.get(x.r.Context(), resource, clientID)
	if terr != nil {
		if ignore {
			x.tracePolicy(st, began, "no token for %s (%v); ignore-error=\"true\"", resource, terr)
			return "", nil
		}
		return "", &Error{Source: st.Name, Reason: "ManagedIdentityTokenFailure", Status: 500, Message: "Could not obtain an access token for the managed identity.",
			Cause: fmt.Sprintf("token for resource %q: %v", resource, terr)}
	}
	if x.trace != nil {
		x.trace.Mask(tok)
	}
	return tok, nil
}

func (x *exchange) execManagedIdentity(st *policy.Step, p *policy.AuthenticationManagedIdentity, began time.Time) *Error {
	tok, err := x.managedIdentityToken(st, p, began)
	if err != nil || tok == "" {
		return err
	}
	resource := p.Resource.String()
	if name := p.OutputTokenVariableName.Resolved(); name != "" {
		x.vars().Set(name, tok)
		x.tracePolicy(st, began, "token for %s stored in context.Variables[%q]", resource, name)
		return nil
	}
	x.req.header["Authorization"] = []string{"Bearer " + tok}
	x.tracePolicy(st, began, "Authorization set to a bearer token for %s", resource)
	return nil
}

// execEmitMetric records a custom metric on the log line.
func (x *exchange) execEmitMetric(st *policy.Step, p *policy.EmitMetric, began time.Time) *Error {
	v := 1.0
	if p.Value.Set {
		s, err := x.str(st, p.Value)
		if err != nil {
			return err
		}
		f, perr := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if perr != nil {
			return &Error{Source: st.Name, Reason: "ExpressionValueEvaluationFailure", Status: 500, Message: "Expression evaluation failed.",
				Cause: fmt.Sprintf("emit-metric value %q is not a number", s)}
		}
		v = f
	}
	ns := p.Namespace.Resolved()
	if ns == "" {
		ns = "API Management"
	}
	m := Metric{Name: p.Name.Resolved(), Namespace: ns, Value: v, Dimensions: map[string]string{}}
	for _, d := range p.Dimensions {
		val, err := x.str(st, d.Value)
		if err != nil {
			return err
		}
		if !d.Value.Set {
			val = x.defaultDimension(d.Name.Resolved())
		}
		m.Dimensions[d.Name.Resolved()] = val
	}
	x.rec.Metrics = append(x.rec.Metrics, m)
	x.tracePolicy(st, began, "metric %s/%s = %g %v", ns, m.Name, v, m.Dimensions)
	return nil
}

// defaultDimension gives the value APIM fills in for a dimension written
// without one.
func (x *exchange) defaultDimension(name string) string {
	switch strings.ToLower(name) {
	case "api id":
		return x.rec.APIID
	case "operation id":
		return x.rec.OperationID
	case "product id":
		return x.rec.ProductID
	case "subscription id":
		return x.rec.APIMSubscriptionID
	case "client ip":
		return x.rec.CallerIPAddress
	case "location":
		return "local"
	}
	return ""
}

// execLogToEventHub records the message on the log line and hands it to
// the event hub sink, when there is one.
func (x *exchange) execLogToEventHub(st *policy.Step, p *policy.LogToEventHub, began time.Time) *Error {
	msg, err := x.str(st, p.Message)
	if err != nil {
		return err
	}
	m := EventHubMessage{Logger: p.LoggerID.Resolved(), Message: msg, PartitionID: p.PartitionID.Resolved()}
	if p.PartitionKey.Set {
		if m.PartitionKey, err = x.str(st, p.PartitionKey); err != nil {
			return err
		}
	}
	x.rec.EventHubMessages = append(x.rec.EventHubMessages, m)
	if x.g.eventHub == nil {
		x.tracePolicy(st, began, "message for logger %s recorded (%d bytes)", m.Logger, len(msg))
		return nil
	}
	// What leaves tollgate is masked like the log line.
	m.Message, m.PartitionKey = x.mask(m.Message), x.mask(m.PartitionKey)
	if serr := x.g.eventHub.Send(x.telemetryContext(), m); serr != nil {
		x.rec.Notes = append(x.rec.Notes, fmt.Sprintf("log-to-eventhub at %s: the message is only on this log line: %v", st.Where, serr))
		x.tracePolicy(st, began, "message for logger %s not sent (%v); kept on the log line", m.Logger, serr)
		return nil
	}
	x.tracePolicy(st, began, "message for logger %s queued for sending (%d bytes)", m.Logger, len(m.Message))
	return nil
}
