package value

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tollgate/tollgate/internal/dotnet"
)

// customZone is a TimeZoneInfo built by CreateCustomTimeZone or
// FromSerializedString: its names as given and its adjustment rules.
type customZone struct {
	ruleZone
	display, standard, daylight string
	hasIana                     bool
}

const (
	exInvalidTimeZone = "System.InvalidTimeZoneException"
	exSerialization   = "System.Runtime.Serialization.SerializationException"
	msgBadSerialized  = "An error occurred while deserializing the object.  The serialized data is invalid."
)

// instantOf reads a clock time of the zone as ConvertTime reads its
// source, throwing for a time skipped when clocks go forward.
func (z *customZone) instantOf(d time.Time) time.Time {
	t := Ticks(d)
	off, invalid := z.sourceOffset(t)
	if invalid {
		Throw(ExArgument, "The supplied DateTime represents an invalid time.  For example, when the clock is adjusted forward, any time in the period that is skipped is invalid. (Parameter 'dateTime')")
	}
	return FromTicks(t - off)
}

// offsetAt is ConvertTime(DateTimeOffset, zone).
func (z *customZone) offsetAt(t time.Time) DateTimeOffset {
	off, _ := z.offsetFromUtc(Ticks(t.UTC()))
	return DateTimeOffset{T: t.In(time.FixedZone("", int(off/ticksPerSec)))}
}

// utcOffset is GetUtcOffset(DateTime) and GetUtcOffset(DateTimeOffset).
func (z *customZone) utcOffset(v Value) int64 {
	switch x := v.(type) {
	case DateTimeOffset:
		off, _ := z.offsetFromUtc(Ticks(x.T.UTC()))
		return off
	case time.Time:
		if DateTimeKind(x) == dotnet.Unspecified {
			return z.offsetOfClock(Ticks(x))
		}
		off, _ := z.offsetFromUtc(Ticks(x)) // Local is UTC in tollgate
		return off
	}
	ThrowCast(v, "System.DateTime")
	return 0
}

func (z *customZone) isDaylightSavingTime(v Value) bool {
	switch x := v.(type) {
	case DateTimeOffset:
		_, dst := z.offsetFromUtc(Ticks(x.T.UTC()))
		return dst
	case time.Time:
		if DateTimeKind(x) == dotnet.Unspecified {
			return z.isDaylightClock(Ticks(x))
		}
		if !z.dst || z.rules == nil {
			return false
		}
		_, dst := z.offsetFromUtc(Ticks(x))
		return dst
	}
	ThrowCast(v, "System.DateTime")
	return false
}

// clockOf is the clock time in the zone that IsAmbiguousTime and
// GetAmbiguousTimeOffsets examine.
func (z *customZone) clockOf(v Value) int64 {
	switch x := v.(type) {
	case DateTimeOffset:
		return z.clockFromUtc(Ticks(x.T.UTC()))
	case time.Time:
		if DateTimeKind(x) == dotnet.Unspecified {
			return Ticks(x)
		}
		return z.clockFromUtc(Ticks(x))
	}
	ThrowCast(v, "System.DateTime")
	return 0
}

func (z *customZone) ambiguousOffsetsOf(v Value) []time.Duration {
	var out []time.Duration
	for _, o := range z.ambiguousOffsets(z.clockOf(v)) {
		out = append(out, time.Duration(o)*100)
	}
	return out
}

