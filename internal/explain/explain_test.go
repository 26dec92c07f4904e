package explain

import (
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/capture"
)

func TestWriteGroupsAlignsRowsUnderTheirCauses(t *testing.T) {
	now := time.Date(2026, 1, 2, 10, 42, 0, 0, time.UTC)
	docs := []*capture.Doc{
		{ID: "a1", Time: now, Captured: capture.Failed, Response: capture.Response{Status: 401}, Match: capture.Match{API: "orders", Operation: "list-orders"},
			LastError: &capture.LastError{Source: "authorization", Reason: "SubscriptionKeyNotFound", Cause: "no key"}},
		{ID: "b2", Time: now, Captured: capture.Failed, Response: capture.Response{Status: 500}, Match: capture.Match{API: "x", Operation: "y"},
			LastError: &capture.LastError{Source: "forward-request", Reason: "BackendConnectionFailure", Cause: "refused"}},
	}
	var b strings.Builder
	if err := WriteGroups(&b, GroupFailures(docs)); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(b.String(), "\n")
	col := strings.Index(lines[0], "EXAMPLE")
	for _, l := range lines[1:] {
		if strings.HasPrefix(strings.TrimSpace(l), "cause: ") || strings.Contains(l, "failures in") || l == "" {
			continue
		}
		if len(l) <= col || l[col-1] != ' ' || l[col] == ' ' {
			t.Errorf("row not aligned with EXAMPLE at %d:\n%s", col, b.String())
		}
	}
	if !strings.Contains(b.String(), "       cause: refused\n") || !strings.Contains(b.String(), "2 failures in 2 groups") {
		t.Errorf("output:\n%s", b.String())
	}
}

func TestExplainCrossLayerCauses(t *testing.T) {
	dir := "/srv/apim"
	cases := []struct {
		name       string
		doc        capture.Doc
		cause, fix string
		note       string
	}{
		{
			name: "product policy the all-access key skips",
			doc: capture.Doc{Captured: capture.Failed, Response: capture.Response{Status: 403}, Match: capture.Match{API: "web", Product: "partner"},
				LastError: &capture.LastError{Source: "check-header", Reason: "HeaderNotFound", Message: "Header X-Partner-Id was not found in the request. Access denied.",
					Scope: "product", Where: dir + "/products/partner/policy.xml:3:5", Cause: dir + "/products/partner/policy.xml:3:5: the request has no header X-Partner-Id"}},
			cause: "policy of product partner (check-header at products/partner/policy.xml:3:5)",
			fix:   "send the header X-Partner-Id, or change the check-header at products/partner/policy.xml:3:5",
		},
		{
			name: "the all-access key itself is not told about product policies",
			doc: capture.Doc{Captured: capture.Failed, Response: capture.Response{Status: 403}, Match: capture.Match{API: "web", AllAccess: true},
				LastError: &capture.LastError{Source: "check-header", Reason: "HeaderNotFound", Message: "Header X was not found in the request. Access denied.", Scope: "api", Cause: "no header X"}},
			fix: "send the header X",
		},
		{
			name: "trailing slash the backend refuses",
			doc: capture.Doc{Captured: capture.Failed, Response: capture.Response{Status: 404}, Request: capture.Request{Path: "/api/v1/orders/"}, Match: capture.Match{Operation: "list-orders"},
				Backend: &capture.Backend{URL: "http://b/orders/", Status: 404, StatusLine: "Not Found"}},
			cause: "ends with a trailing slash, which the gateway (as APIM) ignores when it matches operation list-orders",
			fix:   "without the trailing slash",
		},
		{
			name: "cors header not allowed",
			doc: capture.Doc{Captured: capture.CORSRefused, Response: capture.Response{Status: 200},
				Notes: []string{"CORS preflight refused: cors at " + dir + "/apis/r/policy.xml:3:5 (api scope): request header api-key is not in allowed-headers [\"content-type\"]; it is this API's renamed subscription key header"}},
			cause: "cors at apis/r/policy.xml:3:5",
			fix:   "in the cors policy at apis/r/policy.xml:3:5, add api-key to allowed-headers (it is the API's renamed subscription key header",
			note:  "empty 200",
		},
		{
			name: "did you mean",
			doc: capture.Doc{Captured: capture.Failed, Response: capture.Response{Status: 404}, Request: capture.Request{Method: "GET"},
				LastError: &capture.LastError{Source: "configuration", Reason: "OperationNotFound", Cause: "no API path is a prefix of /v1/orders; did you mean /api/v1/orders (API orders, operation list-orders)?"}},
			fix: "call /api/v1/orders instead",
		},
		{
			name: "named value read as a variable",
			doc: capture.Doc{Captured: capture.Failed, Response: capture.Response{Status: 500},
				LastError: &capture.LastError{Source: "set-header", Reason: "ExpressionValueEvaluationFailure", Where: "p.xml:5:3",
					Cause: `p.xml:5:36: The given key 'tok' was not present in the dictionary.; "tok" is a named value, not a variable: write {{tok}}`}},
			fix: `write {{tok}} where the value is needed (inside an expression as a string literal, "{{tok}}"), not context.Variables["tok"]`,
		},
		{
			name: "audience from an expression",
			doc: capture.Doc{Captured: capture.Failed, Response: capture.Response{Status: 401},
				LastError: &capture.LastError{Source: "validate-jwt", Reason: "TokenAudienceNotAllowed", Where: dir + "/apis/o/policy.xml:3:5",
					Cause: `the token's audience "api://other" is not among the allowed audiences "api://orders"; audience 1 is the expression @("api://orders") at ` + dir + `/apis/o/policy.xml:5:26 (named value api-audience), which gave "api://orders"`}},
			cause: `audience 1 is the expression @("api://orders") at apis/o/policy.xml:5:26 (named value api-audience)`,
			fix:   "check what the expression in validate-jwt at apis/o/policy.xml:5:26 gives for this request",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.doc.Config.Dir = dir
			x := Explain(&c.doc)
			if !strings.Contains(x.Cause, c.cause) || !strings.Contains(x.Fix, c.fix) || !strings.Contains(x.StatusNote, c.note) {
				t.Errorf("cause %q\nfix %q\nnote %q", x.Cause, x.Fix, x.StatusNote)
			}
			if strings.Contains(x.Cause+x.Fix, dir+"/") {
				t.Errorf("positions are not relative to the configuration folder: %q %q", x.Cause, x.Fix)
			}
			if c.doc.Match.AllAccess && strings.Contains(x.Cause, "all-access") {
				t.Errorf("the all-access key's own failure mentions it: %q", x.Cause)
			}
		})
	}
}
