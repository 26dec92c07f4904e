package value

import (
	"strings"
	"sync"
	"time"

	"github.com/dlclark/regexp2/v2"
)

// Regex is a compiled System.Text.RegularExpressions.Regex.
type Regex struct {
	Re *regexp2.Regexp
}

// DotnetType implements Typed.
func (r *Regex) DotnetType(u *Lib) *Type { return u.Regex }

// DotnetString implements Stringer.
func (r *Regex) DotnetString() string { return r.Re.String() }

// RegexMatch is a Match or a Group.
type RegexMatch struct {
	M     *regexp2.Match // nil for an unsuccessful match
	G     *regexp2.Group
	Input string
	// Re is the expression that produced the match, for NextMatch.
	Re *regexp2.Regexp
}

// DotnetType implements Typed.
func (m *RegexMatch) DotnetType(u *Lib) *Type {
	if m.G != nil {
		return u.Group_
	}
	return u.Match
}

// DotnetString implements Stringer.
func (m *RegexMatch) DotnetString() string { return m.value() }

func (m *RegexMatch) value() string {
	if m.G != nil {
		if len(m.G.Captures) == 0 {
			return ""
		}
		return m.G.String()
	}
	if m.M == nil {
		return ""
	}
	return m.M.String()
}

// CompileRegex compiles a .NET pattern with RegexOptions bits and a match timeout.
func CompileRegex(pattern string, opts int, timeout time.Duration) (*Regex, error) {
	re, err := regexp2.Compile(pattern, regexp2.RegexOptions(opts))
	if err != nil {
		return nil, err
	}
	if timeout > 0 {
		re.MatchTimeout = timeout
	}
	return &Regex{Re: re}, nil
}

// MapRegexCache is a concurrency-safe RegexCache.
type MapRegexCache struct {
	Timeout time.Duration
	m       sync.Map
}

type regexKey struct {
	p string
	o int
}

// Get implements RegexCache.
func (c *MapRegexCache) Get(pattern string, opts int) (*Regex, error) {
	k := regexKey{pattern, opts}
	if r, ok := c.m.Load(k); ok {
		return r.(*Regex), nil
	}
	r, err := CompileRegex(pattern, opts, c.Timeout)
	if err != nil {
		return nil, err
	}
	c.m.Store(k, r)
	return r, nil
}

func regexErr(err error) {
	if strings.Contains(err.Error(), "timeout") {
		Throw(ExRegexTimeout, "The RegEx engine has timed out while trying to match a pattern to an input string. This can occur for many reasons, including very large inputs or excessive backtracking caused by nested quantifiers, back-references and other factors.")
	}
	Throw(ExArgument, "Invalid pattern. %s", err.Error())
}

func getRegex(c Call, pattern string, opts int) *Regex {
	var r *Regex
	var err error
	if c.Fr != nil && c.Fr.Regexes != nil {
		r, err = c.Fr.Regexes.Get(pattern, opts)
	} else {
		r, err = CompileRegex(pattern, opts, 2*time.Second)
	}
	if err != nil {
		regexErr(err)
	}
	return r
}

func regexOpts(c Call, i int) int {
	if i < len(c.Args) {
		if e, ok := c.Args[i].(Enum); ok {
			return int(e.V)
		}
	}
	return 0
}

