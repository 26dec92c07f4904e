package syntax

import "github.com/tollgate/tollgate/internal/expr/scanner"

func (p *parser) block() *Block {
	lb := p.want("{")
	b := &Block{Pos: lb.Pos}
	for !p.is("}") {
		if p.tok().Kind == scanner.EOF {
			p.fail("expected '}' to close the block opened at offset %d", lb.Pos)
		}
		b.Stmts = append(b.Stmts, p.stmt())
	}
	b.End = p.next().End
	return b
}

func (p *parser) semi() int {
	return p.want(";").End
}

func (p *parser) stmt() Stmt {
	t := p.tok()
	if t.Kind == scanner.Punct {
		switch t.Text {
		case "{":
			return p.block()
		case ";":
			p.next()
			return &Empty{Pos: t.Pos}
		}
	}
	if t.Kind == scanner.Keyword {
		switch t.Text {
		case "return":
			p.next()
			r := &Return{Pos: t.Pos}
			if !p.is(";") {
				r.X = p.expr()
			}
			r.End = p.semi()
			return r
		case "if":
			p.next()
			p.want("(")
			s := &If{Pos: t.Pos, Cond: p.expr()}
			p.want(")")
			s.Then = p.embedded()
			if p.got("else") {
				s.Else = p.embedded()
			}
			return s
		case "while":
			p.next()
			p.want("(")
			s := &While{Pos: t.Pos, Cond: p.expr()}
			p.want(")")
			s.Body = p.embedded()
			_, s.End = s.Body.Span()
			return s
		case "do":
			p.next()
			s := &While{Pos: t.Pos, Do: true}
			s.Body = p.embedded()
			p.want("while")
			p.want("(")
			s.Cond = p.expr()
			p.want(")")
			s.End = p.semi()
			return s
		case "for":
			return p.forStmt()
		case "foreach":
			p.next()
			p.want("(")
			s := &Foreach{Pos: t.Pos, Type: p.typeRef()}
			n := p.ident()
			s.Name, s.NamePos = identName(n), n.Pos
			p.want("in")
			s.X = p.expr()
			p.want(")")
			s.Body = p.embedded()
			return s
		case "break", "continue":
			p.next()
			return &Branch{Pos: t.Pos, Tok: t.Text, End: p.semi()}
		case "throw":
			p.next()
			s := &Throw{Pos: t.Pos}
			if !p.is(";") {
				s.X = p.expr()
			}
			s.End = p.semi()
			return s
		case "switch":
			return p.switchStmt()
		case "try":
			return p.tryStmt()
		case "using":
			p.next()
			p.want("(")
			s := &Using{Pos: t.Pos}
			if d := p.tryDecl(); d != nil {
				s.Decl = d
			} else {
				s.X = p.expr()
			}
			p.want(")")
			s.Body = p.embedded()
			return s
		case "const":
			p.next()
			d := p.tryDecl()
			if d == nil {
				p.fail("expected a constant declaration")
			}
			d.Pos = t.Pos
			d.End = p.semi()
			return d
		case "checked", "unchecked":
			if isTok(p.peekN(1), "{") {
				p.next()
				b := p.block()
				b.Pos, b.Check = t.Pos, t.Text
				return b
			}
		case "else", "case", "catch", "finally":
			p.fail("unexpected %q", t.Text)
		}
	}
	if f := p.tryLocalFunc(); f != nil {
		return f
	}
	if d := p.tryDecl(); d != nil {
		d.End = p.semi()
		return d
	}
	x := p.expr()
	switch x.(type) {
	case *Assign, *Call, *Postfix, *New, *ThrowExpr:
	case *Unary:
		if op := x.(*Unary).Op; op != "++" && op != "--" {
			s, e := x.Span()
			panic(&Error{s, e, "only assignment, call, increment, decrement and new expressions can be used as a statement"})
		}
	default:
		s, e := x.Span()
		panic(&Error{s, e, "only assignment, call, increment, decrement and new expressions can be used as a statement"})
	}
	return &ExprStmt{X: x, End: p.semi()}
}

// embedded parses the body of if/while/for: a declaration is not allowed there.
func (p *parser) embedded() Stmt {
	return p.stmt()
}

// tryDecl parses "Type name [= init], ..." without the final ";".
func (p *parser) tryDecl() *VarDecl {
	save := p.i
	start := p.tok()
	typ := p.typeOrNil(true)
	if typ == nil || p.tok().Kind != scanner.Ident {
		p.i = save
		return nil
	}
	nt := p.peekN(1)
	if !(isTok(nt, "=") || isTok(nt, ";") || isTok(nt, ",") || isTok(nt, ")") || (nt.Kind == scanner.Keyword && nt.Text == "in")) {
		p.i = save
		return nil
	}
	d := &VarDecl{Pos: start.Pos, Type: typ}
	for {
		n := p.ident()
		v := &VarSpec{Pos: n.Pos, Name: identName(n)}
		if p.got("=") {
			if p.is("{") {
				// array initializer: int[] a = {1, 2};
				in := p.initializer(false)
				v.Init = &New{Pos: in.Pos, End: in.End, Type: &TypeRef{Pos: typ.Pos, End: typ.End, Name: typ.Name, Args: typ.Args, Array: typ.Array - 1}, Array: true, Init: in}
			} else {
				v.Init = p.expr()
			}
		}
		d.Vars = append(d.Vars, v)
		d.End = p.toks[p.i-1].End
		if !p.got(",") {
			break
		}
	}
	return d
}

