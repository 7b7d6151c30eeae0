package server_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"accountd/ent/auditevent"
	"accountd/ent/session"
	"accountd/ent/user"
	"accountd/internal/account"
	"accountd/internal/auth"
	"accountd/internal/authz"
	"accountd/internal/clock"
	"accountd/internal/ratelimit"
	"accountd/internal/server"
	"accountd/internal/storage"
	"accountd/internal/testapi"
	"accountd/internal/testauth"
	"accountd/internal/testdb"
)

const loginMutation = `mutation($u: String!, $p: String!) {
	login(input: {username: $u, password: $p}) { token expiresAt viewer { username } userErrors { code field } }
}`

// login attempts a login and returns "ok" or the user error or error code.
func login(t *testing.T, c *testapi.Client, username, pw string) string {
	t.Helper()
	res := c.Do(t, loginMutation, map[string]any{"u": username, "p": pw})
	if len(res.Errors) > 0 {
		return res.ErrorCode()
	}
	var data struct {
		Login struct {
			Token      *string
			UserErrors []struct{ Code string }
		}
	}
	res.MustData(t, &data)
	if len(data.Login.UserErrors) > 0 {
		return data.Login.UserErrors[0].Code
	}
	if data.Login.Token == nil {
		t.Fatalf("login without user errors returned no token: %s", res.Raw)
	}
	return "ok"
}

func status(t *testing.T, db *storage.DB, username string) (account.Status, *time.Time) {
	t.Helper()
	u, err := db.Client.User.Query().Where(user.Username(username)).Only(authz.SystemContext(context.Background()))
	if err != nil {
		t.Fatal(err)
	}
	return u.Status, u.LockedUntil
}

func TestLockout(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		db := e.Open(t)
		clk := clock.NewManual(start)
		c := testapi.Serve(t, testauth.Handler(t, db, clk))
		u := testauth.CreateUser(t, db, testauth.UserSpec{Username: "locky"})
		fail := func(n int) {
			t.Helper()
			for range n {
				if got := login(t, c, "locky", "Wrong-Password-000"); got != "INVALID_CREDENTIALS" {
					t.Fatalf("wrong password = %s, want INVALID_CREDENTIALS", got)
				}
			}
		}
		expect := func(want account.Status) {
			t.Helper()
			if got, _ := status(t, db, "locky"); got != want {
				t.Fatalf("status = %s, want %s", got, want)
			}
		}
		lockout := 15 * time.Minute

		fail(4)
		expect(account.StatusActive)
		fail(1)
		expect(account.StatusLockedTemporarily)
		if _, until := status(t, db, "locky"); until == nil || !until.Equal(clk.Now().Add(lockout)) {
			t.Fatalf("lockedUntil = %v, want %v", until, clk.Now().Add(lockout))
		}
		if got := login(t, c, "locky", testauth.Password); got != "INVALID_CREDENTIALS" {
			t.Fatalf("right password while locked = %s, want INVALID_CREDENTIALS", got)
		}
		clk.Advance(lockout - time.Second)
		if got := login(t, c, "locky", testauth.Password); got != "INVALID_CREDENTIALS" {
			t.Fatalf("right password a second before lockedUntil = %s", got)
		}
		clk.Advance(time.Second)
		if got := login(t, c, "locky", testauth.Password); got != "ok" {
			t.Fatalf("right password at lockedUntil = %s, want ok", got)
		}
		expect(account.StatusActive)

		// Three lockouts in a row, each after the previous one passed,
		// lock the account for good.
		fail(5)
		expect(account.StatusLockedTemporarily)
		clk.Advance(lockout)
		fail(5)
		expect(account.StatusLockedTemporarily)
		clk.Advance(lockout)
		fail(5)
		expect(account.StatusLocked)
		clk.Advance(24 * time.Hour)
		if got := login(t, c, "locky", testauth.Password); got != "INVALID_CREDENTIALS" {
			t.Fatalf("right password when LOCKED = %s", got)
		}
		expect(account.StatusLocked)

		// lock, unlock; then lock, unlock, lock, unlock, lock for good.
		events, err := db.Client.AuditEvent.Query().
			Where(auditevent.TargetID(u.ID), auditevent.Action("user.status_changed")).
			Order(auditevent.ByID()).
			All(authz.SystemContext(context.Background()))
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, ev := range events {
			if ev.ActorName != authz.SystemName {
				t.Fatalf("event %d has actor %q, want system", ev.ID, ev.ActorName)
			}
			if ev.OccurredAt.Before(start) || ev.OccurredAt.After(clk.Now()) {
				t.Fatalf("event %d occurred at %v, outside the injected clock's %v to %v",
					ev.ID, ev.OccurredAt, start, clk.Now())
			}
			got = append(got, ev.Changes["status"].After.(string))
		}
		want := "LOCKED_TEMPORARILY ACTIVE LOCKED_TEMPORARILY ACTIVE LOCKED_TEMPORARILY ACTIVE LOCKED"
		if strings.Join(got, " ") != want {
			t.Fatalf("status events = %v, want %s", got, want)
		}
	})
}

