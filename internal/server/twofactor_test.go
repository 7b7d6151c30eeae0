package server_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"log/slog"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"accountd/ent"
	"accountd/ent/outboxmessage"
	"accountd/ent/twofactorkey"
	"accountd/graph/scalar"
	"accountd/internal/account"
	"accountd/internal/admin"
	"accountd/internal/auth"
	"accountd/internal/authz"
	"accountd/internal/clock"
	"accountd/internal/password"
	"accountd/internal/server"
	"accountd/internal/storage"
	"accountd/internal/testapi"
	"accountd/internal/testauth"
	"accountd/internal/testdb"
	"accountd/internal/testqr"
	"accountd/internal/twofactor"
)

// logBuffer collects the server's log lines, for the check that no secret
// is ever logged.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// tfEnv is a server with a manual clock, a known server key, captured logs
// and a logged-in administrator.
type tfEnv struct {
	db     *storage.DB
	clk    *clock.Manual
	sealer *twofactor.Sealer
	logs   *logBuffer
	api    *testapi.Client
	anon   *testapi.Client
	// enabled and disabled are form spaces whose security managers have
	// two factors enabled and disabled.
	enabled, disabled int
}

func newTFEnv(t *testing.T, e testdb.Engine) *tfEnv {
	t.Helper()
	env := &tfEnv{db: e.Open(t), logs: &logBuffer{},
		clk: clock.NewManual(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))}
	key := make([]byte, twofactor.KeySize)
	if _, err := rand.Read(key); err != nil {
		t.Fatal(err)
	}
	var err error
	if env.sealer, err = twofactor.NewSealer(key); err != nil {
		t.Fatal(err)
	}
	settings := testauth.Settings()
	settings.Sealer = env.sealer
	logger := slog.New(slog.NewTextHandler(io.MultiWriter(env.logs, testWriter{t}),
		&slog.HandlerOptions{Level: slog.LevelDebug}))
	h := server.New(env.db, server.Options{
		Logger:     logger,
		Clock:      env.clk,
		Auth:       auth.New(env.db.Client, env.clk, settings),
		PublicURL:  "https://accounts.example.com",
		TOTPIssuer: "Example Accounts",
		AdminOptions: []admin.Option{admin.WithPasswordParams(password.Params{
			Memory: 64, Iterations: 1, Parallelism: 1, SaltLen: 16, KeyLen: 32})},
	})
	env.api = testauth.AdminClient(t, env.db, h)
	env.anon = env.api.WithToken("")

	ctx := authz.SystemContext(context.Background())
	c := env.db.Client
	on := c.SecurityManager.Create().SetName("with 2FA").SetTwoFactorEnabled(true).SaveX(ctx)
	off := c.SecurityManager.Create().SetName("without 2FA").SaveX(ctx)
	env.enabled = c.FormSpace.Create().SetCode("fs-2fa").SetName("2FA forms").
		SetSecurityManagerID(on.ID).SaveX(ctx).ID
	env.disabled = c.FormSpace.Create().SetCode("fs-plain").SetName("Plain forms").
		SetSecurityManagerID(off.ID).SaveX(ctx).ID
	return env
}

// testWriter passes log lines to the test's log.
type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// eligibleUser creates a user who may get a key, with the test password.
func (env *tfEnv) eligibleUser(t *testing.T, name string) *ent.User {
	t.Helper()
	u := testauth.CreateUser(t, env.db, testauth.UserSpec{Username: name})
	return env.db.Client.User.UpdateOne(u).SetTwoFactorRequired(true).
		AddFormSpaceIDs(env.enabled).SaveX(authz.SystemContext(context.Background()))
}

const twoFactorFields = `twoFactor { state canCreateKey canResetKey unavailableReason createdAt confirmedAt }`

type twoFactorView struct {
	State             string
	CanCreateKey      bool
	CanResetKey       bool
	UnavailableReason *string
	CreatedAt         *string
	ConfirmedAt       *string
}

type tfPayload struct {
	User *struct {
		Username  string
		TwoFactor twoFactorView
	}
	UserErrors []struct {
		Field   []string
		Code    string
		Message string
	}
}

func (p tfPayload) codes() string {
	var codes []string
	for _, e := range p.UserErrors {
		codes = append(codes, strings.Join(e.Field, ".")+":"+e.Code)
	}
	return strings.Join(codes, ",")
}

