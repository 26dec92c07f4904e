package lint

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/diag"
	"github.com/tollgate/tollgate/internal/policy"
)

// entities judges what lies outside the policies: backends and the
// service URLs of APIs.
func (c *checker) entities() {
	for _, name := range sortedKeys(c.snap.Backends) {
		b := c.snap.Backends[name]
		tls, _ := b.Properties["tls"].(map[string]any)
		for _, key := range []string{"validateCertificateChain", "validateCertificateName"} {
			if v, ok := tls[key].(bool); ok && !v {
				what := "chain"
				if key == "validateCertificateName" {
					what = "name"
				}
				c.reportAt(TG014, jsonValueSpan(b.Info, key),
					fmt.Sprintf("backend %s does not validate the certificate %s of %s (tls.%s is false): any certificate is accepted, including an attacker's", name, what, shownURL(b.URL), key),
					fmt.Sprintf("set tls.%s to true and trust the backend's CA certificate instead", key))
			}
		}
	}
	for _, api := range c.snap.APIs {
		if api.ServiceURL == "" {
			continue
		}
		c.backendURL(api, api.ServiceURL, jsonValueSpan(api.Info, "serviceUrl"), "the service URL of API "+api.ID, true)
	}
}

// backendURLs judges the backend URLs the effective policy of x sets with
// set-backend-service: a literal base-url, or the URL of a backend entity.
func (c *checker) backendURLs(x target) {
	for _, s := range []policy.Section{policy.Inbound, policy.Backend} {
		walkSteps(x.eff.Sections[s], func(st *policy.Step) {
			p, ok := st.Policy.(*policy.SetBackendService)
			if !ok {
				return
			}
			if u, ok := literal(p.BaseURL); ok {
				c.backendURL(x.api, u, p.BaseURL.Span, "the base-url of set-backend-service", false)
			}
			if id, ok := literal(p.BackendID); ok {
				if b := c.snap.Backends[id]; b != nil && b.Type == "Single" && b.URL != "" && !strings.Contains(b.URL, "{{") {
					c.backendURL(x.api, b.URL, jsonValueSpan(b.Info, "url"), "the URL of backend "+id, true)
				}
			}
		})
	}
}

// backendURL judges one URL requests of api are forwarded to (TG015,
// TG016, and for service URLs, which are not written in a policy, TG017).
func (c *checker) backendURL(api *config.API, raw string, span diag.Span, what string, serviceURL bool) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return
	}
	scheme := strings.ToLower(u.Scheme)
	// Messages show the URL without credentials and query, which may hold
	// secrets (an Azure Functions code, a SAS signature).
	raw = shownURL(raw)
	protocols := api.Protocols
	web := len(protocols) > 0 && !slices.ContainsFunc(protocols, func(p string) bool { return p != "http" && p != "https" })
	switch {
	case web && scheme == "http" && !slices.Contains(protocols, "http"):
		c.reportAt(TG015, span,
			fmt.Sprintf("%s is %s, but API %s accepts only HTTPS: the gateway forwards the caller's credentials and data unencrypted", what, raw, api.ID),
			"use https:// for the backend, or let the API accept http if the plain-HTTP hop is intended",
			jsonLocation(api.Info, "protocols", "the API's protocols"))
	case web && scheme == "https" && !slices.Contains(protocols, "https"):
		c.reportAt(TG015, span,
			fmt.Sprintf("%s is %s, but API %s accepts only plain HTTP: the schemes look swapped", what, raw, api.ID),
			"let the API accept https, or check that the backend really serves HTTPS",
			jsonLocation(api.Info, "protocols", "the API's protocols"))
	}
	if len(u.Path) > 1 && strings.HasSuffix(u.Path, "/") {
		for _, op := range api.Operations {
			if strings.HasPrefix(op.URLTemplate, "/") {
				c.reportAt(TG016, span,
					fmt.Sprintf("%s %s ends with / and operation %s of API %s starts with /: the backend receives %s", what, raw, op.Name, api.ID,
						strings.TrimSuffix(u.Path, "/")+"/"+op.URLTemplate),
					fmt.Sprintf("remove the trailing / from %s", raw),
					Location{Span: textSpan(op.Where, op.Name), Message: "operation " + op.Name + " " + op.URLTemplate})
				break
			}
		}
	}
	if serviceURL && u.RawQuery != "" {
		c.reportAt(TG017, span,
			fmt.Sprintf("%s has the query string ?%s: it is merged with the caller's query and ends up in logs", what, maskQuery(u.Query())),
			"remove the query from the URL and add the parameters with set-query-parameter or the backend's credentials.query")
	}
}

// shownURL returns a URL without credentials, query and fragment, which
// may hold secrets (an Azure Functions code, a SAS signature), for messages.
func shownURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(an invalid URL)"
	}
	u.User, u.RawQuery, u.Fragment, u.ForceQuery = nil, "", "", false
	return u.String()
}

