package graphql

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestValidateRules(t *testing.T) {
	s := testSchema(t)
	custom, err := ParseSchema("custom.graphql", `schema { query: Root mutation: Change } type Root { a: Int b: Int } type Change { c: Int }`)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		desc    string
		s       *Schema
		query   string
		rules   []Rule
		reject  string   // the request error's message, "" for none
		removed []string // the removed fields' response paths, joined with .
	}{
		{desc: "allow", s: s, query: `{ users { name } }`,
			rules: []Rule{{"/Query/users", Allow}}},
		{desc: "no rule allows", s: s, query: `{ users { name email } }`,
			rules: []Rule{{"/Mutation/deleteUser", Reject}}},
		{desc: "reject", s: s, query: `mutation { deleteUser(id: "1") }`,
			rules:  []Rule{{"/Query/users", Allow}, {"/Query/me", Allow}, {"/Mutation/deleteUser", Reject}},
			reject: "field /Mutation/deleteUser refused by rule 3 (path /Mutation/deleteUser, action reject)"},
		{desc: "remove", s: s, query: `{ users { name email } }`,
			rules: []Rule{{"/User/email", Remove}}, removed: []string{"users.email"}},
		{desc: "remove under an alias", s: s, query: `{ people: users { mail: email name } }`,
			rules: []Rule{{"/User/email", Remove}}, removed: []string{"people.mail"}},
		{desc: "ignore alone", s: s, query: `{ users { email } }`,
			rules: []Rule{{"/User/email", Ignore}}},
		{desc: "ignore falls through to a less specific rule", s: s, query: `{ users { name email } }`,
			rules: []Rule{{"/User/*", Remove}, {"/User/email", Ignore}}, removed: []string{"users.name", "users.email"}},
		{desc: "the most specific rule wins", s: s, query: `{ users { name email } }`,
			rules: []Rule{{"/User/*", Remove}, {"/User/email", Allow}}, removed: []string{"users.name"}},
		{desc: "the most specific rule wins whatever the order", s: s, query: `{ users { name } me { name } }`,
			rules:  []Rule{{"/Query/users", Allow}, {"/Query/*", Reject}},
			reject: "field /Query/me refused by rule 2 (path /Query/*, action reject)"},
		{desc: "a longer prefix is more specific", s: s, query: `{ users { name email } }`,
			rules: []Rule{{"/User/*", Allow}, {"/User/e*", Remove}}, removed: []string{"users.email"}},
		{desc: "the type segment decides first", s: s, query: `{ users { name email } }`,
			rules: []Rule{{"/*/email", Remove}, {"/User/*", Allow}}},
		{desc: "among equals the first rule", s: s, query: `{ users { email } }`,
			rules: []Rule{{"/User/email", Remove}, {"/User/email", Reject}}, removed: []string{"users.email"}},
		{desc: "the first reject ends the request", s: s, query: `{ users { email } me { email } }`,
			rules:  []Rule{{"/User/email", Reject}},
			reject: "field /User/email refused by rule 1 (path /User/email, action reject)"},

		{desc: "introspection refused", s: s, query: `{ __schema { types { name } } }`,
			rules:  []Rule{{"/__*", Reject}},
			reject: "field /Query/__schema refused by rule 1 (path /__*, action reject)"},
		{desc: "__type refused", s: s, query: `{ __type(name: "User") { name } }`,
			rules: []Rule{{"/__*", Reject}}, reject: "/Query/__type refused"},
		{desc: "introspection refused without a schema", query: `{ __schema { types { name } } }`,
			rules: []Rule{{"/__*", Reject}}, reject: "field /Query/__schema refused by rule 1"},
		{desc: "introspection types' fields", s: s, query: `{ __schema { types { name } } }`,
			rules: []Rule{{"/Query/__schema", Allow}, {"/__*", Remove}}, removed: []string{"__schema.types"}},
		{desc: "__typename passes /__*", s: s, query: `{ users { __typename name } __typename }`,
			rules: []Rule{{"/__*", Reject}}},
		{desc: "__typename named exactly", s: s, query: `{ users { __typename name } }`,
			rules: []Rule{{"/__typename", Remove}}, removed: []string{"users.__typename"}},
		{desc: "a wildcard skips the introspection system", s: s, query: `{ __schema { queryType { name } } }`,
			rules: []Rule{{"/Query/*", Reject}, {"/*/*", Reject}}},

		{desc: "named fragment", s: s, query: `{ me { ...F } } fragment F on User { name email }`,
			rules: []Rule{{"/User/email", Reject}}, reject: "field /User/email refused"},
		{desc: "nested named fragments", s: s, query: `{ me { ...F } } fragment F on User { friends { ...G } } fragment G on User { email }`,
			rules: []Rule{{"/User/email", Remove}}, removed: []string{"me.friends.email"}},
		{desc: "inline fragment on a union", s: s, query: `{ search(text: "x") { ... on User { email } ... on Post { title } } }`,
			rules: []Rule{{"/User/email", Remove}, {"/Post/title", Allow}}, removed: []string{"search.email"}},
		{desc: "inline fragment on a union, reject", s: s, query: `{ search(text: "x") { ... on User { name } ... on Post { title } } }`,
			rules: []Rule{{"/Post/title", Reject}}, reject: "field /Post/title refused"},
		{desc: "interface field decided for each object type", s: s, query: `{ node(id: "1") { id } }`,
			rules:  []Rule{{"/User/id", Allow}, {"/Post/id", Reject}},
			reject: "field /Post/id (selected on interface Node) refused by rule 2 (path /Post/id, action reject)"},
		{desc: "interface field, most restrictive outcome", s: s, query: `{ node(id: "1") { id } }`,
			rules: []Rule{{"/User/id", Remove}, {"/Post/id", Allow}}, removed: []string{"node.id"}},
		{desc: "union __typename", s: s, query: `{ search(text: "x") { __typename } }`,
			rules: []Rule{{"/Post/__typename", Reject}}, reject: "/Post/__typename (selected on union SearchResult)"},
		{desc: "rules naming an interface match nothing", s: s, query: `{ node(id: "1") { id } }`,
			rules: []Rule{{"/Node/id", Reject}}},

		{desc: "no schema: root fields", query: `{ users { name } }`,
			rules: []Rule{{"/Query/users", Reject}}, reject: "field /Query/users refused by rule 1"},
		{desc: "no schema: nested types are unknown", query: `{ users { email } }`,
			rules: []Rule{{"/User/email", Reject}, {"/*/email", Reject}}},
		{desc: "no schema: root through fragments", query: `{ ...F } fragment F on Query { users { name } }`,
			rules: []Rule{{"/Query/users", Remove}}, removed: []string{"users"}},
		{desc: "no schema: type conditions are not trusted", query: `{ ... on Anything { users { name } } }`,
			rules: []Rule{{"/Query/users", Reject}}, reject: "field /Query/users refused"},
		{desc: "no schema: mutation root", query: `mutation { deleteUser(id: 1) }`,
			rules: []Rule{{"/Mutation/delete*", Reject}}, reject: "/Mutation/deleteUser refused by rule 1 (path /Mutation/delete*, action reject)"},
		{desc: "no schema: nested meta-fields", query: `{ users { __type(name: "x") { name } } }`,
			rules: []Rule{{"/__*", Reject}}, reject: "field /Query/users/__type refused"},
		{desc: "no schema: subscription root", query: `subscription { userAdded { name } }`,
			rules: []Rule{{"/Subscription/userAdded", Remove}}, removed: []string{"userAdded"}},
		{desc: "schema's own root names", s: custom, query: `{ a b }`,
			rules: []Rule{{"/Root/a", Remove}, {"/Query/b", Reject}}, removed: []string{"a"}},
		{desc: "malformed rules never match", s: s, query: `{ users { name } }`,
			rules: []Rule{{"Query/users", Reject}, {"/Query", Reject}}},
	}
	for i, tt := range tests {
		r := Validate(tt.s, Request{Query: tt.query}, Limits{MaxDepth: 6}, tt.rules)
		var reject string
		if len(r.RequestErrors) > 0 {
			reject = r.RequestErrors[0].Message
			if len(r.RequestErrors) > 1 || r.RequestErrors[0].Code() != CodeFieldNotAuthorized {
				t.Errorf("%d %s: request errors %v", i, tt.desc, messages(r.RequestErrors))
				continue
			}
		}
		if tt.reject == "" && reject != "" || !strings.Contains(reject, tt.reject) {
			t.Errorf("%d %s: request error %q; want %q", i, tt.desc, reject, tt.reject)
		}
		var removed []string
		for _, e := range r.FieldErrors {
			var p []string
			for _, el := range e.Path {
				p = append(p, el.(string))
			}
			removed = append(removed, strings.Join(p, "."))
			if e.Code() != CodeFieldNotAuthorized || !strings.Contains(e.Message, "action remove") || len(e.Locations) != 1 {
				t.Errorf("%d %s: field error %+v", i, tt.desc, e)
			}
		}
		if !reflect.DeepEqual(removed, tt.removed) {
			t.Errorf("%d %s: removed %q; want %q", i, tt.desc, removed, tt.removed)
		}
		switch {
		case len(r.RequestErrors) > 0:
			if r.Query != "" || r.FieldErrors != nil {
				t.Errorf("%d %s: a failed request has query %q, field errors %v", i, tt.desc, r.Query, r.FieldErrors)
			}
		case len(removed) == 0:
			if r.Query != tt.query {
				t.Errorf("%d %s: query rewritten to %q", i, tt.desc, r.Query)
			}
		default:
			mustReparse(t, tt.s, r.Query)
			// The rewritten query passes the same rules untouched.
			again := Validate(tt.s, Request{Query: r.Query}, Limits{MaxDepth: 6}, tt.rules)
			if again.RequestErrors != nil || again.FieldErrors != nil || again.Query != r.Query {
				t.Errorf("%d %s: the rewritten query %q validates to %+v", i, tt.desc, r.Query, again)
			}
		}
	}
}

