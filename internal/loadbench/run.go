package loadbench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"
)

// Config is one run of the harness.
type Config struct {
	// Targets and Variants are what is measured: every variant against
	// every target, in every round.
	Targets  []Target
	Variants []Variant
	// Rounds is the number of measured rounds; Duration the length of one
	// measurement; Warmup the length of the warm-up of each target under
	// each variant, before the first round (0: none).
	Rounds           int
	Duration, Warmup time.Duration
	// Connections is the number of connections the load generator keeps
	// busy.
	Connections int
	// Generator is "wrk", "go", or "" for wrk when it is installed and the
	// Go generator otherwise.
	Generator string
	// ModuleDir is the root of the tollgate module, where tollgate and the
	// harness's programs are built.
	ModuleDir string
	// WorkDir receives the builds, the test folder, logs and nginx's
	// prefix; "" makes a temporary directory that is removed at the end.
	WorkDir string
	// Baseline is the target every ratio of the table is relative to;
	// "" is BaselineName. It must be one of Targets to give ratios.
	Baseline string
	// Profile adds a round after the measured ones in which each tollgate
	// target's CPU profile is taken (from its admin listener) and divided
	// between the telemetry sinks' code and the rest (Report.Shares). The
	// round lasts ProfileDuration, or Duration when it is 0: a profile
	// samples 100 times a second, so a share of a few percent needs tens
	// of seconds to be told within half a point.
	Profile         bool
	ProfileDuration time.Duration
	// Log receives progress lines; nil discards them.
	Log io.Writer
}

// Report is what a run measured, with what it ran on.
type Report struct {
	// Rows is the table: one row per variant and target.
	Rows []Row
	// Generator is the load generator ("wrk 4.1.0" or "Go generator").
	Generator string
	// Pinning says which cores ran what.
	Pinning string
	// Skipped lists the targets that were not run, and why.
	Skipped []string
	// Started is when the run began; LoadBefore and LoadAfter the load
	// averages (1 minute) of the machine before and after.
	Started               time.Time
	LoadBefore, LoadAfter string
	// Sinks says, for each target with sinks, what its sinks received over
	// the whole run.
	Sinks map[string]SinkStats
	// Shares are the CPU profiles' division of each tollgate target under
	// each variant, with Config.Profile.
	Shares []Share
}

// process is one program the harness started.
type process struct {
	name   string
	cmd    *exec.Cmd
	stderr *os.File
	done   chan struct{}
}

// runner holds the state of one run.
type runner struct {
	cfg      Config
	work     string
	bin      string
	gwWrap   func(string, ...string) *exec.Cmd
	loadWrap func(string, ...string) *exec.Cmd
	procs    []*process
	byTarget map[string]*process // the process serving each target
	logs     []string            // files truncated after each measurement
	log      io.Writer
	sinks    map[string]string // target name: loadsink's base URL
	admins   map[string]string // target name: its admin listener, host:port
	// cert is the certificate of the targets' TLS listeners, nil when no
	// variant is sent over TLS.
	cert *Certificate
}

