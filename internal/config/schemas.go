package config

import (
	"bytes"
	"strings"
)

// JSON Schema drafts named in the documents built for validation.
const (
	draft04   = "http://json-schema.org/draft-04/schema#"
	draft2020 = "https://json-schema.org/draft/2020-12/schema"
)

// valueKeys are the keywords a Swagger 2.0 parameter or header shares with
// JSON Schema; its other fields (name, in, required, ...) are not schema.
var valueKeys = map[string]bool{
	"type": true, "format": true, "enum": true, "pattern": true, "minimum": true, "maximum": true,
	"exclusiveMinimum": true, "exclusiveMaximum": true, "minLength": true, "maxLength": true,
	"items": true, "minItems": true, "maxItems": true, "uniqueItems": true, "multipleOf": true,
}

// draft returns the JSON Schema draft of the specification's schemas.
func (r *specReader) draft() string {
	if v := r.root.get("openapi"); v != nil && strings.HasPrefix(v.text, "3.1") {
		return draft2020
	}
	return draft04
}

// schemaDoc makes a self-contained JSON Schema document of the schema s:
// s is wrapped in allOf and, when it holds a $ref, the specification's
// definitions (Swagger 2.0) or components.schemas (OpenAPI 3) are copied to
// the same places in the document, so local references resolve unchanged.
func (r *specReader) schemaDoc(s *node) *Schema {
	if s == nil || (s.kind != kObject && s.kind != kBool) {
		return nil
	}
	oas30 := r.draft() == draft04 && !r.root.has("swagger")
	var b bytes.Buffer
	b.WriteString(`{"$schema":"` + r.draft() + `","allOf":[`)
	appendSchema(&b, s, oas30)
	b.WriteByte(']')
	// Definitions are copied only for a schema that refers to something:
	// most parameter schemas do not, and a large specification's
	// definitions would be parsed once per schema.
	refers := bytes.Contains(b.Bytes(), []byte(`"$ref"`))
	if defs := r.root.get("definitions"); refers && defs != nil && defs.kind == kObject {
		b.WriteString(`,"definitions":`)
		appendSchema(&b, defs, oas30)
	}
	if c := r.root.get("components"); refers && c != nil && c.kind == kObject {
		if cs := c.get("schemas"); cs != nil && cs.kind == kObject {
			b.WriteString(`,"components":{"schemas":`)
			appendSchema(&b, cs, oas30)
			b.WriteByte('}')
		}
	}
	b.WriteByte('}')
	name := ""
	if ref := s.get("$ref"); ref != nil && ref.kind == kString {
		name = ref.text[strings.LastIndex(ref.text, "/")+1:]
	}
	return &Schema{Name: name, Doc: b.Bytes()}
}

// appendSchema writes n as JSON. For OpenAPI 3.0 "nullable": true is
// written as JSON Schema says it: "null" is added to the type and to the
// enum.
func appendSchema(b *bytes.Buffer, n *node, oas30 bool) {
	if n.kind != kObject && n.kind != kArray {
		n.appendJSON(b)
		return
	}
	if n.kind == kArray {
		b.WriteByte('[')
		for i, e := range n.elems {
			if i > 0 {
				b.WriteByte(',')
			}
			appendSchema(b, e, oas30)
		}
		b.WriteByte(']')
		return
	}
	nullable := false
	if oas30 {
		if v := n.get("nullable"); v != nil && v.kind == kBool && v.text == "true" {
			if t := n.get("type"); t != nil && t.kind == kString {
				nullable = true
			}
		}
	}
	b.WriteByte('{')
	first := true
	for i, k := range n.keys {
		if nullable && k.text == "nullable" {
			continue
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		k.appendJSON(b)
		b.WriteByte(':')
		if nullable && k.text == "type" {
			b.WriteByte('[')
			n.elems[i].appendJSON(b)
			b.WriteString(`,"null"]`)
			continue
		}
		if nullable && k.text == "enum" && n.elems[i].kind == kArray {
			b.WriteByte('[')
			for j, e := range n.elems[i].elems {
				e.appendJSON(b)
				if j < len(n.elems[i].elems)-1 {
					b.WriteByte(',')
				}
			}
			if len(n.elems[i].elems) > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`null]`)
			continue
		}
		appendSchema(b, n.elems[i], oas30)
	}
	b.WriteByte('}')
}

