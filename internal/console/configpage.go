package console

import (
	"bytes"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/diag"
	"github.com/tollgate/tollgate/internal/policy"
)

// The configuration pages never show a subscription key or the value of a
// secret named value: the effective policy shows secrets as their
// {{reference}}, as `tollgate effective` does, and file pages mask any
// secret the configuration holds.

type apiRow struct {
	ID, Name, DisplayName, Path, Version, Revision string
	Current, Online                                bool
	Operations                                     int
	Products                                       []string
}

type productRow struct {
	Name, DisplayName, State string
	SubscriptionRequired     bool
	APIs                     []string
	Policy                   string // link to its policy file, "" when none
}

type subscriptionRow struct {
	Name, DisplayName, Scope, State string
	AllowTracing                    bool
}

type finding struct {
	Severity string
	Where    string
	Link     string
	Code     string
	Message  string
	Notes    []string
}

type configData struct {
	Dir           string
	Layout        string
	APIs          []apiRow
	Products      []productRow
	Subscriptions []subscriptionRow
	Findings      []finding
	Errors        int
	Warnings      int
	Live          *LiveConfig
}

func (c *console) configIndex(w http.ResponseWriter, r *http.Request) {
	snap := c.snapshot()
	if snap == nil {
		c.fail(w, http.StatusServiceUnavailable, "No configuration", "The gateway has no configuration loaded yet.")
		return
	}
	d := configData{Dir: snap.Dir, Layout: string(snap.Layout)}
	if c.opts.Live != nil {
		l := c.opts.Live()
		d.Live = &l
	}
	for _, a := range snap.APIs {
		d.APIs = append(d.APIs, apiRowOf(a))
	}
	names := make([]string, 0, len(snap.Products))
	for n := range snap.Products {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		p := snap.Products[n]
		pr := productRow{Name: p.Name, DisplayName: p.DisplayName, State: p.State, SubscriptionRequired: p.SubscriptionRequired, APIs: p.APIs}
		if p.Policy != nil {
			pr.Policy = "/config/files/" + escapePath(relPath(snap, p.Policy.Name))
		}
		d.Products = append(d.Products, pr)
	}
	for _, s := range snap.Subscriptions {
		d.Subscriptions = append(d.Subscriptions, subscriptionRow{Name: s.Name, DisplayName: s.DisplayName, Scope: s.Scope, State: s.State, AllowTracing: s.AllowTracing})
	}
	for _, f := range c.findings(snap) {
		d.Findings = append(d.Findings, findingOf(snap, f))
		switch f.Severity {
		case diag.Error:
			d.Errors++
		case diag.Warning:
			d.Warnings++
		}
	}
	c.render(w, http.StatusOK, "config", page{Title: "Configuration", Nav: "config", Data: d})
}

func apiRowOf(a *config.API) apiRow {
	row := apiRow{ID: a.ID, Name: a.Name, DisplayName: a.DisplayName, Path: a.Path, Revision: a.Revision, Current: a.IsCurrent, Online: a.IsOnline, Operations: len(a.Operations)}
	if a.VersionSet != nil {
		row.Version = a.VersionSet.DisplayName + " " + orDash(a.APIVersion)
	} else if a.VersionSetID != "" {
		row.Version = a.VersionSetID + " " + orDash(a.APIVersion)
	}
	for _, p := range a.Products {
		row.Products = append(row.Products, p.Name)
	}
	return row
}

func findingOf(snap *config.Snapshot, d diag.Diagnostic) finding {
	p := d.Position()
	f := finding{Severity: d.Severity.String(), Code: d.Code, Message: d.Message, Notes: d.Notes}
	if p.Filename != "" {
		f.Where = relPath(snap, p.Filename)
		if p.Line > 0 {
			f.Where += ":" + strconv.Itoa(p.Line)
			if p.Column > 0 {
				f.Where += ":" + strconv.Itoa(p.Column)
			}
			if policyFile(snap, p.Filename) != nil {
				f.Link = "/config/files/" + escapePath(relPath(snap, p.Filename)) + "#L" + strconv.Itoa(p.Line)
			}
		}
	}
	return f
}

type opRow struct {
	Name, DisplayName, Method, Template, Link string
	HasPolicy                                 bool
}

