package server_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"accountd/internal/auth"
	"accountd/internal/clock"
	"accountd/internal/demo"
	"accountd/internal/server"
	"accountd/internal/testapi"
	"accountd/internal/testauth"
	"accountd/internal/testdb"
)

// serveWithLimits serves a fresh demo database of engine e with limits.
func serveWithLimits(t *testing.T, e testdb.Engine, limits server.QueryLimits) *testapi.Client {
	t.Helper()
	db := e.Open(t)
	clk := clock.NewManual(fixedNow)
	if _, err := demo.Seed(context.Background(), db.Client, clk); err != nil {
		t.Fatal(err)
	}
	return testauth.AdminClient(t, db, server.New(db, server.Options{
		Logger:      testapi.Logger(t),
		Clock:       clk,
		QueryLimits: limits,
		Auth:        auth.New(db.Client, clk, testauth.Settings()),
	}))
}

// costOf returns extensions.cost of a response.
func costOf(t *testing.T, r testapi.Response) (requested, budget int) {
	t.Helper()
	cost, ok := r.Extensions["cost"].(map[string]any)
	if !ok {
		t.Fatalf("no extensions.cost in %s", r.Raw)
	}
	req, _ := cost["requested"].(float64)
	bud, _ := cost["budget"].(float64)
	return int(req), int(bud)
}

func TestQueryCostIsReportedOnEveryResponse(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		api := serveWithLimits(t, e, server.QueryLimits{})
		tests := []struct {
			name  string
			query string
			vars  map[string]any
			want  int
		}{
			{"a page of users", `{ users(first: 5) { totalCount edges { node { username status } } } }`,
				nil, 5},
			{"the default page size", `{ users { totalCount } }`, nil, 20},
			{"last counts like first", `{ users(last: 7) { totalCount } }`, nil, 7},
			{"a page size from a variable", `query($n: Int) { users(first: $n) { totalCount } }`,
				map[string]any{"n": 30}, 30},
			{"lists inside a page multiply", `{ users(first: 10) { edges { node {
				roleAssignments { role { name } } groupMemberships { group { name } } } } } }`,
				nil, 10 + 10*20 + 10*20},
			{"fragments count wherever they are spread", `
				query { a: users(first: 10) { ...page } b: users(first: 3) { ...page } }
				fragment page on UserConnection { edges { node { ...roles } } }
				fragment roles on User { roleAssignments { role { name } } }`,
				nil, 10 + 10*20 + 3 + 3*20},
			{"scalars and single objects are free", `{ __typename }`, nil, 0},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				r := api.Do(t, tc.query, tc.vars)
				var data any
				r.MustData(t, &data)
				requested, budget := costOf(t, r)
				if requested != tc.want || budget != 50_000 {
					t.Fatalf("cost = %d of %d, want %d of 50000", requested, budget, tc.want)
				}
			})
		}
	})
}

func TestQueryLimitsRefuseExpensiveDocuments(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		api := serveWithLimits(t, e, server.QueryLimits{
			CostBudget: 1000, MaxAliases: 3, MaxFieldRepeats: 2,
		})
		tests := []struct {
			name        string
			query       string
			wantMessage string
		}{
			{"over budget",
				`{ users(first: 100) { edges { node { roleAssignments { role { name } } } } } }`,
				"query cost 2100 exceeds the budget of 1000"},
			{"too many aliases",
				`{ a: __typename b: __typename c: __typename d: __typename }`,
				"the query uses 4 aliases; at most 3 are allowed"},
			{"a repeated field",
				`{ users { totalCount totalCount totalCount } }`,
				`field "totalCount" is selected 3 times in one selection set; at most 2 are allowed`},
			{"a repeated fragment",
				`{ users { ...n ...n ...n } } fragment n on UserConnection { totalCount }`,
				`fragment "n" is selected 3 times in one selection set; at most 2 are allowed`},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				r := api.Do(t, tc.query, nil)
				if len(r.Errors) != 1 || r.ErrorCode() != "BAD_REQUEST" ||
					!strings.Contains(r.Errors[0].Message, tc.wantMessage) {
					t.Fatalf("want one BAD_REQUEST error %q, got %s", tc.wantMessage, r.Raw)
				}
				if string(r.Data) != "" && string(r.Data) != "null" {
					t.Fatalf("refused document returned data: %s", r.Raw)
				}
			})
		}

		t.Run("the over-budget error names cost and budget", func(t *testing.T) {
			r := api.Do(t, `{ users(first: 100) { edges { node { groupMemberships { group { name } } } } } }`, nil)
			ext := r.Errors[0].Extensions
			if ext["cost"] != float64(2100) || ext["budget"] != float64(1000) {
				t.Fatalf("error extensions = %v, want cost 2100 and budget 1000", ext)
			}
			if requested, budget := costOf(t, r); requested != 2100 || budget != 1000 {
				t.Fatalf("extensions.cost = %d of %d, want 2100 of 1000", requested, budget)
			}
		})

		t.Run("the server keeps serving", func(t *testing.T) {
			var data struct{ Users struct{ TotalCount int } }
			api.Do(t, `{ users(first: 10) { totalCount } }`, nil).MustData(t, &data)
			if data.Users.TotalCount != seededUsers {
				t.Fatalf("totalCount = %d, want %d", data.Users.TotalCount, seededUsers)
			}
		})
	})
}

