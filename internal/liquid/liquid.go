package liquid

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/osteele/liquid/expressions"
	osteelefilters "github.com/osteele/liquid/filters"
	"github.com/osteele/liquid/parser"
	"github.com/osteele/liquid/render"
)

// Template is a compiled Liquid template. It is built once when the
// configuration loads and is safe for concurrent use.
type Template struct {
	root     render.Node
	cfg      *render.Config
	lim      Limits
	states   sync.Pool // *renderState
	warnings []*Error
}

// Message is one side of the exchange as a template sees it. Only
// ContentType and Body feed the `body` variable; Headers and StatusCode
// travel in Context.
type Message struct {
	ContentType string
	Body        []byte // parsed as JSON or XML according to ContentType
	Headers     map[string][]string
	StatusCode  int // response only
}

// Options are the set-body attributes that change how `body` is built.
// The zero value means parse-date="false" and xsi-nil="blank"; APIM's
// defaults are Options{ParseDate: true}.
type Options struct {
	// ParseDate reads ISO 8601 date-time strings in JSON bodies as dates
	// (parse-date, default true in APIM).
	ParseDate bool
	// XsiNilNull makes xsi:nil="true" XML elements null instead of blank
	// (xsi-nil="null"; the default "blank" is the empty string).
	XsiNilNull bool
}

// Error is a template error: the 1-based line within the template source
// (0 when unknown) and a lower-case message.
type Error struct {
	Line int
	Msg  string
	Err  error // the underlying cause, if any
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return "line " + strconv.Itoa(e.Line) + ": " + e.Msg
	}
	return e.Msg
}

func (e *Error) Unwrap() error { return e.Err }

// newConfig builds the engine's configuration: tollgate's tags (see
// tags.go) and APIM's filters. Shopify's lower-case filter names are
// replaced by a filter that returns its input: DotLiquid in C# naming mode
// looks filters up by exact name and passes the input through when none
// matches, and the engine is told to do the same for every other unknown
// name. Every filter's result is held to maxValue bytes.
func newConfig(filters map[string]filterFunc, maxValue int) *render.Config {
	cfg := render.NewConfig()
	cfg.LaxFilters = true
	osteelefilters.AddStandardFilters(&cfg)
	shopify := []string{
		"abs", "append", "at_least", "at_most", "capitalize", "ceil", "compact", "concat",
		"date", "default", "divided_by", "downcase", "escape", "escape_once", "first",
		"floor", "handle", "handleize", "inspect", "join", "json", "last", "lstrip",
		"map", "minus", "modulo", "newline_to_br", "pluralize", "plus", "prepend",
		"remove", "remove_first", "remove_last", "replace", "replace_first",
		"replace_last", "reverse", "round", "rstrip", "safe", "size", "slice", "sort",
		"sort_natural", "split", "strip", "strip_html", "strip_newlines", "sum",
		"times", "truncate", "truncatewords", "type", "uniq", "upcase", "url_decode",
		"url_encode", "where",
	}
	for _, name := range shopify {
		cfg.AddFilter(name, passThrough)
	}
	for name, f := range filters {
		cfg.AddFilter(name, capResult(name, f, maxValue))
	}
	addTags(&cfg)
	return &cfg
}

// capResult fails a filter whose result is a string longer than max bytes
// or a list of more than max/16 items. Filters that can multiply their
// input (Times, Replace, Join, Append, …) check before they build; this
// catches the rest, whose growth is a small factor of their input.
func capResult(name string, f filterFunc, max int) filterFunc {
	return func(in any, args ...any) (any, error) {
		out, err := f(in, args...)
		switch v := out.(type) {
		case string:
			if len(v) > max {
				return nil, outputBudget(max, "the %s filter's result would be %d bytes", name, len(v))
			}
		case []any:
			if len(v) > max/16 {
				return nil, outputBudget(max, "the %s filter's result would hold %d items", name, len(v))
			}
		}
		return out, err
	}
}

func passThrough(in any, _ ...any) any { return in }

// Compile parses a template with the default budgets. Errors are *Error
// values carrying the line within src; Warnings lists filters that will do
// nothing.
func Compile(src string) (*Template, error) { return CompileWithLimits(src, Limits{}) }

// CompileWithLimits parses a template whose renders have the given budgets
// (zero fields take the defaults).
func CompileWithLimits(src string, lim Limits) (*Template, error) {
	if err := checkTerminated(src); err != nil {
		return nil, err
	}
	lim = lim.withDefaults()
	filters := filterTable(lim.MaxOutput)
	cfg := newConfig(filters, lim.MaxOutput)
	root, perr := cfg.Compile(src, parser.SourceLoc{LineNo: 1})
	if perr != nil {
		return nil, convertError(perr)
	}
	t := &Template{root: root, cfg: cfg, lim: lim, warnings: filterWarnings(src, filters)}
	t.states.New = func() any { return new(renderState) }
	return t, nil
}

// Limits returns the template's budgets.
func (t *Template) Limits() Limits { return t.lim }

// Render runs the template against a message body (nil for none) and the
// context, without a deadline. See RenderContext.
func (t *Template) Render(body *Message, view *Context, opts Options) (string, error) {
	return t.RenderContext(context.Background(), body, view, opts)
}

