package server_test

import (
	"fmt"
	"strings"
	"testing"

	"accountd/internal/clock"
	"accountd/internal/storage"
	"accountd/internal/testauth"
	"accountd/internal/testdb"
)

// maxUsersPageStatements is the most SQL statements the users page query
// may cost, whatever the page size: one statement a table the eager
// loading reads (users with their total count, organizations, form spaces,
// security managers, role assignments, roles, group memberships, groups).
const maxUsersPageStatements = 8

// testUsers is how many users the statement count test seeds: more than
// the largest page. The administrator the test logs in as makes one more.
const testUsers = 150

// usersPage is the part of the users page response the tests look at.
type usersPage struct {
	Users struct {
		TotalCount int `json:"totalCount"`
		PageInfo   struct {
			HasNextPage bool   `json:"hasNextPage"`
			EndCursor   string `json:"endCursor"`
		} `json:"pageInfo"`
		Edges []struct {
			Node struct {
				Username        string `json:"username"`
				RoleAssignments []struct {
					Role    struct{ Name string } `json:"role"`
					Expired bool                  `json:"expired"`
				} `json:"roleAssignments"`
				GroupMemberships []struct {
					Group struct{ Name string } `json:"group"`
				} `json:"groupMemberships"`
				Organizations []struct{ Code string } `json:"organizations"`
				FormSpaces    []struct {
					Code            string                `json:"code"`
					SecurityManager struct{ Name string } `json:"securityManager"`
				} `json:"formSpaces"`
			} `json:"node"`
		} `json:"edges"`
	} `json:"users"`
}

func TestUsersPageStatementCount(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		var counter testdb.Counter
		db := e.Open(t, storage.WithDriver(counter.Wrap))
		seedUsers(t, db.Client, testUsers)
		c := testauth.AdminClient(t, db, testauth.Handler(t, db, clock.System{}))

		// Every request with a session first looks the caller up; what
		// the page itself costs comes on top of that.
		counter.Reset()
		c.Do(t, `{ __typename }`, nil)
		perRequest := counter.Count()

		counts := map[int]int{}
		for _, size := range []int{10, 100} {
			t.Run(fmt.Sprintf("%d users", size), func(t *testing.T) {
				counter.Reset()
				var page usersPage
				c.Do(t, usersPageQuery, map[string]any{"first": size}).MustData(t, &page)
				counts[size] = counter.Count() - perRequest

				checkUsersPage(t, page, testUsers+1, size)
				if got := counts[size]; got > maxUsersPageStatements {
					t.Fatalf("page of %d users ran %d statements, want at most %d:\n%s",
						size, got, maxUsersPageStatements, strings.Join(counter.Statements(), "\n"))
				}
			})
		}
		if counts[10] != counts[100] {
			t.Fatalf("statements grow with the page: %d for 10 users, %d for 100",
				counts[10], counts[100])
		}

		// A later page counts the same, and its totalCount still counts
		// every user, not those after the cursor.
		var first, next usersPage
		c.Do(t, usersPageQuery, map[string]any{"first": 100}).MustData(t, &first)
		counter.Reset()
		c.Do(t, usersPageQuery, map[string]any{"first": 100, "after": first.Users.PageInfo.EndCursor}).
			MustData(t, &next)
		if got := counter.Count() - perRequest; got > maxUsersPageStatements {
			t.Fatalf("the second page ran %d statements:\n%s", got,
				strings.Join(counter.Statements(), "\n"))
		}
		checkUsersPage(t, next, testUsers+1, testUsers+1-100)
		if next.Users.PageInfo.HasNextPage {
			t.Fatal("the last page says it has a next page")
		}
	})
}

// checkUsersPage checks that the page carries what was seeded, so that a
// low statement count cannot come from lists left empty.
func checkUsersPage(t testing.TB, page usersPage, total, size int) {
	t.Helper()
	if got := page.Users.TotalCount; got != total {
		t.Fatalf("totalCount = %d, want %d", got, total)
	}
	if got := len(page.Users.Edges); got != size {
		t.Fatalf("got %d users, want %d", got, size)
	}
	for _, edge := range page.Users.Edges {
		n := edge.Node
		if n.Username == testauth.AdminUsername {
			continue
		}
		// Three roles are seeded, one of them expired and hidden.
		if got := len(n.RoleAssignments); got != 2 {
			t.Fatalf("got %d role assignments, want 2", got)
		}
		for _, a := range n.RoleAssignments {
			if a.Role.Name == "" || a.Expired {
				t.Fatalf("role assignment %+v: want a named, current role", a)
			}
		}
		if got := len(n.GroupMemberships); got < 1 || got > 2 {
			t.Fatalf("got %d group memberships, want 1 or 2", got)
		}
		if got := len(n.Organizations); got != 2 {
			t.Fatalf("got %d organizations, want 2", got)
		}
		if got := len(n.FormSpaces); got != 2 {
			t.Fatalf("got %d form spaces, want 2", got)
		}
		for _, s := range n.FormSpaces {
			if s.SecurityManager.Name == "" {
				t.Fatalf("form space %s has no security manager name", s.Code)
			}
		}
	}
}
