package loadbench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// wrkResultPrefix starts the line the wrk script prints when it is done.
const wrkResultPrefix = "loadbench-result "

// WrkScript returns the Lua script that makes wrk send variant v: it builds
// the requests once, counts the ones sent with WrongKey, and prints that
// count with wrk's own counts (responses, responses with a status of 400 or
// more, socket errors) and latency percentiles on one line that
// ParseWrkOutput reads. It defines no response() function: with one, wrk
// hands every response's headers and body to Lua, which halves its rate
// with 64 KB bodies and would measure wrk instead of the target; exact
// status codes come from the Go generator's warm-up instead.
func WrkScript(v Variant) string {
	var b strings.Builder
	lua := func(s string) string { return strconv.Quote(s) } // Go's quoting is valid Lua for ASCII
	fmt.Fprintf(&b, "local method, path = %s, %s\n", lua(v.Method), lua(v.Target()))
	fmt.Fprintf(&b, "local key, wrongKey, keyHeader = %s, %s, %s\n", lua(Key), lua(WrongKey), lua(KeyHeader))
	fmt.Fprintf(&b, "local failEvery = %d\n", v.FailEvery)
	fmt.Fprintf(&b, "local bodySize = %d\n", v.RequestBody)
	fmt.Fprintf(&b, "local newConnection = %t\n", v.NewConnection)
	b.WriteString("local extra = {")
	for _, k := range slices.Sorted(maps.Keys(loadHeaders())) {
		fmt.Fprintf(&b, "[%s] = %s, ", lua(k), lua(loadHeaders()[k]))
	}
	b.WriteString("}\n")
	b.WriteString(`
local right, wrong
local sent = 0
-- A global, read from each thread by done().
wrongSent = 0

local function build(k)
  local headers = {}
  for name, value in pairs(extra) do headers[name] = value end
  headers[keyHeader] = k
  if newConnection then headers["Connection"] = "close" end
  local body = nil
  if bodySize > 0 then body = string.rep("x", bodySize) end
  return wrk.format(method, path, headers, body)
end

function init(args)
  right, wrong = build(key), build(wrongKey)
end

function request()
  sent = sent + 1
  if failEvery > 0 and sent % failEvery == 0 then
    wrongSent = wrongSent + 1
    return wrong
  end
  return right
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function done(summary, latency, requests)
  local wrongTotal = 0
  for _, thread in ipairs(threads) do
    wrongTotal = wrongTotal + thread:get("wrongSent")
  end
  local e = summary.errors
  io.write(string.format('` + wrkResultPrefix + `{"requests":%d,"elapsedMicros":%d,"p50Micros":%d,"p99Micros":%d,"wrongKeySent":%d,"errors":%d,"rejected":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), wrongTotal,
    e.connect + e.read + e.write + e.timeout, e.status))
end
`)
	return b.String()
}

// wrkResult is the line the wrk script prints.
type wrkResult struct {
	Requests      int64   `json:"requests"`
	ElapsedMicros int64   `json:"elapsedMicros"`
	P50Micros     float64 `json:"p50Micros"`
	P99Micros     float64 `json:"p99Micros"`
	WrongKeySent  int64   `json:"wrongKeySent"`
	Errors        int64   `json:"errors"`
	Rejected      int64   `json:"rejected"`
}

// ParseWrkOutput reads the result line of WrkScript from wrk's output.
func ParseWrkOutput(out []byte) (Result, error) {
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line, ok := strings.CutPrefix(sc.Text(), wrkResultPrefix)
		if !ok {
			continue
		}
		var w wrkResult
		if err := json.Unmarshal([]byte(line), &w); err != nil {
			return Result{}, fmt.Errorf("wrk result %q: %v", line, err)
		}
		r := Result{Requests: w.Requests, Elapsed: time.Duration(w.ElapsedMicros) * time.Microsecond,
			P50: time.Duration(w.P50Micros * float64(time.Microsecond)), P99: time.Duration(w.P99Micros * float64(time.Microsecond)),
			WrongKeySent: w.WrongKeySent, Errors: w.Errors, Rejected: w.Rejected}
		return r, nil
	}
	return Result{}, fmt.Errorf("wrk printed no result line; its output:\n%s", out)
}

// Wrk runs wrk, with one thread, as the load generator.
type Wrk struct {
	// Path is the wrk binary.
	Path string
	// Dir is where scripts are written.
	Dir string
	// Wrap returns the command that runs name with args, pinned to the load
	// generator's core; nil runs it as is.
	Wrap func(name string, args ...string) *exec.Cmd
}

// Run sends l with wrk. wrk counts time in whole seconds: l.Duration is
// rounded up to one.
func (w Wrk) Run(ctx context.Context, l Load) (Result, error) {
	script := filepath.Join(w.Dir, "wrk-"+l.Variant.Name+".lua")
	if err := os.WriteFile(script, []byte(WrkScript(l.Variant)), 0o644); err != nil {
		return Result{}, err
	}
	secs := max(1, int((l.Duration+time.Second-1)/time.Second))
	args := []string{"-t1", "-c" + strconv.Itoa(l.Connections), "-d" + strconv.Itoa(secs) + "s",
		"--timeout", "10s", "-s", script, l.URL + l.Variant.Target()}
	cmd := command(ctx, w.Wrap, w.Path, args...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return Result{}, fmt.Errorf("wrk: %v\n%s", err, out)
	}
	return ParseWrkOutput(out)
}

// command builds the command of name with args through wrap, bound to ctx.
func command(ctx context.Context, wrap func(string, ...string) *exec.Cmd, name string, args ...string) *exec.Cmd {
	var cmd *exec.Cmd
	if wrap != nil {
		cmd = wrap(name, args...)
	} else {
		cmd = exec.Command(name, args...)
	}
	bound := exec.CommandContext(ctx, cmd.Path, cmd.Args[1:]...)
	bound.Env, bound.Dir = cmd.Env, cmd.Dir
	return bound
}
