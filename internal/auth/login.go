package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strconv"
	"time"

	"accountd/ent"
	"accountd/ent/twofactorkey"
	"accountd/ent/user"
	"accountd/internal/account"
	"accountd/internal/audit"
	"accountd/internal/authz"
	"accountd/internal/twofactor"
)

// maxPasswordBytes bounds the password a login hashes; no policy allows a
// longer one.
const maxPasswordBytes = 1024

// LoginInput is one login attempt.
type LoginInput struct {
	Username string
	Password string
	// OTPCode is the TOTP code of users with a configured second factor.
	OTPCode string
	// ClientAddress and UserAgent describe the caller, for rate limiting
	// and the session record.
	ClientAddress string
	UserAgent     string
}

// Session is a session issued by a login.
type Session struct {
	// Token is the bearer token; only its hash is stored.
	Token string
	// ExpiresAt is when the session ends unless it is used before.
	ExpiresAt time.Time
	// User is the logged-in user.
	User *ent.User
}

// Login checks the credentials, applies the lockout rules of the default
// security manager, and opens a session. Every failure is
// ErrInvalidCredentials, or a *ratelimit.Exceeded when attempts come too
// fast.
func (s *Service) Login(ctx context.Context, in LoginInput) (*Session, error) {
	username := account.NormalizeUsername(in.Username)
	if err := s.limiter.Allow("address:"+in.ClientAddress, "username:"+truncate(username, 128)); err != nil {
		return nil, err
	}
	if username == "" || len(in.Username) > account.UsernameMaxLen ||
		in.Password == "" || len(in.Password) > maxPasswordBytes {
		return nil, ErrInvalidCredentials
	}
	ctx = authz.SystemContext(ctx)
	now := s.clock.Now()

	u, err := s.client.User.Query().Where(user.UsernameNormalized(username)).Only(ctx)
	if ent.IsNotFound(err) {
		_, _ = s.verify(ctx, s.dummyHash, in.Password)
		return nil, ErrInvalidCredentials
	}
	if err != nil {
		return nil, fmt.Errorf("auth: reading the user: %w", err)
	}
	r, err := loadRules(ctx, s.client)
	if err != nil {
		return nil, err
	}
	if u, err = s.endPassedLock(ctx, u, now); err != nil {
		return nil, err
	}

	if u.Status != account.StatusActive || u.UserType != user.UserTypeLOCAL || u.PasswordHash == nil {
		_, _ = s.verify(ctx, s.dummyHash, in.Password)
		return nil, ErrInvalidCredentials
	}
	ok, err := s.verify(ctx, *u.PasswordHash, in.Password)
	if err != nil {
		return nil, fmt.Errorf("auth: verifying the password of user %d: %w", u.ID, err)
	}
	if ok {
		ok, err = s.checkSecondFactor(ctx, u.ID, in.OTPCode, now)
		if err != nil {
			return nil, err
		}
	}
	if !ok {
		if err := s.recordFailure(ctx, u.ID, r, now); err != nil {
			return nil, err
		}
		return nil, ErrInvalidCredentials
	}
	return s.openSession(ctx, u, in, now)
}

// checkSecondFactor reports whether code is a valid, unused code of the
// user's CONFIGURED two-factor key; a user without one passes. The step of
// an accepted code is stored at once, so that a code works once even when
// two logins race.
func (s *Service) checkSecondFactor(ctx context.Context, userID int, code string, now time.Time) (bool, error) {
	k, err := s.client.TwoFactorKey.Query().
		Where(twofactorkey.UserID(userID), twofactorkey.StateEQ(twofactorkey.StateCONFIGURED)).
		Only(ctx)
	if ent.IsNotFound(err) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("auth: reading the two-factor key of user %d: %w", userID, err)
	}
	if twofactor.CheckCodeFormat(code) != nil {
		return false, nil
	}
	secret, err := s.settings.Sealer.Open(k.SecretCiphertext)
	if err != nil {
		return false, fmt.Errorf("auth: opening the two-factor key of user %d: %w", userID, err)
	}
	step, ok := twofactor.Verify(string(secret), code, now, k.LastUsedStep)
	if !ok {
		return false, nil
	}
	n, err := s.client.TwoFactorKey.Update().
		Where(twofactorkey.ID(k.ID), twofactorkey.LastUsedStepLT(step)).
		SetLastUsedStep(step).
		Save(ctx)
	if err != nil {
		return false, fmt.Errorf("auth: recording the code of user %d: %w", userID, err)
	}
	return n == 1, nil
}

// endPassedLock returns a temporarily locked user whose lock has passed to
// ACTIVE, as the system, before the attempt is judged.
func (s *Service) endPassedLock(ctx context.Context, u *ent.User, now time.Time) (*ent.User, error) {
	if u.Status != account.StatusLockedTemporarily || u.LockedUntil == nil || u.LockedUntil.After(now) {
		return u, nil
	}
	err := withTx(ctx, s.client, func(tx *ent.Tx) error {
		n, err := tx.User.Update().
			Where(user.ID(u.ID), user.StatusEQ(account.StatusLockedTemporarily), user.LockedUntilLTE(now)).
			SetStatus(account.StatusActive).
			SetStatusReason("temporary lock ended").
			SetStatusChangedAt(now).
			ClearLockedUntil().
			SetFailedLoginAttempts(0).
			AddVersion(1).
			Save(ctx)
		if err != nil || n == 0 {
			return err
		}
		changes := audit.Diff(nil, "status", string(u.Status), string(account.StatusActive))
		return audit.Record(ctx, tx.Client(), now, audit.Event{
			Action: "user.status_changed", TargetType: "User", TargetID: u.ID, Changes: changes,
		})
	})
	if err != nil {
		return nil, fmt.Errorf("auth: ending the lock of user %d: %w", u.ID, err)
	}
	return s.client.User.Get(ctx, u.ID)
}

