package kql

import (
	"fmt"
	"math"
	"math/big"
	"regexp"
	"strconv"
	"strings"
)

// value is a compiled scalar expression.
type value struct {
	sql string
	typ Type
	agg bool     // contains an aggregation
	lit *literal // set when the value is a constant
}

var invalid = value{sql: "NULL", typ: Invalid}

// aggregates are the aggregation functions of summarize.
var aggregates = map[string]bool{
	"count": true, "countif": true, "sum": true, "avg": true, "min": true, "max": true, "dcount": true,
	"percentile": true, "percentiles": true, "make_set": true, "make_list": true, "arg_max": true, "arg_min": true,
	"sumif": true, "avgif": true, "dcountif": true,
}

// scalarFuncs are the scalar functions, for suggestions.
var scalarFuncs = []string{
	"ago", "now", "bin", "floor", "case", "iff", "iif", "not", "isempty", "isnotempty", "isnull", "isnotnull",
	"tostring", "toint", "tolong", "todouble", "toreal", "todatetime", "totimespan", "tobool", "toboolean",
	"strcat", "extract", "tolower", "toupper", "strlen",
}

func (c *compiler) lit(l *literal) value {
	v := value{typ: l.typ, lit: l}
	switch {
	case l.null:
		v.sql = "NULL"
	case l.typ == Real:
		switch {
		case math.IsNaN(l.f):
			v.sql = "NULL"
		case math.IsInf(l.f, 1):
			v.sql = "9e999"
		case math.IsInf(l.f, -1):
			v.sql = "-9e999"
		default:
			s := strconv.FormatFloat(l.f, 'g', -1, 64)
			if !strings.ContainsAny(s, ".e") {
				s += ".0"
			}
			v.sql = s
		}
	case l.typ == String || l.typ == Dynamic:
		v.sql = c.param(l.s)
	default:
		v.sql = strconv.FormatInt(l.i, 10)
	}
	return v
}

func (c *compiler) expr(sc *scope, e expr) value {
	switch x := e.(type) {
	case *literal:
		return c.lit(x)
	case *paren:
		v := c.expr(sc, x.x)
		if v.lit == nil {
			v.sql = "(" + v.sql + ")"
		}
		return v
	case *ident:
		return c.ident(sc, x)
	case *unary:
		v := c.expr(sc, x.x)
		if v.typ == Invalid {
			return invalid
		}
		if !v.typ.numeric() && v.typ != Timespan {
			c.errorf(x.pos, "unary '-' applies to numbers and timespans, not %s", v.typ)
			return invalid
		}
		return value{sql: "(-" + v.sql + ")", typ: v.typ, agg: v.agg}
	case *binary:
		return c.binary(sc, x)
	case *between:
		return c.between(sc, x)
	case *inList:
		return c.in(sc, x)
	case *member, *index:
		return c.path(sc, e)
	case *call:
		return c.call(sc, x)
	}
	panic(fmt.Sprintf("kql: unknown expression %T", e))
}

func (c *compiler) ident(sc *scope, x *ident) value {
	for i := len(sc.cols) - 1; i >= 0; i-- {
		if sc.cols[i].name == x.name {
			cl := sc.cols[i]
			s := cl.sql
			if s != c.d.Quote(cl.name) && !strings.HasPrefix(s, "(") {
				s = "(" + s + ")"
			}
			return value{sql: s, typ: cl.typ}
		}
	}
	if l, ok := c.lets[x.name]; ok && l.scalar != nil {
		return *l.scalar
	}
	var cands []string
	for _, cl := range sc.cols {
		cands = append(cands, cl.name)
	}
	for n, l := range c.lets {
		if l.scalar != nil {
			cands = append(cands, n)
		}
	}
	c.errorf(x.pos, "%s", unknownName("scalar expression", sc.op, x.name, cands, sc.aliases))
	return invalid
}

// comparable reports whether values of types a and b can be compared.
func comparable(a, b Type) bool {
	return a == b || a.numeric() && b.numeric() || a == Dynamic || b == Dynamic
}

// unify returns the type of a value that is either a or b (for case and
// iff), or Invalid.
func unify(a, b Type) Type {
	switch {
	case a == b:
		return a
	case a.numeric() && b.numeric():
		if a == Real || b == Real {
			return Real
		}
		return Long
	}
	return Invalid
}