// valueSchema returns the schema of a parameter or header object: its
// "schema" (OpenAPI 3), else its JSON Schema keywords (Swagger 2.0).
func (r *specReader) valueSchema(e *node) *Schema {
	if e == nil || e.kind != kObject {
		return nil
	}
	if s := e.get("schema"); s != nil {
		return r.schemaDoc(s)
	}
	v := &node{kind: kObject, file: e.file, start: e.start, end: e.end}
	for i, k := range e.keys {
		if valueKeys[k.text] {
			v.keys = append(v.keys, k)
			v.elems = append(v.elems, e.elems[i])
		}
	}
	if len(v.keys) == 0 {
		return nil
	}
	return r.schemaDoc(v)
}

// mediaTypes returns the consumes or produces list of a Swagger 2.0
// operation, else of the document, else application/json.
func (r *specReader) mediaTypes(opn *node, key string) []string {
	for _, n := range []*node{opn.get(key), r.root.get(key)} {
		if n == nil || n.kind != kArray || len(n.elems) == 0 {
			continue
		}
		var out []string
		for _, e := range n.elems {
			if e.kind == kString {
				out = append(out, e.text)
			}
		}
		return out
	}
	return []string{"application/json"}
}

// contentSchemas returns media type → schema of an OpenAPI 3 content map.
func (r *specReader) contentSchemas(c *node) map[string]*Schema {
	if c == nil || c.kind != kObject {
		return nil
	}
	out := map[string]*Schema{}
	for i, k := range c.keys {
		media := r.deref(c.elems[i])
		if media == nil || media.kind != kObject {
			out[k.text] = nil
			continue
		}
		out[k.text] = r.schemaDoc(media.get("schema"))
	}
	return out
}

// requestBodies returns media type → schema of an operation's request body.
func (r *specReader) requestBodies(opn *node) map[string]*Schema {
	if rb := r.deref(opn.get("requestBody")); rb != nil && rb.kind == kObject {
		return r.contentSchemas(rb.get("content"))
	}
	ps := opn.get("parameters")
	if ps == nil || ps.kind != kArray {
		return nil
	}
	for _, e := range ps.elems {
		e = r.deref(e)
		if e == nil || e.kind != kObject {
			continue
		}
		if in := e.get("in"); in == nil || in.text != "body" {
			continue
		}
		s := r.schemaDoc(e.get("schema"))
		out := map[string]*Schema{}
		for _, m := range r.mediaTypes(opn, "consumes") {
			out[m] = s
		}
		return out
	}
	return nil
}

// responseSchemas returns media type → schema of a response object.
func (r *specReader) responseSchemas(opn, resp *node) map[string]*Schema {
	if resp == nil || resp.kind != kObject {
		return nil
	}
	if c := resp.get("content"); c != nil {
		return r.contentSchemas(c)
	}
	s := resp.get("schema")
	if s == nil {
		return nil
	}
	out := map[string]*Schema{}
	for _, m := range r.mediaTypes(opn, "produces") {
		out[m] = r.schemaDoc(s)
	}
	return out
}

// responseHeaders returns the headers declared by a response object.
func (r *specReader) responseHeaders(resp *node) []Parameter {
	if resp == nil || resp.kind != kObject {
		return nil
	}
	hs := resp.get("headers")
	if hs == nil || hs.kind != kObject {
		return nil
	}
	var out []Parameter
	for i, k := range hs.keys {
		h := r.deref(hs.elems[i])
		p := Parameter{Name: k.text, In: "header", Type: "string"}
		if h != nil && h.kind == kObject {
			p.Required, _ = r.l.boolean(h, "required", false)
			typ := h
			if s := r.deref(h.get("schema")); s != nil && s.kind == kObject {
				typ = s
			}
			if t, _ := r.l.str(typ, "type"); t != "" {
				p.Type = t
			}
			p.Schema = r.valueSchema(h)
		}
		out = append(out, p)
	}
	return out
}
