package jsonx

import (
	"strconv"
	"strings"
)

type stepKind uint8

const (
	stepField    stepKind = iota // .name, ['name'], ['a','b']
	stepFieldAll                 // .* : every property value of an object
	stepIndex                    // [0], [0,2]
	stepIndexAll                 // [*] : every element of an array
	stepScan                     // ..name, ..['a','b']
	stepScanAll                  // ..* : the token and all its descendants
	stepSlice                    // [start:end:step]
	stepQuery                    // [?(...)]
)

type pathStep struct {
	kind    stepKind
	names   []string
	indexes []int
	slice   [3]*int
	query   queryExpr
}

func pathErr(msg string) error { return jsonErr(msg) }

// pathParser reads Json.NET's JSONPath dialect (JPath): $, .name, ..name,
// .*, ..*, ['name'], ["name"], ['a','b'], [0], [0,1], [*], [start:end:step]
// and [?(query)] filters.
type pathParser struct {
	expr string
	i    int
}

func parsePath(path string) ([]pathStep, error) {
	p := &pathParser{expr: path}
	var steps []pathStep
	var err error
	func() {
		defer func() {
			if r := recover(); r != nil {
				e, ok := r.(pathPanic)
				if !ok {
					panic(r)
				}
				err = e.err
			}
		}()
		steps = p.parseMain()
	}()
	return steps, err
}

type pathPanic struct{ err error }

func (p *pathParser) fail(msg string) { panic(pathPanic{pathErr(msg)}) }

func (p *pathParser) eatSpace() {
	for p.i < len(p.expr) && p.expr[p.i] == ' ' {
		p.i++
	}
}

func (p *pathParser) ensure(msg string) {
	if p.i >= len(p.expr) {
		p.fail(msg)
	}
}

func (p *pathParser) parseMain() []pathStep {
	start := p.i
	p.eatSpace()
	if p.i == len(p.expr) {
		return nil
	}
	if p.expr[p.i] == '$' {
		if p.i+1 >= len(p.expr) {
			return nil
		}
		if c := p.expr[p.i+1]; c == '.' || c == '[' {
			p.i++
			start = p.i
		}
	}
	var steps []pathStep
	if !p.parsePath(&steps, start, false) {
		last := p.i
		p.eatSpace()
		if p.i < len(p.expr) {
			p.fail("Unexpected character while parsing path: " + string(p.expr[last]))
		}
	}
	return steps
}

func fieldStep(name string, scan bool, star bool) pathStep {
	switch {
	case star && scan:
		return pathStep{kind: stepScanAll}
	case star:
		return pathStep{kind: stepFieldAll}
	case scan:
		return pathStep{kind: stepScan, names: []string{name}}
	}
	return pathStep{kind: stepField, names: []string{name}}
}

// parsePath reads steps until the end of the expression or, inside a
// query, until an operator or closing parenthesis. It reports whether the
// whole expression was consumed.
func (p *pathParser) parsePath(steps *[]pathStep, start int, query bool) bool {
	scan, followingIndexer, followingDot := false, false, false
	ended := false
	for p.i < len(p.expr) && !ended {
		c := p.expr[p.i]
		switch c {
		case '[', '(':
			if p.i > start {
				member := p.expr[start:p.i]
				*steps = append(*steps, fieldStep(member, scan, member == "*"))
				scan = false
			}
			*steps = append(*steps, p.parseIndexer(c, scan))
			scan = false
			p.i++
			start = p.i
			followingIndexer, followingDot = true, false
		case ']', ')':
			ended = true
		case ' ':
			if p.i < len(p.expr) {
				ended = true
			}
		case '.':
			if p.i > start {
				member := p.expr[start:p.i]
				*steps = append(*steps, fieldStep(member, scan, member == "*"))
				scan = false
			}
			if p.i+1 < len(p.expr) && p.expr[p.i+1] == '.' {
				scan = true
				p.i++
			}
			p.i++
			start = p.i
			followingIndexer, followingDot = false, true
		default:
			if query && strings.IndexByte("=<!>|&", c) >= 0 {
				ended = true
				break
			}
			if followingIndexer {
				p.fail("Unexpected character following indexer: " + string(c))
			}
			p.i++
		}
	}
	atEnd := p.i == len(p.expr)
	if p.i > start {
		member := strings.TrimRight(p.expr[start:p.i], " ")
		*steps = append(*steps, fieldStep(member, scan, member == "*"))
	} else if followingDot && (atEnd || query) {
		p.fail("Unexpected end while parsing path.")
	}
	return atEnd
}