// keyMutation runs createTwoFactorKey or resetTwoFactorKey for u.
func (env *tfEnv) keyMutation(t *testing.T, c *testapi.Client, name string, userID int) tfPayload {
	t.Helper()
	var out map[string]tfPayload
	c.Do(t, `mutation($input: TwoFactorKeyInput!) { `+name+`(input: $input) {
		user { username `+twoFactorFields+` } userErrors { field code message } } }`,
		map[string]any{"input": map[string]any{"userId": scalar.EncodeID(userID)}}).MustData(t, &out)
	return out[name]
}

func (env *tfEnv) confirm(t *testing.T, token, code string) tfPayload {
	t.Helper()
	var out struct{ ConfirmTwoFactorKey tfPayload }
	env.anon.Do(t, `mutation($input: ConfirmTwoFactorKeyInput!) { confirmTwoFactorKey(input: $input) {
		user { username `+twoFactorFields+` } userErrors { field code message } } }`,
		map[string]any{"input": map[string]any{"token": token, "code": code}}).MustData(t, &out)
	return out.ConfirmTwoFactorKey
}

// login logs in with the test password and code, and returns the codes of
// the user errors, empty on success.
func (env *tfEnv) login(t *testing.T, username, code string) string {
	t.Helper()
	input := map[string]any{"username": username, "password": testauth.Password}
	if code != "" {
		input["otpCode"] = code
	}
	var out struct {
		Login struct {
			Token      *string
			UserErrors []struct{ Code string }
		}
	}
	env.anon.Do(t, `mutation($input: LoginInput!) { login(input: $input) { token userErrors { code } } }`,
		map[string]any{"input": input}).MustData(t, &out)
	if out.Login.Token != nil {
		return ""
	}
	var codes []string
	for _, e := range out.Login.UserErrors {
		codes = append(codes, e.Code)
	}
	return strings.Join(codes, ",")
}

// enrolmentEmail is what the test reads from a queued enrolment email.
type enrolmentEmail struct {
	URI, Link, Token, Secret string
	Message                  *ent.OutboxMessage
}

var (
	uriPattern  = regexp.MustCompile(`otpauth://\S+`)
	linkPattern = regexp.MustCompile(`https://accounts\.example\.com/2fa/confirm\?token=\S+`)
)

// latestEmail reads the newest enrolment email to u, checks that both QR
// codes hold the URI of its text, and takes the secret from the URI as an
// authenticator app would.
func (env *tfEnv) latestEmail(t *testing.T, u *ent.User) enrolmentEmail {
	t.Helper()
	m, err := env.db.Client.OutboxMessage.Query().
		Where(outboxmessage.Kind("two_factor_enrolment"), outboxmessage.Recipient(u.Email)).
		Order(ent.Desc(outboxmessage.FieldID)).First(authz.SystemContext(context.Background()))
	if err != nil {
		t.Fatalf("no enrolment email to %s: %v", u.Email, err)
	}
	mail := enrolmentEmail{Message: m, URI: uriPattern.FindString(m.BodyText),
		Link: linkPattern.FindString(m.BodyText)}
	if mail.URI == "" || mail.Link == "" {
		t.Fatalf("the email text lacks the URI or the link:\n%s", m.BodyText)
	}
	if !strings.Contains(m.BodyHTML, "cid:"+twofactor.QRContentID) {
		t.Fatal("the HTML part does not show the inline QR code")
	}
	if got := len(m.Attachments); got != 2 {
		t.Fatalf("got %d attachments, want the inline and the attached QR code", got)
	}
	for _, a := range m.Attachments {
		if got := decodeQR(t, a.Data); got != mail.URI {
			t.Fatalf("QR code %s holds %q, the text says %q", a.Filename, got, mail.URI)
		}
	}
	uri, err := url.Parse(mail.URI)
	if err != nil {
		t.Fatal(err)
	}
	mail.Secret = uri.Query().Get("secret")
	if uri.Query().Get("issuer") != "Example Accounts" || mail.Secret == "" {
		t.Fatalf("URI %q lacks the issuer or the secret", mail.URI)
	}
	link, err := url.Parse(mail.Link)
	if err != nil {
		t.Fatal(err)
	}
	mail.Token = link.Query().Get("token")
	return mail
}

