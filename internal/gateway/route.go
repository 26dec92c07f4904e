package gateway

import (
	"cmp"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/tollgate/tollgate/internal/config"
)

// router finds the API entity and operation for a request. It is built once
// per configuration and only read afterwards.
type router struct {
	groups []*apiGroup // by path, longest first
}

// apiGroup holds every API entity (versions and revisions) that shares one
// path.
type apiGroup struct {
	path     string   // lower-case, no leading or trailing slash
	segments []string // path split on "/", empty for the root path
	apis     []*routeAPI
	// scheme is the versioning scheme of the version set in this group, ""
	// when no API of the group is versioned.
	scheme     string
	queryName  string
	headerName string
}

// routeAPI is one API entity with its compiled operations.
type routeAPI struct {
	api        *config.API
	version    string // lower-case apiVersion, "" for the Original
	versioned  bool   // belongs to a version set
	ops        []*routeOp
	pathSuffix bool     // Segment scheme and the path already ends with the version
	backend    *url.URL // parsed serviceUrl, nil when the API has none
}

// routeOp is an operation with its URL template compiled.
type routeOp struct {
	op       *config.Operation
	route    string // "/" + the API's path + the template without its query: the span's http.route
	method   string // upper-case, "*" for any
	segs     []tmplSeg
	query    []tmplQuery // template query parameters, required for a match
	literals int
	params   int
	wildcard bool // ends in a catch-all segment
}

type tmplSeg struct {
	lit   string // literal (lower-case) when param == ""
	param string // template parameter name
	rest  bool   // {*name} or "*": matches the rest of the path
}

type tmplQuery struct {
	name  string // query parameter name as written
	param string // template parameter it binds, or "" for a literal value
	value string // literal value when param == ""
}

// match is the result of routing one request.
type match struct {
	api       *config.API
	ra        *routeAPI
	op        *config.Operation // nil when the API matched but no operation did
	route     string            // the operation's http.route, with the API's path
	rest      string            // operation-relative path (escaped), begins with "/" or is ""
	params    []param           // template parameters bound by the operation, in template order
	revision  string            // revision asked for with ;rev=N, "" when none
	versionIn string            // where the version came from: "segment", "query", "header" or ""
	// why explains a failed match for logs and traces.
	why string
}

type param struct{ name, value string }

func newRouter(apis []*config.API) (*router, error) {
	byPath := map[string]*apiGroup{}
	for _, a := range apis {
		p := strings.ToLower(strings.Trim(a.Path, "/"))
		g := byPath[p]
		if g == nil {
			g = &apiGroup{path: p}
			if p != "" {
				g.segments = strings.Split(p, "/")
			}
			byPath[p] = g
		}
		ra := &routeAPI{api: a, version: strings.ToLower(a.APIVersion), versioned: a.VersionSet != nil}
		if a.ServiceURL != "" {
			u, err := url.Parse(a.ServiceURL)
			if err != nil || u.Scheme == "" || u.Host == "" {
				return nil, fmt.Errorf("api %s: serviceUrl %q is not an absolute URL", a.ID, a.ServiceURL)
			}
			ra.backend = u
		}
		if vs := a.VersionSet; vs != nil {
			if g.scheme == "" {
				g.scheme, g.queryName, g.headerName = vs.Scheme, vs.QueryName, vs.HeaderName
			}
			if strings.EqualFold(vs.Scheme, "Segment") && ra.version != "" && len(g.segments) > 0 && g.segments[len(g.segments)-1] == ra.version {
				ra.pathSuffix = true
			}
		}
		for _, op := range a.Operations {
			ro, err := compileTemplate(op)
			if err != nil {
				return nil, fmt.Errorf("api %s operation %s: %w", a.ID, op.Name, err)
			}
			ro.route = operationRoute(a, op)
			ra.ops = append(ra.ops, ro)
		}
		// Most specific template first: literals, then fewer parameters,
		// wildcards last; the operation name breaks ties so the order is stable.
		slices.SortStableFunc(ra.ops, func(x, y *routeOp) int {
			if x.wildcard != y.wildcard {
				if x.wildcard {
					return 1
				}
				return -1
			}
			return cmp.Or(
				cmp.Compare(y.literals, x.literals),
				cmp.Compare(x.params, y.params),
				cmp.Compare(len(y.query), len(x.query)),
				cmp.Compare(x.op.Name, y.op.Name),
			)
		})
		g.apis = append(g.apis, ra)
	}
	r := &router{}
	for _, g := range byPath {
		r.groups = append(r.groups, g)
	}
	slices.SortFunc(r.groups, func(a, b *apiGroup) int {
		return cmp.Or(cmp.Compare(len(b.segments), len(a.segments)), cmp.Compare(a.path, b.path))
	})
	return r, nil
}

