package ratelimit

import (
	"errors"
	"testing"
	"time"

	"accountd/internal/clock"
)

func TestLimiter(t *testing.T) {
	clk := clock.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	l := New(Limit{PerMinute: 6, Burst: 2}, clk)
	steps := []struct {
		name    string
		advance time.Duration
		keys    []string
		allowed bool
	}{
		{"first", 0, []string{"ip:a", "user:x"}, true},
		{"second", 0, []string{"ip:a", "user:x"}, true},
		{"third is over the burst", 0, []string{"ip:a", "user:x"}, false},
		{"another address, same user", 0, []string{"ip:b", "user:x"}, false},
		{"another user, another address", 0, []string{"ip:b", "user:y"}, true},
		{"one token after ten seconds", 10 * time.Second, []string{"ip:a", "user:x"}, true},
		{"then empty again", 0, []string{"ip:a", "user:x"}, false},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			clk.Advance(s.advance)
			err := l.Allow(s.keys...)
			if got := err == nil; got != s.allowed {
				t.Fatalf("Allow(%v) = %v, want allowed %v", s.keys, err, s.allowed)
			}
			var ex *Exceeded
			if err != nil && (!errors.As(err, &ex) || ex.RetrySeconds() < 1) {
				t.Fatalf("error %v carries no retry hint", err)
			}
		})
	}
}

func TestLimiterDisabled(t *testing.T) {
	l := New(Limit{}, clock.System{})
	for range 100 {
		if err := l.Allow("k"); err != nil {
			t.Fatalf("a disabled limiter refused: %v", err)
		}
	}
}
