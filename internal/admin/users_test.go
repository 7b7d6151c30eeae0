package admin_test

import (
	"context"
	"strings"
	"testing"

	"accountd/ent"
	"accountd/ent/hook"
	"accountd/internal/account"
	"accountd/internal/admin"
	"accountd/internal/authz"
	"accountd/internal/testdb"
)

func TestCreateUser(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		f := setup(t, e)
		ctx := authz.SystemContext(context.Background())
		if _, err := f.svc.CreateUser(ctx, admin.CreateUserInput{Username: "Alice.Smith",
			Email: "alice@example.com", Password: ptr(goodPassword)}); err != nil {
			t.Fatal(err)
		}
		tooMany := map[string]string{}
		for i := range account.ProfileMaxEntries + 1 {
			tooMany[strings.Repeat("k", i+1)] = "v"
		}
		valid := func() admin.CreateUserInput {
			return admin.CreateUserInput{Username: "bob", Email: "bob@example.com",
				SendPasswordSetupEmail: true}
		}
		tests := []struct {
			name   string
			change func(*admin.CreateUserInput)
			field  string
			code   admin.Code
		}{
			{"invalid email", func(in *admin.CreateUserInput) { in.Email = "bob@" }, "email", admin.CodeInvalidValue},
			{"missing email", func(in *admin.CreateUserInput) { in.Email = "" }, "email", admin.CodeRequired},
			{"invalid phone", func(in *admin.CreateUserInput) { in.Phone = ptr("12-34") }, "phone", admin.CodeInvalidValue},
			{"invalid mobile", func(in *admin.CreateUserInput) { in.Mobile = ptr("+12") }, "mobile", admin.CodeInvalidValue},
			{"invalid username", func(in *admin.CreateUserInput) { in.Username = "bob smith" }, "username", admin.CodeInvalidValue},
			{"short username", func(in *admin.CreateUserInput) { in.Username = "bo" }, "username", admin.CodeInvalidValue},
			{"over-long username", func(in *admin.CreateUserInput) { in.Username = strings.Repeat("b", 129) }, "username", admin.CodeTooLong},
			{"duplicate username in another case", func(in *admin.CreateUserInput) { in.Username = "alice.SMITH" }, "username", admin.CodeDuplicate},
			{"over-long first name", func(in *admin.CreateUserInput) { in.FirstName = strings.Repeat("x", 129) }, "firstName", admin.CodeTooLong},
			{"too many profile entries", func(in *admin.CreateUserInput) { in.Profile = tooMany }, "profile", admin.CodeTooLong},
			{"over-long profile value", func(in *admin.CreateUserInput) {
				in.Profile = map[string]string{"k": strings.Repeat("v", 1025)}
			}, "profile", admin.CodeTooLong},
			{"over-long profile key", func(in *admin.CreateUserInput) {
				in.Profile = map[string]string{strings.Repeat("k", 65): "v"}
			}, "profile", admin.CodeInvalidValue},
			{"weak password", func(in *admin.CreateUserInput) {
				in.SendPasswordSetupEmail, in.Password = false, ptr("short")
			}, "password", admin.Code("TOO_SHORT")},
			{"no password nor email", func(in *admin.CreateUserInput) { in.SendPasswordSetupEmail = false }, "password", admin.CodeRequired},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				in := valid()
				tc.change(&in)
				_, err := f.svc.CreateUser(ctx, in)
				ie, ok := admin.AsInputError(err)
				if !ok {
					t.Fatalf("err = %v, want a user error", err)
				}
				p := ie.Problems[0]
				if p.Code != tc.code || strings.Join(p.Field, ".") != "input."+tc.field {
					t.Fatalf("got %s on %v, want %s on %s", p.Code, p.Field, tc.code, tc.field)
				}
				if n := f.c.User.Query().CountX(ctx); n != 1 {
					t.Fatalf("%d users exist, want 1", n)
				}
				if n := f.c.OutboxMessage.Query().CountX(ctx); n != 0 {
					t.Fatalf("%d emails queued", n)
				}
			})
		}
	})
}