// compileTemplate parses an operation URL template such as
// "/customers/{cid}/orders?date={date}".
func compileTemplate(op *config.Operation) (*routeOp, error) {
	ro := &routeOp{op: op, method: strings.ToUpper(op.Method)}
	if ro.method == "" {
		ro.method = "*"
	}
	tmpl := op.URLTemplate
	pathPart, queryPart, _ := strings.Cut(tmpl, "?")
	pathPart = strings.Trim(pathPart, "/")
	if pathPart != "" {
		for s := range strings.SplitSeq(pathPart, "/") {
			switch {
			case s == "*":
				ro.segs = append(ro.segs, tmplSeg{rest: true})
				ro.wildcard = true
			case strings.HasPrefix(s, "{*") && strings.HasSuffix(s, "}"):
				ro.segs = append(ro.segs, tmplSeg{param: s[2 : len(s)-1], rest: true})
				ro.wildcard = true
				ro.params++
			case strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") && !strings.Contains(s[1:len(s)-1], "{"):
				ro.segs = append(ro.segs, tmplSeg{param: s[1 : len(s)-1]})
				ro.params++
			case strings.ContainsAny(s, "{}"):
				return nil, fmt.Errorf("url template %q: segment %q mixes text and parameters, which tollgate does not route yet", tmpl, s)
			default:
				ro.segs = append(ro.segs, tmplSeg{lit: strings.ToLower(s)})
				ro.literals++
			}
			if ro.wildcard && len(ro.segs) > 0 && !ro.segs[len(ro.segs)-1].rest {
				return nil, fmt.Errorf("url template %q: a wildcard must be the last segment", tmpl)
			}
		}
	}
	if queryPart != "" {
		for kv := range strings.SplitSeq(queryPart, "&") {
			if kv == "" {
				continue
			}
			name, val, _ := strings.Cut(kv, "=")
			q := tmplQuery{name: name}
			if strings.HasPrefix(val, "{") && strings.HasSuffix(val, "}") {
				q.param = val[1 : len(val)-1]
				ro.params++
			} else {
				q.value = val
			}
			ro.query = append(ro.query, q)
		}
	}
	return ro, nil
}

// route matches method, escaped path, query and headers to an API and
// operation. A nil result means no API matched.
func (r *router) route(method, escapedPath string, query url.Values, header func(string) string) *match {
	path := escapedPath
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	for _, g := range r.groups {
		rest, rev, ok := g.prefix(path)
		if !ok {
			continue
		}
		m := g.pick(rest, rev, query, header)
		if m == nil {
			continue
		}
		if m.api != nil {
			m.matchOperation(method, query)
			return m
		}
		return m
	}
	return nil
}

// prefix reports whether path starts with the group's path, segment-wise and
// case-insensitively, optionally followed by ";rev=N". It returns the rest of
// the path.
func (g *apiGroup) prefix(path string) (rest, rev string, ok bool) {
	rest = path // begins with "/"
	for i, seg := range g.segments {
		if !strings.HasPrefix(rest, "/") {
			return "", "", false
		}
		next := rest[1:]
		end := strings.IndexByte(next, '/')
		if end < 0 {
			end = len(next)
		}
		s := next[:end]
		if i == len(g.segments)-1 {
			if base, r, found := strings.Cut(s, ";rev="); found {
				s, rev = base, r
			}
		}
		if !strings.EqualFold(s, seg) {
			return "", "", false
		}
		rest = next[end:]
	}
	if len(g.segments) == 0 && strings.HasPrefix(rest, "/;rev=") {
		next := rest[len("/;rev="):]
		end := strings.IndexByte(next, '/')
		if end < 0 {
			end = len(next)
		}
		rev, rest = next[:end], next[end:]
	}
	return rest, rev, true
}

// pick chooses the API entity of the group for the version and revision the
// request asks for. It returns nil when the group cannot serve the request,
// so that a shorter path may still match.
func (g *apiGroup) pick(rest, rev string, query url.Values, header func(string) string) *match {
	version, from := "", ""
	afterVersion := rest
	switch strings.ToLower(g.scheme) {
	case "segment":
		if s, r := firstSegment(rest); s != "" {
			for _, a := range g.apis {
				if a.versioned && !a.pathSuffix && a.version != "" && strings.EqualFold(s, a.version) {
					version, from, afterVersion = a.version, "segment", r
					break
				}
			}
		}
	case "query":
		if v := query.Get(g.queryName); v != "" {
			version, from = strings.ToLower(v), "query"
		}
	case "header":
		if v := header(g.headerName); v != "" {
			version, from = strings.ToLower(v), "header"
		}
	}
	var buf [4]*routeAPI // most groups hold few entities: no allocation
	candidates := buf[:0]
	for _, a := range g.apis {
		if a.pathSuffix {
			// The path already carries the version segment: the entity is
			// addressed by its path alone.
			candidates = append(candidates, a)
			continue
		}
		if a.version == version || (!a.versioned && version == "") {
			candidates = append(candidates, a)
		}
	}
	if len(candidates) == 0 {
		m := &match{}
		switch {
		case version != "":
			m.why = fmt.Sprintf("the API path /%s matched, but no API in its version set has version %q (given in the %s)", g.path, version, from)
		case g.scheme != "":
			m.why = fmt.Sprintf("the API path /%s matched, but it is versioned (%s scheme%s) and the request names no known version (known: %s), and the version set has no Original version",
				g.path, g.scheme, schemeHint(g), strings.Join(g.versions(), ", "))
		default:
			return nil
		}
		return m
	}
	for _, a := range candidates {
		api := a.api
		if rev == "" && !api.IsCurrent {
			continue
		}
		if rev != "" && api.Revision != rev {
			continue
		}
		if !api.IsOnline {
			continue
		}
		return &match{api: api, ra: a, rest: afterVersion, revision: rev, versionIn: from}
	}
	m := &match{}
	if rev != "" {
		m.why = fmt.Sprintf("the API path /%s matched, but it has no online revision %s", g.path, rev)
	} else {
		m.why = fmt.Sprintf("the API path /%s matched, but no current online revision serves it", g.path)
	}
	return m
}

// versions lists the version identifiers served under the group's path.
func (g *apiGroup) versions() []string {
	var vs []string
	for _, a := range g.apis {
		if a.version != "" && !slices.Contains(vs, a.api.APIVersion) {
			vs = append(vs, a.api.APIVersion)
		}
	}
	slices.Sort(vs)
	return vs
}

func schemeHint(g *apiGroup) string {
	switch strings.ToLower(g.scheme) {
	case "query":
		return fmt.Sprintf(": add ?%s=<version>", g.queryName)
	case "header":
		return fmt.Sprintf(": add the header %s: <version>", g.headerName)
	case "segment":
		return ": add the version as the path segment after the API path"
	}
	return ""
}

func firstSegment(p string) (seg, rest string) {
	if !strings.HasPrefix(p, "/") {
		return "", p
	}
	p = p[1:]
	i := strings.IndexByte(p, '/')
	if i < 0 {
		return p, ""
	}
	return p[:i], p[i:]
}

// matchOperation finds the operation of m.api for the request.
func (m *match) matchOperation(method string, query url.Values) {
	ra := m.ra
	pathMatched := false
	for _, ro := range ra.ops {
		params, ok := ro.matchPath(m.rest, m.params[:0])
		if !ok || !ro.matchQuery(query, &params) {
			continue
		}
		pathMatched = true
		if ro.method != "*" && ro.method != method {
			continue
		}
		m.op, m.params, m.route = ro.op, params, ro.route
		return
	}
	if pathMatched {
		m.why = fmt.Sprintf("API %s has an operation for this path but none for method %s", m.api.ID, method)
	} else {
		m.why = fmt.Sprintf("API %s matched the path prefix, but no operation template matches %s %s", m.api.ID, method, orSlash(m.rest))
		if near := m.nearestTemplate(method, m.rest); near != "" {
			m.why += "; did you mean " + near + "?"
		}
	}
}

// operationRoute is op's route, as the server span's http.route and name
// give it: the API's path and the URL template without its query, so
// that it is made once, not on every traced request.
func operationRoute(a *config.API, op *config.Operation) string {
	t := op.URLTemplate
	if i := strings.IndexByte(t, '?'); i >= 0 {
		t = t[:i]
	}
	if a.Path == "" {
		return t
	}
	return "/" + a.Path + t
}

func orSlash(s string) string {
	if s == "" {
		return "/"
	}
	return s
}

func (ro *routeOp) matchPath(rest string, params []param) ([]param, bool) {
	p := strings.TrimPrefix(rest, "/")
	p = strings.TrimSuffix(p, "/")
	for _, s := range ro.segs {
		if s.rest {
			if s.param != "" {
				v, _ := url.PathUnescape(p)
				params = append(params, param{s.param, v})
			}
			return params, true
		}
		if p == "" {
			return params, false
		}
		seg, tail, _ := strings.Cut(p, "/")
		if s.param == "" {
			if !strings.EqualFold(seg, s.lit) {
				return params, false
			}
		} else {
			if seg == "" {
				return params, false
			}
			v, err := url.PathUnescape(seg)
			if err != nil {
				v = seg
			}
			params = append(params, param{s.param, v})
		}
		p = tail
	}
	return params, p == ""
}

func (ro *routeOp) matchQuery(query url.Values, params *[]param) bool {
	for _, q := range ro.query {
		vs, ok := query[q.name]
		if !ok || len(vs) == 0 {
			return false
		}
		if q.param == "" {
			if vs[0] != q.value {
				return false
			}
			continue
		}
		*params = append(*params, param{q.param, vs[0]})
	}
	return true
}

// suggest finds the URL the caller most likely meant when no API path is a
// prefix of path (escaped, beginning with "/"): the path with the missing
// leading segments of an API path added (/v1/orders for an API at api/v1),
// with extra leading segments removed (/api/orders for an API at orders), or
// with a misspelt API path corrected. A candidate counts only when it routes
// to an API; one that reaches an operation wins. It returns "" when nothing
// is close. It runs only for requests that already failed.
func (r *router) suggest(method, path string, query url.Values, header func(string) string) string {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	if len(segs) == 1 && segs[0] == "" {
		segs = nil
	}
	var candidates []string
	for _, g := range r.groups {
		gs := g.segments
		if len(gs) == 0 {
			continue
		}
		// Missing leading segments: the request starts with the API path's
		// tail (or not at all).
		for k := 1; k <= len(gs); k++ {
			if hasSegmentPrefix(segs, gs[k:]) {
				candidates = append(candidates, "/"+strings.Join(append(slices.Clone(gs[:k]), segs...), "/"))
			}
		}
		// Extra leading segments.
		for d := 1; d <= 2 && d < len(segs); d++ {
			if hasSegmentPrefix(segs[d:], gs) {
				candidates = append(candidates, "/"+strings.Join(segs[d:], "/"))
			}
		}
		// A misspelt API path: every segment equal or at most two edits
		// away, one of them different.
		if len(segs) >= len(gs) {
			differ := 0
			for i, s := range gs {
				switch d := editDistance(strings.ToLower(segs[i]), s); {
				case d == 0:
				case d <= 2 && len(s) > 2:
					differ++
				default:
					differ = 2
				}
			}
			if differ == 1 {
				candidates = append(candidates, "/"+strings.Join(append(slices.Clone(gs), segs[len(gs):]...), "/"))
			}
		}
	}
	best, bestScore := "", 0
	for _, c := range candidates {
		m := r.route(method, c, query, header)
		score := 0
		switch {
		case m == nil || m.api == nil:
			continue
		case m.op != nil:
			score = 2
		case strings.Contains(m.why, "none for method"):
			score = 1
		default:
			continue
		}
		if score > bestScore {
			best, bestScore = c, score
			if m.op != nil {
				best += fmt.Sprintf(" (API %s, operation %s)", m.api.ID, m.op.Name)
			} else {
				best += fmt.Sprintf(" (API %s, with another method)", m.api.ID)
			}
		}
	}
	return best
}

func hasSegmentPrefix(segs, prefix []string) bool {
	if len(prefix) > len(segs) {
		return false
	}
	for i, p := range prefix {
		if !strings.EqualFold(segs[i], p) {
			return false
		}
	}
	return true
}

// nearestTemplate returns the method and URL template of the API's operation
// that differs from the operation-relative path rest by one segment (one
// missing, one extra, or one misspelt literal), preferring the request's
// method and the most specific template; "" when none is that close. It
// runs only for requests that already failed.
func (m *match) nearestTemplate(method, rest string) string {
	segs := strings.Split(strings.Trim(rest, "/"), "/")
	if len(segs) == 1 && segs[0] == "" {
		segs = nil
	}
	prefix := ""
	if p := strings.Trim(m.api.Path, "/"); p != "" {
		prefix = "/" + p
	}
	var best *routeOp
	for _, ro := range m.ra.ops { // most specific first
		if ro.wildcard || templateDistance(segs, ro.segs) != 1 {
			continue
		}
		if best == nil || (best.method != method && ro.method == method) {
			best = ro
		}
	}
	if best == nil {
		return ""
	}
	tmpl, _, _ := strings.Cut(best.op.URLTemplate, "?")
	return fmt.Sprintf("%s %s/%s", best.method, prefix, strings.TrimPrefix(tmpl, "/"))
}

// templateDistance is the segment edit distance between a path and a
// template: a parameter matches any non-empty segment, a literal matches
// itself (case-insensitively) and costs 1 when misspelt by at most two
// characters, 2 otherwise.
func templateDistance(segs []string, tmpl []tmplSeg) int {
	prev := make([]int, len(tmpl)+1)
	cur := make([]int, len(tmpl)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(segs); i++ {
		cur[0] = i
		for j := 1; j <= len(tmpl); j++ {
			t, s := tmpl[j-1], segs[i-1]
			sub := 0
			switch {
			case t.param != "":
				if s == "" {
					sub = 1
				}
			case strings.EqualFold(s, t.lit):
			case editDistance(strings.ToLower(s), t.lit) <= 2:
				sub = 1
			default:
				sub = 2
			}
			cur[j] = min(prev[j-1]+sub, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(tmpl)]
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			sub := 1
			if a[i-1] == b[j-1] {
				sub = 0
			}
			cur[j] = min(prev[j-1]+sub, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