// rulesOf is GetAdjustmentRules as .NET on Linux returns them: copies,
// with UTC dates read as clock dates and serialized rules that span years
// split by year.
func (z *TimeZone) rulesOf() []*AdjustmentRule {
	cz := z.custom
	if cz == nil {
		if z.Utc || z.Local {
			return nil
		}
		Throw(ExNotSupported, "tollgate does not reproduce the adjustment rules .NET builds for the system time zone '%s'; only custom time zones (CreateCustomTimeZone, FromSerializedString) and UTC have them.", z.ID)
	}
	var out []*AdjustmentRule
	marker := TransitionTime{TimeOfDay: 2 * ticksPerMs, Month: 1, Week: 1, Day: 1, Fixed: true}
	fixed := func(t int64) TransitionTime {
		y, m, d := ymd(t)
		_ = y
		return TransitionTime{TimeOfDay: t % ticksPerDay / ticksPerMs * ticksPerMs, Month: m, Week: 1, Day: d, Fixed: true}
	}
	date := func(t int64) time.Time { return FromTicks(t - t%ticksPerDay).In(locUnspecified) }
	for _, r := range cz.rules {
		if r.NoTransitions && r.TStart != marker && r.Delta == 0 && r.BaseDelta == 0 {
			continue
		}
		start, end := r.start, r.end
		if r.startUtc {
			start += cz.base
		}
		if r.endU {
			end += cz.base + r.Delta
		}
		if yearOf(start) == yearOf(end) || !r.NoTransitions {
			ts, te := r.TStart, r.TEnd
			if r.NoTransitions {
				ts, te = fixed(start), fixed(end)
			}
			out = append(out, newRule(date(start), date(end), r.Delta, r.BaseDelta, ts, te, false))
			continue
		}
		firstEnd := dateTicks(yearOf(start)+1, 1, 1) - ticksPerMs
		out = append(out, newRule(date(start), date(firstEnd), r.Delta, r.BaseDelta, fixed(start), fixed(firstEnd), false))
		if yearOf(end)-yearOf(start) > 1 {
			ms, me := dateTicks(yearOf(start)+1, 1, 1), dateTicks(yearOf(end), 1, 1)-ticksPerMs
			out = append(out, newRule(date(ms), date(me), r.Delta, r.BaseDelta, fixed(ms), fixed(me), false))
		}
		ls := dateTicks(yearOf(end), 1, 1)
		out = append(out, newRule(date(ls), date(end), r.Delta, r.BaseDelta, fixed(ls), fixed(end), false))
	}
	return out
}

// sameRules is HasSameRules. System zones (other than UTC) are the same
// when they read the same time zone database entry.
func (z *TimeZone) sameRules(o *TimeZone) bool {
	if z.baseOffset() != o.baseOffset() || z.supportsDST() != o.supportsDST() {
		return false
	}
	rulesOf := func(x *TimeZone) (rules []*AdjustmentRule, isNil bool, sys string) {
		switch {
		case x.custom != nil:
			return x.custom.rules, x.custom.rules == nil, ""
		case x.Utc && x.ID == "UTC":
			return nil, true, ""
		case x.Utc || x.Local:
			return nil, false, ""
		}
		return nil, false, x.Loc.String()
	}
	a, aNil, as := rulesOf(z)
	b, bNil, bs := rulesOf(o)
	if as != "" || bs != "" {
		return as == bs
	}
	if aNil || bNil {
		return aNil && bNil
	}
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !a[i].equal(b[i]) {
			return false
		}
	}
	return true
}

// newCustomZone is the TimeZoneInfo constructor with its validation
// (ValidateTimeZoneInfo); names given as nil are .NET's fallbacks.
func (u *Lib) newCustomZone(id Value, base TimeSpan, display, standard, daylight Value, rules []*AdjustmentRule, disableDST bool) *TimeZone {
	if id == nil {
		Throw(ExArgNull, "Value cannot be null. (Parameter 'id')")
	}
	ids := ToString(id)
	if ids == "" {
		Throw(ExArgument, "The value cannot be an empty string. (Parameter 'id')")
	}
	if base < -14*TimeSpan(ticksPerHour) || base > 14*TimeSpan(ticksPerHour) {
		Throw(ExArgRange, "The TimeSpan parameter must be within plus or minus 14.0 hours. (Parameter 'baseUtcOffset')")
	}
	if int64(base)%ticksPerMin != 0 {
		Throw(ExArgument, "The TimeSpan parameter cannot be specified more precisely than whole minutes. (Parameter 'baseUtcOffset')")
	}
	dst := false
	if len(rules) > 0 {
		dst = true
		for i, r := range rules {
			if r == nil {
				Throw(exInvalidTimeZone, "The AdjustmentRule array cannot contain null elements.")
			}
			off := int64(base) + r.BaseDelta
			if r.hasDaylightSaving() {
				off += r.Delta
			}
			if off < -14*ticksPerHour || off > 14*ticksPerHour {
				Throw(exInvalidTimeZone, "The sum of the BaseUtcOffset and DaylightDelta properties must within plus or minus 14.0 hours.")
			}
			if i > 0 && r.start <= rules[i-1].end {
				Throw(exInvalidTimeZone, "The elements of the AdjustmentRule array must be in chronological order and must not overlap.")
			}
		}
	}
	cz := &customZone{ruleZone: ruleZone{base: int64(base), rules: rules, dst: dst && !disableDST}}
	_, cz.hasIana = ianaToWindows(ids)
	cz.hasIana = cz.hasIana || strings.EqualFold(ids, "UTC")
	if display == nil {
		// .NET 8 fills a missing display name in lazily: the offset and the id
		off, sign := time.Duration(base)*100, "+"
		if off < 0 {
			sign, off = "-", -off
		}
		cz.display = fmt.Sprintf("(UTC%s%02d:%02d) %s", sign, int(off.Hours()), int(off.Minutes())%60, ids)
	} else {
		cz.display = ToString(display)
	}
	cz.standard = ToString(standard)
	if !disableDST {
		cz.daylight = ToString(daylight)
	}
	return &TimeZone{ID: ids, custom: cz}
}

