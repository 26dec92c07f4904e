package liquid

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/tollgate/tollgate/internal/dotnet"
)

// filterFunc is the one shape every filter has: the input, then the
// arguments as written. Filters convert their arguments the way DotLiquid
// does and return an error only where .NET would throw.
type filterFunc func(in any, args ...any) (any, error)

// filterTable lists APIM's filters under their C#-convention names. The
// filters that can multiply their input refuse to build a string longer
// than maxValue bytes.
func filterTable(maxValue int) map[string]filterFunc {
	concat := func(name string, f func(s, a string) string) filterFunc {
		return func(in any, a ...any) (any, error) {
			if in == nil {
				return nil, nil
			}
			s, x := toString(in), toString(arg(a, 0))
			if n := len(s) + len(x); n > maxValue {
				return nil, outputBudget(maxValue, "the %s filter's result would be %d bytes", name, n)
			}
			return f(s, x), nil
		}
	}
	return map[string]filterFunc{
		"Append":        concat("Append", func(s, a string) string { return s + a }),
		"AtLeast":       func(in any, a ...any) (any, error) { return clamp(in, arg(a, 0), true), nil },
		"AtMost":        func(in any, a ...any) (any, error) { return clamp(in, arg(a, 0), false), nil },
		"Capitalize":    strFilter(capitalize),
		"Compact":       compact,
		"Currency":      currency,
		"Date":          dateFilter,
		"Default":       defaultFilter,
		"DividedBy":     mathFilter('/'),
		"Downcase":      strFilter(strings.ToLower),
		"Escape":        strFilter(htmlEncode),
		"First":         func(in any, _ ...any) (any, error) { return firstLast(in, true), nil },
		"H":             strFilter(htmlEncode),
		"Join":          joinFilter(maxValue),
		"Last":          func(in any, _ ...any) (any, error) { return firstLast(in, false), nil },
		"Lstrip":        strFilter(func(s string) string { return strings.TrimLeftFunc(s, unicode.IsSpace) }),
		"Map":           mapFilter,
		"Minus":         mathFilter('-'),
		"Modulo":        mathFilter('%'),
		"NewlineToBr":   strFilter(newlineToBr),
		"Plus":          plusFilter(concat("Plus", func(s, a string) string { return s + a })),
		"Prepend":       concat("Prepend", func(s, a string) string { return a + s }),
		"Remove":        removeFilter(false),
		"RemoveFirst":   removeFilter(true),
		"Replace":       replaceFilter(false, maxValue),
		"ReplaceFirst":  replaceFilter(true, maxValue),
		"Round":         round,
		"Rstrip":        strFilter(func(s string) string { return strings.TrimRightFunc(s, unicode.IsSpace) }),
		"Size":          func(in any, _ ...any) (any, error) { return size(in), nil },
		"Slice":         slice,
		"Sort":          sortFilter,
		"Split":         split,
		"Strip":         strFilter(func(s string) string { return strings.TrimFunc(s, unicode.IsSpace) }),
		"StripHtml":     strFilter(stripHTML),
		"StripNewlines": strFilter(stripNewlines),
		"Times":         timesFilter(maxValue),
		"Truncate":      truncate,
		"TruncateWords": truncateWords,
		"Uniq":          uniq,
		"Upcase":        strFilter(strings.ToUpper),
		"UrlDecode":     strFilter(urlDecode),
		"UrlEncode":     strFilter(urlEncode),
	}
}

func arg(a []any, i int) any {
	if i < len(a) {
		return a[i]
	}
	return nil
}

// strFilter lifts a string function to a filter; a nil input stays nil.
func strFilter(f func(string) string) filterFunc {
	return func(in any, _ ...any) (any, error) {
		if in == nil {
			return nil, nil
		}
		return f(toString(in)), nil
	}
}

// toString is how a value reads as text: what the template prints.
func toString(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case int:
		return strconv.Itoa(v)
	case float64:
		return dotnet.DoubleToString(v)
	case bool:
		if v {
			return "true"
		}
		return "false"
	case []any:
		var b strings.Builder
		for _, x := range v {
			b.WriteString(toString(x))
		}
		return b.String()
	case []string:
		return strings.Join(v, "")
	case fmt.Stringer:
		return v.String()
	}
	return fmt.Sprint(v)
}