func TestValidateRemoval(t *testing.T) {
	s := testSchema(t)
	tests := []struct {
		desc      string
		query, op string
		vars      map[string]any
		rules     []Rule
		want      []string // substrings of the rewritten query
		wantNot   []string
	}{
		{desc: "a parent left empty goes", query: `{ me { email } users { name } }`,
			rules: []Rule{{"/User/email", Remove}}, want: []string{"users {"}, wantNot: []string{"me {", "email"}},
		{desc: "unused variables go", query: `query Q($id: ID!, $n: Int) { user(id: $id) { name } users(first: $n) { name } }`, vars: map[string]any{"id": "1"},
			rules: []Rule{{"/Query/user", Remove}}, want: []string{"query Q ($n: Int)", "users(first: $n)"}, wantNot: []string{"$id", "user("}},
		{desc: "variables used in directives stay", query: `query Q($id: ID!, $b: Boolean!) { user(id: $id) { name } users { name @include(if: $b) } }`,
			vars:  map[string]any{"id": "1", "b": true},
			rules: []Rule{{"/Query/user", Remove}}, want: []string{"$b: Boolean!", "@include(if: $b)"}, wantNot: []string{"$id"}},
		{desc: "an emptied fragment and its spreads go", query: `{ me { ...F name } users { ...F } } fragment F on User { email }`,
			rules: []Rule{{"/User/email", Remove}}, want: []string{"me {", "name"}, wantNot: []string{"F", "users"}},
		{desc: "a fragment keeps its other fields", query: `{ me { ...F } } fragment F on User { email name }`,
			rules: []Rule{{"/User/email", Remove}}, want: []string{"...F", "fragment F on User", "name"}, wantNot: []string{"email"}},
		{desc: "an emptied inline fragment goes", query: `{ search(text: "x") { ... on User { email } ... on Post { title } } }`,
			rules: []Rule{{"/User/email", Remove}}, want: []string{"... on Post"}, wantNot: []string{"User"}},
		{desc: "an emptied operation selects __typename", query: `mutation M($id: ID!) { deleteUser(id: $id) }`, vars: map[string]any{"id": "1"},
			rules: []Rule{{"/Mutation/deleteUser", Remove}}, want: []string{"mutation M {", "__typename"}, wantNot: []string{"deleteUser", "$id"}},
		{desc: "only the selected operation is forwarded", query: `query A { me { email name } } query B { users { ...F } } fragment F on User { name }`, op: "A",
			rules: []Rule{{"/User/email", Remove}}, want: []string{"query A"}, wantNot: []string{"query B", "fragment F"}},
		{desc: "arguments, aliases and directives are kept", query: `{ list: users(first: 2, filter: {name: "a\"b"}) @skip(if: false) { name email } }`,
			rules: []Rule{{"/User/email", Remove}}, want: []string{`list: users(first: 2, filter: {name:"a\"b"}) @skip(if: false)`}},
	}
	for i, tt := range tests {
		r := Validate(s, Request{Query: tt.query, OperationName: tt.op, Variables: tt.vars}, Limits{}, tt.rules)
		if r.RequestErrors != nil || len(r.FieldErrors) == 0 {
			t.Errorf("%d %s: %+v", i, tt.desc, r)
			continue
		}
		mustReparse(t, s, r.Query)
		compact := strings.Join(strings.Fields(r.Query), " ")
		compact = strings.ReplaceAll(compact, "... F", "...F")
		for _, w := range tt.want {
			if !strings.Contains(compact, w) {
				t.Errorf("%d %s: %q does not contain %q", i, tt.desc, compact, w)
			}
		}
		for _, w := range tt.wantNot {
			if strings.Contains(compact, w) {
				t.Errorf("%d %s: %q contains %q", i, tt.desc, compact, w)
			}
		}
	}

	// Without a schema the rewritten query still parses.
	r := Validate(nil, Request{Query: `query($a: Int) { secret(a: $a) { x } other }`}, Limits{}, []Rule{{"/Query/secret", Remove}})
	if len(r.FieldErrors) != 1 || strings.Contains(r.Query, "secret") || strings.Contains(r.Query, "$a") {
		t.Errorf("without a schema: %+v", r)
	}
	mustReparse(t, nil, r.Query)
}

