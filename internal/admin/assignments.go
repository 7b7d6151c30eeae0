package admin

import (
	"context"
	"slices"
	"strconv"
	"time"

	"accountd/ent"
	"accountd/ent/formspace"
	"accountd/ent/group"
	"accountd/ent/groupmembership"
	"accountd/ent/organization"
	"accountd/ent/role"
	"accountd/ent/roleassignment"
	"accountd/internal/audit"
)

// Grant is one role or group to assign, permanently when ExpiresAt is nil.
type Grant struct {
	ID        int
	ExpiresAt *time.Time
}

// assignedValue is how an assignment appears in an audit event.
func assignedValue(expiresAt *time.Time) map[string]any {
	return map[string]any{"expiresAt": nilTime(expiresAt)}
}

func nilTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC().Format(time.RFC3339)
}

// checkGrants refuses an empty list, repetitions and expiries that are not
// in the future; field names the list, idField the ID of one element.
func (s *Service) checkGrants(grants []Grant, field, idField string) error {
	var p problems
	if len(grants) == 0 {
		p.add(CodeRequired, "name at least one", field)
	}
	now := s.now()
	seen := map[int]bool{}
	for i, g := range grants {
		at := strconv.Itoa(i)
		if seen[g.ID] {
			p.add(CodeInvalidValue, "named twice", field, at, idField)
		}
		seen[g.ID] = true
		if g.ExpiresAt != nil && !g.ExpiresAt.After(now) {
			p.add(CodeExpiryInPast, "the expiry must lie in the future", field, at, "expiresAt")
		}
	}
	return p.err()
}

// AssignRoles gives roles to a user; a role already held gets the new
// expiry instead.
func (s *Service) AssignRoles(ctx context.Context, userID int, grants []Grant) (*ent.User, error) {
	if err := s.checkGrants(grants, "assignments", "roleId"); err != nil {
		return nil, err
	}
	if err := checkNotSelf(ctx, userID); err != nil {
		return nil, err
	}
	return s.changeUser(ctx, userID, "user.roles_assigned", func(c *ent.Client, u *ent.User) (map[string]audit.Change, error) {
		roles, err := s.loadRoles(ctx, c, grants)
		if err != nil {
			return nil, err
		}
		held, err := c.RoleAssignment.Query().
			Where(roleassignment.UserID(u.ID), roleassignment.RoleIDIn(idsOf(grants)...)).
			All(ctx)
		if err != nil {
			return nil, err
		}
		byRole := map[int]*ent.RoleAssignment{}
		for _, a := range held {
			byRole[a.RoleID] = a
		}
		changes := map[string]audit.Change{}
		actor := actorOf(ctx).Name()
		for _, g := range grants {
			key := "roles." + roles[g.ID].Name
			if a, ok := byRole[g.ID]; ok {
				if sameTime(a.ExpiresAt, g.ExpiresAt) {
					continue
				}
				if err := setRoleExpiry(ctx, c, a, g.ExpiresAt); err != nil {
					return nil, err
				}
				changes[key] = audit.Change{Before: assignedValue(a.ExpiresAt),
					After: assignedValue(g.ExpiresAt)}
				continue
			}
			err := c.RoleAssignment.Create().SetUserID(u.ID).SetRoleID(g.ID).
				SetAssignedAt(s.now()).SetAssignedBy(actor).
				SetNillableExpiresAt(g.ExpiresAt).Exec(ctx)
			if err != nil {
				return nil, err
			}
			changes[key] = audit.Change{Before: nil, After: assignedValue(g.ExpiresAt)}
		}
		return changes, nil
	})
}

// loadRoles loads the roles of grants and checks that the caller may hand
// them out.
func (s *Service) loadRoles(ctx context.Context, c *ent.Client, grants []Grant) (map[int]*ent.Role, error) {
	roles, err := c.Role.Query().Where(role.IDIn(idsOf(grants)...)).All(ctx)
	if err != nil {
		return nil, err
	}
	byID := map[int]*ent.Role{}
	for _, r := range roles {
		byID[r.ID] = r
	}
	var p problems
	for i, g := range grants {
		at := strconv.Itoa(i)
		r, ok := byID[g.ID]
		if !ok {
			p.add(CodeNotFound, "no role has this ID", "assignments", at, "roleId")
			continue
		}
		if err := checkRoleGrant(ctx, r, "assignments", at, "roleId"); err != nil {
			return nil, err
		}
	}
	return byID, p.err()
}

