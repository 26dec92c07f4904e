package scanner

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// show renders tokens compactly for table tests; EOF is left out.
func show(src string, toks []Token) string {
	var out []string
	for _, t := range toks {
		switch t.Kind {
		case EOF:
		case Ident:
			out = append(out, "id:"+t.Text)
		case Keyword:
			out = append(out, "kw:"+t.Text)
		case Int:
			out = append(out, "int:"+t.Text)
		case Real:
			out = append(out, "real:"+t.Text)
		case String:
			out = append(out, fmt.Sprintf("str:%q", t.Str))
		case Char:
			out = append(out, fmt.Sprintf("chr:%q", t.Str))
		case Punct:
			out = append(out, t.Text)
		case Interp:
			var ps []string
			for _, p := range t.Parts {
				if !p.Hole {
					ps = append(ps, fmt.Sprintf("%q", p.Lit))
					continue
				}
				h := "{" + src[p.Start:p.End]
				if p.Align != "" {
					h += "," + p.Align
				}
				if p.Format != "" {
					h += ":" + p.Format
				}
				ps = append(ps, h+"}")
			}
			out = append(out, "interp["+strings.Join(ps, " ")+"]")
		}
	}
	return strings.Join(out, " ")
}

func TestTokenize(t *testing.T) {
	tests := []struct {
		src, want string
	}{
		{`a.b?.c ?? d`, `id:a . id:b ?. id:c ?? id:d`},
		{`x ??= y => z`, `id:x ??= id:y => id:z`},
		{`a<<=1; b>>=2; c>=3`, `id:a <<= int:1 ; id:b >>= int:2 ; id:c >= int:3`},
		{`List<List<int>> x`, `id:List < id:List < kw:int > > id:x`},
		{`a >> 2`, `id:a > > int:2`},
		{`global::System.String`, `id:global :: id:System . id:String`},
		{`a?[0]`, `id:a ?[ int:0 ]`},
		{`c?.5:1`, `id:c ? real:.5 : int:1`},
		{`i++ + --j != k && l || !m`, `id:i ++ + -- id:j != id:k && id:l || ! id:m`},
		{`a -= b *= c /= d %= e &= f |= g ^= h`, `id:a -= id:b *= id:c /= id:d %= id:e &= id:f |= id:g ^= id:h`},
		{`p->q ~r`, `id:p -> id:q ~ id:r`},
		{`new var if else return true false null is as typeof default switch case`, `kw:new kw:var kw:if kw:else kw:return kw:true kw:false kw:null kw:is kw:as kw:typeof kw:default kw:switch kw:case`},
		{`string int long bool double float decimal object char byte short uint ulong ushort sbyte dynamic`, `kw:string kw:int kw:long kw:bool kw:double kw:float kw:decimal kw:object kw:char kw:byte kw:short kw:uint kw:ulong kw:ushort kw:sbyte kw:dynamic`},
		{`value Value context @class _x x1 été`, `id:value id:Value id:context id:@class id:_x id:x1 id:été`},
		{`0 42 1_000 0x1F 0X_ff 0b1010 0B1_0 10L 10u 10UL 10lu 0xFFul`, `int:0 int:42 int:1_000 int:0x1F int:0X_ff int:0b1010 int:0B1_0 int:10L int:10u int:10UL int:10lu int:0xFFul`},
		{`1.5 .5 1e3 1E+3 2.5e-3 1f 1.5F 2d 3.0m 4M 1_0.0_1`, `real:1.5 real:.5 real:1e3 real:1E+3 real:2.5e-3 real:1f real:1.5F real:2d real:3.0m real:4M real:1_0.0_1`},
		{`1.ToString() 0x1d`, `int:1 . id:ToString ( ) int:0x1d`},
		{`"a\"b\\c\n\t\0\u0041\x41\x041z"`, `str:"a\"b\\c\n\t\x00AAAz"`},
		{`"\uD83D\uDE00" "\U0001F600" "\uD83D"`, `str:"😀" str:"😀" str:"�"`},
		{`@"c:\dir ""q"" 
line2"`, `str:"c:\\dir \"q\" \nline2"`},
		{`'a' '\'' '\\' '\n' '\u0041' '"' 'é'`, `chr:"a" chr:"'" chr:"\\" chr:"\n" chr:"A" chr:"\"" chr:"é"`},
		{`$"a{b}c"`, `interp["a" {b} "c"]`},
		{`$"{{x}} {y,5:N2} {z,-3}{w:yyyy-MM-dd HH:mm}"`, `interp["{x} " {y,5:N2} " " {z,-3} {w:yyyy-MM-dd HH:mm}]`},
		{`$"{ a + b }"`, `interp[{a + b}]`},
		{`$"{(port != 443 ? $":{port}" : "")}"`, `interp[{(port != 443 ? $":{port}" : "")}]`},
		{`$"{f(a, b)}{d["k"]}{new[] {1, 2}.Length}"`, `interp[{f(a, b)} {d["k"]} {new[] {1, 2}.Length}]`},
		{`$"{global::System.Math.PI:F2}"`, `interp[{global::System.Math.PI:F2}]`},
		{`$@"a""b{x}\n" @$"{y}"`, `interp["a\"b" {x} "\\n"] interp[{y}]`},
		{`$"\t{'}'}\u0041"`, `interp["\t" {'}'} "A"]`},
		{`$"" $"plain"`, `interp[] interp["plain"]`},
		{`$"{a /* } */}"`, `interp[{a /* } */}]`},
		{`a // don't stop
b /* it's */ c`, `id:a id:b id:c`},
		{`@ (x)`, `@ ( id:x )`},
		{`(IResponse)context.Variables["r"]`, `( id:IResponse ) id:context . id:Variables [ str:"r" ]`},
		{`x => { return x; }`, `id:x => { kw:return id:x ; }`},
		{"\ufeffa\u00a0b", `id:a id:b`},
	}
	for _, tt := range tests {
		toks, err := Tokenize(tt.src, 0, len(tt.src))
		if err != nil {
			t.Errorf("Tokenize(%q): %v", tt.src, err)
			continue
		}
		if got := show(tt.src, toks); got != tt.want {
			t.Errorf("Tokenize(%q)\n got %s\nwant %s", tt.src, got, tt.want)
		}
		checkTokens(t, tt.src, 0, len(tt.src), toks)
	}
}

