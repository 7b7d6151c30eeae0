package admin

import (
	"context"
	"errors"
	"fmt"
	"time"

	"entgo.io/ent/dialect"

	"accountd/ent"
	"accountd/ent/formspace"
	"accountd/ent/securitymanager"
	"accountd/ent/twofactorkey"
	"accountd/ent/user"
	"accountd/internal/audit"
	"accountd/internal/authz"
	"accountd/internal/outbox"
	"accountd/internal/ratelimit"
	"accountd/internal/twofactor"
)

// The user error codes of the two-factor operations.
const (
	// CodeTwoFactorUnavailable refuses a key for a user who does not meet
	// the conditions; the message names the first unmet one.
	CodeTwoFactorUnavailable Code = "TWO_FACTOR_UNAVAILABLE"
	// CodeInvalidCode refuses a code that is not valid now.
	CodeInvalidCode Code = "INVALID_CODE"
)

// WithSealer sets what encrypts two-factor secrets under the server key.
// Without it, key creation fails.
func WithSealer(s *twofactor.Sealer) Option {
	return func(svc *Service) { svc.sealer = s }
}

// WithTOTPIssuer sets the name authenticator apps show for new keys.
func WithTOTPIssuer(issuer string) Option {
	return func(svc *Service) { svc.issuer = issuer }
}

// WithLimiter sets the limiter of the public operations that guess
// secrets: confirming a two-factor key.
func WithLimiter(l *ratelimit.Limiter) Option {
	return func(svc *Service) { svc.limiter = l }
}

// TwoFactorStatus is what User.twoFactor shows: the key's state and dates,
// and the actions available.
type TwoFactorStatus struct {
	twofactor.Eligibility
	CreatedAt   *time.Time
	ConfirmedAt *time.Time
}

// TwoFactorStatuses evaluates the two-factor eligibility of users with two
// statements whatever their number: one reads their keys, one finds those
// with a form space whose security manager has two factors enabled.
func TwoFactorStatuses(ctx context.Context, c *ent.Client, users []*ent.User) (map[int]TwoFactorStatus, error) {
	out := make(map[int]TwoFactorStatus, len(users))
	if len(users) == 0 {
		return out, nil
	}
	ids := make([]int, len(users))
	for i, u := range users {
		ids[i] = u.ID
	}
	keys, err := c.TwoFactorKey.Query().
		Where(twofactorkey.UserIDIn(ids...)).
		Select(twofactorkey.FieldUserID, twofactorkey.FieldState,
			twofactorkey.FieldCreatedAt, twofactorkey.FieldConfirmedAt).
		All(ctx)
	if err != nil {
		return nil, fmt.Errorf("admin: reading two-factor keys: %w", err)
	}
	byUser := make(map[int]*ent.TwoFactorKey, len(keys))
	for _, k := range keys {
		byUser[k.UserID] = k
	}
	enabled, err := twoFactorFormSpaces(ctx, c, ids)
	if err != nil {
		return nil, err
	}
	for _, u := range users {
		st := TwoFactorStatus{}
		subject := twofactor.Subject{
			TwoFactorRequired:  u.TwoFactorRequired,
			Email:              u.Email,
			Status:             u.Status,
			TwoFactorFormSpace: enabled[u.ID],
		}
		if k := byUser[u.ID]; k != nil {
			subject.Key = twofactor.State(k.State)
			created := k.CreatedAt
			st.CreatedAt, st.ConfirmedAt = &created, k.ConfirmedAt
		}
		st.Eligibility = twofactor.Evaluate(subject)
		out[u.ID] = st
	}
	return out, nil
}

// twoFactorFormSpaces returns which users have a form space whose security
// manager has two factors enabled, with one statement. Form spaces a page
// eager-loaded are not used: their security managers may hold only the
// fields the page selected.
func twoFactorFormSpaces(ctx context.Context, c *ent.Client, ids []int) (map[int]bool, error) {
	enabledIDs, err := c.FormSpace.Query().
		Where(formspace.HasSecurityManagerWith(securitymanager.TwoFactorEnabled(true))).
		QueryUsers().
		Where(user.IDIn(ids...)).
		IDs(authz.SystemContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("admin: reading two-factor form spaces: %w", err)
	}
	enabled := make(map[int]bool, len(enabledIDs))
	for _, id := range enabledIDs {
		enabled[id] = true
	}
	return enabled, nil
}

