package logstore

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"modernc.org/sqlite"

	"github.com/tollgate/tollgate/internal/kql"
)

var registerOnce sync.Once

// registerFunctions registers, once per process, the SQL functions the
// SQLite dialect of package kql calls.
func registerFunctions() {
	registerOnce.Do(func() {
		for name, f := range scalarFuncs {
			sqlite.MustRegisterFunction(name, &sqlite.FunctionImpl{NArgs: f.n, Deterministic: true, Scalar: f.fn})
		}
		sqlite.MustRegisterFunction("kql_percentile", &sqlite.FunctionImpl{NArgs: 2, Deterministic: true,
			MakeAggregate: func(sqlite.FunctionContext) (sqlite.AggregateFunction, error) { return &percentileAgg{}, nil }})
		sqlite.MustRegisterFunction("kql_make_set", &sqlite.FunctionImpl{NArgs: 3, Deterministic: true,
			MakeAggregate: func(sqlite.FunctionContext) (sqlite.AggregateFunction, error) { return &setAgg{set: true}, nil }})
		sqlite.MustRegisterFunction("kql_make_list", &sqlite.FunctionImpl{NArgs: 3, Deterministic: true,
			MakeAggregate: func(sqlite.FunctionContext) (sqlite.AggregateFunction, error) { return &setAgg{}, nil }})
	})
}

type scalarFunc struct {
	n  int32
	fn func(*sqlite.FunctionContext, []driver.Value) (driver.Value, error)
}

// text returns the text of a SQL value, and false for NULL.
func text(v driver.Value) (string, bool) {
	switch x := v.(type) {
	case nil:
		return "", false
	case string:
		return x, true
	case []byte:
		return string(x), true
	case int64:
		return strconv.FormatInt(x, 10), true
	case float64:
		return kql.FormatReal(x), true
	}
	return fmt.Sprint(v), true
}

func integer(v driver.Value) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case float64:
		return int64(x), true
	case string:
		n, err := strconv.ParseInt(x, 10, 64)
		return n, err == nil
	}
	return 0, false
}

func number(v driver.Value) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// predicate2 wraps a two-string predicate: NULL text never matches.
func predicate2(f func(s, t string) bool) scalarFunc {
	return scalarFunc{2, func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		s, ok1 := text(a[0])
		t, ok2 := text(a[1])
		if !ok1 || !ok2 {
			return int64(0), nil
		}
		return b2i(f(s, t)), nil
	}}
}

func string1(f func(s string) driver.Value) scalarFunc {
	return scalarFunc{1, func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		s, ok := text(a[0])
		if !ok {
			return nil, nil
		}
		return f(s), nil
	}}
}