// asString converts v to Kusto's string form of it.
func (c *compiler) asString(v value) value {
	s := v.sql
	switch v.typ {
	case String:
		return v
	case Int, Long:
		s = "coalesce(CAST(" + v.sql + " AS TEXT), '')"
	case Real:
		s = c.d.Op(OpFormatReal, v.sql)
	case Bool:
		s = "(CASE WHEN " + v.sql + " IS NULL THEN '' WHEN " + v.sql + " THEN 'true' ELSE 'false' END)"
	case DateTime:
		s = c.d.Op(OpFormatDateTime, v.sql)
	case Timespan:
		s = c.d.Op(OpFormatTimespan, v.sql)
	case Dynamic:
		s = c.d.Op(OpFormatDynamic, v.sql)
	}
	return value{sql: s, typ: String, agg: v.agg}
}

// coerce makes a dynamic value comparable with a value of type t.
func (c *compiler) coerce(v value, t Type) value {
	if v.typ != Dynamic || t == Dynamic {
		return v
	}
	s := c.asString(v)
	switch {
	case t == String:
		return s
	case t.integer():
		return value{sql: c.d.Op(OpToLong, s.sql), typ: Long, agg: v.agg}
	case t == Real:
		return value{sql: c.d.Op(OpToReal, s.sql), typ: Real, agg: v.agg}
	case t == DateTime:
		return value{sql: c.d.Op(OpToDateTime, s.sql), typ: DateTime, agg: v.agg}
	case t == Timespan:
		return value{sql: c.d.Op(OpToTimespan, s.sql), typ: Timespan, agg: v.agg}
	case t == Bool:
		return value{sql: c.d.Op(OpToBool, s.sql), typ: Bool, agg: v.agg}
	}
	return v
}

func (c *compiler) binary(sc *scope, x *binary) value {
	l := c.expr(sc, x.l)
	r := c.expr(sc, x.r)
	if l.typ == Invalid || r.typ == Invalid {
		return invalid
	}
	agg := l.agg || r.agg
	out := func(s string, t Type) value { return value{sql: "(" + s + ")", typ: t, agg: agg} }
	switch x.op {
	case "and", "or":
		if l.typ != Bool || r.typ != Bool {
			c.errorf(x.pos, "'%s' expects bool operands, not %s and %s", x.op, l.typ, r.typ)
			return invalid
		}
		return out(l.sql+" "+strings.ToUpper(x.op)+" "+r.sql, Bool)
	case "==", "!=", "<", "<=", ">", ">=":
		if !comparable(l.typ, r.typ) {
			c.errorf(x.pos, "cannot compare values of types %s and %s with '%s'; convert one with tostring(), tolong() or todatetime()", l.typ, r.typ, x.op)
			return invalid
		}
		l, r = c.coerce(l, r.typ), c.coerce(r, l.typ)
		op := x.op
		if op == "==" {
			op = "="
		} else if op == "!=" {
			op = "<>"
		}
		return out(l.sql+" "+op+" "+r.sql, Bool)
	case "=~", "!~":
		ls, rs := c.asString(l), c.asString(r)
		s := c.d.Op(OpEqualFold, ls.sql, rs.sql)
		if x.op == "!~" {
			s = "NOT " + s
		}
		return out(s, Bool)
	case "matches regex":
		if r.typ != String {
			c.errorf(x.r.exprPos(), "matches regex expects a string pattern, not %s", r.typ)
			return invalid
		}
		if r.lit != nil {
			if _, err := regexp.Compile(r.lit.s); err != nil {
				c.errorf(x.r.exprPos(), "invalid regular expression: %v", strings.TrimPrefix(err.Error(), "error parsing regexp: "))
				return invalid
			}
		}
		return out(c.d.Op(OpRegex, c.asString(l).sql, r.sql), Bool)
	case "+", "-", "*", "/", "%":
		return c.arith(x, l, r)
	}
	if op, not := stringOp(x.op); op >= 0 {
		if l.typ == Dynamic || !isScalarText(l.typ) || !isScalarText(r.typ) {
			if l.typ != Dynamic {
				c.errorf(x.pos, "'%s' expects string operands, not %s and %s", x.op, l.typ, r.typ)
				return invalid
			}
		}
		s := c.d.Op(op, c.asString(l).sql, c.asString(r).sql)
		if not {
			s = "NOT " + s
		}
		return out(s, Bool)
	}
	c.errorf(x.pos, "unsupported operator '%s'", x.op)
	return invalid
}

