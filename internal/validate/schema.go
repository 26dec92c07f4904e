package validate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/tollgate/tollgate/internal/jsonx"
)

// Schema is a compiled JSON Schema document.
type Schema struct {
	sch      *jsonschema.Schema
	typ      string // the top-level "type" of a value schema, for reading parameter values
	itemType string // the "type" of its items, for arrays
}

// Problem is why a body or value does not conform: Message and the line
// and position of the offending value are APIM's details; Cause says which
// value, which rule and which schema location failed.
type Problem struct {
	Message        string
	Line, Position int
	Cause          string
}

// noLoader refuses every external reference: schemas are self-contained.
type noLoader struct{}

func (noLoader) Load(url string) (any, error) {
	return nil, fmt.Errorf("external reference %s is not followed", url)
}

// Compile compiles a self-contained JSON Schema document (its "$schema"
// names the draft; draft-04 when it names none). additional, when not nil,
// overrides additionalProperties of every object schema in the document,
// as allow-additional-properties does.
func Compile(doc []byte, additional *bool) (*Schema, error) {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return nil, fmt.Errorf("schema is not JSON: %w", err)
	}
	if additional != nil {
		overrideAdditional(v, *additional)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft4)
	c.UseLoader(noLoader{})
	const url = "tollgate:///schema.json"
	if err := c.AddResource(url, v); err != nil {
		return nil, err
	}
	sch, err := c.Compile(url)
	if err != nil {
		return nil, err
	}
	s := &Schema{sch: sch}
	s.typ, s.itemType = valueTypes(v)
	return s, nil
}

// overrideAdditional sets additionalProperties in every schema object that
// describes an object (has "properties" or type object).
func overrideAdditional(v any, allow bool) {
	switch t := v.(type) {
	case map[string]any:
		_, props := t["properties"].(map[string]any)
		if props || t["type"] == "object" {
			t["additionalProperties"] = allow
		}
		for k, e := range t {
			if k != "additionalProperties" && k != "enum" && k != "const" && k != "example" && k != "default" {
				overrideAdditional(e, allow)
			}
		}
	case []any:
		for _, e := range t {
			overrideAdditional(e, allow)
		}
	}
}

// valueTypes reads the type and item type of a value schema: the document
// itself or the single schema it wraps in allOf.
func valueTypes(v any) (typ, item string) {
	m, _ := v.(map[string]any)
	if all, ok := m["allOf"].([]any); ok && len(all) == 1 {
		if inner, ok := all[0].(map[string]any); ok {
			m = inner
		}
	}
	typ, _ = m["type"].(string)
	if it, ok := m["items"].(map[string]any); ok {
		item, _ = it["type"].(string)
	}
	return typ, item
}

// CheckJSON validates a JSON body. It returns nil when the body conforms.
func (s *Schema) CheckJSON(body []byte) *Problem {
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		// Json.NET's message, line and position, as APIM reports them.
		var pe *jsonx.ParseError
		if _, jerr := jsonx.Parse(string(body)); errors.As(jerr, &pe) {
			return &Problem{Message: pe.Message, Line: pe.Line, Position: pe.Position, Cause: "body is not JSON: " + pe.Message}
		}
		return &Problem{Message: err.Error(), Cause: "body is not JSON: " + err.Error()}
	}
	return s.check(inst, func() []byte { return body })
}

// check validates an instance; src gives its JSON text, for positions.
func (s *Schema) check(inst any, src func() []byte) *Problem {
	err := s.sch.Validate(inst)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return &Problem{Message: err.Error(), Cause: err.Error()}
	}
	leaf := firstLeaf(ve)
	ptr := pointer(leaf.InstanceLocation)
	msg := leaf.Error() // "at '<pointer>': <message>" for a leaf
	if strings.HasPrefix(msg, "at ") {
		if i := strings.Index(msg, "': "); i >= 0 {
			msg = msg[i+3:]
		}
	}
	line, pos := locate(src(), ptr)
	where := ptr
	if where == "" {
		where = "(root)"
	}
	p := &Problem{Message: upperFirst(msg) + " at '" + where + "'.", Line: line, Position: pos}
	rule := strings.Join(leaf.ErrorKind.KeywordPath(), "/")
	p.Cause = fmt.Sprintf("value at %s (%s) fails rule %q: %s", where, shortValue(valueAt(inst, leaf.InstanceLocation)), rule, msg)
	return p
}