// reasonMessages explain the unavailable reasons to an administrator.
var reasonMessages = map[twofactor.Reason]string{
	twofactor.ReasonNotRequired:       "the user does not have twoFactorRequired",
	twofactor.ReasonNoEmail:           "the user has no email address to send the key to",
	twofactor.ReasonAccountInactive:   "the account is REJECTED or INACTIVE",
	twofactor.ReasonNoFormSpace:       "no form space of the user has a security manager with twoFactorEnabled",
	twofactor.ReasonAlreadyConfigured: "the user's key is already confirmed: reset it instead",
}

// CreateTwoFactorKey gives a user without a confirmed key a new one and
// emails it; it is refused when the user is not eligible.
func (s *Service) CreateTwoFactorKey(ctx context.Context, userID int) (*ent.User, error) {
	return s.issueKey(ctx, userID, false)
}

// ResetTwoFactorKey replaces a user's key, pending or confirmed, with a new
// one and emails it; the old key stops working at once.
func (s *Service) ResetTwoFactorKey(ctx context.Context, userID int) (*ent.User, error) {
	return s.issueKey(ctx, userID, true)
}

// issueKey generates a secret, seals it, replaces the user's key with it,
// and writes the audit event and the enrolment email, in one transaction.
func (s *Service) issueKey(ctx context.Context, userID int, reset bool) (*ent.User, error) {
	if s.sealer == nil {
		return nil, errors.New("admin: two-factor keys need a server key")
	}
	var result *ent.User
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		c := tx.Client()
		u, err := s.lockUser(ctx, c, userID, nil)
		if err != nil {
			return err
		}
		statuses, err := TwoFactorStatuses(ctx, c, []*ent.User{u})
		if err != nil {
			return err
		}
		st := statuses[u.ID]
		switch {
		case reset && !st.CanResetKey && st.UnavailableReason == twofactor.ReasonNone:
			return refuse(CodeTwoFactorUnavailable, "the user has no key to reset: create one", "userId")
		case reset && !st.CanResetKey, !reset && !st.CanCreateKey:
			return refuse(CodeTwoFactorUnavailable, reasonMessages[st.UnavailableReason], "userId")
		}

		now := s.now()
		secret, uri, err := twofactor.NewKey(s.issuer, u.Username)
		if err != nil {
			return err
		}
		sealed, err := s.sealer.Seal([]byte(secret))
		if err != nil {
			return err
		}
		token, hash, err := twofactor.NewToken()
		if err != nil {
			return err
		}
		expires := now.Add(twofactor.EnrolmentTTL)
		if _, err := c.TwoFactorKey.Delete().Where(twofactorkey.UserID(u.ID)).Exec(ctx); err != nil {
			return err
		}
		err = c.TwoFactorKey.Create().
			SetUserID(u.ID).
			SetSecretCiphertext(sealed).
			SetState(twofactorkey.StatePENDING_CONFIRMATION).
			SetCreatedAt(now).
			SetEnrolmentTokenHash(hash).
			SetEnrolmentExpiresAt(expires).
			Exec(ctx)
		if err != nil {
			return err
		}
		subject, text, html, attachments, err := twofactor.EnrolmentEmail(twofactor.EnrolmentData{
			Issuer: s.issuer, AccountName: u.Username, URI: uri,
			PublicURL: s.publicURL, Token: token, ExpiresAt: expires,
		})
		if err != nil {
			return err
		}
		err = outbox.QueueRendered(ctx, c, outbox.Rendered{Kind: outbox.KindTwoFactorEnrolment,
			To: u.Email, Subject: subject, Text: text, HTML: html, Attachments: attachments,
			QueuedAt: now})
		if err != nil {
			return err
		}
		action := "user.two_factor_key_created"
		if reset {
			action = "user.two_factor_key_reset"
		}
		changes := audit.Diff(nil, "twoFactorState", string(st.State),
			string(twofactor.StatePendingConfirmation))
		changes = audit.Diff(changes, "twoFactorKeyCreatedAt", timeString(st.CreatedAt),
			timeString(&now))
		result = u
		return audit.Record(ctx, c, s.now(), audit.Event{Action: action, TargetType: "User",
			TargetID: u.ID, Changes: changes})
	})
	return unwrap(result), err
}

// ConfirmTwoFactorInput is the token of an enrolment link and a code.
type ConfirmTwoFactorInput struct {
	Token string
	Code  string
	// ClientAddress is the caller's address, for rate limiting.
	ClientAddress string
}

