package auth

import (
	"context"
	"time"

	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"

	"accountd/ent"
	"accountd/ent/role"
	"accountd/ent/roleassignment"
	"accountd/ent/user"
	"accountd/internal/account"
	"accountd/internal/authz"
)

// countActiveAdministrators counts the ACTIVE users holding an unexpired
// Administrator assignment at now, leaving out the user except.
func countActiveAdministrators(ctx context.Context, c *ent.Client, except int, now time.Time) (int, error) {
	return c.RoleAssignment.Query().
		Where(
			roleassignment.HasRoleWith(role.Builtin(true), role.Name(AdministratorRole)),
			roleassignment.HasUserWith(user.StatusEQ(account.StatusActive)),
			roleassignment.Or(roleassignment.ExpiresAtIsNil(), roleassignment.ExpiresAtGT(now)),
			roleassignment.UserIDNEQ(except),
		).
		Count(authz.SystemContext(ctx))
}

// LockAdministrators makes the transactions that may leave accountd
// without an active Administrator run one after the other. Under read
// committed, two transactions taking out one administrator each would
// otherwise both count the other one and both go ahead. On PostgreSQL each
// locks the Administrator role's row before counting, until it commits;
// the count that follows sees what the previous one committed. A SQLite
// transaction holds the database's write lock from its start, which
// already serializes them. Callers lock the users they change first, and
// the sweeper does too, so the locks are always taken in the same order.
func LockAdministrators(ctx context.Context, c *ent.Client) error {
	_, err := c.Role.Query().
		Where(role.Builtin(true), role.Name(AdministratorRole)).
		Select(role.FieldID).
		Modify(func(s *sql.Selector) {
			if s.Dialect() == dialect.Postgres {
				s.ForUpdate()
			}
		}).
		Ints(authz.SystemContext(ctx))
	return err
}

// IsLastAdministrator reports whether userID holds an unexpired
// Administrator assignment at now and no other ACTIVE user does: taking
// the role from that user, or the user out of ACTIVE, would leave nobody
// to administer accountd. Administration, the sweeper and lockouts after
// failed logins ask it.
func IsLastAdministrator(ctx context.Context, c *ent.Client, userID int, now time.Time) (bool, error) {
	holds, err := c.RoleAssignment.Query().
		Where(
			roleassignment.UserID(userID),
			roleassignment.HasRoleWith(role.Builtin(true), role.Name(AdministratorRole)),
			roleassignment.Or(roleassignment.ExpiresAtIsNil(), roleassignment.ExpiresAtGT(now)),
		).
		Exist(authz.SystemContext(ctx))
	if err != nil || !holds {
		return false, err
	}
	if err := LockAdministrators(ctx, c); err != nil {
		return false, err
	}
	others, err := countActiveAdministrators(ctx, c, userID, now)
	return others == 0, err
}
