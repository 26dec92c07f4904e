package value

import (
	"embed"
	"fmt"
	"io/fs"
	"strings"
	"sync"
)

// memberTables list the members of the .NET types APIM allows in
// expressions, one overload a row, as the .NET reference declares them, and
// whether tollgate runs each one: members.tsv and one members_*.tsv file
// for each further group of types, read in name order. The compiler
// rejects a call that only an unsupported row matches; the tests run the
// example of every row.
//
//go:embed members*.tsv
var memberTables embed.FS

// Overload is one row of the member table: one .NET overload of a member.
type Overload struct {
	Type      string // the type as the table names it: "Regex", "string"
	Member    string // the member name; ".ctor" for constructors
	Signature string // the C# declaration as the .NET reference writes it
	Static    bool
	Property  bool
	// Receiver is the type an extension method is called on (its "this"
	// parameter, without type arguments: "IEnumerable"); "" otherwise.
	Receiver  string
	Params    []OverloadParam
	Supported bool
	// APIM is set when API Management rejects the overload too, at save
	// time, as its expression analyzer does: "APIM0001 T" when a call
	// needs a member of type T, which is outside the allowed types (apim-spec
	// §4.2), "APIM0002 T.M" when member M of a type APIM restricts is not
	// among its allowed members. Such a row is not a gap: no policy that
	// API Management accepts calls it.
	APIM string
	// Refused is set when tollgate refuses the overload by design, with the
	// reason: it would read or write the gateway's files or fetch a URL
	// while the request waits (XElement.Load(string uri)).
	Refused string
	Example string // an expression that uses the overload
	Result  string // the example's result (supported rows); the APIM reason (apim rows); tollgate's (never rows)
	File    string // the table's file: "members.tsv"
	Line    int    // line in File
}

// OverloadParam is one parameter of an overload.
type OverloadParam struct {
	Type     string // the C# type as written: "string", "Func<TSource, bool>"
	Name     string
	Params   bool // a params array: any number of trailing arguments
	Optional bool // has a default value
	Out      bool // out or ref
	This     bool // the receiver of an extension method
}

// String returns Type.Member(parameter types), the way errors name an overload.
func (o *Overload) String() string {
	var b strings.Builder
	b.WriteString(o.Type)
	if o.Member != ".ctor" {
		b.WriteString("." + o.Member)
	}
	if o.Property {
		return b.String()
	}
	b.WriteByte('(')
	for i, p := range o.Params {
		if i > 0 {
			b.WriteString(", ")
		}
		if p.Params {
			b.WriteString("params ")
		}
		if p.Out {
			b.WriteString("out ")
		}
		b.WriteString(p.Type)
	}
	b.WriteByte(')')
	return b.String()
}

// Accepts reports whether the overload takes n arguments.
func (o *Overload) Accepts(n int) bool {
	min, max := 0, len(o.Params)
	for _, p := range o.Params {
		if !p.Optional && !p.Params {
			min++
		}
		if p.Params {
			max = -1
		}
	}
	return n >= min && (max < 0 || n <= max)
}

type overloadKey struct {
	typ, member string
	static      bool
}

var overloads struct {
	once  sync.Once
	rows  []*Overload
	index map[overloadKey][]*Overload
	err   error
}

func loadOverloads() {
	overloads.index = map[overloadKey][]*Overload{}
	files, err := fs.Glob(memberTables, "members*.tsv")
	if err != nil {
		overloads.err = err
		return
	}
	for _, name := range files { // in name order: members.tsv first
		data, err := memberTables.ReadFile(name)
		if err != nil {
			overloads.err = err
			return
		}
		for i, line := range strings.Split(string(data), "\n") {
			if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
				continue
			}
			o, err := parseOverload(line, name, i+1)
			if err != nil {
				overloads.err = err
				return
			}
			overloads.rows = append(overloads.rows, o)
			k := overloadKey{o.Type, o.Member, o.Static}
			if o.Receiver != "" {
				k.typ = o.Receiver
			}
			overloads.index[k] = append(overloads.index[k], o)
		}
	}
}

// Overloads returns every row of the member table, or an error naming the
// line of a malformed row.
func Overloads() ([]*Overload, error) {
	overloads.once.Do(loadOverloads)
	return overloads.rows, overloads.err
}

// OverloadsOf returns the rows of the member table for member name of type
// t (static or instance); nil when the table does not describe the member.
func OverloadsOf(t *Type, name string, static bool) []*Overload {
	overloads.once.Do(loadOverloads)
	for x := t; x != nil; x = x.Base {
		if rows := overloads.index[overloadKey{x.Name, name, static}]; rows != nil {
			return rows
		}
		if x.Generic != "" {
			if rows := overloads.index[overloadKey{x.Generic, name, static}]; rows != nil {
				return rows
			}
		}
	}
	return nil
}

