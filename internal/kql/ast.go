package kql

// The syntax tree. Every node records the byte offset where it starts (Pos),
// which the binder turns into a line and column for its errors.

// query is a whole query: let statements, then one tabular expression.
type query struct {
	lets []*letStmt
	body *pipeline
}

// letStmt binds a name to a scalar expression or a tabular expression.
type letStmt struct {
	pos     int
	name    string
	scalar  expr      // set for a scalar let
	tabular *pipeline // set for a tabular let
}

// pipeline is a source followed by operators joined by '|'.
type pipeline struct {
	pos    int
	source string // table or let-bound name
	ops    []operator
}

// operator is one tabular operator of a pipeline.
type operator interface{ opPos() int }

// assign is "name = expr" or a bare expression (name empty) in project,
// extend, summarize and distinct.
type assign struct {
	pos   int
	name  string
	names []string // (a, b) = percentiles(...)
	x     expr
}

// sortKey is one key of sort and top.
type sortKey struct {
	x          expr
	desc       bool
	nullsFirst *bool
}

type (
	whereOp struct {
		pos  int
		pred expr
	}
	projectOp struct {
		pos   int
		items []assign
	}
	projectAwayOp struct {
		pos   int
		names []*ident
	}
	projectRenameOp struct {
		pos   int
		pairs []renamePair
	}
	extendOp struct {
		pos   int
		items []assign
	}
	summarizeOp struct {
		pos  int
		aggs []assign
		by   []assign
	}
	takeOp struct {
		pos int
		n   expr
	}
	topOp struct {
		pos int
		n   expr
		by  []sortKey
	}
	sortOp struct {
		pos  int
		keys []sortKey
	}
	distinctOp struct {
		pos   int
		star  bool
		items []assign
	}
	countOp struct{ pos int }
)

// renamePair is "new = old" in project-rename.
type renamePair struct {
	newName string
	newPos  int
	old     *ident
}

func (o *whereOp) opPos() int         { return o.pos }
func (o *projectOp) opPos() int       { return o.pos }
func (o *projectAwayOp) opPos() int   { return o.pos }
func (o *projectRenameOp) opPos() int { return o.pos }
func (o *extendOp) opPos() int        { return o.pos }
func (o *summarizeOp) opPos() int     { return o.pos }
func (o *takeOp) opPos() int          { return o.pos }
func (o *topOp) opPos() int           { return o.pos }
func (o *sortOp) opPos() int          { return o.pos }
func (o *distinctOp) opPos() int      { return o.pos }
func (o *countOp) opPos() int         { return o.pos }

// expr is a scalar expression.
type expr interface{ exprPos() int }

type (
	ident struct {
		pos  int
		name string
	}
	// literal is a constant: typ says which field holds it.
	literal struct {
		pos  int
		typ  Type
		null bool
		i    int64 // int, long, datetime (ns), timespan (ns), bool (0/1)
		f    float64
		s    string
	}
	binary struct {
		pos  int // position of the operator
		op   string
		l, r expr
	}
	unary struct {
		pos int
		op  string
		x   expr
	}
	call struct {
		pos  int
		name string
		args []expr
		star bool // arg_max(x, *)
	}
	between struct {
		pos    int
		not    bool
		x      expr
		lo, hi expr
	}
	inList struct {
		pos  int
		op   string // in, !in, in~, !in~, has_any
		x    expr
		list []expr
	}
	member struct {
		pos  int
		x    expr
		name string
	}
	index struct {
		pos int
		x   expr
		idx expr
	}
	paren struct {
		pos int
		x   expr
	}
)

func (e *ident) exprPos() int   { return e.pos }
func (e *literal) exprPos() int { return e.pos }
func (e *binary) exprPos() int  { return e.l.exprPos() }
func (e *unary) exprPos() int   { return e.pos }
func (e *call) exprPos() int    { return e.pos }
func (e *between) exprPos() int { return e.x.exprPos() }
func (e *inList) exprPos() int  { return e.x.exprPos() }
func (e *member) exprPos() int  { return e.x.exprPos() }
func (e *index) exprPos() int   { return e.x.exprPos() }
func (e *paren) exprPos() int   { return e.pos }
