package config

import (
	"cmp"
	"slices"
	"strings"

	"github.com/tollgate/tollgate/internal/diag"
)

// Default subscription key parameter names (§1.3).
const (
	DefaultKeyHeader = "Ocp-Apim-Subscription-Key"
	DefaultKeyQuery  = "subscription-key"
)

// apiFolder is one folder of apis/ before it becomes an API.
type apiFolder struct {
	id, name, suffix string
	file             *diag.File
	props            *node
	current          bool
	currentNode      *node
}

// splitRevision splits "orders;rev=2" into "orders" and "2".
func splitRevision(id string) (name, rev string) {
	if i := strings.Index(id, ";rev="); i >= 0 {
		return id[:i], id[i+len(";rev="):]
	}
	return id, ""
}

// loadAPIs reads apis/, pairs revisions with their current revision,
// resolves version sets, reads operations and checks routing conflicts.
func (l *loader) loadAPIs() {
	var folders []*apiFolder
	byName := map[string][]*apiFolder{}
	for _, id := range l.subdirs("apis") {
		name, suffix := splitRevision(id)
		f, props, ok := l.readInfo("apis", id, "apiInformation.json")
		if f == nil {
			l.missingInfo("apiInformation.json", "apis", id)
			continue
		}
		if !ok {
			continue
		}
		props = l.override("apis", id, props)
		af := &apiFolder{id: id, name: name, suffix: suffix, file: f, props: props}
		af.current, af.currentNode = l.boolean(props, "isCurrent", suffix == "")
		if suffix != "" && !isDigits(suffix) {
			l.diags.Warnf(fileSpan(f), "invalid-field", "api folder %q has a revision suffix that is not a number", id)
		}
		folders = append(folders, af)
		byName[name] = append(byName[name], af)
	}
	for _, name := range sortedKeys(byName) {
		group := byName[name]
		var cur *apiFolder
		for _, af := range group {
			if !af.current {
				continue
			}
			if cur == nil {
				cur = af
				continue
			}
			l.diags.Errorf(at(af.currentNode, af.file), "duplicate-current-revision",
				"api %s has two current revisions: %s and %s", name, cur.id, af.id).Notes =
				[]string{"exactly one revision of an API has isCurrent true; the other revisions are reached with ;rev=N"}
		}
		if cur == nil {
			af := group[0]
			l.diags.Errorf(at(af.currentNode, af.file), "missing-current-revision",
				"api %s has no current revision: folder %s is not current and no folder apis/%s holds the current one", name, af.id, name)
			continue
		}
		for _, af := range group {
			if af != cur {
				af.props = inheritShared(af.props, cur.props)
			}
		}
	}
	for _, af := range folders {
		l.snap.APIs = append(l.snap.APIs, l.buildAPI(af))
	}
	slices.SortFunc(l.snap.APIs, func(a, b *API) int { return cmp.Compare(a.ID, b.ID) })
	l.checkRoutes(folders)
}

