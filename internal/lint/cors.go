package lint

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/diag"
	"github.com/tollgate/tollgate/internal/policy"
)

// baseMissing reports sections of product, API and operation documents
// that have no <base/> while the enclosing scopes have statements there
// that the section does not replace with its own (TG001).
func (c *checker) baseMissing(x target) {
	docs := x.eff.Docs
	for i := 1; i < 4; i++ {
		d := docs[i]
		if d == nil {
			continue
		}
		for _, s := range policy.AllSections() {
			body := d.Sections[s]
			if !body.Present || slices.ContainsFunc(body.Statements, func(st *policy.Statement) bool { return st.Name == "base" }) {
				continue
			}
			var outer [4]*policy.Document
			copy(outer[:i], docs[:i])
			broader := policy.Compose(outer[0], outer[1], outer[2], outer[3]).Sections[s]
			own := map[string]bool{}
			walkStatements(body.Statements, func(st *policy.Statement, _ []*policy.Statement) { own[st.Name] = true })
			var lost []*policy.Step
			for _, st := range broader {
				if !own[st.Name] {
					lost = append(lost, st)
				}
			}
			if len(lost) == 0 {
				continue
			}
			var names []string
			var related []Location
			for _, st := range lost {
				names = append(names, where(st.Statement))
				related = append(related, at(st.Statement, fmt.Sprintf("does not run for %s: <%s> of %s has no <base/>", x, s, d.File.Name)))
			}
			c.reportAt(TG001, body.Elem.NameSpan,
				fmt.Sprintf("section <%s> of the %s policy has no <base/>: %s of the enclosing scopes do not run (%s)", s, d.Scope, strings.Join(names, ", "), x),
				fmt.Sprintf("add <base/> to <%s> in %s", s, d.File.Name), related...)
		}
	}
}

// rejecting are the policies that can answer the request with an error or
// a response of their own, and the status they answer with.
var rejecting = map[string]string{
	"rate-limit": "429", "rate-limit-by-key": "429", "limit-concurrency": "429", "quota": "403", "quota-by-key": "403",
	"validate-jwt": "401", "validate-azure-ad-token": "401", "validate-client-certificate": "401", "ip-filter": "403",
	"check-header": "401 or 403", "validate-content": "400", "validate-parameters": "400", "validate-headers": "400",
	"return-response": "their own", "mock-response": "their own",
}

// rejector returns the first statement of step (itself or nested) that can
// reject the request, or nil.
func rejector(step *policy.Step) *policy.Statement {
	var found *policy.Statement
	walkSteps([]*policy.Step{step}, func(s *policy.Step) {
		if _, ok := rejecting[s.Name]; ok && found == nil {
			found = s.Statement
		}
	})
	return found
}

