package explain

import (
	"fmt"
	"io"
	"strings"

	"github.com/tollgate/tollgate/internal/capture"
)

// WriteText writes x for a person on call, followed by the steps of d.
func WriteText(w io.Writer, x *Explanation, d *capture.Doc) error {
	var b strings.Builder
	fmt.Fprintf(&b, "request   %s  %s %s\n", x.Time.UTC().Format("2006-01-02 15:04:05.000Z"), x.Request.Method, x.Request.URL)
	fmt.Fprintf(&b, "          caller %s", x.Request.CallerIP)
	for _, kv := range [][2]string{{"api", x.Request.API}, {"operation", x.Request.Operation}, {"product", x.Request.Product}, {"subscription", x.Request.Subscription}} {
		if kv[1] != "" {
			fmt.Fprintf(&b, ", %s %s", kv[0], kv[1])
		}
	}
	fmt.Fprintf(&b, "\n          id %s (%s)\n", x.ID, x.Captured)
	if x.Config != "" {
		fmt.Fprintf(&b, "          config %s\n", x.Config)
	}
	if x.Response.Status == 0 {
		b.WriteString("response  none: the caller closed the connection\n")
	} else {
		fmt.Fprintf(&b, "response  %d", x.Response.Status)
		if x.Response.Body != "" {
			fmt.Fprintf(&b, "  %s", oneLine(x.Response.Body, 300))
		}
		b.WriteString("\n")
	}
	if f := x.Failure; f != nil {
		fmt.Fprintf(&b, "failed    %s", f.Policy)
		if f.Section != "" {
			fmt.Fprintf(&b, " in %s", f.Section)
		}
		if f.Scope != "" {
			fmt.Fprintf(&b, " (%s scope)", f.Scope)
		}
		fmt.Fprintf(&b, ": %s: %s\n", f.Reason, f.Message)
		if f.Path != "" {
			fmt.Fprintf(&b, "          path %s\n", f.Path)
		}
		if f.Where != "" {
			fmt.Fprintf(&b, "          at %s\n", f.Where)
		}
		if f.Source != "" {
			fmt.Fprintf(&b, "          | %s\n", f.Source)
			if f.Column > 0 {
				fmt.Fprintf(&b, "          | %s^\n", caretPad(f.Source, f.Column))
			}
		}
		for _, s := range f.Saw {
			fmt.Fprintf(&b, "          saw %s\n", oneLine(s, 300))
		}
	}
	if x.Origin != "" {
		fmt.Fprintf(&b, "origin    %s\n", originText(x.Origin))
	}
	fmt.Fprintf(&b, "cause:    %s\n", x.Cause)
	fmt.Fprintf(&b, "fix:      %s\n", x.Fix)
	if x.Doc != "" {
		fmt.Fprintf(&b, "see:      %s\n", x.Doc)
	}
	if x.StatusNote != "" {
		fmt.Fprintf(&b, "note:     %s\n", x.StatusNote)
	}
	if be := x.Backend; be != nil {
		fmt.Fprintf(&b, "backend   %s", orDefault(be.URL, "(no URL)"))
		if be.Status != 0 {
			fmt.Fprintf(&b, "  status %d", be.Status)
		}
		fmt.Fprintf(&b, "  %d ms\n          tried %s\n", be.TimeMs, strings.Join(be.Tried, ", "))
	}
	for _, n := range x.Notes {
		fmt.Fprintf(&b, "note:     %s\n", n)
	}
	if d != nil && len(d.Steps) > 0 {
		rel := relativeTo(x.Config)
		b.WriteString("steps\n")
		for _, s := range d.Steps {
			mark := " "
			if s.Failed {
				mark = "!"
			}
			fmt.Fprintf(&b, "  %s %-9s %-22s %8.3fms", mark, s.Section, s.Source, s.ElapsedMs)
			if s.Where != "" {
				fmt.Fprintf(&b, "  %s", rel(s.Where))
			}
			b.WriteString("\n")
			if s.Message != "" {
				for _, line := range strings.Split(rel(s.Message), "\n") {
					fmt.Fprintf(&b, "        %s\n", oneLine(line, 300))
				}
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func originText(o string) string {
	switch o {
	case "gateway":
		return "gateway: tollgate produced this failure; the backend is not at fault"
	case "backend":
		return "backend: the backend answered this; tollgate passed it through"
	case "client":
		return "client: the caller went away"
	}
	return o
}

// caretPad returns the spaces (and tabs, where the line has them) that put
// a caret under column col.
func caretPad(line string, col int) string {
	var b strings.Builder
	for i, r := range line {
		if i >= col-1 {
			break
		}
		if r == '\t' {
			b.WriteByte('\t')
		} else {
			b.WriteByte(' ')
		}
	}
	return b.String()
}

func oneLine(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > max {
		s = s[:max] + "…"
	}
	return s
}