// recordFailure counts a failed login and locks the account when the
// failures reach the limit: temporarily, or for good after
// permanentLockAfter temporary lockouts in a row.
func (s *Service) recordFailure(ctx context.Context, userID int, r rules, now time.Time) error {
	err := withTx(ctx, s.client, func(tx *ent.Tx) error {
		// The increment takes the row lock, so concurrent failures count
		// one after the other.
		u, err := tx.User.UpdateOneID(userID).AddFailedLoginAttempts(1).Save(ctx)
		if err != nil || u.Status != account.StatusActive || u.FailedLoginAttempts < r.failedLoginLimit {
			return err
		}
		lockouts := u.ConsecutiveLockouts + 1
		upd := tx.User.UpdateOneID(userID).
			SetFailedLoginAttempts(0).
			SetConsecutiveLockouts(lockouts).
			SetStatusChangedAt(now).
			AddVersion(1)
		to, reason := account.StatusLockedTemporarily,
			strconv.Itoa(u.FailedLoginAttempts)+" failed logins in a row"
		permanent := lockouts >= r.permanentLockAfter
		if permanent {
			// Failed logins alone never lock the last active administrator
			// for good: anybody who knows its username could otherwise
			// leave accountd without one. It is locked for lockoutDuration
			// again instead. The increment above holds the user's row, so
			// the check takes its locks in the order administration does.
			last, err := IsLastAdministrator(ctx, tx.Client(), userID, now)
			if err != nil {
				return err
			}
			if last {
				permanent = false
				reason = strconv.Itoa(lockouts) + " lockouts in a row; the last active Administrator is locked only temporarily"
			}
		}
		var lockedUntil *time.Time
		if permanent {
			to, reason = account.StatusLocked, strconv.Itoa(lockouts)+" lockouts in a row"
			upd.ClearLockedUntil()
		} else {
			until := now.Add(r.lockoutDuration)
			lockedUntil = &until
			upd.SetLockedUntil(until)
		}
		if err := upd.SetStatus(to).SetStatusReason(reason).Exec(ctx); err != nil {
			return err
		}
		changes := audit.Diff(nil, "status", string(u.Status), string(to))
		if lockedUntil != nil {
			changes["lockedUntil"] = audit.Change{Before: nil, After: lockedUntil.UTC().Format(time.RFC3339)}
		}
		return audit.Record(ctx, tx.Client(), now, audit.Event{
			Action: "user.status_changed", TargetType: "User", TargetID: userID, Changes: changes,
		})
	})
	if err != nil {
		return fmt.Errorf("auth: recording a failed login of user %d: %w", userID, err)
	}
	return nil
}

// openSession resets the failure counters, records the login and stores a
// new session.
func (s *Service) openSession(ctx context.Context, u *ent.User, in LoginInput, now time.Time) (*Session, error) {
	token, hash, err := newToken()
	if err != nil {
		return nil, err
	}
	err = withTx(ctx, s.client, func(tx *ent.Tx) error {
		err := tx.User.UpdateOneID(u.ID).
			SetFailedLoginAttempts(0).
			SetConsecutiveLockouts(0).
			SetLastLoginAt(now).
			Exec(ctx)
		if err != nil {
			return err
		}
		return tx.Session.Create().
			SetUserID(u.ID).
			SetTokenHash(hash).
			SetCreatedAt(now).
			SetLastSeenAt(now).
			SetAuthenticatedAt(now).
			SetExpiresAt(now.Add(s.settings.MaxAge)).
			SetClientAddress(truncate(in.ClientAddress, 128)).
			SetUserAgent(truncate(in.UserAgent, 512)).
			Exec(ctx)
	})
	if err != nil {
		return nil, fmt.Errorf("auth: opening a session for user %d: %w", u.ID, err)
	}
	u.LastLoginAt = &now
	return &Session{Token: token, ExpiresAt: s.expiry(now, now.Add(s.settings.MaxAge)), User: u}, nil
}

// expiry is when a session last used at lastSeen ends unless used again.
func (s *Service) expiry(lastSeen, absolute time.Time) time.Time {
	idle := lastSeen.Add(s.settings.IdleTimeout)
	if idle.Before(absolute) {
		return idle
	}
	return absolute
}

// tokenPrefix marks accountd's bearer tokens, so that secret scanners and
// people recognise them.
const tokenPrefix = "acd_"

// tokenLen is the length of a token: the prefix and 32 random bytes in
// unpadded base64url.
var tokenLen = len(tokenPrefix) + base64.RawURLEncoding.EncodedLen(32)

func newToken() (token string, hash []byte, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", nil, fmt.Errorf("auth: reading random bytes: %w", err)
	}
	token = tokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	return token, hashToken(token), nil
}

func hashToken(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// wellFormed reports whether token has the shape of a token newToken makes.
func wellFormed(token string) bool {
	if len(token) != tokenLen || token[:len(tokenPrefix)] != tokenPrefix {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(token[len(tokenPrefix):])
	return err == nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