// Run builds and starts everything cfg names, measures it and stops it.
// It returns an error when something could not be built or started, or a
// target failed its first requests; failing statuses under load are in the
// report's rows (Failed).
func Run(ctx context.Context, cfg Config) (rep *Report, err error) {
	if cfg.Rounds < 1 || cfg.Duration <= 0 || cfg.Connections < 1 || len(cfg.Targets) == 0 || len(cfg.Variants) == 0 {
		return nil, errors.New("loadbench: a run needs targets, variants, at least one round, a duration and a connection")
	}
	r := &runner{cfg: cfg, log: cfg.Log, admins: map[string]string{}}
	if r.log == nil {
		r.log = io.Discard
	}
	rep = &Report{Started: time.Now(), LoadBefore: loadAverage()}
	r.work = cfg.WorkDir
	if r.work == "" {
		if r.work, err = os.MkdirTemp("", "loadbench-"); err != nil {
			return nil, err
		}
		defer os.RemoveAll(r.work)
	}
	defer r.stopAll()

	rep.Pinning = r.pin()
	if err := r.build(ctx); err != nil {
		return nil, err
	}
	gen, name, err := r.generator()
	if err != nil {
		return nil, err
	}
	rep.Generator = name

	if slices.ContainsFunc(cfg.Variants, func(v Variant) bool { return v.TLS }) {
		c, err := WriteCertificate(r.work)
		if err != nil {
			return nil, err
		}
		r.cert = &c
	}
	backend, err := r.startEcho(ctx)
	if err != nil {
		return nil, err
	}
	var targets []Target
	urls, tlsURLs := map[string]string{}, map[string]string{}
	for _, t := range cfg.Targets {
		u, tu, err := r.startTarget(ctx, t, backend)
		if errors.Is(err, errNotInstalled) {
			rep.Skipped = append(rep.Skipped, fmt.Sprintf("%s: %v", t.Name, err))
			fmt.Fprintf(r.log, "loadbench: skipping %s: %v\n", t.Name, err)
			continue
		}
		if err != nil {
			return nil, err
		}
		targets = append(targets, t)
		urls[t.Name], tlsURLs[t.Name] = u, tu
	}
	if len(targets) == 0 {
		return nil, errors.New("loadbench: no target could be started")
	}

	var ms []Measurement
	measure := func(round int, t Target, v Variant, run func(context.Context, Load) (Result, error), d time.Duration) error {
		pid := r.byTarget[t.Name].cmd.Process.Pid
		cpuBefore, cpuOK := processCPU(pid)
		l := Load{URL: urls[t.Name], Variant: v, Connections: cfg.Connections, Duration: d}
		if v.TLS {
			l.URL, l.CAFile = tlsURLs[t.Name], r.cert.CertFile
		}
		if v.HTTP2 {
			run = r.goGenerator
		}
		res, err := run(ctx, l)
		if err != nil {
			return fmt.Errorf("%s, %s: %w", t.Name, v.Name, err)
		}
		if cpuAfter, ok := processCPU(pid); ok && cpuOK {
			res.CPU = cpuAfter - cpuBefore
			// What the target still does for these requests (a log store
			// storing its journal) is its cost too, and must not take the
			// core from the next target measured.
			res.CPUAfter = settle(pid, cpuAfter)
		}
		res.PeakRSS, _ = peakRSS(pid)
		r.truncateLogs()
		ms = append(ms, Measurement{Variant: v, Target: t.Name, Round: round, Connections: cfg.Connections, Result: res})
		what := fmt.Sprintf("round %d/%d", round, cfg.Rounds)
		if round == 0 {
			what = "warm-up"
		}
		verdict := "ok"
		if err := CheckStatuses(v, cfg.Connections, res); err != nil {
			verdict = "FAIL: " + err.Error()
		}
		fmt.Fprintf(r.log, "loadbench: %s %-10s %-12s %8.0f req/s  p50 %s  p99 %s  CPU/req %s  peak RSS %s  %s\n", what, v.Name, t.Name,
			res.RPS(), formatLatency(res.P50), formatLatency(res.P99), formatCPU(res.CPUPerRequest()), formatBytes(res.PeakRSS), verdict)
		return nil
	}
	if cfg.Warmup > 0 {
		// The warm-up uses the Go generator, which tells every status apart.
		for _, v := range cfg.Variants {
			for _, t := range targets {
				if err := measure(0, t, v, r.goGenerator, cfg.Warmup); err != nil {
					return nil, err
				}
			}
		}
	}
	for round := 1; round <= cfg.Rounds; round++ {
		for _, v := range cfg.Variants {
			// The order of the targets rotates from round to round, so that
			// none is always measured first or last.
			for i := range targets {
				t := targets[(i+round-1)%len(targets)]
				if err := measure(round, t, v, gen, cfg.Duration); err != nil {
					return nil, err
				}
			}
		}
	}
	if cfg.Profile {
		for _, v := range cfg.Variants {
			for _, t := range targets {
				admin := r.admins[t.Name]
				if admin == "" {
					continue
				}
				s, err := r.profileRound(ctx, t, v, admin, urls[t.Name], tlsURLs[t.Name], gen)
				if err != nil {
					return nil, err
				}
				rep.Shares = append(rep.Shares, s)
			}
		}
	}
	baseline := cfg.Baseline
	if baseline == "" {
		baseline = BaselineName
	}
	rep.Rows = Summarize(ms, baseline)
	rep.LoadAfter = loadAverage()
	for name, base := range r.sinks {
		stats, err := sinkStats(ctx, base)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", name, err)
		}
		if rep.Sinks == nil {
			rep.Sinks = map[string]SinkStats{}
		}
		rep.Sinks[name] = stats
	}
	return rep, nil
}

