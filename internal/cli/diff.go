package cli

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/tollgate/tollgate/internal/confdiff"
)

func newDiffCmd(stdout, stderr io.Writer) *cobra.Command {
	var values []string
	var format string
	var exitCode bool
	cmd := &cobra.Command{
		Use:   "diff DIR_A DIR_B [--format text|markdown] [--exit-code]",
		Short: "Show what changes for callers between two configurations",
		Long: `diff loads two configuration folders and lists what changes for callers from
DIR_A to DIR_B: APIs, operations, products, subscriptions, named values and
backends added, removed or changed (never keys or secret values); per
operation, the effective policy's differences as a unified diff of the
composed policy with its scope annotations; and the findings of "check" that
are new or fixed.

Either side may be git:REV, a revision of the git repository that holds the
other side's folder (or the current directory), read with "git archive":

    tollgate diff git:main ./artifacts      # what this branch changes
    tollgate diff git:HEAD .                # what the uncommitted edits change

--format markdown prints headings, tables and diff blocks for a pull-request
comment. The exit status is 0 whatever the differences, 1 when a side cannot
be read; with --exit-code it is 1 when there are differences, as with git diff.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "markdown" {
				return fmt.Errorf("--format %q: want text or markdown", format)
			}
			a, cleanA, err := loadSide(args[0], args[1], values)
			if err != nil {
				fmt.Fprintf(stderr, "tollgate: %v\n", err)
				return exitError{1}
			}
			defer cleanA()
			b, cleanB, err := loadSide(args[1], args[0], values)
			if err != nil {
				fmt.Fprintf(stderr, "tollgate: %v\n", err)
				return exitError{1}
			}
			defer cleanB()
			r := confdiff.Compare(a, b)
			if format == "markdown" {
				err = r.WriteMarkdown(stdout)
			} else {
				err = r.WriteText(stdout)
			}
			if err != nil {
				return err
			}
			if exitCode && !r.Empty() {
				return exitError{1}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or markdown")
	cmd.Flags().BoolVar(&exitCode, "exit-code", false, "exit with status 1 when there are differences")
	cmd.Flags().StringArrayVar(&values, "values", nil, "APIOps override file supplying secrets and keys to both sides; repeatable")
	return cmd
}

// loadSide reads the side spec (a folder or git:REV; other is the other
// side) as "check" would, with its findings.
func loadSide(spec, other string, values []string) (*confdiff.Side, func(), error) {
	dir, cleanup, err := confdiff.Materialize(spec, other)
	if err != nil {
		return nil, nil, err
	}
	snap, diags := loadConfig(dir, values)
	return confdiff.NewSide(spec, dir, snap, diags), cleanup, nil
}
