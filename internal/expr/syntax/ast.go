package syntax

// Node is any syntax tree node. Span returns the byte range [start, end) of
// the node in the expression source.
type Node interface {
	Span() (start, end int)
}

// Expr is an expression node.
type Expr interface {
	Node
	exprNode()
}

// Stmt is a statement node.
type Stmt interface {
	Node
	stmtNode()
}

// TypeRef is a written type: a possibly dotted name with type arguments,
// array ranks and a nullable mark, e.g. "Dictionary<string,int>[]" or "int?".
type TypeRef struct {
	Pos, End int
	Name     string     // "string", "JObject", "System.Text.Encoding"
	Args     []*TypeRef // generic arguments
	Nullable bool       // T?
	Array    int        // number of [] suffixes
}

// Span implements Node.
func (t *TypeRef) Span() (int, int) { return t.Pos, t.End }

// String renders t as C# source.
func (t *TypeRef) String() string {
	s := t.Name
	if len(t.Args) > 0 {
		s += "<"
		for i, a := range t.Args {
			if i > 0 {
				s += ","
			}
			s += a.String()
		}
		s += ">"
	}
	if t.Nullable {
		s += "?"
	}
	for range t.Array {
		s += "[]"
	}
	return s
}

// LitKind classifies literals.
type LitKind uint8

// Literal kinds.
const (
	LitNull LitKind = iota
	LitBool
	LitInt     // int32 (Value int64)
	LitUInt    // uint32 (Value int64)
	LitLong    // int64 (Value int64)
	LitULong   // uint64 (Value uint64)
	LitDouble  // Value float64
	LitFloat   // Value float64
	LitDecimal // Value string (the digits as written, without suffix)
	LitString  // Value string
	LitChar    // Value rune
)

type (
	// Ident is a simple name: a local, a parameter, "context", a type or
	// namespace name.
	Ident struct {
		Pos, End int
		Name     string
	}

	// Literal is a constant.
	Literal struct {
		Pos, End int
		Kind     LitKind
		Value    any
	}

	// Interp is an interpolated string $"...{x,align:fmt}...".
	Interp struct {
		Pos, End int
		Parts    []InterpPart
	}

	// Member is X.Name, X?.Name or X.Name<TypeArgs>.
	Member struct {
		X        Expr
		Name     string
		NamePos  int
		End      int
		NullCond bool
		TypeArgs []*TypeRef
	}

	// Index is X[Args] or X?[Args].
	Index struct {
		X        Expr
		Args     []Expr
		NullCond bool
		End      int
	}

	// Call is Fun(Args).
	Call struct {
		Fun  Expr
		Args []*Arg
		Lpar int
		End  int
	}

	// Unary is a prefix operator: + - ! ~ ++ --.
	Unary struct {
		Pos int
		Op  string
		X   Expr
	}

	// Postfix is X++ or X--.
	Postfix struct {
		X   Expr
		Op  string
		End int
	}

	// Binary is X Op Y for arithmetic, comparison, logical, bit and ?? operators.
	Binary struct {
		X     Expr
		Op    string
		OpPos int
		Y     Expr
	}

	// Assign is X = Y or a compound assignment such as X += Y or X ??= Y.
	Assign struct {
		X     Expr
		Op    string // "=", "+=", ..., "??="
		OpPos int
		Y     Expr
	}

	// Cond is C ? T : F.
	Cond struct {
		C, T, F Expr
	}

	// Cast is (Type)X.
	Cast struct {
		Pos  int
		Type *TypeRef
		X    Expr
	}

	// Is is "X is Type", "X is Type name" or "X is null" / "X is constant".
	Is struct {
		X     Expr
		Type  *TypeRef // nil for a constant pattern
		Const Expr     // constant pattern
		Name  string   // declared pattern variable, or ""
		End   int
	}

	// As is "X as Type".
	As struct {
		X    Expr
		Type *TypeRef
	}

	// Default is default(T) or the default literal.
	Default struct {
		Pos, End int
		Type     *TypeRef // nil for the literal
	}

	// TypeOf is typeof(T) or nameof(x).
	TypeOf struct {
		Pos, End int
		Type     *TypeRef
		NameOf   Expr
	}

	// New is an object, array or anonymous object creation.
	New struct {
		Pos, End int
		Type     *TypeRef // nil for new[] and anonymous types
		Array    bool     // an array creation: new T[n], new T[] {..}, new[] {..}
		Sizes    []Expr   // new T[n]
		Args     []*Arg   // constructor arguments
		Init     *Init    // object or collection initializer, or array elements
		Anon     []*AnonMember
	}

	// Lambda is "x => body" or "(a, b) => { ... }".
	Lambda struct {
		Pos    int
		Params []*Param
		Body   Node // Expr or *Block
	}

	// Paren is (X); kept so that spans cover the parentheses.
	Paren struct {
		Pos, End int
		X        Expr
		// Check is "checked" or "unchecked" for checked(x) and
		// unchecked(x), else "".
		Check string
	}

	// Throw is a throw expression (x ?? throw new Exception()).
	ThrowExpr struct {
		Pos int
		X   Expr
	}
)

