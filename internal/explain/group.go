package explain

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/tollgate/tollgate/internal/capture"
)

// Group is the failures that share a cause: the same status, LastError
// source and reason, API and operation.
type Group struct {
	Count     int       `json:"count"`
	Status    int       `json:"status"`
	Source    string    `json:"source"`
	Reason    string    `json:"reason"`
	API       string    `json:"api"`
	Operation string    `json:"operation"`
	First     time.Time `json:"first"`
	Last      time.Time `json:"last"`
	// Example is the id of the newest failure of the group, for
	// `tollgate why`.
	Example string `json:"example"`
	// Cause is the example's cause.
	Cause string `json:"cause"`
}

// GroupFailures groups the failed captures of docs by cause, largest group
// first. Sampled successes are left out.
func GroupFailures(docs []*capture.Doc) []Group {
	type key struct {
		status                 int
		source, reason, api, o string
	}
	groups := map[key]*Group{}
	for _, d := range docs {
		if d.Captured == capture.Sampled {
			continue
		}
		k := key{status: d.Response.Status, api: d.Match.API, o: d.Match.Operation}
		if e := d.LastError; e != nil {
			k.source, k.reason = e.Source, e.Reason
		} else if d.Captured == capture.CORSRefused {
			k.source, k.reason = "cors", "CorsRefused"
		} else if d.Backend != nil && d.Backend.Status == d.Response.Status {
			k.source, k.reason = "backend", fmt.Sprintf("BackendStatus%d", d.Backend.Status)
		}
		g := groups[k]
		if g == nil {
			g = &Group{Status: k.status, Source: k.source, Reason: k.reason, API: k.api, Operation: k.o, First: d.Time, Last: d.Time, Example: d.ID}
			_, g.Cause, _, _ = diagnose(d)
			g.Cause = relativeTo(d.Config.Dir)(g.Cause)
			groups[k] = g
		}
		g.Count++
		if d.Time.Before(g.First) {
			g.First = d.Time
		}
		if !d.Time.Before(g.Last) {
			g.Last, g.Example = d.Time, d.ID
			_, g.Cause, _, _ = diagnose(d)
			g.Cause = relativeTo(d.Config.Dir)(g.Cause)
		}
	}
	out := make([]Group, 0, len(groups))
	for _, g := range groups {
		out = append(out, *g)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Last.After(out[j].Last)
	})
	return out
}

// WriteGroups writes groups as an aligned table, each row followed by its
// group's cause.
func WriteGroups(w io.Writer, groups []Group) error {
	// The rows are aligned first, without the cause lines, which would
	// break tabwriter's column blocks; the causes are put under them after.
	var table strings.Builder
	tw := tabwriter.NewWriter(&table, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "COUNT\tSTATUS\tSOURCE\tREASON\tAPI\tOPERATION\tFIRST\tLAST\tEXAMPLE")
	for _, g := range groups {
		fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", g.Count, g.Status, dash(g.Source), dash(g.Reason), dash(g.API), dash(g.Operation),
			g.First.UTC().Format("15:04:05"), g.Last.UTC().Format("15:04:05"), g.Example)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	var b strings.Builder
	rows := strings.SplitAfter(table.String(), "\n")
	b.WriteString(rows[0])
	n := 0
	for i, g := range groups {
		b.WriteString(rows[i+1])
		fmt.Fprintf(&b, "       cause: %s\n", oneLine(g.Cause, 160))
		n += g.Count
	}
	fmt.Fprintf(&b, "%d failures in %d groups; `tollgate why ID` explains one\n", n, len(groups))
	_, err := io.WriteString(w, b.String())
	return err
}

func dash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "-"
	}
	return s
}
