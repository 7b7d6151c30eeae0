package server_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"accountd/internal/authz"
	"accountd/internal/server"
	"accountd/internal/storage"
	"accountd/internal/testapi"
	"accountd/internal/testdb"
)

// benchUsers is how many users the benchmark's database holds.
const benchUsers = 10_000

// benchPageSize is the size of the page the benchmark reads.
const benchPageSize = 100

// BenchmarkUsersPage reads a page of 100 users with their nested lists out
// of 10,000, on every engine: through the real HTTP handler and GraphQL
// (first page and last page), and through hand-written SQL encoded with
// encoding/json as the baseline. Requests go to handler.ServeHTTP with a
// recorder, so no socket is timed.
func BenchmarkUsersPage(b *testing.B) {
	for _, e := range testdb.Engines() {
		b.Run(e.Name, func(b *testing.B) {
			db := e.Open(b)
			seedUsers(b, db.Client, benchUsers)
			h := asSystem(server.New(db, server.Options{Logger: testapi.Logger(b)}))
			first := usersPageBody(b, nil)
			last := usersPageBody(b, lastPageCursor(b, h))

			b.Run("graphql", func(b *testing.B) { benchGraphQL(b, h, first) })
			b.Run("baseline", func(b *testing.B) { benchBaseline(b, db) })
			b.Run("graphql-last-page", func(b *testing.B) { benchGraphQL(b, h, last) })
		})
	}
}

// asSystem runs every request as the system: the API as it was before
// sessions, without authentication or organization scope, so that this
// benchmark measures GraphQL against the hand-written baseline only.
// BenchmarkUsersPageAuthorization measures what authorization adds.
func asSystem(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(authz.SystemContext(r.Context())))
	})
}

func benchGraphQL(b *testing.B, h http.Handler, body []byte) {
	checkGraphQLPage(b, serveGraphQL(h, body))
	b.ReportAllocs()
	for b.Loop() {
		if rec := serveGraphQL(h, body); rec.Code != http.StatusOK {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
}

func benchBaseline(b *testing.B, db *storage.DB) {
	l := newBaselineLoader(db)
	var buf bytes.Buffer
	if err := l.writePage(b.Context(), &buf, 0, benchPageSize); err != nil {
		b.Fatal(err)
	}
	checkBaselinePage(b, buf.Bytes())
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		if err := l.writePage(b.Context(), rec, 0, benchPageSize); err != nil {
			b.Fatal(err)
		}
	}
}

// serveGraphQL posts body to /graphql of h and records the response.
func serveGraphQL(h http.Handler, body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// usersPageBody is the request body of the users page after cursor, or of
// the first page when cursor is nil.
func usersPageBody(tb testing.TB, cursor *string) []byte {
	tb.Helper()
	vars := map[string]any{"first": benchPageSize}
	if cursor != nil {
		vars["after"] = *cursor
	}
	body, err := json.Marshal(map[string]any{"query": usersPageQuery, "variables": vars})
	if err != nil {
		tb.Fatal(err)
	}
	return body
}

// lastPageCursor asks the API for the cursor that the last full page of
// users starts after: the last 100 users, then the one before them.
func lastPageCursor(tb testing.TB, h http.Handler) *string {
	tb.Helper()
	const query = `query($before: Cursor) {
  users(last: 100, before: $before) { edges { cursor } }
}`
	cursor := usersCursor(tb, h, query, nil)
	return usersCursor(tb, h, query, map[string]any{"before": cursor})
}

// usersCursor runs a query of users' cursors and returns the first.
func usersCursor(tb testing.TB, h http.Handler, query string, vars map[string]any) *string {
	tb.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		tb.Fatal(err)
	}
	var res struct {
		Data struct {
			Users struct {
				Edges []struct{ Cursor string }
			}
		}
	}
	rec := serveGraphQL(h, body)
	if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil || len(res.Data.Users.Edges) == 0 {
		tb.Fatalf("reading a cursor: %v: %s", err, rec.Body)
	}
	return &res.Data.Users.Edges[0].Cursor
}

// checkGraphQLPage fails the benchmark unless rec holds a full page without
// errors, so that a broken query is not timed.
func checkGraphQLPage(tb testing.TB, rec *httptest.ResponseRecorder) {
	tb.Helper()
	var res struct {
		Data   usersPage `json:"data"`
		Errors []any     `json:"errors"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil || len(res.Errors) > 0 {
		tb.Fatalf("status %d, error %v: %.500s", rec.Code, err, rec.Body)
	}
	checkUsersPage(tb, res.Data, benchUsers, benchPageSize)
}

func checkBaselinePage(tb testing.TB, raw []byte) {
	tb.Helper()
	var res struct {
		Data usersPage `json:"data"`
	}
	if err := json.Unmarshal(raw, &res); err != nil {
		tb.Fatalf("decoding the baseline page: %v", err)
	}
	checkUsersPage(tb, res.Data, benchUsers, benchPageSize)
}
