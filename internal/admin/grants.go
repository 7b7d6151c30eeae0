package admin

import (
	"context"
	"slices"

	"accountd/ent"
	"accountd/ent/role"
	"accountd/ent/roleassignment"
	"accountd/ent/user"
	"accountd/internal/account"
	"accountd/internal/auth"
	"accountd/internal/authz"
)

// AdministratorRole is the name of the builtin role that cannot be deleted
// and whose last active holder cannot lose it.
const AdministratorRole = auth.AdministratorRole

// actorOf returns the caller; without one, as in background work, the
// caller is the system.
func actorOf(ctx context.Context) *authz.Actor {
	if a, ok := authz.ActorFrom(ctx); ok {
		return a
	}
	return authz.System
}

// checkNotSelf refuses a change of the caller's own access: nobody raises
// their own privileges.
func checkNotSelf(ctx context.Context, userID int) error {
	a := actorOf(ctx)
	if !a.System && a.UserID == userID {
		return refuse(CodeForbiddenGrant, "nobody may change their own access", "userId")
	}
	return nil
}

// checkRoleGrant refuses roles the caller may not hand out or take away:
// without GLOBAL_ACCESS, only organization-assignable roles that do not
// grant GLOBAL_ACCESS.
func checkRoleGrant(ctx context.Context, r *ent.Role, field ...string) error {
	a := actorOf(ctx)
	if a.Global() {
		return nil
	}
	if !r.OrganizationAssignable || slices.Contains(r.Permissions, authz.GlobalAccess) {
		return refuse(CodeForbiddenGrant, "the role "+r.Name+
			" may be handed out only by a caller with GLOBAL_ACCESS", field...)
	}
	return nil
}

// checkOrganizationGrant refuses organizations the caller does not belong
// to, unless it has GLOBAL_ACCESS.
func checkOrganizationGrant(ctx context.Context, orgID int, field ...string) error {
	a := actorOf(ctx)
	if a.Global() || a.InOrganization(orgID) {
		return nil
	}
	return refuse(CodeForbiddenGrant, "only organizations of one's own may be handed out", field...)
}

// isAdministrator reports whether r is the builtin Administrator role.
func isAdministrator(r *ent.Role) bool {
	return r.Builtin && r.Name == AdministratorRole
}

// lastAdministrator reports whether userID is the last active holder of
// the Administrator role.
func (s *Service) lastAdministrator(ctx context.Context, c *ent.Client, userID int) (bool, error) {
	return auth.IsLastAdministrator(ctx, c, userID, s.now())
}

// lastAdministrators returns the ACTIVE Administrators among users when
// moving all of users out of ACTIVE would leave no active Administrator.
func (s *Service) lastAdministrators(ctx context.Context, c *ent.Client, users []*ent.User) ([]int, error) {
	var active []int
	for _, u := range users {
		if u.Status == account.StatusActive {
			active = append(active, u.ID)
		}
	}
	if len(active) == 0 {
		return nil, nil
	}
	if err := auth.LockAdministrators(ctx, c); err != nil {
		return nil, err
	}
	now := s.now()
	holders, err := c.RoleAssignment.Query().
		Where(
			roleassignment.HasRoleWith(role.Builtin(true), role.Name(AdministratorRole)),
			roleassignment.HasUserWith(user.StatusEQ(account.StatusActive)),
			roleassignment.Or(roleassignment.ExpiresAtIsNil(), roleassignment.ExpiresAtGT(now)),
		).
		Select(roleassignment.FieldUserID).
		Ints(authz.SystemContext(ctx))
	if err != nil {
		return nil, err
	}
	var leaving []int
	for _, id := range holders {
		if slices.Contains(active, id) {
			leaving = append(leaving, id)
		}
	}
	if len(leaving) == 0 || len(leaving) < len(holders) {
		return nil, nil
	}
	return leaving, nil
}
