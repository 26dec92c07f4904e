package confdiff

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestUnified(t *testing.T) {
	cases := []struct{ a, b, want string }{
		{"x\ny\n", "x\ny\n", ""},
		{"a\nb\nc\n", "a\nB\nc\n", "--- A\n+++ B\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n"},
		{"", "a\n", "--- A\n+++ B\n@@ -0,0 +1 @@\n+a\n"},
		{"1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n", "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n",
			"--- A\n+++ B\n@@ -10,3 +10,4 @@\n 10\n 11\n 12\n+13\n"},
		// Two changes far apart make two hunks.
		{"a\n1\n2\n3\n4\n5\n6\n7\n8\nz\n", "A\n1\n2\n3\n4\n5\n6\n7\n8\nZ\n",
			"--- A\n+++ B\n@@ -1,4 +1,4 @@\n-a\n+A\n 1\n 2\n 3\n@@ -7,4 +7,4 @@\n 6\n 7\n 8\n-z\n+Z\n"},
	}
	for _, c := range cases {
		if got := unified("A", "B", c.a, c.b); got != c.want {
			t.Errorf("unified(%q, %q) =\n%s\nwant\n%s", c.a, c.b, got, c.want)
		}
	}
}

// TestUnifiedAppliesWithGit checks the hunks with git apply: applying the
// diff to a must give b.
func TestUnifiedAppliesWithGit(t *testing.T) {
	a := "<policies>\n\t<inbound>\n\t\t<base />\n\t\t<set-header name=\"a\" />\n\t</inbound>\n\t<backend />\n\t<outbound />\n\t<on-error />\n</policies>\n"
	b := "<policies>\n\t<inbound>\n\t\t<set-header name=\"b\" />\n\t\t<base />\n\t\t<set-header name=\"a\" />\n\t\t<cors />\n\t</inbound>\n\t<backend />\n\t<outbound>\n\t\t<x />\n\t</outbound>\n\t<on-error />\n</policies>\n"
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "policy.xml"), []byte(a), 0o644)
	cmd := exec.Command("git", "apply", "--unsafe-paths", "--directory=.", "-")
	cmd.Dir = dir
	cmd.Stdin = strings.NewReader(unified("a/policy.xml", "b/policy.xml", a, b))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git apply: %v\n%s", err, out)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "policy.xml")); string(got) != b {
		t.Errorf("patched file:\n%s\nwant\n%s", got, b)
	}
}
