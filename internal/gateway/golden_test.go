package gateway

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/reqtrace"
)

var update = flag.Bool("update", false, "rewrite the want/ sections of golden test files")

// Golden policy tests: each testdata/policies/<policy>/<case>.txtar holds a
// configuration and a request, and the backend request, response and trace
// tollgate must produce. Sections:
//
//	global.xml, product.xml, api.xml, operation.xml   policies at each scope (optional)
//	spec.yaml                                         the API's OpenAPI document (optional; default below)
//	files/<path>                                      any other file of the APIOps folder
//	request.http                                      the request, as raw HTTP/1.1; it carries the all-access
//	                                                  key unless it names a key ("Ocp-Apim-Subscription-Key: none" sends none)
//	backend.http                                      the backend's response, as raw HTTP/1.1 (default 200 "backend body")
//	want/backend-request.http                         what the backend received, or "(not called)"
//	want/response.http                                what the caller received
//	want/trace.txt                                    the trace, without timings
//	settle                                            (empty) wait for background requests to reach the backend
//
// $GATEWAY$ in request.http's body and $BACKEND$ in backend.http's are the URLs of the
// loopback gateway and backend; the want/ sections name them so too.
//
// "go test ./internal/gateway -run Golden -update" rewrites the want/ sections.

const defaultSpec = `openapi: 3.0.1
info: {title: test, version: "1"}
paths:
  /resource/{id}:
    get:
      operationId: get-resource
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses: {"200": {description: OK}}
    post:
      operationId: create-resource
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses: {"200": {description: OK}}
`

// archive is a txtar file: a comment, then "-- name --" sections.
type archive struct {
	comment string
	files   []archiveFile
}

type archiveFile struct {
	name string
	data string
}

var archiveMarker = regexp.MustCompile(`(?m)^-- (.+) --$`)

func parseArchive(s string) archive {
	var a archive
	locs := archiveMarker.FindAllStringSubmatchIndex(s, -1)
	if len(locs) == 0 {
		a.comment = s
		return a
	}
	a.comment = s[:locs[0][0]]
	for i, l := range locs {
		end := len(s)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		data := s[l[1]:end]
		data = strings.TrimPrefix(data, "\n")
		a.files = append(a.files, archiveFile{name: s[l[2]:l[3]], data: data})
	}
	return a
}

func (a *archive) get(name string) (string, bool) {
	for _, f := range a.files {
		if f.name == name {
			return f.data, true
		}
	}
	return "", false
}

func (a *archive) set(name, data string) {
	for i := range a.files {
		if a.files[i].name == name {
			a.files[i].data = data
			return
		}
	}
	a.files = append(a.files, archiveFile{name: name, data: data})
}

func (a *archive) String() string {
	var b strings.Builder
	b.WriteString(a.comment)
	for _, f := range a.files {
		fmt.Fprintf(&b, "-- %s --\n%s", f.name, f.data)
		if !strings.HasSuffix(f.data, "\n") {
			b.WriteString("\n")
		}
	}
	return b.String()
}

func TestGoldenPolicies(t *testing.T) {
	files, _ := filepath.Glob("testdata/policies/*/*.txtar")
	if len(files) == 0 {
		t.Fatal("no golden policy tests found")
	}
	for _, file := range files {
		name := strings.TrimSuffix(strings.TrimPrefix(file, "testdata/policies/"), ".txtar")
		t.Run(name, func(t *testing.T) { runGolden(t, file) })
	}
}