type apiData struct {
	API        apiRow
	ServiceURL string
	Key        string // where the key is read: header and query names
	Revisions  []apiRow
	Versions   []apiRow
	Operations []opRow
	Policy     string // link to the API's policy file
	Effective  *effectiveView
	Findings   []finding
}

func (c *console) configAPI(w http.ResponseWriter, r *http.Request) {
	snap := c.snapshot()
	a := apiOf(snap, r.PathValue("api"))
	if a == nil {
		c.notFound(w, r, "The configuration has no API "+r.PathValue("api")+".")
		return
	}
	d := apiData{API: apiRowOf(a), ServiceURL: withoutUserinfo(a.ServiceURL)}
	if a.SubscriptionRequired {
		d.Key = "header " + a.KeyHeader + " or query parameter " + a.KeyQuery
	}
	for _, o := range snap.APIs {
		if o.Name == a.Name && o.ID != a.ID {
			d.Revisions = append(d.Revisions, apiRowOf(o))
		}
		if a.VersionSetID != "" && o.VersionSetID == a.VersionSetID && o.Name != a.Name {
			d.Versions = append(d.Versions, apiRowOf(o))
		}
	}
	for _, o := range a.Operations {
		d.Operations = append(d.Operations, opRow{Name: o.Name, DisplayName: o.DisplayName, Method: o.Method, Template: o.URLTemplate, HasPolicy: o.Policy != nil,
			Link: "/config/apis/" + url.PathEscape(a.ID) + "/operations/" + url.PathEscape(o.Name)})
	}
	if a.Policy != nil {
		d.Policy = "/config/files/" + escapePath(relPath(snap, a.Policy.Name))
	}
	product := productOf(snap, a, r.URL.Query())
	d.Effective = c.effectiveView(snap, a, nil, product, "/config/apis/"+url.PathEscape(a.ID))
	d.Findings = c.fileFindings(snap, filesOf(a, nil, product, snap))
	c.render(w, http.StatusOK, "api", page{Title: "API " + a.ID, Nav: "config", Data: d})
}

type operationData struct {
	API       apiRow
	Op        opRow
	Effective *effectiveView
	Findings  []finding
}

func (c *console) configOperation(w http.ResponseWriter, r *http.Request) {
	snap := c.snapshot()
	a := apiOf(snap, r.PathValue("api"))
	if a == nil {
		c.notFound(w, r, "The configuration has no API "+r.PathValue("api")+".")
		return
	}
	var op *config.Operation
	for _, o := range a.Operations {
		if o.Name == r.PathValue("operation") {
			op = o
		}
	}
	if op == nil {
		c.notFound(w, r, "API "+a.ID+" has no operation "+r.PathValue("operation")+".")
		return
	}
	product := productOf(snap, a, r.URL.Query())
	base := "/config/apis/" + url.PathEscape(a.ID) + "/operations/" + url.PathEscape(op.Name)
	d := operationData{API: apiRowOf(a), Op: opRow{Name: op.Name, DisplayName: op.DisplayName, Method: op.Method, Template: op.URLTemplate, HasPolicy: op.Policy != nil, Link: base}}
	d.Effective = c.effectiveView(snap, a, op, product, base)
	d.Findings = c.fileFindings(snap, filesOf(a, op, product, snap))
	c.render(w, http.StatusOK, "operation", page{Title: a.ID + " · " + op.Name, Nav: "config", Data: d})
}

func apiOf(snap *config.Snapshot, id string) *config.API {
	if snap == nil {
		return nil
	}
	return snap.APIByID(id)
}

// productOf reads ?product=NAME; without it the first product that
// contains the API applies, and ?product= (empty) means none.
func productOf(snap *config.Snapshot, a *config.API, q url.Values) *config.Product {
	if vs, ok := q["product"]; ok {
		if vs[0] == "" {
			return nil
		}
		return snap.Products[vs[0]]
	}
	if len(a.Products) > 0 {
		return a.Products[0]
	}
	return nil
}

