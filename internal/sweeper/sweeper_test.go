package sweeper_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"accountd/ent"
	"accountd/ent/auditevent"
	"accountd/ent/user"
	"accountd/internal/account"
	"accountd/internal/admin"
	"accountd/internal/authz"
	"accountd/internal/clock"
	"accountd/internal/storage"
	"accountd/internal/sweeper"
	"accountd/internal/testdb"
)

func newSweeper(db *storage.DB, clk clock.Clock) *sweeper.Sweeper {
	return sweeper.New(db.Client, clk, nil, slog.New(slog.DiscardHandler))
}

func newUser(t *testing.T, c *ent.Client, name string, status account.Status) *ent.User {
	t.Helper()
	return c.User.Create().SetUsername(name).SetEmail(name + "@example.com").
		SetStatus(status).SaveX(authz.SystemContext(context.Background()))
}

func TestTwoSweepersExpireEachAssignmentOnce(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		db := e.Open(t)
		ctx := authz.SystemContext(context.Background())
		clk := clock.NewManual(time.Now().UTC().Truncate(time.Second))
		soon := clk.Now().Add(time.Hour)
		g := db.Client.Group.Create().SetName("Night shift").SetType("JOB").SaveX(ctx)
		const users = 15
		for i := range users {
			u := newUser(t, db.Client, fmt.Sprint("temp", i), account.StatusActive)
			r := db.Client.Role.Create().SetName(fmt.Sprint("role", i)).SaveX(ctx)
			db.Client.RoleAssignment.Create().SetUser(u).SetRole(r).SetExpiresAt(soon).ExecX(ctx)
			db.Client.GroupMembership.Create().SetUser(u).SetGroup(g).SetExpiresAt(soon).ExecX(ctx)
		}
		permanent := newUser(t, db.Client, "permanent", account.StatusActive)
		db.Client.GroupMembership.Create().SetUser(permanent).SetGroup(g).ExecX(ctx)

		if r, err := newSweeper(db, clk).Sweep(ctx); err != nil || r.RolesExpired != 0 {
			t.Fatalf("before expiry: %+v, %v", r, err)
		}
		clk.Advance(time.Hour)

		results := make([]sweeper.Result, 2)
		var wg sync.WaitGroup
		for i := range results {
			wg.Go(func() {
				r, err := newSweeper(db, clk).Sweep(ctx)
				if err != nil {
					t.Error(err)
				}
				results[i] = r
			})
		}
		wg.Wait()
		roles := results[0].RolesExpired + results[1].RolesExpired
		groups := results[0].GroupsExpired + results[1].GroupsExpired
		if roles != users || groups != users {
			t.Fatalf("expired %d roles and %d memberships, want %d each", roles, groups, users)
		}
		if n := db.Client.RoleAssignment.Query().CountX(ctx); n != 0 {
			t.Fatalf("%d role assignments left", n)
		}
		if n := db.Client.GroupMembership.Query().CountX(ctx); n != 1 {
			t.Fatalf("%d memberships left, want the permanent one", n)
		}
		for action, want := range map[string]int{"role_assignment.expired": users,
			"group_membership.expired": users} {
			events := db.Client.AuditEvent.Query().Where(auditevent.Action(action)).AllX(ctx)
			if len(events) != want {
				t.Fatalf("%d %s events, want %d", len(events), action, want)
			}
			if events[0].ActorName != "system" || events[0].ActorID != nil {
				t.Fatalf("actor %q", events[0].ActorName)
			}
		}
	})
}

func TestEndTemporaryLocks(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		db := e.Open(t)
		ctx := authz.SystemContext(context.Background())
		clk := clock.NewManual(time.Now().UTC().Truncate(time.Second))
		u := db.Client.User.Create().SetUsername("locked").SetEmail("locked@example.com").
			SetStatus(account.StatusLockedTemporarily).SetLockedUntil(clk.Now().Add(time.Minute)).
			SetFailedLoginAttempts(5).SaveX(ctx)
		s := newSweeper(db, clk)
		if r, _ := s.Sweep(ctx); r.Unlocked != 0 {
			t.Fatal("unlocked before the lock ended")
		}
		clk.Advance(time.Minute)
		if r, err := s.Sweep(ctx); err != nil || r.Unlocked != 1 {
			t.Fatalf("unlocked %d, err %v", r.Unlocked, err)
		}
		got := db.Client.User.GetX(ctx, u.ID)
		if got.Status != account.StatusActive || got.LockedUntil != nil ||
			got.FailedLoginAttempts != 0 || got.Version != u.Version+1 {
			t.Fatalf("status %s, lockedUntil %v, failed %d", got.Status, got.LockedUntil,
				got.FailedLoginAttempts)
		}
	})
}

