package gateway

import (
	"net/http"
	"net/textproto"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/policy"
	"github.com/tollgate/tollgate/internal/validate"
)

// ruleActions are the resolved actions of one parameter kind.
type ruleActions struct {
	specified, unspecified string
	byName                 map[string]string // per-name overrides; header names canonical
}

func (r ruleActions) forName(name string, declared bool) string {
	if a, ok := r.byName[name]; ok {
		return a
	}
	if declared {
		return r.specified
	}
	return r.unspecified
}

// resolveRules evaluates the actions of a parameter kind: its own
// attributes win over the policy's, a per-name action over both.
func (x *exchange) resolveRules(st *policy.Step, r *policy.ParameterRules, specified, unspecified string, header bool) (ruleActions, *Error) {
	out := ruleActions{specified: specified, unspecified: unspecified, byName: map[string]string{}}
	if r == nil {
		return out, nil
	}
	var err *Error
	if out.specified, err = x.action(st, r.SpecifiedAction, specified); err != nil {
		return out, err
	}
	if out.unspecified, err = x.action(st, r.UnspecifiedAction, unspecified); err != nil {
		return out, err
	}
	for _, p := range r.Parameters {
		name, err := x.str(st, p[0])
		if err != nil {
			return out, err
		}
		a, err := x.action(st, p[1], out.specified)
		if err != nil {
			return out, err
		}
		if header {
			name = textproto.CanonicalMIMEHeaderKey(name)
		}
		out.byName[name] = a
	}
	return out, nil
}

// checkValues checks the values of one declared parameter or header.
func (x *exchange) checkValues(typ string, p *config.Parameter, values []string, action string) []*validate.Error {
	if action == validate.Ignore {
		return nil
	}
	var errs []*validate.Error
	add := func(e *validate.Error) {
		e.Action = action
		errs = append(errs, e)
	}
	if len(values) == 0 {
		if p.Required {
			add(validate.MissingRequired(typ, p.Name))
		}
		return errs
	}
	if len(values) > 1 && p.Type != "array" {
		add(validate.MultipleValues(typ, p.Name, len(values)))
		return errs
	}
	if p.Schema == nil {
		return nil
	}
	s, why := x.schema(p.Schema, 0)
	if s == nil {
		add(&validate.Error{Name: p.Name, Type: typ, ValidationRule: "ApiSchema",
			Details: "API's schema doesn't exist or it couldn't be resolved.", Cause: why})
		return errs
	}
	if e := s.CheckValue(typ, p.Name, strings.Join(values, ",")); e != nil {
		add(e)
	}
	return errs
}

func (x *exchange) execValidateParameters(st *policy.Step, p *policy.ValidateParameters, began time.Time) *Error {
	op := x.operation()
	if op == nil {
		x.tracePolicy(st, began, "no operation matched: nothing to validate against")
		return nil
	}
	specified, err := x.action(st, p.SpecifiedParameterAction, validate.Prevent)
	if err != nil {
		return err
	}
	unspecified, err := x.action(st, p.UnspecifiedParameterAction, validate.Prevent)
	if err != nil {
		return err
	}
	headers, err := x.resolveRules(st, p.Headers, specified, unspecified, true)
	if err != nil {
		return err
	}
	query, err := x.resolveRules(st, p.Query, specified, unspecified, false)
	if err != nil {
		return err
	}
	path, err := x.resolveRules(st, p.Path, specified, unspecified, false)
	if err != nil {
		return err
	}
	var errs []*validate.Error
	// Path parameters: bound by the operation's template.
	for _, b := range x.m.params {
		d := findParam(op.Parameters, "path", b.name)
		if d == nil {
			continue // a template parameter the specification does not list
		}
		v, uerr := url.PathUnescape(b.value)
		if uerr != nil {
			v = b.value
		}
		errs = append(errs, x.checkValues(validate.PathParameter, d, []string{v}, path.forName(b.name, true))...)
	}
	// Query parameters.
	q, _ := url.ParseQuery(x.req.rawQuery)
	names := make([]string, 0, len(q))
	for n := range q {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		d := findParam(op.Parameters, "query", n)
		if d == nil {
			if a := query.forName(n, false); a != validate.Ignore {
				e := validate.UnspecifiedParameter(validate.QueryParameter, n)
				e.Action = a
				errs = append(errs, e)
			}
			continue
		}
		errs = append(errs, x.checkValues(validate.QueryParameter, d, q[n], query.forName(n, true))...)
	}
	for i := range op.Parameters {
		d := &op.Parameters[i]
		if d.In == "query" && d.Required && q[d.Name] == nil {
			errs = append(errs, x.checkValues(validate.QueryParameter, d, nil, query.forName(d.Name, true))...)
		}
	}
	// Headers.
	errs = append(errs, x.checkHeaders(validate.RequestHeader, op.Parameters, x.req.header, headers)...)
	return x.report(st, p.ErrorsVariableName, errs, began)
}

