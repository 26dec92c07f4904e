package config

import (
	"testing"

	"github.com/tollgate/tollgate/internal/diag"
)

// readSpec reads a specification text into an API.
func readSpec(t *testing.T, src string) *API {
	t.Helper()
	file := diag.NewFile("s.yaml", []byte(src))
	root, serr := parseYAML(file)
	if serr != nil {
		t.Fatalf("parse: %v", serr)
	}
	l := &loader{snap: &Snapshot{}}
	a := &API{ID: "a", RequiredQueryInTemplate: true}
	(&specReader{l: l, api: a, root: root, file: file}).read()
	if l.diags.HasErrors() {
		t.Fatalf("diagnostics: %s", l.diags)
	}
	return a
}

func schemaText(s *Schema) string {
	if s == nil {
		return "<nil>"
	}
	return s.Name + " " + string(s.Doc)
}

func TestSchemasOpenAPI3(t *testing.T) {
	a := readSpec(t, `openapi: 3.0.1
paths:
  /pets/{id}:
    put:
      operationId: put-pet
      parameters:
        - {name: id, in: path, required: true, schema: {type: integer, minimum: 1}}
        - {name: X-Tag, in: header, schema: {$ref: '#/components/schemas/Tag'}}
      requestBody:
        content:
          application/json: {schema: {$ref: '#/components/schemas/Pet'}}
          text/plain: {}
      responses:
        "200":
          description: OK
          headers: {X-Rate: {required: true, schema: {type: integer}}}
          content: {application/json: {schema: {type: array, items: {$ref: '#/components/schemas/Pet'}}}}
        default: {description: error}
components:
  schemas:
    Pet: {type: object, properties: {tag: {$ref: '#/components/schemas/Tag'}}}
    Tag: {type: string, enum: [a], nullable: true}
`)
	o := a.Operations[0]
	comps := `"components":{"schemas":{"Pet":{"type":"object","properties":{"tag":{"$ref":"#/components/schemas/Tag"}}},"Tag":{"type":["string","null"],"enum":["a",null]}}}}`
	tests := []struct{ what, got, want string }{
		{"path id", schemaText(o.Parameters[0].Schema), ` {"$schema":"http://json-schema.org/draft-04/schema#","allOf":[{"type":"integer","minimum":1}]}`},
		{"header", schemaText(o.Parameters[1].Schema), `Tag {"$schema":"http://json-schema.org/draft-04/schema#","allOf":[{"$ref":"#/components/schemas/Tag"}],` + comps},
		{"request json", schemaText(o.RequestBodies["application/json"]), `Pet {"$schema":"http://json-schema.org/draft-04/schema#","allOf":[{"$ref":"#/components/schemas/Pet"}],` + comps},
		{"request text", schemaText(o.RequestBodies["text/plain"]), `<nil>`},
		{"response", schemaText(o.Responses[0].Schemas["application/json"]), ` {"$schema":"http://json-schema.org/draft-04/schema#","allOf":[{"type":"array","items":{"$ref":"#/components/schemas/Pet"}}],` + comps},
		{"response header", schemaText(o.Responses[0].Headers[0].Schema), ` {"$schema":"http://json-schema.org/draft-04/schema#","allOf":[{"type":"integer"}]}`},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.what, tt.got, tt.want)
		}
	}
	if _, ok := o.RequestBodies["text/plain"]; !ok {
		t.Error("text/plain is not listed as a request media type")
	}
	if h := o.Responses[0].Headers; len(h) != 1 || h[0].Name != "X-Rate" || !h[0].Required || h[0].Type != "integer" {
		t.Errorf("response headers: %+v", h)
	}
	if o.DefaultResponse == nil || len(o.Responses) != 1 {
		t.Errorf("default response: %+v, responses %d", o.DefaultResponse, len(o.Responses))
	}
}

func TestSchemasSwagger2(t *testing.T) {
	a := readSpec(t, `swagger: "2.0"
consumes: [application/json, application/xml]
paths:
  /pets:
    post:
      operationId: add-pet
      parameters:
        - {name: body, in: body, schema: {$ref: '#/definitions/Pet'}}
        - {name: limit, in: query, required: true, type: integer, maximum: 10, description: how many}
      produces: [application/json]
      responses:
        "201": {description: OK, schema: {$ref: '#/definitions/Pet'}, headers: {X-Id: {type: string, pattern: '^[0-9]+$'}}}
definitions:
  Pet: {type: object, required: [name], properties: {name: {type: string}}}
`)
	o := a.Operations[0]
	defs := `"definitions":{"Pet":{"type":"object","required":["name"],"properties":{"name":{"type":"string"}}}}}`
	body := `Pet {"$schema":"http://json-schema.org/draft-04/schema#","allOf":[{"$ref":"#/definitions/Pet"}],` + defs
	tests := []struct{ what, got, want string }{
		{"request json", schemaText(o.RequestBodies["application/json"]), body},
		{"request xml", schemaText(o.RequestBodies["application/xml"]), body},
		{"query", schemaText(o.Parameters[0].Schema), ` {"$schema":"http://json-schema.org/draft-04/schema#","allOf":[{"type":"integer","maximum":10}]}`},
		{"response", schemaText(o.Responses[0].Schemas["application/json"]), body},
		{"response header", schemaText(o.Responses[0].Headers[0].Schema), ` {"$schema":"http://json-schema.org/draft-04/schema#","allOf":[{"type":"string","pattern":"^[0-9]+$"}]}`},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.what, tt.got, tt.want)
		}
	}
	if len(o.Parameters) != 1 || o.Parameters[0].Name != "limit" {
		t.Errorf("parameters: %+v", o.Parameters)
	}
}

func TestSchemasOpenAPI31(t *testing.T) {
	a := readSpec(t, `openapi: 3.1.0
paths:
  /x:
    post:
      operationId: x
      requestBody: {content: {application/json: {schema: {type: [string, "null"], nullable: true}}}}
      responses: {"200": {description: OK}}
`)
	got := schemaText(a.Operations[0].RequestBodies["application/json"])
	want := ` {"$schema":"https://json-schema.org/draft/2020-12/schema","allOf":[{"type":["string","null"],"nullable":true}]}`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
