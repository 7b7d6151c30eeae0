package auth

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"entgo.io/ent/dialect/sql"

	"accountd/ent/role"
	"accountd/ent/roleassignment"
	"accountd/ent/session"
	"accountd/ent/user"
	"accountd/internal/account"
	"accountd/internal/authz"
)

// touchEvery is how stale last_seen_at may get before a request writes it
// again: the idle timeout is kept to the minute without a write a request.
const touchEvery = time.Minute

// Authenticate returns the actor of a bearer token: its user with the
// permissions of the user's active roles whose assignment has not expired
// now. It runs one read, and a write at most once a minute per session,
// whatever the user holds.
func (s *Service) Authenticate(ctx context.Context, token string) (*authz.Actor, error) {
	if !wellFormed(token) {
		return nil, ErrMalformedToken
	}
	ctx = authz.SystemContext(ctx)
	now := s.clock.Now()

	row, err := s.readSession(ctx, hashToken(token), now)
	if err != nil {
		return nil, err
	}
	if row.RevokedAt != nil || !now.Before(s.expiry(row.LastSeenAt, row.ExpiresAt)) ||
		row.Status != string(account.StatusActive) {
		return nil, ErrInvalidSession
	}
	actor := &authz.Actor{
		UserID:             row.UserID,
		Username:           row.Username,
		Permissions:        map[authz.Permission]bool{},
		SessionID:          row.ID,
		AuthenticatedAt:    row.AuthenticatedAt,
		MustChangePassword: row.MustChangePassword,
	}
	if err := row.decode(actor); err != nil {
		return nil, fmt.Errorf("auth: reading the grants of user %d: %w", row.UserID, err)
	}
	if now.Sub(row.LastSeenAt) >= touchEvery {
		if err := s.client.Session.UpdateOneID(row.ID).SetLastSeenAt(now).Exec(ctx); err != nil {
			return nil, fmt.Errorf("auth: touching session %d: %w", row.ID, err)
		}
	}
	return actor, nil
}

// sessionRow is a session with what a request needs of its user: the
// user's organizations as a comma-separated list of IDs, and the
// permissions of its grants as JSON arrays separated by commas.
type sessionRow struct {
	ID                 int        `json:"id"`
	UserID             int        `json:"user_id"`
	LastSeenAt         time.Time  `json:"last_seen_at"`
	AuthenticatedAt    time.Time  `json:"authenticated_at"`
	ExpiresAt          time.Time  `json:"expires_at"`
	RevokedAt          *time.Time `json:"revoked_at"`
	Username           string     `json:"username"`
	Status             string     `json:"status"`
	MustChangePassword bool       `json:"must_change_password"`
	Organizations      *string    `json:"organizations"`
	Permissions        *string    `json:"permissions"`
}

// readSession reads the session of a token hash, its user, the user's
// organizations and the permissions of the user's active roles whose
// assignment has not expired at now, in one statement: every request runs
// it, and on a networked database each round trip counts.
func (s *Service) readSession(ctx context.Context, hash []byte, now time.Time) (*sessionRow, error) {
	var rows []sessionRow
	err := s.client.Session.Query().
		Where(session.TokenHash(hash)).
		Modify(func(sel *sql.Selector) {
			users := sql.Table(user.Table).As("u")
			members := sql.Table(user.OrganizationsTable).As("m")
			grants := sql.Table(roleassignment.Table).As("g")
			roles := sql.Table(role.Table).As("r")
			orgs := sql.Select(fmt.Sprintf("string_agg(CAST(%s AS TEXT), ',')",
				members.C(user.OrganizationsPrimaryKey[1]))).
				From(members).
				Where(sql.ColumnsEQ(members.C(user.OrganizationsPrimaryKey[0]), sel.C(session.FieldUserID)))
			perms := sql.Select(fmt.Sprintf("string_agg(CAST(%s AS TEXT), ',')", roles.C(role.FieldPermissions))).
				From(grants).
				Join(roles).On(grants.C(roleassignment.FieldRoleID), roles.C(role.FieldID)).
				Where(sql.And(
					sql.ColumnsEQ(grants.C(roleassignment.FieldUserID), sel.C(session.FieldUserID)),
					sql.EQ(roles.C(role.FieldActive), true),
					sql.Or(
						sql.IsNull(grants.C(roleassignment.FieldExpiresAt)),
						sql.GT(grants.C(roleassignment.FieldExpiresAt), now),
					),
				))
			sel.Join(users).On(sel.C(session.FieldUserID), users.C(user.FieldID)).
				Select(
					sel.C(session.FieldID), sel.C(session.FieldUserID), sel.C(session.FieldLastSeenAt),
					sel.C(session.FieldAuthenticatedAt), sel.C(session.FieldExpiresAt),
					sel.C(session.FieldRevokedAt), users.C(user.FieldUsername), users.C(user.FieldStatus),
					users.C(user.FieldMustChangePassword),
				).
				AppendSelectExprAs(orgs, "organizations").
				AppendSelectExprAs(perms, "permissions")
		}).
		Scan(ctx, &rows)
	switch {
	case err != nil:
		return nil, fmt.Errorf("auth: reading the session: %w", err)
	case len(rows) == 0:
		return nil, ErrInvalidSession
	}
	return &rows[0], nil
}

// decode adds the row's organizations and permissions to a.
func (r *sessionRow) decode(a *authz.Actor) error {
	if r.Organizations != nil {
		for _, v := range strings.Split(*r.Organizations, ",") {
			id, err := strconv.Atoi(v)
			if err != nil {
				return fmt.Errorf("organization ID %q: %w", v, err)
			}
			a.OrganizationIDs = append(a.OrganizationIDs, id)
		}
	}
	if r.Permissions != nil {
		var grants [][]authz.Permission
		if err := json.Unmarshal([]byte("["+*r.Permissions+"]"), &grants); err != nil {
			return fmt.Errorf("role permissions: %w", err)
		}
		for _, ps := range grants {
			for _, p := range ps {
				a.Permissions[p] = true
			}
		}
	}
	return nil
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
