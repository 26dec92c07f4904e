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
	"github.com/tollgate/tollgate/internal/policy"
)

func newCheckCmd(stdout, stderr io.Writer) *cobra.Command {
	var values []string
	var scope string
	cmd := &cobra.Command{
		Use:   "check DIR|FILE",
		Short: "Load a configuration folder (or one policy file) and report every problem in it",
		Long: `check loads an APIOps folder exactly as "tollgate run" would and prints every
problem it finds, one per line, as

    path:line:col: error|warning: message [code]

Given a single policy file, check reads it as a policy document. When the file
lies inside an APIOps folder, its named values and fragments come from that
folder and its scope from its place there; otherwise --scope says where the
policy would be attached (default api).

It exits with status 1 when there is at least one error, 0 otherwise.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var diags diag.List
			if fi, err := os.Stat(args[0]); err != nil {
				return err
			} else if fi.IsDir() {
				_, diags = loadConfig(args[0], values)
			} else {
				diags, err = checkPolicyFile(args[0], scope, values)
				if err != nil {
					return err
				}
			}
			printDiagnostics(stdout, diags)
			n := diags.Errors()
			fmt.Fprintf(stderr, "%s: %d error(s), %d warning(s)\n", args[0], n, len(diags)-n)
			if n > 0 {
				return exitError{1}
			}
			return nil
		},
	}
	cmd.Flags().StringArrayVar(&values, "values", nil, "APIOps override file (configuration.<env>.yaml) supplying secrets and keys; repeatable")
	cmd.Flags().StringVar(&scope, "scope", "", "for a single policy file outside an APIOps folder: global, product, api, operation or fragment (default api)")
	return cmd
}

// checkPolicyFile reads one policy document and reports its problems.
func checkPolicyFile(path, scope string, values []string) (diag.List, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
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
			return nil, fmt.Errorf("--scope %q: want global, product, api, operation or fragment", scope)
		}
	}
	env := &policy.Env{Fragments: map[string]*diag.File{}}
	opts := gateway.PolicyOptions()
	env.Compile, env.Runnable = opts.Compile, opts.Runnable
	var diags diag.List
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
	return diags, nil
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
	snap, diags := config.Load(dir, config.Options{ValuesFiles: values, Env: getenv})
	pols, pd := config.LoadPolicies(snap, gateway.PolicyOptions())
	snap.Policies = pols
	diags.Append(pd)
	if !diags.HasErrors() {
		diags.Append(gateway.Check(snap))
	}
	diags.Sort()
	return snap, diags
}

func printDiagnostics(w io.Writer, diags diag.List) {
	for _, d := range diags {
		fmt.Fprintln(w, d.String())
	}
}
