package console_test

import (
	"os"
	"strings"
	"testing"
)

func TestDump(t *testing.T) {
	e := newEnv(t)
	os.MkdirAll("/tmp/cpages", 0o755)
	for _, p := range []string{"/failures", "/requests", "/requests/" + e.tenantFailure, "/query?q=" + "ApiManagementGatewayLogs%0A%7C+take+3", "/config", "/config/apis/orders", "/config/apis/orders/operations/get-order?product=gold", "/config/files/apis/orders/policy.xml", "/requests?category=Other&opname="} {
		_, body := e.get(t, p)
		name := strings.NewReplacer("/", "_", "?", "_", "&", "_").Replace(p)
		if len(name) > 60 {
			name = name[:60]
		}
		os.WriteFile("/tmp/cpages/"+name+".html", []byte(body), 0o644)
	}
}
