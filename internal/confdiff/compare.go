package confdiff

import (
	"cmp"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/tollgate/tollgate/internal/config"
)

// Kind says how an entity changed.
type Kind int

const (
	Added Kind = iota
	Removed
	Changed
)

func (k Kind) String() string {
	switch k {
	case Added:
		return "added"
	case Removed:
		return "removed"
	}
	return "changed"
}

// Change is one entity added, removed or changed.
type Change struct {
	Kind Kind
	// Name names the entity: "orders", or "orders get-order" for an
	// operation.
	Name string
	// Details describe it: for an added entity, what callers get; for a
	// changed one, each property that changed ("path: "a" -> "b""). A
	// removed entity has none.
	Details []string
}

// Section is the changes of one kind of entity, sorted by name.
type Section struct {
	Title   string // "APIs", "Operations", ...
	Noun    string // "API", "operation", ... for table headings
	Changes []Change
}

// PolicyChange is one difference of effective policies, shared by every
// context that shows it.
type PolicyChange struct {
	Contexts []Context
	// Diff is the unified diff of the composed policy of the first
	// context; the others differ the same way.
	Diff string
}

// Context names one composition of an effective policy.
type Context struct {
	API       string // API ID
	Operation string
	Product   string // "" for calls without a product context
}

func (c Context) String() string {
	s := c.API + " " + c.Operation
	if c.Product == "" {
		return s + " (no product)"
	}
	return s + " (product " + c.Product + ")"
}

// Report is what changes for callers between two configurations.
type Report struct {
	A, B string // the names of the sides

	// Sections hold the entity changes: APIs, operations, products,
	// subscriptions, named values and backends, in that order. A section
	// without changes is present with no Changes.
	Sections []Section
	// Policies are the differences of effective policies.
	Policies []PolicyChange
	// NewFindings are found in B and not in A; FixedFindings in A and not
	// in B. Each is positioned in the side it was found in.
	NewFindings, FixedFindings []Finding
}

// Empty reports whether the two configurations are the same for callers.
func (r *Report) Empty() bool {
	for _, s := range r.Sections {
		if len(s.Changes) > 0 {
			return false
		}
	}
	return len(r.Policies) == 0 && len(r.NewFindings) == 0 && len(r.FixedFindings) == 0
}

// Compare reports what changes for callers from a to b. Both snapshots must
// have their Policies loaded.
func Compare(a, b *Side) *Report {
	r := &Report{A: a.Name, B: b.Name}
	sa, sb := a.Snapshot, b.Snapshot
	r.Sections = []Section{
		{Title: "APIs", Noun: "API", Changes: compareAPIs(sa, sb)},
		{Title: "Operations", Noun: "Operation", Changes: compareOperations(sa, sb)},
		{Title: "Products", Noun: "Product", Changes: compareMaps(sa.Products, sb.Products, describeProduct, compareProduct)},
		{Title: "Subscriptions", Noun: "Subscription", Changes: compareMaps(byName(sa.Subscriptions), byName(sb.Subscriptions), describeSubscription, compareSubscription)},
		{Title: "Named values", Noun: "Named value", Changes: compareMaps(sa.NamedValues, sb.NamedValues, describeNamedValue, compareNamedValue)},
		{Title: "Backends", Noun: "Backend", Changes: compareMaps(sa.Backends, sb.Backends, describeBackend, compareBackend)},
	}
	r.Policies = comparePolicies(a, b)
	r.NewFindings = findingsOnlyIn(b.Findings, a.Findings)
	r.FixedFindings = findingsOnlyIn(a.Findings, b.Findings)
	return r
}

// findingsOnlyIn returns the findings of x that y does not have, counting
// repeated findings.
func findingsOnlyIn(x, y []Finding) []Finding {
	seen := map[string]int{}
	for _, f := range y {
		seen[f.key()]++
	}
	var out []Finding
	for _, f := range x {
		if seen[f.key()] > 0 {
			seen[f.key()]--
			continue
		}
		out = append(out, f)
	}
	slices.SortStableFunc(out, func(p, q Finding) int {
		return cmp.Or(cmp.Compare(p.File, q.File), cmp.Compare(p.Line, q.Line), cmp.Compare(p.Column, q.Column))
	})
	return out
}

