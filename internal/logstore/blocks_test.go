package logstore

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/kql"
)

// plainTable is the log table without the block ranges: its queries read
// every row, and give the results the ranges must not change.
func plainTable() *kql.Table {
	t := Table()
	t.TimeBound, t.Newest = nil, nil
	return t
}

// queryWith runs query compiled against table on s's database and returns
// its rows, one string each, sorted unless ordered.
func queryWith(t *testing.T, s *Store, table *kql.Table, query string, ordered bool) []string {
	t.Helper()
	c, err := kql.Compile(query, kql.Options{Tables: []*kql.Table{table}, Now: testNow})
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	rows, err := s.db.Query(c.SQL, c.Args...)
	if err != nil {
		t.Fatalf("%s: %v\n%s", query, err, c.SQL)
	}
	defer rows.Close()
	var out []string
	vals := make([]any, len(c.Columns))
	ptrs := make([]any, len(vals))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprint(vals...))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if !ordered {
		slices.Sort(out)
	}
	return out
}

// timeQueries are queries with time filters of every shape the compiler
// narrows, around the times of blockTimes; ordered ones give their rows in
// a defined order (the times are distinct).
func timeQueries() (queries []string, ordered map[string]bool) {
	ordered = map[string]bool{}
	at := func(ago time.Duration) string {
		return "datetime(" + testNow.Add(-ago).Format(time.RFC3339Nano) + ")"
	}
	for _, ago := range []time.Duration{0, time.Second, 30 * time.Second, 59 * time.Second, 61 * time.Second, 90 * time.Second, 2 * time.Minute, 3 * time.Minute, time.Hour, 2 * time.Hour, 48 * time.Hour} {
		a := at(ago)
		b := at(ago / 2)
		queries = append(queries,
			"ApiManagementGatewayLogs | where TimeGenerated > "+a+" | project CorrelationId",
			"ApiManagementGatewayLogs | where TimeGenerated >= "+a+" | project CorrelationId",
			"ApiManagementGatewayLogs | where TimeGenerated < "+a+" | project CorrelationId",
			"ApiManagementGatewayLogs | where TimeGenerated <= "+a+" | project CorrelationId",
			"ApiManagementGatewayLogs | where "+a+" < TimeGenerated | project CorrelationId",
			"ApiManagementGatewayLogs | where TimeGenerated == "+a+" | project CorrelationId",
			"ApiManagementGatewayLogs | where TimeGenerated between ("+a+" .. "+b+") | project CorrelationId",
			"ApiManagementGatewayLogs | where TimeGenerated between ("+a+" .. 30s) | project CorrelationId",
			"ApiManagementGatewayLogs | where TimeGenerated > "+a+" and TimeGenerated < "+b+" | summarize count() by ResponseCode",
			"ApiManagementGatewayLogs | where TimeGenerated > "+a+" | where IsRequestSuccess == false | summarize count(), avg(TotalTime) by OperationName",
		)
		for _, n := range []int{1, 3, 7, 20, 200} {
			for _, q := range []string{
				fmt.Sprintf("ApiManagementGatewayLogs | where TimeGenerated > %s | order by TimeGenerated desc | take %d | project TimeGenerated, CorrelationId", a, n),
				fmt.Sprintf("ApiManagementGatewayLogs | where TimeGenerated < %s | order by TimeGenerated desc | take %d | project TimeGenerated, CorrelationId", a, n),
				fmt.Sprintf("ApiManagementGatewayLogs | where IsRequestSuccess == false and TimeGenerated <= %s | top %d by TimeGenerated desc | project TimeGenerated, CorrelationId", a, n),
			} {
				queries = append(queries, q)
				ordered[q] = true
			}
		}
	}
	for _, n := range []int{1, 5, 50} {
		q := fmt.Sprintf("ApiManagementGatewayLogs | top %d by TimeGenerated desc | project TimeGenerated, CorrelationId", n)
		queries = append(queries, q)
		ordered[q] = true
		q = fmt.Sprintf("ApiManagementGatewayLogs | where ResponseCode == 500 | order by TimeGenerated desc | take %d | project TimeGenerated, CorrelationId", n)
		queries = append(queries, q)
		ordered[q] = true
	}
	queries = append(queries,
		"ApiManagementGatewayLogs | where TimeGenerated > ago(90s) or ResponseCode == 500 | project CorrelationId",
		"ApiManagementGatewayLogs | where not(TimeGenerated > ago(90s)) | project CorrelationId",
		"ApiManagementGatewayLogs | where TimeGenerated !between (ago(3m) .. ago(1m)) | project CorrelationId",
		"ApiManagementGatewayLogs | take 1000 | where TimeGenerated > ago(90s) | project CorrelationId",
		"ApiManagementGatewayLogs | summarize n = count() by bin(TimeGenerated, 1m) | where TimeGenerated > ago(2m)",
		"ApiManagementGatewayLogs | extend TimeGenerated = TimeGenerated - 1h | where TimeGenerated > ago(61m) | project CorrelationId",
		"ApiManagementGatewayLogs | project T = TimeGenerated, CorrelationId | where T > ago(70s) | project CorrelationId",
		"ApiManagementGatewayLogs | count",
	)
	return queries, ordered
}