// maskQuery lists the parameter names of a query without their values,
// which may be secrets.
func maskQuery(q url.Values) string {
	var parts []string
	for _, k := range sortedKeys(q) {
		parts = append(parts, k+"=…")
	}
	return strings.Join(parts, "&")
}

// forwardRequest reports effective backend sections without forward-request
// (TG025) and with two (TG026).
func (c *checker) forwardRequest(x target) {
	var forwards []*policy.Step
	for _, s := range []policy.Section{policy.Inbound, policy.Backend} {
		for _, st := range x.eff.Sections[s] {
			if st.Name == "return-response" || st.Name == "mock-response" {
				return // the request is answered without the backend on purpose
			}
		}
	}
	walkSteps(x.eff.Sections[policy.Backend], func(s *policy.Step) {
		if s.Name == "forward-request" {
			forwards = append(forwards, s)
		}
	})
	if len(forwards) == 0 {
		d := decides(x.eff, policy.Backend)
		if d == nil {
			return
		}
		var span diag.Span
		var pos diag.Position
		if el := d.Sections[policy.Backend].Elem; el != nil {
			span = el.NameSpan
		} else {
			pos = diag.Position{Filename: d.File.Name}
		}
		c.report(TG025, span, pos,
			fmt.Sprintf("the effective backend section has no forward-request: requests never reach the backend (%s)", x),
			fmt.Sprintf("add <base/> or <forward-request/> to <backend> in %s", d.File.Name))
		return
	}
	top := 0
	var first *policy.Step
	for _, s := range x.eff.Sections[policy.Backend] {
		if s.Name != "forward-request" {
			continue
		}
		top++
		if top == 1 {
			first = s
			continue
		}
		c.reportAt(TG026, s.Elem.NameSpan,
			fmt.Sprintf("forward-request (%s scope) follows the one at %s in the effective backend section: the backend is called twice (%s)", s.Scope, where(first.Statement), x),
			"keep one forward-request: replace the other scope's with <base/>, or remove <base/> from this section",
			at(first.Statement, "the first forward-request"))
	}
}

// decides returns the narrowest document that writes section s, or the
// narrowest present document when none does.
func decides(e *policy.Effective, s policy.Section) *policy.Document {
	for i := 3; i >= 0; i-- {
		if d := e.Docs[i]; d != nil && d.Sections[s].Present {
			return d
		}
	}
	for i := 3; i >= 0; i-- {
		if e.Docs[i] != nil {
			return e.Docs[i]
		}
	}
	return nil
}

// audiences reports validate-jwt audiences and issuers that differ from
// another policy's only by a trailing slash (TG021).
func (c *checker) audiences() {
	type value struct {
		st   *policy.Statement
		kind string // "audience" or "issuer"
		v    policy.Value
		text string
	}
	var vals []value
	for _, d := range c.docs() {
		for _, s := range policy.AllSections() {
			walkStatements(d.Sections[s].Statements, func(st *policy.Statement, _ []*policy.Statement) {
				add := func(kind string, list []policy.Value) {
					for _, v := range list {
						if t, ok := literal(v); ok && t != "" {
							vals = append(vals, value{st, kind, v, t})
						}
					}
				}
				switch p := st.Policy.(type) {
				case *policy.ValidateJWT:
					add("audience", p.Audiences)
					add("issuer", p.Issuers)
					for _, cl := range p.RequiredClaims {
						switch n, _ := literal(cl.Name); n {
						case "aud":
							add("audience", cl.Values)
						case "iss":
							add("issuer", cl.Values)
						}
					}
				case *policy.ValidateAzureADToken:
					add("audience", p.Audiences)
				}
			})
		}
	}
	// has reports whether st accepts text as kind.
	has := func(st *policy.Statement, kind, text string) bool {
		return slices.ContainsFunc(vals, func(v value) bool { return v.st == st && v.kind == kind && v.text == text })
	}
	for i, a := range vals {
		for _, b := range vals[:i] {
			if a.kind != b.kind || a.text == b.text || strings.TrimRight(a.text, "/") != strings.TrimRight(b.text, "/") ||
				a.st == b.st || has(a.st, b.kind, b.text) || has(b.st, a.kind, a.text) {
				continue
			}
			c.reportAt(TG021, a.v.Span,
				fmt.Sprintf("%s %s of %s differs from %s of %s only by a trailing slash: tokens are compared exactly, so one of the two answers 401 for every token", a.kind, a.text, where(a.st), b.text, where(b.st)),
				fmt.Sprintf("write the %s exactly as the token's %s claim carries it in both places", a.kind, map[string]string{"audience": "aud", "issuer": "iss"}[a.kind]),
				Location{Span: b.v.Span, Message: fmt.Sprintf("the %s %s", b.kind, b.text)})
		}
	}
}
