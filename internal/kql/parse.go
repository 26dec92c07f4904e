package kql

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// maxDepth bounds the nesting of expressions, so that a hostile query cannot
// exhaust the stack.
const maxDepth = 200

// parser is a recursive-descent parser over the lexer. Syntax errors panic
// with a *Error and are recovered in parse: the first one wins.
type parser struct {
	src    string
	tables map[string]bool // table names, which start tabular lets
	lx     lexer
	tok    token
	depth  int
}

// parse parses a whole query.
func parse(src string, tables map[string]bool) (q *query, err error) {
	p := &parser{src: src, lx: lexer{src: src}, tables: tables}
	defer func() {
		if r := recover(); r != nil {
			e, ok := r.(*Error)
			if !ok {
				panic(r)
			}
			q, err = nil, e
		}
	}()
	p.next()
	q = &query{}
	for p.isIdent("let") {
		q.lets = append(q.lets, p.let(q))
		p.expectPunct(";")
		for p.isPunct(";") {
			p.next()
		}
	}
	if p.tok.kind == tEOF {
		p.fail(p.tok.pos, "the query has no tabular expression: start it with a table name such as ApiManagementGatewayLogs")
	}
	q.body = p.pipeline()
	for p.isPunct(";") {
		p.next()
	}
	if p.tok.kind != tEOF {
		p.fail(p.tok.pos, "syntax error: unexpected %s after the query (one tabular expression per query; let statements end with ';')", p.describe())
	}
	return q, nil
}

func (p *parser) next() {
	t, err := p.lx.next()
	if err != nil {
		panic(err)
	}
	p.tok = t
}

// peek returns the token after the current one without consuming it.
func (p *parser) peek() token {
	save := p.lx.off
	t, err := p.lx.next()
	p.lx.off = save
	if err != nil {
		return token{kind: tEOF}
	}
	return t
}

func (p *parser) fail(off int, format string, args ...any) {
	panic(errorAt(p.src, off, format, args...))
}

func (p *parser) describe() string {
	switch p.tok.kind {
	case tEOF:
		return "end of query"
	case tString:
		return "string literal"
	}
	return "'" + p.src[p.tok.pos:p.tok.end] + "'"
}

func (p *parser) isPunct(s string) bool { return p.tok.kind == tPunct && p.tok.text == s }
func (p *parser) isIdent(s string) bool { return p.tok.kind == tIdent && p.tok.text == s }

func (p *parser) expectPunct(s string) int {
	if !p.isPunct(s) {
		p.fail(p.tok.pos, "syntax error: expected '%s', found %s", s, p.describe())
	}
	pos := p.tok.pos
	p.next()
	return pos
}

func (p *parser) name(what string) (string, int) {
	if p.tok.kind != tIdent || strings.HasPrefix(p.tok.text, "!") {
		p.fail(p.tok.pos, "syntax error: expected %s, found %s", what, p.describe())
	}
	n, pos := p.tok.text, p.tok.pos
	p.next()
	return n, pos
}

func (p *parser) let(q *query) *letStmt {
	p.next()
	name, pos := p.name("a name after let")
	p.expectPunct("=")
	l := &letStmt{pos: pos, name: name}
	// A tabular let starts with a table or a tabular let-bound name.
	if p.tok.kind == tIdent && p.isTabularName(q, p.tok.text) {
		l.tabular = p.pipeline()
	} else {
		l.scalar = p.expr()
	}
	return l
}

func (p *parser) isTabularName(q *query, name string) bool {
	if p.tables[name] {
		return true
	}
	for _, l := range q.lets {
		if l.name == name && l.tabular != nil {
			return true
		}
	}
	next := p.peek()
	return next.kind == tPunct && (next.text == "|" || next.text == ";")
}

func (p *parser) pipeline() *pipeline {
	name, pos := p.name("a table name")
	pl := &pipeline{pos: pos, source: name}
	for p.isPunct("|") {
		p.next()
		pl.ops = append(pl.ops, p.operator())
	}
	return pl
}

// supportedOps is shown when an operator is unknown.
const supportedOps = "where, project, project-away, project-rename, extend, summarize, take, limit, top, sort, order, distinct, count"

