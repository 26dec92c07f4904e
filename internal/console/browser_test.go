package console_test

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/tollgate/tollgate/internal/console"
	"github.com/tollgate/tollgate/internal/explain"
	"github.com/tollgate/tollgate/internal/gateway"
)

// browser starts a headless Chromium for t, or skips t when there is none
// (fails instead when TOLLGATE_REQUIRE_BROWSER=1, as scripts/test.sh sets).
func browser(t testing.TB) context.Context {
	t.Helper()
	var path string
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		if os.Getenv("TOLLGATE_REQUIRE_BROWSER") == "1" {
			t.Fatal("chromium is not installed and TOLLGATE_REQUIRE_BROWSER=1: install Debian's chromium package (scripts/test.sh does)")
		}
		t.Skip("chromium is not installed; scripts/test.sh installs it")
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1100, 760),
	)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1100, 760)); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	return ctx
}

// screenshot writes the viewport as docs/console/NAME.png when
// TOLLGATE_SCREENSHOTS=1 or the file is missing, else into a temporary
// directory, so that a test run leaves the committed images alone.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if len(png) < 1000 || string(png[1:4]) != "PNG" {
		t.Fatalf("screenshot %s is not a PNG image (%d bytes)", name, len(png))
	}
	path := filepath.Join("..", "..", "docs", "console", name+".png")
	if _, err := os.Stat(path); err == nil && os.Getenv("TOLLGATE_SCREENSHOTS") != "1" {
		path = filepath.Join(t.TempDir(), name+".png")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
}