func runGolden(t *testing.T, file string) {
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	a := parseArchive(string(src))

	// The backend answers with backend.http and records what it got.
	var mu sync.Mutex
	var got []string
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, dumpRequest(r, body))
		mu.Unlock()
		status, header, respBody := 200, http.Header{"Content-Type": {"text/plain"}}, "backend body"
		if raw, ok := a.get("backend.http"); ok {
			resp, err := http.ReadResponse(bufio.NewReader(strings.NewReader(raw)), nil)
			if err != nil {
				t.Errorf("backend.http: %v", err)
				return
			}
			b, _ := io.ReadAll(resp.Body)
			status, header, respBody = resp.StatusCode, resp.Header, strings.ReplaceAll(string(b), "$BACKEND$", "http://"+r.Host)
		}
		for k, v := range header {
			w.Header()[k] = v
		}
		w.WriteHeader(status)
		io.WriteString(w, respBody)
	}))
	defer backend.Close()

	dir := t.TempDir()
	write := func(rel, data string) {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		os.MkdirAll(filepath.Dir(p), 0o755)
		data = strings.ReplaceAll(data, "$BACKEND$", backend.URL)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("apis/test/apiInformation.json", `{"properties":{"displayName":"Test API","path":"test","serviceUrl":"`+backend.URL+`/base","subscriptionRequired":false}}`)
	spec, ok := a.get("spec.yaml")
	if !ok {
		spec = defaultSpec
	}
	write("apis/test/specification.yaml", spec)
	scopes := map[string]string{"global.xml": "policy.xml", "api.xml": "apis/test/policy.xml", "product.xml": "products/p/policy.xml"}
	if _, ok := a.get("global.xml"); !ok {
		write("policy.xml", "<policies><inbound/><backend><forward-request/></backend><outbound/><on-error/></policies>")
	}
	for _, f := range a.files {
		switch {
		case scopes[f.name] != "":
			write(scopes[f.name], f.data)
		case strings.HasPrefix(f.name, "operation."):
			// operation.<name>.xml
			op := strings.TrimSuffix(strings.TrimPrefix(f.name, "operation."), ".xml")
			write("apis/test/operations/"+op+"/policy.xml", f.data)
		case strings.HasPrefix(f.name, "files/"):
			write(strings.TrimPrefix(f.name, "files/"), f.data)
		}
	}
	snap, diags := config.Load(dir, config.Options{})
	pols, pd := config.LoadPolicies(snap, PolicyOptions())
	snap.Policies = pols
	diags.Append(pd)
	if diags.HasErrors() {
		t.Fatalf("configuration does not load:\n%s", diags)
	}
	traces := reqtrace.NewStore(10)
	gw, err := New(snap, Options{AllAccessKey: testAllAccessKey, Log: NewLogWriter(io.Discard), Traces: traces})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gw)
	defer srv.Close()

	raw, ok := a.get("request.http")
	if !ok {
		t.Fatal("no request.http section")
	}
	req, err := http.ReadRequest(bufio.NewReader(strings.NewReader(strings.ReplaceAll(raw, "\n", "\r\n"))))
	if err != nil {
		t.Fatalf("request.http: %v", err)
	}
	reqBody, _ := io.ReadAll(req.Body)
	reqBody = bytes.ReplaceAll(reqBody, []byte("$GATEWAY$"), []byte(srv.URL))
	out, _ := http.NewRequest(req.Method, srv.URL+req.RequestURI, io.NopCloser(bytes.NewReader(reqBody)))
	out.Header = req.Header
	out.Header.Set("Ocp-Apim-Trace", "true")
	switch out.Header.Get(keyHeader) {
	case "":
		out.Header.Set(keyHeader, testAllAccessKey)
	case "none":
		out.Header.Del(keyHeader) // the case sends no key
	}
	resp, err := http.DefaultTransport.RoundTrip(out)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()

	if _, ok := a.get("settle"); ok {
		// Requests sent in the background (send-one-way-request) may reach
		// the backend after the response: wait until it has been quiet.
		deadline := time.Now().Add(3 * time.Second)
		for n := -1; time.Now().Before(deadline); {
			time.Sleep(100 * time.Millisecond)
			mu.Lock()
			m := len(got)
			mu.Unlock()
			if m == n && m > 0 {
				break
			}
			n = m
		}
	}
	results := map[string]string{
		"want/response.http": dumpResponse(resp, body),
		"want/trace.txt":     "(no trace)\n",
	}
	mu.Lock()
	results["want/backend-request.http"] = "(not called)\n"
	if len(got) > 0 {
		results["want/backend-request.http"] = strings.Join(got, "\n")
	}
	mu.Unlock()
	for name, v := range results {
		// The URLs of the loopback servers, in bodies, by name.
		results[name] = strings.NewReplacer(srv.URL, "$GATEWAY$", backend.URL, "$BACKEND$").Replace(v)
	}
	if tr := gw.Trace(resp.Header.Get(CorrelationHeader)); tr != nil {
		results["want/trace.txt"] = strings.ReplaceAll(traceText(tr), dir+string(filepath.Separator), "")
	}
	changed := false
	for _, name := range []string{"want/backend-request.http", "want/response.http", "want/trace.txt"} {
		want, ok := a.get(name)
		if *update {
			if want != results[name] {
				a.set(name, results[name])
				changed = true
			}
			continue
		}
		if !ok {
			t.Errorf("%s: missing section %s (run with -update)", file, name)
			continue
		}
		if want != results[name] {
			t.Errorf("%s: %s differs\n--- want\n%s--- got\n%s", file, name, want, results[name])
		}
	}
	if changed {
		os.WriteFile(file, []byte(a.String()), 0o644)
	}
}

// unstableHeaders vary from run to run and are left out of golden files.
var unstableHeaders = []string{"Date", CorrelationHeader, "Ocp-Apim-Trace-Location", "User-Agent", "Accept-Encoding", "Ocp-Apim-Trace"}

func dumpHeaders(b *strings.Builder, h http.Header) {
	keys := sortedStrings(mapKeys(h))
	for _, k := range keys {
		if slices.Contains(unstableHeaders, k) {
			continue
		}
		for _, v := range h[k] {
			v = strings.ReplaceAll(v, testAllAccessKey, "<all-access-key>")
			fmt.Fprintf(b, "%s: %s\n", k, v)
		}
	}
}

func dumpRequest(r *http.Request, body []byte) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s\n", r.Method, r.URL.RequestURI())
	dumpHeaders(&b, r.Header)
	b.WriteString("\n")
	if len(body) > 0 {
		b.Write(body)
		b.WriteString("\n")
	}
	return b.String()
}

func dumpResponse(resp *http.Response, body []byte) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d\n", resp.StatusCode)
	dumpHeaders(&b, resp.Header)
	b.WriteString("\n")
	if len(body) > 0 {
		b.Write(bytes.ReplaceAll(body, []byte(resp.Header.Get(CorrelationHeader)), []byte("<correlation-id>")))
		b.WriteString("\n")
	}
	return b.String()
}

// traceText renders a trace without timings.
func traceText(t *reqtrace.Trace) string {
	var b strings.Builder
	for _, e := range t.Entries() {
		mark := " "
		if e.Failed {
			mark = "!"
		}
		fmt.Fprintf(&b, "%s %s %s", mark, e.Section, e.Source)
		if e.Where != "" {
			fmt.Fprintf(&b, " %s", e.Where)
		}
		if e.Path != "" {
			fmt.Fprintf(&b, " [%s %s]", e.Scope, e.Path)
		}
		b.WriteString("\n")
		msg := e.Message
		if i := strings.Index(msg, "://127.0.0.1:"); i >= 0 {
			msg = regexp.MustCompile(`127\.0\.0\.1:\d+`).ReplaceAllString(msg, "backend")
		}
		for _, line := range strings.Split(msg, "\n") {
			if line != "" {
				fmt.Fprintf(&b, "    %s\n", line)
			}
		}
	}
	return b.String()
}
