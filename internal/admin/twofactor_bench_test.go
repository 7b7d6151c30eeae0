package admin_test

import (
	"context"
	"crypto/rand"
	"testing"
	"time"

	"accountd/internal/admin"
	"accountd/internal/authz"
	"accountd/internal/clock"
	"accountd/internal/storage"
	"accountd/internal/twofactor"
)

// BenchmarkResetTwoFactorKey measures what an administrator's press of the
// button costs: a secret, its sealing, the QR code PNG, the email and the
// audit event, written in one transaction.
func BenchmarkResetTwoFactorKey(b *testing.B) {
	eachEngine(b, func(b *testing.B, db *storage.DB) {
		ctx := authz.SystemContext(context.Background())
		key := make([]byte, twofactor.KeySize)
		if _, err := rand.Read(key); err != nil {
			b.Fatal(err)
		}
		sealer, err := twofactor.NewSealer(key)
		if err != nil {
			b.Fatal(err)
		}
		svc := admin.New(db.Client, clock.System{}, admin.WithDialect(db.Dialect),
			admin.WithSealer(sealer), admin.WithTOTPIssuer("Bench"))
		sm := db.Client.SecurityManager.Create().SetName("bench").SetTwoFactorEnabled(true).SaveX(ctx)
		fs := db.Client.FormSpace.Create().SetCode("bench").SetName("bench").
			SetSecurityManagerID(sm.ID).SaveX(ctx)
		u := db.Client.User.Create().SetUsername("bench").SetEmail("bench@example.com").
			SetTwoFactorRequired(true).AddFormSpaceIDs(fs.ID).SaveX(ctx)
		if _, err := svc.CreateTwoFactorKey(ctx, u.ID); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := svc.ResetTwoFactorKey(ctx, u.ID); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkVerifyCode measures a login's second factor: opening the sealed
// secret and checking a code against three time steps.
func BenchmarkVerifyCode(b *testing.B) {
	key := make([]byte, twofactor.KeySize)
	if _, err := rand.Read(key); err != nil {
		b.Fatal(err)
	}
	sealer, err := twofactor.NewSealer(key)
	if err != nil {
		b.Fatal(err)
	}
	secret, _, err := twofactor.NewKey("Bench", "bench")
	if err != nil {
		b.Fatal(err)
	}
	sealed, err := sealer.Seal([]byte(secret))
	if err != nil {
		b.Fatal(err)
	}
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	code, err := twofactor.Code(secret, now)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		plain, err := sealer.Open(sealed)
		if err != nil {
			b.Fatal(err)
		}
		if _, ok := twofactor.Verify(string(plain), code, now, 0); !ok {
			b.Fatal("the code was refused")
		}
	}
}
