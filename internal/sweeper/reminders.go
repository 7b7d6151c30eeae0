package sweeper

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"accountd/ent"
	"accountd/ent/groupmembership"
	"accountd/ent/organization"
	"accountd/ent/roleassignment"
	"accountd/internal/outbox"
)

// DefaultReminderDays are the days before an expiry on which the holder
// of a role or group is reminded.
var DefaultReminderDays = []int{14, 1}

// Option configures a sweeper.
type Option func(*Sweeper)

// WithReminderDays sets the days before an expiry on which reminders go
// out; none turns reminders off.
func WithReminderDays(days []int) Option {
	return func(s *Sweeper) { s.reminderDays = normalizeDays(days) }
}

// normalizeDays sorts the days from the nearest mark to the farthest and
// drops repeats and non-positive ones.
func normalizeDays(days []int) []int {
	out := make([]int, 0, len(days))
	for _, d := range days {
		if d > 0 {
			out = append(out, d)
		}
	}
	sort.Ints(out)
	uniq := out[:0]
	for i, d := range out {
		if i == 0 || d != out[i-1] {
			uniq = append(uniq, d)
		}
	}
	return uniq
}

// dueMark returns the reminder mark an assignment expiring at expiresAt
// has reached at now: the nearest mark whose day has come, with the
// instant it came. An assignment reminded at or after that instant has
// had this reminder; one reminded before, an earlier one. ok is false
// when no mark has come yet or the expiry has passed.
func dueMark(days []int, expiresAt, now time.Time) (day int, since time.Time, ok bool) {
	left := expiresAt.Sub(now)
	if left <= 0 {
		return 0, time.Time{}, false
	}
	for _, d := range days {
		if mark := time.Duration(d) * 24 * time.Hour; left <= mark {
			return d, expiresAt.Add(-mark), true
		}
	}
	return 0, time.Time{}, false
}

// reminder is one assignment to remind its holder of.
type reminder struct {
	id         int
	what       string
	expiresAt  time.Time
	remindedAt *time.Time
	user       *ent.User
}

// SendExpiryReminders queues a reminder email for every role assignment
// and group membership that has reached a reminder mark since its last
// reminder, and returns how many it queued. Each is claimed with a
// conditional update of reminded_at in the transaction that queues the
// email, so each reminder goes out once across restarts and instances.
func (s *Sweeper) SendExpiryReminders(ctx context.Context) (int, error) {
	if len(s.reminderDays) == 0 {
		return 0, nil
	}
	now := s.now()
	horizon := now.Add(time.Duration(s.reminderDays[len(s.reminderDays)-1]) * 24 * time.Hour)
	sent := 0
	for _, kind := range []string{"role", "group"} {
		lastID := 0
		for {
			batch, err := s.reminderCandidates(ctx, kind, now, horizon, lastID)
			if err != nil {
				return sent, err
			}
			for _, r := range batch {
				ok, err := s.remind(ctx, kind, r, now)
				if err != nil {
					return sent, fmt.Errorf("sweeper: reminding of %s assignment %d: %w",
						kind, r.id, err)
				}
				if ok {
					sent++
				}
			}
			if len(batch) < batchSize {
				break
			}
			lastID = batch[len(batch)-1].id
		}
	}
	return sent, nil
}