func TestValidateLimits(t *testing.T) {
	s := testSchema(t)
	deep6 := `{ me { friends { friends { friends { friends { name } } } } } }`
	deep7 := `{ me { friends { friends { friends { friends { friends { name } } } } } } }`
	frag := `{ me { ...F } users { friends { ...F } } } fragment F on User { friends { name } }`
	padded := "{ me { name } }" + strings.Repeat(" ", MaxSizeCap-15)
	tests := []struct {
		desc  string
		query string
		lim   Limits
		code  string // "" for none
		msg   string
		line  int // of the error's location, 0 for none
	}{
		{desc: "depth at max-depth", query: deep6, lim: Limits{MaxDepth: 6}},
		{desc: "depth past max-depth", query: deep7, lim: Limits{MaxDepth: 6}, code: CodeTooDeep,
			msg: "query depth 7 exceeds max-depth 6 at /Query/me/friends/friends/friends/friends/friends/name", line: 1},
		{desc: "depth well past max-depth", query: deep7, lim: Limits{MaxDepth: 4}, code: CodeTooDeep,
			msg: "query depth 7 exceeds max-depth 4 at /Query/me/friends/friends/friends/friends/..."},
		{desc: "fragments add no depth", query: `{ me { ...F } } fragment F on User { ... on User { friends { name } } }`, lim: Limits{MaxDepth: 3}},
		{desc: "depth inside a fragment", query: `{ me { ...F } } fragment F on User { ... on User { friends { name } } }`, lim: Limits{MaxDepth: 2}, code: CodeTooDeep,
			msg: "query depth 3 exceeds max-depth 2 at /Query/me/friends/name"},
		{desc: "depth of a fragment spread again deeper", query: frag, lim: Limits{MaxDepth: 4}},
		{desc: "depth of a fragment spread again deeper, past", query: frag, lim: Limits{MaxDepth: 3}, code: CodeTooDeep,
			msg: "query depth 4 exceeds max-depth 3 at /Query/users/friends/...F"},

		{desc: "total depth at the limit", query: `{ me { name email } users { id } }`, lim: Limits{MaxTotalDepth: 6}},
		{desc: "total depth past the limit", query: `{ me { name email } users { id } }`, lim: Limits{MaxTotalDepth: 5}, code: CodeTooDeep,
			msg: "query total depth 6 (the depths of its 3 leaf fields added up, fragments expanded) exceeds max-total-depth 5"},
		{desc: "total depth through fragments", query: frag, lim: Limits{MaxTotalDepth: 7}},
		{desc: "total depth through fragments, past", query: frag, lim: Limits{MaxTotalDepth: 6}, code: CodeTooDeep, msg: "total depth 7"},

		{desc: "complexity at the limit", query: `{ me { name email } }`, lim: Limits{MaxComplexity: 3}},
		{desc: "complexity past the limit", query: `{ me { name email } }`, lim: Limits{MaxComplexity: 2}, code: CodeTooComplex,
			msg: "query complexity 3 (fields selected, fragments expanded) exceeds max-complexity 2", line: 1},
		{desc: "complexity expands fragments", query: frag, lim: Limits{MaxComplexity: 7}},
		{desc: "complexity expands fragments, past", query: frag, lim: Limits{MaxComplexity: 6}, code: CodeTooComplex, msg: "complexity 7"},

		{desc: "250 fields", query: "{ me {" + strings.Repeat(" name", MaxFields-1) + " } }"},
		{desc: "251 fields", query: "{ me {" + strings.Repeat(" name", MaxFields) + " } }", code: CodeTooManyFields,
			msg: "query has 251 fields; validate-graphql-request accepts at most 250"},
		{desc: "fields in unused fragments count", query: "{ me { name } } fragment F on User {" + strings.Repeat(" name", MaxFields-1) + " }",
			code: CodeTooManyFields, msg: "query has 251 fields"},
		{desc: "500 spreads", query: "{ me {" + strings.Repeat(" ...F", 500) + " } } fragment F on User { name }"},
		{desc: "501 spreads", query: "{ me {" + strings.Repeat(" ...F", 501) + " } } fragment F on User { name }", code: CodeTooManyFields,
			msg: "query has 501 fragment spreads; validate-graphql-request accepts at most 500"},

		{desc: "size at max-size", query: deep6, lim: Limits{MaxSize: int64(len(deep6))}},
		{desc: "size past max-size", query: deep6, lim: Limits{MaxSize: int64(len(deep6)) - 1}, code: CodeTooLarge,
			msg: fmt.Sprintf("query of %d bytes exceeds max-size %d", len(deep6), len(deep6)-1)},
		{desc: "size at the cap", query: padded},
		{desc: "size past the cap", query: padded + " ", code: CodeTooLarge,
			msg: "query of 102401 bytes exceeds the 102400 bytes validate-graphql-request accepts"},
		{desc: "the cap holds whatever max-size says", query: padded + " ", lim: Limits{MaxSize: 1 << 30}, code: CodeTooLarge},
	}
	for i, tt := range tests {
		for _, sch := range []*Schema{s, nil} {
			r := Validate(sch, Request{Query: tt.query}, tt.lim, nil)
			if tt.code == "" {
				if r.RequestErrors != nil {
					t.Errorf("%d %s (schema %v): %v", i, tt.desc, sch != nil, messages(r.RequestErrors))
				}
				continue
			}
			if len(r.RequestErrors) != 1 {
				t.Errorf("%d %s (schema %v): errors %v; want one", i, tt.desc, sch != nil, messages(r.RequestErrors))
				continue
			}
			e := r.RequestErrors[0]
			if e.Code() != tt.code || !strings.Contains(e.Message, tt.msg) {
				t.Errorf("%d %s (schema %v): %s %q; want %s %q", i, tt.desc, sch != nil, e.Code(), e.Message, tt.code, tt.msg)
			}
			if tt.line > 0 && (len(e.Locations) != 1 || e.Locations[0].Line != tt.line) {
				t.Errorf("%d %s: locations %v; want line %d", i, tt.desc, e.Locations, tt.line)
			}
		}
	}
}