var scalarFuncs = map[string]scalarFunc{
	"kql_has":        predicate2(func(s, t string) bool { return hasTerm(strings.ToLower(s), strings.ToLower(t), true, true) }),
	"kql_has_cs":     predicate2(func(s, t string) bool { return hasTerm(s, t, true, true) }),
	"kql_hasprefix":  predicate2(func(s, t string) bool { return hasTerm(strings.ToLower(s), strings.ToLower(t), true, false) }),
	"kql_hassuffix":  predicate2(func(s, t string) bool { return hasTerm(strings.ToLower(s), strings.ToLower(t), false, true) }),
	"kql_contains":   predicate2(func(s, t string) bool { return strings.Contains(strings.ToLower(s), strings.ToLower(t)) }),
	"kql_startswith": predicate2(func(s, t string) bool { return strings.HasPrefix(strings.ToLower(s), strings.ToLower(t)) }),
	"kql_endswith":   predicate2(func(s, t string) bool { return strings.HasSuffix(strings.ToLower(s), strings.ToLower(t)) }),
	"kql_equal_fold": predicate2(strings.EqualFold),
	"kql_regex": {2, func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		s, ok1 := text(a[0])
		p, ok2 := text(a[1])
		if !ok1 || !ok2 {
			return int64(0), nil
		}
		re, err := compileRegexp(p)
		if err != nil {
			return nil, err
		}
		return b2i(re.MatchString(s)), nil
	}},
	"kql_extract": {3, func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		p, ok1 := text(a[0])
		g, ok2 := integer(a[1])
		s, ok3 := text(a[2])
		if !ok1 || !ok2 || !ok3 {
			return "", nil
		}
		re, err := compileRegexp(p)
		if err != nil {
			return nil, err
		}
		m := re.FindStringSubmatch(s)
		if m == nil || g < 0 || int(g) >= len(m) {
			return "", nil
		}
		return m[g], nil
	}},
	"kql_tolong": string1(func(s string) driver.Value {
		s = strings.TrimSpace(s)
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return n
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) && math.Abs(f) < 9.2e18 {
			return int64(f)
		}
		return nil
	}),
	"kql_toreal": string1(func(s string) driver.Value {
		if f, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil {
			return f
		}
		return nil
	}),
	"kql_todatetime": string1(func(s string) driver.Value {
		if t, ok := kql.ParseDateTime(s); ok {
			return t.UnixNano()
		}
		return nil
	}),
	"kql_totimespan": string1(func(s string) driver.Value {
		if d, ok := kql.ParseTimespan(s); ok {
			return int64(d)
		}
		return nil
	}),
	"kql_tobool": string1(func(s string) driver.Value {
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "true", "1":
			return int64(1)
		case "false", "0":
			return int64(0)
		}
		return nil
	}),
	"kql_format_datetime": {1, func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		n, ok := integer(a[0])
		if !ok {
			return "", nil
		}
		return kql.FormatDateTime(n), nil
	}},
	"kql_format_timespan": {1, func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		n, ok := integer(a[0])
		if !ok {
			return "", nil
		}
		return kql.FormatTimespan(time.Duration(n)), nil
	}},
	"kql_format_real": {1, func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		f, ok := number(a[0])
		if !ok {
			return "", nil
		}
		return kql.FormatReal(f), nil
	}},
	"kql_format_dynamic": {1, func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		s, ok := text(a[0])
		if !ok {
			return "", nil
		}
		if strings.HasPrefix(s, `"`) {
			var u string
			if json.Unmarshal([]byte(s), &u) == nil {
				return u, nil
			}
		}
		return s, nil
	}},
	"kql_tolower": string1(func(s string) driver.Value { return strings.ToLower(s) }),
	"kql_toupper": string1(func(s string) driver.Value { return strings.ToUpper(s) }),
	"kql_bin_real": {2, func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
		x, ok1 := number(a[0])
		size, ok2 := number(a[1])
		if !ok1 || !ok2 || size <= 0 {
			return nil, nil
		}
		return math.Floor(x/size) * size, nil
	}},
}

// hasTerm reports whether term occurs in s as whole terms: where term starts
// (ends) with a letter or digit, the character before (after) it in s must
// not be one. start and end choose which boundaries count (hasprefix checks
// only the start, hassuffix only the end).
func hasTerm(s, term string, start, end bool) bool {
	if term == "" {
		return true
	}
	first, _ := utf8.DecodeRuneInString(term)
	last, _ := utf8.DecodeLastRuneInString(term)
	from := 0
	for {
		i := strings.Index(s[from:], term)
		if i < 0 {
			return false
		}
		i += from
		j := i + len(term)
		ok := true
		if start && isAlnum(first) && i > 0 {
			r, _ := utf8.DecodeLastRuneInString(s[:i])
			ok = !isAlnum(r)
		}
		if ok && end && isAlnum(last) && j < len(s) {
			r, _ := utf8.DecodeRuneInString(s[j:])
			ok = !isAlnum(r)
		}
		if ok {
			return true
		}
		_, w := utf8.DecodeRuneInString(s[i:])
		from = i + w
	}
}

