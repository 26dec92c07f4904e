package limit

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"
)

// Store keeps rate, quota and concurrency counters. Implementations are safe
// for concurrent use and give every caller sharing them the same view.
//
// Rate methods take the counter key, the number of units admitted per window
// (limit, the calls attribute), the window length (renewal-period) and the
// cost of the request (increment-count; a cost of 0 counts nothing).
type Store interface {
	// Take admits the request when cost more units fit into the key's
	// current window and counts them; a refused request counts nothing.
	Take(ctx context.Context, key string, limit int64, period time.Duration, cost int64) (Rate, error)
	// Peek reports what Take would decide for cost without counting.
	Peek(ctx context.Context, key string, limit int64, period time.Duration, cost int64) (Rate, error)
	// Add counts cost units unconditionally, opening a window if none is
	// open. The result's Allowed is always true.
	Add(ctx context.Context, key string, limit int64, period time.Duration, cost int64) (Rate, error)

	// TakeQuota admits the request when calls more calls fit into the
	// current quota period and the bandwidth counted so far is below the
	// bandwidth limit, and then counts the calls.
	TakeQuota(ctx context.Context, key string, q Quota, calls int64) (QuotaState, error)
	// PeekQuota reports what TakeQuota would decide for one call without
	// counting.
	PeekQuota(ctx context.Context, key string, q Quota) (QuotaState, error)
	// AddQuota counts calls and bytes unconditionally in the current
	// period. The result's Allowed is always true.
	AddQuota(ctx context.Context, key string, q Quota, calls, bytes int64) (QuotaState, error)

	// Acquire takes one of max slots of key for at most lease. When no slot
	// is free the result's Acquired is false and nothing is held.
	Acquire(ctx context.Context, key string, max int64, lease time.Duration) (Lease, error)
	// Release frees the slot of token. Releasing an expired or unknown
	// token is not an error.
	Release(ctx context.Context, key, token string) error
}

// Rate is the outcome of one rate-limit decision.
type Rate struct {
	// Allowed reports whether the request is admitted.
	Allowed bool
	// Limit is the number of units admitted per window (total-calls).
	Limit int64
	// Used is the number of units counted in the current window.
	Used int64
	// Remaining is Limit-Used, never below zero (remaining-calls).
	Remaining int64
	// RetryAfter is the time until the current window ends; zero when no
	// window is open.
	RetryAfter time.Duration
}

// RetryAfterSeconds returns RetryAfter in whole seconds rounded up, at least
// 1, as sent in the Retry-After header of a refused request.
func (r Rate) RetryAfterSeconds() int64 { return RetryAfterSeconds(r.RetryAfter) }

// Message returns the message APIM puts in the body of a refused request.
func (r Rate) Message() string {
	return "Rate limit is exceeded. Try again in " + strconv.FormatInt(r.RetryAfterSeconds(), 10) + " seconds."
}

// DefaultFirstPeriodStart is the quota period anchor used when none is given:
// 0001-01-01T00:00:00Z, the default of quota-by-key's first-period-start.
var DefaultFirstPeriodStart = time.Date(1, time.January, 1, 0, 0, 0, 0, time.UTC)

// Quota describes one quota counter: a call limit and/or a bandwidth limit per
// period.
type Quota struct {
	// Calls is the number of calls allowed per period; 0 means no call limit.
	Calls int64
	// Kilobytes is the bandwidth allowed per period in kilobytes of 1024
	// bytes; 0 means no bandwidth limit.
	Kilobytes int64
	// Period is the length of a quota period; 0 means the quota never
	// renews.
	Period time.Duration
	// FirstPeriodStart anchors the periods; the zero time means
	// DefaultFirstPeriodStart.
	FirstPeriodStart time.Time
}

// startMillis returns the period anchor in Unix milliseconds.
func (q Quota) startMillis() int64 {
	if q.FirstPeriodStart.IsZero() {
		return DefaultFirstPeriodStart.UnixMilli()
	}
	return q.FirstPeriodStart.UnixMilli()
}

// window returns the index of the period containing nowMs and the
// milliseconds left in it; left is -1 for a quota that never renews.
func (q Quota) window(nowMs int64) (index, left int64) {
	p := q.Period.Milliseconds()
	if p <= 0 {
		return 0, -1
	}
	d := nowMs - q.startMillis()
	index = d / p
	if d%p < 0 {
		index--
	}
	return index, q.startMillis() + (index+1)*p - nowMs
}