// pin decides which cores run what: the gateways on CPU 0, the load
// generator and the echo backend on CPU 1, when there are two cores and
// taskset (util-linux); otherwise nothing is pinned.
func (r *runner) pin() string {
	taskset, err := exec.LookPath("taskset")
	switch {
	case runtime.NumCPU() < 2:
		return "not pinned: fewer than 2 CPUs"
	case err != nil:
		return "not pinned: taskset is not installed (Debian package util-linux)"
	}
	wrap := func(cpu string) func(string, ...string) *exec.Cmd {
		return func(name string, args ...string) *exec.Cmd {
			return exec.Command(taskset, append([]string{"-c", cpu, name}, args...)...)
		}
	}
	r.gwWrap, r.loadWrap = wrap("0"), wrap("1")
	return "each gateway on CPU 0 (GOMAXPROCS=1, nginx worker_processes 1); load generator and echo backend on CPU 1"
}

// build builds tollgate and the harness's programs into the work
// directory.
func (r *runner) build(ctx context.Context) error {
	r.bin = filepath.Join(r.work, "bin")
	fmt.Fprintf(r.log, "loadbench: building tollgate and the harness's programs\n")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", r.bin+string(filepath.Separator),
		"./cmd/tollgate", "./internal/loadbench/cmd/loadecho", "./internal/loadbench/cmd/bareproxy", "./internal/loadbench/cmd/loadgen",
		"./internal/loadbench/cmd/loadsink")
	cmd.Dir = r.cfg.ModuleDir
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("building: %v\n%s", err, out)
	}
	return nil
}

// generator returns the measuring load generator and its name.
func (r *runner) generator() (func(context.Context, Load) (Result, error), string, error) {
	switch r.cfg.Generator {
	case "go":
		return r.goGenerator, "Go generator (loadgen)", nil
	case "", "wrk":
		path, err := exec.LookPath("wrk")
		if err != nil {
			if r.cfg.Generator == "wrk" {
				return nil, "", errors.New("loadbench: wrk is not installed (Debian package wrk)")
			}
			return r.goGenerator, "Go generator (loadgen; wrk is not installed)", nil
		}
		name := "wrk"
		if out, _ := exec.Command(path, "--version").CombinedOutput(); len(out) > 0 {
			name = strings.TrimSpace(strings.SplitN(string(out), "[", 2)[0])
		}
		w := Wrk{Path: path, Dir: r.work, Wrap: r.loadWrap}
		return w.Run, name, nil
	}
	return nil, "", fmt.Errorf("loadbench: generator %q: want wrk or go", r.cfg.Generator)
}

