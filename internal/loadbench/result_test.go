package loadbench

import (
	"strings"
	"testing"
	"time"
)

func TestCheckStatuses(t *testing.T) {
	keep, fail := Variants[0], Variants[3]
	ok := func(m map[int]int64) Result {
		var n int64
		for _, c := range m {
			n += c
		}
		return Result{Requests: n, Elapsed: time.Second, Statuses: m}
	}
	for _, c := range []struct {
		name    string
		v       Variant
		r       Result
		wantErr string // "" for none
	}{
		{"all 200", keep, ok(map[int]int64{200: 100}), ""},
		{"a 429", keep, ok(map[int]int64{200: 99, 429: 1}), "1 responses with status 429"},
		{"a 401 without wrong keys", keep, ok(map[int]int64{200: 99, 401: 1}), "status 401"},
		{"no responses", keep, Result{Statuses: map[int]int64{}}, "no responses"},
		{"socket errors", keep, Result{Requests: 5, Statuses: map[int]int64{200: 5}, Errors: 2}, "2 requests without a response"},
		{"failing, exact", fail, Result{Requests: 100, Statuses: map[int]int64{200: 99, 401: 1}, WrongKeySent: 1}, ""},
		{"failing, right key refused", fail, Result{Requests: 100, Statuses: map[int]int64{200: 90, 401: 10}, WrongKeySent: 1}, "a right key was refused"},
		{"failing, wrong key accepted", fail, Result{Requests: 1000, Statuses: map[int]int64{200: 1000}, WrongKeySent: 80}, "a wrong key was accepted"},
		{"failing, in flight at the end", fail, Result{Requests: 1000, Statuses: map[int]int64{200: 970, 401: 30}, WrongKeySent: 40}, ""},
		{"failing, a 500", fail, Result{Requests: 100, Statuses: map[int]int64{200: 98, 401: 1, 500: 1}, WrongKeySent: 1}, "status 500"},
		{"wrk, all below 400", keep, Result{Requests: 100}, ""},
		{"wrk, some 400 or more", keep, Result{Requests: 100, Rejected: 3}, "3 responses with a status of 400 or more"},
		{"wrk, failing", fail, Result{Requests: 100, Rejected: 1, WrongKeySent: 1}, ""},
		{"wrk, failing, too many refused", fail, Result{Requests: 100, Rejected: 5, WrongKeySent: 1}, "a right key was refused"},
	} {
		err := CheckStatuses(c.v, 32, c.r)
		switch {
		case c.wantErr == "" && err != nil:
			t.Errorf("%s: %v, want nil", c.name, err)
		case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
			t.Errorf("%s: %v, want an error with %q", c.name, err, c.wantErr)
		}
	}
}

func TestParseWrkOutput(t *testing.T) {
	out := `Running 2s test @ http://127.0.0.1:1234/load/items/42
  1 threads and 32 connections
loadbench-result {"requests":2400,"elapsedMicros":2000000,"p50Micros":1500,"p99Micros":9000,"wrongKeySent":24,"errors":1,"rejected":23}
Requests/sec:   1200.00
`
	r, err := ParseWrkOutput([]byte(out))
	if err != nil {
		t.Fatal(err)
	}
	want := Result{Requests: 2400, Elapsed: 2 * time.Second, P50: 1500 * time.Microsecond, P99: 9 * time.Millisecond, WrongKeySent: 24, Errors: 1, Rejected: 23}
	if r.Statuses != nil || r.Requests != want.Requests || r.Elapsed != want.Elapsed || r.P50 != want.P50 || r.P99 != want.P99 ||
		r.WrongKeySent != want.WrongKeySent || r.Errors != want.Errors || r.Rejected != want.Rejected || r.RPS() != 1200 {
		t.Errorf("parsed %+v, want %+v", r, want)
	}
	if _, err := ParseWrkOutput([]byte("unable to connect to 127.0.0.1:1234 Connection refused\n")); err == nil || !strings.Contains(err.Error(), "Connection refused") {
		t.Errorf("no result line: %v, want an error quoting wrk's output", err)
	}
	if _, err := ParseWrkOutput([]byte("loadbench-result {\"requests\":\n")); err == nil {
		t.Error("a broken result line parsed")
	}
}

func TestWrkScript(t *testing.T) {
	s := WrkScript(Variants[2])
	for _, want := range []string{`"POST", "/load/items/42?size=65536"`, "local bodySize = 4096", "local newConnection = false",
		`["X-Tier"] = "gold"`, "function done(", "function request("} {
		if !strings.Contains(s, want) {
			t.Errorf("script lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "function response(") {
		t.Error("the script defines response(), which makes wrk hand every body to Lua")
	}
}