// validate reports a quota that cannot be enforced.
func (q Quota) validate() error {
	switch {
	case q.Calls < 0 || q.Kilobytes < 0:
		return errors.New("quota limits must not be negative")
	case q.Calls == 0 && q.Kilobytes == 0:
		return errors.New("quota needs a call limit or a bandwidth limit")
	case q.Period < 0:
		return errors.New("quota period must not be negative")
	}
	return nil
}

// QuotaExceeded tells which quota limit refused a request.
type QuotaExceeded int

const (
	// QuotaNotExceeded means the request is within the quota.
	QuotaNotExceeded QuotaExceeded = iota
	// QuotaCallsExceeded means the call limit is reached.
	QuotaCallsExceeded
	// QuotaBandwidthExceeded means the bandwidth limit is reached.
	QuotaBandwidthExceeded
)

// QuotaState is the outcome of one quota decision and the counters of the
// current period.
type QuotaState struct {
	// Allowed reports whether the request is admitted.
	Allowed bool
	// Exceeded tells which limit refused the request.
	Exceeded QuotaExceeded
	// Calls and Bytes are the amounts counted in the current period.
	Calls, Bytes int64
	// Renews is false for a quota whose period is 0.
	Renews bool
	// RetryAfter is the time until the current period ends; zero when the
	// quota never renews.
	RetryAfter time.Duration
}

// RetryAfterSeconds returns RetryAfter in whole seconds rounded up, at least
// 1, as sent in the Retry-After header of a refused request.
func (s QuotaState) RetryAfterSeconds() int64 { return RetryAfterSeconds(s.RetryAfter) }

// Message returns the message APIM puts in the body of a request refused by
// a quota, with the time until replenishment as a .NET TimeSpan.
func (s QuotaState) Message() string {
	var m string
	switch s.Exceeded {
	case QuotaCallsExceeded:
		m = "Out of call volume quota."
	case QuotaBandwidthExceeded:
		m = "Out of bandwidth quota."
	default:
		return ""
	}
	if !s.Renews {
		return m
	}
	return m + " Quota will be replenished in " + FormatTimeSpan(s.RetryAfter) + "."
}

// QuotaStateOf builds the QuotaState for counters calls and bytes of the
// current period, leftMs milliseconds before its end (-1: never renews).
// When check is true it decides whether add more calls are admitted;
// otherwise the state is Allowed. Stores use it so that all of them decide
// the same way.
func QuotaStateOf(q Quota, calls, bytes, add, leftMs int64, check bool) QuotaState {
	s := QuotaState{Allowed: true, Calls: calls, Bytes: bytes, Renews: leftMs >= 0}
	if leftMs > 0 {
		s.RetryAfter = time.Duration(leftMs) * time.Millisecond
	}
	if check {
		switch {
		case q.Calls > 0 && calls+add > q.Calls:
			s.Allowed, s.Exceeded = false, QuotaCallsExceeded
		case q.Kilobytes > 0 && bytes >= q.Kilobytes*1024:
			s.Allowed, s.Exceeded = false, QuotaBandwidthExceeded
		}
	}
	return s
}

// Lease is the outcome of Acquire.
type Lease struct {
	// Acquired reports whether a slot was taken.
	Acquired bool
	// Token identifies the slot for Release; empty when not acquired.
	Token string
	// Active is the number of slots held after the call.
	Active int64
}

// Status codes APIM answers with when a limit refuses a request.
const (
	// StatusRateLimited is the status of a request refused by rate-limit,
	// rate-limit-by-key or limit-concurrency.
	StatusRateLimited = 429
	// StatusQuotaExceeded is the status of a request refused by quota or
	// quota-by-key.
	StatusQuotaExceeded = 403
)

// RetryAfterSeconds rounds d up to whole seconds, with a minimum of 1.
func RetryAfterSeconds(d time.Duration) int64 {
	s := int64((d + time.Second - 1) / time.Second)
	return max(s, 1)
}

