package gateway

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/tollgate/tollgate/internal/diag"
	"github.com/tollgate/tollgate/internal/expr"
	"github.com/tollgate/tollgate/internal/liquid"
	"github.com/tollgate/tollgate/internal/policy"
)

// compileTemplates compiles every Liquid body of the effective policies once
// per configuration; errors and filters that would do nothing are
// positioned diagnostics.
func compileTemplates(pipes map[pipelineKey]*policy.Effective, lim liquid.Limits) (map[*policy.SetBody]*liquid.Template, diag.List) {
	out := map[*policy.SetBody]*liquid.Template{}
	var diags diag.List
	add := func(p *policy.SetBody) {
		if p == nil || !p.Liquid() {
			return
		}
		if _, done := out[p]; done {
			return
		}
		t, err := liquid.CompileWithLimits(p.Body.Resolved(), lim)
		if err != nil {
			diags.Errorf(p.Body.Span, "liquid-syntax", "liquid template: %v", err)
			out[p] = nil
			return
		}
		for _, w := range t.Warnings() {
			diags.Warnf(p.Body.Span, "liquid-filter", "liquid template: %v", w)
		}
		out[p] = t
	}
	for _, eff := range pipes {
		for _, s := range policy.AllSections() {
			eff.Walk(s, func(st *policy.Step) {
				switch p := st.Policy.(type) {
				case *policy.SetBody:
					add(p)
				case *policy.ReturnResponse:
					add(p.Body)
				case *policy.SendRequest:
					add(p.Body)
				case *policy.InvokeDaprBinding:
					add(p.Data)
				case *policy.PublishToDapr:
					add(p.Body)
				}
			})
		}
	}
	return out, diags
}

// renderLiquid renders a Liquid set-body against the message it replaces.
func (x *exchange) renderLiquid(st *policy.Step, p *policy.SetBody, target *body, h http.Header) (string, *Error) {
	t := x.st.templates[p]
	if t == nil {
		return "", &Error{Source: st.Name, Reason: "LiquidTemplateFailure", Status: 500, Message: "The Liquid template could not be compiled.", Cause: "see tollgate check"}
	}
	msg := &liquid.Message{ContentType: h.Get("Content-Type"), Headers: h}
	if target != nil {
		data, err := target.Read(true)
		if err != nil {
			return "", backendReadError(st, err)
		}
		msg.Body = data
	}
	c := &liquid.Context{Request: liquid.RequestView{
		Method: x.req.method, OriginalMethod: x.r.Method,
		Url: liquidURL(exprURL(x.req.url())), OriginalUrl: liquidURL(x.exprContext().Request.OriginalUrl),
		IpAddress: x.rec.CallerIPAddress, MatchedParameters: map[string]string{}, Headers: x.req.header,
		HasBody: x.req.body != nil && (x.req.body.stream != nil || len(x.req.body.data) > 0),
	}}
	if x.m != nil {
		for _, pr := range x.m.params {
			c.Request.MatchedParameters[pr.name] = pr.value
		}
	}
	if !x.inRequest() && x.resp.header != nil {
		c.Response = &liquid.ResponseView{StatusCode: x.resp.statusCode(), Headers: x.resp.header}
	}
	if v := x.variables; v != nil {
		c.Variables = map[string]string{}
		for _, n := range v.Names() {
			val, _ := v.Get(n)
			c.Variables[n] = expr.ToString(val)
		}
	}
	out, err := t.RenderContext(x.r.Context(), msg, c, liquid.Options{ParseDate: p.ParseDate.B, XsiNilNull: strings.EqualFold(p.XsiNil.Resolved(), "null")})
	if err != nil {
		return "", &Error{Source: st.Name, Reason: "LiquidTemplateFailure", Status: 500, Message: "Liquid template rendering failed.",
			Cause: fmt.Sprintf("%s: %v", p.Body.Span.Pos(), err)}
	}
	return out, nil
}

func liquidURL(u *expr.Url) liquid.URLView {
	if u == nil {
		return liquid.URLView{}
	}
	q := map[string][]string{}
	if u.Query != nil {
		for _, n := range u.Query.Names() {
			q[n], _ = u.Query.Values(n)
		}
	}
	v := liquid.URLView{Scheme: u.Scheme, Host: u.Host, Port: u.Port, Path: u.Path, Query: q, QueryString: u.QueryString()}
	return v
}
