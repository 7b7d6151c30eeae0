package admin_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"accountd/internal/account"
	"accountd/internal/admin"
	"accountd/internal/authz"
	"accountd/internal/testdb"
)

func TestEveryStatusTransition(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		f := setup(t, e)
		ctx := authz.SystemContext(context.Background())
		for _, from := range account.Statuses {
			for _, to := range account.Statuses {
				t.Run(fmt.Sprintf("%s to %s", from, to), func(t *testing.T) {
					u := f.user(t, fmt.Sprintf("u-%s-%s", from, to), from)
					got, err := f.svc.UpdateAccountStatus(ctx, admin.StatusInput{
						UserID: u.ID, Status: to, Reason: ptr("test")})
					after := f.reload(t, u)
					switch {
					case from == to:
						if err != nil || after.Version != u.Version || f.auditCount(t, u.ID) != 0 {
							t.Fatalf("same status: err %v, version %d, events %d",
								err, after.Version, f.auditCount(t, u.ID))
						}
					case slices.Contains(account.AllowedTransitions(from), to):
						if err != nil {
							t.Fatalf("allowed transition refused: %v", err)
						}
						if got.Status != to || after.Status != to || after.Version != u.Version+1 {
							t.Fatalf("got status %s version %d, want %s version %d",
								after.Status, after.Version, to, u.Version+1)
						}
						if n := f.auditCount(t, u.ID); n != 1 {
							t.Fatalf("audit events = %d, want 1", n)
						}
					default:
						if code := codeOf(t, err); code != admin.CodeInvalidStatusTransition {
							t.Fatalf("code = %q, want INVALID_STATUS_TRANSITION", code)
						}
						if after.Status != from || after.Version != u.Version || f.auditCount(t, u.ID) != 0 {
							t.Fatalf("refused transition changed the user")
						}
					}
				})
			}
		}
	})
}

func TestTemporaryLock(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		f := setup(t, e)
		ctx := authz.SystemContext(context.Background())
		if _, err := f.svc.CreateSecurityManager(ctx, admin.SecurityManagerInput{
			Name: ptr("Default"), LockoutDurationSeconds: ptr(600)}); err != nil {
			t.Fatal(err)
		}

		t.Run("default end is now plus the lockout duration", func(t *testing.T) {
			u := f.user(t, "lock-default", account.StatusActive)
			got, err := f.svc.UpdateAccountStatus(ctx, admin.StatusInput{UserID: u.ID,
				Status: account.StatusLockedTemporarily})
			if err != nil {
				t.Fatal(err)
			}
			want := f.clock.Now().Add(10 * time.Minute)
			if got.LockedUntil == nil || !got.LockedUntil.Equal(want) {
				t.Fatalf("lockedUntil = %v, want %v", got.LockedUntil, want)
			}
		})
		t.Run("an end in the past is refused", func(t *testing.T) {
			u := f.user(t, "lock-past", account.StatusActive)
			_, err := f.svc.UpdateAccountStatus(ctx, admin.StatusInput{UserID: u.ID,
				Status: account.StatusLockedTemporarily, LockedUntil: ptr(f.clock.Now().Add(-time.Minute))})
			if code := codeOf(t, err); code != admin.CodeExpiryInPast {
				t.Fatalf("code = %q, want EXPIRY_IN_PAST", code)
			}
		})
		t.Run("unlocking resets failed logins", func(t *testing.T) {
			u := f.user(t, "lock-reset", account.StatusLockedTemporarily)
			u = f.c.User.UpdateOne(u).SetFailedLoginAttempts(5).SaveX(ctx)
			got, err := f.svc.UpdateAccountStatus(ctx, admin.StatusInput{UserID: u.ID,
				Status: account.StatusActive})
			if err != nil {
				t.Fatal(err)
			}
			if got.FailedLoginAttempts != 0 || got.LockedUntil != nil {
				t.Fatalf("failed attempts %d, lockedUntil %v", got.FailedLoginAttempts, got.LockedUntil)
			}
		})
	})
}

func TestDeactivateRevokesSessions(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		f := setup(t, e)
		ctx := authz.SystemContext(context.Background())
		u := f.user(t, "leaver", account.StatusActive)
		for i := range 3 {
			f.c.Session.Create().SetUserID(u.ID).SetTokenHash([]byte{byte(i)}).
				SetExpiresAt(f.clock.Now().Add(time.Hour)).ExecX(ctx)
		}
		got, err := f.svc.DeactivateUser(ctx, u.ID, ptr("left the company"))
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != account.StatusInactive {
			t.Fatalf("status = %s", got.Status)
		}
		open := 0
		for _, s := range f.c.Session.Query().AllX(ctx) {
			if s.RevokedAt == nil {
				open++
			}
		}
		if open != 0 {
			t.Fatalf("%d sessions still open", open)
		}
	})
}

func TestVersionConflict(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		f := setup(t, e)
		ctx := authz.SystemContext(context.Background())
		u := f.user(t, "contended", account.StatusActive)
		errs := make(chan error, 2)
		for i := range 2 {
			go func() {
				_, err := f.svc.UpdateUser(ctx, admin.UpdateUserInput{UserID: u.ID,
					ExpectedVersion: ptr(u.Version), FirstName: ptr(fmt.Sprint("Name", i))})
				errs <- err
			}()
		}
		var ok, conflicts int
		for range 2 {
			switch code := codeOf(t, <-errs); code {
			case "":
				ok++
			case admin.CodeVersionConflict:
				conflicts++
			default:
				t.Fatalf("unexpected code %s", code)
			}
		}
		if ok != 1 || conflicts != 1 {
			t.Fatalf("successes %d, conflicts %d; want 1 and 1", ok, conflicts)
		}
		if got := f.reload(t, u); got.Version != u.Version+1 || f.auditCount(t, u.ID) != 1 {
			t.Fatalf("version %d, events %d", got.Version, f.auditCount(t, u.ID))
		}
	})
}

// TestAuditTakesTheClock checks that audit events carry the time of the
// service's clock, for single changes and for bulk ones alike.
func TestAuditTakesTheClock(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		f := setup(t, e)
		ctx := authz.SystemContext(context.Background())
		f.clock.Advance(72*time.Hour + 7*time.Second)
		one := f.user(t, "one", account.StatusActive)
		two := f.user(t, "two", account.StatusActive)
		if _, err := f.svc.UpdateAccountStatus(ctx, admin.StatusInput{UserID: one.ID,
			Status: account.StatusInactive}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.BulkUpdateAccountStatus(ctx, admin.BulkStatusInput{UserIDs: []int{two.ID},
			Status: account.StatusLocked}); err != nil {
			t.Fatal(err)
		}
		events, err := f.c.AuditEvent.Query().All(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(events) != 2 {
			t.Fatalf("%d events, want 2", len(events))
		}
		for _, ev := range events {
			if !ev.OccurredAt.Equal(f.clock.Now()) {
				t.Errorf("%s occurred at %v, want the clock's %v", ev.Action, ev.OccurredAt, f.clock.Now())
			}
		}
	})
}