// UnassignRoles takes roles away from a user; roles it does not hold are
// ignored.
func (s *Service) UnassignRoles(ctx context.Context, userID int, roleIDs []int) (*ent.User, error) {
	if len(roleIDs) == 0 {
		return nil, refuse(CodeRequired, "name at least one role", "roleIds")
	}
	if err := checkNotSelf(ctx, userID); err != nil {
		return nil, err
	}
	return s.changeUser(ctx, userID, "user.roles_unassigned", func(c *ent.Client, u *ent.User) (map[string]audit.Change, error) {
		held, err := c.RoleAssignment.Query().
			Where(roleassignment.UserID(u.ID), roleassignment.RoleIDIn(roleIDs...)).
			WithRole().
			All(ctx)
		if err != nil {
			return nil, err
		}
		changes := map[string]audit.Change{}
		for _, a := range held {
			if err := checkRoleGrant(ctx, a.Edges.Role, "roleIds"); err != nil {
				return nil, err
			}
			if isAdministrator(a.Edges.Role) && u.Status == "ACTIVE" {
				last, err := s.lastAdministrator(ctx, c, u.ID)
				if err != nil {
					return nil, err
				}
				if last {
					return nil, refuse(CodeLastAdministrator,
						"the last active Administrator cannot lose the role", "roleIds")
				}
			}
			if err := c.RoleAssignment.DeleteOne(a).Exec(ctx); err != nil {
				return nil, err
			}
			changes["roles."+a.Edges.Role.Name] = audit.Change{
				Before: assignedValue(a.ExpiresAt), After: nil}
		}
		return changes, nil
	})
}

// SetRoleExpiry sets, changes or clears (nil) the expiry of a role the user
// holds.
func (s *Service) SetRoleExpiry(ctx context.Context, userID, roleID int, expiresAt *time.Time) (*ent.User, error) {
	if expiresAt != nil && !expiresAt.After(s.now()) {
		return nil, refuse(CodeExpiryInPast, "the expiry must lie in the future", "expiresAt")
	}
	if err := checkNotSelf(ctx, userID); err != nil {
		return nil, err
	}
	return s.changeUser(ctx, userID, "user.role_expiry_set", func(c *ent.Client, u *ent.User) (map[string]audit.Change, error) {
		a, err := heldRole(ctx, c, u.ID, roleID)
		if err != nil {
			return nil, err
		}
		if sameTime(a.ExpiresAt, expiresAt) {
			return nil, nil
		}
		if err := setRoleExpiry(ctx, c, a, expiresAt); err != nil {
			return nil, err
		}
		return map[string]audit.Change{"roles." + a.Edges.Role.Name: {
			Before: assignedValue(a.ExpiresAt), After: assignedValue(expiresAt)}}, nil
	})
}

