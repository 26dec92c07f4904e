package gateway

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/diag"
	"github.com/tollgate/tollgate/internal/jsonx"
	"github.com/tollgate/tollgate/internal/policy"
	"github.com/tollgate/tollgate/internal/validate"
)

// schemaKey names one compiled schema: a specification schema and the
// allow-additional-properties override it was compiled with (0 none,
// 1 allowed, 2 forbidden).
type schemaKey struct {
	s   *config.Schema
	add int8
}

// compiledSchema is a schema compiled at load time, or why it could not be.
type compiledSchema struct {
	s   *validate.Schema
	err error
}

// contentTypeMap is a compiled content-type-map of validate-content.
type contentTypeMap struct {
	any, missing string
	from         [][2]string // from, to
}

// validation is what the validation policies of a configuration need,
// compiled once.
type validation struct {
	schemas map[schemaKey]*compiledSchema
	maps    map[*policy.ValidateContent]*contentTypeMap
}

func additionalKey(b policy.Bool) int8 {
	switch {
	case !b.Set:
		return 0
	case b.B:
		return 1
	}
	return 2
}

// compileValidation checks the validation policies of every pipeline and
// compiles the schemas of the specifications they validate against. XML and
// SOAP validation, global schemas and expression-driven content type maps
// are load errors.
func compileValidation(snap *config.Snapshot, pipes map[pipelineKey]*policy.Effective) (*validation, diag.List) {
	var diags diag.List
	v := &validation{schemas: map[schemaKey]*compiledSchema{}, maps: map[*policy.ValidateContent]*contentTypeMap{}}
	adds := map[int8]bool{}
	seen := map[policy.Policy]bool{}
	any := false
	for _, eff := range pipes {
		for _, s := range policy.AllSections() {
			eff.Walk(s, func(st *policy.Step) {
				switch st.Policy.(type) {
				case *policy.ValidateParameters, *policy.ValidateHeaders, *policy.ValidateStatusCode:
					any = true
				}
				p, ok := st.Policy.(*policy.ValidateContent)
				if !ok || seen[p] {
					return
				}
				seen[p], any = true, true
				for _, c := range p.Contents {
					if as := strings.ToLower(c.ValidateAs.Resolved()); as != "json" {
						diags.Errorf(c.ValidateAs.Span, "unsupported-validation", "<validate-content>: validate-as=%q is not supported by tollgate yet; only json is", as)
					}
					if c.SchemaID.Set {
						diags.Errorf(c.SchemaID.Span, "unsupported-validation", "<validate-content>: schema-id (a global schema) is not supported by tollgate yet; remove it to validate against the API's specification")
					}
					if c.AllowAdditionalProperties.Expr != nil {
						diags.Errorf(c.AllowAdditionalProperties.Span, "unsupported-expression", "allow-additional-properties: a policy expression here is not supported by tollgate yet; use a literal or a named value")
					}
					adds[additionalKey(c.AllowAdditionalProperties)] = true
				}
				v.maps[p] = compileContentTypeMap(p, &diags)
			})
		}
	}
	if !any {
		return v, diags
	}
	adds[0] = true
	var where diag.Span
	var op, api string
	compile := func(s *config.Schema, add int8) {
		k := schemaKey{s, add}
		if s == nil || v.schemas[k] != nil {
			return
		}
		var override *bool
		if add != 0 {
			b := add == 1
			override = &b
		}
		cs, err := validate.Compile(s.Doc, override)
		v.schemas[k] = &compiledSchema{s: cs, err: err}
		if err != nil && add == 0 {
			diags.Warnf(where, "invalid-schema", "a schema of operation %s of api %s does not compile, and validating against it fails with ApiSchema: %v", op, api, err)
		}
	}
	for _, a := range snap.APIs {
		for _, o := range a.Operations {
			where, op, api = o.Where, o.Name, a.ID
			for _, p := range o.Parameters {
				compile(p.Schema, 0)
			}
			resps := o.Responses
			if o.DefaultResponse != nil {
				resps = append(slices.Clip(resps), *o.DefaultResponse)
			}
			for add := range adds {
				for _, s := range o.RequestBodies {
					compile(s, add)
				}
				for _, r := range resps {
					for _, s := range r.Schemas {
						compile(s, add)
					}
				}
			}
			for _, r := range resps {
				for _, h := range r.Headers {
					compile(h.Schema, 0)
				}
			}
		}
	}
	return v, diags
}

