package admin

import (
	"context"
	"fmt"
	"slices"
	"time"

	"entgo.io/ent/dialect"

	"accountd/ent"
	"accountd/ent/session"
	"accountd/ent/user"
	"accountd/internal/account"
	"accountd/internal/audit"
)

// StatusInput asks to move an account to another status.
type StatusInput struct {
	UserID          int
	Status          account.Status
	Reason          *string
	LockedUntil     *time.Time
	ExpectedVersion *int
}

// BulkStatusInput asks to move many accounts to one status.
type BulkStatusInput struct {
	UserIDs []int
	Status  account.Status
	Reason  *string
}

// UserFailure names a user a bulk operation refused, and why.
type UserFailure struct {
	UserID  int
	Code    Code
	Message string
}

// BulkError is returned when a bulk operation refuses some of its users;
// then it changed none of them.
type BulkError struct {
	InputError
	// Failures names every refused user.
	Failures []UserFailure
}

// statusChange is a checked move of one account to a status.
type statusChange struct {
	to          account.Status
	reason      *string
	lockedUntil *time.Time
}

// checkStatusInput checks what does not depend on the account.
func (s *Service) checkStatusInput(ctx context.Context, c *ent.Client, to account.Status,
	reason *string, lockedUntil *time.Time) (statusChange, error) {
	var p problems
	if !to.IsValid() {
		p.add(CodeInvalidValue, "status is not an account status", "status")
	}
	if reason != nil {
		p.maxLen("reason", *reason, 1024)
	}
	now := s.now()
	switch {
	case lockedUntil != nil && to != account.StatusLockedTemporarily:
		p.add(CodeInvalidValue, "lockedUntil applies only to LOCKED_TEMPORARILY", "lockedUntil")
	case lockedUntil != nil && !lockedUntil.After(now):
		p.add(CodeExpiryInPast, "lockedUntil must lie in the future", "lockedUntil")
	}
	if err := p.err(); err != nil {
		return statusChange{}, err
	}
	ch := statusChange{to: to, reason: reason, lockedUntil: lockedUntil}
	if to == account.StatusLockedTemporarily && lockedUntil == nil {
		d := DefaultLockoutDuration
		sm, err := defaultSecurityManager(ctx, c)
		if err != nil {
			return statusChange{}, err
		}
		if sm != nil {
			d = time.Duration(sm.LockoutDurationSeconds) * time.Second
		}
		until := now.Add(d)
		ch.lockedUntil = &until
	}
	return ch, nil
}

// refusal returns why u may not make the change, or "" when it may.
func (s *Service) refusal(ctx context.Context, c *ent.Client, u *ent.User, ch statusChange) (Code, string, error) {
	if !account.CanTransition(u.Status, ch.to) {
		return CodeInvalidStatusTransition, fmt.Sprintf("an account cannot move from %s to %s",
			u.Status, ch.to), nil
	}
	if u.Status == account.StatusActive {
		last, err := s.lastAdministrator(ctx, c, u.ID)
		if err != nil {
			return "", "", err
		}
		if last {
			return CodeLastAdministrator,
				"the last active Administrator cannot be deactivated or locked", nil
		}
	}
	return "", "", nil
}

// applyStatus sets the status fields of upd for a move from u's status.
func (s *Service) applyStatus(upd *ent.UserUpdateOne, u *ent.User, ch statusChange) {
	upd.SetStatus(ch.to).SetStatusChangedAt(s.now()).SetNillableStatusReason(ch.reason)
	if ch.reason == nil {
		upd.ClearStatusReason()
	}
	if ch.to == account.StatusLockedTemporarily {
		upd.SetLockedUntil(*ch.lockedUntil)
	} else {
		upd.ClearLockedUntil()
	}
	if leavesLock(u.Status, ch.to) {
		upd.SetFailedLoginAttempts(0).SetConsecutiveLockouts(0)
	}
}

