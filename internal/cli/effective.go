package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tollgate/tollgate/internal/config"
)

func newEffectiveCmd(stdout, stderr io.Writer) *cobra.Command {
	var api, op, product string
	var values []string
	cmd := &cobra.Command{
		Use:   "effective DIR --api NAME [--operation NAME] [--product NAME]",
		Short: "Print the effective policy of an API or operation, like APIM's \"Calculate effective policy\"",
		Long: `effective composes the policy documents of the global, product, API and
operation scopes through <base/> and prints the result, each statement preceded
by a comment naming the scope and file:line it comes from. Secret named values
are shown as their {{reference}}.

--api takes the API's folder name ("orders", or "orders;rev=2" for a revision).
Without --product the policy is the one for calls without a product context
(API-scoped, all-APIs and all-access keys). Notes about inheritance cut by a
missing <base/> and warnings about CORS order go to standard error.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if api == "" {
				return fmt.Errorf("--api is required")
			}
			snap, diags := loadConfig(args[0], values)
			if diags.HasErrors() {
				printDiagnostics(stderr, diags)
				return exitError{1}
			}
			a := snap.APIByID(api)
			if a == nil {
				return fmt.Errorf("no API %q in %s (APIs: %s)", api, args[0], strings.Join(apiIDs(snap), ", "))
			}
			var o *config.Operation
			if op != "" {
				for _, x := range a.Operations {
					if x.Name == op {
						o = x
					}
				}
				if o == nil {
					var names []string
					for _, x := range a.Operations {
						names = append(names, x.Name)
					}
					return fmt.Errorf("API %s has no operation %q (operations: %s)", api, op, strings.Join(names, ", "))
				}
			}
			var p *config.Product
			if product != "" {
				p = snap.Products[product]
				if p == nil {
					return fmt.Errorf("no product %q in %s", product, args[0])
				}
				linked := false
				for _, name := range p.APIs {
					linked = linked || name == a.Name
				}
				if !linked {
					fmt.Fprintf(stderr, "tollgate: note: product %s does not contain API %s; no request runs this composition\n", product, a.Name)
				}
			}
			eff := snap.Policies.Effective(a, o, p)
			printDiagnostics(stderr, eff.Diagnostics)
			return eff.Format(stdout)
		},
	}
	cmd.Flags().StringVar(&api, "api", "", "API folder name (required)")
	cmd.Flags().StringVar(&op, "operation", "", "operation name (operationId)")
	cmd.Flags().StringVar(&product, "product", "", "product whose policy applies")
	cmd.Flags().StringArrayVar(&values, "values", nil, "APIOps override file supplying secrets and keys; repeatable")
	return cmd
}

func apiIDs(snap *config.Snapshot) []string {
	var out []string
	for _, a := range snap.APIs {
		out = append(out, a.ID)
	}
	return out
}