// tryLocalFunc parses "Type Name(params) { ... }" or "... => expr;".
func (p *parser) tryLocalFunc() Stmt {
	save := p.i
	start := p.tok()
	typ := p.typeOrNil(true)
	if typ == nil && start.Kind == scanner.Keyword && start.Text == "void" {
		p.next()
		typ = &TypeRef{Pos: start.Pos, End: start.End, Name: "void"}
	}
	if typ == nil || p.tok().Kind != scanner.Ident || !isTok(p.peekN(1), "(") {
		p.i = save
		return nil
	}
	n := p.next()
	p.next()
	f := &LocalFunc{Pos: start.Pos, Result: typ, Name: identName(n), NamePos: n.Pos}
	for !p.is(")") {
		if p.tok().Kind == scanner.EOF {
			p.i = save
			return nil
		}
		pt := p.typeOrNil(true)
		if pt == nil || p.tok().Kind != scanner.Ident {
			p.i = save
			return nil
		}
		pn := p.next()
		f.Params = append(f.Params, &Param{Pos: pn.Pos, Name: identName(pn), Type: pt})
		if !p.got(",") {
			break
		}
	}
	if !p.is(")") {
		p.i = save
		return nil
	}
	p.next()
	if p.is("{") {
		b := p.block()
		f.Body, f.End = b, b.End
		return f
	}
	if p.got("=>") {
		f.Body = p.expr()
		f.End = p.semi()
		return f
	}
	p.i = save
	return nil
}

func (p *parser) forStmt() Stmt {
	t := p.next()
	p.want("(")
	s := &For{Pos: t.Pos}
	if !p.is(";") {
		if d := p.tryDecl(); d != nil {
			s.Init = append(s.Init, d)
		} else {
			for {
				x := p.expr()
				_, e := x.Span()
				s.Init = append(s.Init, &ExprStmt{X: x, End: e})
				if !p.got(",") {
					break
				}
			}
		}
	}
	p.want(";")
	if !p.is(";") {
		s.Cond = p.expr()
	}
	p.want(";")
	for !p.is(")") {
		s.Post = append(s.Post, p.expr())
		if !p.got(",") {
			break
		}
	}
	p.want(")")
	s.Body = p.embedded()
	return s
}

func (p *parser) switchStmt() Stmt {
	t := p.next()
	p.want("(")
	s := &Switch{Pos: t.Pos, Tag: p.expr()}
	p.want(")")
	p.want("{")
	for !p.is("}") {
		c := &Case{Pos: p.tok().Pos}
		labels := 0
		for {
			if p.got("case") {
				c.Values = append(c.Values, p.expr())
				p.want(":")
				labels++
			} else if p.is("default") && isTok(p.peekN(1), ":") {
				p.next()
				p.next()
				c.Default = true
				labels++
			} else {
				break
			}
		}
		if labels == 0 {
			p.fail("expected 'case' or 'default', found %s", describe(p.tok()))
		}
		for !p.is("case") && !p.is("}") && !(p.is("default") && isTok(p.peekN(1), ":")) {
			if p.tok().Kind == scanner.EOF {
				p.fail("expected '}' to close the switch")
			}
			c.Body = append(c.Body, p.stmt())
		}
		s.Cases = append(s.Cases, c)
	}
	s.End = p.next().End
	return s
}

func (p *parser) tryStmt() Stmt {
	t := p.next()
	s := &Try{Pos: t.Pos, Body: p.block()}
	s.End = s.Body.End
	for p.is("catch") {
		ct := p.next()
		c := &Catch{Pos: ct.Pos}
		if p.got("(") {
			c.Type = p.typeRef()
			if p.tok().Kind == scanner.Ident {
				c.Name = identName(p.next())
			}
			p.want(")")
		}
		if p.got("when") {
			p.want("(")
			c.When = p.expr()
			p.want(")")
		}
		c.Body = p.block()
		s.End = c.Body.End
		s.Catches = append(s.Catches, c)
	}
	if p.got("finally") {
		s.Finally = p.block()
		s.End = s.Finally.End
	}
	if len(s.Catches) == 0 && s.Finally == nil {
		p.fail("expected 'catch' or 'finally' after the try block")
	}
	return s
}