// AssignGroups puts a user in groups; a group already joined gets the new
// expiry instead.
func (s *Service) AssignGroups(ctx context.Context, userID int, grants []Grant) (*ent.User, error) {
	if err := s.checkGrants(grants, "assignments", "groupId"); err != nil {
		return nil, err
	}
	if err := checkNotSelf(ctx, userID); err != nil {
		return nil, err
	}
	return s.changeUser(ctx, userID, "user.groups_assigned", func(c *ent.Client, u *ent.User) (map[string]audit.Change, error) {
		groups, err := c.Group.Query().Where(group.IDIn(idsOf(grants)...)).All(ctx)
		if err != nil {
			return nil, err
		}
		byID := map[int]*ent.Group{}
		for _, g := range groups {
			byID[g.ID] = g
		}
		var p problems
		for i, g := range grants {
			if byID[g.ID] == nil {
				p.add(CodeNotFound, "no group has this ID", "assignments", strconv.Itoa(i), "groupId")
			}
		}
		if err := p.err(); err != nil {
			return nil, err
		}
		held, err := c.GroupMembership.Query().
			Where(groupmembership.UserID(u.ID), groupmembership.GroupIDIn(idsOf(grants)...)).
			All(ctx)
		if err != nil {
			return nil, err
		}
		byGroup := map[int]*ent.GroupMembership{}
		for _, m := range held {
			byGroup[m.GroupID] = m
		}
		changes := map[string]audit.Change{}
		actor := actorOf(ctx).Name()
		for _, g := range grants {
			key := "groups." + byID[g.ID].Name
			if m, ok := byGroup[g.ID]; ok {
				if sameTime(m.ExpiresAt, g.ExpiresAt) {
					continue
				}
				upd := c.GroupMembership.UpdateOne(m).SetNillableExpiresAt(g.ExpiresAt)
				if g.ExpiresAt == nil {
					upd.ClearExpiresAt()
				}
				if err := upd.Exec(ctx); err != nil {
					return nil, err
				}
				changes[key] = audit.Change{Before: assignedValue(m.ExpiresAt),
					After: assignedValue(g.ExpiresAt)}
				continue
			}
			err := c.GroupMembership.Create().SetUserID(u.ID).SetGroupID(g.ID).
				SetAssignedAt(s.now()).SetAssignedBy(actor).
				SetNillableExpiresAt(g.ExpiresAt).Exec(ctx)
			if err != nil {
				return nil, err
			}
			changes[key] = audit.Change{Before: nil, After: assignedValue(g.ExpiresAt)}
		}
		return changes, nil
	})
}

// UnassignGroups takes a user out of groups; groups it is not in are
// ignored.
func (s *Service) UnassignGroups(ctx context.Context, userID int, groupIDs []int) (*ent.User, error) {
	if len(groupIDs) == 0 {
		return nil, refuse(CodeRequired, "name at least one group", "groupIds")
	}
	if err := checkNotSelf(ctx, userID); err != nil {
		return nil, err
	}
	return s.changeUser(ctx, userID, "user.groups_unassigned", func(c *ent.Client, u *ent.User) (map[string]audit.Change, error) {
		held, err := c.GroupMembership.Query().
			Where(groupmembership.UserID(u.ID), groupmembership.GroupIDIn(groupIDs...)).
			WithGroup().
			All(ctx)
		if err != nil {
			return nil, err
		}
		changes := map[string]audit.Change{}
		for _, m := range held {
			if err := c.GroupMembership.DeleteOne(m).Exec(ctx); err != nil {
				return nil, err
			}
			changes["groups."+m.Edges.Group.Name] = audit.Change{
				Before: assignedValue(m.ExpiresAt), After: nil}
		}
		return changes, nil
	})
}

// SetGroupExpiry sets, changes or clears (nil) the expiry of a membership.
func (s *Service) SetGroupExpiry(ctx context.Context, userID, groupID int, expiresAt *time.Time) (*ent.User, error) {
	if expiresAt != nil && !expiresAt.After(s.now()) {
		return nil, refuse(CodeExpiryInPast, "the expiry must lie in the future", "expiresAt")
	}
	if err := checkNotSelf(ctx, userID); err != nil {
		return nil, err
	}
	return s.changeUser(ctx, userID, "user.group_expiry_set", func(c *ent.Client, u *ent.User) (map[string]audit.Change, error) {
		m, err := joinedGroup(ctx, c, u.ID, groupID)
		if err != nil {
			return nil, err
		}
		if sameTime(m.ExpiresAt, expiresAt) {
			return nil, nil
		}
		upd := c.GroupMembership.UpdateOne(m).SetNillableExpiresAt(expiresAt)
		if expiresAt == nil {
			upd.ClearExpiresAt()
		}
		if err := upd.Exec(ctx); err != nil {
			return nil, err
		}
		return map[string]audit.Change{"groups." + m.Edges.Group.Name: {
			Before: assignedValue(m.ExpiresAt), After: assignedValue(expiresAt)}}, nil
	})
}

