package policy

import (
	"github.com/tollgate/tollgate/internal/xmlscan"
)

var cachingTypes = []string{"prefer-external", "external", "internal"}

// CacheLookup is <cache-lookup>: serves GET responses from the response
// cache, keyed by the listed headers and query parameters.
type CacheLookup struct {
	VaryByDeveloper             Bool
	VaryByDeveloperGroups       Bool
	CachingType                 Value // prefer-external (default) | external | internal
	DownstreamCachingType       Value // none (default) | private | public
	MustRevalidate              Bool  // default true
	AllowPrivateResponseCaching Bool  // default false
	VaryByHeaders               []Value
	VaryByQueryParameters       []Value
}

// PolicyName implements Policy.
func (*CacheLookup) PolicyName() string { return "cache-lookup" }

func parseCacheLookup(l *loader, e *xmlscan.Element, _ ctx) Policy {
	a := l.attrs(e, true)
	p := &CacheLookup{VaryByDeveloper: a.boolean("vary-by-developer", false, req|expr),
		VaryByDeveloperGroups:       a.boolean("vary-by-developer-groups", false, req|expr),
		CachingType:                 a.enum("caching-type", opt, cachingTypes...),
		DownstreamCachingType:       a.enum("downstream-caching-type", expr, "none", "private", "public"),
		MustRevalidate:              a.boolean("must-revalidate", true, expr),
		AllowPrivateResponseCaching: a.boolean("allow-private-response-caching", false, expr)}
	a.done()
	for _, k := range l.elems(e, "vary-by-header", "vary-by-query-parameter") {
		l.attrs(k, false).done()
		if k.Name == "vary-by-header" {
			p.VaryByHeaders = append(p.VaryByHeaders, l.text(k, false))
		} else {
			p.VaryByQueryParameters = append(p.VaryByQueryParameters, l.text(k, false))
		}
	}
	return p
}

// CacheStore is <cache-store duration cache-response>.
type CacheStore struct {
	Duration      Int // seconds
	CacheResponse Bool
}

// PolicyName implements Policy.
func (*CacheStore) PolicyName() string { return "cache-store" }

func parseCacheStore(l *loader, e *xmlscan.Element, _ ctx) Policy {
	a := l.attrs(e, true)
	p := &CacheStore{Duration: a.integer("duration", 0, 0, maxInt, req|expr), CacheResponse: a.boolean("cache-response", false, expr)}
	a.done()
	l.leaf(e)
	return p
}

// CacheLookupValue is <cache-lookup-value key default-value variable-name>.
type CacheLookupValue struct {
	Key, DefaultValue, VariableName, CachingType Value
}

// PolicyName implements Policy.
func (*CacheLookupValue) PolicyName() string { return "cache-lookup-value" }

func parseCacheLookupValue(l *loader, e *xmlscan.Element, _ ctx) Policy {
	a := l.attrs(e, true)
	p := &CacheLookupValue{Key: a.str("key", req|expr), DefaultValue: a.str("default-value", expr),
		VariableName: a.str("variable-name", req), CachingType: a.enum("caching-type", opt, cachingTypes...)}
	a.done()
	l.leaf(e)
	return p
}

// CacheStoreValue is <cache-store-value key value duration>.
type CacheStoreValue struct {
	Key, Value  Value
	Duration    Int // seconds
	CachingType Value
}

// PolicyName implements Policy.
func (*CacheStoreValue) PolicyName() string { return "cache-store-value" }

func parseCacheStoreValue(l *loader, e *xmlscan.Element, _ ctx) Policy {
	a := l.attrs(e, true)
	p := &CacheStoreValue{Key: a.str("key", req|expr), Value: a.str("value", req|expr),
		Duration: a.integer("duration", 0, 0, maxInt, req|expr), CachingType: a.enum("caching-type", opt, cachingTypes...)}
	a.done()
	l.leaf(e)
	return p
}

// CacheRemoveValue is <cache-remove-value key>.
type CacheRemoveValue struct {
	Key, CachingType Value
}

// PolicyName implements Policy.
func (*CacheRemoveValue) PolicyName() string { return "cache-remove-value" }

func parseCacheRemoveValue(l *loader, e *xmlscan.Element, _ ctx) Policy {
	a := l.attrs(e, true)
	p := &CacheRemoveValue{Key: a.str("key", req|expr), CachingType: a.enum("caching-type", opt, cachingTypes...)}
	a.done()
	l.leaf(e)
	return p
}