// blockTimes are the times of the rows the block tests store, in the order
// they are written: a second apart, each late by up to a few seconds as
// lines are written when requests end, some minutes late (long requests)
// and a few early (a clock set back), so that rows fall out of order
// within blocks and across their edges.
func blockTimes(n int) []time.Time {
	r := rand.New(rand.NewPCG(1, 2))
	start := testNow.Add(-time.Duration(n) * time.Second)
	var ts []time.Time
	seen := map[time.Time]bool{}
	for i := range n {
		t := start.Add(time.Duration(i)*time.Second - time.Duration(r.IntN(4000))*time.Millisecond)
		switch i % 37 {
		case 5:
			t = t.Add(-3 * time.Minute)
		case 17:
			t = t.Add(40 * time.Second)
		}
		if i == n/2 {
			t = testNow.Add(-47 * time.Hour)
		}
		for seen[t] {
			t = t.Add(time.Microsecond)
		}
		seen[t] = true
		ts = append(ts, t)
	}
	return ts
}

// writeBlockLines writes a line for each time, flushing every flushEvery
// lines.
func writeBlockLines(t *testing.T, s *Store, ts []time.Time, flushEvery int) {
	t.Helper()
	for i, tm := range ts {
		code := 200
		if i%5 == 0 {
			code = 500
		}
		line := fmt.Sprintf(`{"TimeGenerated":%q,"CorrelationId":"c%04d","OperationName":"op%d","ResponseCode":%d,"TotalTime":%d,"IsRequestSuccess":%v}`,
			tm.UTC().Format("2006-01-02T15:04:05.0000000Z"), i, i%3, code, i%97, code < 400)
		s.Write([]byte(line))
		if i%flushEvery == flushEvery-1 {
			s.Flush()
		}
	}
	s.Flush()
	if s.Dropped() != 0 {
		t.Fatalf("dropped %d", s.Dropped())
	}
}

// smallBlocks makes blocks of 8 rows for the test.
func smallBlocks(t *testing.T) {
	old := blockRows
	blockRows = 8
	t.Cleanup(func() { blockRows = old })
}

