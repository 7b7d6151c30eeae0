// Package testauth gives integration tests logged-in callers: users with
// chosen permissions and organizations, and their sessions through the real
// login mutation.
package testauth

import (
	"context"
	"net/http"
	"testing"
	"time"

	"accountd/ent"
	"accountd/ent/role"
	"accountd/internal/auth"
	"accountd/internal/authz"
	"accountd/internal/clock"
	"accountd/internal/password"
	"accountd/internal/ratelimit"
	"accountd/internal/server"
	"accountd/internal/storage"
	"accountd/internal/testapi"
)

// Params are cheap argon2id parameters that keep tests fast.
var Params = password.Params{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLen: 16, KeyLen: 32}

// Password is the password of every user this package creates.
const Password = "Quiet-Lantern-Orbit-73"

// AdminUsername is the username of the administrator AdminClient creates.
const AdminUsername = "test-admin"

// Settings are the auth settings of test servers: cheap hashing and a rate
// limit that tests do not reach unless they mean to.
func Settings() auth.Settings {
	s := auth.DefaultSettings()
	s.Hasher = password.Hasher{Params: Params}
	s.LoginLimit = ratelimit.Limit{PerMinute: 1000, Burst: 1000}
	return s
}

// Handler returns the server's handler over db with Settings and clk.
func Handler(t testing.TB, db *storage.DB, clk clock.Clock) http.Handler {
	t.Helper()
	return server.New(db, server.Options{
		Logger: testapi.Logger(t),
		Clock:  clk,
		Auth:   auth.New(db.Client, clk, Settings()),
	})
}

// UserSpec describes a user to create.
type UserSpec struct {
	Username string
	// Permissions, when not nil, are granted by a role of the user's own.
	Permissions []authz.Permission
	// RoleInactive makes that role inactive.
	RoleInactive bool
	// RoleExpiresAt sets the expiry of the role assignment.
	RoleExpiresAt *time.Time
	// Administrator assigns the built-in Administrator role.
	Administrator bool
	// OrganizationIDs are the user's organizations.
	OrganizationIDs []int
	// MustChangePassword forces a password change at login.
	MustChangePassword bool
}

// CreateUser creates the user of spec with the password Password.
func CreateUser(t testing.TB, db *storage.DB, spec UserSpec) *ent.User {
	t.Helper()
	ctx := authz.SystemContext(context.Background())
	hash, err := password.Hasher{Params: Params}.Hash(Password)
	if err != nil {
		t.Fatal(err)
	}
	u, err := db.Client.User.Create().
		SetUsername(spec.Username).
		SetEmail(spec.Username + "@example.com").
		SetPasswordHash(hash).
		SetMustChangePassword(spec.MustChangePassword).
		AddOrganizationIDs(spec.OrganizationIDs...).
		Save(ctx)
	if err != nil {
		t.Fatalf("testauth: creating %s: %v", spec.Username, err)
	}
	if spec.Permissions != nil {
		r, err := db.Client.Role.Create().
			SetName(spec.Username + " role").
			SetPermissions(spec.Permissions).
			SetActive(!spec.RoleInactive).
			Save(ctx)
		if err != nil {
			t.Fatalf("testauth: creating the role of %s: %v", spec.Username, err)
		}
		assign(t, db, u.ID, r.ID, spec.RoleExpiresAt)
	}
	if spec.Administrator {
		assign(t, db, u.ID, administratorRole(t, db).ID, spec.RoleExpiresAt)
	}
	return u
}

func assign(t testing.TB, db *storage.DB, userID, roleID int, expiresAt *time.Time) {
	t.Helper()
	err := db.Client.RoleAssignment.Create().
		SetUserID(userID).
		SetRoleID(roleID).
		SetNillableExpiresAt(expiresAt).
		Exec(authz.SystemContext(context.Background()))
	if err != nil {
		t.Fatalf("testauth: assigning role %d to user %d: %v", roleID, userID, err)
	}
}

// administratorRole returns the built-in Administrator role, creating it
// when the database has none.
func administratorRole(t testing.TB, db *storage.DB) *ent.Role {
	t.Helper()
	ctx := authz.SystemContext(context.Background())
	r, err := db.Client.Role.Query().Where(role.Name(auth.AdministratorRole)).Only(ctx)
	if ent.IsNotFound(err) {
		r, err = db.Client.Role.Create().
			SetName(auth.AdministratorRole).
			SetPermissions(authz.Permissions).
			SetBuiltin(true).
			Save(ctx)
	}
	if err != nil {
		t.Fatalf("testauth: the Administrator role: %v", err)
	}
	return r
}

// Login logs username in with Password through c and returns a copy of c
// sending the session's token.
func Login(t testing.TB, c *testapi.Client, username string) *testapi.Client {
	t.Helper()
	return c.WithToken(Token(t, c, username, Password))
}

// Token logs in through c and returns the bearer token; the login must
// succeed.
func Token(t testing.TB, c *testapi.Client, username, pw string) string {
	t.Helper()
	res := c.Do(t, `mutation($u: String!, $p: String!) {
		login(input: {username: $u, password: $p}) { token userErrors { code } }
	}`, map[string]any{"u": username, "p": pw})
	var data struct {
		Login struct {
			Token      *string
			UserErrors []struct{ Code string }
		}
	}
	res.MustData(t, &data)
	if data.Login.Token == nil {
		t.Fatalf("testauth: login of %s failed: %s", username, res.Raw)
	}
	return *data.Login.Token
}

// AdminClient creates the administrator AdminUsername, holding the
// built-in Administrator role, and returns a client of a test server
// running h that is logged in as it. h should be built with Handler or
// with server options whose auth service can verify any argon2id hash.
func AdminClient(t testing.TB, db *storage.DB, h http.Handler) *testapi.Client {
	t.Helper()
	CreateUser(t, db, UserSpec{Username: AdminUsername, Administrator: true})
	return Login(t, testapi.Serve(t, h), AdminUsername)
}