// InterpPart is literal text or a hole of an interpolated string.
type InterpPart struct {
	Lit    string
	X      Expr // nil for literal text
	Align  int  // alignment (0 if none)
	Format string
}

// Arg is one call argument.
type Arg struct {
	Pos     int
	Name    string   // named argument ("preserveContent: true"), or ""
	Out     bool     // out argument
	Ref     bool     // ref argument
	OutDecl *TypeRef // "out var x" / "out string x": the declared type ("var" for var)
	X       Expr     // the value, or the target of out; for out declarations an *Ident
}

// Init is an initializer: object members (Name = value), collection elements
// (each a list of one or more expressions, as in {{"a","b"}}) or array
// elements.
type Init struct {
	Pos, End int
	Object   bool
	Names    []string
	Values   []Expr
	// Keys holds, parallel to Names and Values, the index of an index
	// initializer ("[key] = value", Name empty); nil entries are members.
	Keys  [][]Expr
	Elems [][]Expr
}

// AnonMember is one member of an anonymous object: "a = 1" or a projection "x.Name".
type AnonMember struct {
	Name string
	X    Expr
}

// Param is a lambda or local function parameter.
type Param struct {
	Pos  int
	Name string
	Type *TypeRef // nil when implicit
}

// Spans.
func (x *Ident) Span() (int, int)   { return x.Pos, x.End }
func (x *Literal) Span() (int, int) { return x.Pos, x.End }
func (x *Interp) Span() (int, int)  { return x.Pos, x.End }
func (x *Member) Span() (int, int) {
	if x.X == nil {
		return x.NamePos, x.End
	}
	s, _ := x.X.Span()
	return s, x.End
}
func (x *Index) Span() (int, int)     { s, _ := x.X.Span(); return s, x.End }
func (x *Call) Span() (int, int)      { s, _ := x.Fun.Span(); return s, x.End }
func (x *Unary) Span() (int, int)     { _, e := x.X.Span(); return x.Pos, e }
func (x *Postfix) Span() (int, int)   { s, _ := x.X.Span(); return s, x.End }
func (x *Binary) Span() (int, int)    { s, _ := x.X.Span(); _, e := x.Y.Span(); return s, e }
func (x *Assign) Span() (int, int)    { s, _ := x.X.Span(); _, e := x.Y.Span(); return s, e }
func (x *Cond) Span() (int, int)      { s, _ := x.C.Span(); _, e := x.F.Span(); return s, e }
func (x *Cast) Span() (int, int)      { _, e := x.X.Span(); return x.Pos, e }
func (x *Is) Span() (int, int)        { s, _ := x.X.Span(); return s, x.End }
func (x *As) Span() (int, int)        { s, _ := x.X.Span(); return s, x.Type.End }
func (x *Default) Span() (int, int)   { return x.Pos, x.End }
func (x *TypeOf) Span() (int, int)    { return x.Pos, x.End }
func (x *New) Span() (int, int)       { return x.Pos, x.End }
func (x *Lambda) Span() (int, int)    { _, e := x.Body.Span(); return x.Pos, e }
func (x *Paren) Span() (int, int)     { return x.Pos, x.End }
func (x *ThrowExpr) Span() (int, int) { _, e := x.X.Span(); return x.Pos, e }

func (*Ident) exprNode()     {}
func (*Literal) exprNode()   {}
func (*Interp) exprNode()    {}
func (*Member) exprNode()    {}
func (*Index) exprNode()     {}
func (*Call) exprNode()      {}
func (*Unary) exprNode()     {}
func (*Postfix) exprNode()   {}
func (*Binary) exprNode()    {}
func (*Assign) exprNode()    {}
func (*Cond) exprNode()      {}
func (*Cast) exprNode()      {}
func (*Is) exprNode()        {}
func (*As) exprNode()        {}
func (*Default) exprNode()   {}
func (*TypeOf) exprNode()    {}
func (*New) exprNode()       {}
func (*Lambda) exprNode()    {}
func (*Paren) exprNode()     {}
func (*ThrowExpr) exprNode() {}