// checkTokens asserts the invariants every token list has.
func checkTokens(t *testing.T, src string, start, end int, toks []Token) {
	t.Helper()
	if len(toks) == 0 || toks[len(toks)-1].Kind != EOF || toks[len(toks)-1].Pos != end {
		t.Errorf("%q: token list does not end with EOF at %d", src, end)
	}
	prev := start
	for _, tk := range toks {
		if tk.Pos < prev || tk.End < tk.Pos || tk.End > end {
			t.Fatalf("%q: token %v [%d,%d) out of order or range [%d,%d)", src, tk.Kind, tk.Pos, tk.End, start, end)
		}
		if tk.Text != src[tk.Pos:tk.End] {
			t.Errorf("%q: token text %q != source %q", src, tk.Text, src[tk.Pos:tk.End])
		}
		for _, p := range tk.Parts {
			if p.Hole && (p.Start < tk.Pos || p.End > tk.End || p.Start > p.End) {
				t.Errorf("%q: hole [%d,%d) outside token [%d,%d)", src, p.Start, p.End, tk.Pos, tk.End)
			}
		}
		prev = tk.End
	}
}

func TestTokenizeRange(t *testing.T) {
	src := `value="@(a + "b")" x`
	toks, err := Tokenize(src, 9, 16)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := show(src, toks), `id:a + str:"b"`; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
	if toks[0].Pos != 9 || toks[2].Pos != 13 || toks[2].End != 16 || toks[3].Pos != 16 {
		t.Errorf("positions: %+v", toks)
	}
	// The second '>' of ">>" touches the first.
	src = "a>>b"
	toks, _ = Tokenize(src, 0, len(src))
	if toks[1].End != toks[2].Pos {
		t.Errorf("'>' '>' not adjacent: %+v", toks)
	}
	// A string running past the range end is unterminated.
	src = `"abc" + x`
	if _, err := Tokenize(src, 0, 3); err == nil {
		t.Errorf("string cut by the range end: want an error")
	}
}

