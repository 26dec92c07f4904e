package gateway

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/diag"
	"github.com/tollgate/tollgate/internal/graphql"
	"github.com/tollgate/tollgate/internal/jsonx"
	"github.com/tollgate/tollgate/internal/policy"
)

// graphQLErrorsVariable is the variable APIM fills with every GraphQL
// validation error, whatever error-variable-name says.
const graphQLErrorsVariable = "GraphQL_ERRORS"

// compileGraphQL parses the schema of every GraphQL API once and checks the
// rule paths of validate-graphql-request against the schema of the API each
// pipeline serves (or, without one, against the root types).
func compileGraphQL(snap *config.Snapshot, pipes map[pipelineKey]*policy.Effective) (map[string]*graphql.Schema, diag.List) {
	var diags diag.List
	schemas := map[string]*graphql.Schema{}
	for _, a := range snap.APIs {
		if a.GraphQLSchema == nil {
			continue
		}
		s, err := graphql.ParseSchema(a.GraphQLSchema.Name, string(a.GraphQLSchema.Src))
		var se *graphql.SchemaError
		switch {
		case errors.As(err, &se):
			diags.ErrorAt(diag.Position{Filename: a.GraphQLSchema.Name, Line: se.Line, Column: se.Column}, "graphql-schema", "%s", se.Message)
		case err != nil:
			diags.ErrorAt(diag.Position{Filename: a.GraphQLSchema.Name}, "graphql-schema", "%v", err)
		default:
			schemas[a.ID] = s
		}
	}
	type checked struct {
		p   *policy.ValidateGraphQLRequest
		api string
	}
	seen := map[checked]bool{}
	for k, eff := range pipes {
		eff.Walk(policy.Inbound, func(st *policy.Step) {
			p, ok := st.Policy.(*policy.ValidateGraphQLRequest)
			if !ok || seen[checked{p, k.api}] {
				return
			}
			seen[checked{p, k.api}] = true
			paths := make([]string, len(p.Rules))
			for i, r := range p.Rules {
				paths[i] = r.Path.Resolved()
				if a := r.Action; a.Set && a.Expr == nil {
					if _, err := graphql.ParseAction(a.Resolved()); err != nil {
						diags.Errorf(a.Span, "invalid-value", "<rule> action: %v", err)
					}
				}
			}
			for i, err := range graphql.CheckRules(schemas[k.api], paths) {
				if err != nil {
					d := diags.Errorf(p.Rules[i].Path.Span, "graphql-rule", "%v", err)
					if k.api != "" {
						d.Notes = []string{"checked against the schema of api " + k.api}
					}
				}
			}
		})
	}
	return schemas, diags
}

