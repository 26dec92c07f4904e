package confdiff

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
)

// GitPrefix marks a side that names a git revision: "git:REV".
const GitPrefix = "git:"

// Limits on what Materialize extracts from a revision.
const (
	maxArchiveBytes = 512 << 20
	maxArchiveFiles = 100_000
)

// Materialize returns the folder that the side spec names. A folder is
// returned as it is, with a cleanup that does nothing. "git:REV" names the
// revision REV of the folder given by other (the other side) in the git
// repository that contains it, or, when other is itself a revision or empty,
// of the current directory: its files are extracted with "git archive" into
// a temporary folder, which cleanup removes.
func Materialize(spec, other string) (dir string, cleanup func(), err error) {
	rev, ok := strings.CutPrefix(spec, GitPrefix)
	if !ok {
		fi, err := os.Stat(spec)
		if err != nil {
			return "", nil, err
		}
		if !fi.IsDir() {
			return "", nil, fmt.Errorf("%s is not a folder", spec)
		}
		return spec, func() {}, nil
	}
	if rev == "" {
		return "", nil, fmt.Errorf("%s: want git:REV, for example git:HEAD or git:main", spec)
	}
	base := other
	if base == "" || strings.HasPrefix(base, GitPrefix) {
		base = "."
	}
	prefix, err := git(base, "rev-parse", "--show-prefix")
	if err != nil {
		return "", nil, fmt.Errorf("%s: %s is not in a git repository: %v", spec, base, err)
	}
	top, err := git(base, "rev-parse", "--show-toplevel")
	if err != nil {
		return "", nil, fmt.Errorf("%s: %v", spec, err)
	}
	if _, err := git(top, "rev-parse", "--verify", "--quiet", "--end-of-options", rev+"^{commit}"); err != nil {
		return "", nil, fmt.Errorf("%s: no revision %q in the repository %s", spec, rev, top)
	}
	tree := rev + ":" + strings.TrimSuffix(prefix, "/")
	dir, err = os.MkdirTemp("", "tollgate-diff-")
	if err != nil {
		return "", nil, err
	}
	cleanup = func() { os.RemoveAll(dir) }
	if err := archive(top, tree, dir); err != nil {
		cleanup()
		return "", nil, fmt.Errorf("%s: %v", spec, err)
	}
	return dir, cleanup, nil
}

// git runs git in dir and returns its output without the final newline.
func git(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return "", errors.New(msg)
		}
		return "", err
	}
	return strings.TrimSuffix(string(out), "\n"), nil
}

// archive extracts the tree-ish tree of the repository at top into dir.
func archive(top, tree, dir string) error {
	cmd := exec.Command("git", "archive", "--format=tar", tree)
	cmd.Dir = top
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	xerr := extract(out, dir)
	io.Copy(io.Discard, out)
	werr := cmd.Wait()
	if werr != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return fmt.Errorf("git archive %s: %s", tree, msg)
		}
		return fmt.Errorf("git archive %s: %v", tree, werr)
	}
	return xerr
}

// extract writes the regular files, folders and relative symbolic links of
// a tar stream under dir, refusing names that leave it and bounding the
// total size.
func extract(r io.Reader, dir string) error {
	tr := tar.NewReader(r)
	total, files := int64(0), 0
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading the archive: %v", err)
		}
		name := path.Clean(h.Name)
		if name == "." || path.IsAbs(name) || name == ".." || strings.HasPrefix(name, "../") {
			continue
		}
		if files++; files > maxArchiveFiles {
			return fmt.Errorf("the revision holds more than %d files", maxArchiveFiles)
		}
		target := filepath.Join(dir, filepath.FromSlash(name))
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(target, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			if total += h.Size; total > maxArchiveBytes {
				return fmt.Errorf("the revision's files exceed %d MiB", maxArchiveBytes>>20)
			}
			if err := writeFile(target, tr); err != nil {
				return err
			}
		case tar.TypeSymlink:
			// A link that stays inside the tree (a ConfigMap-style ..data
			// link) is kept; others are left out.
			link := path.Join(path.Dir(name), h.Linkname)
			if path.IsAbs(h.Linkname) || link == ".." || strings.HasPrefix(link, "../") {
				continue
			}
			os.MkdirAll(filepath.Dir(target), 0o755)
			if err := os.Symlink(h.Linkname, target); err != nil {
				return err
			}
		}
	}
}

func writeFile(name string, r io.Reader) error {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return err
	}
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
