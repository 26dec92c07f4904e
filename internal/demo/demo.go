package demo

import (
	"embed"
	"encoding/json"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

//go:embed all:tree
var tree embed.FS

// Key is the primary key of the demo subscription (product "starter").
const Key = "demo-starter-key-0123456789abcdef"

// backendPlaceholder stands for the echo backend's URL in the embedded tree.
const backendPlaceholder = "$ECHO_BACKEND$"

// WriteTree writes the demo APIOps tree into dir, pointing its APIs at
// backendURL.
func WriteTree(dir, backendURL string) error {
	return fs.WalkDir(tree, "tree", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel := strings.TrimPrefix(strings.TrimPrefix(p, "tree"), "/")
		target := filepath.Join(dir, filepath.FromSlash(rel))
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := tree.ReadFile(p)
		if err != nil {
			return err
		}
		b = []byte(strings.ReplaceAll(string(b), backendPlaceholder, backendURL))
		return os.WriteFile(target, b, 0o644)
	})
}

// Echo is an HTTP handler that answers every request with a JSON description
// of what it received: method, path, query, headers and body.
func Echo(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	headers := map[string]string{}
	names := make([]string, 0, len(r.Header))
	for k := range r.Header {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		headers[k] = strings.Join(r.Header[k], ", ")
	}
	status := http.StatusOK
	if s := r.URL.Query().Get("status"); s != "" {
		if n, err := parseStatus(s); err == nil {
			status = n
		}
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(map[string]any{
		"method":  r.Method,
		"path":    r.URL.EscapedPath(),
		"query":   r.URL.RawQuery,
		"headers": headers,
		"body":    string(body),
	})
}

func parseStatus(s string) (int, error) {
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, os.ErrInvalid
		}
		n = n*10 + int(c-'0')
	}
	if n < 100 || n > 599 {
		return 0, os.ErrInvalid
	}
	return n, nil
}

// StartEcho serves Echo on a free loopback port and returns its base URL and
// a function that stops it.
func StartEcho() (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: http.HandlerFunc(Echo)}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String(), func() { srv.Close() }, nil
}
