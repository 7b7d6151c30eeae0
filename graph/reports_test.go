package graph_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"accountd/ent/organization"
	"accountd/ent/twofactorkey"
	"accountd/graph/scalar"
	"accountd/internal/auth"
	"accountd/internal/authz"
	"accountd/internal/clock"
	"accountd/internal/demo"
	"accountd/internal/server"
	"accountd/internal/storage"
	"accountd/internal/testapi"
	"accountd/internal/testauth"
	"accountd/internal/testdb"
)

// counts are statistics as maps from a name or ID to a count.
type counts struct {
	Total          int
	ByStatus       map[string]int
	ByTwoFactor    map[string]int
	ByOrganization map[string]int
	ByRole         map[string]int
}

const statisticsQuery = `query($search: String) {
	userStatistics(search: $search) {
		total
		byStatus { status count }
		byTwoFactorState { state count }
		byOrganization { organization { id } count }
		byRole { role { id } count }
	}
}`

// statistics asks userStatistics, leaving out zero counts.
func statistics(t *testing.T, c *testapi.Client, search *string) counts {
	t.Helper()
	var data struct {
		UserStatistics struct {
			Total    int
			ByStatus []struct {
				Status string
				Count  int
			}
			ByTwoFactorState []struct {
				State string
				Count int
			}
			ByOrganization []struct {
				Organization struct{ ID string }
				Count        int
			}
			ByRole []struct {
				Role  struct{ ID string }
				Count int
			}
		}
	}
	c.Do(t, statisticsQuery, map[string]any{"search": search}).MustData(t, &data)
	s := data.UserStatistics
	got := counts{Total: s.Total, ByStatus: map[string]int{}, ByTwoFactor: map[string]int{},
		ByOrganization: map[string]int{}, ByRole: map[string]int{}}
	for _, r := range s.ByStatus {
		if r.Count > 0 {
			got.ByStatus[r.Status] = r.Count
		}
	}
	for _, r := range s.ByTwoFactorState {
		if r.Count > 0 {
			got.ByTwoFactor[r.State] = r.Count
		}
	}
	for _, r := range s.ByOrganization {
		got.ByOrganization[r.Organization.ID] = r.Count
	}
	for _, r := range s.ByRole {
		got.ByRole[r.Role.ID] = r.Count
	}
	return got
}

// countUsers pages through users and counts what it sees; the two-factor
// states come from the keys the test created.
func countUsers(t *testing.T, c *testapi.Client, search *string, keys map[string]string) counts {
	t.Helper()
	got := counts{ByStatus: map[string]int{}, ByTwoFactor: map[string]int{},
		ByOrganization: map[string]int{}, ByRole: map[string]int{}}
	var after *string
	for {
		var data struct {
			Users struct {
				Edges []struct {
					Node struct {
						Username        string
						Status          string
						Organizations   []struct{ ID string }
						RoleAssignments []struct{ Role struct{ ID string } }
					}
				}
				PageInfo struct {
					HasNextPage bool
					EndCursor   *string
				}
			}
		}
		// expiresAt is selected because the eager load reads only the
		// selected columns, and the expired filter needs it.
		c.Do(t, `query($after: Cursor, $search: String) {
			users(first: 100, after: $after, search: $search) {
				edges { node { username status organizations { id } roleAssignments { expiresAt role { id } } } }
				pageInfo { hasNextPage endCursor }
			}
		}`, map[string]any{"after": after, "search": search}).MustData(t, &data)
		for _, e := range data.Users.Edges {
			n := e.Node
			got.Total++
			got.ByStatus[n.Status]++
			state := keys[n.Username]
			if state == "" {
				state = "NOT_CONFIGURED"
			}
			got.ByTwoFactor[state]++
			for _, o := range n.Organizations {
				got.ByOrganization[o.ID]++
			}
			for _, a := range n.RoleAssignments {
				got.ByRole[a.Role.ID]++
			}
		}
		if !data.Users.PageInfo.HasNextPage {
			return got
		}
		after = data.Users.PageInfo.EndCursor
	}
}