// RenderContext runs the template against a message body (nil for none)
// and the context view. It fails when the body's content type says JSON
// or XML but the body does not parse, when a filter fails, when a budget
// runs out (a *BudgetError, wrapped in an *Error with the line), and when
// ctx ends.
func (t *Template) RenderContext(ctx context.Context, body *Message, view *Context, opts Options) (out string, err error) {
	defer func() {
		// The engine re-panics on some internal failures; a template must
		// never take the request down with it.
		if r := recover(); r != nil {
			msg := fmt.Sprint(r)
			if c, ok := r.(interface{ Cause() error }); ok && c.Cause() != nil {
				msg = c.Cause().Error()
			}
			out, err = "", &Error{Msg: "template failed: " + lowerFirst(msg)}
		}
	}()
	var bodyVal any
	if body != nil && len(bytes.TrimSpace(body.Body)) > 0 {
		data := bytes.TrimPrefix(body.Body, []byte(utf8BOM))
		switch bodyKind(body.ContentType) {
		case kindJSON:
			if bodyVal, err = parseJSON(data, opts.ParseDate, t.lim.MaxBodyMemory); err != nil {
				return "", bodyError("JSON", err)
			}
		case kindXML:
			if bodyVal, err = parseXML(data, opts.XsiNilNull, t.lim.MaxBodyMemory); err != nil {
				return "", bodyError("XML", err)
			}
		}
	}
	if view == nil {
		view = &Context{}
	}
	rs := t.states.Get().(*renderState)
	rs.buf.Reset()
	rs.b = budget{ctx: ctx, lim: t.lim}
	rs.w = cappedWriter{buf: &rs.buf, max: t.lim.MaxOutput, what: "output"}
	defer func() {
		rs.b.ctx = nil
		if rs.buf.Cap() <= 1<<20 {
			t.states.Put(rs)
		}
	}()
	bindings := map[string]any{"body": bodyVal, "context": contextView{c: view}, budgetKey: &rs.b}
	if rerr := render.Render(t.root, &rs.w, bindings, *t.cfg); rerr != nil {
		return "", convertError(rerr)
	}
	return rs.buf.String(), nil
}

// renderState is the memory of one render, reused by the next: the
// output buffer, its writer and the budget.
type renderState struct {
	buf bytes.Buffer
	w   cappedWriter
	b   budget
}

func bodyError(kind string, err error) error {
	var be *BudgetError
	if errors.As(err, &be) {
		return &Error{Msg: err.Error(), Err: err}
	}
	return &Error{Msg: "body is not valid " + kind + ": " + lowerFirst(err.Error()), Err: err}
}

const utf8BOM = "\xEF\xBB\xBF"

type contentKind int

const (
	kindOther contentKind = iota
	kindJSON
	kindXML
)

// bodyKind classifies a Content-Type header value.
func bodyKind(ct string) contentKind {
	mt := ct
	if i := strings.IndexByte(mt, ';'); i >= 0 {
		mt = mt[:i]
	}
	mt = strings.ToLower(strings.TrimSpace(mt))
	switch {
	case mt == "application/json" || mt == "text/json" || strings.HasSuffix(mt, "+json"):
		return kindJSON
	case mt == "application/xml" || mt == "text/xml" || strings.HasSuffix(mt, "+xml"):
		return kindXML
	}
	return kindOther
}

// checkTerminated reports an object or tag opener with no closer after
// it. DotLiquid refuses such templates; the engine would print the text.
func checkTerminated(src string) error {
	lastObject, lastTag := strings.LastIndex(src, "}}"), strings.LastIndex(src, "%}")
	for i := 0; i+1 < len(src); i++ {
		if src[i] != '{' {
			continue
		}
		var closer string
		switch {
		case src[i+1] == '{' && lastObject < i+2:
			closer = "}}"
		case src[i+1] == '%' && lastTag < i+2:
			closer = "%}"
		default:
			continue
		}
		return &Error{
			Line: 1 + strings.Count(src[:i], "\n"),
			Msg:  fmt.Sprintf("%q is not terminated with %q", src[i:i+2], closer),
		}
	}
	return nil
}

// sourceError is what the engine's parser and renderer fail with.
type sourceError interface {
	error
	Cause() error
	LineNumber() int
}

// convertError turns the engine's error into an *Error with the line and
// a lower-case message. The engine writes "Liquid error (line N): message
// in source"; the prefix goes, the rest stays.
func convertError(serr sourceError) error {
	msg := serr.Error()
	line := serr.LineNumber()
	if rest, ok := strings.CutPrefix(msg, "Liquid error"); ok {
		if r, ok := strings.CutPrefix(rest, " (line "); ok {
			if i := strings.IndexByte(r, ')'); i > 0 {
				if line == 0 {
					line, _ = strconv.Atoi(r[:i])
				}
				rest = r[i+1:]
			}
		}
		msg = strings.TrimPrefix(rest, ": ")
	}
	var cause error = serr
	if c := serr.Cause(); c != nil {
		cause = c
	}
	var fe expressions.FilterError
	if errors.As(serr, &fe) && fe.Err != nil {
		where := ""
		if i := strings.LastIndex(msg, " in {"); i >= 0 {
			where = msg[i:]
		}
		msg = "filter " + fe.FilterName + ": " + lowerFirst(fe.Err.Error()) + where
		cause = fe.Err
	}
	return &Error{Line: line, Msg: lowerFirst(msg), Err: cause}
}

func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 || !unicode.IsUpper(r) {
		return s
	}
	// Keep acronyms ("XML syntax error") as they are.
	if r2, _ := utf8.DecodeRuneInString(s[n:]); unicode.IsUpper(r2) {
		return s
	}
	return string(unicode.ToLower(r)) + s[n:]
}