func (p *parser) operator() operator {
	if p.tok.kind != tIdent {
		p.fail(p.tok.pos, "syntax error: expected a tabular operator after '|', found %s", p.describe())
	}
	pos, name := p.tok.pos, p.tok.text
	p.next()
	switch name {
	case "where", "filter":
		return &whereOp{pos: pos, pred: p.expr()}
	case "project":
		return &projectOp{pos: pos, items: p.assigns(false)}
	case "extend":
		return &extendOp{pos: pos, items: p.assigns(false)}
	case "project-away":
		o := &projectAwayOp{pos: pos}
		for {
			n, npos := p.name("a column name")
			o.names = append(o.names, &ident{pos: npos, name: n})
			if !p.isPunct(",") {
				return o
			}
			p.next()
		}
	case "project-rename":
		o := &projectRenameOp{pos: pos}
		for {
			n, npos := p.name("the new column name")
			p.expectPunct("=")
			old, opos := p.name("the column to rename")
			o.pairs = append(o.pairs, renamePair{newName: n, newPos: npos, old: &ident{pos: opos, name: old}})
			if !p.isPunct(",") {
				return o
			}
			p.next()
		}
	case "summarize":
		o := &summarizeOp{pos: pos}
		if !p.isIdent("by") {
			o.aggs = p.assigns(true)
		}
		if p.isIdent("by") {
			p.next()
			o.by = p.assigns(false)
		}
		if len(o.aggs) == 0 && len(o.by) == 0 {
			p.fail(p.tok.pos, "syntax error: summarize needs an aggregation or a by clause")
		}
		return o
	case "take", "limit":
		return &takeOp{pos: pos, n: p.expr()}
	case "top":
		o := &topOp{pos: pos, n: p.expr()}
		if !p.isIdent("by") {
			p.fail(p.tok.pos, "syntax error: expected 'by' after top's count, found %s", p.describe())
		}
		p.next()
		o.by = p.sortKeys()
		return o
	case "sort", "order":
		if !p.isIdent("by") {
			p.fail(p.tok.pos, "syntax error: expected 'by' after %s, found %s", name, p.describe())
		}
		p.next()
		return &sortOp{pos: pos, keys: p.sortKeys()}
	case "distinct":
		if p.isPunct("*") {
			p.next()
			return &distinctOp{pos: pos, star: true}
		}
		return &distinctOp{pos: pos, items: p.assigns(false)}
	case "count":
		return &countOp{pos: pos}
	}
	if hyphenated[name] || name == "join" || name == "union" || name == "parse" || name == "render" || name == "as" ||
		name == "lookup" || name == "evaluate" || name == "sample" || name == "serialize" || name == "invoke" || name == "getschema" {
		p.fail(pos, "the '%s' operator is not supported by tollgate (supported: %s)", name, supportedOps)
	}
	p.fail(pos, "syntax error: unknown tabular operator '%s' (supported: %s)", name, supportedOps)
	return nil
}

// assigns parses a comma-separated list of "name = expr", "(a, b) = expr" or
// "expr". multi allows the parenthesized names of percentiles.
func (p *parser) assigns(multi bool) []assign {
	var items []assign
	for {
		a := assign{pos: p.tok.pos}
		switch {
		case p.tok.kind == tIdent && !strings.HasPrefix(p.tok.text, "!") && p.peekIsAssign():
			a.name = p.tok.text
			p.next()
			p.next() // =
		case multi && p.isPunct("(") && p.parenNamesAssign():
			p.next()
			for {
				n, _ := p.name("a column name")
				a.names = append(a.names, n)
				if !p.isPunct(",") {
					break
				}
				p.next()
			}
			p.expectPunct(")")
			p.expectPunct("=")
		}
		a.x = p.expr()
		items = append(items, a)
		if !p.isPunct(",") {
			return items
		}
		p.next()
	}
}

func (p *parser) peekIsAssign() bool {
	t := p.peek()
	return t.kind == tPunct && t.text == "="
}

// parenNamesAssign reports whether "(" starts "(a, b) = ...".
func (p *parser) parenNamesAssign() bool {
	save, tok := p.lx.off, p.tok
	defer func() { p.lx.off, p.tok = save, tok }()
	for {
		t, err := p.lx.next()
		if err != nil || t.kind != tIdent {
			return false
		}
		t, err = p.lx.next()
		if err != nil || t.kind != tPunct {
			return false
		}
		if t.text == ")" {
			t, err = p.lx.next()
			return err == nil && t.kind == tPunct && t.text == "="
		}
		if t.text != "," {
			return false
		}
	}
}

