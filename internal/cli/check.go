package cli

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/diag"
)

func newCheckCmd(stdout, stderr io.Writer) *cobra.Command {
	var values []string
	cmd := &cobra.Command{
		Use:   "check DIR",
		Short: "Load a configuration folder and report every problem in it",
		Long: `check loads an APIOps folder exactly as "tollgate run" would and prints every
problem it finds, one per line, as

    path:line:col: error|warning: message [code]

It exits with status 1 when there is at least one error, 0 otherwise.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			_, diags := loadConfig(args[0], values)
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
	return cmd
}

func loadConfig(dir string, values []string) (*config.Snapshot, diag.List) {
	snap, diags := config.Load(dir, config.Options{ValuesFiles: values, Env: getenv})
	diags.Sort()
	return snap, diags
}

func printDiagnostics(w io.Writer, diags diag.List) {
	for _, d := range diags {
		fmt.Fprintln(w, d.String())
	}
}
