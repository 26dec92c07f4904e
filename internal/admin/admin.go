package admin

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/tollgate/tollgate/internal/capture"
	"github.com/tollgate/tollgate/internal/explain"
)

// Readiness is what GET /ready reports.
type Readiness struct {
	Ready bool `json:"ready"`
	// Config is the configuration being served.
	Config ConfigState `json:"config"`
	// Refused is the last configuration that failed to load since the
	// live one, with its errors; nil when none.
	Refused *RefusedConfig `json:"refused,omitempty"`
}

// ConfigState names a loaded configuration.
type ConfigState struct {
	Dir      string    `json:"dir"`
	Hash     string    `json:"hash"`
	LoadedAt time.Time `json:"loadedAt"`
	APIs     int       `json:"apis"`
}

// RefusedConfig is a configuration that did not load.
type RefusedConfig struct {
	Hash   string    `json:"hash,omitempty"`
	At     time.Time `json:"at"`
	Errors []string  `json:"errors"`
}

// Options configure the admin handler.
type Options struct {
	// Token, when set, must be sent as "Authorization: Bearer TOKEN", or
	// by a browser as the cookie TokenCookie. With Mount set, /login and
	// /assets/ are open (the console's sign-in page and its static files)
	// and a browser without the token is sent to /login.
	Token string
	// Captures finds captured requests.
	Captures capture.Source
	// Query serves POST /v1/query (the log store); nil answers 404.
	Query http.Handler
	// Ready reports readiness; nil is always ready.
	Ready func() Readiness
	// Mount adds handlers by pattern ("GET /metrics", "/").
	Mount map[string]http.Handler
}

// CheckAddr refuses an admin listener on a non-loopback address without a
// token: the admin endpoints show captured requests.
func CheckAddr(addr, token string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--admin %q: %v", addr, err)
	}
	if token != "" {
		return nil
	}
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("--admin %s is not a loopback address: give --admin-token TOKEN (callers send Authorization: Bearer TOKEN), or bind to 127.0.0.1", addr)
	}
	return nil
}

// Handler returns the admin endpoints.
func Handler(o Options) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /live", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, map[string]bool{"live": true}) })
	mux.HandleFunc("GET /ready", func(w http.ResponseWriter, r *http.Request) {
		rd := Readiness{Ready: true}
		if o.Ready != nil {
			rd = o.Ready()
		}
		status := 200
		if !rd.Ready {
			status = 503
		}
		writeJSON(w, status, rd)
	})
	mux.HandleFunc("GET /v1/captures/{id}", func(w http.ResponseWriter, r *http.Request) {
		d, ok := find(w, o.Captures, r.PathValue("id"))
		if ok {
			writeJSON(w, 200, d)
		}
	})
	mux.HandleFunc("GET /v1/why/{id}", func(w http.ResponseWriter, r *http.Request) {
		d, ok := find(w, o.Captures, r.PathValue("id"))
		if ok {
			writeJSON(w, 200, explain.Explain(d))
		}
	})
	mux.HandleFunc("GET /v1/captures", func(w http.ResponseWriter, r *http.Request) {
		docs, ok := list(w, r, o.Captures)
		if ok {
			writeJSON(w, 200, docs)
		}
	})
	mux.HandleFunc("GET /v1/failures", func(w http.ResponseWriter, r *http.Request) {
		docs, ok := list(w, r, o.Captures)
		if ok {
			writeJSON(w, 200, explain.GroupFailures(docs))
		}
	})
	if o.Query != nil {
		mux.Handle("POST /v1/query", o.Query)
	}
	// Go's profiles, for an operator and for the load harness (CPU
	// profiles, heap, goroutines, the execution trace). Not /cmdline: the
	// command line may carry --admin-token.
	mux.HandleFunc("GET /debug/pprof/", pprof.Index)
	mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	mux.HandleFunc("GET /debug/pprof/cmdline", http.NotFound)
	for pattern, h := range o.Mount {
		mux.Handle(pattern, h)
	}
	if o.Token == "" {
		return mux
	}
	want := []byte("Bearer " + o.Token)
	cookie := TokenCookieValue(o.Token)
	authorized := func(r *http.Request) bool {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) == 1 {
			return true
		}
		// A browser on the console sends the token as the cookie its
		// login page set.
		c, err := r.Cookie(TokenCookie)
		return err == nil && subtle.ConstantTimeCompare([]byte(c.Value), []byte(cookie)) == 1
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The console's sign-in page and its static files are open too.
		open := r.URL.Path == "/live" || r.URL.Path == "/ready" ||
			o.Mount != nil && (r.URL.Path == "/login" || strings.HasPrefix(r.URL.Path, "/assets/"))
		if !open && !authorized(r) {
			if r.Method == http.MethodGet && o.Mount != nil && strings.Contains(r.Header.Get("Accept"), "text/html") {
				http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			w.Header().Set("WWW-Authenticate", `Bearer realm="tollgate admin"`)
			writeError(w, 401, "Unauthorized", "send Authorization: Bearer with the --admin-token of this gateway")
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// TokenCookie is the cookie in which a browser proves it knows the admin
// token; the console's login page sets it to TokenCookieValue.
const TokenCookie = "tollgate-admin"

// TokenCookieValue is the value of TokenCookie for token: a hash of it, so
// that the browser never keeps the token itself.
func TokenCookieValue(token string) string {
	h := sha256.Sum256([]byte("tollgate admin cookie\x00" + token))
	return hex.EncodeToString(h[:])
}

func find(w http.ResponseWriter, src capture.Source, id string) (*capture.Doc, bool) {
	if src == nil {
		writeError(w, 404, "NotFound", "failure capture is off")
		return nil, false
	}
	d, err := src.Capture(id)
	var amb *capture.AmbiguousError
	switch {
	case errors.Is(err, capture.ErrNotFound):
		writeError(w, 404, "NotFound", fmt.Sprintf("no captured request has the id %s", id))
		return nil, false
	case errors.As(err, &amb):
		writeError(w, 409, "Ambiguous", err.Error())
		return nil, false
	case err != nil:
		writeError(w, 500, "InternalError", err.Error())
		return nil, false
	}
	return d, true
}

// list reads ?since=1h (a Go duration; default 1h) and ?limit=N (default
// 1000).
func list(w http.ResponseWriter, r *http.Request, src capture.Source) ([]*capture.Doc, bool) {
	if src == nil {
		writeJSON(w, 200, []any{})
		return nil, false
	}
	since := time.Hour
	if s := r.URL.Query().Get("since"); s != "" {
		d, err := ParseSince(s)
		if err != nil {
			writeError(w, 400, "BadArgument", err.Error())
			return nil, false
		}
		since = d
	}
	limit := 1000
	if s := r.URL.Query().Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			writeError(w, 400, "BadArgument", "limit must be a positive number")
			return nil, false
		}
		limit = n
	}
	docs, err := src.Captures(time.Now().Add(-since), limit)
	if err != nil {
		writeError(w, 500, "InternalError", err.Error())
		return nil, false
	}
	return docs, true
}

// ParseSince reads a duration such as 30m, 1h, 24h or 7d.
func ParseSince(s string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil || days < 0 {
			return 0, fmt.Errorf("--since %q: want a duration such as 30m, 1h or 7d", s)
		}
		return time.Duration(days) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("--since %q: want a duration such as 30m, 1h or 7d", s)
	}
	return d, nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]string{"code": code, "message": msg}})
}