// inheritShared returns props with the fields a non-current revision shares
// with the current one taken from cur where props lacks them.
func inheritShared(props, cur *node) *node {
	out := *props
	out.keys = append([]*node(nil), props.keys...)
	out.elems = append([]*node(nil), props.elems...)
	// The fields revisions share with the current revision (§10.1).
	shared := [...]string{
		"path", "apiVersion", "apiVersionSetId", "subscriptionRequired",
		"subscriptionKeyParameterNames", "displayName", "description",
		"protocols", "type", "apiType", "serviceUrl", "translateRequiredQueryParameters",
	}
	for _, k := range shared {
		if props.has(k) || !cur.has(k) {
			continue
		}
		out.keys = append(out.keys, &node{kind: kString, text: k, file: cur.file})
		out.elems = append(out.elems, cur.get(k))
	}
	return &out
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// buildAPI turns one folder into an API entity.
func (l *loader) buildAPI(af *apiFolder) *API {
	p := af.props
	a := &API{ID: af.id, Name: af.name, IsCurrent: af.current, Info: fileSpan(af.file)}
	a.DiagnosticEntities = l.readDiagnostics("apis", af.id, "diagnostics")
	a.DisplayName, _ = l.str(p, "displayName")
	if a.DisplayName == "" {
		a.DisplayName = af.name
	}
	a.Description, _ = l.str(p, "description")
	path, _ := l.str(p, "path")
	a.Path = strings.Trim(path, "/")
	a.ServiceURL, _ = l.str(p, "serviceUrl")
	for _, s := range l.strList(p, "protocols") {
		a.Protocols = append(a.Protocols, strings.ToLower(s))
	}
	rev, rn := l.str(p, "apiRevision")
	switch {
	case rev == "" && af.suffix != "":
		rev = af.suffix
	case rev == "":
		rev = "1"
	case af.suffix != "" && rev != af.suffix:
		l.diags.Warnf(rn.span(), "invalid-field", "api folder %s says revision %s but apiRevision is %q; using %q", af.id, af.suffix, rev, rev)
	}
	a.Revision = rev
	a.IsOnline, _ = l.boolean(p, "isOnline", true)
	a.APIVersion, _ = l.str(p, "apiVersion")
	vsRef, vsn := l.str(p, "apiVersionSetId")
	if vsRef != "" {
		a.VersionSetID = lastSegment(vsRef)
		a.VersionSet = l.snap.VersionSets[a.VersionSetID]
		if a.VersionSet == nil && vsn.file == af.file { // an inherited reference is reported once, for the current revision
			l.diags.Errorf(vsn.span(), "unknown-version-set", "api %s is in version set %q, which does not exist", af.id, a.VersionSetID)
		}
	}
	a.SubscriptionRequired, _ = l.boolean(p, "subscriptionRequired", true)
	a.KeyHeader, a.KeyQuery = DefaultKeyHeader, DefaultKeyQuery
	if kp := l.object(p, "subscriptionKeyParameterNames"); kp != nil {
		if s, _ := l.str(kp, "header"); s != "" {
			a.KeyHeader = s
		}
		if s, _ := l.str(kp, "query"); s != "" {
			a.KeyQuery = s
		}
	}
	a.Type, _ = l.str(p, "type")
	if a.Type == "" {
		a.Type, _ = l.str(p, "apiType")
	}
	a.Type = strings.ToLower(a.Type)
	if a.Type == "" {
		a.Type = "http"
	}
	translate, tn := l.str(p, "translateRequiredQueryParameters")
	switch strings.ToLower(translate) {
	case "", "template":
		a.RequiredQueryInTemplate = true
	case "query":
	default:
		l.diags.Errorf(tn.span(), "invalid-field", "translateRequiredQueryParameters is %q; expected template or query", translate)
		a.RequiredQueryInTemplate = true
	}
	a.Policy = l.readPolicy("apis", af.id, "policy.xml")
	l.loadOperations(a)
	return a
}

// routeKey is what selects a among the APIs (§1.2): its path, plus the
// version as a path segment (Segment scheme) or as a query or header value.
// The Original version of a set (no apiVersion) is reached by path alone.
func routeKey(a *API) string {
	path := strings.ToLower(a.Path)
	switch {
	case a.APIVersion == "" || a.VersionSet == nil:
		return path
	case a.VersionSet.Scheme == "Segment":
		return strings.Trim(path+"/"+strings.ToLower(a.APIVersion), "/")
	default:
		return path + "\x00" + a.VersionSet.Scheme + "=" + a.APIVersion
	}
}

// checkRoutes reports current, online APIs that a request could not tell
// apart: same path and version.
func (l *loader) checkRoutes(folders []*apiFolder) {
	props := map[string]*apiFolder{}
	for _, af := range folders {
		props[af.id] = af
	}
	seen := map[string]*API{}
	names := map[string]bool{} // one current revision per API; duplicates are reported already
	for _, a := range l.snap.APIs {
		if !a.IsCurrent || !a.IsOnline || names[a.Name] {
			continue
		}
		names[a.Name] = true
		key := routeKey(a)
		prev := seen[key]
		if prev == nil {
			seen[key] = a
			continue
		}
		af := props[a.ID]
		l.diags.Errorf(at(af.props.get("path"), af.file), "ambiguous-route",
			"apis %s and %s both answer requests for %s; a request cannot be routed to one of them", prev.ID, a.ID, describeRoute(a))
	}
}

// describeRoute says in words which requests reach a.
func describeRoute(a *API) string {
	path := "/" + a.Path
	switch {
	case a.APIVersion == "" || a.VersionSet == nil:
		return path
	case a.VersionSet.Scheme == "Segment":
		return strings.TrimSuffix(path, "/") + "/" + a.APIVersion
	case a.VersionSet.Scheme == "Query":
		return path + "?" + a.VersionSet.QueryName + "=" + a.APIVersion
	default:
		return path + " with header " + a.VersionSet.HeaderName + ": " + a.APIVersion
	}
}
