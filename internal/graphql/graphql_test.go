package graphql

import (
	"errors"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"
)

// testSDL is the schema of the tests: object, interface and union types,
// and all three root types.
const testSDL = `
interface Node { id: ID! }
type User implements Node {
  id: ID!
  name: String
  email: String
  friends(first: Int): [User!]!
  posts: [Post!]!
}
type Post implements Node { id: ID! title: String author: User }
union SearchResult = User | Post
input UserFilter { name: String }
enum Role { ADMIN MEMBER }
type Query {
  users(first: Int, filter: UserFilter): [User!]!
  user(id: ID!): User
  node(id: ID!): Node
  search(text: String!): [SearchResult!]!
  me: User
  role: Role
}
type Mutation { deleteUser(id: ID!): Boolean createUser(name: String!): User }
type Subscription { userAdded: User }
`

// testSchema parses testSDL.
func testSchema(t testing.TB) *Schema {
	t.Helper()
	s, err := ParseSchema("schema.graphql", testSDL)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// messages returns the errors' messages.
func messages(errs []Error) []string {
	var out []string
	for _, e := range errs {
		out = append(out, e.Message)
	}
	return out
}

// mustReparse checks that q is valid GraphQL, and valid against s when s is
// not nil.
func mustReparse(t *testing.T, s *Schema, q string) *ast.QueryDocument {
	t.Helper()
	doc, err := parser.ParseQuery(&ast.Source{Input: q})
	if err != nil {
		t.Fatalf("rewritten query does not parse: %v\n%s", err, q)
	}
	if s != nil {
		if errs := validator.ValidateWithRules(s.s, doc, nil); len(errs) > 0 {
			t.Fatalf("rewritten query is not valid: %v\n%s", errs, q)
		}
	}
	return doc
}

// nest returns a query nesting n fields: { a { a { ... a } } }.
func nest(n int) string {
	return strings.Repeat("{ a ", n) + strings.Repeat("}", n)
}

// errorsAs is errors.As.
func errorsAs(err error, target any) bool { return errors.As(err, target) }
