package graph_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"accountd/ent/organization"
	"accountd/ent/twofactorkey"
	"accountd/ent/user"
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

const expiringQuery = `query($before: Time!, $kinds: [AssignmentKind!], $first: Int, $after: String) {
	expiringAssignments(before: $before, kinds: $kinds, first: $first, after: $after) {
		totalCount
		edges { cursor node { kind expiresAt user { username } role { name } group { name } } }
		pageInfo { hasNextPage endCursor }
	}
}`

type expiringPage struct {
	ExpiringAssignments struct {
		TotalCount int
		Edges      []struct {
			Node struct {
				Kind      string
				ExpiresAt time.Time
				User      struct{ Username string }
				Role      *struct{ Name string }
				Group     *struct{ Name string }
			}
		}
		PageInfo struct {
			HasNextPage bool
			EndCursor   *string
		}
	}
}

// expiring pages through expiringAssignments and returns its nodes as
// "kind user what" and the total it reported.
func expiring(t *testing.T, c *testapi.Client, before time.Time, kinds []string, first int) ([]string, int) {
	t.Helper()
	var out []string
	var after *string
	total := -1
	for {
		var page expiringPage
		c.Do(t, expiringQuery, map[string]any{"before": before, "kinds": kinds, "first": first,
			"after": after}).MustData(t, &page)
		conn := page.ExpiringAssignments
		if total == -1 {
			total = conn.TotalCount
		}
		for _, e := range conn.Edges {
			what := ""
			switch {
			case e.Node.Role != nil:
				what = e.Node.Role.Name
			case e.Node.Group != nil:
				what = e.Node.Group.Name
			}
			out = append(out, fmt.Sprintf("%s %s %s %s", e.Node.ExpiresAt.Format("02T15"),
				e.Node.Kind, e.Node.User.Username, what))
		}
		if !conn.PageInfo.HasNextPage {
			return out, total
		}
		after = conn.PageInfo.EndCursor
	}
}

