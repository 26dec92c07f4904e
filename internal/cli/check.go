package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/diag"
	"github.com/tollgate/tollgate/internal/gateway"
	"github.com/tollgate/tollgate/internal/lint"
	"github.com/tollgate/tollgate/internal/policy"
)

func newCheckCmd(stdout, stderr io.Writer) *cobra.Command {
	var values []string
	var scope, format string
	var rules, strict bool
	cmd := &cobra.Command{
		Use:   "check DIR|FILE",
		Short: "Load a configuration folder (or one policy file) and report every problem and configuration trap in it",
		Long: `check loads an APIOps folder exactly as "tollgate run" would and prints every
problem it finds. Problems of the load step (malformed XML, C# that does not
compile, a missing named value) are printed one per line as

    path:line:col: error|warning: message [code]

Then check judges the effective policy of every API and operation, in every
product, against the rule catalogue (--rules lists it; docs/rules.md explains
each rule) and prints each trap found as

    path:line:col: warning: TG012: message
        path:line:col: another position involved
        fix: what to change
        see: docs/rules.md#tg012, docs/troubleshooting.md#...

--format json writes one JSON document, --format sarif a SARIF 2.1.0 log for
GitHub code scanning and SARIF viewers; both carry the load step's problems
too, under the rule that owns them (or TG000).

Given a single policy file, check reads it as a policy document. When the file
lies inside an APIOps folder, its named values and fragments come from that
folder, its scope from its place there, and the rules' findings in that file
are reported too; otherwise --scope says where the policy would be attached
(default api).

It exits with status 1 when there is at least one error (with --strict, at
least one error or warning), 0 otherwise.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if rules {
				return lint.WriteRules(stdout)
			}
			if len(args) != 1 {
				return fmt.Errorf("check needs a folder or a policy file (or --rules)")
			}
			if format != "text" && format != "json" && format != "sarif" {
				return fmt.Errorf("--format %q: want text, json or sarif", format)
			}
			var diags diag.List
			var findings []lint.Finding
			if fi, err := os.Stat(args[0]); err != nil {
				return err
			} else if fi.IsDir() {
				var snap *config.Snapshot
				snap, diags = loadConfig(args[0], values)
				diags = withoutSuperseded(diags)
				findings = lint.Run(snap, lint.Options{Load: diags, Strict: strict})
			} else {
				diags, findings, err = checkPolicyFile(args[0], scope, values, strict)
				if err != nil {
					return err
				}
			}
			if strict {
				for i := range diags {
					if diags[i].Severity == diag.Warning {
						diags[i].Severity = diag.Error
					}
				}
			}
			all := append(lint.FromDiagnostics(diags, false), findings...)
			lint.Sort(all)
			var err error
			switch format {
			case "json":
				err = lint.WriteJSON(stdout, all)
			case "sarif":
				err = lint.WriteSARIF(stdout, all, version())
			default:
				printReport(stdout, diags, findings)
			}
			if err != nil {
				return err
			}
			e, w, n := lint.Count(all)
			summary := fmt.Sprintf("%s: %d error(s), %d warning(s)", args[0], e, w)
			if n > 0 {
				summary += fmt.Sprintf(", %d note(s)", n)
			}
			fmt.Fprintln(stderr, summary)
			if e > 0 {
				return exitError{1}
			}
			return nil
		},
	}
	cmd.Flags().StringArrayVar(&values, "values", nil, "APIOps override file (configuration.<env>.yaml) supplying secrets and keys; repeatable")
	cmd.Flags().StringVar(&scope, "scope", "", "for a single policy file outside an APIOps folder: global, product, api, operation or fragment (default api)")
	cmd.Flags().BoolVar(&rules, "rules", false, "list the rule catalogue (id, severity, title) and exit")
	cmd.Flags().StringVar(&format, "format", "text", "output format: text, json or sarif (SARIF 2.1.0)")
	cmd.Flags().BoolVar(&strict, "strict", false, "treat warnings as errors (exit status 1 when there is any)")
	return cmd
}

// withoutSuperseded drops the check step's composition warnings that the
// rule catalogue reports itself.
func withoutSuperseded(diags diag.List) diag.List {
	out := diags[:0:0]
	for _, d := range diags {
		if !lint.Supersedes(d) {
			out = append(out, d)
		}
	}
	return out
}

// printReport prints the load step's diagnostics, unchanged, and the rules'
// findings, in the order of their positions.
func printReport(w io.Writer, diags diag.List, findings []lint.Finding) {
	i, j := 0, 0
	for i < len(diags) || j < len(findings) {
		if j == len(findings) || i < len(diags) && !positionLess(findings[j].Position(), diags[i].Position()) {
			writeDiagnostic(w, diags[i])
			i++
			continue
		}
		fmt.Fprint(w, findings[j].Text())
		j++
	}
}

func positionLess(a, b diag.Position) bool {
	if a.Filename != b.Filename {
		return a.Filename < b.Filename
	}
	if a.Line != b.Line {
		return a.Line < b.Line
	}
	return a.Column < b.Column
}

// checkPolicyFile reads one policy document and reports its problems and,
// when it lies in an APIOps folder, the rules' findings in it.
func checkPolicyFile(path, scope string, values []string, strict bool) (diag.List, []lint.Finding, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	s, ok := policy.Scope(0), false
	root, rel := findAPIOpsRoot(path)
	if scope == "" && root != "" {
		s, ok = scopeFromPath(rel)
	}
	if !ok {
		if scope == "" {
			scope = "api"
		}
		if s, ok = parseScope(scope); !ok {
			return nil, nil, fmt.Errorf("--scope %q: want global, product, api, operation or fragment", scope)
		}
	}
	env := &policy.Env{Fragments: map[string]*diag.File{}}
	opts := gateway.PolicyOptions()
	env.Compile, env.Runnable = opts.Compile, opts.Runnable
	var diags diag.List
	var findings []lint.Finding
	if root != "" {
		snap, d := config.Load(root, config.Options{ValuesFiles: values, Env: getenv})
		for _, x := range d {
			if x.Severity == diag.Error {
				diags.Add(x)
			}
		}
		for _, nv := range snap.NamedValues {
			env.NamedValues = append(env.NamedValues, policy.NamedValue{DisplayName: nv.DisplayName, Value: nv.Value, Secret: nv.Secret, HasValue: nv.HasValue})
		}
		for name, f := range snap.Fragments {
			if f.Policy != nil {
				env.Fragments[name] = f.Policy
			}
		}
	}
	_, d := policy.LoadDocument(diag.NewFile(path, src), s, env)
	diags.Append(d)
	diags.Sort()
	if root != "" {
		findings = lintFile(root, path, values, diags, strict)
	}
	return diags, findings, nil
}

// lintFile runs the rules over the APIOps folder root and keeps the
// findings in the file path.
func lintFile(root, path string, values []string, diags diag.List, strict bool) []lint.Finding {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil
	}
	snap, load := loadConfig(root, values)
	var out []lint.Finding
	for _, f := range lint.Run(snap, lint.Options{Load: append(withoutSuperseded(load), diags...), Strict: strict}) {
		if f.Position().Filename == abs {
			out = append(out, relocate(f, abs, path))
		}
	}
	return out
}

// relocate shows positions in the file abs as path, the name the user gave.
func relocate(f lint.Finding, abs, path string) lint.Finding {
	if f.Span.IsValid() && f.Span.File.Name == abs {
		f.Span.File = diag.NewFile(path, f.Span.File.Src)
	}
	return f
}

// findAPIOpsRoot walks up from a policy file to the folder that holds an
// APIOps tree (one with an apis folder), returning it and the file's path
// relative to it.
func findAPIOpsRoot(path string) (root, rel string) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", ""
	}
	for dir := filepath.Dir(abs); ; dir = filepath.Dir(dir) {
		if fi, err := os.Stat(filepath.Join(dir, "apis")); err == nil && fi.IsDir() {
			r, _ := filepath.Rel(dir, abs)
			return dir, filepath.ToSlash(r)
		}
		if parent := filepath.Dir(dir); parent == dir {
			return "", ""
		}
	}
}

// scopeFromPath derives a policy file's scope from its place in an APIOps
// tree.
func scopeFromPath(rel string) (policy.Scope, bool) {
	parts := strings.Split(rel, "/")
	switch {
	case len(parts) == 1:
		return policy.Global, true
	case len(parts) == 3 && parts[0] == "products":
		return policy.Product, true
	case len(parts) == 3 && parts[0] == "apis":
		return policy.API, true
	case len(parts) == 5 && parts[0] == "apis" && parts[2] == "operations":
		return policy.Operation, true
	case len(parts) == 3 && (parts[0] == "policy fragments" || parts[0] == "policyFragments"):
		return policy.Fragment, true
	}
	return 0, false
}

func parseScope(s string) (policy.Scope, bool) {
	for _, sc := range []policy.Scope{policy.Global, policy.Product, policy.API, policy.Operation, policy.Fragment} {
		if strings.EqualFold(s, sc.String()) {
			return sc, true
		}
	}
	return 0, false
}

// loadConfig loads an APIOps folder and its policies, compiled for the
// gateway, with every problem found.
func loadConfig(dir string, values []string) (*config.Snapshot, diag.List) {
	snap, diags := gateway.LoadFolder(dir, config.Options{ValuesFiles: values, Env: getenv})
	if !diags.HasErrors() {
		diags.Append(gateway.Check(snap))
	}
	diags.Sort()
	return snap, diags
}

func printDiagnostics(w io.Writer, diags diag.List) {
	for _, d := range diags {
		writeDiagnostic(w, d)
	}
}

// writeDiagnostic writes d's line and, indented below it as the rules'
// findings have their fix, its notes: "did you mean 'Length'?", the other
// place of a duplicate.
func writeDiagnostic(w io.Writer, d diag.Diagnostic) {
	fmt.Fprintln(w, d.String())
	for _, n := range d.Notes {
		fmt.Fprintf(w, "    note: %s\n", n)
	}
}
