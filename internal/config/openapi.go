package config

import (
	"strconv"
	"strings"

	"github.com/tollgate/tollgate/internal/diag"
)

// specReader turns the paths of an OpenAPI 3.x or Swagger 2.0 document into
// operations, the way APIM imports a specification:
//
//   - the operation name is operationId (else "<method>-<path words>", with a
//     warning); the display name is summary, else the name;
//   - the URL template is the path key, followed by "?name={name}" for each
//     required query parameter unless the API sets
//     translateRequiredQueryParameters to "query";
//   - parameters come from the path item and the operation (the operation's
//     win), following local $ref;
//   - responses keep, per media type, the example mock-response uses:
//     example, else the first of examples, else schema.example.
type specReader struct {
	l    *loader
	api  *API
	root *node
	file *diag.File
}

func isHTTPMethod(s string) bool {
	switch s {
	case "get", "put", "post", "delete", "options", "head", "patch", "trace":
		return true
	}
	return false
}

func (r *specReader) read() {
	l := r.l
	if r.root.kind != kObject {
		l.diags.Errorf(r.root.span(), "invalid-spec", "specification must be an object, found %s", r.root.kind)
		return
	}
	if !r.root.has("openapi") && !r.root.has("swagger") {
		l.diags.Warnf(fileSpan(r.file), "invalid-spec", "specification has neither openapi nor swagger; reading its paths anyway")
	}
	paths := r.root.get("paths")
	if paths == nil || paths.kind == kNull {
		l.diags.Warnf(fileSpan(r.file), "no-operations", "specification of api %s has no paths; every request to it is answered 404", r.api.ID)
		return
	}
	if paths.kind != kObject {
		l.diags.Errorf(paths.span(), "invalid-spec", "paths must be an object, found %s", paths.kind)
		return
	}
	byName := map[string]*Operation{}
	for i, pk := range paths.keys {
		item := r.deref(paths.elems[i])
		if item == nil || item.kind != kObject {
			continue
		}
		shared := r.parameters(item.get("parameters"))
		for j, mk := range item.keys {
			method := strings.ToLower(mk.text)
			if !isHTTPMethod(method) {
				continue
			}
			opn := r.deref(item.elems[j])
			if opn == nil || opn.kind != kObject {
				l.diags.Errorf(item.elems[j].span(), "invalid-spec", "operation %s %s must be an object", strings.ToUpper(method), pk.text)
				continue
			}
			o := r.operation(pk.text, method, mk, opn, shared)
			if prev := byName[o.Name]; prev != nil {
				idn := opn.get("operationId")
				l.diags.Errorf(at(idn, r.file), "duplicate-operation", "operation name %s is used twice in api %s (%s %s and %s %s)",
					o.Name, r.api.ID, prev.Method, prev.URLTemplate, o.Method, o.URLTemplate)
				continue
			}
			byName[o.Name] = o
			r.api.Operations = append(r.api.Operations, o)
		}
	}
}

