package liquid

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"strconv"
	"strings"

	"github.com/osteele/liquid/expressions"
	"github.com/osteele/liquid/render"
	"github.com/osteele/liquid/values"
)

// The tags are tollgate's own rather than the engine's standard set: the
// loops count their iterations against the render's budget and watch the
// request's deadline, and capture builds its string within the output
// budget. They behave as Liquid's (and the engine's) do otherwise.
// include and render, which read files, are not defined.

var (
	errBreak    = errors.New("break outside a loop")
	errContinue = errors.New("continue outside a loop")
)

// addTags defines the tags on cfg.
func addTags(cfg *render.Config) {
	cfg.AddTag("assign", assignTag)
	cfg.AddTag("break", func(string) (func(io.Writer, render.Context) error, error) {
		return func(_ io.Writer, ctx render.Context) error { return ctx.WrapError(errBreak) }, nil
	})
	cfg.AddTag("continue", func(string) (func(io.Writer, render.Context) error, error) {
		return func(_ io.Writer, ctx render.Context) error { return ctx.WrapError(errContinue) }, nil
	})
	cfg.AddTag("cycle", cycleTag)
	cfg.AddTag("increment", counterTag(false))
	cfg.AddTag("decrement", counterTag(true))
	cfg.AddBlock("capture").Compiler(captureTag)
	cfg.AddBlock("case").Clause("when").Clause("else").Compiler(caseTag)
	cfg.AddBlock("comment")
	cfg.AddBlock("for").Clause("else").Compiler(loopTag(false))
	cfg.AddBlock("if").Clause("else").Clause("elsif").Compiler(ifTag(true))
	cfg.AddBlock("raw")
	cfg.AddBlock("tablerow").Compiler(loopTag(true))
	cfg.AddBlock("unless").Clause("else").Compiler(ifTag(false))
}

func budgetOf(ctx render.Context) *budget {
	b, _ := ctx.Get(budgetKey).(*budget)
	return b
}

func assignTag(args string) (func(io.Writer, render.Context) error, error) {
	stmt, err := expressions.ParseStatement(expressions.AssignStatementSelector, args)
	if err != nil {
		return nil, err
	}
	if len(stmt.Path) > 1 {
		return nil, errors.New("syntax error: assign takes a variable name, not a dotted path")
	}
	return func(_ io.Writer, ctx render.Context) error {
		v, err := ctx.Evaluate(stmt.ValueFn)
		if err != nil {
			return err
		}
		ctx.Set(stmt.Assignment.Variable, v)
		return nil
	}, nil
}

// counterTag implements DotLiquid's increment (print the counter, then add
// one) and decrement (subtract one, then print). Counters start at 0 and
// are kept apart from assigned variables.
func counterTag(down bool) render.TagCompiler {
	return func(args string) (func(io.Writer, render.Context) error, error) {
		key := "\x00counter " + strings.TrimSpace(args)
		return func(w io.Writer, ctx render.Context) error {
			b := ctx.Bindings()
			n, _ := b[key].(int)
			if down {
				n--
				b[key] = n
			} else {
				b[key] = n + 1
			}
			_, err := io.WriteString(w, strconv.Itoa(n))
			return err
		}, nil
	}
}

func captureTag(node render.BlockNode) (func(io.Writer, render.Context) error, error) {
	name := strings.TrimSpace(node.Args)
	if name == "" || strings.ContainsAny(name, " \t") {
		return nil, fmt.Errorf("syntax error: capture takes one variable name, got %q", node.Args)
	}
	return func(_ io.Writer, ctx render.Context) error {
		max := DefaultMaxOutput
		if b := budgetOf(ctx); b != nil {
			max = b.lim.MaxOutput
		}
		var buf bytes.Buffer
		if err := ctx.RenderChildren(&cappedWriter{buf: &buf, max: max, what: "captured string"}); err != nil {
			return err
		}
		ctx.Set(name, buf.String())
		return nil
	}, nil
}