// leavesLock reports whether a move unlocks an account, which resets its
// failed-login counter.
func leavesLock(from, to account.Status) bool {
	locked := func(s account.Status) bool {
		return s == account.StatusLocked || s == account.StatusLockedTemporarily
	}
	return locked(from) && !locked(to)
}

// UpdateAccountStatus moves an account to another status. Setting the
// current status again changes nothing and writes nothing.
func (s *Service) UpdateAccountStatus(ctx context.Context, in StatusInput) (*ent.User, error) {
	return s.setStatus(ctx, in, "user.status_changed")
}

// DeactivateUser makes an account INACTIVE and revokes all its sessions.
func (s *Service) DeactivateUser(ctx context.Context, userID int, reason *string) (*ent.User, error) {
	return s.setStatus(ctx, StatusInput{UserID: userID, Status: account.StatusInactive,
		Reason: reason}, "user.deactivated")
}

func (s *Service) setStatus(ctx context.Context, in StatusInput, action string) (*ent.User, error) {
	var result *ent.User
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		c := tx.Client()
		ch, err := s.checkStatusInput(ctx, c, in.Status, in.Reason, in.LockedUntil)
		if err != nil {
			return err
		}
		u, err := s.lockUser(ctx, c, in.UserID, in.ExpectedVersion)
		if err != nil {
			return err
		}
		if u.Status == ch.to {
			result = u
			return nil
		}
		code, msg, err := s.refusal(ctx, c, u, ch)
		if err != nil {
			return err
		}
		if code != "" {
			return refuse(code, msg, "status")
		}

		upd := c.User.UpdateOne(u)
		s.applyStatus(upd, u, ch)
		after, err := s.saveUser(ctx, upd, u)
		if err != nil {
			return err
		}
		if !ch.to.CanLogIn() {
			if err := s.revokeSessions(ctx, c, u.ID); err != nil {
				return err
			}
		}
		result = after
		return audit.Record(ctx, c, s.now(), audit.Event{Action: action, TargetType: "User",
			TargetID: u.ID, Changes: userFields(u, after)})
	})
	return unwrap(result), err
}

// revokeSessions ends every open session of the users.
func (s *Service) revokeSessions(ctx context.Context, c *ent.Client, userIDs ...int) error {
	_, err := c.Session.Update().
		Where(session.UserIDIn(userIDs...), session.RevokedAtIsNil()).
		SetRevokedAt(s.now()).
		Save(ctx)
	return err
}

// BulkUpdateAccountStatus moves up to MaxBulkUsers accounts to one status
// in one transaction: if any of them is refused, none changes, and the
// BulkError names the refused users.
func (s *Service) BulkUpdateAccountStatus(ctx context.Context, in BulkStatusInput) ([]*ent.User, error) {
	ids, err := checkBulkIDs(in.UserIDs)
	if err != nil {
		return nil, err
	}
	var result []*ent.User
	err = s.inTx(ctx, func(tx *ent.Tx) error {
		c := tx.Client()
		ch, err := s.checkStatusInput(ctx, c, in.Status, in.Reason, nil)
		if err != nil {
			return err
		}
		users, failures, err := s.lockUsers(ctx, c, ids)
		if err != nil {
			return err
		}
		var moving []*ent.User
		for _, u := range users {
			if u.Status == ch.to {
				continue
			}
			if !account.CanTransition(u.Status, ch.to) {
				failures = append(failures, UserFailure{UserID: u.ID,
					Code: CodeInvalidStatusTransition, Message: fmt.Sprintf(
						"an account cannot move from %s to %s", u.Status, ch.to)})
				continue
			}
			moving = append(moving, u)
		}
		lastAdmins, err := s.lastAdministrators(ctx, c, moving)
		if err != nil {
			return err
		}
		for _, id := range lastAdmins {
			failures = append(failures, UserFailure{UserID: id, Code: CodeLastAdministrator,
				Message: "the last active Administrator cannot be deactivated or locked"})
		}
		if len(failures) > 0 {
			return bulkRefusal(failures)
		}

		if err := s.moveAll(ctx, c, moving, ch); err != nil {
			return err
		}
		result, err = c.User.Query().Where(user.IDIn(ids...)).Order(user.ByID()).All(ctx)
		return err
	})
	return unwrapAll(result), err
}

