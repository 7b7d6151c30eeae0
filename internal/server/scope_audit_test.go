package server_test

import (
	"context"
	"sort"
	"strconv"
	"testing"
	"time"

	"accountd/graph/scalar"
	"accountd/internal/audit"
	"accountd/internal/authz"
	"accountd/internal/clock"
	"accountd/internal/testapi"
	"accountd/internal/testauth"
	"accountd/internal/testdb"
)

// TestAuditEventsFollowTheOrganizationScope records events about a user
// of organization A, one of organization B and a role, and reads them as
// a global administrator and as an administrator of A.
func TestAuditEventsFollowTheOrganizationScope(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		db := e.Open(t)
		c := testapi.Serve(t, testauth.Handler(t, db, clock.NewManual(start)))
		orgA, orgB := organization(t, db, "A"), organization(t, db, "B")
		inA := testauth.CreateUser(t, db, testauth.UserSpec{Username: "in-a", OrganizationIDs: []int{orgA.ID}})
		inB := testauth.CreateUser(t, db, testauth.UserSpec{Username: "in-b", OrganizationIDs: []int{orgB.ID}})
		testauth.CreateUser(t, db, testauth.UserSpec{Username: "global-admin", Administrator: true})
		testauth.CreateUser(t, db, testauth.UserSpec{Username: "org-admin",
			Permissions: allBut(authz.GlobalAccess), OrganizationIDs: []int{orgA.ID}})

		ctx := authz.SystemContext(context.Background())
		events := []audit.Event{
			{Action: "user.updated", TargetType: "User", TargetID: inA.ID},
			{Action: "user.updated", TargetType: "User", TargetID: inB.ID},
			{Action: "role.created", TargetType: "Role", TargetID: 30064771072 + 7},
		}
		for _, ev := range events {
			if err := audit.Record(ctx, db.Client, time.Now(), ev); err != nil {
				t.Fatal(err)
			}
		}

		read := func(api *testapi.Client) []string {
			var data struct {
				AuditEvents struct {
					Edges []struct {
						Node struct{ Action, TargetType, TargetID string }
					}
				}
			}
			api.Do(t, `{ auditEvents(first: 100, where: {action: "user.updated"}) { edges { node {
				action targetType targetId } } } }`, nil).MustData(t, &data)
			var ids []string
			for _, e := range data.AuditEvents.Edges {
				ids = append(ids, e.Node.TargetID)
			}
			var all struct {
				AuditEvents struct{ TotalCount int }
			}
			api.Do(t, `{ auditEvents(first: 1) { totalCount } }`, nil).MustData(t, &all)
			ids = append(ids, "total", strconv.Itoa(all.AuditEvents.TotalCount))
			sort.Strings(ids[:len(ids)-2])
			return ids
		}
		global := read(testauth.Login(t, c, "global-admin"))
		if len(global) != 4 || global[3] != "3" {
			t.Fatalf("the global administrator sees %v, want both user events and 3 in all", global)
		}
		limited := read(testauth.Login(t, c, "org-admin"))
		if len(limited) != 3 || limited[0] != scalar.EncodeID(inA.ID) || limited[2] != "1" {
			t.Fatalf("the administrator of A sees %v, want only the event about %s", limited,
				scalar.EncodeID(inA.ID))
		}
	})
}
