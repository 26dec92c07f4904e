package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/tollgate/tollgate/internal/diag"
	yaml "go.yaml.in/yaml/v3"
)

// kind is the type of a node in a parsed JSON or YAML document.
type kind uint8

const (
	kNull kind = iota
	kBool
	kNumber
	kString
	kArray
	kObject
)

func (k kind) String() string {
	switch k {
	case kBool:
		return "boolean"
	case kNumber:
		return "number"
	case kString:
		return "string"
	case kArray:
		return "array"
	case kObject:
		return "object"
	}
	return "null"
}

// node is one value of a JSON or YAML document with the byte range it was
// read from. Both formats produce the same tree, so information files and
// values files are read by the same code and merged node by node; every node
// keeps its own file, so a merged tree still points at the right source.
type node struct {
	kind  kind
	text  string // string value, number literal, "true" or "false"
	keys  []*node
	elems []*node // object values (parallel to keys) or array elements
	file  *diag.File
	start int
	end   int
}

// span returns the source range of n.
func (n *node) span() diag.Span {
	if n == nil {
		return diag.Span{}
	}
	return diag.Span{File: n.file, Start: n.start, End: n.end}
}

// get returns the value of key in object n (the last one when repeated), or
// nil when n is not an object or has no such key.
func (n *node) get(key string) *node {
	if n == nil || n.kind != kObject {
		return nil
	}
	for i := len(n.keys) - 1; i >= 0; i-- {
		if n.keys[i].text == key {
			return n.elems[i]
		}
	}
	return nil
}

// has reports whether object n holds key with a non-null value.
func (n *node) has(key string) bool {
	v := n.get(key)
	return v != nil && v.kind != kNull
}

// isScalar reports whether n is a string, number or boolean.
func (n *node) isScalar() bool {
	return n != nil && (n.kind == kString || n.kind == kNumber || n.kind == kBool)
}

// merge returns base with over laid on top: objects merge key by key,
// anything else in over replaces base. Neither input is modified.
func merge(base, over *node) *node {
	if over == nil {
		return base
	}
	if base == nil || base.kind != kObject || over.kind != kObject {
		return over
	}
	out := *base
	out.keys = append([]*node(nil), base.keys...)
	out.elems = append([]*node(nil), base.elems...)
	for i, k := range over.keys {
		found := false
		for j := len(out.keys) - 1; j >= 0; j-- {
			if out.keys[j].text == k.text {
				out.elems[j] = merge(out.elems[j], over.elems[i])
				found = true
				break
			}
		}
		if !found {
			out.keys = append(out.keys, k)
			out.elems = append(out.elems, over.elems[i])
		}
	}
	return &out
}

// toAny converts n to plain Go values: map[string]any, []any, string,
// float64 (or the literal string when it does not fit), bool and nil.
func (n *node) toAny() any {
	if n == nil {
		return nil
	}
	switch n.kind {
	case kBool:
		return n.text == "true"
	case kNumber:
		f, err := strconv.ParseFloat(n.text, 64)
		if err != nil {
			return n.text
		}
		return f
	case kString:
		return n.text
	case kArray:
		out := make([]any, len(n.elems))
		for i, e := range n.elems {
			out[i] = e.toAny()
		}
		return out
	case kObject:
		out := make(map[string]any, len(n.keys))
		for i, k := range n.keys {
			out[k.text] = n.elems[i].toAny()
		}
		return out
	}
	return nil
}

// jsonText renders n as JSON with two-space indentation, whichever format
// it was read from (number literals are kept as written). A string is
// returned as its value, not quoted; null gives "".
func (n *node) jsonText() string {
	if n == nil || n.kind == kNull {
		return ""
	}
	if n.kind == kString {
		return n.text
	}
	var compact bytes.Buffer
	n.appendJSON(&compact)
	if n.kind != kObject && n.kind != kArray {
		return compact.String()
	}
	var out bytes.Buffer
	if err := jsonIndent(&out, compact.Bytes()); err != nil {
		return compact.String()
	}
	return out.String()
}