// corsOrder reports cors policies that are not first in the effective
// inbound section (TG002, TG003) and second cors policies (TG004).
func (c *checker) corsOrder(x target) {
	in := x.eff.Sections[policy.Inbound]
	var first *policy.Step
	for i, st := range in {
		if st.Name != "cors" {
			continue
		}
		if first != nil {
			c.reportAt(TG004, st.Elem.NameSpan,
				fmt.Sprintf("a second cors policy (%s scope) follows the one at %s: only the first cors of the effective inbound section answers (%s)", st.Scope, where(first.Statement), x),
				fmt.Sprintf("merge the origins, methods and headers of this cors into the one at %s and remove this one", shortPos(first.Statement)),
				at(first.Statement, "the first cors, which answers"))
			continue
		}
		first = st
		if i == 0 {
			continue
		}
		var rej *policy.Statement
		var rejTop *policy.Step
		for _, b := range in[:i] {
			if r := rejector(b); r != nil {
				rej, rejTop = r, b
				break
			}
		}
		var before []string
		var related []Location
		for _, b := range in[:i] {
			before = append(before, where(b.Statement))
			related = append(related, at(b.Statement, "runs before cors"))
		}
		// The statement that must move: cors, when it is in the same
		// document as what runs before it; otherwise the statement of the
		// other document, which must come after its <base/>.
		mover := in[0].Statement
		if rejTop != nil {
			mover = rejTop.Statement
		}
		if rej != nil {
			var fix string
			primary := mover.Elem.NameSpan
			if sameFile(mover, st.Statement) {
				primary = st.Elem.NameSpan
				fix = fmt.Sprintf("move cors above %s in %s", mover.Name, fileOf(st.Statement))
				related = append(related[:0:0], at(rej, "can reject the request before cors runs"))
			} else {
				fix = fmt.Sprintf("in %s, move <base/> above %s (or %s below <base/>), so that cors at %s runs first", fileOf(mover), mover.Name, mover.Name, shortPos(st.Statement))
				related = append(related[:0:0], at(st.Statement, "cors, which runs too late"))
				if rej != mover {
					related = append(related, at(rej, "can reject the request before cors runs"))
				}
			}
			c.reportAt(TG003, primary,
				fmt.Sprintf("%s runs before cors (%s) in the effective inbound section (%s): a %s answer from it reaches the browser without CORS headers, which the browser reports as a CORS error",
					where(rej), shortPos(st.Statement), x, rejecting[rej.Name]), fix, related...)
			continue
		}
		primary, fix := st.Elem.NameSpan, fmt.Sprintf("move cors to the top of <inbound> in %s", fileOf(st.Statement))
		if !sameFile(mover, st.Statement) {
			primary = mover.Elem.NameSpan
			fix = fmt.Sprintf("in %s, move <base/> above %s, so that cors at %s runs first", fileOf(mover), mover.Name, shortPos(st.Statement))
			related = append(related, at(st.Statement, "cors"))
		}
		c.reportAt(TG002, primary,
			fmt.Sprintf("cors (%s) is statement %d of the effective inbound section (%s): an error raised by %s before it is returned without CORS headers",
				shortPos(st.Statement), i+1, x, strings.Join(before, ", ")), fix, related...)
	}
}

// corsStatement judges one cors policy on its own (TG005, TG007, TG008).
func (c *checker) corsStatement(st *policy.Statement, p *policy.CORS) {
	if st.Scope == policy.Product {
		c.reportAt(TG005, st.Elem.NameSpan,
			fmt.Sprintf("cors in the product policy %s answers a preflight only when the subscription key is in the query string: browsers send no key header on a preflight, so the product is not known", fileOf(st)),
			"move this cors to the API policies of the product's APIs or to the global policy")
	}
	if p.AllowCredentials.Set && !p.AllowCredentials.IsExpr() && p.AllowCredentials.B {
		for _, o := range p.Origins {
			if lit, ok := literal(o); ok && lit == "*" {
				c.reportAt(TG007, p.AllowCredentials.Span,
					"cors allows credentials for the origin *: every web site can make credentialed calls and read the answers",
					"replace <origin>*</origin> with the origins that may send credentials, or set allow-credentials=\"false\"",
					Location{Span: o.Span, Message: "the origin *"})
				break
			}
		}
	}
	if t := p.TerminateUnmatchedRequest; t.Set && !t.IsExpr() && !t.B {
		c.reportAt(TG008, t.Span,
			"terminate-unmatched-request=\"false\": a preflight from an origin no cors policy allows gets an empty 200 without CORS headers, and unmatched GET and HEAD requests run without CORS headers",
			"list every origin that calls the API; keep false only for callers that are not browsers")
	}
}

// safelisted are request headers browsers send cross-origin without a
// preflight allowing them.
var safelisted = []string{"accept", "accept-language", "content-language"}

