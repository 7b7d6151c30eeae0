package graph_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

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
)

// adminAPI serves the whole HTTP handler over db and returns a client that
// calls it as an administrator. Every test of this package builds its
// client here.
func adminAPI(t *testing.T, db *storage.DB, opts ...func(*server.Options)) *testapi.Client {
	t.Helper()
	o := server.Options{
		Logger:    testapi.Logger(t),
		Clock:     clock.System{},
		PublicURL: "https://accounts.example.com",
		AdminOptions: []admin.Option{admin.WithPasswordParams(password.Params{
			Memory: 64, Iterations: 1, Parallelism: 1, SaltLen: 16, KeyLen: 32})},
	}
	for _, opt := range opts {
		opt(&o)
	}
	o.Auth = auth.New(db.Client, o.Clock, testauth.Settings())
	return testauth.AdminClient(t, db, server.New(db, o))
}

type userErr struct {
	Field []string `json:"field"`
	Code  string   `json:"code"`
}

func TestCreateAndUpdateUserThroughAPI(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		db := e.Open(t)
		api := adminAPI(t, db)
		const create = `mutation($input: CreateUserInput!) {
			createUser(input: $input) {
				user { id username version status allowedStatusTransitions }
				userErrors { field code message }
			}
		}`
		var created struct {
			CreateUser struct {
				User *struct {
					ID, Username string
					Version      int
					Status       string
				}
				UserErrors []userErr
			}
		}
		api.Do(t, create, map[string]any{"input": map[string]any{
			"username": "Ivan", "email": "ivan@example.com", "sendPasswordSetupEmail": true,
			"profile": map[string]any{"team": "red"}}}).MustData(t, &created)
		if created.CreateUser.User == nil || created.CreateUser.User.Version != 1 {
			t.Fatalf("createUser: %+v", created.CreateUser)
		}
		if n := db.Client.OutboxMessage.Query().CountX(authz.SystemContext(context.Background())); n != 1 {
			t.Fatalf("%d set-up emails queued, want 1", n)
		}

		tests := []struct {
			name  string
			input map[string]any
			field string
			code  string
		}{
			{"duplicate in another case", map[string]any{"username": "IVAN",
				"email": "i2@example.com", "sendPasswordSetupEmail": true}, "username", "DUPLICATE"},
			{"invalid email", map[string]any{"username": "judy", "email": "judy",
				"sendPasswordSetupEmail": true}, "email", "INVALID_VALUE"},
			{"invalid phone", map[string]any{"username": "judy", "email": "judy@example.com",
				"phone": "call me", "sendPasswordSetupEmail": true}, "phone", "INVALID_VALUE"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				var got struct {
					CreateUser struct{ UserErrors []userErr }
				}
				api.Do(t, create, map[string]any{"input": tc.input}).MustData(t, &got)
				errs := got.CreateUser.UserErrors
				if len(errs) != 1 || errs[0].Code != tc.code || errs[0].Field[1] != tc.field {
					t.Fatalf("userErrors = %+v", errs)
				}
			})
		}

		const update = `mutation($input: UpdateUserInput!) {
			updateUser(input: $input) { user { version lastName } userErrors { code } }
		}`
		vars := map[string]any{"input": map[string]any{"userId": created.CreateUser.User.ID,
			"expectedVersion": 1, "lastName": "Petrov"}}
		var updated struct {
			UpdateUser struct {
				User       *struct{ Version int }
				UserErrors []userErr
			}
		}
		api.Do(t, update, vars).MustData(t, &updated)
		if updated.UpdateUser.User == nil || updated.UpdateUser.User.Version != 2 {
			t.Fatalf("updateUser: %+v", updated.UpdateUser)
		}
		api.Do(t, update, vars).MustData(t, &updated)
		if updated.UpdateUser.User != nil || updated.UpdateUser.UserErrors[0].Code != "VERSION_CONFLICT" {
			t.Fatalf("stale update: %+v", updated.UpdateUser)
		}
	})
}

