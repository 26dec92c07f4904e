package value

import (
	"net/netip"
	"strings"
)

// IPAddress is a System.Net.IPAddress.
type IPAddress struct {
	A netip.Addr
}

// DotnetType implements Typed.
func (a *IPAddress) DotnetType(u *Lib) *Type { return u.Types["IPAddress"] }

// DotnetString implements Stringer.
func (a *IPAddress) DotnetString() string {
	if a.A.Is4In6() {
		// .NET prints IPv4-mapped addresses as ::ffff:a.b.c.d
		v4 := a.A.Unmap()
		return "::ffff:" + v4.String()
	}
	return a.A.WithZone(a.A.Zone()).String()
}

// parseIPAddress accepts dotted IPv4 and IPv6 text, with an optional
// bracketed IPv6 form.
func parseIPAddress(s string) (*IPAddress, bool) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "[") {
		if i := strings.IndexByte(s, ']'); i > 0 {
			s = s[1:i]
		}
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return nil, false
	}
	return &IPAddress{a}, true
}

func (u *Lib) buildNet() {
	t := u.newType("IPAddress", "System.Net.IPAddress", u.Object)
	t.Is = func(v Value) bool { _, ok := v.(*IPAddress); return ok }
	af := u.newType("AddressFamily", "System.Net.Sockets.AddressFamily", u.Object)
	af.EnumValues = map[string]int64{"Unknown": -1, "Unspecified": 0, "InterNetwork": 2, "InterNetworkV6": 23}
	ip := func(c Call) netip.Addr { return c.This.(*IPAddress).A }
	t.add(
		prop("AddressFamily", af, func(c Call) Value {
			if ip(c).Is4() {
				return Enum{T: af, V: 2, Name: "InterNetwork"}
			}
			return Enum{T: af, V: 23, Name: "InterNetworkV6"}
		}),
		meth("GetAddressBytes", 0, 0, u.Bytes, func(c Call) Value { return ip(c).AsSlice() }),
		meth("MapToIPv4", 0, 0, t, func(c Call) Value { return &IPAddress{ip(c).Unmap()} }),
		meth("MapToIPv6", 0, 0, t, func(c Call) Value {
			if a := ip(c); a.Is4() {
				return &IPAddress{netip.AddrFrom16(a.As16())}
			}
			return c.This
		}),
		prop("IsIPv4MappedToIPv6", u.Bool, func(c Call) Value { return ip(c).Is4In6() }),
		prop("IsIPv6LinkLocal", u.Bool, func(c Call) Value { a := ip(c); return a.Is6() && a.IsLinkLocalUnicast() }),
		meth("ToString", 0, 0, u.String, func(c Call) Value { return c.This.(*IPAddress).DotnetString() }),
		meth("Equals", 1, 1, u.Bool, func(c Call) Value {
			o, ok := c.Args[0].(*IPAddress)
			return ok && o.A == ip(c)
		}),
	)
	t.NewMin = 1
	t.New = func(c Call) Value {
		b, ok := c.Args[0].([]byte)
		if !ok {
			if n, ok := AsInt64(c.Args[0]); ok {
				// new IPAddress(long): the address in network order stored little endian
				return &IPAddress{netip.AddrFrom4([4]byte{byte(n), byte(n >> 8), byte(n >> 16), byte(n >> 24)})}
			}
			ThrowCast(c.Args[0], "System.Byte[]")
		}
		a, ok := netip.AddrFromSlice(b)
		if !ok {
			Throw(ExArgument, "An invalid IP address was specified. (Parameter 'address')")
		}
		return &IPAddress{a}
	}
	four := func(a, b, c, d byte) func(Call) Value {
		return func(Call) Value { return &IPAddress{netip.AddrFrom4([4]byte{a, b, c, d})} }
	}
	t.addStatic(
		meth("Parse", 1, 1, t, func(c Call) Value {
			c.NotNull(0, "ipString")
			a, ok := parseIPAddress(c.Str(0))
			if !ok {
				Throw(ExFormat, "An invalid IP address was specified.")
			}
			return a
		}),
		&Member{Name: "TryParse", Kind: Method, Min: 2, Max: 2, Result: u.Bool, Out: []int{-1}, Fn: func(c Call) Value {
			a, ok := parseIPAddress(c.Str(0))
			if !ok || c.IsNull(0) {
				c.Args[1] = nil
				return false
			}
			c.Args[1] = a
			return true
		}},
		meth("IsLoopback", 1, 1, u.Bool, func(c Call) Value {
			a, ok := c.Args[0].(*IPAddress)
			if !ok {
				c.NotNull(0, "address")
				ThrowCast(c.Args[0], "System.Net.IPAddress")
			}
			return a.A.Unmap().IsLoopback()
		}),
		prop("Any", t, four(0, 0, 0, 0)),
		prop("Loopback", t, four(127, 0, 0, 1)),
		prop("Broadcast", t, four(255, 255, 255, 255)),
		prop("None", t, four(255, 255, 255, 255)),
		prop("IPv6Any", t, func(Call) Value { return &IPAddress{netip.IPv6Unspecified()} }),
		prop("IPv6Loopback", t, func(Call) Value { return &IPAddress{netip.IPv6Loopback()} }),
		prop("IPv6None", t, func(Call) Value { return &IPAddress{netip.IPv6Unspecified()} }),
		meth("HostToNetworkOrder", 1, 1, nil, func(c Call) Value { return byteSwap(c.Args[0]) }),
		meth("NetworkToHostOrder", 1, 1, nil, func(c Call) Value { return byteSwap(c.Args[0]) }),
	)
	t.Statics["HostToNetworkOrder"].ResultOf = func(_ *Type, a []*Type, _ []*Type) *Type { return a[0] }
	t.Statics["NetworkToHostOrder"].ResultOf = t.Statics["HostToNetworkOrder"].ResultOf
}

// byteSwap reverses the bytes of a short, int or long (little-endian host).
func byteSwap(v Value) Value {
	switch x := v.(type) {
	case int32:
		u := uint32(x)
		return int32(u>>24 | u>>8&0xff00 | u<<8&0xff0000 | u<<24)
	case int64:
		u := uint64(x)
		var r uint64
		for range 8 {
			r = r<<8 | u&0xff
			u >>= 8
		}
		return int64(r)
	}
	n, _ := AsInt64(v)
	return int16(uint16(n)>>8 | uint16(n)<<8)
}