// corsHeaders reports headers the effective policy requires that the first
// cors policy does not allow (TG006).
func (c *checker) corsHeaders(x target) {
	var cors *policy.Step
	for _, st := range x.eff.Sections[policy.Inbound] {
		if st.Name == "cors" {
			cors = st
			break
		}
	}
	if cors == nil {
		return
	}
	p := cors.Policy.(*policy.CORS)
	allowed := map[string]bool{}
	for _, h := range p.Headers {
		lit, ok := literal(h)
		if !ok || lit == "*" {
			return
		}
		allowed[strings.ToLower(lit)] = true
	}
	type need struct {
		name string
		loc  Location
		why  string
	}
	var needs []need
	api := x.api
	if api.SubscriptionRequired && !strings.EqualFold(api.KeyHeader, config.DefaultKeyHeader) {
		needs = append(needs, need{api.KeyHeader, jsonLocation(api.Info, "header", "the API's renamed subscription key header"),
			"the API's subscription key header (renamed from Ocp-Apim-Subscription-Key)"})
	}
	if vs := api.VersionSet; vs != nil && vs.Scheme == "Header" && api.APIVersion != "" && vs.HeaderName != "" {
		needs = append(needs, need{vs.HeaderName, Location{Span: vs.Info, Message: "the version header of version set " + vs.Name},
			"the version header of version set " + vs.Name})
	}
	walkSteps(x.eff.Sections[policy.Inbound], func(s *policy.Step) {
		var v policy.Value
		switch q := s.Policy.(type) {
		case *policy.CheckHeader:
			v = q.Name
		case *policy.ValidateJWT:
			v = q.HeaderName
		case *policy.ValidateAzureADToken:
			v = q.HeaderName
		default:
			return
		}
		if lit, ok := literal(v); ok {
			needs = append(needs, need{lit, Location{Span: v.Span, Message: s.Name + " requires this header"},
				fmt.Sprintf("the header %s reads", where(s.Statement))})
		}
	})
	elem := cors.Elem
	for _, k := range cors.Elem.Elements() {
		if k.Name == "allowed-headers" {
			elem = k
		}
	}
	for _, n := range needs {
		var related []Location
		if n.loc.Span.End > n.loc.Span.Start {
			related = []Location{n.loc} // a revision that inherits the header name has none
		}
		ln := strings.ToLower(n.name)
		if n.name == "" || allowed[ln] || ln == "ocp-apim-subscription-key" || slices.Contains(safelisted, ln) {
			continue
		}
		f := Finding{Rule: TG006, Severity: TG006.Severity, Span: elem.NameSpan,
			Message: fmt.Sprintf("cors (%s) does not list %s in allowed-headers, %s: the browser's preflight is refused and the call never leaves the browser (%s)",
				shortPos(cors.Statement), n.name, n.why, x),
			Fix: fmt.Sprintf("add <header>%s</header> to <allowed-headers> of the cors policy in %s", n.name, fileOf(cors.Statement))}
		c.add(TG006.ID+" "+f.Position().String()+" "+ln, f, related)
	}
}

// optionsOperation reports OPTIONS operations of APIs whose effective
// policy has cors (TG009).
func (c *checker) optionsOperation(x target) {
	if x.op == nil || x.op.Method != "OPTIONS" {
		return
	}
	for _, st := range x.eff.Sections[policy.Inbound] {
		if st.Name == "cors" {
			c.reportAt(TG009, textSpan(x.op.Where, x.op.Name),
				fmt.Sprintf("operation %s of API %s answers OPTIONS %s, so preflights reach it instead of the cors policy at %s", x.op.Name, x.api.ID, x.op.URLTemplate, shortPos(st.Statement)),
				fmt.Sprintf("remove the OPTIONS operation %s and let cors answer preflights", x.op.Name),
				at(st.Statement, "cors, whose preflight answer is turned off"))
			return
		}
	}
}

func sameFile(a, b *policy.Statement) bool { return a.Elem.NameSpan.File == b.Elem.NameSpan.File }

func fileOf(st *policy.Statement) string { return st.Elem.NameSpan.File.Name }

// shortPos returns "file:line" of a statement.
func shortPos(st *policy.Statement) string {
	p := st.Elem.NameSpan.Pos()
	return fmt.Sprintf("%s:%d", p.Filename, p.Line)
}

// spanPos returns "file:line" of a span.
func spanPos(s diag.Span) string {
	p := s.Pos()
	return fmt.Sprintf("%s:%d", p.Filename, p.Line)
}
