// Command loadbench is tollgate's load harness: it measures tollgate, a
// bare Go reverse proxy and nginx under the same load, each pinned to one
// core, and prints the table of docs/performance.md. It exits 1 when a
// target answered anything but the statuses the load asks for; speed is
// reported, never asserted.
//
// Run it from the repository (scripts/load.sh does):
//
//	go run ./internal/loadbench/cmd/loadbench --short
//	go run ./internal/loadbench/cmd/loadbench --rounds 5 --duration 10s --markdown
//	go run ./internal/loadbench/cmd/loadbench --extra-target 'tollgate-data=--data /tmp/tg' --targets tollgate,tollgate-data,bare
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/tollgate/tollgate/internal/loadbench"
)

type extraTargets []string

func (e *extraTargets) String() string     { return strings.Join(*e, " ") }
func (e *extraTargets) Set(s string) error { *e = append(*e, s); return nil }

func main() {
	os.Exit(run())
}

func run() int {
	fs := flag.NewFlagSet("loadbench", flag.ContinueOnError)
	duration := fs.Duration("duration", 10*time.Second, "length of one measurement (wrk counts whole seconds)")
	rounds := fs.Int("rounds", 5, "number of interleaved rounds; the table shows their medians")
	connections := fs.Int("connections", 32, "connections the load generator keeps busy")
	warmup := fs.Duration("warmup", 2*time.Second, "warm-up of each target under each variant before the first round, with the Go generator (it checks every status)")
	variants := fs.String("variants", "", "comma-separated variants: keepalive, newconn, bodies, failing, tls, tls-h2, unauthorized; \"all\" for the default ones (default: all, or all but tls and tls-h2 with --short; unauthorized only when named)")
	targets := fs.String("targets", "all", "comma-separated targets: tollgate, bare, nginx (all: these three and the extra targets), and, only when named, tollgate-sinks, tollgate-sinks-off (same folder, sinks off), tollgate-sinks-sampled (one trace in ten), tollgate-otlp, tollgate-kafka, tollgate-scrape")
	short := fs.Bool("short", false, "a short run (CI): one round of 2s per target and variant, 0.5s warm-up")
	markdown := fs.Bool("markdown", false, "print the table as markdown")
	generator := fs.String("generator", "", "load generator: wrk or go (default wrk when installed)")
	keep := fs.String("keep", "", "keep the builds, folder, logs, nginx files and --profile's CPU profiles (TARGET-VARIANT.pprof) in this directory")
	baseline := fs.String("baseline", loadbench.BaselineName, "the target the ratio columns compare with (one of --targets), e.g. tollgate-sinks-off for the sinks' cost")
	profiled := fs.Bool("profile", false, "after the rounds, load each tollgate target once more while its CPU profile is taken, and print the share of its CPU in the telemetry sinks' code")
	profileFor := fs.Duration("profile-duration", 30*time.Second, "length of the --profile round (100 samples a second: tens of seconds tell a share of a few percent within half a point)")
	var extra extraTargets
	fs.Var(&extra, "extra-target", "another tollgate target, NAME='ARGS' (ARGS added to tollgate run); repeatable")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: loadbench [flags]\n\nMeasures tollgate against a bare Go reverse proxy and nginx; see docs/performance.md.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(os.Args[1:]); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "loadbench: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if *short {
		if !set["rounds"] {
			*rounds = 1
		}
		if !set["duration"] {
			*duration = 2 * time.Second
		}
		if !set["warmup"] {
			*warmup = 500 * time.Millisecond
		}
	}

	known := loadbench.Targets
	for _, e := range extra {
		t, err := loadbench.ParseExtraTarget(known, e)
		if err != nil {
			fmt.Fprintln(os.Stderr, "loadbench:", err)
			return 2
		}
		known = append(known, t)
	}
	ts, err := loadbench.LookupTargets(known, *targets)
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadbench:", err)
		return 2
	}
	if set["baseline"] && !slices.ContainsFunc(ts, func(t loadbench.Target) bool { return t.Name == *baseline }) {
		fmt.Fprintf(os.Stderr, "loadbench: --baseline %s is not among the targets measured\n", *baseline)
		return 2
	}
	vs, err := loadbench.LookupVariants(*variants)
	if *variants == "" {
		vs = loadbench.DefaultVariants(*short)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadbench:", err)
		return 2
	}
	module, err := moduleDir()
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadbench:", err)
		return 1
	}
	if *keep != "" {
		if err := os.MkdirAll(*keep, 0o755); err != nil {
			fmt.Fprintln(os.Stderr, "loadbench:", err)
			return 1
		}
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := loadbench.Run(ctx, loadbench.Config{Targets: ts, Variants: vs, Rounds: *rounds, Duration: *duration,
		Warmup: *warmup, Connections: *connections, Generator: *generator, ModuleDir: module, WorkDir: *keep, Baseline: *baseline, Profile: *profiled, ProfileDuration: *profileFor, Log: os.Stderr})
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadbench:", err)
		return 1
	}

	names := make([]string, len(vs))
	for i, v := range vs {
		names[i] = v.Name
	}
	fmt.Printf("loadbench %s, commit %s, %s\n", rep.Started.UTC().Format("2006-01-02 15:04 MST"), commit(module), cpuModel())
	fmt.Printf("%s; %d round(s) of %s per target and variant after a %s warm-up, %d connections; variants %s\n",
		rep.Generator, *rounds, *duration, *warmup, *connections, strings.Join(names, ", "))
	fmt.Printf("%s; load average %s before, %s after\n", rep.Pinning, rep.LoadBefore, rep.LoadAfter)
	for _, s := range rep.Skipped {
		fmt.Printf("skipped %s\n", s)
	}
	fmt.Println()
	loadbench.WriteTable(os.Stdout, rep.Rows, *baseline, *markdown)
	for _, t := range ts {
		if s, ok := rep.Sinks[t.Name]; ok {
			fmt.Printf("\n%s's sinks received, warm-up included: %s\n", t.Name, s)
		}
	}
	if len(rep.Shares) > 0 {
		fmt.Printf("\nThe telemetry sinks' share of each tollgate target's CPU, by its CPU profile over a round of %s after the measured ones:\n", *profileFor)
		for _, s := range rep.Shares {
			fmt.Printf("  %-10s %-24s %5.1f%%", s.Variant, s.Target, s.Percent(s.Sinks()))
			var parts []string
			for _, a := range s.Areas {
				if pc := s.Percent(a.CPU); pc >= 0.05 {
					parts = append(parts, fmt.Sprintf("%s %.1f%%", a.Name, pc))
				}
			}
			if len(parts) > 0 {
				fmt.Printf(" (%s)", strings.Join(parts, ", "))
			}
			fmt.Printf(" of %s\n", s.Total.Round(time.Millisecond))
		}
	}
	if loadbench.Failed(rep.Rows) {
		fmt.Fprintln(os.Stderr, "loadbench: a target answered statuses the load does not ask for (see above)")
		return 1
	}
	return 0
}

// moduleDir returns the root of the tollgate module.
func moduleDir() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %v", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", fmt.Errorf("run loadbench inside the tollgate repository")
	}
	return filepath.Dir(mod), nil
}

// commit returns the short commit of the module, with "+changes" when the
// worktree has uncommitted changes.
func commit(dir string) string {
	cmd := exec.Command("git", "rev-parse", "--short", "HEAD")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return "unknown"
	}
	c := strings.TrimSpace(string(out))
	st := exec.Command("git", "status", "--porcelain")
	st.Dir = dir
	if s, err := st.Output(); err == nil && len(strings.TrimSpace(string(s))) > 0 {
		c += "+changes"
	}
	return c
}

// cpuModel names the machine's processor and its number of CPUs.
func cpuModel() string {
	b, _ := os.ReadFile("/proc/cpuinfo")
	n := 0
	model := ""
	for line := range strings.SplitSeq(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		switch strings.TrimSpace(k) {
		case "processor":
			n++
		case "model name":
			model = strings.TrimSpace(v)
		}
	}
	if n == 0 {
		return "unknown CPU"
	}
	return fmt.Sprintf("%d × %s", n, model)
}
