package confdiff

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// maxContexts bounds how many contexts of one policy change are named; the
// rest are counted.
const maxContexts = 12

// WriteText prints r for a terminal: one block per kind of entity, "+" for
// added, "-" for removed and "~" for changed, then the effective policy
// diffs and the findings.
func (r *Report) WriteText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	if r.Empty() {
		fmt.Fprintf(bw, "no differences for callers between %s and %s\n", r.A, r.B)
		return bw.Flush()
	}
	fmt.Fprintf(bw, "changes for callers from %s to %s\n", r.A, r.B)
	mark := map[Kind]string{Added: "+", Removed: "-", Changed: "~"}
	for _, s := range r.Sections {
		if len(s.Changes) == 0 {
			continue
		}
		fmt.Fprintf(bw, "\n%s\n", s.Title)
		for _, c := range s.Changes {
			switch c.Kind {
			case Changed:
				fmt.Fprintf(bw, "  %s %s\n", mark[c.Kind], c.Name)
				for _, d := range c.Details {
					fmt.Fprintf(bw, "      %s\n", d)
				}
			default:
				line := "  " + mark[c.Kind] + " " + c.Name
				if len(c.Details) > 0 {
					line += ": " + strings.Join(c.Details, ", ")
				}
				fmt.Fprintln(bw, line)
			}
		}
	}
	if len(r.Policies) > 0 {
		fmt.Fprintf(bw, "\nEffective policies\n")
		for _, p := range r.Policies {
			fmt.Fprintln(bw)
			for _, c := range contextNames(p.Contexts) {
				fmt.Fprintf(bw, "  %s\n", c)
			}
			bw.WriteString(p.Diff)
		}
	}
	if len(r.NewFindings)+len(r.FixedFindings) > 0 {
		fmt.Fprintf(bw, "\nFindings\n")
		for _, f := range r.NewFindings {
			fmt.Fprintf(bw, "  new:   %s\n", f)
		}
		for _, f := range r.FixedFindings {
			fmt.Fprintf(bw, "  fixed: %s\n", f)
		}
	}
	return bw.Flush()
}

// WriteMarkdown prints r for a pull-request comment: a heading per kind of
// entity with a table of its changes, each effective policy diff in a
// fenced diff block, and a table of new and fixed findings.
func (r *Report) WriteMarkdown(w io.Writer) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "## tollgate diff: %s → %s\n\n", code(r.A), code(r.B))
	if r.Empty() {
		fmt.Fprintf(bw, "No differences for callers.\n")
		return bw.Flush()
	}
	for _, s := range r.Sections {
		if len(s.Changes) == 0 {
			continue
		}
		fmt.Fprintf(bw, "### %s\n\n| %s | Change | Details |\n|---|---|---|\n", s.Title, s.Noun)
		for _, c := range s.Changes {
			fmt.Fprintf(bw, "| %s | %s | %s |\n", code(c.Name), c.Kind, cell(strings.Join(c.Details, "<br>")))
		}
		fmt.Fprintln(bw)
	}
	if len(r.Policies) > 0 {
		fmt.Fprintf(bw, "### Effective policies\n\n")
		for _, p := range r.Policies {
			var names []string
			for _, c := range contextNames(p.Contexts) {
				names = append(names, code(c))
			}
			fmt.Fprintf(bw, "%s\n\n", strings.Join(names, ", "))
			fence := strings.Repeat("`", max(3, longestRun(p.Diff, '`')+1))
			fmt.Fprintf(bw, "%sdiff\n%s%s\n\n", fence, p.Diff, fence)
		}
	}
	if len(r.NewFindings)+len(r.FixedFindings) > 0 {
		fmt.Fprintf(bw, "### Findings\n\n| | Where | Severity | Message |\n|---|---|---|---|\n")
		row := func(status string, f Finding) {
			where := Finding{File: f.File, Line: f.Line, Column: f.Column}.String()
			where, _, _ = strings.Cut(where, ": ")
			msg := f.Message
			if f.Rule != "" {
				msg += " [" + f.Rule + "]"
			}
			fmt.Fprintf(bw, "| %s | %s | %s | %s |\n", status, code(where), f.Severity, cell(msg))
		}
		for _, f := range r.NewFindings {
			row("new", f)
		}
		for _, f := range r.FixedFindings {
			row("fixed", f)
		}
		fmt.Fprintln(bw)
	}
	return bw.Flush()
}

// contextNames names up to maxContexts contexts and counts the rest.
func contextNames(cs []Context) []string {
	var out []string
	for i, c := range cs {
		if i == maxContexts {
			out = append(out, fmt.Sprintf("and %d more", len(cs)-i))
			break
		}
		out = append(out, c.String())
	}
	return out
}

// cell escapes text for a Markdown table cell.
func cell(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.ReplaceAll(s, "\n", " ")
}

// code writes s as inline code, with a fence longer than any backquote run
// inside it.
func code(s string) string {
	fence := strings.Repeat("`", longestRun(s, '`')+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		return fence + " " + cell(s) + " " + fence
	}
	return fence + cell(s) + fence
}

func longestRun(s string, c byte) int {
	best, n := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			n++
			best = max(best, n)
		} else {
			n = 0
		}
	}
	return best
}
