package schema_test

import (
	"context"
	"errors"
	"testing"

	"accountd/ent/schema"
	"accountd/internal/testdb"
)

func TestAuditEventsAreAppendOnly(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e testdb.Engine) {
		db := e.Open(t)
		ctx := context.Background()
		ev := db.Client.AuditEvent.Create().SetActorName("system").SetAction("test.done").
			SetTargetType("User").SetTargetID(1).SaveX(ctx)
		if err := db.Client.AuditEvent.UpdateOne(ev).Exec(ctx); !errors.Is(err, schema.ErrAuditAppendOnly) {
			t.Fatalf("update: err = %v", err)
		}
		if err := db.Client.AuditEvent.DeleteOne(ev).Exec(ctx); !errors.Is(err, schema.ErrAuditAppendOnly) {
			t.Fatalf("delete: err = %v", err)
		}
		if _, err := db.Client.AuditEvent.Delete().Exec(ctx); !errors.Is(err, schema.ErrAuditAppendOnly) {
			t.Fatalf("bulk delete: err = %v", err)
		}
	})
}