func (u *Lib) buildRegex() {
	u.Regex = u.newType("Regex", "System.Text.RegularExpressions.Regex", u.Object)
	u.Match = u.newType("Match", "System.Text.RegularExpressions.Match", u.Object)
	u.Group_ = u.newType("Group", "System.Text.RegularExpressions.Group", u.Object)
	u.Groups = u.newType("GroupCollection", "System.Text.RegularExpressions.GroupCollection", u.Enumerable)
	u.Groups.Elem = u.Group_
	u.MatchCollection = u.newType("MatchCollection", "System.Text.RegularExpressions.MatchCollection", u.Enumerable)
	u.MatchCollection.Elem = u.Match
	ro := u.newType("RegexOptions", "System.Text.RegularExpressions.RegexOptions", u.Object)
	ro.EnumValues = map[string]int64{"None": 0, "IgnoreCase": 1, "Multiline": 2, "ExplicitCapture": 4, "Compiled": 8,
		"Singleline": 16, "IgnorePatternWhitespace": 32, "RightToLeft": 64, "ECMAScript": 256, "CultureInvariant": 512}
	isMatch := func(c Call, r *Regex, s string) Value {
		ok, err := r.Re.MatchString(s)
		if err != nil {
			regexErr(err)
		}
		return ok
	}
	match := func(c Call, r *Regex, s string) Value {
		m, err := r.Re.FindStringMatch(s)
		if err != nil {
			regexErr(err)
		}
		return &RegexMatch{M: m, Input: s, Re: r.Re}
	}
	matches := func(c Call, r *Regex, s string) Value {
		var out []Value
		m, err := r.Re.FindStringMatch(s)
		for ; m != nil && err == nil; m, err = r.Re.FindNextMatch(m) {
			c.Fr.Step(1)
			out = append(out, &RegexMatch{M: m, Input: s, Re: r.Re})
		}
		if err != nil {
			regexErr(err)
		}
		return &matchColl{Seq{T: u.Match, Items: out}}
	}
	replace := func(c Call, r *Regex, s string, i int) Value {
		if f, ok := c.Args[i].(*Func); ok {
			out, err := r.Re.ReplaceFunc(s, func(m regexp2.Match) string {
				return ToString(f.Call(c.Fr, []Value{&RegexMatch{M: &m, Input: s}}))
			}, -1, -1)
			if err != nil {
				regexErr(err)
			}
			return out
		}
		out, err := r.Re.Replace(s, c.Str(i), -1, -1)
		if err != nil {
			regexErr(err)
		}
		return out
	}
	splitR := func(c Call, r *Regex, s string) Value {
		var parts []string
		last := 0
		m, err := r.Re.FindStringMatch(s)
		for ; m != nil && err == nil; m, err = r.Re.FindNextMatch(m) {
			i, l := m.ByteRange()
			parts = append(parts, s[last:i])
			for _, g := range m.Groups()[1:] {
				if len(g.Captures) > 0 {
					parts = append(parts, g.String())
				}
			}
			last = i + l
		}
		if err != nil {
			regexErr(err)
		}
		return StringArray(append(parts, s[last:]))
	}
	type op func(c Call, r *Regex, s string) Value
	static := func(name string, nargs int, res *Type, f op) *Member {
		return meth(name, nargs, nargs+1, res, func(c Call) Value {
			c.NotNull(0, "input")
			c.NotNull(1, "pattern")
			return f(c, getRegex(c, c.Str(1), regexOpts(c, nargs)), c.Str(0))
		})
	}
	inst := func(name string, res *Type, f op) *Member {
		return meth(name, 1, 1, res, func(c Call) Value {
			c.NotNull(0, "input")
			return f(c, c.This.(*Regex), c.Str(0))
		})
	}
	u.Regex.addStatic(
		static("IsMatch", 2, u.Bool, isMatch),
		static("Match", 2, u.Match, match),
		static("Matches", 2, u.MatchCollection, matches),
		static("Split", 2, u.ArrayOf(u.String), splitR),
		meth("Replace", 3, 4, u.String, func(c Call) Value {
			c.NotNull(0, "input")
			return replace(c, getRegex(c, c.Str(1), regexOpts(c, 3)), c.Str(0), 2)
		}),
		meth("Escape", 1, 1, u.String, func(c Call) Value { return regexp2.Escape(c.Str(0)) }),
		meth("Unescape", 1, 1, u.String, func(c Call) Value {
			s, err := regexp2.Unescape(c.Str(0))
			if err != nil {
				regexErr(err)
			}
			return s
		}),
	)
	u.Regex.NewMin = 1
	u.Regex.New = func(c Call) Value { return getRegex(c, c.Str(0), regexOpts(c, 1)) }
	u.Regex.add(
		inst("IsMatch", u.Bool, isMatch), inst("Match", u.Match, match), inst("Matches", u.MatchCollection, matches),
		inst("Split", u.ArrayOf(u.String), splitR),
		meth("Replace", 2, 2, u.String, func(c Call) Value { return replace(c, c.This.(*Regex), c.Str(0), 1) }),
	)
	rm := func(c Call) *RegexMatch { return c.This.(*RegexMatch) }
	capMembers := []*Member{
		prop("Success", u.Bool, func(c Call) Value {
			if m := rm(c); m.G != nil {
				return len(m.G.Captures) > 0
			}
			return rm(c).M != nil
		}),
		prop("Value", u.String, func(c Call) Value { return rm(c).value() }),
		prop("Index", u.Int, func(c Call) Value {
			if m := rm(c); m.G != nil {
				return int32(m.G.RuneIndex)
			} else if m.M != nil {
				return int32(m.M.RuneIndex)
			}
			return int32(0)
		}),
		prop("Length", u.Int, func(c Call) Value { return int32(strLen(rm(c).value())) }),
	}
	u.Match.add(capMembers...)
	u.Group_.add(capMembers...)
	u.Group_.add(prop("Name", u.String, func(c Call) Value { return rm(c).G.Name }))
	u.Match.add(
		prop("Groups", u.Groups, func(c Call) Value { return &groupColl{rm(c)} }),
		meth("Result", 1, 1, u.String, func(c Call) Value {
			c.NotNull(0, "replacement")
			m := rm(c)
			if m.M == nil || m.Re == nil {
				Throw(ExNotSupported, "Result cannot be called on a failed Match.")
			}
			// Replacing this one match in the input expands the pattern
			// with the match's groups and its left and right context.
			out, err := m.Re.Replace(m.Input, c.Str(0), m.M.RuneIndex, 1)
			if err != nil {
				Throw(ExRegexTimeout, "%s", err.Error())
			}
			in, res := []rune(m.Input), []rune(out)
			tail := len(in) - (m.M.RuneIndex + m.M.RuneLength)
			return string(res[m.M.RuneIndex : len(res)-tail])
		}),
		meth("NextMatch", 0, 0, u.Match, func(c Call) Value {
			m := rm(c)
			if m.M == nil || m.Re == nil {
				return m
			}
			next, err := m.Re.FindNextMatch(m.M)
			if err != nil {
				regexErr(err)
			}
			return &RegexMatch{M: next, Input: m.Input, Re: m.Re}
		}),
	)
	u.MatchCollection.add(prop("Count", u.Int, func(c Call) Value { return int32(len(c.This.(*matchColl).Items)) }),
		&Member{Name: "[]", Kind: Property, Result: u.Match, Get: func(c Call) Value {
			it := c.This.(*matchColl).Items
			i := c.Int(0)
			if i < 0 || i >= len(it) {
				Throw(ExArgRange, MsgArgRangeIndex)
			}
			return it[i]
		}})
	u.Match.addStatic(prop("Empty", u.Match, func(Call) Value { return &RegexMatch{} }))
	u.Groups.add(
		prop("Count", u.Int, func(c Call) Value {
			g := c.This.(*groupColl)
			if g.m.M == nil {
				return int32(1)
			}
			return int32(g.m.M.GroupCount())
		}),
		&Member{Name: "[]", Kind: Property, Result: u.Group_, Get: func(c Call) Value {
			g := c.This.(*groupColl)
			if g.m.M == nil {
				return &RegexMatch{G: &regexp2.Group{}}
			}
			var grp *regexp2.Group
			if n, ok := c.Args[0].(int32); ok {
				grp = g.m.M.GroupByNumber(int(n))
			} else {
				grp = g.m.M.GroupByName(c.Str(0))
			}
			if grp == nil {
				grp = &regexp2.Group{}
			}
			return &RegexMatch{G: grp, Input: g.m.Input}
		}},
	)
}

// groupColl is a GroupCollection.
type groupColl struct{ m *RegexMatch }

// DotnetType implements Typed.
func (g *groupColl) DotnetType(u *Lib) *Type { return u.Groups }

// Each implements Enumerable.
func (g *groupColl) Each(f func(Value) bool) {
	if g.m.M == nil {
		return
	}
	for _, grp := range g.m.M.Groups() {
		if !f(&RegexMatch{G: &grp, Input: g.m.Input}) {
			return
		}
	}
}

// matchColl is a MatchCollection.
type matchColl struct{ Seq }

// DotnetType implements Typed.
func (m *matchColl) DotnetType(u *Lib) *Type { return u.MatchCollection }

// Each implements Enumerable.
func (m *matchColl) Each(f func(Value) bool) {
	for _, x := range m.Items {
		if !f(x) {
			return
		}
	}
}
