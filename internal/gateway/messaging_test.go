package gateway

import (
	"encoding/json"
	"strings"
	"testing"
)

const policyTail = `<backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>`

func TestInvokeDaprBinding(t *testing.T) {
	sc := newAnsweringRecorder(t, func(path string) (int, string) {
		if strings.HasSuffix(path, "/broken") {
			return 500, `{"errorCode":"ERR_INVOKE_OUTPUT_BINDING","message":"error invoking output binding broken"}`
		}
		return 200, `{"stored":true}`
	})
	s := newSite(t, map[string]string{
		"apis/test/operations/list/policy.xml": `<policies><inbound><base />
<invoke-dapr-binding name="orders" operation="create" response-variable-name="bound">
  <metadata><item key="source">tollgate</item><item key="path">@(context.Request.Url.Path)</item></metadata>
  <data>@("{\"id\":" + context.Request.Url.Query.GetValueOrDefault("id", "0") + "}")</data>
</invoke-dapr-binding>
<return-response><set-status code="200" /><set-body>@(((IResponse)context.Variables["bound"]).StatusCode + " " + ((IResponse)context.Variables["bound"]).Body.As<string>())</set-body></return-response>
</inbound>` + policyTail,
		"apis/test/operations/get/policy.xml": `<policies><inbound><base />
<invoke-dapr-binding name="broken"><data>plain text</data></invoke-dapr-binding>
</inbound>` + policyTail,
		"apis/test/operations/create/policy.xml": `<policies><inbound><base />
<invoke-dapr-binding name="broken" ignore-error="true" response-variable-name="r"><data>x</data></invoke-dapr-binding>
<return-response><set-status code="202" /><set-body>@(((IResponse)context.Variables["r"]).StatusCode.ToString())</set-body></return-response>
</inbound>` + policyTail,
	}, Options{Dapr: sc.srv.URL})

	r := s.do(t, "GET", "/test/items?id=42", keyHeader, productKey)
	if r.status != 200 || r.body != `200 {"stored":true}` {
		t.Fatalf("binding answered: status %d body %q; want 200 with the sidecar's answer from the variable", r.status, r.body)
	}
	call := sc.last(t)
	if call.Path != "/v1.0/bindings/orders" || call.Header.Get("Content-Type") != "application/json" {
		t.Errorf("sidecar got %s with Content-Type %q", call.Path, call.Header.Get("Content-Type"))
	}
	var sent struct {
		Data      map[string]int    `json:"data"`
		Metadata  map[string]string `json:"metadata"`
		Operation string            `json:"operation"`
	}
	if err := json.Unmarshal([]byte(call.Body), &sent); err != nil {
		t.Fatalf("sidecar body %q: %v", call.Body, err)
	}
	if sent.Data["id"] != 42 || sent.Operation != "create" || sent.Metadata["source"] != "tollgate" || sent.Metadata["path"] != "/api/items" {
		t.Errorf("binding request %s: want data {id:42}, operation create, metadata source and path", call.Body)
	}

	// An error from the sidecar fails the request with the sidecar's
	// answer, verbatim.
	r = s.do(t, "GET", "/test/items/7", keyHeader, productKey)
	if r.status != 500 || !strings.Contains(r.body, "ERR_INVOKE_OUTPUT_BINDING") {
		t.Errorf("failing binding: status %d body %q; want the sidecar's 500 and body", r.status, r.body)
	}
	if le := lastError(t, s); le.reason != "DaprRuntimeError" || !strings.Contains(le.cause, "Dapr binding broken answered 500") {
		t.Errorf("LastError %+v", le)
	}
	if body := sc.last(t).Body; body != `{"data":"plain text"}` {
		t.Errorf("text data sent as %s, want a JSON string", body)
	}

	// ignore-error: the request goes on, the answer is in the variable.
	r = s.do(t, "POST", "/test/items", keyHeader, productKey)
	if r.status != 202 || r.body != "500" {
		t.Errorf("ignore-error: status %d body %q; want 202 and the stored status 500", r.status, r.body)
	}
}

