package scanner

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
)

type trickyCase struct {
	kind, name, src, want string
}

// readTricky parses testdata/tricky.txt.
func readTricky(t testing.TB) []trickyCase {
	t.Helper()
	data, err := os.ReadFile("testdata/tricky.txt")
	if err != nil {
		t.Fatal(err)
	}
	var cases []trickyCase
	for _, block := range strings.Split(string(data), "\n=== ")[1:] {
		head, rest, _ := strings.Cut(block, "\n")
		src, want, ok := strings.Cut(rest, "\n--- want\n")
		if !ok {
			t.Fatalf("case %q: no --- want line", head)
		}
		kind, name, _ := strings.Cut(head, " ")
		cases = append(cases, trickyCase{kind, name, src, strings.TrimSpace(want)})
	}
	return cases
}

func errString(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return fmt.Sprintf("error %d: %s", e.Pos, e.Msg)
	}
	return fmt.Sprintf("error ?: %v", err)
}

func TestTricky(t *testing.T) {
	for _, c := range readTricky(t) {
		t.Run(c.name, func(t *testing.T) {
			var got string
			switch c.kind {
			case "tokens":
				toks, err := Tokenize(c.src, 0, len(c.src))
				if err != nil {
					got = errString(err)
				} else {
					got = show(c.src, toks)
					checkTokens(t, c.src, 0, len(c.src), toks)
				}
			case "exprend":
				end, err := ExprEnd(c.src, 0)
				if err != nil {
					got = errString(err)
				} else {
					got = "end " + strconv.Itoa(end)
				}
			default:
				t.Fatalf("unknown case kind %q", c.kind)
			}
			if got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
		})
	}
}

func FuzzTokenize(f *testing.F) {
	for _, c := range readTricky(f) {
		f.Add(c.src, 0, len(c.src))
	}
	f.Add(`$"{a,5:x}"`, 0, 10)
	f.Fuzz(func(t *testing.T, src string, start, end int) {
		toks, err := Tokenize(src, start, end)
		start = max(0, min(start, len(src)))
		end = max(start, min(end, len(src)))
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Pos < start || e.Pos > end {
				t.Fatalf("bad error %v for range [%d,%d)", err, start, end)
			}
		} else {
			checkTokens(t, src, start, end, toks)
		}
	})
}

func FuzzExprEnd(f *testing.F) {
	for _, c := range readTricky(f) {
		f.Add(c.src)
	}
	f.Fuzz(func(t *testing.T, src string) {
		for i := 0; i+1 < len(src) && i < 64; i++ {
			if src[i] != '@' {
				continue
			}
			end, err := ExprEnd(src, i)
			if err != nil {
				var e *Error
				if !errors.As(err, &e) || e.Pos < 0 || e.Pos > len(src) {
					t.Fatalf("bad error %v", err)
				}
				continue
			}
			if end < i+3 || end > len(src) || (src[end-1] != ')' && src[end-1] != '}') {
				t.Fatalf("ExprEnd(%q, %d) = %d", src, i, end)
			}
		}
	})
}

func BenchmarkTokenize(b *testing.B) {
	var sb strings.Builder
	for _, c := range readTricky(b) {
		if c.kind == "tokens" && !strings.HasPrefix(c.want, "error") {
			sb.WriteString(c.src)
			sb.WriteString("\n")
		}
	}
	src := sb.String()
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Tokenize(src, 0, len(src)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkExprEnd(b *testing.B) {
	var src string
	for _, c := range readTricky(b) {
		if c.name == "set-body-block" {
			src = c.src
		}
	}
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ExprEnd(src, 0); err != nil {
			b.Fatal(err)
		}
	}
}
