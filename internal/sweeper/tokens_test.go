package sweeper_test

import (
	"context"
	"testing"
	"time"

	"accountd/internal/account"
	"accountd/internal/authz"
	"accountd/internal/clock"
	"accountd/internal/sweeper"
	"accountd/internal/testdb"
)

func TestPurgeEndedTokensKeepsLiveAndRecentOnes(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		db := e.Open(t)
		ctx := authz.SystemContext(context.Background())
		now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
		clk := clock.NewManual(now)
		u := newUser(t, db.Client, "holder", account.StatusActive)
		long := now.Add(-sweeper.TokenRetention - time.Hour)
		recent := now.Add(-time.Hour)

		sessions := []struct {
			name      string
			expiresAt time.Time
			revokedAt *time.Time
			kept      bool
		}{
			{"live", now.Add(time.Hour), nil, true},
			{"expired recently", recent, nil, true},
			{"expired long ago", long, nil, false},
			{"revoked recently", now.Add(time.Hour), &recent, true},
			{"revoked long ago", now.Add(time.Hour), &long, false},
		}
		ids := map[string]int{}
		for i, s := range sessions {
			row := db.Client.Session.Create().SetUserID(u.ID).SetTokenHash([]byte{byte(i)}).
				SetExpiresAt(s.expiresAt).SetNillableRevokedAt(s.revokedAt).SaveX(ctx)
			ids[s.name] = row.ID
		}
		used := db.Client.PasswordResetToken.Create().SetUserID(u.ID).SetTokenHash([]byte{1}).
			SetExpiresAt(now.Add(time.Hour)).SetUsedAt(long).SaveX(ctx)
		pending := db.Client.PasswordResetToken.Create().SetUserID(u.ID).SetTokenHash([]byte{2}).
			SetExpiresAt(now.Add(time.Hour)).SaveX(ctx)

		n, err := newSweeper(db, clk).PurgeEndedTokens(ctx)
		if err != nil || n != 3 {
			t.Fatalf("purged %d, err %v; want 3", n, err)
		}
		for _, s := range sessions {
			_, err := db.Client.Session.Get(ctx, ids[s.name])
			if kept := err == nil; kept != s.kept {
				t.Errorf("session %s kept = %v, want %v", s.name, kept, s.kept)
			}
		}
		if _, err := db.Client.PasswordResetToken.Get(ctx, used.ID); err == nil {
			t.Error("a token used long ago was kept")
		}
		if _, err := db.Client.PasswordResetToken.Get(ctx, pending.ID); err != nil {
			t.Error("a pending token was deleted")
		}
	})
}