// compareMaps compares two sets of entities by name: describe summarises an
// added one, compare lists the changes of one on both sides.
func compareMaps[T any](a, b map[string]T, describe func(T) []string, compare func(a, b T) []string) []Change {
	names := slices.Sorted(maps.Keys(a))
	for name := range b {
		if _, ok := a[name]; !ok {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	var out []Change
	for _, name := range names {
		x, inA := a[name]
		y, inB := b[name]
		switch {
		case !inB:
			out = append(out, Change{Kind: Removed, Name: name})
		case !inA:
			out = append(out, Change{Kind: Added, Name: name, Details: describe(y)})
		default:
			if d := compare(x, y); len(d) > 0 {
				out = append(out, Change{Kind: Changed, Name: name, Details: d})
			}
		}
	}
	return out
}

func byName(subs []*config.Subscription) map[string]*config.Subscription {
	m := make(map[string]*config.Subscription, len(subs))
	for _, s := range subs {
		m[s.Name] = s
	}
	return m
}

// changes collects "property: old -> new" lines.
type changes []string

func (c *changes) str(name, a, b string) {
	if a != b {
		*c = append(*c, fmt.Sprintf("%s: %q -> %q", name, a, b))
	}
}

func (c *changes) boolean(name string, a, b bool) {
	if a != b {
		*c = append(*c, fmt.Sprintf("%s: %t -> %t", name, a, b))
	}
}

// list reports the members added to and removed from a list.
func (c *changes) list(name string, a, b []string) {
	var added, removed []string
	for _, x := range b {
		if !slices.Contains(a, x) {
			added = append(added, "+"+x)
		}
	}
	for _, x := range a {
		if !slices.Contains(b, x) {
			removed = append(removed, "-"+x)
		}
	}
	if len(added)+len(removed) > 0 {
		*c = append(*c, name+": "+strings.Join(append(added, removed...), " "))
	}
}

// secret reports that a secret changed without showing it.
func (c *changes) secret(name string, changed bool) {
	if changed {
		*c = append(*c, name+" changed")
	}
}

func apisByID(s *config.Snapshot) map[string]*config.API {
	m := make(map[string]*config.API, len(s.APIs))
	for _, a := range s.APIs {
		m[a.ID] = a
	}
	return m
}

func compareAPIs(a, b *config.Snapshot) []Change {
	return compareMaps(apisByID(a), apisByID(b), describeAPI, compareAPI)
}

func describeAPI(a *config.API) []string {
	d := []string{fmt.Sprintf("path %q", a.Path)}
	if a.ServiceURL != "" {
		d = append(d, fmt.Sprintf("service URL %q", a.ServiceURL))
	}
	if a.VersionSetID != "" {
		d = append(d, fmt.Sprintf("version %q of %s", a.APIVersion, a.VersionSetID))
	}
	if !a.SubscriptionRequired {
		d = append(d, "no subscription required")
	} else if a.KeyHeader != config.DefaultKeyHeader || a.KeyQuery != config.DefaultKeyQuery {
		d = append(d, fmt.Sprintf("key in header %q or query parameter %q", a.KeyHeader, a.KeyQuery))
	}
	return append(d, plural(len(a.Operations), "operation"))
}

func compareAPI(a, b *config.API) []string {
	var c changes
	c.str("display name", a.DisplayName, b.DisplayName)
	c.str("path", a.Path, b.Path)
	c.str("service URL", a.ServiceURL, b.ServiceURL)
	c.list("protocols", a.Protocols, b.Protocols)
	c.str("type", a.Type, b.Type)
	c.str("revision", a.Revision, b.Revision)
	c.boolean("current", a.IsCurrent, b.IsCurrent)
	c.boolean("online", a.IsOnline, b.IsOnline)
	c.str("version set", a.VersionSetID, b.VersionSetID)
	c.str("version", a.APIVersion, b.APIVersion)
	c.boolean("subscription required", a.SubscriptionRequired, b.SubscriptionRequired)
	c.str("key header", a.KeyHeader, b.KeyHeader)
	c.str("key query parameter", a.KeyQuery, b.KeyQuery)
	c.list("products", productNames(a.Products), productNames(b.Products))
	return c
}

func productNames(ps []*config.Product) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Name)
	}
	return out
}

// compareOperations compares the operations of the APIs on both sides; the
// operations of an added or removed API are counted in its own change.
func compareOperations(a, b *config.Snapshot) []Change {
	apisB := apisByID(b)
	var out []Change
	for _, x := range a.APIs {
		y := apisB[x.ID]
		if y == nil {
			continue
		}
		for _, c := range compareMaps(operationsByName(x), operationsByName(y), describeOperation, compareOperation) {
			c.Name = x.ID + " " + c.Name
			out = append(out, c)
		}
	}
	return out
}

func operationsByName(a *config.API) map[string]*config.Operation {
	m := make(map[string]*config.Operation, len(a.Operations))
	for _, o := range a.Operations {
		m[o.Name] = o
	}
	return m
}

func describeOperation(o *config.Operation) []string {
	return []string{o.Method + " " + o.URLTemplate}
}