func TestTokenizeErrors(t *testing.T) {
	tests := []struct {
		src  string
		pos  int
		want string
	}{
		{`a + "abc`, 4, "unterminated string literal"},
		{"a + \"abc\nd\"", 4, "unterminated string literal"},
		{`@"abc`, 0, "unterminated string literal"},
		{`x 'ab'`, 2, "too many characters in character literal"},
		{`x ''`, 2, "empty character literal"},
		{`x 'a`, 2, "unterminated character literal"},
		{`"a\qb"`, 2, `invalid escape sequence "\\q"`},
		{`"\u12"`, 1, `invalid escape sequence "\\u12"`},
		{`$"a{b`, 0, "unterminated interpolated string literal"},
		{`$"a{b"`, 5, "unterminated string literal"},
		{`$"a}b"`, 3, "unexpected '}' in interpolated string: write '}}' for a literal brace"},
		{`$"{}"`, 2, "empty expression in interpolated string"},
		{`$"{a)}"`, 4, "unexpected ')' in interpolated string"},
		{`$"{a:x`, 0, "unterminated interpolated string literal"},
		{`a /* b`, 2, "unterminated comment"},
		{`0x`, 0, `invalid numeric literal "0x"`},
		{`1_`, 0, `invalid numeric literal "1_"`},
		{`12abc`, 0, `invalid numeric literal "12abc"`},
		{`a # b`, 2, `unexpected character '#'`},
		{`$x`, 0, `unexpected character '$'`},
	}
	for _, tt := range tests {
		_, err := Tokenize(tt.src, 0, len(tt.src))
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("Tokenize(%q): got %v, want *Error", tt.src, err)
			continue
		}
		if e.Pos != tt.pos || e.Msg != tt.want {
			t.Errorf("Tokenize(%q): got %d %q, want %d %q", tt.src, e.Pos, e.Msg, tt.pos, tt.want)
		}
	}
}

func TestExprEnd(t *testing.T) {
	tests := []struct {
		src   string
		start int
		end   int    // when want == ""
		pos   int    // error offset
		want  string // error message
	}{
		{src: `@(a)`, end: 4},
		{src: `x="@(a(b)[c]{d})" y`, start: 3, end: 16},
		{src: `@{ return ")}]"; }"/>`, end: 18},
		{src: `@(context.Request.Headers.GetValueOrDefault("X-Id", ""))" b="c"`, end: 56},
		{src: `@("a" + 'b' + '"' + '(' + @"x""(" + $"{(p ? $":{q}" : ")")}")rest`, end: 61},
		{src: "@{\n  // don't stop here )\n  /* nor ) here */ return 1;\n}</x>", end: 56},
		{src: `@(body.As<JObject>()["a"] && x < y)`, end: 35},
		{src: `@(context.Variables.GetValueOrDefault(&quot;a&quot;))"`, end: 53},
		{src: `@{ var s = $@"{{""{x}""}}"; }`, end: 29},
		{src: `@(@class + @"a")`, end: 16},
		{src: "@{ char c = '='; var d = '\\''; }x", end: 32},
		{src: `@(a`, pos: 0, want: "expression is not closed: missing ')'"},
		{src: `@{ if (a) { b; }`, pos: 0, want: "expression is not closed: missing '}'"},
		{src: `@{ f(a; }`, pos: 8, want: "unexpected '}': expected ')'"},
		{src: `@(a])`, pos: 3, want: "unexpected ']': expected ')'"},
		{src: "@(a + \"b)\nc)", pos: 6, want: "unterminated string literal"},
		{src: `@(a /* b)`, pos: 4, want: "unterminated comment"},
		{src: `@( 'ab' )`, pos: 3, want: "too many characters in character literal"},
		{src: `@a`, pos: 0, want: "expression must start with '@(' or '@{'"},
		{src: `(a)`, pos: 0, want: "expression must start with '@(' or '@{'"},
		{src: `ab@`, start: 2, pos: 2, want: "expression must start with '@(' or '@{'"},
	}
	for _, tt := range tests {
		end, err := ExprEnd(tt.src, tt.start)
		if tt.want == "" {
			if err != nil || end != tt.end {
				t.Errorf("ExprEnd(%q, %d) = %d, %v; want %d (%q)", tt.src, tt.start, end, err, tt.end, tt.src[tt.start:min(tt.end, len(tt.src))])
			}
			continue
		}
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("ExprEnd(%q): got %d, %v; want error", tt.src, end, err)
			continue
		}
		if e.Pos != tt.pos || e.Msg != tt.want {
			t.Errorf("ExprEnd(%q): got %d %q, want %d %q", tt.src, e.Pos, e.Msg, tt.pos, tt.want)
		}
	}
}
