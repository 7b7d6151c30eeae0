package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"accountd/internal/auth"
	"accountd/internal/authz"
	"accountd/internal/clock"
	"accountd/internal/password"
	"accountd/internal/ratelimit"
	"accountd/internal/storage"
	"accountd/internal/testdb"
)

// usersPage is the users page of an admin console: 100 users with their
// roles, groups, organizations and form spaces.
const usersPage = `{ users(first: 100) { totalCount edges { node {
	id username firstName lastName email status lastLoginAt
	roleAssignments { role { name } expiresAt expired }
	groupMemberships { group { name } expiresAt }
	organizations { code } formSpaces { code } } } } }`

// seedPage creates the bench password's admins and n users of organization
// A, each with two roles, a group and a form space.
func seedPage(tb testing.TB, db *storage.DB, hasher password.Hasher, n int) {
	tb.Helper()
	ctx := authz.SystemContext(context.Background())
	c := db.Client
	must := func(err error) {
		tb.Helper()
		if err != nil {
			tb.Fatal(err)
		}
	}
	hash, err := hasher.Hash(benchPassword)
	must(err)
	org, err := c.Organization.Create().SetCode("A").SetName("A").Save(ctx)
	must(err)
	sm, err := c.SecurityManager.Create().SetName("Default").SetIsDefault(true).Save(ctx)
	must(err)
	space, err := c.FormSpace.Create().SetCode("F").SetName("F").SetSecurityManager(sm).Save(ctx)
	must(err)
	group, err := c.Group.Create().SetName("G").SetType("FORM").Save(ctx)
	must(err)
	admin, err := c.Role.Create().SetName("Administrator").SetPermissions(authz.Permissions).Save(ctx)
	must(err)
	var orgPerms []authz.Permission
	for _, p := range authz.Permissions {
		if p != authz.GlobalAccess {
			orgPerms = append(orgPerms, p)
		}
	}
	orgAdmin, err := c.Role.Create().SetName("Org admin").SetPermissions(orgPerms).Save(ctx)
	must(err)
	clerk, err := c.Role.Create().SetName("Clerk").SetPermissions([]authz.Permission{authz.UsersRead}).Save(ctx)
	must(err)
	for _, a := range []struct {
		name string
		role int
	}{{"global", admin.ID}, {"orgadmin", orgAdmin.ID}} {
		u, err := c.User.Create().SetUsername(a.name).SetEmail(a.name + "@example.com").
			SetPasswordHash(hash).AddOrganizations(org).Save(ctx)
		must(err)
		must(c.RoleAssignment.Create().SetUserID(u.ID).SetRoleID(a.role).Exec(ctx))
	}
	for i := range n {
		u, err := c.User.Create().
			SetUsername(fmt.Sprintf("user%03d", i)).
			SetEmail(fmt.Sprintf("user%03d@example.com", i)).
			SetFirstName("First").SetLastName("Last").
			AddOrganizations(org).AddFormSpaces(space).
			Save(ctx)
		must(err)
		must(c.RoleAssignment.Create().SetUserID(u.ID).SetRoleID(clerk.ID).Exec(ctx))
		must(c.RoleAssignment.Create().SetUserID(u.ID).SetRoleID(orgAdmin.ID).Exec(ctx))
		must(c.GroupMembership.Create().SetUserID(u.ID).SetGroupID(group.ID).Exec(ctx))
	}
}

const benchPassword = "Quiet-Lantern-Orbit-73"

// asSystem lets every request through as the system: the API without
// authentication or organization scope, as the baseline.
func asSystem(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(authz.SystemContext(r.Context())))
	})
}

func post(tb testing.TB, h http.Handler, token, query string) {
	body, _ := json.Marshal(map[string]any{"query": query})
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), `"errors"`) {
		tb.Fatalf("status %d: %.300s", rec.Code, rec.Body.String())
	}
}

func benchOptions(db *storage.DB, hasher password.Hasher) Options {
	settings := auth.DefaultSettings()
	settings.Hasher = hasher
	settings.LoginLimit = ratelimit.Limit{PerMinute: 1 << 30, Burst: 1 << 30}
	clk := clock.System{}
	return Options{
		Logger: slog.New(slog.DiscardHandler),
		Clock:  clk,
		Auth:   auth.New(db.Client, clk, settings),
	}
}

// BenchmarkLogin measures a login with the default argon2id parameters
// (password.DefaultParams), which its name states: almost all of it is the
// hash.
func BenchmarkLogin(b *testing.B) {
	p := password.DefaultParams
	params := fmt.Sprintf("argon2id_m=%dMiB_t=%d_p=%d", p.Memory/1024, p.Iterations, p.Parallelism)
	for _, e := range testdb.Engines() {
		b.Run(e.Name+"/"+params, func(b *testing.B) {
			db := e.Open(b)
			hasher := password.Hasher{Params: p}
			seedPage(b, db, hasher, 0)
			h := New(db, benchOptions(db, hasher))
			query := fmt.Sprintf(`mutation { login(input: {username: "global", password: %q}) { token } }`,
				benchPassword)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				post(b, h, "", query)
			}
		})
	}
}

