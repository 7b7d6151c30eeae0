package admin

import (
	"context"
	"time"

	"accountd/ent"
	"accountd/internal/audit"
)

// CodeExpiryNotLater refuses an extension that would not move an expiry
// later.
const CodeExpiryNotLater Code = "EXPIRY_NOT_LATER"

// ExtendRoleAssignment moves the expiry of a role a user holds to a later
// instant, recorded as user.role_assignment_extended. A permanent or
// already expired assignment, or an earlier or equal expiry, is refused.
func (s *Service) ExtendRoleAssignment(ctx context.Context, userID, roleID int,
	expiresAt time.Time) (*ent.User, error) {
	if !expiresAt.After(s.now()) {
		return nil, refuse(CodeExpiryInPast, "the expiry must lie in the future", "expiresAt")
	}
	if err := checkNotSelf(ctx, userID); err != nil {
		return nil, err
	}
	return s.changeUser(ctx, userID, "user.role_assignment_extended",
		func(c *ent.Client, u *ent.User) (map[string]audit.Change, error) {
			a, err := heldRole(ctx, c, u.ID, roleID)
			if err != nil {
				return nil, err
			}
			if err := s.checkLater(a.ExpiresAt, expiresAt); err != nil {
				return nil, err
			}
			if err := setRoleExpiry(ctx, c, a, &expiresAt); err != nil {
				return nil, err
			}
			return map[string]audit.Change{"roles." + a.Edges.Role.Name: {
				Before: assignedValue(a.ExpiresAt), After: assignedValue(&expiresAt)}}, nil
		})
}

// ExtendGroupMembership moves the expiry of a group membership to a later
// instant, recorded as user.group_membership_extended, with the same
// refusals as ExtendRoleAssignment.
func (s *Service) ExtendGroupMembership(ctx context.Context, userID, groupID int,
	expiresAt time.Time) (*ent.User, error) {
	if !expiresAt.After(s.now()) {
		return nil, refuse(CodeExpiryInPast, "the expiry must lie in the future", "expiresAt")
	}
	if err := checkNotSelf(ctx, userID); err != nil {
		return nil, err
	}
	return s.changeUser(ctx, userID, "user.group_membership_extended",
		func(c *ent.Client, u *ent.User) (map[string]audit.Change, error) {
			m, err := joinedGroup(ctx, c, u.ID, groupID)
			if err != nil {
				return nil, err
			}
			if err := s.checkLater(m.ExpiresAt, expiresAt); err != nil {
				return nil, err
			}
			if err := c.GroupMembership.UpdateOne(m).SetExpiresAt(expiresAt).Exec(ctx); err != nil {
				return nil, err
			}
			return map[string]audit.Change{"groups." + m.Edges.Group.Name: {
				Before: assignedValue(m.ExpiresAt), After: assignedValue(&expiresAt)}}, nil
		})
}

// checkLater refuses an extension of a permanent or expired assignment and
// one that does not move the expiry later.
func (s *Service) checkLater(current *time.Time, next time.Time) error {
	switch {
	case current == nil:
		return refuse(CodeExpiryNotLater, "the assignment is permanent; nothing to extend",
			"expiresAt")
	case !current.After(s.now()):
		return refuse(CodeExpiryInPast, "the assignment has expired; assign it again",
			"expiresAt")
	case !next.After(*current):
		return refuse(CodeExpiryNotLater, "the new expiry must lie after the current one, "+
			current.UTC().Format(time.RFC3339), "expiresAt")
	}
	return nil
}
