package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

// Version is set at build time with -ldflags "-X .../internal/cli.Version=v1.2.3";
// otherwise it comes from the module's build information.
var Version = ""

// exitError carries an exit status through cobra without printing anything
// more: the command has already explained itself.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// Main runs the tollgate command line with args (without the program name)
// and returns the process exit status. Cancelling ctx stops a running
// gateway as SIGINT does.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	root := newRoot(stdout, stderr)
	if len(args) == 0 {
		// tollgate with no arguments serves the built-in demo, as
		// "tollgate run" does; "tollgate help" lists the commands.
		args = []string{"run"}
	}
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	if ee, ok := errors.AsType[exitError](err); ok {
		return ee.code
	}
	fmt.Fprintf(stderr, "tollgate: %v\n", err)
	if strings.HasPrefix(err.Error(), "unknown command") && !strings.Contains(err.Error(), "usage:") {
		fmt.Fprintln(stderr, `"tollgate help" lists the commands.`)
	}
	return 2
}

func newRoot(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "tollgate",
		Short: "An API gateway that runs Azure API Management configuration unchanged",
		Long: `tollgate serves the folder that APIM's APIOps extractor writes (APIs, operations,
products, subscriptions, named values, backends, policy fragments and policies)
on your laptop, in CI or on your own servers, and explains every failure it
produces: which step failed, with which input, and what to change.

Run "tollgate" (or "tollgate run") with no arguments to try the built-in demo.`,
		SilenceUsage:      true,
		SilenceErrors:     true,
		CompletionOptions: cobra.CompletionOptions{DisableDefaultCmd: true},
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(
		newRunCmd(stdout, stderr),
		newCheckCmd(stdout, stderr),
		newTestCmd(stdout, stderr),
		newEffectiveCmd(stdout, stderr),
		newDiffCmd(stdout, stderr),
		newExprCmd(stdout, stderr),
		newWhyCmd(stdout, stderr),
		newFailuresCmd(stdout, stderr),
		newReplayCmd(stdout, stderr),
		newLogsCmd(stdout, stderr),
		newVersionCmd(stdout),
	)
	// A mistake in the arguments or flags names the command's usage line,
	// so that nobody has to ask --help what the command wanted.
	for _, c := range root.Commands() {
		if check := c.Args; check != nil {
			c.Args = func(cmd *cobra.Command, args []string) error {
				if err := check(cmd, args); err != nil {
					return fmt.Errorf("%v; usage: %s", err, cmd.UseLine())
				}
				return nil
			}
		}
	}
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return fmt.Errorf("%v; usage: %s", err, cmd.UseLine())
	})
	return root
}

func newVersionCmd(stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print tollgate's version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			fmt.Fprintf(stdout, "tollgate %s\n", version())
			return nil
		},
	}
}

func version() string {
	if Version != "" {
		return Version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown)"
	}
	v := info.Main.Version
	if v == "" || v == "(devel)" {
		v = "devel"
	}
	return v + " " + info.GoVersion
}

// getenv is os.Getenv; commands read the environment through it.
var getenv = os.Getenv
