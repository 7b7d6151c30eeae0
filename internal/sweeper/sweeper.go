// Package sweeper runs accountd's background work: it removes expired role
// assignments and group memberships, ends passed temporary locks,
// deactivates inactive accounts, deletes long-ended sessions and reset
// tokens, and delivers the outbox. Every item is
// taken with a conditional statement whose affected-row count says which
// instance won it, so several servers on one database handle each once.
package sweeper

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"accountd/ent"
	"accountd/ent/groupmembership"
	"accountd/ent/predicate"
	"accountd/ent/roleassignment"
	"accountd/ent/securitymanager"
	"accountd/ent/session"
	"accountd/ent/user"
	"accountd/internal/account"
	"accountd/internal/audit"
	"accountd/internal/auth"
	"accountd/internal/authz"
	"accountd/internal/clock"
	"accountd/internal/outbox"
)

// DefaultInterval is the time between two sweeps.
const DefaultInterval = time.Minute

// batchSize bounds the items one step of a sweep looks at.
const batchSize = 500

// Sweeper does the background work over one database.
type Sweeper struct {
	client     *ent.Client
	clock      clock.Clock
	dispatcher *outbox.Dispatcher
	logger     *slog.Logger
	// reminderDays are the reminder marks, nearest first.
	reminderDays []int
}

// Result counts what one sweep did.
type Result struct {
	RolesExpired, GroupsExpired, Unlocked, Deactivated, MailsSent, TokensPurged int
	// RemindersQueued counts the expiry reminders queued.
	RemindersQueued int
}