func TestDeactivateInactive(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		db := e.Open(t)
		ctx := authz.SystemContext(context.Background())
		clk := clock.NewManual(time.Now().UTC().Truncate(time.Second))
		idle := newUser(t, db.Client, "idle", account.StatusActive)
		idle = db.Client.User.UpdateOne(idle).SetLastLoginAt(clk.Now().AddDate(0, 0, -31)).SaveX(ctx)
		busy := newUser(t, db.Client, "busy", account.StatusActive)
		db.Client.User.UpdateOne(busy).SetLastLoginAt(clk.Now()).ExecX(ctx)

		s := newSweeper(db, clk)
		if r, _ := s.Sweep(ctx); r.Deactivated != 0 {
			t.Fatal("deactivated without inactivityDeactivationDays")
		}
		db.Client.SecurityManager.Create().SetName("Default").SetIsDefault(true).
			SetInactivityDeactivationDays(30).ExecX(ctx)
		if r, err := s.Sweep(ctx); err != nil || r.Deactivated != 1 {
			t.Fatalf("deactivated %d, err %v", r.Deactivated, err)
		}
		if got := db.Client.User.GetX(ctx, idle.ID); got.Status != account.StatusInactive {
			t.Fatalf("idle user is %s", got.Status)
		}
		if got := db.Client.User.GetX(ctx, busy.ID); got.Status != account.StatusActive {
			t.Fatalf("busy user is %s", got.Status)
		}

		// An idle administrator goes too while another one is active; the
		// last one stays.
		adminRole := db.Client.Role.Create().SetName(admin.AdministratorRole).SetBuiltin(true).SaveX(ctx)
		var admins []*ent.User
		for _, name := range []string{"idle-admin-1", "idle-admin-2"} {
			u := newUser(t, db.Client, name, account.StatusActive)
			db.Client.User.UpdateOne(u).SetLastLoginAt(clk.Now().AddDate(0, 0, -31)).ExecX(ctx)
			db.Client.RoleAssignment.Create().SetUser(u).SetRole(adminRole).ExecX(ctx)
			admins = append(admins, u)
		}
		if r, err := s.Sweep(ctx); err != nil || r.Deactivated != 1 {
			t.Fatalf("with two idle administrators, deactivated %d, err %v", r.Deactivated, err)
		}
		active := 0
		for _, u := range admins {
			if db.Client.User.GetX(ctx, u.ID).Status == account.StatusActive {
				active++
			}
		}
		if active != 1 {
			t.Fatalf("%d idle administrators stayed active, want the last one", active)
		}
	})
}

// TestDeactivateInactiveRacesAnAdministrator deactivates one of the two
// last administrators through the API while the sweeper deactivates the
// other, idle one, many times over: one of them must stay active.
func TestDeactivateInactiveRacesAnAdministrator(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		db := e.Open(t)
		ctx := authz.SystemContext(context.Background())
		clk := clock.NewManual(time.Now().UTC().Truncate(time.Second))
		db.Client.SecurityManager.Create().SetName("Default").SetIsDefault(true).
			SetInactivityDeactivationDays(30).ExecX(ctx)
		adminRole := db.Client.Role.Create().SetName(admin.AdministratorRole).SetBuiltin(true).SaveX(ctx)
		busy := newUser(t, db.Client, "busy-admin", account.StatusActive)
		idle := newUser(t, db.Client, "idle-admin", account.StatusActive)
		for _, u := range []*ent.User{busy, idle} {
			db.Client.RoleAssignment.Create().SetUser(u).SetRole(adminRole).ExecX(ctx)
		}
		svc := admin.New(db.Client, clk, admin.WithDialect(db.Dialect))
		s := newSweeper(db, clk)
		for round := range 10 {
			db.Client.User.UpdateOne(busy).SetStatus(account.StatusActive).SetLastLoginAt(clk.Now()).ExecX(ctx)
			db.Client.User.UpdateOne(idle).SetStatus(account.StatusActive).
				SetLastLoginAt(clk.Now().AddDate(0, 0, -31)).ExecX(ctx)
			var wg sync.WaitGroup
			start := make(chan struct{})
			var apiErr, sweepErr error
			wg.Go(func() {
				<-start
				_, apiErr = svc.DeactivateUser(ctx, busy.ID, nil)
			})
			wg.Go(func() {
				<-start
				_, sweepErr = s.DeactivateInactive(ctx)
			})
			close(start)
			wg.Wait()
			if sweepErr != nil {
				t.Fatalf("round %d: sweeper: %v", round, sweepErr)
			}
			if apiErr != nil && !strings.Contains(apiErr.Error(), "last active Administrator") {
				t.Fatalf("round %d: deactivateUser: %v", round, apiErr)
			}
			active := db.Client.User.Query().
				Where(user.IDIn(busy.ID, idle.ID), user.StatusEQ(account.StatusActive)).CountX(ctx)
			if active != 1 {
				t.Fatalf("round %d: %d of the two administrators active, want 1", round, active)
			}
		}
	})
}
