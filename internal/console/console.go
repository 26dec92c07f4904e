package console

import (
	"bytes"
	"crypto/subtle"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/tollgate/tollgate/internal/admin"
	"github.com/tollgate/tollgate/internal/capture"
	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/diag"
)

// Options are what the console reads. Every field may be nil: the pages
// that need it then say what is off.
type Options struct {
	// Captures finds captured requests: their traces and explanations.
	Captures capture.Source
	// Query runs KQL against the log store (Failures, Requests, Query).
	// Nil when the store is off: Failures and Requests then read the
	// captured requests, and Query says how to turn the store on.
	Query Querier
	// Config returns the configuration being served.
	Config func() *config.Snapshot
	// Check returns the findings of `tollgate check` for a configuration.
	// The console calls it once per configuration it sees.
	Check func(*config.Snapshot) diag.List
	// Live says which configuration is served (a content hash and when it
	// loaded) and the errors of the last one refused since; nil shows
	// nothing.
	Live func() LiveConfig
	// Token is the admin listener's --admin-token, "" when there is none.
	// The login page checks it and sets the cookie CookieName, which the
	// admin listener accepts like the Authorization header.
	Token string
	// Now is the clock; nil is time.Now.
	Now func() time.Time
}

// LiveConfig is the configuration being served and the last refused one.
type LiveConfig struct {
	Hash     string
	LoadedAt time.Time
	// Refused are the errors of the last configuration that failed to load
	// since this one, nil when none did.
	Refused   []string
	RefusedAt time.Time
}

// CookieName is the cookie that carries the admin token in a browser; the
// admin listener accepts it like the Authorization header.
const CookieName = admin.TokenCookie

//go:embed templates/*.html
var templateFS embed.FS

//go:embed assets
var assetFS embed.FS

// Handler returns the console. Mount it at "/" on the admin listener; it
// serves /failures, /requests, /requests/{id}, /query,
// /config/apis/{api}/operations/{operation} and the pages around them,
// /login, and its assets under /assets/.
func Handler(o Options) http.Handler {
	if o.Now == nil {
		o.Now = time.Now
	}
	c := &console{opts: o, pages: parseTemplates()}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/failures", http.StatusFound)
	})
	mux.HandleFunc("GET /failures", c.failures)
	mux.HandleFunc("GET /requests", c.requests)
	mux.HandleFunc("GET /requests/{id}", c.request)
	mux.HandleFunc("GET /query", c.query)
	mux.HandleFunc("GET /config", c.configIndex)
	mux.HandleFunc("GET /config/apis/{api}", c.configAPI)
	mux.HandleFunc("GET /config/apis/{api}/operations/{operation}", c.configOperation)
	mux.HandleFunc("GET /config/files/{path...}", c.configFile)
	mux.HandleFunc("GET /login", c.login)
	mux.HandleFunc("POST /login", c.login)
	assets, _ := fs.Sub(assetFS, "assets")
	files := http.StripPrefix("/assets/", http.FileServerFS(assets))
	mux.Handle("GET /assets/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=300")
		files.ServeHTTP(w, r)
	}))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		c.notFound(w, r, "There is no console page at "+r.URL.Path+".")
	})
	return secureHeaders(mux)
}

// secureHeaders keeps pages out of frames and caches, and scripts and
// styles to the console's own files.
func secureHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "no-referrer")
		if !strings.HasPrefix(r.URL.Path, "/assets/") {
			hd.Set("Cache-Control", "no-store")
		}
		h.ServeHTTP(w, r)
	})
}

type console struct {
	opts  Options
	pages map[string]*template.Template

	checkMu   sync.Mutex
	checkSnap *config.Snapshot
	checkList diag.List
}

// page is what every template gets.
type page struct {
	Title string
	Nav   string // the navigation entry to mark current
	Data  any
}