// errUnknownEnrolment refuses a token that matches no pending key.
var errUnknownEnrolment = refuse(CodeInvalidToken,
	"the link is unknown, already used, or replaced by a newer key", "token")

// ConfirmTwoFactorKey finalises a pending key with the token of its
// enrolment link and a current code; the key becomes CONFIGURED. Every
// wrong code is counted, and the fifth invalidates the token.
func (s *Service) ConfirmTwoFactorKey(ctx context.Context, in ConfirmTwoFactorInput) (*ent.User, error) {
	if err := s.limiter.Allow("address:" + in.ClientAddress); err != nil {
		return nil, err
	}
	if s.sealer == nil {
		return nil, errors.New("admin: two-factor keys need a server key")
	}
	var p problems
	hash, err := twofactor.HashToken(in.Token)
	switch {
	case in.Token == "":
		p.add(CodeRequired, "the token of the link must be given", "token")
	case err != nil:
		p.add(CodeInvalidToken, "the link is malformed: copy the whole link from the email", "token")
	}
	switch {
	case in.Code == "":
		p.add(CodeRequired, "the code must be given", "code")
	case twofactor.CheckCodeFormat(in.Code) != nil:
		p.add(CodeInvalidValue, fmt.Sprintf("the code is %d digits, without spaces or letters",
			twofactor.CodeLength), "code")
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	if err := s.limiter.Allow(fmt.Sprintf("enrolment:%x", hash)); err != nil {
		return nil, err
	}

	sysCtx := authz.SystemContext(ctx)
	var result *ent.User
	var refusal error
	err = s.inTx(sysCtx, func(tx *ent.Tx) error {
		c := tx.Client()
		q := c.TwoFactorKey.Query().Where(twofactorkey.EnrolmentTokenHash(hash))
		if s.dialect == dialect.Postgres {
			q.ForUpdate()
		}
		k, err := q.Only(sysCtx)
		if ent.IsNotFound(err) {
			refusal = errUnknownEnrolment
			return nil
		}
		if err != nil {
			return err
		}
		now := s.now()
		if k.State != twofactorkey.StatePENDING_CONFIRMATION {
			refusal = errUnknownEnrolment
			return nil
		}
		if k.EnrolmentExpiresAt == nil || !k.EnrolmentExpiresAt.After(now) {
			refusal = refuse(CodeInvalidToken,
				"the link has expired: ask an administrator for a new key", "token")
			return nil
		}
		secret, err := s.sealer.Open(k.SecretCiphertext)
		if err != nil {
			return fmt.Errorf("admin: opening the two-factor key of user %d: %w", k.UserID, err)
		}
		step, ok := twofactor.Verify(string(secret), in.Code, now, k.LastUsedStep)
		if !ok {
			failed := k.FailedAttempts + 1
			upd := c.TwoFactorKey.UpdateOne(k).SetFailedAttempts(failed)
			refusal = refuse(CodeInvalidCode,
				fmt.Sprintf("the code is wrong or too old: %d tries left",
					twofactor.MaxFailedConfirmations-failed), "code")
			if failed >= twofactor.MaxFailedConfirmations {
				upd.ClearEnrolmentTokenHash().ClearEnrolmentExpiresAt()
				refusal = refuse(CodeInvalidToken, "too many wrong codes: the link no longer works; "+
					"ask an administrator for a new key", "token")
			}
			return upd.Exec(sysCtx)
		}
		err = c.TwoFactorKey.UpdateOne(k).
			SetState(twofactorkey.StateCONFIGURED).
			SetConfirmedAt(now).
			ClearEnrolmentTokenHash().
			ClearEnrolmentExpiresAt().
			SetFailedAttempts(0).
			SetLastUsedStep(step).
			Exec(sysCtx)
		if err != nil {
			return err
		}
		u, err := c.User.Get(sysCtx, k.UserID)
		if err != nil {
			return err
		}
		result = u
		userCtx := authz.WithActor(ctx, &authz.Actor{UserID: u.ID, Username: u.Username})
		changes := audit.Diff(nil, "twoFactorState", string(twofactor.StatePendingConfirmation),
			string(twofactor.StateConfigured))
		return audit.Record(userCtx, c, s.now(), audit.Event{Action: "user.two_factor_key_confirmed",
			TargetType: "User", TargetID: u.ID, Changes: changes})
	})
	if err != nil {
		return nil, err
	}
	if refusal != nil {
		return nil, refusal
	}
	return unwrap(result), nil
}
