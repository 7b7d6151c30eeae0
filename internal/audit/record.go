// Package audit writes accountd's append-only audit trail.
package audit

import (
	"context"
	"fmt"
	"time"

	"accountd/ent"
	"accountd/ent/schema/fieldtype"
	"accountd/internal/authz"
	"accountd/internal/logging"
)

// Change is the value of one field before and after a change.
type Change = fieldtype.Change

// Event is one change to record. The actor and the request id come from
// the context.
type Event struct {
	// Action names what happened, such as user.status_changed.
	Action string
	// TargetType is the type of the changed object, such as User.
	TargetType string
	// TargetID is the changed object's key.
	TargetID int
	// Changes holds the changed fields; never a password, hash, token or
	// secret.
	Changes map[string]Change
}

// Record writes e, which happened at the time at of the caller's clock,
// through client, which should be the client of the transaction that makes
// the change, so that the event commits or rolls back with it.
func Record(ctx context.Context, client *ent.Client, at time.Time, e Event) error {
	actor, _ := authz.ActorFrom(ctx)
	c := client.AuditEvent.Create().
		SetOccurredAt(at).
		SetActorName(actor.Name()).
		SetAction(e.Action).
		SetTargetType(e.TargetType).
		SetTargetID(e.TargetID).
		SetRequestID(logging.RequestID(ctx))
	if actor != nil && !actor.System && actor.UserID != 0 {
		c.SetActorID(actor.UserID)
	}
	if len(e.Changes) > 0 {
		c.SetChanges(e.Changes)
	}
	if err := c.Exec(ctx); err != nil {
		return fmt.Errorf("audit: recording %s: %w", e.Action, err)
	}
	return nil
}

// Diff adds the change of one field to changes when before and after
// differ, and returns changes (allocated when nil).
func Diff[T comparable](changes map[string]Change, field string, before, after T) map[string]Change {
	if before == after {
		return changes
	}
	if changes == nil {
		changes = map[string]Change{}
	}
	changes[field] = Change{Before: before, After: after}
	return changes
}

// RecordAll writes events, which happened at at, through client in one
// statement, for bulk operations; like Record, it should be the
// transaction's client.
func RecordAll(ctx context.Context, client *ent.Client, at time.Time, events []Event) error {
	actor, _ := authz.ActorFrom(ctx)
	requestID := logging.RequestID(ctx)
	const chunk = 500
	for start := 0; start < len(events); start += chunk {
		end := min(start+chunk, len(events))
		builders := make([]*ent.AuditEventCreate, 0, end-start)
		for _, e := range events[start:end] {
			c := client.AuditEvent.Create().
				SetOccurredAt(at).
				SetActorName(actor.Name()).
				SetAction(e.Action).
				SetTargetType(e.TargetType).
				SetTargetID(e.TargetID).
				SetRequestID(requestID)
			if actor != nil && !actor.System && actor.UserID != 0 {
				c.SetActorID(actor.UserID)
			}
			if len(e.Changes) > 0 {
				c.SetChanges(e.Changes)
			}
			builders = append(builders, c)
		}
		if err := client.AuditEvent.CreateBulk(builders...).Exec(ctx); err != nil {
			return fmt.Errorf("audit: recording %d events: %w", len(builders), err)
		}
	}
	return nil
}
