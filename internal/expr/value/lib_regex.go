package value

import (
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dlclark/regexp2/v2"
)

// Regex is a compiled System.Text.RegularExpressions.Regex.
type Regex struct {
	Re      *regexp2.Regexp
	Opts    int           // .NET RegexOptions bits
	Timeout time.Duration // the match timeout; 0 when infinite
}

// DotnetType implements Typed.
func (r *Regex) DotnetType(u *Lib) *Type { return u.Regex }

// DotnetString implements Stringer.
func (r *Regex) DotnetString() string { return r.Re.String() }

// RegexMatch is a Match, a Group or a Capture.
type RegexMatch struct {
	M     *regexp2.Match // nil for an unsuccessful match
	G     *regexp2.Group
	C     *regexp2.Capture
	Input string
	// Re is the expression that produced the match, for NextMatch.
	Re *regexp2.Regexp
	// Offset is added to indexes: the match was found in a part of the
	// input starting there (Regex.Match(input, beginning, length)).
	Offset int
}

// DotnetType implements Typed.
func (m *RegexMatch) DotnetType(u *Lib) *Type {
	if m.C != nil {
		return u.Capture
	}
	if m.G != nil {
		return u.Group_
	}
	return u.Match
}

// DotnetString implements Stringer.
func (m *RegexMatch) DotnetString() string { return m.value() }