// TestBlocksSameResults: queries narrowed by the block ranges return what
// they return reading every row, with rows out of order within blocks and
// across their edges, before and after retention deleted some.
func TestBlocksSameResults(t *testing.T) {
	smallBlocks(t)
	s, err := Open(t.TempDir(), Options{Now: func() time.Time { return testNow }, BatchSize: 5, Retention: 46 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ts := blockTimes(400)
	writeBlockLines(t, s, ts, 11)
	var blocks int
	if err := s.db.QueryRow("SELECT count(*) FROM " + BlocksTable).Scan(&blocks); err != nil {
		t.Fatal(err)
	}
	if blocks < len(ts)/int(blockRows) {
		t.Fatalf("%d blocks for %d rows", blocks, len(ts))
	}
	checkSameResults(t, s, len(ts))
	// Retention deletes the row of 47 hours ago, in a block of recent ones.
	if err := s.Maintain(); err != nil {
		t.Fatal(err)
	}
	checkSameResults(t, s, len(ts)-1)
}

func checkSameResults(t *testing.T, s *Store, rows int) {
	t.Helper()
	if got := queryWith(t, s, Table(), "ApiManagementGatewayLogs | count", false); got[0] != fmt.Sprint(rows) {
		t.Fatalf("count %v, want %d", got, rows)
	}
	queries, ordered := timeQueries()
	narrowed := 0
	for _, q := range queries {
		want := queryWith(t, s, plainTable(), q, ordered[q])
		got := queryWith(t, s, Table(), q, ordered[q])
		if !slices.Equal(got, want) {
			t.Errorf("%s:\n got %d rows %.300q\nwant %d rows %.300q", q, len(got), got, len(want), want)
		}
		c, _ := kql.Compile(q, kql.Options{Tables: []*kql.Table{Table()}, Now: testNow})
		if strings.Contains(c.SQL, BlocksTable) {
			narrowed++
		}
	}
	if narrowed < len(queries)/2 {
		t.Errorf("only %d of %d queries use the blocks", narrowed, len(queries))
	}
}

// TestBlocksCoverEveryRow: every row lies in a block whose time range holds
// its TimeGenerated, whatever the order rows come in.
func TestBlocksCoverEveryRow(t *testing.T) {
	smallBlocks(t)
	for _, tc := range []struct{ batch, flushEvery int }{{7, 11}, {100, 50}, {4096, 1000}} {
		t.Run(fmt.Sprint(tc.batch), func(t *testing.T) { checkCovered(t, tc.batch, tc.flushEvery) })
	}
}

func checkCovered(t *testing.T, batch, flushEvery int) {
	s, err := Open("", Options{Now: func() time.Time { return testNow }, BatchSize: batch})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	writeBlockLines(t, s, blockTimes(1000), flushEvery)
	var uncovered int
	if err := s.db.QueryRow(fmt.Sprintf(`SELECT count(*) FROM %q l WHERE NOT EXISTS (SELECT 1 FROM %s b
		WHERE l.rowid BETWEEN b.first AND b.last AND l.TimeGenerated BETWEEN b.tmin AND b.tmax)`, TableName, BlocksTable)).Scan(&uncovered); err != nil {
		t.Fatal(err)
	}
	if uncovered != 0 {
		t.Errorf("%d rows lie in no block that holds their time", uncovered)
	}
	var maxSpan int64
	if err := s.db.QueryRow("SELECT max(last - first + 1) FROM " + BlocksTable).Scan(&maxSpan); err != nil {
		t.Fatal(err)
	}
	// A block is recorded once a statement takes it to blockRows rows.
	if maxSpan > blockRows+multiRows-1 {
		t.Errorf("a block spans %d rowids, more than %d", maxSpan, blockRows+multiRows-1)
	}
	checkSameResults(t, s, 1000)
}

// TestTimeFiltersWalkRowids: a time filter reads a range of rowids, the
// newest rows first only those of the last blocks, and the failures
// breakdown its covering index.
func TestTimeFiltersWalkRowids(t *testing.T) {
	s := openFixture(t)
	for _, q := range []string{
		"ApiManagementGatewayLogs | where TimeGenerated > ago(1h) | summarize count() by ApiId",
		"ApiManagementGatewayLogs | where TimeGenerated between (ago(3d) .. ago(2d)) | count",
		"ApiManagementGatewayLogs | where TimeGenerated > ago(24h) | order by TimeGenerated desc | take 100",
		"ApiManagementGatewayLogs | top 10 by TimeGenerated desc",
	} {
		plan := explain(t, s, q)
		if len(plan) == 0 || !strings.Contains(plan[0], "USING INTEGER PRIMARY KEY (rowid>?") {
			t.Errorf("%s: plan %q, want a search of a range of rowids", q, plan)
		}
	}
}

func explain(t *testing.T, s *Store, q string) []string {
	t.Helper()
	c, err := kql.Compile(q, kql.Options{Tables: []*kql.Table{Table()}, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := s.db.Query("EXPLAIN QUERY PLAN "+c.SQL, c.Args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	return plan
}

// TestMigrateTimeIndexes: a store written by a tollgate that indexed
// TimeGenerated and kept no blocks opens with its rows, their blocks and
// without those indexes; a store opened for reading before that answers
// all the same; rows a downgraded tollgate added after the last block get
// theirs at the next Open.
func TestMigrateTimeIndexes(t *testing.T) {
	smallBlocks(t)
	dir := t.TempDir()
	// The old store: the table, the two indexes, no blocks.
	s, err := Open(dir, Options{Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	ts := blockTimes(120)
	oldRows := func(ts []time.Time, from int) {
		t.Helper()
		for i, tm := range ts {
			if _, err := db.Exec(fmt.Sprintf(`INSERT INTO %q (TimeGenerated, CorrelationId, ResponseCode, IsRequestSuccess) VALUES (?, ?, ?, ?)`, TableName),
				tm.UnixNano(), fmt.Sprintf("old%04d", from+i), 200+i%2*300, 1-i%2); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, q := range []string{
		"DROP TABLE " + BlocksTable,
		fmt.Sprintf("CREATE INDEX logs_time ON %q (TimeGenerated)", TableName),
		fmt.Sprintf("CREATE INDEX logs_success_time ON %q (IsRequestSuccess, TimeGenerated)", TableName),
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	oldRows(ts[:100], 0)
	db.Close()

	// Read by a tollgate that keeps blocks, before it migrates the store.
	ro, err := Open(dir, Options{ReadOnly: true, Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	if got := queryWith(t, ro, Table(), "ApiManagementGatewayLogs | where TimeGenerated > ago(1m) | count", false); got[0] != fmt.Sprint(len(queryWith(t, ro, plainTable(), "ApiManagementGatewayLogs | where TimeGenerated > ago(1m)", false))) {
		t.Errorf("read-only store: count %v", got)
	}
	ro.Close()

	s, err = Open(dir, Options{Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	indexes := func() []string {
		return column[string](t, s, "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name", TableName)
	}
	if got := indexes(); !slices.Equal(got, []string{"logs_failures"}) {
		t.Errorf("indexes %v, want logs_failures alone", got)
	}
	checkSameResults(t, s, 100)
	// New rows after the migrated ones.
	writeBlockLines(t, s, ts[100:110], 11)
	checkSameResults(t, s, 110)
	s.Close()

	// A downgraded tollgate adds rows without blocks.
	db, err = sql.Open("sqlite", "file:"+filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	oldRows(ts[110:], 110)
	db.Close()
	s, err = Open(dir, Options{Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	checkSameResults(t, s, 120)
	var last, maxRowid int64
	if err := s.db.QueryRow(fmt.Sprintf("SELECT (SELECT max(last) FROM %s), (SELECT max(rowid) FROM %q)", BlocksTable, TableName)).Scan(&last, &maxRowid); err != nil {
		t.Fatal(err)
	}
	if last != maxRowid {
		t.Errorf("the blocks end at rowid %d, the rows at %d", last, maxRowid)
	}
	res, err := s.Query(context.Background(), "ApiManagementGatewayLogs | where CorrelationId startswith 'old' | count", 0)
	if err != nil || res.Tables[0].Rows[0][0] != int64(110) {
		t.Errorf("old rows: %v, %v", res, err)
	}
}

// TestRetentionBySizeOutOfOrder: retention by size deletes the oldest rows
// by TimeGenerated, found through the blocks, when rows came out of order.
func TestRetentionBySizeOutOfOrder(t *testing.T) {
	smallBlocks(t)
	const maxSize = 512 << 10
	s, err := Open(t.TempDir(), Options{MaxSize: maxSize, Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ts := blockTimes(3000)
	msg := strings.Repeat("x", 400)
	for i, tm := range ts {
		s.Write([]byte(fmt.Sprintf(`{"TimeGenerated":%q,"CorrelationId":"c%04d","LastErrorMessage":%q}`, tm.Format(time.RFC3339Nano), i, msg)))
	}
	s.Flush()
	if err := s.Maintain(); err != nil {
		t.Fatal(err)
	}
	if size, _ := s.Size(); size > maxSize {
		t.Errorf("size %d after retention, above %d", size, maxSize)
	}
	left := int(count(t, s, "ApiManagementGatewayLogs | count"))
	if left == 0 || left >= len(ts) {
		t.Fatalf("%d rows left", left)
	}
	var oldest int64
	if err := s.db.QueryRow(fmt.Sprintf("SELECT min(TimeGenerated) FROM %q", TableName)).Scan(&oldest); err != nil {
		t.Fatal(err)
	}
	newer := 0
	for _, tm := range ts {
		if tm.UnixNano() >= oldest {
			newer++
		}
	}
	if newer != left {
		t.Errorf("%d rows left, %d written at or after the oldest of them: not the oldest were deleted", left, newer)
	}
	checkSameResults(t, s, left)
}

// TestDeleteFirstRows deletes the oldest rows by rowid and the stragglers
// after them, of rows stored as a gateway stores them (each up to 4 s
// early): the rows left are exactly the newest. A row from a clock set
// forward among the first makes it decline, for the sort to do.
func TestDeleteFirstRows(t *testing.T) {
	smallBlocks(t)
	r := rand.New(rand.NewPCG(3, 4))
	start := testNow.Add(-time.Hour)
	var ts []time.Time
	for i := range 2000 {
		ts = append(ts, start.Add(time.Duration(i)*time.Second-time.Duration(r.IntN(4000))*time.Millisecond))
	}
	// Two rows stored just after the first 500 are older than the newest
	// of them (their requests started earlier and took longer).
	ts[500], ts[502] = ts[499].Add(-1500*time.Millisecond), ts[499].Add(-700*time.Millisecond)
	left := func(s *Store) []int64 {
		return column[int64](t, s, fmt.Sprintf("SELECT TimeGenerated FROM %q ORDER BY TimeGenerated", TableName))
	}
	s, err := Open(t.TempDir(), Options{Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	writeBlockLines(t, s, ts, len(ts))
	d, ok, err := s.deleteFirstRows(context.Background(), 500)
	if err != nil || !ok || d < 502 {
		t.Fatalf("deleteFirstRows: %d rows, %v, %v; want the first 500 and the older rows after them deleted", d, ok, err)
	}
	var sorted []int64
	for _, tm := range ts {
		sorted = append(sorted, tm.UnixNano())
	}
	slices.Sort(sorted)
	if got := left(s); !slices.Equal(got, sorted[d:]) {
		t.Errorf("%d rows left after deleting %d; they are not the %d newest", len(got), d, len(ts)-int(d))
	}

	s2, err := Open(t.TempDir(), Options{Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	jumped := slices.Clone(ts)
	jumped[10] = jumped[10].Add(30 * time.Minute) // a clock set forward
	writeBlockLines(t, s2, jumped, len(jumped))
	if d, ok, err := s2.deleteFirstRows(context.Background(), 500); err != nil || ok || d != 0 {
		t.Errorf("with a row 30 minutes ahead among the first: %d deleted, ok %v (%v); want it to decline", d, ok, err)
	}
	if n := len(left(s2)); n != len(ts) {
		t.Errorf("%d rows left after declining, want %d", n, len(ts))
	}
}

// column returns the first column of query's rows.
func column[T any](t testing.TB, s *Store, query string, args ...any) []T {
	t.Helper()
	rows, err := s.db.Query(query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var v T
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