func caseTag(node render.BlockNode) (func(io.Writer, render.Context) error, error) {
	sel, err := expressions.Parse(node.Args)
	if err != nil {
		return nil, err
	}
	type when struct {
		exprs []expressions.Expression // nil for else
		body  *render.BlockNode
	}
	var whens []when
	for _, c := range node.Clauses {
		w := when{body: c}
		if c.Name == "when" {
			stmt, err := expressions.ParseStatement(expressions.WhenStatementSelector, c.Args)
			if err != nil {
				return nil, err
			}
			w.exprs = stmt.When.Exprs
		}
		whens = append(whens, w)
	}
	return func(w io.Writer, ctx render.Context) error {
		v, err := ctx.Evaluate(sel)
		if err != nil {
			return err
		}
		for _, c := range whens {
			match := c.exprs == nil
			for _, e := range c.exprs {
				x, err := ctx.Evaluate(e)
				if err != nil {
					return err
				}
				if values.Equal(v, x) {
					match = true
					break
				}
			}
			if match {
				return ctx.RenderBlock(w, c.body)
			}
		}
		return nil
	}, nil
}

func ifTag(polarity bool) render.BlockCompiler {
	return func(node render.BlockNode) (func(io.Writer, render.Context) error, error) {
		test, err := expressions.Parse(node.Args)
		if err != nil {
			return nil, err
		}
		if !polarity {
			test = expressions.Not(test)
		}
		type branch struct {
			test expressions.Expression
			body *render.BlockNode
		}
		branches := []branch{{test, &node}}
		for _, c := range node.Clauses {
			t := expressions.Constant(true)
			if c.Name == "elsif" {
				if t, err = expressions.Parse(c.Args); err != nil {
					return nil, err
				}
			}
			branches = append(branches, branch{t, c})
		}
		return func(w io.Writer, ctx render.Context) error {
			for _, b := range branches {
				v, err := ctx.Evaluate(b.test)
				if err != nil {
					return err
				}
				if v != nil && v != false {
					return ctx.RenderBlock(w, b.body)
				}
			}
			return nil
		}, nil
	}
}

func cycleTag(args string) (func(io.Writer, render.Context) error, error) {
	stmt, err := expressions.ParseStatement(expressions.CycleStatementSelector, args)
	if err != nil {
		return nil, err
	}
	group, vals := stmt.Cycle.Group, stmt.Cycle.Values
	return func(w io.Writer, ctx render.Context) error {
		loop, ok := ctx.Get(forloopName).(map[string]any)
		if !ok {
			return ctx.Errorf("cycle must be within a for loop")
		}
		cycles := loop[".cycles"].(map[string]int)
		n := cycles[group]
		cycles[group] = n + 1
		_, err := io.WriteString(w, vals[n%len(vals)])
		return err
	}, nil
}

const forloopName = "forloop"

// iterate returns what the for tag walks: the body's objects and header
// collections and the engine's ranges are iterable already; other slices
// and maps are wrapped (a map yields [key, value] pairs). Anything else is
// not iterated.
func iterate(v any) iterable {
	if it, ok := v.(iterable); ok {
		return it
	}
	switch v := v.(type) {
	case nil:
		return nil
	case []any:
		return anySlice(v)
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Array, reflect.Slice:
		return reflectSlice{rv}
	case reflect.Map:
		pairs := make(anySlice, 0, rv.Len())
		for it := rv.MapRange(); it.Next(); {
			pairs = append(pairs, []any{it.Key().Interface(), it.Value().Interface()})
		}
		return pairs
	}
	return nil
}

type anySlice []any

func (s anySlice) Len() int        { return len(s) }
func (s anySlice) Index(i int) any { return s[i] }

type reflectSlice struct{ v reflect.Value }

func (s reflectSlice) Len() int        { return s.v.Len() }
func (s reflectSlice) Index(i int) any { return s.v.Index(i).Interface() }