// isScalarText reports whether a value of type t may be the operand of a
// string operator (Kusto converts non-strings with tostring).
func isScalarText(t Type) bool { return t != Invalid }

// stringOp maps a string operator to its Op and whether it is negated.
func stringOp(name string) (Op, bool) {
	not := strings.HasPrefix(name, "!")
	switch strings.TrimPrefix(name, "!") {
	case "has":
		return OpHas, not
	case "has_cs":
		return OpHasCS, not
	case "hasprefix":
		return OpHasPrefix, not
	case "hassuffix":
		return OpHasSuffix, not
	case "contains":
		return OpContains, not
	case "contains_cs":
		return OpContainsCS, not
	case "startswith":
		return OpStartsWith, not
	case "startswith_cs":
		return OpStartsWithCS, not
	case "endswith":
		return OpEndsWith, not
	case "endswith_cs":
		return OpEndsWithCS, not
	}
	return -1, false
}

// arith compiles + - * / % with Kusto's typing: integers stay integers
// (division truncates), datetime - datetime is a timespan, datetime ±
// timespan a datetime.
func (c *compiler) arith(x *binary, l, r value) value {
	agg := l.agg || r.agg
	lt, rt := l.typ, r.typ
	res := Invalid
	s := l.sql + " " + x.op + " " + r.sql
	switch {
	case lt.numeric() && rt.numeric():
		res = unify(lt, rt)
		if lt == Int && rt == Int {
			res = Int
		}
	case x.op == "+" && (lt == DateTime && rt == Timespan || lt == Timespan && rt == DateTime):
		res = DateTime
	case x.op == "-" && lt == DateTime && rt == Timespan:
		res = DateTime
	case x.op == "-" && lt == DateTime && rt == DateTime:
		res = Timespan
	case (x.op == "+" || x.op == "-") && lt == Timespan && rt == Timespan:
		res = Timespan
	case x.op == "*" && (lt == Timespan && rt.numeric() || lt.numeric() && rt == Timespan):
		res = Timespan
		s = "CAST(" + s + " AS INTEGER)"
	case x.op == "/" && lt == Timespan && rt.numeric():
		res = Timespan
		s = "CAST(" + s + " AS INTEGER)"
	case x.op == "/" && lt == Timespan && rt == Timespan:
		res = Real
		s = "CAST(" + l.sql + " AS REAL) / " + r.sql
	case x.op == "%" && lt == Timespan && rt == Timespan:
		res = Timespan
	}
	if res == Invalid {
		c.errorf(x.pos, "operator '%s' cannot apply to %s and %s", x.op, lt, rt)
		return invalid
	}
	if x.op == "%" && res == Real {
		c.errorf(x.pos, "operator '%%' applies to integers")
		return invalid
	}
	v := value{sql: "(" + s + ")", typ: res, agg: agg}
	// Fold constant integer arithmetic (ago(1d + 2h), take 2*5).
	if l.lit != nil && r.lit != nil && !l.lit.null && !r.lit.null && res != Real && lt != Real && rt != Real && !strings.HasPrefix(s, "CAST") {
		a, b := l.lit.i, r.lit.i
		var n int64
		ok := true
		switch x.op {
		case "+":
			n = a + b
		case "-":
			n = a - b
		case "*":
			n = a * b
		case "/", "%":
			if b == 0 {
				ok = false
			} else if x.op == "/" {
				n = a / b
			} else {
				n = a % b
			}
		}
		if ok {
			lt := &literal{pos: l.lit.pos, typ: res, i: n}
			return c.lit(lt)
		}
	}
	return v
}

func (c *compiler) between(sc *scope, x *between) value {
	v := c.expr(sc, x.x)
	lo := c.expr(sc, x.lo)
	hi := c.expr(sc, x.hi)
	if v.typ == Invalid || lo.typ == Invalid || hi.typ == Invalid {
		return invalid
	}
	if v.typ == DateTime && hi.typ == Timespan && lo.typ == DateTime {
		hi = value{sql: "(" + lo.sql + " + " + hi.sql + ")", typ: DateTime}
	}
	if !comparable(v.typ, lo.typ) || !comparable(v.typ, hi.typ) || v.typ == String || v.typ == Bool {
		c.errorf(x.pos, "between cannot compare %s with %s .. %s", v.typ, lo.typ, hi.typ)
		return invalid
	}
	v = c.coerce(v, lo.typ)
	op := " BETWEEN "
	if x.not {
		op = " NOT BETWEEN "
	}
	return value{sql: "(" + v.sql + op + lo.sql + " AND " + hi.sql + ")", typ: Bool, agg: v.agg || lo.agg || hi.agg}
}

