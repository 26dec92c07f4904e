package config

import (
	"cmp"
	"slices"
	"strings"

	"github.com/tollgate/tollgate/internal/diag"
)

// link is one reference from a product to an API or group, with where it
// is written.
type link struct {
	name  string
	where diag.Span
	pos   diag.Position // when there is no span (a link folder without a file)
}

// loadProducts reads products/, their policies and their API and group
// links in every layout form, and links APIs back to their products.
func (l *loader) loadProducts() {
	apiNames := map[string][]*API{}
	for _, a := range l.snap.APIs {
		apiNames[a.Name] = append(apiNames[a.Name], a)
	}
	for _, name := range l.subdirs("products") {
		f, props, ok := l.readInfo("products", name, "productInformation.json")
		if f == nil {
			l.missingInfo("productInformation.json", "products", name)
			continue
		}
		if !ok {
			continue
		}
		props = l.override("products", name, props)
		p := &Product{Name: name, Info: fileSpan(f)}
		p.DisplayName, _ = l.str(props, "displayName")
		if p.DisplayName == "" {
			p.DisplayName = name
		}
		p.Description, _ = l.str(props, "description")
		var sn *node
		p.State, sn = l.str(props, "state")
		switch p.State {
		case "":
			p.State = "notPublished"
		case "published", "notPublished":
		default:
			l.diags.Errorf(sn.span(), "invalid-field", "product %s has state %q; expected published or notPublished", name, p.State)
		}
		p.SubscriptionRequired, _ = l.boolean(props, "subscriptionRequired", true)
		p.ApprovalRequired, _ = l.boolean(props, "approvalRequired", false)
		p.SubscriptionsLimit, _ = l.integer(props, "subscriptionsLimit")
		p.Policy = l.readPolicy("products", name, "policy.xml")

		for _, lk := range l.links(name, "apis", "productApiInformation.json") {
			apiName, _ := splitRevision(lk.name)
			apis := apiNames[apiName]
			if len(apis) == 0 {
				l.linkError(lk, "unknown-api", "product %s links api %s, which does not exist", name, lk.name)
				continue
			}
			if !slices.Contains(p.APIs, apiName) {
				p.APIs = append(p.APIs, apiName)
				for _, a := range apis {
					a.Products = append(a.Products, p)
				}
			}
		}
		for _, lk := range l.links(name, "groups", "productGroupInformation.json") {
			if !slices.Contains(p.Groups, lk.name) {
				p.Groups = append(p.Groups, lk.name)
			}
		}
		slices.Sort(p.APIs)
		slices.Sort(p.Groups)
		l.snap.Products[name] = p
	}
	for _, a := range l.snap.APIs {
		slices.SortFunc(a.Products, func(x, y *Product) int { return cmp.Compare(x.Name, y.Name) })
	}
}

func (l *loader) linkError(lk link, code, format string, args ...any) {
	if lk.where.IsValid() {
		l.diags.Errorf(lk.where, code, format, args...)
	} else {
		l.diags.ErrorAt(lk.pos, code, format, args...)
	}
}

// links returns the names a product links in folder kind ("apis" or
// "groups"): link folders products/<p>/<kind>/<name>/ (v6, v7) and the
// array file products/<p>/<kind>.json (v4, v5, apiops-cli).
func (l *loader) links(product, kind, linkFile string) []link {
	var out []link
	for _, n := range l.subdirs("products", product, kind) {
		lk := link{name: n, pos: diag.Position{Filename: l.path("products", product, kind, n)}}
		if f, _ := l.readDoc("products", product, kind, n, linkFile); f != nil {
			lk.where = fileSpan(f)
		}
		out = append(out, lk)
	}
	f, root := l.readDoc("products", product, kind+".json")
	if f == nil || root == nil {
		return out
	}
	if root.kind != kArray {
		l.diags.Errorf(root.span(), "invalid-field", "%s.json must be an array of {\"name\": ...}, found %s", kind, root.kind)
		return out
	}
	for _, e := range root.elems {
		nn := e
		if e.kind == kObject {
			nn = e.get("name")
		}
		if nn == nil || nn.kind != kString || nn.text == "" {
			l.diags.Errorf(e.span(), "invalid-field", "%s.json entry must be {\"name\": \"...\"}", kind)
			continue
		}
		out = append(out, link{name: nn.text, where: nn.span()})
	}
	return out
}

