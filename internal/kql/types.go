package kql

// Type is a Log Analytics (Kusto) scalar type.
type Type uint8

// The types of columns and expressions.
const (
	Invalid Type = iota
	Bool
	DateTime
	Dynamic
	Int
	Long
	Real
	String
	Timespan
)

var typeNames = [...]string{"invalid", "bool", "datetime", "dynamic", "int", "long", "real", "string", "timespan"}

// String returns the type's name as Log Analytics writes it: "datetime",
// "long", ...
func (t Type) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return "invalid"
}

// ParseType returns the type named s, or Invalid.
func ParseType(s string) Type {
	for i, n := range typeNames {
		if i > 0 && n == s {
			return Type(i)
		}
	}
	switch s {
	case "boolean":
		return Bool
	case "date":
		return DateTime
	case "double":
		return Real
	case "time":
		return Timespan
	}
	return Invalid
}

func (t Type) numeric() bool { return t == Int || t == Long || t == Real }
func (t Type) integer() bool { return t == Int || t == Long }

// Column is a named, typed column of a table or of a query's result.
type Column struct {
	Name string
	Type Type
}

// Table is a table queries can name.
type Table struct {
	Name    string
	Columns []Column
	// TimeColumn is the datetime column that Options.Since restricts.
	TimeColumn string
	// TimeBound, when set, returns a condition that every row of the
	// table whose TimeColumn is at least (lower) or at most (!lower) the
	// SQL scalar t meets, and that the engine checks without reading the
	// rows: an engine without an index on TimeColumn (the log store's
	// block ranges, turned into a range of rowids) reads only the rows it
	// lets through. The compiler adds it, ANDed, next to the time filters
	// of where and of Options.Since on the table itself; it narrows what
	// the engine reads, never the result.
	TimeBound func(d Dialect, lower bool, t string) string
	// Newest, with TimeBound, returns a condition that about the n rows
	// stored last among those whose TimeColumn may be at most hi
	// (math.MaxInt64: any) meet, and that the engine checks without
	// reading rows. The compiler finds in them the time from which the
	// newest rows are (order by TimeColumn desc | take n): a lower bound
	// for TimeBound.
	Newest func(d Dialect, n int64, hi int64) string
	// Renamed maps names people use for this table's columns, which the table
	// does not have, to the column they mean; the binder adds it to its
	// "failed to resolve" message.
	Renamed map[string]Alias
}

// Alias is the column meant by a name a table does not have.
type Alias struct {
	Column string // the table's column
	Note   string // why, for the message: "the caller's IP address"
}

// Column returns the column named name (case-sensitively).
func (t *Table) Column(name string) (Column, bool) {
	for _, c := range t.Columns {
		if c.Name == name {
			return c, true
		}
	}
	return Column{}, false
}
