package cli

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/credentials"
	"github.com/tollgate/tollgate/internal/gateway"
	"github.com/tollgate/tollgate/internal/reqtrace"
)

func newTestCmd(stdout, stderr io.Writer) *cobra.Command {
	var headers, values, certificates []string
	var authorizations string
	var data string
	var trace bool
	cmd := &cobra.Command{
		Use:   "test DIR METHOD PATH [-H 'Name: value']... [-d BODY] [--trace]",
		Short: "Send one request through a configuration, like APIM's test console",
		Long: `test loads DIR, sends one request through it in-process, against the real
backends, and prints the response. The request carries the built-in all-access
key in the header the matched API reads keys from, unless it already carries a
key (-H with a subscription key header, or the key's query parameter in PATH).
With --trace it then prints each step: section, policy, where the policy is
written, time, and what it did.

When the request fails, the last line names the failing step and its cause.
PATH may carry a query string. -d @FILE reads the body from FILE.`,
		Args: cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir, method, path := args[0], strings.ToUpper(args[1]), args[2]
			snap, diags := loadConfig(dir, values)
			if diags.HasErrors() {
				printDiagnostics(stderr, diags)
				return exitError{1}
			}
			body := data
			if strings.HasPrefix(data, "@") {
				b, err := os.ReadFile(data[1:])
				if err != nil {
					return err
				}
				body = string(b)
			}
			if !strings.HasPrefix(path, "/") {
				path = "/" + path
			}
			certs, err := loadCertificates(certificates)
			if err != nil {
				return err
			}
			key := randomKey()
			traces := reqtrace.NewStore(1)
			var logLine recordingLog
			authz, err := credentials.New(authorizations, nil)
			if err != nil {
				return fmt.Errorf("--authorizations: %w", err)
			}
			gw, err := gateway.New(snap, gateway.Options{AllAccessKey: key, Traces: traces, Log: gateway.NewLogWriter(&logLine), ManagedIdentity: identitySource(""),
				Certificates: certs, Authorizations: authz})
			if err != nil {
				return err
			}
			req := httptest.NewRequest(method, "http://tollgate.local"+path, strings.NewReader(body))
			req.RemoteAddr = "127.0.0.1:50000"
			if body == "" {
				req.ContentLength = 0
				req.Body = http.NoBody
			}
			for _, h := range headers {
				name, v, ok := strings.Cut(h, ":")
				if !ok {
					return fmt.Errorf("-H %q: want 'Name: value'", h)
				}
				req.Header.Add(strings.TrimSpace(name), strings.TrimSpace(v))
			}
			if !carriesKey(req, snap) {
				name := config.DefaultKeyHeader
				if api := gw.APIFor(req); api != nil {
					name = api.KeyHeader
				}
				req.Header.Set(name, key)
			}
			if trace {
				req.Header.Set("Ocp-Apim-Trace", "true")
			}
			rec := httptest.NewRecorder()
			gw.ServeHTTP(rec, req)
			res := rec.Result()
			fmt.Fprintf(stdout, "HTTP/1.1 %s\n", res.Status)
			names := make([]string, 0, len(res.Header))
			for k := range res.Header {
				names = append(names, k)
			}
			slices.Sort(names)
			for _, k := range names {
				if k == "Ocp-Apim-Trace-Location" {
					continue
				}
				for _, v := range res.Header[k] {
					fmt.Fprintf(stdout, "%s: %s\n", k, v)
				}
			}
			fmt.Fprintln(stdout)
			b, _ := io.ReadAll(res.Body)
			stdout.Write(b)
			if len(b) > 0 && b[len(b)-1] != '\n' {
				fmt.Fprintln(stdout)
			}
			if trace {
				if t := gw.Trace(res.Header.Get(gateway.CorrelationHeader)); t != nil {
					fmt.Fprintln(stdout, "\n--- trace")
					t.WriteText(stdout)
				}
			}
			if cause := logLine.cause(); cause != "" {
				fmt.Fprintf(stderr, "tollgate: %s\n", cause)
			}
			return nil
		},
	}
	cmd.Flags().StringArrayVarP(&headers, "header", "H", nil, "request header 'Name: value'; repeatable")
	cmd.Flags().StringVarP(&data, "data", "d", "", "request body, or @FILE")
	cmd.Flags().BoolVar(&trace, "trace", false, "print the request trace after the response")
	cmd.Flags().StringArrayVar(&certificates, "certificate", nil, "certificate for certificate-id or thumbprint references: ID=FILE; repeatable")
	cmd.Flags().StringVar(&authorizations, "authorizations", "", "JSON or YAML file of access tokens for get-authorization-context")
	cmd.Flags().StringArrayVar(&values, "values", nil, "APIOps override file supplying secrets and keys; repeatable")
	return cmd
}

// carriesKey reports whether req already presents a subscription key: in a
// header or query parameter that APIM reads by default or that some API of
// snap reads keys from. "test" then sends the request as it is, so that a key
// sent where the API does not read it reproduces the caller's 401.
func carriesKey(req *http.Request, snap *config.Snapshot) bool {
	query := req.URL.Query()
	has := func(header, param string) bool {
		return req.Header.Get(header) != "" || query.Has(param)
	}
	if has(config.DefaultKeyHeader, config.DefaultKeyQuery) {
		return true
	}
	for _, a := range snap.APIs {
		if has(a.KeyHeader, a.KeyQuery) {
			return true
		}
	}
	return false
}

// recordingLog keeps the log line of the one request "test" sends.
type recordingLog struct{ line []byte }

func (r *recordingLog) Write(p []byte) (int, error) {
	r.line = append(r.line[:0], p...)
	return len(p), nil
}

// cause summarises the request's last error from its log line.
func (r *recordingLog) cause() string {
	var rec struct {
		LastErrorSource, LastErrorReason, LastErrorMessage, LastErrorSection, LastErrorPath, LastErrorCause string
	}
	if err := jsonUnmarshal(r.line, &rec); err != nil || rec.LastErrorReason == "" {
		return ""
	}
	s := fmt.Sprintf("%s/%s", rec.LastErrorSource, rec.LastErrorReason)
	if rec.LastErrorSection != "" {
		s += " in " + rec.LastErrorSection
	}
	if rec.LastErrorPath != "" {
		s += " at " + rec.LastErrorPath
	}
	s += ": " + rec.LastErrorMessage
	if rec.LastErrorCause != "" {
		s += "\n  cause: " + rec.LastErrorCause
	}
	return s
}