// firstLeaf returns the first error without causes, depth first.
func firstLeaf(e *jsonschema.ValidationError) *jsonschema.ValidationError {
	for len(e.Causes) > 0 {
		e = e.Causes[0]
	}
	return e
}

func pointer(toks []string) string {
	var b strings.Builder
	for _, t := range toks {
		b.WriteByte('/')
		b.WriteString(strings.ReplaceAll(strings.ReplaceAll(t, "~", "~0"), "/", "~1"))
	}
	return b.String()
}

func upperFirst(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

func valueAt(v any, toks []string) any {
	for _, t := range toks {
		switch c := v.(type) {
		case map[string]any:
			v = c[t]
		case []any:
			i, err := strconv.Atoi(t)
			if err != nil || i < 0 || i >= len(c) {
				return nil
			}
			v = c[i]
		default:
			return nil
		}
	}
	return v
}

// shortValue prints a value compactly, cut at 60 bytes.
func shortValue(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	if len(b) > 60 {
		return string(b[:60]) + "…"
	}
	return string(b)
}

// CheckValue validates a parameter or header value given as text: it is
// read as the schema's type (integer, number, boolean, or an array of
// comma-separated items) and then validated. It returns the Error to
// report, built for the parameter type typ and name, or nil.
func (s *Schema) CheckValue(typ, name, value string) *Error {
	inst, want, ok := readValue(s.typ, s.itemType, value)
	if !ok {
		return UnparsableValue(typ, name, value, want)
	}
	if p := s.check(inst, func() []byte { b, _ := json.Marshal(inst); return b }); p != nil {
		p.Line, p.Position = 1, len(value)
		return IncorrectValue(typ, name, p)
	}
	return nil
}

// readValue reads text as a JSON value of the schema type t.
func readValue(t, item, text string) (v any, want string, ok bool) {
	switch t {
	case "integer":
		if _, err := strconv.ParseInt(strings.TrimSpace(text), 10, 64); err != nil {
			return nil, "integer", false
		}
		return json.Number(strings.TrimSpace(text)), "", true
	case "number":
		f := strings.TrimSpace(text)
		if _, err := strconv.ParseFloat(f, 64); err != nil || !isJSONNumber(f) {
			return nil, "number", false
		}
		return json.Number(f), "", true
	case "boolean":
		switch strings.ToLower(strings.TrimSpace(text)) {
		case "true":
			return true, "", true
		case "false":
			return false, "", true
		}
		return nil, "boolean", false
	case "array":
		var out []any
		for _, part := range strings.Split(text, ",") {
			e, w, ok := readValue(item, "", part)
			if !ok {
				return nil, w, false
			}
			out = append(out, e)
		}
		return out, "", true
	}
	return text, "", true
}

func isJSONNumber(s string) bool {
	var n json.Number
	return json.Unmarshal([]byte(s), &n) == nil
}

// locate returns the 1-based line and the position (the column after the
// value, as Json.NET counts) of the value at the JSON pointer ptr in src;
// 0, 0 when it cannot be found.
func locate(src []byte, ptr string) (line, pos int) {
	end := findEnd(src, ptr)
	if end < 0 {
		return 0, 0
	}
	line, pos = 1, 0
	for _, c := range src[:end] {
		if c == '\n' {
			line, pos = line+1, 0
		} else {
			pos++
		}
	}
	return line, pos
}
