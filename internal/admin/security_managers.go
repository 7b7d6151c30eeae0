package admin

import (
	"context"
	"fmt"

	"accountd/ent"
	"accountd/ent/formspace"
)

// SecurityManagerInput holds the settings of a security manager; on
// update, nil fields stay as they are.
type SecurityManagerInput struct {
	ID                         int
	Name                       *string
	IsDefault                  *bool
	TwoFactorEnabled           *bool
	FailedLoginLimit           *int
	LockoutDurationSeconds     *int
	PermanentLockAfter         *int
	InactivityDeactivationDays *int
	// ClearInactivityDeactivation turns inactivity deactivation off.
	ClearInactivityDeactivation bool
	PasswordMinLength           *int
	PasswordMaxLength           *int
	PasswordRequireDigit        *bool
	PasswordRequireSymbol       *bool
	PasswordRequireMixedCase    *bool
	PasswordMinStrength         *int
	PasswordHistorySize         *int
}

// checkRanges adds a problem for every number out of its range.
func (in SecurityManagerInput) checkRanges(p *problems) {
	for _, r := range []struct {
		field    string
		v        *int
		min, max int
	}{
		{"failedLoginLimit", in.FailedLoginLimit, 1, 100},
		{"lockoutDurationSeconds", in.LockoutDurationSeconds, 1, 7 * 24 * 60 * 60},
		{"permanentLockAfter", in.PermanentLockAfter, 1, 100},
		{"inactivityDeactivationDays", in.InactivityDeactivationDays, 1, 36500},
		{"passwordMinLength", in.PasswordMinLength, 8, 128},
		{"passwordMaxLength", in.PasswordMaxLength, 8, 1024},
		{"passwordMinStrength", in.PasswordMinStrength, 0, 4},
		{"passwordHistorySize", in.PasswordHistorySize, 0, 24},
	} {
		if r.v != nil && (*r.v < r.min || *r.v > r.max) {
			p.addf(CodeInvalidValue, r.field, "%s must be between %d and %d", r.field, r.min, r.max)
		}
	}
}

func securityManagerFields(sm *ent.SecurityManager) map[string]any {
	if sm == nil {
		return map[string]any{}
	}
	var inactivity any
	if sm.InactivityDeactivationDays != nil {
		inactivity = *sm.InactivityDeactivationDays
	}
	return map[string]any{
		"name": sm.Name, "isDefault": sm.IsDefault, "twoFactorEnabled": sm.TwoFactorEnabled,
		"failedLoginLimit": sm.FailedLoginLimit, "lockoutDurationSeconds": sm.LockoutDurationSeconds,
		"permanentLockAfter": sm.PermanentLockAfter, "inactivityDeactivationDays": inactivity,
		"passwordMinLength": sm.PasswordMinLength, "passwordMaxLength": sm.PasswordMaxLength,
		"passwordRequireDigit": sm.PasswordRequireDigit, "passwordRequireSymbol": sm.PasswordRequireSymbol,
		"passwordRequireMixedCase": sm.PasswordRequireMixedCase,
		"passwordMinStrength":      sm.PasswordMinStrength, "passwordHistorySize": sm.PasswordHistorySize,
	}
}

// CreateSecurityManager adds a security manager. The first one, or one
// created with IsDefault, becomes the default.
func (s *Service) CreateSecurityManager(ctx context.Context, in SecurityManagerInput) (*ent.SecurityManager, error) {
	var p problems
	checkText(&p, "name", in.Name, 128, true)
	in.checkRanges(&p)
	if err := p.err(); err != nil {
		return nil, err
	}
	var sm *ent.SecurityManager
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		c := tx.Client()
		current, err := defaultSecurityManager(ctx, c)
		if err != nil {
			return err
		}
		makeDefault := current == nil || (in.IsDefault != nil && *in.IsDefault)
		if makeDefault && current != nil {
			if err := s.unsetDefault(ctx, c, current); err != nil {
				return err
			}
		}
		create := c.SecurityManager.Create().SetName(*in.Name).SetIsDefault(makeDefault)
		in.applyRules(create.Mutation())
		sm, err = create.Save(ctx)
		return s.recordSecurityManager(ctx, c, "security_manager.created", nil, sm, err)
	})
	return unwrap(sm), err
}

