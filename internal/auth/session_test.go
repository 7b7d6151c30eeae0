package auth_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"accountd/internal/auth"
	"accountd/internal/authz"
	"accountd/internal/clock"
	"accountd/internal/testauth"
	"accountd/internal/testdb"
)

// TestAuthenticateReadsGrants checks the actor that one session lookup
// builds: the user's organizations, and the permissions of its active
// roles whose assignment has not expired, however many there are.
func TestAuthenticateReadsGrants(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		db := e.Open(t)
		ctx := context.Background()
		sys := authz.SystemContext(ctx)
		clk := clock.NewManual(start)
		svc := newService(db, clk)
		var orgs []int
		for _, code := range []string{"A", "B", "C"} {
			o, err := db.Client.Organization.Create().SetCode(code).SetName(code).Save(sys)
			if err != nil {
				t.Fatal(err)
			}
			orgs = append(orgs, o.ID)
		}
		u := testauth.CreateUser(t, db, testauth.UserSpec{Username: "mia", OrganizationIDs: orgs[:2]})
		testauth.CreateUser(t, db, testauth.UserSpec{Username: "neighbour", OrganizationIDs: orgs[2:],
			Permissions: []authz.Permission{authz.GlobalAccess}})
		later, earlier := start.Add(10*time.Minute), start.Add(-time.Second)
		for i, g := range []struct {
			perms   []authz.Permission
			active  bool
			expires *time.Time
		}{
			{[]authz.Permission{authz.UsersRead, authz.AuditRead}, true, nil},
			{[]authz.Permission{authz.UsersRead, authz.UsersWrite}, true, &later},
			{[]authz.Permission{authz.ReportsRead}, true, &earlier},
			{[]authz.Permission{authz.GlobalAccess}, false, nil},
			{[]authz.Permission{}, true, nil},
		} {
			r, err := db.Client.Role.Create().SetName(fmt.Sprintf("role %d", i)).
				SetPermissions(g.perms).SetActive(g.active).Save(sys)
			if err != nil {
				t.Fatal(err)
			}
			if err := db.Client.RoleAssignment.Create().SetUserID(u.ID).SetRoleID(r.ID).
				SetNillableExpiresAt(g.expires).Exec(sys); err != nil {
				t.Fatal(err)
			}
		}

		s, err := svc.Login(ctx, auth.LoginInput{Username: "mia", Password: testauth.Password})
		if err != nil {
			t.Fatal(err)
		}
		a, err := svc.Authenticate(ctx, s.Token)
		if err != nil {
			t.Fatal(err)
		}
		var perms []authz.Permission
		for p, ok := range a.Permissions {
			if ok {
				perms = append(perms, p)
			}
		}
		slices.Sort(perms)
		want := []authz.Permission{authz.AuditRead, authz.UsersRead, authz.UsersWrite}
		if !slices.Equal(perms, want) {
			t.Errorf("permissions %v, want %v", perms, want)
		}
		got := slices.Sorted(slices.Values(a.OrganizationIDs))
		if !slices.Equal(got, orgs[:2]) {
			t.Errorf("organizations %v, want %v", got, orgs[:2])
		}
		if a.UserID != u.ID || a.Username != "mia" || a.SessionID == 0 || !a.AuthenticatedAt.Equal(start) {
			t.Errorf("actor %+v", a)
		}

		// Ten minutes later the second role's assignment has expired too.
		clk.Advance(10 * time.Minute)
		a, err = svc.Authenticate(ctx, s.Token)
		if err != nil {
			t.Fatal(err)
		}
		if a.Has(authz.UsersWrite) || !a.Has(authz.UsersRead) {
			t.Errorf("after ten minutes: permissions %v", a.Permissions)
		}
	})
}

// TestAuthenticateWithoutGrants checks a user with no role and no
// organization: a session, but no permission.
func TestAuthenticateWithoutGrants(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		db := e.Open(t)
		ctx := context.Background()
		svc := newService(db, clock.NewManual(start))
		testauth.CreateUser(t, db, testauth.UserSpec{Username: "noor"})
		s, err := svc.Login(ctx, auth.LoginInput{Username: "noor", Password: testauth.Password})
		if err != nil {
			t.Fatal(err)
		}
		a, err := svc.Authenticate(ctx, s.Token)
		if err != nil {
			t.Fatal(err)
		}
		if len(a.Permissions) != 0 || len(a.OrganizationIDs) != 0 {
			t.Fatalf("a user without grants got %v in %v", a.Permissions, a.OrganizationIDs)
		}
	})
}
