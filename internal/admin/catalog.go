package admin

import (
	"context"
	"fmt"
	"reflect"

	"accountd/ent"
	"accountd/ent/group"
	"accountd/ent/groupmembership"
	"accountd/ent/roleassignment"
	"accountd/ent/user"
	"accountd/internal/account"
	"accountd/internal/audit"
	"accountd/internal/authz"
)

// RoleInput holds the fields of a role; on update, nil fields stay as
// they are.
type RoleInput struct {
	ID                     int
	Name, Description      *string
	Permissions            []authz.Permission
	OrganizationAssignable *bool
	Active                 *bool
}

// OrganizationInput holds the fields of an organization.
type OrganizationInput struct {
	ID                      int
	Code, Name, Description *string
	// NotificationEmail also receives the expiry reminders of the
	// organization's users; empty clears it.
	NotificationEmail *string
}

// FormSpaceInput holds the fields of a form space.
type FormSpaceInput struct {
	ID                      int
	Code, Name, Description *string
	SecurityManagerID       *int
}

// GroupInput holds the fields of a group.
type GroupInput struct {
	ID                int
	Name, Description *string
	Type              *group.Type
}

// DeleteInput names what to delete; with RemoveAssignments, what is still
// assigned is first taken from every user, each with its own audit event.
type DeleteInput struct {
	ID                int
	RemoveAssignments bool
}

// diffFields returns the fields whose values differ between before and
// after, both of which map a field to its value.
func diffFields(before, after map[string]any) map[string]audit.Change {
	ch := map[string]audit.Change{}
	for k, a := range after {
		if b, ok := before[k]; !ok || !reflect.DeepEqual(a, b) {
			ch[k] = audit.Change{Before: before[k], After: a}
		}
	}
	for k, b := range before {
		if _, ok := after[k]; !ok {
			ch[k] = audit.Change{Before: b}
		}
	}
	return ch
}

func checkText(p *problems, field string, v *string, max int, required bool) {
	if v == nil {
		if required {
			p.addf(CodeRequired, field, "%s must be given", field)
		}
		return
	}
	if required || field == "name" || field == "code" {
		p.required(field, *v)
	}
	p.maxLen(field, *v, max)
}

// record writes the audit event of a catalog change.
func (s *Service) record(ctx context.Context, c *ent.Client, action, typ string, id int,
	before, after map[string]any) error {
	return audit.Record(ctx, c, s.now(), audit.Event{Action: action, TargetType: typ, TargetID: id,
		Changes: diffFields(before, after)})
}

func roleFields(r *ent.Role) map[string]any {
	if r == nil {
		return map[string]any{}
	}
	return map[string]any{"name": r.Name, "description": r.Description,
		"permissions": r.Permissions, "organizationAssignable": r.OrganizationAssignable,
		"active": r.Active}
}

// CreateRole adds a role to the catalog.
func (s *Service) CreateRole(ctx context.Context, in RoleInput) (*ent.Role, error) {
	var p problems
	checkText(&p, "name", in.Name, 128, true)
	checkText(&p, "description", in.Description, 1024, false)
	checkPermissions(&p, in.Permissions)
	if err := p.err(); err != nil {
		return nil, err
	}
	var r *ent.Role
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		var err error
		perms := in.Permissions
		if perms == nil {
			perms = []authz.Permission{}
		}
		r, err = tx.Role.Create().
			SetName(*in.Name).
			SetNillableDescription(in.Description).
			SetPermissions(perms).
			SetNillableOrganizationAssignable(in.OrganizationAssignable).
			SetNillableActive(in.Active).
			Save(ctx)
		if err != nil {
			return duplicate(err, "a role with this name exists", "name")
		}
		return s.record(ctx, tx.Client(), "role.created", "Role", r.ID, nil, roleFields(r))
	})
	return unwrap(r), err
}

func checkPermissions(p *problems, perms []authz.Permission) {
	for _, perm := range perms {
		if !perm.IsValid() {
			p.add(CodeInvalidValue, fmt.Sprintf("%q is not a permission", perm), "permissions")
		}
	}
}

