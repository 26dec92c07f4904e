package watch

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/fsnotify/fsnotify"
)

// testDebounce is shorter than the default to keep the tests quick, and
// long enough that each test's burst of file operations is one burst on a
// busy machine.
const testDebounce = 100 * time.Millisecond

// counter counts callbacks and signals each one.
type counter struct {
	n    atomic.Int32
	each chan struct{}
}

func (c *counter) onChange() {
	c.n.Add(1)
	c.each <- struct{}{}
}

// watching starts w on a fresh folder prepared by setup and returns the
// folder and the callback counter.
func watching(t *testing.T, opts Options, setup func(dir string), fake func(*fsnotify.Watcher, string) error) (string, *Watcher, *counter) {
	t.Helper()
	dir := t.TempDir()
	write(t, filepath.Join(dir, "policy.xml"), "<policies />")
	write(t, filepath.Join(dir, "apis", "orders", "apiInformation.json"), "{}")
	if setup != nil {
		setup(dir)
	}
	opts.Debounce = testDebounce
	opts.PollInterval = 20 * time.Millisecond
	var w *Watcher
	var err error
	if fake != nil {
		w = &Watcher{dir: dir, opts: opts}
		w.start(fake)
	} else {
		w, err = New(dir, opts)
	}
	if err != nil {
		t.Fatal(err)
	}
	c := &counter{each: make(chan struct{}, 16)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		w.Run(ctx, c.onChange)
		close(done)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return dir, w, c
}

// expectOne waits for one callback and then checks that no second one
// follows within several debounce intervals.
func (c *counter) expectOne(t *testing.T, what string) {
	t.Helper()
	select {
	case <-c.each:
	case <-time.After(10 * time.Second):
		t.Fatalf("%s: no callback", what)
	}
	select {
	case <-c.each:
		t.Errorf("%s: more than one callback for one burst", what)
	case <-time.After(4 * testDebounce):
	}
}

func write(t *testing.T, name, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// changes are the edits each mode must notice, each one burst.
var changes = []struct {
	name string
	do   func(t *testing.T, dir string)
}{
	{"write", func(t *testing.T, dir string) {
		write(t, filepath.Join(dir, "policy.xml"), "<policies><inbound /></policies>")
	}},
	{"rename over", func(t *testing.T, dir string) {
		// An editor's save: write a new file, rename it over the old one.
		tmp := filepath.Join(dir, "apis", "orders", ".apiInformation.json.swp")
		write(t, tmp, `{"properties":{}}`)
		must(t, os.Rename(tmp, filepath.Join(dir, "apis", "orders", "apiInformation.json")))
	}},
	{"new subfolder with a file", func(t *testing.T, dir string) {
		write(t, filepath.Join(dir, "apis", "payments", "operations", "pay", "policy.xml"), "<policies />")
	}},
	{"write in the new subfolder", func(t *testing.T, dir string) {
		write(t, filepath.Join(dir, "apis", "payments", "operations", "pay", "policy.xml"), "<policies><inbound /></policies>")
	}},
	{"delete", func(t *testing.T, dir string) {
		must(t, os.RemoveAll(filepath.Join(dir, "apis", "payments")))
	}},
}

func testChanges(t *testing.T, opts Options, fake func(*fsnotify.Watcher, string) error, wantPolling bool) {
	dir, w, c := watching(t, opts, nil, fake)
	if w.Polling() != wantPolling {
		t.Fatalf("Polling() = %t, want %t", w.Polling(), wantPolling)
	}
	for _, ch := range changes {
		ch.do(t, dir)
		c.expectOne(t, ch.name)
	}
	if n := c.n.Load(); n != int32(len(changes)) {
		t.Errorf("%d callbacks for %d bursts", n, len(changes))
	}
}

func TestNotify(t *testing.T) {
	t.Parallel()
	testChanges(t, Options{}, nil, false)
}

func TestPoll(t *testing.T) {
	t.Parallel()
	testChanges(t, Options{Poll: true}, nil, true)
}

// TestFallBackOnInotifyLimit runs out of watches at the second directory:
// the Watcher polls, and still sees every change.
func TestFallBackOnInotifyLimit(t *testing.T) {
	t.Parallel()
	var reported atomic.Value
	n := 0
	limited := func(fw *fsnotify.Watcher, dir string) error {
		if n++; n > 1 {
			return syscall.ENOSPC
		}
		return fw.Add(dir)
	}
	opts := Options{OnError: func(err error) { reported.Store(err) }}
	testChanges(t, opts, limited, true)
	if err, _ := reported.Load().(error); err == nil || !errors.Is(err, syscall.ENOSPC) {
		t.Errorf("the fallback was not reported: %v", err)
	}
}

// configMap lays out a folder as Kubernetes mounts a ConfigMap: the files
// are links into "..data", itself a link to a timestamped folder.
func configMap(t *testing.T, dir, version, content string) {
	t.Helper()
	write(t, filepath.Join(dir, version, "policy.xml"), content)
}

func swapData(t *testing.T, dir, version string) {
	t.Helper()
	tmp := filepath.Join(dir, "..data_tmp")
	must(t, os.Symlink(version, tmp))
	must(t, os.Rename(tmp, filepath.Join(dir, "..data")))
}

func testConfigMapSwap(t *testing.T, opts Options) {
	setup := func(dir string) {
		os.Remove(filepath.Join(dir, "policy.xml"))
		configMap(t, dir, "..2026_01_01_v1", "<policies />")
		must(t, os.Symlink("..2026_01_01_v1", filepath.Join(dir, "..data")))
		must(t, os.Symlink(filepath.Join("..data", "policy.xml"), filepath.Join(dir, "policy.xml")))
	}
	dir, _, c := watching(t, opts, setup, nil)
	before, err := Hash(dir)
	must(t, err)
	// The kubelet's update: a new timestamped folder, the link swapped, the
	// old folder removed.
	configMap(t, dir, "..2026_01_02_v2", "<policies><inbound /></policies>")
	swapData(t, dir, "..2026_01_02_v2")
	must(t, os.RemoveAll(filepath.Join(dir, "..2026_01_01_v1")))
	c.expectOne(t, "ConfigMap swap")
	after, err := Hash(dir)
	must(t, err)
	if before == after {
		t.Errorf("the hash did not change with the ConfigMap's content")
	}
}

func TestNotifyConfigMapSwap(t *testing.T) {
	t.Parallel()
	testConfigMapSwap(t, Options{})
}

func TestPollConfigMapSwap(t *testing.T) {
	t.Parallel()
	testConfigMapSwap(t, Options{Poll: true})
}

func TestGitFolderIsIgnored(t *testing.T) {
	t.Parallel()
	dir, _, c := watching(t, Options{}, func(dir string) {
		write(t, filepath.Join(dir, ".git", "index"), "1")
	}, nil)
	write(t, filepath.Join(dir, ".git", "index"), "2")
	write(t, filepath.Join(dir, ".git", "objects", "ab", "cd"), "3")
	select {
	case <-c.each:
		t.Errorf("a change under .git was reported")
	case <-time.After(5 * testDebounce):
	}
	write(t, filepath.Join(dir, "policy.xml"), "<policies><outbound /></policies>")
	c.expectOne(t, "write after .git changes")
}

func TestNewRejectsAFile(t *testing.T) {
	f := filepath.Join(t.TempDir(), "policy.xml")
	write(t, f, "")
	if _, err := New(f, Options{}); err == nil {
		t.Errorf("New accepted a file")
	}
	if _, err := New(filepath.Join(t.TempDir(), "missing"), Options{}); err == nil {
		t.Errorf("New accepted a missing folder")
	}
}