// ignoredResponseHeader reports the response headers validate-headers never
// reports as unspecified: those the HTTP layer manages, which an OpenAPI
// specification cannot declare (it ignores a Content-Type header).
func ignoredResponseHeader(key string) bool {
	switch key {
	case "Content-Type", "Date":
		return true
	}
	return isHopHeader(key)
}

// checkHeaders checks the headers h against the declared ones. Hop-by-hop headers are never reported as unspecified, nor, in responses,
// the headers ignoredResponseHeader names.
func (x *exchange) checkHeaders(typ string, declared []config.Parameter, h http.Header, rules ruleActions) []*validate.Error {
	var errs []*validate.Error
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		d := findParam(declared, "header", k)
		if d == nil {
			if isHopHeader(k) || typ == validate.ResponseHeader && ignoredResponseHeader(k) {
				continue
			}
			if a := rules.forName(k, false); a != validate.Ignore {
				e := validate.UnspecifiedParameter(typ, k)
				e.Action = a
				errs = append(errs, e)
			}
			continue
		}
		errs = append(errs, x.checkValues(typ, d, h[k], rules.forName(k, true))...)
	}
	for i := range declared {
		d := &declared[i]
		if d.In == "header" && d.Required && len(h.Values(d.Name)) == 0 {
			errs = append(errs, x.checkValues(typ, d, nil, rules.forName(textproto.CanonicalMIMEHeaderKey(d.Name), true))...)
		}
	}
	return errs
}

// findParam finds a declared parameter; header names are compared ignoring
// case.
func findParam(ps []config.Parameter, in, name string) *config.Parameter {
	for i := range ps {
		if ps[i].In != in {
			continue
		}
		if ps[i].Name == name || in == "header" && strings.EqualFold(ps[i].Name, name) {
			return &ps[i]
		}
	}
	return nil
}

func (x *exchange) execValidateHeaders(st *policy.Step, p *policy.ValidateHeaders, began time.Time) *Error {
	op := x.operation()
	if op == nil {
		x.tracePolicy(st, began, "no operation matched: nothing to validate against")
		return nil
	}
	specified, err := x.action(st, p.SpecifiedAction, validate.Prevent)
	if err != nil {
		return err
	}
	unspecified, err := x.action(st, p.UnspecifiedAction, validate.Prevent)
	if err != nil {
		return err
	}
	rules, err := x.resolveRules(st, &policy.ParameterRules{Parameters: p.Parameters}, specified, unspecified, true)
	if err != nil {
		return err
	}
	var declared []config.Parameter
	if r := specResponse(op, x.resp.statusCode()); r != nil {
		declared = r.Headers
	}
	return x.report(st, p.ErrorsVariableName, x.checkHeaders(validate.ResponseHeader, declared, x.headersFor(), rules), began)
}

func (x *exchange) execValidateStatusCode(st *policy.Step, p *policy.ValidateStatusCode, began time.Time) *Error {
	op := x.operation()
	if op == nil {
		x.tracePolicy(st, began, "no operation matched: nothing to validate against")
		return nil
	}
	code := x.resp.statusCode()
	if specResponse(op, code) != nil {
		x.tracePolicy(st, began, "status code %d is specified", code)
		return nil
	}
	action, err := x.action(st, p.UnspecifiedStatusCodeAction, validate.Prevent)
	if err != nil {
		return err
	}
	for _, sc := range p.StatusCodes {
		c, err := x.str(st, sc[0])
		if err != nil {
			return err
		}
		if n, cerr := strconv.Atoi(strings.TrimSpace(c)); cerr == nil && n == code {
			if action, err = x.action(st, sc[1], action); err != nil {
				return err
			}
		}
	}
	known := make([]int, 0, len(op.Responses))
	for _, r := range op.Responses {
		known = append(known, r.Status)
	}
	e := validate.UnspecifiedStatusCode(code, known)
	e.Action = action
	return x.report(st, p.ErrorsVariableName, []*validate.Error{e}, began)
}