func TestValidateErrors(t *testing.T) {
	s := testSchema(t)
	tests := []struct {
		desc   string
		s      *Schema
		req    Request
		code   string
		msg    string
		line   int
		column int
	}{
		{desc: "syntax", s: s, req: Request{Query: "{ me { name }"}, code: CodeParseFailed, msg: "Expected Name, found <EOF>", line: 1, column: 14},
		{desc: "syntax without a schema", req: Request{Query: "query {\n  me(: 1)\n}"}, code: CodeParseFailed, msg: "Expected Name, found :", line: 2, column: 6},
		{desc: "empty", req: Request{Query: "  # nothing\n"}, code: CodeParseFailed, msg: "the query is empty"},
		{desc: "unknown field", s: s, req: Request{Query: "{\n  me {\n    nam\n  }\n}"}, code: CodeValidationFailed,
			msg: `Cannot query field "nam" on type "User".`, line: 3, column: 5},
		{desc: "wrong argument type", s: s, req: Request{Query: `{ users(first: "ten") { name } }`}, code: CodeValidationFailed,
			msg: "Int cannot represent non-integer value", line: 1, column: 17},
		{desc: "undefined variable", s: s, req: Request{Query: `{ users(first: $n) { name } }`}, code: CodeValidationFailed,
			msg: `Variable "$n" is not defined.`, line: 1, column: 16},
		{desc: "missing required variable", s: s, req: Request{Query: `query ($id: ID!) { user(id: $id) { name } }`}, code: CodeValidationFailed,
			msg: "variable $id: must be defined", line: 1, column: 8},
		{desc: "variable of the wrong type", s: s, req: Request{Query: `query ($n: Int) { users(first: $n) { name } }`, Variables: map[string]any{"n": "ten"}},
			code: CodeValidationFailed, msg: "variable $n: cannot use string as Int", line: 1, column: 8},
		{desc: "input object member of the wrong type", s: s,
			req:  Request{Query: `query ($f: UserFilter) { users(filter: $f) { name } }`, Variables: map[string]any{"f": map[string]any{"name": 3}}},
			code: CodeValidationFailed, msg: "variable $f.name: cannot use", line: 1, column: 8},
		{desc: "scalar with a selection", s: s, req: Request{Query: `{ me { name { x } } }`}, code: CodeValidationFailed, msg: `Cannot query field "x" on type "String".`},
		{desc: "fragment on a wrong type", s: s, req: Request{Query: `{ me { ...F } } fragment F on Post { title }`}, code: CodeValidationFailed, msg: `Fragment "F" cannot be spread here`},
		{desc: "unknown fragment", s: s, req: Request{Query: `{ me { ...F } }`}, code: CodeValidationFailed, msg: `Unknown fragment "F".`, line: 1, column: 11},
		{desc: "unknown fragment without a schema", req: Request{Query: `{ me { ...F } }`}, code: CodeValidationFailed, msg: `unknown fragment "F"`, line: 1, column: 11},
		{desc: "fragment cycle without a schema", req: Request{Query: "{ me { ...A } }\nfragment A on User { friends { ...B } }\nfragment B on User { ...A }"},
			code: CodeValidationFailed, msg: `cannot spread fragment "A" within itself`, line: 3, column: 25},
		{desc: "fragment cycle with a schema", s: s, req: Request{Query: "{ me { ...A } }\nfragment A on User { friends { ...A } }"},
			code: CodeValidationFailed, msg: `cannot spread fragment "A" within itself`, line: 2, column: 35},
		{desc: "unused fragment cycle without a schema", req: Request{Query: "{ me }\nfragment A on User { ...A }"},
			code: CodeValidationFailed, msg: `cannot spread fragment "A" within itself`, line: 2, column: 25},
		{desc: "mutation without a mutation type", s: mustSchema(t, "type Query { a: Int }"), req: Request{Query: `mutation { a }`},
			code: CodeValidationFailed, msg: `Schema does not support operation type "mutation"`},
	}
	for i, tt := range tests {
		r := Validate(tt.s, tt.req, Limits{MaxDepth: 6}, nil)
		if len(r.RequestErrors) == 0 {
			t.Errorf("%d %s: no error", i, tt.desc)
			continue
		}
		e := r.RequestErrors[0]
		if e.Code() != tt.code || !strings.Contains(e.Message, tt.msg) {
			t.Errorf("%d %s: %s %q; want %s %q", i, tt.desc, e.Code(), e.Message, tt.code, tt.msg)
		}
		if tt.line > 0 && (len(e.Locations) == 0 || e.Locations[0].Line != tt.line || tt.column > 0 && e.Locations[0].Column != tt.column) {
			t.Errorf("%d %s: locations %v; want %d:%d", i, tt.desc, e.Locations, tt.line, tt.column)
		}
	}

	// Many validation errors are capped.
	q := "{ me {" + strings.Repeat(" x", 30) + " } }"
	r := Validate(s, Request{Query: q}, Limits{}, nil)
	if len(r.RequestErrors) != maxErrors+1 || !strings.Contains(r.RequestErrors[maxErrors].Message, "and 20 more validation errors") {
		t.Errorf("many errors: %v", messages(r.RequestErrors))
	}
	// Long messages are cut.
	q = `{ users(first: "` + strings.Repeat("é", 1000) + `") { name } }`
	r = Validate(s, Request{Query: q}, Limits{}, nil)
	if len(r.RequestErrors) != 1 || len(r.RequestErrors[0].Message) > maxMessage+4 || !strings.HasSuffix(r.RequestErrors[0].Message, "…") {
		t.Errorf("long message: %v", messages(r.RequestErrors))
	}
}

