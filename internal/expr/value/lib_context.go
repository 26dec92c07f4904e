package value

import (
	"net/url"
	"strings"
	"time"
)

func hostType(u *Lib, v Value) *Type {
	switch v.(type) {
	case *Context:
		return u.Context
	case *Request:
		return u.Request
	case *Response:
		return u.Response
	case *Url:
		return u.Url
	case *Variables:
		return u.Variables
	case *Api:
		return u.Api
	case *Operation:
		return u.Operation
	case *Product:
		return u.Product
	case *Subscription:
		return u.Subscription
	case *User:
		return u.User
	case *Deployment:
		return u.Deployment
	case *LastError:
		return u.LastError
	case *Certificate:
		return u.Certificate
	case Group:
		return u.Group
	case Headers:
		return u.Headers
	case Body:
		return u.Body
	case stringMap:
		return u.Params
	}
	return nil
}

// stringMap is IReadOnlyDictionary<string,string> (MatchedParameters).
type stringMap map[string]string

func (m stringMap) get(k string) (string, bool) {
	if v, ok := m[k]; ok {
		return v, true
	}
	for kk, v := range m {
		if strings.EqualFold(kk, k) {
			return v, true
		}
	}
	return "", false
}

// JoinValues joins header values as APIM's GetValueOrDefault does.
func JoinValues(vs []string) string {
	if len(vs) == 1 {
		return vs[0]
	}
	return strings.Join(vs, ",")
}

// headerGet implements GetValueOrDefault(name[, default]) on Headers.
func headerGet(c Call) Value {
	h, _ := c.This.(Headers)
	if h != nil {
		if vs, ok := h.Values(c.Str(0)); ok {
			return JoinValues(vs)
		}
	}
	if c.Has(1) {
		return c.Args[1]
	}
	return nil
}

func orNil[T any](p *T) Value {
	if p == nil {
		return nil
	}
	return p
}

func (u *Lib) hostTypeNamed(name, full string) *Type {
	t := u.newType(name, full, u.Object)
	return t
}