// AssignOrganizations adds a user to organizations.
func (s *Service) AssignOrganizations(ctx context.Context, userID int, orgIDs []int) (*ent.User, error) {
	return s.changeOrganizations(ctx, userID, orgIDs, true)
}

// UnassignOrganizations removes a user from organizations.
func (s *Service) UnassignOrganizations(ctx context.Context, userID int, orgIDs []int) (*ent.User, error) {
	return s.changeOrganizations(ctx, userID, orgIDs, false)
}

func (s *Service) changeOrganizations(ctx context.Context, userID int, orgIDs []int, add bool) (*ent.User, error) {
	if len(orgIDs) == 0 {
		return nil, refuse(CodeRequired, "name at least one organization", "organizationIds")
	}
	if err := checkNotSelf(ctx, userID); err != nil {
		return nil, err
	}
	action := "user.organizations_unassigned"
	if add {
		action = "user.organizations_assigned"
	}
	return s.changeUser(ctx, userID, action, func(c *ent.Client, u *ent.User) (map[string]audit.Change, error) {
		if err := checkOrganizations(ctx, c, orgIDs); err != nil {
			return nil, err
		}
		orgs, err := c.Organization.Query().Where(organization.IDIn(orgIDs...)).All(ctx)
		if err != nil {
			return nil, err
		}
		current, err := u.QueryOrganizations().IDs(ctx)
		if err != nil {
			return nil, err
		}
		targets := make([]codedID, len(orgs))
		for i, o := range orgs {
			targets[i] = codedID{o.ID, o.Code}
		}
		ids, changes := membershipChanges(current, targets, add, "organizations.")
		if len(ids) == 0 {
			return nil, nil
		}
		upd := c.User.UpdateOneID(u.ID)
		if add {
			upd.AddOrganizationIDs(ids...)
		} else {
			upd.RemoveOrganizationIDs(ids...)
		}
		return changes, upd.Exec(ctx)
	})
}

// AssignFormSpaces lets a user work in form spaces.
func (s *Service) AssignFormSpaces(ctx context.Context, userID int, ids []int) (*ent.User, error) {
	return s.changeFormSpaces(ctx, userID, ids, true)
}

// UnassignFormSpaces takes form spaces away from a user.
func (s *Service) UnassignFormSpaces(ctx context.Context, userID int, ids []int) (*ent.User, error) {
	return s.changeFormSpaces(ctx, userID, ids, false)
}

func (s *Service) changeFormSpaces(ctx context.Context, userID int, fsIDs []int, add bool) (*ent.User, error) {
	if len(fsIDs) == 0 {
		return nil, refuse(CodeRequired, "name at least one form space", "formSpaceIds")
	}
	action := "user.form_spaces_unassigned"
	if add {
		action = "user.form_spaces_assigned"
	}
	return s.changeUser(ctx, userID, action, func(c *ent.Client, u *ent.User) (map[string]audit.Change, error) {
		spaces, err := c.FormSpace.Query().Where(formspace.IDIn(fsIDs...)).All(ctx)
		if err != nil {
			return nil, err
		}
		found := map[int]*ent.FormSpace{}
		for _, f := range spaces {
			found[f.ID] = f
		}
		var p problems
		for i, id := range fsIDs {
			if found[id] == nil {
				p.add(CodeNotFound, "no form space has this ID", "formSpaceIds", strconv.Itoa(i))
			}
		}
		if err := p.err(); err != nil {
			return nil, err
		}
		current, err := u.QueryFormSpaces().IDs(ctx)
		if err != nil {
			return nil, err
		}
		targets := make([]codedID, len(spaces))
		for i, f := range spaces {
			targets[i] = codedID{f.ID, f.Code}
		}
		ids, changes := membershipChanges(current, targets, add, "formSpaces.")
		if len(ids) == 0 {
			return nil, nil
		}
		upd := c.User.UpdateOneID(u.ID)
		if add {
			upd.AddFormSpaceIDs(ids...)
		} else {
			upd.RemoveFormSpaceIDs(ids...)
		}
		return changes, upd.Exec(ctx)
	})
}

