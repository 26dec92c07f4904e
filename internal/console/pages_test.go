package console_test

import (
	"testing"
)

func TestPagesRender(t *testing.T) {
	e := newEnv(t)
	for _, p := range []string{"/failures", "/failures?range=1h", "/requests", "/requests?status=failed", "/requests/" + e.tenantFailure,
		"/query", "/config", "/config/apis/orders", "/config/apis/orders/operations/get-order?product=gold", "/config/files/apis/orders/policy.xml"} {
		status, body := e.get(t, p)
		if status != 200 {
			t.Errorf("%s: status %d\n%s", p, status, body)
		}
	}
	_, body := e.get(t, "/failures")
	t.Log(body)
}
