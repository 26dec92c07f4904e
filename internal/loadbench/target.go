package loadbench

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Kind is the kind of gateway a target runs.
type Kind int

// The kinds of target.
const (
	// Tollgate is "tollgate run" on the folder of WriteFolder.
	Tollgate Kind = iota
	// Bare is a bare httputil.ReverseProxy with the same key check
	// (cmd/bareproxy).
	Bare
	// Nginx is nginx from Debian with a key map and limit_req (NginxConfig).
	Nginx
)

func (k Kind) String() string {
	switch k {
	case Tollgate:
		return "tollgate"
	case Bare:
		return "bare"
	case Nginx:
		return "nginx"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Target is one gateway under test.
type Target struct {
	// Name names the target on the command line (--targets) and in the
	// table.
	Name string
	// Kind is the gateway it runs.
	Kind Kind
	// Args are extra command-line arguments, appended to
	// "tollgate run FOLDER --listen ADDR --log-file FILE" for a Tollgate
	// target (for example "--data", "DIR"); the other kinds take none.
	Args []string
	// Env are extra environment variables (NAME=VALUE) of a Tollgate
	// target: GOGC=400.
	Env []string
	// Description says what the target is, for the documentation.
	Description string
	// Sinks are the telemetry sinks a Tollgate target sends to
	// (cmd/loadsink). A target with any sink, or with SinkPolicies, serves
	// the folder of WriteSinksFolder.
	Sinks SinkSet
	// SinkPolicies serves the folder of WriteSinksFolder (a trace and a
	// log-to-eventhub per request) even with no sink on: the policies then
	// write to the log line only, as they do without sinks.
	SinkPolicies bool
	// NamedOnly keeps the target out of "all": it runs only when --targets
	// names it.
	NamedOnly bool
}

// BaselineName is the name of the target every ratio is relative to.
const BaselineName = "bare"

// Targets are the targets the harness knows. A variant of tollgate (another
// flag, another store) is one more line here, or an --extra-target on the
// command line (ParseExtraTarget).
var Targets = []Target{
	{Name: "tollgate", Kind: Tollgate, Description: "tollgate run: subscription key, product rate-limit, three expression policies, log line to a file"},
	{Name: BaselineName, Kind: Bare, Description: "httputil.ReverseProxy with the same key check, nothing else"},
	{Name: "nginx", Kind: Nginx, Description: "nginx from Debian: key map, limit_req, access log to a file"},
	{Name: SinksName, Kind: Tollgate, Sinks: AllSinks, NamedOnly: true,
		Description: "tollgate with every sink on: OTLP traces, logs and metrics, log-to-eventhub to Kafka, /metrics scraped"},
	{Name: SinksOffName, Kind: Tollgate, SinkPolicies: true, NamedOnly: true,
		Description: "the folder of tollgate-sinks with every sink off: the trace and log-to-eventhub messages land on the log line only"},
	{Name: "tollgate-sinks-sampled", Kind: Tollgate, Sinks: AllSinks, NamedOnly: true,
		Env:         []string{"OTEL_TRACES_SAMPLER=parentbased_traceidratio", "OTEL_TRACES_SAMPLER_ARG=0.1"},
		Description: "tollgate-sinks with one trace in ten sampled (OTEL_TRACES_SAMPLER=parentbased_traceidratio, OTEL_TRACES_SAMPLER_ARG=0.1)"},
	{Name: "tollgate-otlp", Kind: Tollgate, Sinks: SinkOTLP, NamedOnly: true,
		Description: "the folder of tollgate-sinks with only OpenTelemetry on: traces, logs and metrics over OTLP"},
	{Name: "tollgate-kafka", Kind: Tollgate, Sinks: SinkKafka, NamedOnly: true,
		Description: "the folder of tollgate-sinks with only log-to-eventhub to Kafka on"},
	{Name: "tollgate-scrape", Kind: Tollgate, Sinks: SinkScrape, NamedOnly: true,
		Description: "the folder of tollgate-sinks with only /metrics on, scraped every 5 s"},
}

// SinksName is the target with every telemetry sink on.
const SinksName = "tollgate-sinks"

// SinksOffName is the target that serves the folder of SinksName with
// every sink off: the cost of the sinks is the difference between the two.
const SinksOffName = "tollgate-sinks-off"

// SinkSet is a set of the telemetry sinks a target sends to.
type SinkSet uint8

// The sinks.
const (
	// SinkOTLP sends traces, log records and metrics to a loopback
	// OTLP/HTTP receiver, every request sampled.
	SinkOTLP SinkSet = 1 << iota
	// SinkKafka sends log-to-eventhub messages to a loopback Kafka broker.
	SinkKafka
	// SinkScrape scrapes the admin listener's /metrics every
	// ScrapeInterval.
	SinkScrape

	// AllSinks is every sink.
	AllSinks = SinkOTLP | SinkKafka | SinkScrape
)

// LookupTargets returns the targets named in a comma-separated list among
// known, in the list's order; "all" or "" names every known target but
// those that run only when named.
func LookupTargets(known []Target, list string) ([]Target, error) {
	if list == "" || list == "all" {
		var all []Target
		for _, t := range known {
			if !t.NamedOnly {
				all = append(all, t)
			}
		}
		return all, nil
	}
	var out []Target
	for name := range strings.SplitSeq(list, ",") {
		name = strings.TrimSpace(name)
		i := slices.IndexFunc(known, func(t Target) bool { return t.Name == name })
		if i < 0 {
			names := make([]string, len(known))
			for j, t := range known {
				names[j] = t.Name
			}
			return nil, fmt.Errorf("unknown target %q (known: %s)", name, strings.Join(names, ", "))
		}
		if slices.ContainsFunc(out, func(t Target) bool { return t.Name == name }) {
			return nil, fmt.Errorf("target %q is named twice", name)
		}
		out = append(out, known[i])
	}
	return out, nil
}

// ParseExtraTarget reads a tollgate target given on the command line as
// NAME=ARGS, where ARGS are extra arguments of "tollgate run" separated by
// spaces: "tollgate-data=--data /tmp/tg". Leading words of the form
// VAR=VALUE, with VAR in capitals, are environment variables of the
// process instead: "gogc400=GOGC=400 --log-store=false". The name must be
// new among known.
func ParseExtraTarget(known []Target, s string) (Target, error) {
	name, args, ok := strings.Cut(s, "=")
	name = strings.TrimSpace(name)
	if !ok || name == "" {
		return Target{}, fmt.Errorf("extra target %q: want NAME=ARGS, for example tollgate-data='--data /tmp/tg'", s)
	}
	if strings.ContainsAny(name, ", \t") {
		return Target{}, fmt.Errorf("extra target %q: the name may not hold a comma or a space", name)
	}
	if slices.ContainsFunc(known, func(t Target) bool { return t.Name == name }) {
		return Target{}, fmt.Errorf("extra target %q: a target of that name exists", name)
	}
	fields := strings.Fields(args)
	var env []string
	for len(fields) > 0 && envAssignment.MatchString(fields[0]) {
		env, fields = append(env, fields[0]), fields[1:]
	}
	return Target{Name: name, Kind: Tollgate, Args: fields, Env: env, Description: strings.TrimSpace(strings.Join(env, " ") + " tollgate run " + strings.Join(fields, " "))}, nil
}

// envAssignment matches an environment variable's assignment: GOGC=400.
var envAssignment = regexp.MustCompile(`^[A-Z_][A-Z0-9_]*=`)