func TestDaprSidecarUnreachable(t *testing.T) {
	sidecar := closedURL(t)
	addr := strings.TrimPrefix(sidecar, "http://")
	s := newSite(t, map[string]string{
		"apis/test/policy.xml": `<policies><inbound><base /><publish-to-dapr pubsub-name="bus" topic="orders">hello</publish-to-dapr></inbound>` + policyTail,
	}, Options{Dapr: sidecar})
	r := s.do(t, "GET", "/test/items", keyHeader, productKey)
	if r.status != 500 {
		t.Errorf("status %d, want 500", r.status)
	}
	if le := lastError(t, s); le.reason != "DaprRuntimeUnreachable" || !strings.Contains(le.cause, "DAPR_HTTP_PORT") || !strings.Contains(le.cause, addr) {
		t.Errorf("LastError %+v: want DaprRuntimeUnreachable naming the address and how to change it", le)
	}
}

func TestPublishToDapr(t *testing.T) {
	sc := newAnsweringRecorder(t, func(string) (int, string) { return 204, "" })
	s := newSite(t, map[string]string{
		"apis/test/policy.xml": `<policies><inbound><base />
<publish-to-dapr pubsub-name="bus" topic="@(&quot;orders-&quot; + context.Request.Method.ToLower())" response-variable-name="pub">{"item": 1}</publish-to-dapr>
<return-response><set-status code="200" /><set-body>@(((IResponse)context.Variables["pub"]).StatusCode.ToString())</set-body></return-response>
</inbound>` + policyTail,
	}, Options{Dapr: sc.srv.URL})
	r := s.do(t, "GET", "/test/items", keyHeader, productKey)
	if r.status != 200 || r.body != "204" {
		t.Fatalf("status %d body %q; want 200 and 204 from the sidecar", r.status, r.body)
	}
	call := sc.last(t)
	if call.Path != "/v1.0/publish/bus/orders-get" || call.Body != `{"item": 1}` || call.Header.Get("Content-Type") != "application/json" {
		t.Errorf("sidecar got %s %q (%s)", call.Path, call.Body, call.Header.Get("Content-Type"))
	}
}

func TestSendServiceBusMessage(t *testing.T) {
	const token = "sb-token-secret-0123456789"
	bus := newAnsweringRecorder(t, func(path string) (int, string) {
		if strings.HasPrefix(path, "/full/") {
			return 403, `{"error":"quota exceeded"}`
		}
		return 201, ""
	})
	s := newSite(t, map[string]string{
		"apis/test/operations/list/policy.xml": `<policies><inbound><base />
<send-service-bus-message queue-name="orders" namespace="contoso.servicebus.windows.net">
  <message-properties><message-property name="source">tollgate</message-property><message-property name="method">@(context.Request.Method)</message-property></message-properties>
  <payload>@("{\"at\":\"" + context.Request.Url.Path + "\"}")</payload>
</send-service-bus-message>
<return-response><set-status code="202" /></return-response>
</inbound>` + policyTail,
		"apis/test/operations/get/policy.xml": `<policies><inbound><base />
<send-service-bus-message topic-name="full" namespace="contoso.servicebus.windows.net"><payload>x</payload></send-service-bus-message>
</inbound>` + policyTail,
	}, Options{ServiceBus: bus.srv.URL, ManagedIdentity: StaticTokenSource(token)})

	r := s.do(t, "GET", "/test/items", keyHeader, productKey, "Ocp-Apim-Trace", "true")
	if r.status != 202 {
		t.Fatalf("status %d, want 202", r.status)
	}
	call := bus.last(t)
	if call.Path != "/orders/messages" || call.Header.Get("Authorization") != "Bearer "+token ||
		call.Header.Get("Source") != `"tollgate"` || call.Header.Get("Method") != `"GET"` || call.Body != `{"at":"/api/items"}` {
		t.Errorf("Service Bus got %s %q headers %v", call.Path, call.Body, call.Header)
	}

	r = s.do(t, "GET", "/test/items/1", keyHeader, productKey)
	if r.status != 500 {
		t.Errorf("refused send: status %d, want 500", r.status)
	}
	if le := lastError(t, s); le.reason != "ServiceBusSendFailure" || !strings.Contains(le.cause, "full of contoso.servicebus.windows.net answered 403") {
		t.Errorf("LastError %+v", le)
	}
	if strings.Contains(logText(s), token) {
		t.Error("the Service Bus token is in the log")
	}
}

