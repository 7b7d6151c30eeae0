package server_test

import (
	"testing"
	"time"

	"accountd/internal/auth"
	"accountd/internal/clock"
	"accountd/internal/ratelimit"
	"accountd/internal/server"
	"accountd/internal/testapi"
	"accountd/internal/testauth"
	"accountd/internal/testdb"
)

// TestPublicTokenMutationsAreRateLimited guesses tokens of the public
// mutations until the limiter refuses, which it does per client address.
func TestPublicTokenMutationsAreRateLimited(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		db := e.Open(t)
		clk := clock.NewManual(start)
		settings := testauth.Settings()
		settings.LoginLimit = ratelimit.Limit{PerMinute: 3, Burst: 3}
		c := testapi.Serve(t, server.New(db, server.Options{
			Logger: testapi.Logger(t),
			Clock:  clk,
			Auth:   auth.New(db.Client, clk, settings),
		}))
		mutations := map[string]string{
			"completePasswordReset": `mutation($t: String!) { completePasswordReset(input: {
				token: $t, newPassword: "Quiet-Lantern-Orbit-74"}) { userErrors { code } } }`,
			"confirmTwoFactorKey": `mutation($t: String!) { confirmTwoFactorKey(input: {
				token: $t, code: "123456"}) { userErrors { code } } }`,
		}
		for name, m := range mutations {
			t.Run(name, func(t *testing.T) {
				clk.Advance(time.Hour) // a full bucket for each mutation
				var last testapi.Response
				for i := range 4 {
					last = c.Do(t, m, map[string]any{"t": "guess-" + string(rune('a'+i))})
				}
				if last.ErrorCode() != "RATE_LIMITED" {
					t.Fatalf("the fourth guess was not refused: %s", last.Raw)
				}
				if _, ok := last.Errors[0].Extensions["retryAfterSeconds"]; !ok {
					t.Fatalf("no retry hint: %s", last.Raw)
				}
			})
		}
	})
}
