package lint

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/diag"
)

// archiveFile is one "-- name --" section of a txtar archive.
type archiveFile struct {
	name string
	data string
}

var archiveMarker = regexp.MustCompile(`(?m)^-- (.+) --$`)

// parseArchive reads a txtar archive: a comment, then "-- name --" sections.
func parseArchive(s string) (comment string, files []archiveFile) {
	locs := archiveMarker.FindAllStringSubmatchIndex(s, -1)
	if len(locs) == 0 {
		return s, nil
	}
	comment = s[:locs[0][0]]
	for i, l := range locs {
		end := len(s)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		files = append(files, archiveFile{name: s[l[2]:l[3]], data: strings.TrimPrefix(s[l[1]:end], "\n")})
	}
	return comment, files
}

// writeTree writes files under dir.
func writeTree(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// load loads dir as tollgate check does, without compiling expressions.
func load(dir string) (*config.Snapshot, diag.List) {
	snap, diags := config.Load(dir, config.Options{})
	pols, pd := config.LoadPolicies(snap, config.PolicyOptions{})
	snap.Policies = pols
	diags.Append(pd)
	diags.Sort()
	return snap, diags
}

// lintDir loads dir and returns every finding, the load step's and Run's,
// sorted by position, and each as "TG003 rel/path:line:col".
func lintDir(t testing.TB, dir string) ([]string, []Finding) {
	t.Helper()
	snap, diags := load(dir)
	fs := append(FromDiagnostics(diags, false), Run(snap, Options{Load: diags})...)
	sortFindings(fs)
	var out []string
	for _, f := range fs {
		out = append(out, f.Rule.ID+" "+rel(dir, f.Position().String()))
	}
	return out, fs
}

// rel strips dir from a position.
func rel(dir, pos string) string {
	return filepath.ToSlash(strings.TrimPrefix(strings.TrimPrefix(pos, dir), string(filepath.Separator)))
}
