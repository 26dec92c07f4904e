package limit_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/limit"
)

func TestFormatTimeSpan(t *testing.T) {
	cases := []struct {
		d    time.Duration
		want string
	}{
		{0, "00:00:00"},
		{-time.Second, "00:00:00"},
		{time.Millisecond, "00:00:01"},
		{59 * time.Second, "00:00:59"},
		{time.Hour + 2*time.Minute + 3*time.Second, "01:02:03"},
		{23*time.Hour + 59*time.Minute + 59*time.Second + time.Millisecond, "1.00:00:00"},
		{24 * time.Hour, "1.00:00:00"},
		{49*time.Hour + 5*time.Second, "2.01:00:05"},
		{400 * 24 * time.Hour, "400.00:00:00"},
	}
	for _, c := range cases {
		if got := limit.FormatTimeSpan(c.d); got != c.want {
			t.Errorf("FormatTimeSpan(%v) = %q, want %q", c.d, got, c.want)
		}
	}
}

func TestRetryAfterSeconds(t *testing.T) {
	cases := map[time.Duration]int64{0: 1, time.Millisecond: 1, time.Second: 1, 1001 * time.Millisecond: 2, 90 * time.Second: 90}
	for d, want := range cases {
		if got := limit.RetryAfterSeconds(d); got != want {
			t.Errorf("RetryAfterSeconds(%v) = %d, want %d", d, got, want)
		}
	}
}

func TestSubscriptionKey(t *testing.T) {
	keys := map[string]bool{}
	for _, k := range []string{
		limit.SubscriptionKey("p", "s", "", ""),
		limit.SubscriptionKey("p", "s", "a", ""),
		limit.SubscriptionKey("p", "s", "a", "o"),
		limit.SubscriptionKey("p", "s|a", "", ""),
		limit.SubscriptionKey("p|s", "a", "", ""),
		limit.SubscriptionKey("p", "s%7Ca", "", ""),
		limit.ByKey("p"),
		limit.ByKey("sub|p|s||"),
	} {
		if keys[k] {
			t.Fatalf("key %q built twice from different parts", k)
		}
		keys[k] = true
	}
	if got := limit.SubscriptionKey("product:starter", "s1", "echo", "get"); got != "sub|product:starter|s1|echo|get" {
		t.Fatalf("SubscriptionKey = %q", got)
	}
}

func TestQuotaWindow(t *testing.T) {
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	q := limit.Quota{Calls: 1, Period: 7 * 24 * time.Hour, FirstPeriodStart: start}
	i, left := limit.QuotaWindow(q, start.Add(10*24*time.Hour))
	if i != 1 || left != 4*24*time.Hour {
		t.Fatalf("QuotaWindow = %d, %v", i, left)
	}
	// Before the anchor, periods continue backwards.
	i, left = limit.QuotaWindow(q, start.Add(-time.Hour))
	if i != -1 || left != time.Hour {
		t.Fatalf("before the anchor: %d, %v", i, left)
	}
	if _, left = limit.QuotaWindow(limit.Quota{Calls: 1}, start); left != -1 {
		t.Fatalf("period 0: left %v, want -1", left)
	}
}

func TestUnavailableError(t *testing.T) {
	cause := errors.New("dial tcp 127.0.0.1:1: connection refused")
	var err error = &limit.UnavailableError{Op: "take", Err: cause}
	err = fmt.Errorf("rate-limit: %w", err)
	if !errors.Is(err, limit.ErrUnavailable) || !errors.Is(err, cause) {
		t.Fatalf("%v does not match ErrUnavailable and its cause", err)
	}
	if u, ok := errors.AsType[*limit.UnavailableError](err); !ok || u.Op != "take" {
		t.Fatalf("AsType: %v %v", u, ok)
	}
	if want := "rate-limit: counter store unavailable: take: dial tcp 127.0.0.1:1: connection refused"; err.Error() != want {
		t.Fatalf("Error() = %q", err.Error())
	}
}
