package server_test

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"accountd/ent/predicate"
	"accountd/ent/roleassignment"
	"accountd/graph/scalar"
	"accountd/internal/auth"
	"accountd/internal/authz"
	"accountd/internal/clock"
	"accountd/internal/demo"
	"accountd/internal/logging"
	"accountd/internal/server"
	"accountd/internal/storage"
	"accountd/internal/testapi"
	"accountd/internal/testauth"
	"accountd/internal/testdb"
)

// seededUsers is how many users a test environment holds: the demo's and
// the administrator the tests log in as.
const seededUsers = demo.UserCount + 1

// fixedNow is the time the manual clock of these tests starts at.
var fixedNow = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

type env struct {
	db    *storage.DB
	api   *testapi.Client
	clock *clock.Manual
	logs  *syncBuffer
}

// syncBuffer collects log output from concurrent requests.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// newEnv serves a fresh database of engine e loaded with the demo data.
func newEnv(t *testing.T, e testdb.Engine) *env {
	t.Helper()
	db := e.Open(t)
	clk := clock.NewManual(fixedNow)
	if _, err := demo.Seed(context.Background(), db.Client, clk); err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	logger, err := logging.New(logs, "info", "json")
	if err != nil {
		t.Fatal(err)
	}
	h := server.New(db, server.Options{
		Logger:      logger,
		Clock:       clk,
		CORSOrigins: []string{"https://console.example"},
		Auth:        auth.New(db.Client, clk, testauth.Settings()),
	})
	return &env{db: db, api: testauth.AdminClient(t, db, h), clock: clk, logs: logs}
}

func TestBadInputIsRefusedAndTheServerKeepsServing(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		env := newEnv(t, e)
		unknownID := scalar.EncodeID(unknownKey)
		tests := []struct {
			name       string
			send       func() testapi.Response
			wantStatus int
			wantCode   string
		}{
			{"malformed JSON", func() testapi.Response {
				return env.api.Post(t, "application/json", []byte(`{"query": "{ users { totalCount } }"`))
			}, http.StatusBadRequest, "BAD_REQUEST"},
			{"GraphQL syntax error", func() testapi.Response {
				return env.api.Do(t, `{ users { totalCount }`, nil)
			}, http.StatusUnprocessableEntity, "BAD_REQUEST"},
			{"unknown field", func() testapi.Response {
				return env.api.Do(t, `{ users { totalCount shoeSize } }`, nil)
			}, http.StatusUnprocessableEntity, "BAD_REQUEST"},
			{"unknown ID", func() testapi.Response {
				return env.api.Do(t, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": unknownID})
			}, http.StatusOK, "NOT_FOUND"},
			{"ID of a table that is not a node", func() testapi.Response {
				// The caller's own session: its key is real, but sessions
				// are not reachable through the API.
				return env.api.Do(t, `query($id: ID!) { node(id: $id) { id } }`,
					map[string]any{"id": scalar.EncodeID(42949672960 + 1)})
			}, http.StatusOK, "NOT_FOUND"},
			{"ID beyond every table", func() testapi.Response {
				return env.api.Do(t, `query($id: ID!) { node(id: $id) { id } }`,
					map[string]any{"id": scalar.EncodeID(1 << 60)})
			}, http.StatusOK, "NOT_FOUND"},
			{"unknown ID among nodes", func() testapi.Response {
				return env.api.Do(t, `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`,
					map[string]any{"ids": []string{unknownID, scalar.EncodeID(unknownKey + 1)}})
			}, http.StatusOK, "NOT_FOUND"},
			{"malformed ID literal", func() testapi.Response {
				return env.api.Do(t, `{ node(id: "not-an-id") { id } }`, nil)
			}, http.StatusOK, "BAD_REQUEST"},
			{"malformed ID variable", func() testapi.Response {
				return env.api.Do(t, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": "%%%"})
			}, http.StatusOK, "BAD_REQUEST"},
			{"page size 0", func() testapi.Response {
				return env.api.Do(t, `{ users(first: 0) { totalCount } }`, nil)
			}, http.StatusOK, "BAD_REQUEST"},
			{"page size 101", func() testapi.Response {
				return env.api.Do(t, `{ users(first: 101) { totalCount } }`, nil)
			}, http.StatusOK, "BAD_REQUEST"},
			{"negative page size", func() testapi.Response {
				return env.api.Do(t, `{ users(last: -1) { totalCount } }`, nil)
			}, http.StatusOK, "BAD_REQUEST"},
			{"nested page size 101", func() testapi.Response {
				return env.api.Do(t, `{ roles(first: 101) { totalCount } }`, nil)
			}, http.StatusOK, "BAD_REQUEST"},
			{"over-deep query", func() testapi.Response {
				return env.api.Do(t, deepQuery(16), nil)
			}, http.StatusOK, "BAD_REQUEST"},
			{"2 MiB body", func() testapi.Response {
				pad := strings.Repeat(" ", 2<<20)
				return env.api.Post(t, "application/json",
					[]byte(`{"query": "{ users { totalCount } }`+pad+`"}`))
			}, http.StatusRequestEntityTooLarge, "BAD_REQUEST"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				res := tc.send()
				if res.Status != tc.wantStatus {
					t.Errorf("status = %d, want %d (%s)", res.Status, tc.wantStatus, res.Raw)
				}
				if got := res.ErrorCode(); got != tc.wantCode {
					t.Errorf("code = %q, want %q (%s)", got, tc.wantCode, res.Raw)
				}
				assertNoLeak(t, res.Raw)
				var ok struct{ Users struct{ TotalCount int } }
				env.api.Do(t, `{ users { totalCount } }`, nil).MustData(t, &ok)
				if ok.Users.TotalCount != seededUsers {
					t.Fatalf("after the bad request, totalCount = %d", ok.Users.TotalCount)
				}
			})
		}
	})
}