// UpdateRole changes a role of the catalog.
func (s *Service) UpdateRole(ctx context.Context, in RoleInput) (*ent.Role, error) {
	var p problems
	checkText(&p, "name", in.Name, 128, false)
	checkText(&p, "description", in.Description, 1024, false)
	checkPermissions(&p, in.Permissions)
	if err := p.err(); err != nil {
		return nil, err
	}
	var r *ent.Role
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		before, err := tx.Role.Get(ctx, in.ID)
		if err != nil {
			return notFound(err, "role", "id")
		}
		if isAdministrator(before) && (in.Name != nil && *in.Name != before.Name ||
			in.Active != nil && !*in.Active) {
			return refuse(CodeBuiltin, "the Administrator role cannot be renamed or deactivated",
				"id")
		}
		upd := tx.Role.UpdateOne(before).
			SetNillableName(in.Name).
			SetNillableDescription(in.Description).
			SetNillableOrganizationAssignable(in.OrganizationAssignable).
			SetNillableActive(in.Active)
		if in.Permissions != nil {
			upd.SetPermissions(in.Permissions)
		}
		if r, err = upd.Save(ctx); err != nil {
			return duplicate(err, "a role with this name exists", "name")
		}
		return s.record(ctx, tx.Client(), "role.updated", "Role", r.ID, roleFields(before),
			roleFields(r))
	})
	return unwrap(r), err
}

// DeleteRole removes a role that nobody holds, or, with RemoveAssignments,
// takes it from its holders first.
func (s *Service) DeleteRole(ctx context.Context, in DeleteInput) (*ent.Role, error) {
	var r *ent.Role
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		c := tx.Client()
		var err error
		if r, err = c.Role.Get(ctx, in.ID); err != nil {
			return notFound(err, "role", "id")
		}
		if r.Builtin {
			return refuse(CodeBuiltin, "a builtin role cannot be deleted", "id")
		}
		held, err := c.RoleAssignment.Query().Where(roleassignment.RoleID(r.ID)).
			All(authz.SystemContext(ctx))
		if err != nil {
			return err
		}
		if err := checkInUse(len(held), in.RemoveAssignments, "user holds", "users hold"); err != nil {
			return err
		}
		for _, a := range held {
			if err := c.RoleAssignment.DeleteOne(a).Exec(ctx); err != nil {
				return err
			}
			err := s.removedFromUser(ctx, c, a.UserID, "role_assignment.removed",
				"roles."+r.Name, assignedValue(a.ExpiresAt))
			if err != nil {
				return err
			}
		}
		if err := c.Role.DeleteOne(r).Exec(ctx); err != nil {
			return err
		}
		return s.record(ctx, c, "role.deleted", "Role", r.ID, roleFields(r), nil)
	})
	return unwrap(r), err
}

// removeFromEach takes something deleted from each of users with remove,
// recording action on each user with the change of field.
func (s *Service) removeFromEach(ctx context.Context, c *ent.Client, users []int, action,
	field string, remove func(*ent.UserUpdateOne)) error {
	for _, uid := range users {
		upd := c.User.UpdateOneID(uid)
		remove(upd)
		if err := upd.Exec(ctx); err != nil {
			return err
		}
		if err := s.removedFromUser(ctx, c, uid, action, field, true); err != nil {
			return err
		}
	}
	return nil
}

// checkInUse refuses to delete what is still assigned count times, unless
// the assignments are to be removed.
func checkInUse(count int, remove bool, one, many string) error {
	if count == 0 || remove {
		return nil
	}
	what := many
	if count == 1 {
		what = one
	}
	return refuse(CodeInUse, fmt.Sprintf("%d %s it; delete with removeAssignments to take it "+
		"from them", count, what), "id")
}

