package syntax

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/tollgate/tollgate/internal/expr/scanner"
)

// Error is a syntax error at the byte range [Pos, End) of the source.
type Error struct {
	Pos, End int
	Msg      string
}

// Error implements error.
func (e *Error) Error() string { return e.Msg }

// Program is a parsed policy expression: either a single expression @(...)
// or a statement block @{...}.
type Program struct {
	Src  string
	X    Expr   // for @(...)
	Body *Block // for @{...}
}

// Parse parses src, the whole "@(...)" or "@{...}" text. The first error stops
// parsing.
func Parse(src string) (prog *Program, err error) {
	if len(src) < 3 || src[0] != '@' || (src[1] != '(' && src[1] != '{') {
		return nil, &Error{0, min(2, len(src)), "a policy expression must start with @( or @{"}
	}
	closer := byte(')')
	if src[1] == '{' {
		closer = '}'
	}
	end := len(src)
	for end > 2 && isSpace(src[end-1]) {
		end--
	}
	if src[end-1] != closer {
		return nil, &Error{end, end, fmt.Sprintf("expression is not closed: expected %q at the end", closer)}
	}
	toks, terr := scanner.Tokenize(src, 2, end-1)
	if terr != nil {
		if se, ok := terr.(*scanner.Error); ok {
			return nil, &Error{se.Pos, se.Pos + 1, se.Msg}
		}
		return nil, &Error{2, 2, terr.Error()}
	}
	p := &parser{src: src, toks: toks}
	defer func() {
		if r := recover(); r != nil {
			e, ok := r.(*Error)
			if !ok {
				panic(r)
			}
			prog, err = nil, e
		}
	}()
	prog = &Program{Src: src}
	if closer == ')' {
		if p.tok().Kind == scanner.EOF {
			p.fail("empty expression")
		}
		prog.X = p.expr()
	} else {
		b := &Block{Pos: 1, End: end}
		for p.tok().Kind != scanner.EOF {
			b.Stmts = append(b.Stmts, p.stmt())
		}
		prog.Body = b
	}
	if t := p.tok(); t.Kind != scanner.EOF {
		p.failAt(t, "unexpected %s after the end of the expression", describe(t))
	}
	return prog, nil
}

