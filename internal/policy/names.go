package policy

import (
	"fmt"
	"strings"

	"github.com/tollgate/tollgate/internal/diag"
	"github.com/tollgate/tollgate/internal/xmlscan"
)

// resolve substitutes named values into t and, when the result is a policy
// expression, compiles it. In Liquid bodies only references to existing
// named values are substituted and the content is never an expression.
func (l *loader) resolve(t *xmlscan.Text, liquid bool) Value {
	s := t.Value
	v := Value{Set: true, Span: t.Span()}
	var res, masked strings.Builder
	var segs []segment
	last := 0
	for _, r := range findRefs(s) {
		name := s[r[0]+2 : r[1]-2]
		nv := l.nv[strings.ToLower(name)]
		if nv == nil {
			if !liquid {
				l.missingNamedValue(t, r, name)
				v.missing = true
			}
			continue
		}
		span := t.SpanOf(r[0], r[1])
		if nv.DisplayName != name {
			l.diags.Warnf(span, "named-value-case", "named value reference {{%s}} differs in case from the display name {{%s}}", name, nv.DisplayName)
		}
		if nv.Secret && !nv.HasValue {
			hint := l.env.SecretHint
			if hint == "" {
				hint = "in the configuration values (APIOps does not extract secret values)"
			}
			l.diags.Errorf(span, "secret-without-value", "secret named value %q has no value: supply it %s", nv.DisplayName, hint)
		}
		segs = append(segs, segment{res: res.Len(), resEnd: res.Len() + r[0] - last, src: last, srcEnd: r[0]})
		res.WriteString(s[last:r[0]])
		masked.WriteString(s[last:r[0]])
		segs = append(segs, segment{res: res.Len(), resEnd: res.Len() + len(nv.Value), src: r[0], srcEnd: r[1], subst: true})
		res.WriteString(nv.Value)
		if nv.Secret {
			masked.WriteString(s[r[0]:r[1]])
		} else {
			masked.WriteString(nv.Value)
		}
		v.Refs = append(v.Refs, Ref{Name: name, Span: span, Secret: nv.Secret})
		last = r[1]
	}
	if len(v.Refs) == 0 {
		v.text, v.masked = s, s
		segs = []segment{{res: 0, resEnd: len(s), src: 0, srcEnd: len(s)}}
	} else {
		segs = append(segs, segment{res: res.Len(), resEnd: res.Len() + len(s) - last, src: last, srcEnd: len(s)})
		res.WriteString(s[last:])
		masked.WriteString(s[last:])
		v.text, v.masked = res.String(), masked.String()
	}
	if !liquid {
		if a, b, ok := exprBounds(v.text); ok {
			e := &Expr{src: v.text[a:b], masked: strings.TrimSpace(v.masked)}
			e.Origin = &textOrigin{t: t, base: a, segs: segs}
			if l.env.Compile != nil {
				prog, d := l.env.Compile(e.src, e.Origin)
				l.diags.Append(l.scrub(d, v.Refs))
				e.Program = prog
			}
			v.Expr = e
		}
	}
	if v.Expr == nil && !liquid {
		l.malformedRef(t)
	}
	if l.src != nil {
		stored := v
		l.src.values[t] = &stored
	}
	return v
}

// malformedRef warns about "{{name}" and "{{name" in literal text: a
// named value reference that is not closed is left as text.
func (l *loader) malformedRef(t *xmlscan.Text) {
	s := t.Value
	for i := 0; i+2 < len(s); i++ {
		if s[i] != '{' || s[i+1] != '{' {
			continue
		}
		k := i + 2
		for k < len(s) && isNameByte(s[k]) {
			k++
		}
		if k > i+2 && (k+1 >= len(s) || s[k] != '}' || s[k+1] != '}') {
			l.diags.Warnf(t.SpanOf(i, k), "malformed-named-value", "%q looks like a named value reference but is not closed by \"}}\"; it is kept as text", s[i:k])
		}
		i = k - 1
	}
}

// scrub replaces secret values quoted in compiler messages by their
// references.
func (l *loader) scrub(d diag.List, refs []Ref) diag.List {
	for _, r := range refs {
		if !r.Secret {
			continue
		}
		nv := l.nv[strings.ToLower(r.Name)]
		if nv == nil || nv.Value == "" {
			continue
		}
		ref := "{{" + nv.DisplayName + "}}"
		for i := range d {
			d[i].Message = strings.ReplaceAll(d[i].Message, nv.Value, ref)
			for j := range d[i].Notes {
				d[i].Notes[j] = strings.ReplaceAll(d[i].Notes[j], nv.Value, ref)
			}
		}
	}
	return d
}

func (l *loader) missingNamedValue(t *xmlscan.Text, r [2]int, name string) {
	d := l.diags.Errorf(t.SpanOf(r[0], r[1]), "unknown-named-value", "named value %q does not exist", name)
	names := make([]string, 0, len(l.env.NamedValues))
	for _, nv := range l.env.NamedValues {
		names = append(names, nv.DisplayName)
	}
	if s := suggest(name, names); s != "" {
		d.Notes = []string{fmt.Sprintf("did you mean {{%s}}?", s)}
	}
}

// suggest returns the candidate closest to name, or "" when none is close.
func suggest(name string, candidates []string) string {
	best, bestD := "", -1
	ln := strings.ToLower(name)
	for _, c := range candidates {
		d := editDistance(ln, strings.ToLower(c))
		if d < bestD || bestD < 0 {
			best, bestD = c, d
		}
	}
	limit := max(1, min(3, len(name)/3))
	if bestD < 0 || bestD > limit {
		return ""
	}
	return best
}

// editDistance is the Levenshtein distance of a and b in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