// BenchmarkUsersPageAuthorization compares the users page without authorization (the
// system as caller, no session) with a global administrator's and an
// organization administrator's session, whose requests also look up the
// session and roles and, for the latter, filter by organization.
func BenchmarkUsersPageAuthorization(b *testing.B) {
	for _, e := range testdb.Engines() {
		b.Run(e.Name, func(b *testing.B) {
			db := e.Open(b)
			hasher := password.Hasher{Params: password.Params{Memory: 1024, Iterations: 1, Parallelism: 1,
				SaltLen: 16, KeyLen: 32}}
			seedPage(b, db, hasher, 100)
			opts := benchOptions(db, hasher)
			h := New(db, opts)
			tokens := map[string]string{}
			for _, name := range []string{"global", "orgadmin"} {
				s, err := opts.Auth.Login(context.Background(), auth.LoginInput{Username: name, Password: benchPassword})
				if err != nil {
					b.Fatal(err)
				}
				tokens[name] = s.Token
			}
			off := asSystem(h)
			for _, v := range []struct {
				name  string
				h     http.Handler
				token string
			}{
				{"authorization=off", off, ""},
				{"authorization=global-admin", h, tokens["global"]},
				{"authorization=org-admin", h, tokens["orgadmin"]},
			} {
				b.Run(v.name, func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						post(b, v.h, v.token, usersPage)
					}
				})
			}
		})
	}
}

// BenchmarkUsersPageOverhead runs the users page without authorization and
// with a session in pairs, alternating which goes first so that neither
// profits from the other's warm caches, and reports the medians of both
// times and of the pairs' overhead: on a shared machine a garbage
// collection or a busy neighbour slows single requests, which medians
// ignore and sums do not.
func BenchmarkUsersPageOverhead(b *testing.B) {
	for _, e := range testdb.Engines() {
		b.Run(e.Name, func(b *testing.B) {
			db := e.Open(b)
			hasher := password.Hasher{Params: password.Params{Memory: 1024, Iterations: 1, Parallelism: 1,
				SaltLen: 16, KeyLen: 32}}
			seedPage(b, db, hasher, 100)
			opts := benchOptions(db, hasher)
			h := New(db, opts)
			off := asSystem(h)
			for _, caller := range []string{"global", "orgadmin"} {
				s, err := opts.Auth.Login(context.Background(), auth.LoginInput{Username: caller, Password: benchPassword})
				if err != nil {
					b.Fatal(err)
				}
				b.Run("caller="+caller, func(b *testing.B) {
					timed := func(h http.Handler, token string) time.Duration {
						t0 := time.Now()
						post(b, h, token, usersPage)
						return time.Since(t0)
					}
					var offs, ons, ratios []float64
					b.ReportAllocs()
					for i := 0; b.Loop(); i++ {
						var offTime, onTime time.Duration
						if i%2 == 0 {
							offTime = timed(off, "")
							onTime = timed(h, s.Token)
						} else {
							onTime = timed(h, s.Token)
							offTime = timed(off, "")
						}
						offs = append(offs, float64(offTime.Microseconds())/1000)
						ons = append(ons, float64(onTime.Microseconds())/1000)
						ratios = append(ratios, float64(onTime)/float64(offTime))
					}
					b.ReportMetric(median(offs), "off-ms/op")
					b.ReportMetric(median(ons), "on-ms/op")
					b.ReportMetric(100*(median(ratios)-1), "overhead-%")
					b.ReportMetric(100*(sum(ons)/sum(offs)-1), "mean-overhead-%")
				})
			}
		})
	}
}

func sum(xs []float64) float64 {
	var t float64
	for _, x := range xs {
		t += x
	}
	return t
}

// median returns the middle value of xs, which it sorts.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	slices.Sort(xs)
	if n := len(xs); n%2 == 0 {
		return (xs[n/2-1] + xs[n/2]) / 2
	}
	return xs[len(xs)/2]
}

// TestStatementsPerRequest checks that authorization adds a fixed number
// of statements to a request, whatever the page size.
func TestStatementsPerRequest(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		var statements testdb.Counter
		db := e.Open(t, storage.WithDriver(statements.Wrap))
		hasher := password.Hasher{Params: password.Params{Memory: 1024, Iterations: 1, Parallelism: 1,
			SaltLen: 16, KeyLen: 32}}
		seedPage(t, db, hasher, 30)
		opts := benchOptions(db, hasher)
		h := New(db, opts)
		s, err := opts.Auth.Login(context.Background(), auth.LoginInput{Username: "orgadmin", Password: benchPassword})
		if err != nil {
			t.Fatal(err)
		}
		count := func(h http.Handler, token string, first int) int {
			statements.Reset()
			post(t, h, token, strings.Replace(usersPage, "first: 100", fmt.Sprint("first: ", first), 1))
			return statements.Count()
		}
		for _, first := range []int{5, 30} {
			off, on := count(asSystem(h), "", first), count(h, s.Token, first)
			if on-off != 1 {
				t.Fatalf("first %d: %d statements with a session, %d without; want 1 more (the session with its user and grants)", first, on, off)
			}
		}
	})
}