// reminderCandidates lists, by ID after lastID, the assignments of kind
// that are still in force and expire within the farthest mark.
func (s *Sweeper) reminderCandidates(ctx context.Context, kind string, now, horizon time.Time,
	lastID int) ([]reminder, error) {
	var out []reminder
	if kind == "role" {
		rows, err := s.client.RoleAssignment.Query().
			Where(roleassignment.ExpiresAtGT(now), roleassignment.ExpiresAtLTE(horizon),
				roleassignment.IDGT(lastID)).
			Order(ent.Asc(roleassignment.FieldID)).
			Limit(batchSize).
			WithRole().
			WithUser(withOrganizations).
			All(ctx)
		if err != nil {
			return nil, fmt.Errorf("sweeper: listing role assignments to remind of: %w", err)
		}
		for _, a := range rows {
			out = append(out, reminder{id: a.ID, what: "role " + a.Edges.Role.Name,
				expiresAt: *a.ExpiresAt, remindedAt: a.RemindedAt, user: a.Edges.User})
		}
		return out, nil
	}
	rows, err := s.client.GroupMembership.Query().
		Where(groupmembership.ExpiresAtGT(now), groupmembership.ExpiresAtLTE(horizon),
			groupmembership.IDGT(lastID)).
		Order(ent.Asc(groupmembership.FieldID)).
		Limit(batchSize).
		WithGroup().
		WithUser(withOrganizations).
		All(ctx)
	if err != nil {
		return nil, fmt.Errorf("sweeper: listing group memberships to remind of: %w", err)
	}
	for _, m := range rows {
		out = append(out, reminder{id: m.ID, what: "membership of the group " + m.Edges.Group.Name,
			expiresAt: *m.ExpiresAt, remindedAt: m.RemindedAt, user: m.Edges.User})
	}
	return out, nil
}

// remind claims the reminder r is due for and queues its email, in one
// transaction; false means it was not due or another sweeper claimed it.
func (s *Sweeper) remind(ctx context.Context, kind string, r reminder, now time.Time) (bool, error) {
	day, since, due := dueMark(s.reminderDays, r.expiresAt, now)
	if !due || (r.remindedAt != nil && !r.remindedAt.Before(since)) {
		return false, nil
	}
	claimed := false
	err := s.inTx(ctx, func(c *ent.Client) error {
		var n int
		var err error
		// The row must still expire when it did and not be reminded
		// since the mark: a concurrent sweeper's claim, or an extension,
		// makes the update match nothing.
		if kind == "role" {
			n, err = c.RoleAssignment.Update().
				Where(roleassignment.ID(r.id), roleassignment.ExpiresAt(r.expiresAt),
					roleassignment.Or(roleassignment.RemindedAtIsNil(),
						roleassignment.RemindedAtLT(since))).
				SetRemindedAt(now).
				Save(ctx)
		} else {
			n, err = c.GroupMembership.Update().
				Where(groupmembership.ID(r.id), groupmembership.ExpiresAt(r.expiresAt),
					groupmembership.Or(groupmembership.RemindedAtIsNil(),
						groupmembership.RemindedAtLT(since))).
				SetRemindedAt(now).
				Save(ctx)
		}
		if err != nil || n == 0 {
			return err
		}
		claimed = true
		for _, m := range reminderMessages(r, day, now) {
			if err := outbox.Enqueue(ctx, c, m); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return false, err
	}
	return claimed, nil
}

// withOrganizations loads a user's organizations, whose notification
// addresses receive a copy of each reminder.
func withOrganizations(q *ent.UserQuery) {
	q.WithOrganizations(func(q *ent.OrganizationQuery) {
		q.Where(organization.NotificationEmailNEQ(""))
	})
}

// reminderMessages are the emails of one reminder: one to the user, when
// it has an address, and a notice to each notification address of its
// organizations, each address once.
func reminderMessages(r reminder, day int, now time.Time) []outbox.Message {
	left := strconv.Itoa(day) + " days"
	if day == 1 {
		left = "1 day"
	}
	data := func(name string) map[string]string {
		return map[string]string{
			"Name":      name,
			"Username":  r.user.Username,
			"What":      r.what,
			"ExpiresAt": r.expiresAt.UTC().Format("2006-01-02 15:04 UTC"),
			"Left":      left,
		}
	}
	var out []outbox.Message
	sent := map[string]bool{}
	if r.user.Email != "" {
		name := r.user.FirstName
		if name == "" {
			name = r.user.Username
		}
		out = append(out, outbox.Message{Kind: outbox.KindExpiryReminder, To: r.user.Email,
			QueuedAt: now, Data: data(name)})
		sent[strings.ToLower(r.user.Email)] = true
	}
	for _, o := range r.user.Edges.Organizations {
		if to := o.NotificationEmail; to != "" && !sent[strings.ToLower(to)] {
			sent[strings.ToLower(to)] = true
			out = append(out, outbox.Message{Kind: outbox.KindExpiryNotice, To: to,
				QueuedAt: now, Data: data(o.Name)})
		}
	}
	return out
}