func jsonIndent(dst *bytes.Buffer, src []byte) error {
	v := jsontext.Value(append([]byte(nil), src...))
	if err := v.Indent(jsontext.WithIndent("  ")); err != nil {
		return err
	}
	dst.Write(v)
	return nil
}

func (n *node) appendJSON(b *bytes.Buffer) {
	switch n.kind {
	case kNull:
		b.WriteString("null")
	case kBool:
		b.WriteString(n.text)
	case kNumber:
		if isJSONNumber(n.text) {
			b.WriteString(n.text)
		} else {
			b.WriteString(strconv.Quote(n.text))
		}
	case kString:
		s, err := jsontext.AppendQuote(nil, n.text)
		if err != nil {
			s = []byte(strconv.Quote(n.text))
		}
		b.Write(s)
	case kArray:
		b.WriteByte('[')
		for i, e := range n.elems {
			if i > 0 {
				b.WriteByte(',')
			}
			e.appendJSON(b)
		}
		b.WriteByte(']')
	case kObject:
		b.WriteByte('{')
		for i, k := range n.keys {
			if i > 0 {
				b.WriteByte(',')
			}
			k.appendJSON(b)
			b.WriteByte(':')
			n.elems[i].appendJSON(b)
		}
		b.WriteByte('}')
	}
}