// removedFromUser bumps the version of a user who lost an assignment
// because the catalog entry went away, and records it.
func (s *Service) removedFromUser(ctx context.Context, c *ent.Client, userID int, action,
	field string, before any) error {
	_, err := c.User.Update().Where(user.ID(userID)).AddVersion(1).SetUpdatedAt(s.now()).
		Save(ctx)
	if err != nil {
		return err
	}
	return audit.Record(ctx, c, s.now(), audit.Event{Action: action, TargetType: "User",
		TargetID: userID, Changes: map[string]audit.Change{field: {Before: before}}})
}

func organizationFields(o *ent.Organization) map[string]any {
	if o == nil {
		return map[string]any{}
	}
	return map[string]any{"code": o.Code, "name": o.Name, "description": o.Description,
		"notificationEmail": o.NotificationEmail}
}

// checkNotificationEmail accepts an empty address, which means none.
func checkNotificationEmail(p *problems, v *string) {
	if v != nil && *v != "" && account.ValidateEmail(*v) != nil {
		p.add(CodeInvalidValue, "notificationEmail must be an email address", "notificationEmail")
	}
}

// CreateOrganization adds an organization to the catalog.
func (s *Service) CreateOrganization(ctx context.Context, in OrganizationInput) (*ent.Organization, error) {
	var p problems
	checkText(&p, "code", in.Code, 64, true)
	checkText(&p, "name", in.Name, 256, true)
	checkText(&p, "description", in.Description, 1024, false)
	checkNotificationEmail(&p, in.NotificationEmail)
	if err := p.err(); err != nil {
		return nil, err
	}
	var o *ent.Organization
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		var err error
		o, err = tx.Organization.Create().SetCode(*in.Code).SetName(*in.Name).
			SetNillableDescription(in.Description).
			SetNillableNotificationEmail(in.NotificationEmail).Save(ctx)
		if err != nil {
			return duplicate(err, "an organization with this code exists", "code")
		}
		return s.record(ctx, tx.Client(), "organization.created", "Organization", o.ID, nil,
			organizationFields(o))
	})
	return unwrap(o), err
}

// UpdateOrganization changes an organization of the catalog.
func (s *Service) UpdateOrganization(ctx context.Context, in OrganizationInput) (*ent.Organization, error) {
	var p problems
	checkText(&p, "code", in.Code, 64, false)
	checkText(&p, "name", in.Name, 256, false)
	checkText(&p, "description", in.Description, 1024, false)
	checkNotificationEmail(&p, in.NotificationEmail)
	if err := p.err(); err != nil {
		return nil, err
	}
	var o *ent.Organization
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		before, err := tx.Organization.Get(ctx, in.ID)
		if err != nil {
			return notFound(err, "organization", "id")
		}
		o, err = tx.Organization.UpdateOne(before).SetNillableCode(in.Code).
			SetNillableName(in.Name).SetNillableDescription(in.Description).
			SetNillableNotificationEmail(in.NotificationEmail).Save(ctx)
		if err != nil {
			return duplicate(err, "an organization with this code exists", "code")
		}
		return s.record(ctx, tx.Client(), "organization.updated", "Organization", o.ID,
			organizationFields(before), organizationFields(o))
	})
	return unwrap(o), err
}

// DeleteOrganization removes an organization without members, or, with
// RemoveAssignments, removes its members from it first.
func (s *Service) DeleteOrganization(ctx context.Context, in DeleteInput) (*ent.Organization, error) {
	var o *ent.Organization
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		c := tx.Client()
		var err error
		if o, err = c.Organization.Get(ctx, in.ID); err != nil {
			return notFound(err, "organization", "id")
		}
		members, err := o.QueryUsers().IDs(authz.SystemContext(ctx))
		if err != nil {
			return err
		}
		if err := checkInUse(len(members), in.RemoveAssignments, "user belongs to",
			"users belong to"); err != nil {
			return err
		}
		err = s.removeFromEach(ctx, c, members, "organization_membership.removed",
			"organizations."+o.Code, func(u *ent.UserUpdateOne) { u.RemoveOrganizationIDs(o.ID) })
		if err != nil {
			return err
		}
		if err := c.Organization.DeleteOne(o).Exec(ctx); err != nil {
			return err
		}
		return s.record(ctx, c, "organization.deleted", "Organization", o.ID,
			organizationFields(o), nil)
	})
	return unwrap(o), err
}