// goGenerator runs the loadgen program on the load generator's core.
func (r *runner) goGenerator(ctx context.Context, l Load) (Result, error) {
	cmd := command(ctx, r.loadWrap, filepath.Join(r.bin, "loadgen"), "-url", l.URL, "-variant", l.Variant.Name,
		"-connections", fmt.Sprint(l.Connections), "-duration", l.Duration.String(), "-ca", l.CAFile)
	cmd.Env = append(os.Environ(), "GOMAXPROCS=1")
	out, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		return Result{}, fmt.Errorf("loadgen: %v\n%s", err, stderr)
	}
	var res Result
	if err := json.Unmarshal(out, &res); err != nil {
		return Result{}, fmt.Errorf("loadgen printed %q: %v", out, err)
	}
	return res, nil
}

// startEcho starts the echo backend and returns its host:port.
func (r *runner) startEcho(ctx context.Context) (string, error) {
	addr, err := freeAddr()
	if err != nil {
		return "", err
	}
	p, err := r.start("echo", r.loadWrap, filepath.Join(r.bin, "loadecho"), []string{"-listen", addr}, nil, true)
	if err != nil {
		return "", err
	}
	return addr, r.waitReady(ctx, p, "http://"+addr, http.DefaultClient)
}

var errNotInstalled = errors.New("not installed")

// startTarget starts t in front of the echo backend at backend, checks
// its first answers and returns its base URL, and the base URL of its TLS
// listener when the run has a certificate.
func (r *runner) startTarget(ctx context.Context, t Target, backend string) (base, tlsBase string, err error) {
	addr, err := freeAddr()
	if err != nil {
		return "", "", err
	}
	tlsAddr := ""
	if r.cert != nil {
		if tlsAddr, err = freeAddr(); err != nil {
			return "", "", err
		}
	}
	var p *process
	switch t.Kind {
	case Tollgate:
		folder := filepath.Join(r.work, "folder")
		var args, env []string
		switch {
		case t.Sinks != 0:
			folder = filepath.Join(r.work, "folder-"+t.Name)
			if args, env, err = r.startSinks(ctx, t, folder, "http://"+backend); err != nil {
				return "", "", err
			}
		case t.SinkPolicies:
			folder = filepath.Join(r.work, "folder-"+t.Name)
			if err := WriteSinksFolder(folder, "http://"+backend, ""); err != nil {
				return "", "", err
			}
		default:
			if err := WriteFolder(folder, "http://"+backend); err != nil {
				return "", "", err
			}
		}
		logFile := filepath.Join(r.work, t.Name+".log")
		r.logs = append(r.logs, logFile)
		args = append([]string{"run", folder, "--listen", addr, "--log-file", logFile}, args...)
		if r.cert != nil {
			args = append(args, "--tls-cert", r.cert.CertFile, "--tls-key", r.cert.KeyFile, "--tls-listen", tlsAddr)
		}
		if !slices.Contains(args, "--data") && !slices.Contains(t.Args, "--data") {
			// A state directory of its own, new for the run: a store left
			// full by an earlier run (retention deleting rows) or shared
			// with another target measures something else.
			args = append(args, "--data", filepath.Join(r.work, "data-"+t.Name))
		}
		args = append(args, t.Args...)
		if i := slices.Index(args, "--admin"); i >= 0 && i+1 < len(args) {
			r.admins[t.Name] = args[i+1]
		} else if r.cfg.Profile {
			admin, err := freeAddr()
			if err != nil {
				return "", "", err
			}
			args = append(args, "--admin", admin)
			r.admins[t.Name] = admin
		}
		p, err = r.start(t.Name, r.gwWrap, filepath.Join(r.bin, "tollgate"), args, append(env, t.Env...), true)
	case Bare:
		args := []string{"-listen", addr, "-backend", "http://" + backend, "-key", Key}
		if r.cert != nil {
			args = append(args, "-tls-listen", tlsAddr, "-tls-cert", r.cert.CertFile, "-tls-key", r.cert.KeyFile)
		}
		p, err = r.start(t.Name, r.gwWrap, filepath.Join(r.bin, "bareproxy"), args, nil, true)
	case Nginx:
		nginx := FindNginx()
		if nginx == "" {
			return "", "", fmt.Errorf("nginx is %w (Debian package nginx)", errNotInstalled)
		}
		prefix := filepath.Join(r.work, t.Name)
		var args []string
		if args, err = writeNginx(prefix, addr, backend, tlsAddr, r.cert); err != nil {
			return "", "", err
		}
		r.logs = append(r.logs, filepath.Join(prefix, "access.log"))
		p, err = r.start(t.Name, r.gwWrap, nginx, args, nil, false)
	default:
		return "", "", fmt.Errorf("target %s: unknown kind %v", t.Name, t.Kind)
	}
	if err != nil {
		return "", "", err
	}
	if r.byTarget == nil {
		r.byTarget = map[string]*process{}
	}
	r.byTarget[t.Name] = p
	base = "http://" + addr
	if err := r.waitReady(ctx, p, base, http.DefaultClient); err != nil {
		return "", "", err
	}
	if err := preflight(ctx, t.Name, base, http.DefaultClient); err != nil {
		return "", "", err
	}
	if r.cert == nil {
		return base, "", nil
	}
	conf, err := clientTLS(r.cert.CertFile, false)
	if err != nil {
		return "", "", err
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: conf}}
	defer client.CloseIdleConnections()
	tlsBase = "https://" + tlsAddr
	if err := r.waitReady(ctx, p, tlsBase, client); err != nil {
		return "", "", err
	}
	return base, tlsBase, preflight(ctx, t.Name+" (TLS)", tlsBase, client)
}

