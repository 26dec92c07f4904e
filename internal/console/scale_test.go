package console_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/admin"
	"github.com/tollgate/tollgate/internal/capture"
	"github.com/tollgate/tollgate/internal/capturestore"
	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/console"
	"github.com/tollgate/tollgate/internal/gateway"
	"github.com/tollgate/tollgate/internal/logstore"
	"github.com/tollgate/tollgate/internal/reqtrace"
)

// scaleEnv is the console over a real file-backed log store holding
// scaleRows requests of the last 24 hours, scaleCaptures of them captured
// failures, beside the gateway that served the traffic they were copied
// from, as `tollgate run --data DIR` wires them.
type scaleEnv struct {
	*env
	logs *logstore.Store
	// rows and captures are what the store holds.
	rows, captures int
	// failure is the id of a captured failure; uncaptured the id of a
	// failure the store has a log row of but no capture; oldest the
	// time of the oldest row.
	failure, uncaptured string
	// fill is how long storing the rows took.
	fill time.Duration
}

// scaleSize is the number of stored requests and captured failures:
// 100,000 and 5,000, except in the smoke run of scripts/test.sh
// (-benchtime 1x), which runs every benchmark once to keep it working.
func scaleSize() (rows, captures int) {
	if f := flag.Lookup("test.benchtime"); f != nil && f.Value.String() == "1x" {
		return 10_000, 500
	}
	return 100_000, 5_000
}

