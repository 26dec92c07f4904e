package watch

import (
	"context"
	"encoding/binary"
	"hash/fnv"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// poll walks the folder every PollInterval and calls onChange once the
// folder, having changed since polling began (or before, when pending is
// set), stays the same for one interval (and at least the debounce
// interval). It returns nil when ctx is done.
func (w *Watcher) poll(ctx context.Context, onChange func(), pending bool) error {
	every := max(w.opts.PollInterval, w.opts.Debounce)
	tick := time.NewTicker(every)
	defer tick.Stop()
	prev := w.last
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		cur := w.scan()
		if cur != prev {
			prev, pending = cur, true
			continue
		}
		if pending {
			pending = false
			onChange()
		}
	}
}

// scan returns a fingerprint of the folder's names, sizes, modification
// times, modes and symbolic link targets. Files behind symbolic links are
// stated through the link, so a ConfigMap's "..data" swap changes it.
func (w *Watcher) scan() uint64 {
	h := fnv.New64a()
	var buf [8]byte
	num := func(n int64) {
		binary.LittleEndian.PutUint64(buf[:], uint64(n))
		h.Write(buf[:])
	}
	filepath.WalkDir(w.dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() && path != w.dir && skipDir(d.Name()) {
			return filepath.SkipDir
		}
		h.Write([]byte(path))
		h.Write([]byte{0})
		num(int64(d.Type()))
		if d.Type()&fs.ModeSymlink != 0 {
			target, _ := os.Readlink(path)
			h.Write([]byte(target))
			h.Write([]byte{0})
		}
		if fi, err := os.Stat(path); err == nil && !fi.IsDir() {
			num(fi.Size())
			num(fi.ModTime().UnixNano())
		}
		return nil
	})
	return h.Sum64()
}
