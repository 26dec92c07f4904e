package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/tollgate/tollgate/internal/admin"
	"github.com/tollgate/tollgate/internal/capture"
	"github.com/tollgate/tollgate/internal/explain"
)

// sourceFlags choose where why, failures and replay find captured
// requests: a state directory or a running gateway's admin listener.
type sourceFlags struct {
	data   string
	server string
	token  string
}

func (s *sourceFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&s.data, "data", "", "state directory of the gateway (default $XDG_STATE_HOME/tollgate, else ~/.local/state/tollgate)")
	cmd.Flags().StringVar(&s.server, "server", "", "admin URL of a running gateway, e.g. http://127.0.0.1:9090 (instead of --data)")
	cmd.Flags().StringVar(&s.token, "admin-token", "", "bearer token of the admin listener (default $TOLLGATE_ADMIN_TOKEN)")
}

// open returns the source of captured requests and a function to release
// it.
func (s *sourceFlags) open() (capture.Source, func(), error) {
	if s.server != "" && s.data != "" {
		return nil, nil, errors.New("give --data or --server, not both")
	}
	if s.server != "" {
		token := s.token
		if token == "" {
			token = getenv("TOLLGATE_ADMIN_TOKEN")
		}
		return &admin.Client{Base: s.server, Token: token}, func() {}, nil
	}
	dir, err := resolveDataDir(s.data)
	if err != nil {
		return nil, nil, err
	}
	if dir == "" {
		return nil, nil, errors.New("--data none keeps nothing to read: give the gateway's state directory or --server ADMINURL")
	}
	return openStateCaptures(dir)
}

// find returns the captured request id (or id prefix) names. When none has
// it, it says so on stderr and fails with exit status notFound.
func (s *sourceFlags) find(id string, stderr io.Writer, notFound int) (*capture.Doc, error) {
	source, closeSource, err := s.open()
	if err != nil {
		return nil, err
	}
	defer closeSource()
	d, err := source.Capture(id)
	if errors.Is(err, capture.ErrNotFound) {
		fmt.Fprintf(stderr, "tollgate: no captured request has the id %s (successful requests are kept only with --trace-sample, and of a flood of one failure 100 a second: `tollgate failures` lists the captured ones)\n", id)
		return nil, exitError{notFound}
	}
	return d, err
}

// latestFailure returns the newest captured request that failed (not one
// sampled by --trace-sample). When there is none, it says so on stderr and
// fails with exit status notFound.
func (s *sourceFlags) latestFailure(stderr io.Writer, notFound int) (*capture.Doc, error) {
	source, closeSource, err := s.open()
	if err != nil {
		return nil, err
	}
	defer closeSource()
	docs, err := source.Captures(time.Now().Add(-latestWindow), latestScan)
	if err != nil {
		return nil, err
	}
	for _, d := range docs {
		if d.Captured != capture.Sampled {
			return d, nil
		}
	}
	fmt.Fprintf(stderr, "tollgate: no failed request was captured in the last %d days (`tollgate failures --since 30d` lists the captured ones)\n", latestWindow/(24*time.Hour))
	return nil, exitError{notFound}
}

// findOrLatest returns the capture args[0] names or, without it, the
// latest failed request, which it names on stderr.
func (s *sourceFlags) findOrLatest(args []string, stderr io.Writer, notFound int) (*capture.Doc, error) {
	if len(args) == 1 {
		return s.find(args[0], stderr, notFound)
	}
	d, err := s.latestFailure(stderr, notFound)
	if err == nil {
		fmt.Fprintf(stderr, "tollgate: the latest failed request, %s at %s; give an ID for another (`tollgate failures` lists them)\n",
			d.ID, d.Time.Local().Format(time.TimeOnly))
	}
	return d, err
}

// latestWindow and latestScan bound the search of why without an ID: the
// newest failure among the newest latestScan captures of the window.
const (
	latestWindow = 30 * 24 * time.Hour
	latestScan   = 1000
)

func newWhyCmd(stdout, stderr io.Writer) *cobra.Command {
	var src sourceFlags
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "why [ID]",
		Short: "Explain a failed request: what failed, where, with which input, and what to change",
		Long: `why explains one request that tollgate captured: every failed request (status
400 or more, a LastError, a client abort, or a CORS refusal) is kept with its
full trace, and a sample of the successful ones with --trace-sample.

ID is the request's CorrelationId (the Tollgate-Correlation-Id response header),
or a unique prefix of it; without ID, why explains the latest failed request.
It prints the request, what the caller got, the
failing step with its file:line:col and source line, the cause, the fix, and,
for a backend failure, what was tried and how long it took.

The request is read from the gateway's state directory (--data) or from a
running gateway's admin listener (--server). Exit status 0 when found, 1 when
no such request was captured.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			d, err := src.findOrLatest(args, stderr, 1)
			if err != nil {
				return err
			}
			x := explain.Explain(d)
			if asJSON {
				enc := json.NewEncoder(stdout)
				enc.SetIndent("", "  ")
				enc.SetEscapeHTML(false)
				return enc.Encode(struct {
					*explain.Explanation
					Steps []capture.Step `json:"steps"`
				}{x, d.Steps})
			}
			return explain.WriteText(stdout, x, d)
		},
	}
	src.add(cmd)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object (field names documented in docs/why.md)")
	return cmd
}

func newFailuresCmd(stdout, stderr io.Writer) *cobra.Command {
	var src sourceFlags
	var since string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "failures",
		Short: "Recent failed requests grouped by cause",
		Long: `failures lists the failed requests captured since --since (default 1h), grouped
by status, LastError source and reason, API and operation: per group the count,
first and last time, the cause, and one example id to pass to "tollgate why".`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			d, err := admin.ParseSince(since)
			if err != nil {
				return err
			}
			source, closeSource, err := src.open()
			if err != nil {
				return err
			}
			defer closeSource()
			docs, err := source.Captures(time.Now().Add(-d), 0)
			if err != nil {
				return err
			}
			groups := explain.GroupFailures(docs)
			if asJSON {
				enc := json.NewEncoder(stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(groups)
			}
			if len(groups) == 0 {
				fmt.Fprintf(stdout, "no failed request was captured in the last %s (--since widens the window)\n", since)
				return nil
			}
			return explain.WriteGroups(stdout, groups)
		},
	}
	src.add(cmd)
	cmd.Flags().StringVar(&since, "since", "1h", "how far back: 30m, 1h, 24h, 7d")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the groups as JSON")
	return cmd
}
