package metrics

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"
)

// dashboard is the Grafana dashboard shipped in deploy/grafana.
const dashboard = "../../deploy/grafana/tollgate.json"

var (
	metricRef = regexp.MustCompile(`\btollgate_[a-z0-9_]+`)
	byLabels  = regexp.MustCompile(`by \(([^)]*)\)`)
	matchers  = regexp.MustCompile(`([a-z_]+)\s*(?:=~|!~|!=|=)\s*"`)
)

// The dashboard is valid JSON, and every metric and label its queries use
// is one these metrics have.
func TestGrafanaDashboardQueriesExistingMetrics(t *testing.T) {
	src, err := os.ReadFile(dashboard)
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		UID, Title string
		Panels     []struct {
			Type, Title string
			Targets     []struct{ Expr string }
		}
		Templating struct {
			List []struct {
				Name       string
				Definition string
			}
		}
	}
	if err := json.Unmarshal(src, &dash); err != nil {
		t.Fatalf("%s: %v", dashboard, err)
	}
	if dash.UID == "" || dash.Title == "" || len(dash.Panels) == 0 {
		t.Fatalf("%s: no uid, title or panels", dashboard)
	}

	// Every series exists once a request of each kind was observed.
	m := New()
	m.Begin()
	m.Observe(&Request{API: "a", Operation: "o", Product: "p", Listener: "http", Status: 429, LastErrorSource: "rate-limit", LastErrorReason: "RateLimitExceeded",
		Total: 1e6, Backend: 1e5, Cache: "hit", BackendStatus: 200})
	m.Reloaded(true)
	families, err := m.Gatherer().Gather()
	if err != nil {
		t.Fatal(err)
	}
	labels := map[string]map[string]bool{} // metric name as queried -> its labels
	for _, f := range families {
		ls := map[string]bool{}
		for _, mt := range f.Metric {
			for _, l := range mt.Label {
				ls[l.GetName()] = true
			}
		}
		names := []string{f.GetName()}
		if f.GetType().String() == "HISTOGRAM" {
			ls["le"] = true
			names = append(names, f.GetName()+"_bucket", f.GetName()+"_sum", f.GetName()+"_count")
		}
		for _, n := range names {
			labels[n] = ls
		}
	}

	var exprs []string
	for _, p := range dash.Panels {
		if p.Type == "row" {
			continue
		}
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, tg := range p.Targets {
			exprs = append(exprs, tg.Expr)
		}
	}
	for _, v := range dash.Templating.List {
		exprs = append(exprs, v.Definition)
	}
	queried := map[string]bool{}
	for _, e := range exprs {
		names := metricRef.FindAllString(e, -1)
		if len(names) == 0 && e != "" {
			t.Errorf("query %q uses no tollgate metric", e)
		}
		used := map[string]bool{}
		for _, n := range names {
			queried[n] = true
			ls, ok := labels[n]
			if !ok {
				t.Errorf("query %q uses %s, which package metrics does not have", e, n)
				continue
			}
			for l := range ls {
				used[l] = true
			}
		}
		var refs []string
		for _, b := range byLabels.FindAllStringSubmatch(e, -1) {
			for l := range strings.SplitSeq(b[1], ",") {
				refs = append(refs, strings.TrimSpace(l))
			}
		}
		for _, mt := range matchers.FindAllStringSubmatch(e, -1) {
			refs = append(refs, mt[1])
		}
		for _, l := range refs {
			if !used[l] {
				t.Errorf("query %q uses label %s, which its metrics do not have", e, l)
			}
		}
	}
	for _, want := range []string{"tollgate_requests_total", "tollgate_request_duration_seconds_bucket", "tollgate_backend_duration_seconds_bucket", "tollgate_throttled_requests_total"} {
		if !queried[want] {
			t.Errorf("the dashboard does not show %s", want)
		}
	}
}
