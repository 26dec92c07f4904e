package watch

import (
	"os"
	"path/filepath"
	"testing"
)

func TestHash(t *testing.T) {
	tree := func(files map[string]string) string {
		dir := t.TempDir()
		for name, content := range files {
			write(t, filepath.Join(dir, filepath.FromSlash(name)), content)
		}
		return dir
	}
	hash := func(dir string) string {
		h, err := Hash(dir)
		if err != nil {
			t.Fatal(err)
		}
		if len(h) != HashLength {
			t.Fatalf("hash %q has %d digits, want %d", h, len(h), HashLength)
		}
		return h
	}
	base := map[string]string{"policy.xml": "<policies />", "apis/orders/apiInformation.json": "{}"}
	h := hash(tree(base))
	if again := hash(tree(base)); again != h {
		t.Errorf("the same files in another folder hash to %s and %s", h, again)
	}
	variants := map[string]map[string]string{
		"edited":  {"policy.xml": "<policies/>", "apis/orders/apiInformation.json": "{}"},
		"renamed": {"policy.xml": "<policies />", "apis/order/apiInformation.json": "{}"},
		"added":   {"policy.xml": "<policies />", "apis/orders/apiInformation.json": "{}", "apis/orders/policy.xml": ""},
		"removed": {"policy.xml": "<policies />"},
		// Content moved between files must not hash alike.
		"moved": {"policy.xml": "<policies />{}", "apis/orders/apiInformation.json": ""},
	}
	seen := map[string]string{h: "base"}
	for name, files := range variants {
		v := hash(tree(files))
		if other, dup := seen[v]; dup {
			t.Errorf("%s hashes like %s: %s", name, other, v)
		}
		seen[v] = name
	}

	// .git and a ConfigMap's ".." entries are not configuration.
	dir := tree(base)
	write(t, filepath.Join(dir, ".git", "HEAD"), "ref: refs/heads/main")
	write(t, filepath.Join(dir, "..2026_01_01", "x"), "y")
	if got := hash(dir); got != h {
		t.Errorf(".git or .. entries changed the hash: %s, want %s", got, h)
	}
	// A link loop ends.
	must(t, os.Symlink(".", filepath.Join(dir, "apis", "loop")))
	hash(dir)
	if _, err := Hash(filepath.Join(dir, "missing")); err == nil {
		t.Errorf("Hash of a missing folder succeeded")
	}
}
