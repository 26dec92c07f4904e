package logstore

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// BenchmarkIngest measures stored rows per second: lines written through
// Write in chunks that fit the queue, each chunk flushed, into a file store.
func BenchmarkIngest(b *testing.B) {
	s, err := Open(b.TempDir(), Options{Now: func() time.Time { return testNow }})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	lines := make([][]byte, len(fixture))
	for i, l := range fixture {
		lines[i] = l.JSON()
	}
	const chunk = 8192
	b.ResetTimer()
	start, cpu := time.Now(), benchCPU()
	for i := 0; i < b.N; i++ {
		s.Write(lines[i%len(lines)])
		if i%chunk == chunk-1 {
			s.Flush()
		}
	}
	s.Flush()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "rows/s")
	// CPU time per row stays put on a busy machine, where rows/s does not.
	b.ReportMetric(float64(benchCPU()-cpu)/float64(time.Microsecond)/float64(b.N), "cpu-µs/row")
	if s.Dropped() != 0 {
		b.Fatalf("dropped %d", s.Dropped())
	}
}

// BenchmarkWrite measures what a request pays to log: the copy into the
// queue, from parallel goroutines, while the writer stores.
func BenchmarkWrite(b *testing.B) {
	s, err := Open(b.TempDir(), Options{Now: func() time.Time { return testNow }})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	line := fixture[3].JSON()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			s.Write(line)
		}
	})
	b.StopTimer()
	s.Flush()
	b.ReportMetric(float64(s.Dropped())/float64(b.N)*100, "%dropped")
}

var (
	millionOnce  sync.Once
	millionStore *Store
	millionErr   error
	millionDir   string
)

// TestMain removes the million-row store of the benchmarks.
func TestMain(m *testing.M) {
	code := m.Run()
	if millionStore != nil {
		millionStore.Close()
	}
	if millionDir != "" {
		os.RemoveAll(millionDir)
	}
	os.Exit(code)
}

// million builds, once per process, a file store of 1,000,000 rows spread
// over the 7 days before testNow (about 143,000 in the last 24 hours), 12%
// of them failures of every kind, inserted in one transaction.
func million(b *testing.B) *Store {
	millionOnce.Do(func() {
		dir, err := osMkdirTemp()
		if err != nil {
			millionErr = err
			return
		}
		millionDir = dir
		s, err := Open(dir, Options{Now: func() time.Time { return testNow }})
		if err != nil {
			millionErr = err
			return
		}
		millionStore = s
		ctx := context.Background()
		tx, err := s.db.BeginTx(ctx, nil)
		if err != nil {
			millionErr = err
			return
		}
		stmt, err := tx.PrepareContext(ctx, insertSQL(1<<len(columns)-1, 1))
		if err != nil {
			millionErr = err
			return
		}
		row := make([]any, len(columns))
		ops := []string{"GetOrder", "CreateOrder", "ListOrders", "Retrieve resource", "DeleteOrder"}
		codes := []struct{ code, backend int }{{401, 0}, {403, 0}, {429, 0}, {500, 500}, {502, 502}, {503, 0}, {504, 0}, {404, 0}}
		n := millionRows()
		week := int64(7 * 24 * time.Hour)
		if n < 1_000_000 {
			b.Logf("smoke run (-benchtime 1x): %d rows instead of 1,000,000", n)
		}
		for i := 0; i < n; i++ {
			for j, c := range columns {
				if c.Type.String() == "string" {
					row[j] = ""
				} else {
					row[j] = nil
				}
			}
			set := func(name string, v any) { row[columnIndex[name]] = v }
			set("TimeGenerated", testNow.UnixNano()-week+int64(i)*(week/int64(n)))
			set("Category", "GatewayLogs")
			set("CorrelationId", fmt.Sprintf("%08x-0000-0000-0000-000000000000", i))
			set("ApiId", "orders")
			set("OperationName", ops[i%len(ops)])
			set("Method", "GET")
			set("Url", fmt.Sprintf("https://gw/orders/%d", i%5000))
			set("CallerIpAddress", fmt.Sprintf("10.0.%d.%d", i%7, i%251))
			set("TotalTime", int64(i%997))
			code, backend := 200, 200
			if i%25 < 3 { // 12% failures
				c := codes[(i/25)%len(codes)]
				code, backend = c.code, c.backend
			}
			set("ResponseCode", int64(code))
			set("BackendResponseCode", int64(backend))
			set("IsRequestSuccess", b2i(code < 400))
			if _, err := stmt.ExecContext(ctx, row...); err != nil {
				millionErr = err
				return
			}
		}
		stmt.Close()
		// The writer records the blocks of what it stores; these rows
		// did not go through it.
		if millionErr = coverTail(ctx, tx); millionErr != nil {
			return
		}
		millionErr = tx.Commit()
	})
	if millionErr != nil {
		b.Fatal(millionErr)
	}
	return millionStore
}

