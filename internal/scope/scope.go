// Package scope limits which users a caller sees, at the data-access layer:
// ent query interceptors on users and on the rows that point at users run
// for every query, traversal, eager load and node lookup, so no resolver can
// bypass them.
package scope

import (
	"context"

	"entgo.io/ent/dialect/sql"

	"accountd/ent"
	"accountd/ent/groupmembership"
	"accountd/ent/intercept"
	"accountd/ent/predicate"
	"accountd/ent/roleassignment"
	"accountd/ent/user"
	"accountd/internal/authz"
)

// Enforce registers the interceptors that enforce the scope on client.
//
// The rule: the system sees every user. A caller sees itself. Other users
// need USERS_READ, and without GLOBAL_ACCESS only those sharing an
// organization with the caller. A context without an actor sees no user:
// background work runs under authz.SystemContext. Role assignments and
// group memberships of users out of scope are hidden the same way, so that
// no non-null edge points at a user the caller cannot see.
func Enforce(client *ent.Client) {
	client.User.Intercept(intercept.TraverseUser(func(ctx context.Context, q *ent.UserQuery) error {
		if visible, limited := userIDs(ctx); limited {
			q.Where(func(s *sql.Selector) { s.Where(visible(s.C(user.FieldID))) })
		}
		return nil
	}))
	client.RoleAssignment.Intercept(intercept.TraverseRoleAssignment(
		func(ctx context.Context, q *ent.RoleAssignmentQuery) error {
			if visible, limited := userIDs(ctx); limited {
				q.Where(func(s *sql.Selector) { s.Where(visible(s.C(roleassignment.FieldUserID))) })
			}
			return nil
		}))
	client.GroupMembership.Intercept(intercept.TraverseGroupMembership(
		func(ctx context.Context, q *ent.GroupMembershipQuery) error {
			if visible, limited := userIDs(ctx); limited {
				q.Where(func(s *sql.Selector) { s.Where(visible(s.C(groupmembership.FieldUserID))) })
			}
			return nil
		}))
}

// Users returns the predicate of the users the actor of ctx may see, and
// false when it may see all of them. Queries that count or group users in
// SQL apply it themselves.
func Users(ctx context.Context) (predicate.User, bool) {
	visible, limited := userIDs(ctx)
	if !limited {
		return nil, false
	}
	return func(s *sql.Selector) { s.Where(visible(s.C(user.FieldID))) }, true
}

// userIDs returns the condition that a column holding a user ID names a
// user the actor of ctx may see, and false when it may see all. The
// condition is a plain IN over the membership table, which both engines
// turn into a semi-join, also inside the eager loads of assignments.
func userIDs(ctx context.Context) (func(column string) *sql.Predicate, bool) {
	a, ok := authz.ActorFrom(ctx)
	switch {
	case !ok:
		return func(string) *sql.Predicate { return sql.False() }, true
	case a.System, a.Has(authz.UsersRead) && a.Global():
		return nil, false
	case !a.Has(authz.UsersRead) || len(a.OrganizationIDs) == 0:
		return func(column string) *sql.Predicate { return sql.EQ(column, a.UserID) }, true
	}
	orgs := make([]any, len(a.OrganizationIDs))
	for i, id := range a.OrganizationIDs {
		orgs[i] = id
	}
	return func(column string) *sql.Predicate {
		members := sql.Table(user.OrganizationsTable)
		return sql.Or(
			sql.EQ(column, a.UserID),
			sql.In(column, sql.Select(members.C(user.OrganizationsPrimaryKey[0])).
				From(members).
				Where(sql.In(members.C(user.OrganizationsPrimaryKey[1]), orgs...))),
		)
	}, true
}