// parseOverload reads one row: type, member, signature, supported (yes or
// no), example, result, separated by tabs.
func parseOverload(line, file string, n int) (*Overload, error) {
	f := strings.Split(line, "\t")
	if len(f) != 6 {
		return nil, fmt.Errorf("%s:%d: %d fields, want 6 (type, member, signature, supported, example, result)", file, n, len(f))
	}
	o := &Overload{Type: f[0], Member: f[1], Signature: f[2], Example: f[4], Result: f[5], File: file, Line: n}
	switch f[3] {
	case "yes":
		o.Supported = true
	case "no":
	case "apim":
		code, name, ok := strings.Cut(o.Result, " ")
		if !ok || code != "APIM0001" && code != "APIM0002" || name == "" {
			return nil, fmt.Errorf("%s:%d: an apim row's result is \"APIM0001 Type\" or \"APIM0002 Type.Member\", not %q", file, n, o.Result)
		}
		o.APIM = o.Result
	case "never":
		if o.Result == "" {
			return nil, fmt.Errorf("%s:%d: a never row's result is the reason tollgate refuses it", file, n)
		}
		o.Refused = o.Result
	default:
		return nil, fmt.Errorf("%s:%d: supported is %q, want yes, no, apim or never", file, n, f[3])
	}
	sig := strings.TrimSpace(f[2])
	if rest, ok := strings.CutPrefix(sig, "static "); ok {
		o.Static, sig = true, rest
	}
	open := strings.IndexByte(sig, '(')
	if open >= 0 && strings.HasSuffix(sig, ")") {
		// the parenthesis that opens the parameter list matches the last one
		depth := 0
		for i := len(sig) - 1; i >= 0; i-- {
			if sig[i] == ')' {
				depth++
			} else if sig[i] == '(' {
				if depth--; depth == 0 {
					open = i
					break
				}
			}
		}
	}
	if open < 0 || !strings.HasSuffix(sig, ")") {
		if open < 0 && !strings.Contains(sig, ")") {
			// a property ({ get; }), a field (;) or an enum constant (Name = 1)
			o.Property = true
			return o, nil
		}
		return nil, fmt.Errorf("%s:%d: signature %q is neither a method nor a property", file, n, f[2])
	}
	decl := strings.TrimSpace(sig[:open])
	if strings.HasSuffix(decl, ">") {
		// drop the method's type parameters: First<TSource>
		depth := 0
		for i := len(decl) - 1; i >= 0; i-- {
			if decl[i] == '>' {
				depth++
			} else if decl[i] == '<' {
				if depth--; depth == 0 {
					decl = decl[:i]
					break
				}
			}
		}
	}
	head := strings.Fields(decl)
	if o.Member == ".ctor" {
		o.Static = true
	}
	if len(head) == 0 {
		return nil, fmt.Errorf("%s:%d: signature %q has no name", file, n, f[2])
	}
	name := head[len(head)-1]
	if i := strings.IndexByte(name, '<'); i >= 0 {
		name = name[:i]
	}
	if name != o.Member && !(o.Member == ".ctor" && len(head) == 1) && !(o.Member == "[]" && name == "this") {
		return nil, fmt.Errorf("%s:%d: signature names %q, the row %q", file, n, name, o.Member)
	}
	for _, p := range splitTop(sig[open+1 : len(sig)-1]) {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		var op OverloadParam
		if i := strings.Index(p, "="); i >= 0 {
			op.Optional, p = true, strings.TrimSpace(p[:i])
		}
		for {
			if rest, ok := strings.CutPrefix(p, "params "); ok {
				op.Params, p = true, rest
			} else if rest, ok := strings.CutPrefix(p, "this "); ok {
				op.This, p = true, rest
			} else if rest, ok := strings.CutPrefix(p, "out "); ok {
				op.Out, p = true, rest
			} else if rest, ok := strings.CutPrefix(p, "ref "); ok {
				op.Out, p = true, rest
			} else if rest, ok := strings.CutPrefix(p, "in "); ok {
				p = rest // a read-only reference: the caller passes a value
			} else {
				break
			}
		}
		sp := strings.LastIndexByte(p, ' ')
		if sp < 0 {
			return nil, fmt.Errorf("%s:%d: parameter %q has no name", file, n, p)
		}
		op.Type, op.Name = strings.TrimSpace(p[:sp]), p[sp+1:]
		if op.This {
			// an extension method: called on its first parameter
			o.Static = false
			o.Receiver = op.Type
			if i := strings.IndexByte(o.Receiver, '<'); i >= 0 {
				o.Receiver = o.Receiver[:i]
			}
			continue
		}
		o.Params = append(o.Params, op)
	}
	return o, nil
}

// splitTop splits s at the commas outside angle brackets and parentheses.
func splitTop(s string) []string {
	var out []string
	depth, last := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '<', '(', '[':
			depth++
		case '>', ')', ']':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, s[last:i])
				last = i + 1
			}
		}
	}
	return append(out, s[last:])
}
