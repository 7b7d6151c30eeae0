package server_test

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"entgo.io/ent/dialect"

	"accountd/ent/user"
	"accountd/internal/authz"
	"accountd/internal/clock"
	"accountd/internal/reports"
	"accountd/internal/storage"
	"accountd/internal/testapi"
	"accountd/internal/testauth"
	"accountd/internal/testdb"
)

// exportUsersCount is how many users the streaming test exports.
const exportUsersCount = 100_000

// seedPlainUsers inserts n users without assignments, named export000000
// and up, with one statement that generates the rows in the database: ent's
// bulk inserts take minutes for 100,000 rows under the race detector.
func seedPlainUsers(tb testing.TB, db *storage.DB, n int) {
	tb.Helper()
	query := `WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i < ? - 1)
		INSERT INTO users (created_at, updated_at, username, username_normalized,
			first_name, last_name, email, profile)
		SELECT ?, ?, 'export' || printf('%06d', i), 'export' || printf('%06d', i),
			'Ann, "the" first', 'Line' || char(10) || 'break ' || i,
			'export' || printf('%06d', i) || '@example.com', '{}'
		FROM seq`
	if db.Dialect == dialect.Postgres {
		query = `INSERT INTO users (created_at, updated_at, username, username_normalized,
			first_name, last_name, email, profile)
		SELECT $2, $3, 'export' || lpad(i::text, 6, '0'), 'export' || lpad(i::text, 6, '0'),
			'Ann, "the" first', 'Line' || chr(10) || 'break ' || i,
			'export' || lpad(i::text, 6, '0') || '@example.com', '{}'
		FROM generate_series(0, $1::int - 1) AS i`
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	if _, err := db.SQL.ExecContext(context.Background(), query, n, now, now); err != nil {
		tb.Fatalf("seeding %d users: %v", n, err)
	}
}

// addToOrganization puts the users named with prefix into organization org.
func addToOrganization(tb testing.TB, db *storage.DB, prefix string, org int) {
	tb.Helper()
	ctx := authz.SystemContext(context.Background())
	ids := db.Client.User.Query().Where(user.UsernameHasPrefix(prefix)).IDsX(ctx)
	for _, id := range ids {
		db.Client.User.UpdateOneID(id).AddOrganizationIDs(org).ExecX(ctx)
	}
}

// get sends a GET with the client's token and returns the response.
func get(t testing.TB, c *testapi.Client, path string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = res.Body.Close() })
	return res
}

func heapAlloc() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

func TestExportUsersStreamsWithBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds 100,000 users")
	}
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		db := e.Open(t)
		n := exportUsersCount
		if raceEnabled && e.Name == "sqlite" {
			n = exportUsersCount / 5
		}
		seedPlainUsers(t, db, n)
		admin := testauth.AdminClient(t, db, testauth.Handler(t, db, clock.System{}))

		runtime.GC()
		base := heapAlloc()
		res := get(t, admin, "/export/users.csv")
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "text/csv; charset=utf-8" {
			t.Fatalf("status %d, type %q", res.StatusCode, res.Header.Get("Content-Type"))
		}
		r := csv.NewReader(res.Body)
		r.ReuseRecord = true
		header, err := r.Read()
		if err != nil || strings.Join(header, ",") != strings.Join(reports.UserColumns, ",") {
			t.Fatalf("header %q, %v", header, err)
		}
		rows, peak := 0, base
		for {
			rec, err := r.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("row %d: %v", rows, err)
			}
			roundTripped := rec[4] == `Ann, "the" first` && strings.HasPrefix(rec[5], "Line\nbreak ")
			if !roundTripped && rec[1] != testauth.AdminUsername {
				t.Fatalf("row %d did not round-trip: %q", rows, rec)
			}
			if rows++; rows%5000 == 0 {
				peak = max(peak, heapAlloc())
			}
		}
		// The administrator is the one user besides the seeded ones.
		if rows != n+1 {
			t.Fatalf("%d rows, want %d", rows, n+1)
		}
		const bound = 48 << 20
		if grown := peak - base; grown > bound {
			t.Fatalf("the heap grew by %d MiB while streaming, over %d MiB",
				grown>>20, bound>>20)
		}
		t.Logf("%s: heap grew by at most %.1f MiB over %d rows", e.Name,
			float64(peak-base)/(1<<20), rows)
	})
}