// filesOf lists the policy files a composition reads.
func filesOf(a *config.API, op *config.Operation, p *config.Product, snap *config.Snapshot) []*diag.File {
	var out []*diag.File
	add := func(f *diag.File) {
		if f != nil {
			out = append(out, f)
		}
	}
	add(snap.GlobalPolicy)
	if p != nil {
		add(p.Policy)
	}
	add(a.Policy)
	if op != nil {
		add(op.Policy)
	}
	return out
}

// fileFindings returns the check findings in files.
func (c *console) fileFindings(snap *config.Snapshot, files []*diag.File) []finding {
	var out []finding
	for _, d := range c.findings(snap) {
		name := d.Position().Filename
		for _, f := range files {
			if f.Name == name {
				out = append(out, findingOf(snap, d))
				break
			}
		}
	}
	return out
}

// effectiveView is an effective policy as the console draws it.
type effectiveView struct {
	Products []choice // the product picker
	Docs     []scopeDoc
	Sections []sectionView
	// Text is the whole policy, when it could not be split by statement.
	Text        string
	Diagnostics []finding
}

type choice struct {
	Name, Link string
	Current    bool
}

type scopeDoc struct {
	Scope, File, Link string
}

type sectionView struct {
	Name     string
	Elements []elementView
}

type elementView struct {
	Scope    string // global, product, api, operation or fragment
	Origin   string // "product: products/gold/policy.xml:3"
	Where    string
	Link     string
	Text     string
	Findings []finding
}

func (c *console) effectiveView(snap *config.Snapshot, a *config.API, op *config.Operation, product *config.Product, base string) *effectiveView {
	if snap.Policies == nil {
		return nil
	}
	v := &effectiveView{}
	v.Products = append(v.Products, choice{Name: "(no product)", Link: base + "?product=", Current: product == nil})
	for _, p := range a.Products {
		v.Products = append(v.Products, choice{Name: p.Name, Link: base + "?product=" + url.QueryEscape(p.Name), Current: product != nil && product.Name == p.Name})
	}
	eff := snap.Policies.Effective(a, op, product)
	for i, d := range eff.Docs {
		sd := scopeDoc{Scope: policy.Scope(i).String(), File: "(none)"}
		if d != nil && d.File != nil {
			sd.File = relPath(snap, d.File.Name)
			if policyFile(snap, d.File.Name) != nil {
				sd.Link = "/config/files/" + escapePath(sd.File)
			}
		} else if d != nil && i == 0 {
			sd.File = "(APIM's default global policy)"
		}
		v.Docs = append(v.Docs, sd)
	}
	for _, d := range eff.Diagnostics {
		v.Diagnostics = append(v.Diagnostics, findingOf(snap, d))
	}
	var buf bytes.Buffer
	if err := eff.Format(&buf); err != nil {
		v.Text = err.Error()
		return v
	}
	sections, ok := splitEffective(buf.String(), eff)
	if !ok {
		v.Text = buf.String()
		return v
	}
	findings := c.findings(snap)
	for si, s := range policy.AllSections() {
		sv := sectionView{Name: s.String()}
		for k, st := range eff.Sections[s] {
			ev := elementView{Scope: st.Scope.String(), Where: relWhere(snap, st.Where), Text: sections[si][k]}
			if st.Fragment != "" {
				ev.Scope = "fragment"
				ev.Origin = st.Scope.String() + " via fragment " + st.Fragment
			} else {
				ev.Origin = st.Scope.String()
			}
			ev.Link = fileLink(snap, st.Where)
			start, end := st.Span().Pos(), st.Span().EndPos()
			for _, f := range findings {
				p := f.Position()
				if p.Filename == start.Filename && p.Line >= start.Line && p.Line <= end.Line {
					ev.Findings = append(ev.Findings, findingOf(snap, f))
				}
			}
			sv.Elements = append(sv.Elements, ev)
		}
		v.Sections = append(v.Sections, sv)
	}
	return v
}