func (c *compiler) in(sc *scope, x *inList) value {
	v := c.expr(sc, x.x)
	if v.typ == Invalid {
		return invalid
	}
	var items []string
	agg := v.agg
	ci := strings.HasSuffix(x.op, "~")
	for _, e := range x.list {
		iv := c.expr(sc, e)
		if iv.typ == Invalid {
			return invalid
		}
		agg = agg || iv.agg
		switch {
		case x.op == "has_any" || x.op == "!has_any" || ci:
			iv = c.asString(iv)
		case !comparable(v.typ, iv.typ):
			c.errorf(e.exprPos(), "'%s': cannot compare %s with %s", x.op, v.typ, iv.typ)
			return invalid
		}
		items = append(items, iv.sql)
	}
	switch x.op {
	case "has_any", "!has_any":
		s := c.asString(v).sql
		var ors []string
		for _, it := range items {
			ors = append(ors, c.d.Op(OpHas, s, it))
		}
		out := "(" + strings.Join(ors, " OR ") + ")"
		if x.op == "!has_any" {
			out = "(NOT " + out + ")"
		}
		return value{sql: out, typ: Bool, agg: agg}
	}
	lhs := v.sql
	if ci {
		lhs = c.d.Op(OpToLower, c.asString(v).sql)
		for i, it := range items {
			items[i] = c.d.Op(OpToLower, it)
		}
	} else if v.typ == Dynamic {
		lhs = c.asString(v).sql
	}
	op := " IN "
	if strings.HasPrefix(x.op, "!") {
		op = " NOT IN "
	}
	return value{sql: "(" + lhs + op + "(" + strings.Join(items, ", ") + "))", typ: Bool, agg: agg}
}

// path compiles x.name and x[i] on dynamic values to a JSON path.
func (c *compiler) path(sc *scope, e expr) value {
	var steps []string
	for {
		switch x := e.(type) {
		case *member:
			steps = append(steps, "."+jsonKey(x.name))
			e = x.x
			continue
		case *index:
			l, ok := x.idx.(*literal)
			switch {
			case ok && (l.typ == Long || l.typ == Int) && !l.null:
				if l.i < 0 {
					steps = append(steps, fmt.Sprintf("[#%d]", l.i))
				} else {
					steps = append(steps, fmt.Sprintf("[%d]", l.i))
				}
			case ok && l.typ == String:
				steps = append(steps, "."+jsonKey(l.s))
			default:
				c.errorf(x.idx.exprPos(), "an index into a dynamic value must be a constant integer or string")
				return invalid
			}
			e = x.x
			continue
		}
		break
	}
	base := c.expr(sc, e)
	if base.typ == Invalid {
		return invalid
	}
	if base.typ != Dynamic {
		c.errorf(e.exprPos(), "'.' and '[]' apply to dynamic values, not to %s", base.typ)
		return invalid
	}
	p := "$"
	for i := len(steps) - 1; i >= 0; i-- {
		p += steps[i]
	}
	return value{sql: c.d.Op(OpDynamicPath, base.sql, c.param(p)), typ: Dynamic, agg: base.agg}
}

func jsonKey(k string) string {
	if k != "" && strings.IndexFunc(k, func(r rune) bool {
		return !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	}) < 0 {
		return k
	}
	return strconv.Quote(k)
}

// ticksOffset is the time from 0001-01-01, where Kusto's datetime bins
// start, to the Unix epoch, in nanoseconds.
var ticksOffset = new(big.Int).Mul(big.NewInt(62135596800), big.NewInt(1e9))