var jsonNumberRE = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$`)

func isJSONNumber(s string) bool { return jsonNumberRE.MatchString(s) }

// syntaxError is a parse failure at a byte offset of a file.
type syntaxError struct {
	file   *diag.File
	offset int
	line   int // set instead of offset when only the line is known
	msg    string
}

// diagnostic turns e into a positioned error.
func (e *syntaxError) add(l *diag.List) {
	if e.line > 0 {
		l.ErrorAt(diag.Position{Filename: e.file.Name, Line: e.line}, "syntax", "%s", e.msg)
		return
	}
	l.Errorf(diag.Span{File: e.file, Start: e.offset, End: e.offset}, "syntax", "%s", e.msg)
}

const bom = "\uFEFF"

// parseJSON reads one JSON document into a node tree. An empty document (only
// white space) yields a null node. The position of a syntax error is the byte
// where the decoder stopped.
func parseJSON(f *diag.File) (*node, *syntaxError) {
	src := f.Src
	base := 0
	if bytes.HasPrefix(src, []byte(bom)) {
		base = len(bom)
		src = src[base:]
	}
	if len(bytes.TrimSpace(src)) == 0 {
		return &node{kind: kNull, file: f, start: base, end: base}, nil
	}
	dec := jsontext.NewDecoder(bytes.NewReader(src), jsontext.AllowDuplicateNames(true))
	fail := func(err error) *syntaxError {
		if se, ok := errors.AsType[*jsontext.SyntacticError](err); ok {
			msg := "invalid JSON"
			switch {
			case errors.Is(se.Err, io.ErrUnexpectedEOF):
				msg = "unexpected end of input"
			case se.Err != nil:
				msg = se.Err.Error()
			}
			return &syntaxError{file: f, offset: base + int(se.ByteOffset), msg: "invalid JSON: " + strings.TrimPrefix(msg, "jsontext: ")}
		}
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return &syntaxError{file: f, offset: base + len(src), msg: "invalid JSON: unexpected end of input"}
		}
		return &syntaxError{file: f, offset: base + int(dec.InputOffset()), msg: "invalid JSON: " + err.Error()}
	}
	// tokenStart skips white space and separators after the previous token.
	tokenStart := func() int {
		i := int(dec.InputOffset())
		for i < len(src) {
			switch src[i] {
			case ' ', '\t', '\r', '\n', ',', ':':
				i++
				continue
			}
			break
		}
		return base + i
	}
	var root *node
	var stack []*node
	var pendingKey *node
	for {
		start := tokenStart()
		tok, err := dec.ReadToken()
		if err == io.EOF && len(stack) == 0 && root != nil {
			break
		}
		if err != nil {
			return nil, fail(err)
		}
		end := base + int(dec.InputOffset())
		var n *node
		switch k := tok.Kind(); k {
		case '}', ']':
			top := stack[len(stack)-1]
			top.end = end
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				return root, checkEOF(dec, f, tokenStart())
			}
			continue
		case '{':
			n = &node{kind: kObject}
		case '[':
			n = &node{kind: kArray}
		case '"':
			n = &node{kind: kString, text: tok.String()}
		case '0':
			n = &node{kind: kNumber, text: tok.String()}
		case 't', 'f':
			n = &node{kind: kBool, text: strconv.FormatBool(tok.Bool())}
		case 'n':
			n = &node{kind: kNull}
		default:
			return nil, &syntaxError{file: f, offset: start, msg: fmt.Sprintf("invalid JSON: unexpected token %v", k)}
		}
		n.file, n.start, n.end = f, start, end
		if len(stack) == 0 {
			root = n
		} else {
			top := stack[len(stack)-1]
			switch {
			case top.kind == kArray:
				top.elems = append(top.elems, n)
			case pendingKey == nil:
				pendingKey = n // object names are always strings
				continue
			default:
				top.keys = append(top.keys, pendingKey)
				top.elems = append(top.elems, n)
				pendingKey = nil
			}
		}
		if n.kind == kObject || n.kind == kArray {
			stack = append(stack, n)
		} else if len(stack) == 0 {
			return root, checkEOF(dec, f, tokenStart())
		}
	}
	return root, nil
}

// checkEOF reports anything but white space after the top-level value,
// which starts at offset next.
func checkEOF(dec *jsontext.Decoder, f *diag.File, next int) *syntaxError {
	if _, err := dec.ReadToken(); err == io.EOF {
		return nil
	}
	return &syntaxError{file: f, offset: next, msg: "invalid JSON: unexpected data after the top-level value"}
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// maxYAMLNodes bounds the nodes produced from one YAML document, so that
// alias expansion cannot exhaust memory.
const maxYAMLNodes = 1 << 20

// parseYAML reads the first document of a YAML file into a node tree. An
// empty document yields a null node.
func parseYAML(f *diag.File) (*node, *syntaxError) {
	var doc yaml.Node
	if err := yaml.Unmarshal(f.Src, &doc); err != nil {
		line, msg := yamlError(err)
		if l := yamlProblemLine(f.Src, msg); l > line {
			line = l
		}
		return nil, &syntaxError{file: f, line: max(line, 1), msg: "invalid YAML: " + msg}
	}
	c := yamlConv{f: f, lines: lineStarts(f.Src)}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return &node{kind: kNull, file: f}, nil
	}
	n := c.conv(doc.Content[0], 0)
	if c.err != nil {
		return nil, c.err
	}
	return n, nil
}

// yamlError splits a YAML error into its line (0 when absent) and message.
func yamlError(err error) (int, string) {
	if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
		line, _ := strconv.Atoi(m[1])
		return line, m[2]
	}
	return 0, strings.TrimPrefix(err.Error(), "yaml: ")
}

// yamlProblemLine finds the line where a YAML syntax error appears. The
// parser reports the line where the enclosing construct starts; the first
// line whose prefix of the document fails with the same message is where
// the problem is. The search assumes that once a prefix fails, longer ones
// fail too, which holds for the block structure of information files and
// specifications; it returns 0 when it finds nothing.
func yamlProblemLine(src []byte, msg string) int {
	starts := lineStarts(src)
	fails := func(n int) bool {
		end := len(src)
		if n < len(starts) {
			end = starts[n]
		}
		var doc yaml.Node
		err := yaml.Unmarshal(src[:end], &doc)
		if err == nil {
			return false
		}
		_, m := yamlError(err)
		return m == msg
	}
	lo, hi := 1, len(starts)
	if !fails(hi) {
		return 0
	}
	for lo < hi {
		mid := lo + (hi-lo)/2
		if fails(mid) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}

func lineStarts(src []byte) []int {
	lines := []int{0}
	for i, c := range src {
		if c == '\n' {
			lines = append(lines, i+1)
		}
	}
	return lines
}

type yamlConv struct {
	f     *diag.File
	lines []int
	count int
	err   *syntaxError
}

// offset maps a 1-based line and column (in characters) to a byte offset.
func (c *yamlConv) offset(line, col int) int {
	if line < 1 || line > len(c.lines) {
		return 0
	}
	off := c.lines[line-1]
	if line == 1 && bytes.HasPrefix(c.f.Src, []byte(bom)) {
		off += len(bom)
	}
	for i := 1; i < col && off < len(c.f.Src) && c.f.Src[off] != '\n'; i++ {
		_, size := utf8.DecodeRune(c.f.Src[off:])
		off += size
	}
	return off
}

func (c *yamlConv) conv(y *yaml.Node, depth int) *node {
	c.count++
	if c.err != nil {
		return &node{kind: kNull, file: c.f}
	}
	if c.count > maxYAMLNodes || depth > 10000 {
		c.err = &syntaxError{file: c.f, offset: c.offset(y.Line, y.Column), msg: "invalid YAML: document too large or too deeply nested"}
		return &node{kind: kNull, file: c.f}
	}
	start := c.offset(y.Line, y.Column)
	n := &node{file: c.f, start: start, end: start + 1}
	switch y.Kind {
	case yaml.DocumentNode:
		if len(y.Content) == 0 {
			n.kind = kNull
			return n
		}
		return c.conv(y.Content[0], depth+1)
	case yaml.AliasNode:
		if y.Alias == nil {
			n.kind = kNull
			return n
		}
		a := c.conv(y.Alias, depth+1)
		cp := *a
		cp.start, cp.end = n.start, n.end
		return &cp
	case yaml.ScalarNode:
		n.text = y.Value
		switch y.ShortTag() {
		case "!!null":
			n.kind = kNull
		case "!!bool":
			n.kind = kBool
			n.text = strconv.FormatBool(strings.EqualFold(y.Value, "true") || y.Value == "yes" || y.Value == "on")
		case "!!int", "!!float":
			n.kind = kNumber
		default:
			n.kind = kString
		}
		if y.Style&(yaml.LiteralStyle|yaml.FoldedStyle) == 0 && !strings.Contains(y.Value, "\n") {
			w := len(y.Value)
			if y.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
				w += 2
			}
			n.end = min(start+max(w, 1), len(c.f.Src))
		}
	case yaml.SequenceNode:
		n.kind = kArray
		for _, e := range y.Content {
			n.elems = append(n.elems, c.conv(e, depth+1))
		}
	case yaml.MappingNode:
		n.kind = kObject
		for i := 0; i+1 < len(y.Content); i += 2 {
			k := c.conv(y.Content[i], depth+1)
			v := c.conv(y.Content[i+1], depth+1)
			if k.kind != kString && k.isScalar() {
				k.kind = kString
			}
			if y.Content[i].Value == "<<" && y.Content[i].ShortTag() == "!!merge" {
				c.mergeInto(n, v)
				continue
			}
			n.keys = append(n.keys, k)
			n.elems = append(n.elems, v)
		}
	default:
		n.kind = kNull
	}
	return n
}

// mergeInto applies a YAML merge key: keys of v (or of each mapping in v)
// that n does not already hold are added.
func (c *yamlConv) mergeInto(n, v *node) {
	srcs := []*node{v}
	if v.kind == kArray {
		srcs = v.elems
	}
	for _, s := range srcs {
		if s.kind != kObject {
			continue
		}
		for i, k := range s.keys {
			if n.get(k.text) == nil {
				n.keys = append(n.keys, k)
				n.elems = append(n.elems, s.elems[i])
			}
		}
	}
}

// parseDoc parses f as YAML when its name ends in .yaml or .yml, else JSON.
func parseDoc(f *diag.File) (*node, *syntaxError) {
	name := strings.ToLower(f.Name)
	if strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml") {
		return parseYAML(f)
	}
	return parseJSON(f)
}
