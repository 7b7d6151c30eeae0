// Package ratelimit throttles attempts per key (a client address, a
// username) with token buckets. The buckets live in the memory of one
// server instance: behind a load balancer each instance counts on its own.
package ratelimit

import (
	"fmt"
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"accountd/internal/clock"
)

// maxKeys bounds the buckets kept; beyond it, full (idle) buckets are
// dropped so that a flood of distinct keys cannot exhaust memory.
const maxKeys = 100_000

// Limit is a token bucket: Burst attempts at once, refilled at PerMinute.
type Limit struct {
	PerMinute int
	Burst     int
}

// Limiter holds one bucket per key and scope.
type Limiter struct {
	limit Limit
	clock clock.Clock

	mu      sync.Mutex
	buckets map[string]*rate.Limiter
}

// New returns a limiter allowing limit per key, reading the time from clk.
// A zero PerMinute disables it.
func New(limit Limit, clk clock.Clock) *Limiter {
	if limit.Burst < 1 {
		limit.Burst = max(limit.PerMinute, 1)
	}
	return &Limiter{limit: limit, clock: clk, buckets: map[string]*rate.Limiter{}}
}

// Exceeded reports an attempt over the limit and when to try again.
type Exceeded struct {
	RetryAfter time.Duration
}

// Error says that the limit is exceeded.
func (e *Exceeded) Error() string {
	return fmt.Sprintf("too many attempts; retry in %d seconds", e.RetrySeconds())
}

// RetrySeconds is RetryAfter rounded up to whole seconds, at least one.
func (e *Exceeded) RetrySeconds() int {
	return max(1, int(math.Ceil(e.RetryAfter.Seconds())))
}

// Allow takes one token from the bucket of every key and returns an
// *Exceeded error when any of them is empty; then no token is taken.
func (l *Limiter) Allow(keys ...string) error {
	if l == nil || l.limit.PerMinute <= 0 {
		return nil
	}
	now := l.clock.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	var wait time.Duration
	reservations := make([]*rate.Reservation, 0, len(keys))
	for _, key := range keys {
		r := l.bucket(key, now).ReserveN(now, 1)
		reservations = append(reservations, r)
		wait = max(wait, r.DelayFrom(now))
	}
	if wait == 0 {
		return nil
	}
	for _, r := range reservations {
		r.CancelAt(now)
	}
	return &Exceeded{RetryAfter: wait}
}

func (l *Limiter) bucket(key string, now time.Time) *rate.Limiter {
	b, ok := l.buckets[key]
	if ok {
		return b
	}
	if len(l.buckets) >= maxKeys {
		for k, old := range l.buckets {
			if old.TokensAt(now) >= float64(l.limit.Burst) {
				delete(l.buckets, k)
			}
		}
	}
	b = rate.NewLimiter(rate.Limit(float64(l.limit.PerMinute)/60), l.limit.Burst)
	l.buckets[key] = b
	return b
}
