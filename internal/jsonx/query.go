package jsonx

import (
	"math"
	"strconv"
	"strings"

	"github.com/tollgate/tollgate/internal/dotnet"
)

// queryExpr is a JSONPath filter expression ([?(...)]).
type queryExpr interface {
	eval(root, t *Token) (bool, error)
}

type queryOp uint8

const (
	opExists queryOp = iota
	opEq
	opNe
	opStrictEq
	opStrictNe
	opLt
	opLe
	opGt
	opGe
	opAnd
	opOr
)

// queryOperand is a path (from @ or $) or a constant value.
type queryOperand struct {
	fromRoot bool
	path     []pathStep
	value    *Token
}

type boolQuery struct {
	op          queryOp
	left, right queryOperand
}

type compositeQuery struct {
	op    queryOp // opAnd or opOr
	exprs []queryExpr
}

func (q *compositeQuery) eval(root, t *Token) (bool, error) {
	for _, e := range q.exprs {
		ok, err := e.eval(root, t)
		if err != nil {
			return false, err
		}
		if q.op == opAnd && !ok {
			return false, nil
		}
		if q.op == opOr && ok {
			return true, nil
		}
	}
	return q.op == opAnd, nil
}

func (o *queryOperand) results(root, t *Token) ([]*Token, error) {
	if o.value != nil {
		return []*Token{o.value}, nil
	}
	cur := []*Token{t}
	if o.fromRoot {
		cur = []*Token{root}
	}
	var err error
	for i := range o.path {
		if cur, err = o.path[i].apply(root, cur); err != nil {
			return nil, err
		}
	}
	return cur, nil
}

func (q *boolQuery) eval(root, t *Token) (bool, error) {
	left, err := q.left.results(root, t)
	if err != nil {
		return false, err
	}
	if q.op == opExists {
		return len(left) > 0, nil
	}
	if len(left) == 0 {
		return false, nil
	}
	right, err := q.right.results(root, t)
	if err != nil {
		return false, err
	}
	for _, l := range left {
		for _, r := range right {
			ok, err := q.match(l, r)
			if err != nil || ok {
				return ok, err
			}
		}
	}
	return false, nil
}

func (q *boolQuery) match(l, r *Token) (bool, error) {
	if !l.IsValue() || !r.IsValue() {
		return q.op == opNe, nil
	}
	switch q.op {
	case opEq:
		return equalsCoerced(l, r), nil
	case opNe:
		return !equalsCoerced(l, r), nil
	case opStrictEq:
		return l.typ == r.typ && compareValues(l, r) == 0, nil
	case opStrictNe:
		return !(l.typ == r.typ && compareValues(l, r) == 0), nil
	}
	c, err := compareChecked(l, r)
	if err != nil {
		return false, err
	}
	switch q.op {
	case opLt:
		return c < 0, nil
	case opLe:
		return c <= 0, nil
	case opGt:
		return c > 0, nil
	case opGe:
		return c >= 0, nil
	}
	return false, nil
}

// equalsCoerced is Json.NET's EqualsWithStringCoercion: equal types and
// values, integer against float by value, or a date, bytes, GUID, URI or
// time span against a string by its JSON text.
func equalsCoerced(v, q *Token) bool {
	if v.typ == q.typ && compareValues(v, q) == 0 {
		return true
	}
	if (v.typ == Integer && q.typ == Float) || (v.typ == Float && q.typ == Integer) {
		return numAsFloat(v) == numAsFloat(q)
	}
	if q.typ != String {
		return false
	}
	var s string
	switch v.typ {
	case Date:
		s = string(appendISODate(nil, v.dtv()))
	case Bytes:
		s = string(base64Std(v.rawv()))
	case Guid, Uri:
		s = v.str
	case TimeSpan:
		s = dotnet.TimeSpan(v.num).String()
	default:
		return false
	}
	return s == q.str
}

// compareValues orders two values of the same type.
func compareValues(a, b *Token) int {
	c, _ := compareChecked(a, b)
	return c
}

// compareChecked is JValue.Compare with the left value's type deciding
// how the right one is converted.
func compareChecked(a, b *Token) (int, error) {
	an, bn := a.typ == Null || a.typ == Undefined, b.typ == Null || b.typ == Undefined
	switch {
	case an && bn:
		return 0, nil
	case bn:
		return 1, nil
	case an:
		return -1, nil
	}
	switch a.typ {
	case Integer, Float:
		if b.typ == String {
			var f float64
			var err error
			if a.typ == Integer && a.bigv() == nil {
				var v int64
				v, err = dotnet.ParseInt(b.str, 64)
				f = float64(v)
				if err == nil {
					return cmpInt(a.num, v), nil
				}
			} else {
				f, err = dotnet.ParseDouble(b.str)
			}
			if err != nil {
				return 0, err
			}
			return cmpFloat(numAsFloat(a), f), nil
		}
		if a.typ == Integer && b.typ == Integer && a.bigv() == nil && b.bigv() == nil {
			return cmpInt(a.num, b.num), nil
		}
		if a.typ == Integer && b.typ == Integer {
			return bigOf(a).Cmp(bigOf(b)), nil
		}
		bf, _, err := b.AsFloat64()
		if err != nil {
			return 0, err
		}
		return cmpFloat(numAsFloat(a), bf), nil
	case String, Comment, Raw, Guid, Uri:
		bs, _, err := b.AsString()
		if err != nil {
			return 0, err
		}
		// Ordinal comparison; UTF-8 byte order equals UTF-16 order except
		// for characters above U+FFFF against U+E000..U+FFFF.
		return strings.Compare(a.str, bs), nil
	case Boolean:
		bb, _, err := b.AsBool()
		if err != nil {
			return 0, err
		}
		return cmpInt(a.num, boolNum(bb)), nil
	case Date:
		bd, _, err := b.AsDateTime()
		if err != nil {
			return 0, err
		}
		return cmpInt(a.dtv().Ticks(), bd.Ticks()), nil
	case TimeSpan:
		if b.typ == TimeSpan {
			return cmpInt(a.num, b.num), nil
		}
	}
	return 0, argErr("Can not compare objects of type " + a.typ.String() + " and " + b.typ.String() + ".")
}

