package cli

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/tollgate/tollgate/internal/admin"
	"github.com/tollgate/tollgate/internal/capture"
	"github.com/tollgate/tollgate/internal/capturestore"
	"github.com/tollgate/tollgate/internal/logstore"
)

// openStateCaptures opens the captured requests of a state directory for
// reading, beside a gateway that may be writing them.
func openStateCaptures(dir string) (capture.Source, func(), error) {
	if _, err := os.Stat(dir); err != nil {
		return nil, nil, fmt.Errorf("state directory %s: %w (is the gateway run with --data %s?)", dir, err, dir)
	}
	s, err := logstore.Open(dir, logstore.Options{ReadOnly: true})
	if err != nil {
		return nil, nil, err
	}
	return capturestore.Persisted{Store: s}, func() { s.Close() }, nil
}

// openLogStore opens the log store of run: in the state directory, or in
// memory with --data none.
func openLogStore(f runFlags) (*logstore.Store, error) {
	retention, err := admin.ParseSince(f.logRetention)
	if err != nil || retention <= 0 {
		return nil, fmt.Errorf("--log-retention %q: want a duration such as 24h or 7d", f.logRetention)
	}
	size, err := logMaxSize(f)
	if err != nil {
		return nil, err
	}
	if f.dataDir != "" {
		if err := os.MkdirAll(f.dataDir, 0o700); err != nil {
			return nil, fmt.Errorf("state directory: %w", err)
		}
	}
	// The journal of lines a busy gateway has not stored yet holds up to
	// half of what the store may hold.
	opts := logstore.Options{Retention: retention, MaxSize: size, MaxJournal: size / 2}
	if f.dataDir == "" {
		// In memory, with no journal, the lines waiting are the gateway's
		// memory too: a quarter of the store's bound.
		opts.MaxBacklog = size / 4
	}
	s, err := logstore.Open(f.dataDir, opts)
	if err != nil {
		return nil, fmt.Errorf("opening the log store in %s: %w", f.dataDir, err)
	}
	return s, nil
}

// logMaxSize returns the size --log-max-size asks for, or its default.
func logMaxSize(f runFlags) (int64, error) {
	maxSize := f.logMaxSize
	if maxSize == "" {
		maxSize = defaultLogMaxSize
		if f.dataDir == "" {
			maxSize = defaultMemoryLogMaxSize
		}
	}
	size, err := parseSize(maxSize)
	if err != nil {
		return 0, fmt.Errorf("--log-max-size %q: %v", f.logMaxSize, err)
	}
	return size, nil
}

// defaultLogMaxSize bounds the log store of a state directory;
// defaultMemoryLogMaxSize the store in memory of --data none, which counts
// in the gateway's memory.
const (
	defaultLogMaxSize       = "1GiB"
	defaultMemoryLogMaxSize = "64MiB"
)

// parseSize reads a size such as 1GiB, 500MiB, 100MB or 1048576.
func parseSize(s string) (int64, error) {
	units := []struct {
		suffix string
		n      int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"B", 1}}
	mult := int64(1)
	num := s
	for _, u := range units {
		if n, ok := strings.CutSuffix(s, u.suffix); ok {
			num, mult = strings.TrimSpace(n), u.n
			break
		}
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || v <= 0 {
		return 0, errors.New("want a size such as 500MiB or 1GiB")
	}
	return int64(v * float64(mult)), nil
}
