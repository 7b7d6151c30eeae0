package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"entgo.io/ent/dialect"

	"accountd/internal/authz"
	"accountd/internal/server"
	"accountd/internal/storage"
	"accountd/internal/testapi"
	"accountd/internal/testdb"
)

// reportUsers is how many users the reporting benchmarks read.
const reportUsers = 100_000

// seedReports seeds n users with what the reports group by: ten roles
// whose assignments (one a user) expire on ten different days, five
// organizations (one a user), and two-factor keys for a third of them.
func seedReports(tb testing.TB, db *storage.DB, n int, now time.Time) {
	tb.Helper()
	ctx := authz.SystemContext(context.Background())
	seedPlainUsers(tb, db, n)
	exec := func(query string, args ...any) {
		tb.Helper()
		if db.Dialect == dialect.Postgres {
			for i := 1; strings.Contains(query, "?"); i++ {
				query = strings.Replace(query, "?", "$"+strconv.Itoa(i), 1)
			}
		}
		if _, err := db.SQL.ExecContext(ctx, query, args...); err != nil {
			tb.Fatalf("seeding: %v", err)
		}
	}
	for i := range 10 {
		r := db.Client.Role.Create().SetName(fmt.Sprintf("Role %d", i)).SaveX(ctx)
		exec(`INSERT INTO role_assignments (assigned_at, assigned_by, expires_at, user_id, role_id)
			SELECT ?, 'seed', ?, id, ? FROM users WHERE id % 10 = ?`,
			now, now.Add(time.Duration(i+1)*24*time.Hour), r.ID, i)
	}
	for i := range 5 {
		o := db.Client.Organization.Create().SetCode(fmt.Sprintf("ORG%d", i)).
			SetName(fmt.Sprintf("Organization %d", i)).SaveX(ctx)
		exec(`INSERT INTO user_organizations (user_id, organization_id)
			SELECT id, ? FROM users WHERE id % 5 = ?`, o.ID, i)
	}
	exec(`INSERT INTO two_factor_keys (user_id, secret_ciphertext, state, created_at)
		SELECT id, ?, 'CONFIGURED', ? FROM users WHERE id % 3 = 0`, []byte{0}, now)
}

// benchQuery posts query with vars to h as the system in a loop.
func benchQuery(b *testing.B, h http.Handler, query string, vars map[string]any) {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		b.Fatal(err)
	}
	if rec := serveGraphQL(h, body); rec.Code != http.StatusOK ||
		strings.Contains(rec.Body.String(), `"errors"`) {
		b.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	b.ReportAllocs()
	for b.Loop() {
		if rec := serveGraphQL(h, body); rec.Code != http.StatusOK {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
}

// BenchmarkReports times, over 100,000 users on every engine, the
// statistics, a page of expiring assignments out of 100,000 (first and a
// later page), and the users CSV export in rows a second.
func BenchmarkReports(b *testing.B) {
	for _, e := range testdb.Engines() {
		b.Run(e.Name, func(b *testing.B) {
			db := e.Open(b)
			now := time.Now().UTC().Truncate(time.Second)
			seedReports(b, db, reportUsers, now)
			h := asSystem(server.New(db, server.Options{Logger: testapi.Logger(b)}))

			b.Run("userStatistics", func(b *testing.B) {
				benchQuery(b, h, `{ userStatistics { total byStatus { status count }
					byTwoFactorState { state count } byOrganization { organization { name } count }
					byRole { role { name } count } } }`, nil)
			})
			const expiring = `query($before: Time!, $after: String) {
				expiringAssignments(before: $before, first: 100, after: $after) {
					edges { cursor node { kind expiresAt user { username } role { name } } }
					pageInfo { hasNextPage endCursor } } }`
			before := now.Add(11 * 24 * time.Hour)
			b.Run("expiringAssignments", func(b *testing.B) {
				benchQuery(b, h, expiring, map[string]any{"before": before})
			})
			b.Run("expiringAssignments-with-total", func(b *testing.B) {
				benchQuery(b, h, strings.Replace(expiring, "pageInfo", "totalCount pageInfo", 1),
					map[string]any{"before": before})
			})
			b.Run("exportUsers", func(b *testing.B) {
				req := httptest.NewRequest(http.MethodGet, "/export/users.csv", nil)
				b.ReportAllocs()
				for b.Loop() {
					rec := &countingWriter{header: http.Header{}}
					h.ServeHTTP(rec, req)
					if rec.status != http.StatusOK {
						b.Fatalf("status %d", rec.status)
					}
				}
				b.ReportMetric(float64(reportUsers*b.N)/b.Elapsed().Seconds(), "rows/s")
			})
		})
	}
}

// countingWriter is a response writer that keeps no body, so that the
// export benchmark measures the server, not a buffer.
type countingWriter struct {
	header http.Header
	status int
	bytes  int64
}

func (w *countingWriter) Header() http.Header { return w.header }

func (w *countingWriter) WriteHeader(status int) { w.status = status }

func (w *countingWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	w.bytes += int64(len(p))
	return len(p), nil
}

func (w *countingWriter) Flush() {}

var _ io.Writer = (*countingWriter)(nil)