func TestAssignRolesAndReadAuditTrail(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		db := e.Open(t)
		ctx := authz.SystemContext(context.Background())
		api := adminAPI(t, db)
		u := db.Client.User.Create().SetUsername("kim").SetEmail("kim@example.com").SaveX(ctx)
		var roleIDs []string
		for i := range 5 {
			var got struct {
				CreateRole struct{ Role struct{ ID string } }
			}
			api.Do(t, `mutation($name: String!) {
				createRole(input: {name: $name, permissions: [USERS_READ]}) { role { id } userErrors { code } }
			}`, map[string]any{"name": fmt.Sprint("Role ", i)}).MustData(t, &got)
			roleIDs = append(roleIDs, got.CreateRole.Role.ID)
		}
		expiry := time.Now().Add(24 * time.Hour).UTC().Format(time.RFC3339)
		var assignments []map[string]any
		for _, id := range roleIDs {
			assignments = append(assignments, map[string]any{"roleId": id, "expiresAt": expiry})
		}
		var assigned struct {
			AssignRoles struct {
				User struct {
					Version         int
					RoleAssignments []struct {
						Expired bool
						Role    struct{ Name string }
					}
				}
				UserErrors []userErr
			}
		}
		api.Do(t, `mutation($input: AssignRolesInput!) {
			assignRoles(input: $input) {
				user { version roleAssignments { expired role { name } } }
				userErrors { code }
			}
		}`, map[string]any{"input": map[string]any{"userId": scalar.EncodeID(u.ID),
			"assignments": assignments}}).MustData(t, &assigned)
		if n := len(assigned.AssignRoles.User.RoleAssignments); n != 5 {
			t.Fatalf("%d role assignments, want 5: %+v", n, assigned.AssignRoles)
		}

		_, err := db.Client.User.UpdateOneID(u.ID).SetStatus(account.StatusActive).Save(ctx)
		if err != nil {
			t.Fatal(err)
		}
		api.Do(t, `mutation($id: ID!) {
			updateAccountStatus(input: {userId: $id, status: LOCKED, reason: "review"}) { userErrors { code } }
		}`, map[string]any{"id": scalar.EncodeID(u.ID)}).MustData(t, &struct{}{})

		const trail = `query($id: ID!, $after: Cursor) {
			node(id: $id) { ... on User { auditEvents(first: 1, after: $after) {
				totalCount
				pageInfo { hasNextPage endCursor }
				edges { node { action actorName targetType targetId changes { field before after } } }
			} } }
		}`
		type page struct {
			Node struct {
				AuditEvents struct {
					TotalCount int
					PageInfo   struct {
						HasNextPage bool
						EndCursor   string
					}
					Edges []struct {
						Node struct {
							Action, TargetType, TargetID string
							Changes                      []struct {
								Field         string
								Before, After json.RawMessage
							}
						}
					}
				}
			}
		}
		var first page
		api.Do(t, trail, map[string]any{"id": scalar.EncodeID(u.ID)}).MustData(t, &first)
		ev := first.Node.AuditEvents
		if ev.TotalCount != 2 || !ev.PageInfo.HasNextPage || ev.Edges[0].Node.Action != "user.status_changed" {
			t.Fatalf("first page: %+v", ev)
		}
		var status string
		for _, ch := range ev.Edges[0].Node.Changes {
			if ch.Field == "status" {
				status = string(ch.Before) + "->" + string(ch.After)
			}
		}
		if status != `"ACTIVE"->"LOCKED"` {
			t.Fatalf("status change = %s", status)
		}
		var second page
		api.Do(t, trail, map[string]any{"id": scalar.EncodeID(u.ID),
			"after": ev.PageInfo.EndCursor}).MustData(t, &second)
		if got := second.Node.AuditEvents.Edges; len(got) != 1 || got[0].Node.Action != "user.roles_assigned" ||
			len(got[0].Node.Changes) != 5 {
			t.Fatalf("second page: %+v", second.Node.AuditEvents)
		}

		var filtered struct {
			AuditEvents struct{ TotalCount int }
		}
		api.Do(t, `query { auditEvents(where: {targetType: "Role"}) { totalCount } }`, nil).
			MustData(t, &filtered)
		if filtered.AuditEvents.TotalCount != 5 {
			t.Fatalf("%d role events, want 5", filtered.AuditEvents.TotalCount)
		}
	})
}

func TestBulkLimitAndPublicResetThroughAPI(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		db := e.Open(t)
		api := adminAPI(t, db)
		ids := make([]string, admin.MaxBulkUsers+1)
		for i := range ids {
			ids[i] = scalar.EncodeID(i + 1)
		}
		var bulk struct {
			BulkUpdateAccountStatus struct {
				Users      []struct{ ID string }
				UserErrors []userErr
			}
		}
		api.Do(t, `mutation($ids: [ID!]!) {
			bulkUpdateAccountStatus(input: {userIds: $ids, status: INACTIVE}) {
				users { id } failures { userId code } userErrors { field code }
			}
		}`, map[string]any{"ids": ids}).MustData(t, &bulk)
		if errs := bulk.BulkUpdateAccountStatus.UserErrors; len(errs) != 1 || errs[0].Code != "TOO_MANY_ITEMS" {
			t.Fatalf("userErrors = %+v", errs)
		}

		var reset struct {
			CompletePasswordReset struct{ UserErrors []userErr }
		}
		api.Do(t, `mutation {
			completePasswordReset(input: {token: "nope", newPassword: "Whatever-Passw0rd"}) { userErrors { field code } }
		}`, nil).MustData(t, &reset)
		if errs := reset.CompletePasswordReset.UserErrors; len(errs) != 1 || errs[0].Code != "INVALID_TOKEN" {
			t.Fatalf("userErrors = %+v", errs)
		}
	})
}
