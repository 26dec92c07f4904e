package authn

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// keySet is the view of the keys one validation uses: the static keys plus
// the metadata of each openid-config provider, with what went wrong
// loading them.
type keySet struct {
	metas []*metadata // one per provider; nil when never loaded
	errs  []error     // one per provider; the last fetch error
	notes []string    // what happened on an unknown kid
}

// loadKeys snapshots the providers' metadata, fetching on first use.
func (v *Validator) loadKeys(ctx context.Context) *keySet {
	ks := &keySet{}
	if len(v.providers) == 0 {
		return ks
	}
	ks.metas = make([]*metadata, len(v.providers))
	ks.errs = make([]error, len(v.providers))
	for i, p := range v.providers {
		ks.metas[i], ks.errs[i] = p.get(ctx)
	}
	return ks
}

// refreshForKid re-fetches the key sets once because kid is unknown, and
// records what happened for the cause.
func (v *Validator) refreshForKid(ctx context.Context, kid string, ks *keySet) {
	for i, p := range v.providers {
		fetched, next, err := p.refreshForKid(ctx)
		switch {
		case !fetched:
			ks.notes = append(ks.notes, fmt.Sprintf("%s was not re-fetched for the unknown kid: the last fetch was less than the minimum refresh interval ago (next allowed at %s)",
				p.url, next.UTC().Format(time.RFC3339)))
		case err != nil:
			ks.errs[i] = err
			ks.notes = append(ks.notes, fmt.Sprintf("%s was re-fetched for the unknown kid %q and the fetch failed", p.url, kid))
		default:
			ks.errs[i] = nil
			ks.notes = append(ks.notes, fmt.Sprintf("%s was re-fetched for the unknown kid %q", p.url, kid))
		}
		if m := p.state.Load(); m != nil {
			ks.metas[i] = m
		}
	}
}

// each calls fn for the static keys then the providers' keys until fn
// returns false.
func (ks *keySet) each(static []verifyKey, fn func(*verifyKey) bool) {
	for i := range static {
		if !fn(&static[i]) {
			return
		}
	}
	for _, m := range ks.metas {
		if m == nil {
			continue
		}
		for i := range m.keys {
			if !fn(&m.keys[i]) {
				return
			}
		}
	}
}

// hasKid reports whether a key has the id kid.
func (ks *keySet) hasKid(static []verifyKey, kid string) bool {
	found := false
	ks.each(static, func(k *verifyKey) bool {
		found = k.id == kid
		return !found
	})
	return found
}

// inventory lists the keys by source for causes.
func (ks *keySet) inventory(static []verifyKey) string {
	var parts []string
	if len(static) > 0 {
		ids := make([]string, len(static))
		for i := range static {
			ids[i] = static[i].id
			if ids[i] == "" {
				ids[i] = "(no id)"
			}
		}
		parts = append(parts, "issuer-signing-keys ["+strings.Join(ids, ", ")+"]")
	}
	for _, m := range ks.metas {
		if m == nil {
			continue
		}
		ids := make([]string, len(m.keys))
		for i := range m.keys {
			ids[i] = m.keys[i].id
			if ids[i] == "" {
				ids[i] = "(no kid)"
			}
		}
		s := fmt.Sprintf("%s [%s] (fetched %s)", m.jwksURI, strings.Join(ids, ", "), m.fetchedAt.UTC().Format(time.RFC3339))
		if len(m.skipped) > 0 {
			s += " skipping " + strings.Join(m.skipped, ", ")
		}
		parts = append(parts, s)
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, "; ")
}

// problems describes fetch failures and refresh decisions, prefixed with
// "; ", or returns "".
func (ks *keySet) problems() string {
	var b strings.Builder
	for _, n := range ks.notes {
		b.WriteString("; ")
		b.WriteString(n)
	}
	for i, err := range ks.errs {
		if err == nil {
			continue
		}
		if ks.metas[i] != nil {
			fmt.Fprintf(&b, "; the last metadata fetch failed (%v), so the keys fetched at %s are still in use",
				err, ks.metas[i].fetchedAt.UTC().Format(time.RFC3339))
		} else {
			fmt.Fprintf(&b, "; the metadata could not be loaded: %v", err)
		}
	}
	return b.String()
}