func TestExpiringAssignmentsAndExtensions(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		db := e.Open(t)
		ctx := authz.SystemContext(context.Background())
		now := time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)
		clk := clock.NewManual(now)
		admin, anon := reportsAPI(t, db, clk)
		auditor := db.Client.Role.Create().SetName("Auditor").SaveX(ctx)
		shift := db.Client.Group.Create().SetName("Night shift").SetType("JOB").SaveX(ctx)
		at := func(h int) time.Time { return now.Add(time.Duration(h) * time.Hour) }
		for i, name := range []string{"ann", "bob", "cem"} {
			u := testauth.CreateUser(t, db, testauth.UserSpec{Username: name})
			// Role and group expire at the same instant: roles list first.
			db.Client.RoleAssignment.Create().SetUser(u).SetRole(auditor).
				SetExpiresAt(at(10 * (i + 1))).ExecX(ctx)
			db.Client.GroupMembership.Create().SetUser(u).SetGroup(shift).
				SetExpiresAt(at(10 * (i + 1))).ExecX(ctx)
		}
		dan := testauth.CreateUser(t, db, testauth.UserSpec{Username: "dan"})
		db.Client.RoleAssignment.Create().SetUser(dan).SetRole(auditor).
			SetExpiresAt(at(-1)).ExecX(ctx) // expired, not yet swept
		db.Client.GroupMembership.Create().SetUser(dan).SetGroup(shift).ExecX(ctx) // permanent

		want := []string{
			"01T18 ROLE ann Auditor", "01T18 GROUP ann Night shift",
			"02T04 ROLE bob Auditor", "02T04 GROUP bob Night shift",
			"02T14 ROLE cem Auditor", "02T14 GROUP cem Night shift",
		}
		for _, tc := range []struct {
			name   string
			before time.Time
			kinds  []string
			first  int
			want   []string
		}{
			{"all, one a page", at(48), nil, 1, want},
			{"all, four a page", at(48), []string{"ROLE", "GROUP"}, 4, want},
			{"roles", at(48), []string{"ROLE"}, 2, []string{want[0], want[2], want[4]}},
			{"groups before bob's", at(20), []string{"GROUP"}, 20, []string{want[1]}},
			{"before the first", at(10), nil, 20, nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got, total := expiring(t, admin, tc.before, tc.kinds, tc.first)
				if fmt.Sprint(got) != fmt.Sprint(tc.want) || total != len(tc.want) {
					t.Fatalf("got %q (total %d), want %q", got, total, tc.want)
				}
			})
		}

		extend := func(mutation, idField string, userID, targetID int, to time.Time) testapi.Response {
			return admin.Do(t, fmt.Sprintf(`mutation($input: %sInput!) {
				%s(input: $input) { user { username } userErrors { field code } }
			}`, mutation, lowerFirst(mutation)), map[string]any{"input": map[string]any{
				"userId": scalar.EncodeID(userID), idField: scalar.EncodeID(targetID),
				"expiresAt": to}})
		}
		ann := db.Client.User.Query().Where(user.Username("ann")).OnlyX(ctx)
		refusals := []struct {
			name     string
			mutation string
			idField  string
			target   int
			to       time.Time
			code     string
		}{
			{"earlier", "ExtendRoleAssignment", "roleId", auditor.ID, at(5), "EXPIRY_NOT_LATER"},
			{"same", "ExtendGroupMembership", "groupId", shift.ID, at(10), "EXPIRY_NOT_LATER"},
			{"in the past", "ExtendRoleAssignment", "roleId", auditor.ID, at(-2), "EXPIRY_IN_PAST"},
			{"not held", "ExtendGroupMembership", "groupId", auditor.ID, at(100), "NOT_FOUND"},
		}
		for _, tc := range refusals {
			t.Run("refused "+tc.name, func(t *testing.T) {
				var data map[string]struct {
					UserErrors []userErr
				}
				extend(tc.mutation, tc.idField, ann.ID, tc.target, tc.to).MustData(t, &data)
				errs := data[lowerFirst(tc.mutation)].UserErrors
				if len(errs) != 1 || errs[0].Code != tc.code {
					t.Fatalf("user errors %+v, want %s", errs, tc.code)
				}
			})
		}
		if got, _ := expiring(t, admin, at(48), nil, 20); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("refused extensions changed the list: %q", got)
		}

		for _, tc := range []struct {
			mutation, idField string
			target            int
		}{
			{"ExtendRoleAssignment", "roleId", auditor.ID},
			{"ExtendGroupMembership", "groupId", shift.ID},
		} {
			var data map[string]struct{ UserErrors []userErr }
			extend(tc.mutation, tc.idField, ann.ID, tc.target, at(24*30)).MustData(t, &data)
			if errs := data[lowerFirst(tc.mutation)].UserErrors; len(errs) != 0 {
				t.Fatalf("%s: %+v", tc.mutation, errs)
			}
		}
		if got, _ := expiring(t, admin, at(48), nil, 20); fmt.Sprint(got) != fmt.Sprint(want[2:]) {
			t.Fatalf("after extending ann's: %q", got)
		}
		var events struct {
			AuditEvents struct{ TotalCount int }
		}
		for _, action := range []string{"user.role_assignment_extended",
			"user.group_membership_extended"} {
			admin.Do(t, `query($a: String) { auditEvents(where: {action: $a}) { totalCount } }`,
				map[string]any{"a": action}).MustData(t, &events)
			if events.AuditEvents.TotalCount != 1 {
				t.Fatalf("%d %s events, want 1", events.AuditEvents.TotalCount, action)
			}
		}

		testauth.CreateUser(t, db, testauth.UserSpec{Username: "reader",
			Permissions: []authz.Permission{authz.UsersRead}})
		readerAPI := testauth.Login(t, anon, "reader")
		// A caller of one organization sees only its members' assignments.
		west := db.Client.Organization.Create().SetCode("WEST").SetName("West").SaveX(ctx)
		db.Client.User.Update().Where(user.Username("bob")).AddOrganizationIDs(west.ID).ExecX(ctx)
		testauth.CreateUser(t, db, testauth.UserSpec{Username: "west-reader",
			OrganizationIDs: []int{west.ID}, Permissions: []authz.Permission{authz.UsersRead}})
		westAPI := testauth.Login(t, anon, "west-reader")
		if got, total := expiring(t, westAPI, at(48), nil, 1); fmt.Sprint(got) != fmt.Sprint(want[2:4]) ||
			total != 2 {
			t.Fatalf("organization-scoped: %q (total %d), want %q", got, total, want[2:4])
		}
		for _, tc := range []struct {
			name string
			c    *testapi.Client
			vars map[string]any
			want string
		}{
			{"bad cursor", admin, map[string]any{"before": at(48), "after": "nonsense"}, "BAD_REQUEST"},
			{"page too large", admin, map[string]any{"before": at(48), "first": 101}, "BAD_REQUEST"},
			{"page empty", admin, map[string]any{"before": at(48), "first": 0}, "BAD_REQUEST"},
			{"no session", anon, map[string]any{"before": at(48)}, "UNAUTHENTICATED"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if got := tc.c.Do(t, expiringQuery, tc.vars).ErrorCode(); got != tc.want {
					t.Fatalf("code %q, want %q", got, tc.want)
				}
			})
		}
		res := readerAPI.Do(t, `mutation($input: ExtendRoleAssignmentInput!) {
			extendRoleAssignment(input: $input) { userErrors { code } } }`,
			map[string]any{"input": map[string]any{"userId": scalar.EncodeID(ann.ID),
				"roleId": scalar.EncodeID(auditor.ID), "expiresAt": at(24 * 60)}})
		if got := res.ErrorCode(); got != "FORBIDDEN" {
			t.Fatalf("extension without USERS_ACCESS: code %q", got)
		}
	})
}

func lowerFirst(s string) string { return strings.ToLower(s[:1]) + s[1:] }

func TestOrganizationNotificationEmail(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		db := e.Open(t)
		api := adminAPI(t, db)
		const create = `mutation($input: CreateOrganizationInput!) {
			createOrganization(input: $input) {
				organization { id notificationEmail }
				userErrors { field code }
			}
		}`
		for _, tc := range []struct {
			name, email, wantEmail, wantCode string
		}{
			{"an address", "east-admins@example.com", "east-admins@example.com", ""},
			{"none", "", "", ""},
			{"not an address", "east admins", "", "INVALID_VALUE"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				var data struct {
					CreateOrganization struct {
						Organization *struct{ NotificationEmail string }
						UserErrors   []userErr
					}
				}
				api.Do(t, create, map[string]any{"input": map[string]any{
					"code": strings.ReplaceAll(tc.name, " ", "-"), "name": tc.name,
					"notificationEmail": tc.email}}).MustData(t, &data)
				got := data.CreateOrganization
				switch {
				case tc.wantCode != "":
					if len(got.UserErrors) != 1 || got.UserErrors[0].Code != tc.wantCode ||
						got.Organization != nil {
						t.Fatalf("got %+v, want %s", got, tc.wantCode)
					}
				case len(got.UserErrors) != 0 || got.Organization.NotificationEmail != tc.wantEmail:
					t.Fatalf("got %+v, want %q", got, tc.wantEmail)
				}
			})
		}
	})
}