func decodeQR(t testing.TB, data []byte) string {
	t.Helper()
	return testqr.Decode(t, data)
}

func code(t testing.TB, secret string, at time.Time) string {
	t.Helper()
	c, err := twofactor.Code(secret, at)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestTwoFactorEligibility(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		env := newTFEnv(t, e)
		ctx := authz.SystemContext(context.Background())
		c := env.db.Client
		mk := func(name string) *ent.UserUpdateOne {
			return c.User.UpdateOne(env.eligibleUser(t, name))
		}
		mk("not-required").SetTwoFactorRequired(false).ExecX(ctx)
		noEmail := env.eligibleUser(t, "no-email")
		// The schema validates email addresses, so the empty one is
		// written as the data an import could leave.
		if _, err := env.db.SQL.ExecContext(ctx, `UPDATE users SET email = '' WHERE id = $1`, noEmail.ID); err != nil {
			t.Fatal(err)
		}
		mk("inactive").SetStatus(account.StatusInactive).ExecX(ctx)
		mk("rejected").SetStatus(account.StatusRejected).ExecX(ctx)
		mk("plain-space").ClearFormSpaces().AddFormSpaceIDs(env.disabled).ExecX(ctx)
		mk("no-space").ClearFormSpaces().ExecX(ctx)
		mk("locked").SetStatus(account.StatusLocked).ExecX(ctx)
		env.eligibleUser(t, "eligible")
		pending := env.eligibleUser(t, "pending")
		configured := env.eligibleUser(t, "configured")
		for _, u := range []*ent.User{pending, configured} {
			if p := env.keyMutation(t, env.api, "createTwoFactorKey", u.ID); len(p.UserErrors) > 0 {
				t.Fatalf("creating the key of %s: %s", u.Username, p.codes())
			}
		}
		c.TwoFactorKey.Update().Where(twofactorkey.UserID(configured.ID)).
			SetState(twofactorkey.StateCONFIGURED).SetConfirmedAt(env.clk.Now()).ExecX(ctx)

		var page struct {
			Users struct {
				Edges []struct {
					Node struct {
						Username  string
						TwoFactor twoFactorView
					}
				}
			}
		}
		env.api.Do(t, `{ users(first: 100) { edges { node { username `+twoFactorFields+` } } } }`, nil).
			MustData(t, &page)
		got := map[string]twoFactorView{}
		for _, edge := range page.Users.Edges {
			got[edge.Node.Username] = edge.Node.TwoFactor
		}
		tests := []struct {
			user, state, reason string
			canCreate, canReset bool
		}{
			{"not-required", "NOT_CONFIGURED", "TWO_FACTOR_NOT_REQUIRED", false, false},
			{"no-email", "NOT_CONFIGURED", "NO_EMAIL", false, false},
			{"inactive", "NOT_CONFIGURED", "ACCOUNT_INACTIVE", false, false},
			{"rejected", "NOT_CONFIGURED", "ACCOUNT_INACTIVE", false, false},
			{"plain-space", "NOT_CONFIGURED", "NO_TWO_FACTOR_FORM_SPACE", false, false},
			{"no-space", "NOT_CONFIGURED", "NO_TWO_FACTOR_FORM_SPACE", false, false},
			{"locked", "NOT_CONFIGURED", "", true, false},
			{"eligible", "NOT_CONFIGURED", "", true, false},
			{"pending", "PENDING_CONFIRMATION", "", true, true},
			{"configured", "CONFIGURED", "ALREADY_CONFIGURED", false, true},
		}
		for _, tt := range tests {
			t.Run(tt.user, func(t *testing.T) {
				v, ok := got[tt.user]
				if !ok {
					t.Fatalf("%s is not on the page", tt.user)
				}
				reason := ""
				if v.UnavailableReason != nil {
					reason = *v.UnavailableReason
				}
				if v.State != tt.state || reason != tt.reason || v.CanCreateKey != tt.canCreate ||
					v.CanResetKey != tt.canReset {
					t.Fatalf("twoFactor = %+v (reason %q), want state %s reason %q create %v reset %v",
						v, reason, tt.state, tt.reason, tt.canCreate, tt.canReset)
				}
				if (v.CreatedAt != nil) != (tt.state != "NOT_CONFIGURED") ||
					(v.ConfirmedAt != nil) != (tt.state == "CONFIGURED") {
					t.Fatalf("dates %v %v do not fit state %s", v.CreatedAt, v.ConfirmedAt, tt.state)
				}
			})
		}

		// A key is refused for every user who misses a condition, and
		// nothing is written.
		for _, name := range []string{"not-required", "no-email", "inactive", "plain-space", "no-space", "configured"} {
			t.Run("create for "+name, func(t *testing.T) {
				u := c.User.Query().Where().AllX(ctx)
				var id int
				for _, x := range u {
					if x.Username == name {
						id = x.ID
					}
				}
				p := env.keyMutation(t, env.api, "createTwoFactorKey", id)
				if got := p.codes(); got != "input.userId:TWO_FACTOR_UNAVAILABLE" || p.User != nil {
					t.Fatalf("got %s, want TWO_FACTOR_UNAVAILABLE", got)
				}
			})
		}
		if n := c.OutboxMessage.Query().CountX(ctx); n != 2 {
			t.Fatalf("%d emails queued, want the 2 of the accepted keys", n)
		}
		if p := env.keyMutation(t, env.api, "resetTwoFactorKey", c.User.Query().AllX(ctx)[0].ID); p.codes() != "input.userId:TWO_FACTOR_UNAVAILABLE" {
			t.Fatalf("reset without a key: got %s", p.codes())
		}
	})
}

