package server_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"accountd/ent/auditevent"
	"accountd/ent/user"
	"accountd/internal/authz"
	"accountd/internal/clock"
	"accountd/internal/testapi"
	"accountd/internal/testauth"
	"accountd/internal/testdb"
)

const changePassword = `mutation($c: String!, $n: String!) {
	changePassword(input: {currentPassword: $c, newPassword: $n}) {
		viewer { username mustChangePassword } userErrors { code field }
	}
}`

// change changes the password and returns the user error codes, or "ok".
func change(t *testing.T, c *testapi.Client, current, next string) string {
	t.Helper()
	var data struct {
		ChangePassword struct {
			UserErrors []struct {
				Code  string
				Field []string
			}
		}
	}
	c.Do(t, changePassword, map[string]any{"c": current, "n": next}).MustData(t, &data)
	var codes []string
	for _, e := range data.ChangePassword.UserErrors {
		codes = append(codes, e.Code)
	}
	if len(codes) == 0 {
		return "ok"
	}
	return strings.Join(codes, " ")
}

func TestChangePassword(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		db := e.Open(t)
		clk := clock.NewManual(start)
		c := testapi.Serve(t, testauth.Handler(t, db, clk))
		u := testauth.CreateUser(t, db, testauth.UserSpec{Username: "maria.keller",
			Permissions: []authz.Permission{authz.UsersRead}, MustChangePassword: true})
		other := testauth.Login(t, c, "maria.keller")
		s := testauth.Login(t, c, "maria.keller")

		// Until the password is changed, only changePassword, logout and
		// viewer are open.
		if got := outcome(s.Do(t, `{ users { totalCount } }`, nil)); got != "FORBIDDEN" {
			t.Fatalf("users before the password change = %s, want FORBIDDEN", got)
		}
		if got := outcome(s.Do(t, `{ viewer { mustChangePassword } }`, nil)); got != "ok" {
			t.Fatalf("viewer before the password change = %s, want ok", got)
		}

		rules := []struct{ name, pw, want string }{
			{"wrong current password", "", "INVALID_CREDENTIALS"},
			{"too short", "Qx7!vBz", "TOO_SHORT TOO_WEAK"},
			{"too long", "Quiet-Lantern-Orbit-73-" + strings.Repeat("z", 30), "TOO_LONG"},
			{"no letter", "1234-5678-9012-3456!", "MISSING_LETTER MISSING_MIXED_CASE"},
			{"no digit", "Quiet-Lantern-Orbit-Zebra", "MISSING_DIGIT"},
			{"no symbol", "QuietLanternOrbit73", "MISSING_SYMBOL"},
			{"no mixed case", "quiet-harbour-orbit-73", "MISSING_MIXED_CASE"},
			{"contains the username", "Maria.Keller-Orbit-73!", "CONTAINS_USERNAME"},
			{"common", "Password@1234", "COMMON_PASSWORD"},
			{"guessable", "Aaaaaaaaaaa1!", "TOO_WEAK"},
			{"current password", testauth.Password, "RECENTLY_USED"},
		}
		for _, r := range rules {
			t.Run(r.name, func(t *testing.T) {
				current := testauth.Password
				pw := r.pw
				if r.name == "wrong current password" {
					current, pw = "Wrong-Password-000", "Brisk-Harbour-Violet-58"
				}
				if got := change(t, s, current, pw); got != r.want {
					t.Fatalf("change to %q = %s, want %s", pw, got, r.want)
				}
			})
		}
		if n, err := db.Client.AuditEvent.Query().Where(auditevent.Action("user.password_changed")).
			Count(context.Background()); err != nil || n != 0 {
			t.Fatalf("refused changes wrote %d events (%v)", n, err)
		}

		if got := change(t, s, testauth.Password, "Brisk-Harbour-Violet-58"); got != "ok" {
			t.Fatalf("acceptable change = %s", got)
		}
		if got := outcome(s.Do(t, `{ users { totalCount } }`, nil)); got != "ok" {
			t.Fatalf("users after the password change = %s, want ok", got)
		}
		if got := outcome(other.Do(t, `{ viewer { username } }`, nil)); got != "UNAUTHENTICATED" {
			t.Fatalf("other session after the change = %s, want UNAUTHENTICATED", got)
		}
		got, err := db.Client.User.Query().Where(user.ID(u.ID)).Only(authz.SystemContext(context.Background()))
		if err != nil {
			t.Fatal(err)
		}
		if got.MustChangePassword || got.PasswordChangedAt == nil || !got.PasswordChangedAt.Equal(start) {
			t.Fatalf("after the change mustChangePassword = %v, passwordChangedAt = %v",
				got.MustChangePassword, got.PasswordChangedAt)
		}

		// The last five passwords may not come back; the sixth may.
		history := []string{testauth.Password, "Brisk-Harbour-Violet-58"}
		for i, pw := range []string{"Amber-Canyon-Pilot-41", "Cobalt-Meadow-Tiger-29",
			"Dusty-Falcon-Ember-67", "Gentle-Quarry-Sonic-85"} {
			if got := change(t, s, history[len(history)-1], pw); got != "ok" {
				t.Fatalf("change %d = %s", i, got)
			}
			history = append(history, pw)
		}
		current := history[len(history)-1]
		for _, old := range history[len(history)-5:] {
			if got := change(t, s, current, old); got != "RECENTLY_USED" {
				t.Fatalf("reusing %q = %s, want RECENTLY_USED", old, got)
			}
		}
		if got := change(t, s, current, history[0]); got != "ok" {
			t.Fatalf("reusing the sixth password back = %s, want ok", got)
		}
	})
}

func TestReauthenticate(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		db := e.Open(t)
		clk := clock.NewManual(start)
		c := testapi.Serve(t, testauth.Handler(t, db, clk))
		testauth.CreateUser(t, db, testauth.UserSpec{Username: "someone"})
		s := testauth.Login(t, c, "someone")
		clk.Advance(20 * time.Minute)
		query := `mutation($p: String!) { reauthenticate(input: {password: $p}) {
			authenticatedAt userErrors { code } } }`
		var data struct {
			Reauthenticate struct {
				AuthenticatedAt *time.Time
				UserErrors      []struct{ Code string }
			}
		}
		s.Do(t, query, map[string]any{"p": "Wrong-Password-000"}).MustData(t, &data)
		if data.Reauthenticate.AuthenticatedAt != nil || len(data.Reauthenticate.UserErrors) != 1 ||
			data.Reauthenticate.UserErrors[0].Code != "INVALID_CREDENTIALS" {
			t.Fatalf("wrong password: %+v", data.Reauthenticate)
		}
		s.Do(t, query, map[string]any{"p": testauth.Password}).MustData(t, &data)
		if at := data.Reauthenticate.AuthenticatedAt; at == nil || !at.Equal(clk.Now()) {
			t.Fatalf("authenticatedAt = %v, want %v", at, clk.Now())
		}
	})
}