func (u *Lib) buildContext() {
	ctx := func(c Call) *Context { return c.This.(*Context) }
	u.Context = u.hostTypeNamed("IProxyRequestContext", "Microsoft.Azure.ApiManagement.Proxy.IProxyRequestContext")
	u.Request = u.hostTypeNamed("IRequest", "Microsoft.Azure.ApiManagement.Proxy.IRequest")
	u.Response = u.hostTypeNamed("IResponse", "Microsoft.Azure.ApiManagement.Proxy.IResponse")
	u.Url = u.hostTypeNamed("IUrl", "Microsoft.Azure.ApiManagement.Proxy.IUrl")
	u.Headers = u.hostTypeNamed("IHeaderDictionary", "System.Collections.Generic.IReadOnlyDictionary`2[System.String,System.String[]]")
	u.Headers.Base = u.Enumerable
	u.Headers.Elem = u.KeyValue
	u.Body = u.hostTypeNamed("IMessageBody", "Microsoft.Azure.ApiManagement.Proxy.IMessageBody")
	u.Variables = u.hostTypeNamed("IVariables", "System.Collections.Generic.IReadOnlyDictionary`2[System.String,System.Object]")
	u.Variables.Base = u.Enumerable
	u.Variables.Elem = u.KeyValue
	u.Api = u.hostTypeNamed("IApi", "Microsoft.Azure.ApiManagement.Proxy.IApi")
	u.Operation = u.hostTypeNamed("IOperation", "Microsoft.Azure.ApiManagement.Proxy.IOperation")
	u.Product = u.hostTypeNamed("IProduct", "Microsoft.Azure.ApiManagement.Proxy.IProduct")
	u.Subscription = u.hostTypeNamed("ISubscription", "Microsoft.Azure.ApiManagement.Proxy.ISubscription")
	u.User = u.hostTypeNamed("IUser", "Microsoft.Azure.ApiManagement.Proxy.IUser")
	u.Deployment = u.hostTypeNamed("IDeployment", "Microsoft.Azure.ApiManagement.Proxy.IDeployment")
	u.LastError = u.hostTypeNamed("ILastError", "Microsoft.Azure.ApiManagement.Proxy.ProxyError")
	u.Certificate = u.hostTypeNamed("X509Certificate2", "System.Security.Cryptography.X509Certificates.X509Certificate2")
	u.Group = u.hostTypeNamed("IGroup", "Microsoft.Azure.ApiManagement.Proxy.IGroup")
	u.Params = u.hostTypeNamed("IParameters", "System.Collections.Generic.IReadOnlyDictionary`2[System.String,System.String]")
	u.Params.Base = u.Enumerable
	u.Params.Elem = u.KeyValue
	strArr := u.ArrayOf(u.String)

	u.Context.add(
		prop("Request", u.Request, func(c Call) Value { return orNil(ctx(c).Request) }),
		prop("Response", u.Response, func(c Call) Value { return orNil(ctx(c).Response) }),
		prop("Variables", u.Variables, func(c Call) Value {
			x := ctx(c)
			if x.Variables == nil {
				x.Variables = NewVariables()
			}
			return x.Variables
		}),
		prop("Api", u.Api, func(c Call) Value { return orNil(ctx(c).Api) }),
		prop("Operation", u.Operation, func(c Call) Value { return orNil(ctx(c).Operation) }),
		prop("Product", u.Product, func(c Call) Value { return orNil(ctx(c).Product) }),
		prop("Subscription", u.Subscription, func(c Call) Value { return orNil(ctx(c).Subscription) }),
		prop("User", u.User, func(c Call) Value { return orNil(ctx(c).User) }),
		prop("Deployment", u.Deployment, func(c Call) Value { return orNil(ctx(c).Deployment) }),
		prop("LastError", u.LastError, func(c Call) Value { return orNil(ctx(c).LastError) }),
		prop("RequestId", u.Guid, func(c Call) Value { return ctx(c).RequestId }),
		prop("Timestamp", u.DateTime, func(c Call) Value { return ctx(c).Timestamp }),
		prop("Elapsed", u.TimeSpan, func(c Call) Value {
			if ctx(c).Timestamp.IsZero() {
				return TimeSpan(0)
			}
			return spanBetween(c.Fr.Time(), ctx(c).Timestamp)
		}),
		prop("Tracing", u.Bool, func(c Call) Value { return ctx(c).Tracing }),
		meth("Trace", 1, 2, u.Void, func(c Call) Value {
			if f := ctx(c).TraceFunc; f != nil {
				if c.Has(1) {
					f(c.Str(0), c.Str(1))
				} else {
					f("", c.Str(0))
				}
			}
			return nil
		}),
	)
	req := func(c Call) *Request { return c.This.(*Request) }
	u.Request.add(
		prop("Method", u.String, func(c Call) Value { return req(c).Method }),
		prop("Url", u.Url, func(c Call) Value { return orNil(req(c).Url) }),
		prop("OriginalUrl", u.Url, func(c Call) Value { return orNil(req(c).OriginalUrl) }),
		prop("Headers", u.Headers, func(c Call) Value {
			if h := req(c).Headers; h != nil {
				return h
			}
			return PairHeaders(nil)
		}),
		prop("Body", u.Body, func(c Call) Value {
			if b := req(c).Body; b != nil {
				return b
			}
			return nil
		}),
		prop("IpAddress", u.String, func(c Call) Value { return req(c).IpAddress }),
		prop("MatchedParameters", u.Params, func(c Call) Value { return stringMap(req(c).MatchedParameters) }),
		prop("Certificate", u.Certificate, func(c Call) Value { return orNil(req(c).Certificate) }),
	)
	resp := func(c Call) *Response { return c.This.(*Response) }
	u.Response.add(
		prop("StatusCode", u.Int, func(c Call) Value { return int32(resp(c).StatusCode) }),
		prop("StatusReason", u.String, func(c Call) Value { return resp(c).StatusReason }),
		prop("Headers", u.Headers, func(c Call) Value {
			if h := resp(c).Headers; h != nil {
				return h
			}
			return PairHeaders(nil)
		}),
		prop("Body", u.Body, func(c Call) Value {
			if b := resp(c).Body; b != nil {
				return b
			}
			return nil
		}),
	)
	ur := func(c Call) *Url { return c.This.(*Url) }
	u.Url.add(
		prop("Scheme", u.String, func(c Call) Value { return ur(c).Scheme }),
		prop("Host", u.String, func(c Call) Value { return ur(c).Host }),
		prop("Port", u.Int, func(c Call) Value {
			p := ur(c).Port
			if p == 0 {
				if ur(c).Scheme == "http" {
					p = 80
				} else {
					p = 443
				}
			}
			return int32(p)
		}),
		prop("Path", u.String, func(c Call) Value { return ur(c).Path }),
		prop("Query", u.Headers, func(c Call) Value {
			if q := ur(c).Query; q != nil {
				return q
			}
			return PairHeaders(nil)
		}),
		prop("QueryString", u.String, func(c Call) Value { return ur(c).QueryString() }),
		meth("ToUri", 0, 0, nil, func(c Call) Value {
			p, err := url.Parse(ur(c).DotnetString())
			if err != nil {
				Throw(ExFormat, "Invalid URI: %s", err)
			}
			return &URI{U: p}
		}),
	)
	// header dictionaries
	hdr := func(c Call) Headers { return c.This.(Headers) }
	u.Headers.add(
		meth("GetValueOrDefault", 1, 2, u.String, headerGet),
		meth("ContainsKey", 1, 1, u.Bool, func(c Call) Value { _, ok := hdr(c).Values(c.Str(0)); return ok }),
		&Member{Name: "[]", Kind: Property, Result: strArr, Get: func(c Call) Value {
			vs, ok := hdr(c).Values(c.Str(0))
			if !ok {
				keyNotFound(c.Str(0))
			}
			return StringArray(vs)
		}},
		&Member{Name: "TryGetValue", Kind: Method, Min: 2, Max: 2, Result: u.Bool, Out: []int{1}, Fn: func(c Call) Value {
			vs, ok := hdr(c).Values(c.Str(0))
			if ok {
				c.Args[1] = StringArray(vs)
			} else {
				c.Args[1] = nil
			}
			return ok
		}},
		prop("Count", u.Int, func(c Call) Value { return int32(len(hdr(c).Names())) }),
		prop("Keys", u.SeqOf(u.String), func(c Call) Value { return seqOfStrings(hdr(c).Names()) }),
		prop("Values", u.SeqOf(u.ArrayOf(u.String)), func(c Call) Value {
			names := hdr(c).Names()
			out := make([]Value, len(names))
			for i, n := range names {
				vs, _ := hdr(c).Values(n)
				out[i] = StringArray(vs)
			}
			return &Seq{T: u.ArrayOf(u.String), Items: out}
		}),
	)
	params := func(c Call) stringMap { return c.This.(stringMap) }
	u.Params.add(
		meth("GetValueOrDefault", 1, 2, u.String, func(c Call) Value {
			if v, ok := params(c).get(c.Str(0)); ok {
				return v
			}
			if c.Has(1) {
				return c.Args[1]
			}
			return nil
		}),
		meth("ContainsKey", 1, 1, u.Bool, func(c Call) Value { _, ok := params(c).get(c.Str(0)); return ok }),
		&Member{Name: "[]", Kind: Property, Result: u.String, Get: func(c Call) Value {
			v, ok := params(c).get(c.Str(0))
			if !ok {
				keyNotFound(c.Str(0))
			}
			return v
		}},
		&Member{Name: "TryGetValue", Kind: Method, Min: 2, Max: 2, Result: u.Bool, Out: []int{1}, Fn: func(c Call) Value {
			v, ok := params(c).get(c.Str(0))
			if ok {
				c.Args[1] = v
			} else {
				c.Args[1] = nil
			}
			return ok
		}},
		prop("Count", u.Int, func(c Call) Value { return int32(len(params(c))) }),
	)
	vars := func(c Call) *Variables { return c.This.(*Variables) }
	u.Variables.add(
		meth("ContainsKey", 1, 1, u.Bool, func(c Call) Value { _, ok := vars(c).Get(c.Str(0)); return ok }),
		&Member{Name: "[]", Kind: Property, Result: u.Object, Get: func(c Call) Value {
			c.NotNull(0, "key")
			v, ok := vars(c).Get(c.Str(0))
			if !ok {
				keyNotFound(c.Str(0))
			}
			return v
		}},
		&Member{Name: "TryGetValue", Kind: Method, Min: 2, Max: 2, Result: u.Bool, Out: []int{1}, Fn: func(c Call) Value {
			v, ok := vars(c).Get(c.Str(0))
			c.Args[1] = v
			return ok
		}},
		&Member{Name: "GetValueOrDefault", Kind: Method, Min: 1, Max: 2, Fn: func(c Call) Value {
			v, ok := vars(c).Get(c.Str(0))
			t := c.TArg(0)
			if !ok || v == nil {
				if c.Has(1) {
					return c.Args[1]
				}
				return zeroOf(t)
			}
			if t != nil && t != u.Object && t.Is != nil && !t.Is(v) {
				ThrowCast(v, t.FullName)
			}
			return v
		}, ResultOf: func(_ *Type, args []*Type, targs []*Type) *Type {
			if len(targs) > 0 {
				return targs[0]
			}
			return u.Object
		}, InferTArgs: func(_ *Type, args []*Type) []*Type {
			// GetValueOrDefault<T>(string name, T defaultValue): T is the
			// type of the default value
			if len(args) > 1 && args[1] != nil {
				return []*Type{args[1]}
			}
			return nil
		}},
		prop("Count", u.Int, func(c Call) Value { return int32(len(vars(c).Names())) }),
		prop("Keys", u.SeqOf(u.String), func(c Call) Value { return seqOfStrings(vars(c).Names()) }),
		prop("Values", u.SeqOf(u.Object), func(c Call) Value {
			names := vars(c).Names()
			out := make([]Value, len(names))
			for i, n := range names {
				out[i], _ = vars(c).Get(n)
			}
			return &Seq{T: u.Object, Items: out}
		}),
	)
	body := func(c Call) Body { return c.This.(Body) }
	u.Body.add(
		&Member{Name: "As", Kind: Method, Min: 0, Max: 1, TArgs: 1, Params: []string{"preserveContent"}, Fn: func(c Call) Value {
			preserve := c.Has(0) && c.Bool(0)
			data, err := body(c).Read(preserve)
			if err != nil {
				Throw(ExInvalidOp, "%s", err.Error())
			}
			t := c.TArg(0)
			switch t {
			case u.String:
				return string(data)
			case u.Bytes:
				return data
			}
			return bodyAs(u, t, data)
		}, ResultOf: func(_ *Type, _ []*Type, targs []*Type) *Type {
			if len(targs) > 0 {
				return targs[0]
			}
			return nil
		}},
		&Member{Name: "AsFormUrlEncodedContent", Kind: Method, Min: 0, Max: 1, Params: []string{"preserveContent"}, Fn: func(c Call) Value {
			preserve := c.Has(0) && c.Bool(0)
			data, err := body(c).Read(preserve)
			if err != nil {
				Throw(ExInvalidOp, "%s", err.Error())
			}
			vals, err := url.ParseQuery(string(data))
			if err != nil {
				Throw(ExFormat, "The message body is not valid form URL encoded content.")
			}
			d := NewDict(u.String, u.ListOf(u.String))
			for _, k := range sortedKeys(vals) {
				l := &List{T: u.String, Cap: len(vals[k])}
				for _, v := range vals[k] {
					l.Items = append(l.Items, v)
				}
				d.Set(k, l)
			}
			return d
		}, Result: u.DictOf(u.String, u.ListOf(u.String))},
	)
	api := func(c Call) *Api { return c.This.(*Api) }
	skp := u.hostTypeNamed("ISubscriptionKeyParameterNames", "Microsoft.Azure.ApiManagement.Proxy.ISubscriptionKeyParameterNames")
	skp.add(prop("Header", u.String, func(c Call) Value { return c.This.(*Api).SubscriptionKeyHeader }),
		prop("Query", u.String, func(c Call) Value { return c.This.(*Api).SubscriptionKeyQuery }))
	u.Api.add(
		prop("Id", u.String, func(c Call) Value { return api(c).Id }),
		prop("Name", u.String, func(c Call) Value { return api(c).Name }),
		prop("Path", u.String, func(c Call) Value { return api(c).Path }),
		prop("Revision", u.String, func(c Call) Value { return api(c).Revision }),
		prop("Version", u.String, func(c Call) Value { return nilIfEmpty(api(c).Version) }),
		prop("IsCurrentRevision", u.Bool, func(c Call) Value { return api(c).IsCurrentRevision }),
		prop("ServiceUrl", u.Url, func(c Call) Value { return orNil(api(c).ServiceUrl) }),
		prop("SubscriptionKeyParameterNames", skp, func(c Call) Value { return api(c) }),
		prop("Protocols", u.SeqOf(u.String), func(c Call) Value { return seqOfStrings(api(c).Protocols) }),
	)
	op := func(c Call) *Operation { return c.This.(*Operation) }
	u.Operation.add(
		prop("Id", u.String, func(c Call) Value { return op(c).Id }),
		prop("Name", u.String, func(c Call) Value { return op(c).Name }),
		prop("Method", u.String, func(c Call) Value { return op(c).Method }),
		prop("UrlTemplate", u.String, func(c Call) Value { return op(c).UrlTemplate }),
	)
	groups := func(gs []Group) Value {
		out := make([]Value, len(gs))
		for i, g := range gs {
			out[i] = g
		}
		return &Seq{T: u.Group, Items: out}
	}
	u.Group.add(prop("Id", u.String, func(c Call) Value { return c.This.(Group).Id }),
		prop("Name", u.String, func(c Call) Value { return c.This.(Group).Name }))
	pr := func(c Call) *Product { return c.This.(*Product) }
	u.Product.add(
		prop("Id", u.String, func(c Call) Value { return pr(c).Id }),
		prop("Name", u.String, func(c Call) Value { return pr(c).Name }),
		prop("ApprovalRequired", u.Bool, func(c Call) Value { return pr(c).ApprovalRequired }),
		prop("SubscriptionRequired", u.Bool, func(c Call) Value { return pr(c).SubscriptionRequired }),
		prop("SubscriptionLimit", nil, func(c Call) Value {
			if l := pr(c).SubscriptionLimit; l != nil {
				return int32(*l)
			}
			return nil
		}),
		prop("State", nil, func(c Call) Value { return pr(c).State }),
		prop("Groups", u.SeqOf(u.Group), func(c Call) Value { return groups(pr(c).Groups) }),
	)
	sub := func(c Call) *Subscription { return c.This.(*Subscription) }
	optTime := func(t *time.Time) Value {
		if t == nil {
			return nil
		}
		return *t
	}
	u.Subscription.add(
		prop("Id", u.String, func(c Call) Value { return sub(c).Id }),
		prop("Name", u.String, func(c Call) Value { return sub(c).Name }),
		prop("Key", u.String, func(c Call) Value { return sub(c).Key }),
		prop("PrimaryKey", u.String, func(c Call) Value { return sub(c).PrimaryKey }),
		prop("SecondaryKey", u.String, func(c Call) Value { return sub(c).SecondaryKey }),
		prop("CreatedDate", u.DateTime, func(c Call) Value { return sub(c).CreatedDate }),
		prop("StartDate", u.NullableOf(u.DateTime), func(c Call) Value { return optTime(sub(c).StartDate) }),
		prop("EndDate", u.NullableOf(u.DateTime), func(c Call) Value { return optTime(sub(c).EndDate) }),
	)
	usr := func(c Call) *User { return c.This.(*User) }
	u.User.add(
		prop("Id", u.String, func(c Call) Value { return usr(c).Id }),
		prop("Email", u.String, func(c Call) Value { return usr(c).Email }),
		prop("FirstName", u.String, func(c Call) Value { return usr(c).FirstName }),
		prop("LastName", u.String, func(c Call) Value { return usr(c).LastName }),
		prop("Note", u.String, func(c Call) Value { return usr(c).Note }),
		prop("RegistrationDate", u.DateTime, func(c Call) Value { return usr(c).RegistrationDate }),
		prop("Groups", u.SeqOf(u.Group), func(c Call) Value { return groups(usr(c).Groups) }),
	)
	dep := func(c Call) *Deployment { return c.This.(*Deployment) }
	u.Deployment.add(
		prop("Region", u.String, func(c Call) Value { return dep(c).Region }),
		prop("ServiceName", u.String, func(c Call) Value { return dep(c).ServiceName }),
		prop("ServiceId", u.String, func(c Call) Value { return dep(c).ServiceId }),
		prop("GatewayId", u.String, func(c Call) Value { return dep(c).GatewayId }),
		prop("Certificates", u.DictOf(u.String, u.Certificate), func(c Call) Value {
			d := NewDict(u.String, u.Certificate)
			for _, k := range sortedKeys(dep(c).Certificates) {
				d.Set(k, dep(c).Certificates[k])
			}
			return d
		}),
	)
	le := func(c Call) *LastError { return c.This.(*LastError) }
	u.LastError.add(
		prop("Source", u.String, func(c Call) Value { return le(c).Source }),
		prop("Reason", u.String, func(c Call) Value { return le(c).Reason }),
		prop("Message", u.String, func(c Call) Value { return le(c).Message }),
		prop("Scope", u.String, func(c Call) Value { return le(c).Scope }),
		prop("Section", u.String, func(c Call) Value { return le(c).Section }),
		prop("Path", u.String, func(c Call) Value { return le(c).Path }),
		prop("PolicyId", u.String, func(c Call) Value { return le(c).PolicyId }),
	)
}

func nilIfEmpty(s string) Value {
	if s == "" {
		return nil
	}
	return s
}

func seqOfStrings(ss []string) *Seq {
	out := make([]Value, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return &Seq{T: Universe().String, Items: out}
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sortStrings(out)
	return out
}

// Each implements Enumerable for variables (KeyValuePair<string, object>).
func (v *Variables) Each(f func(Value) bool) {
	for _, n := range v.order {
		if !f(KeyValue{n, v.m[n]}) {
			return
		}
	}
}