// toNumber reads v as a number: ints stay ints, anything else numeric is a
// float64. Strings are parsed with the invariant culture.
func toNumber(v any) (i int, f float64, isInt, ok bool) {
	switch v := v.(type) {
	case int:
		return v, float64(v), true, true
	case float64:
		return 0, v, false, true
	case dotnet.Decimal:
		return 0, v.Float64(), false, true
	case string:
		s := strings.TrimSpace(v)
		if n, err := strconv.Atoi(s); err == nil {
			return n, float64(n), true, true
		}
		if x, err := strconv.ParseFloat(s, 64); err == nil && !strings.ContainsAny(s, "xXpP_") {
			return 0, x, false, true
		}
	}
	return 0, 0, false, false
}

func toInt(v any, def int) int {
	if v == nil {
		return def
	}
	if n, f, isInt, ok := toNumber(v); ok {
		if isInt {
			return n
		}
		return int(f)
	}
	return def
}

// items returns the elements of a collection, or nil and false.
func items(v any) ([]any, bool) {
	switch v := v.(type) {
	case []any:
		return v, true
	case []string:
		out := make([]any, len(v))
		for i, s := range v {
			out[i] = s
		}
		return out, true
	case iterable:
		out := make([]any, v.Len())
		for i := range out {
			out[i] = v.Index(i)
		}
		return out, true
	}
	return nil, false
}

// flatten is DotLiquid's Flatten: nested lists are spliced in, and a
// scalar is a list of one.
func flatten(v any) []any {
	list, ok := items(v)
	if !ok {
		return []any{v}
	}
	var out []any
	for _, x := range list {
		if _, ok := x.([]any); ok {
			out = append(out, flatten(x)...)
		} else {
			out = append(out, x)
		}
	}
	if out == nil {
		out = []any{}
	}
	return out
}

func capitalize(s string) string {
	if strings.TrimSpace(s) == "" {
		return s
	}
	var b strings.Builder
	prevWord := false
	for _, r := range s {
		w := isWordRune(r)
		if w && !prevWord {
			r = unicode.ToUpper(r)
		}
		prevWord = w
		b.WriteRune(r)
	}
	return b.String()
}

func isWordRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Pc, r)
}

func compact(in any, _ ...any) (any, error) {
	if in == nil {
		return nil, nil
	}
	list := flatten(in)
	out := list[:0:0]
	for _, x := range list {
		if x != nil {
			out = append(out, x)
		}
	}
	return out, nil
}

func defaultFilter(in any, a ...any) (any, error) {
	if in == nil || strings.TrimSpace(toString(in)) == "" {
		return arg(a, 0), nil
	}
	return in, nil
}

