package admin_test

import (
	"context"
	"fmt"
	"testing"

	"accountd/internal/account"
	"accountd/internal/admin"
	"accountd/internal/authz"
	"accountd/internal/clock"
	"accountd/internal/storage"
	"accountd/internal/testdb"
)

// eachEngine runs a benchmark on SQLite, and on PostgreSQL when
// TEST_DATABASE_URL is set.
func eachEngine(b *testing.B, fn func(b *testing.B, db *storage.DB)) {
	for _, e := range testdb.Engines() {
		b.Run(e.Name, func(b *testing.B) { fn(b, e.Open(b)) })
	}
}

func benchService(db *storage.DB) *admin.Service {
	return admin.New(db.Client, clock.System{}, admin.WithDialect(db.Dialect))
}

func BenchmarkUpdateAccountStatus(b *testing.B) {
	eachEngine(b, func(b *testing.B, db *storage.DB) {
		ctx := authz.SystemContext(context.Background())
		svc := benchService(db)
		u := db.Client.User.Create().SetUsername("bench").SetEmail("bench@example.com").SaveX(ctx)
		statuses := []account.Status{account.StatusLocked, account.StatusActive}
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			if _, err := svc.UpdateAccountStatus(ctx, admin.StatusInput{UserID: u.ID,
				Status: statuses[i%2]}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkAssignFiveRoles(b *testing.B) {
	eachEngine(b, func(b *testing.B, db *storage.DB) {
		ctx := authz.SystemContext(context.Background())
		svc := benchService(db)
		u := db.Client.User.Create().SetUsername("bench").SetEmail("bench@example.com").SaveX(ctx)
		var grants []admin.Grant
		var ids []int
		for i := range 5 {
			r := db.Client.Role.Create().SetName(fmt.Sprint("bench", i)).SaveX(ctx)
			grants = append(grants, admin.Grant{ID: r.ID})
			ids = append(ids, r.ID)
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := svc.AssignRoles(ctx, u.ID, grants); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			if _, err := svc.UnassignRoles(ctx, u.ID, ids); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
	})
}

func BenchmarkBulkUpdateAccountStatus1000(b *testing.B) {
	eachEngine(b, func(b *testing.B, db *storage.DB) {
		ctx := authz.SystemContext(context.Background())
		svc := benchService(db)
		ids := make([]int, 0, admin.MaxBulkUsers)
		for i := range admin.MaxBulkUsers {
			u := db.Client.User.Create().SetUsername(fmt.Sprint("bulk", i)).
				SetEmail(fmt.Sprint("bulk", i, "@example.com")).SaveX(ctx)
			ids = append(ids, u.ID)
		}
		statuses := []account.Status{account.StatusLocked, account.StatusActive}
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			if _, err := svc.BulkUpdateAccountStatus(ctx, admin.BulkStatusInput{UserIDs: ids,
				Status: statuses[i%2]}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
