package value

import (
	"encoding/json"
	"math"
	"sort"
)

// Authorization is what get-authorization-context stores in its context
// variable: the access token of a credential manager connection and the
// claims that came with it.
type Authorization struct {
	AccessToken string
	// Claims is an IReadOnlyDictionary<string, object>; nil is empty.
	Claims *Dict
}

// DotnetType implements Typed.
func (a *Authorization) DotnetType(u *Lib) *Type { return u.Types["Authorization"] }

// NewAuthorization returns an Authorization with the claims given as
// decoded JSON: strings stay strings, integral numbers become long, other
// numbers double, booleans bool; arrays and objects keep their JSON text.
func NewAuthorization(accessToken string, claims map[string]any) *Authorization {
	u := Universe()
	d := NewDict(u.String, u.Object)
	keys := make([]string, 0, len(claims))
	for k := range claims {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		switch v := claims[k].(type) {
		case string, bool, nil:
			d.Set(k, v)
		case float64:
			if v == math.Trunc(v) && math.Abs(v) < 1<<53 {
				d.Set(k, int64(v))
			} else {
				d.Set(k, v)
			}
		case int:
			d.Set(k, int64(v))
		case int64:
			d.Set(k, v)
		default:
			b, _ := json.Marshal(v)
			d.Set(k, string(b))
		}
	}
	return &Authorization{AccessToken: accessToken, Claims: d}
}

func (u *Lib) buildAuthorization() {
	t := u.newType("Authorization", "Microsoft.Azure.ApiManagement.Proxy.Authorization", u.Object)
	claims := u.DictOf(u.String, u.Object)
	t.add(
		prop("AccessToken", u.String, func(c Call) Value { return c.This.(*Authorization).AccessToken }),
		prop("Claims", claims, func(c Call) Value {
			a := c.This.(*Authorization)
			if a.Claims == nil {
				return NewDict(u.String, u.Object)
			}
			return a.Claims
		}),
	)
}
