package value

import (
	"strings"

	"github.com/tollgate/tollgate/internal/jsonx"
)

// DotnetType implements Typed.
func (p *PrivateEndpointConnection) DotnetType(u *Lib) *Type {
	return u.Types["IPrivateEndpointConnection"]
}

// DotnetType implements Typed.
func (g *GraphQL) DotnetType(u *Lib) *Type { return u.Types["IGraphQL"] }

// DotnetType implements Typed.
func (w *Workspace) DotnetType(u *Lib) *Type { return u.Types["IWorkspace"] }

// DotnetType implements Typed.
func (g *Gateway) DotnetType(u *Lib) *Type { return u.Types["IGateway"] }

// DotnetType implements Typed.
func (i UserIdentity) DotnetType(u *Lib) *Type { return u.Types["IUserIdentity"] }

// formEncode encodes a dictionary of string lists as
// application/x-www-form-urlencoded text: names and values escaped as
// Uri.EscapeDataString does, spaces as '+', one name=value pair per value.
func formEncode(d *Dict) string {
	var b strings.Builder
	enc := func(s string) string { return strings.ReplaceAll(escapeData(s), "%20", "+") }
	for i, k := range d.Keys {
		name := enc(ToString(k))
		each := func(v Value) bool {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(name)
			b.WriteByte('=')
			b.WriteString(enc(ToString(v)))
			return true
		}
		switch v := d.Vals[i].(type) {
		case nil:
		case string:
			each(v)
		default:
			Each(v, each)
		}
	}
	return b.String()
}

// buildContextMore adds the context members that are rarely set: the
// deployment's gateway, workspaces, private endpoints, user identities and
// the product's APIs, and the form helpers.
func (u *Lib) buildContextMore() {
	gw := u.hostTypeNamed("IGateway", "Microsoft.Azure.ApiManagement.Proxy.IGateway")
	gateway := func(c Call) *Gateway {
		d := c.This.(*Deployment)
		if d.Gateway != nil {
			return d.Gateway
		}
		return &Gateway{Id: d.GatewayId, IsManaged: d.GatewayId == "" || d.GatewayId == "managed"}
	}
	u.Deployment.add(prop("Gateway", gw, func(c Call) Value { return gateway(c) }))
	gw.add(prop("Id", u.String, func(c Call) Value { return c.This.(*Gateway).Id }),
		prop("InstanceId", u.String, func(c Call) Value { return c.This.(*Gateway).InstanceId }),
		prop("IsManaged", u.Bool, func(c Call) Value { return c.This.(*Gateway).IsManaged }))

	ws := u.hostTypeNamed("IWorkspace", "Microsoft.Azure.ApiManagement.Proxy.IWorkspace")
	ws.add(prop("Id", u.String, func(c Call) Value { return c.This.(*Workspace).Id }),
		prop("Name", u.String, func(c Call) Value { return c.This.(*Workspace).Name }))
	u.Context.add(prop("Workspace", ws, func(c Call) Value { return orNil(c.This.(*Context).Workspace) }))

	gq := u.hostTypeNamed("IGraphQL", "Microsoft.Azure.ApiManagement.Proxy.IGraphQL")
	tok := func(t *jsonx.Token) Value {
		if t == nil {
			return nil
		}
		return t
	}
	gq.add(prop("Arguments", u.JToken, func(c Call) Value { return tok(c.This.(*GraphQL).Arguments) }),
		prop("Parent", u.JToken, func(c Call) Value { return tok(c.This.(*GraphQL).Parent) }))
	u.Context.add(prop("GraphQL", gq, func(c Call) Value { return orNil(c.This.(*Context).GraphQL) }))

	pec := u.hostTypeNamed("IPrivateEndpointConnection", "Microsoft.Azure.ApiManagement.Proxy.IPrivateEndpointConnection")
	p := func(c Call) *PrivateEndpointConnection { return c.This.(*PrivateEndpointConnection) }
	pec.add(prop("Name", u.String, func(c Call) Value { return p(c).Name }),
		prop("GroupId", u.String, func(c Call) Value { return p(c).GroupId }),
		prop("MemberName", u.String, func(c Call) Value { return p(c).MemberName }))
	u.Request.add(prop("PrivateEndpointConnection", pec, func(c Call) Value {
		return orNil(c.This.(*Request).PrivateEndpointConnection)
	}))

	ui := u.hostTypeNamed("IUserIdentity", "Microsoft.Azure.ApiManagement.Proxy.IUserIdentity")
	ui.add(prop("Id", u.String, func(c Call) Value { return c.This.(UserIdentity).Id }),
		prop("Provider", u.String, func(c Call) Value { return c.This.(UserIdentity).Provider }))
	u.User.add(prop("Identities", u.SeqOf(ui), func(c Call) Value {
		ids := c.This.(*User).Identities
		out := make([]Value, len(ids))
		for i, x := range ids {
			out[i] = x
		}
		return &Seq{T: ui, Items: out}
	}))
	u.Product.add(prop("Apis", u.SeqOf(u.Api), func(c Call) Value {
		apis := c.This.(*Product).Apis
		out := make([]Value, len(apis))
		for i, x := range apis {
			out[i] = x
		}
		return &Seq{T: u.Api, Items: out}
	}))

	form := func(c Call) Value {
		d, ok := c.This.(*Dict)
		if !ok {
			ThrowCast(c.This, "System.Collections.Generic.IDictionary`2[System.String,System.Collections.Generic.IList`1[System.String]]")
		}
		return formEncode(d)
	}
	u.dictBase.add(meth("ToFormUrlEncodedContent", 0, 0, u.String, form),
		meth("ToQueryString", 0, 0, u.String, form))

	nl := u.newType("Nullable", "System.Nullable", u.Object)
	nl.addStatic(
		meth("Equals", 2, 2, u.Bool, func(c Call) Value { return Equal(c.Args[0], c.Args[1]) }),
		meth("Compare", 2, 2, u.Int, func(c Call) Value {
			a, b := c.Args[0], c.Args[1]
			switch {
			case a == nil && b == nil:
				return int32(0)
			case a == nil:
				return int32(-1)
			case b == nil:
				return int32(1)
			}
			n, ok := Compare(a, b)
			if !ok {
				Throw(ExArgument, "At least one object must implement IComparable.")
			}
			return int32(n)
		}),
	)
}
