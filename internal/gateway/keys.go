package gateway

import (
	"crypto/subtle"
	"fmt"
	"net/url"
	"strings"

	"github.com/tollgate/tollgate/internal/config"
)

// keyring maps subscription keys to subscriptions. It is built once per
// configuration.
type keyring struct {
	byKey      map[string]keyEntry
	allAccess  *config.Subscription       // the built-in all-access subscription
	openByAPI  map[string]*config.Product // API name -> the open product that contains it
	productAPI map[string]map[string]bool // product name -> API names
}

type keyEntry struct {
	sub     *config.Subscription
	primary bool
}

// AllAccessName is the resource name of the built-in all-access subscription,
// APIM's "master" subscription.
const AllAccessName = "master"

func newKeyring(snap *config.Snapshot, allAccessKey string) *keyring {
	k := &keyring{
		byKey:      map[string]keyEntry{},
		openByAPI:  map[string]*config.Product{},
		productAPI: map[string]map[string]bool{},
	}
	for _, s := range snap.Subscriptions {
		if s.PrimaryKey != "" {
			k.byKey[s.PrimaryKey] = keyEntry{s, true}
		}
		if s.SecondaryKey != "" {
			k.byKey[s.SecondaryKey] = keyEntry{s, false}
		}
	}
	if allAccessKey != "" {
		k.allAccess = &config.Subscription{
			Name: AllAccessName, DisplayName: "Built-in all-access subscription",
			Scope: "/", ScopeKind: config.ScopeService, State: "active",
			PrimaryKey: allAccessKey, AllowTracing: true,
		}
		k.byKey[allAccessKey] = keyEntry{k.allAccess, true}
	}
	names := make([]string, 0, len(snap.Products))
	for name := range snap.Products {
		names = append(names, name)
	}
	for _, name := range sortedStrings(names) {
		p := snap.Products[name]
		apis := map[string]bool{}
		for _, a := range p.APIs {
			apis[a] = true
			if !p.SubscriptionRequired {
				if _, taken := k.openByAPI[a]; !taken {
					k.openByAPI[a] = p
				}
			}
		}
		k.productAPI[name] = apis
	}
	return k
}

// access is the outcome of the subscription check.
type access struct {
	sub     *config.Subscription // nil when the call is anonymous
	key     string               // the key presented, "" when none
	product *config.Product      // product context, nil when none
}

// check applies APIM's subscription rules to a request for api: header first,
// then the query parameter; scopes all-APIs, API and product; only active
// subscriptions; open products and APIs that require no subscription.
func (k *keyring) check(api *config.API, header func(string) string, hasHeader func(string) bool, query url.Values, products map[string]*config.Product) (access, *Error) {
	key, inQuery, present := "", false, false
	if hasHeader(api.KeyHeader) {
		key, present = header(api.KeyHeader), true
	} else if vs, ok := query[api.KeyQuery]; ok && len(vs) > 0 {
		key, inQuery, present = vs[0], true, true
	}
	// from says where the key was, for errors.
	from := func() string {
		if inQuery {
			return "query parameter " + api.KeyQuery
		}
		return "header " + api.KeyHeader
	}
	if !present {
		if p := k.openByAPI[api.Name]; p != nil {
			return access{product: p}, nil
		}
		if !api.SubscriptionRequired {
			return access{}, nil
		}
		return access{}, errKeyNotFound(k.missingKeyCause(api, header, query))
	}
	e, ok := k.lookup(key)
	if !ok {
		return access{}, errKeyInvalid(fmt.Sprintf("the key in the %s (%s) belongs to no subscription", from(), maskKey(key)))
	}
	s := e.sub
	if s.State != "active" {
		return access{}, errKeyInvalid(fmt.Sprintf("the key in the %s belongs to subscription %s, which is %s; only active subscriptions are accepted", from(), s.Name, s.State))
	}
	switch s.ScopeKind {
	case config.ScopeService, config.ScopeAllAPIs:
		return access{sub: s, key: key}, nil
	case config.ScopeAPI:
		if strings.EqualFold(s.ScopeTarget, api.Name) {
			return access{sub: s, key: key}, nil
		}
		return access{}, errKeyInvalid(fmt.Sprintf("subscription %s is scoped to API %s, not to API %s", s.Name, s.ScopeTarget, api.Name))
	case config.ScopeProduct:
		if k.productAPI[s.ScopeTarget][api.Name] {
			return access{sub: s, key: key, product: products[s.ScopeTarget]}, nil
		}
		return access{}, errKeyInvalid(fmt.Sprintf("subscription %s is scoped to product %s, which does not contain API %s%s", s.Name, s.ScopeTarget, api.Name, k.productsWith(api.Name)))
	}
	return access{}, errKeyInvalid(fmt.Sprintf("subscription %s has an unknown scope %q", s.Name, s.Scope))
}

// lookup finds the subscription of key. The map lookup is not constant-time,
// but a key that is not in the map reveals nothing about the keys that are.
func (k *keyring) lookup(key string) (keyEntry, bool) {
	e, ok := k.byKey[key]
	if !ok {
		return keyEntry{}, false
	}
	want := e.sub.SecondaryKey
	if e.primary {
		want = e.sub.PrimaryKey
	}
	return e, subtle.ConstantTimeCompare([]byte(key), []byte(want)) == 1
}

func (k *keyring) productsWith(api string) string {
	var in []string
	for p, apis := range k.productAPI {
		if apis[api] {
			in = append(in, p)
		}
	}
	if len(in) == 0 {
		return "; no product contains it"
	}
	return "; products that contain it: " + strings.Join(sortedStrings(in), ", ")
}

// missingKeyCause explains a missing key, naming the usual mistakes: a key
// sent in another header or parameter, or as a bearer token.
func (k *keyring) missingKeyCause(api *config.API, header func(string) string, query url.Values) string {
	base := fmt.Sprintf("API %s requires a subscription key in the header %s or the query parameter %s, and the request has neither", api.ID, api.KeyHeader, api.KeyQuery)
	if auth := header("Authorization"); auth != "" {
		scheme, cred, _ := strings.Cut(auth, " ")
		if _, isKey := k.byKey[strings.TrimSpace(cred)]; isKey {
			return base + fmt.Sprintf("; the Authorization header carries a subscription key as a %s credential: send it in %s instead", scheme, api.KeyHeader)
		}
		return base + "; an Authorization header is present, but a subscription key is never read from it"
	}
	for _, h := range []string{"Ocp-Apim-Subscription-Key", "Subscription-Key", "Api-Key", "X-Api-Key"} {
		if !strings.EqualFold(h, api.KeyHeader) && header(h) != "" {
			return base + fmt.Sprintf("; a key was sent in the header %s, but this API reads it from %s", h, api.KeyHeader)
		}
	}
	if api.KeyQuery != "subscription-key" && query.Get("subscription-key") != "" {
		return base + fmt.Sprintf("; a key was sent in the query parameter subscription-key, but this API reads it from %s", api.KeyQuery)
	}
	return base
}

// isKey reports whether v is the key of a subscription, for masking a key
// the caller sent where no key is read.
func (k *keyring) isKey(v string) bool {
	if v == "" {
		return false
	}
	_, ok := k.byKey[v]
	return ok
}

// maskKey shows enough of a key to tell keys apart in logs, never the key.
func maskKey(key string) string {
	if len(key) <= 8 {
		return "a key of " + fmt.Sprint(len(key)) + " characters"
	}
	return "key ending in …" + key[len(key)-4:]
}