func compileContentTypeMap(p *policy.ValidateContent, diags *diag.List) *contentTypeMap {
	e := p.ContentTypeMap
	if e == nil {
		return nil
	}
	m := &contentTypeMap{}
	if a := e.Attr("any-content-type-value"); a != nil {
		m.any = a.Value.Value
	}
	if a := e.Attr("missing-content-type-value"); a != nil {
		m.missing = a.Value.Value
	}
	for _, k := range e.Elements() {
		if w := k.Attr("when"); w != nil {
			diags.Errorf(w.Value.Raw, "unsupported-expression", "<content-type-map>: type when=\"...\" is not supported by tollgate yet; use from")
			continue
		}
		var from, to string
		if a := k.Attr("from"); a != nil {
			from = a.Value.Value
		}
		if a := k.Attr("to"); a != nil {
			to = a.Value.Value
		}
		m.from = append(m.from, [2]string{mediaType(from), to})
	}
	return m
}

// action evaluates an action attribute; def is used when it is not written.
func (x *exchange) action(st *policy.Step, v policy.Value, def string) (string, *Error) {
	if !v.Set {
		return def, nil
	}
	s, err := x.str(st, v)
	if err != nil {
		return "", err
	}
	s = strings.ToLower(strings.TrimSpace(s))
	switch s {
	case validate.Ignore, validate.Detect, validate.Prevent:
		return s, nil
	}
	return "", policyError(st.Name, "ExpressionValueEvaluationFailure", "Expression evaluation failed.", 500,
		fmt.Sprintf("action %q is not one of ignore, detect, prevent", s))
}

// report records the validation errors that are not ignored in the errors
// variable, traces them, and fails with the first one that prevents.
func (x *exchange) report(st *policy.Step, varName policy.Value, errs []*validate.Error, began time.Time) *Error {
	var kept []*validate.Error
	for _, e := range errs {
		if e.Action != validate.Ignore {
			kept = append(kept, e)
		}
	}
	if len(kept) == 0 {
		x.tracePolicy(st, began, "no validation error")
		return nil
	}
	if name := strings.TrimSpace(varName.Resolved()); varName.Set && name != "" {
		list, _ := x.vars().Get(name)
		arr, ok := list.(*jsonx.Token)
		if !ok || arr.Type() != jsonx.Array {
			arr = jsonx.NewArray()
		}
		for _, e := range kept {
			if obj, err := jsonx.ParseObject(e.JSON()); err == nil {
				_ = arr.Add(obj)
			}
		}
		x.vars().Set(name, arr)
	}
	for _, e := range kept {
		if e.Action != validate.Prevent {
			x.tracePolicy(st, began, "detected %s %s %s: %s", e.Name, e.Type, e.ValidationRule, e.Cause)
			x.rec.Notes = append(x.rec.Notes, fmt.Sprintf("%s at %s detected (%s, not prevented): %s", st.Name, st.Span().Pos(), e.ValidationRule, e.Cause))
			continue
		}
		status, reason := http.StatusBadRequest, "Bad request"
		if !x.inRequest() {
			status, reason = http.StatusBadGateway, "Response not allowed"
		}
		pe := policyError(st.Name, reason, e.Details, status, e.Cause)
		pe.Body = errorBody(status, e.Public())
		return pe
	}
	return nil
}

// schema returns the compiled schema of s, or an ApiSchema error cause.
func (x *exchange) schema(s *config.Schema, add int8) (*validate.Schema, string) {
	if x.st.validation == nil {
		return nil, "validation schemas were not compiled"
	}
	c := x.st.validation.schemas[schemaKey{s, add}]
	switch {
	case c == nil:
		return nil, "the schema was not compiled"
	case c.err != nil:
		return nil, "the specification's schema does not compile: " + c.err.Error()
	}
	return c.s, ""
}

// specResponse returns the operation's declared response for the status code,
// else its default response, else nil.
func specResponse(op *config.Operation, status int) *config.Response {
	for i := range op.Responses {
		if op.Responses[i].Status == status {
			return &op.Responses[i]
		}
	}
	return op.DefaultResponse
}

// lookupMedia finds the media type ct in a specification's content map,
// exactly, then by a "type/*" or "*/*" range.
func lookupMedia(m map[string]*config.Schema, ct string) (string, *config.Schema, bool) {
	for k, s := range m {
		if strings.EqualFold(mediaType(k), ct) {
			return k, s, true
		}
	}
	major, _, _ := strings.Cut(ct, "/")
	for _, pat := range []string{major + "/*", "*/*"} {
		for k, s := range m {
			if strings.EqualFold(mediaType(k), pat) {
				return k, s, true
			}
		}
	}
	return "", nil, false
}