func (r *specReader) operation(path, method string, mk, opn *node, shared []Parameter) *Operation {
	l := r.l
	o := &Operation{Method: strings.ToUpper(method), Where: mk.span()}
	o.Name, _ = l.str(opn, "operationId")
	if o.Name == "" {
		o.Name = sanitizeName(method, path)
		l.diags.Warnf(mk.span(), "missing-operation-id", "operation %s %s has no operationId; it is named %s", o.Method, path, o.Name)
	}
	o.DisplayName, _ = l.str(opn, "summary")
	if o.DisplayName == "" {
		o.DisplayName = o.Name
	}
	params := append([]Parameter(nil), shared...)
	for _, p := range r.parameters(opn.get("parameters")) {
		replaced := false
		for i := range params {
			if params[i].Name == p.Name && params[i].In == p.In {
				params[i], replaced = p, true
			}
		}
		if !replaced {
			params = append(params, p)
		}
	}
	o.Parameters = params
	o.URLTemplate = path
	if !strings.HasPrefix(o.URLTemplate, "/") {
		o.URLTemplate = "/" + o.URLTemplate
	}
	if r.api.RequiredQueryInTemplate {
		inTemplate := templateQueryNames(o.URLTemplate)
		sep := "?"
		if strings.Contains(o.URLTemplate, "?") {
			sep = "&"
		}
		for _, p := range params {
			if p.In != "query" || !p.Required || containsString(inTemplate, p.Name) {
				continue
			}
			o.URLTemplate += sep + p.Name + "={" + p.Name + "}"
			sep = "&"
		}
	}
	if resp := r.deref(opn.get("responses")); resp != nil && resp.kind == kObject {
		for i, k := range resp.keys {
			rn := r.deref(resp.elems[i])
			if k.text == "default" {
				o.DefaultResponse = &Response{Content: r.content(rn), Schemas: r.responseSchemas(opn, rn), Headers: r.responseHeaders(rn)}
				continue
			}
			status, ok := statusCode(k.text)
			if !ok {
				continue
			}
			o.Responses = append(o.Responses, Response{Status: status, Content: r.content(rn),
				Schemas: r.responseSchemas(opn, rn), Headers: r.responseHeaders(rn)})
		}
	}
	o.RequestBodies = r.requestBodies(opn)
	return o
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// parameters reads a parameters array (OpenAPI 3 or Swagger 2 form); only
// path, query and header parameters are kept.
func (r *specReader) parameters(n *node) []Parameter {
	if n == nil || n.kind != kArray {
		return nil
	}
	var out []Parameter
	for _, e := range n.elems {
		e = r.deref(e)
		if e == nil || e.kind != kObject {
			continue
		}
		in, _ := r.l.str(e, "in")
		if in != "path" && in != "query" && in != "header" {
			continue
		}
		p := Parameter{In: in}
		p.Name, _ = r.l.str(e, "name")
		if p.Name == "" {
			r.l.diags.Errorf(e.span(), "invalid-spec", "parameter has no name")
			continue
		}
		p.Required, _ = r.l.boolean(e, "required", in == "path")
		typ := e // Swagger 2 keeps type, default and enum on the parameter
		if s := r.deref(e.get("schema")); s != nil && s.kind == kObject {
			typ = s
		}
		p.Type, _ = r.l.str(typ, "type")
		if p.Type == "" {
			p.Type = "string"
		}
		p.Schema = r.valueSchema(e)
		p.Default = typ.get("default").jsonText()
		if en := typ.get("enum"); en != nil && en.kind == kArray {
			for _, v := range en.elems {
				p.Values = append(p.Values, v.jsonText())
			}
		}
		out = append(out, p)
	}
	return out
}

// content returns media type → example of a response object.
func (r *specReader) content(resp *node) map[string]string {
	if resp == nil || resp.kind != kObject {
		return nil
	}
	out := map[string]string{}
	if c := resp.get("content"); c != nil && c.kind == kObject { // OpenAPI 3
		for i, k := range c.keys {
			media := c.elems[i]
			ex := ""
			switch {
			case media.get("example") != nil:
				ex = media.get("example").jsonText()
			case media.get("examples") != nil && media.get("examples").kind == kObject && len(media.get("examples").keys) > 0:
				first := r.deref(media.get("examples").elems[0])
				ex = first.get("value").jsonText()
			default:
				if s := r.deref(media.get("schema")); s != nil {
					ex = s.get("example").jsonText()
				}
			}
			out[k.text] = ex
		}
	}
	if ex := resp.get("examples"); ex != nil && ex.kind == kObject { // Swagger 2
		for i, k := range ex.keys {
			out[k.text] = ex.elems[i].jsonText()
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// deref follows local "$ref": "#/..." pointers (at most 32 in a row); an
// external reference is reported and gives nil.
func (r *specReader) deref(n *node) *node {
	for range 32 {
		if n == nil || n.kind != kObject {
			return n
		}
		ref := n.get("$ref")
		if ref == nil || ref.kind != kString {
			return n
		}
		if !strings.HasPrefix(ref.text, "#/") {
			r.l.diags.Warnf(ref.span(), "invalid-spec", "reference %q is not followed: only references inside the specification are", ref.text)
			return nil
		}
		target := r.root
		for _, tok := range strings.Split(ref.text[2:], "/") {
			tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
			if target.kind == kArray {
				i, err := strconv.Atoi(tok)
				if err != nil || i < 0 || i >= len(target.elems) {
					target = nil
				} else {
					target = target.elems[i]
				}
			} else {
				target = target.get(tok)
			}
			if target == nil {
				r.l.diags.Errorf(ref.span(), "invalid-spec", "reference %q points to nothing", ref.text)
				return nil
			}
		}
		n = target
	}
	r.l.diags.Errorf(n.span(), "invalid-spec", "reference chain too long")
	return nil
}