type (
	// Block is { Stmts }.
	Block struct {
		Pos, End int
		Stmts    []Stmt
		// Check is "checked" or "unchecked" for a checked { } or
		// unchecked { } block, else "".
		Check string
	}

	// ExprStmt is an expression used as a statement.
	ExprStmt struct {
		X   Expr
		End int
	}

	// VarDecl declares locals: "var x = 1;" or "string a = "", b;".
	VarDecl struct {
		Pos, End int
		Type     *TypeRef // Name "var" for implicit typing
		Vars     []*VarSpec
	}

	// Return is "return X;" (X may be nil).
	Return struct {
		Pos, End int
		X        Expr
	}

	// If is an if statement.
	If struct {
		Pos  int
		Cond Expr
		Then Stmt
		Else Stmt
	}

	// Switch is a switch statement with constant cases.
	Switch struct {
		Pos, End int
		Tag      Expr
		Cases    []*Case
	}

	// For is a for loop.
	For struct {
		Pos  int
		Init []Stmt
		Cond Expr
		Post []Expr
		Body Stmt
	}

	// Foreach is "foreach (T x in X) Body".
	Foreach struct {
		Pos     int
		Type    *TypeRef
		Name    string
		NamePos int
		X       Expr
		Body    Stmt
	}

	// While is a while loop, or a do-while loop when Do is set.
	While struct {
		Pos  int
		End  int
		Cond Expr
		Body Stmt
		Do   bool
	}

	// Branch is break or continue.
	Branch struct {
		Pos, End int
		Tok      string
	}

	// Throw is "throw X;" or a rethrow "throw;".
	Throw struct {
		Pos, End int
		X        Expr
	}

	// Try is try/catch/finally.
	Try struct {
		Pos     int
		End     int
		Body    *Block
		Catches []*Catch
		Finally *Block
	}

	// LocalFunc is a local function declaration.
	LocalFunc struct {
		Pos     int
		Result  *TypeRef
		Name    string
		NamePos int
		Params  []*Param
		Body    Node // *Block or Expr
		End     int
	}

	// Using is "using (decl or expr) Body".
	Using struct {
		Pos  int
		Decl *VarDecl
		X    Expr
		Body Stmt
	}

	// Empty is a lone ";".
	Empty struct {
		Pos int
	}
)

// VarSpec is one declared local.
type VarSpec struct {
	Pos  int
	Name string
	Init Expr
}

// Case is one switch section: its labels (nil Values and Default for default)
// and its statements.
type Case struct {
	Pos     int
	Values  []Expr
	Default bool
	Body    []Stmt
}

// Catch is one catch clause.
type Catch struct {
	Pos  int
	Type *TypeRef // nil for catch without a type
	Name string
	When Expr
	Body *Block
}

func (s *Block) Span() (int, int)    { return s.Pos, s.End }
func (s *ExprStmt) Span() (int, int) { p, _ := s.X.Span(); return p, s.End }
func (s *VarDecl) Span() (int, int)  { return s.Pos, s.End }
func (s *Return) Span() (int, int)   { return s.Pos, s.End }
func (s *If) Span() (int, int) {
	e := s.Then
	if s.Else != nil {
		e = s.Else
	}
	_, end := e.Span()
	return s.Pos, end
}
func (s *Switch) Span() (int, int)    { return s.Pos, s.End }
func (s *For) Span() (int, int)       { _, e := s.Body.Span(); return s.Pos, e }
func (s *Foreach) Span() (int, int)   { _, e := s.Body.Span(); return s.Pos, e }
func (s *While) Span() (int, int)     { return s.Pos, s.End }
func (s *Branch) Span() (int, int)    { return s.Pos, s.End }
func (s *Throw) Span() (int, int)     { return s.Pos, s.End }
func (s *Try) Span() (int, int)       { return s.Pos, s.End }
func (s *LocalFunc) Span() (int, int) { return s.Pos, s.End }
func (s *Using) Span() (int, int)     { _, e := s.Body.Span(); return s.Pos, e }
func (s *Empty) Span() (int, int)     { return s.Pos, s.Pos + 1 }

func (*Block) stmtNode()     {}
func (*ExprStmt) stmtNode()  {}
func (*VarDecl) stmtNode()   {}
func (*Return) stmtNode()    {}
func (*If) stmtNode()        {}
func (*Switch) stmtNode()    {}
func (*For) stmtNode()       {}
func (*Foreach) stmtNode()   {}
func (*While) stmtNode()     {}
func (*Branch) stmtNode()    {}
func (*Throw) stmtNode()     {}
func (*Try) stmtNode()       {}
func (*LocalFunc) stmtNode() {}
func (*Using) stmtNode()     {}
func (*Empty) stmtNode()     {}
