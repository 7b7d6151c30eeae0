package admin_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"accountd/ent"
	"accountd/ent/auditevent"
	"accountd/internal/account"
	"accountd/internal/admin"
	"accountd/internal/authz"
	"accountd/internal/clock"
	"accountd/internal/password"
	"accountd/internal/storage"
	"accountd/internal/testdb"
)

// fastParams keeps argon2id cheap in tests.
var fastParams = password.Params{Memory: 64, Iterations: 1, Parallelism: 1, SaltLen: 16, KeyLen: 32}

// goodPassword meets the default policy.
const goodPassword = "Blue-Harbor-7-Lantern"

type fixture struct {
	db    *storage.DB
	c     *ent.Client
	svc   *admin.Service
	clock *clock.Manual
}

func setup(t *testing.T, e testdb.Engine) *fixture {
	t.Helper()
	db := e.Open(t)
	clk := clock.NewManual(time.Now().UTC().Truncate(time.Second))
	svc := admin.New(db.Client, clk, admin.WithDialect(db.Dialect),
		admin.WithPasswordParams(fastParams), admin.WithPublicURL("https://accounts.example.com"))
	return &fixture{db: db, c: db.Client, svc: svc, clock: clk}
}

// user creates a user directly in the database.
func (f *fixture) user(t *testing.T, name string, status account.Status) *ent.User {
	t.Helper()
	u, err := f.c.User.Create().
		SetUsername(name).
		SetEmail(name + "@example.com").
		SetStatus(status).
		Save(authz.SystemContext(context.Background()))
	if err != nil {
		t.Fatalf("creating user %s: %v", name, err)
	}
	return u
}

func (f *fixture) role(t *testing.T, name string, mutate ...func(*ent.RoleCreate)) *ent.Role {
	t.Helper()
	c := f.c.Role.Create().SetName(name)
	for _, m := range mutate {
		m(c)
	}
	r, err := c.Save(authz.SystemContext(context.Background()))
	if err != nil {
		t.Fatalf("creating role %s: %v", name, err)
	}
	return r
}

func (f *fixture) reload(t *testing.T, u *ent.User) *ent.User {
	t.Helper()
	got, err := f.c.User.Get(authz.SystemContext(context.Background()), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// auditCount counts the events of a target user.
func (f *fixture) auditCount(t *testing.T, userID int) int {
	t.Helper()
	n, err := f.c.AuditEvent.Query().
		Where(auditevent.TargetType("User"), auditevent.TargetID(userID)).
		Count(authz.SystemContext(context.Background()))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// codeOf returns the code of the first user error of err, or "" when err
// is nil; any other error fails the test.
func codeOf(t *testing.T, err error) admin.Code {
	t.Helper()
	if err == nil {
		return ""
	}
	var be *admin.BulkError
	if errors.As(err, &be) {
		return be.Problems[0].Code
	}
	ie, ok := admin.AsInputError(err)
	if !ok {
		t.Fatalf("unexpected error: %v", err)
	}
	return ie.Problems[0].Code
}

func ptr[T any](v T) *T { return &v }