func (x *exchange) execValidateContent(st *policy.Step, p *policy.ValidateContent, began time.Time) *Error {
	op := x.operation()
	if op == nil {
		x.tracePolicy(st, began, "no operation matched: nothing to validate against")
		return nil
	}
	unspecified, err := x.action(st, p.UnspecifiedContentTypeAction, validate.Prevent)
	if err != nil {
		return err
	}
	sizeAction, err := x.action(st, p.SizeExceededAction, validate.Prevent)
	if err != nil {
		return err
	}
	maxSize, err := x.integer(st, p.MaxSize)
	if err != nil {
		return err
	}
	request := x.inRequest()
	typ := validate.RequestBody
	if !request {
		typ = validate.ResponseBody
	}
	b := *x.bodyFor()
	var data []byte
	if b != nil {
		d, rerr := b.Read(true)
		if rerr != nil {
			return policyError(st.Name, "BodyReadFailure", "Body could not be read.", 500, "reading the body: "+rerr.Error())
		}
		data = d
	}
	if int64(len(data)) > int64(maxSize) {
		e := validate.SizeLimit(typ, int64(len(data)), int64(maxSize))
		e.Action = sizeAction
		return x.report(st, p.ErrorsVariableName, []*validate.Error{e}, began)
	}
	h := x.headersFor()
	raw := h.Get("Content-Type")
	ct := mediaType(raw)
	if m := x.contentTypeMap(p); m != nil {
		switch {
		case raw == "" && m.missing != "":
			ct = mediaType(m.missing)
		case m.any != "":
			ct = mediaType(m.any)
		default:
			for _, f := range m.from {
				if f[0] == ct {
					ct = mediaType(f[1])
					break
				}
			}
		}
	}
	if len(data) == 0 && ct == "" {
		x.tracePolicy(st, began, "no body and no content type: nothing to validate")
		return nil
	}
	var specified map[string]*config.Schema
	if request {
		specified = op.RequestBodies
	} else if r := specResponse(op, x.resp.statusCode()); r != nil {
		specified = r.Schemas
	}
	key, schema, ok := lookupMedia(specified, ct)
	if !ok {
		known := make([]string, 0, len(specified))
		for k := range specified {
			known = append(known, k)
		}
		slices.Sort(known)
		e := validate.UnspecifiedContentType(typ, ct, known)
		e.Action = unspecified
		return x.report(st, p.ErrorsVariableName, []*validate.Error{e}, began)
	}
	for _, c := range p.Contents {
		if c.Type.Set {
			t, err := x.str(st, c.Type)
			if err != nil {
				return err
			}
			if mediaType(t) != ct {
				continue
			}
		}
		action, err := x.action(st, c.Action, validate.Prevent)
		if err != nil {
			return err
		}
		if action == validate.Ignore {
			x.tracePolicy(st, began, "content %s: action ignore", ct)
			return nil
		}
		if schema == nil {
			x.tracePolicy(st, began, "content type %s (%s) has no schema in the specification: body not validated", ct, key)
			return nil
		}
		s, why := x.schema(schema, additionalKey(c.AllowAdditionalProperties))
		if s == nil {
			e := &validate.Error{Type: typ, ValidationRule: "ApiSchema", Details: "API's schema does not exist or it couldn't be resolved.",
				Action: action, Cause: why}
			return x.report(st, p.ErrorsVariableName, []*validate.Error{e}, began)
		}
		if prob := s.CheckJSON(data); prob != nil {
			e := validate.IncorrectBody(typ, schema.Name, ct, prob)
			e.Action = action
			return x.report(st, p.ErrorsVariableName, []*validate.Error{e}, began)
		}
		x.tracePolicy(st, began, "%s body (%s) conforms to its schema", strings.ToLower(typ[:len(typ)-4]), ct)
		return nil
	}
	x.tracePolicy(st, began, "content type %s is specified; no content element validates it", ct)
	return nil
}

// operation returns the matched operation, or nil.
func (x *exchange) operation() *config.Operation {
	if x.m == nil {
		return nil
	}
	return x.m.op
}

// contentTypeMap returns the compiled content-type-map of p, or nil.
func (x *exchange) contentTypeMap(p *policy.ValidateContent) *contentTypeMap {
	if x.st.validation == nil {
		return nil
	}
	return x.st.validation.maps[p]
}