// mustSchema parses an SDL.
func mustSchema(t *testing.T, sdl string) *Schema {
	t.Helper()
	s, err := ParseSchema("t.graphql", sdl)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestOperationName(t *testing.T) {
	s := testSchema(t)
	two := `query A { me { name } } query B { users { name } }`
	rules := []Rule{{"/Query/users", Reject}}
	tests := []struct {
		query, op string
		want      string // request error, "" for none
	}{
		{two, "A", ""},
		{two, "B", "field /Query/users refused"},
		{two, "", "the document has 2 operations: an operationName must say which to run"},
		{two, "C", `unknown operation named "C"`},
		{`{ me { name } }`, "", ""},
		{`{ me { name } }`, "X", `unknown operation named "X"`},
		{`query X { me { name } }`, "X", ""},
		{`fragment F on User { name }`, "", "the document has no operation"},
	}
	for i, tt := range tests {
		for _, sch := range []*Schema{s, nil} {
			r := Validate(sch, Request{Query: tt.query, OperationName: tt.op}, Limits{}, rules)
			got := ""
			if len(r.RequestErrors) > 0 {
				got = r.RequestErrors[0].Message
			}
			if tt.want == "" && got != "" || !strings.Contains(got, tt.want) {
				// With a schema the validator reports a fragment-only document
				// as an unused fragment.
				if sch != nil && strings.HasPrefix(tt.query, "fragment") && strings.Contains(got, "never used") {
					continue
				}
				t.Errorf("%d (schema %v) %q op %q: %q; want %q", i, sch != nil, tt.query, tt.op, got, tt.want)
			}
		}
	}
}

// TestValidateBounded feeds requests built to exhaust memory or time.
func TestValidateBounded(t *testing.T) {
	s := testSchema(t)
	var exp, chain strings.Builder
	// 40 fragments, each spreading the next twice: 2^40 fields expanded.
	exp.WriteString("{ me { ...F0 } }")
	for i := 0; i < 40; i++ {
		fmt.Fprintf(&exp, " fragment F%d on User { ...F%d ...F%d }", i, i+1, i+1)
	}
	exp.WriteString(" fragment F40 on User { name }")
	// 200 fragments, each nesting the next under a field.
	chain.WriteString("{ me { ...F0 } }")
	for i := 0; i < 200; i++ {
		fmt.Fprintf(&chain, " fragment F%d on User { friends { ...F%d } }", i, i+1)
	}
	chain.WriteString(" fragment F200 on User { name }")
	tests := []struct {
		desc  string
		s     *Schema
		query string
		code  string
		msg   string
	}{
		{"10,000 levels", nil, nest(10000), CodeTooDeep, "more than 1000 levels deep"},
		{"10,000 levels with a schema", s, nest(10000), CodeTooDeep, "more than 1000 levels deep"},
		{"10,000 list levels", s, "{ users(first: " + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + ") { name } }", CodeTooDeep, "more than 1000 levels deep"},
		{"exponential fragments", s, exp.String(), CodeTooComplex, "query complexity 1099511627777 "},
		{"exponential fragments without a schema", nil, exp.String(), CodeTooComplex, "query complexity 1099511627777 "},
		{"fragment chain", s, chain.String(), CodeTooDeep, "query depth 202 exceeds max-depth 6 at /Query/me/friends/friends/friends/friends/friends/friends/..."},
		{"fragment cycle", nil, "{ ...A } fragment A on Query { ...B } fragment B on Query { ...C } fragment C on Query { ...A }", CodeValidationFailed, "within itself"},
		{"self-spread in a field", nil, "{ ...A } fragment A on Query { a { ...A } }", CodeValidationFailed, `cannot spread fragment "A" within itself`},
	}
	for i, tt := range tests {
		start := time.Now()
		r := Validate(tt.s, Request{Query: tt.query}, Limits{MaxDepth: 6, MaxComplexity: 1000}, []Rule{{"/User/email", Remove}})
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("%d %s: took %v", i, tt.desc, d)
		}
		if len(r.RequestErrors) == 0 || r.RequestErrors[0].Code() != tt.code || !strings.Contains(r.RequestErrors[0].Message, tt.msg) {
			t.Errorf("%d %s: %v; want %s %q", i, tt.desc, messages(r.RequestErrors), tt.code, tt.msg)
		}
	}

	// Saturated counters say so.
	exp.Reset()
	exp.WriteString("{ me { ...F0 } }")
	for i := 0; i < 60; i++ {
		fmt.Fprintf(&exp, " fragment F%d on User { ...F%d ...F%d }", i, i+1, i+1)
	}
	exp.WriteString(" fragment F60 on User { name }")
	r := Validate(nil, Request{Query: exp.String()}, Limits{MaxComplexity: 10, MaxTotalDepth: 10}, nil)
	if len(r.RequestErrors) != 2 || !strings.Contains(r.RequestErrors[1].Message, "complexity more than 9007199254740992") {
		t.Errorf("saturated: %v", messages(r.RequestErrors))
	}

	// The walk's own level limit: fragments each nesting 500 inline
	// fragments, and spreading the next at the bottom.
	chain.Reset()
	chain.WriteString("{ ...F0 }")
	for i := 0; i < 10; i++ {
		fmt.Fprintf(&chain, " fragment F%d on Query { %s ...F%d %s }", i, strings.Repeat("... { ", 500), i+1, strings.Repeat("}", 500))
	}
	chain.WriteString(" fragment F10 on Query { a }")
	r = Validate(nil, Request{Query: chain.String()}, Limits{}, nil)
	if len(r.RequestErrors) != 1 || r.RequestErrors[0].Code() != CodeTooDeep || !strings.Contains(r.RequestErrors[0].Message, "more than 4096 levels deep, counting fragments") {
		t.Errorf("long chain: %v", messages(r.RequestErrors))
	}
}