func do(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := chromedp.Do(tctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func eval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	v, err := chromedp.Run(tctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluating %s: %v", js, err)
	}
	return v
}

func location(t *testing.T, ctx context.Context) string {
	t.Helper()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// TestBrowser drives the console in Chromium against a gateway that served
// real traffic: sign in, find a failure from the Failures page, read its
// explanation and waterfall, run the seed's ErrorCategory query, and read
// an operation's effective policy.
func TestBrowser(t *testing.T) {
	e := newEnv(t)
	ctx := browser(t)

	// The admin listener has a token: the browser is sent to sign in.
	do(t, ctx, "opening /failures", chromedp.Navigate(e.admin.URL+"/failures"), chromedp.WaitVisible(chromedp.CSS(`input[name="token"]`)))
	if loc := location(t, ctx); !strings.Contains(loc, "/login?next=%2Ffailures") {
		t.Fatalf("without the token the browser is at %s, want the sign-in page", loc)
	}
	do(t, ctx, "signing in",
		chromedp.SendKeys(chromedp.CSS(`input[name="token"]`), adminToken),
		chromedp.Submit(chromedp.CSS(`input[name="token"]`)),
		chromedp.WaitVisible(chromedp.ID("failures-table")))

	t.Run("failures", func(t *testing.T) {
		bars := eval[int](t, ctx, `document.querySelectorAll("#failures-chart svg rect").length`)
		if bars == 0 {
			t.Errorf("the Failures chart has no bars")
		}
		legend := eval[string](t, ctx, `document.querySelector(".legend").textContent`)
		for _, c := range []string{"Auth Failure (5)", "Throttled (2)", "Gateway Error (1)", "Backend Error (1)", "Other (1)"} {
			if !strings.Contains(legend, c) {
				t.Errorf("the chart's legend %q lacks %q", legend, c)
			}
		}
		screenshot(t, ctx, "failures")
		// The range picker reloads the page for the range chosen.
		do(t, ctx, "picking 1h", chromedp.Evaluate[chromedp.Void](`(s => { s.value = "1h"; s.dispatchEvent(new Event("change", {bubbles: true})); })(document.querySelector("select[name=range]"))`),
			chromedp.WaitReady(chromedp.CSS(`select[name=range] option[value="1h"][selected]`)))
		if loc := location(t, ctx); !strings.HasSuffix(loc, "/failures?range=1h") {
			t.Errorf("the range picker opened %s", loc)
		}
		row := `#failures-table tr[data-category="Auth Failure"][data-operation="Get order"]`
		if got := eval[string](t, ctx, `document.querySelector('`+row+` td.n').textContent`); got != "2" {
			t.Errorf("Auth Failure of Get order counts %s, want 2", got)
		}
		// The row opens the requests behind it.
		do(t, ctx, "opening the row's requests", chromedp.Click(chromedp.CSS(row+" td")), chromedp.WaitVisible(chromedp.ID("requests-table")))
		if loc := location(t, ctx); !strings.Contains(loc, "category=Auth+Failure") || !strings.Contains(loc, "opname=Get+order") {
			t.Errorf("the row opened %s", loc)
		}
		statuses := eval[[]string](t, ctx, `Array.from(document.querySelectorAll("#rows td.st")).map(td => td.textContent)`)
		if len(statuses) != 2 || statuses[0] != "401" || statuses[1] != "401" {
			t.Errorf("the requests behind Auth Failure / Get order have the statuses %v, want two 401", statuses)
		}
		screenshot(t, ctx, "requests")
	})

	t.Run("request", func(t *testing.T) {
		do(t, ctx, "opening the failed request",
			chromedp.Click(chromedp.CSS(`#rows a[href="/requests/`+e.tenantFailure+`"]`)),
			chromedp.WaitVisible(chromedp.ID("waterfall")))
		d, err := e.store.Capture(e.tenantFailure)
		if err != nil {
			t.Fatal(err)
		}
		// The cause is explain's, with positions relative to the folder.
		want := strings.ReplaceAll(explain.Explain(d).Cause, d.Config.Dir+string(filepath.Separator), "")
		if got := eval[string](t, ctx, `document.getElementById("cause").textContent`); got != want || got != "apis/orders/operations/get-order/policy.xml:4:3: the request has no header X-Tenant" {
			t.Errorf("cause %q, want %q", got, want)
		}
		if got := eval[string](t, ctx, `document.getElementById("where").textContent`); got != "apis/orders/operations/get-order/policy.xml:4:3" {
			t.Errorf("the failing policy is at %q", got)
		}
		if got := eval[string](t, ctx, `document.getElementById("snippet").textContent`); !strings.HasPrefix(got, `<check-header name="X-Tenant"`) || !strings.HasSuffix(got, "\n^") {
			t.Errorf("the source snippet is %q", got)
		}
		failed := eval[[]string](t, ctx, `Array.from(document.querySelectorAll("#waterfall details.failed")).map(d => d.dataset.source)`)
		if !slices.Equal(failed, []string{"check-header"}) {
			t.Errorf("the highlighted steps are %v, want [check-header]", failed)
		}
		steps := eval[[]string](t, ctx, `Array.from(document.querySelectorAll("#waterfall details")).map(d => d.dataset.source)`)
		if !slices.Equal(steps, []string{"set-header", "rate-limit", "set-header", "check-header"}) {
			t.Errorf("the waterfall's steps are %v", steps)
		}
		// The failing step stands out: its bar has the failure colour.
		color := eval[string](t, ctx, `getComputedStyle(document.querySelector("#waterfall details.failed .bar")).backgroundColor`)
		other := eval[string](t, ctx, `getComputedStyle(document.querySelector("#waterfall details:not(.failed) .bar")).backgroundColor`)
		if color != "rgb(220, 38, 38)" || color == other {
			t.Errorf("the failing step's bar is %s (others %s), want rgb(220, 38, 38)", color, other)
		}
		// Opening a step shows the values it saw; keyboard first: focus
		// its summary and press Enter.
		do(t, ctx, "opening the failed step", chromedp.Focus(chromedp.CSS("#waterfall details.failed summary")), chromedp.KeyEvent("\r"),
			chromedp.WaitVisible(chromedp.CSS("#waterfall details.failed pre.data")))
		if got := eval[string](t, ctx, `document.querySelector("#waterfall details.failed pre.data").textContent`); !strings.Contains(got, `"reason": "HeaderNotFound"`) {
			t.Errorf("the failed step's values are %q", got)
		}
		curl := eval[string](t, ctx, `document.getElementById("curl").textContent`)
		if !strings.Contains(curl, `-H "Ocp-Apim-Subscription-Key: ${SUBSCRIPTION_KEY}"`) || !strings.Contains(curl, `-H "Authorization: Bearer ${TOKEN}"`) {
			t.Errorf("copy as curl: %s", curl)
		}
		test := eval[string](t, ctx, `document.getElementById("testcmd").textContent`)
		if !strings.HasPrefix(test, "tollgate test ") || !strings.Contains(test, " GET /orders/orders/42 ") || !strings.HasSuffix(test, "--trace") {
			t.Errorf("tollgate test command: %s", test)
		}
		screenshot(t, ctx, "request")
	})

	t.Run("query", func(t *testing.T) {
		do(t, ctx, "opening Query", chromedp.Navigate(e.admin.URL+"/query"), chromedp.WaitVisible(chromedp.ID("q")))
		before := len(e.logs.Seen)
		do(t, ctx, "running the ErrorCategory example",
			chromedp.Click(chromedp.CSS(`a.example`)), chromedp.WaitVisible(chromedp.ID("result")))
		if len(e.logs.Seen) <= before || e.logs.Seen[len(e.logs.Seen)-1] != console.SeedErrorCategory {
			t.Errorf("the log store did not receive the seed's ErrorCategory query verbatim")
		}
		if got := eval[string](t, ctx, `document.getElementById("q").value`); got != console.SeedErrorCategory {
			t.Errorf("the editor holds %q", got)
		}
		cols := eval[[]string](t, ctx, `Array.from(document.querySelectorAll("#result th")).map(th => th.textContent)`)
		if !slices.Equal(cols, []string{"ErrorCategory", "OperationName", "Count", "AvgLatencyMs"}) {
			t.Errorf("columns %v", cols)
		}
		if first := eval[[]string](t, ctx, `Array.from(document.querySelectorAll("#result tbody tr:first-child td")).map(td => td.textContent)`); len(first) < 3 || first[0] != "Auth Failure" || first[2] != "3" {
			t.Errorf("first row %v, want Auth Failure with 3", first)
		}
		if n := eval[int](t, ctx, `document.querySelectorAll("#query-chart svg rect").length`); n != 5 {
			t.Errorf("the chart has %d bars, want one per ErrorCategory (5)", n)
		}
		screenshot(t, ctx, "query")

		// A query by bin(TimeGenerated, ...) draws a time chart; typed
		// in the editor and run with Ctrl+Enter.
		q := "ApiManagementGatewayLogs\n| where TimeGenerated > ago(1h)\n| where IsRequestSuccess == false\n| extend ErrorCategory = case(\n" +
			"    ResponseCode == 401, \"Auth Failure\",\n    \"Other\"\n  )\n| summarize Count = count() by ErrorCategory, bin(TimeGenerated, 1m)"
		do(t, ctx, "running a time chart query",
			chromedp.SetValue(chromedp.ID("q"), q), chromedp.Focus(chromedp.ID("q")),
			chromedp.KeyEvent("\r", chromedp.KeyModifiers(chromedp.ModifierCtrl)),
			chromedp.WaitVisible(chromedp.CSS("#query-chart svg.chart:not(.bars)")))
		if got := eval[string](t, ctx, `document.querySelector("#query-chart").getAttribute("aria-label")`); got != "Count over TimeGenerated" {
			t.Errorf("time chart titled %q", got)
		}
		// In dark mode the page keeps its contrast.
		if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}}}); err != nil {
			t.Fatal(err)
		}
		if bg := eval[string](t, ctx, `getComputedStyle(document.body).backgroundColor`); bg != "rgb(15, 23, 42)" {
			t.Errorf("dark mode background %s", bg)
		}
		screenshot(t, ctx, "query-dark")
		if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{}); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("config", func(t *testing.T) {
		do(t, ctx, "opening the operation", chromedp.Navigate(e.admin.URL+"/config/apis/orders/operations/get-order?product=gold"), chromedp.WaitVisible(chromedp.ID("effective")))
		scopes := eval[[]string](t, ctx, `Array.from(document.querySelectorAll("#effective .element")).map(el => el.dataset.scope + ":" + el.querySelector("pre").textContent.split(" ")[0])`)
		want := []string{"global:<set-header", "product:<rate-limit", "api:<set-header", "operation:<check-header", "global:<forward-request"}
		if !slices.Equal(scopes, want) {
			t.Errorf("effective policy %v, want %v", scopes, want)
		}
		product := eval[string](t, ctx, `getComputedStyle(document.querySelector("#effective .element.scope-product")).borderLeftColor`)
		api := eval[string](t, ctx, `getComputedStyle(document.querySelector("#effective .element.scope-api")).borderLeftColor`)
		if product != "rgb(124, 58, 237)" || product == api {
			t.Errorf("the product policy is coloured %s (api %s), want the product colour rgb(124, 58, 237)", product, api)
		}
		if got := eval[string](t, ctx, `document.querySelector("#effective .element.scope-product .origin a").getAttribute("href")`); got != "/config/files/products/gold/policy.xml#L4" {
			t.Errorf("the product policy links %s", got)
		}
		screenshot(t, ctx, "config")
		// A check finding shows inline at its element.
		do(t, ctx, "opening legacy", chromedp.Navigate(e.admin.URL+"/config/apis/legacy"), chromedp.WaitVisible(chromedp.ID("operations")))
		if got := eval[string](t, ctx, `document.querySelector(".element.scope-api .finding").textContent`); !strings.Contains(got, "cors is statement 2") {
			t.Errorf("the cors element's finding is %q", got)
		}
	})

	t.Run("live tail", func(t *testing.T) {
		do(t, ctx, "opening the 404s", chromedp.Navigate(e.admin.URL+"/requests?status=404"), chromedp.WaitVisible(chromedp.ID("requests-table")))
		resp, err := http.Get(e.gateway.URL + "/not/an/api")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		id := resp.Header.Get(gateway.CorrelationHeader)
		e.store.Flush()
		do(t, ctx, "waiting for the new request", chromedp.WaitVisible(chromedp.CSS(`#rows a[href="/requests/`+id+`"]`)))
		if first := eval[string](t, ctx, `document.querySelector("#rows tr").dataset.href`); first != "/requests/"+id {
			t.Errorf("the newest request is not first: %s", first)
		}
	})

	t.Run("keyboard", func(t *testing.T) {
		do(t, ctx, "g r", chromedp.Navigate(e.admin.URL+"/failures"), chromedp.WaitVisible(chromedp.ID("failures-table")),
			chromedp.KeyEvent("g"), chromedp.KeyEvent("r"), chromedp.WaitVisible(chromedp.ID("requests-table")))
		do(t, ctx, "j then Enter", chromedp.KeyEvent("j"), chromedp.KeyEvent("\r"), chromedp.WaitVisible(chromedp.ID("why")))
		if loc := location(t, ctx); !strings.Contains(loc, "/requests/") {
			t.Errorf("j and Enter opened %s", loc)
		}
	})
}
