package console_test

import (
	"flag"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tollgate/tollgate/internal/console"
)

// scaleRequests is the number of stored requests TestBrowserAtScale
// opens the console over: 10,000 in the ordinary run, where filling the
// store would otherwise dominate the package's tests; the figures of
// docs/performance.md are taken with -console.requests 100000.
var scaleRequests = flag.Int("console.requests", 10_000, "stored requests for TestBrowserAtScale (one in twenty captured)")

// TestBrowserAtScale opens every console page in Chromium over a log store
// of -console.requests stored requests, one in twenty a captured failure,
// and logs how long each took to render: from the navigation to the page's
// main element on screen, and the browser's own navigation timing (time to
// the first byte, DOMContentLoaded, load). Times are reported, never
// asserted; what is asserted is that every page renders what it is for at
// that size.
func TestBrowserAtScale(t *testing.T) {
	rows := max(2000, *scaleRequests)
	caps := rows / 20
	ctx := browser(t)
	s := newScaleEnv(t, rows, caps)
	t.Logf("filled %d rows and %d captures in %v (%.0f rows/s)", rows, caps, s.fill.Round(time.Millisecond), float64(rows)/s.fill.Seconds())
	do(t, ctx, "signing in", chromedp.Navigate(s.admin.URL+"/login?next=/config"),
		chromedp.SendKeys(chromedp.CSS(`input[name="token"]`), adminToken),
		chromedp.Submit(chromedp.CSS(`input[name="token"]`)),
		chromedp.WaitVisible(chromedp.ID("apis")))

	pages := []struct{ name, path, ready, check string }{
		{"failures (24h)", "/failures", "#failures-chart svg", `document.querySelectorAll("#failures-table tbody tr").length > 0`},
		{"failures (7d)", "/failures?range=7d", "#failures-chart svg", `document.querySelectorAll("#failures-table tbody tr").length > 0`},
		{"requests", "/requests", "#requests-table", `document.querySelectorAll("#rows tr").length === 50`},
		{"requests, failed", "/requests?status=failed", "#requests-table", `document.querySelectorAll("#rows tr").length === 50`},
		{"requests, Auth Failure of one operation", "/requests?category=Auth+Failure&opname=Get+order", "#requests-table", `document.querySelectorAll("#rows tr").length > 0`},
		{"requests, text matching nothing", "/requests?q=nothing+matches+this", "#requests-table", `document.querySelectorAll("#rows a").length === 0`},
		{"request detail (captured)", "/requests/" + s.failure, "#waterfall", `document.querySelectorAll("#waterfall details").length > 0`},
		{"request detail (log row only)", "/requests/" + s.uncaptured, "#main", `document.body.textContent.includes("` + s.uncaptured + `")`},
		{"query: seed ErrorCategory", "/query?q=" + urlQuery(console.SeedErrorCategory), "#query-chart svg", `document.querySelectorAll("#result tbody tr").length > 0`},
		{"query: every row", "/query?q=ApiManagementGatewayLogs", "#result", `document.querySelectorAll("#result tbody tr").length === 178`},
		{"configuration", "/config", "#apis", `document.querySelectorAll("#apis a").length > 0`},
		{"operation's effective policy", "/config/apis/orders/operations/get-order?product=gold", "#effective", `document.querySelectorAll("#effective .element").length > 0`},
	}
	var report strings.Builder
	fmt.Fprintf(&report, "%-42s %10s %10s %10s %10s\n", "page", "rendered", "TTFB", "DOMready", "load")
	for _, p := range pages {
		start := time.Now()
		do(t, ctx, "opening "+p.name, chromedp.Navigate(s.admin.URL+p.path), chromedp.WaitVisible(chromedp.CSS(p.ready)))
		rendered := time.Since(start)
		if !eval[bool](t, ctx, p.check) {
			t.Errorf("%s (%s): the page lacks what it shows (%s)", p.name, p.path, p.check)
		}
		nav := eval[[]float64](t, ctx, `(n => [n.responseStart - n.requestStart, n.domContentLoadedEventEnd - n.startTime, n.loadEventEnd - n.startTime])(performance.getEntriesByType("navigation")[0])`)
		if len(nav) != 3 {
			t.Fatalf("navigation timing of %s: %v", p.path, nav)
		}
		fmt.Fprintf(&report, "%-42s %8.0fms %8.0fms %8.0fms %8.0fms\n", p.name, float64(rendered.Microseconds())/1000, nav[0], nav[1], nav[2])
	}
	t.Logf("time to render each page at %d stored requests, %d captures:\n%s", rows, caps, report.String())
}
