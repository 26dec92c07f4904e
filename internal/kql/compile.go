package kql

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Options configure Compile.
type Options struct {
	// Tables are the tables queries may name.
	Tables []*Table
	// Dialect is the SQL engine's; nil means SQLite.
	Dialect Dialect
	// Now is the time of now() and ago(); zero means time.Now(). Kusto fixes
	// it once per query, and so does Compile.
	Now time.Time
	// Since, when not zero, restricts every table that has a TimeColumn to
	// rows at or after it (the timespan of the Log Analytics query API).
	Since time.Time
	// MaxRows, when > 0, limits the result to MaxRows+1 rows, so that the
	// caller can tell that it truncated.
	MaxRows int
}

// Compiled is a query compiled to one SQL statement.
type Compiled struct {
	SQL     string
	Args    []any    // the statement's arguments, for Dialect.Param(1), ...
	Columns []Column // the result's columns, in order
}

// maxErrors bounds the errors collected for one query.
const maxErrors = 10

// Compile parses query, binds it against opts.Tables and compiles it to SQL.
// A mistake is reported as a *Error (or an ErrorList when the binder found
// several) with its line and column.
func Compile(query string, opts Options) (*Compiled, error) {
	if opts.Dialect == nil {
		opts.Dialect = SQLite
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	c := &compiler{src: query, opts: opts, d: opts.Dialect, tables: map[string]*Table{}, lets: map[string]*letValue{}}
	names := map[string]bool{}
	for _, t := range opts.Tables {
		c.tables[t.Name] = t
		names[t.Name] = true
	}
	q, err := parse(query, names)
	if err != nil {
		return nil, err
	}
	for _, l := range q.lets {
		c.let(l)
	}
	r := c.pipeline(q.body)
	if len(c.errs) == 1 {
		return nil, c.errs[0]
	}
	if len(c.errs) > 1 {
		return nil, c.errs
	}
	if opts.MaxRows > 0 && (r.limit < 0 || r.limit > int64(opts.MaxRows)+1) {
		r.limit = int64(opts.MaxRows) + 1
	}
	out := &Compiled{SQL: r.sql(c.d), Args: c.args}
	for _, col := range r.cols {
		out.Columns = append(out.Columns, Column{Name: col.name, Type: col.typ})
	}
	return out, nil
}

// compiler holds the state of one Compile.
type compiler struct {
	src    string
	opts   Options
	d      Dialect
	args   []any
	errs   ErrorList
	tables map[string]*Table
	lets   map[string]*letValue
}

// letValue is what a let statement bound: a scalar value or a relation.
type letValue struct {
	scalar *value
	rel    *rel
}

func (c *compiler) errorf(off int, format string, args ...any) {
	if len(c.errs) < maxErrors {
		c.errs = append(c.errs, errorAt(c.src, off, format, args...))
	}
}

// param adds an argument and returns its placeholder.
func (c *compiler) param(v any) string {
	for i, a := range c.args {
		if a == v {
			return c.d.Param(i + 1)
		}
	}
	c.args = append(c.args, v)
	return c.d.Param(len(c.args))
}

func (c *compiler) let(l *letStmt) {
	if _, ok := c.tables[l.name]; ok {
		c.errorf(l.pos, "let cannot rebind the table name '%s'", l.name)
		return
	}
	if l.tabular != nil {
		r := c.pipeline(l.tabular)
		c.lets[l.name] = &letValue{rel: r}
		return
	}
	v := c.expr(&scope{op: "let"}, l.scalar)
	if v.agg {
		c.errorf(l.scalar.exprPos(), "let '%s': aggregation functions are allowed only in summarize", l.name)
	}
	c.lets[l.name] = &letValue{scalar: &v}
}

// col is a column of a relation: its name, type and SQL over the relation's
// FROM clause.
type col struct {
	name string
	typ  Type
	sql  string
}

// rel is a SELECT being built; operators add to it while they can and wrap
// it in a subquery when they cannot (a where after a summarize, say).
type rel struct {
	from     string
	cols     []col
	where    []string
	groupBy  []string
	grouped  bool
	distinct bool
	orderBy  []string
	limit    int64
	aliases  map[string]Alias // of the table the rows come from
	// table is the table the rows are read from when from names it (not
	// a subquery), and bounds the times of its TimeColumn that where lets
	// through: the table's TimeBound narrows what the engine reads to
	// them.
	table  *Table
	bounds timeBounds
}

func (r *rel) sql(d Dialect) string {
	var b strings.Builder
	b.WriteString("SELECT ")
	if r.distinct {
		b.WriteString("DISTINCT ")
	}
	for i, c := range r.cols {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(c.sql)
		if c.sql != d.Quote(c.name) {
			b.WriteString(" AS ")
			b.WriteString(d.Quote(c.name))
		}
	}
	b.WriteString(" FROM ")
	b.WriteString(r.from)
	where := r.where
	if t := r.table; t != nil && t.TimeBound != nil {
		// One bound a side: SQLite walks the range of one of them only.
		where = where[:len(where):len(where)]
		lo := r.newestBound(d)
		if lo == "" && r.bounds.lo != math.MinInt64 {
			lo = strconv.FormatInt(r.bounds.lo, 10)
		}
		if lo != "" {
			where = append(where, t.TimeBound(d, true, lo))
		}
		if r.bounds.hi != math.MaxInt64 {
			where = append(where, t.TimeBound(d, false, strconv.FormatInt(r.bounds.hi, 10)))
		}
	}
	if len(where) > 0 {
		b.WriteString(" WHERE ")
		b.WriteString(strings.Join(where, " AND "))
	}
	if len(r.groupBy) > 0 {
		b.WriteString(" GROUP BY ")
		b.WriteString(strings.Join(r.groupBy, ", "))
	}
	if len(r.orderBy) > 0 {
		b.WriteString(" ORDER BY ")
		b.WriteString(strings.Join(r.orderBy, ", "))
	}
	if r.limit >= 0 {
		b.WriteString(" LIMIT ")
		b.WriteString(strconv.FormatInt(r.limit, 10))
	}
	return b.String()
}

// Bounds of newestBound: it serves a take of at most maxNewest rows, and
// looks for them among at least newestRows rows.
const (
	maxNewest  = 1000
	newestRows = 1024
)

// newestBound returns, when r takes the newest rows of its table (order
// by TimeColumn desc, take n, as the console's Requests page and top do),
// the SQL of a time every row of the result reaches, for TimeBound: that
// of the n-th newest row the where lets through among the rows stored last
// (Table.Newest), or the where's own lower bound when those hold fewer
// than n. It returns "" otherwise.
func (r *rel) newestBound(d Dialect) string {
	t := r.table
	if t == nil || t.TimeBound == nil || t.Newest == nil || r.grouped || r.distinct || r.limit <= 0 || r.limit > maxNewest || len(r.orderBy) == 0 {
		return ""
	}
	tc := d.Quote(t.TimeColumn)
	// NULLs last, as SQLite sorts them in descending order: a bound on
	// the time would drop rows without one that come first.
	if k := r.orderBy[0]; k != tc+" DESC" && k != tc+" DESC NULLS LAST" {
		return ""
	}
	// The time found meets the where, and so its lower bound.
	cond := append(r.where[:len(r.where):len(r.where)], t.Newest(d, max(newestRows, 8*r.limit), r.bounds.hi))
	return fmt.Sprintf("coalesce((SELECT %[1]s FROM %[2]s WHERE %[3]s ORDER BY %[1]s DESC LIMIT 1 OFFSET %[4]d), %[5]d)",
		tc, r.from, strings.Join(cond, " AND "), r.limit-1, max(r.bounds.lo, math.MinInt64+1))
}

// wrap returns a relation selecting every column of r from r as a subquery.
func (r *rel) wrap(d Dialect) *rel {
	n := &rel{from: "(" + r.sql(d) + ")", limit: -1, aliases: r.aliases} // no table: rowids are the subquery's
	for _, c := range r.cols {
		n.cols = append(n.cols, col{name: c.name, typ: c.typ, sql: d.Quote(c.name)})
	}
	return n
}

// plain reports whether r can take more filters and computed columns
// without changing meaning.
func (r *rel) plain() bool { return !r.grouped && !r.distinct && r.limit < 0 }

func (r *rel) names() []string {
	s := make([]string, len(r.cols))
	for i, c := range r.cols {
		s[i] = c.name
	}
	return s
}

func (r *rel) find(name string) int {
	for i, c := range r.cols {
		if c.name == name {
			return i
		}
	}
	return -1
}

// source returns the relation of a table or tabular let.
func (c *compiler) source(p *pipeline) *rel {
	if l, ok := c.lets[p.source]; ok && l.rel != nil {
		return l.rel.wrap(c.d)
	}
	t, ok := c.tables[p.source]
	if !ok {
		var cands []string
		for n := range c.tables {
			cands = append(cands, n)
		}
		for n, l := range c.lets {
			if l.rel != nil {
				cands = append(cands, n)
			}
		}
		if l, ok := c.lets[p.source]; ok && l.scalar != nil {
			c.errorf(p.pos, "'%s' is a scalar let, not a table", p.source)
		} else {
			c.errorf(p.pos, "%s", unknownName("table or column expression", "", p.source, cands, nil))
		}
		return nil
	}
	r := &rel{from: c.d.Quote(t.Name), limit: -1, aliases: t.Renamed, table: t, bounds: timeBounds{lo: math.MinInt64, hi: math.MaxInt64}}
	for _, col0 := range t.Columns {
		r.cols = append(r.cols, col{name: col0.Name, typ: col0.Type, sql: c.d.Quote(col0.Name)})
	}
	if !c.opts.Since.IsZero() && t.TimeColumn != "" {
		since := c.opts.Since.UnixNano()
		r.where = append(r.where, fmt.Sprintf("%s >= %d", c.d.Quote(t.TimeColumn), since))
		r.bounds.lo = since
	}
	return r
}

func (c *compiler) pipeline(p *pipeline) *rel {
	r := c.source(p)
	if r == nil {
		return &rel{limit: -1}
	}
	for _, op := range p.ops {
		before := len(c.errs)
		n := c.operator(r, op)
		if n == nil || len(c.errs) > before {
			// Keep binding later operators against what we know, so that
			// one query reports each unknown column once.
			if n != nil {
				r = n
			}
			continue
		}
		r = n
	}
	return r
}

// scope is what names mean inside one operator.
type scope struct {
	op      string // the operator, for messages
	cols    []col
	aliases map[string]Alias
	aggOK   bool // summarize's aggregations
	inAgg   bool // inside an aggregation's arguments
	autoN   int  // Column1, Column2 ... for unnamed expressions
}

func (c *compiler) scopeOf(r *rel, op string) *scope {
	return &scope{op: op, cols: r.cols, aliases: r.aliases}
}

func (c *compiler) operator(r *rel, op operator) *rel {
	switch o := op.(type) {
	case *whereOp:
		if !r.plain() {
			r = r.wrap(c.d)
		}
		v := c.expr(c.scopeOf(r, "where"), o.pred)
		if v.typ != Bool && v.typ != Invalid {
			c.errorf(o.pred.exprPos(), "'where' operator: the predicate is of type %s; it must be bool", v.typ)
		}
		c.noAgg(v, o.pred, "where")
		r.where = append(r.where, v.sql)
		if t := r.table; t != nil && t.TimeBound != nil && v.typ == Bool {
			c.timeBounds(c.scopeOf(r, "where"), t.TimeColumn, o.pred, &r.bounds)
		}
		return r
	case *extendOp:
		if !r.plain() {
			r = r.wrap(c.d)
		}
		sc := c.scopeOf(r, "extend")
		cols := append([]col(nil), r.cols...)
		for _, it := range o.items {
			sc.cols = cols
			v := c.expr(sc, it.x)
			c.noAgg(v, it.x, "extend")
			name := it.name
			if name == "" {
				name = c.autoName(sc, it.x)
			}
			nc := col{name: name, typ: v.typ, sql: v.sql}
			if i := findCol(cols, name); i >= 0 {
				cols[i] = nc
			} else {
				cols = append(cols, nc)
			}
		}
		r.cols = cols
		return r
	case *projectOp:
		if r.grouped || r.distinct {
			r = r.wrap(c.d)
		}
		sc := c.scopeOf(r, "project")
		var cols []col
		for _, it := range o.items {
			v := c.expr(sc, it.x)
			c.noAgg(v, it.x, "project")
			name := it.name
			if name == "" {
				name = c.autoName(sc, it.x)
			}
			cols = addCol(cols, col{name: name, typ: v.typ, sql: v.sql})
		}
		r.cols = cols
		return r
	case *projectAwayOp:
		drop := map[string]bool{}
		for _, id := range o.names {
			if r.find(id.name) < 0 {
				c.errorf(id.pos, "%s", unknownName("column", "project-away", id.name, r.names(), r.aliases))
			}
			drop[id.name] = true
		}
		var cols []col
		for _, cl := range r.cols {
			if !drop[cl.name] {
				cols = append(cols, cl)
			}
		}
		if len(cols) == 0 {
			c.errorf(o.pos, "'project-away' operator: no columns would remain")
			return r
		}
		r.cols = cols
		return r
	case *projectRenameOp:
		cols := append([]col(nil), r.cols...)
		for _, p := range o.pairs {
			i := findCol(cols, p.old.name)
			if i < 0 {
				c.errorf(p.old.pos, "%s", unknownName("column", "project-rename", p.old.name, r.names(), r.aliases))
				continue
			}
			if j := findCol(cols, p.newName); j >= 0 && j != i {
				c.errorf(p.newPos, "'project-rename' operator: a column named '%s' already exists", p.newName)
				continue
			}
			cols[i].name = p.newName
		}
		r.cols = cols
		return r
	case *summarizeOp:
		return c.summarize(r, o)
	case *takeOp:
		n, ok := c.count(r, o.n, "take")
		if !ok {
			return r
		}
		if r.limit < 0 || n < r.limit {
			r.limit = n
		}
		return r
	case *topOp:
		n, ok := c.count(r, o.n, "top")
		if !ok {
			return r
		}
		if !r.plain() {
			r = r.wrap(c.d)
		}
		r.orderBy = c.sortKeys(r, o.by, "top")
		r.limit = n
		return r
	case *sortOp:
		if r.limit >= 0 {
			r = r.wrap(c.d)
		}
		r.orderBy = c.sortKeys(r, o.keys, "sort")
		return r
	case *distinctOp:
		if !r.plain() {
			r = r.wrap(c.d)
		}
		r.orderBy = nil
		if o.star {
			r.distinct = true
			return r
		}
		sc := c.scopeOf(r, "distinct")
		var cols []col
		for _, it := range o.items {
			v := c.expr(sc, it.x)
			c.noAgg(v, it.x, "distinct")
			name := it.name
			if name == "" {
				name = c.autoName(sc, it.x)
			}
			cols = addCol(cols, col{name: name, typ: v.typ, sql: v.sql})
		}
		r.cols, r.distinct = cols, true
		return r
	case *countOp:
		if !r.plain() || len(r.orderBy) > 0 {
			r = r.wrap(c.d)
		}
		r.orderBy = nil
		r.cols = []col{{name: "Count", typ: Long, sql: "COUNT(*)"}}
		r.grouped = true
		return r
	}
	panic(fmt.Sprintf("kql: unknown operator %T", op))
}

func findCol(cols []col, name string) int {
	for i, c := range cols {
		if c.name == name {
			return i
		}
	}
	return -1
}

// addCol appends cl, renaming it Name1, Name2 ... when its name is taken, as
// Kusto does.
func addCol(cols []col, cl col) []col {
	if findCol(cols, cl.name) >= 0 {
		base := cl.name
		for i := 1; ; i++ {
			if n := base + strconv.Itoa(i); findCol(cols, n) < 0 {
				cl.name = n
				break
			}
		}
	}
	return append(cols, cl)
}

// autoName names an unnamed expression as Kusto does: a column keeps its
// name, a function of one column (bin, tostring ...) takes the column's name,
// x.y becomes x_y, anything else Column1, Column2 ...
func (c *compiler) autoName(sc *scope, e expr) string {
	if n := derivedName(e); n != "" {
		return n
	}
	sc.autoN++
	return "Column" + strconv.Itoa(sc.autoN)
}

// nameKeeping are the functions whose result keeps the name of the column
// they convert.
var nameKeeping = map[string]bool{
	"bin": true, "floor": true, "tostring": true, "toint": true, "tolong": true, "todouble": true, "toreal": true,
	"todatetime": true, "totimespan": true, "tobool": true, "toboolean": true, "tolower": true, "toupper": true,
}

func derivedName(e expr) string {
	switch x := e.(type) {
	case *ident:
		return x.name
	case *paren:
		return derivedName(x.x)
	case *call:
		if len(x.args) > 0 && nameKeeping[x.name] {
			return derivedName(x.args[0])
		}
	case *member:
		if n := derivedName(x.x); n != "" {
			return n + "_" + x.name
		}
	case *index:
		if n := derivedName(x.x); n != "" {
			if l, ok := x.idx.(*literal); ok {
				if l.typ == String {
					return n + "_" + l.s
				}
				return n + "_" + strconv.FormatInt(l.i, 10)
			}
		}
	}
	return ""
}

func (c *compiler) noAgg(v value, e expr, op string) {
	if v.agg {
		c.errorf(e.exprPos(), "'%s' operator: aggregation functions are allowed only in summarize", op)
	}
}

// count evaluates the constant row count of take and top.
func (c *compiler) count(r *rel, e expr, op string) (int64, bool) {
	v := c.expr(c.scopeOf(r, op), e)
	if v.typ == Invalid {
		return 0, false
	}
	if v.lit == nil || !v.typ.integer() || v.lit.null {
		c.errorf(e.exprPos(), "'%s' operator: the number of rows must be a constant integer", op)
		return 0, false
	}
	if v.lit.i < 0 {
		c.errorf(e.exprPos(), "'%s' operator: the number of rows must not be negative", op)
		return 0, false
	}
	return v.lit.i, true
}

func (c *compiler) sortKeys(r *rel, keys []sortKey, op string) []string {
	sc := c.scopeOf(r, op)
	sc.aggOK = false
	var out []string
	for _, k := range keys {
		v := c.expr(sc, k.x)
		c.noAgg(v, k.x, op)
		if v.typ == Dynamic {
			c.errorf(k.x.exprPos(), "'%s' operator: cannot sort by a dynamic value; convert it with tostring() or tolong()", op)
		}
		if v.lit != nil {
			continue // a constant does not order anything (and SQL would read an integer as a column number)
		}
		s := v.sql
		if k.desc {
			s += " DESC"
		} else {
			s += " ASC"
		}
		if k.nullsFirst != nil {
			if *k.nullsFirst {
				s += " NULLS FIRST"
			} else {
				s += " NULLS LAST"
			}
		}
		out = append(out, s)
	}
	return out
}

// summarize compiles summarize: the by expressions first, then the
// aggregations, as Kusto orders the result's columns.
func (c *compiler) summarize(r *rel, o *summarizeOp) *rel {
	if !r.plain() {
		r = r.wrap(c.d)
	}
	r.orderBy = nil
	sc := c.scopeOf(r, "summarize")
	var cols []col
	var groupBy []string
	for _, it := range o.by {
		v := c.expr(sc, it.x)
		c.noAgg(v, it.x, "summarize")
		if v.typ == Dynamic {
			c.errorf(it.x.exprPos(), "'summarize' operator: cannot group by a dynamic value; convert it with tostring()")
		}
		name := it.name
		if name == "" {
			name = c.autoName(sc, it.x)
		}
		cols = addCol(cols, col{name: name, typ: v.typ, sql: v.sql})
		if v.lit != nil && v.typ != String && v.typ != Dynamic {
			groupBy = append(groupBy, "("+v.sql+" + 0)") // SQL reads an integer literal as a column number
		} else {
			groupBy = append(groupBy, v.sql)
		}
	}
	nkeys := len(cols)
	extremes := 0
	bare := false
	for _, it := range o.aggs {
		call, ok := unparen(it.x).(*call)
		if ok && (call.name == "arg_max" || call.name == "arg_min") {
			extremes++
			cs := c.argExtreme(sc, r, call, cols[:nkeys])
			if len(cs) == 0 {
				continue
			}
			if it.name != "" {
				cs[0].name = it.name
			}
			for _, cl := range cs {
				cols = addCol(cols, cl)
			}
			bare = true
			continue
		}
		if ok && call.name == "percentiles" {
			for i, cl := range c.percentiles(sc, call) {
				if i < len(it.names) {
					cl.name = it.names[i]
				} else if i == 0 && it.name != "" {
					cl.name = it.name
				}
				cols = addCol(cols, cl)
			}
			continue
		}
		if ok && (call.name == "min" || call.name == "max") {
			extremes++
		}
		sc.aggOK = true
		v := c.expr(sc, it.x)
		sc.aggOK = false
		if !v.agg && v.typ != Invalid {
			what := "the expression"
			if n := derivedName(it.x); n != "" {
				what = "'" + n + "'"
			}
			c.errorf(it.x.exprPos(), "'summarize' operator: %s is not an aggregation; group by it with 'by', or aggregate it with count(), sum(), avg(), max() ...", what)
		}
		name := it.name
		if name == "" {
			name = aggName(it.x)
			if name == "" {
				name = c.autoName(sc, it.x)
			}
		}
		cols = addCol(cols, col{name: name, typ: v.typ, sql: v.sql})
	}
	if bare && extremes > 1 {
		c.errorf(o.pos, "'summarize' operator: tollgate supports arg_max and arg_min only without other min, max, arg_max or arg_min in the same summarize")
	}
	r.cols, r.groupBy, r.grouped = cols, groupBy, true
	return r
}

func unparen(e expr) expr {
	for {
		p, ok := e.(*paren)
		if !ok {
			return e
		}
		e = p.x
	}
}

// argExtreme compiles arg_max(x, cols...) and arg_min: the extreme value,
// then the returned columns (every column but the by keys for *).
func (c *compiler) argExtreme(sc *scope, r *rel, call *call, keys []col) []col {
	if !c.d.ArgExtreme() {
		c.errorf(call.pos, "%s() is not supported by this store", call.name)
		return nil
	}
	if len(call.args) < 1 || len(call.args) == 1 && !call.star {
		c.errorf(call.pos, "%s() expects the expression to maximize and the columns to return (or *)", call.name)
		return nil
	}
	v := c.expr(sc, call.args[0])
	if v.agg {
		c.errorf(call.args[0].exprPos(), "%s(): aggregations cannot be nested", call.name)
	}
	if v.typ == Dynamic {
		c.errorf(call.args[0].exprPos(), "%s(): cannot compare dynamic values", call.name)
	}
	fn := "MAX"
	prefix := "max_"
	if call.name == "arg_min" {
		fn, prefix = "MIN", "min_"
	}
	name := derivedName(call.args[0])
	if name == "" {
		name = prefix + "Column"
	}
	out := []col{{name: name, typ: v.typ, sql: fn + "(" + v.sql + ")"}}
	if call.star {
		for _, cl := range r.cols {
			if cl.name == name || findCol(keys, cl.name) >= 0 {
				continue
			}
			out = append(out, cl)
		}
	}
	for _, a := range call.args[1:] {
		v := c.expr(sc, a)
		if v.agg {
			c.errorf(a.exprPos(), "%s(): aggregations cannot be nested", call.name)
		}
		n := derivedName(a)
		if n == "" {
			n = c.autoName(sc, a)
		}
		out = append(out, col{name: n, typ: v.typ, sql: v.sql})
	}
	return out
}

// aggName is Kusto's name for an unnamed aggregation: count_, avg_TotalTime,
// percentile_TotalTime_95, set_ApiId ...
func aggName(e expr) string {
	call, ok := unparen(e).(*call)
	if !ok {
		return ""
	}
	arg := ""
	if len(call.args) > 0 {
		arg = derivedName(call.args[0])
	}
	switch call.name {
	case "count", "countif":
		return call.name + "_"
	case "make_set":
		return "set_" + arg
	case "make_list":
		return "list_" + arg
	case "percentile":
		if len(call.args) == 2 {
			if l, ok := call.args[1].(*literal); ok {
				return "percentile_" + arg + "_" + pctName(l)
			}
		}
		return "percentile_" + arg
	}
	if aggregates[call.name] {
		return call.name + "_" + arg
	}
	return ""
}

func pctName(l *literal) string {
	s := strconv.FormatInt(l.i, 10)
	if l.typ == Real {
		s = strconv.FormatFloat(l.f, 'f', -1, 64)
	}
	return strings.ReplaceAll(s, ".", "_")
}

// timeBounds are the least and greatest times of the table's TimeColumn a
// predicate lets through (math.MinInt64 and math.MaxInt64 for none).
type timeBounds struct{ lo, hi int64 }

// timeBounds narrows b by the comparisons of the table's TimeColumn (column) with a
// constant among the conjuncts (the operands of and) of the predicate e,
// which compiled without error in sc: TimeGenerated > ago(1h), between
// (datetime(...) .. 1h), datetime(...) >= TimeGenerated ... Bounds are
// inclusive: a strict comparison's bound lets its own time through, which
// only reads a row more.
func (c *compiler) timeBounds(sc *scope, column string, e expr, b *timeBounds) {
	// isTime reports whether x is the table's time column itself.
	isTime := func(x expr) bool {
		for isParen(x) {
			x = x.(*paren).x
		}
		id, ok := x.(*ident)
		if !ok {
			return false
		}
		i := findCol(sc.cols, id.name)
		return i >= 0 && sc.cols[i].typ == DateTime && sc.cols[i].sql == c.d.Quote(column)
	}
	// constant returns the time x is, when it is a constant datetime.
	constant := func(x expr) (int64, bool) {
		v := c.expr(sc, x)
		if v.lit == nil || v.lit.null || v.typ != DateTime {
			return 0, false
		}
		return v.lit.i, true
	}
	lower := func(t int64) { b.lo = max(b.lo, t) }
	upper := func(t int64) { b.hi = min(b.hi, t) }
	switch x := e.(type) {
	case *paren:
		c.timeBounds(sc, column, x.x, b)
	case *binary:
		switch x.op {
		case "and":
			c.timeBounds(sc, column, x.l, b)
			c.timeBounds(sc, column, x.r, b)
			return
		case "<", "<=", ">", ">=", "==":
		default:
			return
		}
		op, other := x.op, x.r
		if !isTime(x.l) {
			if !isTime(x.r) {
				return
			}
			// Mirrored: t < TimeGenerated is TimeGenerated > t.
			op, other = map[string]string{"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "=="}[op], x.l
		}
		t, ok := constant(other)
		if !ok {
			return
		}
		switch op {
		case ">", ">=":
			lower(t)
		case "<", "<=":
			upper(t)
		case "==":
			lower(t)
			upper(t)
		}
	case *between:
		if x.not || !isTime(x.x) {
			return
		}
		lo, ok := constant(x.lo)
		if !ok {
			return
		}
		hv := c.expr(sc, x.hi)
		if hv.lit == nil || hv.lit.null || (hv.typ != DateTime && hv.typ != Timespan) {
			return
		}
		hi := hv.lit.i
		if hv.typ == Timespan {
			hi += lo
		}
		lower(lo)
		upper(hi)
	}
}

func isParen(x expr) bool { _, ok := x.(*paren); return ok }