func compareOperation(a, b *config.Operation) []string {
	var c changes
	c.str("display name", a.DisplayName, b.DisplayName)
	c.str("method", a.Method, b.Method)
	c.str("URL template", a.URLTemplate, b.URLTemplate)
	c.list("parameters", parameters(a.Parameters), parameters(b.Parameters))
	c.list("responses", responses(a), responses(b))
	return c
}

func parameters(ps []config.Parameter) []string {
	var out []string
	for _, p := range ps {
		s := p.In + " " + p.Name
		if p.Required {
			s += " (required)"
		}
		out = append(out, s)
	}
	return out
}

func responses(o *config.Operation) []string {
	var out []string
	for _, r := range o.Responses {
		out = append(out, strconv.Itoa(r.Status))
	}
	if o.DefaultResponse != nil {
		out = append(out, "default")
	}
	return out
}

func describeProduct(p *config.Product) []string {
	d := []string{"state " + p.State}
	if !p.SubscriptionRequired {
		d = append(d, "no subscription required")
	}
	if len(p.APIs) > 0 {
		d = append(d, "APIs "+strings.Join(p.APIs, ", "))
	}
	return d
}

func compareProduct(a, b *config.Product) []string {
	var c changes
	c.str("display name", a.DisplayName, b.DisplayName)
	c.str("state", a.State, b.State)
	c.boolean("subscription required", a.SubscriptionRequired, b.SubscriptionRequired)
	c.boolean("approval required", a.ApprovalRequired, b.ApprovalRequired)
	c.str("subscriptions limit", limit(a.SubscriptionsLimit), limit(b.SubscriptionsLimit))
	c.list("APIs", a.APIs, b.APIs)
	c.list("groups", a.Groups, b.Groups)
	return c
}

func limit(n *int) string {
	if n == nil {
		return "none"
	}
	return strconv.Itoa(*n)
}

func describeSubscription(s *config.Subscription) []string {
	return []string{"scope " + s.Scope, "state " + s.State}
}

func compareSubscription(a, b *config.Subscription) []string {
	var c changes
	c.str("display name", a.DisplayName, b.DisplayName)
	c.str("scope", a.Scope, b.Scope)
	c.str("state", a.State, b.State)
	c.boolean("allow tracing", a.AllowTracing, b.AllowTracing)
	c.str("owner", a.OwnerID, b.OwnerID)
	c.secret("primary key", a.PrimaryKey != b.PrimaryKey)
	c.secret("secondary key", a.SecondaryKey != b.SecondaryKey)
	return c
}

func describeNamedValue(nv *config.NamedValue) []string {
	d := []string{fmt.Sprintf("{{%s}}", nv.DisplayName)}
	if nv.Secret {
		d = append(d, "secret")
	}
	if nv.KeyVault != "" {
		d = append(d, "Key Vault "+nv.KeyVault)
	}
	return d
}

func compareNamedValue(a, b *config.NamedValue) []string {
	var c changes
	c.str("display name", a.DisplayName, b.DisplayName)
	c.boolean("secret", a.Secret, b.Secret)
	if a.Secret || b.Secret || a.KeyVault != "" || b.KeyVault != "" {
		c.secret("value", a.Value != b.Value)
	} else {
		c.str("value", a.Value, b.Value)
	}
	c.str("Key Vault", a.KeyVault, b.KeyVault)
	c.list("tags", a.Tags, b.Tags)
	return c
}

func describeBackend(be *config.Backend) []string {
	d := []string{fmt.Sprintf("URL %q", be.URL)}
	if be.Type != "" && be.Type != "Single" {
		d = append(d, "type "+be.Type)
	}
	return d
}

// compareBackend names the properties (credentials, TLS, circuit breaker,
// pool, proxy) that changed without showing them: credentials and proxies
// hold secrets.
func compareBackend(a, b *config.Backend) []string {
	var c changes
	c.str("URL", a.URL, b.URL)
	c.str("protocol", a.Protocol, b.Protocol)
	c.str("type", a.Type, b.Type)
	for _, k := range slices.Sorted(maps.Keys(a.Properties)) {
		if backendFields[strings.ToLower(k)] {
			continue
		}
		if _, ok := b.Properties[k]; !ok {
			c = append(c, k+" removed")
		} else if !reflect.DeepEqual(a.Properties[k], b.Properties[k]) {
			c = append(c, k+" changed")
		}
	}
	for _, k := range slices.Sorted(maps.Keys(b.Properties)) {
		if _, ok := a.Properties[k]; !ok && !backendFields[strings.ToLower(k)] {
			c = append(c, k+" added")
		}
	}
	return c
}

// backendFields are the raw properties compared above, or not seen by
// callers.
var backendFields = map[string]bool{"url": true, "protocol": true, "type": true, "title": true, "description": true}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