// TestLockoutSparesTheLastAdministrator checks that failed logins lock the
// last active administrator only for lockoutDuration at a time, however
// many lockouts follow, and lock it for good once another administrator is
// active.
func TestLockoutSparesTheLastAdministrator(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		db := e.Open(t)
		clk := clock.NewManual(start)
		c := testapi.Serve(t, testauth.Handler(t, db, clk))
		testauth.CreateUser(t, db, testauth.UserSpec{Username: "boss", Administrator: true})
		lockout := 15 * time.Minute
		lockTimes := func(n int) {
			t.Helper()
			for range n {
				for range 5 {
					if got := login(t, c, "boss", "Wrong-Password-000"); got != "INVALID_CREDENTIALS" {
						t.Fatalf("wrong password = %s", got)
					}
				}
				clk.Advance(lockout)
			}
		}
		lockTimes(4)
		got, until := status(t, db, "boss")
		if got != account.StatusLockedTemporarily || until == nil || !until.Equal(clk.Now()) {
			t.Fatalf("last administrator after 4 lockouts: %s until %v", got, until)
		}
		if got := login(t, c, "boss", testauth.Password); got != "ok" {
			t.Fatalf("last administrator after its lockout passed: %s, want ok", got)
		}

		testauth.CreateUser(t, db, testauth.UserSpec{Username: "deputy", Administrator: true})
		lockTimes(3)
		if got, _ := status(t, db, "boss"); got != account.StatusLocked {
			t.Fatalf("with another administrator, 3 lockouts leave %s, want LOCKED", got)
		}
	})
}

func TestLoginBadInput(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		db := e.Open(t)
		clk := clock.NewManual(start)
		c := testapi.Serve(t, testauth.Handler(t, db, clk))
		testauth.CreateUser(t, db, testauth.UserSpec{Username: "someone"})
		inactive := testauth.CreateUser(t, db, testauth.UserSpec{Username: "gone"})
		ctx := authz.SystemContext(context.Background())
		if err := db.Client.User.UpdateOneID(inactive.ID).SetStatus(account.StatusInactive).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		big := strings.Repeat("x", 10<<10)
		tests := []struct {
			name, username, password string
		}{
			{"empty username", "", testauth.Password},
			{"empty password", "someone", ""},
			{"10 KB username", big, testauth.Password},
			{"10 KB password", "someone", big},
			{"unknown user", "nobody", testauth.Password},
			{"wrong password", "someone", "Wrong-Password-000"},
			{"inactive user", "gone", testauth.Password},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				if got := login(t, c, tc.username, tc.password); got != "INVALID_CREDENTIALS" {
					t.Fatalf("login = %s, want INVALID_CREDENTIALS", got)
				}
			})
		}
		if n, err := db.Client.Session.Query().Count(ctx); err != nil || n != 0 {
			t.Fatalf("sessions after failed logins = %d, %v; want 0", n, err)
		}
		if got := login(t, c, "SomeOne", testauth.Password); got != "ok" {
			t.Fatalf("login ignoring the case of the username = %s", got)
		}
		s, err := db.Client.Session.Query().Only(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(s.TokenHash) != 32 {
			t.Fatalf("stored token hash has %d bytes, want a SHA-256", len(s.TokenHash))
		}
	})
}