// moveAll applies one checked status change to many users with a few
// statements, and records one audit event a user.
func (s *Service) moveAll(ctx context.Context, c *ent.Client, users []*ent.User, ch statusChange) error {
	if len(users) == 0 {
		return nil
	}
	now := s.now()
	var ids, unlocking []int
	for _, u := range users {
		ids = append(ids, u.ID)
		if leavesLock(u.Status, ch.to) {
			unlocking = append(unlocking, u.ID)
		}
	}
	upd := c.User.Update().Where(user.IDIn(ids...)).
		SetStatus(ch.to).
		SetStatusChangedAt(now).
		SetNillableStatusReason(ch.reason).
		SetUpdatedAt(now).
		AddVersion(1)
	if ch.reason == nil {
		upd.ClearStatusReason()
	}
	if ch.lockedUntil != nil {
		upd.SetLockedUntil(*ch.lockedUntil)
	} else {
		upd.ClearLockedUntil()
	}
	if _, err := upd.Save(ctx); err != nil {
		return err
	}
	if len(unlocking) > 0 {
		_, err := c.User.Update().Where(user.IDIn(unlocking...)).
			SetFailedLoginAttempts(0).SetConsecutiveLockouts(0).Save(ctx)
		if err != nil {
			return err
		}
	}
	if !ch.to.CanLogIn() {
		if err := s.revokeSessions(ctx, c, ids...); err != nil {
			return err
		}
	}
	events := make([]audit.Event, len(users))
	for i, u := range users {
		after := *u
		after.Status, after.StatusReason, after.LockedUntil = ch.to, ch.reason, ch.lockedUntil
		if slices.Contains(unlocking, u.ID) {
			after.FailedLoginAttempts = 0
		}
		events[i] = audit.Event{Action: "user.status_changed", TargetType: "User",
			TargetID: u.ID, Changes: userFields(u, &after)}
	}
	return audit.RecordAll(ctx, c, s.now(), events)
}

// checkBulkIDs refuses an empty or too long list and drops repetitions.
func checkBulkIDs(ids []int) ([]int, error) {
	switch {
	case len(ids) == 0:
		return nil, refuse(CodeRequired, "name at least one user", "userIds")
	case len(ids) > MaxBulkUsers:
		return nil, refuse(CodeTooManyItems, fmt.Sprintf(
			"a bulk operation takes at most %d users, not %d", MaxBulkUsers, len(ids)), "userIds")
	}
	out := slices.Clone(ids)
	slices.Sort(out)
	return slices.Compact(out), nil
}

// lockUsers loads and locks the users of a bulk operation, and names those
// that do not exist or are hidden from the caller.
func (s *Service) lockUsers(ctx context.Context, c *ent.Client, ids []int) ([]*ent.User, []UserFailure, error) {
	q := c.User.Query().Where(user.IDIn(ids...)).Order(user.ByID())
	if s.dialect == dialect.Postgres {
		q.ForUpdate()
	}
	users, err := q.All(ctx)
	if err != nil {
		return nil, nil, err
	}
	found := make(map[int]bool, len(users))
	for _, u := range users {
		found[u.ID] = true
	}
	var failures []UserFailure
	for _, id := range ids {
		if !found[id] {
			failures = append(failures, UserFailure{UserID: id, Code: CodeNotFound,
				Message: "no user has this ID"})
		}
	}
	return users, failures, nil
}

func bulkRefusal(failures []UserFailure) error {
	slices.SortFunc(failures, func(a, b UserFailure) int { return a.UserID - b.UserID })
	return &BulkError{
		InputError: InputError{Problems: []FieldError{{Field: []string{"input", "userIds"},
			Code: failures[0].Code,
			Message: fmt.Sprintf("%d of the users cannot be changed; nothing was changed",
				len(failures))}}},
		Failures: failures,
	}
}