// deepQuery returns a valid query exactly depth fields deep: users >
// edges > node, then user > roleAssignments pairs, then leaf fields.
func deepQuery(depth int) string {
	inner := "id"
	levels := 4 // users, edges, node, id
	if (depth-levels)%2 == 1 {
		inner, levels = "roleAssignments { id }", levels+1
	}
	for levels < depth {
		inner = "roleAssignments { user { " + inner + " } }"
		levels += 2
	}
	return "{ users(first: 1) { edges { node { " + inner + " } } } }"
}

// unknownKey is a key in the users table's range that no user has.
const unknownKey = 51539607552 + 999999

func assertNoLeak(t *testing.T, raw []byte) {
	t.Helper()
	// Opaque IDs hide the keys behind them, such as unknownKey.
	for _, word := range []string{"SELECT", "sql:", "goroutine", ".go:", "pq:", "sqlite",
		strconv.Itoa(unknownKey)} {
		if bytes.Contains(raw, []byte(word)) {
			t.Errorf("response leaks %q: %s", word, raw)
		}
	}
}

func TestDepthLimitAcceptsFifteen(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		// Nested lists of role assignments cost 20 each, so the default
		// budget would refuse these documents before their depth counts.
		api := serveWithLimits(t, e, server.QueryLimits{CostBudget: math.MaxInt})
		if res := api.Do(t, deepQuery(15), nil); len(res.Errors) > 0 {
			t.Fatalf("a query 15 deep was refused: %s", res.Raw)
		}
		res := api.Do(t, deepQuery(16), nil)
		if res.ErrorCode() != "BAD_REQUEST" || !strings.Contains(res.Errors[0].Message, "depth 16") {
			t.Fatalf("a query 16 deep: %s", res.Raw)
		}
	})
}

func TestGetServesQueries(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		env := newEnv(t, e)
		res := env.api.Get(t, "query="+url.QueryEscape(`{ roles { totalCount } }`))
		var data struct{ Roles struct{ TotalCount int } }
		res.MustData(t, &data)
		if data.Roles.TotalCount == 0 {
			t.Fatalf("GET returned no roles: %s", res.Raw)
		}
	})
}

func TestProbesAndPlayground(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		env := newEnv(t, e)
		env.api.Do(t, `{ roles { totalCount } }`, nil)
		probes := map[string]string{
			"/healthz": "ok",
			"/readyz":  "ready",
			"/":        "<html",
			"/metrics": `accountd_http_requests_total{code="200",route="graphql"}`,
		}
		for path, want := range probes {
			res, err := http.Get(env.api.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			var body bytes.Buffer
			_, _ = body.ReadFrom(res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusOK || !strings.Contains(strings.ToLower(body.String()), want) {
				t.Errorf("GET %s = %d %q", path, res.StatusCode, body.String())
			}
		}
		env.db.Close()
		res, err := http.Get(env.api.URL + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("readyz with the database closed = %d, want 503", res.StatusCode)
		}
	})
}