// splitEffective cuts the text Effective.Format prints into one piece per
// top-level statement of each section. It reports false when the text
// does not have the statements eff has.
func splitEffective(text string, eff *policy.Effective) ([4][]string, bool) {
	var out [4][]string
	section := -1
	var cur *strings.Builder
	flush := func() {
		if cur != nil && section >= 0 {
			out[section] = append(out[section], strings.TrimRight(cur.String(), "\n"))
		}
		cur = nil
	}
	names := map[string]int{}
	for i, s := range policy.AllSections() {
		names[s.String()] = i
	}
	for _, line := range strings.Split(text, "\n") {
		switch {
		case strings.HasPrefix(line, "\t<") && !strings.HasPrefix(line, "\t\t"):
			flush()
			name := strings.Trim(line[1:], "</> ")
			if i, ok := names[name]; ok && !strings.HasPrefix(line, "\t</") && !strings.HasSuffix(line, "/>") {
				section = i
			} else {
				section = -1
			}
		case strings.HasPrefix(line, "\t\t<!-- ") && !strings.HasPrefix(line, "\t\t\t") && section >= 0:
			flush()
			cur = &strings.Builder{}
		case cur != nil && strings.HasPrefix(line, "\t\t"):
			cur.WriteString(line[2:])
			cur.WriteByte('\n')
		}
	}
	flush()
	for i, s := range policy.AllSections() {
		if len(out[i]) != len(eff.Sections[s]) {
			return out, false
		}
	}
	return out, true
}

func relWhere(snap *config.Snapshot, where string) string {
	m := whereRE.FindStringSubmatch(where)
	if m == nil {
		return where
	}
	return relPath(snap, m[1]) + where[len(m[1]):]
}

// withoutUserinfo drops user:password@ from a URL.
func withoutUserinfo(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	u.User = nil
	return u.String()
}

// policyFile returns the policy document of snap whose name (as loaded,
// or relative to the folder) is name.
func policyFile(snap *config.Snapshot, name string) *diag.File {
	if snap == nil || name == "" {
		return nil
	}
	match := func(f *diag.File) bool {
		return f != nil && (f.Name == name || relPath(snap, f.Name) == name)
	}
	if match(snap.GlobalPolicy) {
		return snap.GlobalPolicy
	}
	for _, p := range snap.Products {
		if match(p.Policy) {
			return p.Policy
		}
	}
	for _, a := range snap.APIs {
		if match(a.Policy) {
			return a.Policy
		}
		for _, o := range a.Operations {
			if match(o.Policy) {
				return o.Policy
			}
		}
	}
	for _, f := range snap.Fragments {
		if match(f.Policy) {
			return f.Policy
		}
	}
	return nil
}

type fileData struct {
	Path     string
	Lines    []fileLine
	Findings []finding
}

type fileLine struct {
	N        int
	Text     string
	Findings []finding
}

// maxFileLines bounds the lines a file page shows.
const maxFileLines = 20000

func (c *console) configFile(w http.ResponseWriter, r *http.Request) {
	snap := c.snapshot()
	name := r.PathValue("path")
	f := policyFile(snap, name)
	if f == nil {
		c.notFound(w, r, "The console shows the configuration's policy documents; "+name+" is not one of them.")
		return
	}
	text := secretMasker(snap).Replace(string(f.Src))
	d := fileData{Path: relPath(snap, f.Name)}
	byLine := map[int][]finding{}
	for _, x := range c.findings(snap) {
		if x.Position().Filename == f.Name {
			fd := findingOf(snap, x)
			d.Findings = append(d.Findings, fd)
			byLine[x.Position().Line] = append(byLine[x.Position().Line], fd)
		}
	}
	for i, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		if i == maxFileLines {
			break
		}
		d.Lines = append(d.Lines, fileLine{N: i + 1, Text: strings.TrimRight(line, "\r"), Findings: byLine[i+1]})
	}
	c.render(w, http.StatusOK, "file", page{Title: d.Path, Nav: "config", Data: d})
}

// secretMasker replaces every subscription key and secret named value of
// snap with ***.
func secretMasker(snap *config.Snapshot) *strings.Replacer {
	var pairs []string
	add := func(s string) {
		if len(s) >= 4 {
			pairs = append(pairs, s, masked)
		}
	}
	for _, s := range snap.Subscriptions {
		add(s.PrimaryKey)
		add(s.SecondaryKey)
	}
	for _, nv := range snap.NamedValues {
		if nv.Secret {
			add(nv.Value)
		}
	}
	return strings.NewReplacer(pairs...)
}