// newScaleEnv starts a real gateway over testdata/shop that logs into a
// file-backed log store and persists its captures there, sends it the
// tests' traffic, and then fills the store with rows requests spread
// evenly over the last 24 hours, one in sixteen a failure: copies of the
// real log lines and captured documents of that traffic, each with an id
// and time of its own. The newest captures failures are captured, as the store's bound on
// captures keeps the newest.
func newScaleEnv(t testing.TB, rows, captures int) *scaleEnv {
	t.Helper()
	snap, dir := shop(t)
	logs, err := logstore.Open(t.TempDir(), logstore.Options{CaptureMax: captures + 100, CaptureMaxBytes: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { logs.Close() })
	var lines bytes.Buffer
	var linesMu sync.Mutex
	tee := writerFunc(func(b []byte) (int, error) {
		linesMu.Lock()
		lines.Write(b)
		linesMu.Unlock()
		return logs.Write(b)
	})
	persisted := capturestore.Persisted{Store: logs}
	e := &env{snap: snap}
	e.store = capture.NewStore(capture.Options{Config: func() capture.Config { return capture.Config{Dir: dir} }, Persist: persisted, MaxCount: 100})
	t.Cleanup(e.store.Close)
	gw, err := gateway.New(snap, gateway.Options{AllAccessKey: allAccessKey, Log: gateway.NewLogWriter(tee), Capture: e.store, Traces: reqtrace.NewStore(10)})
	if err != nil {
		t.Fatal(err)
	}
	e.gateway = httptest.NewServer(gw)
	t.Cleanup(e.gateway.Close)
	source := capturestore.Layered{Mem: e.store, Disk: persisted}
	ui := console.Handler(console.Options{
		Captures: source, Query: console.HandlerQuerier(logs.QueryHandler()), Token: adminToken,
		Config: func() *config.Snapshot { return snap }, Check: gateway.Check,
	})
	e.admin = httptest.NewServer(admin.Handler(admin.Options{Token: adminToken, Captures: source, Query: logs.QueryHandler(), Mount: map[string]http.Handler{"/": ui}}))
	t.Cleanup(e.admin.Close)
	e.traffic(t)
	logs.Flush()

	// The real traffic's lines and captures are the templates.
	linesMu.Lock()
	real := bytes.Split(bytes.TrimSpace(lines.Bytes()), []byte("\n"))
	linesMu.Unlock()
	docs, err := e.store.Captures(time.Time{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	captured := map[string][]byte{}
	for _, d := range docs {
		b, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		captured[d.ID] = b
	}
	var ok, failed []template
	for _, l := range real {
		tp, err := newTemplate(l)
		if err != nil {
			t.Fatal(err)
		}
		if tp.failed {
			if tp.doc = captured[tp.id]; tp.doc == nil {
				t.Fatalf("the failure %s was not captured", tp.id)
			}
			failed = append(failed, tp)
		} else {
			ok = append(ok, tp)
		}
	}
	if len(ok) == 0 || len(failed) == 0 {
		t.Fatalf("the traffic gave %d successful and %d failed lines", len(ok), len(failed))
	}

	s := &scaleEnv{env: e, logs: logs, rows: rows, captures: captures}
	start := time.Now()
	now := start
	step := 24 * time.Hour / time.Duration(rows)
	var batch []byte
	nFailed := rows / 16
	for i := range rows {
		at := now.Add(-24 * time.Hour).Add(time.Duration(i) * step)
		id := fmt.Sprintf("%08x-5ca1-4e00-8000-%012x", i, i)
		var tp *template
		if i%16 == 15 {
			f := (i / 16) % len(failed)
			tp = &failed[f]
			// The newest failures are captured.
			if n := i / 16; n >= nFailed-captures {
				logs.PutCapture(logstore.Capture{ID: id, Time: at, Status: tp.status, APIID: tp.api, OperationID: tp.op, Doc: tp.docFor(id, at)})
				s.failure = id
			} else if n == 0 {
				s.uncaptured = id
			}
		} else {
			tp = &ok[i%len(ok)]
		}
		batch = tp.appendLine(batch, id, at)
		if i%1000 == 999 {
			logs.Write(batch)
			batch = batch[:0]
		}
		if i%50_000 == 49_999 {
			logs.Flush() // keep the queue within its bound
		}
	}
	logs.Write(batch)
	logs.Flush()
	s.fill = time.Since(start)
	if d := logs.Dropped(); d != 0 {
		t.Fatalf("the store dropped %d lines", d)
	}
	if got := logs.Stored(); got < uint64(rows) {
		t.Fatalf("the store holds %d rows, want %d", got, rows)
	}
	return s
}

// template is a real log line with the places of its id and time, and,
// for a failure, its captured document.
type template struct {
	parts          [3][]byte // before the id, between id and time, after the time
	idFirst        bool
	id, time       string
	failed         bool
	status         int
	api, op        string
	doc            []byte
	docID, docTime string
}

func newTemplate(line []byte) (template, error) {
	var m struct {
		CorrelationId, TimeGenerated, ApiId, OperationId string
		ResponseCode                                     int
		IsRequestSuccess                                 bool
	}
	if err := json.Unmarshal(line, &m); err != nil {
		return template{}, err
	}
	tp := template{id: m.CorrelationId, time: m.TimeGenerated, failed: !m.IsRequestSuccess, status: m.ResponseCode, api: m.ApiId, op: m.OperationId}
	i, j := bytes.Index(line, []byte(`"`+m.CorrelationId+`"`)), bytes.Index(line, []byte(`"`+m.TimeGenerated+`"`))
	if i < 0 || j < 0 || bytes.Count(line, []byte(m.CorrelationId)) != 1 {
		return template{}, fmt.Errorf("the line %s has no single id and time", line)
	}
	a, alen, b, blen := i+1, len(m.CorrelationId), j+1, len(m.TimeGenerated)
	tp.idFirst = a < b
	if !tp.idFirst {
		a, alen, b, blen = b, blen, a, alen
	}
	tp.parts = [3][]byte{line[:a], line[a+alen : b], line[b+blen:]}
	return tp, nil
}

// appendLine appends the template's line with id and time at, and a
// newline.
func (tp *template) appendLine(b []byte, id string, at time.Time) []byte {
	ts := at.UTC().Format("2006-01-02T15:04:05.0000000Z")
	first, second := id, ts
	if !tp.idFirst {
		first, second = ts, id
	}
	b = append(b, tp.parts[0]...)
	b = append(b, first...)
	b = append(b, tp.parts[1]...)
	b = append(b, second...)
	b = append(b, tp.parts[2]...)
	return append(b, '\n')
}

// docFor is the template's captured document with id and time at.
func (tp *template) docFor(id string, at time.Time) []byte {
	doc := bytes.ReplaceAll(tp.doc, []byte(tp.id), []byte(id))
	doc = bytes.ReplaceAll(doc, []byte(tp.time), []byte(at.UTC().Format("2006-01-02T15:04:05.0000000Z")))
	var m map[string]json.RawMessage
	if json.Unmarshal(doc, &m) != nil {
		return doc
	}
	m["time"], _ = json.Marshal(at.UTC())
	out, _ := json.Marshal(m)
	return out
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(b []byte) (int, error) { return f(b) }

// scalePages are the console's pages and the live tail's poll at scale,
// named for the benchmarks.
func (s *scaleEnv) scalePages() []struct{ name, path string } {
	return []struct{ name, path string }{
		{"failures-24h", "/failures"},
		{"failures-7d", "/failures?range=7d"},
		{"requests", "/requests"},
		{"requests-tail-poll", "/requests?rows=1"},
		{"requests-failed", "/requests?status=failed"},
		{"requests-status-500", "/requests?status=500"},
		{"requests-api", "/requests?api=orders"},
		{"requests-category-op", "/requests?category=Auth+Failure&opname=Get+order&range=24h"},
		{"requests-text", "/requests?q=tenant"},
		{"requests-text-none", "/requests?q=nothing+matches+this"},
		{"requests-older-page", "/requests?before=" + time.Now().Add(-12*time.Hour).UTC().Format(time.RFC3339Nano)},
		{"request-detail", "/requests/" + s.failure},
		{"request-detail-uncaptured", "/requests/" + s.uncaptured},
		{"query-seed-errorcategory", "/query?q=" + urlQuery(console.SeedErrorCategory)},
		{"query-all-rows", "/query?q=ApiManagementGatewayLogs"},
		{"config", "/config"},
		{"config-operation", "/config/apis/orders/operations/get-order?product=gold"},
	}
}

func urlQuery(s string) string {
	r := strings.NewReplacer("%", "%25", "&", "%26", "+", "%2B", " ", "+", "\n", "%0A", "#", "%23", "=", "%3D", "\"", "%22")
	return r.Replace(s)
}

// BenchmarkConsole100k serves every console page over 100,000 stored
// requests and 5,000 captured failures (10,000 and 500 in the smoke run),
// through the admin listener: ms/page is the server's time to answer,
// queries included, and cpu-ms/page the CPU time the process spent on it
// (client and server: they share the process), which a busy machine
// does not inflate.
func BenchmarkConsole100k(b *testing.B) {
	rows, caps := scaleSize()
	s := newScaleEnv(b, rows, caps)
	b.Logf("filled %d rows and %d captures in %v (%.0f rows/s)", rows, caps, s.fill.Round(time.Millisecond), float64(rows)/s.fill.Seconds())
	client := &http.Client{}
	for _, p := range s.scalePages() {
		b.Run(p.name, func(b *testing.B) {
			var size int
			cpu := cpuTime()
			for b.Loop() {
				req, _ := http.NewRequest("GET", s.admin.URL+p.path, nil)
				req.Header.Set("Authorization", "Bearer "+adminToken)
				resp, err := client.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					b.Fatalf("%s: status %d: %.300s", p.path, resp.StatusCode, body)
				}
				if bytes.Contains(body, []byte(`class="error"`)) {
					b.Fatalf("%s shows an error: %.2000s", p.path, body)
				}
				size = len(body)
			}
			b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/1000/float64(b.N), "cpu-ms/page")
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/page")
			b.ReportMetric(float64(size)/1024, "KiB/page")
		})
	}
}

// TestConsoleOverLogStore reads the console's pages over a real log store
// of 2,000 requests: the Query page reads no more than 500 rows and draws
// no more than 10,000 cells, the
// text filter finds a request by a piece of its id, and a request the
// store has a log row of but no capture still opens.
func TestConsoleOverLogStore(t *testing.T) {
	s := newScaleEnv(t, 2000, 50)
	// The store stops at 500 rows; the table draws at most 10,000 cells
	// of the 56 columns: 178 rows.
	status, body := s.get(t, "/query?q=ApiManagementGatewayLogs")
	if status != 200 || !strings.Contains(body, "More than 500 rows: the first 178 shown") {
		t.Errorf("the Query page over 2,000 rows: status %d, row count %q", status, rowCount(body))
	}
	if n := strings.Count(body, "<tr><td"); n != 178 {
		t.Errorf("the Query page drew %d rows, want 178", n)
	}
	// A narrow result draws its 500 rows.
	status, body = s.get(t, "/query?q=ApiManagementGatewayLogs+|+project+CorrelationId")
	if n := strings.Count(body, "<tr><td"); status != 200 || n != 500 || !strings.Contains(body, "More than 500 rows: the first 500 shown") {
		t.Errorf("the Query page drew %d rows of one column, want 500; row count %q", n, rowCount(body))
	}
	status, body = s.get(t, "/query?q="+urlQuery(console.SeedErrorCategory))
	if status != 200 || !strings.Contains(body, `id="query-chart"`) || strings.Contains(body, "More than") {
		t.Errorf("the seed's ErrorCategory query: status %d, row count %q", status, rowCount(body))
	}
	status, body = s.get(t, "/requests?q="+s.uncaptured[:13])
	if n := strings.Count(body, `<tr class="go"`); status != 200 || n != 1 || !strings.Contains(body, `href="/requests/`+s.uncaptured+`"`) {
		t.Errorf("searching for %s: status %d, %d rows", s.uncaptured[:13], status, n)
	}
	status, body = s.get(t, "/requests/"+s.uncaptured)
	if status != 200 || !strings.Contains(body, s.uncaptured) {
		t.Errorf("the uncaptured request: status %d", status)
	}
	status, body = s.get(t, "/requests/"+s.failure)
	if status != 200 || !strings.Contains(body, `id="waterfall"`) {
		t.Errorf("the captured request: status %d", status)
	}
}

var rowCountRE = regexp.MustCompile(`id="row-count">([^<]*)<`)

func rowCount(body string) string {
	if m := rowCountRE.FindStringSubmatch(body); m != nil {
		return m[1]
	}
	return ""
}