func (p *pathParser) parseIndexer(open byte, scan bool) pathStep {
	p.i++
	closeCh := byte(']')
	if open == '(' {
		closeCh = ')'
	}
	p.eatSpace()
	p.ensure("Path ended with open indexer.")
	switch p.expr[p.i] {
	case '\'', '"':
		return p.parseQuotedField(closeCh, scan)
	case '?':
		return p.parseQuery(closeCh)
	}
	return p.parseArrayIndexer(closeCh)
}

func (p *pathParser) readQuoted() string {
	q := p.expr[p.i]
	p.i++
	var b strings.Builder
	for p.i < len(p.expr) {
		c := p.expr[p.i]
		if c == '\\' && p.i+1 < len(p.expr) {
			p.i++
			e := p.expr[p.i]
			switch e {
			case '\'', '"', '\\', '/':
				b.WriteByte(e)
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			default:
				p.fail("Unknown escape character: \\" + string(e))
			}
			p.i++
			continue
		}
		if c == q {
			p.i++
			return b.String()
		}
		b.WriteByte(c)
		p.i++
	}
	p.fail("Path ended with open indexer.")
	return ""
}

func (p *pathParser) parseQuotedField(closeCh byte, scan bool) pathStep {
	var fields []string
	for p.i < len(p.expr) {
		f := p.readQuoted()
		p.eatSpace()
		p.ensure("Path ended with open indexer.")
		switch p.expr[p.i] {
		case closeCh:
			fields = append(fields, f)
			if scan {
				return pathStep{kind: stepScan, names: fields}
			}
			return pathStep{kind: stepField, names: fields}
		case ',':
			p.i++
			p.eatSpace()
			fields = append(fields, f)
		default:
			p.fail("Unexpected character while parsing path indexer: " + string(p.expr[p.i]))
		}
	}
	p.fail("Path ended with open indexer.")
	return pathStep{}
}

func (p *pathParser) atoi(s string) int {
	v, err := strconv.Atoi(s)
	if err != nil {
		// Convert.ToInt32 failures surface as .NET format or overflow errors.
		if strings.Trim(s, "-0123456789") == "" && len(s) > 1 {
			p.fail("Value was either too large or too small for an Int32.")
		}
		p.fail("The input string '" + s + "' was not in a correct format.")
	}
	return v
}

func (p *pathParser) parseArrayIndexer(closeCh byte) pathStep {
	start := p.i
	end := -1
	var indexes []int
	colons := 0
	var slice [3]*int
	for p.i < len(p.expr) {
		c := p.expr[p.i]
		if c == ' ' {
			end = p.i
			p.eatSpace()
			continue
		}
		length := p.i - start
		if end >= 0 {
			length = end - start
		}
		switch {
		case c == closeCh:
			switch {
			case indexes != nil:
				if length == 0 {
					p.fail("Array index expected.")
				}
				indexes = append(indexes, p.atoi(p.expr[start:start+length]))
				return pathStep{kind: stepIndex, indexes: indexes}
			case colons > 0:
				if length > 0 {
					v := p.atoi(p.expr[start : start+length])
					if colons == 1 {
						slice[1] = &v
					} else {
						slice[2] = &v
					}
				}
				return pathStep{kind: stepSlice, slice: slice}
			default:
				if length == 0 {
					p.fail("Array index expected.")
				}
				return pathStep{kind: stepIndex, indexes: []int{p.atoi(p.expr[start : start+length])}}
			}
		case c == ',':
			if length == 0 {
				p.fail("Array index expected.")
			}
			indexes = append(indexes, p.atoi(p.expr[start:start+length]))
			p.i++
			p.eatSpace()
			start, end = p.i, -1
		case c == '*':
			p.i++
			p.eatSpace()
			p.ensure("Path ended with open indexer.")
			if p.expr[p.i] != closeCh {
				p.fail("Unexpected character while parsing path indexer: " + string(c))
			}
			return pathStep{kind: stepIndexAll}
		case c == ':':
			if length > 0 {
				v := p.atoi(p.expr[start : start+length])
				slice[min(colons, 2)] = &v
			}
			colons++
			p.i++
			p.eatSpace()
			start, end = p.i, -1
		case (c < '0' || c > '9') && c != '-':
			p.fail("Unexpected character while parsing path indexer: " + string(c))
		default:
			if end >= 0 {
				p.fail("Unexpected character while parsing path indexer: " + string(c))
			}
			p.i++
		}
	}
	p.fail("Path ended with open indexer.")
	return pathStep{}
}

func errIndexRange() error {
	return &ConvertError{Type: "System.ArgumentOutOfRangeException", Message: "Index was out of range. Must be non-negative and less than the size of the collection. (Parameter 'index')"}
}

