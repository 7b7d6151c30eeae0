package auth

import (
	"context"
	"fmt"

	"accountd/ent"
	"accountd/ent/session"
	"accountd/internal/audit"
	"accountd/internal/authz"
	"accountd/internal/password"
)

// ChangePassword replaces the actor's password after checking the current
// one and the policy of the default security manager, including the
// history of recent passwords. It clears mustChangePassword and revokes the
// actor's other sessions. A policy failure is a *PolicyError.
func (s *Service) ChangePassword(ctx context.Context, current, next string) error {
	a, ok := authz.ActorFrom(ctx)
	if !ok || a.SessionID == 0 {
		return ErrNoSession
	}
	if err := s.checkPassword(ctx, a, current); err != nil {
		return err
	}
	sys := authz.SystemContext(ctx)
	u, err := s.client.User.Get(sys, a.UserID)
	if err != nil {
		return fmt.Errorf("auth: reading user %d: %w", a.UserID, err)
	}
	r, err := loadRules(sys, s.client)
	if err != nil {
		return err
	}

	history := append([]string{*u.PasswordHash}, u.PasswordHistory...)
	in := password.Inputs{Username: u.Username, FirstName: u.FirstName, LastName: u.LastName, Email: u.Email}
	if v := r.policy.Check(next, in, history); len(v) > 0 {
		return &PolicyError{Violations: v}
	}
	hash, err := s.settings.Hasher.Hash(next)
	if err != nil {
		return err
	}
	if len(history) > r.policy.HistorySize {
		history = history[:r.policy.HistorySize]
	}

	now := s.clock.Now()
	err = withTx(ctx, s.client, func(tx *ent.Tx) error {
		err := tx.User.UpdateOneID(u.ID).
			SetPasswordHash(hash).
			SetPasswordHistory(history).
			SetPasswordChangedAt(now).
			SetMustChangePassword(false).
			AddVersion(1).
			Exec(ctx)
		if err != nil {
			return err
		}
		err = tx.Session.Update().
			Where(session.UserID(u.ID), session.IDNEQ(a.SessionID), session.RevokedAtIsNil()).
			SetRevokedAt(now).
			Exec(ctx)
		if err != nil {
			return err
		}
		changes := audit.Diff(nil, "mustChangePassword", u.MustChangePassword, false)
		return audit.Record(ctx, tx.Client(), now, audit.Event{
			Action: "user.password_changed", TargetType: "User", TargetID: u.ID, Changes: changes,
		})
	})
	if err != nil {
		return fmt.Errorf("auth: changing the password of user %d: %w", u.ID, err)
	}
	a.MustChangePassword = false
	return nil
}