// millionRows is 1,000,000, except in the smoke run of scripts/test.sh
// (-benchtime 1x), which runs every benchmark once to keep it working and
// where building a million rows would dominate the whole suite.
func millionRows() int {
	if f := flag.Lookup("test.benchtime"); f != nil && f.Value.String() == "1x" {
		return 20_000
	}
	return 1_000_000
}

// BenchmarkSeedQuery1M runs the seed's 24-hour ErrorCategory query over
// 1,000,000 stored rows (target: well under a second), and the same query
// over all 7 days, where every row is in range.
func BenchmarkSeedQuery1M(b *testing.B) {
	s := million(b)
	for _, tc := range []struct{ name, query string }{
		{"24h", seedErrorCategories},
		{"7d", strings.Replace(seedErrorCategories, "ago(24h)", "ago(7d)", 1)},
	} {
		b.Run(tc.name, func(b *testing.B) { benchQuery(b, s, tc.query) })
	}
}

// benchQuery runs query b.N times; it must return rows.
func benchQuery(b *testing.B, s *Store, query string) {
	for i := 0; i < b.N; i++ {
		res, err := s.Query(context.Background(), query, 0)
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Tables[0].Rows) == 0 {
			b.Fatal("no rows")
		}
	}
}

// benchCPU is the CPU time (user and system) this process used so far.
func benchCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func osMkdirTemp() (string, error) { return os.MkdirTemp("", "tollgate-logstore-bench-") }

// BenchmarkRetentionBySize deletes about half of a store of 40,000 rows
// stored as a gateway stores them (a second apart, each up to 4 s early)
// that passed its size bound: the CPU per row deleted, sorting the rows by
// time (as retention did before) and by rowid with the stragglers after
// them (deleteFirstRows).
func BenchmarkRetentionBySize(b *testing.B) {
	countRows := fmt.Sprintf("SELECT count(*) FROM %q", TableName)
	for _, sorted := range []bool{true, false} {
		name := "rowid"
		if sorted {
			name = "sort"
		}
		b.Run(name, func(b *testing.B) {
			old := sortRetention
			sortRetention = sorted
			defer func() { sortRetention = old }()
			r := rand.New(rand.NewPCG(5, 6))
			start := testNow.Add(-12 * time.Hour)
			var cpu time.Duration
			var deleted int64
			for range b.N {
				b.StopTimer()
				s, err := Open(b.TempDir(), Options{MaxSize: 1 << 40, Now: func() time.Time { return testNow }})
				if err != nil {
					b.Fatal(err)
				}
				for i := range 40000 {
					tm := start.Add(time.Duration(i)*time.Second - time.Duration(r.IntN(4000))*time.Millisecond)
					s.Write(Line{Ago: testNow.Sub(tm), ApiId: "orders", OperationName: "GetOrder", Method: "GET",
						Url: fmt.Sprintf("https://api.example.com/orders/%d", i), ResponseCode: 200 + i%7*50,
						TotalTime: int64(i % 300), CallerIpAddress: "10.0.0.1"}.JSON())
					if i%4096 == 4095 {
						s.Flush() // the queue holds 16,384 writes
					}
				}
				s.Flush()
				size, _ := s.Size()
				s.opts.MaxSize = size / 2
				before := column[int64](b, s, countRows)[0]
				b.StartTimer()
				c := benchCPU()
				if err := s.Maintain(); err != nil {
					b.Fatal(err)
				}
				cpu += benchCPU() - c
				b.StopTimer()
				deleted += before - column[int64](b, s, countRows)[0]
				s.Close()
			}
			b.ReportMetric(float64(cpu)/float64(time.Microsecond)/float64(deleted), "cpu-µs/row")
		})
	}
}