func sameCounts(t *testing.T, who string, got, want counts) {
	t.Helper()
	if got.Total != want.Total {
		t.Fatalf("%s: total %d, want %d", who, got.Total, want.Total)
	}
	for name, pair := range map[string][2]map[string]int{
		"byStatus":         {got.ByStatus, want.ByStatus},
		"byTwoFactorState": {got.ByTwoFactor, want.ByTwoFactor},
		"byOrganization":   {got.ByOrganization, want.ByOrganization},
		"byRole":           {got.ByRole, want.ByRole},
	} {
		if fmt.Sprint(pair[0]) != fmt.Sprint(pair[1]) {
			t.Fatalf("%s: %s %v, want %v", who, name, pair[0], pair[1])
		}
	}
}

// reportsAPI serves the handler over db with clk and returns an
// administrator's client.
func reportsAPI(t *testing.T, db *storage.DB, clk clock.Clock) (*testapi.Client, *testapi.Client) {
	t.Helper()
	h := server.New(db, server.Options{Logger: testapi.Logger(t), Clock: clk,
		Auth: auth.New(db.Client, clk, testauth.Settings())})
	return testauth.AdminClient(t, db, h), testapi.Serve(t, h)
}

func TestUserStatisticsMatchTheUsersList(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		db := e.Open(t)
		ctx := authz.SystemContext(context.Background())
		clk := clock.NewManual(time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC))
		if _, err := demo.Seed(ctx, db.Client, clk); err != nil {
			t.Fatal(err)
		}
		admin, anon := reportsAPI(t, db, clk)
		users := db.Client.User.Query().Limit(3).AllX(ctx)
		keys := map[string]string{users[0].Username: "PENDING_CONFIRMATION",
			users[1].Username: "CONFIGURED"}
		for _, u := range users[:2] {
			db.Client.TwoFactorKey.Create().SetUserID(u.ID).SetSecretCiphertext([]byte("x")).
				SetState(twofactorkey.State(keys[u.Username])).ExecX(ctx)
		}
		org := db.Client.Organization.Query().Order(organization.ByID()).FirstX(ctx)
		testauth.CreateUser(t, db, testauth.UserSpec{Username: "org-reporter",
			OrganizationIDs: []int{org.ID},
			Permissions:     []authz.Permission{authz.UsersRead, authz.ReportsRead}})
		scoped := testauth.Login(t, anon, "org-reporter")

		global := statistics(t, admin, nil)
		sameCounts(t, "administrator", global, countUsers(t, admin, nil, keys))
		if global.Total != demo.UserCount+2 {
			t.Fatalf("total %d, want the demo users and the two test users", global.Total)
		}
		mine := statistics(t, scoped, nil)
		sameCounts(t, "organization-scoped", mine, countUsers(t, scoped, nil, keys))
		orgID := scalar.EncodeID(org.ID)
		if mine.Total != global.ByOrganization[orgID] || mine.Total >= global.Total {
			t.Fatalf("scoped total %d, want the %d users of %s out of %d",
				mine.Total, global.ByOrganization[orgID], org.Name, global.Total)
		}
		search := "anna"
		sameCounts(t, "search", statistics(t, admin, &search), countUsers(t, admin, &search, keys))
	})
}

func TestUserStatisticsNeedReportsRead(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		db := e.Open(t)
		_, anon := reportsAPI(t, db, clock.System{})
		testauth.CreateUser(t, db, testauth.UserSpec{Username: "reader",
			Permissions: []authz.Permission{authz.UsersRead}})
		for _, tc := range []struct {
			name string
			c    *testapi.Client
			want string
		}{
			{"no session", anon, "UNAUTHENTICATED"},
			{"without REPORTS_READ", testauth.Login(t, anon, "reader"), "FORBIDDEN"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if got := tc.c.Do(t, statisticsQuery, nil).ErrorCode(); got != tc.want {
					t.Fatalf("code %q, want %q", got, tc.want)
				}
			})
		}
	})
}