func TestTokens(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		db := e.Open(t)
		clk := clock.NewManual(start)
		c := testapi.Serve(t, testauth.Handler(t, db, clk))
		testauth.CreateUser(t, db, testauth.UserSpec{Username: "someone"})
		viewer := func(c *testapi.Client) string {
			t.Helper()
			return outcome(c.Do(t, `{ viewer { username } }`, nil))
		}
		header := func(value string) string {
			t.Helper()
			req, err := http.NewRequest(http.MethodPost, c.URL+"/graphql",
				strings.NewReader(`{"query":"{ viewer { username } }"}`))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", value)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			var buf strings.Builder
			_, _ = io.Copy(&buf, res.Body)
			return buf.String()
		}
		token := testauth.Token(t, c, "someone", testauth.Password)

		formats := []struct{ name, header string }{
			{"basic scheme", "Basic c29tZW9uZTpwdw=="},
			{"no token", "Bearer"},
			{"short token", "Bearer abc"},
			{"wrong prefix", "Bearer xyz_" + token[4:]},
			{"not base64", "Bearer " + token[:len(token)-1] + "*"},
			{"unknown token", "Bearer acd_" + strings.Repeat("A", len(token)-4)},
			{"10 KB token", "Bearer " + strings.Repeat("a", 10<<10)},
		}
		for _, f := range formats {
			t.Run(f.name, func(t *testing.T) {
				if body := header(f.header); !strings.Contains(body, `"code":"UNAUTHENTICATED"`) {
					t.Fatalf("Authorization %.40q gave %s", f.header, body)
				}
			})
		}
		// A stale or bad token does not stop a public operation.
		if got := login(t, c.WithToken("abc"), "someone", testauth.Password); got != "ok" {
			t.Fatalf("login with a bad token in the header = %s, want ok", got)
		}

		t.Run("idle timeout", func(t *testing.T) {
			s := c.WithToken(testauth.Token(t, c, "someone", testauth.Password))
			clk.Advance(29 * time.Minute)
			if got := viewer(s); got != "ok" {
				t.Fatalf("after 29 idle minutes = %s", got)
			}
			clk.Advance(29 * time.Minute)
			if got := viewer(s); got != "ok" {
				t.Fatalf("29 minutes after the last use = %s", got)
			}
			clk.Advance(30 * time.Minute)
			if got := viewer(s); got != "UNAUTHENTICATED" {
				t.Fatalf("30 idle minutes = %s, want UNAUTHENTICATED", got)
			}
		})
		t.Run("absolute timeout", func(t *testing.T) {
			s := c.WithToken(testauth.Token(t, c, "someone", testauth.Password))
			for elapsed := time.Duration(0); elapsed < 12*time.Hour-20*time.Minute; elapsed += 20 * time.Minute {
				clk.Advance(20 * time.Minute)
				if got := viewer(s); got != "ok" {
					t.Fatalf("after %s of use = %s", elapsed, got)
				}
			}
			clk.Advance(20 * time.Minute)
			if got := viewer(s); got != "UNAUTHENTICATED" {
				t.Fatalf("after 12 hours = %s, want UNAUTHENTICATED", got)
			}
		})
		t.Run("revoked", func(t *testing.T) {
			s := c.WithToken(testauth.Token(t, c, "someone", testauth.Password))
			if got := outcome(s.Do(t, `mutation { logout { loggedOut } }`, nil)); got != "ok" {
				t.Fatalf("logout = %s", got)
			}
			if got := viewer(s); got != "UNAUTHENTICATED" {
				t.Fatalf("after logout = %s, want UNAUTHENTICATED", got)
			}
			n, err := db.Client.Session.Query().Where(session.RevokedAtNotNil()).Count(context.Background())
			if err != nil || n != 1 {
				t.Fatalf("revoked sessions = %d, %v; want 1", n, err)
			}
		})
	})
}

func TestLoginRateLimit(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		db := e.Open(t)
		clk := clock.NewManual(start)
		settings := testauth.Settings()
		settings.LoginLimit = ratelimit.Limit{PerMinute: 2, Burst: 2}
		c := testapi.Serve(t, server.New(db, server.Options{
			Logger: testapi.Logger(t), Clock: clk, Auth: auth.New(db.Client, clk, settings),
		}))
		testauth.CreateUser(t, db, testauth.UserSpec{Username: "someone"})
		for range 2 {
			if got := login(t, c, "someone", "Wrong-Password-000"); got != "INVALID_CREDENTIALS" {
				t.Fatalf("login = %s", got)
			}
		}
		res := c.Do(t, loginMutation, map[string]any{"u": "someone", "p": testauth.Password})
		if got := res.ErrorCode(); got != "RATE_LIMITED" {
			t.Fatalf("third login in a second = %s, want RATE_LIMITED", res.Raw)
		}
		if retry, _ := res.Errors[0].Extensions["retryAfterSeconds"].(float64); retry != 30 {
			t.Fatalf("retryAfterSeconds = %v, want 30", res.Errors[0].Extensions["retryAfterSeconds"])
		}
		clk.Advance(30 * time.Second)
		if got := login(t, c, "someone", testauth.Password); got != "ok" {
			t.Fatalf("login after the retry hint = %s", got)
		}
	})
}

func TestLoginViewer(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		db := e.Open(t)
		c := testapi.Serve(t, testauth.Handler(t, db, clock.NewManual(start)))
		org := organization(t, db, "A")
		testauth.CreateUser(t, db, testauth.UserSpec{Username: "someone",
			Permissions: []authz.Permission{authz.UsersRead}, OrganizationIDs: []int{org.ID}})
		res := c.Do(t, `mutation { login(input: {username: "someone", password: "`+testauth.Password+`"}) {
			viewer { username
				roles: roleAssignments { role { name } user { username } }
				organizations { code } } } }`, nil)
		want := `{"login":{"viewer":{"username":"someone",` +
			`"roles":[{"role":{"name":"someone role"},"user":{"username":"someone"}}],` +
			`"organizations":[{"code":"A"}]}}}`
		if len(res.Errors) > 0 || string(res.Data) != want {
			t.Fatalf("login viewer = %s, want data %s", res.Raw, want)
		}
	})
}