func TestExportRulesAndFilters(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		db := e.Open(t)
		ctx := authz.SystemContext(context.Background())
		h := testauth.Handler(t, db, clock.System{})
		admin := testauth.AdminClient(t, db, h)
		anon := testapi.Serve(t, h)
		east := db.Client.Organization.Create().SetCode("EAST").SetName("East").SaveX(ctx)
		west := db.Client.Organization.Create().SetCode("WEST").SetName("West").SaveX(ctx)
		seedPlainUsers(t, db, 3)
		addToOrganization(t, db, "export", east.ID)
		for i, name := range []string{"=cmd", "+sum", "-neg", "@at"} {
			db.Client.User.Create().SetUsername(fmt.Sprintf("formula%d", i)).
				SetFirstName(name).SetEmail(fmt.Sprintf("f%d@example.com", i)).
				AddOrganizationIDs(west.ID).ExecX(ctx)
		}
		testauth.CreateUser(t, db, testauth.UserSpec{Username: "east-reader",
			OrganizationIDs: []int{east.ID}, Permissions: []authz.Permission{authz.UsersRead}})
		testauth.CreateUser(t, db, testauth.UserSpec{Username: "no-audit",
			Permissions: []authz.Permission{authz.UsersRead, authz.GlobalAccess}})
		eastReader := testauth.Login(t, anon, "east-reader")
		noAudit := testauth.Login(t, anon, "no-audit")

		for _, tc := range []struct {
			name   string
			c      *testapi.Client
			path   string
			status int
			users  []string // usernames expected, in order, for 200
		}{
			{"no session", anon, "/export/users.csv", 401, nil},
			{"bad token", anon.WithToken("nonsense"), "/export/users.csv", 401, nil},
			{"audit without AUDIT_READ", noAudit, "/export/audit.csv", 403, nil},
			{"unknown status", admin, "/export/users.csv?status=SLEEPING", 400, nil},
			{"bad flag", admin, "/export/users.csv?twoFactorRequired=maybe", 400, nil},
			{"bad time", admin, "/export/audit.csv?occurredAfter=yesterday", 400, nil},
			{"bad ID", admin, "/export/audit.csv?targetId=42", 400, nil},
			{"search", admin, "/export/users.csv?search=FORMULA", 200,
				[]string{"formula0", "formula1", "formula2", "formula3"}},
			{"status and search", admin, "/export/users.csv?status=ACTIVE,PENDING&search=export00000", 200,
				[]string{"export000000", "export000001", "export000002"}},
			{"organization scope", eastReader, "/export/users.csv", 200,
				[]string{"export000000", "export000001", "export000002", "east-reader"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				res := get(t, tc.c, tc.path)
				if res.StatusCode != tc.status {
					body, _ := io.ReadAll(res.Body)
					t.Fatalf("status %d, want %d: %s", res.StatusCode, tc.status, body)
				}
				if tc.status != 200 {
					return
				}
				recs, err := csv.NewReader(res.Body).ReadAll()
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, rec := range recs[1:] {
					got = append(got, rec[1])
				}
				if fmt.Sprint(got) != fmt.Sprint(tc.users) {
					t.Fatalf("users %q, want %q", got, tc.users)
				}
			})
		}

		t.Run("formula guard", func(t *testing.T) {
			recs, err := csv.NewReader(get(t, admin, "/export/users.csv?search=formula").Body).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			want := []string{"'=cmd", "'+sum", "'-neg", "'@at"}
			for i, rec := range recs[1:] {
				if rec[4] != want[i] {
					t.Fatalf("first name %q, want %q", rec[4], want[i])
				}
			}
		})
		testauth.CreateUser(t, db, testauth.UserSpec{Username: "east-auditor",
			OrganizationIDs: []int{east.ID},
			Permissions:     []authz.Permission{authz.AuditRead, authz.UsersRead}})
		t.Run("audit export", func(t *testing.T) {
			exportAuditCSV(t, db, admin, testauth.Login(t, anon, "east-auditor"))
		})
	})
}

// exportAuditCSV checks the audit export of an administrator and of a
// caller limited to one organization, who sees only the events about its
// organization's users.
func exportAuditCSV(t *testing.T, db *storage.DB, admin, eastAuditor *testapi.Client) {
	t.Helper()
	ctx := authz.SystemContext(context.Background())
	for _, name := range []string{"export000000", "formula0"} {
		u := db.Client.User.Query().Where(user.Username(name)).OnlyX(ctx)
		db.Client.AuditEvent.Create().SetAction("=user.tested").SetActorName("system").
			SetTargetType("User").SetTargetID(u.ID).ExecX(ctx)
	}
	for _, tc := range []struct {
		name string
		c    *testapi.Client
		want int
	}{
		{"administrator", admin, 2},
		{"organization-scoped", eastAuditor, 1},
	} {
		res := get(t, tc.c, "/export/audit.csv?action=%3Duser.tested")
		recs, err := csv.NewReader(res.Body).ReadAll()
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("%s: status %d: %v", tc.name, res.StatusCode, err)
		}
		if len(recs)-1 != tc.want || recs[len(recs)-1][4] != "'=user.tested" {
			t.Fatalf("%s: %d events, want %d; first %q", tc.name, len(recs)-1, tc.want, recs)
		}
	}
}