func TestCORS(t *testing.T) {
	env := newEnv(t, testdb.Engines()[0])
	tests := []struct {
		origin, want string
	}{
		{"https://console.example", "https://console.example"},
		{"https://evil.example", ""},
	}
	for _, tc := range tests {
		t.Run(tc.origin, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodOptions, env.api.URL+"/graphql", nil)
			req.Header.Set("Origin", tc.origin)
			req.Header.Set("Access-Control-Request-Method", "POST")
			req.Header.Set("Access-Control-Request-Headers", "authorization, content-type")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if got := res.Header.Get("Access-Control-Allow-Origin"); got != tc.want {
				t.Fatalf("Access-Control-Allow-Origin = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestEveryLogLineOfARequestHasItsID(t *testing.T) {
	env := newEnv(t, testdb.Engines()[0])
	req, _ := http.NewRequest(http.MethodGet, env.api.URL+"/healthz", nil)
	req.Header.Set("X-Request-Id", "trace-42")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if got := res.Header.Get("X-Request-Id"); got != "trace-42" {
		t.Fatalf("X-Request-Id = %q", got)
	}
	if !strings.Contains(env.logs.String(), `"request_id":"trace-42"`) {
		t.Fatalf("the access log lacks the request id:\n%s", env.logs.String())
	}

	req.Header.Set("X-Request-Id", "bad id with spaces")
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if got := res.Header.Get("X-Request-Id"); len(got) != 16 {
		t.Fatalf("an unusable X-Request-Id was not replaced: %q", got)
	}
}

func TestNodeAndNodesRoundTrip(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		env := newEnv(t, e)
		var page struct {
			Users struct {
				Edges []struct{ Node struct{ ID, Username string } }
			}
			Roles struct {
				Edges []struct{ Node struct{ ID, Name string } }
			}
		}
		env.api.Do(t, `{ users(first: 2) { edges { node { id username } } }
			roles(first: 1) { edges { node { id name } } } }`, nil).MustData(t, &page)
		u := page.Users.Edges[0].Node
		r := page.Roles.Edges[0].Node

		var one struct {
			Node struct{ Username string }
		}
		env.api.Do(t, `query($id: ID!) { node(id: $id) { ... on User { username } } }`,
			map[string]any{"id": u.ID}).MustData(t, &one)
		if one.Node.Username != u.Username {
			t.Fatalf("node(%s) = %q, want %q", u.ID, one.Node.Username, u.Username)
		}

		var many struct {
			Nodes []map[string]any
		}
		env.api.Do(t, `query($ids: [ID!]!) { nodes(ids: $ids) { id ... on User { username }
			... on Role { name } } }`, map[string]any{"ids": []string{r.ID, u.ID}}).MustData(t, &many)
		if len(many.Nodes) != 2 || many.Nodes[0]["name"] != r.Name || many.Nodes[1]["username"] != u.Username {
			t.Fatalf("nodes = %v", many.Nodes)
		}
	})
}

func TestUsersPaginationFiltersAndSearch(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		env := newEnv(t, e)
		type page struct {
			Users struct {
				TotalCount int
				Edges      []struct {
					Cursor string
					Node   struct {
						Username, Email, Status string
					}
				}
				PageInfo struct {
					HasNextPage, HasPreviousPage bool
					StartCursor, EndCursor       string
				}
			}
		}
		q := `query($first: Int, $after: Cursor, $last: Int, $before: Cursor, $where: UserWhereInput,
			$search: String, $orderBy: [UserOrder!]) {
			users(first: $first, after: $after, last: $last, before: $before, where: $where,
				search: $search, orderBy: $orderBy) {
				totalCount edges { cursor node { username email status } }
				pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`

		var def page
		env.api.Do(t, q, nil).MustData(t, &def)
		if len(def.Users.Edges) != 20 || def.Users.TotalCount != seededUsers || !def.Users.PageInfo.HasNextPage {
			t.Fatalf("default page: %d edges, total %d", len(def.Users.Edges), def.Users.TotalCount)
		}

		// Walk forward through every user in pages of 37, then back.
		seen := map[string]bool{}
		vars := map[string]any{"first": 37, "orderBy": []map[string]string{{"field": "USERNAME"}}}
		var last string
		for {
			var p page
			env.api.Do(t, q, vars).MustData(t, &p)
			for _, edge := range p.Users.Edges {
				if seen[edge.Node.Username] {
					t.Fatalf("%s returned twice", edge.Node.Username)
				}
				if edge.Node.Username <= last {
					t.Fatalf("order broken: %s after %s", edge.Node.Username, last)
				}
				seen[edge.Node.Username], last = true, edge.Node.Username
			}
			if !p.Users.PageInfo.HasNextPage {
				break
			}
			vars["after"] = p.Users.PageInfo.EndCursor
		}
		if len(seen) != seededUsers {
			t.Fatalf("walked %d users, want %d", len(seen), seededUsers)
		}
		var back page
		env.api.Do(t, q, map[string]any{"last": 5, "orderBy": []map[string]string{{"field": "USERNAME"}}}).
			MustData(t, &back)
		if got := back.Users.Edges[4].Node.Username; got != last {
			t.Fatalf("last page ends with %s, want %s", got, last)
		}

		var locked page
		env.api.Do(t, q, map[string]any{"first": 100, "where": map[string]any{"status": "LOCKED"}}).
			MustData(t, &locked)
		if locked.Users.TotalCount != 8 {
			t.Fatalf("LOCKED users = %d, want 8", locked.Users.TotalCount)
		}
		for _, edge := range locked.Users.Edges {
			if edge.Node.Status != "LOCKED" {
				t.Fatalf("filter returned a %s user", edge.Node.Status)
			}
		}

		var lockedNext page
		env.api.Do(t, q, map[string]any{"first": 3, "after": locked.Users.Edges[2].Cursor,
			"where": map[string]any{"status": "LOCKED"}}).MustData(t, &lockedNext)
		if lockedNext.Users.TotalCount != 8 || len(lockedNext.Users.Edges) != 3 {
			t.Fatalf("second LOCKED page: total %d, %d edges", lockedNext.Users.TotalCount,
				len(lockedNext.Users.Edges))
		}
		var none page
		env.api.Do(t, q, map[string]any{"search": "no-such-user"}).MustData(t, &none)
		if none.Users.TotalCount != 0 || len(none.Users.Edges) != 0 || none.Users.PageInfo.HasNextPage {
			t.Fatalf("a search matching nothing: %+v", none.Users)
		}

		var found page
		env.api.Do(t, q, map[string]any{"search": "ANNA.ALB"}).MustData(t, &found)
		if found.Users.TotalCount == 0 {
			t.Fatal("search found nothing")
		}
		for _, edge := range found.Users.Edges {
			if !strings.Contains(edge.Node.Username, "anna.alb") {
				t.Fatalf("search returned %s", edge.Node.Username)
			}
		}
		var byEmail page
		env.api.Do(t, q, map[string]any{"search": "zimmermann"}).MustData(t, &byEmail)
		if byEmail.Users.TotalCount == 0 {
			t.Fatal("search over last names found nothing")
		}
	})
}