func TestTwoFactorEndToEnd(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		env := newTFEnv(t, e)
		ctx := authz.SystemContext(context.Background())
		alice := env.eligibleUser(t, "alice")

		created := env.keyMutation(t, env.api, "createTwoFactorKey", alice.ID)
		if len(created.UserErrors) > 0 || created.User.TwoFactor.State != "PENDING_CONFIRMATION" ||
			!created.User.TwoFactor.CanResetKey {
			t.Fatalf("createTwoFactorKey = %+v", created)
		}
		mail := env.latestEmail(t, alice)

		// The stored secret is sealed: not the secret, and only the
		// server key opens it.
		stored := env.db.Client.TwoFactorKey.Query().Where(twofactorkey.UserID(alice.ID)).OnlyX(ctx)
		if bytes.Contains(stored.SecretCiphertext, []byte(mail.Secret)) {
			t.Fatal("the stored secret holds the plain secret")
		}
		if plain, err := env.sealer.Open(stored.SecretCiphertext); err != nil || string(plain) != mail.Secret {
			t.Fatalf("the server key opens %q (%v), want the emailed secret", plain, err)
		}

		// A PENDING key does not block login.
		if got := env.login(t, "alice", ""); got != "" {
			t.Fatalf("login with a pending key failed: %s", got)
		}

		// Confirm with the code the app shows.
		first := code(t, mail.Secret, env.clk.Now())
		confirmed := env.confirm(t, mail.Token, first)
		if len(confirmed.UserErrors) > 0 || confirmed.User.TwoFactor.State != "CONFIGURED" ||
			confirmed.User.TwoFactor.ConfirmedAt == nil {
			t.Fatalf("confirmTwoFactorKey = %+v", confirmed)
		}
		if again := env.confirm(t, mail.Token, first); again.codes() != "input.token:INVALID_TOKEN" {
			t.Fatalf("a used token gave %s", again.codes())
		}

		// Login now needs a valid, unused code.
		tests := []struct {
			name, code, want string
		}{
			{"without a code", "", "INVALID_CREDENTIALS"},
			{"with the code used to confirm", first, "INVALID_CREDENTIALS"},
			{"with a wrong code", "000000", "INVALID_CREDENTIALS"},
			{"with letters", "12a456", "INVALID_CREDENTIALS"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if tt.code == "000000" && tt.code == code(t, mail.Secret, env.clk.Now()) {
					t.Skip("the wrong code happens to be right")
				}
				if got := env.login(t, "alice", tt.code); got != tt.want {
					t.Fatalf("login gave %q, want %q", got, tt.want)
				}
			})
		}
		env.clk.Advance(twofactor.Period)
		next := code(t, mail.Secret, env.clk.Now())
		if got := env.login(t, "alice", next); got != "" {
			t.Fatalf("login with a fresh code failed: %s", got)
		}
		if got := env.login(t, "alice", next); got != "INVALID_CREDENTIALS" {
			t.Fatalf("a replayed code gave %q", got)
		}
		// The wrong codes counted as failed logins; the good one reset
		// the count.
		if u := env.db.Client.User.GetX(ctx, alice.ID); u.FailedLoginAttempts != 1 {
			t.Fatalf("failedLoginAttempts = %d, want 1 (the replay)", u.FailedLoginAttempts)
		}

		// Reset replaces the key: the old secret no longer works.
		reset := env.keyMutation(t, env.api, "resetTwoFactorKey", alice.ID)
		if len(reset.UserErrors) > 0 || reset.User.TwoFactor.State != "PENDING_CONFIRMATION" {
			t.Fatalf("resetTwoFactorKey = %+v", reset)
		}
		newMail := env.latestEmail(t, alice)
		if newMail.Secret == mail.Secret || newMail.Token == mail.Token {
			t.Fatal("the reset emailed the old secret or token")
		}
		env.clk.Advance(twofactor.Period)
		if p := env.confirm(t, newMail.Token, code(t, mail.Secret, env.clk.Now())); p.codes() != "input.code:INVALID_CODE" {
			t.Fatalf("a code of the old secret gave %s", p.codes())
		}
		if p := env.confirm(t, newMail.Token, code(t, newMail.Secret, env.clk.Now())); len(p.UserErrors) > 0 {
			t.Fatalf("confirming the new key: %s", p.codes())
		}
		env.clk.Advance(twofactor.Period)
		if got := env.login(t, "alice", code(t, mail.Secret, env.clk.Now())); got != "INVALID_CREDENTIALS" {
			t.Fatalf("a code of the old secret logged in: %q", got)
		}
		if got := env.login(t, "alice", code(t, newMail.Secret, env.clk.Now())); got != "" {
			t.Fatalf("a code of the new secret failed: %q", got)
		}

		// No log line and no audit event holds a secret.
		logs := env.logs.String()
		events := env.db.Client.AuditEvent.Query().AllX(ctx)
		var actions []string
		for _, ev := range events {
			actions = append(actions, ev.Action)
		}
		dump, err := json.Marshal(events)
		if err != nil {
			t.Fatal(err)
		}
		for _, secret := range []string{mail.Secret, newMail.Secret, mail.Token, newMail.Token} {
			if strings.Contains(logs, secret) || strings.Contains(string(dump), secret) {
				t.Fatalf("a log line or an audit event holds a secret or token")
			}
		}
		for _, want := range []string{"user.two_factor_key_created", "user.two_factor_key_confirmed",
			"user.two_factor_key_reset"} {
			if !strings.Contains(strings.Join(actions, " "), want) {
				t.Fatalf("no %s audit event among %v", want, actions)
			}
		}
	})
}

