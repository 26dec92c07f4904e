package policy

import (
	"go/parser"
	"go/token"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestImports keeps the package on its layer: only diag and xmlscan among
// tollgate's packages, and no HTTP or Redis client.
func TestImports(t *testing.T) {
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), e.Name(), nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			internal := strings.HasPrefix(path, "github.com/tollgate/tollgate/")
			allowed := path == "github.com/tollgate/tollgate/internal/diag" || path == "github.com/tollgate/tollgate/internal/xmlscan"
			if internal && !allowed || strings.HasPrefix(path, "net/http") || strings.Contains(path, "redis") {
				t.Errorf("%s imports %s", e.Name(), path)
			}
		}
	}
}
