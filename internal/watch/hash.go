package watch

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// HashLength is the number of hexadecimal digits Hash returns.
const HashLength = 12

// Hash returns a short hash of the files under dir: their slash-separated
// paths relative to dir and their contents, in name order. It is the same
// for the same files wherever the folder lies, and changes when a file is
// added, removed, renamed or edited. Symbolic links are followed (a
// ConfigMap's files are links into its current "..data"); entries whose
// names begin with ".." (a ConfigMap's own bookkeeping) and .git folders are
// left out.
func Hash(dir string) (string, error) {
	h := sha256.New()
	visited := map[string]bool{}
	var walk func(abs, rel string) error
	walk = func(abs, rel string) error {
		real, err := filepath.EvalSymlinks(abs)
		if err != nil {
			return err
		}
		if visited[real] {
			return nil // a link back into a folder already hashed
		}
		visited[real] = true
		entries, err := os.ReadDir(abs)
		if err != nil {
			return err
		}
		names := make([]string, 0, len(entries))
		for _, e := range entries {
			if !strings.HasPrefix(e.Name(), "..") && !skipDir(e.Name()) {
				names = append(names, e.Name())
			}
		}
		slices.Sort(names)
		for _, name := range names {
			p, r := filepath.Join(abs, name), path.Join(rel, name)
			fi, err := os.Stat(p) // through links
			if err != nil {
				return err
			}
			if fi.IsDir() {
				if err := walk(p, r); err != nil {
					return err
				}
				continue
			}
			if !fi.Mode().IsRegular() {
				continue
			}
			sum, err := hashFile(p)
			if err != nil {
				return err
			}
			fmt.Fprintf(h, "%s\x00%x\n", r, sum)
		}
		return nil
	}
	if err := walk(dir, ""); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil))[:HashLength], nil
}

// hashFile returns the SHA-256 of a file's content.
func hashFile(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return nil, err
	}
	return h.Sum(nil), nil
}