func TestConfirmTwoFactorKeyRefusesBadInput(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		env := newTFEnv(t, e)
		ctx := authz.SystemContext(context.Background())
		bob := env.eligibleUser(t, "bob")
		env.keyMutation(t, env.api, "createTwoFactorKey", bob.ID)
		mail := env.latestEmail(t, bob)
		foreign, _, err := twofactor.NewToken()
		if err != nil {
			t.Fatal(err)
		}
		good := code(t, mail.Secret, env.clk.Now())
		tests := []struct {
			name, token, code, want string
		}{
			{"malformed token", "not-a-token", good, "input.token:INVALID_TOKEN"},
			{"empty token", "", good, "input.token:REQUIRED"},
			{"foreign token", foreign, good, "input.token:INVALID_TOKEN"},
			{"short code", mail.Token, good[:5], "input.code:INVALID_VALUE"},
			{"long code", mail.Token, good + "1", "input.code:INVALID_VALUE"},
			{"letters", mail.Token, "12a45b", "input.code:INVALID_VALUE"},
			{"empty code", mail.Token, "", "input.code:REQUIRED"},
			{"both wrong", "x", "x", "input.token:INVALID_TOKEN,input.code:INVALID_VALUE"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if got := env.confirm(t, tt.token, tt.code).codes(); got != tt.want {
					t.Fatalf("got %s, want %s", got, tt.want)
				}
			})
		}
		k := env.db.Client.TwoFactorKey.Query().Where(twofactorkey.UserID(bob.ID)).OnlyX(ctx)
		if k.State != twofactorkey.StatePENDING_CONFIRMATION || k.FailedAttempts != 0 {
			t.Fatalf("bad input changed the key: %s, %d failures", k.State, k.FailedAttempts)
		}

		t.Run("five wrong codes", func(t *testing.T) {
			wrong := "000000"
			if wrong == good {
				wrong = "111111"
			}
			for i := 1; i <= twofactor.MaxFailedConfirmations; i++ {
				want := "input.code:INVALID_CODE"
				if i == twofactor.MaxFailedConfirmations {
					want = "input.token:INVALID_TOKEN"
				}
				if got := env.confirm(t, mail.Token, wrong).codes(); got != want {
					t.Fatalf("wrong code %d gave %s, want %s", i, got, want)
				}
			}
			if got := env.confirm(t, mail.Token, good).codes(); got != "input.token:INVALID_TOKEN" {
				t.Fatalf("the right code after five wrong ones gave %s", got)
			}
		})

		t.Run("expired", func(t *testing.T) {
			env.keyMutation(t, env.api, "resetTwoFactorKey", bob.ID)
			fresh := env.latestEmail(t, bob)
			env.clk.Advance(twofactor.EnrolmentTTL)
			got := env.confirm(t, fresh.Token, code(t, fresh.Secret, env.clk.Now())).codes()
			if got != "input.token:INVALID_TOKEN" {
				t.Fatalf("an expired token gave %s", got)
			}
			// The administrator's session ended meanwhile.
			env.api = testauth.Login(t, env.anon, testauth.AdminUsername)
		})

		t.Run("replaced by a newer key", func(t *testing.T) {
			env.keyMutation(t, env.api, "resetTwoFactorKey", bob.ID)
			older := env.latestEmail(t, bob)
			env.keyMutation(t, env.api, "resetTwoFactorKey", bob.ID)
			newer := env.latestEmail(t, bob)
			if got := env.confirm(t, older.Token, code(t, newer.Secret, env.clk.Now())).codes(); got != "input.token:INVALID_TOKEN" {
				t.Fatalf("the older token gave %s", got)
			}
		})

		t.Run("needs USERS_CREDENTIALS", func(t *testing.T) {
			testauth.CreateUser(t, env.db, testauth.UserSpec{Username: "reader",
				Permissions: []authz.Permission{authz.UsersRead}})
			reader := testauth.Login(t, env.anon, "reader")
			resp := reader.Do(t, `mutation($input: TwoFactorKeyInput!) { createTwoFactorKey(input: $input) { userErrors { code } } }`,
				map[string]any{"input": map[string]any{"userId": scalar.EncodeID(bob.ID)}})
			if got := resp.ErrorCode(); got != "FORBIDDEN" {
				t.Fatalf("got %q, want FORBIDDEN", got)
			}
		})
	})
}