var funcs = template.FuncMap{
	"ms":      func(v float64) string { return formatNumber(v) + " ms" },
	"num":     formatNumber,
	"time":    func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05.000Z") },
	"clock":   func(t time.Time) string { return t.UTC().Format("Jan 2 15:04:05.000") },
	"path":    url.PathEscape,
	"pct":     func(v float64) string { return fmt.Sprintf("%.3f%%", v) },
	"cell":    cellText,
	"dash":    func(s string) string { return orDash(s) },
	"statusc": statusClassName,
}

func parseTemplates() map[string]*template.Template {
	base := template.Must(template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html"))
	pages := map[string]*template.Template{}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		panic(err)
	}
	for _, n := range names {
		name := filepath.Base(n)
		if name == "layout.html" {
			continue
		}
		t := template.Must(base.Clone())
		pages[strings.TrimSuffix(name, ".html")] = template.Must(t.ParseFS(templateFS, n))
	}
	return pages
}

// render writes a page; a template failure is a 500 with nothing half
// written.
func (c *console) render(w http.ResponseWriter, status int, name string, p page) {
	var buf bytes.Buffer
	if err := c.pages[name].ExecuteTemplate(&buf, "layout.html", p); err != nil {
		log.Printf("tollgate: console page %s: %v", name, err)
		http.Error(w, "the console could not draw this page; the gateway's log has the reason", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// problem is the data of the message page.
type problem struct {
	Heading string
	Text    string
	Hint    string
}

func (c *console) notFound(w http.ResponseWriter, r *http.Request, text string) {
	c.render(w, http.StatusNotFound, "message", page{Title: "Not found", Data: problem{Heading: "Not found", Text: text}})
}

func (c *console) fail(w http.ResponseWriter, status int, heading, text string) {
	c.render(w, status, "message", page{Title: heading, Data: problem{Heading: heading, Text: text}})
}

// snapshot returns the configuration served, or nil.
func (c *console) snapshot() *config.Snapshot {
	if c.opts.Config == nil {
		return nil
	}
	return c.opts.Config()
}

// findings returns the check findings of snap, computed once per
// configuration.
func (c *console) findings(snap *config.Snapshot) diag.List {
	if snap == nil || c.opts.Check == nil {
		return nil
	}
	c.checkMu.Lock()
	defer c.checkMu.Unlock()
	if c.checkSnap != snap {
		c.checkSnap, c.checkList = snap, c.opts.Check(snap)
	}
	return c.checkList
}

// login sets the admin token as a cookie, so that a browser can use a
// console behind --admin-token.
func (c *console) login(w http.ResponseWriter, r *http.Request) {
	next := r.FormValue("next")
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		next = "/failures"
	}
	type loginData struct {
		Next, Error string
		NoToken     bool
	}
	d := loginData{Next: next, NoToken: c.opts.Token == ""}
	if r.Method == http.MethodPost {
		token := r.PostFormValue("token")
		if c.opts.Token == "" || subtle.ConstantTimeCompare([]byte(token), []byte(c.opts.Token)) == 1 {
			http.SetCookie(w, &http.Cookie{Name: CookieName, Value: admin.TokenCookieValue(token), Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil})
			http.Redirect(w, r, next, http.StatusSeeOther)
			return
		}
		d.Error = "That is not this gateway's --admin-token."
		c.render(w, http.StatusUnauthorized, "login", page{Title: "Sign in", Data: d})
		return
	}
	c.render(w, http.StatusOK, "login", page{Title: "Sign in", Data: d})
}

// relPath shows a configuration file's name relative to the folder.
func relPath(snap *config.Snapshot, name string) string {
	if snap == nil || snap.Dir == "" {
		return filepath.ToSlash(name)
	}
	if rel, err := filepath.Rel(snap.Dir, name); err == nil && !strings.HasPrefix(rel, "..") {
		return filepath.ToSlash(rel)
	}
	return filepath.ToSlash(name)
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}

func statusClassName(status int) string {
	switch {
	case status == 0:
		return "st-none"
	case status >= 500:
		return "st-5xx"
	case status >= 400:
		return "st-4xx"
	case status >= 300:
		return "st-3xx"
	}
	return "st-2xx"
}
