package loadbench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/google/pprof/profile"
)

// Share is how one target's CPU divided under one variant, by its CPU
// profile: the CPU in each area of the telemetry sinks' code, and the
// whole. --profile takes it in a round of its own after the measured ones,
// so that the profiler's own cost is in no measurement.
type Share struct {
	Target, Variant string
	// Total is the CPU the profile sampled; Areas the sinks' part of it,
	// largest first.
	Total time.Duration
	Areas []Area
}

// Area is the CPU of one part of the sinks' code.
type Area struct {
	Name string
	CPU  time.Duration
}

// Sinks is the CPU of every area together.
func (s Share) Sinks() time.Duration {
	var d time.Duration
	for _, a := range s.Areas {
		d += a.CPU
	}
	return d
}

// Percent is d as a percentage of the profile's CPU.
func (s Share) Percent(d time.Duration) float64 {
	if s.Total == 0 {
		return 0
	}
	return 100 * float64(d) / float64(s.Total)
}

// sinkAreas name the sinks' code by the functions of a sample's stack; the
// frame nearest the leaf that matches decides, so that a sample is counted
// once, and within a frame the first area that matches. The OTLP posts
// are the exporter's own (its poster) to a plain-HTTP collector, else
// net/http's client, which runs only those posts in a tollgate target (the
// backend client is its own, internal/h1client); the OpenTelemetry SDK
// runs only the metrics over OTLP.
var sinkAreas = []struct {
	name     string
	prefixes []string
}{
	{"OTLP posts", []string{"github.com/tollgate/tollgate/internal/otel.(*poster)", "github.com/tollgate/tollgate/internal/otel.(*exporter).post",
		"net/http.(*persistConn)", "net/http.(*Transport)", "net/http.(*Client)"}},
	{"spans and log records", []string{"github.com/tollgate/tollgate/internal/otel."}},
	{"OTLP metrics", []string{"go.opentelemetry.io/"}},
	{"Kafka", []string{"github.com/tollgate/tollgate/internal/eventhub.", "github.com/twmb/franz-go/"}},
	{"/metrics scrapes", []string{"github.com/prometheus/client_golang/prometheus/promhttp.", "github.com/prometheus/client_golang/prometheus.(*Registry).Gather"}},
}

// ShareOf reads a CPU profile (pprof's format, as /debug/pprof/profile
// writes it) and divides it by sinkAreas.
func ShareOf(r io.Reader) (Share, error) {
	p, err := profile.Parse(r)
	if err != nil {
		return Share{}, fmt.Errorf("reading the CPU profile: %v", err)
	}
	cpu := -1
	for i, st := range p.SampleType {
		if st.Type == "cpu" && st.Unit == "nanoseconds" {
			cpu = i
		}
	}
	if cpu < 0 {
		return Share{}, fmt.Errorf("the profile has no cpu/nanoseconds samples")
	}
	var s Share
	byArea := make([]time.Duration, len(sinkAreas))
	for _, smp := range p.Sample {
		d := time.Duration(smp.Value[cpu])
		s.Total += d
		if a := areaOf(smp); a >= 0 {
			byArea[a] += d
		}
	}
	for i, d := range byArea {
		if d > 0 {
			s.Areas = append(s.Areas, Area{sinkAreas[i].name, d})
		}
	}
	sort.SliceStable(s.Areas, func(i, j int) bool { return s.Areas[i].CPU > s.Areas[j].CPU })
	return s, nil
}

// areaOf is the index in sinkAreas of the sample's area, -1 for none.
func areaOf(smp *profile.Sample) int {
	for _, loc := range smp.Location { // the leaf first
		for _, line := range loc.Line { // inlined calls first
			if line.Function == nil {
				continue
			}
			for i, a := range sinkAreas {
				for _, p := range a.prefixes {
					if strings.HasPrefix(line.Function.Name, p) {
						return i
					}
				}
			}
		}
	}
	return -1
}

// fetchProfile takes a CPU profile of seconds from an admin listener, and
// writes it to keep unless keep is "".
func fetchProfile(ctx context.Context, admin string, seconds int, keep string) (Share, error) {
	url := fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", admin, seconds)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return Share{}, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return Share{}, fmt.Errorf("CPU profile: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return Share{}, fmt.Errorf("CPU profile: %v", err)
	}
	if resp.StatusCode != http.StatusOK {
		return Share{}, fmt.Errorf("CPU profile: %s: %s", resp.Status, bytes.TrimSpace(body))
	}
	if keep != "" {
		if err := os.WriteFile(keep, body, 0o644); err != nil {
			return Share{}, fmt.Errorf("CPU profile: %v", err)
		}
	}
	return ShareOf(bytes.NewReader(body))
}

// profileRound loads t under v for a round's length while its CPU profile
// is taken, and divides the profile. The load starts a moment before the
// profile and ends a moment after it, so that the profile sees load only.
func (r *runner) profileRound(ctx context.Context, t Target, v Variant, admin, url, tlsURL string, gen func(context.Context, Load) (Result, error)) (Share, error) {
	d := r.cfg.ProfileDuration
	if d <= 0 {
		d = r.cfg.Duration
	}
	seconds := max(1, int(d/time.Second))
	type fetched struct {
		s   Share
		err error
	}
	done := make(chan fetched, 1)
	lctx, cancel := context.WithCancel(ctx)
	defer cancel()
	l := Load{URL: url, Variant: v, Connections: r.cfg.Connections, Duration: time.Duration(seconds)*time.Second + 500*time.Millisecond}
	if v.TLS {
		l.URL, l.CAFile = tlsURL, r.cert.CertFile
	}
	if v.HTTP2 {
		gen = r.goGenerator
	}
	loaded := make(chan error, 1)
	go func() {
		_, err := gen(lctx, l)
		loaded <- err
	}()
	time.Sleep(250 * time.Millisecond) // the load is running
	go func() {
		keep := ""
		if r.cfg.WorkDir != "" {
			keep = filepath.Join(r.cfg.WorkDir, t.Name+"-"+v.Name+".pprof")
		}
		s, err := fetchProfile(ctx, admin, seconds, keep)
		done <- fetched{s, err}
	}()
	f := <-done
	if err := <-loaded; err != nil {
		return Share{}, fmt.Errorf("%s, %s, profiled: %w", t.Name, v.Name, err)
	}
	r.truncateLogs()
	if f.err != nil {
		return Share{}, fmt.Errorf("%s, %s: %w", t.Name, v.Name, f.err)
	}
	f.s.Target, f.s.Variant = t.Name, v.Name
	fmt.Fprintf(r.log, "loadbench: profiled %-10s %-12s the sinks' code %.1f%% of %s of CPU\n", v.Name, t.Name, f.s.Percent(f.s.Sinks()), f.s.Total.Round(time.Millisecond))
	return f.s, nil
}