// New returns a sweeper; dispatcher may be nil to leave the outbox alone.
func New(client *ent.Client, clk clock.Clock, dispatcher *outbox.Dispatcher,
	logger *slog.Logger, opts ...Option) *Sweeper {
	s := &Sweeper{client: client, clock: clk, dispatcher: dispatcher, logger: logger,
		reminderDays: normalizeDays(DefaultReminderDays)}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Run sweeps at once and then every interval until ctx ends.
func (s *Sweeper) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := s.Sweep(ctx); err != nil && ctx.Err() == nil {
			s.logger.ErrorContext(ctx, "sweep failed", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Sweep does every job once and reports what it did. It acts as the
// system, whose name its audit events carry.
func (s *Sweeper) Sweep(ctx context.Context) (Result, error) {
	ctx = authz.SystemContext(ctx)
	var r Result
	var err error
	if r.RolesExpired, err = s.ExpireRoleAssignments(ctx); err != nil {
		return r, err
	}
	if r.GroupsExpired, err = s.ExpireGroupMemberships(ctx); err != nil {
		return r, err
	}
	if r.Unlocked, err = s.EndTemporaryLocks(ctx); err != nil {
		return r, err
	}
	if r.Deactivated, err = s.DeactivateInactive(ctx); err != nil {
		return r, err
	}
	if r.TokensPurged, err = s.PurgeEndedTokens(ctx); err != nil {
		return r, err
	}
	if r.RemindersQueued, err = s.SendExpiryReminders(ctx); err != nil {
		return r, err
	}
	if s.dispatcher != nil {
		if r.MailsSent, err = s.dispatcher.DeliverDue(ctx); err != nil {
			return r, err
		}
	}
	return r, nil
}

func (s *Sweeper) now() time.Time {
	return s.clock.Now().UTC().Truncate(time.Microsecond)
}

// inTx runs fn in a transaction of its own.
func (s *Sweeper) inTx(ctx context.Context, fn func(c *ent.Client) error) error {
	tx, err := s.client.Tx(ctx)
	if err != nil {
		return err
	}
	if err := fn(tx.Client()); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// ExpireRoleAssignments removes the role assignments whose expiry has
// passed, each with a role_assignment.expired event, and returns how many
// this sweeper removed.
func (s *Sweeper) ExpireRoleAssignments(ctx context.Context) (int, error) {
	now := s.now()
	expired, err := s.client.RoleAssignment.Query().
		Where(roleassignment.ExpiresAtLTE(now)).
		WithRole().
		Limit(batchSize).
		All(ctx)
	if err != nil {
		return 0, fmt.Errorf("sweeper: listing expired role assignments: %w", err)
	}
	done := 0
	for _, a := range expired {
		err := s.inTx(ctx, func(c *ent.Client) error {
			n, err := c.RoleAssignment.Delete().
				Where(roleassignment.ID(a.ID), roleassignment.ExpiresAtLTE(now)).
				Exec(ctx)
			if err != nil || n == 0 {
				return err
			}
			done++
			return s.recordRemoval(ctx, c, a.UserID, "role_assignment.expired",
				"roles."+a.Edges.Role.Name, a.ExpiresAt)
		})
		if err != nil {
			return done, fmt.Errorf("sweeper: expiring role assignment %d: %w", a.ID, err)
		}
	}
	return done, nil
}

// ExpireGroupMemberships removes the group memberships whose expiry has
// passed, each with a group_membership.expired event.
func (s *Sweeper) ExpireGroupMemberships(ctx context.Context) (int, error) {
	now := s.now()
	expired, err := s.client.GroupMembership.Query().
		Where(groupmembership.ExpiresAtLTE(now)).
		WithGroup().
		Limit(batchSize).
		All(ctx)
	if err != nil {
		return 0, fmt.Errorf("sweeper: listing expired group memberships: %w", err)
	}
	done := 0
	for _, m := range expired {
		err := s.inTx(ctx, func(c *ent.Client) error {
			n, err := c.GroupMembership.Delete().
				Where(groupmembership.ID(m.ID), groupmembership.ExpiresAtLTE(now)).
				Exec(ctx)
			if err != nil || n == 0 {
				return err
			}
			done++
			return s.recordRemoval(ctx, c, m.UserID, "group_membership.expired",
				"groups."+m.Edges.Group.Name, m.ExpiresAt)
		})
		if err != nil {
			return done, fmt.Errorf("sweeper: expiring group membership %d: %w", m.ID, err)
		}
	}
	return done, nil
}

// recordRemoval bumps the user's version and records the expiry.
func (s *Sweeper) recordRemoval(ctx context.Context, c *ent.Client, userID int, action,
	field string, expiresAt *time.Time) error {
	_, err := c.User.Update().Where(user.ID(userID)).AddVersion(1).SetUpdatedAt(s.now()).
		Save(ctx)
	if err != nil {
		return err
	}
	before := map[string]any{"expiresAt": expiresAt.UTC().Format(time.RFC3339)}
	return audit.Record(ctx, c, s.now(), audit.Event{Action: action, TargetType: "User",
		TargetID: userID, Changes: map[string]audit.Change{field: {Before: before}}})
}

// EndTemporaryLocks returns LOCKED_TEMPORARILY accounts whose lock has
// passed to ACTIVE.
func (s *Sweeper) EndTemporaryLocks(ctx context.Context) (int, error) {
	now := s.now()
	due := []predicate.User{
		user.StatusEQ(account.StatusLockedTemporarily),
		user.LockedUntilLTE(now),
	}
	return s.moveEach(ctx, due, func(c *ent.Client, u *ent.User) (int, error) {
		return c.User.Update().
			Where(append(due, user.ID(u.ID))...).
			SetStatus(account.StatusActive).
			SetStatusChangedAt(now).
			SetStatusReason("the temporary lock ended").
			ClearLockedUntil().
			SetFailedLoginAttempts(0).
			AddVersion(1).
			SetUpdatedAt(now).
			Save(ctx)
	}, "user.status_changed")
}

// DeactivateInactive makes INACTIVE the ACTIVE accounts without a login
// for the default security manager's inactivityDeactivationDays, when set.
func (s *Sweeper) DeactivateInactive(ctx context.Context) (int, error) {
	sm, err := s.client.SecurityManager.Query().
		Where(securitymanager.IsDefault(true), securitymanager.InactivityDeactivationDaysNotNil()).
		First(ctx)
	if ent.IsNotFound(err) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	now := s.now()
	cutoff := now.AddDate(0, 0, -*sm.InactivityDeactivationDays)
	due := []predicate.User{
		user.StatusEQ(account.StatusActive),
		user.Or(
			user.LastLoginAtLT(cutoff),
			user.And(user.LastLoginAtIsNil(), user.CreatedAtLT(cutoff)),
		),
	}
	return s.moveEach(ctx, due, func(c *ent.Client, u *ent.User) (int, error) {
		n, err := c.User.Update().
			Where(append(due, user.ID(u.ID))...).
			SetStatus(account.StatusInactive).
			SetStatusChangedAt(now).
			SetStatusReason(fmt.Sprintf("no login for %d days", *sm.InactivityDeactivationDays)).
			AddVersion(1).
			SetUpdatedAt(now).
			Save(ctx)
		if err != nil || n == 0 {
			return n, err
		}
		// The last active administrator stays, however long unused:
		// deactivating it would leave nobody to administer accountd. The
		// check comes after the update, which holds the user's row, so
		// that the locks are taken in the order the API takes them.
		if last, err := auth.IsLastAdministrator(ctx, c, u.ID, now); err != nil || last {
			if err == nil {
				err = errKeep
			}
			return 0, err
		}
		_, err = c.Session.Update().
			Where(session.UserID(u.ID), session.RevokedAtIsNil()).
			SetRevokedAt(now).
			Save(ctx)
		return n, err
	}, "user.deactivated")
}

// moveEach applies move to every user matching due, each in its own
// transaction; move updates conditionally and returns the rows it changed,
// so that a user another instance handled first is skipped, or errKeep to
// roll its change back and go on with the next user.
func (s *Sweeper) moveEach(ctx context.Context, due []predicate.User,
	move func(c *ent.Client, u *ent.User) (int, error), action string) (int, error) {
	users, err := s.client.User.Query().Where(due...).Limit(batchSize).All(ctx)
	if err != nil {
		return 0, fmt.Errorf("sweeper: listing users for %s: %w", action, err)
	}
	done := 0
	for _, u := range users {
		err := s.inTx(ctx, func(c *ent.Client) error {
			n, err := move(c, u)
			if err != nil || n == 0 {
				return err
			}
			after, err := c.User.Get(ctx, u.ID)
			if err != nil {
				return err
			}
			done++
			var ch map[string]audit.Change
			ch = audit.Diff(ch, "status", string(u.Status), string(after.Status))
			ch = audit.Diff(ch, "statusReason", deref(u.StatusReason), deref(after.StatusReason))
			ch = audit.Diff(ch, "failedLoginAttempts", u.FailedLoginAttempts,
				after.FailedLoginAttempts)
			return audit.Record(ctx, c, s.now(), audit.Event{Action: action, TargetType: "User",
				TargetID: u.ID, Changes: ch})
		})
		if errors.Is(err, errKeep) {
			continue
		}
		if err != nil {
			return done, fmt.Errorf("sweeper: %s of user %d: %w", action, u.ID, err)
		}
	}
	return done, nil
}

// errKeep rolls back a move that must not happen after all.
var errKeep = errors.New("sweeper: the user keeps its status")

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
