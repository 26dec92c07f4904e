package lint

import (
	"fmt"
	"strings"

	"github.com/tollgate/tollgate/internal/diag"
	"github.com/tollgate/tollgate/internal/expr/scanner"
	"github.com/tollgate/tollgate/internal/policy"
	"github.com/tollgate/tollgate/internal/xmlscan"
)

// ownTexts calls fn for every attribute value and text node that belongs
// to st itself: its element and the elements under it that are not
// statements of their own (the when elements of a choose, the children of
// a send-request), in document order.
func ownTexts(st *policy.Statement, fn func(e *xmlscan.Element, attr string, t *xmlscan.Text)) {
	nested := map[*xmlscan.Element]bool{}
	if ct, ok := st.Policy.(policy.Container); ok {
		for _, b := range ct.Blocks() {
			for _, s := range b.Body {
				nested[s.Elem] = true
			}
		}
	}
	var walk func(e *xmlscan.Element)
	walk = func(e *xmlscan.Element) {
		for _, a := range e.Attrs {
			fn(e, a.Name, &a.Value)
		}
		for _, n := range e.Children {
			switch k := n.(type) {
			case *xmlscan.Text:
				fn(e, "", k)
			case *xmlscan.Element:
				if !nested[k] {
					walk(k)
				}
			}
		}
	}
	walk(st.Elem)
}

// exprTokens returns the tokens of t when t is a policy expression, with
// offsets into t.Value.
func exprTokens(t *xmlscan.Text) ([]scanner.Token, bool) {
	s := t.Value
	a := len(s) - len(strings.TrimLeft(s, " \t\r\n"))
	b := len(strings.TrimRight(s, " \t\r\n"))
	if b-a < 3 || s[a] != '@' || !(s[a+1] == '(' && s[b-1] == ')' || s[a+1] == '{' && s[b-1] == '}') {
		return nil, false
	}
	toks, err := scanner.Tokenize(s, a+2, b-1)
	if err != nil {
		return nil, false
	}
	return toks, true
}

// refs returns the [start, end) ranges and names of the {{name}} references in s.
func refs(s string) (out []struct {
	start, end int
	name       string
}) {
	for i := 0; ; {
		j := strings.Index(s[i:], "{{")
		if j < 0 {
			return
		}
		a := i + j
		k := a + 2
		for k < len(s) && isNameByte(s[k]) {
			k++
		}
		if k > a+2 && strings.HasPrefix(s[k:], "}}") {
			out = append(out, struct {
				start, end int
				name       string
			}{a, k + 2, s[a+2 : k]})
			i = k + 2
			continue
		}
		i = a + 1
	}
}