// codedID is an organization or form space: its key and its code, which
// names it in audit events.
type codedID struct {
	id   int
	code string
}

// membershipChanges returns the targets whose membership differs from add
// given the user's current memberships, and an audit change for each, keyed
// prefix + code.
func membershipChanges(current []int, targets []codedID, add bool,
	prefix string) ([]int, map[string]audit.Change) {
	has := map[int]bool{}
	for _, id := range current {
		has[id] = true
	}
	changes := map[string]audit.Change{}
	var ids []int
	for _, t := range targets {
		if has[t.id] == add {
			continue
		}
		ids = append(ids, t.id)
		changes[prefix+t.code] = audit.Change{Before: has[t.id], After: add}
	}
	return ids, changes
}

// changeUser runs change on the locked user in a transaction; when change
// reports changes, the user's version is bumped and an audit event with
// action is recorded, otherwise nothing is written.
func (s *Service) changeUser(ctx context.Context, userID int, action string,
	change func(c *ent.Client, u *ent.User) (map[string]audit.Change, error)) (*ent.User, error) {
	var result *ent.User
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		c := tx.Client()
		u, err := s.lockUser(ctx, c, userID, nil)
		if err != nil {
			return err
		}
		changes, err := change(c, u)
		if err != nil {
			return err
		}
		result = u
		if len(changes) == 0 {
			return nil
		}
		if result, err = s.saveUser(ctx, c.User.UpdateOne(u), u); err != nil {
			return err
		}
		return audit.Record(ctx, c, s.now(), audit.Event{Action: action, TargetType: "User",
			TargetID: u.ID, Changes: changes})
	})
	return unwrap(result), err
}

func idsOf(grants []Grant) []int {
	ids := make([]int, len(grants))
	for i, g := range grants {
		ids[i] = g.ID
	}
	return ids
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Equal(*b)
}

func setRoleExpiry(ctx context.Context, c *ent.Client, a *ent.RoleAssignment, expiresAt *time.Time) error {
	upd := c.RoleAssignment.UpdateOne(a).SetNillableExpiresAt(expiresAt)
	if expiresAt == nil {
		upd.ClearExpiresAt()
	}
	return upd.Exec(ctx)
}

// checkOrganizations refuses unknown organizations and those the caller
// may not hand out.
func checkOrganizations(ctx context.Context, c *ent.Client, orgIDs []int) error {
	if len(orgIDs) == 0 {
		return nil
	}
	found, err := c.Organization.Query().Where(organization.IDIn(orgIDs...)).IDs(ctx)
	if err != nil {
		return err
	}
	var p problems
	for i, id := range orgIDs {
		at := strconv.Itoa(i)
		if !slices.Contains(found, id) {
			p.add(CodeNotFound, "no organization has this ID", "organizationIds", at)
			continue
		}
		if err := checkOrganizationGrant(ctx, id, "organizationIds", at); err != nil {
			return err
		}
	}
	return p.err()
}

// heldRole returns user's assignment of role with the role loaded, when the
// caller may hand that role out.
func heldRole(ctx context.Context, c *ent.Client, userID, roleID int) (*ent.RoleAssignment, error) {
	a, err := c.RoleAssignment.Query().
		Where(roleassignment.UserID(userID), roleassignment.RoleID(roleID)).
		WithRole().
		Only(ctx)
	if err != nil {
		return nil, notFound(err, "role held by this user", "roleId")
	}
	if err := checkRoleGrant(ctx, a.Edges.Role, "roleId"); err != nil {
		return nil, err
	}
	return a, nil
}

// joinedGroup returns user's membership of group with the group loaded.
func joinedGroup(ctx context.Context, c *ent.Client, userID, groupID int) (*ent.GroupMembership, error) {
	m, err := c.GroupMembership.Query().
		Where(groupmembership.UserID(userID), groupmembership.GroupID(groupID)).
		WithGroup().
		Only(ctx)
	if err != nil {
		return nil, notFound(err, "group joined by this user", "groupId")
	}
	return m, nil
}