func TestParseSchemaError(t *testing.T) {
	tests := []struct {
		sdl, want string
	}{
		{"type Query {\n  a: Foo\n}", "api.graphql:2:6: Undefined type Foo."},
		{"type Query {\n  a: \n}", "api.graphql:3:1: Expected Name, found }"},
		{"type A { a: Int }", "api.graphql: the schema defines no query type"},
	}
	for i, tt := range tests {
		_, err := ParseSchema("api.graphql", tt.sdl)
		if err == nil || err.Error() != tt.want {
			t.Errorf("%d: %v; want %q", i, err, tt.want)
		}
		var se *SchemaError
		if err != nil && !errorsAs(err, &se) {
			t.Errorf("%d: %T is not a *SchemaError", i, err)
		}
	}
}

// TestValidateConcurrent shares one Schema between goroutines; run it with
// -race.
func TestValidateConcurrent(t *testing.T) {
	s := testSchema(t)
	req := Request{Query: benchQuery, OperationName: "Dashboard", Variables: map[string]any{"id": "1", "text": "x"}}
	rules := append([]Rule{{"/User/email", Remove}}, benchRules...)
	want := Validate(s, req, Limits{MaxDepth: 6}, rules)
	done := make(chan Result)
	for range 4 {
		go func() {
			var r Result
			for range 20 {
				r = Validate(s, req, Limits{MaxDepth: 6}, rules)
			}
			done <- r
		}()
	}
	for range 4 {
		if r := <-done; !reflect.DeepEqual(r, want) {
			t.Errorf("concurrent result differs: %+v", r)
		}
	}
}
