package admin

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/url"

	"accountd/ent"
	"accountd/ent/passwordresettoken"
	"accountd/ent/user"
	"accountd/internal/audit"
	"accountd/internal/auth"
	"accountd/internal/authz"
	"accountd/internal/outbox"
	"accountd/internal/password"
)

// ResetPasswordInput asks for a new password or an emailed reset link.
type ResetPasswordInput struct {
	UserID             int
	NewPassword        *string
	SendResetEmail     bool
	MustChangePassword *bool
}

// checkPassword returns one problem a violated rule, coded with the rule,
// such as TOO_SHORT or RECENTLY_USED.
func checkPassword(pol password.Policy, pw string, in password.Inputs, history []string,
	field string) error {
	var p problems
	for _, v := range pol.Check(pw, in, history) {
		p.add(Code(v.Rule), v.Message, field)
	}
	return p.err()
}

func inputsOf(u *ent.User) password.Inputs {
	return password.Inputs{Username: u.Username, FirstName: u.FirstName,
		LastName: u.LastName, Email: u.Email}
}

// ResetPassword sets a policy-checked password, or emails a one-time link
// to choose one, and optionally forces a change at the next login.
func (s *Service) ResetPassword(ctx context.Context, in ResetPasswordInput) (*ent.User, error) {
	switch {
	case in.NewPassword != nil && in.SendResetEmail:
		return nil, refuse(CodeInvalidValue, "give a new password or ask for an email, not both",
			"newPassword")
	case in.NewPassword == nil && !in.SendResetEmail:
		return nil, refuse(CodeRequired, "give a new password or ask for an email", "newPassword")
	}
	var result *ent.User
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		c := tx.Client()
		u, err := s.lockUser(ctx, c, in.UserID, nil)
		if err != nil {
			return err
		}
		if u.UserType != user.UserTypeLOCAL {
			return refuse(CodeInvalidValue, "only LOCAL users have a password here", "userId")
		}
		upd := c.User.UpdateOne(u).SetNillableMustChangePassword(in.MustChangePassword)
		if in.NewPassword != nil {
			if err := s.setPassword(ctx, c, upd, u, *in.NewPassword, "newPassword"); err != nil {
				return err
			}
		}
		after, err := s.saveUser(ctx, upd, u)
		if err != nil {
			return err
		}
		if in.SendResetEmail {
			if err := s.sendResetLink(ctx, c, after, false); err != nil {
				return err
			}
		}
		changes := userFields(u, after)
		if in.SendResetEmail {
			changes = audit.Diff(changes, "resetEmailSent", false, true)
		}
		result = after
		return audit.Record(ctx, c, s.now(), audit.Event{Action: "user.password_reset",
			TargetType: "User", TargetID: u.ID, Changes: changes})
	})
	return unwrap(result), err
}

// setPassword checks pw against the policy and the history of u, and sets
// it on upd.
func (s *Service) setPassword(ctx context.Context, c *ent.Client, upd *ent.UserUpdateOne,
	u *ent.User, pw, field string) error {
	pol, err := policy(ctx, c)
	if err != nil {
		return err
	}
	if err := checkPassword(pol, pw, inputsOf(u), u.PasswordHistory, field); err != nil {
		return err
	}
	hash, err := s.hasher.Hash(pw)
	if err != nil {
		return err
	}
	history := u.PasswordHistory
	if u.PasswordHash != nil {
		history = append([]string{*u.PasswordHash}, history...)
	}
	if len(history) > pol.HistorySize {
		history = history[:pol.HistorySize]
	}
	upd.SetPasswordHash(hash).SetPasswordHistory(history).SetPasswordChangedAt(s.now())
	return nil
}

// sendResetLink invalidates the user's earlier links and queues an email
// with a new one; only the token's SHA-256 is stored.
func (s *Service) sendResetLink(ctx context.Context, c *ent.Client, u *ent.User, setup bool) error {
	now := s.now()
	_, err := c.PasswordResetToken.Update().
		Where(passwordresettoken.UserID(u.ID), passwordresettoken.UsedAtIsNil()).
		SetUsedAt(now).
		Save(ctx)
	if err != nil {
		return err
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return err
	}
	token := base64.RawURLEncoding.EncodeToString(raw)
	sum := sha256.Sum256([]byte(token))
	purpose, ttl, kind, validFor := passwordresettoken.PurposeRESET, ResetTokenTTL,
		outbox.KindPasswordReset, "24 hours"
	if setup {
		purpose, ttl, kind, validFor = passwordresettoken.PurposeSETUP, SetupTokenTTL,
			outbox.KindPasswordSetup, "72 hours"
	}
	err = c.PasswordResetToken.Create().
		SetUserID(u.ID).
		SetTokenHash(sum[:]).
		SetPurpose(purpose).
		SetCreatedAt(now).
		SetExpiresAt(now.Add(ttl)).
		Exec(ctx)
	if err != nil {
		return err
	}
	name := u.FirstName
	if name == "" {
		name = u.Username
	}
	return outbox.Enqueue(ctx, c, outbox.Message{Kind: kind, To: u.Email, QueuedAt: now,
		Data: map[string]string{
			"Name":     name,
			"Username": u.Username,
			"ValidFor": validFor,
			"Link":     s.publicURL + "/password/reset?token=" + url.QueryEscape(token),
		}})
}

// CompletePasswordReset sets a new password with the token of an emailed
// link; the token works once.
func (s *Service) CompletePasswordReset(ctx context.Context, token, newPassword string) (*ent.User, error) {
	// Guessing tokens is what a rate limit per client address and per
	// token stops; the address is in ctx for API calls and the link page.
	sum := sha256.Sum256([]byte(token))
	keys := []string{fmt.Sprintf("reset:%x", sum)}
	if addr := auth.ClientFrom(ctx).Address; addr != "" {
		keys = append(keys, "address:"+addr)
	}
	if err := s.limiter.Allow(keys...); err != nil {
		return nil, err
	}
	var result *ent.User
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		c := tx.Client()
		now := s.now()
		t, err := c.PasswordResetToken.Query().
			Where(passwordresettoken.TokenHash(sum[:]),
				passwordresettoken.UsedAtIsNil(),
				passwordresettoken.ExpiresAtGT(now)).
			Only(authz.SystemContext(ctx))
		if ent.IsNotFound(err) {
			return refuse(CodeInvalidToken, "the link is unknown, used or expired", "token")
		}
		if err != nil {
			return err
		}
		sysCtx := authz.SystemContext(ctx)
		u, err := s.lockUser(sysCtx, c, t.UserID, nil)
		if err != nil {
			return err
		}
		ctx = authz.WithActor(ctx, &authz.Actor{UserID: u.ID, Username: u.Username})
		upd := c.User.UpdateOne(u).SetMustChangePassword(false)
		if err := s.setPassword(ctx, c, upd, u, newPassword, "newPassword"); err != nil {
			return err
		}
		n, err := c.PasswordResetToken.Update().
			Where(passwordresettoken.ID(t.ID), passwordresettoken.UsedAtIsNil()).
			SetUsedAt(now).
			Save(ctx)
		if err != nil {
			return err
		}
		if n != 1 {
			return refuse(CodeInvalidToken, "the link is unknown, used or expired", "token")
		}
		after, err := s.saveUser(ctx, upd, u)
		if err != nil {
			return err
		}
		result = after
		return audit.Record(ctx, c, s.now(), audit.Event{Action: "user.password_reset_completed",
			TargetType: "User", TargetID: u.ID, Changes: userFields(u, after)})
	})
	return unwrap(result), err
}
