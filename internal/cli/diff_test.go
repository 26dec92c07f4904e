package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func gitIn(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.net", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.net")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

// TestDiffCommandAgainstGitHead commits the demo folder, edits a policy in
// the work tree, and compares git:HEAD with it.
func TestDiffCommandAgainstGitHead(t *testing.T) {
	dir := demoFolder(t)
	gitIn(t, dir, "init", "-q")
	gitIn(t, dir, "add", "-A")
	gitIn(t, dir, "commit", "-q", "-m", "demo")

	code, out, errOut := tollgate(t, "diff", "git:HEAD", dir, "--exit-code")
	if code != 0 || !strings.HasPrefix(out, "no differences for callers between git:HEAD and ") {
		t.Fatalf("unchanged work tree: exit %d\n%s%s", code, out, errOut)
	}

	policy := filepath.Join(dir, "apis", "open", "policy.xml")
	src, err := os.ReadFile(policy)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(src), "<base />", "<base />\n\t\t<set-header name=\"X-Reviewed\" exists-action=\"override\"><value>yes</value></set-header>", 1)
	if edited == string(src) {
		t.Fatal("the demo's open API policy has no <base />")
	}
	os.WriteFile(policy, []byte(edited), 0o644)

	code, out, errOut = tollgate(t, "diff", "git:HEAD", dir, "--format", "markdown")
	if code != 0 {
		t.Fatalf("exit %d without --exit-code\n%s", code, errOut)
	}
	for _, want := range []string{"## tollgate diff: `git:HEAD` → ", "### Effective policies", "```diff\n--- git:HEAD\n+++ " + dir + "\n",
		"+\t\t<set-header name=\"X-Reviewed\" exists-action=\"override\">\n+\t\t\t<value>yes</value>"} {
		if !strings.Contains(out, want) {
			t.Errorf("markdown lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, os.TempDir()+string(filepath.Separator)+"tollgate-diff-") {
		t.Errorf("the report shows the temporary folder of git:HEAD:\n%s", out)
	}
	if code, _, _ := tollgate(t, "diff", "git:HEAD", dir, "--exit-code"); code != 1 {
		t.Errorf("--exit-code with differences: exit %d, want 1", code)
	}

	// Errors reading a side exit with status 1 and say why.
	if code, _, errOut := tollgate(t, "diff", "git:nope", dir); code != 1 || !strings.Contains(errOut, `no revision "nope"`) {
		t.Errorf("unknown revision: exit %d, %s", code, errOut)
	}
	if code, _, errOut := tollgate(t, "diff", dir, filepath.Join(dir, "missing")); code != 1 || !strings.Contains(errOut, "missing") {
		t.Errorf("missing folder: exit %d, %s", code, errOut)
	}
	if code, _, errOut := tollgate(t, "diff", dir, dir, "--format", "html"); code != 2 || !strings.Contains(errOut, "want text or markdown") {
		t.Errorf("bad format: exit %d, %s", code, errOut)
	}
}