// FormatTimeSpan formats d rounded up to whole seconds the way .NET prints a
// TimeSpan: hh:mm:ss, preceded by the number of days and a dot when d is a
// day or longer (for example 1.02:03:04).
func FormatTimeSpan(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	s := int64((d + time.Second - 1) / time.Second)
	days, s := s/86400, s%86400
	var b strings.Builder
	if days > 0 {
		b.WriteString(strconv.FormatInt(days, 10))
		b.WriteByte('.')
	}
	two := func(n int64) {
		b.WriteByte(byte('0' + n/10))
		b.WriteByte(byte('0' + n%10))
	}
	two(s / 3600)
	b.WriteByte(':')
	two(s % 3600 / 60)
	b.WriteByte(':')
	two(s % 60)
	return b.String()
}

// ErrUnavailable is matched (errors.Is) by every error a store returns when
// its backend cannot be reached in time.
var ErrUnavailable = errors.New("counter store unavailable")

// UnavailableError reports a store operation that failed because the backend
// could not be reached; it matches ErrUnavailable and unwraps to the cause.
type UnavailableError struct {
	// Op names the operation, for example "take".
	Op string
	// Err is the cause.
	Err error
}

// Error returns "counter store unavailable: op: cause".
func (e *UnavailableError) Error() string {
	return "counter store unavailable: " + e.Op + ": " + e.Err.Error()
}

// Unwrap returns ErrUnavailable and the cause.
func (e *UnavailableError) Unwrap() []error { return []error{ErrUnavailable, e.Err} }

// ValidateRate reports rate arguments that no store accepts.
func ValidateRate(limit int64, period time.Duration, cost int64) error {
	switch {
	case limit < 0:
		return errors.New("rate limit must not be negative")
	case period < time.Millisecond:
		return errors.New("rate limit period must be at least one millisecond")
	case cost < 0:
		return errors.New("rate limit cost must not be negative")
	}
	return nil
}

// ValidateQuota reports quota arguments that no store accepts.
func ValidateQuota(q Quota, calls, bytes int64) error {
	if err := q.validate(); err != nil {
		return err
	}
	if calls < 0 || bytes < 0 {
		return errors.New("quota increments must not be negative")
	}
	return nil
}

// ValidateConcurrency reports concurrency arguments that no store accepts.
func ValidateConcurrency(max int64, lease time.Duration) error {
	switch {
	case max < 1:
		return errors.New("concurrency max-count must be at least 1")
	case lease < time.Millisecond:
		return errors.New("concurrency lease must be at least one millisecond")
	}
	return nil
}

// QuotaWindow returns the index of the quota period containing now and the
// time left in it (-1 for a quota that never renews). Stores use it so that
// all of them cut periods the same way.
func QuotaWindow(q Quota, now time.Time) (index int64, left time.Duration) {
	i, l := q.window(now.UnixMilli())
	if l < 0 {
		return i, -1
	}
	return i, time.Duration(l) * time.Millisecond
}

// RateOf builds the Rate for used units, retry before the window ends.
// Stores use it so that all of them report the same way.
func RateOf(allowed bool, limit, used int64, retry time.Duration) Rate {
	return Rate{Allowed: allowed, Limit: limit, Used: used, Remaining: max(limit-used, 0), RetryAfter: retry}
}

// StartMillis returns the quota's period anchor in Unix milliseconds.
func (q Quota) StartMillis() int64 { return q.startMillis() }

// SubscriptionKey returns the counter key of a per-subscription limit (the
// rate-limit and quota policies). policy identifies the limit element so
// that two elements never share a counter (for example "product:starter"
// for the element in product starter's policy); api and operation are empty
// for the element itself, api is set for a nested api element and both are
// set for a nested operation element.
func SubscriptionKey(policy, subscription, api, operation string) string {
	var b strings.Builder
	b.Grow(8 + len(policy) + len(subscription) + len(api) + len(operation))
	b.WriteString("sub|")
	escapeTo(&b, policy)
	b.WriteByte('|')
	escapeTo(&b, subscription)
	b.WriteByte('|')
	escapeTo(&b, api)
	b.WriteByte('|')
	escapeTo(&b, operation)
	return b.String()
}

// ByKey returns the counter key of a by-key limit (rate-limit-by-key and
// quota-by-key): one counter per counter-key value, shared by every policy
// and scope that produces the same value.
func ByKey(counterKey string) string { return "key|" + counterKey }

// escapeTo writes s with '%' and '|' percent-encoded so that joined parts
// cannot collide.
func escapeTo(b *strings.Builder, s string) {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '%':
			b.WriteString("%25")
		case '|':
			b.WriteString("%7C")
		default:
			b.WriteByte(c)
		}
	}
}