// htmlEncode is WebUtility.HtmlEncode.
func htmlEncode(s string) string {
	if s == "" {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '"':
			b.WriteString("&quot;")
		case r == '\'':
			b.WriteString("&#39;")
		case r == '&':
			b.WriteString("&amp;")
		case (r >= 160 && r < 256) || r > 0xFFFF:
			b.WriteString("&#" + strconv.Itoa(int(r)) + ";")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func firstLast(in any, first bool) any {
	if s, ok := in.(string); ok {
		if s == "" {
			return nil
		}
		if first {
			r, _ := utf8.DecodeRuneInString(s)
			return string(r)
		}
		r, _ := utf8.DecodeLastRuneInString(s)
		return string(r)
	}
	list, ok := items(in)
	if !ok || len(list) == 0 {
		return nil
	}
	if first {
		return list[0]
	}
	return list[len(list)-1]
}

func joinFilter(maxValue int) filterFunc {
	return func(in any, a ...any) (any, error) {
		if in == nil {
			return nil, nil
		}
		glue := " "
		if len(a) > 0 && a[0] != nil {
			glue = toString(a[0])
		}
		list, ok := items(in)
		if !ok {
			return toString(in), nil
		}
		parts := make([]string, len(list))
		n := 0
		for i, x := range list {
			parts[i] = toString(x)
			if n += len(parts[i]) + len(glue); n > maxValue+len(glue) {
				return nil, outputBudget(maxValue, "the Join filter's result would be over %d bytes", maxValue)
			}
		}
		return strings.Join(parts, glue), nil
	}
}

func property(x any, name string) (any, bool) {
	switch o := x.(type) {
	case *object:
		return o.get(name)
	case pair:
		switch name {
		case "Key":
			return o.Key, true
		case "Value":
			return o.Value, true
		}
	}
	return nil, false
}

func mapFilter(in any, a ...any) (any, error) {
	if in == nil {
		return nil, nil
	}
	list, ok := items(in)
	if !ok {
		list = []any{in}
	}
	name := toString(arg(a, 0))
	out := make([]any, len(list))
	for i, x := range list {
		out[i], _ = property(x, name)
	}
	return out, nil
}

// mathFilter implements Minus, Times, DividedBy and Modulo: integer
// arithmetic when both sides are integers, double arithmetic otherwise.
func mathFilter(op byte) filterFunc {
	return func(in any, a ...any) (any, error) {
		x := arg(a, 0)
		if in == nil || x == nil {
			return nil, nil
		}
		li, lf, lInt, ok1 := toNumber(in)
		ri, rf, rInt, ok2 := toNumber(x)
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("cannot apply the arithmetic filter to %q and %q", toString(in), toString(x))
		}
		if lInt && rInt {
			switch op {
			case '+':
				return li + ri, nil
			case '-':
				return li - ri, nil
			case '*':
				return li * ri, nil
			case '/', '%':
				if ri == 0 {
					return nil, errors.New("attempted to divide by zero")
				}
				if op == '/' {
					return li / ri, nil
				}
				return li % ri, nil
			}
		}
		switch op {
		case '+':
			return lf + rf, nil
		case '-':
			return lf - rf, nil
		case '*':
			return lf * rf, nil
		case '/':
			return lf / rf, nil
		}
		return math.Mod(lf, rf), nil
	}
}

// plusFilter concatenates when the input is a string, as DotLiquid does.
func plusFilter(concat filterFunc) filterFunc {
	add := mathFilter('+')
	return func(in any, a ...any) (any, error) {
		if _, ok := in.(string); ok {
			return concat(in, a...)
		}
		return add(in, a...)
	}
}

// timesFilter repeats a string input an integer number of times.
func timesFilter(maxValue int) filterFunc {
	mul := mathFilter('*')
	return func(in any, a ...any) (any, error) {
		if s, ok := in.(string); ok {
			if n, ok := arg(a, 0).(int); ok {
				if n > 0 && len(s) > 0 && n > maxValue/len(s) {
					return nil, outputBudget(maxValue, "the Times filter's result would be %d × %d bytes", n, len(s))
				}
				return strings.Repeat(s, max(n, 0)), nil
			}
		}
		return mul(in, a...)
	}
}

func clamp(in, bound any, atLeast bool) any {
	_, x, _, ok1 := toNumber(in)
	_, b, _, ok2 := toNumber(bound)
	if !ok1 || !ok2 {
		return in
	}
	if atLeast {
		return math.Max(x, b)
	}
	return math.Min(x, b)
}

func newlineToBr(s string) string {
	if strings.TrimSpace(s) == "" {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\r' && i+1 < len(s) && s[i+1] == '\n':
			b.WriteString("<br />\r\n")
			i++
		case s[i] == '\n':
			b.WriteString("<br />\n")
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

func stripNewlines(s string) string {
	if strings.TrimSpace(s) == "" {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", ""), "\n", "")
}

// stripHTML removes "<...>" runs that do not cross a line break.
func stripHTML(s string) string {
	if strings.TrimSpace(s) == "" {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] == '<' {
			j := i + 1
			for j < len(s) && s[j] != '>' && s[j] != '\n' {
				j++
			}
			if j < len(s) && s[j] == '>' {
				i = j + 1
				continue
			}
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

func removeFilter(firstOnly bool) filterFunc {
	return func(in any, a ...any) (any, error) {
		if in == nil {
			return nil, nil
		}
		s, old := toString(in), toString(arg(a, 0))
		if strings.TrimSpace(s) == "" || old == "" {
			return s, nil
		}
		if firstOnly {
			return strings.Replace(s, old, "", 1), nil
		}
		return strings.ReplaceAll(s, old, ""), nil
	}
}

func replaceFilter(firstOnly bool, maxValue int) filterFunc {
	return func(in any, a ...any) (any, error) {
		if in == nil {
			return nil, nil
		}
		s, old, repl := toString(in), toString(arg(a, 0)), toString(arg(a, 1))
		if s == "" || old == "" {
			return s, nil
		}
		if len(repl) > len(old) {
			n := 1
			if !firstOnly {
				n = strings.Count(s, old)
			}
			if grow := len(repl) - len(old); n > 0 && n > (maxValue-len(s))/grow {
				return nil, outputBudget(maxValue, "the Replace filter's result would be %d bytes", len(s)+n*grow)
			}
		}
		if firstOnly {
			return strings.Replace(s, old, repl, 1), nil
		}
		return strings.ReplaceAll(s, old, repl), nil
	}
}

// round is Math.Round on the input converted to decimal: half to even,
// keeping at most the requested decimals; failures give null.
func round(in any, a ...any) (any, error) {
	var d dotnet.Decimal
	switch v := in.(type) {
	case int:
		d = dotnet.DecimalFromInt64(int64(v))
	case dotnet.Decimal:
		d = v
	default:
		_, f, isInt, ok := toNumber(in)
		if !ok {
			return nil, nil
		}
		var err error
		if isInt {
			d = dotnet.DecimalFromInt64(int64(f))
		} else if d, err = dotnet.DecimalFromFloat64(f); err != nil {
			return nil, nil
		}
	}
	r, err := d.Round(toInt(arg(a, 0), 0), false)
	if err != nil {
		return nil, nil
	}
	return r, nil
}

// size counts UTF-16 code units for strings, as .NET does.
func size(in any) int {
	if s, ok := in.(string); ok {
		n := 0
		for _, r := range s {
			n += utf16.RuneLen(r)
		}
		return n
	}
	if list, ok := items(in); ok {
		return len(list)
	}
	return 0
}

func slice(in any, a ...any) (any, error) {
	if in == nil {
		return nil, nil
	}
	start, n := toInt(arg(a, 0), 0), toInt(arg(a, 1), 1)
	if list, ok := items(in); ok {
		lo, hi, ok := sliceBounds(len(list), start, n)
		if !ok {
			return nil, nil
		}
		return list[lo:hi], nil
	}
	r := []rune(toString(in))
	lo, hi, ok := sliceBounds(len(r), start, n)
	if !ok {
		return nil, nil
	}
	return string(r[lo:hi]), nil
}

func sliceBounds(length, start, n int) (lo, hi int, ok bool) {
	if start > length {
		return 0, 0, false
	}
	if start < 0 {
		start += length
		if start < 0 {
			n = max(0, n+start)
			start = 0
		}
	}
	n = max(n, 0)
	if start+n > length {
		n = length - start
	}
	return start, start + n, true
}

// compareValues orders numbers numerically and strings the way .NET's
// culture-aware comparison mostly does: ignoring case first, then lower
// case before upper case.
func compareValues(x, y any) int {
	_, xf, _, xNum := toNumber(x)
	_, yf, _, yNum := toNumber(y)
	_, xs := x.(string)
	_, ys := y.(string)
	if xNum && yNum && !xs && !ys {
		switch {
		case xf < yf:
			return -1
		case xf > yf:
			return 1
		}
		return 0
	}
	switch {
	case x == nil && y == nil:
		return 0
	case x == nil:
		return -1
	case y == nil:
		return 1
	}
	a, b := toString(x), toString(y)
	if c := strings.Compare(strings.ToLower(a), strings.ToLower(b)); c != 0 {
		return c
	}
	return -strings.Compare(a, b)
}

func sortFilter(in any, a ...any) (any, error) {
	if in == nil {
		return nil, nil
	}
	list := append([]any(nil), flatten(in)...)
	prop := toString(arg(a, 0))
	key := func(x any) any { return x }
	if prop != "" {
		key = func(x any) any { v, _ := property(x, prop); return v }
	}
	sort.SliceStable(list, func(i, j int) bool { return compareValues(key(list[i]), key(list[j])) < 0 })
	return list, nil
}

func split(in any, a ...any) (any, error) {
	if in == nil {
		return []any{nil}, nil
	}
	s, sep := toString(in), toString(arg(a, 0))
	if strings.TrimSpace(s) == "" || sep == "" {
		return []any{s}, nil
	}
	out := []any{}
	for _, part := range strings.Split(s, sep) {
		if part != "" {
			out = append(out, part)
		}
	}
	return out, nil
}

func truncate(in any, a ...any) (any, error) {
	if in == nil {
		return nil, nil
	}
	s := toString(in)
	length := toInt(arg(a, 0), 50)
	tail := "..."
	if len(a) > 1 {
		tail = toString(a[1])
	}
	r := []rune(s)
	if len(r) <= length {
		return s, nil
	}
	keep := max(length-len([]rune(tail)), 0)
	return string(r[:keep]) + tail, nil
}

func truncateWords(in any, a ...any) (any, error) {
	if in == nil {
		return nil, nil
	}
	s := toString(in)
	if s == "" {
		return s, nil
	}
	n := max(toInt(arg(a, 0), 15), 0)
	tail := "..."
	if len(a) > 1 {
		tail = toString(a[1])
	}
	words := strings.Split(s, " ")
	if len(words) <= n {
		return s, nil
	}
	return strings.Join(words[:n], " ") + tail, nil
}

func uniq(in any, _ ...any) (any, error) {
	if in == nil {
		return nil, nil
	}
	list := flatten(in)
	out := list[:0:0]
	for _, x := range list {
		dup := false
		for _, y := range out {
			if sameValue(x, y) {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, x)
		}
	}
	return out, nil
}

func sameValue(x, y any) bool {
	switch xv := x.(type) {
	case *object:
		return x == y
	case []any:
		yv, ok := y.([]any)
		return ok && len(xv) == len(yv) && (len(xv) == 0 || &xv[0] == &yv[0])
	case pair:
		yv, ok := y.(pair)
		return ok && xv.Key == yv.Key && toString(xv.Value) == toString(yv.Value)
	}
	return x == y
}

// urlEncode is WebUtility.UrlEncode: space becomes '+', letters, digits
// and -_.!*() stay, every other byte is %XX with upper-case hex.
func urlEncode(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9',
			c == '-', c == '_', c == '.', c == '!', c == '*', c == '(', c == ')':
			b.WriteByte(c)
		case c == ' ':
			b.WriteByte('+')
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}

// urlDecode is WebUtility.UrlDecode: '+' becomes a space, valid %XX
// escapes are decoded, anything else is kept.
func urlDecode(s string) string {
	var b []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '+':
			b = append(b, ' ')
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
		default:
			b = append(b, c)
		}
	}
	if !utf8.Valid(b) {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	return string(b)
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// dateFilter formats a date with a .NET custom or standard format string.
// "now" and "today" mean the current time; other strings are parsed with
// DateTime.TryParse and returned unchanged when that fails.
func dateFilter(in any, a ...any) (any, error) {
	if in == nil {
		return nil, nil
	}
	format := toString(arg(a, 0))
	var d dotnet.DateTime
	switch v := in.(type) {
	case dotnet.DateTime:
		d = v
	default:
		s := toString(in)
		if strings.EqualFold(s, "now") || strings.EqualFold(s, "today") {
			d = dotnet.DateTimeFromTime(time.Now().UTC(), dotnet.Local)
		} else {
			parsed, ok := dotnet.TryParseDateTime(s)
			if !ok {
				return s, nil
			}
			if strings.TrimSpace(format) == "" {
				return s, nil
			}
			d = parsed
		}
	}
	if strings.TrimSpace(format) == "" {
		return d.String(), nil
	}
	out, err := d.Format(format)
	if err != nil {
		return nil, fmt.Errorf("date format %q: %w", format, err)
	}
	return out, nil
}

type cultureMoney struct {
	symbol       string
	after        bool // symbol after the number, separated by a no-break space
	group, point string
	digits       int
}

// currencyCulture describes the "C" format of the cultures the Currency
// filter knows; the empty name is the invariant culture.
func currencyCulture(name string) (cultureMoney, bool) {
	switch strings.ToLower(name) {
	case "":
		return cultureMoney{"\u00a4", false, ",", ".", 2}, true
	case "en-us", "en-au", "en-ca":
		return cultureMoney{"$", false, ",", ".", 2}, true
	case "en-gb":
		return cultureMoney{"\u00a3", false, ",", ".", 2}, true
	case "en-ie":
		return cultureMoney{"\u20ac", false, ",", ".", 2}, true
	case "ja-jp":
		return cultureMoney{"\uffe5", false, ",", ".", 0}, true
	case "de-de", "es-es", "it-it":
		return cultureMoney{"\u20ac", true, ".", ",", 2}, true
	case "fr-fr":
		return cultureMoney{"\u20ac", true, "\u202f", ",", 2}, true
	}
	return cultureMoney{}, false
}

// currency is Currency: the input read as a decimal and formatted with the
// "C" format of the given culture (the invariant culture by default).
// Inputs that are not numbers come back as text.
func currency(in any, a ...any) (any, error) {
	if in == nil {
		return nil, errors.New("currency of a null value")
	}
	_, x, _, ok := toNumber(strings.ReplaceAll(toString(in), ",", ""))
	if !ok {
		return toString(in), nil
	}
	name := strings.TrimSpace(toString(arg(a, 0)))
	c, known := currencyCulture(name)
	if !known {
		return nil, fmt.Errorf("culture %q is not supported by the Currency filter", name)
	}
	num, err := dotnet.FormatDouble(math.Abs(x), "N"+strconv.Itoa(c.digits))
	if err != nil {
		return nil, err
	}
	num = strings.NewReplacer(",", "\x00", ".", "\x01").Replace(num)
	num = strings.NewReplacer("\x00", c.group, "\x01", c.point).Replace(num)
	var s string
	if c.after {
		s = num + "\u00a0" + c.symbol
	} else {
		s = c.symbol + num
	}
	if x < 0 && strings.ContainsAny(num, "123456789") {
		s = "-" + s
	}
	return s, nil
}
