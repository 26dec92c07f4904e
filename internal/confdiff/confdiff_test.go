package confdiff

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tollgate/tollgate/internal/config"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// load reads a folder as a side, with its policies and findings.
func load(t testing.TB, name, dir string) *Side {
	t.Helper()
	snap, diags := config.Load(dir, config.Options{})
	pols, pd := config.LoadPolicies(snap, config.PolicyOptions{})
	snap.Policies = pols
	diags.Append(pd)
	diags.Sort()
	return NewSide(name, dir, snap, diags)
}

func golden(t *testing.T, file, got string) {
	t.Helper()
	path := filepath.Join("testdata", file)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (go test -update rewrites it):\n%s", path, unified(path, "got", string(want), got))
	}
}

func TestCompareGolden(t *testing.T) {
	r := Compare(load(t, "a", "testdata/a"), load(t, "b", "testdata/b"))
	var text, md bytes.Buffer
	r.WriteText(&text)
	r.WriteMarkdown(&md)
	golden(t, "a-b.txt", text.String())
	golden(t, "a-b.md", md.String())

	// Keys never appear, whether they changed or not.
	for _, secret := range []string{"team-a-key-1", "team-a-key-2", "team-b-key", "team-c-key"} {
		if strings.Contains(text.String()+md.String(), secret) {
			t.Errorf("the report shows the key %s", secret)
		}
	}
}

func TestCompareSameIsEmpty(t *testing.T) {
	r := Compare(load(t, "a", "testdata/a"), load(t, "copy", copyTree(t, "testdata/a")))
	if !r.Empty() {
		var b bytes.Buffer
		r.WriteText(&b)
		t.Errorf("a folder differs from its copy:\n%s", b.String())
	}
	var b bytes.Buffer
	r.WriteText(&b)
	if b.String() != "no differences for callers between a and copy\n" {
		t.Errorf("text of an empty report: %q", b.String())
	}
}

// TestPolicyChangeGroupsContexts checks that an edit of the global policy,
// which shows alike in every operation, is reported once with every context.
func TestPolicyChangeGroupsContexts(t *testing.T) {
	dir := copyTree(t, "testdata/a")
	p := filepath.Join(dir, "policy.xml")
	src, _ := os.ReadFile(p)
	os.WriteFile(p, bytes.Replace(src, []byte("<outbound />"), []byte("<outbound>\n\t\t<set-header name=\"X-Served-By\" exists-action=\"override\">\n\t\t\t<value>tollgate</value>\n\t\t</set-header>\n\t</outbound>"), 1), 0o644)
	r := Compare(load(t, "a", "testdata/a"), load(t, "edited", dir))
	if len(r.Policies) != 1 {
		t.Fatalf("%d policy changes, want 1 shared by every operation", len(r.Policies))
	}
	// orders: 2 operations x (no product, starter); legacy: 1 x 2.
	if n := len(r.Policies[0].Contexts); n != 6 {
		t.Errorf("the change is shared by %d contexts, want 6: %v", n, r.Policies[0].Contexts)
	}
	if !strings.Contains(r.Policies[0].Diff, "+\t\t<set-header name=\"X-Served-By\"") {
		t.Errorf("diff lacks the new statement:\n%s", r.Policies[0].Diff)
	}
	for _, s := range r.Sections {
		if len(s.Changes) > 0 {
			t.Errorf("a policy edit changed %s: %v", s.Title, s.Changes)
		}
	}
}

func copyTree(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.Walk(src, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if fi.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

func run(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.net", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.net")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %v\n%s", args, err, out)
	}
}

// TestMaterializeGit commits testdata/a in a subfolder of a new repository,
// replaces the work tree with testdata/b, and compares git:HEAD with the
// work tree: the report is the one of the two folders.
func TestMaterializeGit(t *testing.T) {
	repo := t.TempDir()
	run(t, repo, "git", "init", "-q")
	work := filepath.Join(repo, "apim")
	os.Rename(copyTree(t, "testdata/a"), work)
	run(t, repo, "git", "add", "-A")
	run(t, repo, "git", "commit", "-q", "-m", "a")
	os.RemoveAll(work)
	os.Rename(copyTree(t, "testdata/b"), work)

	dir, cleanup, err := Materialize("git:HEAD", work)
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	if _, err := os.Stat(filepath.Join(dir, "apis", "legacy", "apiInformation.json")); err != nil {
		t.Fatalf("git:HEAD lacks the committed files: %v", err)
	}
	var got, want bytes.Buffer
	Compare(load(t, "a", dir), load(t, "b", work)).WriteText(&got)
	Compare(load(t, "a", "testdata/a"), load(t, "b", "testdata/b")).WriteText(&want)
	if got.String() != want.String() {
		t.Errorf("git:HEAD against the work tree:\n%s\nwant the report of the folders:\n%s", got.String(), want.String())
	}
	cleanup()
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("cleanup left %s", dir)
	}

	// Run from inside the folder with both sides revisions: the current
	// directory names the folder.
	if _, _, err := Materialize("git:no-such-branch", work); err == nil || !strings.Contains(err.Error(), `no revision "no-such-branch"`) {
		t.Errorf("unknown revision: %v", err)
	}
	if _, _, err := Materialize("git:HEAD", t.TempDir()); err == nil || !strings.Contains(err.Error(), "not in a git repository") {
		t.Errorf("folder outside a repository: %v", err)
	}
	if _, _, err := Materialize("missing-folder", ""); err == nil {
		t.Errorf("a missing folder materialized")
	}
}