func (p *parser) sortKeys() []sortKey {
	var keys []sortKey
	for {
		k := sortKey{x: p.expr(), desc: true}
		if p.isIdent("asc") {
			k.desc = false
			p.next()
		} else if p.isIdent("desc") {
			p.next()
		}
		if p.isIdent("nulls") {
			p.next()
			first := p.isIdent("first")
			if !first && !p.isIdent("last") {
				p.fail(p.tok.pos, "syntax error: expected 'first' or 'last' after nulls, found %s", p.describe())
			}
			p.next()
			k.nullsFirst = &first
		}
		keys = append(keys, k)
		if !p.isPunct(",") {
			return keys
		}
		p.next()
	}
}

// Expressions, by increasing precedence: or, and, comparisons and string
// operators, + -, * / %, unary, postfix.

func (p *parser) expr() expr {
	p.depth++
	if p.depth > maxDepth {
		p.fail(p.tok.pos, "the expression is nested too deeply")
	}
	defer func() { p.depth-- }()
	return p.or()
}

func (p *parser) or() expr {
	x := p.and()
	for p.isIdent("or") {
		pos := p.tok.pos
		p.next()
		x = &binary{pos: pos, op: "or", l: x, r: p.and()}
	}
	return x
}

func (p *parser) and() expr {
	x := p.cmp()
	for p.isIdent("and") {
		pos := p.tok.pos
		p.next()
		x = &binary{pos: pos, op: "and", l: x, r: p.cmp()}
	}
	return x
}

// stringOps are the binary string operators written as words.
var stringOps = map[string]bool{
	"has": true, "!has": true, "has_cs": true, "!has_cs": true, "contains": true, "!contains": true,
	"contains_cs": true, "!contains_cs": true, "startswith": true, "!startswith": true, "startswith_cs": true,
	"!startswith_cs": true, "endswith": true, "!endswith": true, "endswith_cs": true, "!endswith_cs": true,
	"hasprefix": true, "!hasprefix": true, "hassuffix": true, "!hassuffix": true,
}

func (p *parser) cmp() expr {
	x := p.add()
	pos := p.tok.pos
	switch {
	case p.tok.kind == tPunct && (p.tok.text == "==" || p.tok.text == "!=" || p.tok.text == "<>" || p.tok.text == "<" ||
		p.tok.text == "<=" || p.tok.text == ">" || p.tok.text == ">=" || p.tok.text == "=~" || p.tok.text == "!~"):
		op := p.tok.text
		if op == "<>" {
			op = "!="
		}
		p.next()
		return &binary{pos: pos, op: op, l: x, r: p.add()}
	case p.tok.kind == tIdent && stringOps[p.tok.text]:
		op := p.tok.text
		p.next()
		return &binary{pos: pos, op: op, l: x, r: p.add()}
	case p.isIdent("matches"):
		p.next()
		if !p.isIdent("regex") {
			p.fail(p.tok.pos, "syntax error: expected 'regex' after matches, found %s", p.describe())
		}
		p.next()
		return &binary{pos: pos, op: "matches regex", l: x, r: p.add()}
	case p.isIdent("in") || p.isIdent("!in") || p.isIdent("in~") || p.isIdent("!in~") || p.isIdent("has_any") || p.isIdent("!has_any"):
		op := p.tok.text
		p.next()
		p.expectPunct("(")
		var list []expr
		for !p.isPunct(")") {
			list = append(list, p.expr())
			if !p.isPunct(",") {
				break
			}
			p.next()
		}
		p.expectPunct(")")
		if len(list) == 0 {
			p.fail(pos, "syntax error: %s needs at least one value", op)
		}
		return &inList{pos: pos, op: op, x: x, list: list}
	case p.isIdent("between") || p.isIdent("!between"):
		not := p.tok.text == "!between"
		p.next()
		p.expectPunct("(")
		lo := p.add()
		p.expectPunct("..")
		hi := p.add()
		p.expectPunct(")")
		return &between{pos: pos, not: not, x: x, lo: lo, hi: hi}
	}
	return x
}

func (p *parser) add() expr {
	x := p.mul()
	for p.isPunct("+") || p.isPunct("-") {
		pos, op := p.tok.pos, p.tok.text
		p.next()
		x = &binary{pos: pos, op: op, l: x, r: p.mul()}
	}
	return x
}

func (p *parser) mul() expr {
	x := p.unary()
	for p.isPunct("*") || p.isPunct("/") || p.isPunct("%") {
		pos, op := p.tok.pos, p.tok.text
		p.next()
		x = &binary{pos: pos, op: op, l: x, r: p.unary()}
	}
	return x
}