// preflight sends a target one request with the right key and one with a
// wrong key, and wants 200 and 401.
func preflight(ctx context.Context, name, base string, client *http.Client) error {
	for _, c := range []struct {
		key  string
		want int
	}{{Key, 200}, {WrongKey, 401}} {
		req, err := http.NewRequestWithContext(ctx, "GET", base+Variants[0].Target(), nil)
		if err != nil {
			return err
		}
		req.Header.Set(KeyHeader, c.key)
		for k, v := range loadHeaders() {
			req.Header.Set(k, v)
		}
		resp, err := client.Do(req)
		if err != nil {
			return fmt.Errorf("%s: first request: %v", name, err)
		}
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
		resp.Body.Close()
		if resp.StatusCode != c.want {
			return fmt.Errorf("%s: a first request answered %d, want %d:\n%s", name, resp.StatusCode, c.want, body)
		}
	}
	return nil
}

// startSinks starts cmd/loadsink on the load generator's core for target t
// (an OTLP receiver, a Kafka broker and a scraper of t's /metrics), writes
// t's folder with the policies that feed them, and returns the arguments
// and environment that turn t's sinks on: the admin listener when it is
// scraped, the OpenTelemetry variables pointing at the receiver when
// t.Sinks has SinkOTLP, and the broker in the folder's logger when it has
// SinkKafka.
func (r *runner) startSinks(ctx context.Context, t Target, folder, backendURL string) (args, env []string, err error) {
	var otlp, kafka, admin string
	for _, a := range []*string{&otlp, &kafka, &admin} {
		if *a, err = freeAddr(); err != nil {
			return nil, nil, err
		}
	}
	logged := ""
	if t.Sinks&SinkKafka != 0 {
		logged = kafka
	}
	if err := WriteSinksFolder(folder, backendURL, logged); err != nil {
		return nil, nil, err
	}
	scrape := ""
	if t.Sinks&SinkScrape != 0 {
		scrape = "http://" + admin + "/metrics"
		args = append(args, "--admin", admin)
	}
	p, err := r.start(t.Name+"-sinks", r.loadWrap, filepath.Join(r.bin, "loadsink"),
		[]string{"-otlp", otlp, "-kafka", kafka, "-scrape", scrape}, nil, true)
	if err != nil {
		return nil, nil, err
	}
	base := "http://" + otlp
	if err := r.waitReady(ctx, p, base, http.DefaultClient); err != nil {
		return nil, nil, err
	}
	if r.sinks == nil {
		r.sinks = map[string]string{}
	}
	r.sinks[t.Name] = base
	if t.Sinks&SinkOTLP != 0 {
		env = []string{
			"OTEL_EXPORTER_OTLP_ENDPOINT=" + base,
			"OTEL_SERVICE_NAME=tollgate-loadbench",
			"OTEL_METRIC_EXPORT_INTERVAL=" + MetricExportInterval,
		}
	}
	return append(args, "--data", filepath.Join(r.work, "data-"+t.Name)), env, nil
}

