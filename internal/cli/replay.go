package cli

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/tollgate/tollgate/internal/capture"
	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/explain"
	"github.com/tollgate/tollgate/internal/gateway"
	"github.com/tollgate/tollgate/internal/reqtrace"
	"github.com/tollgate/tollgate/internal/watch"
)

func newReplayCmd(stdout, stderr io.Writer) *cobra.Command {
	var src sourceFlags
	var against string
	var values []string
	var trace bool
	cmd := &cobra.Command{
		Use:   "replay [ID] [--against DIR]",
		Short: "Send a captured request again, in-process, and compare the outcomes",
		Long: `replay sends a captured request (see "tollgate why") again, in-process, through
DIR (--against; by default the folder the request was served from, as it is
now), and prints the old and new outcome side by side: status, LastError, and
the first step whose outcome differs. Without ID, it replays the latest failed
request, as "tollgate why" without ID explains it.

The request is sent as it was captured: method, URL, headers, and the body when
it was kept. Secrets were masked in the capture, so the subscription key is the
original subscription's current key, looked up in DIR (or the all-access key
when that subscription is gone). Other masked values (an Authorization header)
are sent masked. Backends are called for real.

Exit status 0 when the new outcome is a success, 1 when it still fails.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			old, err := src.findOrLatest(args, stderr, 2)
			if err != nil {
				return err
			}
			dir := against
			if dir == "" {
				dir = old.Config.Dir
			}
			if dir == "" {
				return errors.New("the capture does not say which folder served it: give --against DIR")
			}
			snap, diags := loadConfig(dir, values)
			if diags.HasErrors() {
				printDiagnostics(stderr, diags)
				fmt.Fprintf(stderr, "tollgate: %s has %d error(s); nothing was replayed\n", dir, diags.Errors())
				return exitError{2}
			}
			fresh, notes, err := replay(old, snap, dir, trace)
			if err != nil {
				return err
			}
			writeComparison(stdout, old, fresh, dir, notes)
			if trace && len(fresh.Steps) > 0 {
				fmt.Fprintln(stdout, "\n--- new trace")
				explain.WriteText(stdout, explain.Explain(fresh), fresh)
			}
			if fresh.Response.Status >= 400 || fresh.LastError != nil || fresh.Response.Status == 0 {
				return exitError{1}
			}
			return nil
		},
	}
	src.add(cmd)
	cmd.Flags().StringVar(&against, "against", "", "configuration folder to send the request through (default: the folder that served it)")
	cmd.Flags().StringArrayVar(&values, "values", nil, "APIOps override file supplying secrets and keys; repeatable")
	cmd.Flags().BoolVar(&trace, "trace", false, "print the new request's steps")
	return cmd
}

// replay sends old's request through snap in-process and returns the new
// request's capture, with notes on what could not be sent as captured.
func replay(old *capture.Doc, snap *config.Snapshot, dir string, trace bool) (*capture.Doc, []string, error) {
	allAccess := randomKey()
	store := capture.NewStore(capture.Options{Sample: 1, Config: func() capture.Config {
		h, _ := watch.Hash(dir)
		return capture.Config{Dir: dir, Hash: h}
	}})
	defer store.Close()
	gw, err := gateway.New(snap, gateway.Options{AllAccessKey: allAccess, Capture: store, Traces: reqtrace.NewStore(1),
		ManagedIdentity: identitySource(""), Log: gateway.NewLogWriter(io.Discard)})
	if err != nil {
		return nil, nil, err
	}
	var notes []string
	key := allAccess
	name := old.Match.Subscription
	if name == "" {
		name = old.Match.KeyOf
	}
	if name != "" && name != gateway.AllAccessName {
		found := false
		for _, s := range snap.Subscriptions {
			if s.Name == name {
				key, found = s.PrimaryKey, true
			}
		}
		if !found {
			notes = append(notes, fmt.Sprintf("subscription %s is gone from %s: the all-access key was sent instead", name, dir))
		} else {
			notes = append(notes, fmt.Sprintf("the key is subscription %s's current primary key", name))
		}
	}
	target := old.Request.Path
	if old.Request.Query != "" {
		q := old.Request.Query
		if strings.Contains(q, "***") {
			vals, err := url.ParseQuery(q)
			if err == nil {
				for k, vs := range vals {
					for i, v := range vs {
						if v == "***" && (strings.EqualFold(k, old.Match.KeyQuery) || strings.EqualFold(k, "subscription-key")) {
							vs[i] = key
						}
					}
				}
				q = vals.Encode()
			}
		}
		target += "?" + q
	}
	host := old.Request.Host
	if host == "" {
		host = "tollgate.local"
	}
	req := httptest.NewRequest(old.Request.Method, "http://"+host+target, strings.NewReader(old.Request.Body))
	req.RemoteAddr = old.Request.CallerIP + ":50000"
	if old.Request.Body == "" {
		req.ContentLength, req.Body = 0, http.NoBody
	}
	if old.Request.BodyKept == "truncated" || old.Request.BodyKept == "streamed" {
		notes = append(notes, fmt.Sprintf("the request body was %s in the capture: it is sent as kept", old.Request.BodyKept))
	}
	for _, h := range old.Request.Headers {
		v := h.Value
		switch {
		case v == "***" && !strings.EqualFold(h.Name, "Authorization") && !strings.EqualFold(h.Name, "Proxy-Authorization"):
			// A value masked whole was a subscription key, in whatever
			// header the caller put it.
			v = key
		case strings.Contains(v, "***"):
			notes = append(notes, fmt.Sprintf("header %s was masked in the capture and is sent masked", h.Name))
		}
		if strings.EqualFold(h.Name, "Content-Length") || strings.EqualFold(h.Name, "Host") {
			continue
		}
		req.Header.Add(h.Name, v)
	}
	if trace {
		req.Header.Set("Ocp-Apim-Trace", "true")
	}
	rec := httptest.NewRecorder()
	gw.ServeHTTP(rec, req)
	store.Flush()
	fresh, err := store.Capture(rec.Result().Header.Get(gateway.CorrelationHeader))
	if err != nil {
		return nil, nil, fmt.Errorf("the replayed request was not captured: %v", err)
	}
	return fresh, notes, nil
}

// writeComparison prints the two outcomes side by side and the first step
// whose outcome differs.
func writeComparison(w io.Writer, old, fresh *capture.Doc, dir string, notes []string) {
	fmt.Fprintf(w, "replayed %s %s through %s\n", old.Request.Method, old.Request.URL, dir)
	for _, n := range notes {
		fmt.Fprintf(w, "  note: %s\n", n)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 3, ' ', 0)
	fmt.Fprintf(tw, "\tbefore (%s)\tafter\n", old.ID)
	fmt.Fprintf(tw, "status\t%d\t%d\n", old.Response.Status, fresh.Response.Status)
	fmt.Fprintf(tw, "lastError\t%s\t%s\n", lastErrorText(old), lastErrorText(fresh))
	fmt.Fprintf(tw, "configuration\t%s\t%s\n", orDash(old.Config.Hash), orDash(fresh.Config.Hash))
	tw.Flush()
	if i, a, b := firstDifference(old.Steps, fresh.Steps); i >= 0 {
		fmt.Fprintf(w, "first difference at step %d:\n  before: %s\n  after:  %s\n", i+1, stepText(a), stepText(b))
	} else {
		fmt.Fprintln(w, "every step has the same outcome")
	}
	if fresh.Response.Status >= 400 || fresh.LastError != nil {
		x := explain.Explain(fresh)
		fmt.Fprintf(w, "still failing\ncause: %s\nfix:   %s\n", x.Cause, x.Fix)
	} else {
		fmt.Fprintln(w, "now succeeds")
	}
}

func lastErrorText(d *capture.Doc) string {
	if e := d.LastError; e != nil {
		return e.Source + ": " + e.Reason
	}
	return "-"
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// firstDifference returns the index of the first step whose policy or
// outcome differs, with the two steps (nil where a side has none), or -1.
func firstDifference(a, b []capture.Step) (int, *capture.Step, *capture.Step) {
	n := max(len(a), len(b))
	for i := 0; i < n; i++ {
		var x, y *capture.Step
		if i < len(a) {
			x = &a[i]
		}
		if i < len(b) {
			y = &b[i]
		}
		if x == nil || y == nil || x.Source != y.Source || x.Section != y.Section || x.Failed != y.Failed || x.Path != y.Path ||
			(x.Failed && firstLine(x.Message) != firstLine(y.Message)) {
			return i, x, y
		}
	}
	return -1, nil, nil
}

func stepText(s *capture.Step) string {
	if s == nil {
		return "(no step)"
	}
	outcome := "ok"
	if s.Failed {
		outcome = "failed"
	}
	where := ""
	if s.Where != "" {
		where = " at " + s.Where
	}
	msg := firstLine(s.Message)
	return fmt.Sprintf("%s %s%s: %s (%s)", s.Section, s.Source, where, outcome, msg)
}

func firstLine(s string) string { return strings.SplitN(s, "\n", 2)[0] }
