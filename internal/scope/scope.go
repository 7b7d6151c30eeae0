// Package scope limits which users a caller sees, at the data-access layer:
// ent query interceptors on users and on the rows that point at users run
// for every query, traversal, eager load and node lookup, so no resolver can
// bypass them.
package scope

import (
	"context"

	"accountd/ent"
	"accountd/ent/groupmembership"
	"accountd/ent/intercept"
	"accountd/ent/organization"
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
		if p, limited := Users(ctx); limited {
			q.Where(p)
		}
		return nil
	}))
	client.RoleAssignment.Intercept(intercept.TraverseRoleAssignment(
		func(ctx context.Context, q *ent.RoleAssignmentQuery) error {
			if p, limited := Users(ctx); limited {
				q.Where(roleassignment.HasUserWith(p))
			}
			return nil
		}))
	client.GroupMembership.Intercept(intercept.TraverseGroupMembership(
		func(ctx context.Context, q *ent.GroupMembershipQuery) error {
			if p, limited := Users(ctx); limited {
				q.Where(groupmembership.HasUserWith(p))
			}
			return nil
		}))
}

// Users returns the predicate of the users the actor of ctx may see, and
// false when it may see all of them. Queries that count or group users in
// SQL apply it themselves.
func Users(ctx context.Context) (predicate.User, bool) {
	a, ok := authz.ActorFrom(ctx)
	switch {
	case !ok:
		return user.IDIn(), true
	case a.System, a.Has(authz.UsersRead) && a.Global():
		return nil, false
	case !a.Has(authz.UsersRead):
		return user.ID(a.UserID), true
	}
	return user.Or(
		user.ID(a.UserID),
		user.HasOrganizationsWith(organization.IDIn(a.OrganizationIDs...)),
	), true
}
