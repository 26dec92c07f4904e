package graphql

import (
	"net/url"
	"testing"
)

// benchQuery is a typical request of about 1 KB (1,000 bytes): named operation, variables,
// aliases, a named and an inline fragment, a union and an interface.
const benchQuery = `query Dashboard($first: Int = 10, $id: ID!, $text: String!) {
  me {
    ...UserCard
    friends(first: $first) {
      ...UserCard
      posts { id title }
    }
  }
  featured: user(id: $id) {
    ...UserCard
    posts {
      id
      title
      author { id name }
    }
  }
  users(first: $first, filter: {name: "ada"}) {
    id
    name
    friends(first: 3) { id name }
  }
  search(text: $text) {
    __typename
    ... on User { id name }
    ... on Post {
      id
      title
      author { ...UserCard }
    }
  }
  node(id: $id) {
    id
    ... on Post { title }
  }
  role
  recent: users(first: 5) {
    id
    name
    posts {
      id
      title
      author { id name }
    }
    friends(first: $first) {
      id
      name
      posts { id title }
    }
  }
  other: node(id: "42") {
    __typename
    ... on User { ...UserCard }
  }
}

fragment UserCard on User {
  id
  name
  email
}
`

// benchRules are five rules of the usual kinds.
var benchRules = []Rule{
	{"/__*", Reject},
	{"/Mutation/deleteUser", Reject},
	{"/Query/*", Allow},
	{"/User/e*", Ignore},
	{"/Post/author", Allow},
}

func BenchmarkValidate(b *testing.B) {
	s := testSchema(b)
	req := Request{Query: benchQuery, OperationName: "Dashboard", Variables: map[string]any{"id": "1", "text": "x"}}
	lim := Limits{MaxSize: 102400, MaxDepth: 6, MaxTotalDepth: 200, MaxComplexity: 200}
	if r := Validate(s, req, lim, benchRules); r.RequestErrors != nil || r.Query != benchQuery {
		b.Fatalf("%+v", r)
	}
	b.SetBytes(int64(len(benchQuery)))
	b.ReportAllocs()
	for b.Loop() {
		Validate(s, req, lim, benchRules)
	}
}

// BenchmarkValidateRemove is BenchmarkValidate with a remove rule that
// matches, so that the query is rewritten.
func BenchmarkValidateRemove(b *testing.B) {
	s := testSchema(b)
	req := Request{Query: benchQuery, OperationName: "Dashboard", Variables: map[string]any{"id": "1", "text": "x"}}
	lim := Limits{MaxSize: 102400, MaxDepth: 6}
	rules := append([]Rule{{"/User/email", Remove}}, benchRules...)
	if r := Validate(s, req, lim, rules); r.RequestErrors != nil || len(r.FieldErrors) == 0 {
		b.Fatalf("%+v", r)
	}
	b.ReportAllocs()
	for b.Loop() {
		Validate(s, req, lim, rules)
	}
}

func BenchmarkReadRequest(b *testing.B) {
	body := []byte(`{"query":"query Q($id: ID!) { user(id: $id) { id name email } }","operationName":"Q","variables":{"id":"1"}}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ReadRequest("POST", "application/json", url.Values{}, body, 102400); err != nil {
			b.Fatal(err)
		}
	}
}