func isNameByte(c byte) bool {
	return c == '.' || c == '-' || c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// namedValuesInExpressions reports {{name}} references written inside a
// C# expression outside a string literal, or naming a variable (TG019).
func (c *checker) namedValuesInExpressions(st *policy.Statement) {
	ownTexts(st, func(_ *xmlscan.Element, _ string, t *xmlscan.Text) {
		rs := refs(t.Value)
		if len(rs) == 0 {
			return
		}
		toks, ok := exprTokens(t)
		if !ok {
			return
		}
		for _, r := range rs {
			inString, inCode := false, false
			for _, tk := range toks {
				if tk.Pos <= r.start && r.end <= tk.End && (tk.Kind == scanner.String || tk.Kind == scanner.Interp || tk.Kind == scanner.Char) {
					inString = true
				}
				if tk.Pos == r.start && tk.Kind == scanner.Punct {
					inCode = true
				}
			}
			if !inString && !inCode {
				continue // in a comment
			}
			span := t.SpanOf(r.start, r.end)
			nv := c.snap.NamedValueByDisplayName(r.name)
			switch {
			case nv == nil && c.variableNames()[strings.ToLower(r.name)]:
				c.reportAt(TG019, span,
					fmt.Sprintf("{{%s}} inside an expression is a named value reference, and there is no such named value: %s is a variable set by set-variable", r.name, r.name),
					fmt.Sprintf("read the variable with context.Variables[\"%s\"]", r.name))
			case inCode && nv != nil && nv.HasValue && !nv.Secret && !isCSharpLiteral(nv.Value):
				c.reportAt(TG019, span,
					fmt.Sprintf("{{%s}} is written as C# code inside an expression: its value %q is pasted into the program as code, not as a string", r.name, nv.Value),
					fmt.Sprintf("write \"{{%s}}\" (a string literal), or move the reference out of the expression into the attribute", r.name))
			case inCode && nv != nil && nv.Secret:
				c.reportAt(TG019, span,
					fmt.Sprintf("the secret named value {{%s}} is written as C# code inside an expression: its value becomes part of the program", r.name),
					fmt.Sprintf("write \"{{%s}}\" (a string literal), or move the reference out of the expression into the attribute", r.name))
			}
		}
	})
}

// isCSharpLiteral reports whether s, pasted into C# code, is one literal: a
// number, true, false or null, or a quoted string.
func isCSharpLiteral(s string) bool {
	toks, err := scanner.Tokenize(s, 0, len(s))
	if err != nil || len(toks) == 0 {
		return false
	}
	if toks[len(toks)-1].Kind == scanner.EOF {
		toks = toks[:len(toks)-1]
	}
	if len(toks) == 2 && isPunct(toks[0], "-") {
		toks = toks[1:]
	}
	if len(toks) != 1 {
		return false
	}
	switch t := toks[0]; t.Kind {
	case scanner.Int, scanner.Real, scanner.String, scanner.Char:
		return true
	case scanner.Keyword:
		return t.Text == "true" || t.Text == "false" || t.Text == "null"
	}
	return false
}

// variableNames returns the lower-cased names of every variable any
// statement of the configuration sets.
func (c *checker) variableNames() map[string]bool {
	if c.vars != nil {
		return c.vars
	}
	c.vars = map[string]bool{}
	for _, d := range c.docs() {
		for _, s := range policy.AllSections() {
			walkStatements(d.Sections[s].Statements, func(st *policy.Statement, _ []*policy.Statement) {
				for _, n := range setsVariables(st) {
					c.vars[n] = true
				}
			})
		}
	}
	return c.vars
}

// setsVariables returns the lower-cased names of the variables st sets:
// set-variable's name and every "…variable-name" attribute of a policy that
// stores its result in a variable.
func setsVariables(st *policy.Statement) []string {
	var out []string
	if st.Name == "set-variable" {
		if a := st.Elem.Attr("name"); a != nil {
			out = append(out, strings.ToLower(strings.TrimSpace(a.Value.Value)))
		}
		return out
	}
	ownTexts(st, func(e *xmlscan.Element, attr string, t *xmlscan.Text) {
		if attr == "" || e.Name == "return-response" {
			return
		}
		if attr == "variable-name" || strings.HasSuffix(attr, "-variable-name") {
			out = append(out, strings.ToLower(strings.TrimSpace(t.Value)))
		}
	})
	return out
}

// read is a variable read by an expression.
type read struct {
	name    string
	span    diag.Span
	guarded bool   // GetValueOrDefault or TryGetValue: no exception when unset
	how     string // as written: context.Variables["x"]
}

// readsOf returns the variable reads of st's own expressions, and the
// variables its expressions test with ContainsKey.
func readsOf(st *policy.Statement) (reads []read, tested map[string]bool) {
	tested = map[string]bool{}
	ownTexts(st, func(_ *xmlscan.Element, _ string, t *xmlscan.Text) {
		toks, ok := exprTokens(t)
		if !ok {
			return
		}
		var local []read
		for i := 0; i+4 < len(toks); i++ {
			if !isIdent(toks[i], "context") || !isPunct(toks[i+1], ".") && !isPunct(toks[i+1], "?.") || !isIdent(toks[i+2], "Variables") {
				continue
			}
			switch {
			case i+5 < len(toks) && (isPunct(toks[i+3], "[") || isPunct(toks[i+3], "?[")) && toks[i+4].Kind == scanner.String && isPunct(toks[i+5], "]"):
				local = append(local, read{name: toks[i+4].Str, span: t.SpanOf(toks[i].Pos, toks[i+5].End), how: t.Value[toks[i].Pos:toks[i+5].End]})
			case isPunct(toks[i+3], ".") && toks[i+4].Kind == scanner.Ident:
				method := toks[i+4].Text
				j := i + 5
				for j < len(toks) && j < i+12 && !isPunct(toks[j], "(") {
					j++
				}
				if j+1 >= len(toks) || !isPunct(toks[j], "(") || toks[j+1].Kind != scanner.String {
					continue
				}
				name := toks[j+1].Str
				switch method {
				case "ContainsKey":
					tested[strings.ToLower(name)] = true
				case "GetValueOrDefault", "TryGetValue":
					local = append(local, read{name: name, span: t.SpanOf(toks[i].Pos, toks[j+1].End), guarded: true,
						how: t.Value[toks[i].Pos:toks[j+1].End] + ")"})
				}
			}
		}
		reads = append(reads, local...)
	})
	return reads, tested
}

func isIdent(t scanner.Token, name string) bool { return t.Kind == scanner.Ident && t.Text == name }

func isPunct(t scanner.Token, p string) bool { return t.Kind == scanner.Punct && t.Text == p }

// variables reports variables read before any statement can have set them
// (TG020), walking the effective policy in execution order.
func (c *checker) variables(x target) {
	all := map[string]bool{}
	for _, s := range policy.AllSections() {
		walkSteps(x.eff.Sections[s], func(st *policy.Step) {
			for _, n := range setsVariables(st.Statement) {
				all[n] = true
			}
		})
	}
	may := map[string]bool{}
	v := &varWalk{c: c, x: x, all: all}
	for _, s := range []policy.Section{policy.Inbound, policy.Backend, policy.Outbound} {
		v.steps(x.eff.Sections[s], may, nil)
	}
	// An error can happen anywhere: on-error may see every variable the
	// other sections set.
	for n := range all {
		may[n] = true
	}
	v.steps(x.eff.Sections[policy.OnError], may, nil)
}

type varWalk struct {
	c   *checker
	x   target
	all map[string]bool
}

// steps walks list in order; may holds the variables that may be set before
// it and is updated; guard holds variables an enclosing condition tested.
func (v *varWalk) steps(list []*policy.Step, may, guard map[string]bool) {
	for _, st := range list {
		reads, tested := readsOf(st.Statement)
		_, isRetry := st.Policy.(*policy.Retry)
		if !isRetry {
			v.check(st, reads, tested, may, guard)
		}
		switch st.Policy.(type) {
		case *policy.Choose, *policy.Wait:
			// Each branch may run; after it, whatever any branch set may be set.
			var union []map[string]bool
			for _, b := range st.Blocks {
				m := clone(may)
				g := guard
				if b.Elem != nil && b.Name == "when" {
					if a := b.Elem.Attr("condition"); a != nil {
						g = merge(guard, containsKeys(&a.Value))
					}
				}
				v.steps(b.Steps, m, g)
				union = append(union, m)
			}
			for _, m := range union {
				for n := range m {
					may[n] = true
				}
			}
		case *policy.Retry:
			// The body runs again: what it sets late is set for the next attempt.
			for _, b := range st.Blocks {
				walkSteps(b.Steps, func(s *policy.Step) {
					for _, n := range setsVariables(s.Statement) {
						may[n] = true
					}
				})
				v.steps(b.Steps, may, guard)
			}
			v.check(st, reads, tested, may, guard)
		default:
			for _, b := range st.Blocks {
				v.steps(b.Steps, may, guard)
			}
		}
		for _, n := range setsVariables(st.Statement) {
			may[n] = true
		}
	}
}

func (v *varWalk) check(st *policy.Step, reads []read, tested, may, guard map[string]bool) {
	for _, r := range reads {
		n := strings.ToLower(r.name)
		switch {
		case r.guarded && !v.all[n]:
			v.c.reportAt(TG020, r.span,
				fmt.Sprintf("%s reads the variable %q, which no policy of the effective policy sets: it always returns the default (%s)", r.how, r.name, v.x),
				fmt.Sprintf("set %q with set-variable before this statement, or correct the name", r.name))
		case !r.guarded && !may[n] && !tested[n] && !guard[n]:
			msg := fmt.Sprintf("%s reads the variable %q before any policy can have set it: the expression throws and the request ends with a 500 (%s)", r.how, r.name, v.x)
			fix := fmt.Sprintf("set %q with set-variable before %s, correct the name, or read it with context.Variables.GetValueOrDefault<string>(\"%s\")", r.name, st.Name, r.name)
			if v.all[n] {
				msg = fmt.Sprintf("%s reads the variable %q, which is set only after this statement runs: the expression throws and the request ends with a 500 (%s)", r.how, r.name, v.x)
				fix = fmt.Sprintf("move the set-variable of %q before %s, or read it with GetValueOrDefault", r.name, st.Name)
			}
			v.c.reportAt(TG020, r.span, msg, fix)
		}
	}
}

// containsKeys returns the variables an expression tests with ContainsKey.
func containsKeys(t *xmlscan.Text) map[string]bool {
	out := map[string]bool{}
	toks, ok := exprTokens(t)
	if !ok {
		return out
	}
	for i := 0; i+6 < len(toks); i++ {
		if isIdent(toks[i], "context") && isIdent(toks[i+2], "Variables") && isIdent(toks[i+4], "ContainsKey") && isPunct(toks[i+5], "(") && toks[i+6].Kind == scanner.String {
			out[strings.ToLower(toks[i+6].Str)] = true
		}
	}
	return out
}

func clone(m map[string]bool) map[string]bool {
	out := make(map[string]bool, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func merge(a, b map[string]bool) map[string]bool {
	out := clone(a)
	for k, v := range b {
		out[k] = v
	}
	return out
}
