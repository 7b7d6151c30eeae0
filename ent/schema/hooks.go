package schema

import (
	"context"
	"errors"

	"entgo.io/ent"

	gen "accountd/ent"
	"accountd/ent/hook"
	"accountd/internal/account"
)

// normalizeUsername keeps username_normalized in step with username on
// every write, so that the unique index on it makes usernames unique
// regardless of case through every code path.
var normalizeUsername = hook.On(func(next ent.Mutator) ent.Mutator {
	return hook.UserFunc(func(ctx context.Context, m *gen.UserMutation) (ent.Value, error) {
		if name, ok := m.Username(); ok {
			m.SetUsernameNormalized(account.NormalizeUsername(name))
		}
		return next.Mutate(ctx, m)
	})
}, ent.OpCreate|ent.OpUpdate|ent.OpUpdateOne)

// ErrAuditAppendOnly is returned by every attempt to change or delete an
// audit event.
var ErrAuditAppendOnly = errors.New("audit events are append-only")

// appendOnly refuses updates and deletes of audit events through every code
// path of the client.
var appendOnly = hook.On(func(ent.Mutator) ent.Mutator {
	return ent.MutateFunc(func(context.Context, ent.Mutation) (ent.Value, error) {
		return nil, ErrAuditAppendOnly
	})
}, ent.OpUpdate|ent.OpUpdateOne|ent.OpDelete|ent.OpDeleteOne)
