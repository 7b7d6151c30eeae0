package sweeper_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"accountd/ent/outboxmessage"
	"accountd/internal/account"
	"accountd/internal/authz"
	"accountd/internal/clock"
	"accountd/internal/outbox"
	"accountd/internal/storage"
	"accountd/internal/sweeper"
	"accountd/internal/testdb"
)

// reminders returns the recipients of the queued emails of kind.
func reminders(t *testing.T, db *storage.DB, kind string) []string {
	t.Helper()
	msgs, err := db.Client.OutboxMessage.Query().
		Where(outboxmessage.Kind(kind)).
		Order(outboxmessage.ByID()).
		All(authz.SystemContext(context.Background()))
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = m.Recipient
	}
	return out
}

func TestExpiryRemindersGoOutOnceAtEachMark(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		db := e.Open(t)
		ctx := authz.SystemContext(context.Background())
		start := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
		clk := clock.NewManual(start)
		expiry := start.Add(20 * 24 * time.Hour)

		role := db.Client.Role.Create().SetName("Auditor").SaveX(ctx)
		grp := db.Client.Group.Create().SetName("Night shift").SetType("JOB").SaveX(ctx)
		ann := newUser(t, db.Client, "ann", account.StatusActive)
		bob := newUser(t, db.Client, "bob", account.StatusActive)
		// Ann's organization wants a copy; Bob's has no address.
		east := db.Client.Organization.Create().SetCode("EAST").SetName("East").
			SetNotificationEmail("east-admins@example.com").AddUsers(ann).SaveX(ctx)
		db.Client.Organization.Create().SetCode("WEST").SetName("West").AddUsers(bob).ExecX(ctx)
		db.Client.RoleAssignment.Create().SetUser(ann).SetRole(role).SetExpiresAt(expiry).ExecX(ctx)
		db.Client.GroupMembership.Create().SetUser(bob).SetGroup(grp).SetExpiresAt(expiry).ExecX(ctx)
		// Permanent access is never reminded of.
		db.Client.RoleAssignment.Create().SetUser(bob).SetRole(role).ExecX(ctx)

		const day = 24 * time.Hour
		steps := []struct {
			name   string
			before time.Duration
			want   int
		}{
			{"20 days before: nothing due", 20 * day, 0},
			{"15 days before: still nothing", 15 * day, 0},
			{"just past the 14-day mark: one each", 14*day - time.Minute, 2},
			{"a sweep later: no repeat", 14*day - 2*time.Minute, 2},
			{"2 days before: no repeat", 2 * day, 2},
			{"just past the 1-day mark: one more each", day - time.Minute, 4},
			{"an hour before the end: no repeat", time.Hour, 4},
		}
		for _, st := range steps {
			clk.Set(expiry.Add(-st.before))
			// Two sweepers at once, as two instances would run them.
			var wg sync.WaitGroup
			errs := make([]error, 2)
			for i := range errs {
				wg.Go(func() {
					_, errs[i] = sweeper.New(db.Client, clk, nil, nil,
						sweeper.WithReminderDays([]int{14, 1})).SendExpiryReminders(ctx)
				})
			}
			wg.Wait()
			for _, err := range errs {
				if err != nil {
					t.Fatalf("%s: %v", st.name, err)
				}
			}
			if got := len(reminders(t, db, outbox.KindExpiryReminder)); got != st.want {
				t.Fatalf("%s: %d reminders queued, want %d", st.name, got, st.want)
			}
		}
		perRecipient := map[string]int{}
		for _, to := range reminders(t, db, outbox.KindExpiryReminder) {
			perRecipient[to]++
		}
		for _, to := range []string{"ann@example.com", "bob@example.com"} {
			if perRecipient[to] != 2 {
				t.Fatalf("%s got %d reminders, want 2", to, perRecipient[to])
			}
		}
		notices := reminders(t, db, outbox.KindExpiryNotice)
		if len(notices) != 2 || notices[0] != east.NotificationEmail || notices[1] != notices[0] {
			t.Fatalf("organization notices went to %q, want two to %s", notices,
				east.NotificationEmail)
		}
	})
}

func TestExpiryRemindersSkipAMarkPassedWhileDown(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		db := e.Open(t)
		ctx := authz.SystemContext(context.Background())
		start := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
		clk := clock.NewManual(start)
		role := db.Client.Role.Create().SetName("Auditor").SaveX(ctx)
		ann := newUser(t, db.Client, "ann", account.StatusActive)
		db.Client.RoleAssignment.Create().SetUser(ann).SetRole(role).
			SetExpiresAt(start.Add(20 * 24 * time.Hour)).ExecX(ctx)

		// Down across both marks: one reminder, the nearest, not two.
		clk.Advance(19*24*time.Hour + time.Hour)
		s := sweeper.New(db.Client, clk, nil, nil, sweeper.WithReminderDays([]int{1, 14}))
		if r, err := s.Sweep(ctx); err != nil || r.RemindersQueued != 1 {
			t.Fatalf("sweep: %+v, %v", r, err)
		}
		if n, err := s.SendExpiryReminders(ctx); err != nil || n != 0 {
			t.Fatalf("second run: %d, %v", n, err)
		}
		off := sweeper.New(db.Client, clk, nil, nil, sweeper.WithReminderDays(nil))
		if n, err := off.SendExpiryReminders(ctx); err != nil || n != 0 {
			t.Fatalf("reminders off: %d, %v", n, err)
		}
	})
}