// ---- ToSerializedString and FromSerializedString ----

func serializeText(b *strings.Builder, s string) {
	for _, r := range s {
		if r == '\\' || r == '[' || r == ']' || r == ';' {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
}

func minutesText(ticks int64) string { return FormatDouble(float64(ticks) / float64(ticksPerMin)) }

func serializeTransition(b *strings.Builder, t TransitionTime) {
	b.WriteByte('[')
	if t.Fixed {
		b.WriteString("1;")
	} else {
		b.WriteString("0;")
	}
	b.WriteString(FormatDateTime(FromTicks(t.TimeOfDay).In(locUnspecified), "HH:mm:ss.FFF"))
	b.WriteString(";" + strconv.Itoa(t.Month) + ";")
	if t.Fixed {
		b.WriteString(strconv.Itoa(t.Day) + ";")
	} else {
		b.WriteString(strconv.Itoa(t.Week) + ";" + strconv.Itoa(t.DayOfWeek) + ";")
	}
	b.WriteByte(']')
}

func (z *TimeZone) serialize(u *Lib) string {
	var b strings.Builder
	zone := func(name string) string { return ToString(u.Types["TimeZoneInfo"].Lookup(name).Get(Call{This: z})) }
	serializeText(&b, z.ID)
	b.WriteString(";" + minutesText(int64(TimeSpanOf(z.baseOffset()))) + ";")
	serializeText(&b, z.displayName())
	b.WriteByte(';')
	serializeText(&b, zone("StandardName"))
	b.WriteByte(';')
	serializeText(&b, zone("DaylightName"))
	b.WriteByte(';')
	for _, r := range z.rulesOf() {
		b.WriteByte('[')
		b.WriteString(FormatDateTime(r.Start, "MM:dd:yyyy") + ";" + FormatDateTime(r.End, "MM:dd:yyyy") + ";")
		b.WriteString(minutesText(r.Delta) + ";")
		serializeTransition(&b, r.TStart)
		b.WriteByte(';')
		serializeTransition(&b, r.TEnd)
		b.WriteByte(';')
		if r.BaseDelta != 0 {
			b.WriteString(minutesText(r.BaseDelta) + ";")
		}
		if r.NoTransitions {
			b.WriteString("1;")
		}
		b.WriteByte(']')
	}
	b.WriteByte(';')
	return b.String()
}

// zoneReader is .NET's TimeZoneInfo.StringSerializer reading side.
type zoneReader struct {
	s   []rune
	i   int
	eol bool
}

func badSerialized() { Throw(exSerialization, msgBadSerialized) }

func (r *zoneReader) str() string {
	if r.eol || r.i < 0 || r.i >= len(r.s) {
		badSerialized()
	}
	var b strings.Builder
	esc := false
	for j := r.i; j < len(r.s); j++ {
		c := r.s[j]
		if esc {
			if c != '\\' && c != ';' && c != '[' && c != ']' {
				Throw(exSerialization, "The serialized data contained an invalid escape sequence '\\\\%c'.", c)
			}
			b.WriteRune(c)
			esc = false
			continue
		}
		switch c {
		case '\\':
			esc = true
		case '[', ']', 0:
			badSerialized()
		case ';':
			r.i = j + 1
			r.eol = r.i >= len(r.s)
			return b.String()
		default:
			b.WriteRune(c)
		}
	}
	if esc {
		Throw(exSerialization, "The serialized data contained an invalid escape sequence '\\\\'.")
	}
	badSerialized()
	return ""
}

func (r *zoneReader) int() int {
	s := r.str()
	n, err := strconv.ParseInt(strings.TrimLeft(s, " "), 10, 32)
	if err != nil || strings.HasPrefix(s, "+") && len(s) == 1 {
		badSerialized()
	}
	return int(n)
}

func (r *zoneReader) minutes() int64 {
	n := int64(r.int()) * ticksPerMin
	if n > int64(dotnet.MaxTimeSpan) || n < int64(dotnet.MinTimeSpan) {
		badSerialized()
	}
	return n
}

func (r *zoneReader) date(format string) time.Time {
	v, err := dotnet.ParseExactDateTime(r.str(), format, dotnet.DateTime{})
	if err != nil {
		badSerialized()
	}
	return FromDotnetDateTime(v)
}

// timeOfDay reads an "HH:mm:ss.FFF" token (the fraction optional).
func (r *zoneReader) timeOfDay() int64 {
	m := timeOfDayText.FindStringSubmatch(r.str())
	if m == nil {
		badSerialized()
	}
	h, _ := strconv.Atoi(m[1])
	mi, _ := strconv.Atoi(m[2])
	sec, _ := strconv.Atoi(m[3])
	if h > 23 || mi > 59 || sec > 59 {
		badSerialized()
	}
	ms := 0
	if m[4] != "" {
		ms, _ = strconv.Atoi((m[4] + "00")[:3])
	}
	return int64(h)*ticksPerHour + int64(mi)*ticksPerMin + int64(sec)*ticksPerSec + int64(ms)*ticksPerMs
}

var timeOfDayText = regexp.MustCompile(`^(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,3}))?$`)

func (r *zoneReader) at(c rune) bool { return r.i < len(r.s) && r.s[r.i] == c }

// skipNext skips "v.Next" fields up to the bracket closing depth.
func (r *zoneReader) skipNext(depth int) {
	esc := false
	for j := r.i; j < len(r.s); j++ {
		c := r.s[j]
		switch {
		case esc:
			esc = false
		case c == '\\':
			esc = true
		case c == '[':
			depth++
		case c == ']':
			if depth--; depth == 0 {
				r.i = j + 1
				r.eol = r.i >= len(r.s)
				return
			}
		case c == 0:
			badSerialized()
		}
	}
	badSerialized()
}

func (r *zoneReader) transition(u *Lib) TransitionTime {
	if r.eol || r.at(']') || r.i >= len(r.s) || !r.at('[') {
		badSerialized()
	}
	r.i++
	fixed := r.int()
	if fixed != 0 && fixed != 1 {
		badSerialized()
	}
	tod := r.timeOfDay()
	month := r.int()
	var t TransitionTime
	var ok bool
	if fixed == 1 {
		t, ok = makeTransition(tod, month, 1, r.int(), 0, true)
	} else {
		week := r.int()
		t, ok = makeTransition(tod, month, week, 1, r.int(), false)
	}
	if !ok {
		badSerialized()
	}
	if r.eol || r.i >= len(r.s) {
		badSerialized()
	}
	if !r.at(']') {
		r.skipNext(1)
	} else {
		r.i++
	}
	if !r.at(';') {
		badSerialized()
	}
	r.i++
	r.eol = r.i >= len(r.s)
	return t
}

func (r *zoneReader) rule(u *Lib) *AdjustmentRule {
	if r.eol {
		return nil
	}
	if r.i >= len(r.s) {
		badSerialized()
	}
	if r.at(';') {
		return nil
	}
	if !r.at('[') {
		badSerialized()
	}
	r.i++
	start, end := r.date("MM:dd:yyyy"), r.date("MM:dd:yyyy")
	delta := r.minutes()
	ts, te := r.transition(u), r.transition(u)
	var baseDelta int64
	if r.eol || r.i >= len(r.s) {
		badSerialized()
	}
	if c := r.s[r.i]; c >= '0' && c <= '9' || c == '-' || c == '+' {
		baseDelta = r.minutes()
	}
	noTransitions := 0
	if c := r.s[r.i]; c >= '0' && c <= '1' {
		noTransitions = r.int()
	}
	if r.eol || r.i >= len(r.s) {
		badSerialized()
	}
	if !r.at(']') {
		r.skipNext(1)
	} else {
		r.i++
	}
	// the internal factory: a delta beyond 12 hours moves into the base delta
	if delta > 12*ticksPerHour {
		delta, baseDelta = delta-24*ticksPerHour, baseDelta+24*ticksPerHour
	} else if delta < -12*ticksPerHour {
		delta, baseDelta = delta+24*ticksPerHour, baseDelta-24*ticksPerHour
	}
	rule, msg := makeRule(start, end, delta, baseDelta, ts, te, noTransitions > 0)
	if rule == nil {
		Throw(exSerialization, "%s", msgBadSerialized+" "+msg)
	}
	r.eol = r.i >= len(r.s)
	return rule
}

func (u *Lib) fromSerialized(src string) *TimeZone {
	r := &zoneReader{s: []rune(src)}
	id := r.str()
	base := r.minutes()
	display, standard, daylight := r.str(), r.str(), r.str()
	var rules []*AdjustmentRule
	for rule := r.rule(u); rule != nil; rule = r.rule(u) {
		rules = append(rules, rule)
	}
	if r.eol || r.i >= len(r.s) {
		badSerialized()
	}
	var z *TimeZone
	func() {
		defer func() {
			if x := recover(); x != nil {
				if e, ok := x.(*Exception); ok && (e.Type == ExArgument || e.Type == ExArgRange || e.Type == ExArgNull || e.Type == exInvalidTimeZone) {
					badSerialized()
				}
				panic(x)
			}
		}()
		z = u.newCustomZone(id, TimeSpan(base), display, standard, daylight, rules, false)
	}()
	z.custom.hasIana = strings.EqualFold(id, "UTC")
	return z
}

// makeTransition validates a TransitionTime as .NET's factories do; ok is
// false where they throw (the message is in transitionError).
func makeTransition(tod int64, month, week, day, dow int, fixed bool) (TransitionTime, bool) {
	return TransitionTime{TimeOfDay: tod, Month: month, Week: week, Day: day, DayOfWeek: dow, Fixed: fixed}, transitionError(tod, month, week, day, dow) == ""
}

func transitionError(tod int64, month, week, day, dow int) string {
	switch {
	case month < 1 || month > 12:
		return "Valid values are between 1 and 12, inclusive. (Parameter 'month')"
	case day < 1 || day > 31:
		return "Valid values are between 1 and 31, inclusive. (Parameter 'day')"
	case week < 1 || week > 5:
		return "Valid values are between 1 and 5, inclusive. (Parameter 'week')"
	case dow < 0 || dow > 6:
		return "The DayOfWeek enumeration must be in the range 0 through 6. (Parameter 'dayOfWeek')"
	case tod < 0 || tod >= ticksPerDay || tod%ticksPerMs != 0:
		return "The supplied DateTime must have the Year, Month, and Day properties set to 1.  The time cannot be specified more precisely than whole milliseconds. (Parameter 'timeOfDay')"
	}
	return ""
}

// makeRule is the AdjustmentRule constructor with its validation; on a
// failure it returns the message of the ArgumentException .NET throws.
func makeRule(start, end time.Time, delta, baseDelta int64, ts, te TransitionTime, noTransitions bool) (*AdjustmentRule, string) {
	for _, d := range []struct {
		t    time.Time
		name string
	}{{start, "dateStart"}, {end, "dateEnd"}} {
		if DateTimeKind(d.t) == dotnet.Local {
			return nil, "The supplied DateTime must have the Kind property set to DateTimeKind.Unspecified or DateTimeKind.Utc. (Parameter '" + d.name + "')"
		}
	}
	s, e := Ticks(start), Ticks(end)
	switch {
	case ts.equal(te) && !noTransitions:
		return nil, "The DaylightTransitionStart property must not equal the DaylightTransitionEnd property. (Parameter 'daylightTransitionEnd')"
	case s > e:
		return nil, "The DateStart property must come before the DateEnd property. (Parameter 'dateStart')"
	case delta < -23*ticksPerHour || delta > 14*ticksPerHour:
		return nil, "\x00The TimeSpan parameter must be within plus or minus 14.0 hours. (Parameter 'daylightDelta')\nActual value was " + TimeSpan(delta).String() + "."
	case delta%ticksPerMin != 0:
		return nil, "The TimeSpan parameter cannot be specified more precisely than whole minutes. (Parameter 'daylightDelta')"
	case s != 0 && DateTimeKind(start) == dotnet.Unspecified && s%ticksPerDay != 0:
		return nil, "The supplied DateTime includes a TimeOfDay setting.   This is not supported. (Parameter 'dateStart')"
	case e != maxTicks && DateTimeKind(end) == dotnet.Unspecified && e%ticksPerDay != 0:
		return nil, "The supplied DateTime includes a TimeOfDay setting.   This is not supported. (Parameter 'dateEnd')"
	}
	return newRule(start, end, delta, baseDelta, ts, te, noTransitions), ""
}

// ---- the system zones and the id conversions ----

// zoneDir is where .NET on Linux reads zone.tab: $TZDIR or
// /usr/share/zoneinfo.
func zoneDir() string {
	if d := os.Getenv("TZDIR"); d != "" {
		return d
	}
	return "/usr/share/zoneinfo"
}

// systemZoneIDs lists the ids of zone.tab, in its order, as .NET's
// GetSystemTimeZones reads them.
func systemZoneIDs() []string {
	f, err := os.Open(filepath.Join(zoneDir(), "zone.tab"))
	if err != nil {
		return nil
	}
	defer f.Close()
	var ids []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		if f := strings.Split(line, "\t"); len(f) >= 3 && f[2] != "" {
			ids = append(ids, f[2])
		}
	}
	return ids
}

// systemZoneList holds the system zones, read once: zone.tab does not
// change while tollgate runs, and an expression must not read files each
// time it runs.
var systemZoneList struct {
	once            sync.Once
	unsorted, byUTC []Value
}

func (u *Lib) systemZones(tzType *Type, sorted bool) Value {
	l := &systemZoneList
	l.once.Do(func() {
		zones := []Value{&TimeZone{ID: "UTC", Loc: time.UTC, Utc: true}}
		seen := map[string]bool{"utc": true}
		for _, id := range systemZoneIDs() {
			if seen[strings.ToLower(id)] {
				continue
			}
			if z, ok := u.lookupZone(id); ok {
				seen[strings.ToLower(id)] = true
				zones = append(zones, z)
			}
		}
		l.unsorted = zones
		l.byUTC = slices.Clone(zones)
		sort.SliceStable(l.byUTC, func(i, j int) bool {
			a, b := l.byUTC[i].(*TimeZone), l.byUTC[j].(*TimeZone)
			if oa, ob := a.baseOffset(), b.baseOffset(); oa != ob {
				return oa < ob
			}
			return a.displayName() < b.displayName()
		})
	})
	zones := l.unsorted
	if sorted {
		zones = l.byUTC
	}
	// The collection is read-only: the lists are shared by every call.
	return &ReadOnlyCollection{T: u.ReadOnlyCollectionOf(tzType), src: &Array{T: tzType, Items: zones}}
}

// ianaToWindows is ICU's IANA-to-Windows mapping, from windowsZones (the
// default territory of each Windows zone only).
func ianaToWindows(id string) (string, bool) {
	if strings.EqualFold(id, "Etc/UTC") || strings.EqualFold(id, "UTC") || strings.EqualFold(id, "Etc/GMT") {
		return "UTC", true
	}
	for w, iana := range windowsZones {
		if iana == id && w != "UTC" {
			return w, true
		}
	}
	return "", false
}

func windowsToIana(id string) (string, bool) {
	if strings.EqualFold(id, "UTC") {
		return "Etc/UTC", true
	}
	iana, ok := windowsZones[id]
	return iana, ok
}