// sinkStats asks a loadsink what its sinks received.
func sinkStats(ctx context.Context, base string) (SinkStats, error) {
	var s SinkStats
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/stats", nil)
	if err != nil {
		return s, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return s, fmt.Errorf("sink statistics: %v", err)
	}
	defer resp.Body.Close()
	return s, json.NewDecoder(resp.Body).Decode(&s)
}

// start starts a program through wrap, with GOMAXPROCS=1 for a Go program,
// its standard error in a file of the work directory.
func (r *runner) start(name string, wrap func(string, ...string) *exec.Cmd, path string, args, env []string, goProgram bool) (*process, error) {
	var cmd *exec.Cmd
	if wrap != nil {
		cmd = wrap(path, args...)
	} else {
		cmd = exec.Command(path, args...)
	}
	cmd.Env = os.Environ()
	if goProgram {
		cmd.Env = append(cmd.Env, "GOMAXPROCS=1")
	}
	cmd.Env = append(cmd.Env, env...)
	stderr, err := os.Create(filepath.Join(r.work, name+".stderr"))
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = stderr, stderr
	if err := cmd.Start(); err != nil {
		stderr.Close()
		return nil, fmt.Errorf("starting %s: %v", name, err)
	}
	p := &process{name: name, cmd: cmd, stderr: stderr, done: make(chan struct{})}
	go func() { cmd.Wait(); close(p.done) }()
	r.procs = append(r.procs, p)
	return p, nil
}

// waitReady waits until base answers HTTP through client, for at most 20
// seconds.
func (r *runner) waitReady(ctx context.Context, p *process, base string, client *http.Client) error {
	deadline := time.Now().Add(20 * time.Second)
	client = &http.Client{Transport: client.Transport, Timeout: time.Second}
	for {
		select {
		case <-p.done:
			return fmt.Errorf("%s exited at start: %s\n%s", p.name, p.cmd.ProcessState, tail(p.stderr.Name()))
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		if resp, err := client.Get(base + "/"); err == nil {
			resp.Body.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s does not answer on %s after 20s:\n%s", p.name, base, tail(p.stderr.Name()))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// tail returns the last lines of a file.
func tail(path string) string {
	b, _ := os.ReadFile(path)
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}

// truncateLogs empties the targets' log files between measurements, so
// that a long run does not fill the disk. The targets append to them, so
// their next line goes to the start.
func (r *runner) truncateLogs() {
	for _, f := range r.logs {
		os.Truncate(f, 0)
	}
}

// stopAll stops every program the run started: SIGTERM, then SIGKILL
// after five seconds.
func (r *runner) stopAll() {
	for _, p := range r.procs {
		p.cmd.Process.Signal(syscall.SIGTERM)
	}
	for _, p := range r.procs {
		select {
		case <-p.done:
		case <-time.After(5 * time.Second):
			p.cmd.Process.Kill()
			<-p.done
		}
		p.stderr.Close()
	}
}

// freeAddr returns a loopback address with a port that was free a moment
// ago.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// loadAverage returns the machine's 1-minute load average, "" when it
// cannot be read.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	return strings.Fields(string(b) + " ")[0]
}
