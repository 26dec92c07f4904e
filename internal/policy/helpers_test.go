package policy

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tollgate/tollgate/internal/diag"
)

var update = flag.Bool("update", false, "rewrite golden files")

// fakeProgram is what fakeCompile returns: the source it was given.
type fakeProgram struct{ src string }

// fakeCompile accepts every expression except those containing "BAD", which
// it reports at the exact offset, and those containing "ECHO:", whose
// message quotes the whole source (to check that secrets are scrubbed).
func fakeCompile(src string, origin Origin) (any, diag.List) {
	var d diag.List
	if i := strings.Index(src, "BAD"); i >= 0 {
		d.Errorf(origin.Span(i, i+3), "expr-test", "unexpected BAD")
	}
	if strings.Contains(src, "ECHO:") {
		d.Errorf(origin.Span(0, len(src)), "expr-test", "cannot compile %s", src)
	}
	return &fakeProgram{src: src}, d
}

func testEnv() *Env {
	return &Env{
		NamedValues: []NamedValue{
			{DisplayName: "backend-url", Value: "https://backend.example", HasValue: true},
			{DisplayName: "api-key", Value: "s3cr3t-value", Secret: true, HasValue: true},
			{DisplayName: "unset-secret", Secret: true},
			{DisplayName: "expr-nv", Value: `@(context.Request.Method)`, HasValue: true},
			{DisplayName: "TenantId", Value: "contoso", HasValue: true},
		},
		Fragments: map[string]*diag.File{},
		Compile:   fakeCompile,
	}
}

// wrap puts statements into a document with one section; the statements
// start on line 3.
func wrap(section, stmts string) string {
	return "<policies>\n<" + section + ">\n" + stmts + "\n</" + section + ">\n</policies>\n"
}

// brief renders diagnostics as "line:col code" with lines shifted by
// lineShift, for compact expectations.
func brief(l diag.List, lineShift int) []string {
	var out []string
	for _, d := range l {
		p := d.Position()
		out = append(out, fmt.Sprintf("%d:%d %s", p.Line-lineShift, p.Column, d.Code))
	}
	return out
}

func load(t testing.TB, name, src string, scope Scope, env *Env) (*Document, diag.List) {
	t.Helper()
	return LoadDocument(diag.NewFile(name, []byte(src)), scope, env)
}

// archive is a minimal txtar reader: "-- name --" lines start files.
type archive struct {
	comment string
	files   []archiveFile
}

type archiveFile struct {
	name string
	data string
}

func parseArchive(data string) archive {
	var a archive
	cur := -1
	for line := range strings.Lines(data) {
		trim := strings.TrimRight(line, "\r\n")
		if strings.HasPrefix(trim, "-- ") && strings.HasSuffix(trim, " --") && len(trim) > 6 {
			a.files = append(a.files, archiveFile{name: trim[3 : len(trim)-3]})
			cur = len(a.files) - 1
			continue
		}
		if cur < 0 {
			a.comment += line
		} else {
			a.files[cur].data += line
		}
	}
	return a
}

func (a archive) format() string {
	var b strings.Builder
	b.WriteString(a.comment)
	for _, f := range a.files {
		fmt.Fprintf(&b, "-- %s --\n%s", f.name, f.data)
	}
	return b.String()
}

func (a archive) get(name string) (string, bool) {
	i := slices.IndexFunc(a.files, func(f archiveFile) bool { return f.name == name })
	if i < 0 {
		return "", false
	}
	return a.files[i].data, true
}

func (a *archive) set(name, data string) {
	i := slices.IndexFunc(a.files, func(f archiveFile) bool { return f.name == name })
	if i < 0 {
		a.files = append(a.files, archiveFile{name: name, data: data})
		return
	}
	a.files[i].data = data
}

// corpusDir returns the policy-snippets examples folder, or skips.
func corpusDir(t testing.TB) string {
	dir := filepath.Join("..", "..", "..", "shared", "corpus", "policy-snippets", "examples")
	if _, err := os.Stat(dir); err != nil {
		t.Skip("policy-snippets corpus not present")
	}
	return dir
}
