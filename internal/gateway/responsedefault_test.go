package gateway

import "testing"

// Before the backend answers, context.Response is APIM's default response
// (200 OK), not null: Microsoft's PTU-to-PAYG spillover fragments test
// context.Response.StatusCode at the top of a backend retry, before
// forward-request has run.
func TestResponseBeforeBackendIsDefault(t *testing.T) {
	s := newSite(t, map[string]string{"apis/test/policy.xml": `<policies>
  <inbound><base/><set-variable name="before" value="@(context.Response.StatusCode + &quot; &quot; + context.Response.StatusReason)" /></inbound>
  <backend>
    <retry condition="@(context.Response.StatusCode == 429)" count="2" interval="0">
      <choose>
        <when condition="@(context.Response.StatusCode == 429)"><set-header name="x-spill" exists-action="override"><value>payg</value></set-header></when>
        <otherwise><set-header name="x-spill" exists-action="override"><value>ptu</value></set-header></otherwise>
      </choose>
      <forward-request />
    </retry>
  </backend>
  <outbound><base/><set-header name="x-before" exists-action="override"><value>@((string)context.Variables["before"])</value></set-header></outbound>
</policies>`}, Options{})
	got := s.do(t, "GET", "/test/items", keyHeader, productKey)
	if got.status != 200 || got.header.Get("x-before") != "200 OK" {
		t.Fatalf("%d, x-before %q (log: %v)", got.status, got.header.Get("x-before"), s.lastLog(t)["LastErrorCause"])
	}
}