// window is a loop's view of its collection after reversed, offset and
// limit.
type window struct {
	it        iterable
	off, n    int
	reversing bool
}

func (w window) Len() int { return w.n }
func (w window) Index(i int) any {
	if w.reversing {
		return w.it.Index(w.it.Len() - 1 - (w.off + i))
	}
	return w.it.Index(w.off + i)
}

func loopTag(tablerow bool) render.BlockCompiler {
	return func(node render.BlockNode) (func(io.Writer, render.Context) error, error) {
		stmt, err := expressions.ParseStatement(expressions.LoopStatementSelector, node.Args)
		if err != nil {
			return nil, err
		}
		if len(node.Clauses) > 1 {
			return nil, errors.New("for loops accept at most one else clause")
		}
		loop := stmt.Loop
		intArg := func(ctx render.Context, e expressions.Expression, what string) (int, bool, error) {
			if e == nil {
				return 0, false, nil
			}
			v, err := ctx.Evaluate(e)
			if err != nil {
				return 0, false, err
			}
			n, ok := v.(int)
			if !ok {
				return 0, false, ctx.Errorf("loop %s must be an integer", what)
			}
			return n, true, nil
		}
		return func(w io.Writer, ctx render.Context) error {
			v, err := ctx.Evaluate(loop.Expr)
			if err != nil {
				return err
			}
			it := iterate(v)
			if it == nil {
				return nil
			}
			win := window{it: it, n: it.Len(), reversing: loop.Reversed}
			if off, ok, err := intArg(ctx, loop.Offset, "offset"); err != nil {
				return err
			} else if ok && off > 0 {
				win.off, win.n = min(off, win.n), max(0, win.n-off)
			}
			if lim, ok, err := intArg(ctx, loop.Limit, "limit"); err != nil {
				return err
			} else if ok && lim >= 0 {
				win.n = min(win.n, lim)
			}
			if win.n == 0 && len(node.Clauses) == 1 && node.Clauses[0].Name == "else" {
				return ctx.RenderBlock(w, node.Clauses[0])
			}
			cols := math.MaxInt32
			if tablerow {
				if c, ok, err := intArg(ctx, loop.Cols, "cols"); err != nil {
					return err
				} else if ok && c > 0 {
					cols = c
				}
			}
			b := budgetOf(ctx)
			if b != nil {
				if err := b.alive(); err != nil {
					return err
				}
			}
			savedLoop, savedVar := ctx.Get(forloopName), ctx.Get(loop.Variable)
			defer func() {
				ctx.Set(forloopName, savedLoop)
				ctx.Set(loop.Variable, savedVar)
			}()
			fl := map[string]any{".cycles": map[string]int{}}
			ctx.Set(forloopName, fl)
			for i, l := 0, win.n; i < l; i++ {
				if b != nil {
					if err := b.iterate(); err != nil {
						return err
					}
				}
				ctx.Set(loop.Variable, win.Index(i))
				fl["first"], fl["last"] = i == 0, i == l-1
				fl["index"], fl["index0"] = i+1, i
				fl["rindex"], fl["rindex0"] = l-i, l-i-1
				fl["length"] = l
				if tablerow {
					row, col := i/cols, i%cols
					if col == 0 {
						if _, err := fmt.Fprintf(w, `<tr class="row%d">`, row+1); err != nil {
							return err
						}
					}
					if _, err := fmt.Fprintf(w, `<td class="col%d">`, col+1); err != nil {
						return err
					}
				}
				err := ctx.RenderChildren(w)
				if tablerow {
					if _, werr := io.WriteString(w, "</td>"); werr != nil {
						return werr
					}
					if (i+1)%cols == 0 || i+1 == l {
						if _, werr := io.WriteString(w, "</tr>"); werr != nil {
							return werr
						}
					}
				}
				if err != nil {
					switch err.Cause() {
					case errBreak:
						return nil
					case errContinue:
						continue
					}
					return err
				}
			}
			return nil
		}, nil
	}
}
