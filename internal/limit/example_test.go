package limit_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tollgate/tollgate/internal/limit"
)

// A rate-limit-by-key with an increment-condition on the response: decide in
// inbound with Peek, count in outbound with Add once the condition is known.
func Example_incrementCondition() {
	ctx := context.Background()
	var s limit.Store = limit.NewMemory()
	key := limit.ByKey("203.0.113.7")
	for _, status := range []int{200, 500, 200, 200} {
		r, err := s.Peek(ctx, key, 2, time.Minute, 1)
		if errors.Is(err, limit.ErrUnavailable) {
			// The policy decides: fail open (admit) or fail closed.
			continue
		}
		if !r.Allowed {
			fmt.Println(limit.StatusRateLimited, r.Message())
			continue
		}
		// ... forward the request; the backend answers status ...
		if status == 200 { // increment-condition="@(context.Response.StatusCode == 200)"
			r, _ = s.Add(ctx, key, 2, time.Minute, 1)
		}
		fmt.Println(status, "remaining", r.Remaining)
	}
	// Output:
	// 200 remaining 1
	// 500 remaining 1
	// 200 remaining 0
	// 429 Rate limit is exceeded. Try again in 60 seconds.
}

// A quota with calls and bandwidth: the call is counted in inbound, the
// bytes of the response once it has been sent.
func Example_quota() {
	ctx := context.Background()
	s := limit.NewMemory()
	key := limit.SubscriptionKey("product:starter", "sub-42", "", "")
	q := limit.Quota{Calls: 100, Kilobytes: 1, Period: time.Hour}
	for range 3 {
		st, _ := s.TakeQuota(ctx, key, q, 1)
		if !st.Allowed {
			fmt.Println(limit.StatusQuotaExceeded, st.Exceeded == limit.QuotaBandwidthExceeded)
			continue
		}
		// ... forward the request; the response body is 600 bytes ...
		st, _ = s.AddQuota(ctx, key, q, 0, 600)
		fmt.Println("calls", st.Calls, "bytes", st.Bytes)
	}
	// Output:
	// calls 1 bytes 600
	// calls 2 bytes 1200
	// 403 true
}