// ParseExpr parses src[start:end] as one expression; used for the holes of
// interpolated strings.
func ParseExpr(src string, start, end int) (x Expr, err error) {
	toks, terr := scanner.Tokenize(src, start, end)
	if terr != nil {
		if se, ok := terr.(*scanner.Error); ok {
			return nil, &Error{se.Pos, se.Pos + 1, se.Msg}
		}
		return nil, &Error{start, start, terr.Error()}
	}
	p := &parser{src: src, toks: toks}
	defer func() {
		if r := recover(); r != nil {
			e, ok := r.(*Error)
			if !ok {
				panic(r)
			}
			x, err = nil, e
		}
	}()
	x = p.expr()
	if t := p.tok(); t.Kind != scanner.EOF {
		p.failAt(t, "unexpected %s in interpolation hole", describe(t))
	}
	return x, nil
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

type parser struct {
	src  string
	toks []scanner.Token
	i    int
}

func (p *parser) tok() *scanner.Token { return &p.toks[p.i] }

func (p *parser) peekN(n int) *scanner.Token {
	if p.i+n < len(p.toks) {
		return &p.toks[p.i+n]
	}
	return &p.toks[len(p.toks)-1]
}

func (p *parser) next() *scanner.Token {
	t := &p.toks[p.i]
	if p.i < len(p.toks)-1 {
		p.i++
	}
	return t
}

func describe(t *scanner.Token) string {
	if t.Kind == scanner.EOF {
		return "end of expression"
	}
	return strconv.Quote(t.Text)
}

func (p *parser) fail(format string, args ...any) {
	p.failAt(p.tok(), format, args...)
}

func (p *parser) failAt(t *scanner.Token, format string, args ...any) {
	panic(&Error{t.Pos, t.End, fmt.Sprintf(format, args...)})
}

// is reports whether the current token is the punctuation or keyword s.
func (p *parser) is(s string) bool {
	t := p.tok()
	return (t.Kind == scanner.Punct || t.Kind == scanner.Keyword) && t.Text == s
}

func isTok(t *scanner.Token, s string) bool {
	return (t.Kind == scanner.Punct || t.Kind == scanner.Keyword) && t.Text == s
}

func (p *parser) got(s string) bool {
	if p.is(s) {
		p.next()
		return true
	}
	return false
}

func (p *parser) want(s string) *scanner.Token {
	if !p.is(s) {
		p.fail("expected %q, found %s", s, describe(p.tok()))
	}
	return p.next()
}

func (p *parser) ident() *scanner.Token {
	t := p.tok()
	if t.Kind != scanner.Ident && !(t.Kind == scanner.Keyword && contextual[t.Text]) {
		p.fail("expected a name, found %s", describe(t))
	}
	return p.next()
}

// contextual keywords usable as names.
var contextual = map[string]bool{"var": true, "dynamic": true, "nameof": true, "when": true}

func identName(t *scanner.Token) string {
	if t.Kind == scanner.Ident && t.Str != "" {
		return t.Str
	}
	return t.Text
}

// predefined type keywords.
var predefined = map[string]bool{
	"bool": true, "byte": true, "sbyte": true, "char": true, "decimal": true, "double": true,
	"float": true, "int": true, "uint": true, "long": true, "ulong": true, "short": true,
	"ushort": true, "object": true, "string": true, "dynamic": true, "var": true,
}

// ---- types ----

// tryType parses a type at the current position, or returns nil and leaves
// the position unchanged.
func (p *parser) tryType() *TypeRef {
	save := p.i
	t := p.typeOrNil(true)
	if t == nil {
		p.i = save
	}
	return t
}

func (p *parser) typeRef() *TypeRef {
	t := p.typeOrNil(true)
	if t == nil {
		p.fail("expected a type, found %s", describe(p.tok()))
	}
	return t
}

func (p *parser) typeOrNil(allowArray bool) *TypeRef {
	t := p.tok()
	var tr *TypeRef
	switch {
	case t.Kind == scanner.Keyword && predefined[t.Text]:
		p.next()
		tr = &TypeRef{Pos: t.Pos, End: t.End, Name: t.Text}
	case t.Kind == scanner.Ident:
		p.next()
		tr = &TypeRef{Pos: t.Pos, End: t.End, Name: identName(t)}
		for {
			if p.is("<") {
				save := p.i
				args := p.typeArgs()
				if args == nil {
					p.i = save
					break
				}
				tr.Args = args
				tr.End = p.toks[p.i-1].End
			}
			if p.is(".") && p.peekN(1).Kind == scanner.Ident && len(tr.Args) == 0 {
				p.next()
				n := p.next()
				tr.Name += "." + identName(n)
				tr.End = n.End
				continue
			}
			break
		}
	default:
		return nil
	}
	if p.is("?") {
		// nullable only when what follows cannot continue a conditional expression.
		nt := p.peekN(1)
		if nt.Kind == scanner.Ident || isTok(nt, ")") || isTok(nt, ">") || isTok(nt, ",") || isTok(nt, "[") {
			tr.Nullable = true
			tr.End = p.next().End
		}
	}
	if allowArray && p.is("?[") && isTok(p.peekN(1), "]") {
		// int?[]: the scanner reads "?[" as one token
		tr.Nullable = true
		p.next()
		tr.End = p.next().End
		tr.Array++
	}
	for allowArray && p.is("[") && isTok(p.peekN(1), "]") {
		p.next()
		tr.End = p.next().End
		tr.Array++
	}
	return tr
}

// typeArgs parses "<T, U>" or returns nil.
func (p *parser) typeArgs() []*TypeRef {
	if !p.is("<") {
		return nil
	}
	p.next()
	var args []*TypeRef
	for {
		a := p.typeOrNil(true)
		if a == nil {
			return nil
		}
		args = append(args, a)
		if p.is(",") {
			p.next()
			continue
		}
		if p.is(">") {
			p.next()
			return args
		}
		return nil
	}
}

// ---- expressions ----

func (p *parser) expr() Expr {
	// lambda forms
	t := p.tok()
	if (t.Kind == scanner.Ident) && isTok(p.peekN(1), "=>") {
		p.next()
		p.next()
		return &Lambda{Pos: t.Pos, Params: []*Param{{Pos: t.Pos, Name: identName(t)}}, Body: p.lambdaBody()}
	}
	if p.is("(") {
		if l := p.tryLambda(); l != nil {
			return l
		}
	}
	if p.is("throw") {
		tt := p.next()
		return &ThrowExpr{Pos: tt.Pos, X: p.expr()}
	}
	x := p.conditional()
	if t := p.tok(); t.Kind == scanner.Punct {
		switch t.Text {
		case "=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<=", ">>=", "??=":
			p.next()
			return &Assign{X: x, Op: t.Text, OpPos: t.Pos, Y: p.expr()}
		case ">":
			// ">>=" arrives as ">" ">="
			if nt := p.peekN(1); nt.Text == ">=" && nt.Pos == t.End {
				p.next()
				p.next()
				return &Assign{X: x, Op: ">>=", OpPos: t.Pos, Y: p.expr()}
			}
		}
	}
	return x
}

func (p *parser) lambdaBody() Node {
	if p.is("{") {
		return p.block()
	}
	return p.expr()
}

// tryLambda parses "(params) => body" when the parenthesis starts one.
func (p *parser) tryLambda() Expr {
	// find the matching ")"
	depth := 0
	j := p.i
	for ; j < len(p.toks); j++ {
		tk := &p.toks[j]
		if tk.Kind == scanner.EOF {
			return nil
		}
		if isTok(tk, "(") {
			depth++
		} else if isTok(tk, ")") {
			depth--
			if depth == 0 {
				break
			}
		}
	}
	if j+1 >= len(p.toks) || !isTok(&p.toks[j+1], "=>") {
		return nil
	}
	lp := p.next()
	var params []*Param
	for !p.is(")") {
		var typ *TypeRef
		nt := p.peekN(1)
		if !(isTok(nt, ",") || isTok(nt, ")")) {
			typ = p.typeRef()
		}
		n := p.ident()
		params = append(params, &Param{Pos: n.Pos, Name: identName(n), Type: typ})
		if !p.got(",") {
			break
		}
	}
	p.want(")")
	p.want("=>")
	return &Lambda{Pos: lp.Pos, Params: params, Body: p.lambdaBody()}
}

func (p *parser) conditional() Expr {
	c := p.binary(0)
	if p.is("?") {
		p.next()
		t := p.expr()
		p.want(":")
		f := p.expr()
		return &Cond{C: c, T: t, F: f}
	}
	return c
}

// binary operator precedence levels, lowest first.
var levels = [][]string{
	{"??"},
	{"||"},
	{"&&"},
	{"|"},
	{"^"},
	{"&"},
	{"==", "!="},
	{"<", ">", "<=", ">=", "is", "as"},
	{"<<", ">>"},
	{"+", "-"},
	{"*", "/", "%"},
}

func (p *parser) binaryOp(level int) (string, int, int) {
	t := p.tok()
	if t.Kind != scanner.Punct && t.Kind != scanner.Keyword {
		return "", 0, 0
	}
	op := t.Text
	n := 1
	if op == ">" {
		if nt := p.peekN(1); nt.Text == ">" && nt.Kind == scanner.Punct && nt.Pos == t.End {
			op, n = ">>", 2
		} else if nt.Text == ">=" && nt.Pos == t.End {
			return "", 0, 0 // >>= assignment
		}
	}
	for _, o := range levels[level] {
		if o == op {
			return op, t.Pos, n
		}
	}
	return "", 0, 0
}

func (p *parser) binary(level int) Expr {
	if level == len(levels) {
		return p.unary()
	}
	x := p.binary(level + 1)
	for {
		op, pos, n := p.binaryOp(level)
		if op == "" {
			return x
		}
		for range n {
			p.next()
		}
		switch op {
		case "??": // right associative
			y := p.binary(level)
			return &Binary{X: x, Op: op, OpPos: pos, Y: y}
		case "is":
			x = p.isPattern(x)
		case "as":
			x = &As{X: x, Type: p.typeRef()}
		default:
			y := p.binary(level + 1)
			x = &Binary{X: x, Op: op, OpPos: pos, Y: y}
		}
	}
}

func (p *parser) isPattern(x Expr) Expr {
	t := p.tok()
	if t.Kind == scanner.Keyword && (t.Text == "null" || t.Text == "true" || t.Text == "false") ||
		t.Kind == scanner.String || t.Kind == scanner.Int || t.Kind == scanner.Real || t.Kind == scanner.Char || isTok(t, "-") {
		c := p.unary()
		_, e := c.Span()
		return &Is{X: x, Const: c, End: e}
	}
	typ := p.typeOrNil(true)
	if typ == nil {
		p.fail("expected a type or a constant after 'is', found %s", describe(p.tok()))
	}
	is := &Is{X: x, Type: typ, End: typ.End}
	if t := p.tok(); t.Kind == scanner.Ident {
		p.next()
		is.Name = identName(t)
		is.End = t.End
	}
	return is
}

func (p *parser) unary() Expr {
	t := p.tok()
	if t.Kind == scanner.Punct {
		switch t.Text {
		case "+", "-", "!", "~", "++", "--":
			p.next()
			x := p.unary()
			if t.Text == "-" {
				// fold negative literals so that int.MinValue parses
				if lit, ok := x.(*Literal); ok && lit.Pos == t.End {
					switch lit.Kind {
					case LitInt, LitLong, LitUInt:
						v := -lit.Value.(int64)
						k := LitInt
						if v < -1<<31 || strings.ContainsAny(p.src[lit.Pos:lit.End], "lLuU") {
							k = LitLong
						}
						return &Literal{Pos: t.Pos, End: lit.End, Kind: k, Value: v}
					case LitULong:
						if lit.Value.(uint64) == 1<<63 {
							return &Literal{Pos: t.Pos, End: lit.End, Kind: LitLong, Value: int64(-1 << 63)}
						}
					case LitDouble, LitFloat:
						return &Literal{Pos: t.Pos, End: lit.End, Kind: lit.Kind, Value: -lit.Value.(float64)}
					}
				}
			}
			return &Unary{Pos: t.Pos, Op: t.Text, X: x}
		case "(":
			if c := p.tryCast(); c != nil {
				return c
			}
		}
	}
	return p.postfix(p.primary())
}

// tryCast parses "(Type)x" when the parenthesis is a cast.
func (p *parser) tryCast() Expr {
	save := p.i
	lp := p.next()
	typ := p.typeOrNil(true)
	if typ == nil || !p.is(")") {
		p.i = save
		return nil
	}
	p.next()
	nt := p.tok()
	isCast := false
	if predefined[typ.Name] && len(typ.Args) == 0 && typ.Name != "var" {
		isCast = nt.Kind != scanner.EOF && !(nt.Kind == scanner.Punct && strings.Contains(")]};,.=?:*/%<>|&^", nt.Text[:1]) && nt.Text != "(")
	} else {
		switch nt.Kind {
		case scanner.Ident, scanner.Int, scanner.Real, scanner.String, scanner.Char, scanner.Interp:
			isCast = true
		case scanner.Keyword:
			isCast = nt.Text != "is" && nt.Text != "as"
		case scanner.Punct:
			isCast = nt.Text == "(" || nt.Text == "!" || nt.Text == "~"
		}
	}
	if !isCast {
		p.i = save
		return nil
	}
	return &Cast{Pos: lp.Pos, Type: typ, X: p.unary()}
}

func (p *parser) postfix(x Expr) Expr {
	for {
		t := p.tok()
		if t.Kind != scanner.Punct {
			return x
		}
		switch t.Text {
		case ".", "?.":
			p.next()
			n := p.ident()
			m := &Member{X: x, Name: identName(n), NamePos: n.Pos, End: n.End, NullCond: t.Text == "?."}
			if p.is("<") {
				save := p.i
				args := p.typeArgs()
				if args != nil && (p.is("(") || p.is(".") || p.is(")") || p.is(",") || p.is(";")) {
					m.TypeArgs = args
					m.End = p.toks[p.i-1].End
				} else {
					p.i = save
				}
			}
			x = m
		case "[", "?[":
			p.next()
			var args []Expr
			for {
				args = append(args, p.expr())
				if !p.got(",") {
					break
				}
			}
			e := p.want("]")
			x = &Index{X: x, Args: args, NullCond: t.Text == "?[", End: e.End}
		case "(":
			lp := p.next()
			args := p.args(")")
			e := p.want(")")
			x = &Call{Fun: x, Args: args, Lpar: lp.Pos, End: e.End}
		case "++", "--":
			p.next()
			x = &Postfix{X: x, Op: t.Text, End: t.End}
		case "!":
			// null-forgiving operator x! (C# 8) is not part of the language
			return x
		default:
			return x
		}
	}
}

func (p *parser) args(closer string) []*Arg {
	var args []*Arg
	for !p.is(closer) {
		t := p.tok()
		a := &Arg{Pos: t.Pos}
		if t.Kind == scanner.Ident && isTok(p.peekN(1), ":") {
			a.Name = identName(t)
			p.next()
			p.next()
		}
		if p.got("out") {
			a.Out = true
			// out var x / out T x / out x
			nt := p.peekN(1)
			if nt.Kind == scanner.Ident || isTok(nt, "<") || isTok(nt, ".") && p.tok().Kind == scanner.Ident && p.isDeclAhead() {
				if typ := p.tryType(); typ != nil && p.tok().Kind == scanner.Ident {
					n := p.next()
					a.OutDecl = typ
					a.X = &Ident{Pos: n.Pos, End: n.End, Name: identName(n)}
				} else {
					a.X = p.expr()
				}
			} else {
				a.X = p.expr()
			}
		} else {
			if p.got("ref") {
				a.Ref = true
			}
			a.X = p.expr()
		}
		args = append(args, a)
		if !p.got(",") {
			break
		}
	}
	return args
}

func (p *parser) isDeclAhead() bool {
	save := p.i
	defer func() { p.i = save }()
	t := p.typeOrNil(true)
	return t != nil && p.tok().Kind == scanner.Ident
}

func (p *parser) primary() Expr {
	t := p.tok()
	switch t.Kind {
	case scanner.Ident:
		p.next()
		id := &Ident{Pos: t.Pos, End: t.End, Name: identName(t)}
		// generic method call: Name<T>(...)
		if p.is("<") {
			save := p.i
			args := p.typeArgs()
			if args != nil && p.is("(") {
				return &Member{X: nil, Name: id.Name, NamePos: id.Pos, End: p.toks[p.i-1].End, TypeArgs: args}
			}
			p.i = save
		}
		return id
	case scanner.Int:
		p.next()
		return p.intLit(t)
	case scanner.Real:
		p.next()
		return p.realLit(t)
	case scanner.String:
		p.next()
		return &Literal{Pos: t.Pos, End: t.End, Kind: LitString, Value: t.Str}
	case scanner.Char:
		p.next()
		r := []rune(t.Str)
		var c rune
		if len(r) > 0 {
			c = r[0]
		}
		return &Literal{Pos: t.Pos, End: t.End, Kind: LitChar, Value: c}
	case scanner.Interp:
		p.next()
		return p.interp(t)
	case scanner.Keyword:
		switch t.Text {
		case "true", "false":
			p.next()
			return &Literal{Pos: t.Pos, End: t.End, Kind: LitBool, Value: t.Text == "true"}
		case "null":
			p.next()
			return &Literal{Pos: t.Pos, End: t.End, Kind: LitNull}
		case "new":
			return p.newExpr()
		case "default":
			p.next()
			if p.got("(") {
				typ := p.typeRef()
				e := p.want(")")
				return &Default{Pos: t.Pos, End: e.End, Type: typ}
			}
			return &Default{Pos: t.Pos, End: t.End}
		case "typeof", "nameof":
			p.next()
			p.want("(")
			to := &TypeOf{Pos: t.Pos}
			if t.Text == "typeof" {
				to.Type = p.typeRef()
			} else {
				to.NameOf = p.expr()
			}
			to.End = p.want(")").End
			return to
		case "this", "base":
			p.fail("%q is not available in policy expressions", t.Text)
		case "checked", "unchecked":
			p.next()
			p.want("(")
			x := p.expr()
			e := p.want(")")
			return &Paren{Pos: t.Pos, End: e.End, X: x, Check: t.Text}
		}
		if predefined[t.Text] || contextual[t.Text] {
			p.next()
			return &Ident{Pos: t.Pos, End: t.End, Name: t.Text}
		}
	case scanner.Punct:
		if t.Text == "(" {
			p.next()
			x := p.expr()
			e := p.want(")")
			return &Paren{Pos: t.Pos, End: e.End, X: x}
		}
	}
	p.fail("unexpected %s, expected an expression", describe(t))
	return nil
}

func (p *parser) intLit(t *scanner.Token) Expr {
	s := strings.ReplaceAll(t.Text, "_", "")
	suffix := ""
	for len(s) > 0 && strings.ContainsRune("uUlL", rune(s[len(s)-1])) && !(len(s) > 2 && (s[1] == 'x' || s[1] == 'X') && false) {
		suffix = strings.ToLower(s[len(s)-1:]) + suffix
		s = s[:len(s)-1]
	}
	base := 10
	if len(s) > 2 && (s[1] == 'x' || s[1] == 'X') {
		base, s = 16, s[2:]
	} else if len(s) > 2 && (s[1] == 'b' || s[1] == 'B') {
		base, s = 2, s[2:]
	}
	v, err := strconv.ParseUint(s, base, 64)
	if err != nil {
		p.failAt(t, "integral constant is too large")
	}
	hasU := strings.Contains(suffix, "u")
	hasL := strings.Contains(suffix, "l")
	lit := &Literal{Pos: t.Pos, End: t.End}
	switch {
	case !hasU && !hasL && v <= 1<<31-1:
		lit.Kind, lit.Value = LitInt, int64(v)
	case !hasL && v <= 1<<32-1 && (hasU || v > 1<<31-1):
		lit.Kind, lit.Value = LitUInt, int64(v)
	case !hasU && v <= 1<<63-1:
		lit.Kind, lit.Value = LitLong, int64(v)
	case v == 1<<63 && !hasU:
		lit.Kind, lit.Value = LitULong, v // only valid negated
	default:
		lit.Kind, lit.Value = LitULong, v
	}
	return lit
}

func (p *parser) realLit(t *scanner.Token) Expr {
	s := strings.ReplaceAll(t.Text, "_", "")
	kind := LitDouble
	switch s[len(s)-1] {
	case 'f', 'F':
		kind, s = LitFloat, s[:len(s)-1]
	case 'd', 'D':
		s = s[:len(s)-1]
	case 'm', 'M':
		return &Literal{Pos: t.Pos, End: t.End, Kind: LitDecimal, Value: s[:len(s)-1]}
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		p.failAt(t, "invalid real literal %q", t.Text)
	}
	if kind == LitFloat {
		v = float64(float32(v))
	}
	return &Literal{Pos: t.Pos, End: t.End, Kind: kind, Value: v}
}

func (p *parser) interp(t *scanner.Token) Expr {
	in := &Interp{Pos: t.Pos, End: t.End}
	for _, part := range t.Parts {
		if !part.Hole {
			in.Parts = append(in.Parts, InterpPart{Lit: part.Lit})
			continue
		}
		x, err := ParseExpr(p.src, part.Start, part.End)
		if err != nil {
			panic(err)
		}
		ip := InterpPart{X: x, Format: part.Format}
		if part.Align != "" {
			n, err := strconv.Atoi(strings.TrimSpace(part.Align))
			if err != nil {
				panic(&Error{part.End, part.End + 1, fmt.Sprintf("alignment %q is not a constant integer", part.Align)})
			}
			ip.Align = n
		}
		in.Parts = append(in.Parts, ip)
	}
	return in
}

func (p *parser) newExpr() Expr {
	nt := p.next()
	n := &New{Pos: nt.Pos}
	switch {
	case p.is("{"): // anonymous type
		p.next()
		for !p.is("}") {
			start := p.tok()
			var m AnonMember
			if start.Kind == scanner.Ident && isTok(p.peekN(1), "=") {
				p.next()
				p.next()
				m.Name = identName(start)
				m.X = p.expr()
			} else {
				m.X = p.expr()
				switch x := m.X.(type) {
				case *Ident:
					m.Name = x.Name
				case *Member:
					m.Name = x.Name
				default:
					p.failAt(start, "invalid anonymous type member declarator")
				}
			}
			n.Anon = append(n.Anon, &m)
			if !p.got(",") {
				break
			}
		}
		n.End = p.want("}").End
		return n
	case p.is("["): // new[] {...}
		p.next()
		p.want("]")
		n.Array = true
		n.Init = p.initializer(false)
		n.End = n.Init.End
		return n
	}
	typ := p.typeOrNil(false)
	if typ == nil {
		p.fail("expected a type after 'new', found %s", describe(p.tok()))
	}
	n.Type = typ
	n.End = typ.End
	if p.is("?[") {
		typ.Nullable = true // new int?[n]: the scanner reads "?[" as one token
	}
	if p.is("[") || p.is("?[") {
		n.Array = true
		p.next()
		if !p.is("]") {
			for {
				n.Sizes = append(n.Sizes, p.expr())
				if !p.got(",") {
					break
				}
			}
		}
		n.End = p.want("]").End
		for p.is("[") && isTok(p.peekN(1), "]") {
			p.next()
			n.End = p.next().End
			typ.Array++
		}
		if p.is("{") {
			n.Init = p.initializer(false)
			n.End = n.Init.End
		} else if len(n.Sizes) == 0 {
			p.fail("array creation must have an array size or an initializer")
		}
		return n
	}
	if p.is("(") {
		p.next()
		n.Args = p.args(")")
		n.End = p.want(")").End
	} else if !p.is("{") {
		p.fail("expected '(' or '{' after 'new %s'", typ.String())
	}
	if p.is("{") {
		n.Init = p.initializer(true)
		n.End = n.Init.End
	}
	return n
}

// initializer parses "{ ... }" after new: an object initializer when every
// element is "Name = value", otherwise a collection initializer.
func (p *parser) initializer(allowObject bool) *Init {
	lb := p.want("{")
	in := &Init{Pos: lb.Pos}
	if allowObject && (p.tok().Kind == scanner.Ident && isTok(p.peekN(1), "=") || p.is("[")) {
		in.Object = true
	}
	for !p.is("}") {
		if in.Object && p.is("[") {
			p.next()
			var keys []Expr
			for !p.is("]") {
				keys = append(keys, p.expr())
				if !p.got(",") {
					break
				}
			}
			p.want("]")
			p.want("=")
			in.Names = append(in.Names, "")
			in.Keys = append(in.Keys, keys)
			if p.is("{") {
				p.fail("nested object initializers are not supported")
			}
			in.Values = append(in.Values, p.expr())
		} else if in.Object {
			in.Keys = append(in.Keys, nil)
			n := p.ident()
			p.want("=")
			in.Names = append(in.Names, identName(n))
			if p.is("{") {
				p.fail("nested object initializers are not supported")
			}
			in.Values = append(in.Values, p.expr())
		} else if p.is("{") {
			p.next()
			var elems []Expr
			for !p.is("}") {
				elems = append(elems, p.expr())
				if !p.got(",") {
					break
				}
			}
			p.want("}")
			in.Elems = append(in.Elems, elems)
		} else {
			in.Elems = append(in.Elems, []Expr{p.expr()})
		}
		if !p.got(",") {
			break
		}
	}
	in.End = p.want("}").End
	return in
}