func boolNum(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	case a == b:
		return 0
	case math.IsNaN(a) && math.IsNaN(b):
		return 0
	case math.IsNaN(a):
		return -1
	}
	return 1
}

func (p *pathParser) parseQuery(closeCh byte) pathStep {
	p.i++
	p.ensure("Path ended with open indexer.")
	if p.expr[p.i] != '(' {
		p.fail("Unexpected character while parsing path indexer: " + string(p.expr[p.i]))
	}
	p.i++
	e := p.parseExpression()
	p.i++
	p.eatSpace()
	p.ensure("Path ended with open indexer.")
	if p.expr[p.i] != closeCh {
		p.fail("Unexpected character while parsing path indexer: " + string(p.expr[p.i]))
	}
	return pathStep{kind: stepQuery, query: e}
}

func (p *pathParser) match(s string) bool {
	if strings.HasPrefix(p.expr[p.i:], s) {
		p.i += len(s)
		return true
	}
	return false
}

// parseExpression follows Json.NET's left-to-right grouping: "a && b || c"
// nests as a && (b || c).
func (p *pathParser) parseExpression() queryExpr {
	var root queryExpr
	var parent *compositeQuery
	for p.i < len(p.expr) {
		left := p.parseSide()
		var right queryOperand
		op := opExists
		if c := p.expr[p.i]; c != ')' && c != '|' && c != '&' {
			op = p.parseOperator()
			right = p.parseSide()
		}
		be := &boolQuery{op: op, left: left, right: right}
		switch p.expr[p.i] {
		case ')':
			if parent != nil {
				parent.exprs = append(parent.exprs, be)
				return root
			}
			return be
		case '&', '|':
			want := opAnd
			tok := "&&"
			if p.expr[p.i] == '|' {
				want, tok = opOr, "||"
			}
			if !p.match(tok) {
				p.fail("Unexpected character while parsing path query: " + string(p.expr[p.i]))
			}
			if parent == nil || parent.op != want {
				c := &compositeQuery{op: want}
				if parent != nil {
					parent.exprs = append(parent.exprs, c)
				}
				parent = c
				if root == nil {
					root = c
				}
			}
			parent.exprs = append(parent.exprs, be)
		}
	}
	p.fail("Path ended with open query.")
	return nil
}

func (p *pathParser) parseSide() queryOperand {
	p.eatSpace()
	p.ensure("Path ended with open query.")
	var o queryOperand
	switch c := p.expr[p.i]; {
	case c == '$' || c == '@':
		o.fromRoot = c == '$'
		p.i++
		if p.parsePath(&o.path, p.i, true) {
			p.fail("Path ended with open query.")
		}
	case c == '\'' || c == '"':
		o.value = NewString(p.readQuoted())
	case c == '-' || (c >= '0' && c <= '9'):
		start := p.i
		for p.i < len(p.expr) && p.expr[p.i] != ' ' && p.expr[p.i] != ')' {
			p.i++
		}
		text := p.expr[start:p.i]
		if strings.ContainsAny(text, ".Ee") {
			f, err := strconv.ParseFloat(text, 64)
			if err != nil {
				p.fail("Could not read query value.")
			}
			o.value = NewFloat(f)
		} else {
			v, err := strconv.ParseInt(text, 10, 64)
			if err != nil {
				p.fail("Could not read query value.")
			}
			o.value = NewInt(v)
		}
	case p.match("true"):
		o.value = NewBool(true)
	case p.match("false"):
		o.value = NewBool(false)
	case p.match("null"):
		o.value = NewNull()
	default:
		p.fail("Unexpected character while parsing path query: " + string(c))
	}
	p.eatSpace()
	p.ensure("Path ended with open query.")
	return o
}

func (p *pathParser) parseOperator() queryOp {
	if p.i+1 >= len(p.expr) {
		p.fail("Path ended with open query.")
	}
	for _, o := range []struct {
		s  string
		op queryOp
	}{{"===", opStrictEq}, {"==", opEq}, {"!==", opStrictNe}, {"!=", opNe}, {"<>", opNe}, {"<=", opLe}, {"<", opLt}, {">=", opGe}, {">", opGt}} {
		if p.match(o.s) {
			return o.op
		}
	}
	p.fail("Could not read query operator.")
	return 0
}