func (c *compiler) call(sc *scope, x *call) value {
	if aggregates[x.name] {
		return c.aggregate(sc, x)
	}
	if x.star {
		c.errorf(x.pos, "%s(): '*' is allowed only in arg_max and arg_min", x.name)
		return invalid
	}
	args := make([]value, len(x.args))
	agg := false
	for i, a := range x.args {
		args[i] = c.expr(sc, a)
		if args[i].typ == Invalid {
			return invalid
		}
		agg = agg || args[i].agg
	}
	want := func(min, max int) bool {
		if len(args) < min || len(args) > max {
			if min == max {
				c.errorf(x.pos, "%s() expects %d argument(s), got %d", x.name, min, len(args))
			} else {
				c.errorf(x.pos, "%s() expects %d to %d arguments, got %d", x.name, min, max, len(args))
			}
			return false
		}
		return true
	}
	argType := func(i int, ok bool, what string) bool {
		if !ok {
			c.errorf(x.args[i].exprPos(), "%s(): argument %d must be %s, not %s", x.name, i+1, what, args[i].typ)
		}
		return ok
	}
	res := func(s string, t Type) value { return value{sql: s, typ: t, agg: agg} }
	now := c.opts.Now.UnixNano()
	switch x.name {
	case "now":
		if !want(0, 1) {
			return invalid
		}
		l := &literal{pos: x.pos, typ: DateTime, i: now}
		if len(args) == 1 {
			if !argType(0, args[0].typ == Timespan, "a timespan") {
				return invalid
			}
			if args[0].lit == nil {
				return res("("+strconv.FormatInt(now, 10)+" + "+args[0].sql+")", DateTime)
			}
			l.i += args[0].lit.i
		}
		return c.lit(l)
	case "ago":
		if !want(1, 1) || !argType(0, args[0].typ == Timespan, "a timespan") {
			return invalid
		}
		if args[0].lit != nil && !args[0].lit.null {
			return c.lit(&literal{pos: x.pos, typ: DateTime, i: now - args[0].lit.i})
		}
		return res("("+strconv.FormatInt(now, 10)+" - "+args[0].sql+")", DateTime)
	case "bin", "floor":
		if !want(2, 2) {
			return invalid
		}
		v, size := args[0], args[1]
		switch {
		case v.typ == Real || v.typ.numeric() && size.typ == Real:
			if !argType(1, size.typ.numeric(), "a number") {
				return invalid
			}
			return res(c.d.Op(OpBinReal, v.sql, size.sql), Real)
		case v.typ.integer():
			if !argType(1, size.typ.integer(), "an integer") {
				return invalid
			}
		case v.typ == DateTime || v.typ == Timespan:
			if !argType(1, size.typ == Timespan, "a timespan") {
				return invalid
			}
		default:
			argType(0, false, "a number, datetime or timespan")
			return invalid
		}
		if size.lit == nil || size.lit.null {
			c.errorf(x.args[1].exprPos(), "%s(): the bin size must be a constant", x.name)
			return invalid
		}
		s := size.lit.i
		if s <= 0 {
			c.errorf(x.args[1].exprPos(), "%s(): the bin size must be positive", x.name)
			return invalid
		}
		off := int64(0)
		if v.typ == DateTime {
			off = new(big.Int).Mod(ticksOffset, big.NewInt(s)).Int64()
		}
		t := v.typ
		if t == Int {
			t = Long
		}
		return res(fmt.Sprintf("(%[1]s - (((%[1]s + %[3]d) %% %[2]d) + %[2]d) %% %[2]d)", v.sql, s, off), t)
	case "case":
		if len(args) < 3 || len(args)%2 == 0 {
			c.errorf(x.pos, "case() expects pairs of predicate and value, then the value otherwise (an odd number of arguments, at least 3)")
			return invalid
		}
		var b strings.Builder
		b.WriteString("(CASE")
		t := args[len(args)-1].typ
		for i := 0; i+1 < len(args); i += 2 {
			if !argType(i, args[i].typ == Bool, "a bool predicate") {
				return invalid
			}
			if t = unify(t, args[i+1].typ); t == Invalid {
				c.errorf(x.args[i+1].exprPos(), "case(): the values must be of one type, and this one is %s", args[i+1].typ)
				return invalid
			}
			fmt.Fprintf(&b, " WHEN %s THEN %s", args[i].sql, args[i+1].sql)
		}
		fmt.Fprintf(&b, " ELSE %s END)", args[len(args)-1].sql)
		return res(b.String(), t)
	case "iff", "iif":
		if !want(3, 3) || !argType(0, args[0].typ == Bool, "a bool predicate") {
			return invalid
		}
		t := unify(args[1].typ, args[2].typ)
		if t == Invalid {
			c.errorf(x.args[2].exprPos(), "%s(): the two values must be of one type, not %s and %s", x.name, args[1].typ, args[2].typ)
			return invalid
		}
		return res(fmt.Sprintf("(CASE WHEN %s THEN %s ELSE %s END)", args[0].sql, args[1].sql, args[2].sql), t)
	case "not":
		if !want(1, 1) || !argType(0, args[0].typ == Bool, "bool") {
			return invalid
		}
		return res("(NOT "+args[0].sql+")", Bool)
	case "isempty", "isnotempty", "isnull", "isnotnull":
		if !want(1, 1) {
			return invalid
		}
		a := args[0].sql
		var s string
		switch {
		case x.name == "isnull":
			s = a + " IS NULL"
		case x.name == "isnotnull":
			s = a + " IS NOT NULL"
		case x.name == "isempty" && (args[0].typ == String || args[0].typ == Dynamic):
			s = a + " IS NULL OR " + a + " = ''"
		case x.name == "isempty":
			s = a + " IS NULL"
		case args[0].typ == String || args[0].typ == Dynamic:
			s = a + " IS NOT NULL AND " + a + " <> ''"
		default:
			s = a + " IS NOT NULL"
		}
		return res("("+s+")", Bool)
	case "tostring":
		if !want(1, 1) {
			return invalid
		}
		return c.asString(args[0])
	case "toint", "tolong":
		if !want(1, 1) {
			return invalid
		}
		t := Long
		if x.name == "toint" {
			t = Int
		}
		a := args[0]
		var s string
		switch {
		case a.typ.integer() || a.typ == Bool:
			s = a.sql
		case a.typ == Real:
			s = "CAST(" + a.sql + " AS INTEGER)"
		case a.typ == String || a.typ == Dynamic:
			s = c.d.Op(OpToLong, c.asString(a).sql)
		case a.typ == Timespan || a.typ == DateTime:
			s = "(" + a.sql + " / 100)" // ticks of 100 ns, as Kusto counts them
			if a.typ == DateTime {
				s = "((" + a.sql + " / 100) + 621355968000000000)"
			}
		}
		if t == Int {
			s = "(CASE WHEN " + s + " BETWEEN -2147483648 AND 2147483647 THEN " + s + " END)"
		}
		return res(s, t)
	case "todouble", "toreal":
		if !want(1, 1) {
			return invalid
		}
		a := args[0]
		switch {
		case a.typ.numeric() || a.typ == Bool:
			return res("CAST("+a.sql+" AS REAL)", Real)
		case a.typ == String || a.typ == Dynamic:
			return res(c.d.Op(OpToReal, c.asString(a).sql), Real)
		}
		argType(0, false, "a number or string")
		return invalid
	case "todatetime":
		if !want(1, 1) {
			return invalid
		}
		switch args[0].typ {
		case DateTime:
			return args[0]
		case String, Dynamic:
			if l := args[0].lit; l != nil && args[0].typ == String {
				if t, ok := parseDateTime(l.s); ok {
					return c.lit(&literal{pos: x.pos, typ: DateTime, i: t.UnixNano()})
				}
			}
			return res(c.d.Op(OpToDateTime, c.asString(args[0]).sql), DateTime)
		}
		argType(0, false, "a string or datetime")
		return invalid
	case "totimespan":
		if !want(1, 1) {
			return invalid
		}
		switch args[0].typ {
		case Timespan:
			return args[0]
		case String, Dynamic:
			return res(c.d.Op(OpToTimespan, c.asString(args[0]).sql), Timespan)
		case Int, Long:
			return res("("+args[0].sql+" * 100)", Timespan) // ticks
		}
		argType(0, false, "a string or timespan")
		return invalid
	case "tobool", "toboolean":
		if !want(1, 1) {
			return invalid
		}
		switch {
		case args[0].typ == Bool:
			return args[0]
		case args[0].typ.numeric():
			return res("("+args[0].sql+" <> 0)", Bool)
		case args[0].typ == String || args[0].typ == Dynamic:
			return res(c.d.Op(OpToBool, c.asString(args[0]).sql), Bool)
		}
		argType(0, false, "a string, number or bool")
		return invalid
	case "strcat":
		if len(args) == 0 {
			c.errorf(x.pos, "strcat() expects at least one argument")
			return invalid
		}
		parts := make([]string, len(args))
		for i, a := range args {
			parts[i] = c.asString(a).sql
		}
		return res("("+strings.Join(parts, " || ")+")", String)
	case "extract":
		if !want(3, 4) || !argType(0, args[0].typ == String, "a string pattern") || !argType(1, args[1].typ.integer(), "a capture group number") {
			return invalid
		}
		if l := args[0].lit; l != nil {
			re, err := regexp.Compile(l.s)
			if err != nil {
				c.errorf(x.args[0].exprPos(), "extract(): invalid regular expression: %v", strings.TrimPrefix(err.Error(), "error parsing regexp: "))
				return invalid
			}
			if g := args[1].lit; g != nil && (g.i < 0 || g.i > int64(re.NumSubexp())) {
				c.errorf(x.args[1].exprPos(), "extract(): the pattern has %d capture group(s), not %d", re.NumSubexp(), g.i)
				return invalid
			}
		}
		s := c.d.Op(OpExtract, args[0].sql, args[1].sql, c.asString(args[2]).sql)
		return res(s, String)
	case "tolower", "toupper":
		if !want(1, 1) {
			return invalid
		}
		op := OpToLower
		if x.name == "toupper" {
			op = OpToUpper
		}
		return res(c.d.Op(op, c.asString(args[0]).sql), String)
	case "strlen":
		if !want(1, 1) {
			return invalid
		}
		return res(c.d.Op(OpStrlen, c.asString(args[0]).sql), Long)
	}
	cands := append([]string(nil), scalarFuncs...)
	for n := range aggregates {
		cands = append(cands, n)
	}
	msg := unknownName("function", "", x.name, cands, nil)
	c.errorf(x.pos, "%s (tollgate supports %s; aggregations in summarize)", strings.Replace(msg, "Failed to resolve function named", "Unknown function:", 1), strings.Join(scalarFuncs, ", "))
	return invalid
}

