package server_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"accountd/ent"
	"accountd/ent/group"
	"accountd/internal/authz"
)

// usersPageQuery reads a page of users with every nested list an
// administrator's user table shows: the N+1 test pins its statement count
// and the benchmark times it.
const usersPageQuery = `query UsersPage($first: Int!, $after: Cursor) {
  users(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges {
      node {
        id
        username
        roleAssignments { role { name } expiresAt expired }
        groupMemberships { group { name } expiresAt expired }
        organizations { code }
        formSpaces { code securityManager { name } }
      }
    }
  }
}`

// seedBatch is how many users one bulk insert writes: small enough for
// SQLite's and PostgreSQL's limits on bound parameters.
const seedBatch = 500

// catalog is what seeded users are assigned to.
type catalog struct {
	roles  []*ent.Role
	groups []*ent.Group
	orgs   []*ent.Organization
	spaces []*ent.FormSpace
}

// seedUsers writes n users into client in one transaction, each with three
// role assignments (permanent, expiring, expired), two group memberships
// (one of every five expired), two organizations and two form spaces.
func seedUsers(tb testing.TB, client *ent.Client, n int) {
	tb.Helper()
	ctx := authz.SystemContext(context.Background())
	tx, err := client.Tx(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	defer func() { _ = tx.Rollback() }()

	c, err := seedCatalog(ctx, tx.Client())
	if err != nil {
		tb.Fatalf("seeding the catalog: %v", err)
	}
	now := time.Now().UTC()
	for start := 0; start < n; start += seedBatch {
		if err := seedUserBatch(ctx, tx.Client(), c, start, min(start+seedBatch, n), now); err != nil {
			tb.Fatalf("seeding users %d to %d: %v", start, start+seedBatch, err)
		}
	}

	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
}

func seedCatalog(ctx context.Context, client *ent.Client) (*catalog, error) {
	managers, err := client.SecurityManager.CreateBulk(
		client.SecurityManager.Create().SetName("Default").SetIsDefault(true),
		client.SecurityManager.Create().SetName("Portal").SetTwoFactorEnabled(true),
		client.SecurityManager.Create().SetName("Extranet"),
	).Save(ctx)
	if err != nil {
		return nil, err
	}
	var c catalog
	roles := make([]*ent.RoleCreate, 10)
	for i := range roles {
		roles[i] = client.Role.Create().SetName(fmt.Sprintf("Role %d", i))
	}
	if c.roles, err = client.Role.CreateBulk(roles...).Save(ctx); err != nil {
		return nil, err
	}
	groupTypes := []group.Type{group.TypeALERT, group.TypeFORM, group.TypeJOB}
	groups := make([]*ent.GroupCreate, 6)
	for i := range groups {
		groups[i] = client.Group.Create().
			SetName(fmt.Sprintf("Group %d", i)).
			SetType(groupTypes[i%len(groupTypes)])
	}
	if c.groups, err = client.Group.CreateBulk(groups...).Save(ctx); err != nil {
		return nil, err
	}
	orgs := make([]*ent.OrganizationCreate, 5)
	for i := range orgs {
		orgs[i] = client.Organization.Create().
			SetCode(fmt.Sprintf("ORG%d", i)).
			SetName(fmt.Sprintf("Organization %d", i))
	}
	if c.orgs, err = client.Organization.CreateBulk(orgs...).Save(ctx); err != nil {
		return nil, err
	}
	spaces := make([]*ent.FormSpaceCreate, 8)
	for i := range spaces {
		spaces[i] = client.FormSpace.Create().
			SetCode(fmt.Sprintf("SPACE%d", i)).
			SetName(fmt.Sprintf("Form space %d", i)).
			SetSecurityManager(managers[i%len(managers)])
	}
	if c.spaces, err = client.FormSpace.CreateBulk(spaces...).Save(ctx); err != nil {
		return nil, err
	}
	return &c, nil
}

// seedUserBatch writes the users numbered from to to-1 with their
// assignments, in three bulk inserts.
func seedUserBatch(ctx context.Context, client *ent.Client, c *catalog, from, to int, now time.Time) error {
	users := make([]*ent.UserCreate, 0, to-from)
	for i := from; i < to; i++ {
		users = append(users, client.User.Create().
			SetUsername(fmt.Sprintf("user%05d", i)).
			SetFirstName("First").
			SetLastName(fmt.Sprintf("Last%05d", i)).
			SetEmail(fmt.Sprintf("user%05d@example.com", i)).
			AddOrganizations(pick(c.orgs, i, 2)...).
			AddFormSpaces(pick(c.spaces, i, 2)...))
	}
	created, err := client.User.CreateBulk(users...).Save(ctx)
	if err != nil {
		return err
	}

	soon, past := now.Add(30*24*time.Hour), now.Add(-24*time.Hour)
	var assignments []*ent.RoleAssignmentCreate
	var memberships []*ent.GroupMembershipCreate
	for k, u := range created {
		i := from + k
		roles := pick(c.roles, i, 3)
		expiries := []*time.Time{nil, &soon, &past}
		for j, r := range roles {
			assignments = append(assignments, client.RoleAssignment.Create().
				SetUserID(u.ID).
				SetRoleID(r.ID).
				SetAssignedBy("seed").
				SetNillableExpiresAt(expiries[j]))
		}
		for j, g := range pick(c.groups, i, 2) {
			var expiresAt *time.Time
			if j == 1 && i%5 == 0 {
				expiresAt = &past
			}
			memberships = append(memberships, client.GroupMembership.Create().
				SetUserID(u.ID).
				SetGroupID(g.ID).
				SetAssignedBy("seed").
				SetNillableExpiresAt(expiresAt))
		}
	}
	if err := client.RoleAssignment.CreateBulk(assignments...).Exec(ctx); err != nil {
		return err
	}
	return client.GroupMembership.CreateBulk(memberships...).Exec(ctx)
}

// pick returns n distinct elements of all, starting at an offset that
// varies with i, so that users share the catalog unevenly.
func pick[T any](all []T, i, n int) []T {
	out := make([]T, 0, n)
	for j := range n {
		out = append(out, all[(i+j*3)%len(all)])
	}
	return out
}
