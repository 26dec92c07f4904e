package config

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/tollgate/tollgate/internal/diag"
)

// loadOperations fills a.Operations from operations/<op>/operationInformation.json
// files when the API has any, else from its specification file, and
// attaches operations/<op>/policy.xml by operation name.
func (l *loader) loadOperations(a *API) {
	opDirs := l.subdirs("apis", a.ID, "operations")
	var infos []string
	for _, op := range opDirs {
		if fileExists(l.path("apis", a.ID, "operations", op, "operationInformation.json")) {
			infos = append(infos, op)
		}
	}
	broken := map[string]bool{}
	if len(infos) > 0 {
		for _, op := range infos {
			if o := l.operationFromInfo(a, op); o != nil {
				a.Operations = append(a.Operations, o)
			} else {
				broken[op] = true
			}
		}
	} else if !l.operationsFromSpec(a) {
		return // the specification is malformed (reported): operation policies cannot be matched
	}
	slices.SortStableFunc(a.Operations, func(x, y *Operation) int { return cmp.Compare(x.Name, y.Name) })
	for _, op := range opDirs {
		pol := l.readPolicy("apis", a.ID, "operations", op, "policy.xml")
		if pol == nil || broken[op] {
			continue
		}
		i, found := slices.BinarySearchFunc(a.Operations, op, func(o *Operation, name string) int { return cmp.Compare(o.Name, name) })
		if !found {
			d := l.diags.Errorf(fileSpan(pol), "unknown-operation", "policy for operation %s, which api %s does not have", op, a.ID)
			if names := operationNames(a); names != "" {
				d.Notes = []string{"operations of " + a.ID + ": " + names}
			}
			continue
		}
		a.Operations[i].Policy = pol
	}
}

func operationNames(a *API) string {
	var names []string
	for _, o := range a.Operations {
		names = append(names, o.Name)
		if len(names) == 10 {
			names = append(names, "...")
			break
		}
	}
	return strings.Join(names, ", ")
}

// operationFromInfo reads an operation contract (apiops-cli layout).
func (l *loader) operationFromInfo(a *API, name string) *Operation {
	f, p, ok := l.readInfo("apis", a.ID, "operations", name, "operationInformation.json")
	if !ok {
		return nil
	}
	o := &Operation{Name: name, Where: fileSpan(f)}
	o.DisplayName, _ = l.str(p, "displayName")
	if o.DisplayName == "" {
		o.DisplayName = name
	}
	method, _ := l.str(p, "method")
	o.Method = strings.ToUpper(method)
	if o.Method == "" {
		l.diags.Errorf(fileSpan(f), "invalid-field", "operation %s of api %s has no method", name, a.ID)
	}
	tmpl, _ := l.str(p, "urlTemplate")
	o.URLTemplate = tmpl
	if tmpl == "" {
		l.diags.Errorf(fileSpan(f), "invalid-field", "operation %s of api %s has no urlTemplate", name, a.ID)
	} else if !strings.HasPrefix(tmpl, "/") {
		o.URLTemplate = "/" + tmpl
	}
	queryNames := templateQueryNames(o.URLTemplate)
	for _, pn := range l.array(p, "templateParameters") {
		par := l.armParameter(pn, "path")
		if slices.Contains(queryNames, par.Name) {
			par.In = "query"
		}
		o.Parameters = append(o.Parameters, par)
	}
	if req := l.object(p, "request"); req != nil {
		for _, pn := range l.array(req, "queryParameters") {
			o.Parameters = append(o.Parameters, l.armParameter(pn, "query"))
		}
		for _, pn := range l.array(req, "headers") {
			o.Parameters = append(o.Parameters, l.armParameter(pn, "header"))
		}
	}
	for _, rn := range l.array(p, "responses") {
		st, sn := l.integer(rn, "statusCode")
		if st == nil {
			if sn == nil {
				l.diags.Errorf(rn.span(), "invalid-field", "response of operation %s has no statusCode", name)
			}
			continue
		}
		r := Response{Status: *st}
		for _, rep := range l.array(rn, "representations") {
			ct, _ := l.str(rep, "contentType")
			if ct == "" {
				continue
			}
			if r.Content == nil {
				r.Content = map[string]string{}
			}
			r.Content[ct] = armExample(rep)
		}
		o.Responses = append(o.Responses, r)
	}
	return o
}