// aggregate compiles an aggregation function inside summarize.
func (c *compiler) aggregate(sc *scope, x *call) value {
	if !sc.aggOK {
		if sc.inAgg {
			c.errorf(x.pos, "%s(): aggregations cannot be nested", x.name)
		} else {
			c.errorf(x.pos, "%s() is an aggregation: use it in summarize", x.name)
		}
		return invalid
	}
	if x.name == "arg_max" || x.name == "arg_min" || x.name == "percentiles" {
		c.errorf(x.pos, "%s() must be a whole aggregation of summarize, not part of an expression", x.name)
		return invalid
	}
	if x.star {
		c.errorf(x.pos, "%s(): '*' is allowed only in arg_max and arg_min", x.name)
		return invalid
	}
	sc.aggOK, sc.inAgg = false, true
	args := make([]value, len(x.args))
	for i, a := range x.args {
		args[i] = c.expr(sc, a)
	}
	sc.aggOK, sc.inAgg = true, false
	for _, a := range args {
		if a.typ == Invalid {
			return invalid
		}
	}
	want := func(n int) bool {
		if len(args) != n {
			c.errorf(x.pos, "%s() expects %d argument(s), got %d", x.name, n, len(args))
			return false
		}
		return true
	}
	res := func(s string, t Type) value { return value{sql: s, typ: t, agg: true} }
	bad := func(i int, what string) value {
		c.errorf(x.args[i].exprPos(), "%s(): argument %d must be %s, not %s", x.name, i+1, what, args[i].typ)
		return invalid
	}
	switch x.name {
	case "count":
		if len(args) == 1 {
			return res("COUNT("+args[0].sql+")", Long)
		}
		if !want(0) {
			return invalid
		}
		return res("COUNT(*)", Long)
	case "countif":
		if !want(1) {
			return invalid
		}
		if args[0].typ != Bool {
			return bad(0, "a bool predicate")
		}
		return res("COUNT(CASE WHEN "+args[0].sql+" THEN 1 END)", Long)
	case "sum", "avg":
		if !want(1) {
			return invalid
		}
		a := args[0]
		if !a.typ.numeric() && a.typ != Timespan && a.typ != Bool {
			return bad(0, "a number or timespan")
		}
		if x.name == "avg" {
			if a.typ == Timespan {
				return res("CAST(AVG("+a.sql+") AS INTEGER)", Timespan)
			}
			return res("AVG("+a.sql+")", Real)
		}
		t := a.typ
		if t.integer() || t == Bool {
			t = Long
		}
		return res("SUM("+a.sql+")", t)
	case "sumif", "avgif":
		if !want(2) {
			return invalid
		}
		if args[1].typ != Bool {
			return bad(1, "a bool predicate")
		}
		if !args[0].typ.numeric() {
			return bad(0, "a number")
		}
		cond := "CASE WHEN " + args[1].sql + " THEN " + args[0].sql + " END"
		if x.name == "avgif" {
			return res("AVG("+cond+")", Real)
		}
		t := args[0].typ
		if t == Int {
			t = Long
		}
		return res("SUM("+cond+")", t)
	case "min", "max":
		if !want(1) {
			return invalid
		}
		if args[0].typ == Dynamic {
			return bad(0, "a scalar")
		}
		return res(strings.ToUpper(x.name)+"("+args[0].sql+")", args[0].typ)
	case "dcount":
		if len(args) < 1 || len(args) > 2 {
			c.errorf(x.pos, "dcount() expects the expression and an optional accuracy")
			return invalid
		}
		return res(c.d.Op(OpCountDistinct, args[0].sql), Long)
	case "dcountif":
		if !want(2) {
			return invalid
		}
		if args[1].typ != Bool {
			return bad(1, "a bool predicate")
		}
		return res(c.d.Op(OpCountDistinct, "CASE WHEN "+args[1].sql+" THEN "+args[0].sql+" END"), Long)
	case "percentile":
		if !want(2) {
			return invalid
		}
		return c.percentile(x, args[0], args[1], x.args[1])
	case "make_set", "make_list":
		if len(args) < 1 || len(args) > 2 {
			c.errorf(x.pos, "%s() expects the expression and an optional maximum size", x.name)
			return invalid
		}
		maxSize := "1048576"
		if len(args) == 2 {
			if args[1].lit == nil || !args[1].typ.integer() || args[1].lit.i <= 0 {
				return bad(1, "a positive constant integer")
			}
			maxSize = args[1].sql
		}
		op := OpMakeSet
		if x.name == "make_list" {
			op = OpMakeList
		}
		return res(c.d.Op(op, args[0].sql, maxSize, c.param(args[0].typ.String())), Dynamic)
	}
	c.errorf(x.pos, "%s() is not supported by tollgate", x.name)
	return invalid
}

