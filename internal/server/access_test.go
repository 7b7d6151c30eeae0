package server_test

import (
	"context"
	"testing"
	"time"

	"accountd/ent"
	"accountd/internal/authz"
	"accountd/internal/clock"
	"accountd/internal/storage"
	"accountd/internal/testapi"
	"accountd/internal/testauth"
	"accountd/internal/testdb"
)

var start = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// allBut returns every permission except the ones given.
func allBut(except ...authz.Permission) []authz.Permission {
	var out []authz.Permission
	for _, p := range authz.Permissions {
		if !contains(except, p) {
			out = append(out, p)
		}
	}
	return out
}

func contains(list []authz.Permission, p authz.Permission) bool {
	for _, q := range list {
		if q == p {
			return true
		}
	}
	return false
}

// organization creates an organization as the system.
func organization(t *testing.T, db *storage.DB, code string) *ent.Organization {
	t.Helper()
	o, err := db.Client.Organization.Create().SetCode(code).SetName("Organization " + code).
		Save(authz.SystemContext(context.Background()))
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// outcome is "ok" for a response without errors, else the first error's
// code.
func outcome(res testapi.Response) string {
	if len(res.Errors) == 0 {
		return "ok"
	}
	return res.ErrorCode()
}

func TestCallerTable(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		db := e.Open(t)
		clk := clock.NewManual(start)
		c := testapi.Serve(t, testauth.Handler(t, db, clk))
		orgA := organization(t, db, "A")
		expiry := start.Add(time.Second)
		specs := []testauth.UserSpec{
			{Username: "global-admin", Administrator: true},
			{Username: "org-admin", Permissions: allBut(authz.GlobalAccess), OrganizationIDs: []int{orgA.ID}},
			{Username: "reader", Permissions: []authz.Permission{authz.UsersRead}, OrganizationIDs: []int{orgA.ID}},
			{Username: "expired", Administrator: true, RoleExpiresAt: &expiry, OrganizationIDs: []int{orgA.ID}},
			{Username: "inactive-role", Permissions: authz.Permissions, RoleInactive: true,
				OrganizationIDs: []int{orgA.ID}},
		}
		callers := map[string]*testapi.Client{"anonymous": c}
		var roleID string
		for _, s := range specs {
			testauth.CreateUser(t, db, s)
			callers[s.Username] = testauth.Login(t, c, s.Username)
		}
		var roles struct {
			Roles struct {
				Edges []struct{ Node struct{ ID string } }
			}
		}
		callers["global-admin"].Do(t, `{ roles(first: 1) { edges { node { id } } } }`, nil).MustData(t, &roles)
		roleID = roles.Roles.Edges[0].Node.ID

		// Before its expiry the expiring assignment grants its permissions;
		// one second after it, it grants nothing, sweeper or not.
		if got := outcome(callers["expired"].Do(t, `{ users { totalCount } }`, nil)); got != "ok" {
			t.Fatalf("users before the expiry = %s, want ok", got)
		}
		clk.Advance(2 * time.Second)

		ops := []struct {
			name  string
			query string
			vars  map[string]any
			want  map[string]string // caller -> outcome; missing callers: ok
		}{
			{"viewer", `{ viewer { username } }`, nil,
				map[string]string{"anonymous": "UNAUTHENTICATED"}},
			{"passwordPolicy", `{ passwordPolicy { minLength } }`, nil, nil},
			{"introspection", `{ __schema { queryType { name } } __typename }`, nil, nil},
			{"users", `{ users { totalCount edges { node { username roleAssignments { role { name } } } } } }`, nil,
				map[string]string{"anonymous": "UNAUTHENTICATED", "expired": "FORBIDDEN",
					"inactive-role": "FORBIDDEN"}},
			{"node", `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": roleID},
				map[string]string{"anonymous": "UNAUTHENTICATED"}},
			{"nodes", `query($id: ID!) { nodes(ids: [$id]) { id } }`, map[string]any{"id": roleID},
				map[string]string{"anonymous": "UNAUTHENTICATED"}},
			{"roles", `{ roles { totalCount } }`, nil, map[string]string{"anonymous": "UNAUTHENTICATED"}},
			{"organizations", `{ organizations { totalCount } }`, nil,
				map[string]string{"anonymous": "UNAUTHENTICATED"}},
			{"formSpaces", `{ formSpaces { totalCount } }`, nil, map[string]string{"anonymous": "UNAUTHENTICATED"}},
			{"groups", `{ groups { totalCount } }`, nil, map[string]string{"anonymous": "UNAUTHENTICATED"}},
			{"securityManagers", `{ securityManagers { totalCount } }`, nil,
				map[string]string{"anonymous": "UNAUTHENTICATED"}},
			{"login", `mutation { login(input: {username: "nobody", password: "wrong"}) { token } }`, nil, nil},
			{"reauthenticate", `mutation($p: String!) { reauthenticate(input: {password: $p}) { authenticatedAt } }`,
				map[string]any{"p": testauth.Password}, map[string]string{"anonymous": "UNAUTHENTICATED"}},
			{"changePassword", `mutation { changePassword(input: {currentPassword: "wrong", newPassword: "x"}) {
				userErrors { code } } }`, nil, map[string]string{"anonymous": "UNAUTHENTICATED"}},
			{"logout", `mutation { logout { loggedOut } }`, nil, map[string]string{"anonymous": "UNAUTHENTICATED"}},
		}
		names := []string{"anonymous", "global-admin", "org-admin", "reader", "expired", "inactive-role"}
		for _, op := range ops {
			for _, who := range names {
				t.Run(op.name+"/"+who, func(t *testing.T) {
					want := op.want[who]
					if want == "" {
						want = "ok"
					}
					res := callers[who].Do(t, op.query, op.vars)
					if got := outcome(res); got != want {
						t.Fatalf("%s as %s = %s, want %s: %s", op.name, who, got, want, res.Raw)
					}
				})
			}
		}
	})
}
