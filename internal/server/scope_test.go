package server_test

import (
	"context"
	"testing"

	"accountd/ent"
	"accountd/ent/roleassignment"
	"accountd/graph/scalar"
	"accountd/internal/authz"
	"accountd/internal/clock"
	"accountd/internal/testapi"
	"accountd/internal/testauth"
	"accountd/internal/testdb"
)

// nodeID returns the opaque GraphQL ID of an ent ID.
func nodeID(t *testing.T, id int) string {
	t.Helper()
	return scalar.EncodeID(id)
}

func TestOrganizationScope(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		db := e.Open(t)
		ctx := authz.SystemContext(context.Background())
		c := testapi.Serve(t, testauth.Handler(t, db, clock.NewManual(start)))
		orgA, orgB := organization(t, db, "A"), organization(t, db, "B")
		admin := testauth.CreateUser(t, db, testauth.UserSpec{Username: "org-a-admin",
			Permissions: allBut(authz.GlobalAccess), OrganizationIDs: []int{orgA.ID}})
		alice := testauth.CreateUser(t, db, testauth.UserSpec{Username: "alice", OrganizationIDs: []int{orgA.ID}})
		bob := testauth.CreateUser(t, db, testauth.UserSpec{Username: "bob", OrganizationIDs: []int{orgB.ID}})
		shared, err := db.Client.Role.Create().SetName("shared").Save(ctx)
		if err != nil {
			t.Fatal(err)
		}
		group, err := db.Client.Group.Create().SetName("shared group").SetType("FORM").Save(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range []int{alice.ID, bob.ID} {
			if err := db.Client.RoleAssignment.Create().SetUserID(u).SetRoleID(shared.ID).Exec(ctx); err != nil {
				t.Fatal(err)
			}
			if err := db.Client.GroupMembership.Create().SetUserID(u).SetGroupID(group.ID).Exec(ctx); err != nil {
				t.Fatal(err)
			}
		}
		orgAdmin := testauth.Login(t, c, "org-a-admin")
		global := testauth.AdminClient(t, db, testauth.Handler(t, db, clock.NewManual(start)))

		paths := []struct {
			name  string
			query string
			vars  map[string]any
			// wantA and wantGlobal are the data the org-A admin and a
			// global administrator get.
			wantA, wantGlobal string
		}{
			{"users", `{ users(orderBy: [{field: USERNAME}]) { totalCount edges { node { username } } } }`, nil,
				`{"users":{"totalCount":2,"edges":[{"node":{"username":"alice"}},{"node":{"username":"org-a-admin"}}]}}`,
				`{"users":{"totalCount":4,"edges":[{"node":{"username":"alice"}},{"node":{"username":"bob"}},` +
					`{"node":{"username":"org-a-admin"}},{"node":{"username":"test-admin"}}]}}`},
			{"search", `{ users(search: "bob") { totalCount } }`, nil,
				`{"users":{"totalCount":0}}`, `{"users":{"totalCount":1}}`},
			{"filter by the shared role", `{ users(where: {hasRolesWith: {name: "shared"}},
				orderBy: [{field: USERNAME}]) { edges { node { username } } } }`, nil,
				`{"users":{"edges":[{"node":{"username":"alice"}}]}}`,
				`{"users":{"edges":[{"node":{"username":"alice"}},{"node":{"username":"bob"}}]}}`},
			{"node", `query($id: ID!) { node(id: $id) { ... on User { username } } }`,
				map[string]any{"id": nodeID(t, bob.ID)}, `{"node":null}`, `{"node":{"username":"bob"}}`},
			{"nodes", `query($a: ID!, $b: ID!) { nodes(ids: [$a, $b]) { ... on User { username } } }`,
				map[string]any{"a": nodeID(t, alice.ID), "b": nodeID(t, bob.ID)},
				`{"nodes":[{"username":"alice"},null]}`, `{"nodes":[{"username":"alice"},{"username":"bob"}]}`},
			{"nested assignments", `query($id: ID!) { node(id: $id) { ... on User {
				roleAssignments { role { name } user { username } }
				groupMemberships { group { name } user { username } } } } }`,
				map[string]any{"id": nodeID(t, alice.ID)},
				`{"node":{"roleAssignments":[{"role":{"name":"shared"},"user":{"username":"alice"}}],` +
					`"groupMemberships":[{"group":{"name":"shared group"},"user":{"username":"alice"}}]}}`,
				`{"node":{"roleAssignments":[{"role":{"name":"shared"},"user":{"username":"alice"}}],` +
					`"groupMemberships":[{"group":{"name":"shared group"},"user":{"username":"alice"}}]}}`},
		}
		for _, p := range paths {
			t.Run(p.name, func(t *testing.T) {
				for _, tc := range []struct {
					who  string
					c    *testapi.Client
					want string
				}{{"org-A admin", orgAdmin, p.wantA}, {"global admin", global, p.wantGlobal}} {
					res := tc.c.Do(t, p.query, p.vars)
					if len(res.Errors) > 0 && p.name != "node" && p.name != "nodes" {
						t.Fatalf("%s: errors %s", tc.who, res.Raw)
					}
					if got := string(res.Data); got != tc.want {
						t.Fatalf("%s got %s, want %s", tc.who, got, tc.want)
					}
				}
			})
		}

		// The data layer hides the rows of invisible users from any query,
		// not only from the API.
		actor := &authz.Actor{UserID: admin.ID, Username: "org-a-admin", OrganizationIDs: []int{orgA.ID},
			Permissions: map[authz.Permission]bool{authz.UsersRead: true}}
		scoped := authz.WithActor(context.Background(), actor)
		n, err := db.Client.RoleAssignment.Query().Where(roleassignment.RoleID(shared.ID)).Count(scoped)
		if err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Fatalf("role assignments of the shared role seen by the org-A admin = %d, want 1", n)
		}
		if n, err := shared.QueryUsers().Count(scoped); err != nil || n != 1 {
			t.Fatalf("users of the shared role seen by the org-A admin = %d, %v; want 1", n, err)
		}
		if n, err := db.Client.User.Query().Count(context.Background()); err != nil || n != 0 {
			t.Fatalf("users seen without an actor = %d, %v; want 0", n, err)
		}

		// Writes obey the same scope.
		writes := []struct {
			name    string
			write   func() error
			visible bool
		}{
			{"update alice", func() error { return db.Client.User.UpdateOneID(alice.ID).SetFirstName("A").Exec(scoped) }, true},
			{"update bob", func() error { return db.Client.User.UpdateOneID(bob.ID).SetFirstName("B").Exec(scoped) }, false},
			{"delete bob", func() error { return db.Client.User.DeleteOneID(bob.ID).Exec(scoped) }, false},
			{"assign to bob", func() error {
				return db.Client.GroupMembership.Create().SetUserID(bob.ID).SetGroupID(group.ID).Exec(scoped)
			}, false},
			{"unassign from bob", func() error {
				_, err := db.Client.RoleAssignment.Delete().Where(roleassignment.UserID(bob.ID)).Exec(scoped)
				return err
			}, true},
		}
		for _, w := range writes {
			t.Run(w.name, func(t *testing.T) {
				err := w.write()
				if w.visible && err != nil || !w.visible && !ent.IsNotFound(err) {
					t.Fatalf("%s: %v", w.name, err)
				}
			})
		}
		if n, err := bob.QueryRoleAssignments().Count(ctx); err != nil || n != 1 {
			t.Fatalf("bob's role assignments after the org-A admin's delete = %d, %v; want 1", n, err)
		}
		if b, err := db.Client.User.Get(ctx, bob.ID); err != nil || b.FirstName != "" {
			t.Fatalf("bob after the org-A admin's update = %+v, %v", b, err)
		}
	})
}