func (c *compiler) percentile(x *call, v, p value, pe expr) value {
	if !v.typ.numeric() && v.typ != DateTime && v.typ != Timespan {
		c.errorf(x.args[0].exprPos(), "%s(): the values must be numbers, datetimes or timespans, not %s", x.name, v.typ)
		return invalid
	}
	if p.lit == nil || !p.typ.numeric() {
		c.errorf(pe.exprPos(), "%s(): the percentile must be a constant number", x.name)
		return invalid
	}
	pv := float64(p.lit.i)
	if p.typ == Real {
		pv = p.lit.f
	}
	if pv < 0 || pv > 100 {
		c.errorf(pe.exprPos(), "%s(): the percentile must be between 0 and 100", x.name)
		return invalid
	}
	t := v.typ
	if t == Int {
		t = Long
	}
	return value{sql: c.d.Op(OpPercentile, v.sql, strconv.FormatFloat(pv, 'g', -1, 64)), typ: t, agg: true}
}

// percentiles compiles percentiles(x, p1, p2, ...) into one column per
// percentile, named percentile_x_p.
func (c *compiler) percentiles(sc *scope, x *call) []col {
	if len(x.args) < 2 {
		c.errorf(x.pos, "percentiles() expects the expression and at least one percentile")
		return nil
	}
	sc.inAgg = true
	v := c.expr(sc, x.args[0])
	sc.inAgg = false
	if v.typ == Invalid {
		return nil
	}
	if v.agg {
		c.errorf(x.args[0].exprPos(), "percentiles(): aggregations cannot be nested")
		return nil
	}
	name := derivedName(x.args[0])
	var cols []col
	for _, pe := range x.args[1:] {
		p := c.expr(sc, pe)
		if p.typ == Invalid {
			return nil
		}
		pv := c.percentile(x, v, p, pe)
		if pv.typ == Invalid {
			return nil
		}
		l, _ := pe.(*literal)
		n := "percentile_" + name
		if l != nil {
			n += "_" + pctName(l)
		}
		cols = append(cols, col{name: n, typ: pv.typ, sql: pv.sql})
	}
	return cols
}
