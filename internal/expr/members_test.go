package expr

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/diag"
	"github.com/tollgate/tollgate/internal/expr/value"
)

// TestMemberTable runs the example of every row of the member table
// (value/members.tsv): a supported overload must compile and give the
// row's result; an unsupported one must fail at compile time with an error
// that names the member and points at it in the source.
func TestMemberTable(t *testing.T) {
	rows, err := value.Overloads()
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string][4]int{}
	seen := map[string]int{}
	for _, o := range rows {
		where := fmt.Sprintf("%s:%d: %s", o.File, o.Line, o.Signature)
		key := o.Type + "\x00" + o.Member + "\x00" + o.Signature
		if prev, dup := seen[key]; dup {
			t.Errorf("%s: duplicate of line %d", where, prev)
		}
		seen[key] = o.Line
		n := counts[o.Type]
		switch {
		case o.Supported:
			n[0]++
		case o.APIM != "":
			n[2]++
		case o.Refused != "":
			n[3]++
		default:
			n[1]++
		}
		counts[o.Type] = n
		if o.Example == "" {
			t.Errorf("%s: no example", where)
			continue
		}
		src := o.Example
		if !strings.HasPrefix(src, "@{") {
			src = "@(" + src + ")"
		}
		file := diag.NewFile("members.tsv", []byte(src))
		prog, diags := Compile(src, fileOrigin{file, 0})
		if o.APIM != "" {
			// API Management rejects the call: so must tollgate, in its
			// words, naming the type (APIM0001) or member (APIM0002), at it.
			if !diags.HasErrors() {
				t.Errorf("%s: API Management rejects it, but %s compiles", where, o.Example)
				continue
			}
			code, name, _ := strings.Cut(o.APIM, " ")
			want := fmt.Sprintf("usage of type '%s' is not supported within expressions", name)
			at := name[strings.LastIndexByte(name, '.')+1:]
			if code == "APIM0002" {
				i := strings.LastIndexByte(name, '.')
				want = fmt.Sprintf("usage of member '%s' of type '%s' is not supported within expressions", name[i+1:], name[:i])
			}
			// The first error may be about the overload tollgate lacks
			// (Load(JsonReader)); one of them must be API Management's.
			found := false
			for _, d := range diags {
				if d.Message != want {
					continue
				}
				found = true
				if text := d.Span.Text(); !strings.Contains(text, at) && !strings.Contains(text, memberToken(o)) {
					t.Errorf("%s: error %q points at %q, not at %s", where, d.Message, text, at)
				}
			}
			if !found {
				t.Errorf("%s: %s: errors %s, want %q", where, o.Example, diags.String(), want)
			}
			continue
		}
		if o.Refused != "" {
			// Refused by design: the error says why, at the member.
			if !diags.HasErrors() {
				t.Errorf("%s: refused, but %s compiles", where, o.Example)
				continue
			}
			if d := diags[0]; !strings.Contains(d.Message, o.Refused) || !strings.Contains(d.Span.Text(), memberToken(o)) {
				t.Errorf("%s: error %q at %q, want the reason %q at %s", where, d.Message, d.Span.Text(), o.Refused, memberToken(o))
			}
			continue
		}
		if !o.Supported {
			if !diags.HasErrors() {
				t.Errorf("%s: unsupported, but %s compiles", where, o.Example)
				continue
			}
			d := diags[0]
			text := d.Span.Text()
			if unnameableParam(o, d.Message, text) {
				// The overload takes a type no expression can name
				// (UriCreationOptions): the error names that type, at it.
				continue
			}
			if !strings.Contains(d.Message, o.Member) && o.Member != ".ctor" && o.Member != "[]" {
				t.Errorf("%s: error %q does not name %s", where, d.Message, o.Member)
			}
			if !strings.Contains(text, memberToken(o)) {
				t.Errorf("%s: error %q points at %q, not at %s", where, d.Message, text, memberToken(o))
			}
			continue
		}
		if diags.HasErrors() {
			t.Errorf("%s: %s: compile error: %s %v", where, o.Example, diags.String(), diags[0].Notes)
			continue
		}
		prog.Now = func() time.Time { return time.Date(2024, 3, 15, 10, 30, 45, 0, time.UTC) }
		v, err := prog.Eval(context.Background(), testContext(t))
		if err != nil {
			t.Errorf("%s: %s: %v", where, o.Example, err)
			continue
		}
		got := strings.NewReplacer("\r\n", `\n`, "\n", `\n`, "\t", `\t`).Replace(ToString(v))
		if got != o.Result {
			t.Errorf("%s: %s\n got %q\nwant %q", where, o.Example, got, o.Result)
		}
	}
	var types []string
	for ty := range counts {
		types = append(types, ty)
	}
	sort.Strings(types)
	sup, unsup, apim, refused := 0, 0, 0, 0
	for _, ty := range types {
		n := counts[ty]
		sup += n[0]
		unsup += n[1]
		apim += n[2]
		refused += n[3]
		if n[1] > 0 {
			t.Logf("%-20s %4d supported %4d unsupported", ty, n[0], n[1])
		}
	}
	t.Logf("%d overloads: %d supported, %d unsupported, %d rejected by API Management too, %d refused by design", len(rows), sup, unsup, apim, refused)
}

// unnameableParam reports whether an error says that a type of o's
// signature cannot be named, and points at it: the example had to write
// that type to reach the overload, so the load fails there.
func unnameableParam(o *value.Overload, msg, text string) bool {
	for _, p := range o.Params {
		name := strings.TrimSuffix(p.Type, "?")
		if name != "" && text == name && (strings.Contains(msg, "'"+name+"' could not be found") ||
			strings.HasPrefix(msg, "usage of type '") && strings.Contains(msg, "."+name+"' is not supported")) {
			return true
		}
	}
	return false
}

// memberToken is the text an error about o must point at.
func memberToken(o *value.Overload) string {
	switch o.Member {
	case ".ctor":
		return o.Type
	case "[]":
		return "["
	}
	return o.Member
}