func TestUpdateUser(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		f := setup(t, e)
		ctx := authz.SystemContext(context.Background())
		u := f.user(t, "carol", account.StatusActive)
		got, err := f.svc.UpdateUser(ctx, admin.UpdateUserInput{UserID: u.ID,
			ExpectedVersion: ptr(u.Version), Email: ptr("carol@corp.example.com"),
			Mobile: ptr("+4915112345678"), Profile: map[string]string{"team": "blue"}})
		if err != nil {
			t.Fatal(err)
		}
		if got.Email != "carol@corp.example.com" || got.Version != u.Version+1 {
			t.Fatalf("email %s, version %d", got.Email, got.Version)
		}
		ev := f.c.AuditEvent.Query().OnlyX(ctx)
		if ev.Action != "user.updated" || ev.Changes["email"].After != "carol@corp.example.com" {
			t.Fatalf("audit event %s %v", ev.Action, ev.Changes)
		}

		_, err = f.svc.UpdateUser(ctx, admin.UpdateUserInput{UserID: u.ID, Phone: ptr("abc")})
		if code := codeOf(t, err); code != admin.CodeInvalidValue {
			t.Fatalf("code = %s, want INVALID_VALUE", code)
		}
		_, err = f.svc.UpdateUser(ctx, admin.UpdateUserInput{UserID: u.ID + 999, FirstName: ptr("x")})
		if code := codeOf(t, err); code != admin.CodeNotFound {
			t.Fatalf("code = %s, want NOT_FOUND", code)
		}
		_, err = f.svc.UpdateUser(ctx, admin.UpdateUserInput{UserID: u.ID,
			ExpectedVersion: ptr(u.Version), FirstName: ptr("stale")})
		if code := codeOf(t, err); code != admin.CodeVersionConflict {
			t.Fatalf("code = %s, want VERSION_CONFLICT", code)
		}
		if n := f.auditCount(t, u.ID); n != 1 {
			t.Fatalf("%d audit events, want 1", n)
		}
	})
}

// TestFailureAfterFirstWriteLeavesNoTrace breaks a write that comes after
// the version bump and the reset token (the outbox row, then the audit
// event, which comes last) and checks that nothing of the reset remains.
func TestFailureAfterFirstWriteLeavesNoTrace(t *testing.T) {
	breakOutbox := func(c *ent.Client) {
		c.OutboxMessage.Use(func(ent.Mutator) ent.Mutator {
			return hook.OutboxMessageFunc(func(context.Context, *ent.OutboxMessageMutation) (ent.Value, error) {
				return nil, errBroken
			})
		})
	}
	breakAudit := func(c *ent.Client) {
		c.AuditEvent.Use(func(ent.Mutator) ent.Mutator {
			return hook.AuditEventFunc(func(context.Context, *ent.AuditEventMutation) (ent.Value, error) {
				return nil, errBroken
			})
		})
	}
	tests := []struct {
		name  string
		brake func(*ent.Client)
	}{
		{"outbox insert fails", breakOutbox},
		{"audit insert fails", breakAudit},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			testdb.Each(t, func(t *testing.T, e testdb.Engine) {
				f := setup(t, e)
				ctx := authz.SystemContext(context.Background())
				u := f.user(t, "dave", account.StatusActive)
				tc.brake(f.c)
				_, err := f.svc.ResetPassword(ctx, admin.ResetPasswordInput{UserID: u.ID,
					SendResetEmail: true, MustChangePassword: ptr(true)})
				if err == nil {
					t.Fatal("the reset succeeded despite the broken write")
				}
				got := f.reload(t, u)
				if got.Version != u.Version || got.MustChangePassword {
					t.Fatalf("user changed: version %d", got.Version)
				}
				if n := f.auditCount(t, u.ID); n != 0 {
					t.Fatalf("%d audit events", n)
				}
				if n := f.c.PasswordResetToken.Query().CountX(ctx); n != 0 {
					t.Fatalf("%d reset tokens", n)
				}
				if n := f.c.OutboxMessage.Query().CountX(ctx); n != 0 {
					t.Fatalf("%d outbox rows", n)
				}
			})
		})
	}
}

type brokenError struct{}

func (brokenError) Error() string { return "broken on purpose" }

var errBroken = brokenError{}