// armExample picks the example of an ARM representation: the "default"
// example, else the first, else the legacy "sample".
func armExample(rep *node) string {
	if ex := rep.get("examples"); ex != nil && ex.kind == kObject && len(ex.keys) > 0 {
		pick := ex.get("default")
		if pick == nil {
			pick = ex.elems[0]
		}
		return pick.get("value").jsonText()
	}
	return rep.get("sample").jsonText()
}

// array reads an array field of objects; invalid elements are reported.
func (l *loader) array(o *node, key string) []*node {
	v := o.get(key)
	if v == nil || v.kind == kNull {
		return nil
	}
	if v.kind != kArray {
		l.diags.Errorf(v.span(), "invalid-field", "%s must be an array, found %s", key, v.kind)
		return nil
	}
	var out []*node
	for _, e := range v.elems {
		if e.kind != kObject {
			l.diags.Errorf(e.span(), "invalid-field", "%s must hold objects, found %s", key, e.kind)
			continue
		}
		out = append(out, e)
	}
	return out
}

// armParameter reads an ARM ParameterContract.
func (l *loader) armParameter(n *node, in string) Parameter {
	p := Parameter{In: in}
	p.Name, _ = l.str(n, "name")
	p.Type, _ = l.str(n, "type")
	p.Required, _ = l.boolean(n, "required", in == "path")
	p.Default, _ = l.str(n, "defaultValue")
	p.Values = l.strList(n, "values")
	return p
}

// templateQueryNames returns the names bound in the query part of a URL
// template: "/a?x={x}&y={y}" gives x and y.
func templateQueryNames(tmpl string) []string {
	i := strings.IndexByte(tmpl, '?')
	if i < 0 {
		return nil
	}
	var out []string
	for _, part := range strings.Split(tmpl[i+1:], "&") {
		k, v, _ := strings.Cut(part, "=")
		if strings.HasPrefix(v, "{") && strings.HasSuffix(v, "}") {
			out = append(out, strings.Trim(v, "{}*"))
		} else if k != "" {
			out = append(out, k)
		}
	}
	return out
}

// operationsFromSpec reads the API's OpenAPI 3 or Swagger 2 specification.
// It returns false when the specification exists but cannot be parsed.
func (l *loader) operationsFromSpec(a *API) bool {
	for _, name := range []string{"specification.yaml", "specification.yml", "specification.json"} {
		if !fileExists(l.path("apis", a.ID, name)) {
			continue
		}
		f, root := l.readDoc("apis", a.ID, name)
		if root == nil {
			return false
		}
		(&specReader{l: l, api: a, root: root, file: f}).read()
		return true
	}
	if fileExists(l.path("apis", a.ID, "specification.graphql")) {
		// A GraphQL API has one endpoint, the API's path, taking queries by
		// GET and POST; its schema serves validate-graphql-request.
		f := l.readFile("apis", a.ID, "specification.graphql")
		if f == nil {
			return false
		}
		a.GraphQLSchema = f
		for _, m := range []string{"GET", "POST"} {
			a.Operations = append(a.Operations, &Operation{Name: "graphql-" + strings.ToLower(m), DisplayName: "GraphQL " + m,
				Method: m, URLTemplate: "/", Where: fileSpan(f)})
		}
		return true
	}
	for _, ext := range []string{"wsdl", "wadl"} {
		p := l.path("apis", a.ID, "specification."+ext)
		if fileExists(p) {
			l.diags.WarnAt(diag.Position{Filename: p}, "unsupported",
				"specification.%s is not read; api %s has no operations", ext, a.ID)
			return true
		}
	}
	l.diags.Warnf(a.Info, "no-operations",
		"api %s has no specification and no operations; every request to it is answered 404", a.ID)
	return true
}

// sanitizeName builds an operation name from a method and path the way an
// import does when operationId is missing: "GET /orders/{id}" gives
// "get-orders-id".
func sanitizeName(method, path string) string {
	var b strings.Builder
	dash := false
	for _, c := range strings.ToLower(method + " " + path) {
		if (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(c)
		} else {
			dash = true
		}
	}
	return b.String()
}

// statusCode parses a response key; "default" and ranges such as "2XX" give
// false.
func statusCode(s string) (int, bool) {
	n, err := strconv.Atoi(s)
	return n, err == nil && n >= 100 && n <= 599
}
