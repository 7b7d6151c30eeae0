package graph

import (
	"context"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"accountd/ent"
	"accountd/graph/model"
	"accountd/internal/admin"
	"accountd/internal/twofactor"
)

// twoFactorLoader evaluates User.twoFactor for every user of a list at
// once, the first time one of them asks, so that a page of users costs
// the same two statements as one user.
type twoFactorLoader struct {
	mu       sync.Mutex
	statuses map[int]admin.TwoFactorStatus
}

type twoFactorLoaderKey struct{}

// TwoFactorLoader is the operation middleware that gives each query its own
// batch of two-factor statuses. Mutations get none: they read the state
// they just changed.
func TwoFactorLoader(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	oc := graphql.GetOperationContext(ctx)
	if oc != nil && oc.Operation != nil && oc.Operation.Operation == ast.Query {
		ctx = context.WithValue(ctx, twoFactorLoaderKey{},
			&twoFactorLoader{statuses: map[int]admin.TwoFactorStatus{}})
	}
	return next(ctx)
}

// twoFactorStatus returns the status of u, loading it with the users listed
// beside u when the request has a loader.
func twoFactorStatus(ctx context.Context, client *ent.Client, u *ent.User) (admin.TwoFactorStatus, error) {
	l, ok := ctx.Value(twoFactorLoaderKey{}).(*twoFactorLoader)
	if !ok {
		m, err := admin.TwoFactorStatuses(ctx, client, []*ent.User{u})
		return m[u.ID], err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if st, ok := l.statuses[u.ID]; ok {
		return st, nil
	}
	batch := []*ent.User{u}
	for _, sibling := range listedUsers(ctx) {
		if _, known := l.statuses[sibling.ID]; !known && sibling.ID != u.ID {
			batch = append(batch, sibling)
		}
	}
	m, err := admin.TwoFactorStatuses(ctx, client, batch)
	if err != nil {
		return admin.TwoFactorStatus{}, err
	}
	for id, st := range m {
		l.statuses[id] = st
	}
	return m[u.ID], nil
}

// listedUsers returns the users of the nearest list that the field being
// resolved belongs to: a connection's edges, a plain list or nodes(ids).
func listedUsers(ctx context.Context) []*ent.User {
	for fc, depth := graphql.GetFieldContext(ctx), 0; fc != nil && depth < 5; fc, depth = fc.Parent, depth+1 {
		switch res := fc.Result.(type) {
		case []*ent.UserEdge:
			users := make([]*ent.User, 0, len(res))
			for _, e := range res {
				if e != nil && e.Node != nil {
					users = append(users, e.Node)
				}
			}
			return users
		case []*ent.User:
			return res
		case []ent.Noder:
			var users []*ent.User
			for _, n := range res {
				if u, ok := n.(*ent.User); ok && u != nil {
					users = append(users, u)
				}
			}
			return users
		}
	}
	return nil
}

// twoFactorModel maps a status to its GraphQL object.
func twoFactorModel(st admin.TwoFactorStatus) *model.TwoFactor {
	out := &model.TwoFactor{
		State:        st.State,
		CanCreateKey: st.CanCreateKey,
		CanResetKey:  st.CanResetKey,
		CreatedAt:    st.CreatedAt,
		ConfirmedAt:  st.ConfirmedAt,
	}
	if st.UnavailableReason != twofactor.ReasonNone {
		reason := st.UnavailableReason
		out.UnavailableReason = &reason
	}
	return out
}
