package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tollgate/tollgate/internal/diag"
	"github.com/tollgate/tollgate/internal/expr"
)

var jsonUnmarshal = json.Unmarshal

func newExprCmd(stdout, stderr io.Writer) *cobra.Command {
	var r expr.TestRequest
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "expr 'EXPR' [--method M] [--url URL] [--header 'Name: value']... [--body TEXT|@FILE] [--var name=value]... [--ip ADDR]",
		Short: "Evaluate one policy expression against a request built from flags",
		Long: `expr compiles one policy expression, @(...) or @{ ... } (a bare expression is
taken as @(...)), evaluates it against a request built from the flags, and
prints the result as .NET's Convert.ToString(value, CultureInfo.InvariantCulture)
gives it: True, 42, 2.5, indented JSON for a JObject. --json prints the .NET type
name and the value.

Compile and run-time errors print the position with a caret and exit with
status 1.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			src := args[0]
			if strings.HasPrefix(r.Body, "@") {
				b, err := os.ReadFile(r.Body[1:])
				if err != nil {
					return err
				}
				r.Body = string(b)
			}
			code, shift := src, 0
			trimmed := strings.TrimSpace(src)
			if !strings.HasPrefix(trimmed, "@(") && !strings.HasPrefix(trimmed, "@{") {
				code, shift = "@("+src+")", 2
			}
			file := diag.NewFile("<expr>", []byte(src))
			origin := cliOrigin{file: file, shift: shift, n: len(src)}
			prog, diags := expr.Compile(code, origin)
			if diags.HasErrors() {
				for _, d := range diags {
					fmt.Fprintln(stderr, d.String())
					fmt.Fprint(stderr, d.Snippet())
				}
				return exitError{1}
			}
			c, err := expr.NewTestContext(r)
			if err != nil {
				return err
			}
			v, err := prog.Eval(context.Background(), c)
			if err != nil {
				d := diag.Diagnostic{Severity: diag.Error, Code: "ExpressionValueEvaluationFailure", Message: err.Error()}
				if ee, ok := err.(*expr.EvalError); ok {
					d.Span = ee.Span
					d.Message = ee.Message
					if ee.Cause != "" {
						d.Notes = append(d.Notes, ee.Cause)
					}
				}
				fmt.Fprintln(stderr, d.String())
				fmt.Fprint(stderr, d.Snippet())
				return exitError{1}
			}
			if asJSON {
				out, _ := json.Marshal(map[string]string{"type": expr.TypeName(v), "value": expr.ToString(v)})
				fmt.Fprintln(stdout, string(out))
				return nil
			}
			fmt.Fprintln(stdout, expr.ToString(v))
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&r.Method, "method", "GET", "request method")
	f.StringVar(&r.URL, "url", "https://tollgate.local/", "request URL")
	f.StringArrayVar(&r.Headers, "header", nil, "request header 'Name: value'; repeatable")
	f.StringVar(&r.Body, "body", "", "request body, or @FILE")
	f.StringArrayVar(&r.Vars, "var", nil, "context.Variables entry name=value (a string); repeatable")
	f.StringVar(&r.IP, "ip", "127.0.0.1", "caller IP address (context.Request.IpAddress)")
	f.BoolVar(&asJSON, "json", false, "print the .NET type name and the value as JSON")
	return cmd
}

// cliOrigin maps offsets of the compiled source back to the text the user
// typed (which may lack the @( ) wrapper).
type cliOrigin struct {
	file  *diag.File
	shift int
	n     int
}

func (o cliOrigin) Span(start, end int) diag.Span {
	clamp := func(i int) int { return max(0, min(o.n, i-o.shift)) }
	return diag.Span{File: o.file, Start: clamp(start), End: clamp(end)}
}