// persisted builds a request body that names query by its hash, with the
// query itself when register is set.
func persisted(t *testing.T, query, hash string, register bool) []byte {
	t.Helper()
	body := map[string]any{"extensions": map[string]any{
		"persistedQuery": map[string]any{"version": 1, "sha256Hash": hash},
	}}
	if register {
		body["query"] = query
	}
	raw, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestAutomaticPersistedQueries(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		api := serveWithLimits(t, e, server.QueryLimits{PersistedQueries: 2})
		query := `{ users(first: 3) { totalCount edges { node { username } } } }`
		sum := sha256.Sum256([]byte(query))
		hash := hex.EncodeToString(sum[:])
		usernames := func(r testapi.Response) string {
			t.Helper()
			var data struct {
				Users struct {
					Edges []struct{ Node struct{ Username string } }
				}
			}
			r.MustData(t, &data)
			var names []string
			for _, e := range data.Users.Edges {
				names = append(names, e.Node.Username)
			}
			return strings.Join(names, ",")
		}

		r := api.Post(t, "application/json", persisted(t, query, hash, false))
		if r.ErrorCode() != "PERSISTED_QUERY_NOT_FOUND" || r.Errors[0].Message != "PersistedQueryNotFound" {
			t.Fatalf("unknown hash: want PersistedQueryNotFound, got %s", r.Raw)
		}

		direct := usernames(api.Do(t, query, nil))
		if got := usernames(api.Post(t, "application/json", persisted(t, query, hash, true))); got != direct {
			t.Fatalf("registering: got %q, want %q", got, direct)
		}
		if got := usernames(api.Post(t, "application/json", persisted(t, query, hash, false))); got != direct {
			t.Fatalf("by hash: got %q, want %q", got, direct)
		}
		ext := `{"persistedQuery":{"version":1,"sha256Hash":"` + hash + `"}}`
		if got := usernames(api.Get(t, "extensions="+url.QueryEscape(ext))); got != direct {
			t.Fatalf("by hash over GET: got %q, want %q", got, direct)
		}

		r = api.Post(t, "application/json", persisted(t, `{ __typename }`, hash, true))
		if r.ErrorCode() != "BAD_REQUEST" || !strings.Contains(r.Errors[0].Message, "does not match") {
			t.Fatalf("mismatched hash: want BAD_REQUEST, got %s", r.Raw)
		}

		for _, other := range []string{`{ __typename }`, `{ users { totalCount } }`} {
			s := sha256.Sum256([]byte(other))
			api.Post(t, "application/json", persisted(t, other, hex.EncodeToString(s[:]), true))
		}
		r = api.Post(t, "application/json", persisted(t, query, hash, false))
		if r.ErrorCode() != "PERSISTED_QUERY_NOT_FOUND" {
			t.Fatalf("after two newer queries filled a cache of 2: want PersistedQueryNotFound, got %s", r.Raw)
		}
	})
}
