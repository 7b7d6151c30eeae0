package auth_test

import (
	"bytes"
	"context"
	"regexp"
	"testing"
	"time"

	"accountd/ent/role"
	"accountd/ent/securitymanager"
	"accountd/ent/user"
	"accountd/internal/auth"
	"accountd/internal/authz"
	"accountd/internal/clock"
	"accountd/internal/demo"
	"accountd/internal/storage"
	"accountd/internal/testauth"
	"accountd/internal/testdb"
)

var start = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func newService(db *storage.DB, clk clock.Clock) *auth.Service {
	return auth.New(db.Client, clk, testauth.Settings())
}

func TestBootstrapGeneratesAPassword(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		db := e.Open(t)
		ctx := context.Background()
		clk := clock.NewManual(start)
		svc := newService(db, clk)
		var out bytes.Buffer
		if err := svc.Bootstrap(ctx, "", &out); err != nil {
			t.Fatal(err)
		}
		m := regexp.MustCompile(`username "admin" and password "([^"]+)"`).FindStringSubmatch(out.String())
		if m == nil {
			t.Fatalf("output %q names no password", out.String())
		}
		sys := authz.SystemContext(ctx)
		admin, err := db.Client.User.Query().Where(user.Username("admin")).Only(sys)
		if err != nil {
			t.Fatal(err)
		}
		if !admin.MustChangePassword {
			t.Fatal("a generated password need not be changed")
		}
		r, err := admin.QueryRoles().Only(sys)
		if err != nil {
			t.Fatal(err)
		}
		if r.Name != auth.AdministratorRole || !r.Builtin || !r.Active || len(r.Permissions) != len(authz.Permissions) {
			t.Fatalf("admin role = %+v", r)
		}
		if n, err := db.Client.SecurityManager.Query().Where(securitymanager.IsDefault(true)).Count(sys); err != nil || n != 1 {
			t.Fatalf("default security managers = %d, %v", n, err)
		}
		s, err := svc.Login(ctx, auth.LoginInput{Username: "admin", Password: m[1]})
		if err != nil {
			t.Fatalf("login with the printed password: %v", err)
		}
		if s.Token == "" {
			t.Fatal("no token")
		}

		// A second start changes nothing and prints nothing.
		out.Reset()
		if err := svc.Bootstrap(ctx, "", &out); err != nil {
			t.Fatal(err)
		}
		if out.Len() != 0 {
			t.Fatalf("second bootstrap printed %q", out.String())
		}
		if n, _ := db.Client.User.Query().Count(sys); n != 1 {
			t.Fatalf("users after the second bootstrap = %d", n)
		}
		if n, _ := db.Client.Role.Query().Where(role.Name(auth.AdministratorRole)).Count(sys); n != 1 {
			t.Fatalf("Administrator roles = %d", n)
		}

		// The demo data loads on top of the bootstrapped database.
		created, err := demo.Seed(ctx, db.Client, clk)
		if err != nil {
			t.Fatal(err)
		}
		if created == 0 {
			t.Fatal("demo data was not loaded after bootstrap")
		}
		if again, err := demo.Seed(ctx, db.Client, clk); err != nil || again != 0 {
			t.Fatalf("second demo seed = %d, %v; want 0", again, err)
		}
	})
}

func TestBootstrapChosenPassword(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		db := e.Open(t)
		ctx := context.Background()
		svc := newService(db, clock.NewManual(start))
		var out bytes.Buffer
		const chosen = "chosen by automation"
		if err := svc.Bootstrap(ctx, chosen, &out); err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(out.Bytes(), []byte(chosen)) {
			t.Fatal("the chosen password was printed")
		}
		s, err := svc.Login(ctx, auth.LoginInput{Username: "admin", Password: chosen})
		if err != nil {
			t.Fatal(err)
		}
		if s.User.MustChangePassword {
			t.Fatal("a chosen password must be changed")
		}
	})
}

func TestCreateAdministrator(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		db := e.Open(t)
		ctx := context.Background()
		svc := newService(db, clock.NewManual(start))
		tests := []struct {
			name string
			in   auth.AdministratorInput
			ok   bool
		}{
			{"weak password", auth.AdministratorInput{Username: "ops", Email: "ops@example.com", Password: "short"}, false},
			{"bad email", auth.AdministratorInput{Username: "ops", Email: "no-at", Password: testauth.Password}, false},
			{"acceptable", auth.AdministratorInput{Username: "ops", Email: "ops@example.com", Password: testauth.Password}, true},
			{"taken", auth.AdministratorInput{Username: "OPS", Email: "ops@example.com", Password: testauth.Password}, false},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				err := svc.CreateAdministrator(ctx, tc.in)
				if (err == nil) != tc.ok {
					t.Fatalf("CreateAdministrator = %v, want ok %v", err, tc.ok)
				}
			})
		}
		n, err := db.Client.User.Query().Count(authz.SystemContext(ctx))
		if err != nil || n != 1 {
			t.Fatalf("users = %d, %v; want 1", n, err)
		}
	})
}