func isAlnum(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// regexps caches compiled patterns; a query uses few, so the cache is
// simply cleared when it grows past its bound.
var regexps struct {
	sync.Mutex
	m map[string]*regexp.Regexp
}

func compileRegexp(p string) (*regexp.Regexp, error) {
	regexps.Lock()
	defer regexps.Unlock()
	if re, ok := regexps.m[p]; ok {
		return re, nil
	}
	re, err := regexp.Compile(p)
	if err != nil {
		return nil, fmt.Errorf("invalid regular expression %q: %v", p, err)
	}
	if regexps.m == nil || len(regexps.m) > 256 {
		regexps.m = map[string]*regexp.Regexp{}
	}
	regexps.m[p] = re
	return re, nil
}

// percentileAgg computes a nearest-rank percentile: the smallest value with
// at least p% of the values at or below it.
type percentileAgg struct {
	ints   []int64
	floats []float64
	real   bool
	p      float64
}

func (a *percentileAgg) Step(_ *sqlite.FunctionContext, args []driver.Value) error {
	if f, ok := number(args[1]); ok {
		a.p = f
	}
	switch x := args[0].(type) {
	case int64:
		a.ints = append(a.ints, x)
		a.floats = append(a.floats, float64(x))
	case float64:
		a.real = true
		a.floats = append(a.floats, x)
	}
	return nil
}

func (a *percentileAgg) WindowInverse(*sqlite.FunctionContext, []driver.Value) error {
	return fmt.Errorf("kql_percentile is not a window function")
}

func (a *percentileAgg) WindowValue(*sqlite.FunctionContext) (driver.Value, error) {
	n := len(a.floats)
	if n == 0 {
		return nil, nil
	}
	rank := int(math.Ceil(a.p / 100 * float64(n)))
	i := min(max(rank-1, 0), n-1)
	if a.real {
		v := append([]float64(nil), a.floats...)
		sort.Float64s(v)
		return v[i], nil
	}
	v := append([]int64(nil), a.ints...)
	sort.Slice(v, func(x, y int) bool { return v[x] < v[y] })
	return v[i], nil
}

func (a *percentileAgg) Final(*sqlite.FunctionContext) {}

// setAgg builds make_set (distinct values, first seen first) and make_list
// as a JSON array; values are rendered by their Log Analytics type.
type setAgg struct {
	set   bool
	seen  map[string]bool
	items []string
	max   int64
	typ   kql.Type
}

func (a *setAgg) Step(_ *sqlite.FunctionContext, args []driver.Value) error {
	if a.seen == nil {
		a.seen = map[string]bool{}
		a.max, _ = integer(args[1])
		t, _ := text(args[2])
		a.typ = kql.ParseType(t)
	}
	if args[0] == nil || int64(len(a.items)) >= a.max {
		return nil
	}
	var enc string
	switch a.typ {
	case kql.Dynamic:
		s, _ := text(args[0])
		enc = s
	case kql.Bool:
		n, _ := integer(args[0])
		enc = strconv.FormatBool(n != 0)
	case kql.DateTime:
		n, _ := integer(args[0])
		enc = strconv.Quote(kql.FormatDateTime(n))
	case kql.Timespan:
		n, _ := integer(args[0])
		enc = strconv.Quote(kql.FormatTimespan(time.Duration(n)))
	case kql.String:
		s, _ := text(args[0])
		b, _ := json.Marshal(s)
		enc = string(b)
	default:
		switch x := args[0].(type) {
		case int64:
			enc = strconv.FormatInt(x, 10)
		case float64:
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return nil
			}
			enc = strconv.FormatFloat(x, 'g', -1, 64)
		default:
			s, _ := text(x)
			b, _ := json.Marshal(s)
			enc = string(b)
		}
	}
	if a.set {
		if a.seen[enc] {
			return nil
		}
		a.seen[enc] = true
	}
	a.items = append(a.items, enc)
	return nil
}

func (a *setAgg) WindowInverse(*sqlite.FunctionContext, []driver.Value) error {
	return fmt.Errorf("make_set is not a window function")
}

func (a *setAgg) WindowValue(*sqlite.FunctionContext) (driver.Value, error) {
	return "[" + strings.Join(a.items, ",") + "]", nil
}

func (a *setAgg) Final(*sqlite.FunctionContext) {}
