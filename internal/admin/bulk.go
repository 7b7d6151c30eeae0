package admin

import (
	"context"

	"accountd/ent"
	"accountd/ent/roleassignment"
	"accountd/ent/user"
	"accountd/internal/audit"
)

// BulkAssignRoles gives the same roles to up to MaxBulkUsers users in one
// transaction: if any user is refused, none changes, and the BulkError
// names the refused users.
func (s *Service) BulkAssignRoles(ctx context.Context, userIDs []int, grants []Grant) ([]*ent.User, error) {
	ids, err := checkBulkIDs(userIDs)
	if err != nil {
		return nil, err
	}
	if err := s.checkGrants(grants, "assignments", "roleId"); err != nil {
		return nil, err
	}
	var result []*ent.User
	err = s.inTx(ctx, func(tx *ent.Tx) error {
		c := tx.Client()
		roles, err := s.loadRoles(ctx, c, grants)
		if err != nil {
			return err
		}
		users, failures, err := s.lockUsers(ctx, c, ids)
		if err != nil {
			return err
		}
		for _, u := range users {
			if err := checkNotSelf(ctx, u.ID); err != nil {
				failures = append(failures, UserFailure{UserID: u.ID, Code: CodeForbiddenGrant,
					Message: "nobody may change their own access"})
			}
		}
		if len(failures) > 0 {
			return bulkRefusal(failures)
		}

		changes, err := s.assignToAll(ctx, c, ids, grants, roles)
		if err != nil {
			return err
		}
		var changed []int
		events := make([]audit.Event, 0, len(changes))
		for _, u := range users {
			if ch := changes[u.ID]; len(ch) > 0 {
				changed = append(changed, u.ID)
				events = append(events, audit.Event{Action: "user.roles_assigned",
					TargetType: "User", TargetID: u.ID, Changes: ch})
			}
		}
		if len(changed) > 0 {
			_, err := c.User.Update().Where(user.IDIn(changed...)).
				AddVersion(1).SetUpdatedAt(s.now()).Save(ctx)
			if err != nil {
				return err
			}
		}
		if err := audit.RecordAll(ctx, c, s.now(), events); err != nil {
			return err
		}
		result, err = c.User.Query().Where(user.IDIn(ids...)).Order(user.ByID()).All(ctx)
		return err
	})
	return unwrapAll(result), err
}

// assignToAll creates or updates the assignments of grants for every user
// and returns the changes by user.
func (s *Service) assignToAll(ctx context.Context, c *ent.Client, userIDs []int, grants []Grant,
	roles map[int]*ent.Role) (map[int]map[string]audit.Change, error) {
	held, err := c.RoleAssignment.Query().
		Where(roleassignment.UserIDIn(userIDs...), roleassignment.RoleIDIn(idsOf(grants)...)).
		All(ctx)
	if err != nil {
		return nil, err
	}
	type key struct{ user, role int }
	existing := make(map[key]*ent.RoleAssignment, len(held))
	for _, a := range held {
		existing[key{a.UserID, a.RoleID}] = a
	}
	changes := map[int]map[string]audit.Change{}
	note := func(userID int, name string, ch audit.Change) {
		if changes[userID] == nil {
			changes[userID] = map[string]audit.Change{}
		}
		changes[userID]["roles."+name] = ch
	}
	now, actor := s.now(), actorOf(ctx).Name()
	var creates []*ent.RoleAssignmentCreate
	for _, g := range grants {
		var updating []int
		for _, uid := range userIDs {
			a, ok := existing[key{uid, g.ID}]
			switch {
			case !ok:
				creates = append(creates, c.RoleAssignment.Create().SetUserID(uid).
					SetRoleID(g.ID).SetAssignedAt(now).SetAssignedBy(actor).
					SetNillableExpiresAt(g.ExpiresAt))
				note(uid, roles[g.ID].Name, audit.Change{After: assignedValue(g.ExpiresAt)})
			case !sameTime(a.ExpiresAt, g.ExpiresAt):
				updating = append(updating, uid)
				note(uid, roles[g.ID].Name, audit.Change{Before: assignedValue(a.ExpiresAt),
					After: assignedValue(g.ExpiresAt)})
			}
		}
		if len(updating) == 0 {
			continue
		}
		upd := c.RoleAssignment.Update().
			Where(roleassignment.RoleID(g.ID), roleassignment.UserIDIn(updating...)).
			SetNillableExpiresAt(g.ExpiresAt)
		if g.ExpiresAt == nil {
			upd.ClearExpiresAt()
		}
		if _, err := upd.Save(ctx); err != nil {
			return nil, err
		}
	}
	const chunk = 500
	for start := 0; start < len(creates); start += chunk {
		end := min(start+chunk, len(creates))
		if err := c.RoleAssignment.CreateBulk(creates[start:end]...).Exec(ctx); err != nil {
			return nil, err
		}
	}
	return changes, nil
}