func (p *parser) unary() expr {
	if p.isPunct("-") || p.isPunct("+") {
		pos, op := p.tok.pos, p.tok.text
		p.next()
		p.depth++
		if p.depth > maxDepth {
			p.fail(pos, "the expression is nested too deeply")
		}
		defer func() { p.depth-- }()
		x := p.unary()
		// Fold the sign into numeric literals, so that -5 is a literal.
		if l, ok := x.(*literal); ok && op == "-" && !l.null {
			switch l.typ {
			case Long, Int, Timespan:
				if l.i != math.MinInt64 {
					l.i, l.pos = -l.i, pos
					return l
				}
			case Real:
				l.f, l.pos = -l.f, pos
				return l
			}
		}
		if op == "+" {
			return x
		}
		return &unary{pos: pos, op: op, x: x}
	}
	return p.postfix()
}

func (p *parser) postfix() expr {
	x := p.primary()
	for {
		switch {
		case p.isPunct("."):
			p.next()
			n, _ := p.name("a property name after '.'")
			x = &member{pos: p.tok.pos, x: x, name: n}
		case p.isPunct("["):
			pos := p.tok.pos
			p.next()
			i := p.expr()
			p.expectPunct("]")
			x = &index{pos: pos, x: x, idx: i}
		default:
			return x
		}
	}
}

// typedLiterals are the names whose parenthesized argument is literal text.
var typedLiterals = map[string]Type{
	"datetime": DateTime, "date": DateTime, "timespan": Timespan, "time": Timespan, "long": Long, "int": Int,
	"real": Real, "double": Real, "bool": Bool, "boolean": Bool, "dynamic": Dynamic,
}

func (p *parser) primary() expr {
	t := p.tok
	switch t.kind {
	case tInt:
		p.next()
		return &literal{pos: t.pos, typ: Long, i: t.ival}
	case tReal:
		p.next()
		return &literal{pos: t.pos, typ: Real, f: t.fval}
	case tTimespan:
		p.next()
		return &literal{pos: t.pos, typ: Timespan, i: t.ival}
	case tString:
		p.next()
		return &literal{pos: t.pos, typ: String, s: t.text}
	case tPunct:
		if t.text == "(" {
			p.next()
			x := p.expr()
			p.expectPunct(")")
			return &paren{pos: t.pos, x: x}
		}
	case tIdent:
		if strings.HasPrefix(t.text, "!") {
			break
		}
		if t.text == "true" || t.text == "false" {
			p.next()
			return &literal{pos: t.pos, typ: Bool, i: b2i(t.text == "true")}
		}
		if typ, ok := typedLiterals[t.text]; ok && p.nextCharIs('(') {
			return p.typedLiteral(typ)
		}
		p.next()
		if !p.isPunct("(") {
			return &ident{pos: t.pos, name: t.text}
		}
		p.next()
		c := &call{pos: t.pos, name: t.text}
		for !p.isPunct(")") {
			if p.isPunct("*") {
				c.star = true
				p.next()
			} else {
				c.args = append(c.args, p.expr())
			}
			if !p.isPunct(",") {
				break
			}
			p.next()
		}
		p.expectPunct(")")
		return c
	}
	p.fail(t.pos, "syntax error: expected an expression, found %s", p.describe())
	return nil
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// nextCharIs reports whether the first character after the current token,
// past white space, is c.
func (p *parser) nextCharIs(c byte) bool {
	i := p.tok.end
	for i < len(p.src) && (p.src[i] == ' ' || p.src[i] == '\t' || p.src[i] == '\n' || p.src[i] == '\r') {
		i++
	}
	return i < len(p.src) && p.src[i] == c
}

// typedLiteral reads datetime(...), timespan(...), long(...) and friends,
// whose argument is raw text up to the matching parenthesis.
func (p *parser) typedLiteral(typ Type) expr {
	pos, name := p.tok.pos, p.tok.text
	i := strings.IndexByte(p.src[p.tok.end:], '(') + p.tok.end + 1
	depth, j, quote := 1, i, byte(0)
	for ; j < len(p.src); j++ {
		c := p.src[j]
		if quote != 0 {
			if c == '\\' {
				j++
			} else if c == quote {
				quote = 0
			}
			continue
		}
		if c == '"' || c == '\'' {
			quote = c
		} else if c == '(' {
			depth++
		} else if c == ')' {
			depth--
			if depth == 0 {
				break
			}
		}
	}
	if j >= len(p.src) {
		p.fail(pos, "syntax error: %s( has no closing ')'", name)
	}
	raw := strings.TrimSpace(p.src[i:j])
	p.lx.off = j + 1
	p.next()
	lit := &literal{pos: pos, typ: typ}
	if raw == "null" {
		lit.null = true
		return lit
	}
	if len(raw) >= 2 && (raw[0] == '"' || raw[0] == '\'') && raw[len(raw)-1] == raw[0] && typ != Dynamic {
		raw = raw[1 : len(raw)-1]
	}
	bad := func() {
		p.fail(pos, "%s(%s) is not a valid %s literal", name, raw, typ)
	}
	switch typ {
	case DateTime:
		t, ok := parseDateTime(raw)
		if !ok {
			p.fail(pos, "%s(%s) is not a valid datetime: write it as datetime(2024-01-31), datetime(2024-01-31 13:45:00) or datetime(2024-01-31T13:45:00Z)", name, raw)
		}
		lit.i = t.UnixNano()
	case Timespan:
		d, ok := parseTimespan(raw)
		if !ok {
			bad()
		}
		lit.i = int64(d)
	case Long, Int:
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || typ == Int && (n > math.MaxInt32 || n < math.MinInt32) {
			bad()
		}
		lit.i = n
	case Real:
		f, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			bad()
		}
		lit.f = f
	case Bool:
		switch strings.ToLower(raw) {
		case "true", "1":
			lit.i = 1
		case "false", "0":
		default:
			bad()
		}
	case Dynamic:
		var v any
		if err := json.Unmarshal([]byte(raw), &v); err != nil {
			p.fail(pos, "dynamic(%s) is not valid JSON: %v", raw, err)
		}
		b, _ := json.Marshal(v)
		lit.s = string(b)
	}
	return lit
}

