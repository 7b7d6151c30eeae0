package graph

import (
	"context"

	"accountd/ent"
	"accountd/ent/user"
	"accountd/graph/model"
	"accountd/internal/authz"
	"accountd/internal/password"
)

// viewer returns the caller's user.
func (r *Resolver) viewer(ctx context.Context) (*ent.User, error) {
	a, ok := authz.ActorFrom(ctx)
	if !ok || a.UserID == 0 {
		return nil, unauthenticated(ctx)
	}
	return r.client.User.Get(ctx, a.UserID)
}

// loginViewer loads the user who just logged in with the edges a client
// usually shows. The login request itself carries no session, so the
// nested fields are loaded here rather than by their resolvers, which would
// see nothing.
func (r *Resolver) loginViewer(ctx context.Context, id int) (*ent.User, error) {
	return r.client.User.Query().
		Where(user.ID(id)).
		WithRoleAssignments(func(q *ent.RoleAssignmentQuery) { q.WithRole() }).
		WithGroupMemberships(func(q *ent.GroupMembershipQuery) { q.WithGroup() }).
		WithOrganizations().
		WithFormSpaces().
		Only(authz.SystemContext(ctx))
}

// PasswordErrors turns the broken rules of the password policy into user
// errors on the input field at path, one each, coded by the rule.
func PasswordErrors(violations []password.Violation, path ...string) []*model.UserError {
	out := make([]*model.UserError, 0, len(violations))
	for _, v := range violations {
		out = append(out, &model.UserError{
			Field: path, Code: model.UserErrorCode(v.Rule), Message: v.Message,
		})
	}
	return out
}

func invalidCredentials(path ...string) *model.UserError {
	return &model.UserError{
		Field:   path,
		Code:    model.UserErrorCodeInvalidCredentials,
		Message: "The username or password is wrong, or the account cannot log in.",
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
