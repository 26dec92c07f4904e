package console_test

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// BenchmarkGatewayWithConsole100k measures the gateway's throughput, with
// every request logged into a file-backed log store that already holds
// 100,000 requests and 5,000 captured failures (as `tollgate run --data`),
// with the console closed, open in Chromium on the live tail (which asks
// for the newest rows every 3 s), and read by a client that asks for the
// live tail and the Failures page every 50 ms, a stress far above a
// person's. The load is on the same cores as the console's queries and,
// for "browser", as Chromium itself.
func BenchmarkGatewayWithConsole100k(b *testing.B) {
	rows, caps := scaleSize()
	s := newScaleEnv(b, rows, caps)
	send := sendPings(s.gateway.URL)
	b.Run("closed", send)
	// One Chromium for every run of "browser", open on the live tail
	// before it and on a blank page after.
	tctx, cancel := context.WithTimeout(browser(b), 5*time.Minute)
	defer cancel()
	if err := chromedp.Do(tctx,
		chromedp.Navigate(s.admin.URL+"/login?next=/requests"),
		chromedp.SendKeys(chromedp.CSS(`input[name="token"]`), adminToken),
		chromedp.Submit(chromedp.CSS(`input[name="token"]`)),
		chromedp.WaitVisible(chromedp.ID("requests-table"))); err != nil {
		b.Fatalf("opening the live tail: %v", err)
	}
	b.Run("browser", send)
	// The tail kept polling: it shows rows.
	if n, err := chromedp.Run(tctx, chromedp.Evaluate[int](`document.querySelectorAll("#rows tr").length`)); err != nil || n == 0 {
		b.Errorf("the live tail shows %d rows (%v)", n, err)
	}
	if err := chromedp.Do(tctx, chromedp.Navigate("about:blank")); err != nil {
		b.Fatal(err)
	}
	b.Run("polling-50ms", func(b *testing.B) { polling(b, s.env, 50*time.Millisecond, send) })
}
