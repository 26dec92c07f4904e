package cli

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tollgate/tollgate/internal/kql"
	"github.com/tollgate/tollgate/internal/logstore"
)

// stdin is where `tollgate logs -` reads its query.
var stdin io.Reader = os.Stdin

type logsFlags struct {
	file, data, server, timespan, format string
}

func newLogsCmd(stdout, stderr io.Writer) *cobra.Command {
	var f logsFlags
	cmd := &cobra.Command{
		Use:   "logs ['QUERY' | -] [-f FILE] [--data STATEDIR | --server ADMINURL] [--timespan 1h] [--format table|json|csv]",
		Short: "Query the gateway logs with KQL, as in Log Analytics",
		Long: `logs runs a KQL query against ApiManagementGatewayLogs, the table of the
gateway's log lines, with the columns and the query language of Log
Analytics: the queries of the troubleshooting articles run unchanged.

The query comes from the argument, from a file (-f FILE), or from standard
input when the argument is "-" or absent. Without an argument, when standard
input is a terminal or empty, logs shows the latest 20 lines (the query it
ran is printed on stderr). It runs against the log store of
the state directory (--data STATEDIR, by default $XDG_STATE_HOME/tollgate or
~/.local/state/tollgate) or against a running gateway's admin listener
(--server ADMINURL, which POSTs to ADMINURL/v1/query).

--timespan restricts TimeGenerated to the last 1h, 24h, 7d, PT1H ... (no
restriction by default). --format table (aligned, with a row count), json
(one array of objects keyed by column name) or csv (with a header row).

A mistake in the query prints its position with a caret and exits with
status 2.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			query, err := readQuery(args, f.file)
			if err != nil {
				return err
			}
			if len(args) == 0 && f.file == "" && strings.TrimSpace(query) == "" {
				query = latestLinesQuery
				fmt.Fprintf(stderr, "tollgate: the latest lines: %s\n", query)
			}
			return runLogs(cmd.Context(), query, f, stdout, stderr)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.file, "file", "f", "", "read the query from `FILE`")
	fl.StringVar(&f.data, "data", "", "the state directory whose log store to query (\"none\": memory only)")
	fl.StringVar(&f.server, "server", "", "query a running gateway's admin listener at `ADMINURL` instead")
	fl.StringVar(&f.timespan, "timespan", "", "only rows of the last `SPAN` (1h, 24h, 7d, PT1H)")
	fl.StringVar(&f.format, "format", "table", "output format: table, json or csv")
	return cmd
}

// latestLinesQuery is what logs runs with no query at all.
const latestLinesQuery = "ApiManagementGatewayLogs | sort by TimeGenerated desc | take 20 | project TimeGenerated, Method, Url, ResponseCode, TotalTime, ApiId, OperationId, LastErrorReason, CorrelationId"

func readQuery(args []string, file string) (string, error) {
	switch {
	case file != "" && len(args) > 0 && args[0] != "-":
		return "", errors.New("give the query as an argument or with -f FILE, not both")
	case file != "":
		b, err := os.ReadFile(file)
		return string(b), err
	case len(args) == 0 && isTerminal(stdin):
		return "", nil // nobody is going to type a query there: the latest lines
	case len(args) == 0 || args[0] == "-":
		b, err := io.ReadAll(io.LimitReader(stdin, 1<<20))
		return string(b), err
	}
	return args[0], nil
}

// parseSpan reads --timespan: a KQL timespan (1h, 7d, 00:30:00) or an ISO
// 8601 duration (PT1H).
func parseSpan(s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	if strings.HasPrefix(strings.ToUpper(s), "P") {
		return logstore.ParseISODuration(s)
	}
	d, ok := kql.ParseTimespan(s)
	if !ok || d <= 0 {
		return 0, fmt.Errorf("--timespan %q is not a timespan such as 30m, 1h, 24h, 7d or PT1H", s)
	}
	return d, nil
}

func runLogs(ctx context.Context, query string, f logsFlags, stdout, stderr io.Writer) error {
	if ctx == nil {
		ctx = context.Background()
	}
	switch f.format {
	case "table", "json", "csv":
	default:
		return fmt.Errorf("--format %q: use table, json or csv", f.format)
	}
	if f.server != "" && f.data != "" {
		return errors.New("give --data or --server, not both")
	}
	span, err := parseSpan(f.timespan)
	if err != nil {
		return err
	}
	var res *logstore.Result
	if f.server != "" {
		res, err = queryServer(ctx, f.server, query, span)
	} else {
		res, err = queryStore(ctx, f.data, query, span)
	}
	if err != nil {
		if errs := kql.Errors(err); errs != nil {
			for _, e := range errs {
				fmt.Fprintln(stderr, e.Error())
				fmt.Fprint(stderr, e.Snippet(query))
			}
			return exitError{2}
		}
		return err
	}
	if res.Error != nil {
		fmt.Fprintf(stderr, "tollgate: warning: %s\n", res.Error.Message)
	}
	t := logstore.ResultTable{}
	if len(res.Tables) > 0 {
		t = res.Tables[0]
	}
	switch f.format {
	case "json":
		return writeJSONRows(stdout, t)
	case "csv":
		return writeCSV(stdout, t)
	}
	return writeTable(stdout, t)
}

func queryStore(ctx context.Context, flag, query string, span time.Duration) (*logstore.Result, error) {
	dir, err := resolveDataDir(flag)
	if err != nil {
		return nil, err
	}
	opts := logstore.Options{ReadOnly: dir != ""}
	s, err := logstore.Open(dir, opts)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	return s.Query(ctx, query, span)
}

// queryServer POSTs the query to a gateway's admin listener. Its 400
// answers carry "query:L:C: message" lines, which come back as kql errors so
// that they print with a caret like local ones.
func queryServer(ctx context.Context, base, query string, span time.Duration) (*logstore.Result, error) {
	body := map[string]string{"query": query}
	if span > 0 {
		body["timespan"] = "PT" + strconv.FormatFloat(span.Seconds(), 'f', -1, 64) + "S"
	}
	b, _ := json.Marshal(body)
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(base, "/")+"/v1/query", bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error logstore.ResultError `json:"error"`
		}
		if json.Unmarshal(data, &e) != nil || e.Error.Message == "" {
			return nil, fmt.Errorf("%s answered %s", base, resp.Status)
		}
		if errs := parseQueryErrors(e.Error.Message); errs != nil {
			return nil, errs
		}
		return nil, fmt.Errorf("%s: %s", e.Error.Code, e.Error.Message)
	}
	var res logstore.Result
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&res); err != nil {
		return nil, fmt.Errorf("%s answered with a body that is not a query result: %v", base, err)
	}
	for _, t := range res.Tables {
		for _, row := range t.Rows {
			for i, v := range row {
				if n, ok := v.(json.Number); ok {
					if x, err := n.Int64(); err == nil {
						row[i] = x
					} else if f, err := n.Float64(); err == nil {
						row[i] = f
					}
				}
			}
		}
	}
	return &res, nil
}

var queryErrorLine = regexp.MustCompile(`^query:(\d+):(\d+): (.*)$`)

func parseQueryErrors(msg string) kql.ErrorList {
	var list kql.ErrorList
	for _, line := range strings.Split(msg, "\n") {
		m := queryErrorLine.FindStringSubmatch(line)
		if m == nil {
			return nil
		}
		l, _ := strconv.Atoi(m[1])
		c, _ := strconv.Atoi(m[2])
		list = append(list, &kql.Error{Line: l, Col: c, Msg: m[3]})
	}
	return list
}

// formatCell renders a value for the table and CSV formats.
func formatCell(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return kql.FormatReal(x)
	}
	return fmt.Sprint(v)
}

func writeTable(w io.Writer, t logstore.ResultTable) error {
	widths := make([]int, len(t.Columns))
	cells := make([][]string, len(t.Rows))
	for i, c := range t.Columns {
		widths[i] = len([]rune(c.Name))
	}
	for r, row := range t.Rows {
		cells[r] = make([]string, len(row))
		for i, v := range row {
			s := strings.NewReplacer("\n", `\n`, "\r", `\r`, "\t", " ").Replace(formatCell(v))
			cells[r][i] = s
			if i < len(widths) {
				widths[i] = max(widths[i], len([]rune(s)))
			}
		}
	}
	var b strings.Builder
	line := func(vals []string) {
		for i, v := range vals {
			if i > 0 {
				b.WriteString("  ")
			}
			b.WriteString(v)
			if i < len(vals)-1 && i < len(widths) {
				b.WriteString(strings.Repeat(" ", widths[i]-len([]rune(v))))
			}
		}
		b.WriteString("\n")
	}
	names := make([]string, len(t.Columns))
	rules := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		names[i] = c.Name
		rules[i] = strings.Repeat("-", widths[i])
	}
	line(names)
	line(rules)
	for _, row := range cells {
		line(row)
	}
	if len(t.Rows) == 1 {
		b.WriteString("1 row\n")
	} else {
		fmt.Fprintf(&b, "%d rows\n", len(t.Rows))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeJSONRows writes one array of row objects whose keys are the column
// names, in column order.
func writeJSONRows(w io.Writer, t logstore.ResultTable) error {
	var b bytes.Buffer
	b.WriteString("[")
	for r, row := range t.Rows {
		if r > 0 {
			b.WriteString(",")
		}
		b.WriteString("\n  {")
		for i, v := range row {
			if i > 0 {
				b.WriteString(", ")
			}
			k, _ := json.Marshal(t.Columns[i].Name)
			b.Write(k)
			b.WriteString(": ")
			var vb bytes.Buffer
			enc := json.NewEncoder(&vb)
			enc.SetEscapeHTML(false)
			if err := enc.Encode(v); err != nil {
				return err
			}
			b.Write(bytes.TrimSuffix(vb.Bytes(), []byte("\n")))
		}
		b.WriteString("}")
	}
	if len(t.Rows) > 0 {
		b.WriteString("\n")
	}
	b.WriteString("]\n")
	_, err := w.Write(b.Bytes())
	return err
}

func writeCSV(w io.Writer, t logstore.ResultTable) error {
	cw := csv.NewWriter(w)
	names := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		names[i] = c.Name
	}
	cw.Write(names)
	for _, row := range t.Rows {
		rec := make([]string, len(row))
		for i, v := range row {
			rec[i] = formatCell(v)
		}
		cw.Write(rec)
	}
	cw.Flush()
	return cw.Error()
}

// isTerminal reports whether r is a terminal (a character device).
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
