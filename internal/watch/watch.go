package watch

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Defaults for Options.
const (
	DefaultDebounce     = 200 * time.Millisecond
	DefaultPollInterval = time.Second
)

// Options configure a Watcher. The zero Options are the defaults.
type Options struct {
	// Debounce is how long the folder must stay quiet after a change before
	// the callback runs; DefaultDebounce when zero.
	Debounce time.Duration
	// PollInterval is how often the polling fallback walks the folder;
	// DefaultPollInterval when zero.
	PollInterval time.Duration
	// Poll forces polling, for file systems without change notification
	// (network shares, some container mounts).
	Poll bool
	// OnError, when set, receives problems that do not stop watching, such
	// as the fallback to polling.
	OnError func(error)
}

// Watcher watches one folder. It is used by one goroutine: New, then Run.
type Watcher struct {
	dir  string
	opts Options
	fs   *fsnotify.Watcher // nil when polling
	// last is the folder's fingerprint when polling began.
	last uint64
	// add watches one directory; fsnotify's Add, replaced in tests.
	add func(string) error
}

// New returns a Watcher of dir and every directory under it. It falls back to
// polling when the system cannot watch them all.
func New(dir string, opts Options) (*Watcher, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("%s is not a folder", dir)
	}
	if opts.Debounce <= 0 {
		opts.Debounce = DefaultDebounce
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = DefaultPollInterval
	}
	w := &Watcher{dir: dir, opts: opts}
	if opts.Poll {
		w.last = w.scan()
	} else {
		w.start(nil)
	}
	return w, nil
}

// start begins notification-based watching, with add as the function that
// watches one directory (nil for fsnotify's). On failure the Watcher polls.
func (w *Watcher) start(add func(*fsnotify.Watcher, string) error) {
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		w.fallBack(err)
		return
	}
	w.fs = fw
	w.add = fw.Add
	if add != nil {
		w.add = func(dir string) error { return add(fw, dir) }
	}
	if err := w.addTree(w.dir); err != nil {
		w.fallBack(err)
	}
}

// Polling reports whether the Watcher polls instead of receiving
// notifications.
func (w *Watcher) Polling() bool { return w.fs == nil }

// fallBack switches to polling after err.
func (w *Watcher) fallBack(err error) {
	if w.fs != nil {
		w.fs.Close()
		w.fs = nil
	}
	w.last = w.scan()
	if w.opts.OnError != nil {
		w.opts.OnError(fmt.Errorf("watching %s: %w; polling every %s instead", w.dir, err, w.opts.PollInterval))
	}
}

// addTree watches root and every directory under it. Directories that vanish
// meanwhile are skipped; any other failure (inotify's limits) is returned.
func (w *Watcher) addTree(root string) error {
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if !d.IsDir() {
			return nil
		}
		if path != root && skipDir(d.Name()) {
			return filepath.SkipDir
		}
		if err := w.add(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return nil
	})
}

// skipDir reports whether a directory is left unwatched: version control
// metadata changes on every git command and is not configuration.
func skipDir(name string) bool { return name == ".git" }

// Close releases a Watcher whose Run is never called; Run releases its own.
func (w *Watcher) Close() error {
	if w.fs != nil {
		return w.fs.Close()
	}
	return nil
}

// Run calls onChange once per burst of changes under the folder, when the
// folder has been quiet for the debounce interval, until ctx is done. It
// calls onChange from its own goroutine, one call at a time; changes made
// while onChange runs make another burst.
func (w *Watcher) Run(ctx context.Context, onChange func()) error {
	defer func() {
		if w.fs != nil {
			w.fs.Close()
		}
	}()
	changed := false
	if w.fs != nil {
		err := w.notify(ctx, onChange)
		if err == nil {
			return nil
		}
		// The change being notified when watching failed is reported
		// once polling sees the folder quiet.
		w.fallBack(err)
		changed = true
	}
	return w.poll(ctx, onChange, changed)
}

// notify runs on change notifications. It returns nil when ctx is done and
// an error when it must fall back to polling.
func (w *Watcher) notify(ctx context.Context, onChange func()) error {
	quiet := time.NewTimer(time.Hour)
	quiet.Stop()
	defer quiet.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-w.fs.Events:
			if !ok {
				return errors.New("the watcher closed")
			}
			if ev.Op == fsnotify.Chmod || inSkipped(w.dir, ev.Name) {
				continue
			}
			if ev.Has(fsnotify.Create) {
				// A new directory (with whatever was already written in
				// it) is watched too; its creation is a change either way.
				if fi, err := os.Lstat(ev.Name); err == nil && fi.IsDir() {
					if err := w.addTree(ev.Name); err != nil {
						return err
					}
				}
			}
			quiet.Reset(w.opts.Debounce)
		case err, ok := <-w.fs.Errors:
			if !ok {
				return errors.New("the watcher closed")
			}
			if errors.Is(err, fsnotify.ErrEventOverflow) {
				// Events were lost: count it as a change.
				quiet.Reset(w.opts.Debounce)
				continue
			}
			if w.opts.OnError != nil {
				w.opts.OnError(fmt.Errorf("watching %s: %w", w.dir, err))
			}
		case <-quiet.C:
			onChange()
		}
	}
}

// inSkipped reports whether name lies in a skipped directory under root.
func inSkipped(root, name string) bool {
	rel, err := filepath.Rel(root, name)
	if err != nil {
		return false
	}
	for dir := rel; dir != "." && dir != string(filepath.Separator); dir = filepath.Dir(dir) {
		if skipDir(filepath.Base(dir)) {
			return true
		}
	}
	return false
}