// applyRules sets the login and password rules that in gives on m.
func (in SecurityManagerInput) applyRules(m *ent.SecurityManagerMutation) {
	setGiven(in.TwoFactorEnabled, m.SetTwoFactorEnabled)
	setGiven(in.FailedLoginLimit, m.SetFailedLoginLimit)
	setGiven(in.LockoutDurationSeconds, m.SetLockoutDurationSeconds)
	setGiven(in.PermanentLockAfter, m.SetPermanentLockAfter)
	setGiven(in.InactivityDeactivationDays, m.SetInactivityDeactivationDays)
	setGiven(in.PasswordMinLength, m.SetPasswordMinLength)
	setGiven(in.PasswordMaxLength, m.SetPasswordMaxLength)
	setGiven(in.PasswordRequireDigit, m.SetPasswordRequireDigit)
	setGiven(in.PasswordRequireSymbol, m.SetPasswordRequireSymbol)
	setGiven(in.PasswordRequireMixedCase, m.SetPasswordRequireMixedCase)
	setGiven(in.PasswordMinStrength, m.SetPasswordMinStrength)
	setGiven(in.PasswordHistorySize, m.SetPasswordHistorySize)
}

// setGiven calls set with *v when v is given.
func setGiven[T any](v *T, set func(T)) {
	if v != nil {
		set(*v)
	}
}

// recordSecurityManager finishes the save of sm, whose error is err: a
// taken name or password lengths that contradict each other refuse the
// change, which is otherwise audited as action.
func (s *Service) recordSecurityManager(ctx context.Context, c *ent.Client, action string,
	before, sm *ent.SecurityManager, err error) error {
	if err != nil {
		return duplicate(err, "a security manager with this name exists", "name")
	}
	if sm.PasswordMinLength > sm.PasswordMaxLength {
		return refuse(CodeInvalidValue, "passwordMinLength exceeds passwordMaxLength",
			"passwordMinLength")
	}
	return s.record(ctx, c, action, "SecurityManager", sm.ID, securityManagerFields(before),
		securityManagerFields(sm))
}

// unsetDefault makes the current default an ordinary security manager,
// with its own audit event.
func (s *Service) unsetDefault(ctx context.Context, c *ent.Client, current *ent.SecurityManager) error {
	after, err := c.SecurityManager.UpdateOne(current).SetIsDefault(false).Save(ctx)
	if err != nil {
		return err
	}
	return s.record(ctx, c, "security_manager.updated", "SecurityManager", current.ID,
		securityManagerFields(current), securityManagerFields(after))
}

// UpdateSecurityManager changes a security manager. Making it the default
// takes that from the previous default; the default cannot be unset
// directly, since exactly one security manager is the default.
func (s *Service) UpdateSecurityManager(ctx context.Context, in SecurityManagerInput) (*ent.SecurityManager, error) {
	var p problems
	checkText(&p, "name", in.Name, 128, false)
	in.checkRanges(&p)
	if err := p.err(); err != nil {
		return nil, err
	}
	var sm *ent.SecurityManager
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		c := tx.Client()
		before, err := c.SecurityManager.Get(ctx, in.ID)
		if err != nil {
			return notFound(err, "security manager", "id")
		}
		if in.IsDefault != nil && !*in.IsDefault && before.IsDefault {
			return refuse(CodeInvalidValue, "exactly one security manager is the default: "+
				"make another one the default instead", "isDefault")
		}
		if in.IsDefault != nil && *in.IsDefault && !before.IsDefault {
			current, err := defaultSecurityManager(ctx, c)
			if err != nil {
				return err
			}
			if current != nil {
				if err := s.unsetDefault(ctx, c, current); err != nil {
					return err
				}
			}
		}
		upd := c.SecurityManager.UpdateOne(before).SetNillableName(in.Name).SetNillableIsDefault(in.IsDefault)
		in.applyRules(upd.Mutation())
		if in.ClearInactivityDeactivation {
			upd.ClearInactivityDeactivationDays()
		}
		sm, err = upd.Save(ctx)
		return s.recordSecurityManager(ctx, c, "security_manager.updated", before, sm, err)
	})
	return unwrap(sm), err
}

// DeleteSecurityManager removes a security manager that is not the
// default and authenticates no form space.
func (s *Service) DeleteSecurityManager(ctx context.Context, id int) (*ent.SecurityManager, error) {
	var sm *ent.SecurityManager
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		c := tx.Client()
		var err error
		if sm, err = c.SecurityManager.Get(ctx, id); err != nil {
			return notFound(err, "security manager", "id")
		}
		if sm.IsDefault {
			return refuse(CodeInUse, "the default security manager cannot be deleted", "id")
		}
		n, err := c.FormSpace.Query().Where(formspace.SecurityManagerID(sm.ID)).Count(ctx)
		if err != nil {
			return err
		}
		if n > 0 {
			return refuse(CodeInUse, fmt.Sprintf("%d form spaces use it; move them to another "+
				"security manager first", n), "id")
		}
		if err := c.SecurityManager.DeleteOne(sm).Exec(ctx); err != nil {
			return err
		}
		return s.record(ctx, c, "security_manager.deleted", "SecurityManager", sm.ID,
			securityManagerFields(sm), nil)
	})
	return unwrap(sm), err
}
