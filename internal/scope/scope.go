// Package scope limits which users a caller sees and changes, at the
// data-access layer: ent query interceptors and hooks on users and on the
// rows that point at users run for every query, traversal, eager load, node
// lookup and write, so no resolver can bypass them.
package scope

import (
	"context"

	"entgo.io/ent/dialect/sql"

	"accountd/ent"
	"accountd/ent/auditevent"
	"accountd/ent/groupmembership"
	"accountd/ent/hook"
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
// no non-null edge points at a user the caller cannot see, and a limited
// caller sees only the audit events about users it sees. Writes to these
// rows obey the same rule.
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
	client.AuditEvent.Intercept(intercept.TraverseAuditEvent(
		func(ctx context.Context, q *ent.AuditEventQuery) error {
			if visible, limited := userIDs(ctx); limited {
				q.Where(func(s *sql.Selector) {
					s.Where(sql.And(
						sql.EQ(s.C(auditevent.FieldTargetType), "User"),
						visible(s.C(auditevent.FieldTargetID)),
					))
				})
			}
			return nil
		}))
	guardWrites(client)
}

// guardWrites makes writes obey the scope as reads do: updates and deletes
// of users, role assignments and group memberships touch only rows of
// visible users (an invisible one is not found), and a new assignment or
// membership must name a visible user.
func guardWrites(client *ent.Client) {
	client.User.Use(func(next ent.Mutator) ent.Mutator {
		return hook.UserFunc(func(ctx context.Context, m *ent.UserMutation) (ent.Value, error) {
			if visible, limited := userIDs(ctx); limited && !m.Op().Is(ent.OpCreate) {
				m.Where(func(s *sql.Selector) { s.Where(visible(s.C(user.FieldID))) })
			}
			return next.Mutate(ctx, m)
		})
	})
	client.RoleAssignment.Use(func(next ent.Mutator) ent.Mutator {
		return hook.RoleAssignmentFunc(func(ctx context.Context, m *ent.RoleAssignmentMutation) (ent.Value, error) {
			visible, limited := userIDs(ctx)
			if !limited {
				return next.Mutate(ctx, m)
			}
			m.Where(func(s *sql.Selector) { s.Where(visible(s.C(roleassignment.FieldUserID))) })
			if id, ok := m.UserID(); ok {
				if err := checkVisible(ctx, m.Client(), id); err != nil {
					return nil, err
				}
			}
			return next.Mutate(ctx, m)
		})
	})
	client.GroupMembership.Use(func(next ent.Mutator) ent.Mutator {
		return hook.GroupMembershipFunc(func(ctx context.Context, m *ent.GroupMembershipMutation) (ent.Value, error) {
			visible, limited := userIDs(ctx)
			if !limited {
				return next.Mutate(ctx, m)
			}
			m.Where(func(s *sql.Selector) { s.Where(visible(s.C(groupmembership.FieldUserID))) })
			if id, ok := m.UserID(); ok {
				if err := checkVisible(ctx, m.Client(), id); err != nil {
					return nil, err
				}
			}
			return next.Mutate(ctx, m)
		})
	})
}

// checkVisible returns a not-found error when the actor of ctx may not see
// user id.
func checkVisible(ctx context.Context, client *ent.Client, id int) error {
	_, err := client.User.Query().Where(user.ID(id)).OnlyID(ctx)
	return err
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