func TestAssignmentsHideExpiredUnlessAsked(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		env := newEnv(t, e)
		ctx := authz.SystemContext(context.Background())
		u, err := env.db.Client.User.Query().First(ctx)
		if err != nil {
			t.Fatal(err)
		}
		role, err := env.db.Client.Role.Create().SetName("Temporary Auditor").Save(ctx)
		if err != nil {
			t.Fatal(err)
		}
		expiry := fixedNow.Add(10 * time.Minute) // within the session's idle timeout
		if err := env.db.Client.RoleAssignment.Create().SetUserID(u.ID).SetRoleID(role.ID).
			SetExpiresAt(expiry).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		q := `query($id: ID!, $all: Boolean) { node(id: $id) { ... on User {
			roleAssignments(includeExpired: $all) { role { name } expiresAt expired } } } }`
		find := func(all bool) (found, expired bool) {
			var data struct {
				Node struct {
					RoleAssignments []struct {
						Role      struct{ Name string }
						ExpiresAt *string
						Expired   bool
					}
				}
			}
			env.api.Do(t, q, map[string]any{"id": scalar.EncodeID(u.ID), "all": all}).MustData(t, &data)
			for _, a := range data.Node.RoleAssignments {
				if a.Role.Name == "Temporary Auditor" {
					return true, a.Expired
				}
			}
			return false, false
		}
		if found, exp := find(false); !found || exp {
			t.Fatalf("before expiry: found=%v expired=%v", found, exp)
		}
		env.clock.Set(expiry) // expires at the very second
		if found, _ := find(false); found {
			t.Fatal("an expired assignment is listed without includeExpired")
		}
		if found, exp := find(true); !found || !exp {
			t.Fatalf("with includeExpired: found=%v expired=%v", found, exp)
		}
	})
}