// parseScope splits a subscription scope: "/apis", "/apis/<api>",
// "/products/<product>", the same at the end of a full ARM id, or a
// service id (".../service/<name>" or "/") for the all-access subscription.
func parseScope(scope string) (ScopeKind, string, bool) {
	s := strings.TrimRight(scope, "/")
	if s == "" {
		if scope == "" {
			return 0, "", false
		}
		return ScopeService, "", true
	}
	segs := strings.Split(s, "/")
	n := len(segs)
	last := segs[n-1]
	if strings.EqualFold(last, "apis") {
		return ScopeAllAPIs, "", true
	}
	if n >= 2 {
		switch strings.ToLower(segs[n-2]) {
		case "apis":
			name, _ := splitRevision(last)
			return ScopeAPI, name, last != ""
		case "products":
			return ScopeProduct, last, last != ""
		case "service":
			return ScopeService, "", true
		}
	}
	return 0, "", false
}

// loadSubscriptions reads subscriptions/, resolves scopes and supplies keys
// from the values files and the environment.
func (l *loader) loadSubscriptions() {
	apiNames := map[string]bool{}
	for _, a := range l.snap.APIs {
		apiNames[a.Name] = true
	}
	for _, name := range l.subdirs("subscriptions") {
		f, props, ok := l.readInfo("subscriptions", name, "subscriptionInformation.json")
		if f == nil {
			l.missingInfo("subscriptionInformation.json", "subscriptions", name)
			continue
		}
		if !ok {
			continue
		}
		props = l.override("subscriptions", name, props)
		s := &Subscription{Name: name, Info: fileSpan(f)}
		s.DisplayName, _ = l.str(props, "displayName")
		if s.DisplayName == "" {
			s.DisplayName = name
		}
		var scn *node
		s.Scope, scn = l.str(props, "scope")
		kind, target, ok := parseScope(s.Scope)
		switch {
		case scn == nil && name == "master":
			s.ScopeKind = ScopeService
		case scn == nil:
			l.diags.Errorf(fileSpan(f), "invalid-field", "subscription %s has no scope", name)
		case !ok:
			l.diags.Errorf(scn.span(), "invalid-field", "subscription %s has scope %q; expected /apis, /apis/<api> or /products/<product>", name, s.Scope)
		default:
			s.ScopeKind, s.ScopeTarget = kind, target
			if kind == ScopeProduct && l.snap.Products[target] == nil {
				l.diags.Errorf(scn.span(), "unknown-product", "subscription %s is scoped to product %s, which does not exist", name, target)
			}
			if kind == ScopeAPI && !apiNames[target] {
				l.diags.Errorf(scn.span(), "unknown-api", "subscription %s is scoped to api %s, which does not exist", name, target)
			}
		}
		var stn *node
		s.State, stn = l.str(props, "state")
		switch s.State {
		case "":
			s.State = "active"
		case "active", "suspended", "submitted", "rejected", "cancelled", "expired":
		default:
			l.diags.Errorf(stn.span(), "invalid-field", "subscription %s has state %q; expected active, suspended, submitted, rejected, cancelled or expired", name, s.State)
		}
		s.AllowTracing, _ = l.boolean(props, "allowTracing", false)
		owner, _ := l.str(props, "ownerId")
		if owner != "" {
			s.OwnerID = lastSegment(owner)
		}
		s.PrimaryKey, _ = l.str(props, "primaryKey")
		s.SecondaryKey, _ = l.str(props, "secondaryKey")
		if v, _, ok := l.env(envNames("TOLLGATE_SUBSCRIPTION_", "_PRIMARY_KEY", name, s.DisplayName)...); ok {
			s.PrimaryKey = v
		}
		if v, _, ok := l.env(envNames("TOLLGATE_SUBSCRIPTION_", "_SECONDARY_KEY", name, s.DisplayName)...); ok {
			s.SecondaryKey = v
		}
		for _, k := range []struct{ field, value, env string }{
			{"primaryKey", s.PrimaryKey, "PRIMARY_KEY"},
			{"secondaryKey", s.SecondaryKey, "SECONDARY_KEY"},
		} {
			if isPipelineToken(k.value) {
				l.diags.Warnf(at(props.get(k.field), f), "unreplaced-token",
					"subscription %s: %s holds the pipeline placeholder %s; supply the key with TOLLGATE_SUBSCRIPTION_%s_%s or replace the placeholder",
					name, k.field, k.value, envName(name), k.env)
			}
		}
		if s.PrimaryKey == "" && s.SecondaryKey == "" {
			l.diags.Warnf(s.Info, "subscription-without-keys",
				"subscription %s has no keys; supply them with TOLLGATE_SUBSCRIPTION_%s_PRIMARY_KEY (and _SECONDARY_KEY) or a values file (subscriptions: - name: %s, properties: primaryKey); it can never authenticate",
				name, envName(name), name)
		}
		l.snap.Subscriptions = append(l.snap.Subscriptions, s)
	}
	slices.SortFunc(l.snap.Subscriptions, func(a, b *Subscription) int { return cmp.Compare(a.Name, b.Name) })
}
