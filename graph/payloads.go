package graph

import (
	"errors"
	"sort"
	"time"

	"entgo.io/contrib/entgql"

	"accountd/ent"
	"accountd/ent/auditevent"
	"accountd/ent/predicate"
	"accountd/graph/model"
	"accountd/internal/admin"
)

// userErrorsOf returns the user errors of a refused mutation, or err
// itself when it is not a refusal.
func userErrorsOf(err error) ([]*model.UserError, error) {
	if err == nil {
		return []*model.UserError{}, nil
	}
	ie, ok := admin.AsInputError(err)
	if !ok {
		var be *admin.BulkError
		if !errors.As(err, &be) {
			return nil, err
		}
		ie = &be.InputError
	}
	out := make([]*model.UserError, len(ie.Problems))
	for i, p := range ie.Problems {
		out[i] = &model.UserError{Field: p.Field, Code: model.UserErrorCode(p.Code),
			Message: p.Message}
	}
	return out, nil
}

func userPayload(u *ent.User, err error) (*model.UserPayload, error) {
	errs, err := userErrorsOf(err)
	if err != nil || len(errs) > 0 {
		return &model.UserPayload{UserErrors: errs}, err
	}
	return &model.UserPayload{User: u, UserErrors: errs}, nil
}

func bulkPayload(users []*ent.User, err error) (*model.BulkUsersPayload, error) {
	errs, err := userErrorsOf(err)
	if err != nil {
		return nil, err
	}
	p := &model.BulkUsersPayload{Users: []*ent.User{}, Failures: []*model.BulkFailure{},
		UserErrors: errs}
	var be *admin.BulkError
	if errors.As(err, &be) || len(errs) > 0 {
		if be != nil {
			for _, f := range be.Failures {
				p.Failures = append(p.Failures, &model.BulkFailure{UserID: f.UserID,
					Code: model.UserErrorCode(f.Code), Message: f.Message})
			}
		}
		return p, nil
	}
	p.Users = users
	return p, nil
}

// payload builds the payload of a catalog mutation with build.
func payload[T any, P any](obj T, err error, build func(T, []*model.UserError) P) (P, error) {
	errs, err := userErrorsOf(err)
	if err != nil {
		var zero P
		return zero, err
	}
	if len(errs) > 0 {
		var zero T
		return build(zero, errs), nil
	}
	return build(obj, errs), nil
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func grants[T any](in []*T, id func(*T) (int, *time.Time)) []admin.Grant {
	out := make([]admin.Grant, len(in))
	for i, g := range in {
		out[i].ID, out[i].ExpiresAt = id(g)
	}
	return out
}

// fieldChanges lists the changes of an audit event in field order.
func fieldChanges(e *ent.AuditEvent) []*model.FieldChange {
	out := make([]*model.FieldChange, 0, len(e.Changes))
	for field, ch := range e.Changes {
		out = append(out, &model.FieldChange{Field: field, Before: ch.Before, After: ch.After})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Field < out[j].Field })
	return out
}

// newestFirst orders audit events for keyset pagination, newest first.
var newestFirst = ent.WithAuditEventOrder(&ent.AuditEventOrder{
	Direction: entgql.OrderDirectionDesc,
	Field:     ent.AuditEventOrderFieldOccurredAt,
})

// auditFilter turns the filter of the auditEvents query into predicates.
func auditFilter(f *model.AuditEventFilter) []predicate.AuditEvent {
	if f == nil {
		return nil
	}
	var ps []predicate.AuditEvent
	if f.ActorID != nil {
		ps = append(ps, auditevent.ActorID(*f.ActorID))
	}
	if f.TargetType != nil {
		ps = append(ps, auditevent.TargetType(*f.TargetType))
	}
	if f.TargetID != nil {
		ps = append(ps, auditevent.TargetID(*f.TargetID))
	}
	if f.Action != nil {
		ps = append(ps, auditevent.Action(*f.Action))
	}
	if f.OccurredAfter != nil {
		ps = append(ps, auditevent.OccurredAtGTE(*f.OccurredAfter))
	}
	if f.OccurredBefore != nil {
		ps = append(ps, auditevent.OccurredAtLT(*f.OccurredBefore))
	}
	return ps
}

func roleGrants(in []*model.RoleGrantInput) []admin.Grant {
	return grants(in, func(g *model.RoleGrantInput) (int, *time.Time) { return g.RoleID, g.ExpiresAt })
}

func deleteInput(in model.DeleteInput) admin.DeleteInput {
	return admin.DeleteInput{ID: in.ID, RemoveAssignments: deref(in.RemoveAssignments)}
}

func rolePayload(r *ent.Role, errs []*model.UserError) *model.RolePayload {
	return &model.RolePayload{Role: r, UserErrors: errs}
}

func organizationPayload(o *ent.Organization, errs []*model.UserError) *model.OrganizationPayload {
	return &model.OrganizationPayload{Organization: o, UserErrors: errs}
}

func formSpacePayload(f *ent.FormSpace, errs []*model.UserError) *model.FormSpacePayload {
	return &model.FormSpacePayload{FormSpace: f, UserErrors: errs}
}

func groupPayload(g *ent.Group, errs []*model.UserError) *model.GroupPayload {
	return &model.GroupPayload{Group: g, UserErrors: errs}
}

func securityManagerPayload(sm *ent.SecurityManager, errs []*model.UserError) *model.SecurityManagerPayload {
	return &model.SecurityManagerPayload{SecurityManager: sm, UserErrors: errs}
}

func createSecurityManagerInput(in model.CreateSecurityManagerInput) admin.SecurityManagerInput {
	return admin.SecurityManagerInput{
		Name:                       &in.Name,
		IsDefault:                  in.IsDefault,
		TwoFactorEnabled:           in.TwoFactorEnabled,
		FailedLoginLimit:           in.FailedLoginLimit,
		LockoutDurationSeconds:     in.LockoutDurationSeconds,
		PermanentLockAfter:         in.PermanentLockAfter,
		InactivityDeactivationDays: in.InactivityDeactivationDays,
		PasswordMinLength:          in.PasswordMinLength,
		PasswordMaxLength:          in.PasswordMaxLength,
		PasswordRequireDigit:       in.PasswordRequireDigit,
		PasswordRequireSymbol:      in.PasswordRequireSymbol,
		PasswordRequireMixedCase:   in.PasswordRequireMixedCase,
		PasswordMinStrength:        in.PasswordMinStrength,
		PasswordHistorySize:        in.PasswordHistorySize,
	}
}

func updateSecurityManagerInput(in model.UpdateSecurityManagerInput) admin.SecurityManagerInput {
	return admin.SecurityManagerInput{
		ID:                          in.ID,
		Name:                        in.Name,
		IsDefault:                   in.IsDefault,
		TwoFactorEnabled:            in.TwoFactorEnabled,
		FailedLoginLimit:            in.FailedLoginLimit,
		LockoutDurationSeconds:      in.LockoutDurationSeconds,
		PermanentLockAfter:          in.PermanentLockAfter,
		InactivityDeactivationDays:  in.InactivityDeactivationDays,
		ClearInactivityDeactivation: deref(in.ClearInactivityDeactivationDays),
		PasswordMinLength:           in.PasswordMinLength,
		PasswordMaxLength:           in.PasswordMaxLength,
		PasswordRequireDigit:        in.PasswordRequireDigit,
		PasswordRequireSymbol:       in.PasswordRequireSymbol,
		PasswordRequireMixedCase:    in.PasswordRequireMixedCase,
		PasswordMinStrength:         in.PasswordMinStrength,
		PasswordHistorySize:         in.PasswordHistorySize,
	}
}