func TestAllowedStatusTransitions(t *testing.T) {
	env := newEnv(t, testdb.Engines()[0])
	var data struct {
		Users struct {
			Edges []struct {
				Node struct {
					Status                   string
					AllowedStatusTransitions []string
				}
			}
		}
	}
	env.api.Do(t, `{ users(first: 100, where: {status: PENDING}) { edges { node {
		status allowedStatusTransitions } } } }`, nil).MustData(t, &data)
	for _, edge := range data.Users.Edges {
		got := fmt.Sprint(edge.Node.AllowedStatusTransitions)
		if got != "[ACTIVE REJECTED INACTIVE]" {
			t.Fatalf("PENDING allows %s", got)
		}
	}
}

func TestTimesAreUTC(t *testing.T) {
	env := newEnv(t, testdb.Engines()[0])
	var data struct {
		Users struct {
			Edges []struct{ Node struct{ CreatedAt string } }
		}
	}
	env.api.Do(t, `{ users(first: 1) { edges { node { createdAt } } } }`, nil).MustData(t, &data)
	ts := data.Users.Edges[0].Node.CreatedAt
	if _, err := time.Parse(time.RFC3339Nano, ts); err != nil || !strings.HasSuffix(ts, "Z") {
		t.Fatalf("createdAt %q is not RFC 3339 in UTC", ts)
	}
}

func TestDemoSeedRunsOnce(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		env := newEnv(t, e)
		n, err := demo.Seed(context.Background(), env.db.Client, env.clock)
		if err != nil || n != 0 {
			t.Fatalf("second seed created %d users, err %v", n, err)
		}
		count, err := env.db.Client.User.Query().Count(authz.SystemContext(context.Background()))
		if err != nil || count != seededUsers {
			t.Fatalf("users = %d, err %v", count, err)
		}
		statuses, err := env.db.Client.User.Query().GroupBy("status").Strings(authz.SystemContext(context.Background()))
		if err != nil || len(statuses) != 6 {
			t.Fatalf("demo statuses = %v, err %v", statuses, err)
		}
		for name, p := range map[string]predicate.RoleAssignment{
			"permanent": roleassignment.ExpiresAtIsNil(),
			"expiring":  roleassignment.ExpiresAtGT(fixedNow),
			"expired":   roleassignment.ExpiresAtLTE(fixedNow),
		} {
			n, err := env.db.Client.RoleAssignment.Query().Where(p).Count(authz.SystemContext(context.Background()))
			if err != nil || n == 0 {
				t.Errorf("demo has %d %s role assignments, err %v", n, name, err)
			}
		}
	})
}

// TestExpiredAssignmentsStayHiddenWhateverIsSelected asks for assignments
// without their expiry: the resolver must still know it, or an expired role
// would show as permanent.
func TestExpiredAssignmentsStayHiddenWhateverIsSelected(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		env := newEnv(t, e)
		ctx := authz.SystemContext(context.Background())
		u := env.db.Client.User.Create().SetUsername("lapsed").SetEmail("lapsed@example.com").SaveX(ctx)
		role := env.db.Client.Role.Create().SetName("Lapsed Role").SaveX(ctx)
		group := env.db.Client.Group.Create().SetName("Lapsed Group").SetType("JOB").SaveX(ctx)
		past := fixedNow.Add(-time.Minute)
		env.db.Client.RoleAssignment.Create().SetUserID(u.ID).SetRoleID(role.ID).SetExpiresAt(past).ExecX(ctx)
		env.db.Client.GroupMembership.Create().SetUserID(u.ID).SetGroupID(group.ID).SetExpiresAt(past).ExecX(ctx)

		queries := map[string]string{
			"users": `{ users(search: "lapsed") { edges { node {
				roleAssignments { role { name } } groupMemberships { group { name } } } } } }`,
			"node": `query($id: ID!) { node(id: $id) { ... on User {
				roleAssignments { role { name } } groupMemberships { group { name } } } } }`,
		}
		for name, q := range queries {
			t.Run(name, func(t *testing.T) {
				res := env.api.Do(t, q, map[string]any{"id": scalar.EncodeID(u.ID)})
				if len(res.Errors) > 0 {
					t.Fatalf("errors: %s", res.Raw)
				}
				if bytes.Contains(res.Raw, []byte("Lapsed")) {
					t.Fatalf("an expired assignment is listed: %s", res.Raw)
				}
			})
		}
	})
}