// dateTimeLayouts are the datetime literal forms accepted, without a zone
// meaning UTC.
var dateTimeLayouts = []string{
	time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999", "2006-01-02T15:04",
	"2006-01-02 15:04", "2006-01-02", "2006-01-02 15:04:05.999999999Z07:00", time.RFC1123, time.RFC1123Z,
}

// parseDateTime parses the text of a datetime literal or of todatetime's
// argument.
func parseDateTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, l := range dateTimeLayouts {
		if t, err := time.ParseInLocation(l, s, time.UTC); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// ParseTimespan parses a timespan as Kusto writes it: "5m", "1.5h", "100ms",
// "00:05:00", "1.02:03:04.5" or "-00:00:01".
func ParseTimespan(s string) (time.Duration, bool) { return parseTimespan(s) }

func parseTimespan(s string) (time.Duration, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false
	}
	neg := false
	if s[0] == '-' {
		neg, s = true, s[1:]
	}
	var d time.Duration
	if strings.Contains(s, ":") {
		days := int64(0)
		hms := s
		if i := strings.IndexByte(s, '.'); i >= 0 && i < strings.IndexByte(s, ':') {
			n, err := strconv.ParseInt(s[:i], 10, 64)
			if err != nil {
				return 0, false
			}
			days, hms = n, s[i+1:]
		}
		parts := strings.Split(hms, ":")
		if len(parts) < 2 || len(parts) > 3 {
			return 0, false
		}
		h, err1 := strconv.ParseInt(parts[0], 10, 64)
		m, err2 := strconv.ParseInt(parts[1], 10, 64)
		if err1 != nil || err2 != nil || m > 59 || h < 0 || m < 0 || days > 100000 || h > 100000 {
			return 0, false
		}
		sec := 0.0
		if len(parts) == 3 {
			f, err := strconv.ParseFloat(parts[2], 64)
			if err != nil || f < 0 || f >= 60 || strings.ContainsAny(parts[2], "eE+-") {
				return 0, false
			}
			sec = f
		}
		d = time.Duration(days)*24*time.Hour + time.Duration(h)*time.Hour + time.Duration(m)*time.Minute +
			time.Duration(math.Round(sec*1e9))
	} else {
		lx := lexer{src: s}
		t, err := lx.next()
		if err != nil || lx.off != len(s) {
			return 0, false
		}
		switch t.kind {
		case tTimespan:
			d = time.Duration(t.ival)
		case tInt:
			d = time.Duration(t.ival) * 24 * time.Hour // a bare number counts days
		default:
			return 0, false
		}
	}
	if neg {
		d = -d
	}
	return d, true
}

// String renders an expression kind for messages.
func (t tokKind) String() string { return fmt.Sprint(int(t)) }
