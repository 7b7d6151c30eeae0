package schema

import (
	"context"

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