func formSpaceFields(f *ent.FormSpace) map[string]any {
	if f == nil {
		return map[string]any{}
	}
	return map[string]any{"code": f.Code, "name": f.Name, "description": f.Description,
		"securityManagerId": f.SecurityManagerID}
}

// CreateFormSpace adds a form space to the catalog.
func (s *Service) CreateFormSpace(ctx context.Context, in FormSpaceInput) (*ent.FormSpace, error) {
	var p problems
	checkText(&p, "code", in.Code, 64, true)
	checkText(&p, "name", in.Name, 256, true)
	checkText(&p, "description", in.Description, 1024, false)
	if in.SecurityManagerID == nil {
		p.add(CodeRequired, "securityManagerId must be given", "securityManagerId")
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	var f *ent.FormSpace
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		if _, err := tx.SecurityManager.Get(ctx, *in.SecurityManagerID); err != nil {
			return notFound(err, "security manager", "securityManagerId")
		}
		var err error
		f, err = tx.FormSpace.Create().SetCode(*in.Code).SetName(*in.Name).
			SetNillableDescription(in.Description).
			SetSecurityManagerID(*in.SecurityManagerID).Save(ctx)
		if err != nil {
			return duplicate(err, "a form space with this code exists", "code")
		}
		return s.record(ctx, tx.Client(), "form_space.created", "FormSpace", f.ID, nil,
			formSpaceFields(f))
	})
	return unwrap(f), err
}

// UpdateFormSpace changes a form space of the catalog.
func (s *Service) UpdateFormSpace(ctx context.Context, in FormSpaceInput) (*ent.FormSpace, error) {
	var p problems
	checkText(&p, "code", in.Code, 64, false)
	checkText(&p, "name", in.Name, 256, false)
	checkText(&p, "description", in.Description, 1024, false)
	if err := p.err(); err != nil {
		return nil, err
	}
	var f *ent.FormSpace
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		before, err := tx.FormSpace.Get(ctx, in.ID)
		if err != nil {
			return notFound(err, "form space", "id")
		}
		if in.SecurityManagerID != nil {
			if _, err := tx.SecurityManager.Get(ctx, *in.SecurityManagerID); err != nil {
				return notFound(err, "security manager", "securityManagerId")
			}
		}
		f, err = tx.FormSpace.UpdateOne(before).SetNillableCode(in.Code).
			SetNillableName(in.Name).SetNillableDescription(in.Description).
			SetNillableSecurityManagerID(in.SecurityManagerID).Save(ctx)
		if err != nil {
			return duplicate(err, "a form space with this code exists", "code")
		}
		return s.record(ctx, tx.Client(), "form_space.updated", "FormSpace", f.ID,
			formSpaceFields(before), formSpaceFields(f))
	})
	return unwrap(f), err
}

// DeleteFormSpace removes a form space nobody is assigned, or, with
// RemoveAssignments, takes it from its users first.
func (s *Service) DeleteFormSpace(ctx context.Context, in DeleteInput) (*ent.FormSpace, error) {
	var f *ent.FormSpace
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		c := tx.Client()
		var err error
		if f, err = c.FormSpace.Get(ctx, in.ID); err != nil {
			return notFound(err, "form space", "id")
		}
		users, err := f.QueryUsers().IDs(authz.SystemContext(ctx))
		if err != nil {
			return err
		}
		if err := checkInUse(len(users), in.RemoveAssignments, "user works in",
			"users work in"); err != nil {
			return err
		}
		err = s.removeFromEach(ctx, c, users, "form_space_assignment.removed",
			"formSpaces."+f.Code, func(u *ent.UserUpdateOne) { u.RemoveFormSpaceIDs(f.ID) })
		if err != nil {
			return err
		}
		if err := c.FormSpace.DeleteOne(f).Exec(ctx); err != nil {
			return err
		}
		return s.record(ctx, c, "form_space.deleted", "FormSpace", f.ID, formSpaceFields(f), nil)
	})
	return unwrap(f), err
}

