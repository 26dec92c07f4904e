package graphql

import (
	"strings"
	"testing"
)

func TestParseAction(t *testing.T) {
	tests := []struct {
		word    string
		want    Action
		wantErr bool
	}{
		{"", Allow, false},
		{"allow", Allow, false},
		{"Allow", Allow, false},
		{"remove", Remove, false},
		{"reject", Reject, false},
		{"deny", Reject, false},
		{"DENY", Reject, false},
		{"ignore", Ignore, false},
		{"block", Allow, true},
		{" allow", Allow, true},
	}
	for i, tt := range tests {
		got, err := ParseAction(tt.word)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("%d: ParseAction(%q) = %v, %v; want %v, error %v", i, tt.word, got, err, tt.want, tt.wantErr)
		}
		if err != nil && !strings.Contains(err.Error(), tt.word) {
			t.Errorf("%d: error %q does not name the word", i, err)
		}
	}
	for _, a := range []Action{Allow, Remove, Reject, Ignore} {
		if got, _ := ParseAction(a.String()); got != a {
			t.Errorf("ParseAction(%v.String()) = %v", a, got)
		}
	}
}

func TestCheckRules(t *testing.T) {
	s := testSchema(t)
	tests := []struct {
		path     string
		schema   string // "" if fine, else a substring of the error
		noSchema string
	}{
		{"/Query/users", "", ""},
		{"/Mutation/deleteUser", "", ""},
		{"/Subscription/userAdded", "", ""},
		{"/Query/*", "", ""},
		{"/Query/us*", "", ""},
		{"/*/email", "", ""},
		{"/*/*", "", ""},
		{"/__*", "", ""},
		{"/__schema", "", ""},
		{"/__typename", "", ""},
		{"/__Type", "", ""},
		{"/User/email", "", "not a root type"},
		{"/User/__typename", "", "not a root type"},
		{"/Us*/email", "", "no root type matches"},
		{"/Query/__schema", "", ""},
		{"/__Type/fields", "", "not a root type"},
		{"/User/emial", "type User has no field emial", "not a root type"},
		{"/User/x*", "no field matching x*", "not a root type"},
		{"/Usr/email", "no type Usr", "not a root type"},
		{"/Node/id", "Node is an interface", "not a root type"},
		{"/SearchResult/id", "a union", "not a root type"},
		{"/UserFilter/name", "an input", "not a root type"},
		{"/Role/ADMIN", "an enum", "not a root type"},
		{"/String/x", "a scalar", "not a root type"},
		{"/X*/id", "no object type of the schema matches X*", "no root type matches"},
		{"/P*/name", "no object type matching P* has a field matching name", "no root type matches"},
		{"/__nothing", "nothing in the introspection system", ""},
		{"", "starts with /", "starts with /"},
		{"Query/users", "starts with /", "starts with /"},
		{"/Query", "one-segment", "one-segment"},
		{"/Query/users/name", "/Type/field", "/Type/field"},
		{"/Query/", "empty segment", "empty segment"},
		{"//users", "empty segment", "empty segment"},
		{"/Qu*ery/users", "may only end", "may only end"},
		{"/Query/us-ers", "GraphQL name", "GraphQL name"},
		{"/1Query/users", "GraphQL name", "GraphQL name"},
		{"/*", "one-segment", "one-segment"},
	}
	for i, tt := range tests {
		for _, c := range []struct {
			s    *Schema
			want string
		}{{s, tt.schema}, {nil, tt.noSchema}} {
			errs := CheckRules(c.s, []string{"/Query/me", tt.path})
			if c.want == "" {
				if errs != nil {
					t.Errorf("%d: CheckRules(schema %v, %q) = %v; want none", i, c.s != nil, tt.path, errs)
				}
				continue
			}
			if len(errs) != 2 || errs[0] != nil || errs[1] == nil {
				t.Errorf("%d: CheckRules(schema %v, %q) = %v; want one error at index 1", i, c.s != nil, tt.path, errs)
				continue
			}
			if msg := errs[1].Error(); !strings.Contains(msg, c.want) || !strings.Contains(msg, tt.path) {
				t.Errorf("%d: CheckRules(schema %v, %q) = %q; want it to contain %q and the path", i, c.s != nil, tt.path, msg, c.want)
			}
		}
	}
}

func TestPatternRank(t *testing.T) {
	// Each path is more specific than the next for the field /User/email.
	order := []string{"/User/email", "/User/emai*", "/User/e*", "/User/*", "/Use*/email", "/U*/*", "/*/email", "/*/*"}
	for i := 0; i+1 < len(order); i++ {
		a, _ := parsePattern(order[i])
		b, _ := parsePattern(order[i+1])
		if !a.match("User", "email") || !b.match("User", "email") {
			t.Fatalf("%s or %s does not match /User/email", order[i], order[i+1])
		}
		if a.rank() <= b.rank() {
			t.Errorf("%s ranks %d, not above %s's %d", order[i], a.rank(), order[i+1], b.rank())
		}
	}
	one, _ := parsePattern("/__*")
	two, _ := parsePattern("/*/__schema")
	if one.rank() >= two.rank() {
		t.Errorf("/__* ranks above a two-segment path")
	}
}

func TestPatternMatch(t *testing.T) {
	tests := []struct {
		path, parent, field string
		want                bool
	}{
		{"/Query/users", "Query", "users", true},
		{"/Query/users", "Query", "user", false},
		{"/Query/users", "", "users", false},
		{"/Query/user*", "Query", "users", true},
		{"/Query/user*", "Query", "user", true},
		{"/Query/*", "Query", "__schema", false},
		{"/Query/*", "Query", "__typename", false},
		{"/Query/__*", "Query", "__schema", true},
		{"/*/name", "__Type", "name", false},
		{"/__*", "Query", "__schema", true},
		{"/__*", "Query", "__type", true},
		{"/__*", "User", "__typename", false},
		{"/__typename", "User", "__typename", true},
		{"/__typename", "", "__typename", true},
		{"/__*", "__Type", "name", true},
		{"/__*", "", "__schema", true},
		{"/__*", "Query", "users", false},
		{"/__Type", "__Type", "fields", true},
		{"/__Type", "__Schema", "types", false},
	}
	for i, tt := range tests {
		p, msg := parsePattern(tt.path)
		if msg != "" {
			t.Fatalf("%d: %s: %s", i, tt.path, msg)
		}
		if got := p.match(tt.parent, tt.field); got != tt.want {
			t.Errorf("%d: %s matches /%s/%s = %v; want %v", i, tt.path, tt.parent, tt.field, got, tt.want)
		}
		if p.String() != tt.path {
			t.Errorf("%d: String() = %q; want %q", i, p.String(), tt.path)
		}
	}
}