func (m *RegexMatch) value() string {
	if m.C != nil {
		return m.C.String()
	}
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

// .NET RegexOptions bits that tollgate accepts.
const (
	regexIgnoreCase       = 1
	regexMultiline        = 2
	regexCompiled         = 8
	regexECMAScript       = 256
	regexCultureInvariant = 512
	regexNonBacktracking  = 1024
	regexValidOptions     = 0x7ff &^ 128 // every RegexOptions bit (128 is not one)
)

// engineOptions maps .NET RegexOptions bits to the engine's: Compiled,
// CultureInvariant and NonBacktracking change no result (and their bits mean
// other things to the engine), so they are dropped.
func engineOptions(opts int) regexp2.RegexOptions {
	return regexp2.RegexOptions(opts &^ (regexCompiled | regexCultureInvariant | regexNonBacktracking))
}

// checkRegexOptions raises ArgumentOutOfRangeException for the option
// combinations .NET rejects.
func checkRegexOptions(opts int) {
	if opts&^regexValidOptions != 0 || opts < 0 ||
		opts&regexECMAScript != 0 && opts&^(regexECMAScript|regexIgnoreCase|regexMultiline|regexCompiled|regexCultureInvariant) != 0 {
		Throw(ExArgRange, "Specified argument was out of the range of valid values. (Parameter 'options')")
	}
}

// CompileRegex compiles a .NET pattern with RegexOptions bits and a match timeout.
func CompileRegex(pattern string, opts int, timeout time.Duration) (*Regex, error) {
	re, err := regexp2.Compile(pattern, engineOptions(opts))
	if err != nil {
		return nil, err
	}
	if timeout > 0 {
		re.MatchTimeout = timeout
	}
	return &Regex{Re: re, Opts: opts, Timeout: timeout}, nil
}

// maxCachedRegexes bounds the number of patterns one program keeps compiled:
// patterns built from request data are compiled per use past it.
const maxCachedRegexes = 256

// MapRegexCache is a concurrency-safe RegexCache holding at most
// maxCachedRegexes expressions.
type MapRegexCache struct {
	Timeout time.Duration
	m       sync.Map
	n       atomic.Int32
	// size is Regex.CacheSize less its default, so that the zero value
	// reads 15. It bounds nothing: maxCachedRegexes does.
	size atomic.Int32
}

// defaultRegexCacheSize is Regex.CacheSize until a program sets it, as in .NET.
const defaultRegexCacheSize = 15

// CacheSize implements RegexCache: the program's Regex.CacheSize.
func (c *MapRegexCache) CacheSize() int { return int(c.size.Load()) + defaultRegexCacheSize }

// SetCacheSize implements RegexCache.
func (c *MapRegexCache) SetCacheSize(n int) { c.size.Store(int32(n - defaultRegexCacheSize)) }

type regexKey struct {
	p string
	o int
	t time.Duration
}

// Get implements RegexCache. A timeout of 0 is the cache's Timeout; a
// timeout longer than the cache's (including Regex.InfiniteMatchTimeout) is
// cut to it: the gateway bounds every match.
func (c *MapRegexCache) Get(pattern string, opts int, timeout time.Duration) (*Regex, error) {
	if timeout <= 0 || c.Timeout > 0 && timeout > c.Timeout {
		timeout = c.Timeout
	}
	k := regexKey{pattern, opts, timeout}
	if r, ok := c.m.Load(k); ok {
		return r.(*Regex), nil
	}
	r, err := CompileRegex(pattern, opts, timeout)
	if err != nil {
		return nil, err
	}
	if c.n.Load() < maxCachedRegexes {
		if _, loaded := c.m.LoadOrStore(k, r); !loaded {
			c.n.Add(1)
		}
	}
	return r, nil
}

func regexErr(err error) {
	if strings.Contains(err.Error(), "timeout") {
		Throw(ExRegexTimeout, "The RegEx engine has timed out while trying to match a pattern to an input string. This can occur for many reasons, including very large inputs or excessive backtracking caused by nested quantifiers, back-references and other factors.")
	}
	Throw(ExArgument, "Invalid pattern. %s", err.Error())
}

// infiniteMatchTimeout is Regex.InfiniteMatchTimeout (-1 ms).
const infiniteMatchTimeout = -time.Millisecond

// maxMatchTimeout is the longest timeout .NET accepts (about 24 days).
const maxMatchTimeout = time.Duration(2147483646) * time.Millisecond

func getRegex(c Call, pattern string, opts int, timeout time.Duration) *Regex {
	checkRegexOptions(opts)
	if timeout != infiniteMatchTimeout && (timeout <= 0 || timeout > maxMatchTimeout) {
		Throw(ExArgRange, "Specified argument was out of the range of valid values. (Parameter 'matchTimeout')")
	}
	if timeout == infiniteMatchTimeout {
		timeout = 0
	}
	var r *Regex
	var err error
	if c.Fr != nil && c.Fr.Regexes != nil {
		r, err = c.Fr.Regexes.Get(pattern, opts, timeout)
	} else {
		if timeout <= 0 || timeout > 2*time.Second {
			timeout = 2 * time.Second
		}
		r, err = CompileRegex(pattern, opts, timeout)
	}
	if err != nil {
		regexErr(err)
	}
	return r
}

// regexOpts returns argument i as RegexOptions bits (0 when absent).
func regexOpts(c Call, i int) int {
	if i < len(c.Args) {
		switch e := c.Args[i].(type) {
		case Enum:
			return int(e.V)
		case int32:
			return int(e)
		}
	}
	return 0
}

// regexTimeout returns argument i, a TimeSpan, as a match timeout; a
// missing argument is the infinite timeout (the gateway's bound applies).
// A TimeSpan too long for a time.Duration saturates, beyond the longest
// timeout .NET accepts.
func regexTimeout(c Call, i int) time.Duration {
	if i < len(c.Args) {
		return DurationOf(c.TimeSpan(i))
	}
	return infiniteMatchTimeout
}

func (u *Lib) buildRegex() {
	u.Regex = u.newType("Regex", "System.Text.RegularExpressions.Regex", u.Object)
	u.Capture = u.newType("Capture", "System.Text.RegularExpressions.Capture", u.Object)
	u.Group_ = u.newType("Group", "System.Text.RegularExpressions.Group", u.Capture)
	u.Match = u.newType("Match", "System.Text.RegularExpressions.Match", u.Group_)
	captures := u.newType("CaptureCollection", "System.Text.RegularExpressions.CaptureCollection", u.Enumerable)
	captures.Elem = u.Capture
	u.Groups = u.newType("GroupCollection", "System.Text.RegularExpressions.GroupCollection", u.Enumerable)
	u.Groups.Elem = u.Group_
	u.MatchCollection = u.newType("MatchCollection", "System.Text.RegularExpressions.MatchCollection", u.Enumerable)
	u.MatchCollection.Elem = u.Match
	ro := u.newType("RegexOptions", "System.Text.RegularExpressions.RegexOptions", u.Object)
	ro.EnumValues = map[string]int64{"None": 0, "IgnoreCase": 1, "Multiline": 2, "ExplicitCapture": 4, "Compiled": 8,
		"Singleline": 16, "IgnorePatternWhitespace": 32, "RightToLeft": 64, "ECMAScript": 256, "CultureInvariant": 512, "NonBacktracking": 1024}
	ro.Flags = true
	// The operations take the input, the index to start at (-1: the start,
	// or the end for RightToLeft) and the remaining arguments of the call
	// from position i.
	isMatch := func(c Call, r *Regex, s string, at int) Value {
		if at < 0 {
			ok, err := r.Re.MatchString(s)
			if err != nil {
				regexErr(err)
			}
			return ok
		}
		m, err := r.Re.FindStringMatchStartingAt(s, at)
		if err != nil {
			regexErr(err)
		}
		return m != nil
	}
	match := func(c Call, r *Regex, s string, at int) Value {
		var m *regexp2.Match
		var err error
		if at < 0 {
			m, err = r.Re.FindStringMatch(s)
		} else {
			m, err = r.Re.FindStringMatchStartingAt(s, at)
		}
		if err != nil {
			regexErr(err)
		}
		return &RegexMatch{M: m, Input: s, Re: r.Re}
	}
	matches := func(c Call, r *Regex, s string, at int) Value {
		var out []Value
		var m *regexp2.Match
		var err error
		if at < 0 {
			m, err = r.Re.FindStringMatch(s)
		} else {
			m, err = r.Re.FindStringMatchStartingAt(s, at)
		}
		for ; m != nil && err == nil; m, err = r.Re.FindNextMatch(m) {
			c.Fr.Step(1)
			out = append(out, &RegexMatch{M: m, Input: s, Re: r.Re})
		}
		if err != nil {
			regexErr(err)
		}
		return &matchColl{Seq{T: u.Match, Items: out}}
	}
	// replace replaces count matches (-1: all) from at with argument i, a
	// replacement pattern or a MatchEvaluator.
	replace := func(c Call, r *Regex, s string, i, count, at int) Value {
		if f, ok := c.Args[i].(*Func); ok {
			out, err := r.Re.ReplaceFunc(s, func(m regexp2.Match) string {
				c.Fr.Step(1)
				return ToString(f.Call(c.Fr, []Value{&RegexMatch{M: &m, Input: s, Re: r.Re}}))
			}, at, count)
			if err != nil {
				regexErr(err)
			}
			return out
		}
		c.NotNull(i, "replacement")
		out, err := r.Re.Replace(s, c.Str(i), at, count)
		if err != nil {
			regexErr(err)
		}
		return out
	}
	// split splits around at most count-1 matches (count 0: all) found
	// from at; captured groups are included, as .NET does.
	split := func(c Call, r *Regex, s string, count, at int) Value {
		if count < 0 {
			Throw(ExArgRange, "Count cannot be less than -1. (Parameter 'count')")
		}
		if count == 1 {
			return StringArray([]string{s})
		}
		count--
		var parts []string
		last := 0
		var m *regexp2.Match
		var err error
		if at < 0 {
			m, err = r.Re.FindStringMatch(s)
		} else {
			m, err = r.Re.FindStringMatchStartingAt(s, at)
		}
		for ; m != nil && err == nil; m, err = r.Re.FindNextMatch(m) {
			c.Fr.Step(1)
			i, l := m.ByteRange()
			parts = append(parts, s[last:i])
			for _, g := range m.Groups()[1:] {
				if len(g.Captures) > 0 {
					parts = append(parts, g.String())
				}
			}
			last = i + l
			if count--; count == 0 {
				break
			}
		}
		if err != nil {
			regexErr(err)
		}
		return StringArray(append(parts, s[last:]))
	}
	startAt := func(c Call, i int, s string) int {
		at := c.Int(i)
		if at < 0 || at > strLen(s) {
			Throw(ExArgRange, "Specified argument was out of the range of valid values. (Parameter 'startat')")
		}
		return at
	}
	type op func(c Call, r *Regex, s string, at int) Value
	// static members: (input, pattern[, options[, matchTimeout]])
	static := func(name string, res *Type, f op) *Member {
		m := meth(name, 2, 4, res, func(c Call) Value {
			c.NotNull(0, "input")
			c.NotNull(1, "pattern")
			return f(c, getRegex(c, c.Str(1), regexOpts(c, 2), regexTimeout(c, 3)), c.Str(0), -1)
		})
		m.Params = []string{"input", "pattern", "options", "matchTimeout"}
		m.ArgTypes = []*Type{u.String, u.String, nil, u.TimeSpan}
		return m
	}
	// instance members: (input[, startat])
	inst := func(name string, res *Type, f op) *Member {
		m := meth(name, 1, 2, res, func(c Call) Value {
			c.NotNull(0, "input")
			s := c.Str(0)
			at := -1
			if c.Has(1) {
				at = startAt(c, 1, s)
			}
			return f(c, c.This.(*Regex), s, at)
		})
		m.Params = []string{"input", "startat"}
		m.ArgTypes = []*Type{u.String, u.Int}
		return m
	}
	staticReplace := meth("Replace", 3, 5, u.String, func(c Call) Value {
		c.NotNull(0, "input")
		c.NotNull(1, "pattern")
		c.NotNull(2, "evaluator")
		return replace(c, getRegex(c, c.Str(1), regexOpts(c, 3), regexTimeout(c, 4)), c.Str(0), 2, -1, -1)
	})
	staticReplace.Params = []string{"input", "pattern", "replacement", "options", "matchTimeout"}
	staticReplace.ArgTypes = []*Type{u.String, u.String, nil, nil, u.TimeSpan}
	staticReplace.Lambda = []int{2}
	staticReplace.LambdaParams = func(*Type, []*Type, int, int) []*Type { return []*Type{u.Match} }
	staticSplit := meth("Split", 2, 4, u.ArrayOf(u.String), func(c Call) Value {
		c.NotNull(0, "input")
		c.NotNull(1, "pattern")
		return split(c, getRegex(c, c.Str(1), regexOpts(c, 2), regexTimeout(c, 3)), c.Str(0), 0, -1)
	})
	staticSplit.Params = []string{"input", "pattern", "options", "matchTimeout"}
	staticSplit.ArgTypes = []*Type{u.String, u.String, nil, u.TimeSpan}
	count := func(c Call, r *Regex, s string, at int) Value {
		return int32(len(matches(c, r, s, at).(*matchColl).Items))
	}
	u.Regex.addStatic(
		static("Count", u.Int, count),
		static("IsMatch", u.Bool, isMatch),
		static("Match", u.Match, match),
		static("Matches", u.MatchCollection, matches),
		staticSplit,
		staticReplace,
		meth("Escape", 1, 1, u.String, func(c Call) Value {
			c.NotNull(0, "str")
			return regexp2.Escape(c.Str(0))
		}),
		meth("Unescape", 1, 1, u.String, func(c Call) Value {
			c.NotNull(0, "str")
			s, err := regexp2.Unescape(c.Str(0))
			if err != nil {
				regexErr(err)
			}
			return s
		}),
		prop("InfiniteMatchTimeout", u.TimeSpan, func(Call) Value { return TimeSpanOf(infiniteMatchTimeout) }),
		&Member{Name: "CacheSize", Kind: Property, Result: u.Int,
			Get: func(c Call) Value {
				if c.Fr == nil || c.Fr.Regexes == nil {
					return int32(defaultRegexCacheSize)
				}
				return int32(c.Fr.Regexes.CacheSize())
			},
			Set: func(c Call, v Value) {
				n, ok := AsInt64(v)
				if !ok {
					ThrowCast(v, "System.Int32")
				}
				if n < 0 {
					Throw(ExArgRange, "value ('%d') must be a non-negative value. (Parameter 'value')\nActual value was %d.", n, n)
				}
				if c.Fr != nil && c.Fr.Regexes != nil {
					c.Fr.Regexes.SetCacheSize(int(n))
				}
			}},
	)
	u.Types["MatchEvaluator"] = u.Func
	u.Regex.NewMin = 1
	u.Regex.New = func(c Call) Value {
		c.NotNull(0, "pattern")
		timeout := regexTimeout(c, 2)
		r := *getRegex(c, c.Str(0), regexOpts(c, 1), timeout)
		r.Timeout = max(timeout, 0) // the timeout asked for; the gateway's bound still applies
		return &r
	}
	instMatch := meth("Match", 1, 3, u.Match, func(c Call) Value {
		c.NotNull(0, "input")
		s, r := c.Str(0), c.This.(*Regex)
		switch {
		case c.Has(2):
			// Match(input, beginning, length): search input[beginning:beginning+length] only
			rs := []rune(s)
			b, n := c.Int(1), c.Int(2)
			if b < 0 || b > len(rs) {
				Throw(ExArgRange, "Specified argument was out of the range of valid values. (Parameter 'beginning')")
			}
			if n < 0 || b+n > len(rs) {
				Throw(ExArgRange, "Specified argument was out of the range of valid values. (Parameter 'length')")
			}
			m, err := r.Re.FindRunesMatch(rs[b : b+n])
			if err != nil {
				regexErr(err)
			}
			if m == nil {
				return &RegexMatch{Input: s, Re: r.Re}
			}
			return &RegexMatch{M: m, Input: string(rs[b : b+n]), Re: r.Re, Offset: b}
		case c.Has(1):
			return match(c, r, s, startAt(c, 1, s))
		}
		return match(c, r, s, -1)
	})
	instMatch.Params = []string{"input", "beginning", "length"}
	instMatch.ArgTypes = []*Type{u.String, u.Int, u.Int}
	instReplace := meth("Replace", 2, 4, u.String, func(c Call) Value {
		c.NotNull(0, "input")
		s := c.Str(0)
		count, at := -1, -1
		if c.Has(2) {
			count = c.Int(2)
			if count < -1 {
				Throw(ExArgRange, "Count cannot be less than -1. (Parameter 'count')")
			}
		}
		if c.Has(3) {
			at = startAt(c, 3, s)
		}
		if count == 0 {
			return s
		}
		return replace(c, c.This.(*Regex), s, 1, count, at)
	})
	instReplace.Params = []string{"input", "replacement", "count", "startat"}
	instReplace.ArgTypes = []*Type{u.String, nil, u.Int, u.Int}
	instReplace.Lambda = []int{1}
	instReplace.LambdaParams = staticReplace.LambdaParams
	instSplit := meth("Split", 1, 3, u.ArrayOf(u.String), func(c Call) Value {
		c.NotNull(0, "input")
		s := c.Str(0)
		count, at := 0, -1
		if c.Has(1) {
			count = c.Int(1)
		}
		if c.Has(2) {
			at = startAt(c, 2, s)
		}
		return split(c, c.This.(*Regex), s, count, at)
	})
	instSplit.Params = []string{"input", "count", "startat"}
	instSplit.ArgTypes = []*Type{u.String, u.Int, u.Int}
	u.Regex.add(
		inst("Count", u.Int, count),
		inst("IsMatch", u.Bool, isMatch), instMatch, inst("Matches", u.MatchCollection, matches),
		instSplit, instReplace,
		prop("Options", u.Types["RegexOptions"], func(c Call) Value {
			return EnumOf(u.Types["RegexOptions"], int64(c.This.(*Regex).Opts))
		}),
		prop("MatchTimeout", u.TimeSpan, func(c Call) Value {
			if t := c.This.(*Regex).Timeout; t > 0 {
				return TimeSpanOf(t)
			}
			return TimeSpanOf(infiniteMatchTimeout)
		}),
		prop("RightToLeft", u.Bool, func(c Call) Value { return c.This.(*Regex).Re.RightToLeft() }),
		meth("ToString", 0, 0, u.String, func(c Call) Value { return c.This.(*Regex).Re.String() }),
	)
	rm := func(c Call) *RegexMatch { return c.This.(*RegexMatch) }
	capMembers := []*Member{
		prop("Success", u.Bool, func(c Call) Value {
			if m := rm(c); m.C != nil {
				return true
			} else if m.G != nil {
				return len(m.G.Captures) > 0
			}
			return rm(c).M != nil
		}),
		prop("Value", u.String, func(c Call) Value { return rm(c).value() }),
		prop("Index", u.Int, func(c Call) Value {
			if m := rm(c); m.C != nil {
				return int32(m.Offset + m.C.RuneIndex)
			} else if m.G != nil {
				return int32(m.Offset + m.G.RuneIndex)
			} else if m.M != nil {
				return int32(m.Offset + m.M.RuneIndex)
			}
			return int32(0)
		}),
		prop("Length", u.Int, func(c Call) Value { return int32(strLen(rm(c).value())) }),
	}
	u.Capture.add(capMembers...)
	u.Capture.add(meth("ToString", 0, 0, u.String, func(c Call) Value { return rm(c).value() }))
	u.Group_.add(
		prop("Name", u.String, func(c Call) Value {
			if g := rm(c).G; g != nil {
				return g.Name
			}
			return "0"
		}),
		prop("Captures", captures, func(c Call) Value {
			m := rm(c)
			var caps []regexp2.Capture
			switch {
			case m.G != nil:
				caps = m.G.Captures
			case m.M != nil:
				caps = []regexp2.Capture{m.M.Capture}
			}
			out := make([]Value, len(caps))
			for i := range caps {
				out[i] = &RegexMatch{C: &caps[i], Input: m.Input, Offset: m.Offset}
			}
			return &captureColl{Seq{T: u.Capture, Items: out}}
		}),
	)
	captures.add(prop("Count", u.Int, func(c Call) Value { return int32(len(c.This.(*captureColl).Items)) }),
		&Member{Name: "[]", Kind: Property, Result: u.Capture, Get: func(c Call) Value {
			it := c.This.(*captureColl).Items
			i := c.Int(0)
			if i < 0 || i >= len(it) {
				Throw(ExArgRange, "Specified argument was out of the range of valid values. (Parameter 'i')")
			}
			return it[i]
		}})
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
	groupNames := func(g *groupColl) []string {
		if g.m.M == nil {
			return []string{"0"}
		}
		var names []string
		for _, grp := range g.m.M.Groups() {
			names = append(names, grp.Name)
		}
		return names
	}
	u.Groups.add(
		prop("Keys", u.SeqOf(u.String), func(c Call) Value { return seqOfStrings(groupNames(c.This.(*groupColl))) }),
		meth("ContainsKey", 1, 1, u.Bool, func(c Call) Value {
			c.NotNull(0, "key")
			for _, n := range groupNames(c.This.(*groupColl)) {
				if n == c.Str(0) {
					return true
				}
			}
			return false
		}),
		&Member{Name: "TryGetValue", Kind: Method, Min: 2, Max: 2, Result: u.Bool, Out: []int{1}, Fn: func(c Call) Value {
			c.NotNull(0, "key")
			g := c.This.(*groupColl)
			if g.m.M != nil {
				if grp := g.m.M.GroupByName(c.Str(0)); grp != nil {
					c.Args[1] = &RegexMatch{G: grp, Input: g.m.Input, Offset: g.m.Offset}
					return true
				}
			}
			c.Args[1] = nil
			return false
		}},
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
			return &RegexMatch{G: grp, Input: g.m.Input, Offset: g.m.Offset}
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

// captureColl is a CaptureCollection.
type captureColl struct{ Seq }

// DotnetType implements Typed.
func (m *captureColl) DotnetType(u *Lib) *Type { return u.Types["CaptureCollection"] }

// Each implements Enumerable.
func (m *captureColl) Each(f func(Value) bool) {
	for _, x := range m.Items {
		if !f(x) {
			return
		}
	}
}