func (x *exchange) execValidateGraphQLRequest(st *policy.Step, p *policy.ValidateGraphQLRequest, began time.Time) *Error {
	var lim graphql.Limits
	for _, v := range []struct {
		i   policy.Int
		out *int
	}{{p.MaxDepth, &lim.MaxDepth}, {p.MaxTotalDepth, &lim.MaxTotalDepth}, {p.MaxComplexity, &lim.MaxComplexity}} {
		n, err := x.integer(st, v.i)
		if err != nil {
			return err
		}
		*v.out = n
	}
	maxSize, err := x.integer(st, p.MaxSize)
	if err != nil {
		return err
	}
	lim.MaxSize = int64(maxSize)
	rules := make([]graphql.Rule, len(p.Rules))
	for i, r := range p.Rules {
		word, err := x.str(st, r.Action)
		if err != nil {
			return err
		}
		a, perr := graphql.ParseAction(word)
		if perr != nil {
			return policyError(st.Name, "ExpressionValueEvaluationFailure", "Expression evaluation failed.", 500,
				fmt.Sprintf("rule %d (path %s): %v", i+1, r.Path.Resolved(), perr))
		}
		rules[i] = graphql.Rule{Path: r.Path.Resolved(), Action: a}
	}
	var data []byte
	if b := x.req.body; b != nil {
		d, rerr := b.Read(true)
		if rerr != nil {
			return policyError(st.Name, "BodyReadFailure", "Body could not be read.", 500, "reading the body: "+rerr.Error())
		}
		data = d
	}
	query, _ := url.ParseQuery(x.req.rawQuery)
	var schema *graphql.Schema
	if x.m != nil && x.m.api != nil {
		schema = x.st.graphQL[x.m.api.ID]
	}
	req, rerr := graphql.ReadRequest(x.req.method, x.req.header.Get("Content-Type"), query, data, lim.MaxSize)
	var res graphql.Result
	if rerr != nil {
		var ge *graphql.Error
		if !errors.As(rerr, &ge) {
			ge = &graphql.Error{Message: rerr.Error()}
		}
		res.RequestErrors = []graphql.Error{*ge}
	} else {
		res = graphql.Validate(schema, req, lim, rules)
	}
	all := append(append([]graphql.Error(nil), res.RequestErrors...), res.FieldErrors...)
	if len(all) > 0 {
		x.storeGraphQLErrors(p.ErrorVariableName, all)
	}
	if len(res.RequestErrors) > 0 {
		first := res.RequestErrors[0]
		e := &Error{Source: st.Name, Reason: "GraphQLRequestInvalid", Status: http.StatusBadRequest, Message: first.Message,
			Body: string(graphql.ErrorBody(res.RequestErrors)), Header: http.Header{"Content-Type": {"application/json"}},
			Cause: fmt.Sprintf("GraphQL request error (%s): %s", first.Code(), first.Message)}
		if len(res.RequestErrors) > 1 {
			e.Cause += fmt.Sprintf(" (and %d more errors)", len(res.RequestErrors)-1)
		}
		return e
	}
	if len(res.FieldErrors) > 0 {
		x.rewriteGraphQLQuery(req, res.Query)
		x.graphQLFieldErrors = res.FieldErrors
		x.tracePolicy(st, began, "%d field(s) removed from the query: %s", len(res.FieldErrors), res.FieldErrors[0].Message)
		return nil
	}
	x.tracePolicy(st, began, "the GraphQL request is valid and every field it selects is allowed")
	return nil
}

// storeGraphQLErrors puts errs in GraphQL_ERRORS and in the policy's
// error-variable-name, as JSON arrays of GraphQL errors.
func (x *exchange) storeGraphQLErrors(name policy.Value, errs []graphql.Error) {
	b, _ := json.Marshal(errs)
	list, err := jsonx.Parse(string(b))
	if err != nil {
		return
	}
	x.vars().Set(graphQLErrorsVariable, list)
	if n := strings.TrimSpace(name.Resolved()); name.Set && n != "" {
		x.vars().Set(n, list)
	}
}

// rewriteGraphQLQuery sends query, with the removed fields cut out, in
// place of the request's.
func (x *exchange) rewriteGraphQLQuery(req graphql.Request, query string) {
	ct := strings.ToLower(x.req.header.Get("Content-Type"))
	switch {
	case x.req.method == http.MethodGet:
		q, _ := url.ParseQuery(x.req.rawQuery)
		q.Set("query", query)
		x.req.rawQuery = q.Encode()
	case strings.HasPrefix(ct, "application/graphql"):
		x.req.body.set([]byte(query))
	default:
		out := map[string]any{"query": query}
		if req.OperationName != "" {
			out["operationName"] = req.OperationName
		}
		if req.Variables != nil {
			out["variables"] = req.Variables
		}
		b, _ := json.Marshal(out)
		x.req.body.set(b)
	}
}

// mergeGraphQLFieldErrors adds the field errors of remove rules to the
// response's errors, as the backend never saw those fields.
func (x *exchange) mergeGraphQLFieldErrors() {
	if len(x.graphQLFieldErrors) == 0 || x.resp.body == nil {
		return
	}
	data, err := x.resp.body.Read(true)
	if err != nil {
		return
	}
	x.resp.body.set(graphql.MergeErrors(data, x.graphQLFieldErrors))
	x.resp.header.Del("Content-Length")
}
