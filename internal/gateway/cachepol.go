package gateway

import (
	"errors"
	"fmt"
	"time"

	"github.com/tollgate/tollgate/internal/cache"
	"github.com/tollgate/tollgate/internal/expr"
	"github.com/tollgate/tollgate/internal/policy"
)

// pendingStore is what cache-lookup leaves for cache-store after a miss.
type pendingStore struct {
	key        string
	store      cache.Store
	downstream cache.Downstream
	mustReval  bool
}

// cacheStore picks the store of a caching-type attribute.
func (x *exchange) cacheStore(st *policy.Step, v policy.Value) (cache.Store, *Error) {
	t := cache.PreferExternal
	if v.Set {
		parsed, err := cache.ParseType(v.Resolved())
		if err != nil {
			return nil, &Error{Source: st.Name, Reason: "ExpressionValueEvaluationFailure", Status: 500, Message: "Invalid caching-type.", Cause: err.Error()}
		}
		t = parsed
	}
	s, err := x.g.caches.Select(t)
	if err != nil {
		return nil, &Error{Source: st.Name, Reason: "CacheNotConfigured", Status: 500, Message: "External cache is not configured.",
			Cause: "caching-type=\"external\" needs an external cache: start tollgate with --redis"}
	}
	return s, nil
}

// cacheOutage records a cache that could not be reached: the lookup is a
// miss and the request goes on, as APIM does when its cache is unavailable.
func (x *exchange) cacheOutage(st *policy.Step, err error) {
	note := fmt.Sprintf("%s at %s: the cache is unavailable (%v); treated as a miss", st.Name, st.Span().Pos(), err)
	x.rec.Notes = append(x.rec.Notes, note)
	x.traceStep(traceSection(x.section), st.Name, "%s", note)
}

func (x *exchange) execCacheLookup(st *policy.Step, p *policy.CacheLookup, began time.Time) (flow, *Error) {
	s, e := x.cacheStore(st, p.CachingType)
	if e != nil {
		return next, e
	}
	allowPrivate, e := x.boolean(st, p.AllowPrivateResponseCaching)
	if e != nil {
		return next, e
	}
	if !cache.Cacheable(x.req.method, x.req.header, allowPrivate) {
		x.tracePolicy(st, began, "request is not cacheable (only GET without Authorization, unless allow-private-response-caching)")
		return next, nil
	}
	byDev, e := x.boolean(st, p.VaryByDeveloper)
	if e != nil {
		return next, e
	}
	byGroups, e := x.boolean(st, p.VaryByDeveloperGroups)
	if e != nil {
		return next, e
	}
	mustReval, e := x.boolean(st, p.MustRevalidate)
	if e != nil {
		return next, e
	}
	down := cache.Downstream(0)
	if p.DownstreamCachingType.Set {
		ds, e := x.str(st, p.DownstreamCachingType)
		if e != nil {
			return next, e
		}
		parsed, err := cache.ParseDownstream(ds)
		if err != nil {
			return next, &Error{Source: st.Name, Reason: "ExpressionValueEvaluationFailure", Status: 500, Message: "Invalid downstream-caching-type.", Cause: err.Error()}
		}
		down = parsed
	}
	var headers, params []string
	for _, v := range p.VaryByHeaders {
		s, e := x.str(st, v)
		if e != nil {
			return next, e
		}
		headers = append(headers, s)
	}
	for _, v := range p.VaryByQueryParameters {
		s, e := x.str(st, v)
		if e != nil {
			return next, e
		}
		params = append(params, s)
	}
	spec := cache.NewKeySpec(headers, params, byDev, byGroups)
	req := cache.Request{API: x.m.api.ID, Operation: x.m.op.Name, Path: x.r.URL.EscapedPath(), Query: x.r.URL.Query(), Header: x.req.header}
	if x.acc.product != nil {
		req.Product = x.acc.product.Name
	}
	if x.acc.sub != nil {
		req.Developer = x.acc.sub.OwnerID
	}
	key := cache.ResponseKey(spec, req)
	began2 := time.Now()
	r, ok, err := cache.LookupResponse(x.r.Context(), s, key)
	x.rec.CacheTime += time.Since(began2)
	if err != nil {
		if errors.Is(err, cache.ErrUnavailable) {
			x.cacheOutage(st, err)
			return next, nil
		}
		ok = false // a corrupt entry is a miss
	}
	if !ok {
		x.rec.Cache = "miss"
		x.cachePending = &pendingStore{key: key, store: s, downstream: down, mustReval: mustReval}
		x.tracePolicy(st, began, "cache miss")
		return next, nil
	}
	x.rec.Cache = "hit"
	x.resp.body.close()
	x.resp = outResponse{status: r.Status, header: r.Header.Clone(), body: newBytesBody(r.Body)}
	if cc := cache.CacheControl(down, mustReval, 0); cc != "" {
		x.resp.header.Set("Cache-Control", cc)
	}
	x.tracePolicy(st, began, "cache hit: response stored %s ago", time.Since(r.Stored).Round(time.Millisecond))
	return cacheHit, nil
}

