package auth

import (
	"context"
	"fmt"
	"time"

	"accountd/ent"
	"accountd/ent/organization"
	"accountd/ent/role"
	"accountd/ent/roleassignment"
	"accountd/ent/session"
	"accountd/internal/account"
	"accountd/internal/authz"
)

// touchEvery is how stale last_seen_at may get before a request writes it
// again: the idle timeout is kept to the minute without a write a request.
const touchEvery = time.Minute

// Authenticate returns the actor of a bearer token: its user with the
// permissions of the user's active roles whose assignment has not expired
// now. It runs three reads and at most one write whatever the user holds.
func (s *Service) Authenticate(ctx context.Context, token string) (*authz.Actor, error) {
	if !wellFormed(token) {
		return nil, ErrMalformedToken
	}
	ctx = authz.SystemContext(ctx)
	now := s.clock.Now()

	sess, err := s.client.Session.Query().
		Where(session.TokenHash(hashToken(token))).
		WithUser(func(q *ent.UserQuery) {
			q.WithOrganizations(func(q *ent.OrganizationQuery) { q.Select(organization.FieldID) })
		}).
		Only(ctx)
	if ent.IsNotFound(err) {
		return nil, ErrInvalidSession
	}
	if err != nil {
		return nil, fmt.Errorf("auth: reading the session: %w", err)
	}
	u := sess.Edges.User
	if sess.RevokedAt != nil || !now.Before(s.expiry(sess.LastSeenAt, sess.ExpiresAt)) ||
		u == nil || u.Status != account.StatusActive {
		return nil, ErrInvalidSession
	}
	roles, err := s.client.Role.Query().
		Where(
			role.Active(true),
			role.HasAssignmentsWith(
				roleassignment.UserID(u.ID),
				roleassignment.Or(roleassignment.ExpiresAtIsNil(), roleassignment.ExpiresAtGT(now)),
			),
		).
		Select(role.FieldPermissions).
		All(ctx)
	if err != nil {
		return nil, fmt.Errorf("auth: reading the roles of user %d: %w", u.ID, err)
	}

	if now.Sub(sess.LastSeenAt) >= touchEvery {
		if err := s.client.Session.UpdateOneID(sess.ID).SetLastSeenAt(now).Exec(ctx); err != nil {
			return nil, fmt.Errorf("auth: touching session %d: %w", sess.ID, err)
		}
	}
	actor := &authz.Actor{
		UserID:             u.ID,
		Username:           u.Username,
		Permissions:        map[authz.Permission]bool{},
		SessionID:          sess.ID,
		AuthenticatedAt:    sess.AuthenticatedAt,
		MustChangePassword: u.MustChangePassword,
	}
	for _, r := range roles {
		for _, p := range r.Permissions {
			actor.Permissions[p] = true
		}
	}
	for _, o := range u.Edges.Organizations {
		actor.OrganizationIDs = append(actor.OrganizationIDs, o.ID)
	}
	return actor, nil
}

// Logout revokes the session of the actor in ctx.
func (s *Service) Logout(ctx context.Context) error {
	a, ok := authz.ActorFrom(ctx)
	if !ok || a.SessionID == 0 {
		return ErrNoSession
	}
	err := s.client.Session.Update().
		Where(session.ID(a.SessionID), session.RevokedAtIsNil()).
		SetRevokedAt(s.clock.Now()).
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("auth: revoking session %d: %w", a.SessionID, err)
	}
	return nil
}

// Reauthenticate checks the actor's password again and, when it is right,
// refreshes the session's authentication time, which the operations that
// need a recent authentication look at.
func (s *Service) Reauthenticate(ctx context.Context, pw string) (time.Time, error) {
	a, ok := authz.ActorFrom(ctx)
	if !ok || a.SessionID == 0 {
		return time.Time{}, ErrNoSession
	}
	if err := s.checkPassword(ctx, a, pw); err != nil {
		return time.Time{}, err
	}
	now := s.clock.Now()
	if err := s.client.Session.UpdateOneID(a.SessionID).SetAuthenticatedAt(now).Exec(ctx); err != nil {
		return time.Time{}, fmt.Errorf("auth: refreshing session %d: %w", a.SessionID, err)
	}
	a.AuthenticatedAt = now
	return now, nil
}

// checkPassword verifies the password of the actor's user, throttled like
// logins so that a stolen session cannot be used to guess it.
func (s *Service) checkPassword(ctx context.Context, a *authz.Actor, pw string) error {
	if err := s.limiter.Allow("username:" + truncate(account.NormalizeUsername(a.Username), 128)); err != nil {
		return err
	}
	u, err := s.client.User.Get(authz.SystemContext(ctx), a.UserID)
	if err != nil {
		return fmt.Errorf("auth: reading user %d: %w", a.UserID, err)
	}
	if u.PasswordHash == nil || pw == "" || len(pw) > maxPasswordBytes {
		return ErrInvalidCredentials
	}
	ok, err := s.verify(ctx, *u.PasswordHash, pw)
	if err != nil {
		return fmt.Errorf("auth: verifying the password of user %d: %w", u.ID, err)
	}
	if !ok {
		return ErrInvalidCredentials
	}
	return nil
}