func (st *pathStep) apply(root *Token, cur []*Token) ([]*Token, error) {
	var out []*Token
	for _, t := range cur {
		switch st.kind {
		case stepField:
			for _, n := range st.names {
				if v := t.Get(n); v != nil {
					out = append(out, v)
				}
			}
		case stepFieldAll:
			if t.typ == Object {
				for _, p := range t.items {
					out = append(out, p.value)
				}
			}
		case stepIndex:
			if t.typ != Array && t.typ != Constructor {
				continue
			}
			for _, i := range st.indexes {
				if i < 0 {
					return nil, errIndexRange()
				}
				if i < len(t.items) {
					out = append(out, t.items[i])
				}
			}
		case stepIndexAll:
			if t.typ == Array || t.typ == Constructor {
				out = append(out, t.items...)
			}
		case stepScan:
			out = scanNamed(out, t, st.names)
		case stepScanAll:
			out = append(out, t)
			out = scanAll(out, t)
		case stepSlice:
			if t.typ == Array {
				var err error
				if out, err = applySlice(out, t, st.slice); err != nil {
					return nil, err
				}
			}
		case stepQuery:
			// The filter tests the token's children: an array's elements, or
			// an object's properties (which member paths never match).
			for _, it := range t.Children() {
				ok, err := st.query.eval(root, it)
				if err != nil {
					return nil, err
				}
				if ok {
					out = append(out, it)
				}
			}
		}
	}
	return out, nil
}

func applySlice(out []*Token, a *Token, sl [3]*int) ([]*Token, error) {
	n := len(a.items)
	step := 1
	if sl[2] != nil {
		step = *sl[2]
	}
	if step == 0 {
		return nil, pathErr("Step cannot be zero.")
	}
	start, stop := 0, n
	if step < 0 {
		start, stop = n-1, -1
	}
	if sl[0] != nil {
		start = *sl[0]
		if start < 0 {
			start += n
		}
	}
	if sl[1] != nil {
		stop = *sl[1]
		if stop < 0 {
			stop += n
		}
	}
	if step > 0 {
		start = min(max(start, 0), n)
	} else {
		start = min(start, n-1)
	}
	stop = min(max(stop, -1), n)
	for i := start; (step > 0 && i < stop) || (step < 0 && i > stop); i += step {
		if i >= 0 && i < n {
			out = append(out, a.items[i])
		}
	}
	return out, nil
}

// scanNamed appends, in document order, the values of every descendant
// property whose name is in names.
func scanNamed(out []*Token, t *Token, names []string) []*Token {
	switch t.typ {
	case Object:
		for _, p := range t.items {
			for _, n := range names {
				if p.str == n {
					out = append(out, p.value)
					break
				}
			}
			out = scanNamed(out, p.value, names)
		}
	case Array, Constructor:
		for _, c := range t.items {
			out = scanNamed(out, c, names)
		}
	}
	return out
}

// scanAll appends every descendant value (not properties) in document order.
func scanAll(out []*Token, t *Token) []*Token {
	switch t.typ {
	case Object:
		for _, p := range t.items {
			out = append(out, p.value)
			out = scanAll(out, p.value)
		}
	case Array, Constructor:
		for _, c := range t.items {
			out = append(out, c)
			out = scanAll(out, c)
		}
	}
	return out
}

// SelectTokens is JToken.SelectTokens(path): every match in document order.
func (t *Token) SelectTokens(path string) ([]*Token, error) {
	steps, err := parsePath(path)
	if err != nil {
		return nil, err
	}
	cur := []*Token{t}
	root := t.Root()
	for i := range steps {
		if cur, err = steps[i].apply(root, cur); err != nil {
			return nil, err
		}
		if len(cur) == 0 {
			return nil, nil
		}
	}
	return cur, nil
}

// SelectToken is JToken.SelectToken(path): the single match, nil when
// nothing matches, an error ("Path returned multiple tokens.") when more
// than one does.
func (t *Token) SelectToken(path string) (*Token, error) {
	r, err := t.SelectTokens(path)
	if err != nil {
		return nil, err
	}
	switch len(r) {
	case 0:
		return nil, nil
	case 1:
		return r[0], nil
	}
	return nil, pathErr("Path returned multiple tokens.")
}

// Path is JToken.Path: the JSONPath of t from its root, e.g. "a.b[0]" or
// "['x y']".
func (t *Token) Path() string {
	var parts []*Token
	for c := t; c.parent != nil; c = c.parent {
		parts = append(parts, c)
	}
	var b strings.Builder
	for i := len(parts) - 1; i >= 0; i-- {
		c := parts[i]
		switch c.parent.typ {
		case Array, Constructor:
			for k, it := range c.parent.items {
				if it == c {
					b.WriteByte('[')
					b.WriteString(strconv.Itoa(k))
					b.WriteByte(']')
					break
				}
			}
		case Object:
			writePathName(&b, c.str)
		}
	}
	return b.String()
}
