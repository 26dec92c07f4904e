package gateway

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

const graphQLSchemaSDL = `type Query { users: [User!]! me: User }
type Mutation { deleteUser(id: ID!): Boolean }
type User { id: ID! name: String email: String friends: [User!]! }
`

// graphQLSite serves a GraphQL API (specification.graphql) whose backend
// records the query it was sent and answers with data.
func graphQLSite(t *testing.T, policyXML string) (*site, func() string) {
	var mu sync.Mutex
	var got string
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct{ Query string }
		json.NewDecoder(r.Body).Decode(&req)
		mu.Lock()
		got = req.Query
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"data":{"users":[{"id":"1"}]}}`)
	}))
	t.Cleanup(backend.Close)
	s := newSite(t, map[string]string{
		"apis/gql/apiInformation.json":                      `{"properties":{"path":"gql","serviceUrl":"` + backend.URL + `","type":"graphql"}}`,
		"apis/gql/specification.graphql":                    graphQLSchemaSDL,
		"apis/gql/policy.xml":                               `<policies><inbound><base />` + policyXML + `</inbound>` + policyTail,
		"products/gold/apis/gql/productApiInformation.json": `{}`,
	}, Options{})
	return s, func() string { mu.Lock(); defer mu.Unlock(); return got }
}

// postGraphQL sends query to the GraphQL API.
func postGraphQL(t *testing.T, s *site, query string) response {
	t.Helper()
	b, _ := json.Marshal(map[string]string{"query": query})
	req, _ := http.NewRequest("POST", s.srv.URL+"/gql", strings.NewReader(string(b)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(keyHeader, productKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return response{resp.StatusCode, resp.Header, string(body)}
}

func TestValidateGraphQLRequest(t *testing.T) {
	s, sent := graphQLSite(t, `<validate-graphql-request error-variable-name="gqlerrors" max-size="10240" max-depth="3">
  <authorize>
    <rule path="/__*" action="reject" />
    <rule path="/Mutation/deleteUser" action="reject" />
    <rule path="/User/email" action="remove" />
  </authorize>
</validate-graphql-request>`)

	r := postGraphQL(t, s, `{ users { id name } }`)
	if r.status != 200 || !strings.Contains(r.body, `"users"`) || !strings.Contains(sent(), "users") {
		t.Fatalf("valid query: status %d body %s, backend got %q", r.status, r.body, sent())
	}

	cases := []struct{ name, query, want string }{
		{"unknown field", `{ users { phone } }`, `Cannot query field`},
		{"too deep", `{ users { friends { friends { id } } } }`, `QUERY_TOO_DEEP`},
		{"refused mutation", `mutation { deleteUser(id: "1") }`, `/Mutation/deleteUser`},
		{"introspection", `{ __schema { types { name } } }`, `FIELD_NOT_AUTHORIZED`},
		{"syntax", `{ users { id `, `GRAPHQL_PARSE_FAILED`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := postGraphQL(t, s, c.query)
			if r.status != 400 || !strings.Contains(r.body, c.want) || strings.Contains(r.body, `"data"`) {
				t.Errorf("status %d body %s; want 400, an errors block with %q and no data", r.status, r.body, c.want)
			}
			if le := lastError(t, s); le.reason != "GraphQLRequestInvalid" {
				t.Errorf("LastError %+v", le)
			}
		})
	}

	// remove: the field is cut from the query the backend gets, and its
	// error joins the response.
	r = postGraphQL(t, s, `{ users { id email } }`)
	if r.status != 200 || strings.Contains(sent(), "email") || !strings.Contains(sent(), "id") {
		t.Fatalf("remove: status %d, backend got %q; want the query without email", r.status, sent())
	}
	var out struct {
		Data   map[string]any
		Errors []struct{ Message string }
	}
	if err := json.Unmarshal([]byte(r.body), &out); err != nil || out.Data == nil || len(out.Errors) != 1 || !strings.Contains(out.Errors[0].Message, "/User/email") {
		t.Errorf("remove: response %s; want the backend's data and one error naming /User/email", r.body)
	}
}

func TestValidateGraphQLRequestBadRule(t *testing.T) {
	dir := writeFolder(t, map[string]string{
		"apis/gql/apiInformation.json":   `{"properties":{"path":"gql","serviceUrl":"http://127.0.0.1:1","type":"graphql"}}`,
		"apis/gql/specification.graphql": graphQLSchemaSDL,
		"apis/gql/policy.xml": `<policies><inbound><base /><validate-graphql-request max-size="100">
<authorize><rule path="/User/phone" action="reject" /></authorize></validate-graphql-request></inbound>` + policyTail,
	})
	err := loadFolderError(t, dir)
	if !strings.Contains(err, "apis/gql/policy.xml:2:24") || !strings.Contains(err, "phone") {
		t.Errorf("a rule naming a field the schema lacks: %s; want an error at the rule's path", err)
	}
}

// loadFolderError loads dir as tollgate run does and returns the errors
// that refuse it (failing when there are none).
func loadFolderError(t *testing.T, dir string) string {
	t.Helper()
	_, diags := loadCorpusFolder(dir)
	if !diags.HasErrors() {
		t.Fatal("the folder loads; want an error")
	}
	return diags.String()
}