func TestSendServiceBusMessageWithoutIdentity(t *testing.T) {
	s := newSite(t, map[string]string{
		"apis/test/policy.xml": `<policies><inbound><base /><send-service-bus-message queue-name="q" namespace="ns.servicebus.windows.net"><payload>x</payload></send-service-bus-message></inbound>` + policyTail,
	}, Options{})
	if r := s.do(t, "GET", "/test/items", keyHeader, productKey); r.status != 500 {
		t.Errorf("status %d, want 500", r.status)
	}
	if le := lastError(t, s); le.reason != "ManagedIdentityNotConfigured" || !strings.Contains(le.cause, "send-service-bus-message") {
		t.Errorf("LastError %+v", le)
	}
}

func TestCrossDomain(t *testing.T) {
	doc := `<cross-domain-policy><allow-access-from domain="*.example.com" /></cross-domain-policy>`
	s := newSite(t, map[string]string{
		"policy.xml": `<policies><inbound><cross-domain>` + doc + `</cross-domain></inbound><backend><forward-request /></backend><outbound /><on-error /></policies>`,
	}, Options{})
	r := s.do(t, "GET", "/crossdomain.xml")
	if r.status != 200 || !strings.Contains(r.body, doc) || !strings.HasPrefix(r.body, "<?xml") || r.header.Get("Content-Type") != "application/xml" {
		t.Fatalf("/crossdomain.xml: status %d %s body %q", r.status, r.header.Get("Content-Type"), r.body)
	}
	// Other requests pass the policy.
	if r := s.do(t, "GET", "/test/items", keyHeader, productKey); r.status != 200 || r.body != `{"ok":true}` {
		t.Errorf("API call under a global cross-domain: status %d body %q", r.status, r.body)
	}
}

func TestValidateODataRequest(t *testing.T) {
	s := newSite(t, map[string]string{
		"apis/test/policy.xml": `<policies><inbound><base />
<validate-odata-request error-variable-name="odata" min-odata-version="4.0" max-odata-version="4.0" max-size="100" />
</inbound>` + policyTail,
	}, Options{})
	cases := []struct {
		name    string
		path    string
		headers []string
		status  int
		want    string
	}{
		{"plain", "/test/items?$top=5&$filter=Price%20gt%205&custom=1", nil, 200, ""},
		{"unknown option", "/test/items?$filtr=x", nil, 400, "Unknown system query option $filtr"},
		{"4.01 option in 4.0", "/test/items?$compute=a", nil, 400, "Unknown system query option $compute in OData 4.0"},
		{"duplicate", "/test/items?$top=1&$top=2", nil, 400, "$top is given more than once"},
		{"negative top", "/test/items?$top=-1", nil, 400, "non-negative integer"},
		{"count", "/test/items?$count=yes", nil, 400, "$count must be true or false"},
		{"unbalanced", "/test/items?$filter=(a%20eq%201", nil, 400, "unbalanced"},
		{"version above max", "/test/items", []string{"OData-Version", "4.01"}, 400, "above the maximum version 4.0"},
		{"bad version", "/test/items", []string{"OData-Version", "3.0"}, 400, "not an OData version"},
		{"version in range", "/test/items", []string{"OData-Version", "4.0"}, 200, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := s.do(t, "GET", c.path, append([]string{keyHeader, productKey}, c.headers...)...)
			if r.status != c.status || !strings.Contains(r.body, c.want) {
				t.Errorf("status %d body %q; want %d with %q", r.status, r.body, c.status, c.want)
			}
		})
	}
}