func (x *exchange) execCacheStore(st *policy.Step, p *policy.CacheStore, began time.Time) *Error {
	pend := x.cachePending
	if pend == nil {
		if x.rec.Cache == "hit" {
			return nil
		}
		x.tracePolicy(st, began, "nothing to store: no cache-lookup ran for this request")
		return nil
	}
	seconds, e := x.integer(st, p.Duration)
	if e != nil {
		return e
	}
	cacheResponse, e := x.boolean(st, p.CacheResponse)
	if e != nil {
		return e
	}
	status := x.resp.statusCode()
	if !cache.Storable(status, cacheResponse) {
		x.tracePolicy(st, began, "status %d is not stored (only 200 unless cache-response)", status)
		return nil
	}
	body := x.resp.body
	if body == nil {
		body = newBytesBody(nil)
		x.resp.body = body
	}
	data, err := body.Read(true)
	if err != nil {
		return backendReadError(st, err)
	}
	d := time.Duration(seconds) * time.Second
	r := &cache.Response{Status: status, Header: x.resp.header.Clone(), Body: data, Stored: time.Now()}
	t0 := time.Now()
	serr := cache.StoreResponse(x.r.Context(), pend.store, pend.key, r, d)
	x.rec.CacheTime += time.Since(t0)
	if serr != nil {
		x.cacheOutage(st, serr)
		return nil
	}
	if cc := cache.CacheControl(pend.downstream, pend.mustReval, d); cc != "" {
		if x.resp.header == nil {
			x.resp.header = map[string][]string{}
		}
		x.resp.header.Set("Cache-Control", cc)
	}
	x.tracePolicy(st, began, "response stored for %d s", seconds)
	return nil
}

// valueKey evaluates the store and key of the cache-*-value policies.
func (x *exchange) valueKey(st *policy.Step, cachingType, key policy.Value) (cache.Store, string, *Error) {
	s, e := x.cacheStore(st, cachingType)
	if e != nil {
		return nil, "", e
	}
	k, e := x.str(st, key)
	if e != nil {
		return nil, "", e
	}
	return s, k, nil
}

func (x *exchange) execCacheLookupValue(st *policy.Step, p *policy.CacheLookupValue, began time.Time) *Error {
	s, key, e := x.valueKey(st, p.CachingType, p.Key)
	if e != nil {
		return e
	}
	// The default value keeps the type of its expression (default-value="@(0)"
	// is an int), as a cached value keeps its own.
	var def expr.Value
	if p.DefaultValue.Expr != nil {
		v, e := x.eval(st, p.DefaultValue.Expr)
		if e != nil {
			return e
		}
		def = v
	} else {
		def = p.DefaultValue.Resolved()
	}
	name := p.VariableName.Resolved()
	l := cache.LookupValue(x.r.Context(), s, key, nil, p.DefaultValue.Set)
	if l.Err != nil && errors.Is(l.Err, cache.ErrUnavailable) {
		x.cacheOutage(st, l.Err)
	}
	switch {
	case l.Hit:
		x.vars().Set(name, decodeCacheValue(l.Value))
	case l.Assign:
		x.vars().Set(name, def)
	}
	switch {
	case l.Hit:
		x.tracePolicy(st, began, "key %q found; context.Variables[%q] set", key, name)
	case l.Assign:
		x.tracePolicy(st, began, "key %q not found; context.Variables[%q] set to the default value", key, name)
	default:
		x.tracePolicy(st, began, "key %q not found; context.Variables[%q] left unset", key, name)
	}
	return nil
}

func (x *exchange) execCacheStoreValue(st *policy.Step, p *policy.CacheStoreValue, began time.Time) *Error {
	s, key, e := x.valueKey(st, p.CachingType, p.Key)
	if e != nil {
		return e
	}
	var val expr.Value
	if p.Value.Expr != nil {
		v, e := x.eval(st, p.Value.Expr)
		if e != nil {
			return e
		}
		val = v
	} else {
		val = p.Value.Resolved()
	}
	seconds, e := x.integer(st, p.Duration)
	if e != nil {
		return e
	}
	if err := cache.StoreValue(x.r.Context(), s, key, encodeCacheValue(val), time.Duration(seconds)*time.Second); err != nil {
		x.cacheOutage(st, err)
		return nil
	}
	if x.trace != nil && p.Value.HasSecret() {
		x.trace.Mask(expr.ToString(val))
	}
	x.tracePolicy(st, began, "key %q stored for %d s", key, seconds)
	return nil
}

func (x *exchange) execCacheRemoveValue(st *policy.Step, p *policy.CacheRemoveValue, began time.Time) *Error {
	s, key, e := x.valueKey(st, p.CachingType, p.Key)
	if e != nil {
		return e
	}
	if err := cache.RemoveValue(x.r.Context(), s, key); err != nil {
		x.cacheOutage(st, err)
		return nil
	}
	x.tracePolicy(st, began, "key %q removed", key)
	return nil
}