func groupFields(g *ent.Group) map[string]any {
	if g == nil {
		return map[string]any{}
	}
	return map[string]any{"name": g.Name, "description": g.Description, "type": string(g.Type)}
}

// CreateGroup adds a group to the catalog.
func (s *Service) CreateGroup(ctx context.Context, in GroupInput) (*ent.Group, error) {
	var p problems
	checkText(&p, "name", in.Name, 128, true)
	checkText(&p, "description", in.Description, 1024, false)
	checkGroupType(&p, in.Type, true)
	if err := p.err(); err != nil {
		return nil, err
	}
	var g *ent.Group
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		var err error
		g, err = tx.Group.Create().SetName(*in.Name).SetNillableDescription(in.Description).
			SetType(*in.Type).Save(ctx)
		if err != nil {
			return duplicate(err, "a group with this name exists", "name")
		}
		return s.record(ctx, tx.Client(), "group.created", "Group", g.ID, nil, groupFields(g))
	})
	return unwrap(g), err
}

// UpdateGroup changes a group of the catalog.
func (s *Service) UpdateGroup(ctx context.Context, in GroupInput) (*ent.Group, error) {
	var p problems
	checkText(&p, "name", in.Name, 128, false)
	checkText(&p, "description", in.Description, 1024, false)
	checkGroupType(&p, in.Type, false)
	if err := p.err(); err != nil {
		return nil, err
	}
	var g *ent.Group
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		before, err := tx.Group.Get(ctx, in.ID)
		if err != nil {
			return notFound(err, "group", "id")
		}
		upd := tx.Group.UpdateOne(before).SetNillableName(in.Name).
			SetNillableDescription(in.Description)
		if in.Type != nil {
			upd.SetType(*in.Type)
		}
		if g, err = upd.Save(ctx); err != nil {
			return duplicate(err, "a group with this name exists", "name")
		}
		return s.record(ctx, tx.Client(), "group.updated", "Group", g.ID, groupFields(before),
			groupFields(g))
	})
	return unwrap(g), err
}

// DeleteGroup removes a group without members, or, with RemoveAssignments,
// ends its memberships first.
func (s *Service) DeleteGroup(ctx context.Context, in DeleteInput) (*ent.Group, error) {
	var g *ent.Group
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		c := tx.Client()
		var err error
		if g, err = c.Group.Get(ctx, in.ID); err != nil {
			return notFound(err, "group", "id")
		}
		members, err := c.GroupMembership.Query().Where(groupmembership.GroupID(g.ID)).
			All(authz.SystemContext(ctx))
		if err != nil {
			return err
		}
		if err := checkInUse(len(members), in.RemoveAssignments, "user belongs to",
			"users belong to"); err != nil {
			return err
		}
		for _, m := range members {
			if err := c.GroupMembership.DeleteOne(m).Exec(ctx); err != nil {
				return err
			}
			err := s.removedFromUser(ctx, c, m.UserID, "group_membership.removed",
				"groups."+g.Name, assignedValue(m.ExpiresAt))
			if err != nil {
				return err
			}
		}
		if err := c.Group.DeleteOne(g).Exec(ctx); err != nil {
			return err
		}
		return s.record(ctx, c, "group.deleted", "Group", g.ID, groupFields(g), nil)
	})
	return unwrap(g), err
}

func checkGroupType(p *problems, t *group.Type, required bool) {
	switch {
	case t == nil && required:
		p.add(CodeRequired, "type must be given", "type")
	case t != nil && group.TypeValidator(*t) != nil:
		p.add(CodeInvalidValue, "type must be ALERT, FORM or JOB", "type")
	}
}
