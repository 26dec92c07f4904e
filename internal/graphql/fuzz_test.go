package graphql

import (
	"strings"
	"testing"
	"time"
)

// fuzzRules are the rule sets FuzzValidate picks from.
var fuzzRules = [][]Rule{
	nil,
	{{"/User/email", Remove}, {"/Query/me", Allow}, {"/Mutation/*", Reject}, {"/__*", Remove}, {"/Post/*", Ignore}, {"/*/title", Remove}},
	{{"/Query/*", Remove}, {"/Query/users", Allow}, {"/User/friends", Remove}, {"/Subscription/userAdded", Reject}},
}

// FuzzValidate feeds arbitrary queries to Validate with and without a schema,
// with limits and rules. It must not panic; every error must carry a code, a
// message and locations inside the query; and a rewritten query must parse
// (and validate against the schema when there is one) and pass the same rules
// untouched. The committed corpus is testdata/fuzz/FuzzValidate.
func FuzzValidate(f *testing.F) {
	f.Add(`{ users { name email friends { email } } me { ...F } } fragment F on User { email name }`, "", uint8(1))
	f.Add(`query A($id: ID!) { user(id: $id) { name email } } query B { me { name } }`, "A", uint8(5))
	f.Add(`{ search(text: "x") { ... on User { email } ... on Post { title } } }`, "", uint8(5))
	f.Add(`{ __schema { types { name fields { name } } } __typename }`, "", uint8(1))
	f.Add(`mutation { deleteUser(id: "1") }`, "", uint8(6))
	f.Add(`{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }`, "", uint8(2))
	f.Add(`{ me { ...F ...F } } fragment F on User { friends { ...G ...G } } fragment G on User { name }`, "", uint8(7))
	f.Add(`{ node(id: 1) { id ... on User { email } } }`, "", uint8(5))
	f.Add(nest(30), "", uint8(0))
	s, err := ParseSchema("schema.graphql", testSDL)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, query, op string, mode uint8) {
		var sch *Schema
		if mode&4 != 0 {
			sch = s
		}
		rules := fuzzRules[int(mode&3)%len(fuzzRules)]
		lim := Limits{MaxDepth: 6}
		if mode&8 != 0 {
			lim = Limits{MaxDepth: 4, MaxTotalDepth: 12, MaxComplexity: 10, MaxSize: 2000}
		}
		done := make(chan Result, 1)
		go func() { done <- Validate(sch, Request{Query: query, OperationName: op}, lim, rules) }()
		var r Result
		select {
		case r = <-done:
		case <-time.After(5 * time.Second):
			t.Fatalf("HANG %q %q %d", query, op, mode)
		}
		lines := strings.Count(query, "\n") + strings.Count(query, "\r") + 1
		for _, errs := range [][]Error{r.RequestErrors, r.FieldErrors} {
			for _, e := range errs {
				if e.Message == "" || e.Code() == "" {
					t.Fatalf("%q: error without a message or code: %+v", query, e)
				}
				for _, l := range e.Locations {
					if l.Line < 1 || l.Line > lines || l.Column < 1 {
						t.Fatalf("%q: location %d:%d outside the query (%d lines): %+v", query, l.Line, l.Column, lines, e)
					}
				}
			}
		}
		if len(r.RequestErrors) > 0 {
			if r.Query != "" || r.FieldErrors != nil {
				t.Fatalf("%q: a failed request with query %q, field errors %v", query, r.Query, r.FieldErrors)
			}
			return
		}
		if len(r.FieldErrors) == 0 {
			if r.Query != query {
				t.Fatalf("%q: rewritten to %q without field errors", query, r.Query)
			}
			return
		}
		mustReparse(t, sch, r.Query)
		again := Validate(sch, Request{Query: r.Query, OperationName: op}, Limits{MaxDepth: lim.MaxDepth}, rules)
		if again.RequestErrors != nil || again.FieldErrors != nil {
			t.Fatalf("%q: rewritten to %q, which validates to %v %v", query, r.Query, messages(again.RequestErrors), messages(again.FieldErrors))
		}
	})
}