// TestUsersPageTwoFactorStatements checks that User.twoFactor is loaded for
// a whole page at once: the page costs the same whatever its size, and at
// most two statements more than without it.
func TestUsersPageTwoFactorStatements(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		var counter testdb.Counter
		db := e.Open(t, storage.WithDriver(counter.Wrap))
		seedUsers(t, db.Client, testUsers)
		c := testauth.AdminClient(t, db, testauth.Handler(t, db, clock.System{}))
		count := func(t *testing.T, q string, size int) int {
			t.Helper()
			counter.Reset()
			c.Do(t, q, map[string]any{"first": size}).MustData(t, &struct{}{})
			return counter.Count()
		}
		withTwoFactor := strings.Replace(usersPageQuery, "username\n", "username\n"+twoFactorFields+"\n", 1)
		if withTwoFactor == usersPageQuery {
			t.Fatal("twoFactor was not added to the page query")
		}
		for _, size := range []int{10, 100} {
			base, with := count(t, usersPageQuery, size), count(t, withTwoFactor, size)
			// One statement reads the keys, one the form spaces with two
			// factors enabled.
			if with-base != 2 {
				t.Fatalf("twoFactor on a page of %d adds %d statements, want 2:\n%s",
					size, with-base, strings.Join(counter.Statements(), "\n"))
			}
		}
		alone := `query($first: Int!) { users(first: $first) { edges { node { username ` +
			twoFactorFields + ` } } } }`
		if small, large := count(t, alone, 10), count(t, alone, 100); small != large {
			t.Fatalf("twoFactor alone: %d statements for 10 users, %d for 100", small, large)
		}
	})
}
