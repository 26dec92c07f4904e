package scanner

import "fmt"

// Kind classifies a token.
type Kind uint8

// The token kinds.
const (
	EOF     Kind = iota // end of the scanned range; Pos == End == the range end
	Ident               // identifier; a verbatim identifier "@name" keeps "@" in Text and has the bare name in Str
	Keyword             // C# keyword (Text is the keyword)
	Int                 // integer literal, Text raw (prefix, separators and suffix kept)
	Real                // real literal (has '.', an exponent or an f/d/m suffix), Text raw
	String              // regular or verbatim string literal; Str is the decoded value
	Char                // character literal; Str is the character
	Interp              // interpolated string; Parts holds literal runs and holes
	Punct               // operator or punctuation; Text is the operator
)

var kindNames = [...]string{
	EOF:     "EOF",
	Ident:   "Ident",
	Keyword: "Keyword",
	Int:     "Int",
	Real:    "Real",
	String:  "String",
	Char:    "Char",
	Interp:  "Interp",
	Punct:   "Punct",
}

// String returns the name of k, such as "Ident".
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// Token is one lexical element of a C# expression. Pos and End are byte
// offsets into the source string given to the scanner, not into the scanned
// range.
type Token struct {
	Kind  Kind
	Pos   int    // offset of the first byte
	End   int    // offset after the last byte
	Text  string // raw source text, src[Pos:End]
	Str   string // decoded value of String and Char tokens, bare name of a verbatim identifier
	Parts []Part // literal runs and holes of an Interp token, in source order
}

// Part is one piece of an interpolated string: either a run of literal text
// or a hole "{expr,align:format}".
type Part struct {
	Lit        string // decoded literal text ("{{" and "}}" already reduced), when !Hole
	Hole       bool
	Start, End int    // Hole: byte range of the hole's expression (whitespace trimmed)
	Align      string // Hole: text after a top-level ',' in the hole, trimmed, or ""
	Format     string // Hole: raw text after a top-level ':' in the hole, or ""
}

// Error is a lexical error at a byte offset of the source string.
type Error struct {
	Pos int
	Msg string
}

// Error implements the error interface. The message has no position in it;
// callers turn Pos into a file position.
func (e *Error) Error() string { return e.Msg }

// keywords holds the reserved and the contextual keywords a policy expression
// may use. Contextual keywords that are also common member or variable names
// (value, get, set, add, remove, from, select, where, ...) are left out so that
// they scan as identifiers.
var keywords = map[string]bool{
	"abstract": true, "as": true, "base": true, "bool": true, "break": true,
	"byte": true, "case": true, "catch": true, "char": true, "checked": true,
	"class": true, "const": true, "continue": true, "decimal": true, "default": true,
	"delegate": true, "do": true, "double": true, "else": true, "enum": true,
	"event": true, "explicit": true, "extern": true, "false": true, "finally": true,
	"fixed": true, "float": true, "for": true, "foreach": true, "goto": true,
	"if": true, "implicit": true, "in": true, "int": true, "interface": true,
	"internal": true, "is": true, "lock": true, "long": true, "namespace": true,
	"new": true, "null": true, "object": true, "operator": true, "out": true,
	"override": true, "params": true, "private": true, "protected": true, "public": true,
	"readonly": true, "ref": true, "return": true, "sbyte": true, "sealed": true,
	"short": true, "sizeof": true, "stackalloc": true, "static": true, "string": true,
	"struct": true, "switch": true, "this": true, "throw": true, "true": true,
	"try": true, "typeof": true, "uint": true, "ulong": true, "unchecked": true,
	"unsafe": true, "ushort": true, "using": true, "virtual": true, "void": true,
	"volatile": true, "while": true,
	// contextual keywords that only ever mean the keyword in an expression
	"var": true, "dynamic": true, "nameof": true, "when": true,
}

// IsKeyword reports whether s scans as a Keyword token.
func IsKeyword(s string) bool { return keywords[s] }

// puncts lists the operators and punctuation, longest first within each
// leading byte so that the first match is the longest. ">>" is deliberately
// absent: it scans as two adjacent ">" tokens (see the package comment).
var puncts = [256][]string{
	'{': {"{"}, '}': {"}"}, '(': {"("}, ')': {")"}, '[': {"["}, ']': {"]"},
	';': {";"}, ',': {","}, '~': {"~"},
	'.': {"."},
	':': {"::", ":"},
	'+': {"++", "+=", "+"},
	'-': {"--", "-=", "->", "-"},
	'*': {"*=", "*"},
	'/': {"/=", "/"},
	'%': {"%=", "%"},
	'&': {"&&", "&=", "&"},
	'|': {"||", "|=", "|"},
	'^': {"^=", "^"},
	'!': {"!=", "!"},
	'=': {"==", "=>", "="},
	'<': {"<<=", "<<", "<=", "<"},
	'>': {">>=", ">=", ">"},
	'?': {"??=", "??", "?.", "?[", "?"},
}
