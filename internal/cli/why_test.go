package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// why without an ID explains the newest failed request, through a running
// gateway's admin listener and from its state directory alike; with none
// captured it says so and exits 1.
func TestWhyWithoutIDExplainsTheLatestFailure(t *testing.T) {
	dir := writeFolder(t, map[string]string{
		"apis/a/apiInformation.json": `{"properties":{"path":"a","serviceUrl":"` + closedURL(t) + `","subscriptionRequired":true}}`,
		"apis/a/specification.yaml":  "openapi: 3.0.1\ninfo: {title: a, version: '1'}\npaths:\n  /x:\n    get: {operationId: x, responses: {'200': {description: OK}}}\n",
	})
	state := t.TempDir()
	base, _, stderr := startRun(t, dir, "--data", state)
	admin := adminURL(t, stderr)

	if code, out, errOut := tollgate(t, "why", "--server", admin); code != 1 || out != "" || !strings.Contains(errOut, "no failed request was captured") {
		t.Errorf("why with nothing captured: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, errOut := tollgate(t, "failures", "--server", admin, "--since", "2h"); code != 0 || out != "no failed request was captured in the last 2h (--since widens the window)\n" {
		t.Errorf("failures with nothing captured: exit %d\n%s%s", code, out, errOut)
	}

	getID(t, base+"/a/x")                                            // 401: no key
	_, latest := getID(t, base+"/a/x", "Authorization", "Bearer k1") // 401: the key in the wrong header

	for _, where := range [][]string{{"--server", admin}, {"--data", state}} {
		var code int
		var out, errOut string
		for deadline := time.Now().Add(5 * time.Second); ; {
			code, out, errOut = tollgate(t, append([]string{"why"}, where...)...)
			if (code == 0 && strings.Contains(errOut, latest)) || time.Now().After(deadline) {
				break
			}
			time.Sleep(50 * time.Millisecond) // captures are stored off the request path
		}
		if code != 0 || !strings.Contains(errOut, "the latest failed request, "+latest) || !strings.Contains(out, latest) || !strings.Contains(out, "Authorization") {
			t.Errorf("why %s without an ID: exit %d\nstdout:\n%s\nstderr:\n%s", where[0], code, out, errOut)
		}
	}
	// replay without an ID sends that request again: it still fails.
	code, out, errOut := tollgate(t, "replay", "--server", admin)
	if code != 1 || !strings.Contains(errOut, "the latest failed request, "+latest) || !strings.Contains(out, "before ("+latest+")") {
		t.Errorf("replay without an ID: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
}

// What is not there is named with what to do instead: a configuration
// folder that does not exist or is a file, an admin listener nobody runs.
func TestMistakenPlacesAreNamed(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "artifacts")
	file := filepath.Join(t.TempDir(), "policy.xml")
	os.WriteFile(file, []byte("<policies/>"), 0o644)
	admin := closedURL(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"run", missing, "--data", "none"}, "no configuration folder " + missing + ": give the folder APIOps' extractor writes"},
		{[]string{"run", file, "--data", "none"}, file + " is a file, not a configuration folder (tollgate check FILE checks one policy file)"},
		{[]string{"failures", "--server", admin}, "(no gateway's admin listener there: is one running with --admin at that address?)"},
		{[]string{"why", "abc", "--server", admin}, "(no gateway's admin listener there"},
	} {
		code, _, errOut := tollgate(t, tc.args...)
		if code != 2 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, want 2 with %q:\n%s", tc.args, code, tc.want, errOut)
		}
	}
}

// A mistake in a command's arguments or flags is answered with its usage
// line; an unknown command with where the commands are listed.
func TestArgumentMistakesShowTheUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"effective", "dir", "a", "x"}, "accepts 1 arg(s), received 3; usage: tollgate effective DIR --api NAME [--operation NAME] [--product NAME] [flags]"},
		{[]string{"effective", "dir", "--apix", "a"}, "unknown flag: --apix; usage: tollgate effective DIR --api NAME"},
		{[]string{"why", "a", "b"}, "accepts at most 1 arg(s), received 2; usage: tollgate why [ID] [flags]"},
		{[]string{"wy"}, "Did you mean this?\n\twhy\n\n\"tollgate help\" lists the commands."},
	} {
		code, _, errOut := tollgate(t, tc.args...)
		if code != 2 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, want 2 with %q:\n%s", tc.args, code, tc.want, errOut)
		}
	}
}
